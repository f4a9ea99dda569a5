//! PERSON without a model: cue phrases ("my name is", "Name:", "this is", honorifics,
//! sign-offs, "<Name> here") followed or preceded by capitalised words, checked against
//! first-name and surname gazetteers (data/*.txt, derived from US Census name lists).
//! Owns the cue list, the name grammar and the gazetteers; never looks at digits.

use crate::text::{WordSet, ends_with_words_ci};
use crate::wordtable::WordTable;

// FIRST_NAMES, LAST_NAMES, LAST_NAMES_RARE, ENGLISH_WORDS: data/*.txt as hash tables compiled
// in (build.rs).
include!(concat!(env!("OUT_DIR"), "/names.rs"));

/// How a cue relates to the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cue {
    /// "Name:", "Patient:", "full name": a name almost surely follows.
    Strong,
    /// "my name is", "je m'appelle", "me llamo": the customer's own name follows; one
    /// capitalised word is a name whatever the gazetteers know ("My name is Priya").
    Own,
    /// "this is", "I'm", "under", greetings and sign-offs: a name may follow.
    Weak,
    /// "ask for", "spoke with", "contact", "from:": a name or an organisation may follow
    /// ("talked to Comcast Xfinity"), so words no gazetteer knows are none.
    Contact,
    /// "my husband", "my daughter is", "beneficiary:": the person a customer speaks for; a
    /// known first name alone after it is a name ("my son Tyler").
    Relation,
    /// "Mr.", "Dr." …: part of the name span.
    Honorific,
    /// "<Name> here".
    After,
    /// "<Name> as a beneficiary": a role a customer adds a person in, after the name.
    Role,
    /// "<Name> said", "<Name> told me": a verb of speech after the name (a customer quoting
    /// an earlier agent: "Jessica said the refund was on its way"); a known first name that is
    /// no English word ("Chase said" is the bank), or a known first name and surname.
    Says,
    /// No cue: a first name of the gazetteer followed by a capitalised word ("John Oliver
    /// called"); reported only when the last word is a gazetteer surname too.
    Bare,
}

/// Cue phrases (matched ASCII case-insensitively on word boundaries).
pub(crate) const CUES: &[(&str, Cue)] = &[
    ("my name is", Cue::Own),
    // The same in the languages Intercom customers write in.
    ("je m'appelle", Cue::Own),
    ("je m\u{2019}appelle", Cue::Own),
    ("mon nom est", Cue::Own),
    ("me llamo", Cue::Own),
    ("mi nombre es", Cue::Own),
    ("ich heiße", Cue::Own),
    ("ich heisse", Cue::Own),
    ("mein name ist", Cue::Own),
    ("mi chiamo", Cue::Own),
    ("il mio nome è", Cue::Own),
    ("mijn naam is", Cue::Own),
    ("ik heet", Cue::Own),
    ("meu nome é", Cue::Own),
    ("me chamo", Cue::Own),
    ("jag heter", Cue::Own),
    ("jeg hedder", Cue::Own),
    ("jeg heter", Cue::Own),
    ("nazywam się", Cue::Own),
    ("my name's", Cue::Own),
    ("name is", Cue::Strong),
    ("name:", Cue::Strong),
    ("full name", Cue::Strong),
    ("patient:", Cue::Strong),
    ("patient name", Cue::Strong),
    ("cardholder", Cue::Strong),
    ("card holder", Cue::Strong),
    ("account holder", Cue::Strong),
    ("insured:", Cue::Strong),
    ("signed,", Cue::Strong),
    ("signed:", Cue::Strong),
    ("this is", Cue::Weak),
    ("calls me", Cue::Weak),
    ("call me", Cue::Weak),
    ("i'm", Cue::Weak),
    ("i\u{2019}m", Cue::Weak),
    ("i am", Cue::Weak),
    ("under", Cue::Weak),
    ("ask for", Cue::Contact),
    ("speak to", Cue::Contact),
    ("speak with", Cue::Contact),
    ("talk to", Cue::Contact),
    ("spoke to", Cue::Contact),
    ("spoke with", Cue::Contact),
    ("talked to", Cue::Contact),
    ("talked with", Cue::Contact),
    ("speaking to", Cue::Contact),
    ("speaking with", Cue::Contact),
    ("you ask", Cue::Contact),
    ("please ask", Cue::Contact),
    ("patient", Cue::Weak),
    ("contact", Cue::Contact),
    ("dear", Cue::Weak),
    ("hi", Cue::Weak),
    ("hello", Cue::Weak),
    ("hey", Cue::Weak),
    ("thanks,", Cue::Weak),
    ("thank you,", Cue::Weak),
    ("regards,", Cue::Weak),
    ("best,", Cue::Weak),
    ("cheers,", Cue::Weak),
    ("sincerely,", Cue::Weak),
    ("from:", Cue::Contact),
    ("my husband", Cue::Relation),
    ("my wife", Cue::Relation),
    ("my son", Cue::Relation),
    ("my daughter", Cue::Relation),
    ("my mother", Cue::Relation),
    ("my father", Cue::Relation),
    ("my mom", Cue::Relation),
    ("my mum", Cue::Relation),
    ("my dad", Cue::Relation),
    ("my brother", Cue::Relation),
    ("my sister", Cue::Relation),
    ("my spouse", Cue::Relation),
    ("my partner", Cue::Relation),
    ("my child", Cue::Relation),
    ("my grandmother", Cue::Relation),
    ("my grandfather", Cue::Relation),
    ("my grandson", Cue::Relation),
    ("my granddaughter", Cue::Relation),
    ("my aunt", Cue::Relation),
    ("my uncle", Cue::Relation),
    ("my fiance", Cue::Relation),
    ("my caregiver", Cue::Relation),
    ("beneficiary", Cue::Relation),
    ("guardian", Cue::Relation),
    ("dependent", Cue::Relation),
    ("policyholder", Cue::Relation),
    ("policy holder", Cue::Relation),
    ("co-signer", Cue::Relation),
    ("emergency contact", Cue::Relation),
    ("mr.", Cue::Honorific),
    ("mrs.", Cue::Honorific),
    ("ms.", Cue::Honorific),
    ("dr.", Cue::Honorific),
    ("mr", Cue::Honorific),
    ("mrs", Cue::Honorific),
    ("ms", Cue::Honorific),
    ("miss", Cue::Honorific),
    ("dr", Cue::Honorific),
    ("prof.", Cue::Honorific),
    ("mx.", Cue::Honorific),
    ("mx", Cue::Honorific),
    ("here", Cue::After),
];

/// Verbs of speech after a name ("Jessica said", "Mark Evans told me"), matched ASCII
/// case-insensitively, ending a word.
const SPEECH: &[&[u8]] = &[
    b"said",
    b"says",
    b"told",
    b"tells",
    b"asked",
    b"wrote",
    b"mentioned",
    b"promised",
];

/// The length of the verb of speech that `w` starts with, ending a word. Read after every
/// capitalised word: its first four bytes, folded to lower case, turn most words away before
/// any verb is compared.
fn speech_at(w: &[u8]) -> Option<usize> {
    let head = u32::from_le_bytes(w.get(..4)?.try_into().ok()?) | 0x2020_2020;
    let v = SPEECH
        .iter()
        .find(|v| u32::from_le_bytes([v[0], v[1], v[2], v[3]]) == head)?;
    (w.len() >= v.len()
        && w[..v.len()].eq_ignore_ascii_case(v)
        && w.get(v.len()).is_none_or(|c| !c.is_ascii_alphanumeric()))
    .then_some(v.len())
}

/// Roles after " as " that say the capitalised words before are a person a customer adds to
/// an account or policy ("add Michal Horký as a beneficiary", "add Guy Migneault as
/// guardian"); matched ASCII case-insensitively, ending a word.
const ROLES: &[&str] = &[
    "a beneficiary",
    "beneficiary",
    "my beneficiary",
    "the beneficiary",
    "a guardian",
    "guardian",
    "legal guardian",
    "an authorized user",
    "authorized user",
    "an authorised user",
    "authorised user",
    "a dependent",
    "a dependant",
    "dependent",
    "an additional driver",
    "a named driver",
    "a joint account holder",
    "joint account holder",
    "a joint owner",
    "joint owner",
    "a co-signer",
    "co-signer",
    "an emergency contact",
    "my emergency contact",
    "emergency contact",
    "my power of attorney",
    "power of attorney",
    "a trustee",
    "trustee",
    "the executor",
    "executor",
    "an authorized signer",
    "authorized signer",
];

/// Capitalised words that start sentences or name teams, never people.
const STOP: &[&str] = &[
    "I",
    "I'm",
    "Im",
    "The",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "It's",
    "We",
    "You",
    "Your",
    "My",
    "Our",
    "Support",
    "Team",
    "Customer",
    "Service",
    "Sales",
    "Billing",
    "Account",
    "Sorry",
    "Thanks",
    "Thank",
    "Hi",
    "Hello",
    "Hey",
    "Dear",
    "Please",
    "Yes",
    "No",
    "Ok",
    "Okay",
    "Here",
    "There",
    "And",
    "Or",
    "But",
    "So",
    "Just",
    "Also",
    "Not",
    "Good",
    "Great",
    "Best",
    "Regards",
    "Cheers",
    "Sincerely",
    "Inc",
    "LLC",
    "Ltd",
    "Corp",
    "Company",
    "Bank",
    "Street",
    "Avenue",
    "Road",
    "Admin",
    "Agent",
    "Manager",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Miss",
    "Name",
    "Patient",
    "Order",
    "Invoice",
    "Ticket",
    "Error",
    "Email",
    "Phone",
    "SSN",
    "DOB",
    "Visa",
    "Amex",
    "Mastercard",
    "Intercom",
    "Acme",
    "Everyone",
    "All",
    "Guys",
    "Folks",
    "Again",
    "Today",
    "Tomorrow",
];
const SUFFIX: &[&str] = &[
    "Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV", "V", "MD", "DDS", "PhD", "DVM", "Esq.", "RN",
];

const HONORIFICS: &[&str] = &["Mr", "Mrs", "Ms", "Mx", "Dr", "Miss", "Prof"];

/// Honorifics also taken in lower case, with their dot ("join accounts with ms. Jeffery");
/// not "dr.", which is also how "drive" ends a street.
const LOWER_HONORIFICS: &[&[u8]] = &[b"mr.", b"mrs.", b"ms.", b"mx."];

/// Finds the cues that matter: for every capitalised ASCII word (found by a SWAR test, 32
/// bytes a round, so prose costs little more than a pass over memory) a cue phrase right
/// before it, an honorific that is the word itself, or " here" right after it.
pub(crate) fn find_cues(
    text: &str,
    by_last: &CueIndex,
    g: &Gazetteer,
    out: &mut Vec<(usize, usize, Cue)>,
) {
    let b = text.as_bytes();
    each_capital(b, |i| {
        if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'\'' || b[i - 1] >= 0x80) {
            return;
        }
        // "Jean-Luc": the second half of a hyphenated word is read with its first.
        if i > 1 && b[i - 1] == b'-' && (b[i - 2].is_ascii_alphabetic() || b[i - 2] >= 0x80) {
            return;
        }
        if b[i] >= 0x80 && !starts_upper(text, i) {
            return;
        }
        on_capital(text, i, by_last, g, out);
    });
}

/// `text[i..]` starts with an upper-case letter (`i` is a char boundary).
fn starts_upper(text: &str, i: usize) -> bool {
    text.get(i..)
        .and_then(|r| r.chars().next())
        .is_some_and(char::is_uppercase)
}

