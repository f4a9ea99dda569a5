//! Validators: the closed set of named checks a rule may use. Each is a pure function of the
//! candidate (and, for a few, of the characters right around it). They decide whether a
//! candidate is well-formed and how strong its form is; they never look at context words and
//! never allocate on the common path.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::shape::NumView;
use crate::text::{digit_value, shannon_entropy};

/// How convincing the form of a validated value is. `Weak` forms (nine bare digits …) use the
/// rule's `weak_score`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strength {
    Strong,
    Weak,
}

/// A passed validation: strength and, when the validator narrowed or widened the value, the
/// new byte span.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Verdict {
    pub(crate) strength: Strength,
    pub(crate) span: Option<(usize, usize)>,
}

impl Verdict {
    pub(crate) fn strong() -> Option<Verdict> {
        Some(Verdict {
            strength: Strength::Strong,
            span: None,
        })
    }
    fn weak() -> Option<Verdict> {
        Some(Verdict {
            strength: Strength::Weak,
            span: None,
        })
    }
    fn of(strong: bool) -> Option<Verdict> {
        if strong {
            Verdict::strong()
        } else {
            Verdict::weak()
        }
    }
}

/// The closed set of validators. Names (as written in rules) are listed in [`Validator::parse`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Validator {
    None,
    LuhnCard,
    Ssn,
    Itin,
    Aba,
    NanpPhone,
    E164Phone,
    NationalPhone,
    Npi,
    BankAccount,
    Digits(u8, u8),
    Dea,
    PassportAlnum,
    DlAlnum,
    IdAlnum,
    MemberId,
    Email,
    Ipv4,
    Ipv6,
    Iban,
    Mbi,
    Date,
    CompactDate,
    StreetAddress,
    Vin,
    Icd10,
    Jwt,
    PemKey,
    Entropy(f32),
    AssignmentEntropy(f32),
    UrlPassword,
    PersonName,
    Base64Jwt,
    BasicAuth,
    CliPassword,
    UkDvla,
    IntlAddress,
    PartialDate,
    LowerStreetAddress,
    /// An address in any country's layout, stated after an address cue (`after-cue`).
    StatedAddress,
    /// A phone number in any country's layout, stated after a phone cue (`after-cue`).
    StatedPhone,
    PassportToken,
    /// A date written with the Chinese, Japanese or Korean year, month and day signs
    /// ("1985年3月15日", "1985년 3월 15일") that its own birth words stand next to.
    DateCjk,
}

/// Names accepted in the `validator` field, for error messages and `dlp rules`.
pub const VALIDATOR_NAMES: &[&str] = &[
    "luhn-card",
    "ssn",
    "itin",
    "aba",
    "nanp-phone",
    "e164-phone",
    "national-phone",
    "npi",
    "bank-account",
    "digits(N) | digits(MIN,MAX)",
    "dea",
    "passport-alnum",
    "dl-alnum",
    "id-alnum",
    "member-id",
    "email",
    "ipv4",
    "ipv6",
    "iban",
    "mbi",
    "date",
    "date-compact",
    "street-address",
    "vin",
    "icd10",
    "jwt",
    "pem-key",
    "entropy>=X",
    "assignment-entropy>=X",
    "url-password",
    "person-name",
    "base64-jwt",
    "basic-auth",
    "cli-password",
    "uk-dvla",
    "intl-address",
    "partial-date",
    "street-address-lower",
    "stated-address",
    "stated-phone",
    "passport-token",
    "date-cjk",
];

impl Validator {
    pub(crate) fn parse(name: Option<&str>) -> Option<Validator> {
        let Some(name) = name else {
            return Some(Validator::None);
        };
        let name = name.trim();
        if let Some(x) = name.strip_prefix("entropy>=") {
            return x
                .trim()
                .parse()
                .ok()
                .filter(|x: &f32| x.is_finite())
                .map(Validator::Entropy);
        }
        if let Some(x) = name.strip_prefix("assignment-entropy>=") {
            return x
                .trim()
                .parse()
                .ok()
                .filter(|x: &f32| x.is_finite())
                .map(Validator::AssignmentEntropy);
        }
        if let Some(args) = name
            .strip_prefix("digits(")
            .and_then(|s| s.strip_suffix(')'))
        {
            let mut it = args.split(',').map(|a| a.trim().parse::<u8>());
            let min = it.next()?.ok()?;
            let max = match it.next() {
                Some(m) => m.ok()?,
                None => min,
            };
            if it.next().is_some()
                || min == 0
                || max < min
                || max as usize > crate::shape::MAX_DIGITS
            {
                return None;
            }
            return Some(Validator::Digits(min, max));
        }
        Some(match name {
            "none" => Validator::None,
            "luhn-card" => Validator::LuhnCard,
            "ssn" => Validator::Ssn,
            "itin" => Validator::Itin,
            "aba" => Validator::Aba,
            "nanp-phone" => Validator::NanpPhone,
            "e164-phone" => Validator::E164Phone,
            "national-phone" => Validator::NationalPhone,
            "npi" => Validator::Npi,
            "bank-account" => Validator::BankAccount,
            "dea" => Validator::Dea,
            "passport-alnum" => Validator::PassportAlnum,
            "dl-alnum" => Validator::DlAlnum,
            "id-alnum" => Validator::IdAlnum,
            "member-id" => Validator::MemberId,
            "email" => Validator::Email,
            "ipv4" => Validator::Ipv4,
            "ipv6" => Validator::Ipv6,
            "iban" => Validator::Iban,
            "mbi" => Validator::Mbi,
            "date" => Validator::Date,
            "date-compact" => Validator::CompactDate,
            "street-address" => Validator::StreetAddress,
            "vin" => Validator::Vin,
            "icd10" => Validator::Icd10,
            "jwt" => Validator::Jwt,
            "pem-key" => Validator::PemKey,
            "person-name" => Validator::PersonName,
            "url-password" => Validator::UrlPassword,
            "base64-jwt" => Validator::Base64Jwt,
            "basic-auth" => Validator::BasicAuth,
            "cli-password" => Validator::CliPassword,
            "uk-dvla" => Validator::UkDvla,
            "intl-address" => Validator::IntlAddress,
            "partial-date" => Validator::PartialDate,
            "street-address-lower" => Validator::LowerStreetAddress,
            "stated-address" => Validator::StatedAddress,
            "stated-phone" => Validator::StatedPhone,
            "passport-token" => Validator::PassportToken,
            "date-cjk" => Validator::DateCjk,
            _ => return None,
        })
    }

    /// Whether this validator reads a digit-run view (shape `number`).
    pub(crate) fn is_numeric(self) -> bool {
        matches!(
            self,
            Validator::LuhnCard
                | Validator::Ssn
                | Validator::Itin
                | Validator::Aba
                | Validator::NanpPhone
                | Validator::E164Phone
                | Validator::NationalPhone
                | Validator::Npi
                | Validator::BankAccount
                | Validator::CompactDate
                | Validator::Digits(..)
        )
    }

    /// For the rules read after a context word (shape `after-cue`): the value right after a
    /// context word ending at `cue_end`, if one stands there.
    pub(crate) fn find_after(self, text: &str, cue_end: usize) -> Option<(usize, usize)> {
        let b = text.as_bytes();
        if self.is_stated() {
            let i = self.stated_start(text, cue_end)?;
            return self.after_cue_end(text, i).map(|e| (i, e));
        }
        let i = crate::text::value_after_cue(b, cue_end, |i| match self {
            Validator::PartialDate => crate::birth::starts(b, i),
            Validator::LowerStreetAddress => b[i].is_ascii_digit(),
            Validator::PassportToken => passport_token_at(b, i).is_some(),
            _ => false,
        })?;
        self.after_cue_end(text, i).map(|e| (i, e))
    }

    /// A value a customer states after its cue in any country's layout (an address, a phone
    /// number): read only where no rule that knows a layout found one.
    pub(crate) fn is_stated(self) -> bool {
        matches!(self, Validator::StatedAddress | Validator::StatedPhone)
    }

    /// Where a stated value starts right after its cue ("my address is …", "ship it to: …",
    /// "call me on …"; not "ship it to me by Friday, 12 June").
    pub(crate) fn stated_start(self, text: &str, cue_end: usize) -> Option<usize> {
        match self {
            Validator::StatedAddress => crate::address::stated_start(text, cue_end),
            Validator::StatedPhone => phone_stated_start(text, cue_end),
            _ => None,
        }
    }

    /// The end of an `after-cue` rule's value that starts at `i`.
    pub(crate) fn after_cue_end(self, text: &str, i: usize) -> Option<usize> {
        match self {
            Validator::PartialDate => crate::birth::at(text.as_bytes(), i),
            Validator::LowerStreetAddress => crate::address::lower_at(text, i),
            Validator::StatedAddress => crate::address::stated_at(text, i),
            Validator::StatedPhone => phone_stated_at(text.as_bytes(), i),
            Validator::PassportToken => passport_token_at(text.as_bytes(), i),
            _ => None,
        }
    }

    /// Checks a digit-run candidate.
    pub(crate) fn check_number(self, v: &NumView) -> Option<Verdict> {
        if v.overflow {
            return None;
        }
        let d = v.digits();
        match self {
            Validator::None => Verdict::strong(),
            Validator::LuhnCard => card(v),
            Validator::Ssn => {
                if v.plus || v.paren || v.mixed_separators || d.len() != 9 || !ssn_parts_ok(d) {
                    return None;
                }
                // The sample numbers are nobody's by themselves, but "my SSN is 123-45-6789"
                // typed in a chat is someone's claim: context decides.
                let sample = SAMPLE_SSNS.iter().any(|s| s[..] == d[..]);
                nine_digit_id(v, sample)
            }
            Validator::Itin => {
                if v.plus || v.paren || v.mixed_separators || d.len() != 9 || d[0] != 9 {
                    return None;
                }
                if d.iter().all(|&x| x == d[0]) {
                    return None;
                }
                let g = d[3] * 10 + d[4];
                if !matches!(g, 50..=65 | 70..=88 | 90..=92 | 94..=99) {
                    return None;
                }
                nine_digit_id(v, false)
            }
            Validator::CompactDate => {
                // Eight digits with no separator that read as a date: year first (ISO basic
                // form), or year last (US month-day, else day-month).
                if !v.contiguous() || d.len() != 8 || v.plus || v.paren {
                    return None;
                }
                let n = |at: usize, len: usize| prefix_num(&d[at..], len);
                let year_first = valid_date(n(0, 4), n(4, 2), n(6, 2));
                let year_last =
                    valid_date(n(4, 4), n(0, 2), n(2, 2)) || valid_date(n(4, 4), n(2, 2), n(0, 2));
                if year_first || year_last {
                    Verdict::strong()
                } else {
                    None
                }
            }
            Validator::Aba => {
                // Contiguous, or in the 4-4-1 grouping some cheques print.
                let shape_ok = v.contiguous() || v.groups_are(&[4, 4, 1]);
                if !shape_ok || v.mixed_separators || d.len() != 9 || v.plus || v.paren {
                    return None;
                }
                let p = d[0] * 10 + d[1];
                if !matches!(p, 0..=12 | 21..=32 | 61..=72 | 80) || d.iter().all(|&x| x == 0) {
                    return None;
                }
                let s = 3 * (d[0] as u32 + d[3] as u32 + d[6] as u32)
                    + 7 * (d[1] as u32 + d[4] as u32 + d[7] as u32)
                    + (d[2] as u32 + d[5] as u32 + d[8] as u32);
                s.is_multiple_of(10).then_some(Verdict {
                    strength: Strength::Strong,
                    span: None,
                })
            }
            Validator::NanpPhone => nanp(v),
            Validator::NationalPhone => national_phone(v),
            Validator::E164Phone => e164(v),
            Validator::Npi => {
                // Contiguous, or grouped 4-3-3 / 3-3-4 as some forms print it.
                let shape_ok =
                    v.contiguous() || v.groups_are(&[4, 3, 3]) || v.groups_are(&[3, 3, 4]);
                if !shape_ok
                    || v.mixed_separators
                    || d.len() != 10
                    || !matches!(d[0], 1 | 2)
                    || v.plus
                    || v.paren
                {
                    return None;
                }
                // Luhn over "80840" + the ten digits; the prefix contributes a constant 24.
                (luhn_sum(d) + 24).is_multiple_of(10)
            }
            .then_some(Verdict {
                strength: Strength::Strong,
                span: None,
            }),
            Validator::BankAccount => {
                if v.plus
                    || v.paren
                    || !(8..=17).contains(&d.len())
                    || !(v.contiguous() || v.min_group(3))
                {
                    return None;
                }
                if d.iter().all(|&x| x == d[0]) {
                    return None;
                }
                Verdict::strong()
            }
            Validator::Digits(min, max) => {
                if v.plus || v.paren || d.len() < min as usize || d.len() > max as usize {
                    return None;
                }
                if !(v.contiguous() || v.min_group(2)) || d.iter().all(|&x| x == d[0]) {
                    return None;
                }
                Verdict::strong()
            }
            _ => None,
        }
    }

