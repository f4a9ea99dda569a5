//! Partial birth dates after a birth cue: "born in May 1987", "DOB: 05/1987", "my birthday is
//! March 3rd", "born 3 Mar 87". HIPAA's Safe Harbor counts every element of a birth date but
//! the year as identifying, so a month and year, or a day and month, is a birth date too. They
//! are looked for only right after a birth context word (the context matcher's hits), never
//! by the one-pass regex: "March 2024" and "05/2021" are everywhere, and their patterns would
//! grow its lazy DFA for a form that only matters next to "born" or "DOB".
//!
//! Full dates are not read here (the `date-of-birth` rule has them): a partial reading that
//! runs on into a year or a day is rejected, so one value never gets two findings. The one
//! exception is a full date with the month named in another language ("3. März 1985", "12 de
//! marzo de 1985", "1er février 1990"), which the full-date rule's English pattern lacks.

use crate::text::MONTHS;

/// The partial date after a birth cue ending at `cue_end`: its byte span.
#[cfg(test)]
fn after(text: &str, cue_end: usize) -> Option<(usize, usize)> {
    crate::validate::Validator::PartialDate.find_after(text, cue_end)
}

/// A partial date may start at `b[i]`: a digit or a month name.
pub(crate) fn starts(b: &[u8], i: usize) -> bool {
    b[i].is_ascii_digit() || month_at(b, i).is_some()
}

/// A partial date starting at `b[i]`: its end. Day and month ("March 3rd", "3 March",
/// "03/15"), month and year ("May 1987", "May-2021", "05/1987", "1987-05"), or a full date
/// with a two-digit year after a month name ("3 Mar 87"), which the full-date rule lacks.
pub(crate) fn at(b: &[u8], i: usize) -> Option<usize> {
    if let Some(e) = foreign_full_at(b, i) {
        return Some(e);
    }
    if let Some((m, e)) = month_at(b, i) {
        // Month, then a year or a day.
        let (n, digits, e2) = number_after(b, e, b" -/,")?;
        return match digits {
            4 if (1900..=2100).contains(&n) => ended(b, e2),
            1 | 2 if n >= 1 && n <= days_in(m) => {
                let e3 = ordinal(b, e2);
                // "March 3, 1987" is a full date: not read here.
                if number_after(b, e3, b" ,").is_some_and(|(_, d, _)| d == 4 || d == 2) {
                    return None;
                }
                ended(b, e3)
            }
            _ => None,
        };
    }
    let (n, digits, e) = number_at(b, i)?;
    match digits {
        1 | 2 => {
            // "3rd of March", "3 Mar 87" / day-month numeric "03/15".
            let e1 = ordinal(b, e);
            let mut j = e1;
            while b.get(j).is_some_and(|&c| c == b' ' || c == b'-') {
                j += 1;
            }
            if b.get(j..j + 3)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"of "))
            {
                j += 3;
            }
            if j > e1
                && let Some((m, me)) = month_at(b, j)
                && n >= 1
                && n <= days_in(m)
            {
                return match number_after(b, me, b" -,'") {
                    // "3 Mar 87", "15 March '87": a full date with a two-digit year.
                    Some((_, 2, ye)) => ended(b, ye),
                    // "3 March 1987": the full-date rule's.
                    Some((_, 4, _)) => None,
                    _ => ended(b, me),
                };
            }
            // Numeric month/year or month/day: "05/1987", "5-1987", "03/15".
            let sep = *b.get(e)?;
            if !matches!(sep, b'/' | b'-' | b'.') {
                return None;
            }
            let (m2, d2, e2) = number_at(b, e + 1)?;
            // A third part makes it a full date.
            if b.get(e2).is_some_and(|&c| matches!(c, b'/' | b'-' | b'.'))
                && b.get(e2 + 1).is_some_and(u8::is_ascii_digit)
            {
                return None;
            }
            // Month and year, or month and day either way round ("03/15", "15/03").
            let ok = match d2 {
                4 => (1..=12).contains(&n) && (1900..=2100).contains(&m2),
                1 | 2 => {
                    sep == b'/'
                        && n >= 1
                        && m2 >= 1
                        && ((n <= 12 && m2 <= 31) || (n <= 31 && m2 <= 12))
                }
                _ => false,
            };
            if ok { ended(b, e2) } else { None }
        }
        // "1987-05": ISO year and month.
        4 if (1900..=2100).contains(&n) => {
            if !matches!(b.get(e), Some(b'-' | b'/')) {
                return None;
            }
            let (m, d2, e2) = number_at(b, e + 1)?;
            if d2 != 2 || !(1..=12).contains(&m) {
                return None;
            }
            if b.get(e2).is_some_and(|&c| matches!(c, b'/' | b'-'))
                && b.get(e2 + 1).is_some_and(u8::is_ascii_digit)
            {
                return None;
            }
            ended(b, e2)
        }
        _ => None,
    }
}

