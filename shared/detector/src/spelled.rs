//! Email addresses spelled out to get past filters: "jane[at]example[dot]org", "john (at)
//! gmail (dot) com"; after a plain " at " ("john at gmail.com", "john dot smith at gmail dot
//! com") only when the local part is a gazetteer name or holds a digit, '_' or a dot ("look
//! at example.com", "meet at noon dot com" are prose). Found from the word "at" (a memmem pass for "at" checked for its separators), read
//! back for the local part and on for the domain; never by the one-pass regex, where " at "
//! would make a candidate of every other sentence.

use crate::person::Gazetteer;

/// Top-level domains accepted after a spelled-out "dot" (a spelled address needs a real one:
/// "meet at noon dot period" is not an address).
const TLDS: &[&str] = &[
    "com", "net", "org", "edu", "gov", "mil", "int", "io", "co", "us", "uk", "de", "fr", "es",
    "it", "nl", "be", "ch", "at", "se", "no", "dk", "fi", "ie", "pt", "pl", "cz", "ca", "au", "nz",
    "in", "jp", "cn", "br", "mx", "ar", "za", "ru", "info", "biz", "me", "ai", "app", "dev", "xyz",
    "tech", "online", "email", "mail", "us", "eu",
];

/// The "at" separators, as the text writes them around the word.
fn at_sep(b: &[u8], p: usize) -> Option<(usize, usize)> {
    // `p` is where "at" starts; the separator is " at ", "[at]", "(at)", " [at] ", " (at) ".
    let (open, close) = (p.checked_sub(1).map(|i| b[i])?, *b.get(p + 2)?);
    let (mut s, mut e) = match (open, close) {
        (b' ', b' ') => (p - 1, p + 3),
        (b'[', b']') | (b'(', b')') => (p - 1, p + 3),
        _ => return None,
    };
    if open != b' ' {
        if s > 0 && b[s - 1] == b' ' {
            s -= 1;
        }
        if b.get(e) == Some(&b' ') {
            e += 1;
        }
    }
    Some((s, e))
}

/// A "dot" separator at `b[i..]` (".", " dot ", "[dot]", "(dot)", " [dot] ", " (dot) "):
/// its end.
fn dot_sep(b: &[u8], i: usize) -> Option<usize> {
    let r = b.get(i..)?;
    if r.first() == Some(&b'.') {
        return Some(i + 1);
    }
    let sp = usize::from(r.first() == Some(&b' '));
    let r2 = &r[sp..];
    let word = |w: &[u8]| w.len() >= 3 && w[..3].eq_ignore_ascii_case(b"dot");
    if (r2.first() == Some(&b'[') || r2.first() == Some(&b'(')) && word(&r2[1..]) {
        let close = if r2[0] == b'[' { b']' } else { b')' };
        if r2.get(4) != Some(&close) {
            return None;
        }
        let mut e = i + sp + 5;
        if b.get(e) == Some(&b' ') {
            e += 1;
        }
        return Some(e);
    }
    if sp == 1 && word(r2) && r2.get(3) == Some(&b' ') {
        return Some(i + 5);
    }
    None
}

fn label_len(b: &[u8], i: usize) -> usize {
    b.get(i..)
        .unwrap_or_default()
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b'_' || **c == b'+')
        .count()
}

/// The spelled-out address around the "at" at `p`: its span.
pub(crate) fn email_at(text: &str, p: usize, g: &Gazetteer) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let (ss, se) = at_sep(b, p)?;
    let spelled_at = b[ss..se].iter().any(|&c| c == b'[' || c == b'(');
    // The domain: labels joined by dots, ending in a known TLD.
    let mut i = se;
    let mut labels = 0;
    let mut last = (0, 0);
    loop {
        let n = label_len(b, i);
        if n == 0 || n > 63 {
            break;
        }
        labels += 1;
        last = (i, i + n);
        let Some(next) = dot_sep(b, i + n) else {
            break;
        };
        if label_len(b, next) == 0 {
            break;
        }
        i = next;
    }
    let tld = std::str::from_utf8(&b[last.0..last.1]).ok()?;
    if labels < 2 || !TLDS.iter().any(|t| t.eq_ignore_ascii_case(tld)) {
        return None;
    }
    let end = last.1;
    // The local part: labels joined by dots back from the separator.
    let mut s = ss;
    let mut local_labels = 0;
    let mut plain_local = true;
    loop {
        let n = b[..s]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c == b'+' || **c == b'-')
            .count();
        if n == 0 {
            break;
        }
        let w = &b[s - n..s];
        plain_local &= w.iter().all(u8::is_ascii_alphabetic);
        local_labels += 1;
        s -= n;
        // A dot before it: "." or " dot ".
        if s >= 1 && b[s - 1] == b'.' && s >= 2 && b[s - 2].is_ascii_alphanumeric() {
            s -= 1;
            plain_local = false;
        } else if s >= 5 && b[s - 5..s].eq_ignore_ascii_case(b" dot ") {
            s -= 5;
            plain_local = false;
        } else {
            break;
        }
    }
    if local_labels == 0
        || (s > 0
            && !matches!(
                b[s - 1],
                b' ' | b'\n' | b'\t' | b':' | b'(' | b'"' | b'\'' | b','
            ))
    {
        return None;
    }
    // "john at gmail.com", "john at gmail dot com": after a plain " at " only a name or an
    // id-like local part ("look at example.com", "meet at noon dot com" are prose).
    if !spelled_at && plain_local {
        let mut buf = [0u8; 24];
        if !crate::text::title_case(&b[s..ss], &mut buf).is_some_and(|w| g.is_name(w)) {
            return None;
        }
    }
    Some((s, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelled_addresses_from_their_at() {
        let g = Gazetteer::new();
        let cases: &[(&str, Option<&str>)] = &[
            (
                "mail john dot smith at gmail dot com",
                Some("john dot smith at gmail dot com"),
            ),
            ("jane[at]example[dot]org", Some("jane[at]example[dot]org")),
            (
                "to john (at) gmail (dot) com ok",
                Some("john (at) gmail (dot) com"),
            ),
            (
                "jane [at] mail [dot] example [dot] de",
                Some("jane [at] mail [dot] example [dot] de"),
            ),
            ("is john at gmail.com.", Some("john at gmail.com")),
            (
                "is jsmith_42 at yahoo.co.uk",
                Some("jsmith_42 at yahoo.co.uk"),
            ),
            (
                "is jane.doe at example.org",
                Some("jane.doe at example.org"),
            ),
            // Prose, or no real domain.
            ("look at example.com now", None),
            ("meet at noon dot com", None),
            ("we're at acme dot io", None),
            ("is john at gmail", None),
            ("is john at gmail.local", None),
            ("at gmail dot com", None),
            ("fat cat at", None),
            ("jane[at]example[dot]", None),
        ];
        for &(t, want) in cases {
            let got = memchr::memmem::find_iter(t.as_bytes(), b"at")
                .find_map(|a| email_at(t, a, &g))
                .map(|(s, e)| &t[s..e]);
            assert_eq!(got, want, "{t:?}");
        }
    }
}