    /// Checks a pattern or letter+digit candidate `text[start..end]`.
    pub(crate) fn check_text(self, text: &str, start: usize, end: usize) -> Option<Verdict> {
        let s = &text[start..end];
        match self {
            Validator::None => Verdict::strong(),
            Validator::Entropy(min) => {
                // AKIAIOSFODNN7EXAMPLE and its kin are the providers' documentation values; a
                // token shown with its tail masked ("xoxp-5723…-####") is not one either.
                if shannon_entropy(s) < min
                    || !mixed_token(s)
                    || contains_ci(s, b"example")
                    || text[end..]
                        .trim_start_matches(['-', '_', '.'])
                        .starts_with(['#', '*'])
                {
                    return None;
                }
                // A cookie's value, not its name: "_gitlab_session=<value>".
                if let Some(v) = s.strip_prefix("_gitlab_session=") {
                    return Some(Verdict {
                        strength: Strength::Strong,
                        span: Some((end - v.len(), end)),
                    });
                }
                Verdict::strong()
            }
            Validator::AssignmentEntropy(min) => assignment(text, start, end, min),
            Validator::UrlPassword => url_password(text, start, end),
            Validator::Base64Jwt => {
                // A JWT base64-encoded once more (Kubernetes secrets, CI variables).
                // Its header and claims must be JSON objects (the header need not name its
                // algorithm: gitleaks' samples vary the header parameters).
                let raw = b64url_decode(s)?;
                let inner = std::str::from_utf8(&raw).ok()?.trim_end();
                let mut parts = inner.split('.');
                for _ in 0..2 {
                    let part = b64url_decode(parts.next()?)?;
                    serde_json::from_slice::<serde_json::Value>(&part)
                        .ok()?
                        .as_object()?;
                }
                Verdict::strong()
            }
            Validator::BasicAuth => basic_auth(text, start, end),
            Validator::CliPassword => cli_password(text, start, end),
            Validator::UkDvla => uk_dvla(s),
            Validator::Email => email(text, start, end),
            Validator::Ipv4 => ipv4(text, start, end),
            Validator::Ipv6 => ipv6(text, start, end),
            Validator::Iban => iban(text, start, end),
            Validator::Mbi => {
                let c: Vec<u8> = s
                    .bytes()
                    .filter(|b| *b != b'-' && *b != b' ')
                    .map(|b| b.to_ascii_uppercase())
                    .collect();
                if c.len() != 11 || !mbi_ok(&c) {
                    return None;
                }
                // Typed in lower case, only the dashed CMS layout (1eg4-te5-mk73) identifies
                // itself; eleven bare (or spaced) lower-case characters need context.
                let lower = s.bytes().any(|b| b.is_ascii_lowercase());
                Verdict::of(!lower || (s.len() == 13 && !s.contains(' ')))
            }
            Validator::Date => {
                // An ISO 8601 timestamp ("1987-03-15T00:00:00Z", as systems export a birth
                // date) is read by its date; the clock part is in the span.
                let s = match s.find('T') {
                    Some(i) if i >= 8 && s.as_bytes()[i - 1].is_ascii_digit() => &s[..i],
                    _ => s,
                };
                let (y, m, d) = parse_date(s)?;
                if !valid_date(y, m, d) {
                    return None;
                }
                // A date directly followed by a clock time or another number is a timestamp.
                let after = text[end..].trim_start_matches(' ').as_bytes();
                let after = &after[..after.len().min(6)];
                if after.first().is_some_and(u8::is_ascii_digit) && after.contains(&b':') {
                    return None;
                }
                Verdict::strong()
            }
            Validator::DateCjk => cjk_birth_date(text, start, end),
            Validator::StreetAddress => crate::address::check(text, start, end),
            Validator::IntlAddress => crate::address::check_intl(text, start),
            // The value read after a cue (a partial date, a lower-case address, a national
            // passport layout), exactly this span.
            Validator::PartialDate
            | Validator::PassportToken
            | Validator::StatedAddress
            | Validator::StatedPhone => {
                if self.after_cue_end(text, start) == Some(end) {
                    Verdict::strong()
                } else {
                    None
                }
            }
            // A lower-case address needs its cue, unless it is all its line holds or follows
            // "at" ("checkout the new place at 101 main st.").
            Validator::LowerStreetAddress => match crate::address::lower_read(text, start) {
                Some((e, true)) if e == end => Verdict::strong(),
                Some((e, false)) if e == end => Verdict::weak(),
                _ => None,
            },
            Validator::Vin => {
                // A VIN typed in lower case is checked the same way, but needs context.
                let v = vin(&s.to_ascii_uppercase())?;
                if s.bytes().any(|b| b.is_ascii_lowercase()) {
                    Verdict::weak()
                } else {
                    Some(v)
                }
            }
            Validator::Icd10 => Verdict::strong(),
            Validator::Jwt => jwt(s),
            Validator::PemKey => pem_key(s),
            Validator::Dea => {
                let (l, d) = split_alnum(s)?;
                // The second character is the registrant's initial, or 9 for a business
                // registered under its own name ("A91234563").
                let d = match (l.len(), d.len()) {
                    (2, 7) => d,
                    (1, 8) if d.starts_with('9') => &d[1..],
                    _ => return None,
                };
                let lb = l.as_bytes();
                if !b"ABCDEFGHJKLMPRSTUX".contains(&lb[0]) {
                    return None;
                }
                let n: Vec<u32> = d.bytes().map(|b| (b - b'0') as u32).collect();
                let sum = n[0] + n[2] + n[4] + 2 * (n[1] + n[3] + n[5]);
                (sum % 10 == n[6]).then_some(Verdict {
                    strength: Strength::Strong,
                    span: None,
                })
            }
            Validator::PassportAlnum => {
                let (l, d) = split_alnum(s)?;
                // Letter + 8 digits (US next generation), letter + 7 (India), two letters + 7.
                let shape =
                    (l.len() == 1 && (7..=8).contains(&d.len())) || (l.len() == 2 && d.len() == 7);
                (shape && !s.contains('-')).then_some(Verdict {
                    strength: Strength::Strong,
                    span: None,
                })
            }
            Validator::DlAlnum => {
                let (l, d) = split_alnum(s)?;
                (l.len() <= 2 && (4..=14).contains(&d.len())).then_some(Verdict {
                    strength: Strength::Strong,
                    span: None,
                })
            }
            Validator::MemberId => {
                // A payer prefix of up to five capitals, an optional '-', five to fourteen
                // digits (in groups joined by '-': POL-2024-78901) and up to two check
                // characters, the first a letter (BCBSM1234567, UHC-12345AB, W123456789,
                // HPN12345A9).
                let t = s.trim();
                let letters = t.bytes().take_while(u8::is_ascii_uppercase).count();
                let rest = t[letters..].strip_prefix('-').unwrap_or(&t[letters..]);
                let body = rest
                    .bytes()
                    .take_while(|b| b.is_ascii_digit() || *b == b'-')
                    .count();
                let groups = &rest[..body];
                let digits = groups.bytes().filter(u8::is_ascii_digit).count();
                let tail = &rest[body..];
                let ok = (1..=5).contains(&letters)
                    && (5..=14).contains(&digits)
                    && groups.split('-').all(|g| !g.is_empty())
                    // Dashed: seven digits or more ("SKU-123-456" is a stock code).
                    && (digits >= 7 || !groups.contains('-'))
                    && tail.len() <= 2
                    && tail.bytes().next().is_none_or(|b| b.is_ascii_uppercase())
                    && tail
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
                ok.then_some(Verdict {
                    strength: Strength::Strong,
                    span: None,
                })
            }
            Validator::IdAlnum => {
                let (l, d) = split_alnum(s)?;
                (l.len() <= 3 && (5..=14).contains(&d.len())).then_some(Verdict {
                    strength: Strength::Strong,
                    span: None,
                })
            }
            // A digit validator on a text candidate: view its digits.
            v if v.is_numeric() => v.check_number(&NumView::new(s)),
            _ => None,
        }
    }
}

/// A passport number in one of the many national layouts the letter-then-digits shape does
/// not cover ("C01X00T47" Germany, "12AB34567" France): six to ten capitals and digits, at
/// least three digits and one letter, not in a layout of `passport-alnum` (letter + seven or
/// eight digits, two letters + seven), as a whole word. Its end.
fn passport_token_at(b: &[u8], i: usize) -> Option<usize> {
    let t = b.get(i..)?;
    let len = t
        .iter()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        .count();
    if !(6..=10).contains(&len)
        || t.get(len)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-')
    {
        return None;
    }
    let w = &t[..len];
    let digits = w.iter().filter(|c| c.is_ascii_digit()).count();
    let lead = w.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let alnum_layout = w[lead..].iter().all(u8::is_ascii_digit)
        && ((lead == 1 && (7..=8).contains(&digits)) || (lead == 2 && digits == 7));
    (digits >= 3 && digits < len && !alnum_layout).then_some(i + len)
}

/// Where a phone number a customer states after a phone cue ending at `cue_end` starts: past
/// ':', '#', '-' and the words between ("call me on", "my mobile is", "phone no."), at a
/// digit, '+' or '('.
fn phone_stated_start(text: &str, cue_end: usize) -> Option<usize> {
    const FILLER: &[&str] = &[
        "is", "me", "on", "at", "to", "number", "no", "no.", "nr", "nr.", "now", "be", "it's",
        "its", "us", // and the same in the languages customers write
        "est", "le", "la", "es", "el", "ist", "é", "è", "il", "o", "är", "er", "lautet",
    ];
    crate::text::after_filler(text, cue_end, b" :-#=,\t", FILLER, |rest| {
        rest.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '(')
    })
}

/// A phone number in any country's layout, stated after a phone cue: an optional '+', then
/// two to six groups of digits (the first may stand in parentheses: "(0900)-011823", "8 (632)
/// 229-08-64") separated by one space, '-', '.', '/' or " - ", 7 to 15 digits in all
/// (E.164's most), the whole number as one word. Not a date ("2024-03-15", "15.03.1987"). Its
/// end.
fn phone_stated_at(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    if b.get(j) == Some(&b'+') {
        j += 1;
    }
    let (mut digits, mut groups, mut end) = (0usize, 0usize, None);
    let mut lens = [0usize; 6];
    let mut seps = 0u8;
    while groups < lens.len() {
        // One group: digits, or digits in parentheses ("(0900)", "(164)792").
        let paren = b.get(j) == Some(&b'(');
        let st = j + usize::from(paren);
        let mut k = st;
        while b.get(k).is_some_and(u8::is_ascii_digit) {
            k += 1;
        }
        if k == st || (paren && b.get(k) != Some(&b')')) {
            break; // "… (evenings)": the number ended before
        }
        lens[groups] = k - st;
        digits += k - st;
        groups += 1;
        j = k + usize::from(paren);
        end = Some(j);
        match b.get(j) {
            Some(&c @ (b' ' | b'-' | b'.' | b'/')) => {
                seps |= match c {
                    b'.' => 1,
                    b'/' => 2,
                    b'-' => 4,
                    _ => 8,
                };
                j += 1;
                // " - " as one separator.
                if c == b' ' && b.get(j) == Some(&b'-') && b.get(j + 1) == Some(&b' ') {
                    j += 2;
                }
            }
            Some(c) if paren && c.is_ascii_digit() => {}
            _ => break,
        }
    }
    let end = end?;
    // An extension ends the number: "839.107.1388x3305", "… ext. 12".
    let extension = b.get(end) == Some(&b'x') && b.get(end + 1).is_some_and(u8::is_ascii_digit);
    if !(7..=15).contains(&digits)
        || (b.get(end).is_some_and(u8::is_ascii_alphanumeric) && !extension)
        || (b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit))
    {
        return None;
    }
    // A date, not a number: "2024-03-15", "15.03.1987", "03/15/1987".
    let date = groups == 3
        && seps & 8 == 0
        && (matches!(lens[..3], [4, 2, 2])
            || matches!(lens[..3], [2, 2, 4] | [1, 2, 4] | [2, 1, 4]));
    (!date).then_some(end)
}

