//! The review API through the router with local HS256 authentication, on SQLite (and the
//! in-memory fakes where a port must fail on purpose).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use dlp_audit::{
    Action, AuditError, AuditEvent, AuditLog, AuditQuery, ChainHead, Page, PageRequest, StoredEvent,
};
use dlp_embedded::{MemoryAuditLog, MemoryKeyProvider, SqliteStore};
use dlp_service::clock::ManualClock;
use dlp_service::jwt::{Hs256, TokenRequest};
use dlp_service::retention::{PurgeOptions, Retention};
use dlp_service::review::{Review, ReviewConfig};
use dlp_service::review_api::{LocalAuth, router, with_local_auth};
use dlp_vault::testkit::sample_content;
use dlp_vault::{
    EncryptionContext, IdempotencyStore, KeyProvider, SealedContent, UnixMillis, VaultEntry,
    VaultStore,
};
use serde_json::{Value, json};
use tower::ServiceExt as _;

const T: UnixMillis = 1_800_000_000_000;
const SECRET: [u8; 32] = [42u8; 32];
const PLANTED: [&str; 2] = ["4111111111111111", "536-22-1120"];

struct Fixture {
    app: Router,
    vault: Arc<dyn VaultStore>,
    audit: Arc<dyn AuditLog>,
    idem: Arc<dyn IdempotencyStore>,
    keys: Arc<dyn KeyProvider>,
    clock: ManualClock,
    store: SqliteStore,
    _dir: tempfile::TempDir,
}

fn fixture_with(audit_override: Option<Arc<dyn AuditLog>>, config: ReviewConfig) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("dlp.sqlite")).unwrap();
    let clock = ManualClock::new(T);
    let keys: Arc<dyn KeyProvider> = Arc::new(MemoryKeyProvider::new());
    let audit: Arc<dyn AuditLog> = audit_override.unwrap_or_else(|| Arc::new(store.clone()));
    let review = Review {
        vault: Arc::new(store.clone()),
        keys: keys.clone(),
        audit: audit.clone(),
        counters: Arc::new(store.clone()),
        clock: Arc::new(clock.clone()),
        config,
    };
    let app = with_local_auth(
        router(review),
        LocalAuth {
            verifier: Hs256::new(SECRET.to_vec()).unwrap(),
            roles_claim: "roles".into(),
            clock: Arc::new(clock.clone()),
        },
    );
    Fixture {
        app,
        vault: Arc::new(store.clone()),
        audit,
        idem: Arc::new(store.clone()),
        keys,
        clock,
        store,
        _dir: dir,
    }
}

fn fixture() -> Fixture {
    fixture_with(None, ReviewConfig::default())
}

fn token_at(roles: &[&str], now_ms: UnixMillis, secret: &[u8]) -> String {
    Hs256::new(secret.to_vec()).unwrap().sign(&TokenRequest {
        sub: "alice@example.com".into(),
        email: Some("alice@example.com".into()),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        now_secs: now_ms / 1000,
        ttl_secs: 900,
    })
}

fn token(roles: &[&str]) -> String {
    token_at(roles, T, &SECRET)
}

impl Fixture {
    async fn seal_entry(
        &self,
        conversation: &str,
        part: &str,
        expires_at: UnixMillis,
    ) -> (VaultEntry, SealedContent) {
        let content = sample_content(&PLANTED);
        let mut entry =
            dlp_vault::testkit::sample_entry("ws1", conversation, part, T - 60_000, expires_at);
        let ctx = EncryptionContext::new(&entry.part, &entry.id);
        entry.sealed = dlp_vault::seal(self.keys.as_ref(), &ctx, &content)
            .await
            .unwrap();
        entry.masked_text = "hello, [ENTITY_0] and [ENTITY_1] and bye".into();
        self.vault.put_if_absent(&entry).await.unwrap();
        (entry, content)
    }

    async fn call(
        &self,
        method: Method,
        uri: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = bearer {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string()))
                .unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), 64 << 20)
            .await
            .unwrap();
        (status, headers, bytes.to_vec())
    }

    async fn events(&self, action: Action) -> Vec<StoredEvent> {
        dlp_audit::testkit::query_all(
            self.audit.as_ref(),
            &AuditQuery {
                action: Some(action),
                ..AuditQuery::default()
            },
            100,
        )
        .await
    }
}