/// Calls `visit`, in order, with the index of every ASCII capital in `b` and of every lead
/// byte of a two-byte Latin, Greek or Cyrillic letter (0xC3..=0xD4: 'Á', 'Ł', 'Ω', 'Я' and
/// their lower-case forms; the caller tells them apart). A lead byte always starts a char.
fn each_capital(b: &[u8], mut visit: impl FnMut(usize)) {
    // 32 bytes a round: four independent SWAR words (the compiler runs them side by side in
    // vector registers) and one test that skips rounds without a capital.
    let mut chunks = b.chunks_exact(32);
    let mut base = 0;
    for c in &mut chunks {
        let mut masks = [0u64; 4];
        for (m, w) in masks.iter_mut().zip(c.chunks_exact(8)) {
            let word: [u8; 8] = w.try_into().unwrap_or([0; 8]);
            *m = ascii_upper_mask(u64::from_le_bytes(word));
        }
        if masks.iter().fold(0, |a, m| a | m) != 0 {
            for (j, &m) in masks.iter().enumerate() {
                let mut mask = m;
                while mask != 0 {
                    let i = base + 8 * j + (mask.trailing_zeros() / 8) as usize;
                    mask &= mask - 1;
                    visit(i);
                }
            }
        }
        base += 32;
    }
    for (k, &x) in chunks.remainder().iter().enumerate() {
        if x.is_ascii_uppercase() || (0xC3..=0xD4).contains(&x) {
            visit(base + k);
        }
    }
}

/// The high bit of every byte of `v` that is an ASCII capital letter or the lead byte of a
/// two-byte Latin, Greek or Cyrillic letter.
#[inline(always)]
fn ascii_upper_mask(v: u64) -> u64 {
    crate::text::byte_range_mask(v, b'A', b'Z') | crate::text::high_byte_range_mask(v, 0xC3, 0xD4)
}

