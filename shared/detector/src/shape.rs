//! Shared shapes: the digit-run shape that SSN, ITIN, ABA, card, phone, NPI, passport and
//! account rules all read (matched once, classified afterwards), and the letter+digit id
//! shape. This module turns a matched span into a normalised view; it never scores.

use crate::text::{byte_range_mask, digit_value, is_invisible};

/// Most digits a digit-run view keeps; longer runs are only classified through sub-windows.
pub(crate) const MAX_DIGITS: usize = 24;
pub(crate) const MAX_GROUPS: usize = 12;

/// The digit-run shape as a regex: the definition [`find_number`] implements and is tested
/// against. Optional `+` / `(`, seven or more digits (ASCII or
/// full-width) joined by at most two separators (space, dash, dot, NBSP, thin/figure spaces, zero-width characters,
/// Unicode dashes) or by the parentheses of an area code.
#[cfg(test)]
pub(crate) const NUMBER_PATTERN: &str = concat!(
    r"(?:\+[ ]?(?:\([ ]?)?|\()?",
    // ASCII digits must start a word; full-width digits are never inside an ASCII word.
    r"(?:(?-u:\b)[0-9]|[\x{FF10}-\x{FF19}])",
    r"(?:[0-9\x{FF10}-\x{FF19}]",
    r"|[ \-.\x{00A0}\x{2007}\x{2009}\x{202F}\x{200B}\x{200C}\x{200D}\x{2060}\x{FEFF}\x{00AD}\x{2010}-\x{2015}\x{2212}\x{FF0D}\x{3000}]{1,2}[0-9\x{FF10}-\x{FF19}]",
    r"|\)[ \x{00A0}]?[0-9\x{FF10}-\x{FF19}]",
    r"|[ \x{00A0}]?\([0-9\x{FF10}-\x{FF19}]",
    // At least seven digits: shorter runs (times, prices, counts, ZIP codes) are no value of
    // any digit rule, and not matching them keeps dense chat cheap.
    r"){6,}"
);

/// The leftmost match of [`NUMBER_PATTERN`] (leftmost-first semantics, as the regex engine
/// reports it) that starts at or after `from` and ends by `to`; the byte before `from` is
/// still seen by the word-boundary test. A hand-written scanner instead of a regex: digit runs
/// are most of the matches in dense chat, and in the lazy DFA of the multi-pattern regex their
/// Unicode separators cost half of the states and a reverse search per match. Each step of
/// the pattern has at most one way to match at a given byte (the alternatives begin with
/// different bytes, and a separator is never a digit), so the greedy scan below is the regex's
/// match; a property test holds the two together.
pub(crate) fn find_number(text: &str, from: usize, to: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let to = to.min(b.len());
    let mut s = from;
    while s < to {
        s = next_start_byte(b, s, to)?;
        if let Some(e) = number_at(b, s, to) {
            return Some((s, e));
        }
        if b[s].is_ascii_digit() {
            // No ASCII digit right after a word character starts a match: skip the word.
            s += 1;
            while s < to && (b[s].is_ascii_alphanumeric() || b[s] == b'_') {
                s += 1;
            }
        } else {
            s += 1;
        }
    }
    None
}

/// The first byte at or after `s` (before `to`) that may start a digit run: '+', '(', an
/// ASCII digit, or 0xEF (the lead byte of full-width digits). Eight bytes a round (SWAR).
#[inline]
fn next_start_byte(b: &[u8], mut s: usize, to: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let range = byte_range_mask;
    while s + 8 <= to {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[s..s + 8]);
        let v = u64::from_le_bytes(w);
        let m = range(v, b'0', b'9')
            | range(v, b'+', b'+')
            | range(v, b'(', b'(')
            | range(v ^ (ONES * 0xEF), 0, 0);
        if m != 0 {
            return Some(s + (m.trailing_zeros() / 8) as usize);
        }
        s += 8;
    }
    b[s..to]
        .iter()
        .position(|&x| x.is_ascii_digit() || matches!(x, b'+' | b'(' | 0xEF))
        .map(|k| s + k)
}

