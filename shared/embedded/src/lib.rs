//! Local-mode adapters: SQLite stores, the local master key file, in-memory fakes.
//!
//! This crate owns the SQLite schema and its migrations ([`sqlite`]), the local keyring file
//! ([`keyfile`]) and, behind the `test-util` feature, in-memory implementations of every
//! vault and audit port ([`memory`]). All of them pass the same behaviour suites as the AWS
//! adapters (`dlp_vault::testkit`, `dlp_audit::testkit`).
//!
//! It must never: store an original value in clear (only sealed blobs, ids, kinds, counts and
//! masked text reach the database), block the async runtime with SQLite work (it runs on
//! tokio's blocking pool), or put values or key material in errors.

mod cursor;
mod error;
pub mod keyfile;
#[cfg(feature = "test-util")]
pub mod memory;
pub mod queue;
pub mod sqlite;

pub use error::EmbeddedError;
pub use keyfile::LocalKeyFile;
#[cfg(feature = "test-util")]
pub use memory::{MemoryAuditLog, MemoryIdempotencyStore, MemoryKeyProvider, MemoryVaultStore};
pub use sqlite::{SqliteOptions, SqliteStore, Synchronous};

/// Page size used when a request asks for `limit: 0`, and the largest page served.
pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 1_000;

pub(crate) fn page_limit(limit: u32) -> usize {
    let l = if limit == 0 {
        DEFAULT_PAGE
    } else {
        limit.min(MAX_PAGE)
    };
    l as usize
}