fn assert_no_plant(bytes: &[u8], what: &str) {
    let s = String::from_utf8_lossy(bytes);
    for p in PLANTED {
        assert!(!s.contains(p), "{what} leaks a planted value");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_matrix_for_every_route() {
    let f = fixture();
    let (entry, _) = f.seal_entry("conv1", "p1", T + 86_400_000).await;
    let id = entry.id.0.clone();
    let routes: Vec<(Method, String, Option<Value>, &str)> = vec![
        (Method::GET, "/v1/findings".into(), None, "read"),
        (Method::GET, format!("/v1/findings/{id}"), None, "read"),
        (
            Method::POST,
            format!("/v1/findings/{id}/reveal"),
            Some(json!({"reason": "ticket 12"})),
            "reveal",
        ),
        (Method::GET, "/v1/audit/events".into(), None, "read"),
        (Method::GET, "/v1/audit/export".into(), None, "read"),
        (Method::GET, "/v1/audit/verify".into(), None, "read"),
    ];
    let expired = token_at(&["reviewer"], T - 16 * 60_000, &SECRET);
    let bad_sig = token_at(&["reviewer"], T, &[9u8; 32]);
    let auditor = token(&["auditor"]);
    let reviewer = token(&["reviewer"]);
    let nobody = token(&["support"]);
    for (method, uri, body, need) in &routes {
        let cases: [(&str, Option<&str>, StatusCode); 6] = [
            ("no token", None, StatusCode::UNAUTHORIZED),
            ("expired", Some(&expired), StatusCode::UNAUTHORIZED),
            ("bad signature", Some(&bad_sig), StatusCode::UNAUTHORIZED),
            ("no role", Some(&nobody), StatusCode::FORBIDDEN),
            (
                "auditor",
                Some(&auditor),
                if *need == "reveal" {
                    StatusCode::FORBIDDEN
                } else {
                    StatusCode::OK
                },
            ),
            ("reviewer", Some(&reviewer), StatusCode::OK),
        ];
        for (case, tok, want) in cases {
            let (status, headers, bytes) = f.call(method.clone(), uri, tok, body.clone()).await;
            assert_eq!(status, want, "{method} {uri} as {case}");
            assert_eq!(
                headers["cache-control"], "no-store",
                "{method} {uri} as {case}"
            );
            match status {
                StatusCode::UNAUTHORIZED => {
                    assert_eq!(bytes, br#"{"error":"unauthorized"}"#);
                    assert_eq!(headers["www-authenticate"], "Bearer");
                }
                StatusCode::FORBIDDEN => assert_eq!(bytes, br#"{"error":"forbidden"}"#),
                _ => {}
            }
            if *need != "reveal" || status != StatusCode::OK {
                assert_no_plant(&bytes, &format!("{method} {uri} as {case}"));
            }
        }
    }
    // Denied reveals by authenticated callers are on record; 401s are not (no identity).
    let denied = f.events(Action::FindingRevealDenied).await;
    assert_eq!(denied.len(), 2, "no-role and auditor reveal attempts");
    for d in &denied {
        assert_eq!(d.event.actor, "user:alice@example.com");
        assert_eq!(d.event.reason.as_deref(), Some("role"));
        assert_eq!(d.event.entry_ids, vec![id.clone()]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reveal_round_trip_returns_exactly_what_was_sealed_and_is_audited_first() {
    let f = fixture();
    let (entry, content) = f.seal_entry("conv1", "p1", T + 86_400_000).await;
    let uri = format!("/v1/findings/{}/reveal", entry.id);
    let (status, headers, bytes) = f
        .call(
            Method::POST,
            &uri,
            Some(&token(&["reviewer"])),
            Some(json!({"reason": "  ticket SEC-12: customer asked  "})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-store");
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["id"], entry.id.0);
    assert_eq!(body["original_text"], content.original_text.as_str());
    let findings = body["findings"].as_array().unwrap();
    assert_eq!(findings.len(), PLANTED.len());
    for (f_json, (sealed, planted)) in findings.iter().zip(content.findings.iter().zip(PLANTED)) {
        assert_eq!(f_json["value"], planted);
        assert_eq!(f_json["entity"], sealed.entity.as_str());
        assert_eq!(f_json["start"], sealed.start);
        assert_eq!(f_json["end"], sealed.end);
        assert_eq!(f_json["from_message_before"], sealed.from_message_before);
    }
    assert!(content.findings.iter().any(|f| f.from_message_before));
    let revealed = f.events(Action::FindingRevealed).await;
    assert_eq!(revealed.len(), 1);
    let ev = &revealed[0].event;
    assert_eq!(ev.actor, "user:alice@example.com");
    assert_eq!(ev.entry_ids, vec![entry.id.0.clone()]);
    assert_eq!(ev.conversation_id.as_deref(), Some("conv1"));
    assert_eq!(ev.reason.as_deref(), Some("ticket SEC-12: customer asked"));
    assert_eq!(body["audit_event_id"], ev.id.as_str());
    assert!(ev.request_id.is_some());
    // Nothing sensitive in the audit trail.
    let all = serde_json::to_vec(
        &dlp_audit::testkit::query_all(f.audit.as_ref(), &AuditQuery::default(), 100).await,
    )
    .unwrap();
    assert_no_plant(&all, "audit trail");

    // Listing and detail show masked text only.
    for uri in [
        "/v1/findings".to_owned(),
        format!("/v1/findings/{}", entry.id),
        "/v1/findings?conversation_id=conv1&workspace_id=ws1".to_owned(),
    ] {
        let (status, _, bytes) = f
            .call(Method::GET, &uri, Some(&token(&["auditor"])), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_no_plant(&bytes, &uri);
        assert!(
            String::from_utf8_lossy(&bytes).contains("[ENTITY_0]"),
            "{uri}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reveal_needs_a_reason_and_denials_are_audited() {
    let f = fixture();
    let (entry, _) = f.seal_entry("conv1", "p1", T + 86_400_000).await;
    let uri = format!("/v1/findings/{}/reveal", entry.id);
    let reviewer = token(&["reviewer"]);
    for body in [
        Some(json!({"reason": "   "})),
        Some(json!({})),
        None,
        Some(json!({"reason": "x".repeat(1001)})),
    ] {
        let (status, _, bytes) = f.call(Method::POST, &uri, Some(&reviewer), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(bytes, br#"{"error":"bad_request"}"#);
    }
    let denied = f.events(Action::FindingRevealDenied).await;
    assert_eq!(denied.len(), 4);
    assert!(
        denied
            .iter()
            .all(|d| d.event.reason.as_deref() == Some("reason"))
    );
    assert!(f.events(Action::FindingRevealed).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reveal_of_a_purged_entry_is_404_and_audited() {
    let f = fixture();
    let (entry, _) = f.seal_entry("conv1", "p1", T).await;
    let report = Retention {
        vault: f.vault.clone(),
        idempotency: f.idem.clone(),
        audit: f.audit.clone(),
        clock: Arc::new(f.clock.clone()),
    }
    .purge(&PurgeOptions::default())
    .await
    .unwrap();
    assert_eq!(report.entries, 1);
    let uri = format!("/v1/findings/{}/reveal", entry.id);
    let (status, _, bytes) = f
        .call(
            Method::POST,
            &uri,
            Some(&token(&["reviewer"])),
            Some(json!({"reason": "audit"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(bytes, br#"{"error":"not_found"}"#);
    let denied = f.events(Action::FindingRevealDenied).await;
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].event.reason.as_deref(), Some("not_found"));
    assert_eq!(denied[0].event.entry_ids, vec![entry.id.0.clone()]);
    let (status, _, _) = f
        .call(
            Method::GET,
            &format!("/v1/findings/{}", entry.id),
            Some(&token(&["auditor"])),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reveal_budget_answers_429_beyond_it_and_resets_next_hour() {
    let f = fixture_with(
        None,
        ReviewConfig {
            reveals_per_hour: 2,
            ..ReviewConfig::default()
        },
    );
    let (entry, _) = f.seal_entry("conv1", "p1", T + 86_400_000 * 10).await;
    let uri = format!("/v1/findings/{}/reveal", entry.id);
    let body = Some(json!({"reason": "review"}));
    let fr = &f;
    let call = |now: UnixMillis| {
        fr.clock.set(now);
        let tok = token_at(&["reviewer"], now, &SECRET);
        let body = body.clone();
        let uri = uri.clone();
        async move { fr.call(Method::POST, &uri, Some(&tok), body).await }
    };
    assert_eq!(call(T).await.0, StatusCode::OK);
    assert_eq!(call(T + 1).await.0, StatusCode::OK);
    let (status, headers, bytes) = call(T + 2).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(bytes, br#"{"error":"too_many_requests"}"#);
    assert!(headers.contains_key("retry-after"));
    let denied = f.events(Action::FindingRevealDenied).await;
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].event.reason.as_deref(), Some("budget"));
    // The next clock hour has a fresh budget.
    let next_hour = (T / 3_600_000 + 1) * 3_600_000;
    assert_eq!(call(next_hour).await.0, StatusCode::OK);
}

/// An audit log that refuses `finding.revealed` events.
struct RefusesReveals(MemoryAuditLog);

#[async_trait]
impl AuditLog for RefusesReveals {
    fn chains(&self) -> u16 {
        self.0.chains()
    }
    async fn append(&self, event: AuditEvent) -> Result<StoredEvent, AuditError> {
        if event.action == Action::FindingRevealed {
            return Err(AuditError::Unavailable("injected".into()));
        }
        self.0.append(event).await
    }
    async fn query(
        &self,
        q: &AuditQuery,
        p: &PageRequest,
    ) -> Result<Page<StoredEvent>, AuditError> {
        self.0.query(q, p).await
    }
    async fn head(&self, chain: u16) -> Result<Option<ChainHead>, AuditError> {
        self.0.head(chain).await
    }
    async fn scan_chain(
        &self,
        chain: u16,
        after: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, AuditError> {
        self.0.scan_chain(chain, after, limit).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_write_failure_blocks_the_reveal() {
    let f = fixture_with(
        Some(Arc::new(RefusesReveals(MemoryAuditLog::new(4)))),
        ReviewConfig::default(),
    );
    let (entry, _) = f.seal_entry("conv1", "p1", T + 86_400_000).await;
    let (status, headers, bytes) = f
        .call(
            Method::POST,
            &format!("/v1/findings/{}/reveal", entry.id),
            Some(&token(&["reviewer"])),
            Some(json!({"reason": "ticket 7"})),
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(bytes, br#"{"error":"unavailable"}"#);
    assert_eq!(headers["cache-control"], "no-store");
    assert_no_plant(&bytes, "503 body");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_export_escapes_formulas_and_quotes() {
    let f = fixture();
    let (entry, _) = f.seal_entry("conv1", "p1", T + 86_400_000).await;
    let nasty = [
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "+1+1",
        "-2",
        "@SUM(A1)",
        "plain, with comma",
        "line\nbreak",
    ];
    for reason in nasty {
        let (status, _, _) = f
            .call(
                Method::POST,
                &format!("/v1/findings/{}/reveal", entry.id),
                Some(&token(&["reviewer"])),
                Some(json!({ "reason": reason })),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, headers, bytes) = f
        .call(
            Method::GET,
            "/v1/audit/export?since=2020-01-01&until=2100-01-01",
            Some(&token(&["auditor"])),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = String::from_utf8(bytes).unwrap();
    assert!(csv.starts_with("id,time,time_ms,actor,action,"));
    assert!(
        csv.contains(r#","'=HYPERLINK(""http://evil.example"",""x"")","#),
        "{csv}"
    );
    assert!(csv.contains(",'+1+1,"));
    assert!(csv.contains(",'-2,"));
    assert!(csv.contains(",'@SUM(A1),"));
    assert!(csv.contains(",\"plain, with comma\","));
    assert!(csv.contains(",\"line\nbreak\","));
    // Six reveals → six data rows (CRLF-terminated records; one holds an LF inside quotes).
    assert_eq!(csv.matches("\r\n").count(), 7);
    assert_no_plant(csv.as_bytes(), "export");
    // An empty range exports the header only; a reversed range is a 400.
    let (_, _, only_header) = f
        .call(
            Method::GET,
            "/v1/audit/export?since=2000-01-01&until=2000-01-02",
            Some(&token(&["auditor"])),
            None,
        )
        .await;
    assert_eq!(only_header, dlp_audit::csv::csv_header().as_bytes());
    let (status, _, _) = f
        .call(
            Method::GET,
            "/v1/audit/export?since=2030-01-01&until=2000-01-02",
            Some(&token(&["auditor"])),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, bytes) = f
        .call(
            Method::GET,
            "/v1/audit/export?since=%3Cscript%3E",
            Some(&token(&["auditor"])),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bytes, br#"{"error":"bad_request"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_detects_an_edited_and_a_deleted_event_on_sqlite() {
    let roomy = || ReviewConfig {
        reveals_per_hour: 1_000,
        ..ReviewConfig::default()
    };
    let f = fixture_with(None, roomy());
    let (entry, _) = f.seal_entry("conv1", "p1", T + 86_400_000).await;
    for i in 0..40 {
        f.clock.set(T + i);
        let (status, _, _) = f
            .call(
                Method::POST,
                &format!("/v1/findings/{}/reveal", entry.id),
                Some(&token(&["reviewer"])),
                Some(json!({ "reason": format!("case {i}") })),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let auditor = token(&["auditor"]);
    let (status, _, bytes) = f
        .call(Method::GET, "/v1/audit/verify", Some(&auditor), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["verified"], 40);
    assert_eq!(v["first_break"], Value::Null);

    let db = rusqlite::Connection::open(f.store.path()).unwrap();
    // Edit one event's reason in place.
    let (chain, seq, edited): (i64, i64, String) = db
        .query_row(
            "SELECT chain, seq, event_id FROM audit_events WHERE seq = 2 ORDER BY chain LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    db.execute(
        "UPDATE audit_events SET reason = 'nothing to see' WHERE event_id = ?1",
        [&edited],
    )
    .unwrap();
    let (_, _, bytes) = f
        .call(Method::GET, "/v1/audit/verify", Some(&auditor), None)
        .await;
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_break"]["event_id"], edited.as_str());
    assert_eq!(v["first_break"]["chain"], chain);
    assert_eq!(v["first_break"]["seq"], seq);
    assert_eq!(v["first_break"]["reason"], "hash_mismatch");

    // Restore by deleting a different chain's middle event instead: verify names the gap.
    let f2 = fixture_with(None, roomy());
    let (entry, _) = f2.seal_entry("conv1", "p1", T + 86_400_000).await;
    for i in 0..40 {
        f2.clock.set(T + i);
        f2.call(
            Method::POST,
            &format!("/v1/findings/{}/reveal", entry.id),
            Some(&token(&["reviewer"])),
            Some(json!({ "reason": format!("case {i}") })),
        )
        .await;
    }
    let db = rusqlite::Connection::open(f2.store.path()).unwrap();
    let (chain, after): (i64, String) = db
        .query_row(
            "SELECT chain, event_id FROM audit_events WHERE seq = 3 AND chain IN (SELECT chain FROM audit_events WHERE seq = 2) ORDER BY chain LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    db.execute(
        "DELETE FROM audit_events WHERE chain = ?1 AND seq = 2",
        [chain],
    )
    .unwrap();
    let (_, _, bytes) = f2
        .call(Method::GET, "/v1/audit/verify", Some(&auditor), None)
        .await;
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_break"]["chain"], chain);
    assert_eq!(v["first_break"]["seq"], 2);
    assert_eq!(v["first_break"]["event_id"], after.as_str());
    assert_eq!(v["first_break"]["reason"], "seq_gap");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_filters_and_paging() {
    let f = fixture();
    let (a, _) = f.seal_entry("conv1", "p1", T + 86_400_000).await;
    let (b, _) = f.seal_entry("conv2", "p2", T + 86_400_000).await;
    let auditor = token(&["auditor"]);
    let fr = &f;
    let get = |uri: String| {
        let auditor = auditor.clone();
        async move {
            let (status, _, bytes) = fr.call(Method::GET, &uri, Some(&auditor), None).await;
            (status, serde_json::from_slice::<Value>(&bytes).unwrap())
        }
    };
    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (s, v) = get("/v1/findings?conversation_id=conv2&workspace_id=ws1".into()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ids(&v), vec![b.id.0.clone()]);
    let (_, v) = get("/v1/findings?entity=ENTITY_0".into()).await;
    assert_eq!(
        ids(&v).len(),
        0,
        "sample entries carry CREDIT_CARD/US_SSN counts"
    );
    let (_, v) = get("/v1/findings?entity=CREDIT_CARD".into()).await;
    assert_eq!(ids(&v).len(), 2);
    let (_, v) = get(format!(
        "/v1/findings?since={}&until={}",
        T - 60_000,
        T - 59_999
    ))
    .await;
    assert_eq!(ids(&v).len(), 2);
    let (_, v) = get(format!("/v1/findings?since={}", T)).await;
    assert_eq!(ids(&v).len(), 0);
    // Paging with limit=1 visits both.
    let (_, v1) = get("/v1/findings?limit=1".into()).await;
    let cursor = v1["next_cursor"].as_str().unwrap().to_owned();
    let (_, v2) = get(format!("/v1/findings?limit=1&cursor={cursor}")).await;
    let mut seen = ids(&v1);
    seen.extend(ids(&v2));
    seen.sort();
    let mut want = vec![a.id.0.clone(), b.id.0.clone()];
    want.sort();
    assert_eq!(seen, want);
    // Garbage is a constant 400; a conversation without a workspace (none configured) too.
    for bad in [
        "/v1/findings?limit=abc",
        "/v1/findings?since=tomorrow",
        "/v1/findings?cursor=%FF%FE",
        "/v1/findings?conversation_id=conv1",
    ] {
        let (status, _, bytes) = f.call(Method::GET, bad, Some(&auditor), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(bytes, br#"{"error":"bad_request"}"#, "{bad}");
    }
    // Audit event queries filter by actor and action.
    f.call(
        Method::POST,
        &format!("/v1/findings/{}/reveal", a.id),
        Some(&token(&["reviewer"])),
        Some(json!({"reason": "x"})),
    )
    .await;
    let (s, v) =
        get("/v1/audit/events?actor=user:alice@example.com&action=finding.revealed".into()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["event"]["action"], "finding.revealed");
}
