//! CSV export of audit events.
//!
//! Owns: the column set (stable: new columns are only ever appended), RFC 4180 quoting
//! (CRLF line ends; a cell containing `,` `"` CR or LF is wrapped in `"` with inner `"`
//! doubled), and formula-injection escaping: a cell whose first character is `=` `+` `-` `@`,
//! TAB or CR gets a leading `'` so a spreadsheet shows it as text instead of evaluating it.
//! The escaping is applied to every cell, before quoting.
//!
//! Columns, in order: `id, time, time_ms, actor, action, outcome, workspace_id,
//! conversation_id, part_id, entry_ids, entity_kinds, reason, request_id, counts, chain, seq,
//! prev_hash, hash`. `time` is ISO 8601 UTC with milliseconds; lists are joined with `;`;
//! `counts` is `key=value` pairs joined with `;` in key order; absent values are empty cells.
//!
//! Export streams: one page of events at a time goes to any `std::io::Write`, so memory stays
//! flat however many events match. Must never buffer the whole result.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;

use crate::model::{AuditQuery, PageRequest, StoredEvent, UnixMillis};
use crate::ports::{AuditError, AuditLog};

/// The header columns, in output order.
pub const CSV_COLUMNS: [&str; 18] = [
    "id",
    "time",
    "time_ms",
    "actor",
    "action",
    "outcome",
    "workspace_id",
    "conversation_id",
    "part_id",
    "entry_ids",
    "entity_kinds",
    "reason",
    "request_id",
    "counts",
    "chain",
    "seq",
    "prev_hash",
    "hash",
];

/// Events fetched per query page during export.
pub const EXPORT_PAGE: u32 = 500;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("writing the export failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Neutralize spreadsheet formulas, then apply RFC 4180 quoting.
pub fn escape_cell(s: &str) -> Cow<'_, str> {
    let formula = matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let needs_quotes = s.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
    if !formula && !needs_quotes {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 4);
    if needs_quotes {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for c in s.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if needs_quotes {
        out.push('"');
    }
    Cow::Owned(out)
}

/// The header line, CRLF-terminated.
pub fn csv_header() -> String {
    let mut line = CSV_COLUMNS.join(",");
    line.push_str("\r\n");
    line
}

/// One event as a CSV line, CRLF-terminated.
pub fn csv_row(e: &StoredEvent) -> String {
    let ev = &e.event;
    let mut counts = String::new();
    for (i, (k, v)) in ev.counts.iter().enumerate() {
        if i > 0 {
            counts.push(';');
        }
        // Writing to a String cannot fail.
        let _ = write!(counts, "{k}={v}");
    }
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let cells: [String; 18] = [
        ev.id.clone(),
        iso8601(ev.time),
        ev.time.to_string(),
        ev.actor.clone(),
        ev.action.as_str().to_owned(),
        ev.outcome.as_str().to_owned(),
        opt(&ev.workspace_id),
        opt(&ev.conversation_id),
        opt(&ev.part_id),
        ev.entry_ids.join(";"),
        ev.entity_kinds.join(";"),
        opt(&ev.reason),
        opt(&ev.request_id),
        counts,
        e.chain.to_string(),
        e.seq.to_string(),
        e.prev_hash.clone(),
        e.hash.clone(),
    ];
    let mut line = String::with_capacity(256);
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        line.push_str(&escape_cell(c));
    }
    line.push_str("\r\n");
    line
}

/// Write the header and every event matching `query` to `out`, one page at a time. Returns
/// the number of events written.
pub async fn export_csv<W: Write + Send>(
    log: &dyn AuditLog,
    query: &AuditQuery,
    out: &mut W,
) -> Result<u64, ExportError> {
    export_csv_paged(log, query, EXPORT_PAGE, out).await
}

/// [`export_csv`] with an explicit page size.
pub async fn export_csv_paged<W: Write + Send>(
    log: &dyn AuditLog,
    query: &AuditQuery,
    page_size: u32,
    out: &mut W,
) -> Result<u64, ExportError> {
    out.write_all(csv_header().as_bytes())?;
    let mut cursor = None;
    let mut n = 0u64;
    loop {
        let page = log
            .query(
                query,
                &PageRequest {
                    cursor,
                    limit: page_size.max(1),
                },
            )
            .await?;
        for e in &page.items {
            out.write_all(csv_row(e).as_bytes())?;
            n += 1;
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    out.flush()?;
    Ok(n)
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for milliseconds since the epoch (proleptic Gregorian, UTC).
pub fn iso8601(ms: UnixMillis) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Days since 1970-01-01 to (year, month, day); Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_table() {
        let cases = [
            ("plain", "plain"),
            ("", ""),
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "\"'\rx\""),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("line\nbreak", "\"line\nbreak\""),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
            ("a=b", "a=b"),
            ("ünï", "ünï"),
        ];
        for (input, want) in cases {
            assert_eq!(escape_cell(input), want, "input {input:?}");
        }
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(iso8601(1_733_353_713_007), "2024-12-04T23:08:33.007Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn header_has_every_column_once() {
        let h = csv_header();
        assert!(h.ends_with("\r\n"));
        assert_eq!(h.trim_end().split(',').count(), CSV_COLUMNS.len());
    }
}