fn on_capital(
    text: &str,
    i: usize,
    by_last: &CueIndex,
    g: &Gazetteer,
    out: &mut Vec<(usize, usize, Cue)>,
) {
    let b = text.as_bytes();
    // ASCII letters by bytes; the rest of the word by chars only past a non-ASCII byte.
    let ascii = b[i..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let wlen = if b.get(i + ascii).is_some_and(|&c| c >= 0x80) {
        text[i..]
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(text.len() - i)
    } else {
        ascii
    };
    // "Jean-Luc", "O'Connor": a hyphen or apostrophe before a capital joins one name.
    let mut wlen = wlen;
    while matches!(b.get(i + wlen), Some(b'-' | b'\''))
        && b.get(i + wlen + 1).is_some_and(u8::is_ascii_uppercase)
    {
        wlen += 1 + b[i + wlen + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
    }
    let word = &text[i..i + wlen];
    if HONORIFICS.contains(&word) {
        let e = i + wlen + usize::from(b.get(i + wlen) == Some(&b'.'));
        out.push((i, e, Cue::Honorific));
        return;
    }
    // " here" after this word.
    let after = &b[i + wlen..];
    if after.len() >= 5
        && after[0] == b' '
        && after[1..5].eq_ignore_ascii_case(b"here")
        && after.get(5).is_none_or(|c| !c.is_ascii_alphanumeric())
    {
        out.push((i + wlen + 1, i + wlen + 5, Cue::After));
    }
    // " said" … after this word.
    if after.first() == Some(&b' ')
        && let Some(n) = speech_at(&after[1..])
    {
        out.push((i + wlen + 1, i + wlen + 1 + n, Cue::Says));
    }
    // " as a beneficiary" … after this word.
    if after.len() > 4 && after[0] == b' ' && after[1..4].eq_ignore_ascii_case(b"as ") {
        let rest = &after[4..];
        if let Some(role) = ROLES.iter().find(|r| {
            rest.len() >= r.len()
                && rest[..r.len()].eq_ignore_ascii_case(r.as_bytes())
                && rest.get(r.len()).is_none_or(|c| !c.is_ascii_alphanumeric())
        }) {
            out.push((i + wlen + 1, i + wlen + 4 + role.len(), Cue::Role));
        }
    }
    // A cue phrase before this word (optionally followed by ',' or ':').
    let mut j = i;
    while j > 0 && matches!(b[j - 1], b' ' | b'\n' | b'\t' | b'\r') {
        j -= 1;
    }
    if j < i
        && j > 0
        && b[j - 1] == b'.'
        && let Some(h) = LOWER_HONORIFICS.iter().find(|h| {
            b[..j].ends_with(h) && (j == h.len() || !b[j - h.len() - 1].is_ascii_alphanumeric())
        })
    {
        out.push((j - h.len(), j, Cue::Honorific));
        return;
    }
    if j < i || i == 0 {
        // The cue ends right before the word, before a ',' or ':' there, or (a relation or a
        // role) before " is" there ("my mother is Maria", "the account holder is Maria").
        let mut ends = [(j, false), (0, false), (0, false)];
        if j > 0 && (b[j - 1] == b',' || b[j - 1] == b':') {
            ends[1] = (j - 1, false);
        }
        if j > 3 && b[j - 3..j].eq_ignore_ascii_case(b" is") {
            ends[2] = (j - 3, true);
        }
        for &(e, before_is) in ends.iter() {
            if e == 0 {
                continue;
            }
            let (key, _) = tail_key(b, e, 4);
            for entry in &by_last[b[e - 1].to_ascii_lowercase() as usize] {
                if key & entry.mask != entry.key {
                    continue;
                }
                let (cue, kind) = CUES[entry.cue as usize];
                let cb = cue.as_bytes();
                if e >= cb.len()
                    && (!before_is
                        || kind == Cue::Relation
                        || kind == Cue::Strong
                            && !cue.ends_with([':', ','])
                            && !cue.ends_with(" is"))
                    && b[e - cb.len()..e].eq_ignore_ascii_case(cb)
                    && (e == cb.len() || !b[e - cb.len() - 1].is_ascii_alphanumeric())
                {
                    // After " is" the cue spans it: the name is read from there.
                    out.push((e - cb.len(), if before_is { j } else { e }, kind));
                    return;
                }
            }
        }
    }
    // No cue before it: a gazetteer first name, one space and a capital may still start a
    // name (a cue before it would read the same words).
    if b.get(i + wlen) == Some(&b' ')
        && b.get(i + wlen + 1).is_some_and(u8::is_ascii_uppercase)
        && g.is_first(word)
    {
        out.push((i, i + wlen, Cue::Bare));
    }
}

/// A cue in [`CueIndex`]: its last four bytes folded by [`tail_key`] (fewer for a shorter
/// cue, with the mask of the bytes it has), tested before the whole cue is compared.
pub(crate) struct CueEntry {
    key: u32,
    mask: u32,
    cue: u16,
}

/// Cues by their last byte (lower-case), for [`find_cues`].
pub(crate) type CueIndex = [Vec<CueEntry>; 256];

/// The last four bytes of `b[..end]` (zeros before the start) as one word, the last byte
/// highest, each with bit 0x20 set: ASCII letters fold to lower case, and a few other bytes
/// fold together ('@' with '`'), which the whole comparison after this filter tells apart.
/// Returns the word and the mask of the `n` last bytes.
fn tail_key(b: &[u8], end: usize, n: usize) -> (u32, u32) {
    let w: [u8; 4] = match end.checked_sub(4).and_then(|s| b.get(s..end)) {
        Some(&[a, b2, c, d]) => [a, b2, c, d],
        _ => {
            let mut w = [0u8; 4];
            for (k, &c) in b[..end].iter().rev().take(4).enumerate() {
                w[3 - k] = c;
            }
            w
        }
    };
    let mask = if n >= 4 {
        u32::MAX
    } else {
        u32::MAX << (8 * (4 - n))
    };
    ((u32::from_le_bytes(w) | 0x2020_2020) & mask, mask)
}

/// Cue indexes by their last byte (lower-case), for [`find_cues`].
pub(crate) fn cue_index() -> CueIndex {
    let mut t: CueIndex = std::array::from_fn(|_| Vec::new());
    // Longest cues first so "my name is" wins over "name is".
    let mut order: Vec<usize> = (0..CUES.len())
        .filter(|&i| {
            !matches!(
                CUES[i].1,
                Cue::After | Cue::Role | Cue::Says | Cue::Honorific | Cue::Bare
            )
        })
        .collect();
    order.sort_by_key(|&i| std::cmp::Reverse(CUES[i].0.len()));
    for i in order {
        let cue = CUES[i].0.as_bytes();
        if let Some(&last) = cue.last() {
            let (key, mask) = tail_key(cue, cue.len(), cue.len());
            t[last as usize].push(CueEntry {
                key,
                mask,
                cue: i as u16,
            });
        }
    }
    t
}

/// A word that is an English word in lower case ("Very", "Teams", "Thanks"): Debian's
/// `wamerican`, compiled in as [`ENGLISH_WORDS`].
pub(crate) fn is_english(w: &str) -> bool {
    let mut buf = [0u8; 24];
    let b = w.as_bytes();
    b.len() <= buf.len() && b.is_ascii() && {
        buf[..b.len()].copy_from_slice(b);
        buf[..b.len()].make_ascii_lowercase();
        std::str::from_utf8(&buf[..b.len()]).is_ok_and(|l| ENGLISH_WORDS.contains(l))
    }
}

/// `w` in `t`, as written, with its accents taken off ("Häring" → "Haring", or "Jürgen" →
/// "Juergen" as German writes umlauts without them), or with the apostrophe of an Irish or
/// Italian prefix taken out as the census writes it ("O'Neill" → "Oneill", "D'Angelo" →
/// "Dangelo").
fn lookup(t: &WordTable, w: &str) -> bool {
    if t.contains(w) {
        return true;
    }
    // "Jean-Luc", "Mary-Kate", "Smith-Jones": every part of a hyphenated name is one.
    if let Some((a, b)) = w.split_once('-') {
        return !a.is_empty() && !b.is_empty() && lookup(t, a) && lookup(t, b);
    }
    let mut buf = [0u8; 32];
    // A name whose first letter is accented, typed in lower case ("élise", "đặng"): its folded
    // form in title case.
    if w.starts_with(|c: char| !c.is_ascii() && c.is_lowercase())
        && let Some(f) = crate::text::fold_latin(w, false, &mut buf)
    {
        let mut t_buf = [0u8; 24];
        return crate::text::title_case(f.as_bytes(), &mut t_buf).is_some_and(|x| t.contains(x));
    }
    let w = match crate::text::fold_latin(w, false, &mut buf) {
        Some(f) if t.contains(f) => return true,
        Some(f) => {
            let mut e = [0u8; 32];
            if crate::text::fold_latin(w, true, &mut e).is_some_and(|f| t.contains(f)) {
                return true;
            }
            f
        }
        None => w,
    };
    let b = w.as_bytes();
    if b.len() > 3 && b.len() <= 24 && b[0].is_ascii_uppercase() && b[1] == b'\'' {
        let mut joined = [0u8; 24];
        joined[0] = b[0];
        for (to, from) in joined[1..].iter_mut().zip(&b[2..]) {
            *to = from.to_ascii_lowercase();
        }
        return std::str::from_utf8(&joined[..b.len() - 1]).is_ok_and(|j| t.contains(j));
    }
    false
}

pub(crate) struct Gazetteer {
    first: WordTable,
    /// The 1990 census's 15,000 commonest surnames: a first name before one is a name with
    /// no cue.
    last: WordTable,
    /// The 2010 census's other surnames: often a word of another language too ("Fenster",
    /// "Tisch"), so a surname only where a cue says a name follows.
    rare: WordTable,
    stop: WordSet,
    ambiguous: WordSet,
}

impl Gazetteer {
    /// A gazetteer first name or surname (title case) that is neither a stop word nor an
    /// English word among the names.
    pub(crate) fn is_name(&self, w: &str) -> bool {
        (self.is_first(w) || self.is_surname(w))
            && !self.stop.contains(w)
            && !self.ambiguous.contains(w)
    }

    /// A first name of the gazetteer, accents taken off if it has any ("Cécile").
    pub(crate) fn is_first(&self, w: &str) -> bool {
        lookup(&self.first, w)
    }

    /// A common surname (the 1990 list), accents taken off if it has any ("Häring").
    pub(crate) fn is_surname(&self, w: &str) -> bool {
        lookup(&self.last, w)
    }

    /// A surname of either list: for words a cue has already said are a name.
    fn any_surname(&self, w: &str) -> bool {
        lookup(&self.last, w) || lookup(&self.rare, w)
    }

    pub(crate) fn new() -> Gazetteer {
        Gazetteer {
            first: FIRST_NAMES,
            last: LAST_NAMES,
            rare: LAST_NAMES_RARE,
            stop: STOP
                .iter()
                .chain(crate::text::MONTHS)
                .chain(WEEKDAYS)
                .copied()
                .collect(),
            ambiguous: AMBIGUOUS.iter().copied().collect(),
        }
    }
}

/// A PERSON candidate: span, strength class, and how it was found (for explanations).
pub(crate) struct NameHit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// 2 = strong (gazetteer-backed or strong cue), 1 = weak.
    pub(crate) strong: bool,
    pub(crate) first_known: bool,
    pub(crate) last_known: bool,
    /// Found with no cue (gazetteer first name and surname): scored [`BARE_SCORE`].
    pub(crate) bare: bool,
}

/// Score of a name found with no cue: above the default threshold, below every cue-found
/// name and below a street address, so that either wins an overlap ("1181 Kelly Brooks").
pub(crate) const BARE_SCORE: f32 = 0.55;

fn is_name_token(w: &str) -> bool {
    let mut cs = w.chars();
    let Some(c0) = cs.next() else { return false };
    if !c0.is_uppercase() {
        return false;
    }
    // Not an acronym: one to twenty more characters, at least one lower-case letter, only
    // letters, ' and -.
    let (mut n, mut lower) = (0usize, false);
    for c in cs {
        if !(c.is_alphabetic() || c == '\'' || c == '-') {
            return false;
        }
        n += 1;
        lower |= c.is_lowercase();
    }
    (1..=20).contains(&n) && lower
}

/// Reads up to three name tokens (plus an optional suffix) starting at `at`; returns the token
/// spans.
fn read_tokens(text: &str, at: usize, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut i = at;
    while out.len() < 3 {
        let rest = &text[i..];
        let w_len = rest
            .find(|c: char| !(c.is_alphabetic() || c == '\'' || c == '-' || c == '.'))
            .unwrap_or(rest.len());
        let mut w = &rest[..w_len];
        // A trailing period ends a sentence unless the token is an initial.
        let had_dot = w.ends_with('.');
        w = w.trim_end_matches('.');
        // "Chris Curtis's email": the possessive is not part of the name, and ends it.
        let possessive = w.len() > 3 && w.ends_with("'s");
        if possessive {
            w = &w[..w.len() - 2];
        }
        let initial =
            out.len() == 1 && w.len() == 1 && w.chars().all(char::is_uppercase) && had_dot;
        if !(is_name_token(w) || initial) {
            break;
        }
        out.push((i, i + w.len() + usize::from(had_dot && w.len() == 1)));
        if (had_dot && w.len() > 1) || possessive {
            break;
        }
        let next = i + w_len;
        if !text[next..].starts_with(' ') {
            break;
        }
        i = next + 1;
        // "Michelle van der Avoirt", "Maria de la Cruz", "Fernanda da Mata": up to two
        // lower-case particles between a name's words belong to it (the span ends at the last
        // name word read, so particles with no name word after them are left out).
        for _ in 0..2 {
            if !text.as_bytes().get(i).is_some_and(u8::is_ascii_lowercase) {
                break;
            }
            let Some(p) = NAME_PARTICLES
                .iter()
                .find(|p| text[i..].starts_with(**p) && text[i + p.len()..].starts_with(' '))
            else {
                break;
            };
            i += p.len() + 1;
        }
    }
}

/// Lower-case particles inside names (Dutch, German, French, Spanish, Italian, Portuguese).
const NAME_PARTICLES: &[&str] = &[
    "van", "der", "den", "de", "del", "della", "di", "da", "do", "dos", "das", "du", "von", "la",
    "le", "ten", "ter", "y",
];

/// Finds name candidates for one cue occurrence `text[cs..ce]`.
pub(crate) fn candidates(
    text: &str,
    cs: usize,
    ce: usize,
    cue: Cue,
    g: &Gazetteer,
    out: &mut Vec<NameHit>,
) {
    let mut toks = Vec::with_capacity(4);
    if cue == Cue::Bare {
        // The first name and the words after it; strict: both ends in the gazetteers.
        read_tokens(text, cs, &mut toks);
        // "Grace Lee Thanks": end at the last word that is a surname.
        while toks.len() > 2 && !g.is_surname(&text[toks[toks.len() - 1].0..toks[toks.len() - 1].1])
        {
            toks.pop();
        }
        let Some(&(ls, le)) = toks.last() else {
            return;
        };
        if toks.len() < 2 || !g.is_surname(&text[ls..le]) {
            return; // push would reject it: a bare name ends in a gazetteer surname
        }
        // "Kelly Brooks Drive", "Holly Hill Rd": a street, not a person.
        let next = text[le..].strip_prefix(' ').unwrap_or("");
        let w = &next[..next
            .find(|c: char| !(c.is_ascii_alphabetic() || c == '.'))
            .unwrap_or(next.len())];
        if !w.is_empty() && crate::address::is_suffix(w) {
            return;
        }
        return push(text, &toks, cue, false, g, out);
    }
    match cue {
        Cue::After | Cue::Role | Cue::Says => {
            // "<Name> here", "<Name> as a beneficiary": up to three capitalised words right
            // before the cue.
            if cs == 0 || !text[..cs].ends_with(' ') {
                return;
            }
            let mut e = cs - 1;
            // "Kelsey Obrien MD here": step over a suffix.
            if let Some(sfx) = SUFFIX
                .iter()
                .find(|x| text[..e].strip_suffix(*x).is_some_and(|p| p.ends_with(' ')))
            {
                e -= sfx.len() + 1;
            }
            loop {
                let seg = &text[..e];
                let ws = seg
                    .rfind(|c: char| !(c.is_alphabetic() || c == '\'' || c == '-'))
                    .map_or(0, |i| i + seg[i..].chars().next().map_or(1, char::len_utf8));
                if ws == e || !is_name_token(&seg[ws..]) {
                    break;
                }
                toks.push((ws, e));
                if toks.len() == 3 || ws == 0 || !text[..ws].ends_with(' ') {
                    break;
                }
                e = ws - 1;
            }
            toks.reverse();
            let mut dropped = false;
            while toks
                .first()
                .is_some_and(|&(a, b)| g.stop.contains(&text[a..b]))
            {
                toks.remove(0);
                dropped = true;
            }
            let Some(&(first, _)) = toks.first() else {
                return;
            };
            if cue == Cue::Role {
                return push(text, &toks, cue, false, g, out);
            }
            if cue == Cue::Says {
                // "Yesterday Jessica said": the name starts at its first name.
                while toks.len() > 1 && toks.first().is_some_and(|&(a, b)| !g.is_first(&text[a..b]))
                {
                    toks.remove(0);
                }
                return push(text, &toks, cue, false, g, out);
            }
            // Must start a sentence or the message, or follow "it's" / "this is" ("hi, it's
            // Carlos here").
            let pre = text[..first].trim_end_matches(' ');
            // One word is a name only where "here" ends the phrase ("Carlos here, quick
            // question"; not "Paris here is nice").
            let after = &text[ce..];
            let ends = after.is_empty()
                || after.starts_with([',', '.', '!', '\n', '\r'])
                || after.starts_with(" -");
            if toks.len() == 1 && !ends {
                return;
            }
            let introduced = ["it's", "it\u{2019}s", "it is", "this is"]
                .iter()
                .any(|w| ends_with_words_ci(pre.as_bytes(), w));
            if !(dropped
                || introduced
                || pre.is_empty()
                || pre.ends_with(['.', '!', '?', ',', '\n', ':', '-']))
            {
                return;
            }
        }
        _ => {
            let mut at = ce;
            let rest = &text[at..];
            let r = rest
                .trim_start_matches([':', ','])
                .trim_start_matches([' ', '\n', '\t', '\r']);
            if r.len() == rest.len() && cue != Cue::Honorific {
                return; // the cue must be followed by a separator
            }
            at += rest.len() - r.len();
            if cue == Cue::Honorific
                && (rest.starts_with([',', ':'])
                    || (!text[cs..ce].ends_with('.') && !rest.starts_with(' ')))
            {
                // "3719 Lockwood Dr., Houston": a street's "Dr." before a comma.
                return;
            }
            // "The account holder is Pieter van der Berg": " is" between a role and the name
            // (then a gazetteer must know a word of it: "the cardholder is Chase Bank").
            let verb = cue == Cue::Strong
                && ends_with_words_ci(&text.as_bytes()[cs..ce], "is")
                && !ends_with_words_ci(&text.as_bytes()[cs..ce], "name is");
            // An honorific right after the cue is part of the name.
            let mut honor = cue == Cue::Honorific;
            if cue == Cue::Honorific {
                // Honorifics must be capitalised ("Dr.", not "dr"), but for the few that
                // cannot be another word when written with their dot ("ms.").
                if !text[cs..].starts_with(|c: char| c.is_ascii_uppercase())
                    && !LOWER_HONORIFICS.contains(&&text.as_bytes()[cs..ce])
                {
                    return;
                }
            } else {
                for h in [
                    "Mr. ", "Mrs. ", "Ms. ", "Mx. ", "Dr. ", "Miss ", "Prof. ", "Mr ", "Mrs ",
                    "Ms ", "Mx ", "Dr ",
                ] {
                    if text[at..].starts_with(h) {
                        at += h.len();
                        honor = true;
                        break;
                    }
                }
            }
            // "NAME: PRIYA SHARMA", "MY NAME IS JOHN SMITH": a form or a record in capitals.
            if matches!(cue, Cue::Strong | Cue::Own)
                && !honor
                && !verb
                && let Some(h) = capitals_name(text, at, g)
            {
                out.push(h);
                return;
            }
            // "Patient: J. Thompson", "Mr. T. Nakamura", "Thanks,\nJ. Smith": an initial, then
            // the surname: after a cue that names the person, one that is no English word or,
            // after an initial with its period, one a gazetteer knows ("Patient: X Ray
            // scheduled", "T Cell count" are not); after a sign-off, one a gazetteer knows;
            // after other cues none ("this is J. Crew").
            let named = matches!(cue, Cue::Strong | Cue::Own | Cue::Honorific) && !verb;
            if let Some(after) = initial_at(text, at, named) {
                read_tokens(text, after, &mut toks);
                let Some(&(ls, le)) = toks.last() else {
                    return;
                };
                let last = &text[ls..le];
                let dotted = text.as_bytes().get(at + 1) == Some(&b'.');
                toks.insert(0, (at, after - 1));
                let ok = if named {
                    !is_english(last) || dotted && g.any_surname(last)
                } else {
                    g.any_surname(last) && signed_off(text, &toks)
                };
                if !ok {
                    return;
                }
                if honor && cue == Cue::Honorific {
                    toks.insert(0, (cs, ce));
                }
                return push(text, &toks, cue, honor, g, out);
            }
            read_tokens(text, at, &mut toks);
            let (Some(&(fs, fe)), Some(&(ls, le))) = (toks.first(), toks.last()) else {
                return;
            };
            if verb && !(g.is_first(&text[fs..fe]) || g.any_surname(&text[ls..le])) {
                return;
            }
            // "Patient name: Doe, John": a record's surname, a comma, a known first name.
            if matches!(cue, Cue::Strong | Cue::Own)
                && toks.len() == 1
                && let Some(h) = surname_first(text, toks[0], g)
            {
                out.push(h);
                return;
            }
            // "9400 Doliver Dr Apt 13": the street's "Dr" before a unit.
            if cue == Cue::Honorific
                && toks
                    .first()
                    .is_some_and(|&(a, b)| crate::address::is_unit(&text[a..b]))
            {
                return;
            }
            if honor && cue == Cue::Honorific {
                toks.insert(0, (cs, ce));
            }
            return push(text, &toks, cue, honor, g, out);
        }
    }
    push(text, &toks, cue, false, g, out)
}

/// Where the word after an initial at `at` begins ("J. Smith", and "J Smith" when `bare`
/// initials are allowed: not "I" or "A", which are words): the initial is a capital and a
/// period, then a blank and a capitalised word.
fn initial_at(text: &str, at: usize, bare: bool) -> Option<usize> {
    let b = text.as_bytes();
    let c = *b.get(at)?;
    if !c.is_ascii_uppercase() {
        return None;
    }
    let mut i = at + 1;
    if b.get(i) == Some(&b'.') {
        i += 1;
    } else if !bare || matches!(c, b'I' | b'A') {
        return None;
    }
    (b.get(i) == Some(&b' ') && b.get(i + 1).is_some_and(u8::is_ascii_uppercase)).then_some(i + 1)
}

/// The length of a word in capitals at `b[i..]` (letters, and a hyphen or apostrophe between
/// them: "O'NEILL", "SMITH-JONES"), or 0.
fn capitals_len(b: &[u8], i: usize) -> usize {
    let len = joined_len(b, i, u8::is_ascii_uppercase);
    if b.get(i + len).is_some_and(u8::is_ascii_alphanumeric) {
        0
    } else {
        len
    }
}

/// The length of a word of `letter`s at `b[i..]`, a hyphen or an apostrophe between two of
/// them included ("O'NEILL", "smith-jones"; not a possessive's: after an apostrophe two
/// letters must follow, "SMITH'S" is "SMITH").
fn joined_len(b: &[u8], i: usize, letter: fn(&u8) -> bool) -> usize {
    let mut len = 0;
    while let Some(c) = b.get(i + len) {
        let joins = matches!(c, b'-' | b'\'')
            && len > 0
            && b.get(i + len + 1).is_some_and(letter)
            && (*c == b'-' || b.get(i + len + 2).is_some_and(letter));
        if !(letter(c) || joins) {
            break;
        }
        len += 1;
    }
    len
}

/// One to three words in capitals at `at` after a strong cue ("NAME: PRIYA SHARMA", "JOHN A
/// SMITH" with a middle initial): a name when the first, in title case, is a gazetteer first
/// name that is no stop word, and a second or third word's last is a surname ("NAME: PREMIUM
/// PLAN", "Plan name: GOLD PPO" are not). Or surname first, as records write it ("Patient:
/// DOE, JOHN", "GARCIA, MARIA L"): a word in capitals, ", ", a gazetteer first name and a
/// middle name or initial.
fn capitals_name(text: &str, at: usize, g: &Gazetteer) -> Option<NameHit> {
    let b = text.as_bytes();
    let mut words = [(0usize, 0usize); 3];
    let mut n = 0;
    let mut i = at;
    // Where the words after the first begin: after ", " when the surname comes first.
    let mut surname_first = false;
    while n < words.len() {
        let len = capitals_len(b, i.min(b.len()));
        // A middle initial, with or without its dot, between two words.
        let initial = len == 1 && (n == 1 || (surname_first && n == 2));
        if !((2..=20).contains(&len) || initial) {
            break;
        }
        let mut end = i + len;
        if initial && b.get(end) == Some(&b'.') {
            end += 1;
        }
        words[n] = (i, end);
        n += 1;
        if n == 1 && b.get(end) == Some(&b',') && b.get(end + 1) == Some(&b' ') {
            surname_first = true;
            i = end + 2;
            continue;
        }
        if b.get(end) != Some(&b' ') || !b.get(end + 1).is_some_and(u8::is_ascii_uppercase) {
            break;
        }
        i = end + 1;
    }
    // A trailing initial is no surname ("JOHN A"), unless the surname came first.
    if n >= 2 && !surname_first && words[n - 1].1 - words[n - 1].0 <= 2 {
        n -= 1;
    }
    if n == 0 || (surname_first && n < 2) {
        return None;
    }
    let (mut fb, mut lb) = ([0u8; 24], [0u8; 24]);
    let (fi, li) = if surname_first { (1, 0) } else { (0, n - 1) };
    let first = crate::text::title_case_name(&b[words[fi].0..words[fi].1], &mut fb)?;
    let first_known = g.is_first(first) && !g.stop.contains(first) && !g.ambiguous.contains(first);
    let last_known = n > 1
        && crate::text::title_case_name(&b[words[li].0..words[li].1], &mut lb)
            .is_some_and(|l| g.any_surname(l));
    // One word alone must be no English word too ("NAME: PRIYA" is, "NAME: GRACE" is not).
    // Surname first, the comma says which word is which: a known first name is enough.
    (first_known
        && if n == 1 {
            !is_english(first)
        } else {
            surname_first || last_known
        })
    .then_some(NameHit {
        start: words[0].0,
        end: words[n - 1].1,
        strong: true,
        first_known,
        last_known,
        bare: false,
    })
}

/// "Doe, John" after a strong cue: the one word read (`tok`), ", " and a gazetteer first name
/// (with a middle name or initial after it): the name written surname first, as records do.
fn surname_first(text: &str, tok: (usize, usize), g: &Gazetteer) -> Option<NameHit> {
    let at = tok.1 + text[tok.1..].strip_prefix(", ").map(|_| 2)?;
    let mut rest = Vec::with_capacity(3);
    read_tokens(text, at, &mut rest);
    let &(fs, fe) = rest.first()?;
    let first = &text[fs..fe];
    if !g.is_first(first) || g.stop.contains(first) || g.ambiguous.contains(first) {
        return None;
    }
    let end = rest[..rest.len().min(2)].last().map_or(fe, |t| t.1);
    Some(NameHit {
        start: tok.0,
        end,
        strong: true,
        first_known: true,
        last_known: g.any_surname(&text[tok.0..tok.1]),
        bare: false,
    })
}

/// The cue before the name is a greeting ("Hi", "Hello", "Hey", "Dear", "Thanks") or
/// "call(s) me".
fn addressed(text: &str, toks: &[(usize, usize)]) -> bool {
    let Some(&(start, _)) = toks.first() else {
        return false;
    };
    let before = text[..start].trim_end_matches([' ', ',']).as_bytes();
    [
        "hi",
        "hello",
        "hey",
        "dear",
        "call me",
        "calls me",
        "thanks",
        "thank you",
    ]
    .iter()
    .any(|g| ends_with_words_ci(before, g))
}

/// A name typed in lower case after "my name is", "name:", "my name's" ("my name is john
/// smith", "Name: maria garcia"): the cue scan only sees capitals, so "name" is looked for
/// at each 'a' (one memchr pass the engine shares with spelled-out emails).
/// The first word must be a gazetteer first name that is no English word ("my name is not
/// important", "name: will do"), each word after it a gazetteer surname.
/// `a` is where an "a" stands in `text`; the engine's pass over every 'a' calls this.
pub(crate) fn lower_name_at(text: &str, a: usize, g: &Gazetteer, out: &mut Vec<NameHit>) {
    let b = text.as_bytes();
    // "ame", then 'n' or 'N' before it: "name", "Name".
    if b.get(a..a + 3) != Some(b"ame") {
        return;
    }
    let Some(p) = a.checked_sub(1) else {
        return;
    };
    if !matches!(b[p], b'n' | b'N') || (p > 0 && b[p - 1].is_ascii_alphanumeric()) {
        return;
    }
    {
        let rest = &b[p + 4..];
        let skip = [&b" is "[..], b"'s ", "\u{2019}s ".as_bytes(), b": ", b":"]
            .iter()
            .find(|c| rest.starts_with(c))
            .map(|c| c.len());
        let Some(mut i) = skip.map(|k| p + 4 + k) else {
            return;
        };
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        let mut toks: [(usize, usize); 3] = [(0, 0); 3];
        let mut n = 0;
        while n < 3 {
            // Lower-case letters, and a hyphen or apostrophe between two ("o'brien").
            let len = joined_len(b, i, u8::is_ascii_lowercase);
            if !(2..=20).contains(&len) || b.get(i + len).is_some_and(|c| c.is_ascii_alphanumeric())
            {
                break;
            }
            let mut buf = [0u8; 24];
            let Some(w) = crate::text::title_case_name(&b[i..i + len], &mut buf) else {
                break;
            };
            let known = if n == 0 {
                g.is_first(w) && !g.ambiguous.contains(w) && !g.stop.contains(w)
            } else {
                g.any_surname(w) && !g.ambiguous.contains(w)
            };
            if !known {
                break;
            }
            toks[n] = (i, i + len);
            n += 1;
            if b.get(i + len) != Some(&b' ') {
                break;
            }
            i += len + 1;
        }
        if n > 0 {
            out.push(NameHit {
                start: toks[0].0,
                end: toks[n - 1].1,
                strong: true,
                first_known: true,
                last_known: n > 1,
                bare: false,
            });
        }
    }
}

/// Words that are names but also common English words: a name found once does not make
/// every later "Will" or "Mark" the person.
const AMBIGUOUS: &[&str] = &[
    "Will", "Mark", "Bill", "Grant", "Rose", "Hope", "Faith", "Joy", "Art", "Dawn", "Frank", "Pat",
    "Chase", "Page", "Hunter", "Mason", "Wade", "Rich", "Young", "King", "Long", "Love", "Hall",
    "Park", "Price", "Lane", "Brown", "White", "Green", "Black", "Gray", "Grey", "Bell", "Cook",
    "Miller", "Ray", "Sky", "Summer", "Autumn", "Holly", "Ivy", "Max", "Sunny", "Don", "Guy",
];

/// First names that, alone before "said" or "told", more often name a place, an insurer, a
/// bank or an assistant ("Florida said", "Oscar said my claim was denied", "Alexa said").
const SPEAKING_PLACES: &[&str] = &[
    "Adelaide",
    "Alexa",
    "Aurora",
    "Austin",
    "Carolina",
    "Charlotte",
    "Chelsea",
    "Dakota",
    "Dallas",
    "Denver",
    "Florida",
    "Georgia",
    "Houston",
    "Jordan",
    "Lincoln",
    "Madison",
    "Marcus",
    "Orlando",
    "Oscar",
    "Phoenix",
    "Regina",
    "Siri",
    "Sydney",
    "Victoria",
    "Virginia",
];

/// Later mentions of a name found once ("My name is Margrethe Kristiansen but everyone calls
/// me Margrethe"): each word of `hits`' names (capitalised, three letters or more, no stop or
/// ambiguous word) wherever it stands alone again in the text, outside every hit.
pub(crate) fn repeats(text: &str, hits: &[NameHit], g: &Gazetteer) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    // The reported names' words, each with the first hit it came from.
    let mut words: Vec<(&str, usize)> = Vec::new();
    for (hi, h) in hits.iter().enumerate() {
        if !(h.bare || h.strong) {
            continue;
        }
        for w in text[h.start..h.end].split([' ', '\n']) {
            let w = w.trim_end_matches(['.', ',']);
            if w.len() >= 3
                && is_name_token(w)
                && !g.stop.contains(w)
                && !g.ambiguous.contains(w)
                && !HONORIFICS.contains(&w)
            {
                words.push((w, hi));
            }
        }
    }
    if words.is_empty() {
        return out;
    }
    words.sort_unstable();
    words.dedup_by(|a, b| a.0 == b.0);
    // A text with many names (a long transcript) looks its words up by hash.
    let map: Option<
        std::collections::HashMap<&str, usize, std::hash::BuildHasherDefault<crate::text::Fnv>>,
    > = (words.len() > 16).then(|| words.iter().copied().collect());
    // One pass over the text's capitalised words (a capital after a byte that is no letter,
    // digit, '\'' or '-'), as the cue scan finds them; a lower-case two-byte letter the scan
    // also visits matches no name word.
    let b = text.as_bytes();
    let word_byte = |x: u8| x.is_ascii_alphanumeric() || x == b'\'' || x == b'-' || x >= 0x80;
    // The hits' spans in text order, walked with the scan.
    let mut spans: Vec<(usize, usize)> = hits
        .iter()
        .filter(|h| h.bare || h.strong)
        .map(|h| (h.start, h.end))
        .collect();
    spans.sort_unstable();
    let mut cur = 0;
    // Two-byte prefilter: most capitalised words share no first two bytes with a name word.
    let mut pairs = [0u64; 128];
    let pair = |w: &[u8]| (usize::from(w[0] & 31) << 8) | usize::from(w[1]);
    for (w, _) in &words {
        let k = pair(w.as_bytes());
        pairs[k >> 6] |= 1 << (k & 63);
    }
    each_capital(b, |i| {
        if i + 1 >= b.len() || (i > 0 && word_byte(b[i - 1])) {
            return;
        }
        let k = pair(&b[i..]);
        if pairs[k >> 6] & (1 << (k & 63)) == 0 {
            return;
        }
        let mut e = i + 1;
        while e < b.len() && word_byte(b[e]) {
            e += 1;
        }
        // "John's chart": the possessive is not part of the name.
        let w = text.get(i..e).map(|w| w.strip_suffix("'s").unwrap_or(w));
        if let Some(w) = w
            && let Some(hi) = if let Some(m) = &map {
                m.get(w).copied()
            } else {
                words.iter().find(|&&(x, _)| x == w).map(|&(_, hi)| hi)
            }
        {
            while cur < spans.len() && spans[cur].1 <= i {
                cur += 1;
            }
            // Spans from `cur` on end after `i`; one starting before the word's end overlaps.
            let overlaps = spans[cur..]
                .iter()
                .take_while(|&&(s, _)| s < i + w.len())
                .any(|&(_, e)| e > i);
            if !overlaps {
                out.push((i, i + w.len(), hi));
            }
        }
    });
    out
}

