//! The shared behaviour suites of the vault and audit ports, run against the DynamoDB and
//! KMS adapters on moto's server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use dlp_audit::AuditLog;
use dlp_vault::{IdempotencyStore, VaultStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn vault_store_suite_on_dynamodb() {
    let c = common::clients(None);
    dlp_vault::testkit::vault_store_suite(|| {
        let c = c.clone();
        async move { Arc::new(common::vault_store(&c).await.0) as Arc<dyn VaultStore> }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn idempotency_suite_on_dynamodb() {
    let c = common::clients(None);
    dlp_vault::testkit::idempotency_suite(|| {
        let c = c.clone();
        async move { Arc::new(common::idempotency_store(&c).await.0) as Arc<dyn IdempotencyStore> }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn key_provider_suite_on_kms() {
    let c = common::clients(None);
    let keys = common::key_provider(&c).await;
    dlp_vault::testkit::key_provider_suite(&keys).await;
}

// The shared AuditLog suite with its concurrency case sized down: moto 5.2.1 deep-copies the
// whole table inside every TransactWriteItems (O(table) per append; 8 × 500 ran for tens of
// minutes and grew moto past 12 GB, see docs/dynamodb.md), so 8 writers × 25 events here. The
// 8 × 500 case runs on the memory and SQLite adapters; the behaviour checked is the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn audit_log_suite_on_dynamodb() {
    let c = common::clients(None);
    dlp_audit::testkit::audit_log_suite_sized(
        || {
            let c = c.clone();
            async move { Arc::new(common::audit_log(&c, 8).await.0) as Arc<dyn AuditLog> }
        },
        8,
        25,
    )
    .await;
}
