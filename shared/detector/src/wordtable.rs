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

/// A word list and its table, as three blobs compiled in by `build.rs` (no pointer per word,
/// so the binary carries no relocation for each of the ~165,000 names and the loader does no
/// work for them): `text` holds the words one after another, `ends` each word's end offset in
/// `text` as a little-endian u32, `table` the slots as little-endian u32s: 0 for an empty
/// slot, else one more than the index of a word whose hash probes from that slot or before.
#[derive(Clone, Copy)]
pub(crate) struct WordTable {
    pub(crate) text: &'static str,
    pub(crate) ends: &'static [u8],
    pub(crate) table: &'static [u8],
}

fn u32_at(b: &[u8], i: usize) -> Option<usize> {
    let w = b.get(i * 4..i * 4 + 4)?;
    Some(u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize)
}

impl WordTable {
    /// The `k`th word.
    #[allow(dead_code)] // build.rs includes this file and only fills tables
    fn word(&self, k: usize) -> Option<&'static str> {
        let start = if k == 0 { 0 } else { u32_at(self.ends, k - 1)? };
        self.text.get(start..u32_at(self.ends, k)?)
    }

    #[allow(dead_code)] // build.rs includes this file and only fills tables
    pub(crate) fn contains(&self, w: &str) -> bool {
        let slots = self.table.len() / 4;
        if slots == 0 {
            return false;
        }
        let mask = slots - 1;
        let mut i = hash(w.as_bytes()) as usize & mask;
        loop {
            match u32_at(self.table, i) {
                Some(0) | None => return false,
                Some(e) => {
                    if self.word(e - 1) == Some(w) {
                        return true;
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }
}

/// Lays `words` out (for `build.rs`): the `text`, `ends` and `table` blobs of [`WordTable`].
#[allow(dead_code)] // the crate only looks words up
pub(crate) fn layout(words: &[&str]) -> (String, Vec<u8>, Vec<u8>) {
    let n = slots(words.len());
    let mut table = vec![0u32; n];
    let mut text = String::new();
    let mut ends = Vec::with_capacity(words.len() * 4);
    for (k, w) in words.iter().enumerate() {
        text.push_str(w);
        ends.extend_from_slice(&u32::try_from(text.len()).unwrap_or(u32::MAX).to_le_bytes());
        let mut i = hash(w.as_bytes()) as usize & (n - 1);
        while table[i] != 0 {
            i = (i + 1) & (n - 1);
        }
        table[i] = u32::try_from(k + 1).unwrap_or(u32::MAX);
    }
    (
        text,
        ends,
        table.iter().flat_map(|x| x.to_le_bytes()).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_word_and_nothing_else() {
        let words: Vec<String> = (0..1000).map(|i| format!("W{i}")).collect();
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        let (text, ends, table) = layout(&refs);
        let t = WordTable {
            text: String::leak(text),
            ends: Vec::leak(ends),
            table: Vec::leak(table),
        };
        assert!(words.iter().all(|w| t.contains(w)));
        assert!(!t.contains("W1000") && !t.contains("") && !t.contains("w1"));
        // "W1" + "0" is where "W10" starts: a word is compared with its own bytes only.
        assert!(!t.contains("W1W") && !t.contains("W0W1"));
        let empty = WordTable {
            text: "",
            ends: &[],
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
            (
                crate::person::LAST_NAMES_RARE,
                include_str!("../data/last_names_rare.txt"),
            ),
            (
                crate::person::ENGLISH_WORDS,
                include_str!("../data/english_words.txt"),
            ),
        ] {
            let lines: Vec<&str> = src.lines().filter(|l| !l.trim().is_empty()).collect();
            assert!(lines.len() > 1000);
            assert!(lines.iter().all(|l| t.contains(l.trim())));
            assert!(!t.contains("Zzyzxq") && !t.contains("The"));
        }
    }
}
