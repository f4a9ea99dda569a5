//! Small text helpers shared by the stages: digit folding, separator classes, char-boundary
//! arithmetic. Nothing here allocates per call on the hot path.

/// SWAR over eight bytes: the high bit of every byte of `v` that lies in `lo..=hi` (both
/// ASCII). The high bits are cleared before adding, so no carry crosses a byte, and bytes of
/// 0x80 and above are never in range.
#[inline(always)]
pub(crate) fn byte_range_mask(v: u64, lo: u8, hi: u8) -> u64 {
    const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HI: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    debug_assert!(lo <= hi && hi < 0x80);
    let a = v & LO7;
    let at_least = a + ONES * (0x80 - u64::from(lo));
    let past = a + ONES * (0x80 - u64::from(hi) - 1);
    at_least & !past & !v & HI
}

/// SWAR over eight bytes: the high bit of every byte of `v` in `lo..=hi` (both 0x80 or
/// above): [`byte_range_mask`] on the low seven bits, kept where the high bit is set.
#[inline(always)]
pub(crate) fn high_byte_range_mask(v: u64, lo: u8, hi: u8) -> u64 {
    const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HI: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    debug_assert!(lo <= hi && lo >= 0x80);
    let a = v & LO7;
    let at_least = a + ONES * (0x100 - u64::from(lo));
    let past = a + ONES * (0x100 - u64::from(hi) - 1);
    at_least & !past & v & HI
}

/// ASCII value of a decimal digit written in ASCII or full-width form (U+FF10..U+FF19).
#[inline]
pub(crate) fn digit_value(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '\u{FF10}'..='\u{FF19}' => Some((c as u32 - 0xFF10) as u8),
        _ => None,
    }
}

/// Characters a human reads as "no character" or as a space between digit groups.
#[inline]
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// Largest char boundary <= i.
#[inline]
pub(crate) fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Smallest char boundary >= i.
#[inline]
pub(crate) fn ceil_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The last words of `s` within its last `max` bytes, trailing white space left out: the cut
/// falls after a white space, so no word is read from its middle ("…irth date" is no "birth
/// date"); a tail that is one cut word is empty.
pub(crate) fn tail_of(s: &str, max: usize) -> &str {
    let s = s.trim_end();
    if s.len() <= max {
        return s;
    }
    let cut = ceil_boundary(s, s.len() - max);
    let rest = &s[cut..];
    match rest.find(char::is_whitespace) {
        Some(i) => rest[i..].trim_start(),
        None => "",
    }
}

/// Whether `a` and `b` differ by one slip of the keys, ASCII case aside: a letter left out,
/// added, changed, or two neighbours swapped (Damerau distance 1).
pub(crate) fn one_slip(a: &[u8], b: &[u8]) -> bool {
    let eq = |x: u8, y: u8| x.eq_ignore_ascii_case(&y);
    let pre = a.iter().zip(b).take_while(|&(&x, &y)| eq(x, y)).count();
    let (a, b) = (&a[pre..], &b[pre..]);
    let same = |x: &[u8], y: &[u8]| x.len() == y.len() && x.iter().zip(y).all(|(&p, &q)| eq(p, q));
    match a.len() as isize - b.len() as isize {
        0 if a.is_empty() => false,
        0 => {
            same(&a[1..], &b[1..])
                || a.len() >= 2 && eq(a[0], b[1]) && eq(a[1], b[0]) && same(&a[2..], &b[2..])
        }
        1 => same(&a[1..], b),
        -1 => same(a, &b[1..]),
        _ => false,
    }
}

/// Shannon entropy in bits per character.
pub(crate) fn shannon_entropy(s: &str) -> f32 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        counts[b as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = n as f32;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f32 / n;
            -p * p.log2()
        })
        .sum()
}