fn split_alnum(s: &str) -> Option<(&str, &str)> {
    let s = s.trim();
    let i = s.find(|c: char| c.is_ascii_digit())?;
    let l = s[..i].trim_end_matches('-');
    let d = &s[i..];
    (l.bytes().all(|b| b.is_ascii_uppercase()) && d.bytes().all(|b| b.is_ascii_digit()))
        .then_some((l, d))
}

/// Tokens with real entropy mix letters and digits (or cases); `AAAA…` does not.
fn mixed_token(s: &str) -> bool {
    let mut classes = 0u8;
    for b in s.bytes() {
        classes |= if b.is_ascii_lowercase() {
            1
        } else if b.is_ascii_uppercase() {
            2
        } else if b.is_ascii_digit() {
            4
        } else {
            8
        };
    }
    classes.count_ones() >= 2
}

/// Luhn sum of digits `d` as if a check digit were the last of them.
pub(crate) fn luhn_sum(d: &[u8]) -> u32 {
    d.iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let x = x as u32;
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum()
}

pub(crate) fn luhn_ok(d: &[u8]) -> bool {
    luhn_sum(d).is_multiple_of(10)
}

fn prefix_num(d: &[u8], n: usize) -> u32 {
    d.iter().take(n).fold(0u32, |a, &x| a * 10 + x as u32)
}

fn card(v: &NumView) -> Option<Verdict> {
    let d = v.digits();
    let n = d.len();
    if v.plus || v.paren || !(12..=19).contains(&n) {
        return None;
    }
    // Grouped numbers are written in groups of 3-6 (4-4-4-4, 4-6-5, 4-6-4, 4-4-4-4-3), or in
    // fours with a shorter rest (13- and 14-digit cards: 4-4-4-1, 4-4-4-2).
    let g = v.groups();
    let fours_and_rest = g.len() >= 2 && g[..g.len() - 1].iter().all(|&x| x == 4);
    if !(v.contiguous() || fours_and_rest || (v.min_group(3) && g.iter().all(|&x| x <= 6))) {
        return None;
    }
    let p2 = prefix_num(d, 2);
    let p3 = prefix_num(d, 3);
    let p4 = prefix_num(d, 4);
    let p6 = prefix_num(d, 6);
    let issuer_ok = match d[0] {
        4 => matches!(n, 13 | 16 | 19), // Visa
        5 => (matches!(p2, 51..=55) && n == 16) || (matches!(p2, 50 | 56..=58) && n >= 12), // MC, Maestro
        1 => p4 == 1800 && n == 15, // JCB (fifteen digits)
        2 => {
            (p4 == 2131 && n == 15) // JCB (fifteen digits)
                || ((2221..=2720).contains(&p4) && n == 16)                 // MC 2-series
                || ((2200..=2204).contains(&p4) && (16..=19).contains(&n)) // Mir
        }
        3 => {
            (matches!(p2, 34 | 37) && n == 15)                                            // Amex
                || ((matches!(p3, 300..=305) || matches!(p2, 36 | 38 | 39)) && (14..=19).contains(&n)) // Diners
                || (p2 == 35 && (16..=19).contains(&n)) // JCB (3528-3589 issued; test data uses all of 35)
        }
        6 => {
            (p4 == 6011 || matches!(p3, 644..=649) || p2 == 65 || (622126..=622925).contains(&p6))
                && (16..=19).contains(&n)                                                 // Discover
                || (p2 == 62 && (16..=19).contains(&n))                                   // UnionPay
                || (matches!(p2, 63 | 67) && (12..=19).contains(&n)) // Maestro
                || (p2 == 60 && n == 16) // RuPay (and eftpos Australia's 6035 cards)
        }
        8 => (810_000..=817_199).contains(&p6) && (16..=19).contains(&n), // UnionPay 81
        9 => p4 == 9792 && n == 16,                                       // Troy
        0 => p4 == 604 && n >= 12, // Maestro 0604 (in IIN tables and Faker's generator)
        _ => false,
    };
    // UATP (airline cards): 15 digits from 1. Luhn passes one number in ten, and fifteen-digit
    // ids that start with 1 are common, so the form is weak: it needs card context.
    let uatp = d[0] == 1 && n == 15;
    if !(issuer_ok || uatp) || !luhn_ok(d) {
        return None;
    }
    if issuer_ok {
        Verdict::strong()
    } else {
        Verdict::weak()
    }
}

/// Numbers publicised so widely that by themselves they are nobody's SSN: the Woolworth
/// wallet-card number (078-05-1120, voided by the SSA) and the textbook sample 123-45-6789
/// (Presidio rejects both). Weak: SSN context still reports them.
const SAMPLE_SSNS: [[u8; 9]; 2] = [[0, 7, 8, 0, 5, 1, 1, 2, 0], [1, 2, 3, 4, 5, 6, 7, 8, 9]];

/// The forms of a nine-digit SSN or ITIN: 3-2-4 is strong; nine bare digits, and the one-
/// separator slips "078-051120" and "07805-1120" (also a ZIP+4's shape), are weak; so is any
/// form of a sample number.
fn nine_digit_id(v: &NumView, sample: bool) -> Option<Verdict> {
    if v.groups_are(&[3, 2, 4]) && !sample {
        Verdict::strong()
    } else if v.groups_are(&[3, 2, 4])
        || v.contiguous()
        || v.groups_are(&[3, 6])
        || v.groups_are(&[5, 4])
    {
        Verdict::weak()
    } else {
        None
    }
}

fn ssn_parts_ok(d: &[u8]) -> bool {
    let area = prefix_num(d, 3);
    let group = d[3] as u32 * 10 + d[4] as u32;
    let serial = prefix_num(&d[5..], 4);
    area != 0
        && area != 666
        && area < 900
        && group != 0
        && serial != 0
        && !d.iter().all(|&x| x == d[0])
}

fn nanp(v: &NumView) -> Option<Verdict> {
    let d = v.digits();
    let (core, has_one) = match d.len() {
        10 => (d, false),
        11 if d[0] == 1 => (&d[1..], true),
        // "001-740-326-5423": the international prefix 00 and the country code 1.
        13 if d[..3] == [0, 0, 1] && !v.plus && v.groups().first() == Some(&3) => (&d[3..], true),
        _ => return None,
    };
    if v.plus && !has_one {
        return None;
    }
    // No area code or exchange starts with 0 or 1, but "555-123-4567" typed as a phone is
    // still one (made-up and test numbers, typos): weak, phone context decides; after "+1"
    // it is a phone number by its form.
    let impossible = core[0] < 2 || core[3] < 2;
    // N11 codes (411, 911 …) are never assigned as area codes or exchanges, but a number typed
    // as a phone with one is still one (test data, typos): with phone context only.
    let n11 = |c: &[u8]| c[1] == 1 && c[2] == 1;
    let assigned = !n11(core) && !n11(&core[3..]);
    let g = v.groups();
    let formatted = match g {
        [3, 3, 3, 4] if d.len() == 13 => true,
        [3, 3, 4] | [1, 3, 3, 4] => true,
        [3, 7] if v.paren => true,
        // "425 8829090": a common way to type it, but also a reference number's: context.
        [3, 7] => false,
        [10] => v.plus,
        [11] => v.plus,
        _ => return None,
    };
    if impossible {
        let grouped = matches!(g, [3, 3, 4] | [1, 3, 3, 4]);
        return if v.plus && has_one && grouped {
            Verdict::strong()
        } else if (grouped && !v.mixed_separators)
            || (v.paren && matches!(g, [3, 3, 4] | [3, 7]))
            // "my phone: 5551231234": typed without separators, as a phone field takes it.
            || (!v.plus && g == [10])
        {
            Verdict::weak()
        } else {
            None
        };
    }
    Verdict::of(formatted && assigned)
}

/// ITU calling codes: every 1- and 2-digit code in use, and the 2-digit zones whose codes
/// have three digits.
fn calling_code_len(d: &[u8]) -> Option<usize> {
    const TWO: &[u32] = &[
        20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55,
        56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
    ];
    const THREE_ZONES: &[u32] = &[
        21, 22, 23, 24, 25, 26, 29, 35, 37, 38, 42, 50, 59, 67, 68, 69, 80, 85, 87, 88, 96, 97, 99,
    ];
    match d.first()? {
        0 => None,
        1 | 7 => Some(1),
        _ => {
            let p2 = prefix_num(d, 2);
            if TWO.contains(&p2) {
                Some(2)
            } else if THREE_ZONES.contains(&p2) {
                Some(3)
            } else {
                None
            }
        }
    }
}

/// A national number written with its trunk prefix 0 and no country code, as people outside
/// North America type their own number: "020 7946 0958" (GB), "030 1234567" (DE),
/// "090-1234-5678" (JP), "09-7625400" (IL), "01 23 45 67 89" (FR). Nine to eleven digits,
/// one 0 then a non-zero digit, in up to five groups of two or more. Always weak: a leading
/// zero is also how account, order and reference numbers look, so phone context decides.
fn national_phone(v: &NumView) -> Option<Verdict> {
    let d = v.digits();
    let g = v.groups();
    if v.plus {
        return None;
    }
    // Without a trunk prefix: Denmark's and Norway's eight digits ("28 64 27 85", "2864
    // 2785"), a local number without its area code ("867-5309", Iceland's "450 3756"),
    // Brazil's area code in parentheses ("(11) 7113-8192", "(11) 97113-8192": the
    // parentheses and the dash are two kinds of separator, as in "(212) 555-1234"), Spain's
    // nine digits ("612 345 678", "91 123 45 67").
    if d.first() != Some(&0) {
        let plain = !v.paren && !v.mixed_separators;
        let local = match g {
            [2, 2, 2, 2] | [4, 4] => plain,
            [3, 3, 3] | [2, 3, 2, 2] => plain && d[0] >= 6,
            [3, 4] => plain && d[0] >= 2,
            [2, 4, 4] | [2, 5, 4] => v.paren,
            _ => false,
        };
        return if local { Verdict::weak() } else { None };
    }
    if v.mixed_separators {
        return None;
    }
    // Nine to twelve digits with the trunk 0 (a German mobile: "0151 23456789").
    if !(9..=12).contains(&d.len()) || d[1] == 0 {
        return None;
    }
    if g.len() > 5 || !v.min_group(2) || (v.paren && g.len() < 2) {
        return None;
    }
    Verdict::weak()
}

fn e164(v: &NumView) -> Option<Verdict> {
    let all = v.digits();
    // "+44 20 …", or the international prefix "0044 20 …" (with phone context: a digit run
    // that starts with 00 is more often a reference number).
    let (d, strength) = match all {
        [0, 0, rest @ ..] if !v.plus && !v.paren && v.groups().first().is_some_and(|&g| g > 2) => {
            (rest, Strength::Weak)
        }
        _ if v.plus => (all, Strength::Strong),
        _ => return None,
    };
    if !(8..=15).contains(&d.len()) || d[0] == 1 || d[0] == 0 {
        return None;
    }
    let cc = calling_code_len(d)?;
    // "+447700900123" is one group; otherwise a group longer than ten digits is something else
    // glued on (and "00442079460958" reads as any long reference number).
    let g = v.groups();
    let compact = v.plus && g.len() == 1;
    if d.len() - cc < 6 || (!compact && g.iter().any(|&g| g > 10)) {
        return None;
    }
    Some(Verdict {
        strength,
        span: None,
    })
}

fn email(text: &str, start: usize, end: usize) -> Option<Verdict> {
    // The pattern's local part is ASCII (a Unicode class costs the one-pass regex its speed):
    // "jose.garcía@example.com" matched from the 'a' after 'í'. The local part is read back
    // over letters and digits of any script and its punctuation.
    let mut a = start;
    for (i, c) in text[..start].char_indices().rev() {
        if !(c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'')) {
            break;
        }
        a = i;
    }
    // It starts with a letter or digit ("… -josé@" is not part of it).
    while a < start && text[a..].starts_with(['.', '_', '%', '+', '-', '\'']) {
        a += 1;
    }
    let s = &text[a..end];
    let (local, domain) = s.rsplit_once('@')?;
    // A byte-pair test: `str::contains("..")` sets up a substring searcher on every call.
    let double_dot = |p: &str| p.as_bytes().windows(2).any(|w| w == b"..");
    if local.is_empty() || local.len() > 64 || local.ends_with('.') || double_dot(local) {
        return None;
    }
    if double_dot(domain) || domain.len() > 253 {
        return None;
    }
    let tld = domain.rsplit('.').next()?;
    (tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic())).then_some(Verdict {
        strength: Strength::Strong,
        span: (a < start).then_some((a, end)),
    })
}

