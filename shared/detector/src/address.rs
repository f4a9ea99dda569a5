//! Street-address grammar: house number, capitalised street-name words, a USPS street suffix
//! (data/street_suffixes.txt), then optionally a unit and ", City, ST 12345". Owns only the
//! grammar; scoring and context live in the engine.

use crate::text::WordSet;
use std::sync::OnceLock;

use crate::validate::{Strength, Verdict};

const SUFFIXES: &str = include_str!("../data/street_suffixes.txt");
const STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "VI", "GU", "AS", "MP", "AA", "AE", "AP", "FM", "MH", "PW",
];
const UNITS: &[&str] = &[
    "Apt",
    "Apt.",
    "Apartment",
    "Suite",
    "Ste",
    "Ste.",
    "Unit",
    "#",
    "Fl",
    "Fl.",
    "Floor",
    "Rm",
    "Rm.",
    "Room",
    "Bldg",
    "Bldg.",
    "Building",
    "PMB",
    "P.O. Box",
    "PO Box",
];

/// State names as an address spells them out ("Charlotte, North Carolina 28273").
const STATE_NAMES: &[&str] = &[
    "Alabama",
    "Alaska",
    "Arizona",
    "Arkansas",
    "California",
    "Colorado",
    "Connecticut",
    "Delaware",
    "Florida",
    "Georgia",
    "Hawaii",
    "Idaho",
    "Illinois",
    "Indiana",
    "Iowa",
    "Kansas",
    "Kentucky",
    "Louisiana",
    "Maine",
    "Maryland",
    "Massachusetts",
    "Michigan",
    "Minnesota",
    "Mississippi",
    "Missouri",
    "Montana",
    "Nebraska",
    "Nevada",
    "New Hampshire",
    "New Jersey",
    "New Mexico",
    "New York",
    "North Carolina",
    "North Dakota",
    "Ohio",
    "Oklahoma",
    "Oregon",
    "Pennsylvania",
    "Rhode Island",
    "South Carolina",
    "South Dakota",
    "Tennessee",
    "Texas",
    "Utah",
    "Vermont",
    "Virginia",
    "Washington",
    "West Virginia",
    "Wisconsin",
    "Wyoming",
    "District of Columbia",
    "Puerto Rico",
];

/// Directionals after a street suffix ("1600 Pennsylvania Avenue NW", "Westlake Avenue
/// North"), in capitals or title case.
const DIRECTIONALS: &[&str] = &[
    "NW",
    "NE",
    "SW",
    "SE",
    "N",
    "S",
    "E",
    "W",
    "North",
    "South",
    "East",
    "West",
    "Northwest",
    "Northeast",
    "Southwest",
    "Southeast",
];

fn suffixes() -> &'static WordSet {
    static S: OnceLock<WordSet> = OnceLock::new();
    S.get_or_init(|| {
        SUFFIXES
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// Warm the suffix table (called while building a detector, so scans never pay for it).
pub(crate) fn init() {
    let _ = suffixes();
}

/// `before` (the text before a house number) ends with a unit designator: "Apt. 732 9973
/// Nicole Fords" puts the unit first.
pub(crate) fn unit_before(before: &str) -> bool {
    let b = before.trim_end_matches(' ');
    let word = &b[b
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphabetic() || c == '.' || c == '#'))
        .map_or(0, |(i, c)| i + c.len_utf8())..];
    UNITS.contains(&word)
}

/// A unit designator ("Apt", "Ste.", "Suite").
pub(crate) fn is_unit(word: &str) -> bool {
    UNITS.contains(&word.trim_end_matches('.'))
}

/// A unit at `b[at..]` ("Apt. 939", "Suite #205", "BLDG H", "apt 4b", "#12"): a designator in
/// any case that ends there ("Fl" is not the start of "Florida"), then an id of one to eight
/// letters, digits or '-'; returns its end. `digit`: the id must hold a digit (after a
/// lower-case street, where "unit" or "room" and a word are prose).
fn unit_at(b: &[u8], at: usize, digit: bool) -> Option<usize> {
    let r = b.get(at..)?;
    let first = r.first()?.to_ascii_uppercase();
    let u = UNITS.iter().map(|u| u.as_bytes()).find(|u| {
        u[0] == first
            && r.len() > u.len()
            && r[..u.len()].eq_ignore_ascii_case(u)
            && (u.ends_with(b".") || u == b"#" || !r[u.len()].is_ascii_alphabetic())
    })?;
    let mut i = at + u.len();
    i += usize::from(b.get(i) == Some(&b'.'));
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    i += usize::from(b.get(i) == Some(&b'#') && u != b"#");
    let id = &b[i.min(b.len())..];
    let n = id
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
        .count();
    let ok = (1..=8).contains(&n) && (!digit || id[..n].iter().any(u8::is_ascii_digit));
    ok.then_some(i + n)
}

/// Units after a street at `at` (", Apt. 939", " Building 2, Suite 2A", or on the next line
/// of an envelope): the end of the last, if any.
fn units_after(b: &[u8], at: usize) -> Option<usize> {
    let mut end = None;
    let mut i = at;
    for _ in 0..3 {
        let mut j = i + usize::from(b.get(i) == Some(&b','));
        let gap0 = j;
        while b.get(j).is_some_and(|&c| c == b' ' || c == b'\n') {
            j += 1;
        }
        let gap = &b[gap0..j];
        if gap.is_empty() || gap.iter().filter(|&&c| c == b'\n').count() > 1 {
            break;
        }
        let Some(e) = unit_at(b, j, false) else { break };
        end = Some(e);
        i = e;
    }
    end
}

/// A directional word after a street at `b[at..]` (" NW", " North", " NORTH"): its length
/// with the space, or 0.
fn directional_after(b: &[u8], at: usize) -> usize {
    if b.get(at) != Some(&b' ') {
        return 0;
    }
    let w = &b[at + 1..];
    let n = w.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let word = &w[..n];
    let caps = word.iter().all(u8::is_ascii_uppercase);
    let is = DIRECTIONALS
        .iter()
        .any(|d| d.as_bytes() == word || (caps && d.as_bytes().eq_ignore_ascii_case(word)));
    if n > 0 && is && w.get(n).is_none_or(|c| !c.is_ascii_alphanumeric()) {
        1 + n
    } else {
        0
    }
}

pub(crate) fn is_suffix(word: &str) -> bool {
    let w = word.trim_end_matches('.');
    if suffixes().contains(w) {
        return true;
    }
    // An address typed in capitals ("1720 HARDING HWY"): the suffix in title case.
    let b = w.as_bytes();
    b.len() >= 2 && b.iter().all(u8::is_ascii_uppercase) && is_suffix_any_case(w)
}

/// A street suffix in any case ("st", "Drive", "BLVD").
fn is_suffix_any_case(word: &str) -> bool {
    let b = word.trim_end_matches('.').as_bytes();
    let mut buf = [0u8; 24];
    b.len() >= 2 && crate::text::title_case(b, &mut buf).is_some_and(|t| suffixes().contains(t))
}

/// Words after a number that make it a distance or a count, not a house number ("a 45 minute
/// drive", "2 blocks down the road").
const NOT_HOUSE: &[&str] = &[
    "minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "mile", "miles", "mi", "km",
    "block", "blocks", "day", "days", "week", "weeks", "year", "years", "foot", "feet", "ft",
    "yard", "yards", "meter", "meters", "metres", "step", "steps", "lane", "lanes", "way",
];

/// Words no street name holds; one of them means the words run on past the address.
const NOT_STREET: &[&str] = &[
    "to", "the", "a", "an", "and", "or", "of", "for", "in", "on", "at", "by", "with", "from", "my",
    "your", "is", "are", "was", "it", "this", "that", "i", "we", "you", "please", "but",
];

/// Particles of street and place names in the languages customers write (sorted: looked up
/// by binary search, as [`ADDRESS_LOWER`]).
const PARTICLES: &[&str] = &[
    "aan", "am", "an", "bij", "da", "das", "de", "dei", "del", "della", "den", "der", "des", "di",
    "do", "dos", "du", "e", "el", "en", "im", "la", "las", "le", "les", "los", "op", "sous", "sur",
    "van", "vom", "von", "vorm", "y", "zum", "zur",
];

/// Lower-case words an address holds in the languages customers write: particles of street
/// and place names, street types that come first, unit words.
const ADDRESS_LOWER: &[&str] = &[
    "aan",
    "al.",
    "alameda",
    "allée",
    "am",
    "an",
    "appartamento",
    "apt",
    "apt.",
    "avenida",
    "avenue",
    "bd",
    "bij",
    "bis",
    "boulevard",
    "calle",
    "camino",
    "carrer",
    "chemin",
    "corso",
    "da",
    "das",
    "de",
    "dei",
    "del",
    "della",
    "den",
    "der",
    "des",
    "di",
    "do",
    "dos",
    "drive",
    "du",
    "e",
    "el",
    "en",
    "estrada",
    "flat",
    "floor",
    "gade",
    "gata",
    "im",
    "impasse",
    "interno",
    "katu",
    "kuja",
    "la",
    "lane",
    "largo",
    "las",
    "le",
    "les",
    "los",
    "no",
    "no.",
    "nr",
    "nr.",
    "op",
    "os.",
    "paseo",
    "piano",
    "piazza",
    "piso",
    "pl.",
    "place",
    "plaza",
    "polku",
    "praça",
    "quai",
    "rd",
    "rd.",
    "road",
    "route",
    "rua",
    "rue",
    "s/n",
    "scala",
    "sous",
    "st",
    "st.",
    "strada",
    "street",
    "suite",
    "sur",
    "ter",
    "tie",
    "travessa",
    "ul.",
    "ulica",
    "unit",
    "van",
    "vej",
    "via",
    "vial",
    "viale",
    "vicolo",
    "vom",
    "von",
    "vorm",
    "y",
    "zum",
    "zur",
];

