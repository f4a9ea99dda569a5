#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every webhook fixture parses; topics classify; parts are extracted as the scan needs them.

use dlp_intercom::model::Conversation;
use dlp_intercom::notification::{
    ContentKind, Notification, ParseError, TopicClass, classify_topic,
};
use dlp_intercom::{BodyFormat, ExtractOptions, PartRef, extract_parts};
use serde_json::{Value, json};

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn json_data(name: &str) -> Value {
    serde_json::from_slice(&data(name)).unwrap()
}

#[test]
fn every_webhook_fixture_parses() {
    let dir = format!("{}/tests/data", env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("webhook-") {
            continue;
        }
        seen += 1;
        let n = Notification::parse(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!n.topic.is_empty(), "{name}");
        // The file name carries the topic with dots as dashes.
        let topic_in_name = n.topic.replace(['.', '_'], "-");
        assert!(name.contains(&topic_in_name), "{name} vs {}", n.topic);
        if n.class().needs_scan() {
            n.conversation()
                .unwrap_or_else(|e| panic!("{name}: content item is not a conversation: {e}"));
        }
    }
    assert_eq!(seen, 12, "fixture count changed: update this test");
}

#[test]
fn envelope_fields_are_read_leniently() {
    let ping = Notification::parse(&data("webhook-ping.serverless-offline-capture.json")).unwrap();
    assert_eq!(ping.id, None, "captured ping has id null");
    assert_eq!(ping.topic, "ping");
    assert_eq!(ping.class(), TopicClass::Ping);
    assert_eq!(ping.app_id.as_deref(), Some("q8sn4hth"));
    assert_eq!(ping.item_type(), Some("ping"));

    let go =
        Notification::parse(&data("webhook-company-created.intercom-go-fixture.json")).unwrap();
    assert_eq!(go.app_id, None, "the Go fixture has no app_id");
    assert_eq!(go.class(), TopicClass::Ignored);

    let legacy = Notification::parse(&data(
        "webhook-conversation-user-created.intercom-ruby-fixture.json",
    ))
    .unwrap();
    assert_eq!(legacy.id.as_deref(), Some("notif_123456-56465-546546"));
    assert_eq!(legacy.created_at, Some(1_410_335_293));

    let content =
        Notification::parse(&data("webhook-content-import-source-created.docs.json")).unwrap();
    assert_eq!(content.item_id().as_deref(), Some("33"), "numeric item id");

    // Numeric envelope id, string timestamps, unknown fields, unknown topic.
    let odd = json!({
        "type": "notification_event", "id": 42, "topic": "some.future.topic",
        "created_at": "1700000000", "delivery_attempts": "2", "brand_new_field": {"x": 1},
        "data": {"item": [1, 2, 3]}
    });
    let n = Notification::parse(odd.to_string().as_bytes()).unwrap();
    assert_eq!(n.id.as_deref(), Some("42"));
    assert_eq!(n.created_at, Some(1_700_000_000));
    assert_eq!(n.delivery_attempts, Some(2));
    assert_eq!(n.class(), TopicClass::Ignored);
}