fn ipv4(text: &str, start: usize, end: usize) -> Option<Verdict> {
    let s = &text[start..end];
    s.parse::<Ipv4Addr>().ok()?;
    let before = &text.as_bytes()[..start];
    let after = &text.as_bytes()[end..];
    // Part of a longer dotted sequence (1.2.3.4.5) or a version (v1.2.3.4).
    if after.len() >= 2 && after[0] == b'.' && after[1].is_ascii_digit() {
        return None;
    }
    if let Some(&b) = before.last() {
        if b == b'v' || b == b'V' {
            return None;
        }
        if b == b'.' && before.len() >= 2 && before[before.len() - 2].is_ascii_digit() {
            return None;
        }
    }
    Verdict::strong()
}

fn ipv6(text: &str, start: usize, end: usize) -> Option<Verdict> {
    let s = &text[start..end];
    let addr = s.parse::<Ipv6Addr>().ok()?;
    if text[end..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == ':') {
        return None;
    }
    // Glued to a longer token on the left ("foo2001:db8::…"): not an address by itself.
    if text[..start].ends_with(|c: char| c.is_ascii_alphanumeric() || c == ':' || c == '.') {
        return None;
    }
    // An embedded dotted IPv4 stands for two groups.
    let dotted = s.contains('.');
    let groups = s.split(':').filter(|g| !g.is_empty()).count() + usize::from(dotted);
    let seg = addr.segments();
    // Loopback, link-local (fe80::/10), multicast (ff00::/8), documentation (2001:db8::/32):
    // short forms that identify themselves.
    let well_known = addr.is_loopback()
        || seg[0] & 0xffc0 == 0xfe80
        || seg[0] & 0xff00 == 0xff00
        || (seg[0] == 0x2001 && seg[1] == 0x0db8);
    if groups < 2 && !addr.is_loopback() {
        return None;
    }
    // Clock times and ratios that parse (rare) need at least one hex letter or 5+ groups.
    let has_hex_letter = s.bytes().any(|b| b.is_ascii_alphabetic());
    if !has_hex_letter && !dotted && groups < 5 && !addr.is_loopback() {
        return None;
    }
    let mut v =
        Verdict::of(groups >= 5 || dotted || well_known || (s.contains("::") && groups >= 3))?;
    // A zone index belongs to the address (fe80::1%eth0, RFC 6874).
    let zone = text[end..].strip_prefix('%').map_or(0, |z| {
        z.bytes()
            .take_while(|&b| b.is_ascii_alphanumeric() || b == b'_')
            .count()
    });
    if zone > 0 {
        v.span = Some((start, end + 1 + zone));
    }
    Some(v)
}

/// The BBAN structure of each country's IBAN (SWIFT IBAN registry, release 101): runs of
/// `n` digits, `a` capital letters, `c` either ("4a6n" = four letters, six digits).
const BBAN: &[(&[u8; 2], &str)] = &[
    (b"AD", "8n12c"),
    (b"AE", "19n"),
    (b"AL", "8n16c"),
    (b"AT", "16n"),
    (b"AZ", "4a20c"),
    (b"BA", "16n"),
    (b"BE", "12n"),
    (b"BG", "4a6n8c"),
    (b"BH", "4a14c"),
    (b"BI", "23n"),
    (b"BR", "23n1a1c"),
    (b"BY", "4c4n16c"),
    (b"CH", "5n12c"),
    (b"CR", "18n"),
    (b"CY", "8n16c"),
    (b"CZ", "20n"),
    (b"DE", "18n"),
    (b"DJ", "23n"),
    (b"DK", "14n"),
    (b"DO", "4c20n"),
    (b"EE", "16n"),
    (b"EG", "25n"),
    (b"ES", "20n"),
    (b"FI", "14n"),
    (b"FK", "2a12n"),
    (b"FO", "14n"),
    (b"FR", "10n11c2n"),
    (b"GB", "4a14n"),
    (b"GE", "2a16n"),
    (b"GI", "4a15c"),
    (b"GL", "14n"),
    (b"GR", "7n16c"),
    (b"GT", "24c"),
    (b"HN", "4a20n"),
    (b"HR", "17n"),
    (b"HU", "24n"),
    (b"IE", "4a14n"),
    (b"IL", "19n"),
    (b"IQ", "4a15n"),
    (b"IS", "22n"),
    (b"IT", "1a10n12c"),
    (b"JO", "4a4n18c"),
    (b"KW", "4a22c"),
    (b"KZ", "3n13c"),
    (b"LB", "4n20c"),
    (b"LC", "4a24c"),
    (b"LI", "5n12c"),
    (b"LT", "16n"),
    (b"LU", "3n13c"),
    (b"LV", "4a13c"),
    (b"LY", "21n"),
    (b"MC", "10n11c2n"),
    (b"MD", "20c"),
    (b"ME", "18n"),
    (b"MK", "3n10c2n"),
    (b"MN", "16n"),
    (b"MR", "23n"),
    (b"MT", "4a5n18c"),
    (b"MU", "4a19n3a"),
    (b"NI", "4a20n"),
    (b"NL", "4a10n"),
    (b"NO", "11n"),
    (b"OM", "3n16c"),
    (b"PK", "4a16c"),
    (b"PL", "24n"),
    (b"PS", "4a21c"),
    (b"PT", "21n"),
    (b"QA", "4a21c"),
    (b"RO", "4a16c"),
    (b"RS", "18n"),
    (b"RU", "14n15c"),
    (b"SA", "2n18c"),
    (b"SC", "4a20n3a"),
    (b"SD", "14n"),
    (b"SE", "20n"),
    (b"SI", "15n"),
    (b"SK", "20n"),
    (b"SM", "1a10n12c"),
    (b"SO", "19n"),
    (b"ST", "21n"),
    (b"SV", "4a20n"),
    (b"TL", "19n"),
    (b"TN", "20n"),
    (b"TR", "6n16c"),
    (b"UA", "6n19c"),
    (b"VA", "18n"),
    (b"VG", "4a16n"),
    (b"XK", "16n"),
    (b"YE", "4a4n18c"),
];

/// The country's BBAN structure, and the IBAN's length.
fn iban_spec(cc: &[u8]) -> Option<(&'static str, usize)> {
    let spec = BBAN.iter().find(|(c, _)| &c[..] == cc)?.1;
    let len = bban_runs(spec).map(|(n, _)| n).sum::<usize>() + 4;
    Some((spec, len))
}

/// A Spanish BBAN (código cuenta cliente) carries its own two check digits, over the bank
/// and branch and over the account number: "ES21 2100 0418 4502 0005 1331" passes mod-97 only.
fn es_ccc(bban: &[u8]) -> bool {
    const W: [u32; 10] = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
    let dc = |digits: &[u8]| {
        let sum: u32 = digits
            .iter()
            .zip(W)
            .map(|(&d, w)| u32::from(d - b'0') * w)
            .sum();
        match 11 - sum % 11 {
            11 => 0,
            10 => 1,
            x => x,
        }
    };
    if bban.len() != 20 || !bban.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut head = [b'0'; 10];
    head[2..].copy_from_slice(&bban[..8]);
    dc(&head) == u32::from(bban[8] - b'0') && dc(&bban[10..]) == u32::from(bban[9] - b'0')
}

/// The runs of a BBAN structure: ("4a6n" → (4, 'a'), (6, 'n')).
fn bban_runs(spec: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    spec.split_inclusive(['a', 'n', 'c'])
        .filter_map(|r| Some((r[..r.len() - 1].parse().ok()?, *r.as_bytes().last()?)))
}

/// The BBAN (upper-cased) has its country's structure: "BG93 BNBG 9661 1A20 …" passes
/// mod-97 but has a letter where Bulgaria puts digits.
fn bban_ok(spec: &str, bban: &[u8]) -> bool {
    let mut i = 0;
    for (n, t) in bban_runs(spec) {
        let Some(run) = bban.get(i..i + n) else {
            return false;
        };
        let ok = |b: &u8| match t {
            b'n' => b.is_ascii_digit(),
            b'a' => b.is_ascii_alphabetic(),
            _ => b.is_ascii_alphanumeric(),
        };
        if !run.iter().all(ok) {
            return false;
        }
        i += n;
    }
    i == bban.len()
}

fn iban(text: &str, start: usize, end: usize) -> Option<Verdict> {
    let s = &text[start..end];
    let cc = s.get(..2)?.as_bytes();
    let (spec, want) = iban_spec(&[cc[0].to_ascii_uppercase(), cc[1].to_ascii_uppercase()])?;
    // Take exactly `want` alphanumerics: a trailing word in capitals may have been swallowed,
    // and groups the pattern did not take may follow ("ES10 0075 0080 11 0600658108": the
    // pattern takes groups of four), one separator apart.
    let mut compact = [0u8; 34];
    let mut n = 0;
    let b = text.as_bytes();
    let mut i = start;
    while n < want && i < b.len() {
        if b[i].is_ascii_alphanumeric() {
            compact[n] = b[i];
            n += 1;
        } else if !(matches!(b[i], b' ' | b'.' | b'-')
            && i > start
            && b[i - 1].is_ascii_alphanumeric()
            && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric))
        {
            break;
        }
        i += 1;
    }
    if n != want {
        return None;
    }
    // Typed in capitals or in lower case, not mixed ("LV80 bANK …" is no IBAN).
    let c = &compact[..n];
    if c.iter().any(u8::is_ascii_uppercase) && c.iter().any(u8::is_ascii_lowercase) {
        return None;
    }
    let stop = i;
    // The cut must fall between groups, not inside a word.
    if text[stop..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut rem: u32 = 0;
    for &b in c[4..].iter().chain(c[..4].iter()) {
        let v = if b.is_ascii_digit() {
            (b - b'0') as u32
        } else {
            (b.to_ascii_uppercase() - b'A') as u32 + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    if rem != 1
        || !bban_ok(spec, &c[4..])
        || (c[..2].eq_ignore_ascii_case(b"ES") && !es_ccc(&c[4..]))
    {
        return None;
    }
    Some(Verdict {
        strength: Strength::Strong,
        span: (stop != end).then_some((start, stop)),
    })
}

fn mbi_ok(c: &[u8]) -> bool {
    let alpha = |b: u8| b.is_ascii_uppercase() && !b"SLOIBZ".contains(&b);
    let alnum = |b: u8| b.is_ascii_digit() || alpha(b);
    matches!(c[0], b'1'..=b'9')
        && alpha(c[1])
        && alnum(c[2])
        && c[3].is_ascii_digit()
        && alpha(c[4])
        && alnum(c[5])
        && c[6].is_ascii_digit()
        && alpha(c[7])
        && alpha(c[8])
        && c[9].is_ascii_digit()
        && c[10].is_ascii_digit()
}

fn month_from(name: &str) -> Option<u32> {
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    const M: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let p = n.get(..3)?;
    M.iter().position(|m| *m == p).map(|i| i as u32 + 1)
}

/// A calendar date in the years a date of birth can fall in.
fn valid_date(y: u32, m: u32, d: u32) -> bool {
    (1900..=2100).contains(&y) && (1..=12).contains(&m) && d != 0 && d <= days_in_month(y, m)
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => 0,
    }
}

fn full_year(y: u32, digits: usize) -> u32 {
    if digits == 2 {
        // Two-digit years in a birth context: 00-29 are 2000s, the rest 1900s.
        if y < 30 { 2000 + y } else { 1900 + y }
    } else {
        y
    }
}

/// (year, month, day) of a numeric, ISO or month-name date.
/// Birth words before a CJK date (after its particle: "生年月日は", "出生日期是", "생년월일은")
/// and after it ("1985年3月15日生まれ", "…出生", "…생").
const CJK_BIRTH_BEFORE: &[&str] = &[
    "生年月日",
    "出生日期",
    "出生年月日",
    "出生年月",
    "出生于",
    "出生於",
    "出生在",
    "誕生日",
    "诞生日",
    "生日",
    "생년월일",
    "생일",
];
const CJK_BIRTH_AFTER: &[&str] = &["生まれ", "出生", "生", "생", "에 태어", "에 출생"];

/// "1985年3月15日" or "1985년 3월 15일" (digits ASCII or full width, blanks between the
/// parts) next to a birth word of Chinese, Japanese or Korean: a date of birth.
fn cjk_birth_date(text: &str, start: usize, end: usize) -> Option<Verdict> {
    let mut parts = [0u32; 3];
    let mut k = 0;
    let mut in_number = false;
    for c in text[start..end].chars() {
        if let Some(v) = crate::text::digit_value(c) {
            if !in_number {
                k += 1;
                if k > 3 {
                    return None;
                }
            }
            in_number = true;
            let p = &mut parts[k - 1];
            *p = p.checked_mul(10)?.checked_add(u32::from(v))?;
        } else {
            in_number = false;
        }
    }
    let [y, m, d] = parts;
    if k != 3 || !valid_date(y, m, d) {
        return None;
    }
    let before = text[..start].trim_end_matches([
        ' ', '\u{3000}', ':', '：', 'は', 'が', '是', '为', '為', '은', '는', '이', '가',
    ]);
    let after = text[end..].trim_start_matches([' ', '\u{3000}']);
    // An English label before it counts too ("DOB: 1985年3月15日").
    let label = before.len() >= 3
        && ["dob", "birth", "birthday", "born", "birthdate"]
            .iter()
            .any(|w| {
                before.len() >= w.len()
                    && before.is_char_boundary(before.len() - w.len())
                    && before[before.len() - w.len()..].eq_ignore_ascii_case(w)
            });
    let birth = label
        || CJK_BIRTH_BEFORE.iter().any(|w| before.ends_with(w))
        || CJK_BIRTH_AFTER.iter().any(|w| after.starts_with(w));
    if birth { Verdict::strong() } else { None }
}

pub(crate) fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let parts: Vec<&str> = s
        .split(|c: char| c == '/' || c == '-' || c == '.' || c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty() && *p != "of")
        .collect();
    if parts.len() != 3 {
        return None;
    }
    let num = |p: &str| -> Option<u32> {
        let p = p.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            None
        } else {
            p.parse().ok()
        }
    };
    if parts[0].starts_with(|c: char| c.is_ascii_alphabetic()) {
        let m = month_from(parts[0])?;
        return Some((full_year(num(parts[2])?, parts[2].len()), m, num(parts[1])?));
    }
    if parts[1].starts_with(|c: char| c.is_ascii_alphabetic()) {
        let m = month_from(parts[1])?;
        return Some((full_year(num(parts[2])?, parts[2].len()), m, num(parts[0])?));
    }
    let (a, b, c) = (num(parts[0])?, num(parts[1])?, num(parts[2])?);
    if parts[0].len() == 4 {
        return Some((a, b, c));
    }
    let y = full_year(c, parts[2].len());
    // US order first; day-first when the first part cannot be a month.
    if a > 12 && b <= 12 {
        Some((y, b, a))
    } else {
        Some((y, a, b))
    }
}