/// The form an allowlisted value is hashed in: alphanumerics only, lower-case, full-width
/// digits folded, so `4111 1111-1111 1111` and `4111111111111111` hash alike.
pub fn normalize_value(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if let Some(d) = digit_value(c) {
                Some((b'0' + d) as char)
            } else if c.is_alphanumeric() || c == '@' {
                Some(c)
            } else {
                None
            }
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_slip_is_one_key_off() {
        for (a, b) in [
            ("pasport", "passport"),
            ("passsport", "passport"),
            ("pazsport", "passport"),
            ("psasport", "passport"),
            ("ROUTNIG", "routing"),
        ] {
            assert!(one_slip(a.as_bytes(), b.as_bytes()), "{a} {b}");
        }
        for (a, b) in [
            ("passport", "passport"),
            ("pspasort", "passport"),
            ("rout", "routing"),
            ("", ""),
        ] {
            assert!(!one_slip(a.as_bytes(), b.as_bytes()), "{a} {b}");
        }
    }

    #[test]
    fn skip_words_passes_openers_and_their_punctuation_only() {
        let w = &Words::new(&["ok", "here", "it's", "it is"]);
        for (t, rest) in [
            ("ok here 2397 quinn ranch", "2397 quinn ranch"),
            ("OK, it's: 12 elm st", "12 elm st"),
            ("it is - 12 elm st", "12 elm st"),
            ("okay 12 elm st", "okay 12 elm st"),
            ("heretofore", "heretofore"),
            ("ok\n12 elm st", "\n12 elm st"),
            ("ok", ""),
            ("", ""),
        ] {
            assert_eq!(&t[skip_words(t, 0, &[w])..], rest, "{t:?}");
        }
        // The shared openers: a longer one is not cut short by the word it begins with.
        for (t, rest) in [
            ("sure thing, 12 elm st", "12 elm st"),
            ("here's 12 elm st", "12 elm st"),
            ("Yes! It's 12 elm st", "12 elm st"),
        ] {
            assert_eq!(&t[skip_words(t, 0, &[&REPLY_OPENERS, w])..], rest, "{t:?}");
        }
    }

    #[test]
    fn tail_of_cuts_after_a_space_and_on_char_boundaries() {
        assert_eq!(tail_of("What is your SSN?  \n", 160), "What is your SSN?");
        // The cut falls inside "birth": the word is left out whole.
        assert_eq!(tail_of("date of birth date", 7), "date");
        assert_eq!(tail_of("abcdef", 3), "");
        assert_eq!(tail_of("", 3), "");
        // A cut inside a multi-byte character moves to its end.
        let s = "née ééé été";
        for max in 0..s.len() {
            let t = tail_of(s, max);
            assert!(s.ends_with(t) && t.len() <= max, "{max}: {t:?}");
        }
    }

    #[test]
    fn title_case_of_ascii_words_only() {
        let mut buf = [0u8; 24];
        for (w, want) in [
            ("drive", Some("Drive")),
            ("BLVD", Some("Blvd")),
            ("mCbRiDe", Some("Mcbride")),
            ("a", Some("A")),
            ("", None),
            ("st.", None),
            ("o'brien", None),
            ("émile", None),
            ("abcdefghijklmnopqrstuvwxy", None),
        ] {
            assert_eq!(title_case(w.as_bytes(), &mut buf), want, "{w:?}");
        }
    }

    #[test]
    fn latin_letters_fold() {
        let mut buf = [0u8; 32];
        for (w, want) in [
            ("Häring", Some("Haring")),
            ("Cécile", Some("Cecile")),
            ("Łukasz", Some("Lukasz")),
            ("Strauß", Some("Strauss")),
            ("Ørsted", Some("Orsted")),
            ("O\u{2019}Brien", Some("O'Brien")),
            ("Gálvez-Núñez", Some("Galvez-Nunez")),
            ("Nguyễn", Some("Nguyen")),
            ("Đặng", Some("Dang")),
            ("dũng", Some("dung")),
            ("Trương", Some("Truong")),
            ("ỶỹỵẠậ", Some("YyyAa")),
            ("Smith", None),
            ("Дмитрий", None),
            ("Zoë😀", None),
            ("Éééééééééééééééééééééééééééééééééé", None),
        ] {
            assert_eq!(fold_latin(w, false, &mut buf), want, "{w:?}");
        }
        assert_eq!(fold_latin("JürgenÖ", true, &mut buf), Some("JuergenOe"));
    }

    #[test]
    fn digits_fold() {
        assert_eq!(digit_value('７'), Some(7));
        assert_eq!(digit_value('7'), Some(7));
        assert_eq!(digit_value('a'), None);
    }

    #[test]
    fn boundaries() {
        let s = "a€b";
        assert_eq!(floor_boundary(s, 2), 1);
        assert_eq!(ceil_boundary(s, 2), 4);
        assert_eq!(floor_boundary(s, 99), s.len());
    }

    #[test]
    fn normalize() {
        assert_eq!(
            normalize_value("4111 1111-1111 １１１１"),
            "4111111111111111"
        );
        assert_eq!(
            normalize_value("Jane.Doe@Example.org"),
            "janedoe@exampleorg"
        );
    }

    #[test]
    fn entropy() {
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-6);
    }
}