/// Most days month `m` can have (29 for February: the year may be unknown).
fn days_in(m: u32) -> u32 {
    match m {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Month names in German, French, Spanish, Italian, Dutch and Portuguese, lower case, with
/// their month numbers.
const FOREIGN_MONTHS: &[(&str, u32)] = &[
    ("januar", 1),
    ("jänner", 1),
    ("janvier", 1),
    ("enero", 1),
    ("gennaio", 1),
    ("januari", 1),
    ("janeiro", 1),
    ("februar", 2),
    ("février", 2),
    ("fevrier", 2),
    ("febrero", 2),
    ("febbraio", 2),
    ("februari", 2),
    ("fevereiro", 2),
    ("märz", 3),
    ("maerz", 3),
    ("mars", 3),
    ("marzo", 3),
    ("maart", 3),
    ("março", 3),
    ("marco", 3),
    ("avril", 4),
    ("abril", 4),
    ("aprile", 4),
    ("mai", 5),
    ("mayo", 5),
    ("maggio", 5),
    ("mei", 5),
    ("maio", 5),
    ("juni", 6),
    ("juin", 6),
    ("junio", 6),
    ("giugno", 6),
    ("junho", 6),
    ("juli", 7),
    ("juillet", 7),
    ("julio", 7),
    ("luglio", 7),
    ("julho", 7),
    ("august", 8),
    ("août", 8),
    ("aout", 8),
    ("agosto", 8),
    ("augustus", 8),
    ("september", 9),
    ("septembre", 9),
    ("septiembre", 9),
    ("setiembre", 9),
    ("settembre", 9),
    ("setembro", 9),
    ("oktober", 10),
    ("octobre", 10),
    ("octubre", 10),
    ("ottobre", 10),
    ("outubro", 10),
    ("november", 11),
    ("novembre", 11),
    ("noviembre", 11),
    ("novembro", 11),
    ("dezember", 12),
    ("décembre", 12),
    ("decembre", 12),
    ("diciembre", 12),
    ("dicembre", 12),
    ("december", 12),
    ("dezembro", 12),
];

/// A full date with the month named in another language at `b[i]`: day ("3", "3.", "1er",
/// "1º"), an optional "de", the month, an optional "de" or ',', a four-digit year ("3. März
/// 1985", "12 de marzo de 1985", "1er février 1990", "12 maart 1985"). Its end.
fn foreign_full_at(b: &[u8], i: usize) -> Option<usize> {
    let (day, digits, mut j) = number_at(b, i)?;
    if digits > 2 || !(1..=31).contains(&day) {
        return None;
    }
    for suffix in [&b"."[..], b"er", "º".as_bytes(), "°".as_bytes()] {
        if b.get(j..j + suffix.len()) == Some(suffix) {
            j += suffix.len();
            break;
        }
    }
    let skip_de = |j: usize| {
        if b.get(j..j + 3)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"de "))
        {
            j + 3
        } else {
            j
        }
    };
    if b.get(j) != Some(&b' ') {
        return None;
    }
    j = skip_de(j + 1);
    let len = b[j.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic() || **c >= 0x80)
        .count();
    let word = std::str::from_utf8(b.get(j..j + len)?).ok()?.to_lowercase();
    let (_, month) = FOREIGN_MONTHS.iter().find(|(m, _)| *m == word)?;
    if day > days_in(*month) {
        return None;
    }
    j += len;
    if b.get(j) == Some(&b',') {
        j += 1;
    }
    if b.get(j) != Some(&b' ') {
        return None;
    }
    j = skip_de(j + 1);
    let (year, yd, e) = number_at(b, j)?;
    (yd == 4 && (1900..=2100).contains(&year))
        .then(|| ended(b, e))
        .flatten()
}

/// The value ends here: no letter or digit follows (a full stop or comma may).
fn ended(b: &[u8], e: usize) -> Option<usize> {
    b.get(e)
        .is_none_or(|c| !c.is_ascii_alphanumeric())
        .then_some(e)
}