fn vin(s: &str) -> Option<Verdict> {
    let b = s.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'0'..=b'9' => (c - b'0') as u32,
            b'A' | b'J' => 1,
            b'B' | b'K' | b'S' => 2,
            b'C' | b'L' | b'T' => 3,
            b'D' | b'M' | b'U' => 4,
            b'E' | b'N' | b'V' => 5,
            b'F' | b'W' => 6,
            b'G' | b'P' | b'X' => 7,
            b'H' | b'Y' => 8,
            b'R' | b'Z' => 9,
            _ => return None,
        })
    };
    const W: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let mut sum = 0;
    for (i, &c) in b.iter().enumerate() {
        sum += val(c)? * W[i];
    }
    let check = match sum % 11 {
        10 => b'X',
        n => b'0' + n as u8,
    };
    // Seventeen digits are far more often an account or order number than a VIN.
    if b.iter().all(|c| c.is_ascii_digit()) && b.iter().any(|&c| c != b[0]) {
        return None;
    }
    if b[8] == check {
        return Verdict::strong();
    }
    // The check digit is mandatory for North American VINs (first character 1-5) only;
    // others (WVWZZZ1KZAW123456) count with context when they end in a numeric serial.
    if !matches!(b[0], b'1'..=b'5') && b[13..].iter().all(u8::is_ascii_digit) {
        return Verdict::weak();
    }
    None
}

fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

fn jwt(s: &str) -> Option<Verdict> {
    let mut parts = s.split('.');
    let (header, payload) = (parts.next()?, parts.next()?);
    let sig = parts.next().unwrap_or("");
    let raw = b64url_decode(header)?;
    let v: serde_json::Value = serde_json::from_slice(&raw).ok()?;
    v.get("alg")?;
    if sig.len() < 16 {
        // Unsigned ("alg": "none", empty signature) or pasted without its signature: the
        // claims are still there to read, if the payload is a JSON object.
        if !sig.is_empty() {
            return None;
        }
        let claims: serde_json::Value = serde_json::from_slice(&b64url_decode(payload)?).ok()?;
        claims.as_object()?;
    }
    Verdict::strong()
}

/// A PEM private key block with a body: at least 64 base64 characters after the header
/// (`-----BEGIN PRIVATE KEY-----\nanything\n-----END …` is an example, not a key).
fn pem_key(s: &str) -> Option<Verdict> {
    let begin = s.find("-----BEGIN")? + "-----BEGIN".len();
    let body_start = begin + s[begin..].find("-----")? + "-----".len();
    let body = &s[body_start..];
    let body = &body[..body.find("-----END").unwrap_or(body.len())];
    let n = body
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        .count();
    if n < 64 {
        return None;
    }
    Verdict::strong()
}

/// Whether `s` contains `needle` (lower-case ASCII) in any case, without allocating.
fn contains_ci(s: &str, needle: &[u8]) -> bool {
    s.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Longest value of a `password=` / `api_key:` assignment that is reported: a whole token,
/// however long (a JWT runs to a kilobyte or two), so redaction never leaves a tail visible.
const ASSIGNMENT_VALUE_MAX_BYTES: usize = 8192;

/// Key words whose values are secrets by name; other keys (`token`, `auth`, `creds` …) also
/// name counters, states and settings, so their values must look like tokens.
const SECRET_KEYS: &[&[u8]] = &[
    b"pass",
    b"pwd",
    b"secret",
    b"key",
    b"private",
    b"access",
    b"auth_token",
    b"auth-token",
    b"authtoken",
];

/// Keys whose values are meant to be seen: public tokens, anti-CSRF tokens.
const PUBLIC_KEYS: &[&[u8]] = &[b"public", b"csrf", b"xsrf"];

/// Key endings that name something about a secret, not the secret (`secret_id`,
/// `token_type`, `api_key_name`, `SecretError`, `token_bucket`).
const METADATA_SUFFIXES: &[&[u8]] = &[
    b"id",
    b"ids",
    b"name",
    b"names",
    b"type",
    b"types",
    b"arn",
    b"path",
    b"file",
    b"len",
    b"length",
    b"field",
    b"fields",
    b"slot",
    b"error",
    b"errors",
    b"provider",
    b"manager",
    b"ref",
    b"version",
    b"count",
    b"bucket",
    b"kind",
    b"ttl",
    b"expiry",
    b"expires",
    b"timeout",
    b"header",
    b"env",
    b"policy",
    b"label",
    b"format",
    b"size",
    b"buffer",
    b"method",
    b"handler",
    b"builder",
    b"callback",
    b"source",
    b"sources",
    b"url",
    b"uri",
    b"endpoint",
];

/// Type names that follow a key in code (`secret_id: String`, `token: &str`).
const TYPE_NAMES: &[&str] = &[
    "String", "str", "&str", "bool", "boolean", "int", "integer", "number", "Number", "usize",
    "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128", "f32", "f64",
    "Option", "Vec", "Box", "Arc", "Rc", "Result", "object", "Object", "any", "true", "false",
];

fn assignment(text: &str, start: usize, end: usize, min: f32) -> Option<Verdict> {
    let s = &text[start..end];
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    // "Bearer <token>": the value follows the scheme (a token may hold '=' padding).
    // "password is <value>": said in prose.
    // "<AWSSecretToken>value</AWSSecretToken>": an XML element, the value maybe on its own line.
    let bearer = s.get(..6).is_some_and(|k| k.eq_ignore_ascii_case("bearer"));
    // "Token <token>" / "Api-Token <token>": other HTTP schemes, token-like values only.
    let scheme = ["token", "api-token"].iter().find_map(|w| {
        (s.get(..w.len()).is_some_and(|k| k.eq_ignore_ascii_case(w))
            && s[w.len()..].starts_with([' ', '\t'])
            && s[w.len()..]
                .trim_start()
                .split(char::is_whitespace)
                .next()
                .is_some_and(|v| v.len() >= 16))
        .then_some(w.len())
    });
    let xml = s.starts_with('<');
    let (key_len, prose) = if bearer {
        (6, false)
    } else if let Some(n) = scheme {
        (n, false)
    } else if xml {
        (s.find('>')?, false)
    } else if let Some(i) = s.find([':', '=', '?', ',']) {
        (i, false)
    } else {
        (s.find([' ', '\t'])?, true)
    };
    // The whole identifier: the pattern starts at its key word ("csrf-token" matches at
    // "token", "publicToken" at "Token"); a type or quotes after it are not part of it.
    let ident = if xml {
        start + 1
    } else {
        text.as_bytes()[..start]
            .iter()
            .rposition(|&b| !is_ident(b))
            .map_or(0, |i| i + 1)
    };
    let key_end = ident
        + text.as_bytes()[ident..]
            .iter()
            .take_while(|&&b| is_ident(b))
            .count();
    let key = &text[ident..key_end.min(start + key_len)];
    let mut v0 = start + key_len;
    let rest = &text[v0..end];
    let rest = if prose {
        let r = rest.trim_start_matches([' ', '\t']);
        let word = r.find([' ', '\t'])?;
        &r[word..]
    } else {
        // ':' '=' ':=' '::=' '?=' '.=' '=>' '>' and ", " after a quoted key.
        rest.trim_start_matches([':', '=', '?', '>', '.', ','])
    };
    let r = rest.trim_start_matches([' ', '\t', '\r', '\n']);
    // `@"…"` (Objective-C), backticks (Go raw strings, shells).
    let r = r
        .strip_prefix('@')
        .filter(|r| r.starts_with('"'))
        .unwrap_or(r);
    let quote = r
        .chars()
        .next()
        .filter(|&c| c == '"' || c == '\'' || c == '`');
    let comma = !xml && !prose && s[key_len..].starts_with(',');
    if comma && quote.is_none() {
        return None; // `f("api_token", value)`: only a quoted literal is a value
    }
    let r = r.trim_start_matches(['"', '\'', '`']);
    v0 = end - r.len();
    let mut end = end;
    // A quoted value runs to its closing quote ("m{{h}o)p${e]nob(ody[finds>-_$#thisone}}").
    if let Some(q) = quote
        && let Some(close) = text[v0..].find(q)
        && !text[v0..v0 + close].contains(char::is_whitespace)
    {
        end = v0 + close;
    }
    // "Authorization: Bearer <token>", "Authorization: Api-Token <token>": the scheme is not
    // the value (a "Basic" one is read by its own rule).
    if !xml
        && !prose
        && text[end..].starts_with(' ')
        && ["bearer", "api-token"]
            .iter()
            .any(|w| text[v0..end].eq_ignore_ascii_case(w))
    {
        let r = text[end..].trim_start_matches(' ');
        let n0 = text.len() - r.len();
        let n = r
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ',' | ';'))
            .unwrap_or(r.len());
        let is_bearer = text[v0..end].eq_ignore_ascii_case("bearer");
        return assignment_value(text, key, n0, n0 + n, min, false, false, is_bearer);
    }
    // `key: Type = value`: a type annotation; the value is the one assigned.
    if quote.is_none()
        && !xml
        && let Some(after) = text[end..].trim_start_matches(' ').strip_prefix("= ")
        && TYPE_NAMES.contains(&&text[v0..end])
    {
        let r = after.trim_start_matches(' ');
        let q = r
            .chars()
            .next()
            .filter(|&c| c == '"' || c == '\'' || c == '`')?;
        let r = &r[1..];
        let close = r.find(q)?;
        v0 = text.len() - r.len();
        end = v0 + close;
        if text[v0..end].contains(char::is_whitespace) {
            return None;
        }
        return assignment_value(text, key, v0, end, min, true, false, bearer);
    }
    // A literal "\n" escape in a one-line string ends the value when another assignment
    // follows it: "AWS_TOKEN=…\nBACKUP_ENABLED=true".
    if let Some(k) = text[v0..end].find("\\n") {
        let after = &text[v0 + k + 2..end];
        let name = after.bytes().take_while(|&b| is_ident(b)).count();
        if name > 0 && after[name..].starts_with(['=', ':']) {
            end = v0 + k;
        }
    }
    // The pattern's value class is unbounded (a bounded repetition of a Unicode class costs
    // milliseconds of rule-set build); a runaway value is capped here.
    if end - v0 > ASSIGNMENT_VALUE_MAX_BYTES {
        end = crate::text::floor_boundary(text, v0 + ASSIGNMENT_VALUE_MAX_BYTES);
    }
    // A key and a value as two arguments or items (`setProperty("API_TOKEN", "…")`) read like
    // any list of strings (`["intercom_access_token", "admin_id"]`): the value must hold
    // letters and digits.
    let v = &text.as_bytes()[v0..end];
    if comma && !(v.iter().any(u8::is_ascii_digit) && v.iter().any(u8::is_ascii_alphabetic)) {
        return None;
    }
    assignment_value(text, key, v0, end, min, quote.is_some(), prose, bearer)
}