/// FNV-1a, for the fixed word sets (gazetteers, street suffixes): short keys, built once,
/// only looked up during a scan, so SipHash's flooding resistance buys nothing there (a
/// lookup cannot change the table) and costs several times the hashing work.
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A set of fixed words looked up by [`Fnv`].
pub(crate) type WordSet =
    std::collections::HashSet<&'static str, std::hash::BuildHasherDefault<Fnv>>;

/// Month names (a capitalised one starts no name and names no city).
pub(crate) const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `text` ends with `phrase` (ASCII case-insensitively) as whole words: no letter or digit
/// right before it.
pub(crate) fn ends_with_words_ci(text: &[u8], phrase: &str) -> bool {
    let p = phrase.as_bytes();
    text.len() >= p.len()
        && text[text.len() - p.len()..].eq_ignore_ascii_case(p)
        && text[..text.len() - p.len()]
            .last()
            .is_none_or(|b| !b.is_ascii_alphanumeric())
}

/// A list of at most 64 words that each start with an ASCII letter, indexed by that letter (a
/// position is compared only with the words that start with its letter).
pub(crate) struct Words {
    list: &'static [&'static str],
    /// Per letter of the alphabet: the words of `list` that start with it, as bits.
    by_first: [u64; 26],
}

impl Words {
    pub(crate) const fn new(list: &'static [&'static str]) -> Words {
        assert!(list.len() <= 64, "at most 64 words");
        let mut by_first = [0u64; 26];
        let mut k = 0;
        while k < list.len() {
            let c = list[k].as_bytes()[0] | 0x20;
            assert!(
                c >= b'a' && c <= b'z',
                "each word starts with an ASCII letter"
            );
            by_first[(c - b'a') as usize] |= 1 << k;
            k += 1;
        }
        Words { list, by_first }
    }
}

/// What any reply may open with before the value it gives ("sure, it's …", "ok here …"); the
/// readers of names and addresses add their own. A word that begins another comes after it
/// ("sure thing" before "sure"): the first that matches is taken.
pub(crate) const REPLY_OPENERS: Words = Words::new(&[
    "sure thing",
    "sure",
    "yes",
    "yeah",
    "yep",
    "ok",
    "okay",
    "it's",
    "it\u{2019}s",
    "its",
    "it is",
    "here's",
    "here",
    "of course",
    "absolutely",
]);

/// How far into a reply a remark before the value it gives may reach.
const REMARK_REACH: usize = 40;

/// Where a reply's line that starts at `line` goes on after a short remark ended by a
/// sentence's end or a dash ("sorry was afk. priya sharma", "oops typo - dũng nguyễn here"):
/// past the separator and its spaces, when it ends within [`REMARK_REACH`] bytes and on the
/// line.
pub(crate) fn after_remark(text: &str, line: usize) -> Option<usize> {
    let rest = text.get(line..)?;
    let rest = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let k = [". ", "! ", " - "]
        .iter()
        .filter_map(|sep| rest.find(sep).map(|k| k + sep.len()))
        .min()
        .filter(|&k| k <= REMARK_REACH)?;
    Some(line + k + rest[k..].len() - rest[k..].trim_start().len())
}

/// Past the words of `lists` (ASCII case-insensitively, each a whole word) at `text[i..]`, each
/// with the spaces and punctuation after it (", ", "! ", ": ", " - "), as many as there are:
/// a reply's openers ("sure, it's …", "ok here …"). Never past a line break.
pub(crate) fn skip_words(text: &str, mut i: usize, lists: &[&Words]) -> usize {
    let b = text.as_bytes();
    'open: loop {
        let rest = &b[i.min(b.len())..];
        let Some(&first) = rest.first() else {
            return i;
        };
        let c = first | 0x20;
        if !c.is_ascii_lowercase() {
            return i;
        }
        for words in lists {
            let mut set = words.by_first[usize::from(c - b'a')];
            while set != 0 {
                let w = words.list[set.trailing_zeros() as usize];
                set &= set - 1;
                let n = w.len();
                if rest.len() >= n
                    && rest[..n].eq_ignore_ascii_case(w.as_bytes())
                    && rest.get(n).is_none_or(|x| !x.is_ascii_alphanumeric())
                {
                    i += n;
                    while matches!(b.get(i), Some(b' ' | b',' | b'!' | b'.' | b':' | b'-')) {
                        i += 1;
                    }
                    continue 'open;
                }
            }
        }
        return i;
    }
}