/// The cue labels a person's name whatever word follows: a surname ("maiden name is", "last
/// name:", "family name is"), a first, given, legal or full name, or "Name:" starting its
/// line, as a form pasted into chat writes it ("Plan name: Premium" is no person's, nor
/// `name: String` in pasted code).
fn name_label(text: &str, toks: &[(usize, usize)]) -> bool {
    let Some(&(start, _)) = toks.first() else {
        return false;
    };
    let before = text[..start].trim_end_matches([' ', ':']).as_bytes();
    let labelled = [
        "maiden name is",
        "last name is",
        "family name is",
        "first name is",
        "maiden name",
        "last name",
        "family name",
        "first name",
        "given name",
        "legal name",
        "full name",
    ]
    .iter()
    .any(|c| ends_with_words_ci(before, c));
    if labelled {
        return true;
    }
    // "Name:" alone at the start of its line, capitalised as a form writes it (`name:
    // String` is a field of pasted code).
    let Some(head) = before.len().checked_sub(4).map(|n| &before[..n]) else {
        return false;
    };
    let line = head.rsplit(|&c| c == b'\n').next().unwrap_or(head);
    matches!(&before[head.len()..], b"Name" | b"NAME") && line.iter().all(u8::is_ascii_whitespace)
}

/// The name stands at the start of the line after a sign-off ("Thanks,", "Regards,").
fn signed_off(text: &str, toks: &[(usize, usize)]) -> bool {
    let Some(&(start, _)) = toks.first() else {
        return false;
    };
    let Some(before) = text[..start].trim_end_matches(' ').strip_suffix('\n') else {
        return false;
    };
    let before = before.trim_end_matches(['\r', ' ']).as_bytes();
    [
        "thanks,",
        "thank you,",
        "regards,",
        "best,",
        "cheers,",
        "sincerely,",
    ]
    .iter()
    .any(|c| ends_with_words_ci(before, c))
}