/// An address a customer states after an address cue ("my address is …", "ship it to …"),
/// in whatever country's layout, read to where it ends: comma- or line-separated parts, each
/// starting with a capital, a digit or one of [`ADDRESS_LOWER`], with no other lower-case
/// word ("phone …", "and …" end it), up to five lines and 160 bytes. An address needs a
/// digit, two parts or three words, and a capitalised word or street word: "my address is
/// the same", "ship to Canada, 2 items" are no address. Its end, if `text[i..]` is one.
pub(crate) fn stated_at(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let limit = crate::text::floor_boundary(text, (i + 160).min(b.len()));
    let mut end = i;
    let (mut parts, mut words, mut lines) = (0usize, 0usize, 1usize);
    let (mut digit, mut named) = (false, false);
    // What makes it an address and not any list with a number ("HR, Room 5", "Gate 12,
    // Terminal 3"): a street word, a postcode, or a house number before a word.
    let mut evidence = false;
    let mut at = i;
    // A line after the first is the address's only if it is read whole and is not all
    // English words ("…, Springfield\nThanks", "…\nSee you soon" are not).
    let mut line = Line::default();
    'parts: loop {
        // One part: words up to a ',' or a line break.
        let mut part_words = 0;
        let mut part_end = at;
        let mut prev: &str = "";
        loop {
            while b.get(at) == Some(&b' ') {
                at += 1;
            }
            if at >= limit {
                break;
            }
            let w_end = text[at..limit]
                .find(|c: char| {
                    !(c.is_alphanumeric() || matches!(c, '-' | '/' | '.' | '\'' | '#' | '(' | ')'))
                })
                .map_or(limit, |k| at + k);
            if w_end == at {
                break;
            }
            // A sentence's full stop after a word of four letters or more, or a number, ends it
            // ("… 03557 Gomes-la-Forêt. Thanks"); "St.", "Apt.", "H.No.", "Edif. 446" go on.
            let raw = &text[at..w_end];
            let mut w = raw;
            let mut stop_after = false;
            if let Some(t) = raw.strip_suffix('.')
                && !t.is_empty()
                && (t.chars().count() >= 4 || t.bytes().all(|c| c.is_ascii_digit()))
                && !t.contains('.')
                && !(b.get(w_end) == Some(&b' ')
                    && b.get(w_end + 1).is_some_and(u8::is_ascii_digit))
            {
                w = t;
                stop_after = true;
            }
            if w == "/" {
                // "Barros / PR": Brazil's city and state.
                at = w_end;
                continue;
            }
            let first = w.chars().next()?;
            let lower = first.is_lowercase();
            let ok = first.is_uppercase()
                || first.is_ascii_digit()
                || first == '#'
                || first == '('
                || (lower
                    && (ADDRESS_LOWER.binary_search(&raw).is_ok()
                        || ADDRESS_LOWER.binary_search(&w).is_ok()
                        // "d'Arriaga", "dell'Abate": an elided particle.
                        || w.find('\'').is_some_and(|k| (1..=4).contains(&k))));
            if !ok {
                // "… 46366 Pyhäntä last month": the words so far end it, on the first line or
                // on a later one that has a digit ("\n88361 Delaunaydan please"; not "\nSee
                // you soon").
                if lines > 1 && !line.has_digit {
                    line.drop(&mut end, &mut parts, &mut evidence, &mut digit);
                } else if part_words > 0 {
                    parts += 1;
                    end = part_end;
                }
                break 'parts;
            }
            digit |= w.bytes().any(|c| c.is_ascii_digit());
            named |= first.is_uppercase() || lower;
            let has_digit = w.bytes().any(|c| c.is_ascii_digit());
            line.has_digit |= has_digit;
            line.english = lines > 1 && line.english && !has_digit && crate::person::is_english(w);
            evidence = evidence
                || street_word(w)
                || postcode_like(prev, w)
                || (is_house_number(prev)
                    && !w.starts_with(|c: char| c.is_ascii_digit())
                    && !crate::text::MONTHS.contains(&w));
            prev = w;
            part_words += 1;
            words += 1;
            // A particle ends no address ("San Javier los …": the address is "San Javier").
            if !(lower && PARTICLES.binary_search(&w).is_ok()) {
                part_end = at + w.len();
            }
            at = w_end;
            if stop_after {
                end = part_end;
                parts += 1;
                if lines > 1 && line.english {
                    line.drop(&mut end, &mut parts, &mut evidence, &mut digit);
                }
                break 'parts;
            }
        }
        if part_words == 0 {
            break;
        }
        parts += 1;
        end = part_end;
        // The next part: after ", " or a line break (a blank line, or a sixth line, ends it).
        let next_line = match b.get(at) {
            Some(b',') => {
                at += 1;
                false
            }
            Some(b'\n') if lines < 5 && b.get(at + 1).is_some_and(|&c| c != b'\n') => {
                at += 1;
                true
            }
            Some(b'\r') if lines < 5 && b.get(at + 1) == Some(&b'\n') => {
                at += 2;
                true
            }
            _ => false,
        };
        if lines > 1 && line.english && (next_line || !matches!(b.get(at - 1), Some(b','))) {
            line.drop(&mut end, &mut parts, &mut evidence, &mut digit);
            break;
        }
        if next_line {
            lines += 1;
            line = Line {
                end,
                parts,
                evidence,
                digit,
                english: true,
                has_digit: false,
            };
        } else if !matches!(b.get(at - 1), Some(b',')) {
            break;
        }
    }
    if !(digit && named && evidence && (parts >= 2 || words >= 3) && end > i) {
        return None;
    }
    // "my IP address is 10.0.0.1", "email address: …": an address of another kind.
    let mut back = [0u8; 40];
    let from = i.saturating_sub(back.len());
    let back = &mut back[..i - from];
    back.copy_from_slice(&b[from..i]);
    back.make_ascii_lowercase();
    let other = other_address_before(back);
    (!other).then_some(end)
}

/// What [`stated_at`] had read when a line began, to take the line back.
#[derive(Default)]
struct Line {
    end: usize,
    parts: usize,
    evidence: bool,
    digit: bool,
    /// Every word of the line so far is an English word.
    english: bool,
    /// A word of the line so far has a digit.
    has_digit: bool,
}

impl Line {
    fn drop(&self, end: &mut usize, parts: &mut usize, evidence: &mut bool, digit: &mut bool) {
        (*end, *parts, *evidence, *digit) = (self.end, self.parts, self.evidence, self.digit);
    }
}

/// A house number: "91", "12a", "7-9", "3/6", "24/69".
fn is_house_number(w: &str) -> bool {
    let d = w.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &w.as_bytes()[d..];
    (1..=5).contains(&d)
        && match rest {
            [] => true,
            [x] => x.is_ascii_alphabetic(),
            [b'-' | b'/', more @ ..] => {
                (1..=4).contains(&more.len()) && more.iter().all(u8::is_ascii_digit)
            }
            _ => false,
        }
}

/// Endings of street names in German, Dutch and the Nordic languages ("Schleichstraße",
/// "Keizersgracht", "Drottninggatan").
const STREET_ENDINGS: &[&str] = &[
    "straße", "strasse", "str.", "gasse", "weg", "allee", "platz", "ring", "damm", "ufer", "laan",
    "straat", "gracht", "plein", "dreef", "singel", "steeg", "kade", "vej", "gade", "gatan",
    "vägen", "gata", "katu", "tie", "kuja", "polku",
];

/// A word that names a street: a US suffix ("Drive", "St."), a street type of another
/// language in either case ("Via", "rue", "Calle"), or a street name's ending ("Hauptstraße").
fn street_word(w: &str) -> bool {
    if w.len() < 2 {
        return false;
    }
    if is_suffix_any_case(w) {
        return true;
    }
    const TYPES: &[&str] = &[
        "al.",
        "alameda",
        "aleja",
        "ampliación",
        "andador",
        "avenida",
        "avenue",
        "boulevard",
        "calle",
        "callejón",
        "calzada",
        "camino",
        "carrer",
        "cerrada",
        "chemin",
        "chowk",
        "circuito",
        "continuación",
        "corredor",
        "corso",
        "diagonal",
        "eje",
        "estrada",
        "gade",
        "gata",
        "impasse",
        "katu",
        "kuja",
        "largo",
        "marg",
        "nagar",
        "os.",
        "pasaje",
        "paseo",
        "periférico",
        "piazza",
        "pl.",
        "plaza",
        "polku",
        "praça",
        "privada",
        "prolongación",
        "quai",
        "rambla",
        "retorno",
        "rodovia",
        "ronda",
        "rotonda",
        "route",
        "rua",
        "rue",
        "strada",
        "tie",
        "travessa",
        "travesía",
        "ul.",
        "ulica",
        "vej",
        "via",
        "viaducto",
        "viale",
        "vicolo",
    ];
    // Lower case without allocating: street words are short.
    let mut buf = [0u8; 32];
    let mut n = 0;
    for c in w.chars().flat_map(char::to_lowercase) {
        let mut enc = [0u8; 4];
        let e = c.encode_utf8(&mut enc).as_bytes();
        let Some(to) = buf.get_mut(n..n + e.len()) else {
            return false;
        };
        to.copy_from_slice(e);
        n += e.len();
    }
    let lw = std::str::from_utf8(&buf[..n]).unwrap_or("");
    TYPES.binary_search(&lw).is_ok()
        || (w.chars().count() > 5 && STREET_ENDINGS.iter().any(|e| lw.ends_with(e)))
}

