//! Item encoding helpers shared by the DynamoDB adapters: attribute getters that fail with a
//! decode error naming the attribute (never its value), the sortable time encoding used in
//! index sort keys, key-component escaping, and opaque cursors.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) type Item = HashMap<String, AttributeValue>;

/// A decode failure: which attribute was missing or of the wrong type.
#[derive(Debug)]
pub(crate) struct DecodeError(pub String);

impl DecodeError {
    pub(crate) fn into_store(self) -> dlp_vault::StoreError {
        dlp_vault::StoreError::Invalid(self.0)
    }
    pub(crate) fn into_audit(self) -> dlp_audit::AuditError {
        dlp_audit::AuditError::Invalid(self.0)
    }
}

pub(crate) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(crate) fn n(v: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub(crate) fn b(v: impl Into<Vec<u8>>) -> AttributeValue {
    AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(v))
}

pub(crate) fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str, DecodeError> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Ok(v),
        Some(_) => Err(DecodeError(format!("attribute {name}: not a string"))),
        None => Err(DecodeError(format!("attribute {name}: missing"))),
    }
}

pub(crate) fn opt_s(item: &Item, name: &str) -> Result<Option<String>, DecodeError> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::S(v)) => Ok(Some(v.clone())),
        Some(_) => Err(DecodeError(format!("attribute {name}: not a string"))),
    }
}

pub(crate) fn get_n<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, DecodeError> {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v
            .parse()
            .map_err(|_| DecodeError(format!("attribute {name}: number out of range"))),
        Some(_) => Err(DecodeError(format!("attribute {name}: not a number"))),
        None => Err(DecodeError(format!("attribute {name}: missing"))),
    }
}

pub(crate) fn opt_n<T: std::str::FromStr>(
    item: &Item,
    name: &str,
) -> Result<Option<T>, DecodeError> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(_) => get_n(item, name).map(Some),
    }
}

pub(crate) fn get_b<'a>(item: &'a Item, name: &str) -> Result<&'a [u8], DecodeError> {
    match item.get(name) {
        Some(AttributeValue::B(v)) => Ok(v.as_ref()),
        Some(_) => Err(DecodeError(format!("attribute {name}: not binary"))),
        None => Err(DecodeError(format!("attribute {name}: missing"))),
    }
}

/// A list of strings, stored as `L` of `S` (order kept; `SS` cannot be empty nor ordered).
pub(crate) fn str_list(v: &[String]) -> AttributeValue {
    AttributeValue::L(v.iter().map(|x| s(x.as_str())).collect())
}

pub(crate) fn get_str_list(item: &Item, name: &str) -> Result<Vec<String>, DecodeError> {
    match item.get(name) {
        None => Ok(Vec::new()),
        Some(AttributeValue::L(list)) => list
            .iter()
            .map(|v| match v {
                AttributeValue::S(x) => Ok(x.clone()),
                _ => Err(DecodeError(format!(
                    "attribute {name}: list element not a string"
                ))),
            })
            .collect(),
        Some(_) => Err(DecodeError(format!("attribute {name}: not a list"))),
    }
}

/// A map of name → count, stored as `M` of `N`.
pub(crate) fn count_map<V: std::fmt::Display>(
    v: impl IntoIterator<Item = (impl Into<String>, V)>,
) -> AttributeValue {
    AttributeValue::M(v.into_iter().map(|(k, c)| (k.into(), n(c))).collect())
}

pub(crate) fn get_count_map<V, C>(item: &Item, name: &str) -> Result<C, DecodeError>
where
    V: std::str::FromStr,
    C: FromIterator<(String, V)>,
{
    match item.get(name) {
        None => Ok(std::iter::empty().collect()),
        Some(AttributeValue::M(m)) => m
            .iter()
            .map(|(k, v)| match v {
                AttributeValue::N(x) => x
                    .parse::<V>()
                    .map(|c| (k.clone(), c))
                    .map_err(|_| DecodeError(format!("attribute {name}: count out of range"))),
                _ => Err(DecodeError(format!("attribute {name}: count not a number"))),
            })
            .collect(),
        Some(_) => Err(DecodeError(format!("attribute {name}: not a map"))),
    }
}

/// Sortable fixed-width encoding of a signed millisecond time: 16 lowercase hex digits of the
/// value with its sign bit flipped, so byte order equals numeric order for every `i64`.
pub(crate) fn time_key(ms: i64) -> String {
    format!("{:016x}", (ms as u64) ^ (1u64 << 63))
}