/// How far after a cue word a value read after it may start: ": ", " is ", " was on the ",
/// " (mm/yyyy): ".
pub(crate) const CUE_GAP: usize = 24;

/// Where a value read after a cue word may start: the first word start within [`CUE_GAP`]
/// bytes of `cue_end` that `starts` accepts, with no line break, sentence end or other digit
/// before it ("born in May 1987", "address is 12 elm st"). The first such word decides.
pub(crate) fn value_after_cue(
    b: &[u8],
    cue_end: usize,
    starts: impl Fn(usize) -> bool,
) -> Option<usize> {
    let end = (cue_end + CUE_GAP).min(b.len());
    // The dot of an abbreviation ending the cue ("passport no.", "DOB.") ends no sentence.
    let short_word = b[..cue_end.min(b.len())]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .count()
        <= 3;
    for i in cue_end..end {
        let c = b[i];
        if matches!(c, b'\n' | b'\r' | b'!' | b'?' | b';')
            || (c == b'.' && !(i == cue_end && short_word))
        {
            return None;
        }
        let word_start = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if word_start && starts(i) {
            return Some(i);
        }
        if c.is_ascii_digit() {
            return None;
        }
    }
    None
}

/// Where a value a customer states after its cue starts (`address-stated`, `phone-stated`):
/// past the bytes of `seps` and the words of `filler` (ASCII case-insensitively: "is", "now",
/// "me on", "est le"), within [`CUE_GAP`] bytes of `cue_end`, at the first position `starts`
/// accepts; `None` at any other word ("ship it to me by Friday": "me" is no filler there).
pub(crate) fn after_filler(
    text: &str,
    cue_end: usize,
    seps: &[u8],
    filler: &[&str],
    starts: impl Fn(&str) -> bool,
) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = cue_end;
    loop {
        while b.get(i).is_some_and(|c| seps.contains(c)) {
            i += 1;
        }
        if i > cue_end + CUE_GAP {
            return None;
        }
        let rest = text.get(i..)?;
        if starts(rest) {
            return Some(i);
        }
        let w = rest.split([' ', ':', ',']).next()?;
        if w.is_empty() || !filler.iter().any(|f| f.eq_ignore_ascii_case(w)) {
            return None;
        }
        i += w.len();
    }
}

/// `w` with the accents of Latin letters taken off ("Häring" → "Haring", "Cécile" →
/// "Cecile", "Łukasz" → "Lukasz", "Strauß" → "Strauss"), as the US census writes the names
/// it lists, or with `umlaut_e` German's umlauts written with an 'e' ("Jürgen" → "Juergen");
/// `None` when `w` is ASCII already, has a letter this table does not fold, or does not fit
/// `buf`.
pub(crate) fn fold_latin<'a>(w: &str, umlaut_e: bool, buf: &'a mut [u8; 32]) -> Option<&'a str> {
    if w.is_ascii() {
        return None;
    }
    let mut n = 0;
    for c in w.chars() {
        let folded: &[u8] = match c {
            'ä' if umlaut_e => b"ae",
            'ö' if umlaut_e => b"oe",
            'ü' if umlaut_e => b"ue",
            'Ä' if umlaut_e => b"Ae",
            'Ö' if umlaut_e => b"Oe",
            'Ü' if umlaut_e => b"Ue",
            'a'..='z' | 'A'..='Z' | '\'' | '-' | '.' => &[c as u8],
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' | 'ă' | 'ā' => b"a",
            'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ą' | 'Ă' | 'Ā' => b"A",
            'ç' | 'ć' | 'č' => b"c",
            'Ç' | 'Ć' | 'Č' => b"C",
            'ď' | 'đ' => b"d",
            'Ď' | 'Đ' => b"D",
            'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' | 'ē' => b"e",
            'È' | 'É' | 'Ê' | 'Ë' | 'Ę' | 'Ě' | 'Ē' => b"E",
            'ğ' => b"g",
            'Ğ' => b"G",
            'ì' | 'í' | 'î' | 'ï' | 'ı' | 'ī' => b"i",
            'Ì' | 'Í' | 'Î' | 'Ï' | 'İ' | 'Ī' => b"I",
            'ł' | 'ľ' | 'ĺ' => b"l",
            'Ł' | 'Ľ' | 'Ĺ' => b"L",
            'ñ' | 'ń' | 'ň' => b"n",
            'Ñ' | 'Ń' | 'Ň' => b"N",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' | 'ō' => b"o",
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ő' | 'Ō' => b"O",
            'ř' | 'ŕ' => b"r",
            'Ř' | 'Ŕ' => b"R",
            'ś' | 'š' | 'ş' | 'ș' => b"s",
            'Ś' | 'Š' | 'Ş' | 'Ș' => b"S",
            'ť' | 'ţ' | 'ț' => b"t",
            'Ť' | 'Ţ' | 'Ț' => b"T",
            'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' | 'ū' => b"u",
            'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ů' | 'Ű' | 'Ū' => b"U",
            'ý' | 'ÿ' => b"y",
            'Ý' | 'Ÿ' => b"Y",
            'ź' | 'ż' | 'ž' => b"z",
            'Ź' | 'Ż' | 'Ž' => b"Z",
            'ß' => b"ss",
            'æ' => b"ae",
            'Æ' => b"Ae",
            'œ' => b"oe",
            'Œ' => b"Oe",
            '\u{2019}' => b"'",
            // Vietnamese: horned and tilde vowels, and the tone marks of Latin Extended
            // Additional ("Nguyễn", "Đặng", "Dũng", "Trương").
            'ũ' | 'ư' => b"u",
            'Ũ' | 'Ư' => b"U",
            'ĩ' => b"i",
            'Ĩ' => b"I",
            'ơ' => b"o",
            'Ơ' => b"O",
            '\u{1EA0}'..='\u{1EF9}' => vietnamese_base(c),
            _ => return None,
        };
        let to = buf.get_mut(n..n + folded.len())?;
        to.copy_from_slice(folded);
        n += folded.len();
    }
    std::str::from_utf8(&buf[..n]).ok()
}

