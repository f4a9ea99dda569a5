//! Context words in a text: every occurrence of a rule's context or anti-context word that
//! stands as a whole word (ASCII case-insensitive). A word that begins with a letter or digit
//! can only occur where a word begins, so instead of running an automaton over every byte,
//! this walks a trie from each word start (and, for words that begin with punctuation, from
//! each occurrence of that first byte). Dense chat has a word start every six bytes or so and
//! most walks end after one or two steps.

use crate::text::byte_range_mask;

/// One hit: byte span and word index.
pub(crate) type Hit = (usize, usize, u32);

const NO_WORD: u32 = u32::MAX;

pub(crate) struct ContextMatcher {
    /// Byte → trie alphabet class; 0 for bytes no word contains. ASCII capitals share their
    /// lower-case letter's class.
    classes: [u8; 256],
    nclasses: usize,
    /// `trans[node * nclasses + class]`: the child node, 0 for none (the root is nobody's child).
    trans: Vec<u32>,
    /// Per node: the word that ends there.
    word_at: Vec<u32>,
    /// Per byte: [`WORD`] (ASCII letter or digit) and [`START`] (some word begins with this
    /// byte and, not being a letter or digit, may begin anywhere).
    flags: [u8; 256],
    /// Some word begins with punctuation: every byte is looked at.
    any_start: bool,
    /// `first_two[c0 * nclasses + c1]`: a word begins with bytes of classes c0 c1, or is the
    /// one byte of class c0 (c1 is then any class).
    first_two: Vec<bool>,
}

/// The high bit of every byte of `v` that is an ASCII letter or digit.
#[inline(always)]
fn word_mask(v: u64) -> u64 {
    byte_range_mask(v, b'0', b'9') | byte_range_mask(v, b'A', b'Z') | byte_range_mask(v, b'a', b'z')
}

const WORD: u8 = 1;
const START: u8 = 2;

#[inline(always)]
fn is_word_byte(x: u8) -> bool {
    x.is_ascii_alphanumeric()
}

impl ContextMatcher {
    /// `words` are matched ASCII case-insensitively; empty words are ignored.
    pub(crate) fn new(words: &[String]) -> ContextMatcher {
        let mut classes = [0u8; 256];
        let mut nclasses = 1usize;
        for w in words {
            for &x in w.as_bytes() {
                let x = x.to_ascii_lowercase();
                if classes[x as usize] == 0 {
                    // Case-folded bytes take at most 230 values: the classes fit a u8.
                    classes[x as usize] = u8::try_from(nclasses).unwrap_or(u8::MAX);
                    nclasses += 1;
                }
            }
        }
        for x in b'A'..=b'Z' {
            classes[x as usize] = classes[x.to_ascii_lowercase() as usize];
        }
        let mut trans = vec![0u32; nclasses];
        let mut word_at = vec![NO_WORD];
        let mut flags = [0u8; 256];
        for x in 0..=255u8 {
            if is_word_byte(x) {
                flags[x as usize] = WORD;
            }
        }
        for (wi, w) in words.iter().enumerate() {
            let bytes = w.as_bytes();
            let Some(&first) = bytes.first() else {
                continue;
            };
            if !is_word_byte(first) {
                flags[first as usize] |= START;
                flags[first.to_ascii_uppercase() as usize] |= START;
            }
            let mut node = 0usize;
            for &x in bytes {
                let slot = node * nclasses + classes[x as usize] as usize;
                node = match trans[slot] {
                    0 => {
                        let new = word_at.len();
                        word_at.push(NO_WORD);
                        trans.extend(std::iter::repeat_n(0, nclasses));
                        trans[slot] = new as u32;
                        new
                    }
                    n => n as usize,
                };
            }
            if word_at[node] == NO_WORD {
                word_at[node] = wi as u32;
            }
        }
        let mut first_two = vec![false; nclasses * nclasses];
        for c0 in 1..nclasses {
            let n0 = trans[c0] as usize;
            if n0 == 0 {
                continue;
            }
            for c1 in 0..nclasses {
                first_two[c0 * nclasses + c1] =
                    word_at[n0] != NO_WORD || trans[n0 * nclasses + c1] != 0;
            }
        }
        ContextMatcher {
            first_two,
            classes,
            nclasses,
            trans,
            word_at,
            any_start: flags.iter().any(|f| f & START != 0),
            flags,
        }
    }

