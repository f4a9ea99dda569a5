//! Fixed word sets looked up without being built: `build.rs` lays each word list out as an
//! open-addressing hash table (linear probing, at most half full) compiled into the binary,
//! with this file's hash, so a cold start hashes none of the words. Shared by `build.rs`
//! (through `#[path]`) and the crate.

/// FNV-1a over the bytes.
pub(crate) fn hash(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h = (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Table slots for `n` words: a power of two at least twice `n`.
pub(crate) fn slots(n: usize) -> usize {
    (2 * n).next_power_of_two().max(2)
}

/// A word list and its table: `table[i]` is 0 for an empty slot, else one more than the
/// index of a word whose hash probes from `i` or before.
#[derive(Clone, Copy)]
pub(crate) struct WordTable {
    pub(crate) words: &'static [&'static str],
    pub(crate) table: &'static [u16],
}

impl WordTable {
    #[allow(dead_code)] // build.rs includes this file and only fills tables
    pub(crate) fn contains(&self, w: &str) -> bool {
        if self.table.is_empty() {
            return false;
        }
        let mask = self.table.len() - 1;
        let mut i = hash(w.as_bytes()) as usize & mask;
        loop {
            match self.table.get(i) {
                Some(&0) | None => return false,
                Some(&e) => {
                    if self.words.get(usize::from(e) - 1) == Some(&w) {
                        return true;
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }
}

/// Lays `words` out (for `build.rs`): the table of [`WordTable`].
#[allow(dead_code)] // the crate only looks words up
pub(crate) fn layout(words: &[&str]) -> Vec<u16> {
    let n = slots(words.len());
    let mut table = vec![0u16; n];
    for (k, w) in words.iter().enumerate() {
        let mut i = hash(w.as_bytes()) as usize & (n - 1);
        while table[i] != 0 {
            i = (i + 1) & (n - 1);
        }
        table[i] = u16::try_from(k + 1).unwrap_or(u16::MAX);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_word_and_nothing_else() {
        let words: Vec<String> = (0..1000).map(|i| format!("W{i}")).collect();
        let words: &'static [&'static str] =
            Vec::leak(words.iter().map(|w| &*String::leak(w.clone())).collect());
        let t = WordTable {
            words,
            table: Vec::leak(layout(words)),
        };
        assert!(words.iter().all(|w| t.contains(w)));
        assert!(!t.contains("W1000") && !t.contains("") && !t.contains("w1"));
        let empty = WordTable {
            words: &[],
            table: &[],
        };
        assert!(!empty.contains("W1"));
    }

    #[test]
    fn the_compiled_gazetteers_hold_their_files() {
        for (t, src) in [
            (
                crate::person::FIRST_NAMES,
                include_str!("../data/first_names.txt"),
            ),
            (
                crate::person::LAST_NAMES,
                include_str!("../data/last_names.txt"),
            ),
        ] {
            let lines: Vec<&str> = src.lines().filter(|l| !l.trim().is_empty()).collect();
            assert!(lines.len() > 1000);
            assert!(lines.iter().all(|l| t.contains(l.trim())));
            assert!(!t.contains("Zzyzxq") && !t.contains("the"));
        }
    }
}