/// The base letter of a letter of Latin Extended Additional's Vietnamese run (U+1EA0–U+1EF9:
/// each vowel with its tone marks, capital at the even code point).
fn vietnamese_base(c: char) -> &'static [u8] {
    let n = c as u32;
    let upper = n.is_multiple_of(2);
    match (n, upper) {
        (0x1EA0..=0x1EB7, true) => b"A",
        (0x1EA0..=0x1EB7, false) => b"a",
        (0x1EB8..=0x1EC7, true) => b"E",
        (0x1EB8..=0x1EC7, false) => b"e",
        (0x1EC8..=0x1ECB, true) => b"I",
        (0x1EC8..=0x1ECB, false) => b"i",
        (0x1ECC..=0x1EE3, true) => b"O",
        (0x1ECC..=0x1EE3, false) => b"o",
        (0x1EE4..=0x1EF1, true) => b"U",
        (0x1EE4..=0x1EF1, false) => b"u",
        (_, true) => b"Y",
        (_, false) => b"y",
    }
}

/// A name's word in title case, each part after a hyphen or apostrophe capitalised too
/// ("MARY-ANNE" → "Mary-Anne", "o'brien" → "O'Brien"), in `buf`; `None` for an empty word,
/// one longer than `buf`, or one with a byte that is no ASCII letter other than a hyphen or
/// apostrophe between two letters.
pub(crate) fn title_case_name<'a>(w: &[u8], buf: &'a mut [u8; 24]) -> Option<&'a str> {
    if w.is_empty() || w.len() > buf.len() {
        return None;
    }
    let t = &mut buf[..w.len()];
    let mut cap = true;
    for (k, (to, &x)) in t.iter_mut().zip(w).enumerate() {
        if matches!(x, b'-' | b'\'') {
            let between = k > 0 && w.get(k + 1).is_some_and(u8::is_ascii_alphabetic);
            if !between || cap {
                return None;
            }
            *to = x;
            cap = true;
        } else if x.is_ascii_alphabetic() {
            *to = if cap {
                x.to_ascii_uppercase()
            } else {
                x.to_ascii_lowercase()
            };
            cap = false;
        } else {
            return None;
        }
    }
    std::str::from_utf8(t).ok()
}

/// An ASCII word in title case ("drive", "DRIVE" → "Drive") in `buf`, for lookups in the
/// title-case word lists (street suffixes, name gazetteers); `None` for an empty word, one
/// longer than `buf` or one with a byte that is no ASCII letter.
pub(crate) fn title_case<'a>(w: &[u8], buf: &'a mut [u8; 24]) -> Option<&'a str> {
    if !w.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    title_case_name(w, buf)
}