/// The checks on an assignment's value `text[v0..end]` under `key`.
#[allow(clippy::too_many_arguments)]
fn assignment_value(
    text: &str,
    key: &str,
    v0: usize,
    end: usize,
    min: f32,
    quoted: bool,
    prose: bool,
    bearer: bool,
) -> Option<Verdict> {
    let value = &text[v0..end];
    let entropy = shannon_entropy(value);
    if value.len() < 6 || is_placeholder(value) || entropy < min {
        return None;
    }
    if !quoted
        && (looks_like_code(value)
            || TYPE_NAMES.contains(&value)
            // `key: Type = …`: a type annotation.
            || text[end..].trim_start_matches(' ').starts_with("= "))
    {
        return None;
    }
    if PUBLIC_KEYS.iter().any(|k| contains_ci(key, k))
        || METADATA_SUFFIXES.iter().any(|x| {
            key.len() > x.len() + 2 && key.as_bytes()[key.len() - x.len()..].eq_ignore_ascii_case(x)
        })
    {
        return None;
    }
    let secret_key = bearer || SECRET_KEYS.iter().any(|k| contains_ci(key, k));
    let has_digit = value.bytes().any(|b| b.is_ascii_digit());
    let has_letter = value.bytes().any(|b| b.is_ascii_alphabetic());
    let has_symbol = value.bytes().any(|b| !b.is_ascii_alphanumeric());
    if prose && !(has_letter && (has_digit || has_symbol) && value.len() >= 8) {
        return None; // "my password is incorrect"
    }
    let token_like = has_letter && has_digit && value.len() >= 10 && entropy >= 3.0;
    if !(secret_key || token_like) {
        return None; // "auth: failed", "tokens=unlimited"
    }
    Some(Verdict {
        strength: Strength::Strong,
        span: Some((v0, end)),
    })
}

/// An unquoted value that is code, not a secret: a call or index (`foo(hey)you`,
/// `fs.readFileSync(`, `request.json_body[`, `Client::new(sdk)`), a path (`sigv4::SCHEME_ID`)
/// or a dotted name (`this.apiKey`).
fn looks_like_code(v: &str) -> bool {
    if v.contains("::") || v.ends_with([')', '(']) {
        return true;
    }
    if !v.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return false;
    }
    let head = v
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'.'))
        .unwrap_or(v.len());
    let rest = &v[head..];
    if rest.starts_with(['(', '['])
        || (rest.starts_with('!') && rest[1..].starts_with(['(', '[', '{']))
    {
        return true; // a call, an index, a macro ("Summer2024!" is a password)
    }
    // A variable (`original_key`, `ssl_private_key_method_st`): lower-case words joined by '_'.
    if head == v.len() && v.contains('_') && v.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        return true;
    }
    head == v.len()
        && v.contains('.')
        && !v.bytes().any(|b| b.is_ascii_digit())
        && v.split('.')
            .all(|p| p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
}

