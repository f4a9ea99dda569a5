#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The reqwest client against the fake Intercom: request shapes, retries, limits, errors.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dlp_intercom::client::updated_since_query;
use dlp_intercom::fake::{Failure, FakeConfig, FakeIntercom};
use dlp_intercom::{
    ApiError, ApiErrorKind, ClientConfig, HttpIntercomClient, IntercomApi, RateLimit, RedactOutcome,
};
use secrecy::SecretString;
use serde_json::{Value, json};

const TOKEN: &str = "dG9rOjEyMzQ1Njc4OTA6c3ludGhldGljLXRva2Vu";
const ADMIN: &str = "991267696";

fn data(name: &str) -> Value {
    let raw = std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    serde_json::from_slice(&raw).unwrap()
}

fn config(fake: &FakeIntercom) -> ClientConfig {
    let mut c = ClientConfig::with_base_url(fake.base_url());
    c.retry.initial_backoff = Duration::from_millis(10);
    c.retry.max_backoff = Duration::from_millis(100);
    c.retry.max_elapsed = Duration::from_secs(10);
    c.request_timeout = Duration::from_secs(5);
    c.rate_limit = None;
    c
}

fn client_with(config: ClientConfig) -> HttpIntercomClient {
    HttpIntercomClient::new(config, SecretString::from(TOKEN)).unwrap()
}

async fn setup() -> (FakeIntercom, HttpIntercomClient) {
    let fake = FakeIntercom::start(TOKEN).await;
    let client = client_with(config(&fake));
    (fake, client)
}

/// A conversation opened by a user, with one user comment.
fn user_conversation(id: u64) -> Value {
    json!({
        "type": "conversation", "id": id.to_string(), "created_at": 1_734_000_000 + id,
        "updated_at": 1_734_000_000 + id, "state": "open",
        "source": {"type": "conversation", "id": format!("{id}00"), "subject": "",
            "body": "<p>my card is 4111 1111 1111 1111</p>",
            "author": {"type": "user", "id": "u1", "name": "Pat Doe", "email": "pat@example.org"},
            "attachments": [], "redacted": false},
        "conversation_parts": {"type": "conversation_part.list", "conversation_parts": [
            {"type": "conversation_part", "id": format!("{id}01"), "part_type": "comment",
             "body": "<p>SSN 536-22-1120</p>", "author": {"type": "user", "id": "u1"},
             "attachments": [], "redacted": false, "created_at": 1_734_000_100}
        ], "total_count": 1}
    })
}

fn assert_standard_headers(fake: &FakeIntercom) {
    for r in fake.requests() {
        assert_eq!(
            r.authorization.as_deref(),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(r.intercom_version.as_deref(), Some("2.14"));
        if r.body.is_some() {
            assert!(r.content_type.unwrap().starts_with("application/json"));
        }
    }
}

fn assert_no_secret(err: &ApiError) {
    let shown = format!("{err} {err:?}");
    for secret in [TOKEN, "4111", "078-05", "pat@example.org", "SECRET-NOTE"] {
        assert!(!shown.contains(secret), "error leaks {secret}: {shown}");
    }
}

#[tokio::test]
async fn get_conversation_html_and_plaintext() {
    let (fake, client) = setup().await;
    fake.seed_conversation(data("conversation-retrieve.spec-2.14.json"));
    let conv = client.get_conversation("503", false).await.unwrap();
    assert_eq!(conv.id, "503");
    assert_eq!(conv.parts.len(), 4);
    assert_eq!(conv.parts[0].body.as_deref(), Some("<p>Okay!</p>"));
    let plain = client.get_conversation("503", true).await.unwrap();
    assert_eq!(plain.parts[0].body.as_deref(), Some("Okay!"));
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("GET", "/conversations/503")
    );
    assert_eq!(reqs[0].query, None);
    assert_eq!(reqs[1].query.as_deref(), Some("display_as=plaintext"));
    assert!(reqs.iter().all(|r| r.body.is_none() && r.status == 200));
    assert_standard_headers(&fake);
}

#[tokio::test]
async fn redact_part_request_shape_and_effect() {
    let (fake, client) = setup().await;
    fake.seed_conversation(data("conversation-after-user-reply.spec-2.14.json"));
    let out = client.redact_part("524", "132").await.unwrap();
    assert_eq!(out, RedactOutcome::Redacted);
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("POST", "/conversations/redact")
    );
    assert_eq!(
        reqs[0].body,
        Some(
            json!({"type": "conversation_part", "conversation_id": "524", "conversation_part_id": "132"})
        )
    );
    // Same keys as Intercom's own request example.
    let example = data("request-redact-conversation-part.spec-2.14.json");
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(reqs[0].body.as_ref().unwrap()), keys(&example));
    let stored = fake.conversation("524").unwrap();
    let part = &stored["conversation_parts"]["conversation_parts"][0];
    assert_eq!(part["body"], "<p><i>This message was deleted</i></p>");
    assert_eq!(part["redacted"], true);
    assert_standard_headers(&fake);
}