/// End of the match of [`NUMBER_PATTERN`] that starts at `s`, if any.
fn number_at(b: &[u8], s: usize, to: usize) -> Option<usize> {
    let at = |i: usize| if i < to { Some(b[i]) } else { None };
    // Prefix: `\+[ ]?(?:\([ ]?)?` or `\(`, taken greedily (a shorter choice would leave a
    // non-digit where the first digit must be).
    let mut i = s;
    match b[s] {
        b'+' => {
            i += 1;
            if at(i) == Some(b' ') {
                i += 1;
            }
            if at(i) == Some(b'(') {
                i += 1;
                if at(i) == Some(b' ') {
                    i += 1;
                }
            }
        }
        b'(' => i += 1,
        _ => {}
    }
    // First digit: ASCII at a word boundary (ASCII word characters include '_'), or full-width.
    i = match at(i) {
        Some(x) if x.is_ascii_digit() => {
            if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') {
                return None;
            }
            i + 1
        }
        _ => i + fullwidth_digit(b, i, to)?,
    };
    let mut units = 0;
    while let Some(next) = unit_at(b, i, to) {
        i = next;
        units += 1;
    }
    (units >= 6).then_some(i)
}

/// Byte length of the digit (ASCII or full-width) at `i`.
#[inline]
fn digit_at(b: &[u8], i: usize, to: usize) -> Option<usize> {
    if i < to && b[i].is_ascii_digit() {
        Some(1)
    } else {
        fullwidth_digit(b, i, to)
    }
}

#[inline]
fn fullwidth_digit(b: &[u8], i: usize, to: usize) -> Option<usize> {
    (i + 3 <= to && b[i] == 0xEF && b[i + 1] == 0xBC && (0x90..=0x99).contains(&b[i + 2]))
        .then_some(3)
}

/// Byte length of the separator at `i`: space, '-', '.', NBSP, soft hyphen, figure/thin/narrow
/// spaces, zero-width characters, Unicode dashes and minus, full-width hyphen, ideographic space.
#[inline]
fn separator_at(b: &[u8], i: usize, to: usize) -> Option<usize> {
    let x = *b.get(i).filter(|_| i < to)?;
    match x {
        b' ' | b'-' | b'.' => Some(1),
        0xC2 if i + 2 <= to && matches!(b[i + 1], 0xA0 | 0xAD) => Some(2),
        0xE2 | 0xE3 | 0xEF if i + 3 <= to => {
            let (y, z) = (b[i + 1], b[i + 2]);
            let hit = match x {
                0xE2 => match y {
                    0x80 => matches!(z, 0x87 | 0x89 | 0xAF | 0x8B..=0x8D | 0x90..=0x95),
                    0x81 => z == 0xA0,
                    0x88 => z == 0x92,
                    _ => false,
                },
                0xE3 => y == 0x80 && z == 0x80,
                _ => (y == 0xBB && z == 0xBF) || (y == 0xBC && z == 0x8D),
            };
            hit.then_some(3)
        }
        _ => None,
    }
}

/// End of one repeated unit of [`NUMBER_PATTERN`] starting at `i`: a digit; one or two
/// separators and a digit; ')' with an optional space and a digit; an optional space, '(' and
/// a digit.
#[inline]
fn unit_at(b: &[u8], i: usize, to: usize) -> Option<usize> {
    if let Some(d) = digit_at(b, i, to) {
        return Some(i + d);
    }
    if i >= to {
        return None;
    }
    let space = |j: usize| -> Option<usize> {
        if j < to && b[j] == b' ' {
            Some(1)
        } else if j + 2 <= to && b[j] == 0xC2 && b[j + 1] == 0xA0 {
            Some(2)
        } else {
            None
        }
    };
    if b[i] == b')' {
        let j = i + 1;
        if let Some(sp) = space(j)
            && let Some(d) = digit_at(b, j + sp, to)
        {
            return Some(j + sp + d);
        }
        return digit_at(b, j, to).map(|d| j + d);
    }
    if b[i] == b'(' {
        return digit_at(b, i + 1, to).map(|d| i + 1 + d);
    }
    if let Some(sp) = space(i)
        && i + sp < to
        && b[i + sp] == b'('
        && let Some(d) = digit_at(b, i + sp + 1, to)
    {
        return Some(i + sp + 1 + d);
    }
    let s1 = separator_at(b, i, to)?;
    if let Some(s2) = separator_at(b, i + s1, to)
        && let Some(d) = digit_at(b, i + s1 + s2, to)
    {
        return Some(i + s1 + s2 + d);
    }
    digit_at(b, i + s1, to).map(|d| i + s1 + d)
}

