#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every port behaviour suite against the SQLite adapter and the local key file, each case
//! on a fresh database file in a temp dir.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use dlp_audit::AuditLog;
use dlp_embedded::{LocalKeyFile, SqliteOptions, SqliteStore};
use dlp_vault::{IdempotencyStore, VaultStore};

/// A factory of fresh stores: a new database file per call inside one temp dir that the
/// test owns for the duration of the suite.
struct Fresh {
    dir: tempfile::TempDir,
    n: AtomicU32,
}

impl Fresh {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            n: AtomicU32::new(0),
        }
    }
    fn path(&self) -> PathBuf {
        let n = self.n.fetch_add(1, Ordering::Relaxed);
        self.dir.path().join(format!("case-{n}.db"))
    }
    fn store(&self, chains: u16) -> SqliteStore {
        let opts = SqliteOptions {
            audit_chains: chains,
            ..Default::default()
        };
        SqliteStore::open_with(self.path(), opts).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_vault_store_suite() {
    let fresh = Fresh::new();
    dlp_vault::testkit::vault_store_suite(|| async {
        Arc::new(fresh.store(8)) as Arc<dyn VaultStore>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_idempotency_suite() {
    let fresh = Fresh::new();
    dlp_vault::testkit::idempotency_suite(|| async {
        Arc::new(fresh.store(8)) as Arc<dyn IdempotencyStore>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_audit_log_suite() {
    let fresh = Fresh::new();
    dlp_audit::testkit::audit_log_suite(|| async { Arc::new(fresh.store(8)) as Arc<dyn AuditLog> })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_audit_log_suite_three_chains() {
    let fresh = Fresh::new();
    dlp_audit::testkit::audit_log_suite(|| async { Arc::new(fresh.store(3)) as Arc<dyn AuditLog> })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_key_file_suite() {
    let dir = tempfile::tempdir().unwrap();
    let keys = LocalKeyFile::open_or_create(dir.path()).unwrap();
    dlp_vault::testkit::key_provider_suite(&keys).await;
    // After rotation, under the new current key, and reopened from disk.
    keys.rotate().unwrap();
    dlp_vault::testkit::key_provider_suite(&keys).await;
    let reopened = LocalKeyFile::open_or_create(dir.path()).unwrap();
    dlp_vault::testkit::key_provider_suite(&reopened).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_verify_while_appending() {
    let fresh = Fresh::new();
    dlp_audit::testkit::verify_while_appending(Arc::new(fresh.store(8))).await;
}
