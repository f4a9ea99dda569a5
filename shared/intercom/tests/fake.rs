#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The fake answers wrong requests the way Intercom does, so client bugs cannot hide behind
//! a lenient fake. Requests here are sent with a bare reqwest client.

use std::sync::Arc;

use dlp_intercom::IntercomApi;
use dlp_intercom::fake::FakeIntercom;
use serde_json::{Value, json};

const TOKEN: &str = "fake-token-123";

async fn send(fake: &FakeIntercom, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    send_with(fake, method, path, body, Some(TOKEN), Some("2.14")).await
}

async fn send_with(
    fake: &FakeIntercom,
    method: &str,
    path: &str,
    body: Option<Value>,
    token: Option<&str>,
    version: Option<&str>,
) -> (u16, Value) {
    let http = reqwest::Client::new();
    let url = format!("{}{path}", fake.base_url());
    let mut req = http.request(method.parse().unwrap(), url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(v) = version {
        req = req.header("Intercom-Version", v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn code(v: &Value) -> &str {
    v["errors"][0]["code"].as_str().unwrap_or("")
}

fn seed(fake: &FakeIntercom) {
    fake.seed_conversation(json!({
        "type": "conversation", "id": "5", "created_at": 1, "updated_at": 1,
        "source": {"type": "conversation", "id": "50", "body": "<p>hi</p>",
            "author": {"type": "user", "id": "u"}, "redacted": false},
        "conversation_parts": {"type": "conversation_part.list", "conversation_parts": [
            {"type": "conversation_part", "id": "51", "part_type": "comment", "body": "<p>x</p>",
             "author": {"type": "user", "id": "u"}, "redacted": false},
            {"type": "conversation_part", "id": "52", "part_type": "assignment", "body": null,
             "author": {"type": "admin", "id": "a"}, "redacted": false}
        ], "total_count": 2}
    }));
}

#[tokio::test]
async fn auth_and_version_are_checked() {
    let fake = FakeIntercom::start(TOKEN).await;
    seed(&fake);
    let (s, b) = send_with(&fake, "GET", "/conversations/5", None, None, Some("2.14")).await;
    assert_eq!((s, code(&b)), (401, "unauthorized"));
    assert_eq!(b["type"], "error.list");
    assert!(b["request_id"].is_string());
    let (s, _) = send_with(
        &fake,
        "GET",
        "/conversations/5",
        None,
        Some("nope"),
        Some("2.14"),
    )
    .await;
    assert_eq!(s, 401);
    let (s, b) = send_with(&fake, "GET", "/conversations/5", None, Some(TOKEN), None).await;
    assert_eq!((s, code(&b)), (400, "intercom_version_invalid"));
    let (s, b) = send(&fake, "GET", "/conversations/5", None).await;
    assert_eq!(s, 200);
    assert_eq!(b["id"], "5");
    assert_eq!(fake.requests().len(), 4);
}

#[tokio::test]
async fn redact_shapes_are_validated() {
    let fake = FakeIntercom::start(TOKEN).await;
    seed(&fake);
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"type": "part", "conversation_id": "5", "conversation_part_id": "51"}),
            400,
            "type_mismatch",
        ),
        (
            json!({"type": "conversation_part", "conversation_part_id": "51"}),
            400,
            "parameter_not_found",
        ),
        (
            json!({"type": "conversation_part", "conversation_id": "5"}),
            400,
            "parameter_not_found",
        ),
        (
            json!({"type": "conversation_part", "conversation_id": "5", "source_id": "50"}),
            400,
            "parameter_not_found",
        ),
        (
            json!({"type": "conversation_part", "conversation_id": "6", "conversation_part_id": "51"}),
            404,
            "conversation_part_or_message_not_found",
        ),
        (
            json!({"type": "conversation_part", "conversation_id": "5", "conversation_part_id": "99"}),
            404,
            "conversation_part_or_message_not_found",
        ),
        (
            json!({"type": "conversation_part", "conversation_id": "5", "conversation_part_id": "52"}),
            400,
            "conversation_part_not_redactable",
        ),
    ];
    for (body, status, want) in cases {
        let (s, b) = send(&fake, "POST", "/conversations/redact", Some(body.clone())).await;
        assert_eq!((s, code(&b)), (status, want), "{body}");
    }
    // Integer ids, as in Intercom's own example, are accepted.
    let (s, b) = send(
        &fake,
        "POST",
        "/conversations/redact",
        Some(
            json!({"type": "conversation_part", "conversation_id": 5, "conversation_part_id": 51}),
        ),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        b["conversation_parts"]["conversation_parts"][0]["redacted"],
        true
    );
    let (s, b) = send(
        &fake,
        "POST",
        "/conversations/redact",
        Some(json!({"type": "conversation_part", "conversation_id": "5", "conversation_part_id": "51"})),
    )
    .await;
    assert_eq!((s, code(&b)), (400, "conversation_part_not_redactable"));
    // Not JSON.
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{}/conversations/redact", fake.base_url()))
        .bearer_auth(TOKEN)
        .header("Intercom-Version", "2.14")
        .header("content-type", "text/plain")
        .body("type=conversation_part")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
}