/// Regex of the letter+digit id shape (passport A12345678, DEA AB1234563, MRN MR0012345,
/// member ids BCBSM1234567 and UHC-12345AB, policy numbers POL-2024-78901 …): each rule's
/// validator takes its own form.
pub(crate) const ALNUM_ID_PATTERN: &str = r"(?-u:\b)[A-Z]{1,5}-?(?:[0-9]{2,14}(?:-[0-9]{2,10}){1,3}|[0-9]{4,14})(?:[A-Z][A-Z0-9]?)?(?-u:\b)";

/// A digit run, normalised: digits folded to 0-9, group lengths, and formatting flags.
#[derive(Clone)]
pub(crate) struct NumView {
    digits: [u8; MAX_DIGITS],
    pub(crate) len: usize,
    groups: [u8; MAX_GROUPS],
    pub(crate) ngroups: usize,
    /// Written with a leading `+`.
    pub(crate) plus: bool,
    /// Written with parentheses (area code).
    pub(crate) paren: bool,
    /// Groups are separated by dots only.
    pub(crate) dots: bool,
    /// More digits or groups than the view holds.
    pub(crate) overflow: bool,
    /// The visible separators between digit groups are not all the same ("123-45 6789").
    pub(crate) mixed_separators: bool,
}

impl NumView {
    /// Views `s` (one shape match or a window of it).
    pub(crate) fn new(s: &str) -> NumView {
        let mut v = NumView {
            digits: [0; MAX_DIGITS],
            len: 0,
            groups: [0; MAX_GROUPS],
            ngroups: 0,
            plus: false,
            paren: false,
            dots: false,
            overflow: false,
            mixed_separators: false,
        };
        let mut in_group = false;
        let mut saw_dot = false;
        let mut saw_other_sep = false;
        // The separator run after the first group, and the one being read.
        let mut first_sep: Option<[char; 2]> = None;
        let mut cur_sep = ['\0'; 2];
        let mut cur_len = 0usize;
        for c in s.chars() {
            if let Some(d) = digit_value(c) {
                if cur_len > 0 && v.ngroups > 0 {
                    match first_sep {
                        None => first_sep = Some(cur_sep),
                        Some(f) if f != cur_sep => v.mixed_separators = true,
                        Some(_) => {}
                    }
                }
                cur_len = 0;
                cur_sep = ['\0'; 2];
                if v.len == MAX_DIGITS {
                    v.overflow = true;
                    return v;
                }
                v.digits[v.len] = d;
                v.len += 1;
                if !in_group {
                    if v.ngroups == MAX_GROUPS {
                        v.overflow = true;
                        return v;
                    }
                    v.ngroups += 1;
                    in_group = true;
                }
                v.groups[v.ngroups - 1] += 1;
            } else {
                match c {
                    '+' => v.plus = true,
                    '(' | ')' => v.paren = true,
                    '.' => saw_dot = true,
                    _ if is_invisible(c) => continue, // zero-width: not a group break
                    _ => saw_other_sep = true,
                }
                if let Some(slot) = cur_sep.get_mut(cur_len) {
                    *slot = c;
                }
                cur_len += 1;
                if c != '+' {
                    in_group = false;
                }
            }
        }
        v.dots = saw_dot && !saw_other_sep;
        v
    }

    pub(crate) fn digits(&self) -> &[u8] {
        &self.digits[..self.len]
    }

    pub(crate) fn groups(&self) -> &[u8] {
        &self.groups[..self.ngroups]
    }

    pub(crate) fn groups_are(&self, g: &[u8]) -> bool {
        self.groups() == g
    }

    /// One unbroken run of digits.
    pub(crate) fn contiguous(&self) -> bool {
        self.ngroups == 1
    }

    /// Every group has at least `n` digits.
    pub(crate) fn min_group(&self, n: u8) -> bool {
        self.groups().iter().all(|&g| g >= n)
    }
}

