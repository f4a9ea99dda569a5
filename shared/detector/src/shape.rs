//! Shared shapes: the digit-run shape that SSN, ITIN, ABA, card, phone, NPI, passport and
//! account rules all read (matched once, classified afterwards), and the letter+digit id
//! shape. This module turns a matched span into a normalised view; it never scores.

use crate::text::{digit_value, is_invisible};

/// Most digits a digit-run view keeps; longer runs are only classified through sub-windows.
pub(crate) const MAX_DIGITS: usize = 24;
pub(crate) const MAX_GROUPS: usize = 12;

/// Regex of the digit-run shape: optional `+` / `(`, seven or more digits (ASCII or
/// full-width) joined by at most two separators (space, dash, dot, NBSP, thin/figure spaces, zero-width characters,
/// Unicode dashes) or by the parentheses of an area code.
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

/// Regex of the letter+digit id shape (passport A12345678, DEA AB1234563, MRN MR0012345 …).
pub(crate) const ALNUM_ID_PATTERN: &str = r"(?-u:\b)[A-Z]{1,3}-?[0-9]{4,14}(?-u:\b)";

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
        };
        let mut in_group = false;
        let mut saw_dot = false;
        let mut saw_other_sep = false;
        for c in s.chars() {
            if let Some(d) = digit_value(c) {
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
    }

    #[test]
    fn groups_by_bytes() {
        let s = "a 12 345-6";
        let mut out = Vec::new();
        digit_groups(s, 0, s.len(), &mut out);
        assert_eq!(out, vec![(2, 4), (5, 8), (9, 10)]);
    }
}