#[tokio::test]
async fn reply_tag_and_search_shapes_are_validated() {
    let fake = FakeIntercom::start(TOKEN).await;
    seed(&fake);
    let bad_replies = [
        json!({"message_type": "note", "type": "admin", "body": "x"}),
        json!({"message_type": "note", "type": "admin", "admin_id": "1"}),
        json!({"message_type": "note", "type": "admin", "admin_id": "1", "body": "  "}),
        json!({"message_type": "quick_reply", "type": "admin", "admin_id": "1", "body": "x"}),
        json!({"message_type": "note", "type": "user", "admin_id": "1", "body": "x"}),
    ];
    for body in bad_replies {
        let (s, _) = send(&fake, "POST", "/conversations/5/reply", Some(body.clone())).await;
        assert_eq!(s, 400, "{body}");
    }
    let (s, _) = send(
        &fake,
        "POST",
        "/conversations/404/reply",
        Some(json!({"message_type": "note", "type": "admin", "admin_id": "1", "body": "x"})),
    )
    .await;
    assert_eq!(s, 404);

    let (s, _) = send(&fake, "POST", "/tags", Some(json!({"nam": "x"}))).await;
    assert_eq!(s, 400);
    let (s, _) = send(&fake, "POST", "/tags", Some(json!({"name": ""}))).await;
    assert_eq!(s, 400);
    let (s, _) = send(
        &fake,
        "POST",
        "/conversations/5/tags",
        Some(json!({"id": "1"})),
    )
    .await;
    assert_eq!(s, 400, "admin_id is required");

    let (s, _) = send(
        &fake,
        "POST",
        "/conversations/search",
        Some(json!({"pagination": {}})),
    )
    .await;
    assert_eq!(s, 400, "query is required");
    let q = json!({"field": "created_at", "operator": ">", "value": "0"});
    let (s, _) = send(
        &fake,
        "POST",
        "/conversations/search",
        Some(json!({"query": q, "pagination": {"per_page": 151}})),
    )
    .await;
    assert_eq!(s, 400, "per_page above 150");
    let (s, _) = send(
        &fake,
        "POST",
        "/conversations/search",
        Some(json!({"query": {"field": "nonsense", "operator": "=", "value": "1"}})),
    )
    .await;
    assert_eq!(s, 400);
    let (s, b) = send(
        &fake,
        "POST",
        "/conversations/search",
        Some(json!({"query": q, "pagination": {"per_page": 5}})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(b["type"], "conversation.list");
    assert_eq!(b["total_count"], 1);
    assert!(b["conversations"][0].get("conversation_parts").is_none());
    let (s, _) = send(&fake, "GET", "/nothing/here", None).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn fake_serves_an_arc_dyn_port_for_pipeline_tests() {
    let fake = FakeIntercom::start(TOKEN).await;
    seed(&fake);
    let mut cfg = dlp_intercom::ClientConfig::with_base_url(fake.base_url());
    cfg.rate_limit = None;
    let api: Arc<dyn IntercomApi> = Arc::new(
        dlp_intercom::HttpIntercomClient::new(cfg, secrecy::SecretString::from(TOKEN)).unwrap(),
    );
    let conv = api.get_conversation("5", true).await.unwrap();
    assert_eq!(conv.parts[0].body.as_deref(), Some("x"));
    assert!(fake.append_part(
        "5",
        json!({"type": "conversation_part", "id": "53", "part_type": "comment",
               "body": "<p>new</p>", "author": {"type": "user", "id": "u"}, "redacted": false})
    ));
    let conv = api.get_conversation("5", false).await.unwrap();
    assert_eq!(conv.parts.len(), 3);
    assert_eq!(conv.parts_total_count, Some(3));
    assert!(!fake.append_part("nope", json!({})));
}
