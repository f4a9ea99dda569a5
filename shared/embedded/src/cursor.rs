//! Opaque page cursors shared by the SQLite adapter and the in-memory fakes.
//!
//! A cursor is base64url (no padding) of `v1|<kind>|<fingerprint>|<number>|<id>`: the listing
//! kind, a 64-bit fingerprint of the query parameters (so a cursor cannot be replayed against
//! another query), and the keyset position (the sort key and id of the last item served).
//! It holds ids and timestamps only, never personal data. Anything else is rejected.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Position {
    pub number: i64,
    pub id: String,
}

/// FNV-1a 64 over the parts, separated by a 0xff byte (never in UTF-8).
pub(crate) fn fingerprint(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

pub(crate) fn encode(kind: &str, fp: u64, pos: &Position) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1|{kind}|{fp:016x}|{}|{}", pos.number, pos.id))
}

/// `Ok(None)` for no cursor; `Err(reason)` for a malformed or foreign one.
pub(crate) fn decode(
    cursor: Option<&str>,
    kind: &str,
    fp: u64,
) -> Result<Option<Position>, &'static str> {
    let Some(c) = cursor else { return Ok(None) };
    let raw = URL_SAFE_NO_PAD
        .decode(c.as_bytes())
        .map_err(|_| "cursor is not base64url")?;
    let text = String::from_utf8(raw).map_err(|_| "cursor is not UTF-8")?;
    let mut parts = text.splitn(5, '|');
    if parts.next() != Some("v1") {
        return Err("cursor version unknown");
    }
    if parts.next() != Some(kind) {
        return Err("cursor belongs to another listing");
    }
    if parts.next() != Some(format!("{fp:016x}").as_str()) {
        return Err("cursor belongs to another query");
    }
    let number = parts
        .next()
        .and_then(|n| n.parse::<i64>().ok())
        .ok_or("cursor position malformed")?;
    let id = parts
        .next()
        .filter(|s| !s.is_empty())
        .ok_or("cursor id missing")?;
    Ok(Some(Position {
        number,
        id: id.to_owned(),
    }))
}

/// Fingerprint of an audit query's filters (for cursors bound to that query).
pub(crate) fn query_fingerprint(q: &dlp_audit::AuditQuery) -> u64 {
    let opt_i = |v: Option<i64>| v.map_or_else(|| "-".to_owned(), |n| n.to_string());
    fingerprint(&[
        &opt_i(q.since),
        &opt_i(q.until),
        q.actor.as_deref().unwrap_or("\u{0}"),
        q.action.as_ref().map_or("\u{0}", |a| a.as_str()),
        q.conversation_id.as_deref().unwrap_or("\u{0}"),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let pos = Position {
            number: -42,
            id: "01HX|odd".into(),
        };
        let fp = fingerprint(&["ws", "conv"]);
        let c = encode("conv", fp, &pos);
        assert_eq!(decode(Some(&c), "conv", fp), Ok(Some(pos)));
        assert_eq!(decode(None, "conv", fp), Ok(None));
        assert!(decode(Some(&c), "created", fp).is_err());
        assert!(decode(Some(&c), "conv", fingerprint(&["ws", "other"])).is_err());
        for bad in [
            "",
            "garbage",
            "%%%",
            "AAAA",
            &URL_SAFE_NO_PAD.encode("v1|conv|x|1|a"),
        ] {
            assert!(decode(Some(bad), "conv", fp).is_err(), "{bad}");
        }
        // Parts are separated, not concatenated.
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }
}