/// Byte ranges of the maximal digit groups inside `s[start..end]` (zero-width characters do
/// not break a group). Used to try sub-windows of a run that is not one value as a whole.
pub(crate) fn digit_groups(s: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut cur: Option<(usize, usize)> = None;
    for (i, c) in s[start..end].char_indices() {
        let at = start + i;
        if digit_value(c).is_some() {
            cur = Some(match cur {
                Some((a, _)) => (a, at + c.len_utf8()),
                None => (at, at + c.len_utf8()),
            });
        } else if is_invisible(c) {
            continue;
        } else if let Some(g) = cur.take() {
            out.push(g);
        }
    }
    if let Some(g) = cur {
        out.push(g);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::type_complexity)]
    fn views() {
        let cases: &[(&str, &[u8], &[u8], bool, bool)] = &[
            ("123-45-6789", b"123456789", &[3, 2, 4], false, false),
            ("(415) 555-2671", b"4155552671", &[3, 3, 4], false, true),
            (
                "+1 212 555 1234",
                b"12125551234",
                &[1, 3, 3, 4],
                true,
                false,
            ),
            (
                "１２３\u{00A0}45\u{200B}6789",
                b"123456789",
                &[3, 6],
                false,
                false,
            ),
        ];
        for (s, digits, groups, plus, paren) in cases {
            let v = NumView::new(s);
            let d: Vec<u8> = v.digits().iter().map(|d| b'0' + d).collect();
            assert_eq!(&d[..], *digits, "{s}");
            assert_eq!(v.groups(), *groups, "{s}");
            assert_eq!(v.plus, *plus, "{s}");
            assert_eq!(v.paren, *paren, "{s}");
        }
        assert!(NumView::new("212.555.1234").dots);
        assert!(!NumView::new("212.555.1234").mixed_separators);
        assert!(NumView::new("123-45 6789").mixed_separators);
        assert!(NumView::new("693-09.4444").mixed_separators);
        assert!(!NumView::new("123 - 45 - 6789").mixed_separators);
        assert!(NumView::new("123 - 45 6789").mixed_separators);
    }

    /// The scanner against the regex it implements, on texts drawn from the characters the
    /// pattern cares about (and some it does not), over random ranges.
    #[test]
    fn find_number_agrees_with_the_regex() {
        use proptest::prelude::*;
        let re = regex_automata::meta::Regex::new(NUMBER_PATTERN).unwrap();
        let alphabet: Vec<&str> = vec![
            "0", "1", "5", "9", "１", "９", "+", "(", ")", " ", " ", "-", ".", "\u{00A0}",
            "\u{00AD}", "\u{2007}", "\u{2009}", "\u{202F}", "\u{200B}", "\u{200D}", "\u{2060}",
            "\u{FEFF}", "\u{2010}", "\u{2015}", "\u{2212}", "\u{FF0D}", "\u{3000}", "a", "Z", "_",
            "/", ":", "\n", "é", "\u{2016}", "\u{FF1A}", "\u{FF0E}",
        ];
        let matched = std::cell::Cell::new(0usize);
        let check = |text: &str, from: usize, to: usize| {
            let mut want = Vec::new();
            let input = regex_automata::Input::new(text).range(from..to);
            for m in re.find_iter(input) {
                want.push((m.start(), m.end()));
            }
            let mut got = Vec::new();
            let mut at = from;
            while let Some((s, e)) = find_number(text, at, to) {
                got.push((s, e));
                at = e;
            }
            assert_eq!(got, want, "{text:?} {from}..{to}");
            matched.set(matched.get() + got.len());
        };
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 3000,
            ..ProptestConfig::default()
        });
        runner
            .run(
                &(
                    // Half the picks are digits, so that runs of seven and more are common.
                    proptest::collection::vec(0..2 * alphabet.len(), 0..40),
                    0usize..40,
                    0usize..40,
                ),
                |(picks, a, z)| {
                    let text: String = picks
                        .iter()
                        .map(|&i| {
                            alphabet
                                .get(i)
                                .copied()
                                .unwrap_or(if i % 7 == 0 { "７" } else { "3" })
                        })
                        .collect();
                    let bounds: Vec<usize> = (0..=text.len())
                        .filter(|&i| text.is_char_boundary(i))
                        .collect();
                    let x = bounds[a % bounds.len()];
                    let y = bounds[z % bounds.len()];
                    check(&text, x.min(y), x.max(y));
                    check(&text, 0, text.len());
                    Ok(())
                },
            )
            .unwrap();
        for t in [
            "call +1 (212) 555-1234 or ( 212)5551234",
            "+ ( 1 2 3 4 5 6 7",
            "ssn 123 45 6789, card 4111-1111-1111-1111.",
            "x_1234567 a1234567 1234567b (1234567",
            "１２３\u{00A0}45\u{200B}6789 ۱۲۳۴۵۶۷",
        ] {
            check(t, 0, t.len());
        }
        // The random texts must exercise matches, not only their absence.
        assert!(matched.get() > 500, "only {} matches", matched.get());
    }

    #[test]
    fn groups_by_bytes() {
        let s = "a 12 345-6";
        let mut out = Vec::new();
        digit_groups(s, 0, s.len(), &mut out);
        assert_eq!(out, vec![(2, 4), (5, 8), (9, 10)]);
    }
}