#[test]
fn invalid_bodies_are_errors_that_carry_no_input() {
    let secret = "4111111111111111";
    let cases: Vec<(Vec<u8>, ParseError)> = vec![
        (
            format!(
                "{{\"type\":\"notification_event\",\"topic\":\"x\",\"data\":{{\"item\":\"{secret}"
            )
            .into_bytes(),
            ParseError::InvalidJson {
                line: 1,
                column: 80,
            },
        ),
        (
            format!("[\"{secret}\"]").into_bytes(),
            ParseError::NotAnObject,
        ),
        (
            format!("{{\"type\":\"conversation\",\"id\":\"{secret}\"}}").into_bytes(),
            ParseError::NotANotification,
        ),
        (
            format!("{{\"type\":\"notification_event\",\"data\":{{\"item\":\"{secret}\"}}}}")
                .into_bytes(),
            ParseError::MissingTopic,
        ),
        (
            format!("{{\"type\":\"notification_event\",\"topic\":\"{secret}\",\"data\":{{}}}}")
                .into_bytes(),
            ParseError::MissingItem,
        ),
    ];
    for (body, expected) in cases {
        let err = Notification::parse(&body).unwrap_err();
        match (err, expected) {
            (ParseError::InvalidJson { .. }, ParseError::InvalidJson { .. }) => {}
            (a, b) => assert_eq!(a, b),
        }
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[test]
fn debug_of_a_notification_hides_the_payload() {
    let n = Notification::parse(&data("webhook-conversation-user-replied.synthetic.json")).unwrap();
    let shown = format!("{n:?}");
    assert!(shown.contains("conversation.user.replied"));
    for secret in ["4539", "1961", "555-0132", "pat@example.org", "Pat Doe"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    let conv = n.conversation().unwrap();
    let shown = format!("{conv:?}");
    for secret in ["4539", "1961", "555-0132", "pat@example.org", "Pat Doe"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    let ex = extract_parts(&conv, &ExtractOptions::default());
    let shown = format!("{ex:?}");
    for secret in ["4539", "1961", "555-0132", "pat@example.org"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[test]
fn topic_classification_table() {
    use ContentKind::{Conversation as C, Ticket as T};
    let cases = [
        ("conversation.user.created", TopicClass::Content(C)),
        ("conversation.user.replied", TopicClass::Content(C)),
        ("conversation.admin.replied", TopicClass::Content(C)),
        ("conversation.admin.single.created", TopicClass::Content(C)),
        ("conversation.admin.noted", TopicClass::Content(C)),
        ("conversation.operator.replied", TopicClass::Content(C)),
        ("ticket.created", TopicClass::Content(T)),
        ("ticket.contact.replied", TopicClass::Content(T)),
        ("ticket.admin.replied", TopicClass::Content(T)),
        ("ticket.note.created", TopicClass::Content(T)),
        ("ping", TopicClass::Ping),
        (
            "conversation_part.redacted",
            TopicClass::RedactionConfirmation,
        ),
        ("conversation.admin.closed", TopicClass::Ignored),
        ("conversation.admin.assigned", TopicClass::Ignored),
        ("conversation_part.tag.created", TopicClass::Ignored),
        ("user.created", TopicClass::Ignored),
        ("company.created", TopicClass::Ignored),
        ("procedure.hitl_notification.created", TopicClass::Ignored),
        ("Conversation.User.Created", TopicClass::Ignored),
        ("", TopicClass::Ignored),
    ];
    for (topic, class) in cases {
        assert_eq!(classify_topic(topic), class, "{topic}");
        assert_eq!(class.needs_scan(), matches!(class, TopicClass::Content(_)));
    }
}

#[test]
fn synthetic_user_reply_extracts_the_new_part_with_decoded_text() {
    let n = Notification::parse(&data("webhook-conversation-user-replied.synthetic.json")).unwrap();
    let conv = n.conversation().unwrap();
    let ex = extract_parts(
        &conv,
        &ExtractOptions {
            own_admin_id: Some("991267645".into()),
            body_format: BodyFormat::Auto,
        },
    );
    assert_eq!(ex.conversation_id, "503");
    assert!(!ex.partial, "total_count 1 with one part present");
    assert_eq!(ex.parts.len(), 2, "source + the user part");
    let source = &ex.parts[0];
    assert_eq!(
        source.target,
        PartRef::Source {
            source_id: "403918334".into()
        }
    );
    assert_eq!(source.text, "this is the message body");
    assert!(
        !source.redactable(),
        "admin-initiated source cannot be redacted"
    );
    let part = &ex.parts[1];
    assert_eq!(
        part.target,
        PartRef::Part {
            part_id: "7051".into()
        }
    );
    assert_eq!(part.part_type.as_deref(), Some("comment"));
    assert_eq!(part.author.kind.as_deref(), Some("user"));
    assert_eq!(part.author.id.as_deref(), Some("6762f1261bb69f9f2193bba7"));
    assert_eq!(part.created_at, Some(1_734_537_900));
    assert!(part.redactable());
    assert_eq!(
        part.text,
        "Hi, it's Pat. My card 4539 1488 0343 6467 was charged twice & my DOB is 04/12/1961.\nCall me: (415) 555-0132"
    );
}

#[test]
fn retrieve_fixture_integer_ids_and_event_parts() {
    let conv =
        Conversation::from_value(&json_data("conversation-retrieve.spec-2.14.json")).unwrap();
    assert_eq!(conv.parts.len(), 4);
    assert_eq!(
        conv.parts[0].id.as_deref(),
        Some("1"),
        "integer part id read as string"
    );
    let ex = extract_parts(&conv, &ExtractOptions::default());
    // Source + the one comment; the three event parts have body null.
    let ids: Vec<&str> = ex.parts.iter().map(|p| p.target.id()).collect();
    assert_eq!(ids, ["403918334", "1"]);
    assert!(!ex.partial);
}

#[test]
fn redacted_parts_and_own_notes_are_skipped() {
    let conv =
        Conversation::from_value(&json_data("conversation-after-redact.spec-2.14.json")).unwrap();
    let ex = extract_parts(&conv, &ExtractOptions::default());
    assert_eq!(ex.skipped_redacted, 1);
    assert!(ex.parts.iter().all(|p| p.target.id() != "149"));

    let noted = Conversation::from_value(&json_data(
        "conversation-after-admin-note-reply.spec-2.14.json",
    ))
    .unwrap();
    let ours = extract_parts(
        &noted,
        &ExtractOptions {
            own_admin_id: Some("991267696".into()),
            ..ExtractOptions::default()
        },
    );
    assert_eq!(ours.skipped_own_notes, 1);
    assert!(ours.parts.iter().all(|p| p.target.id() != "133"));
    // Someone else's note is scanned (agents paste sensitive data into notes too).
    let theirs = extract_parts(
        &noted,
        &ExtractOptions {
            own_admin_id: Some("1".into()),
            ..ExtractOptions::default()
        },
    );
    let note = theirs
        .parts
        .iter()
        .find(|p| p.target.id() == "133")
        .unwrap();
    assert_eq!(
        note.text,
        "An Unordered HTML List\n- Coffee\n- Tea\n- Milk\nAn Ordered HTML List\n1. Coffee\n2. Tea\n3. Milk"
    );
    // A part whose body is the redaction marker but whose flag was lost is also skipped.
    let marker = Conversation::from_value(&json!({
        "id": "9", "conversation_parts": {"conversation_parts": [
            {"id": "1", "part_type": "comment", "body": "<p><i>This message was deleted</i></p>", "redacted": false}
        ], "total_count": 1}
    }))
    .unwrap();
    assert_eq!(
        extract_parts(&marker, &ExtractOptions::default()).skipped_redacted,
        1
    );
}

#[test]
fn legacy_conversation_message_is_the_source() {
    let n = Notification::parse(&data(
        "webhook-conversation-user-created.intercom-ruby-fixture.json",
    ))
    .unwrap();
    let conv = n.conversation().unwrap();
    let ex = extract_parts(&conv, &ExtractOptions::default());
    assert_eq!(ex.parts.len(), 1);
    let p = &ex.parts[0];
    assert_eq!(
        p.target,
        PartRef::Source {
            source_id: "321546".into()
        }
    );
    assert_eq!(p.text, "An important message");
    assert!(p.redactable(), "written by a user");
    assert_eq!(conv.created_at, Some(1_410_335_293), "string timestamp");
    assert!(
        !ex.partial,
        "empty part list without total_count is complete"
    );
}

#[test]
fn partial_deliveries_are_flagged() {
    // Elided community capture: only the new part, total_count 1 → complete for our purpose.
    let n = Notification::parse(&data(
        "webhook-conversation-admin-replied.community-post-elided.json",
    ))
    .unwrap();
    let ex = extract_parts(&n.conversation().unwrap(), &ExtractOptions::default());
    assert!(!ex.partial);
    assert_eq!(ex.parts.len(), 1);
    assert_eq!(ex.parts[0].text, "Reusable Workflow #2:\n\nFirst message");
    assert_eq!(ex.parts[0].author.kind.as_deref(), Some("bot"));

    let more = Conversation::from_value(&json!({
        "id": "7", "conversation_parts": {"type": "conversation_part.list",
            "conversation_parts": [{"id": "1", "part_type": "comment", "body": "<p>x</p>"}],
            "total_count": 3}
    }))
    .unwrap();
    assert!(extract_parts(&more, &ExtractOptions::default()).partial);

    // Search results carry no part list at all.
    let search = json_data("conversation-search-results.spec-2.14.json");
    let conv = Conversation::from_value(&search["conversations"][0]).unwrap();
    assert!(extract_parts(&conv, &ExtractOptions::default()).partial);
}

#[test]
fn subject_attachments_and_tickets() {
    let conv = Conversation::from_value(&json!({
        "type": "conversation", "id": 77,
        "source": {"type": "email", "id": 5, "subject": "<p>Account 12345678</p>",
            "body": "<p>see attached</p>", "author": {"type": "lead", "id": "c1"},
            "attachments": [{"type": "upload", "name": "passport.jpg", "url": "https://x/y",
                "content_type": "image/jpeg", "filesize": 1234}]},
        "conversation_parts": {"conversation_parts": [
            {"id": 8, "part_type": "comment", "body": null, "author": {"type": "user", "id": 3},
             "attachments": [{"type": "upload", "name": "scan.pdf", "content_type": "application/pdf", "filesize": "99"}]}
        ], "total_count": 1}
    }))
    .unwrap();
    let ex = extract_parts(&conv, &ExtractOptions::default());
    assert_eq!(ex.conversation_id, "77");
    assert_eq!(ex.parts.len(), 2);
    assert_eq!(ex.parts[0].text, "Account 12345678\n\nsee attached");
    assert_eq!(
        ex.parts[0].attachments[0].name.as_deref(),
        Some("passport.jpg")
    );
    assert!(ex.parts[0].redactable(), "a lead wrote it");
    assert_eq!(ex.parts[1].text, "", "attachment-only part is listed");
    assert_eq!(ex.parts[1].attachments[0].filesize, Some(99));
    assert!(!format!("{:?}", ex.parts[0]).contains("passport"));

    let ticket = Conversation::from_value(&json!({
        "type": "ticket", "id": "555", "ticket_parts": {"type": "ticket_part.list",
            "ticket_parts": [{"type": "ticket_part", "id": "9", "part_type": "comment",
                "body": "<p>my SSN is 536-22-1120</p>", "author": {"type": "user", "id": "u"}}],
            "total_count": 1}
    }))
    .unwrap();
    let ex = extract_parts(&ticket, &ExtractOptions::default());
    assert_eq!(ex.parts.len(), 1);
    assert_eq!(ex.parts[0].text, "my SSN is 536-22-1120");
    assert!(!ex.partial);
}

#[test]
fn plaintext_bodies_are_not_reinterpreted() {
    let conv = Conversation::from_value(&json!({
        "id": "1", "conversation_parts": {"conversation_parts": [
            {"id": "2", "part_type": "comment", "body": "Pat <pat@example.org> & co",
             "author": {"type": "user", "id": "u"}}
        ], "total_count": 1}
    }))
    .unwrap();
    for format in [BodyFormat::Plain, BodyFormat::Auto] {
        let ex = extract_parts(
            &conv,
            &ExtractOptions {
                body_format: format,
                ..ExtractOptions::default()
            },
        );
        assert_eq!(ex.parts[0].text, "Pat <pat@example.org> & co");
    }
}
