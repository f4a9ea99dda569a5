//! Every `events/audit-query/*.json` API Gateway HTTP API event through the function's app
//! (authorizer-claims layer + review router) over the in-memory ports: the status each route
//! answers for each role, the reveal round trip and its audit trail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../src/handler.rs"]
mod handler;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::StatusCode;
use dlp_audit::{Action, AuditLog, AuditQuery};
use dlp_embedded::{MemoryAuditLog, MemoryIdempotencyStore, MemoryKeyProvider, MemoryVaultStore};
use dlp_service::clock::ManualClock;
use dlp_service::review::{Review, ReviewConfig};
use dlp_vault::{EncryptionContext, EntryId, KeyProvider, VaultStore};
use tower::ServiceExt as _;

pub const ENTRY_ID: &str = "01JF0000000000000000000001";
const PLANTED: &str = "4111111111111111";

fn events_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/audit-query")
}

/// Expected status per event file (every file in the directory must be listed).
fn expected() -> BTreeMap<&'static str, StatusCode> {
    BTreeMap::from([
        ("list-findings-auditor.json", StatusCode::OK),
        ("get-finding-auditor.json", StatusCode::OK),
        ("reveal-reviewer.json", StatusCode::OK),
        ("reveal-auditor-denied.json", StatusCode::FORBIDDEN),
        ("audit-events-auditor.json", StatusCode::OK),
        ("audit-export-auditor.json", StatusCode::OK),
        ("audit-verify-auditor.json", StatusCode::OK),
        ("no-role-forbidden.json", StatusCode::FORBIDDEN),
        ("no-authorizer-unauthorized.json", StatusCode::UNAUTHORIZED),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_file_answers_as_expected() {
    let vault = Arc::new(MemoryVaultStore::new());
    let keys = Arc::new(MemoryKeyProvider::new());
    let audit = Arc::new(MemoryAuditLog::new(8));
    let mut entry = dlp_vault::testkit::sample_entry(
        "ws1",
        "conv1",
        "part1",
        1_796_418_000_000,
        1_796_418_000_000 + 30 * 86_400_000,
    );
    entry.id = EntryId(ENTRY_ID.into());
    let content = dlp_vault::testkit::sample_content(&[PLANTED]);
    let ctx = EncryptionContext::new(&entry.part, &entry.id);
    entry.sealed = dlp_vault::seal(keys.as_ref() as &dyn KeyProvider, &ctx, &content)
        .await
        .unwrap();
    vault.put_if_absent(&entry).await.unwrap();
    let review = Review {
        vault,
        keys,
        audit: audit.clone(),
        counters: Arc::new(MemoryIdempotencyStore::new()),
        clock: Arc::new(ManualClock::new(1_796_418_000_000)),
        config: ReviewConfig::default(),
    };
    let app = handler::app(review, "roles".into());

    let want = expected();
    let mut seen = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(events_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let status = *want
            .get(name.as_str())
            .unwrap_or_else(|| panic!("{name} has no expectation"));
        let req = lambda_http::request::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let resp = app.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), status, "{name}");
        assert_eq!(resp.headers()["cache-control"], "no-store", "{name}");
        let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&body);
        if name == "reveal-reviewer.json" {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(v["original_text"], content.original_text.as_str());
            assert_eq!(v["findings"][0]["value"], PLANTED);
        } else {
            assert!(!text.contains(PLANTED), "{name} leaks");
        }
        seen.push(name);
    }
    assert_eq!(seen.len(), want.len(), "an expected event file is missing");

    // The reveal is attributed to the token subject with API Gateway's request id; the
    // auditor's attempt is on record as denied.
    let all =
        dlp_audit::testkit::query_all(audit.as_ref() as &dyn AuditLog, &AuditQuery::default(), 100)
            .await;
    let revealed: Vec<_> = all
        .iter()
        .filter(|e| e.event.action == Action::FindingRevealed)
        .collect();
    assert_eq!(revealed.len(), 1);
    assert_eq!(revealed[0].event.actor, "user:alice@example.com");
    assert_eq!(
        revealed[0].event.request_id.as_deref(),
        Some("req-reveal-reviewer")
    );
    assert_eq!(revealed[0].event.entry_ids, vec![ENTRY_ID.to_owned()]);
    let denied: Vec<_> = all
        .iter()
        .filter(|e| e.event.action == Action::FindingRevealDenied)
        .collect();
    assert_eq!(denied.len(), 1);
    assert_eq!(
        denied[0].event.request_id.as_deref(),
        Some("req-reveal-auditor-denied")
    );
    assert!(!serde_json::to_string(&all).unwrap().contains(PLANTED));
}

#[test]
fn identity_only_from_the_authorizer_context() {
    // A request that carries a bearer token but no authorizer context gets no identity.
    let mut v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(events_dir().join("no-authorizer-unauthorized.json")).unwrap(),
    )
    .unwrap();
    v["headers"]["authorization"] =
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5Iiwicm9sZXMiOlsicmV2aWV3ZXIiXX0.".into();
    let req = lambda_http::request::from_str(&v.to_string()).unwrap();
    let ctx = req
        .extensions()
        .get::<lambda_http::request::RequestContext>()
        .unwrap();
    assert!(handler::identity_from_context(ctx, "roles").is_none());
    // Flattened roles parse; the configured claim name is honoured.
    let req = lambda_http::request::from_str(
        &std::fs::read_to_string(events_dir().join("reveal-reviewer.json")).unwrap(),
    )
    .unwrap();
    let ctx = req
        .extensions()
        .get::<lambda_http::request::RequestContext>()
        .unwrap();
    let id = handler::identity_from_context(ctx, "roles").unwrap();
    assert_eq!(id.roles, vec!["auditor", "reviewer"]);
    assert!(
        handler::identity_from_context(ctx, "cognito:groups")
            .unwrap()
            .roles
            .is_empty()
    );
}