#[tokio::test]
async fn redacting_twice_confirms_with_a_get_and_succeeds() {
    let (fake, client) = setup().await;
    fake.seed_conversation(user_conversation(11));
    assert_eq!(
        client.redact_part("11", "1101").await.unwrap(),
        RedactOutcome::Redacted
    );
    fake.clear_requests();
    // Intercom answers conversation_part_not_redactable for an already redacted part.
    assert_eq!(
        client.redact_part("11", "1101").await.unwrap(),
        RedactOutcome::AlreadyRedacted
    );
    let reqs = fake.requests();
    let seen: Vec<(String, String, u16)> = reqs
        .iter()
        .map(|r| (r.method.clone(), r.path.clone(), r.status))
        .collect();
    assert_eq!(
        seen,
        [
            ("POST".into(), "/conversations/redact".into(), 400),
            ("GET".into(), "/conversations/11".into(), 200)
        ]
    );
    // Same for the source.
    assert_eq!(
        client.redact_source("11", "1100").await.unwrap(),
        RedactOutcome::Redacted
    );
    assert_eq!(
        client.redact_source("11", "1100").await.unwrap(),
        RedactOutcome::AlreadyRedacted
    );
    let src = fake.requests_matching("POST /conversations/redact");
    assert_eq!(
        src.last().unwrap().body,
        Some(json!({"type": "source", "conversation_id": "11", "source_id": "1100"}))
    );
}

#[tokio::test]
async fn not_redactable_and_not_redacted_is_permanent() {
    let (fake, client) = setup().await;
    fake.seed_conversation(user_conversation(12));
    fake.fail_next("POST /conversations/redact", Failure::NotRedactable, 1);
    let err = client.redact_part("12", "1201").await.unwrap_err();
    assert_eq!(err.kind(), ApiErrorKind::NotRedactable);
    assert!(!err.is_retryable());
    assert_eq!(err.code(), Some("conversation_part_not_redactable"));
    assert!(err.request_id().is_some());
    assert_eq!(
        fake.requests().len(),
        2,
        "one POST, one confirming GET, no retry"
    );
    assert_no_secret(&err);

    // An admin-written source cannot be redacted at all.
    fake.seed_conversation(data("conversation-retrieve.spec-2.14.json"));
    let err = client.redact_source("503", "403918334").await.unwrap_err();
    assert_eq!(err.kind(), ApiErrorKind::NotRedactable);

    // Unknown part: 404, permanent, no retry.
    fake.clear_requests();
    let err = client.redact_part("12", "999").await.unwrap_err();
    assert_eq!(err.kind(), ApiErrorKind::NotFound);
    assert_eq!(err.code(), Some("conversation_part_or_message_not_found"));
    assert!(!err.is_retryable());
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn admin_note_request_shape_and_returned_id() {
    let (fake, client) = setup().await;
    fake.seed_conversation(data("conversation-after-user-reply.spec-2.14.json"));
    let body = "<p>DLP: redacted [CREDIT_CARD ****1111]. Ref v-01</p>";
    let id = client.add_admin_note("524", ADMIN, body).await.unwrap();
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path, "/conversations/524/reply");
    let sent = reqs[0].body.clone().unwrap();
    assert_eq!(
        sent,
        json!({"message_type": "note", "type": "admin", "admin_id": ADMIN, "body": body})
    );
    let example = data("request-reply-admin-note.spec-2.14.json");
    for key in example.as_object().unwrap().keys() {
        assert!(sent.get(key).is_some(), "missing {key}");
    }
    let stored = fake.conversation("524").unwrap();
    let parts = stored["conversation_parts"]["conversation_parts"]
        .as_array()
        .unwrap();
    let note = parts.last().unwrap();
    assert_eq!(note["id"], Value::String(id));
    assert_eq!(note["part_type"], "note");
    assert_eq!(note["body"], body);
    assert_eq!(note["author"]["id"], ADMIN);
}