/// A value that stands for a secret instead of being one: `${VAR}`, `<token>`, `****`,
/// `YOUR_API_KEY`, "changeme", the name of a secret (`NEXUS-GPT4-API-KEY`) …
fn is_placeholder(value: &str) -> bool {
    let (mut letters, mut digits, mut other) = (0, 0, 0);
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' => letters += 1,
            b'0'..=b'9' => digits += 1,
            b'_' | b'-' => {}
            _ => other += 1,
        }
    }
    let constant_name = other == 0 && letters >= 2 * digits.max(1) && value.contains(['_', '-']);
    value.starts_with(['$', '<', '{', '%', '[', '(', '*'])
        || (other == 0 && digits == 0)
        || constant_name
        || [
            "xxx",
            "***",
            "...",
            "example",
            "changeme",
            "fake",
            "dummy",
            "sample",
            "redacted",
            "placeholder",
            "your",
            "null",
            "none",
            "undefined",
        ]
        .iter()
        .any(|p| contains_ci(value, p.as_bytes()))
        // "password123", "mysecret": the word standing for the value. With a digit and a
        // symbol too ("Password123!", "Secret#2024") it is a person's weak password, which
        // is still theirs.
        || (!(digits > 0 && value.bytes().any(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-')))
            && ["password", "secret"]
                .iter()
                .any(|p| contains_ci(value, p.as_bytes())))
}

/// A UK (DVLA) driving licence number: the birth date it codes in characters 6-11 has a
/// month 01-12 (51-62 for women) and a day 01-31. The built-in pattern guarantees the shape;
/// a policy rule may give this validator any match.
fn uk_dvla(s: &str) -> Option<Verdict> {
    let d: Vec<u32> = s
        .bytes()
        .filter(|&b| b != b' ')
        .skip(5)
        .take(6)
        .map(|b| b.is_ascii_digit().then(|| u32::from(b - b'0')))
        .collect::<Option<_>>()?;
    if d.len() != 6 {
        return None;
    }
    let (month, day) = (d[1] * 10 + d[2], d[3] * 10 + d[4]);
    ((matches!(month, 1..=12) || matches!(month, 51..=62)) && (1..=31).contains(&day)).then_some(
        Verdict {
            strength: Strength::Strong,
            span: None,
        },
    )
}

/// `Authorization: Basic <base64>`: the credentials decode to "user:password".
fn basic_auth(text: &str, start: usize, end: usize) -> Option<Verdict> {
    let s = &text[start..end];
    let v = s.get(5..)?.trim_start();
    let v0 = end - v.len();
    let raw = b64url_decode(v)?;
    let creds = std::str::from_utf8(&raw).ok()?;
    let (user, password) = creds.split_once(':')?;
    if user.is_empty()
        || password.len() < 3
        || !creds.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        || is_placeholder(password)
    {
        return None;
    }
    Some(Verdict {
        strength: Strength::Strong,
        span: Some((v0, end)),
    })
}

/// `curl -u user:password`, `--user user:password`: the span is the password.
fn cli_password(text: &str, start: usize, end: usize) -> Option<Verdict> {
    let s = &text[start..end];
    let t = s.trim_start();
    let flag_len = t.find([' ', '='])?;
    let creds = t[flag_len + 1..].trim_start_matches(['"', '\'']);
    let c0 = end - creds.len();
    // `-u user:password`, or `--password password`.
    let from = if t[..flag_len].ends_with("password") {
        0
    } else {
        creds.find(':')? + 1
    };
    let p = &creds[from..];
    let password = p
        .trim_start_matches(['"', '\''])
        .trim_end_matches(['"', '\'']);
    let p0 = c0 + from + (p.len() - p.trim_start_matches(['"', '\'']).len());
    // "user:token", "admin:password": a word, not a password.
    let word = password.bytes().all(|b| b.is_ascii_lowercase()) && password.len() <= 10;
    if password.len() < 4
        || word
        || is_placeholder(password)
        || shannon_entropy(password) < 2.0
        || password.starts_with('$')
    {
        return None;
    }
    Some(Verdict {
        strength: Strength::Strong,
        span: Some((p0, p0 + password.len())),
    })
}

/// `scheme://user:password@host`: the password, unless it is a placeholder.
fn url_password(text: &str, start: usize, end: usize) -> Option<Verdict> {
    let s = &text[start..end];
    let auth = s.find("://")? + 3;
    let colon = auth + s[auth..].find(':')?;
    let at = colon + s[colon..].find('@')?;
    let value = &s[colon + 1..at];
    if value.len() < 3 || is_placeholder(value) || value.bytes().all(|b| b == value.as_bytes()[0]) {
        return None;
    }
    Some(Verdict {
        strength: Strength::Strong,
        span: Some((start + colon + 1, start + at)),
    })
}

/// Digit value helper for the tests of other modules.
#[allow(dead_code)]
pub(crate) fn fold_digits(s: &str) -> Vec<u8> {
    s.chars().filter_map(digit_value).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(v: Validator, s: &str) -> Option<Strength> {
        v.check_number(&NumView::new(s)).map(|x| x.strength)
    }
    use Strength::{Strong, Weak};

    #[test]
    fn numeric_validators_table() {
        let cases: &[(Validator, &str, Option<Strength>)] = &[
            (Validator::LuhnCard, "4111 1111 1111 1111", Some(Strong)),
            (Validator::LuhnCard, "4111-1111-1111-1112", None),
            (Validator::LuhnCard, "2223003122003222", Some(Strong)),
            (Validator::LuhnCard, "3782 822463 10005", Some(Strong)),
            (Validator::LuhnCard, "36227206271667", Some(Strong)),
            (Validator::LuhnCard, "2201 3820 0000 0013", Some(Strong)), // Mir
            (Validator::LuhnCard, "6035227716427021", Some(Strong)),    // eftpos / RuPay range
            (Validator::LuhnCard, "9792030394440796", Some(Strong)),    // Troy
            (Validator::LuhnCard, "9792030394440797", None),
            (Validator::LuhnCard, "4003-3224-5383-8", Some(Strong)), // Visa 13 in fours
            (Validator::LuhnCard, "4003-3224-5383-9", None),
            (Validator::LuhnCard, "2131 924080 62378", Some(Strong)),
            (Validator::LuhnCard, "6221260000000000", Some(Strong)),
            // UnionPay's 81 range (Adyen's test cards); 8172 and on is not UnionPay.
            (Validator::LuhnCard, "8171 9999 2766 0000", Some(Strong)),
            (Validator::LuhnCard, "8171 9999 0000 0000 021", Some(Strong)),
            (Validator::LuhnCard, "8172 0000 0000 0005", None),
            (Validator::LuhnCard, "1234567812345670", None),
            (Validator::LuhnCard, "122000000000003", Some(Weak)),
            (Validator::LuhnCard, "122000000000004", None),
            (Validator::LuhnCard, "41 11 11 11 11 11 11 11", None),
            (Validator::Ssn, "536-22-1120", Some(Strong)),
            (Validator::Ssn, "536 22 1120", Some(Strong)),
            (Validator::Ssn, "536221120", Some(Weak)),
            (Validator::CompactDate, "19870315", Some(Strong)),
            (Validator::CompactDate, "03151987", Some(Strong)),
            (Validator::CompactDate, "15031987", Some(Strong)),
            (Validator::CompactDate, "19870230", None),
            (Validator::CompactDate, "18991231", None),
            (Validator::CompactDate, "1987-03-15", None),
            (Validator::CompactDate, "198703150", None),
            (Validator::Ssn, "078-05-1120", Some(Weak)),
            (Validator::Ssn, "123-45-6789", Some(Weak)),
            (Validator::Ssn, "123456789", Some(Weak)),
            (Validator::Ssn, "078-051121", Some(Weak)),
            (Validator::Ssn, "07805-1121", Some(Weak)),
            (Validator::Ssn, "0780-51121", None),
            (Validator::Itin, "911-701234", Some(Weak)),
            (Validator::Ssn, "555-55-5555", None),
            (Validator::Ssn, "536-22 1120", None),
            (Validator::Ssn, "536.22-1120", None),
            (Validator::Itin, "999-99-9999", None),
            (Validator::Itin, "912-78 1234", None),
            (Validator::Ssn, "900-70-1234", None),
            (Validator::Ssn, "666-12-3456", None),
            (Validator::Ssn, "123-00-4567", None),
            (Validator::Ssn, "123-45-0000", None),
            (Validator::Ssn, "1234-5-6789", None),
            (Validator::Itin, "912-78-1234", Some(Strong)),
            (Validator::Itin, "912-89-1234", None),
            (Validator::Itin, "912-93-1234", None),
            (Validator::Itin, "900701234", Some(Weak)),
            (Validator::Aba, "021000021", Some(Strong)),
            (Validator::Aba, "021000022", None),
            (Validator::Aba, "991000021", None),
            (Validator::Aba, "0711-0130-7", Some(Strong)),
            (Validator::Aba, "0711 0130-7", None),
            (Validator::Aba, "071-101-307", None),
            (Validator::LuhnCard, "060403249661", Some(Strong)),
            (Validator::LuhnCard, "060403249662", None),
            (Validator::LuhnCard, "0605 0324 9661", None),
            (Validator::E164Phone, "0044 20 7946 0958", Some(Weak)),
            (Validator::E164Phone, "00 44 20 7946 0958", None),
            (Validator::E164Phone, "00442079460958", None),
            (Validator::E164Phone, "0001 2345 6789", None),
            (Validator::E164Phone, "+447700900123", Some(Strong)),
            (Validator::E164Phone, "+61291234567", Some(Strong)),
            (Validator::E164Phone, "+44 2079460958123", None),
            (Validator::E164Phone, "+4477009001234567", None),
            (Validator::NanpPhone, "(415) 555-2671", Some(Strong)),
            (Validator::NanpPhone, "+1 212 867 5309", Some(Strong)),
            (Validator::NanpPhone, "212.867.5309", Some(Strong)),
            (Validator::NanpPhone, "2128675309", Some(Weak)),
            (Validator::NanpPhone, "425 8829090", Some(Weak)),
            (Validator::NationalPhone, "020 7946 0958", Some(Weak)),
            (Validator::NationalPhone, "09-7625400", Some(Weak)),
            (Validator::NationalPhone, "090-1234-5678", Some(Weak)),
            // A German mobile (twelve digits with the trunk 0); Spain's nine digits.
            (Validator::NationalPhone, "0151 23456789", Some(Weak)),
            (Validator::NationalPhone, "612 345 678", Some(Weak)),
            (Validator::NationalPhone, "91 123 45 67", Some(Weak)),
            (Validator::NationalPhone, "123 456 789", None),
            (Validator::NationalPhone, "0151 234567890", None),
            (Validator::NationalPhone, "01 23 45 67 89", Some(Weak)),
            (Validator::NationalPhone, "(030) 1234567", Some(Weak)),
            (Validator::NationalPhone, "0044 20 7946 0958", None),
            // No trunk prefix: DK/NO eight digits, a local number, Brazil's area code.
            (Validator::NationalPhone, "28-64-27-85", Some(Weak)),
            (Validator::NationalPhone, "2864 2785", Some(Weak)),
            (Validator::NationalPhone, "450 3756", Some(Weak)),
            (Validator::NationalPhone, "150 3756", None),
            (Validator::NationalPhone, "(11) 7113-8192", Some(Weak)),
            (Validator::NationalPhone, "(11) 97113-8192", Some(Weak)),
            (Validator::NationalPhone, "11 7113-8192", None),
            (Validator::NationalPhone, "28-64 27-85", None),
            (Validator::NationalPhone, "2864-2785-11", None),
            (Validator::NationalPhone, "+44 20 7946 0958", None),
            (Validator::NationalPhone, "0 1234 5678", None),
            (Validator::NationalPhone, "012345", None),
            (Validator::NationalPhone, "012-34-5678-9", None),
            (Validator::NanpPhone, "(123) 456-7890", Some(Weak)),
            // Impossible area codes or exchanges (made-up, test numbers): weak, context
            // decides; after "+1" the form says phone.
            (Validator::NanpPhone, "555-123-4567", Some(Weak)),
            (Validator::NanpPhone, "+1 555-123-4567", Some(Strong)),
            // Typed without separators, as a phone field takes it: phone context decides.
            (Validator::NanpPhone, "5551231234", Some(Weak)),
            (Validator::NanpPhone, "15551231234", None),
            (Validator::NanpPhone, "555-123 4567", None),
            (Validator::NanpPhone, "212-911-5309", Some(Weak)),
            (Validator::NanpPhone, "001-740-326-5423", Some(Strong)),
            (Validator::NanpPhone, "+001-740-326-5423", None),
            (Validator::NanpPhone, "012-345-6789", Some(Weak)),
            (Validator::E164Phone, "+44 20 7946 0958", Some(Strong)),
            (Validator::E164Phone, "+1 212 867 5309", None),
            (Validator::E164Phone, "+0 123 456", None),
            (Validator::Npi, "1234567893", Some(Strong)),
            (Validator::Npi, "1234567890", None),
            (Validator::Npi, "1234 567 893", Some(Strong)),
            (Validator::Npi, "123-456-7893", Some(Strong)),
            (Validator::Npi, "12345 67893", None),
            (Validator::BankAccount, "123456789012", Some(Strong)),
            (Validator::BankAccount, "1234567", None),
            (Validator::BankAccount, "11111111", None),
            (Validator::Digits(9, 9), "406812415", Some(Strong)),
            (Validator::Digits(9, 9), "40681241", None),
        ];
        for (v, s, want) in cases {
            assert_eq!(num(*v, s), *want, "{v:?} on {s:?}");
        }
    }

    #[test]
    fn text_validators_table() {
        let t = |v: Validator, s: &str| v.check_text(s, 0, s.len()).is_some();
        let cases: &[(Validator, &str, bool)] = &[
            (Validator::Email, "jane.doe@example.org", true),
            (Validator::Email, "jane..doe@example.org", false),
            (Validator::Email, "jane@example.c0m", false),
            (Validator::Ipv4, "203.0.113.45", true),
            (Validator::Ipv4, "256.1.1.1", false),
            (Validator::Ipv4, "01.2.3.4", false),
            (Validator::Ipv6, "2001:db8:85a3::8a2e:370:7334", true),
            (Validator::Ipv6, "10:30:45", false),
            (Validator::Iban, "GB82 WEST 1234 5698 7654 32", true),
            (Validator::Iban, "GB82WEST12345698765433", false),
            (Validator::Iban, "DE89370400440532013000", true),
            (Validator::Iban, "gb82 west 1234 5698 7654 32", true),
            (Validator::Iban, "de89370400440532013001", false),
            (Validator::Iban, "Gb82 west 1234 5698 7654 32", false),
            // mod-97 holds, but a letter stands where the country's BBAN has digits.
            (Validator::Iban, "BG93 BNBG 9661 1A20 3456 78", false),
            (Validator::Iban, "BG80 BNBG 9661 1020 3456 78", true),
            (Validator::Iban, "NL56 3003 0A17 1643 00", false),
            // Spanish national check digits.
            (Validator::Iban, "ES91 2100 0418 4502 0005 1332", true),
            (Validator::Iban, "ES21 2100 0418 4502 0005 1331", false),
            (Validator::Mbi, "1EG4-TE5-MK73", true),
            (Validator::Mbi, "1EG4-TE5-MK7", false),
            (Validator::Date, "03/15/1987", true),
            (Validator::Date, "02/30/1987", false),
            (Validator::Date, "March 3, 1987", true),
            (Validator::Date, "3 March 1987", true),
            (Validator::Date, "1987-03-15", true),
            (Validator::Date, "1987-03-15T00:00:00Z", true),
            (Validator::Date, "1987-02-30T00:00:00", false),
            (Validator::Date, "15/03/1987", true),
            (Validator::Date, "13/13/1987", false),
            (Validator::Vin, "1HGCM82633A004352", true),
            (Validator::Vin, "1HGCM82633A004353", false),
            (Validator::Vin, "WVWZZZ1KZAW123456", true),
            (Validator::Vin, "WVWZZZ1KZAWABCDEF", false),
            (Validator::Dea, "AB1234563", true),
            (Validator::Dea, "AB1234567", false),
            (Validator::Dea, "A91234563", true),
            (Validator::Dea, "A81234563", false),
            (Validator::PassportAlnum, "C12345678", true),
            (Validator::PassportAlnum, "CC2345678", true),
            (Validator::PassportAlnum, "CCC234567", false),
            (Validator::UkDvla, "MORGA753116SM91J01", true),
            (Validator::UkDvla, "MORGA 753 116 SM91J 01", true),
            (Validator::UkDvla, "MORGA759916SM91J01", false),
            // A policy rule may hand it anything.
            (Validator::UkDvla, "MORGA75", false),
            (Validator::UkDvla, "MORGAxx3116SM91J01", false),
            (Validator::PassportAlnum, "CC234567", false),
            (Validator::MemberId, "BCBSM1234567", true),
            (Validator::MemberId, "UHC-12345AB", true),
            (Validator::MemberId, "W123456789", true),
            (Validator::MemberId, "ABCDEF1234567", false),
            (Validator::MemberId, "UHC-1234", false),
            (Validator::MemberId, "POL-2024-78901", true),
            (Validator::MemberId, "XYZ-123-45678", true),
            (Validator::MemberId, "POL-2024-", false),
            (Validator::MemberId, "POL-20--24", false),
            (Validator::MemberId, "UHC-12345ABC", false),
            (Validator::MemberId, "HPN12345A9", true),
            (Validator::MemberId, "HPN12345A99", false),
            (
                Validator::Jwt,
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
                true,
            ),
            (
                Validator::Jwt,
                "eyJmb28iOiJiYXIifQ.eyJzdWIiOiIxIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV",
                false,
            ),
            (
                Validator::Entropy(3.0),
                "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",
                true,
            ),
            (
                Validator::Entropy(3.0),
                "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                false,
            ),
            (
                Validator::AssignmentEntropy(2.5),
                "password=Tr0ub4dor&3x",
                true,
            ),
            (
                Validator::AssignmentEntropy(2.5),
                "password: ********",
                false,
            ),
            (
                Validator::AssignmentEntropy(2.5),
                "api_key: YOUR_API_KEY",
                false,
            ),
        ];
        for (v, s, want) in cases {
            assert_eq!(t(*v, s), *want, "{v:?} on {s:?}");
        }
    }

    #[test]
    fn assignment_value_is_the_whole_token() {
        // A 160-character value (a JWT is longer still) is reported whole: redaction must not
        // leave its tail visible.
        let value: String = "aB3$kQ9z".repeat(20);
        let s = format!("password={value} next");
        let v = Validator::AssignmentEntropy(2.5)
            .check_text(&s, 0, 9 + value.len())
            .unwrap();
        let (a, b) = v.span.unwrap();
        assert_eq!((a, b - a), (9, 160));
    }

    #[test]
    fn assignment_keys_values_and_code() {
        fn t(s: &str) -> Option<&str> {
            Validator::AssignmentEntropy(2.5)
                .check_text(s, 0, s.len())
                .and_then(|v| v.span)
                .map(|(a, b)| &s[a..b])
        }
        let cases: &[(&str, Option<&str>)] = &[
            // Token-like keys need token-like values.
            (
                "creds = s8N4rwREFoViWpQdbsgxlpOJet3gtR",
                Some("s8N4rwREFoViWpQdbsgxlpOJet3gtR"),
            ),
            (
                "genericToken=Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB",
                Some("Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB"),
            ),
            ("auth: failed", None),
            ("Authentication: required", None),
            ("token_count: unlimited", None),
            // Secret keys take any value with entropy, with ':=' and '?=' too.
            (
                "mySecretString := 4jtPuvjL3LfFgziJ",
                Some("4jtPuvjL3LfFgziJ"),
            ),
            // Prose: only a value that looks like a password.
            ("password is !03e%UO3n8!3WeKZp5", Some("!03e%UO3n8!3WeKZp5")),
            ("password is incorrect", None),
            // A person's weak password is theirs: the word "password" or "secret" with a
            // digit and a symbol, a '!' that calls no macro.
            ("password is Password123!", Some("Password123!")),
            ("pwd: Secret#2024", Some("Secret#2024")),
            ("password: Summer2024!", Some("Summer2024!")),
            ("password: mypassword1", None),
            ("password: my-secret-2", None),
            ("password = \"secret\"", None),
            ("token: panic!(\"no\")", None),
            // Code is not a value, unless quoted.
            ("my_password = foo(hey)you", None),
            ("apiKey: this.apiKey", None),
            ("apiKey: fs.readFileSync(", None),
            ("auth: sigv4::SigV4AuthScheme::new()", None),
            ("secret_id: String", None),
            ("token: &str", None),
            ("SecretSlot: Current)", None),
            ("api_key_name = prodKeyAlpha7", None),
            ("api_key_id = AKIAQYLPMN5HHHFPZAM2", None),
            ("secret_bytes = vec![42u8; 4]", None),
            ("secret_from_original = original_key", None),
            // Other syntaxes: typed declarations, PHP's '.=', Makefile's ':::=', keys in an
            // index, arguments and XML elements.
            (
                "var apiToken string = \"ghx7Kq9Lm2Rt5Vz8Wp3Yc6Nb4Jd1Fh0Gs\"",
                Some("ghx7Kq9Lm2Rt5Vz8Wp3Yc6Nb4Jd1Fh0Gs"),
            ),
            (
                "$secret .= \"Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB\"",
                Some("Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB"),
            ),
            ("TOKEN :::= Zf3D0LXCM3EIMbgJ", Some("Zf3D0LXCM3EIMbgJ")),
            ("secret\"] = \"4jtPuvjL3LfFgziJ\"", Some("4jtPuvjL3LfFgziJ")),
            (
                "TOKEN\", \"dG9rOjQ5ZWVkOWEwXzdiNjRfNGRm\")",
                Some("dG9rOjQ5ZWVkOWEwXzdiNjRfNGRm"),
            ),
            ("token\", \"admin_id\"]", None),
            ("SECRET_ACCESS_KEY\", \"testing\")", None),
            ("token\", fallbackValue)", None),
            ("<password>\n  Xk9mP2vL8qR4tZ7", Some("Xk9mP2vL8qR4tZ7")),
            // A literal "\n" before the next assignment ends the value.
            (
                "TOKEN=Zf3D0LXCM3EIMbgJ\\nBACKUP=true",
                Some("Zf3D0LXCM3EIMbgJ"),
            ),
            // Where a credential comes from is not one.
            ("credential_source = Ec2InstanceMetadata2", None),
            (
                "access_token_url='https://github.com/login/oauth/access_token'",
                None,
            ),
        ];
        for &(s, want) in cases {
            assert_eq!(t(s), want, "{s}");
        }
        // `key: Type = …` is a type annotation (the pattern's value stops at the space).
        let a = "private_key: EcPrivateKeyBin = my_key";
        let cut = a.find(" =").unwrap();
        assert!(
            Validator::AssignmentEntropy(2.5)
                .check_text(a, 0, cut)
                .is_none()
        );
        // A quoted value runs to its closing quote.
        let q = "apikey: 'm{{h}o)p${e]nob(ody[finds>-_$#thisone}}' ok";
        let cut = q.find('>').unwrap();
        let v = Validator::AssignmentEntropy(2.5)
            .check_text(q, 0, cut)
            .unwrap();
        let (a, b) = v.span.unwrap();
        assert_eq!(&q[a..b], "m{{h}o)p${e]nob(ody[finds>-_$#thisone}}");
    }

    #[test]
    fn pem_blocks_need_a_body_and_jwts_may_be_unsigned() {
        let body = "MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB";
        let key = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----");
        assert!(Validator::PemKey.check_text(&key, 0, key.len()).is_some());
        for s in [
            "-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----",
            "-----BEGIN OPENSSH PRIVATE KEY----------END OPENSSH PRIVATE KEY-----",
        ] {
            assert!(Validator::PemKey.check_text(s, 0, s.len()).is_none(), "{s}");
        }
        let jwt = |s: &str| Validator::Jwt.check_text(s, 0, s.len()).is_some();
        // {"alg":"none"} . {"sub":"60019729"} . (empty)
        assert!(jwt("eyJhbGciOiJub25lIn0.eyJzdWIiOiI2MDAxOTcyOSJ9."));
        // No signature at all.
        assert!(jwt("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI2MDAxOTcyOSJ9"));
        // A short signature is a cut token or not one.
        assert!(!jwt("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI2MDAxOTcyOSJ9.abc"));
        // The payload must be claims.
        assert!(!jwt("eyJhbGciOiJub25lIn0.eyJmb28iOi."));
    }

    #[test]
    fn assignment_span_is_the_value() {
        let s = "db password = \"Tr0ub4dor&3x";
        let v = Validator::AssignmentEntropy(2.5)
            .check_text(s, 3, s.len())
            .unwrap();
        assert_eq!(&s[v.span.unwrap().0..v.span.unwrap().1], "Tr0ub4dor&3x");
    }

    #[test]
    fn iban_trims_swallowed_word() {
        let s = "DE89 3704 0044 0532 0130 00 ASAP";
        let v = Validator::Iban.check_text(s, 0, s.len()).unwrap();
        assert_eq!(v.span, Some((0, 27)));
    }

    #[test]
    fn http_and_command_line_credentials() {
        let span = |v: Validator, s: &str| {
            v.check_text(s, 0, s.len())
                .map(|v| v.span.map_or(s, |(a, b)| &s[a..b]).to_owned())
        };
        // "admin:S3cr3tP4ss!" / "not a credential at all".
        assert_eq!(
            span(Validator::BasicAuth, "Basic YWRtaW46UzNjcjN0UDRzcyE=").as_deref(),
            Some("YWRtaW46UzNjcjN0UDRzcyE=")
        );
        assert_eq!(
            span(
                Validator::BasicAuth,
                "Basic bm90IGEgY3JlZGVudGlhbCBhdCBhbGw="
            ),
            None
        );
        for (s, want) in [
            (" -u elastic:P@ssw0rd$1", Some("P@ssw0rd$1")),
            (" --user 'johns:h0pk1ns~21s'", Some("h0pk1ns~21s")),
            (" --user kevin:'pRf7vG2h1L8nQkW9'", Some("pRf7vG2h1L8nQkW9")),
            (" --http-password=Tr0ub4dor3x", Some("Tr0ub4dor3x")),
            (" -u username:token", None),
            (" -u $USER:$PASS", None),
            (" -u 1000:1000", None),
        ] {
            assert_eq!(span(Validator::CliPassword, s).as_deref(), want, "{s}");
        }
        // A JWT base64-encoded again; its header need not name the algorithm.
        let b64 = |s: &str| {
            const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let mut out = String::new();
            for c in s.as_bytes().chunks(3) {
                let n = c.iter().fold(0u32, |a, &b| a << 8 | u32::from(b)) << (8 * (3 - c.len()));
                for i in 0..=c.len() {
                    out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
                }
            }
            out
        };
        // {"kid":"k1"} . {"sub":"60019729"} . signature
        let jwt =
            "eyJraWQiOiJrMSJ9.eyJzdWIiOiI2MDAxOTcyOSJ9.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(span(Validator::Base64Jwt, &b64(jwt)).is_some());
        assert!(span(Validator::Base64Jwt, &b64("eyJraWQiOiJrMSJ9.bm90IGpzb24.x")).is_none());
    }

    #[test]
    fn iban_reads_groups_past_the_match() {
        // The pattern takes "ES10 0075 0080 11"; the account number follows.
        let s = "ES10 0075 0080 11 0600658108 ok";
        let v = Validator::Iban.check_text(s, 0, 17).unwrap();
        assert_eq!(v.span, Some((0, 28)));
        // Not across two separators or a line.
        for s in [
            "ES10 0075 0080 11  0600658108",
            "ES10 0075 0080 11\n0600658108",
        ] {
            assert!(Validator::Iban.check_text(s, 0, 17).is_none(), "{s}");
        }
    }

    /// A CJK date is a birth date only next to a birth word, and only a real date.
    #[test]
    fn cjk_dates_need_their_birth_words() {
        for (text, value, want) in [
            ("生年月日：1985年3月15日", "1985年3月15日", true),
            ("我的出生日期是1985年3月15日", "1985年3月15日", true),
            (
                "私は１９８５年３月１５日生まれです",
                "１９８５年３月１５日",
                true,
            ),
            ("생년월일은 1985년 3월 15일입니다", "1985년 3월 15일", true),
            ("1985년 3월 15일생", "1985년 3월 15일", true),
            ("会議は2024年3月15日です", "2024年3月15日", false),
            ("DOB: 1987年3月15日", "1987年3月15日", true),
            ("Date of birth 1987年3月15日", "1987年3月15日", true),
            ("Meeting: 2024年3月15日", "2024年3月15日", false),
            ("生年月日：1985年2月30日", "1985年2月30日", false),
            ("生年月日：1985年3月15日", "85年3月15日", false),
            (
                "生年月日 99999999999年3月15日",
                "99999999999年3月15日",
                false,
            ),
        ] {
            let start = text.find(value).unwrap();
            let got = Validator::DateCjk.check_text(text, start, start + value.len());
            assert_eq!(got.is_some(), want, "{text:?}");
        }
    }

    /// A policy rule may pair any pattern with any validator: every validator takes any
    /// char-boundary range of any text without panicking (the built-in patterns only ever
    /// hand them their own shapes).
    #[test]
    fn every_validator_takes_any_match() {
        use proptest::prelude::*;
        let validators: Vec<Validator> = VALIDATOR_NAMES
            .iter()
            .map(|n| match *n {
                "digits(N) | digits(MIN,MAX)" => "digits(7,13)",
                "entropy>=X" => "entropy>=3.0",
                "assignment-entropy>=X" => "assignment-entropy>=2.5",
                other => other,
            })
            .map(|n| Validator::parse(Some(n)).unwrap())
            .collect();
        let alphabet = [
            "a",
            "Z",
            "0",
            "9",
            " ",
            ",",
            ".",
            ":",
            "=",
            "-",
            "'",
            "\"",
            "<",
            ">",
            "\n",
            "é",
            "😀",
            "@",
            "/",
            "+",
            "Basic ",
            "token ",
            "MORGA",
            ", Berlin 10115",
            "ES91",
            "-u ",
            ", 10115 Berlin",
            "May",
            "1987",
            "3rd of ",
            "address: ",
            "Via ",
            "Straße ",
            " E1C 4UD",
            "Edif. ",
            " / ",
            "年",
            "月",
            "日",
            "１",
            "생년월일은 ",
        ];
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 2000,
            ..ProptestConfig::default()
        });
        runner
            .run(
                &(
                    proptest::collection::vec(0..alphabet.len(), 0..24),
                    0usize..64,
                    0usize..64,
                ),
                |(picks, a, b)| {
                    let text: String = picks.iter().map(|&i| alphabet[i]).collect();
                    let fix = |i: usize| crate::text::floor_boundary(&text, i);
                    let (s, e) = (fix(a.min(b)), fix(a.max(b)));
                    for v in &validators {
                        let _ = v.check_text(&text, s, e);
                    }
                    Ok(())
                },
            )
            .unwrap();
    }

    /// A phone number stated after a phone cue, in any country's layout: exactly its span.
    #[test]
    fn stated_phones() {
        fn stated(t: &str, cue: &str) -> Option<&'static str> {
            let (s, e) = Validator::StatedPhone.find_after(t, t.find(cue).unwrap() + cue.len())?;
            Some(&*String::leak(t[s..e].to_string()))
        }
        for (t, cue, want) in [
            ("my mobile is 477 35 582", "mobile", "477 35 582"),
            ("call me on 08-129 47 82.", "call", "08-129 47 82"),
            ("phone: 8 (632) 229-08-64", "phone", "8 (632) 229-08-64"),
            ("reach me at (0900)-011823", "reach me", "(0900)-011823"),
            ("Mein Handy: (164)792-8072", "Handy", "(164)792-8072"),
            (
                "mon portable est le +33 6 48 87 62 32",
                "portable",
                "+33 6 48 87 62 32",
            ),
            (
                "landline 88 6937-0500 (evenings)",
                "landline",
                "88 6937-0500",
            ),
            ("cell: 839.107.1388x3305", "cell", "839.107.1388"),
            (
                "Please call my cell, 0770-006 27, after 5",
                "cell",
                "0770-006 27",
            ),
            ("phone 536 - 22 - 1120", "phone", "536 - 22 - 1120"),
        ] {
            assert_eq!(stated(t, cue), Some(want), "{t:?}");
        }
        for (t, cue) in [
            ("call me on Monday at 3", "call"),
            ("my phone is an iPhone 12", "phone"),
            ("phone: 2024-03-15", "phone"),
            ("tel 15.03.1987", "tel"),
            ("text me at 9pm", "text"),
            ("call 911", "call"),
            ("phone 1.5 million", "phone"),
            ("call ref 123456789", "call"),
            ("phone: 1234567890123456", "phone"),
            ("phone: 12345678a", "phone"),
            ("phone (1234", "phone"),
        ] {
            assert_eq!(stated(t, cue), None, "{t:?}");
        }
    }

    #[test]
    fn parse_names() {
        for n in [
            "luhn-card",
            "digits(9)",
            "digits(6,12)",
            "entropy>=3.5",
            "assignment-entropy>=2.5",
        ] {
            assert!(Validator::parse(Some(n)).is_some(), "{n}");
        }
        for n in ["luhn", "digits(0)", "digits(9,3)", "entropy>=x"] {
            assert!(Validator::parse(Some(n)).is_none(), "{n}");
        }
    }
}