/// A month name at `b[i]` (full, or three letters, "Sept", with an optional '.'), as a whole
/// word: month number and end.
fn month_at(b: &[u8], i: usize) -> Option<(u32, usize)> {
    let len = b[i.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    if !(3..=9).contains(&len) {
        return None;
    }
    let w = &b[i..i + len];
    let m = MONTHS.iter().position(|m| {
        let m = m.as_bytes();
        w.eq_ignore_ascii_case(m)
            || w.eq_ignore_ascii_case(&m[..3])
            || (m.starts_with(b"Sep") && w.eq_ignore_ascii_case(b"sept"))
    })?;
    let e = i + len + usize::from(len <= 4 && b.get(i + len) == Some(&b'.'));
    Some((m as u32 + 1, e))
}

/// Digits at `b[i]` (at most four, not followed by a fifth): value, count, end.
fn number_at(b: &[u8], i: usize) -> Option<(u32, usize, usize)> {
    let n = b[i.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if n == 0 || n > 4 {
        return None;
    }
    let v = b[i..i + n]
        .iter()
        .fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'));
    Some((v, n, i + n))
}

/// One or two separator bytes from `seps`, then [`number_at`].
fn number_after(b: &[u8], i: usize, seps: &[u8]) -> Option<(u32, usize, usize)> {
    let mut j = i;
    while j < b.len() && j < i + 2 && seps.contains(&b[j]) {
        j += 1;
    }
    if j == i {
        return None;
    }
    number_at(b, j)
}

/// Past an ordinal suffix ("3rd", "21st").
fn ordinal(b: &[u8], e: usize) -> usize {
    match b.get(e..e + 2) {
        Some(s)
            if [b"st", b"nd", b"rd", b"th"]
                .iter()
                .any(|o| s.eq_ignore_ascii_case(*o))
                && b.get(e + 2).is_none_or(|c| !c.is_ascii_alphanumeric()) =>
        {
            e + 2
        }
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_after_a_cue() {
        // (text, cue end, the span found)
        let cases: &[(&str, Option<&str>)] = &[
            ("born in May 1987", Some("May 1987")),
            ("born: Sept. 1987", Some("Sept. 1987")),
            ("born 05/1987", Some("05/1987")),
            ("born 5-1987", Some("5-1987")),
            ("born 1987-05", Some("1987-05")),
            ("born May-2021", Some("May-2021")),
            ("born March 3rd, thanks", Some("March 3rd")),
            ("born on the 3rd of March", Some("3rd of March")),
            ("born 3 Mar 87", Some("3 Mar 87")),
            ("born 03/15", Some("03/15")),
            ("born 15/03", Some("15/03")),
            // Full dates with the month named in another language.
            ("born 3. März 1985", Some("3. März 1985")),
            ("born 12 de marzo de 1985.", Some("12 de marzo de 1985")),
            ("born 1er février 1990", Some("1er février 1990")),
            ("born 12 maart 1985", Some("12 maart 1985")),
            ("born 1º de março de 1985", Some("1º de março de 1985")),
            ("born 31 febbraio 1985", None),
            ("born 12 marzo 85", None),
            ("born 12 marzo 1985x", None),
            ("born 12 de de marzo 1985", None),
            // Full dates are the full-date rule's; a year alone is no birth date.
            ("born March 3, 1987", None),
            ("born 3 March 1987", None),
            ("born 03/15/1987", None),
            ("born 1987-05-03", None),
            ("born 1987", None),
            ("born in May", None),
            // Impossible or not a date.
            ("born 13/1987", None),
            ("born 32/03", None),
            ("born February 30th", None),
            ("born 03.15", None),
            ("born in 3 days", None),
            ("born 05/1987x", None),
            ("born 12345", None),
            // Too far, or past a sentence or line end.
            ("born. In May 1987", None),
            ("born\nMay 1987", None),
            ("born somewhere long ago in a land, May 1987", None),
        ];
        for &(t, want) in cases {
            let got = after(t, 4).map(|(s, e)| &t[s..e]);
            assert_eq!(got, want, "{t:?}");
        }
        // The dot of an abbreviation ends no sentence; "born." does.
        assert_eq!(after("d.o.b. 05/1987", 6), Some((7, 14)));
        assert_eq!(after("d.o.b. 05/1987", 5), Some((7, 14)));
        assert_eq!(after("DOB. May 1987", 3), Some((5, 13)));
    }
}
