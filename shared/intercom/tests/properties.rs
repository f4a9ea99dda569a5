#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Properties: HTML conversion loses no typed character; parsers never panic on any input.

use dlp_intercom::model::Conversation;
use dlp_intercom::notification::Notification;
use dlp_intercom::text::{BodyFormat, body_to_text, html_to_text};
use dlp_intercom::{ExtractOptions, extract_parts};
use proptest::prelude::*;

/// Escape text the way Intercom's editor does before wrapping it in HTML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
        .replace('\u{a0}', "&nbsp;")
}

fn non_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

const WRAPPERS: &[(&str, &str)] = &[
    ("<p>", "</p>"),
    ("<b>", "</b>"),
    ("<i>", "</i>"),
    ("<div>", "</div>"),
    ("<span class=\"x\">", "</span>"),
    ("<ul><li>", "</li></ul>"),
    ("<blockquote>", "</blockquote>"),
    ("", "<br>"),
    ("<h2>", "</h2>"),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every non-space character a person typed survives, in order, whatever the markup.
    #[test]
    fn html_keeps_every_typed_character(
        pieces in proptest::collection::vec(
            ("[a-zA-Z0-9@.:/<>&;'\" \u{a0}#=-]{0,20}", 0..WRAPPERS.len()), 1..8)
    ) {
        let mut html = String::new();
        let mut typed = String::new();
        for (text, w) in &pieces {
            let (open, close) = WRAPPERS[*w];
            html.push_str(open);
            html.push_str(&escape(text));
            html.push_str(close);
            typed.push_str(text);
        }
        let out = html_to_text(&html);
        // List markers (`-`) are the only characters the conversion adds; compare without
        // dashes on both sides.
        let strip = |s: &str| non_ws(s).replace('-', "");
        prop_assert_eq!(strip(&out), strip(&typed), "html: {}", html);
    }

    /// Plain text is returned as sent (non-breaking spaces aside).
    #[test]
    fn plain_text_is_identity(s in "\\PC{0,200}") {
        prop_assert_eq!(body_to_text(&s, BodyFormat::Plain), s.replace('\u{a0}', " "));
    }

    /// Arbitrary bytes never panic the notification parser or the HTML converter.
    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Notification::parse(&bytes);
        let s = String::from_utf8_lossy(&bytes);
        let _ = html_to_text(&s);
        let _ = body_to_text(&s, BodyFormat::Auto);
    }

    /// Arbitrary JSON shapes under the usual keys never panic the model or extraction.
    #[test]
    fn odd_json_shapes_never_panic(
        id in prop_oneof![Just(serde_json::json!("1")), Just(serde_json::json!(7)), Just(serde_json::json!(null)), Just(serde_json::json!([1]))],
        parts in prop_oneof![
            Just(serde_json::json!(null)),
            Just(serde_json::json!([])),
            Just(serde_json::json!({"conversation_parts": "x"})),
            Just(serde_json::json!({"conversation_parts": [1, "a", null, {"id": {}, "body": 5}]})),
            Just(serde_json::json!({"conversation_parts": [{"id": 1, "body": "<p>x</p>", "author": "me", "attachments": {"a": 1}}], "total_count": "2"})),
        ],
        source in prop_oneof![
            Just(serde_json::json!(null)),
            Just(serde_json::json!("s")),
            Just(serde_json::json!({"id": 1, "subject": 3, "body": ["x"]})),
        ],
    ) {
        let v = serde_json::json!({"type": "conversation", "id": id, "source": source, "conversation_parts": parts});
        if let Ok(c) = Conversation::from_value(&v) {
            let _ = extract_parts(&c, &ExtractOptions::default());
        }
    }
}