/// The name is followed by ',', '!', '.', a line end or the end of the text.
fn phrase_ends_after(text: &str, toks: &[(usize, usize)]) -> bool {
    toks.last().is_some_and(|&(_, end)| {
        text[end..]
            .chars()
            .next()
            .is_none_or(|c| matches!(c, ',' | '!' | '.' | '\n' | '\r'))
    })
}

fn push(
    text: &str,
    toks: &[(usize, usize)],
    cue: Cue,
    honor: bool,
    g: &Gazetteer,
    out: &mut Vec<NameHit>,
) {
    let mut toks = toks;
    // At most an honorific, three words and a suffix: no allocation per candidate.
    let mut buf = [""; 5];
    let mut len = 0;
    for &(a, b) in toks.iter().skip(usize::from(cue == Cue::Honorific)) {
        let t = &text[a..b];
        if !SUFFIX.contains(&t) && len < buf.len() {
            buf[len] = t;
            len += 1;
        }
    }
    let mut name_toks = &buf[..len];
    // "ask for Jose Chavez Can you …": a third word after a known surname that is no surname
    // itself starts the next sentence.
    if let (3, Some(&(a, b))) = (name_toks.len(), toks.last())
        && name_toks[2] == &text[a..b]
        && g.any_surname(name_toks[1])
        && !g.any_surname(name_toks[2])
    {
        name_toks = &name_toks[..2];
        toks = &toks[..toks.len() - 1];
    }
    if name_toks.is_empty() {
        return;
    }
    let first_known = g.is_first(name_toks[0]);
    // With no cue only a common surname makes the pair a name ("Oma Fenster" is German prose).
    let last_known = name_toks.len() >= 2 && {
        let w = name_toks[name_toks.len() - 1];
        if cue == Cue::Bare {
            g.is_surname(w)
        } else {
            g.any_surname(w)
        }
    };
    // "April Harris" is a name even though "April" is a month.
    if name_toks.iter().any(|t| g.stop.contains(t)) && !(first_known && last_known) {
        return;
    }
    let n = name_toks.len();
    let strong = match (n, cue) {
        // "Mr. Mayers": an honorific before a capitalised word names a person.
        (1, Cue::Honorific) => true,
        // "my name is Amy", "her maiden name is Robinson"; any surname after "maiden name
        // is" / "last name is" ("Her maiden name is Pisano").
        (1, Cue::Strong) => first_known || g.any_surname(name_toks[0]) || name_label(text, toks),
        // "My name is Priya": after the customer's own-name cue, any capitalised word that is
        // no stop word (those returned above).
        (1, Cue::Own) => true,
        // "Hi Amy," / "Dear Amy!" / "everyone calls me Amy": a greeting or "call me", a known
        // first name and the end of the phrase.
        // "Thanks,\nPatrick": a sign-off, then a known first name alone on its line.
        // "my son Tyler", "my mother is Maria": a known first name; so is "Carlos here."
        (1, Cue::Relation | Cue::After | Cue::Role) => first_known,
        (1, Cue::Says) => {
            first_known
                && !is_english(name_toks[0])
                && !g.ambiguous.contains(name_toks[0])
                && !SPEAKING_PLACES.contains(&name_toks[0])
        }
        (_, Cue::Says) => first_known && last_known,
        (1, Cue::Weak | Cue::Contact) => {
            first_known
                && (addressed(text, toks) || signed_off(text, toks))
                && phrase_ends_after(text, toks)
        }
        (_, Cue::Bare) => {
            if !(first_known && last_known) || is_place(name_toks[0], name_toks[n - 1]) {
                return;
            }
            true
        }
        (_, Cue::Honorific | Cue::Own) => true,
        // "Name: Premium Plan", "Signed: Lease Agreement": a form's field may name a thing;
        // two or three English words neither gazetteer knows are one.
        (_, Cue::Strong) => {
            first_known || last_known || honor || !name_toks.iter().all(|t| is_english(t))
        }
        // "Regards,\nDmitri Ivanov": two or three capitalised words alone on the line under
        // a sign-off are a signature, whatever the gazetteers know (a team's name has a stop
        // word: "The Billing Team").
        (_, Cue::Weak | Cue::Contact)
            if signed_off(text, toks) && phrase_ends_after(text, toks) =>
        {
            true
        }
        // "hi, I'm Clelia Torricelli": two or three capitalised words after a cue that no
        // gazetteer knows are a name when the last is no English word and at most one is
        // ("I'm Very Happy", "this is Microsoft Teams" are not), unless the cue may as well
        // name an organisation ("talked to Comcast Xfinity").
        _ => {
            first_known
                || last_known
                || honor
                || (n >= 2
                    && cue != Cue::Contact
                    && !is_english(name_toks[n - 1])
                    && name_toks.iter().filter(|t| is_english(t)).count() <= 1)
        }
    };
    let (Some(&(start, _)), Some(&(_, end))) = (toks.first(), toks.last()) else {
        return;
    };
    out.push(NameHit {
        start,
        end,
        strong,
        first_known,
        last_known,
        bare: cue == Cue::Bare,
    });
}

/// Words before "name" that make it the name of a thing ("company name?", "the file name?").
const THING_NAMES: &[&str] = &[
    "app",
    "bank",
    "brand",
    "business",
    "company",
    "device",
    "domain",
    "employer",
    "event",
    "file",
    "network",
    "organisation",
    "organization",
    "pet",
    "plan",
    "product",
    "project",
    "shop",
    "store",
    "street",
    "team",
    "user",
    "workspace",
];

/// First words of place names that the gazetteers also list as names ("San Diego", "Santa
/// Rosa", "Saint Paul", "Fort Worth").
const PLACE_FIRST: &[&str] = &[
    "Del", "El", "Fort", "Glen", "Lake", "Las", "Los", "Mount", "Palm", "Port", "Saint", "San",
    "Santa", "Santo", "St", "São",
];

/// Places and things whose names read as a first name and a surname.
const NAMED_THINGS: &[(&str, &str)] = &[
    ("Glen", "Burnie"),
    ("Hong", "Kong"),
    ("Mercedes", "Benz"),
    ("Sierra", "Leone"),
    ("Winston", "Salem"),
];

/// Days of the week: the last word of a day's name ("Easter Sunday", "Cyber Monday"), never
/// of a person's.
const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Whether a pair of name words (title case) is rather a place, a day or a thing: "San
/// Diego", "Winston Salem", "Hong Kong", "Easter Sunday".
pub(crate) fn is_place(first: &str, last: &str) -> bool {
    PLACE_FIRST.contains(&first)
        || NAMED_THINGS.contains(&(first, last))
        || WEEKDAYS.contains(&last)
}

/// Words that make a question with "who" one about an organisation ("Who is your insurance
/// carrier?", "Who do you bank with?"): its answer is no person's name.
const ORGANISATION_WORDS: &[&str] = &[
    "agency",
    "airline",
    "bank",
    "brand",
    "broker",
    "business",
    "carrier",
    "clinic",
    "college",
    "company",
    "employer",
    "firm",
    "hospital",
    "insurance",
    "insurer",
    "isp",
    "lender",
    "manufacturer",
    "organisation",
    "organization",
    "pharmacy",
    "provider",
    "school",
    "store",
    "supplier",
    "university",
    "vendor",
];

/// Words that make a sentence without a question mark a request ("name + email pls",
/// "Please provide the name on the card.").
const REQUEST_WORDS: &[&str] = &[
    "please", "pls", "plz", "provide", "send", "share", "confirm", "need", "give", "tell",
];

/// Whether `tail`, the end of the message a reply answers, asks for a person's name: the last
/// sentence of its last question (on one of its last three lines), or of the last request
/// among those lines ("name + email pls"), has the word "name", not of a thing ("What's your
/// full name?", "May I have the name on the account?"; not "What's the company name?" or "the
/// name of the plan?"), or it is a question with "who" that is not about an organisation
/// ("Who am I speaking with?", "Who should the driver ask for?", "Who is it going to?"; not
/// "Who is your insurance carrier?"): the answer to a who-question is a person's name,
/// whoever's it is.
pub(crate) fn name_question(tail: &str) -> bool {
    // The question is the last line, or one of the two before it when the replier wrote
    // those ("What's your name?\none sec"); a request without its question mark ("name +
    // email pls", "I'll need the full legal name as it appears on your ID.\numm ok") is the
    // last of those lines with a request word.
    let lines: Vec<&str> = tail
        .lines()
        .rev()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .take(3)
        .collect();
    let words_of = |q: &str| -> Vec<String> {
        let from = q.rfind(['.', '!', '?', '\n']).map_or(0, |i| i + 1);
        q[from..]
            .to_ascii_lowercase()
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '\''))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (words, asked) = match lines.iter().find_map(|l| l.strip_suffix('?')) {
        Some(q) => (words_of(q), true),
        None => {
            let Some(words) = lines
                .iter()
                .map(|l| words_of(l.trim_end_matches(['.', '!'])))
                .find(|ws| ws.iter().any(|w| REQUEST_WORDS.contains(&w.as_str())))
            else {
                return false;
            };
            (words, false)
        }
    };
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    // "Who am I speaking with?", "who do I have the pleasure of talking to?", "who should the
    // driver ask for?"
    let asks_who = asked
        && words
            .iter()
            .any(|w| matches!(*w, "who" | "whom" | "who's" | "whos"))
        && !words.iter().any(|w| ORGANISATION_WORDS.contains(w));
    if asks_who {
        return true;
    }
    words.iter().enumerate().any(|(i, &w)| {
        // "the name of the plan" is a thing's; "the name of the cardholder" a person's.
        // (within the three words after "of": "the name of the account holder")
        let of_person = || {
            words
                .iter()
                .skip(i + 2)
                .take(3)
                .any(|w| PERSON_ROLES.contains(w))
        };
        w == "name"
            && (words.get(i + 1) != Some(&"of") || of_person())
            && (i == 0 || !THING_NAMES.contains(&words[i - 1]))
    })
}

