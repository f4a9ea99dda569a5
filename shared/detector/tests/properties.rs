#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property tests: arbitrary UTF-8 never panics, spans are ordered, disjoint and on char
//! boundaries, scores lie in 0..=1, explain agrees with scan, and redacted output never
//! contains a detected value.

use std::sync::OnceLock;

use dlp_detector::{Detector, MaskingPolicy, mask};
use proptest::prelude::*;

fn det() -> &'static Detector {
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(|| Detector::builtin().unwrap())
}

/// Synthetic values in the formats people type, with the separators the detector must read
/// through (NBSP, zero-width, full-width digits).
const VALUES: &[&str] = &[
    "472-38-9016",
    "536 22 1120",
    "912-78-1234",
    "4111 1111 1111 1111",
    "5555-5555-5555-4444",
    "378282246310005",
    "2223\u{00A0}0031\u{00A0}2200\u{00A0}3222",
    "4111\u{200B}1111\u{200B}1111\u{200B}1111",
    "４１１１１１１１１１１１１１１１",
    "jane.doe@example.org",
    "(415) 555-2671",
    "+44 20 7946 0958",
    "203.0.113.45",
    "GB82 WEST 1234 5698 7654 32",
    "1EG4-TE5-MK73",
    "03/15/1987",
    "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",
    "AKIAQYLPMN5HHHFPZAM2",
];
const CONTEXT: &[&str] = &[
    "my ssn is ",
    "card ",
    "call me at ",
    "DOB ",
    "routing 021000021 account ",
    "IBAN ",
    "medicare ",
    "this is Katrina Clark, ",
    "ship to 648 Smith Ridge, ",
    "",
    "😀 ",
    "数字 ",
];