    /// Appends every whole-word hit in `text` to `out`, ordered by end, then by start (the
    /// order an overlapping Aho-Corasick search reports them in).
    pub(crate) fn find(&self, text: &str, out: &mut Vec<Hit>) {
        let b = text.as_bytes();
        let from = out.len();
        let mut at = 0;
        // Whether the byte before `at` is a letter or digit.
        let mut prev_word = false;
        if !self.any_start {
            // Word starts found eight bytes at a time (SWAR): the high bit of each byte that
            // is a letter or digit and follows one that is not.
            let mut chunks = b.chunks_exact(8);
            let mut carry = 0u64;
            for c in &mut chunks {
                let v = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
                let w = word_mask(v);
                let mut starts = w & !((w << 8) | carry);
                carry = w >> 56;
                while starts != 0 {
                    let i = at + (starts.trailing_zeros() / 8) as usize;
                    starts &= starts - 1;
                    // Most words begin with two letters that begin no context word.
                    let c0 = self.classes[b[i] as usize] as usize;
                    let c1 = b
                        .get(i + 1)
                        .map_or(0, |&x| self.classes[x as usize] as usize);
                    if self.first_two[c0 * self.nclasses + c1] {
                        self.walk(b, i, from, out);
                    }
                }
                at += 8;
            }
            prev_word = carry != 0;
        }
        // The tail, or every byte when a word may begin with punctuation.
        let mut prev = if prev_word { WORD } else { 0 };
        for (i, &x) in b.iter().enumerate().skip(at) {
            let f = self.flags[x as usize];
            if (f & !prev & WORD) | (f & START) != 0 {
                self.walk(b, i, from, out);
            }
            prev = f & WORD;
        }
    }

    /// The words that begin at `start`, each put in its place in `out[from..]` (by end, then
    /// start): walks begin in text order, so a hit goes before those already found only when
    /// a longer phrase holds a word that ends inside it ("security" in "social security
    /// number"), and is moved back that far.
    #[inline]
    fn walk(&self, b: &[u8], start: usize, from: usize, out: &mut Vec<Hit>) {
        let mut node = 0usize;
        let mut i = start;
        while i < b.len() {
            let x = b[i];
            let class = self.classes[x as usize] as usize;
            node = self.trans[node * self.nclasses + class] as usize;
            if node == 0 {
                return;
            }
            i += 1;
            let w = self.word_at[node];
            // A word that ends in a letter or digit must end where the text's word ends.
            if w != NO_WORD
                && (self.flags[x as usize] & WORD == 0
                    || b.get(i).is_none_or(|&n| self.flags[n as usize] & WORD == 0))
            {
                let mut k = out.len();
                out.push((start, i, w));
                while k > from && out[k - 1].1 > i {
                    out.swap(k - 1, k);
                    k -= 1;
                }
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use aho_corasick::{AhoCorasickBuilder, MatchKind};

    /// The definition this matcher implements: an overlapping case-insensitive Aho-Corasick
    /// search, keeping hits whose letter/digit ends do not continue a word.
    pub(crate) fn reference(words: &[String], text: &str) -> Vec<Hit> {
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(words)
            .unwrap();
        let b = text.as_bytes();
        let word = |x: u8| x.is_ascii_alphanumeric();
        ac.find_overlapping_iter(text)
            .filter(|m| {
                let (s, e) = (m.start(), m.end());
                (!word(b[s]) || s == 0 || !word(b[s - 1]))
                    && (!word(b[e - 1]) || e == b.len() || !word(b[e]))
            })
            .map(|m| (m.start(), m.end(), m.pattern().as_u32()))
            .collect()
    }

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn word_mask_marks_ascii_letters_and_digits_only() {
        for x in 0..=255u8 {
            let v = u64::from_le_bytes([b' ', x, b'a', 0x80, x, b'Z', b'0', x]);
            let m = word_mask(v);
            let want = |y: u8| y.is_ascii_alphanumeric();
            for (k, y) in v.to_le_bytes().into_iter().enumerate() {
                assert_eq!(m >> (8 * k + 7) & 1 == 1, want(y), "byte {y:#x} at {k}");
            }
        }
    }

    #[test]
    fn agrees_with_overlapping_aho_corasick() {
        let ws = words(&[
            "number",
            "account number",
            "account",
            "acct #",
            "#ref",
            "d.o.b.",
            "d.o.b",
            "dob",
            "ss#",
            "ssn",
            "date of birth",
            "birth",
            "a/c",
            "-pin",
            "zip code",
            "zip",
            "social security number",
            "security",
            "social",
        ]);
        let texts = [
            "My Account Number is 123, acct #9, ACCOUNT-number",
            "D.O.B. 1/2/1990 and d.o.b: dob, dobs, adob, ss#123 ssn#",
            "date of birth: born; birthday birth-date #ref #refs x#ref a/c-pin",
            "zip codes zip code zip-code numbers unnumbered number1 1number",
            "émigré number née accountnumber account  number",
            "my social security number is, Social Security, security number social",
            "",
            "n",
            "number",
        ];
        // With words that begin with punctuation every byte is looked at; without, word
        // starts are found eight bytes at a time.
        let alnum: Vec<String> = ws
            .iter()
            .filter(|w| w.as_bytes()[0].is_ascii_alphanumeric())
            .cloned()
            .collect();
        for list in [&ws, &alnum] {
            let m = ContextMatcher::new(list);
            assert_eq!(m.any_start, list.len() != alnum.len());
            for t in texts {
                let mut got = Vec::new();
                m.find(t, &mut got);
                assert_eq!(got, reference(list, t), "{t:?}");
            }
        }
    }
}
