#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every port behaviour suite against the in-memory fakes.

use std::sync::Arc;

use dlp_audit::AuditLog;
use dlp_embedded::{MemoryAuditLog, MemoryIdempotencyStore, MemoryKeyProvider, MemoryVaultStore};
use dlp_vault::{IdempotencyStore, VaultStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_vault_store_suite() {
    dlp_vault::testkit::vault_store_suite(|| async {
        Arc::new(MemoryVaultStore::new()) as Arc<dyn VaultStore>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_idempotency_suite() {
    dlp_vault::testkit::idempotency_suite(|| async {
        Arc::new(MemoryIdempotencyStore::new()) as Arc<dyn IdempotencyStore>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_key_provider_suite() {
    dlp_vault::testkit::key_provider_suite(&MemoryKeyProvider::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_audit_log_suite() {
    dlp_audit::testkit::audit_log_suite(|| async {
        Arc::new(MemoryAuditLog::new(8)) as Arc<dyn AuditLog>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_audit_log_suite_one_chain() {
    dlp_audit::testkit::audit_log_suite(|| async {
        Arc::new(MemoryAuditLog::new(1)) as Arc<dyn AuditLog>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_verify_while_appending() {
    dlp_audit::testkit::verify_while_appending(Arc::new(MemoryAuditLog::new(8))).await;
}