/// Pieces the cue, shape and fallback code looks around: glued together in any order they put
/// whitespace, dots and capitals at the very start and end of a text and next to each other.
const TOKENS: &[&str] = &[
    " ",
    "\n",
    ".",
    ",",
    ":",
    "'",
    "-",
    "ms.",
    "Mx.",
    "Dr.",
    "Hi",
    "call me",
    "name is",
    "Amy",
    "Robinson",
    "Apt.",
    "732",
    "9973",
    "Nicole",
    "Fords",
    "IBAN",
    "NO",
    "44",
    "GB82",
    "WEST",
    "token=",
    "password is",
    "api_key: \"",
    "x1234",
    "EXT12",
    "fax",
    "E119",
    "A12345",
    "ICD",
    "AIza",
    "-----BEGIN PRIVATE KEY-----",
    "<token>",
    "</token>",
    "`",
    ".=",
    "\", \"",
    "\\n",
    ": String = ",
    "@\"",
    "HWY",
    "Sarasota, FL 34236",
    "ES10 0075",
    "8171",
    "Thanks,\n",
    "Patrick",
    "London EC3M 5AD",
    ", München 80975",
    "Rhinstrasse 91",
    ", ",
    "N2 8A",
    "MORGA 753116",
    "sk-proj-",
    "Basic YWRt",
    " -u a:",
    "eyJhbGciOiJub25lIn0",
    "😀",
    "é",
    "\u{00A0}",
    "10115 Berlin",
    "90-001",
    "1015 CJ",
    "111 51",
    "Łódź",
    "Ágnes",
    "St.",
    "078-051120",
    "born ",
    "DOB ",
    "May",
    "05/1987",
    "3rd of ",
    " at ",
    "[at]",
    " dot ",
    "(dot)",
    "gmail",
    "com",
    "john",
    "passport ",
    "C01X00T47",
    "address is ",
    "12 elm st",
    "Suite #",
    "BLDG",
    "P.O. Box ",
    "PMB",
    "Highway 3",
    " North",
    " , North Carolina",
    "Tx 78755",
    " 900",
    "85-1190",
    "ship it to ",
    "Via ",
    "Straße 3/6",
    " E1C 4UD",
    "Edif. ",
    " / ",
    "d'Arriaga",
    "Korba-433070",
    "Cécile",
    "O'Neill",
    " as a beneficiary",
    "my mobile is ",
    "(0900)-",
    "477 35 582",
    "x33",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        2 => (prop::sample::select(CONTEXT), prop::sample::select(VALUES)).prop_map(|(c, v)| format!("{c}{v}")),
        1 => "[0-9 \\-.()+@A-Za-z\u{00A0}\u{200B}\u{FF10}-\u{FF19}]{0,40}",
        2 => prop::collection::vec(prop::sample::select(TOKENS), 0..12).prop_map(|v| v.concat()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..6).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn glued_tokens_never_panic(v in prop::collection::vec(prop::sample::select(TOKENS), 0..16)) {
        let s = v.concat();
        for x in det().scan(&s) {
            prop_assert!(s.is_char_boundary(x.start) && s.is_char_boundary(x.end));
        }
        det().explain(&s);
    }

    #[test]
    fn arbitrary_utf8_never_panics_and_spans_are_sound(s in any::<String>()) {
        let f = det().scan(&s);
        for w in f.windows(2) {
            prop_assert!(w[0].end <= w[1].start, "findings overlap or are unsorted");
        }
        for x in &f {
            prop_assert!(x.start < x.end && x.end <= s.len());
            prop_assert!(s.is_char_boundary(x.start) && s.is_char_boundary(x.end));
            prop_assert!((0.0..=1.0).contains(&x.score));
        }
    }

    #[test]
    fn mixed_text_spans_and_explain_agree(s in text()) {
        let f = det().scan(&s);
        for x in &f {
            prop_assert!(s.is_char_boundary(x.start) && s.is_char_boundary(x.end));
        }
        let reported: Vec<(usize, usize, String)> = det()
            .explain(&s)
            .into_iter()
            .filter(|e| e.reported)
            .map(|e| (e.start, e.end, e.rule_id.to_string()))
            .collect();
        let found: Vec<(usize, usize, String)> = f.iter().map(|x| (x.start, x.end, x.rule_id.to_string())).collect();
        for x in &found {
            prop_assert!(reported.contains(x), "finding {x:?} not marked reported by explain");
        }
    }

    #[test]
    fn the_message_before_only_adds_sound_findings(before in text(), s in text()) {
        // A reply read with the message before it: spans are the reply's, on its char
        // boundaries, sorted and apart; every finding of the reply alone is still there, the
        // others are marked as the message before's; the gate's findings are the plain scan's.
        let alone = det().scan(&s);
        let (gated, _) = det().scan_needing_context(&s);
        prop_assert_eq!(&gated, &alone);
        let f = det().scan_after(&before, &s);
        for w in f.windows(2) {
            prop_assert!(w[0].end <= w[1].start, "findings overlap or are unsorted");
        }
        for x in &f {
            prop_assert!(x.start < x.end && x.end <= s.len());
            prop_assert!(s.is_char_boundary(x.start) && s.is_char_boundary(x.end));
        }
        for a in &alone {
            prop_assert!(f.contains(a), "{} lost to the message before", a.rule_id);
        }
        // What the message before added, and only that, says so.
        for x in &f {
            prop_assert!(alone.contains(x) != x.from_message_before, "{} marked wrongly", x.rule_id);
        }
    }

    #[test]
    fn redacted_output_never_contains_a_detected_value(s in text()) {
        let f = det().scan(&s);
        for ops in [MaskingPolicy::default(), MaskingPolicy::labels(), MaskingPolicy::placeholder("[X]")] {
            let out = mask(&s, &f, &ops);
            for x in &f {
                let v = &s[x.start..x.end];
                if v.chars().filter(|c| c.is_alphanumeric()).count() < 5 {
                    continue;
                }
                // The same characters may occur again undetected elsewhere in the input; the
                // output may not hold more copies than those.
                let detected = f.iter().filter(|y| &s[y.start..y.end] == v).count();
                let in_input = s.matches(v).count();
                let in_output = out.matches(v).count();
                prop_assert!(in_output + detected <= in_input, "value of {} survives masking", x.rule_id);
            }
        }
    }
}

#[test]
fn planted_values_are_found_through_separators() {
    for v in VALUES {
        let text = format!("ref: {v} ok");
        let text = if v.contains('@')
            || v.starts_with("ghp_")
            || v.starts_with("AKIA")
            || v.contains("EG4")
        {
            text
        } else {
            // Digit shapes need their context word.
            let ctx = if v.contains('/') {
                "DOB"
            } else if v.starts_with("GB") {
                "IBAN"
            } else if v.contains('(') || v.starts_with('+') {
                "call"
            } else if v.contains("203.") {
                "ip"
            } else if v.starts_with("912") {
                "itin"
            } else if v.len() == 11 {
                "ssn"
            } else {
                "card"
            };
            format!("{ctx} {v} ok")
        };
        let f = det().scan(&text);
        assert!(
            f.iter().any(|x| &text[x.start..x.end] == *v),
            "{v:?} not found whole in {text:?}: {:?}",
            f.iter()
                .map(|x| (&text[x.start..x.end], x.rule_id.as_str()))
                .collect::<Vec<_>>()
        );
    }
}
