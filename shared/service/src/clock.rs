//! Time for the governance use-cases: an injectable clock, and the timestamp forms the review
//! API and `dlp audit` accept and print.
//!
//! Owns: the [`Clock`] port (system and manual implementations) and UTC RFC 3339 parsing and
//! formatting in milliseconds. Must never: depend on the local time zone.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Milliseconds since the Unix epoch, UTC (the vault's and audit's representation).
pub type UnixMillis = i64;

/// The current time. Injected so tests can decide exactly when entries expire.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> UnixMillis;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> UnixMillis {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
    }
}

/// A clock that only moves when told to, optionally advancing by a fixed step on every
/// reading (to simulate work taking time against a deadline).
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    now: Arc<AtomicI64>,
    step: Arc<AtomicI64>,
}

impl ManualClock {
    pub fn new(now: UnixMillis) -> Self {
        Self {
            now: Arc::new(AtomicI64::new(now)),
            step: Arc::new(AtomicI64::new(0)),
        }
    }
    pub fn set(&self, now: UnixMillis) {
        self.now.store(now, Ordering::SeqCst);
    }
    pub fn advance(&self, ms: i64) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }
    /// Every later reading first advances the clock by `ms`.
    pub fn set_step(&self, ms: i64) {
        self.step.store(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> UnixMillis {
        let step = self.step.load(Ordering::SeqCst);
        self.now.fetch_add(step, Ordering::SeqCst) + step
    }
}

/// Parse a timestamp given by a caller: RFC 3339 (`2026-12-04T20:15:00Z`, fractional seconds
/// and numeric offsets allowed), a date (`2026-12-04`, midnight UTC) or integer milliseconds
/// since the epoch. `None` for anything else.
pub fn parse_time(s: &str) -> Option<UnixMillis> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.is_empty() || !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    if b.len() == 10 {
        return days.checked_mul(86_400_000);
    }
    if b.len() < 20
        || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b[i] == b'.' {
        let start = i + 1;
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        if end == start {
            return None;
        }
        // Milliseconds: first three digits, padded.
        let frac = &s[start..end.min(start + 3)];
        millis = frac.parse::<i64>().ok()? * 10i64.pow(3 - frac.len() as u32);
        i = end;
    }
    let offset_secs = match b.get(i..)? {
        [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] if b.len() == i + 6 && b[i + 3] == b':' => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_secs;
    secs.checked_mul(1000)?.checked_add(millis)
}

/// `2026-12-04T20:15:00.123Z`: the audit CSV's time format, so API answers and exports agree.
pub use dlp_audit::csv::iso8601 as format_time;

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days-from-civil algorithms (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_format() {
        let cases: &[(&str, Option<i64>)] = &[
            ("1970-01-01T00:00:00Z", Some(0)),
            ("1970-01-01", Some(0)),
            ("2026-12-04T20:15:00Z", Some(1_796_415_300_000)),
            ("2026-12-04T20:15:00.5Z", Some(1_796_415_300_500)),
            ("2026-12-04T20:15:00.123456Z", Some(1_796_415_300_123)),
            ("2026-12-04T21:15:00+01:00", Some(1_796_415_300_000)),
            ("2026-12-04T19:45:00-00:30", Some(1_796_415_300_000)),
            ("2024-02-29", Some(1_709_164_800_000)),
            ("1796415300000", Some(1_796_415_300_000)),
            ("2023-02-29", None),
            ("2026-13-01", None),
            ("2026-12-04T20:15:00", None),
            ("2026-12-04T25:15:00Z", None),
            ("2026-12-04T20:15:00.Z", None),
            ("yesterday", None),
            ("", None),
            ("-5", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_time(s), *want, "{s}");
        }
        assert_eq!(format_time(1_796_415_300_123), "2026-12-04T20:15:00.123Z");
        assert_eq!(format_time(0), "1970-01-01T00:00:00.000Z");
        for ms in [0, 1, 951_782_400_000, 1_709_164_800_000, 4_102_444_799_999] {
            assert_eq!(parse_time(&format_time(ms)), Some(ms));
        }
    }

    #[test]
    fn manual_clock_steps() {
        let c = ManualClock::new(100);
        assert_eq!(c.now_ms(), 100);
        c.set_step(10);
        assert_eq!(c.now_ms(), 110);
        assert_eq!(c.now_ms(), 120);
        c.set(0);
        c.set_step(0);
        c.advance(5);
        assert_eq!(c.now_ms(), 5);
    }
}