/// A postcode, with the word before it: 4 to 6 digits ("25079", "2680", "833788"), with a
/// dash ("4752-072", "71-931", "04581-040"), British ("E1C 4UD", "L12 3SX"), Canadian ("K1A
/// 0B1", "S6X9R7") or Dutch ("6641 OS", "6641OS").
fn postcode_like(prev: &str, w: &str) -> bool {
    let b = w.as_bytes();
    let digits = |x: &[u8]| x.iter().all(u8::is_ascii_digit);
    // Brazil's CEP is eight digits ("64029703").
    let all_digits = matches!(b.len(), 4..=6 | 8) && digits(b);
    let dashed = b.iter().position(|&c| c == b'-').is_some_and(|k| {
        (2..=5).contains(&k)
            && (3..=4).contains(&(b.len() - k - 1))
            && digits(&b[..k])
            && digits(&b[k + 1..])
    });
    // Dutch: four digits and two capitals, together or apart.
    let dutch = (b.len() == 6 && digits(&b[..4]) && b[4..].iter().all(u8::is_ascii_uppercase))
        || (b.len() == 2
            && b.iter().all(u8::is_ascii_uppercase)
            && prev.len() == 4
            && digits(prev.as_bytes()));
    // British and Canadian inward codes: digit, two letters / digit, letter, digit; the
    // outward code before them ("E1C", "L12", "K1A").
    let outward = |p: &[u8]| {
        (2..=4).contains(&p.len())
            && p[0].is_ascii_uppercase()
            && p.iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && p.iter().any(u8::is_ascii_digit)
    };
    let inward = b.len() == 3
        && b[0].is_ascii_digit()
        && b[1..].iter().all(u8::is_ascii_alphanumeric)
        && b[1].is_ascii_uppercase()
        && outward(prev.as_bytes());
    let canada_joined = b.len() == 6
        && b.iter().enumerate().all(|(k, c)| {
            if k % 2 == 0 {
                c.is_ascii_uppercase()
            } else {
                c.is_ascii_digit()
            }
        });
    // India's six-digit PIN glued to the city by a dash ("Korba-433070").
    let glued = w.rsplit_once('-').is_some_and(|(city, pin)| {
        pin.len() == 6 && digits(pin.as_bytes()) && city.chars().all(char::is_alphabetic)
    });
    all_digits || dashed || dutch || inward || canada_joined || glued
}

/// The lower-case bytes before a stated address name a kind of address that is not where
/// someone lives: "IP address", "email address", "MAC address", "wallet address", a URL.
fn other_address_before(back: &[u8]) -> bool {
    if back
        .windows(3)
        .any(|w| w[0] == b'u' && w[1] == b'r' && w[2] == b'l')
    {
        return true;
    }
    let Some(k) = back
        .windows(4)
        .rposition(|w| w[0] == b'a' && w[1] == b'd' && w[2] == b'd' && w[3] == b'r')
    else {
        return false;
    };
    let before = &back[..k];
    let before = before.strip_suffix(b" ").unwrap_or(before);
    let start = before
        .iter()
        .rposition(|c| !(c.is_ascii_alphanumeric() || *c == b'-'))
        .map_or(0, |p| p + 1);
    matches!(
        &before[start..],
        b"ip" | b"email" | b"e-mail" | b"mac" | b"wallet" | b"web" | b"server" | b"memory"
    )
}

/// Where a stated address starts after its cue ending at `cue_end`: past spaces, ':', '-'
/// and the words a statement puts between ("is", "now", "to" …), at a digit, a capital or a
/// street word.
pub(crate) fn stated_start(text: &str, cue_end: usize) -> Option<usize> {
    const FILLER: &[&str] = &[
        "is", "was", "now", "to", "at", "be", "will", "as", "follows",
    ];
    // "Address:\n12 Main St": the value may start on the next line.
    crate::text::after_filler(text, cue_end, b" :-\t\n\r", FILLER, |rest| {
        let w = rest.split([' ', ':', ',']).next().unwrap_or("");
        rest.starts_with(|c: char| c.is_ascii_digit() || c.is_uppercase())
            // A street word in lower case starts it ("rue de Joly", "ul. Cicha").
            || (w.len() > 2 && ADDRESS_LOWER.binary_search(&w).is_ok() && rest.len() > w.len())
    })
}

/// A lower-case street address after an address cue ending at `cue_end`: its span.
#[cfg(test)]
fn lower_after(text: &str, cue_end: usize) -> Option<(usize, usize)> {
    crate::validate::Validator::LowerStreetAddress.find_after(text, cue_end)
}

/// A street address typed in lower case ("my address is 101 main st", "ship to 504 parkwood
/// drive apt 4"), read after an address context word: a house number, one to three
/// street-name words and a street suffix, in any case but not all capitalised, then
/// optionally a unit (" apt 4", ", #12"): the end. Addresses with capitalised words are the
/// `us-street-address` rule's, which reads the city and state on.
pub(crate) fn lower_at(text: &str, i: usize) -> Option<usize> {
    lower_street(text, i).map(|(_, end, _)| end)
}

/// Suffixes that name a street whatever the words before them; plurals ("2 hard drives"),
/// "way" ("100 percent way") and the rarer suffixes are prose as often as streets.
const PLAIN_SUFFIXES: &[&str] = &[
    "street",
    "st",
    "avenue",
    "ave",
    "boulevard",
    "blvd",
    "road",
    "rd",
    "lane",
    "ln",
    "drive",
    "dr",
    "court",
    "ct",
    "place",
    "pl",
    "terrace",
    "parkway",
    "pkwy",
    "highway",
    "hwy",
];

/// [`lower_at`]'s address at `i` read once: its end, and whether it is one without its cue,
/// by where it stands ("504 parkwood drive" alone on its line, "the new place at 101 main
/// st."): then a house number of two digits or more ("4 usb drive", "1 direction street"
/// are not) and a plain suffix.
pub(crate) fn lower_read(text: &str, i: usize) -> Option<(usize, bool)> {
    lower_reading(text, i).map(|(end, by_place, _)| (end, by_place))
}