#[tokio::test]
async fn tags_are_created_once_and_attached() {
    let (fake, client) = setup().await;
    fake.seed_conversation(user_conversation(21));
    fake.seed_conversation(user_conversation(22));
    let a = client.find_or_create_tag("dlp:detected").await.unwrap();
    let b = client.find_or_create_tag("dlp:detected").await.unwrap();
    assert_eq!(a, b);
    assert_eq!(
        fake.requests_matching("POST /tags").len(),
        1,
        "cached by name"
    );
    assert_eq!(
        fake.requests_matching("POST /tags")[0].body,
        Some(json!({"name": "dlp:detected"}))
    );
    client.tag_conversation("21", &a, ADMIN).await.unwrap();
    client.tag_conversation("22", &a, ADMIN).await.unwrap();
    let attach = fake.requests_matching("POST /conversations/*/tags");
    assert_eq!(attach.len(), 2);
    assert_eq!(attach[0].path, "/conversations/21/tags");
    assert_eq!(attach[0].body, Some(json!({"id": a, "admin_id": ADMIN})));
    let example = data("request-attach-tag-to-conversation.spec-2.14.json");
    for key in example.as_object().unwrap().keys() {
        assert!(attach[0].body.as_ref().unwrap().get(key).is_some());
    }
    assert_eq!(fake.conversation_tags("21"), ["dlp:detected"]);

    // A second client starts with an empty cache but finds the same tag.
    let other = client_with(config(&fake));
    assert_eq!(other.find_or_create_tag("dlp:detected").await.unwrap(), a);
    // Unknown tag id: 404, permanent.
    let err = client
        .tag_conversation("21", "424242", ADMIN)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ApiErrorKind::NotFound);
    assert_standard_headers(&fake);
}

#[tokio::test]
async fn search_paginates_with_starting_after() {
    let (fake, client) = setup().await;
    for id in 1..=7 {
        fake.seed_conversation(user_conversation(id));
    }
    let query = json!({"operator": "AND", "value": [
        updated_since_query(1_734_000_001),
        {"field": "state", "operator": "=", "value": "open"}
    ]});
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = client
            .search_conversations(&query, 2, cursor.as_deref())
            .await
            .unwrap();
        pages += 1;
        assert_eq!(page.total_count, Some(6));
        for c in &page.conversations {
            assert!(
                c.parts.is_empty() && !c.has_part_list,
                "search results carry no parts"
            );
            ids.push(c.id.clone());
        }
        match page.next_starting_after {
            Some(next) => cursor = Some(next),
            None => break,
        }
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(ids, ["2", "3", "4", "5", "6", "7"]);
    let reqs = fake.requests_matching("POST /conversations/search");
    assert_eq!(reqs.len(), 3);
    let first = reqs[0].body.clone().unwrap();
    assert_eq!(first["pagination"], json!({"per_page": 2}));
    assert_eq!(first["query"], query);
    assert!(reqs[1].body.as_ref().unwrap()["pagination"]["starting_after"].is_string());
    // Same top-level shape as Intercom's example.
    let example = data("request-search-conversations.spec-2.14.json");
    for key in example.as_object().unwrap().keys() {
        assert!(first.get(key).is_some());
    }
    // per_page is clamped to Intercom's maximum.
    client
        .search_conversations(&query, 1000, None)
        .await
        .unwrap();
    let last = fake.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(last["pagination"]["per_page"], 150);
}