/// Words for a person that make "the name of the …" ask for a person's name.
const PERSON_ROLES: &[&str] = &[
    "beneficiary",
    "cardholder",
    "customer",
    "driver",
    "employee",
    "guarantor",
    "holder",
    "insured",
    "member",
    "owner",
    "patient",
    "person",
    "policyholder",
    "recipient",
    "subscriber",
];

/// Words a reply may open with before the name it gives, past [`crate::text::REPLY_OPENERS`]
/// ("Hi, this is Jane", "I'm Jane", "that'd be me, Jane").
const OPENERS: crate::text::Words = crate::text::Words::new(&[
    "hi",
    "hello",
    "this is",
    "i'm",
    "i\u{2019}m",
    "im",
    "i am",
    "my name is",
    "my name's",
    "name is",
    "name:",
    "that's me",
    "that\u{2019}s me",
    "that'd be me",
    "that would be me",
    "me",
    // "it's under Rosa Wójcik" (the booking, the account).
    "under",
]);

/// Opener words that introduce the one who writes ("it's", "I'm", "this is", "my name is",
/// "here").
const INTRODUCING: &[&str] = &[
    "it's",
    "it\u{2019}s",
    "its",
    "is",
    "i'm",
    "i\u{2019}m",
    "im",
    "am",
    "name",
    "name's",
    "here",
    "here's",
    "me",
];

/// Last words of a company's name ("Edward Jones Inc", "Acme Corp").
const COMPANY_ENDS: &[&str] = &[
    "Associates",
    "Co",
    "Company",
    "Corp",
    "Corporation",
    "Group",
    "Holdings",
    "Inc",
    "LLC",
    "LLP",
    "Ltd",
    "Partners",
    "PLC",
];

/// Words a reply ends with after the name ("Priya here", "Jane thanks").
const REPLY_ENDS: &[&str] = &[
    "Again", "Here", "Please", "Pls", "Speaking", "Thanks", "Thx", "Too", "Ty",
];

/// The name a reply to a name question gives on its first line: after openers ("sure,",
/// "it's", "here"), one to three words of letters, title or lower case, with a middle initial
/// between ("Jane Doe", "jane doe", "kevin x. guzman"), and after them nothing, punctuation, a
/// word a reply ends with ("Priya here") or a value of another kind ("Maria Lopez - (972)
/// 555-0142", "Maria Lopez maria@example.org"); not more words ("Jane Doe is my mother") nor
/// '&' ("johnson & johnson"). The first word is a gazetteer first name; when it is an English
/// word or an ambiguous name ("Will do", "Mark it") a common surname that is no English word
/// must end the name, otherwise any word but a stop word does. A name no gazetteer knows is
/// two or three capitalised words, none an English word ("Yatin Bhalla").
pub(crate) fn answer_name(text: &str, g: &Gazetteer) -> Option<(usize, usize)> {
    let line = &text[..text.find('\n').unwrap_or(text.len())];
    name_from(line, line.len() - line.trim_start().len(), g)
        .or_else(|| name_from(line, crate::text::after_remark(line, 0)?, g))
}

/// [`answer_name`] on the first line `line` of a reply, from byte `start`.
fn name_from(line: &str, start: usize, g: &Gazetteer) -> Option<(usize, usize)> {
    let i = crate::text::skip_words(line, start, &[&crate::text::REPLY_OPENERS, &OPENERS]);
    // "it's Holly", "I'm Robin", "this is Grace", "ok here Holly": the reply says it gives a
    // name.
    let introduced = line[..i]
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}'))
        .any(|w| INTRODUCING.iter().any(|x| x.eq_ignore_ascii_case(w)));
    // Up to five words, one space apart: the name, then maybe a word a reply ends with.
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut j = i;
    while words.len() < 5 {
        let rest = &line[j..];
        let n = rest
            .find(|c: char| !(c.is_alphabetic() || c == '\'' || c == '-'))
            .unwrap_or(rest.len());
        if n == 0 {
            break;
        }
        let mut end = j + n;
        // A middle initial: "kevin x. guzman".
        if rest[..n].chars().count() == 1 && line[end..].starts_with('.') {
            end += 1;
        }
        // The start of a token of another kind ("maria@example.org", "abc123") is no word.
        if line[end..].starts_with(|c: char| c == '@' || c == '_' || c.is_alphanumeric()) {
            break;
        }
        words.push((j, end));
        if !line[end..].starts_with(' ') || !line[end + 1..].starts_with(char::is_alphabetic) {
            break;
        }
        j = end + 1;
    }
    // Where the words read end, a word a reply ends with included ("Priya here").
    let read_end = words.last().map_or(i, |w| w.1);
    if let [.., _, (a, b)] = words[..]
        && REPLY_ENDS
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&line[a..b]))
    {
        words.pop();
    }
    let word = |k: usize| &line[words[k].0..words[k].1];
    let (Some(&(s, _)), Some(&(_, e))) = (words.first(), words.last()) else {
        return None;
    };
    if let [(a, b)] = words[..]
        && let Some(name) = last_first(line, a, b, g)
    {
        return Some(name);
    }
    // What follows the name ends it: nothing, punctuation, an emoji, or a value of another
    // kind ("Lâm Nguyen - (972) 274-1780", "Yashica Palla vmendoza@example.biz"); not more
    // words ("Jane Doe is my mother").
    let after = line[read_end..].trim_start();
    let ends = match after.chars().next() {
        None => true,
        // "johnson & johnson": a company.
        Some('&' | '+') => false,
        Some(c) if !c.is_alphabetic() => true,
        Some(_) => after
            .split(' ')
            .next()
            .is_some_and(|t| t.contains(|c: char| c.is_ascii_digit() || c == '@')),
    };
    let n = words.len();
    let initial = |k: usize| word(k).ends_with('.');
    // "J. Thompson-Yamamoto (my spouse)": an initial, then a capitalised surname that a
    // gazetteer knows or that is no English word.
    if ends
        && n == 2
        && initial(0)
        && word(0).starts_with(char::is_uppercase)
        && word(1).starts_with(char::is_uppercase)
    {
        let mut b1 = [0u8; 24];
        let last = titled(word(1), &mut b1)?;
        let known = g.any_surname(last) || !is_english(last) && !g.stop.contains(last);
        let company = COMPANY_ENDS.iter().any(|c| c.eq_ignore_ascii_case(word(1)));
        return (known && !company).then_some((s, e));
    }
    if !ends
        || n > 4
        || initial(0)
        || initial(n - 1)
        || !(0..n).all(|k| initial(k) || answer_word(word(k)))
    {
        return None;
    }
    let mut b0 = [0u8; 24];
    let mut b1 = [0u8; 24];
    let first = titled(word(0), &mut b0)?;
    let last = titled(word(n - 1), &mut b1)?;
    if g.stop.contains(first) || g.stop.contains(last) {
        return None;
    }
    // "Edward Jones Inc", "Acme Corp": a company.
    let next = after
        .trim_start_matches([',', ' '])
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    if [word(n - 1), next]
        .iter()
        .any(|w| COMPANY_ENDS.iter().any(|c| c.eq_ignore_ascii_case(w)))
    {
        return None;
    }
    if is_place(first, last) {
        return None;
    }
    let ok = if g.is_first(first) {
        let plain_first = !is_english(first) && !g.ambiguous.contains(first);
        match n {
            // A first name that is also a word ("Holly", "Robin") after an opener that
            // introduces the writer, typed with its capital.
            1 => plain_first || introduced && word(0).starts_with(char::is_uppercase),
            // Four words ("maría josé fernández ruiz"): a common surname ends them.
            4 => plain_first && g.is_surname(last),
            // "Jane Doe", "jane doe": after a first name that is only a name, the question
            // says the rest is the name too.
            _ if plain_first => true,
            _ => g.is_surname(last) && !is_english(last),
        }
    } else {
        // A name no gazetteer knows, typed with its capitals ("Yatin Bhalla"): two or three
        // words, none an English word. In lower case, a common surname ends it and a letter
        // outside ASCII says the first word is no English one ("dũng nguyễn", "hà đặng").
        // Or, capitalised, a first word that is no English one and a common surname that may
        // be one ("Ximena Brooks").
        let plain = |k: usize| !is_english(word(k)) && !g.stop.contains(word(k));
        let capital = |k: usize| word(k).starts_with(char::is_uppercase);
        (2..=3).contains(&n)
            && ((0..n).all(|k| initial(k) || capital(k) && plain(k))
                || (0..n).all(|k| initial(k) || capital(k))
                    && (0..n - 1).all(|k| initial(k) || plain(k))
                    && g.is_surname(last)
                || !word(0).is_ascii()
                    && (0..n).all(|k| initial(k) || plain(k))
                    && g.is_surname(last)
                    && !is_english(last))
    };
    ok.then_some((s, e))
}

/// "Papadopoulos-Reyes, Dmitri, 44 Lakeview Way": a surname (capitalised, no English word)
/// at `line[a..b]`, a comma, and a gazetteer first name that is only a name, then the end,
/// punctuation or a value with a digit or '@': the span of both.
fn last_first(line: &str, a: usize, b: usize, g: &Gazetteer) -> Option<(usize, usize)> {
    let last = &line[a..b];
    let rest = line[b..].strip_prefix(", ")?;
    let f0 = b + 2;
    let n = rest
        .find(|c: char| !(c.is_alphabetic() || c == '\'' || c == '-'))
        .unwrap_or(rest.len());
    let first = &rest[..n];
    let after = rest[n..].trim_start();
    let ends = match after.chars().next() {
        None => true,
        Some(c) if !c.is_alphabetic() => c != '&' && c != '+',
        Some(_) => after
            .split(' ')
            .next()
            .is_some_and(|t| t.contains(|c: char| c.is_ascii_digit() || c == '@')),
    };
    let mut buf = [0u8; 24];
    let title = titled(first, &mut buf)?;
    (ends
        && last.starts_with(char::is_uppercase)
        && first.starts_with(char::is_uppercase)
        && answer_word(last)
        && answer_word(first)
        && !is_english(last)
        && g.is_first(title)
        && !is_english(title)
        && !g.ambiguous.contains(title))
    .then_some((a, f0 + n))
}

/// A word of a name given in reply: letters, '\'' and '-', two or more characters, title
/// case or lower case; a capital inside only after '\'', '-' or "Mc" ("O'Connor",
/// "Mary-Kate", "McKenzie").
fn answer_word(w: &str) -> bool {
    // In capitals: "ROSA WÓJCIK-OYELARAN".
    if w.chars().count() >= 2 && w.chars().all(|c| c.is_uppercase() || c == '\'' || c == '-') {
        return true;
    }
    let mut cs = w.chars();
    let Some(c0) = cs.next() else { return false };
    let mut prev = c0;
    let mut n = 0;
    c0.is_alphabetic()
        && cs.all(|c| {
            n += 1;
            let ok = c == '\''
                || c == '-'
                || c.is_alphabetic()
                    && (!c.is_uppercase()
                        || matches!(prev, '\'' | '-')
                        || w.starts_with("Mc") && n == 2
                        || w.starts_with("Mac") && n == 3);
            prev = c;
            ok
        })
        && n > 0
}

