//! The audit-query app over DynamoDB and KMS on moto's server (DLP_TEST_AWS_ENDPOINT; fails
//! loudly when unset): every sample event, the reveal decrypting through KMS under the entry's
//! encryption context, the budget counter in the idempotency table, and a purged entry's
//! reveal answering 404 with a `finding.reveal_denied` event.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../src/handler.rs"]
mod handler;

use std::sync::Arc;

use axum::http::StatusCode;
use dlp_audit::{Action, AuditLog, AuditQuery};
use dlp_aws::{
    AUDIT_TABLE, AwsClients, DynamoAuditLog, DynamoIdempotencyStore, DynamoVaultStore,
    IDEMPOTENCY_TABLE, KmsKeyProvider, TableSpec, VAULT_TABLE, create_table,
};
use dlp_service::clock::ManualClock;
use dlp_service::retention::{PurgeOptions, Retention};
use dlp_service::review::{Review, ReviewConfig};
use dlp_vault::{EncryptionContext, EntryId, KeyProvider, VaultStore};
use tower::ServiceExt as _;

const ENTRY_ID: &str = "01JF0000000000000000000001";
const PLANTED: &str = "4111111111111111";
const NOW: i64 = 1_796_418_000_000;

fn clients() -> AwsClients {
    let endpoint = match std::env::var("DLP_TEST_AWS_ENDPOINT") {
        Ok(v) if v.starts_with("http://127.0.0.1:") || v.starts_with("http://localhost:") => v,
        Ok(v) if !v.is_empty() => panic!("DLP_TEST_AWS_ENDPOINT must be loopback, got {v}"),
        _ => panic!(
            "DLP_TEST_AWS_ENDPOINT is not set: this test needs moto's server (run \
             scripts/test.sh, or start `moto_server -H 127.0.0.1 -p PORT` and export \
             DLP_TEST_AWS_ENDPOINT=http://127.0.0.1:PORT)"
        ),
    };
    AwsClients::for_endpoint(&endpoint, "us-east-1", "testing", "testing", None)
}

async fn table(c: &AwsClients, spec: &TableSpec, kind: &str) -> String {
    let name = format!(
        "dlp-aq-{kind}-{}",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    create_table(c.dynamodb(), spec, &name, None).await.unwrap();
    name
}

async fn call(app: &axum::Router, event: &str) -> (StatusCode, Vec<u8>) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events/audit-query")
        .join(event);
    let req = lambda_http::request::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, body.to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_api_over_dynamodb_and_kms() {
    let c = clients();
    let key_id = c
        .kms()
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .key_id()
        .to_owned();
    let keys = Arc::new(KmsKeyProvider::new(c.kms().clone(), key_id));
    let vault = Arc::new(DynamoVaultStore::new(
        c.dynamodb().clone(),
        table(&c, &VAULT_TABLE, "vault").await,
    ));
    let idem = Arc::new(DynamoIdempotencyStore::new(
        c.dynamodb().clone(),
        table(&c, &IDEMPOTENCY_TABLE, "idem").await,
    ));
    let audit = Arc::new(DynamoAuditLog::new(
        c.dynamodb().clone(),
        table(&c, &AUDIT_TABLE, "audit").await,
        4,
    ));

    let mut entry =
        dlp_vault::testkit::sample_entry("ws1", "conv1", "part1", NOW - 60_000, NOW + 1_000);
    entry.id = EntryId(ENTRY_ID.into());
    let content = dlp_vault::testkit::sample_content(&[PLANTED]);
    let ctx = EncryptionContext::new(&entry.part, &entry.id);
    entry.sealed = dlp_vault::seal(keys.as_ref() as &dyn KeyProvider, &ctx, &content)
        .await
        .unwrap();
    vault.put_if_absent(&entry).await.unwrap();

    let clock = ManualClock::new(NOW);
    let review = Review {
        vault: vault.clone(),
        keys,
        audit: audit.clone(),
        counters: idem.clone(),
        clock: Arc::new(clock.clone()),
        config: ReviewConfig {
            reveals_per_hour: 2,
            ..ReviewConfig::default()
        },
    };
    let app = handler::app(review, "roles".into());

    for (event, want) in [
        ("list-findings-auditor.json", StatusCode::OK),
        ("get-finding-auditor.json", StatusCode::OK),
        ("reveal-auditor-denied.json", StatusCode::FORBIDDEN),
        ("no-role-forbidden.json", StatusCode::FORBIDDEN),
        ("no-authorizer-unauthorized.json", StatusCode::UNAUTHORIZED),
        ("audit-events-auditor.json", StatusCode::OK),
        ("audit-export-auditor.json", StatusCode::OK),
        ("audit-verify-auditor.json", StatusCode::OK),
    ] {
        let (status, body) = call(&app, event).await;
        assert_eq!(status, want, "{event}");
        assert!(
            !String::from_utf8_lossy(&body).contains(PLANTED),
            "{event} leaks"
        );
    }
    // Reveal decrypts through KMS: exactly what was sealed.
    let (status, body) = call(&app, "reveal-reviewer.json").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["original_text"], content.original_text.as_str());
    assert_eq!(v["findings"][0]["value"], PLANTED);
    // Budget of 2 per hour, counted in DynamoDB: the second passes, the third is 429.
    assert_eq!(call(&app, "reveal-reviewer.json").await.0, StatusCode::OK);
    assert_eq!(
        call(&app, "reveal-reviewer.json").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Purge it (expires at NOW + 1 s), then in the next hour the reveal is 404 and audited.
    clock.set(NOW + 3_600_000);
    let report = Retention {
        vault,
        idempotency: idem,
        audit: audit.clone(),
        clock: Arc::new(clock.clone()),
    }
    .purge(&PurgeOptions::default())
    .await
    .unwrap();
    assert_eq!(report.entries, 1);
    assert_eq!(
        call(&app, "reveal-reviewer.json").await.0,
        StatusCode::NOT_FOUND
    );

    let all =
        dlp_audit::testkit::query_all(audit.as_ref() as &dyn AuditLog, &AuditQuery::default(), 100)
            .await;
    let count = |a: Action| all.iter().filter(|e| e.event.action == a).count();
    assert_eq!(count(Action::FindingRevealed), 2);
    assert_eq!(count(Action::VaultPurged), 1);
    let mut reasons: Vec<_> = all
        .iter()
        .filter(|e| e.event.action == Action::FindingRevealDenied)
        .map(|e| e.event.reason.clone().unwrap_or_default())
        .collect();
    // Events of the same millisecond order by their random id part: compare as a set.
    reasons.sort();
    assert_eq!(reasons, vec!["budget", "not_found", "role"]);
    assert!(!serde_json::to_string(&all).unwrap().contains(PLANTED));
    assert!(
        dlp_audit::verify(audit.as_ref() as &dyn AuditLog)
            .await
            .unwrap()
            .is_intact()
    );
}