#[tokio::test]
async fn delete_then_get_is_not_found_without_retry() {
    let (fake, client) = setup().await;
    fake.seed_conversation(user_conversation(31));
    client.delete_conversation("31").await.unwrap();
    assert_eq!(fake.requests()[0].method, "DELETE");
    assert_eq!(fake.requests()[0].path, "/conversations/31");
    assert!(fake.conversation("31").is_none());
    fake.clear_requests();
    let err = client.get_conversation("31", false).await.unwrap_err();
    assert_eq!(err.kind(), ApiErrorKind::NotFound);
    assert_eq!(err.status(), Some(404));
    assert!(!err.is_retryable());
    assert_eq!(err.attempts(), 1);
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn wrong_token_is_401_without_retry_and_never_echoed() {
    let fake = FakeIntercom::start("the-right-token").await;
    let client = client_with(config(&fake));
    fake.seed_conversation(user_conversation(41));
    let err = client.get_conversation("41", false).await.unwrap_err();
    assert_eq!(err.kind(), ApiErrorKind::Unauthorized);
    assert_eq!(err.code(), Some("unauthorized"));
    assert!(!err.is_retryable());
    assert_eq!(fake.requests().len(), 1);
    assert_no_secret(&err);
    assert!(!format!("{client:?}").contains(TOKEN));
    let err = client
        .add_admin_note("41", ADMIN, "<p>SECRET-NOTE 4111111111111111</p>")
        .await
        .unwrap_err();
    assert_no_secret(&err);
}

#[tokio::test]
async fn wrong_version_header_is_rejected_by_the_fake() {
    let fake = FakeIntercom::start(TOKEN).await;
    let mut cfg = config(&fake);
    cfg.api_version = "2.15".into();
    let client = client_with(cfg);
    let err = client.get_conversation("1", false).await.unwrap_err();
    assert_eq!(err.kind(), ApiErrorKind::Rejected);
    assert_eq!(err.code(), Some("intercom_version_invalid"));
    // A fake that accepts 2.15 serves it.
    let fake = FakeIntercom::start_with(FakeConfig {
        versions: vec!["2.15".into()],
        ..FakeConfig::new(TOKEN)
    })
    .await;
    fake.seed_conversation(user_conversation(1));
    let mut cfg = config(&fake);
    cfg.api_version = "2.15".into();
    assert!(client_with(cfg).get_conversation("1", false).await.is_ok());
}

#[tokio::test]
async fn retry_on_429_waits_for_the_reset_time() {
    let (fake, client) = setup().await;
    fake.seed_conversation(user_conversation(51));
    fake.fail_next(
        "GET /conversations/*",
        Failure::RateLimited {
            retry_after: None,
            reset_after: Some(Duration::from_secs(1)),
        },
        1,
    );
    client.get_conversation("51", false).await.unwrap();
    let reqs = fake.requests();
    assert_eq!(
        reqs.iter().map(|r| r.status).collect::<Vec<_>>(),
        [429, 200]
    );
    // The fake set X-RateLimit-Reset = floor(first arrival) + 1 in unix seconds.
    let first = reqs[0].at.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let reset = UNIX_EPOCH + Duration::from_secs(first + 1);
    assert!(reqs[1].at >= reset, "retried before X-RateLimit-Reset");
}

#[tokio::test]
async fn retry_on_429_honours_retry_after() {
    let (fake, client) = setup().await;
    fake.seed_conversation(user_conversation(52));
    fake.fail_next(
        "POST /conversations/redact",
        Failure::RateLimited {
            retry_after: Some(Duration::from_secs(1)),
            reset_after: Some(Duration::from_secs(0)),
        },
        1,
    );
    client.redact_part("52", "5201").await.unwrap();
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 2);
    let gap = reqs[1].at.duration_since(reqs[0].at).unwrap();
    assert!(gap >= Duration::from_secs(1), "gap {gap:?}");
}

#[tokio::test]
async fn rate_limit_wait_beyond_the_budget_fails_fast_with_the_hint() {
    let (fake, _) = setup().await;
    let mut cfg = config(&fake);
    cfg.retry.max_elapsed = Duration::from_secs(2);
    let client = client_with(cfg);
    fake.fail_always(
        "/conversations/*",
        Failure::RateLimited {
            retry_after: Some(Duration::from_secs(60)),
            reset_after: None,
        },
    );
    let started = Instant::now();
    let err = client.get_conversation("1", false).await.unwrap_err();
    // Far below the 60 s asked for: the client did not sleep (generous for a loaded machine).
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(err.kind(), ApiErrorKind::RateLimited);
    assert!(err.is_retryable());
    assert!(err.retry_after().unwrap() >= Duration::from_secs(59));
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let (fake, client) = setup().await;
    fake.seed_conversation(user_conversation(61));
    fake.fail_next("GET /conversations/61", Failure::ServerError, 2);
    fake.fail_next(
        "GET /conversations/61",
        Failure::Status {
            status: 503,
            code: "service_unavailable".into(),
        },
        1,
    );
    client.get_conversation("61", false).await.unwrap();
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [500, 500, 503, 200]);
}

#[tokio::test]
async fn retries_are_bounded_in_attempts() {
    let (fake, _) = setup().await;
    let mut cfg = config(&fake);
    cfg.retry.max_attempts = 3;
    let client = client_with(cfg);
    fake.fail_always("/conversations/*", Failure::ServerError);
    let err = client.get_conversation("1", false).await.unwrap_err();
    assert_eq!(err.kind(), ApiErrorKind::Server);
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), 3);
    assert_eq!(fake.requests().len(), 3);
    assert_eq!(err.code(), Some("server_error"));
}