/// `w` in title case for the gazetteers ("jane" → "Jane", "ROSA" → "Rosa", "WÓJCIK" →
/// "Wójcik"); a word that starts with a non-ASCII letter is otherwise looked up as written.
fn titled<'a>(w: &'a str, buf: &'a mut [u8; 24]) -> Option<&'a str> {
    if w.chars().count() >= 2 && w.chars().all(|c| c.is_uppercase() || c == '\'' || c == '-') {
        let mut n = 0;
        for (k, c) in w.chars().enumerate() {
            let c = if k == 0 {
                c
            } else {
                c.to_lowercase().next().unwrap_or(c)
            };
            let to = buf.get_mut(n..n + c.len_utf8())?;
            c.encode_utf8(to);
            n += c.len_utf8();
        }
        return std::str::from_utf8(&buf[..n]).ok();
    }
    let b = w.as_bytes();
    if b.first().is_none_or(|x| !x.is_ascii()) {
        return Some(w);
    }
    if b.len() > buf.len() {
        return None;
    }
    buf[..b.len()].copy_from_slice(b);
    buf[0].make_ascii_uppercase();
    std::str::from_utf8(&buf[..b.len()]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_questions_ask_for_a_person() {
        for q in [
            "What's your full name?",
            "Thanks. May I have the name on the account?",
            "could I get your first and last name please?",
            "Who am I speaking with?",
            "May I ask who I'm chatting with?",
            "Who do I have the pleasure of talking to?",
            "Hi, who is this?",
            "Thanks! name + email pls",
            "Please provide the name on the card.",
            "NAME?",
            "What's your name?\none sec",
            // Any question with "who": its answer is someone's name.
            "Got it. Who should the driver ask for, and what's a good phone number?",
            "Can I get the full name of the cardholder?\numm ok",
            "what is the name of your insurance policyholder?",
            "and the name of the account holder?",
            "I'll need the full legal name as it appears on your ID.\numm ok",
            "Ok! Who is it going to and what's the address?",
            "whos the recipient?",
            "Who did you talk to, and when?",
        ] {
            assert!(name_question(q), "{q:?}");
        }
        for q in [
            "What's the company name?",
            "What is the name of your plan?",
            "Your name is on the card. Is the card still active?",
            "What's your full name",
            "Can I have your user name?",
            "What is your SSN?",
            "What's your name?\nok\nhang on\nthe bill is wrong",
            "Who is your insurance carrier?",
            "Who do you bank with?",
            "Who is your employer?",
            "I'll ask who is on call. Anything else?",
            "Thanks for the name.",
            "What's the employer name on the form?",
            "I'll need the company name.\nok thanks",
            "Please send the file name.\nsure",
        ] {
            assert!(!name_question(q), "{q:?}");
        }
    }

    #[test]
    fn answers_to_a_name_question() {
        let g = Gazetteer::new();
        for (text, want) in [
            ("Jane Doe", "Jane Doe"),
            ("jane doe", "jane doe"),
            ("sure, Jane Doe.", "Jane Doe"),
            ("It's Priya", "Priya"),
            ("Priya here", "Priya"),
            ("this is Mary-Kate O'Connor!", "Mary-Kate O'Connor"),
            ("Mark Evans\nand my card ends 1111", "Mark Evans"),
            ("José García", "José García"),
            ("Ann McKenzie", "Ann McKenzie"),
            // An initial first; a first name no gazetteer knows before a surname that is also
            // a word.
            ("J. Thompson-Yamamoto (my spouse)", "J. Thompson-Yamamoto"),
            ("Ximena Brooks. thx", "Ximena Brooks"),
            // Another value after the name, a reply's last word, a middle initial.
            ("Maria Lopez - (972) 555-0142", "Maria Lopez"),
            ("Maria Lopez maria@example.org", "Maria Lopez"),
            ("sure - Maria Lopez, August 8, 1995", "Maria Lopez"),
            ("this is kevin x. guzman ty", "kevin x. guzman"),
            ("ok here Priya, thanks!", "Priya"),
            // A first name that is also a word, after an opener that introduces the writer.
            ("ok here Holly, thanks!", "Holly"),
            ("I'm Robin - I'm the owner", "Robin"),
            ("it's Grace", "Grace"),
            ("that'd be me, Zoë Reyes-Lindqvist", "Zoë Reyes-Lindqvist"),
            (
                "Of course! It's Darnell MacDonald thanks",
                "Darnell MacDonald",
            ),
            // In capitals.
            ("JANE DOE", "JANE DOE"),
            ("its under ROSA WÓJCIK-OYELARAN", "ROSA WÓJCIK-OYELARAN"),
            ("SOFIA YAMAMOTO-GARCÍA, 27 Park Dr", "SOFIA YAMAMOTO-GARCÍA"),
            // A name no gazetteer knows, typed with its capitals, or in lower case with a
            // letter outside ASCII and a common surname last.
            ("Yatin Bhalla thanks", "Yatin Bhalla"),
            ("yes dũng nguyễn", "dũng nguyễn"),
            ("hà đặng - ha.dang@example.org", "hà đặng"),
            // A first name whose first letter is accented, in lower case.
            ("élise martin", "élise martin"),
            // After a short remark.
            (
                "sorry was afk. priya sharma (account holder)",
                "priya sharma",
            ),
            ("oops typo - dũng nguyễn here", "dũng nguyễn"),
            // "Last, First".
            (
                "Papadopoulos-Reyes, Dmitri, 44 Lakeview Way, Suite 915",
                "Papadopoulos-Reyes, Dmitri",
            ),
            ("Nguyen, Priya", "Nguyen, Priya"),
            // Four words, a common surname last.
            (
                "maría josé fernández ruiz. thx",
                "maría josé fernández ruiz",
            ),
        ] {
            let got = answer_name(text, &g).map(|(s, e)| &text[s..e]);
            assert_eq!(got, Some(want), "{text:?}");
        }
        for text in [
            "Thank you",
            "Will do",
            "Mark it as resolved",
            "John The",
            "ok",
            "Hope",
            "WILL DO",
            "sorry. will do",
            "Maria Lopez the store manager",
            "Jane Doe thanks so much",
            "Sorry, Priya",
            "Thanks, Mark",
            "Papadopoulos, thanks",
            "I checked the whole account and could not find it. Jane Doe",
            "San Diego",
            "HOPE SO",
            "ACME LLC",
            "my card is 4111 1111 1111 1111",
            "Jane Doe is my mother and she needs help",
            "yatin bhalla",
            "Very Happy",
            "Maria Lopez the manager",
            "x. Lopez",
            "J. Crew Inc",
            "johnson & johnson",
            // A word that is also a name, without an opener that introduces the writer or
            // without its capital; companies.
            "Holly",
            "sure, Holly",
            "it's holly",
            "Acme Corp",
            "Edward Jones, Inc.",
            // Lower case without a letter outside ASCII or without a surname the gazetteer
            // knows.
            "dung nguyen",
            "hà mình",
            "",
        ] {
            assert_eq!(answer_name(text, &g), None, "{text:?}");
        }
    }

    fn find(text: &str) -> Vec<(String, bool)> {
        let g = Gazetteer::new();
        let lower = text.to_ascii_lowercase();
        let mut out = Vec::new();
        for (cue, kind) in CUES {
            let mut from = 0;
            while let Some(i) = lower[from..].find(cue) {
                let s = from + i;
                let e = s + cue.len();
                let ok_b = s == 0 || !lower.as_bytes()[s - 1].is_ascii_alphanumeric();
                let ok_a = e == lower.len()
                    || !lower.as_bytes()[e].is_ascii_alphanumeric()
                    || cue.ends_with(['.', ',', ':']);
                if ok_b && ok_a {
                    candidates(text, s, e, *kind, &g, &mut out);
                }
                from = e;
            }
        }
        out.iter()
            .map(|h| (text[h.start..h.end].to_string(), h.strong))
            .collect()
    }

    #[test]
    fn capital_mask_is_exact() {
        for x in 0..=255u8 {
            for (pos, fill) in (0..8).flat_map(|p| [b'a', 0xC2, 0xD5, 0xFF, 0].map(|f| (p, f))) {
                let mut w = [fill; 8];
                w[pos] = x;
                let m = ascii_upper_mask(u64::from_le_bytes(w));
                let want = if x.is_ascii_uppercase() || (0xC3..=0xD4).contains(&x) {
                    0x80u64 << (8 * pos)
                } else {
                    0
                };
                assert_eq!(m, want, "byte {x:#x} at {pos}");
            }
        }
    }

    #[test]
    fn cue_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("hi this is Katrina Clark", "Katrina Clark", true),
            (
                "the account is under Walter Hutchinson",
                "Walter Hutchinson",
                true,
            ),
            ("Name: Mark Brown, DOB", "Mark Brown", true),
            ("Scott Collins here. my medicare", "Scott Collins", true),
            (
                "please ask for Dr. Jennifer Johnston",
                "Dr. Jennifer Johnston",
                true,
            ),
            ("hi, I'm Ruth Smith, email", "Ruth Smith", true),
            ("Hi, it's Carlos here", "Carlos", true),
            ("Carlos here. my order", "Carlos", true),
            ("Carlos here - quick question", "Carlos", true),
            ("Thanks, Maria!", "Maria", true),
            ("Regards,\nDmitri Ivanov", "Dmitri Ivanov", true),
            ("Hola, me llamo Carlos García", "Carlos García", true),
            ("Bonjour, je m'appelle Marie Dubois", "Marie Dubois", true),
            ("ich heiße Jürgen Müller", "Jürgen Müller", true),
            // The person a customer speaks for: a known first name alone is enough.
            ("my son Tyler needs a refill", "Tyler", true),
            ("beneficiary: Michal Horký", "Michal Horký", true),
        ];
        for (text, name, strong) in cases {
            let got = find(text);
            assert!(
                got.iter().any(|(n, s)| n == name && s == strong),
                "{text}: {got:?}"
            );
        }
        for text in [
            "hi this is Acme Support",
            "I'm Sorry about that",
            "this is great",
            "The Best Team here",
            "my partner Acme Corp handles it",
            "my son Has a fever",
            "my sister Netflix account",
            "Paris here is nice",
            "Thanks,\nThe Billing Team",
            "Regards,\nAcme Corp",
        ] {
            assert!(
                find(text).iter().all(|(_, s)| !s),
                "{text}: {:?}",
                find(text)
            );
        }
    }

    /// The scan's path: cues found by `find_cues`, then candidates.
    fn scan_names(text: &str) -> Vec<(String, bool, bool)> {
        let g = Gazetteer::new();
        let mut cues = Vec::new();
        find_cues(text, &cue_index(), &g, &mut cues);
        let mut out = Vec::new();
        for (s, e, c) in cues {
            candidates(text, s, e, c, &g, &mut out);
        }
        out.iter()
            .map(|h| (text[h.start..h.end].to_string(), h.strong, h.bare))
            .collect()
    }

    /// A relation cue is found before " is" too, by the cue scan (one lookup, not a twin cue
    /// for every relation).
    #[test]
    fn relations_before_is() {
        for (text, name) in [
            ("My husband is David Chen and", "David Chen"),
            ("my mother is Maria.", "Maria"),
            ("the beneficiary is: John Smith", "John Smith"),
        ] {
            let got = scan_names(text);
            assert!(
                got.iter().any(|(n, strong, _)| n == name && *strong),
                "{text}: {got:?}"
            );
        }
        // Before " is" only a relation counts: "hi is Maria" is no greeting of Maria.
        assert!(scan_names("hi is Maria").is_empty());
    }

    /// A role after the name says whom a customer adds ("as a beneficiary"); other words
    /// after " as " do not.
    #[test]
    fn names_before_a_role() {
        for (text, name) in [
            (
                "I want to add Michal Horký as a beneficiary to my account",
                "Michal Horký",
            ),
            ("we need to add Guy Migneault as guardian", "Guy Migneault"),
            ("please add Tyler as an authorized user", "Tyler"),
        ] {
            assert_strong_name(text, name);
        }
        for text in [
            "add Apple Pay as a payment method",
            "add Tyler as a friend",
            "Saved Cards as a beneficiary list",
            "add Acme Corp as beneficiaryship",
        ] {
            assert_no_strong_name(text);
        }
    }

    /// A hyphen or apostrophe before a capital joins one name: "Jean-Luc", "O'Connor" are read
    /// whole (the gazetteers know each part), not from their second half.
    #[test]
    fn hyphenated_and_apostrophe_names_are_one_word() {
        for (text, name) in [
            (
                "Mary-Kate O'Connor here, quick question",
                "Mary-Kate O'Connor",
            ),
            ("Sean O'Connor here", "Sean O'Connor"),
            ("my name is Anna-Lena Schmidt", "Anna-Lena Schmidt"),
            ("Jean-Luc said it was fine", "Jean-Luc"),
        ] {
            assert_strong_name(text, name);
        }
        let got = scan_names("then Jean-Luc Picard called");
        let names: Vec<&str> = got.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names, ["Jean-Luc Picard"]);
        for text in ["I work at Coca-Cola Company", "Jessica's card was charged"] {
            assert_no_strong_name(text);
        }
    }

    /// A verb of speech after a name: a customer quoting someone ("Jessica said the refund
    /// was on its way"). One word must be a known first name that is no English word, no
    /// ambiguous first name and no place, insurer or assistant that speaks.
    #[test]
    fn names_before_a_verb_of_speech() {
        for (text, name) in [
            ("Jessica said the refund was on its way", "Jessica"),
            ("Yesterday Jessica told me to wait", "Jessica"),
            ("George said to Michelle Johnson, \"totes\"", "George"),
            ("then Mark Evans told me it was fine", "Mark Evans"),
            ("Priya asked for my date of birth", "Priya"),
        ] {
            assert_strong_name(text, name);
        }
        for text in [
            "Chase said my card was blocked",
            "Oscar said my claim was denied",
            "Florida said no",
            "Will said so",
            "Support said it was fine",
            "Apple told me to wait",
            "Jessica saidit",
            "Jessica sayings",
        ] {
            assert_no_strong_name(text);
        }
    }

    /// Names as other languages write them: accents, an apostrophe after an Irish or Italian
    /// prefix, surnames of the wider 2010 list after a cue (never alone).
    #[test]
    fn gazetteer_reads_accents_apostrophes_and_rare_surnames() {
        let g = Gazetteer::new();
        for w in ["Cécile", "Grégoire", "Jürgen", "Łukasz"] {
            assert!(g.is_first(w), "{w}");
        }
        for w in ["Müller", "Gálvez", "O'Neill", "O\u{2019}Brien", "D'Angelo"] {
            assert!(g.is_surname(w), "{w}");
        }
        assert!(g.any_surname("Häring"));
        for w in ["Zz'Top", "O'", "Dmitriyevichovskiy's", "Ö"] {
            assert!(!g.is_first(w) && !g.is_surname(w), "{w}");
        }
        // "Tanguy" is a 2010 census surname only: after a cue a name, alone no pair.
        assert!(!g.is_surname("Tanguy") && g.any_surname("Tanguy"));
        assert_strong_name("hi this is Cécile Tanguy", "Cécile Tanguy");
        // Words no gazetteer knows after a cue: a name unless the last is an English word or
        // the cue may name an organisation.
        assert_strong_name("hi, I'm Clelia Zabarella, thanks", "Clelia Zabarella");
        assert_strong_name("the account is under Jędrzej Nieborak", "Jędrzej Nieborak");
        for text in [
            "I'm Very Happy",
            "this is Microsoft Teams calling",
            "talked to Comcast Xfinity",
            "please ask for Verizon Fios",
            "contact Google Workspace admin",
        ] {
            assert_no_strong_name(text);
        }
        // Records and forms: capitals, and the surname first.
        for (text, name) in [
            ("NAME: PRIYA SHARMA", "PRIYA SHARMA"),
            ("Patient: JOHN SMITH, DOB 01/02/1980", "JOHN SMITH"),
            ("MY NAME IS MARIA GARCIA", "MARIA GARCIA"),
            ("Name: PRIYA", "PRIYA"),
            ("Patient name: Doe, John", "Doe, John"),
            ("Name: Smith, Mary Ann", "Smith, Mary Ann"),
            ("Patient: DOE, JOHN", "DOE, JOHN"),
            ("Insured: GARCIA, MARIA L", "GARCIA, MARIA L"),
            ("Name: O'NEILL, SEAN P.", "O'NEILL, SEAN P."),
            ("Cardholder: JOHN A. SMITH", "JOHN A. SMITH"),
            ("Cardholder: JOHN A SMITH", "JOHN A SMITH"),
            // A possessive is no part of the name.
            ("NAME: JOHN SMITH'S CARD", "JOHN SMITH"),
        ] {
            assert_strong_name(text, name);
        }
        for text in [
            "Name: PREMIUM PLAN",
            "Name: BALANCE, MARK",
            "Name: ACCOUNT, PREMIUM",
            "Name: JOHN A",
            "Plan name: GOLD PPO",
            "Name: WILL",
            "Name: GRACE",
            "Name: JOHN DEERE TRACTOR PARTS",
            "Name: Smith, DOB 01/02/1980",
            "Name: Acme, Inc",
        ] {
            let got = scan_names(text);
            assert!(
                got.iter().all(|(n, strong, _)| !strong || !n.contains(' ')),
                "{text}: {got:?}"
            );
        }
        // Particles inside a name, not at its end.
        assert_strong_name(
            "the account is under Michelle van der Avoirt",
            "Michelle van der Avoirt",
        );
        assert_strong_name("hi, I'm Maria de la Cruz, thanks", "Maria de la Cruz");
        assert_strong_name("I spoke with Priya Atwal yesterday", "Priya Atwal");
        let got = scan_names("then Cécile Tanguy called");
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn bare_names_need_both_gazetteers_and_no_street_suffix() {
        let found: &[(&str, &str)] = &[
            ("John Oliver is a comedian.", "John Oliver"),
            ("then Maria Garcia called back", "Maria Garcia"),
            ("Richard M. Nixon", "Richard M. Nixon"),
            ("so Grace Lee Thanks for the help", "Grace Lee"),
            ("Chris Curtis's email is on file", "Chris Curtis"),
        ];
        for (text, name) in found {
            let got = scan_names(text);
            assert!(
                got.iter()
                    .any(|(n, strong, bare)| n == name && *strong && *bare),
                "{text}: {got:?}"
            );
        }
        for text in [
            "Kelly Brooks Drive is closed",
            "Holly Hill Rd. exit",
            "is there a Grace Period on late payments?",
            "I bank with Chase Bank",
            "Dan Tailor",
            "the Washington Post article",
            "I moved to San Diego last year",
            "Hi from San Jose!",
            "the Santa Rosa office",
            "Winston Salem, NC",
            "we flew to Hong Kong",
            "closed on Easter Sunday",
            "my Mercedes Benz is in the shop",
        ] {
            let got = scan_names(text);
            assert!(got.iter().all(|(_, _, bare)| !bare), "{text}: {got:?}");
        }
    }

    fn assert_no_strong_name(text: &str) {
        let got = scan_names(text);
        assert!(got.iter().all(|(_, strong, _)| !strong), "{text}: {got:?}");
    }

    fn assert_strong_name(text: &str, name: &str) {
        let got = scan_names(text);
        assert!(
            got.iter().any(|(n, strong, _)| n == name && *strong),
            "{text}: {got:?}"
        );
    }

    #[test]
    fn one_word_names_after_a_greeting_or_a_name_cue() {
        for (text, name) in [
            ("Hi Amy, I'm contacting you about a problem", "Amy"),
            ("Dear Amy!", "Amy"),
            (
                "My name is Paula Giles but everyone calls me Cynthia",
                "Cynthia",
            ),
            ("Her maiden name is Robinson", "Robinson"),
            // Any capitalised word after a surname cue, in the gazetteer or not.
            ("Her maiden name is Pisano", "Pisano"),
            ("last name: Kowalczyk", "Kowalczyk"),
            ("Are we there yet?\nThanks,\nPatrick", "Patrick"),
            ("Kind regards,\r\nAmy\r\n", "Amy"),
        ] {
            assert_strong_name(text, name);
        }
        // Not a known first name, or the phrase goes on: not strong by itself.
        for text in [
            "Hi Support, my card was declined",
            "Hi Amy Lou Who is here",
            "hey Team, thanks",
            "call me Back",
            "this is Amy",
        ] {
            let got = scan_names(text);
            assert!(
                got.iter().all(|(n, strong, _)| !*strong || n.contains(' ')),
                "{text}: {got:?}"
            );
        }
    }

    #[test]
    fn honorific_and_one_capitalised_word_is_a_name() {
        for (text, name) in [
            ("They call me Mr. Mayers", "Mr. Mayers"),
            ("join accounts with ms. Jeffery", "ms. Jeffery"),
            ("Hi Mx. Gross, thanks", "Mx. Gross"),
            ("ask mrs. Allen", "mrs. Allen"),
        ] {
            assert_strong_name(text, name);
        }
        // Lower-case "dr." also ends a street; "dr" and "mr" without their dot are words.
        for text in [
            "12 oak dr. Springfield",
            "the dr Smith",
            "hmm. Jeffery",
            " Jeffery",
            // A street's "Dr" before a comma or a unit.
            "3719 Lockwood Dr., Houston, TX 77026",
            "9400 Doliver Dr Apt 13",
            "1865 Corporate Dr Ste 225",
        ] {
            let got = scan_names(text);
            assert!(got.is_empty(), "{text}: {got:?}");
        }
    }

    #[test]
    fn initials_capitals_with_joins_and_roles_before_is() {
        for (text, name) in [
            // An initial before the surname: after a cue that names the person, or a
            // sign-off when a gazetteer knows the surname.
            ("Patient: J. Thompson-Yamamoto", "J. Thompson-Yamamoto"),
            ("Patient name: J Thompson", "J Thompson"),
            ("Thanks,\nJ. Smith", "J. Smith"),
            ("Name: Mr. T. Nakamura", "Mr. T. Nakamura"),
            ("I spoke with Mr. T. Nakamura", "Mr. T. Nakamura"),
            // Capitals with a hyphen or an apostrophe inside a word.
            ("Cardholder: MARY-ANNE O'NEIL", "MARY-ANNE O'NEIL"),
            // A role, " is", then a name a gazetteer knows a word of.
            (
                "The account holder is Pieter van der Berg.",
                "Pieter van der Berg",
            ),
            ("the cardholder is Maria Lopez", "Maria Lopez"),
            ("Signed: Li Wei", "Li Wei"),
        ] {
            assert_strong_name(text, name);
        }
        for text in [
            "the cardholder is Chase Bank",
            "Signed: Lease Agreement",
            "Document signed: Master Services Agreement",
            "Name: Premium Plan",
            "the cardholder is Responsible for the fees",
            "Thanks,\nA Team",
            "Thanks,\nJ. Doesnotexistname",
            "Name: I Thompson",
            "Patient: A Smith",
            "hi, this is J. Crew customer care",
            "Patient: X Ray scheduled",
            "Patient: B Positive",
            "Patient: T Cell count",
            "I talked to J. Crew about it",
        ] {
            assert_no_strong_name(text);
        }
    }

    #[test]
    fn sentence_after_a_three_word_cue_name_is_cut() {
        let got = scan_names("please ask for Jose Chavez Can you help");
        assert!(
            got.iter().any(|(n, _, bare)| n == "Jose Chavez" && !bare),
            "{got:?}"
        );
        assert!(got.iter().all(|(n, _, _)| !n.ends_with("Can")), "{got:?}");
    }
}