/// [`lower_read`], and whether the address ends in a state and ZIP.
fn lower_reading(text: &str, i: usize) -> Option<(usize, bool, bool)> {
    let (suffix, end, zip) = lower_street(text, i)?;
    let digits = text.as_bytes()[i..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let by_place = digits >= 2
        && PLAIN_SUFFIXES
            .iter()
            .any(|p| p.eq_ignore_ascii_case(suffix))
        && placed(text, i, end);
    Some((end, by_place, zip))
}

/// Words a reply may open with before the address it gives, past
/// [`crate::text::REPLY_OPENERS`] ("that's 8808 welch track").
const ADDRESS_OPENERS: crate::text::Words =
    crate::text::Words::new(&["that's", "that is", "no problem"]);

/// How far into a text a line may start for openers before an address to be read: a reply
/// opens with them, at its start or on the line after a question read above it.
const OPENER_LINES: usize = 256;

/// A lower-case address where a line starts (`line` is its first byte), after any openers or
/// a short remark when the line is near the text's start ([`OPENER_LINES`]), with a house
/// number of two digits or more ("2 hard drives", "4 usb drive" are not): its span, when it
/// is all the line holds, a remark in parentheses aside (with a plain suffix and no opener it
/// is sure without a cue, [`lower_read`]), or it ends in a state and ZIP ("it's 8808 welch
/// track, west aaronfurt, ak 99725 - it's a house"). Any other is weak: an address word near
/// it, or the question before a reply, reports it.
pub(crate) fn lower_line(text: &str, line: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let i = if b.get(line).is_some_and(u8::is_ascii_digit) {
        line
    } else if line >= OPENER_LINES {
        return None;
    } else {
        // Most lines of chat start with a word that is no opener; a reply may also start
        // with a short remark ("sorry was afk. 36108 dennis overpass").
        let openers = [&crate::text::REPLY_OPENERS, &ADDRESS_OPENERS];
        let i = crate::text::skip_words(text, line, &openers);
        if i != line {
            i
        } else {
            let k = crate::text::after_remark(text, line)?;
            crate::text::skip_words(text, k, &openers)
        }
    };
    if !(b.get(i).is_some_and(u8::is_ascii_digit) && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
        return None;
    }
    let (end, sure, zip) = lower_reading(text, i)?;
    // A remark in parentheses may close the line: "4184 bay ave (side door)".
    let stop = parenthetical_end(text.as_bytes(), end).unwrap_or(end);
    ((i == line && sure) || alone_on_line(text, line, stop) || zip).then_some((i, end))
}

/// [`lower_at`]'s reading: the street suffix word, the end, and whether it ends in a state and
/// ZIP.
fn lower_street(text: &str, i: usize) -> Option<(&str, usize, bool)> {
    let b = text.as_bytes();
    let digits = b
        .get(i..)?
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(1..=6).contains(&digits) {
        return None;
    }
    let mut e = i + digits;
    // "12b elm st"
    if b.get(e).is_some_and(u8::is_ascii_alphabetic) && b.get(e + 1).is_some_and(|&c| c == b' ') {
        e += 1;
    }
    let mut words = 0;
    let mut lower = false;
    let mut suffix_end = None;
    let mut suffix = "";
    while words < 4 && b.get(e) == Some(&b' ') {
        let w0 = e + 1;
        let len = b[w0..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if len == 0 {
            break;
        }
        let word = &text[w0..w0 + len];
        let is_in = |list: &[&str]| list.iter().any(|x| x.eq_ignore_ascii_case(word));
        if (words == 0 && is_in(NOT_HOUSE)) || is_in(NOT_STREET) {
            return None;
        }
        lower |= b[w0].is_ascii_lowercase();
        words += 1;
        e = w0 + len;
        if words >= 2 && is_suffix_any_case(word) {
            suffix_end = Some(e + usize::from(b.get(e) == Some(&b'.') && len <= 4));
            suffix = word;
            // A suffix word inside the name ("spring garden cir"): the next word, a suffix
            // too, ends the street.
            let n0 = e + 1;
            let n = b.get(n0..).map_or(0, |r| {
                r.iter().take_while(|c| c.is_ascii_alphabetic()).count()
            });
            if b.get(e) == Some(&b' ')
                && n >= 2
                && words < 4
                && b.get(n0 + n).is_none_or(|c| !c.is_ascii_alphanumeric())
                && is_suffix_any_case(&text[n0..n0 + n])
            {
                continue;
            }
            break;
        }
    }
    let mut end = suffix_end?;
    if !lower {
        return None;
    }
    // A post-directional: "1600 pennsylvania ave nw".
    for d in ["nw", "ne", "sw", "se", "n", "s", "e", "w"] {
        if b.get(end) == Some(&b' ')
            && b.get(end + 1..end + 1 + d.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(d.as_bytes()))
            && b.get(end + 1 + d.len())
                .is_none_or(|c| !c.is_ascii_alphanumeric())
        {
            end += 1 + d.len();
            break;
        }
    }
    // A unit after it: " apt 4", ", unit 12b", " #5".
    let mut u = end + usize::from(b.get(end) == Some(&b','));
    while b.get(u) == Some(&b' ') {
        u += 1;
    }
    if let Some(e) = unit_at(b, u, true) {
        end = e;
    }
    if b.get(end).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let (end, zip) = lower_city_state(b, end).unwrap_or((end, false));
    Some((suffix, end, zip))
}

/// ", springfield il 62704" / ", new york, ny": one to three words, an optional comma, a state
/// code in any case and an optional ZIP; the end, and whether the ZIP is there.
fn lower_city_state(b: &[u8], at: usize) -> Option<(usize, bool)> {
    // Without the comma ("… suite 38 phoenix az 85004") only with the ZIP.
    let comma = b.get(at..at + 2)? == b", ";
    if !comma && b[at] != b' ' {
        return None;
    }
    let mut i = at + if comma { 2 } else { 1 };
    for _ in 0..3 {
        let len = b[i.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        // "…, and me": no city word is a function word.
        let w = b.get(i..i + len).unwrap_or_default();
        if len < 2
            || NOT_STREET
                .iter()
                .any(|n| n.as_bytes().eq_ignore_ascii_case(w))
        {
            return None;
        }
        i += len;
        let sep = usize::from(b.get(i) == Some(&b','));
        if b.get(i + sep) != Some(&b' ') {
            return None;
        }
        let st = i + sep + 1;
        if let Some(code) = b.get(st..st + 2)
            && b.get(st + 2).is_none_or(|c| !c.is_ascii_alphanumeric())
            && STATES
                .iter()
                .any(|s| s.as_bytes().eq_ignore_ascii_case(code))
        {
            let mut e = st + 2;
            let zip = b[(e + 1).min(b.len())..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            let zip = b.get(e) == Some(&b' ') && zip == 5;
            if zip {
                e += 6;
            } else if !comma {
                return None;
            }
            return Some((e, zip));
        }
        if sep == 1 {
            return None;
        }
        i += 1;
    }
    None
}

/// The address is all its line holds ("1270 Leeds Avenue" on a line of its own, as an
/// address is pasted or written on an envelope), up to closing punctuation.
fn alone_on_line(text: &str, start: usize, stop: usize) -> bool {
    // Only the blanks next to the address are read (a line can be a whole pasted document).
    let before = text[..start].trim_end_matches([' ', '\t']);
    let after = text[stop..].trim_start_matches([' ', '\t', '\r', '.', ',', ';', '!']);
    (before.is_empty() || before.ends_with('\n')) && (after.is_empty() || after.starts_with('\n'))
}

/// The end of " (…)" at `b[at..]`: one to forty bytes in parentheses on the same line.
fn parenthetical_end(b: &[u8], at: usize) -> Option<usize> {
    let rest = b.get(at..)?.strip_prefix(b" (")?;
    let close = rest
        .iter()
        .take(41)
        .position(|&c| c == b')' || c == b'\n')?;
    (close > 0 && rest[close] == b')').then_some(at + 2 + close + 1)
}

/// A street address at `text[start..end]` is one by where it stands: alone on its line (a
/// remark in parentheses aside: "42 west bay ln (side door)"), or after "at"/"to".
fn placed(text: &str, start: usize, end: usize) -> bool {
    let stop = parenthetical_end(text.as_bytes(), end).unwrap_or(end);
    alone_on_line(text, start, stop) || after_at_or_to(text, start)
}

/// "at"/"to" as a word right before `start` ("meet me at 970 Olson Avenue", "a taxi to 94
/// boulevard …"): where someone is or something goes.
fn after_at_or_to(text: &str, start: usize) -> bool {
    let before = text[..start].strip_suffix(' ').unwrap_or("").as_bytes();
    crate::text::ends_with_words_ci(before, "at") || crate::text::ends_with_words_ci(before, "to")
}

/// Validates `text[start..end]` (number + capitalised words) and returns the full address span.
pub(crate) fn check(text: &str, start: usize, end: usize) -> Option<Verdict> {
    let s = &text[start..end];
    // Word byte ranges inside s.
    let mut words: Vec<(usize, usize)> = Vec::with_capacity(6);
    let mut pos = 0;
    for w in s.split(' ') {
        words.push((pos, pos + w.len()));
        pos += w.len() + 1;
    }
    let b = text.as_bytes();
    // The street ends at the last suffix word with at least one street-name word before it,
    // or at a numbered road ("600 Highway 32", "12 County Road 5"); without either, the
    // European form ("13 Faubourg Saint Honoré, PAU 64000").
    let suffix = (2..words.len())
        .rev()
        .find(|&i| is_suffix(&s[words[i].0..words[i].1]));
    let mut stop = match suffix {
        Some(idx) => {
            // Street-name words must not all be units or suffix-like filler.
            let name_words = &words[1..idx];
            if name_words.iter().any(|&(a, b)| UNITS.contains(&&s[a..b])) {
                return None;
            }
            let (a, e) = words[idx];
            numbered_road_end(b, start + e, &s[a..e]).unwrap_or(start + e)
        }
        // "600 HIGHWAY 32": the road's number is no street-name word.
        None if words.len() <= 4 => {
            let &(a, e) = words.last()?;
            match numbered_road_end(b, start + e, &s[a..e]) {
                Some(stop) if words.len() >= 2 => stop,
                // "586 W. 207 St.": a numbered street written without its ordinal ending.
                _ if words.len() == 2 && is_directional(&s[a..e]) => {
                    numbered_street_end(b, start + e)?
                }
                _ if words.len() < 3 => return None,
                _ => return intl_after_number(text, start),
            }
        }
        None => return intl_after_number(text, start),
    };
    let mut strong = false;
    // A post-directional: "1600 Pennsylvania Avenue NW", "1500 Westlake Avenue North".
    stop += directional_after(b, stop);
    // Units: ", Apt. 939" / " Suite 937" / " #12" / " BLDG H, Suite 2", or on the next line.
    if let Some(e) = units_after(b, stop) {
        stop = e;
        strong = true;
    }
    // A suite number without its designator before the city: "235 PEACHTREE ST NE 900,
    // ATLANTA, GA 30303".
    if b.get(stop) == Some(&b' ') {
        let n = b[stop + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if (1..=5).contains(&n)
            && b.get(stop + 1 + n) == Some(&b',')
            && city_state_zip(text, stop + 1 + n).is_some()
        {
            stop += 1 + n;
        }
    }
    // "meet me at 970 Olson Avenue", "send it to 931 Jackson Alley": a house number, street
    // name and suffix right after "at" or "to" is where someone is or something goes.
    if after_at_or_to(text, start) {
        strong = true;
    }
    // City, ST ZIP: ", South Peggyville, NM 12345" or "\nCity, ST 12345".
    // Or ", City 49441" without the state, as a postcode ends most of the world's addresses.
    if let Some(end2) = city_state_zip(text, stop).or_else(|| intl_city_postcode(text, stop)) {
        stop = end2;
        strong = true;
    }
    if !strong && alone_on_line(text, start, stop) {
        strong = true;
    }
    // A remark in parentheses that ends the line belongs to the address ("62 Portland Road
    // (Route 1)", "12 Main St (back entrance)").
    if !strong
        && let Some(e) = parenthetical_end(b, stop)
        && alone_on_line(text, start, e)
    {
        stop = e;
        strong = true;
    }
    Some(Verdict {
        strength: if strong {
            Strength::Strong
        } else {
            Strength::Weak
        },
        span: Some((start, stop)),
    })
}

/// A directional word as a street name's prefix ("W", "W.", "North", "SE").
fn is_directional(word: &str) -> bool {
    let w = word.strip_suffix('.').unwrap_or(word);
    DIRECTIONALS.contains(&w)
}

/// The end of " 207 St." at `b[at..]`: a numbered street without its ordinal ending, one to
/// three digits and a street suffix in title case or capitals.
fn numbered_street_end(b: &[u8], at: usize) -> Option<usize> {
    let rest = b.get(at..)?.strip_prefix(b" ")?;
    let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=3).contains(&n) || rest.get(n) != Some(&b' ') {
        return None;
    }
    let word = &rest[n + 1..];
    let len = word.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if word
        .get(len)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-')
    {
        return None;
    }
    let w = std::str::from_utf8(&word[..len]).ok()?;
    if !w.starts_with(|c: char| c.is_ascii_uppercase()) || !is_suffix(w) {
        return None;
    }
    let dot = usize::from(word.get(len) == Some(&b'.'));
    Some(at + 1 + n + 1 + len + dot)
}

/// Roads known by a number ("Highway 32", "US Route 1", "County Road 5"), as their last word.
const NUMBERED_ROADS: &[&str] = &["Highway", "Hwy", "Route", "Rte", "Road", "Rd", "Interstate"];

/// The end of a numbered road whose last word `word` ends at `at` ("Highway 32"): the word in
/// [`NUMBERED_ROADS`] (title case or capitals), then the road's number of one to four digits.
fn numbered_road_end(b: &[u8], at: usize, word: &str) -> Option<usize> {
    let caps = word.bytes().all(|c| c.is_ascii_uppercase());
    let road = NUMBERED_ROADS
        .iter()
        .any(|r| *r == word || (caps && r.eq_ignore_ascii_case(word)));
    if !road || b.get(at) != Some(&b' ') {
        return None;
    }
    let n = b[at + 1..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let after = b.get(at + 1 + n);
    ((1..=4).contains(&n) && after.is_none_or(|c| !c.is_ascii_alphanumeric())).then_some(at + 1 + n)
}

/// "13 Faubourg Saint Honoré, PAU 64000": a house number and words, then ", City POSTCODE"
/// on the same line.
fn intl_after_number(text: &str, start: usize) -> Option<Verdict> {
    let line = &text[start..crate::text::floor_boundary(text, start + LINE_BACK)];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let v = check_intl(text, start + line.find(", ")?)?;
    (v.span.map(|(a, _)| a) == Some(start)).then_some(v)
}

/// Month abbreviations (the full names are `text::MONTHS`).
const MONTH_ABBREVIATIONS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
];

/// How far before ", City POSTCODE" the street part is looked for.
const LINE_BACK: usize = 96;

/// Most street-name words taken before the house number in the European form.
const INTL_STREET_WORDS: usize = 4;

/// Cheap test before reading ", City POSTCODE" at `b[from..]`: a space and a digit before the
/// line or clause ends, within 64 bytes.
pub(crate) fn postcode_ahead(b: &[u8], from: usize) -> bool {
    let ahead = b.get(from..(from + 64).min(b.len())).unwrap_or(&[]);
    let stop = ahead
        .iter()
        .position(|&c| c == b'\n' || c == b',')
        .unwrap_or(ahead.len());
    ahead[..stop]
        .windows(2)
        .any(|w| w[0] == b' ' && w[1].is_ascii_digit())
}

/// ", City 48020" / ", São Paulo 04581-040" / ", ORLÉANS 45100" at `at`: one to three
/// capitalised words and a postcode of three to five digits (a four-digit extension after
/// '-' or a three-digit one, as Brazil writes it); returns its end.
fn intl_city_postcode(text: &str, at: usize) -> Option<usize> {
    if !text[at..].starts_with(", ") {
        return None;
    }
    if !postcode_ahead(text.as_bytes(), at + 2) {
        return None;
    }
    let mut i = at + 2;
    let mut words = 0;
    loop {
        let w = &text[i..];
        let first = w.chars().next()?;
        if first.is_ascii_digit() {
            break;
        }
        if !first.is_uppercase() || words == 3 {
            return None;
        }
        let len = w
            .char_indices()
            .find(|&(_, c)| !(c.is_alphabetic() || c == '-' || c == '\''))
            .map_or(w.len(), |(k, _)| k);
        // ", March 2021" is a date; "PSC 5771, Box 0397" military mail.
        if words == 0
            && (w[..len] == *"Box"
                || crate::text::MONTHS
                    .iter()
                    .chain(MONTH_ABBREVIATIONS)
                    .any(|m| w[..len].eq_ignore_ascii_case(m)))
        {
            return None;
        }
        if len < 2 || !w[len..].starts_with(' ') {
            return None;
        }
        words += 1;
        i += len + 1;
    }
    let b = text.as_bytes();
    let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if words == 0 || !(3..=5).contains(&digits) {
        return None;
    }
    i += digits;
    if b.get(i) == Some(&b'-') {
        let ext = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if ext == 3 || ext == 4 {
            i += 1 + ext;
        }
    }
    (b.get(i).is_none_or(|c| !c.is_ascii_alphanumeric())).then_some(i)
}

/// "\n10115 Berlin" / ", 90-001 Łódź" / ", 1015 CJ Amsterdam" at `at` (a ',' then a space,
/// or a line break): the postcode before the city, as most of Europe writes it. Postcodes of
/// four or five digits (a three-digit extension after '-', Portugal's; two capitals after
/// four, the Netherlands'), two and three digits joined by '-' (Poland), three and two
/// digits (Sweden, Czechia, Greece); then one to three capitalised words, the last no street
/// suffix ("Apt 5, 1200 Main Street" is a US street). Returns the end.
fn postcode_city(text: &str, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = match b.get(at..at + 2)? {
        [b',', b' '] => at + 2,
        [b'\n', _] => at + 1,
        _ => return None,
    };
    let digits = |from: usize| {
        b[from.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let d = digits(i);
    i += d;
    match d {
        4 | 5 if b.get(i) == Some(&b'-') && digits(i + 1) == 3 => i += 4,
        4 if b.get(i) == Some(&b' ')
            && b.get(i + 1..i + 4).is_some_and(|w| {
                w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase() && w[2] == b' '
            }) =>
        {
            i += 3
        }
        4 | 5 => {}
        2 if b.get(i) == Some(&b'-') && digits(i + 1) == 3 => i += 4,
        3 if b.get(i) == Some(&b' ') && digits(i + 1) == 2 => i += 3,
        _ => return None,
    }
    let mut words = 0;
    let mut last = "";
    while b.get(i) == Some(&b' ') && words < 3 {
        let w = &text[i + 1..];
        if !w.starts_with(char::is_uppercase) {
            break;
        }
        let len = w
            .char_indices()
            .find(|&(_, c)| !(c.is_alphabetic() || matches!(c, '-' | '\'' | '.')))
            .map_or(w.len(), |(k, _)| k);
        // A sentence's full stop is not the city's.
        let word = w[..len].trim_end_matches('.');
        if word.chars().count() < 2 || (words == 0 && crate::text::MONTHS.contains(&word)) {
            break;
        }
        last = word;
        words += 1;
        i += 1 + word.len();
    }
    if words == 0 || is_suffix(last) || b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    Some(i)
}

/// A European-style address around `text[comma..]`, where ", City POSTCODE" (or ", POSTCODE
/// City", or a line break and "POSTCODE City") starts: before it, on its line, a street name and house number ("Rhinstrasse 91", "Via Pisanelli
/// 104": up to four capitalised words) or a house number and street name ("94 boulevard
/// Amiral Courbet", "13 Faubourg Saint Honoré": up to five words). Weak: context decides, or
/// "at"/"to" before it.
pub(crate) fn check_intl(text: &str, comma: usize) -> Option<Verdict> {
    let e = intl_city_postcode(text, comma).or_else(|| postcode_city(text, comma))?;
    // The street part is on the same line, within a line's reach.
    let lo = crate::text::floor_boundary(text, comma.saturating_sub(LINE_BACK));
    let line0 = memchr::memrchr(b'\n', &text.as_bytes()[lo..comma]).map_or(lo, |i| lo + i + 1);
    // The line's last eight words (more are never read), with their offsets.
    let mut buf: [(usize, &str); 8] = [(0, ""); 8];
    let mut n = 0;
    let mut end = comma;
    for w in text[line0..comma].rsplit(' ') {
        if n == buf.len() {
            break;
        }
        let st = end - w.len();
        buf[n] = (st, w);
        n += 1;
        end = st.saturating_sub(1);
    }
    buf[..n].reverse();
    let words = &buf[..n];
    // A house number: "91", "12a", or a range or flat after '-' or '/' as German and
    // Austrian addresses write them ("7-9", "3/6").
    let is_num = is_house_number;
    let is_word = |w: &str| {
        w.chars().count() >= 2
            && w.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '.'))
    };
    let capitalised = |w: &str| w.chars().next().is_some_and(char::is_uppercase) && is_word(w);
    let first = if n >= 2 && is_num(words[n - 1].1) && capitalised(words[n - 2].1) {
        // Street name, number: the capitalised words before the number.
        let k = words[..n - 1]
            .iter()
            .rev()
            .take(INTL_STREET_WORDS)
            .take_while(|w| capitalised(w.1))
            .count();
        n - 1 - k
    } else {
        // Number, street name.
        let k = words.iter().rev().take_while(|w| is_word(w.1)).count();
        let num = n.checked_sub(k + 1)?;
        // French addresses put a comma after the number ("825, boulevard de François").
        let number = words[num].1;
        if k == 0 || k > 5 || !is_num(number.strip_suffix(',').unwrap_or(number)) {
            return None;
        }
        num
    };
    // A street type or preposition before the name: "ul. Cicha 43", "boulevard Grand 73",
    // "K Betáni 407".
    let first = match first.checked_sub(1).map(|k| words[k].1) {
        Some(w)
            if (w.len() == 1 && w.as_bytes()[0].is_ascii_uppercase())
                || [
                    "ul.",
                    "al.",
                    "pl.",
                    "os.",
                    "rue",
                    "boulevard",
                    "avenue",
                    "via",
                    "calle",
                    "rua",
                ]
                .contains(&w) =>
        {
            first - 1
        }
        _ => first,
    };
    let a = words[first].0;
    let strong = after_at_or_to(text, a);
    Some(Verdict {
        strength: if strong {
            Strength::Strong
        } else {
            Strength::Weak
        },
        span: Some((a, e)),
    })
}

fn city_state_zip(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at..];
    // After a space the city is only read with more evidence: a comma before the state, or
    // a ZIP ("1636 Main St Sarasota, FL 34236", "Austin TX 78759").
    let spaced = rest.starts_with(' ');
    let r = rest
        .strip_prefix(',')
        .or_else(|| rest.strip_prefix('\n'))
        .or_else(|| rest.strip_prefix(' '))?;
    let r = r.trim_start_matches(' ');
    // ",\nChelmsford, CM2 0PP": the town on the next line.
    let r = if spaced {
        r
    } else {
        r.strip_prefix('\n').unwrap_or(r)
    };
    let mut i = 0;
    let b = r.as_bytes();
    // One to three capitalised city words.
    let mut words = 0;
    loop {
        if i >= b.len() || !b[i].is_ascii_uppercase() {
            break;
        }
        let w0 = i;
        while i < b.len() && (b[i].is_ascii_alphabetic() || b[i] == b'.' || b[i] == b'\'') {
            i += 1;
        }
        if i - w0 < 2 {
            return None;
        }
        words += 1;
        if words > 3 || i >= b.len() || b[i] != b' ' {
            break;
        }
        if i + 1 < b.len()
            && b[i + 1].is_ascii_uppercase()
            && !(i + 3 <= b.len() && is_state_at(b, i + 1))
            && state_name_at(b, i + 1).is_none()
            && uk_postcode_at(b, i + 1).is_none()
        {
            i += 1;
        } else {
            break;
        }
    }
    if words == 0 {
        return None;
    }
    // ", ST" or " ST" ("Charlotte , North Carolina": a space before the comma, too)
    if b.get(i) == Some(&b' ') && b.get(i + 1) == Some(&b',') {
        i += 1;
    }
    let comma = i < b.len() && b[i] == b',';
    if comma {
        i += 1;
    }
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    // A UK postcode instead of state and ZIP ("London EC3M 5AD", "East Finchley London,
    // N2 8AW").
    if !spaced && let Some(n) = uk_postcode_at(b, i) {
        return Some(at + (rest.len() - r.len()) + i + n);
    }
    // The state: its code in capitals, its name, or its code in title case before a ZIP
    // ("Austin Tx 78755").
    let (len, zip_needed) = if is_state_at(b, i) {
        (2, false)
    } else if let Some(n) = state_name_at(b, i) {
        (n, false)
    } else if b.get(i + 1).is_some_and(u8::is_ascii_lowercase)
        && b.get(i + 2).is_none_or(|c| !c.is_ascii_alphanumeric())
        && STATES
            .iter()
            .any(|s| s.as_bytes().eq_ignore_ascii_case(&b[i..i + 2]))
    {
        (2, true)
    } else {
        return None;
    };
    i += len;
    let mut j = i;
    while j < b.len() && b[j] == b' ' {
        j += 1;
    }
    let zip = b[j..].iter().take_while(|c| c.is_ascii_digit()).count();
    if (spaced && !comma || zip_needed) && zip != 5 {
        return None;
    }
    if zip == 5 {
        i = j + 5;
        if b.len() >= i + 5 && b[i] == b'-' && b[i + 1..i + 5].iter().all(|c| c.is_ascii_digit()) {
            i += 5;
        }
    } else if i < b.len() && b[i].is_ascii_alphanumeric() {
        return None;
    }
    Some(at + (rest.len() - r.len()) + i)
}

/// Length of a UK postcode at `b[i..]` (`EC3M 5AD`, `N2 8AW`, `CM2 0PP`, `SW1A1AA`): an
/// outward code of one or two letters, a digit and an optional letter or digit, an optional
/// space, then a digit and two letters, ending the word.
fn uk_postcode_at(b: &[u8], i: usize) -> Option<usize> {
    let at = |k: usize| b.get(i + k).copied().unwrap_or(0);
    let letters = (0..2).take_while(|&k| at(k).is_ascii_uppercase()).count();
    if letters == 0 || !at(letters).is_ascii_digit() {
        return None;
    }
    let mut k = letters + 1;
    // "EC3M 5AD" / "N10 2AB"; in "N2 8AW" the digit after the space is the inward code's.
    if (at(k).is_ascii_uppercase() || at(k).is_ascii_digit())
        && (at(k + 1) == b' ' || at(k + 1).is_ascii_digit())
    {
        k += 1;
    }
    if at(k) == b' ' {
        k += 1;
    }
    let inward = at(k).is_ascii_digit()
        && at(k + 1).is_ascii_uppercase()
        && at(k + 2).is_ascii_uppercase()
        && !at(k + 3).is_ascii_alphanumeric();
    inward.then_some(k + 3)
}

/// A state's name at `b[i..]`, in title case or capitals, ending the word: its length.
fn state_name_at(b: &[u8], i: usize) -> Option<usize> {
    let r = b.get(i..)?;
    if !r.first()?.is_ascii_uppercase() {
        return None;
    }
    STATE_NAMES.iter().map(|n| n.as_bytes()).find_map(|n| {
        if n[0] != r[0] {
            return None;
        }
        let w = r.get(..n.len())?;
        let caps = w.iter().all(|c| !c.is_ascii_lowercase());
        let same = w == n || (caps && w.eq_ignore_ascii_case(n));
        (same && r.get(n.len()).is_none_or(|c| !c.is_ascii_alphanumeric())).then_some(n.len())
    })
}

fn is_state_at(b: &[u8], i: usize) -> bool {
    if i + 2 > b.len() {
        return false;
    }
    if i + 2 < b.len() && b[i + 2].is_ascii_alphanumeric() {
        return false;
    }
    std::str::from_utf8(&b[i..i + 2]).is_ok_and(|s| STATES.contains(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(s: &str) -> Option<(&str, Strength)> {
        let v = check(s, 0, s.len())?;
        let (a, b) = v.span.unwrap();
        Some((&s[a..b], v.strength))
    }

    #[test]
    fn grammar_table() {
        let full = "269 Anderson Points Apt. 939, South Peggyville, NM 12345";
        let cases: &[(&str, Option<(&str, Strength)>)] = &[
            (full, Some((full, Strength::Strong))),
            (
                "648 Smith Ridge is far",
                Some(("648 Smith Ridge", Strength::Weak)),
            ),
            // A street line alone on its line is an address as written on an envelope.
            (
                "648 Smith Ridge",
                Some(("648 Smith Ridge", Strength::Strong)),
            ),
            (
                "648 Smith Ridge.",
                Some(("648 Smith Ridge.", Strength::Strong)),
            ),
            // In capitals.
            (
                "1720 HARDING HWY NEWFIELD, NJ",
                Some(("1720 HARDING HWY NEWFIELD, NJ", Strength::Strong)),
            ),
            // City after a space: with a comma before the state, or a ZIP.
            (
                "1636 Main St Sarasota, FL 34236",
                Some(("1636 Main St Sarasota, FL 34236", Strength::Strong)),
            ),
            (
                "546 West Colorado Street Glendale CA 91204",
                Some((
                    "546 West Colorado Street Glendale CA 91204",
                    Strength::Strong,
                )),
            ),
            (
                "546 West Colorado Street Glendale CA now",
                Some(("546 West Colorado Street", Strength::Weak)),
            ),
            // UK addresses end in a postcode.
            (
                "25 Fenchurch Avenue, London EC3M 5AD",
                Some(("25 Fenchurch Avenue, London EC3M 5AD", Strength::Strong)),
            ),
            (
                "59 High Road, East Finchley London, N2 8AW",
                Some((
                    "59 High Road, East Finchley London, N2 8AW",
                    Strength::Strong,
                )),
            ),
            (
                "99 New London Road,\nChelmsford, CM2 0PP",
                Some(("99 New London Road,\nChelmsford, CM2 0PP", Strength::Strong)),
            ),
            (
                "1720 HARDING HWY NEWFIELD is",
                Some(("1720 HARDING HWY", Strength::Weak)),
            ),
            (
                "12 W 34th St, New York, NY 10001",
                Some(("12 W 34th St, New York, NY 10001", Strength::Strong)),
            ),
            // Units in any case, chained, with '#'; a suite number without its designator
            // before the city line; "Fl"/"Ste" do not start "Florida"/"Stewartside".
            (
                "16444 N 91ST ST BLDG H, SCOTTSDALE, AZ 85260",
                Some((
                    "16444 N 91ST ST BLDG H, SCOTTSDALE, AZ 85260",
                    Strength::Strong,
                )),
            ),
            (
                "9 Grand Avenue Building 2, Suite 2A is",
                Some(("9 Grand Avenue Building 2, Suite 2A", Strength::Strong)),
            ),
            (
                "1790 Yardley Langhorne Rd, Suite #205 is",
                Some(("1790 Yardley Langhorne Rd, Suite #205", Strength::Strong)),
            ),
            (
                "666 Hell ST PMB 29700 is",
                Some(("666 Hell ST PMB 29700", Strength::Strong)),
            ),
            (
                "354 Eisenhower Parkway P.O. Box 472 is",
                Some(("354 Eisenhower Parkway P.O. Box 472", Strength::Strong)),
            ),
            (
                "235 PEACHTREE ST NE 900, ATLANTA, GA 30303",
                Some((
                    "235 PEACHTREE ST NE 900, ATLANTA, GA 30303",
                    Strength::Strong,
                )),
            ),
            (
                "235 Peachtree St 900, and more",
                Some(("235 Peachtree St", Strength::Weak)),
            ),
            (
                "910 Green Mission, Stewartside, AK 38783",
                Some(("910 Green Mission, Stewartside, AK 38783", Strength::Strong)),
            ),
            (
                "910 Green Mission, Florida is",
                Some(("910 Green Mission", Strength::Weak)),
            ),
            // Directionals as words; state names; a title-case state code before a ZIP; a
            // city and ZIP without a state.
            (
                "1500 Westlake Avenue North Suite 108 Seattle, WA 98109",
                Some((
                    "1500 Westlake Avenue North Suite 108 Seattle, WA 98109",
                    Strength::Strong,
                )),
            ),
            (
                "420 Crompton Street Charlotte , North Carolina 28273",
                Some((
                    "420 Crompton Street Charlotte , North Carolina 28273",
                    Strength::Strong,
                )),
            ),
            (
                "12 Main Street, Springfield, Illinois is",
                Some(("12 Main Street, Springfield, Illinois", Strength::Strong)),
            ),
            (
                "23 Awesome Street, Austin Tx 78755",
                Some(("23 Awesome Street, Austin Tx 78755", Strength::Strong)),
            ),
            (
                "23 Awesome Street, Austin Tx is",
                Some(("23 Awesome Street", Strength::Weak)),
            ),
            (
                "1300 E MOUNT GARFIELD ROAD, NORTON SHORES 49441",
                Some((
                    "1300 E MOUNT GARFIELD ROAD, NORTON SHORES 49441",
                    Strength::Strong,
                )),
            ),
            // Numbered roads.
            (
                "600 HIGHWAY 32 EAST, WATER VALLEY, MS 38965",
                Some((
                    "600 HIGHWAY 32 EAST, WATER VALLEY, MS 38965",
                    Strength::Strong,
                )),
            ),
            (
                "12 County Road 5, Springfield, IL 62704",
                Some(("12 County Road 5, Springfield, IL 62704", Strength::Strong)),
            ),
            (
                "600 Highway 32 is",
                Some(("600 Highway 32", Strength::Weak)),
            ),
            ("600 Highway 12345 is", None),
            ("3 Apples", None),
            ("12 Main Hall", None),
        ];
        for (s, want) in cases {
            // The regex matches only the number and capitalised words; emulate that.
            let cut = s
                .char_indices()
                .find(|&(i, c)| {
                    let next = &s[i + 1..];
                    let token = &next[..next.find([' ', ',']).unwrap_or(next.len())];
                    let number = token.starts_with(|c: char| c.is_ascii_digit())
                        && !["st", "nd", "rd", "th"]
                            .iter()
                            .any(|o| token.to_ascii_lowercase().ends_with(o));
                    c == ','
                        || (c == ' ' && (next.starts_with(|c: char| c.is_lowercase()) || number))
                })
                .map_or(s.len(), |(i, _)| i);
            let v = check(s, 0, cut).map(|v| {
                let (a, b) = v.span.unwrap();
                (&s[a..b], v.strength)
            });
            assert_eq!(v, *want, "{s}");
        }
        assert!(span("1 Park Avenue").is_some());
        // A unit on the next line of an envelope belongs to the address.
        let env = "931 Jackson Alley\n Apt. 400\n Travisfort";
        let v = check(env, 0, "931 Jackson Alley".len()).unwrap();
        assert_eq!(v.span, Some((0, "931 Jackson Alley\n Apt. 400".len())));
        assert_eq!(v.strength, Strength::Strong);
        // After "at" / "to" a street line alone is an address; after other words it is weak.
        let at = |t: &str, from: &str| {
            let s = t.find(from).unwrap();
            check(t, s, t.len()).map(|v| v.strength)
        };
        assert_eq!(
            at("meet me at 970 Olson Avenue", "970"),
            Some(Strength::Strong)
        );
        assert_eq!(
            at("send it To 931 Jackson Alley", "931"),
            Some(Strength::Strong)
        );
        assert_eq!(at("I have 970 Olson Avenue", "970"), Some(Strength::Weak));
        assert_eq!(at("that 970 Olson Avenue", "970"), Some(Strength::Weak));
    }

    #[test]
    fn lower_case_addresses_after_their_cue() {
        // (text, cue end = after "is"/"to"/"at", the span found)
        let cases: &[(&str, Option<&str>)] = &[
            ("address is 101 main st", Some("101 main st")),
            ("address is 101 main st.", Some("101 main st.")),
            ("address is 221b baker st", Some("221b baker st")),
            (
                "address is 504 parkwood drive apt 4",
                Some("504 parkwood drive apt 4"),
            ),
            (
                "address is 500 elm street, #12 now",
                Some("500 elm street, #12"),
            ),
            (
                "address is 1600 pennsylvania ave nw, washington, dc 20500 ok",
                Some("1600 pennsylvania ave nw, washington, dc 20500"),
            ),
            (
                "address is 12 main street, springfield il",
                Some("12 main street, springfield il"),
            ),
            ("address is 5 oak st, and me", Some("5 oak st")),
            ("address is 3 North elm Blvd", Some("3 North elm Blvd")),
            // Capitalised addresses are the us-street-address rule's.
            ("address is 12 Main Street", None),
            ("address is a 45 minute drive away", None),
            ("address is 2 units to warehouse drive", None),
            ("address is 12 st", None),
            ("address is 1234567 main st", None),
            ("address is 12 main stable", None),
            ("address is! 12 main st", None),
            ("address is\n12 main st", None),
            ("address is really far from here at 12 main st", None),
        ];
        for &(t, want) in cases {
            let got = lower_after(t, 10).map(|(s, e)| &t[s..e]);
            assert_eq!(got, want, "{t:?}");
        }
    }

    #[test]
    fn lower_case_addresses_where_a_line_starts() {
        // (text, line start) → the address read there, whatever its strength.
        let cases: &[(&str, usize, Option<&str>)] = &[
            ("504 parkwood drive", 0, Some("504 parkwood drive")),
            (
                "hi\n36108 dennis overpass\n",
                3,
                Some("36108 dennis overpass"),
            ),
            ("it's 8808 welch track", 0, Some("8808 welch track")),
            ("ok here 2397 quinn ranch!", 0, Some("2397 quinn ranch")),
            (
                "of course! 4184 bay ave (side door)",
                0,
                Some("4184 bay ave"),
            ),
            // After a short remark.
            (
                "sorry was afk. 36108 dennis overpass",
                0,
                Some("36108 dennis overpass"),
            ),
            ("we moved. ok 2397 quinn ranch", 0, Some("2397 quinn ranch")),
            // A remark longer than a reply's opening words.
            (
                "I went there twice last week and nobody was home. 36108 dennis overpass",
                0,
                None,
            ),
            (
                "42 west bay ln, unit 18a (side door)",
                0,
                Some("42 west bay ln, unit 18a"),
            ),
            (
                "70 spring garden cir suite 38 phoenix az 85004 (side door)",
                0,
                Some("70 spring garden cir suite 38 phoenix az 85004"),
            ),
            ("70 spring garden cir suite 38 phoenix az", 0, None),
            // A remark after it: only with its state and ZIP.
            (
                "it's 8808 welch track, west aaronfurt, ak 99725 - it's a house",
                0,
                Some("8808 welch track, west aaronfurt, ak 99725"),
            ),
            ("it's 8808 welch track - it's a house", 0, None),
            ("8808 welch track is closed", 0, None),
            ("36108 dennis overpass, springfield il is closed", 0, None),
            // No opener, or no address after it.
            ("we drove 12 elm st", 0, None),
            ("ok 2 hard drives", 0, None),
            ("it's 5 minutes away", 0, None),
        ];
        // Openers are read near the text's start only.
        let far = format!("{}\nit's 8808 welch track", "x".repeat(300));
        assert_eq!(lower_line(&far, 301), None);
        let near = format!("{}\nit's 8808 welch track", "x".repeat(100));
        assert_eq!(lower_line(&near, 101), Some((106, 122)));
        for &(t, line, want) in cases {
            let got = lower_line(t, line).map(|(s, e)| &t[s..e]);
            assert_eq!(got, want, "{t:?}");
        }
    }

    #[test]
    fn lower_case_addresses_by_where_they_stand() {
        // (text, the address's start) → reported without a cue?
        let cases: &[(&str, &str, bool)] = &[
            ("504 parkwood drive", "504", true),
            ("hi\n500 elm street.\nthanks", "500", true),
            ("the new place at 101 main st.", "101", true),
            ("we moved to 12 oak lane apt 4", "12", true),
            // A remark in parentheses after it.
            ("42 west bay ln (side door)", "42", true),
            ("42 west bay ln (side door) is closed", "42", false),
            // One-digit house numbers, plurals, "way" and prose around it: a cue is needed.
            ("3 elm boulevard", "3", false),
            ("20 hard drives", "20", false),
            ("100 percent way", "100", false),
            ("past 101 main st yesterday", "101", false),
            ("101 main st is nice", "101", false),
        ];
        for &(t, num, want) in cases {
            let i = t.find(num).unwrap();
            let got = lower_read(t, i).is_some_and(|(_, by_place)| by_place);
            assert_eq!(got, want, "{t:?}");
        }
    }

    /// An address stated after its cue, in any country's layout: read to its end; lists
    /// with a number that name no street, postcode or house are not addresses.
    #[test]
    fn stated_addresses_read_to_their_end() {
        fn stated(t: &str, cue: &str) -> Option<&'static str> {
            let cue_end = t.find(cue).unwrap() + cue.len();
            let i = stated_start(t, cue_end)?;
            stated_at(t, i).map(|e| &*String::leak(t[i..e].to_string()))
        }
        for (t, cue, want) in [
            (
                "my address is Via Mirko, 20, 25079, Degagna (BS)",
                "address",
                "Via Mirko, 20, 25079, Degagna (BS)",
            ),
            (
                "ship it to Flat 6, Matthew Ferry, Robinsonfort, E1C 4UD please",
                "ship it to",
                "Flat 6, Matthew Ferry, Robinsonfort, E1C 4UD",
            ),
            (
                "new address: Rua de Manuel d'Arriaga, S/N\n8895-337 Trofa",
                "address",
                "Rua de Manuel d'Arriaga, S/N\n8895-337 Trofa",
            ),
            (
                "I live at 24/69, Raj Street, Korba-433070",
                "live at",
                "24/69, Raj Street, Korba-433070",
            ),
            (
                "my address is now 220 Juan Range, St. Michael, TAS, 2680. Thanks",
                "address",
                "220 Juan Range, St. Michael, TAS, 2680",
            ),
            (
                "address: Calzada Chiapas 852 Edif. 446 , Depto. 342\nVieja Mali, MOR 77865-3182",
                "address",
                "Calzada Chiapas 852 Edif. 446 , Depto. 342\nVieja Mali, MOR 77865-3182",
            ),
            (
                "Address: Praça Silva, 43\nAlpes\n64029703 Barros / PR",
                "Address",
                "Praça Silva, 43\nAlpes\n64029703 Barros / PR",
            ),
            (
                "We moved to Veerlestraat 03, 4496AO, Laag Zuthem last month",
                "moved to",
                "Veerlestraat 03, 4496AO, Laag Zuthem",
            ),
            // The fifth line is the last; a blank line ends it.
            (
                "address:\nA 1\nB Street\nC\nD\nE\nF",
                "address:",
                "A 1\nB Street\nC\nD\nE",
            ),
            (
                "address: 12 Main Street\n\nThanks",
                "address:",
                "12 Main Street",
            ),
            // A later line: read whole, or up to a word that ends it when it has a digit; never
            // all English words.
            (
                "address: 12 Main Street, Springfield\nThanks",
                "address:",
                "12 Main Street, Springfield",
            ),
            (
                "address: 12 Main Street\nSee you soon",
                "address:",
                "12 Main Street",
            ),
            (
                "my address is Via Roma 12\n00184 Roma please",
                "address",
                "Via Roma 12\n00184 Roma",
            ),
            // A particle ends no address; the house number may follow the street name.
            (
                "my new address is Retorno Colima 362 Edif. 361 , Depto. 078, San Javier los bajos",
                "address",
                "Retorno Colima 362 Edif. 361 , Depto. 078, San Javier",
            ),
        ] {
            assert_eq!(stated(t, cue), Some(want), "{t:?}");
        }
        for (t, cue) in [
            ("my address is the same as before", "address"),
            ("ship to Canada, 2 items please", "ship to"),
            ("I'll send it to HR, Room 5 tomorrow", "send it to"),
            ("ship it to me by Friday, 12 June", "ship it to"),
            ("deliver to Gate 12, Terminal 3", "deliver to"),
            ("my IP address is 10.0.0.1, Port 8080", "address"),
            ("email address: John99, Gmail", "address"),
            ("my address is Level 3 of the game", "address"),
            ("send it to 12 people", "send it to"),
            ("my address is Paris", "address"),
        ] {
            assert_eq!(stated(t, cue), None, "{t:?}");
        }
    }

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        for list in [PARTICLES, ADDRESS_LOWER] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
        // street_word's TYPES: every street type is found.
        for w in ["Calle", "rua", "Ulica", "ul.", "Praça", "travesía", "Viale"] {
            assert!(street_word(w), "{w}");
        }
    }

    #[test]
    fn postcodes_and_street_words() {
        for (prev, w) in [
            ("", "25079"),
            ("", "4752-072"),
            ("", "71-931"),
            ("E1C", "4UD"),
            ("L12", "3SX"),
            ("", "S6X9R7"),
            ("6641", "OS"),
            ("", "6641OS"),
            ("", "Korba-433070"),
            ("", "64029703"),
        ] {
            assert!(postcode_like(prev, w), "{prev} {w}");
        }
        for (prev, w) in [
            ("", "123"),
            ("", "1234567"),
            ("Room", "5AB"),
            ("", "3-12345"),
            ("", "ABC123"),
            ("12", "OS"),
        ] {
            assert!(!postcode_like(prev, w), "{prev} {w}");
        }
        for w in [
            "Drive",
            "St.",
            "Via",
            "rue",
            "Praça",
            "Hauptstraße",
            "Keizersgracht",
            "katu",
        ] {
            assert!(street_word(w), "{w}");
        }
        for w in ["Terminal", "Room", "Gate", "Weg", "Paris", "S"] {
            assert!(!street_word(w), "{w}");
        }
    }

    #[test]
    fn european_addresses_read_back_from_the_postcode() {
        fn intl(t: &str) -> Option<(&str, Strength)> {
            let comma = t.rfind(", ").unwrap();
            check_intl(t, comma).map(|v| {
                let (a, b) = v.span.unwrap();
                (&t[a..b], v.strength)
            })
        }
        // On the next line: "\n10115 Berlin".
        let t = "address:\nRhinstrasse 91\n80975 München\nthanks";
        let v = check_intl(t, t.find("\n8").unwrap()).unwrap();
        assert_eq!(
            v.span.map(|(a, b)| &t[a..b]),
            Some("Rhinstrasse 91\n80975 München")
        );
        assert_eq!(check_intl("Room 12\n2021 report", 7), None);
        for (t, want) in [
            (
                "my address is Rhinstrasse 91, München 80975 now",
                Some(("Rhinstrasse 91, München 80975", Strength::Weak)),
            ),
            (
                "Meet me at Via Pisanelli 104, Traversara 48020",
                Some(("Via Pisanelli 104, Traversara 48020", Strength::Strong)),
            ),
            (
                "a taxi to 94 boulevard Amiral Courbet, ORLÉANS 45100",
                Some((
                    "94 boulevard Amiral Courbet, ORLÉANS 45100",
                    Strength::Strong,
                )),
            ),
            (
                "same: Rua Doutor Afrânio Junqueira 1460, São Paulo 04581-040",
                Some((
                    "Rua Doutor Afrânio Junqueira 1460, São Paulo 04581-040",
                    Strength::Weak,
                )),
            ),
            // Five capitalised words before the number: the street is the last four.
            (
                "Big Red Via Dei Mille 5, Roma 00185",
                Some(("Red Via Dei Mille 5, Roma 00185", Strength::Weak)),
            ),
            // The postcode before the city.
            (
                "my address is Östliche Straße 5, 50667 Köln",
                Some(("Östliche Straße 5, 50667 Köln", Strength::Weak)),
            ),
            (
                "ship to Hauptstr. 12, 10115 Berlin please",
                Some(("Hauptstr. 12, 10115 Berlin", Strength::Strong)),
            ),
            (
                "Ulica Żelazna 14, 90-001 Łódź",
                Some(("Ulica Żelazna 14, 90-001 Łódź", Strength::Weak)),
            ),
            (
                "Keizersgracht 123, 1015 CJ Amsterdam.",
                Some(("Keizersgracht 123, 1015 CJ Amsterdam", Strength::Weak)),
            ),
            (
                "Drottninggatan 5, 111 51 Stockholm",
                Some(("Drottninggatan 5, 111 51 Stockholm", Strength::Weak)),
            ),
            (
                "Rua Augusta 10, 1100-053 Lisboa",
                Some(("Rua Augusta 10, 1100-053 Lisboa", Strength::Weak)),
            ),
            // House numbers with a range or a flat, and the French comma after the number.
            (
                "Stollgasse 3/6, 39441 Neunburg vorm Wald",
                Some(("Stollgasse 3/6, 39441 Neunburg", Strength::Weak)),
            ),
            (
                "Marie-Theres-Heuser-Straße 7-9, 25102 Fürstenwalde",
                Some((
                    "Marie-Theres-Heuser-Straße 7-9, 25102 Fürstenwalde",
                    Strength::Weak,
                )),
            ),
            (
                "825, boulevard de François, 77113 Poirier-sur-Mer",
                Some((
                    "825, boulevard de François, 77113 Poirier-sur-Mer",
                    Strength::Weak,
                )),
            ),
            ("Page 3-12345, 10115 Berlin", None),
            ("Release 3/6/2021, 10115 Berlin", None),
            ("my address is Apt 5, 1200 Main Street", None),
            ("Release 5, 2021 release notes", None),
            ("Chapter 5, 2021 March", None),
            ("On Friday 12, March 2021", None),
            ("PSC 5771, Box 0397", None),
            ("Version 2, Build 12345x", None),
            ("I have three kids, Berlin", None),
        ] {
            assert_eq!(intl(t), want, "{t}");
        }
    }
}