#[tokio::test]
async fn retries_are_bounded_in_total_time() {
    let (fake, _) = setup().await;
    let mut cfg = config(&fake);
    cfg.retry.max_attempts = 1_000;
    cfg.retry.initial_backoff = Duration::from_millis(100);
    cfg.retry.max_backoff = Duration::from_millis(400);
    cfg.retry.max_elapsed = Duration::from_secs(2);
    let client = client_with(cfg);
    fake.fail_always("/conversations/*", Failure::ServerError);
    let started = Instant::now();
    let err = client.get_conversation("1", false).await.unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.kind(), ApiErrorKind::Server);
    // No wait is started past 2 s; the last attempt itself is quick on loopback. The upper
    // bound is generous for a loaded 2-core machine but far below "unbounded" (1,000
    // attempts of at least 200 ms each).
    assert!(elapsed < Duration::from_secs(15), "{elapsed:?}");
    let n = fake.requests().len();
    assert!((2..=30).contains(&n), "{n} attempts");
    assert_eq!(err.attempts() as usize, n);
}

#[tokio::test]
async fn timeouts_are_retried_for_idempotent_calls_only() {
    let (fake, _) = setup().await;
    let mut cfg = config(&fake);
    cfg.request_timeout = Duration::from_millis(1_000);
    let client = client_with(cfg);
    fake.seed_conversation(user_conversation(71));
    fake.fail_next(
        "GET /conversations/71",
        Failure::Slow(Duration::from_secs(3)),
        1,
    );
    client.get_conversation("71", false).await.unwrap();
    assert_eq!(fake.requests_matching("GET /conversations/71").len(), 2);

    // A note that timed out may have been posted: it is not repeated by the client (a repeat
    // could post it twice); the error is retryable so the job-level retry decides.
    fake.fail_next(
        "POST /conversations/71/reply",
        Failure::Slow(Duration::from_secs(3)),
        1,
    );
    let err = client
        .add_admin_note("71", ADMIN, "<p>SECRET-NOTE</p>")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ApiErrorKind::Timeout);
    assert!(err.is_retryable());
    assert_eq!(
        fake.requests_matching("POST /conversations/71/reply").len(),
        1
    );
    assert_no_secret(&err);
}

#[tokio::test]
async fn connection_refused_is_retryable() {
    // Bind and drop a listener to get a loopback port with nothing behind it.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut cfg = ClientConfig::with_base_url(format!("http://127.0.0.1:{port}"));
    cfg.retry.max_attempts = 2;
    cfg.retry.initial_backoff = Duration::from_millis(10);
    cfg.rate_limit = None;
    let client = client_with(cfg);
    let err = client.get_conversation("1", false).await.unwrap_err();
    assert_eq!(err.kind(), ApiErrorKind::Connection);
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), 2);
    assert_no_secret(&err);
}

#[tokio::test]
async fn ids_that_would_change_the_path_are_refused() {
    let (fake, client) = setup().await;
    for bad in ["../tags", "1/reply", "", "1?x=y", "%2e%2e"] {
        let err = client.get_conversation(bad, false).await.unwrap_err();
        assert_eq!(err.kind(), ApiErrorKind::InvalidInput, "{bad}");
    }
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn client_side_limit_spaces_requests() {
    let (fake, _) = setup().await;
    fake.seed_conversation(user_conversation(81));
    let mut cfg = config(&fake);
    // 20 per second, one at a time.
    cfg.rate_limit = Some(RateLimit {
        per_minute: 1_200,
        burst: 1,
    });
    let client = Arc::new(client_with(cfg));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            c.get_conversation("81", false).await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // Lower bound only (a limiter can make things slower, never faster): 5 intervals of 50 ms.
    assert!(started.elapsed() >= Duration::from_millis(250));
    let mut at: Vec<SystemTime> = fake.requests().iter().map(|r| r.at).collect();
    at.sort();
    let span = at.last().unwrap().duration_since(at[0]).unwrap();
    // Arrival times add loopback jitter to the 250 ms the limiter enforces; without the
    // limiter the span is a few milliseconds.
    assert!(span >= Duration::from_millis(150), "{span:?}");
}

#[tokio::test]
async fn invalid_configuration_is_refused() {
    let bad = [
        ClientConfig::with_base_url("not a url"),
        ClientConfig::with_base_url("ftp://127.0.0.1"),
    ];
    for cfg in bad {
        let err = HttpIntercomClient::new(cfg, SecretString::from(TOKEN)).unwrap_err();
        assert_eq!(err.kind(), ApiErrorKind::InvalidInput);
    }
    let err =
        HttpIntercomClient::new(ClientConfig::default(), SecretString::from(" ")).unwrap_err();
    assert_eq!(err.kind(), ApiErrorKind::InvalidInput);
    assert_eq!(ClientConfig::default().base_url, "https://api.intercom.io");
    assert_eq!(ClientConfig::default().api_version, "2.14");
    let limit = ClientConfig::default().rate_limit.unwrap();
    assert!(limit.per_minute < 10_000);
}