/// Index sort key: `time_key(ms) '#' id`. Orders by time, then by id (byte order).
pub(crate) fn time_id_key(ms: i64, id: &str) -> String {
    format!("{}#{}", time_key(ms), id)
}

/// The smallest string strictly greater than `k` (used to resume after a position with an
/// inclusive BETWEEN).
pub(crate) fn successor(k: &str) -> String {
    let mut out = String::with_capacity(k.len() + 1);
    out.push_str(k);
    out.push('\u{0}');
    out
}

/// Escape a key component so that the `#` separator cannot be forged by an id: `%` and `#`
/// are percent-encoded. Ids are Intercom's (alphanumeric), so this is normally a no-op.
pub(crate) fn esc(v: &str) -> String {
    if !v.contains(['%', '#']) {
        return v.to_owned();
    }
    v.replace('%', "%25").replace('#', "%23")
}

/// Encode a cursor: URL-safe base64 of a JSON document tagged with the listing it belongs to.
pub(crate) fn encode_cursor<T: Serialize>(kind: &str, pos: &T) -> String {
    #[derive(Serialize)]
    struct Wire<'a, T> {
        v: u8,
        k: &'a str,
        p: &'a T,
    }
    // Serializing plain structs of strings and numbers cannot fail.
    let json = serde_json::to_vec(&Wire {
        v: 1,
        k: kind,
        p: pos,
    })
    .unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// Decode a cursor made by [`encode_cursor`] for the same `kind`; anything else is an error
/// message naming the problem (never echoing the cursor).
pub(crate) fn decode_cursor<T: DeserializeOwned>(
    kind: &str,
    cursor: &str,
) -> Result<T, DecodeError> {
    #[derive(serde::Deserialize)]
    struct Wire<T> {
        v: u8,
        k: String,
        p: T,
    }
    if cursor.len() > 4096 {
        return Err(DecodeError("cursor too long".into()));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| DecodeError("cursor is not base64".into()))?;
    let wire: Wire<T> =
        serde_json::from_slice(&bytes).map_err(|_| DecodeError("cursor is malformed".into()))?;
    if wire.v != 1 || wire.k != kind {
        return Err(DecodeError("cursor belongs to another listing".into()));
    }
    Ok(wire.p)
}

/// A page limit: 0 means the default; never above the maximum.
pub(crate) fn page_limit(limit: u32) -> usize {
    const DEFAULT: u32 = 100;
    const MAX: u32 = 1000;
    (if limit == 0 { DEFAULT } else { limit.min(MAX) }) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_key_orders_like_numbers() {
        let values = [i64::MIN, -86_400_000, -1, 0, 1, 1_700_000_000_000, i64::MAX];
        for w in values.windows(2) {
            assert!(time_key(w[0]) < time_key(w[1]), "{} vs {}", w[0], w[1]);
            assert_eq!(time_key(w[0]).len(), 16);
        }
    }

    #[test]
    fn successor_is_tight() {
        let k = time_id_key(5, "e1");
        assert!(successor(&k) > k);
        assert!(successor(&k) < time_id_key(5, "e10"));
        assert!(successor(&k) < time_id_key(6, ""));
    }

    #[test]
    fn escaping_keeps_separator_unforgeable() {
        assert_eq!(esc("abc"), "abc");
        assert_eq!(esc("a#b"), "a%23b");
        assert_eq!(esc("a%23b"), "a%2523b");
        assert_ne!(
            format!("{}#{}", esc("a#b"), esc("c")),
            format!("{}#{}", esc("a"), esc("b#c"))
        );
    }

    #[test]
    fn cursors_round_trip_and_reject_foreign_or_garbage() {
        let c = encode_cursor("conv", &("k".to_string(), 3u8));
        let back: (String, u8) = decode_cursor("conv", &c).unwrap();
        assert_eq!(back, ("k".to_string(), 3));
        assert!(decode_cursor::<(String, u8)>("created", &c).is_err());
        assert!(decode_cursor::<(String, u8)>("conv", "not base64!").is_err());
        assert!(decode_cursor::<(String, u8)>("conv", &URL_SAFE_NO_PAD.encode("{}")).is_err());
        assert!(decode_cursor::<(String, u8)>("conv", &"A".repeat(5000)).is_err());
    }
}
