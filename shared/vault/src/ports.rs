//! Ports implemented by storage and key adapters (`shared/aws`, `shared/embedded`, and the
//! in-memory fakes). One behaviour suite runs against every implementation.
//!
//! Errors never carry input values: only ids, codes and classifications.

use async_trait::async_trait;
use zeroize::Zeroizing;

use crate::model::{
    ActionResults, EncryptionContext, EntryId, EntryStatus, Page, PageRequest, PartRef, UnixMillis,
    VaultEntry,
};

/// A fresh data key: the plaintext (zeroized on drop) and the same key wrapped by the
/// provider's master key.
pub struct DataKey {
    pub key_id: String,
    pub plaintext: Zeroizing<[u8; 32]>,
    pub wrapped: Vec<u8>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The wrapped key or context does not open (tampering, wrong entry, wrong key).
    #[error("data key could not be unwrapped under the given encryption context")]
    Unwrap,
    /// The provider could not be reached or throttled us; worth retrying.
    #[error("key provider unavailable: {0}")]
    Unavailable(String),
    /// Misconfiguration or refusal (unknown key id, access denied, unsafe key file mode).
    #[error("key provider refused: {0}")]
    Refused(String),
}

/// Makes and unwraps per-entry data keys (AWS KMS `GenerateDataKey` / `Decrypt`, or a local
/// master key file).
#[async_trait]
pub trait KeyProvider: Send + Sync {
    /// A new AES-256 data key bound to `ctx`.
    async fn generate_data_key(&self, ctx: &EncryptionContext) -> Result<DataKey, KeyError>;
    /// Unwrap a data key made by `generate_data_key` under the same `ctx`.
    async fn decrypt_data_key(
        &self,
        key_id: &str,
        wrapped: &[u8],
        ctx: &EncryptionContext,
    ) -> Result<Zeroizing<[u8; 32]>, KeyError>;
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Transient: throttling, timeouts, a busy database. Retry.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A condition failed that the caller did not expect (e.g. concurrent update).
    #[error("store conflict: {0}")]
    Conflict(String),
    /// Stored data could not be decoded, or a cursor was malformed.
    #[error("store data invalid: {0}")]
    Invalid(String),
}

#[derive(Debug, PartialEq)]
pub enum PutOutcome {
    Inserted,
    /// An entry for the same (workspace, conversation, part) already existed; it is returned
    /// unchanged and the new one was not written.
    Existing(Box<VaultEntry>),
}

/// Persistent vault entries.
///
/// Paging, for every `list_*` method: a page holds at most `page.limit` items (a limit of 0
/// means the adapter's default); a page may hold fewer even when more follow, and the last
/// page may be empty; `next_cursor` is `None` only when nothing follows. Cursors are opaque,
/// carry no personal data, and a malformed or foreign cursor is `StoreError::Invalid`.
#[async_trait]
pub trait VaultStore: Send + Sync {
    /// Insert unless an entry for `entry.part` exists (idempotent reprocessing).
    async fn put_if_absent(&self, entry: &VaultEntry) -> Result<PutOutcome, StoreError>;
    async fn get(&self, id: &EntryId) -> Result<Option<VaultEntry>, StoreError>;
    async fn get_by_part(&self, part: &PartRef) -> Result<Option<VaultEntry>, StoreError>;
    /// Entries of one conversation, oldest first (by `created_at`, ties by entry id).
    async fn list_by_conversation(
        &self,
        workspace_id: &str,
        conversation_id: &str,
        page: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError>;
    /// Entries with `since <= created_at < until`, oldest first (by `created_at`, ties by
    /// entry id).
    async fn list_by_created(
        &self,
        since: UnixMillis,
        until: UnixMillis,
        page: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError>;
    /// Entries with `expires_at <= before`, in any stable order: paging through an unchanged
    /// store yields each such entry exactly once. Callers may delete the entries of a page
    /// before asking for the next one.
    async fn list_expired(
        &self,
        before: UnixMillis,
        page: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError>;
    /// Set the status and merge the action results (fields that are `Some` overwrite).
    /// Returns false when the entry does not exist.
    async fn update_status(
        &self,
        id: &EntryId,
        status: EntryStatus,
        actions: &ActionResults,
    ) -> Result<bool, StoreError>;
    /// Delete the entry and its wrapped key (crypto-shredding). Returns false when absent.
    async fn delete(&self, id: &EntryId) -> Result<bool, StoreError>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remembered {
    New,
    Seen,
}

/// Keys with a time to live: webhook notification ids, per-user counters.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Record `key` until `expires_at`. `Seen` if it was already recorded and not expired
    /// at `now`. A record is live while `now < expires_at`; remembering a key whose record
    /// has expired (purged or not) is `New` and re-arms it with the new `expires_at`.
    async fn remember(
        &self,
        key: &str,
        now: UnixMillis,
        expires_at: UnixMillis,
    ) -> Result<Remembered, StoreError>;
    /// Atomically add one to the counter `key` (created at 0, living until `expires_at`)
    /// and return the new value. Used for per-user reveal budgets. A live counter keeps the
    /// `expires_at` it was created with; an expired one (`expires_at <= now`) starts again
    /// at 1. Counter keys and `remember` keys share one namespace: callers prefix them.
    async fn increment(
        &self,
        key: &str,
        now: UnixMillis,
        expires_at: UnixMillis,
    ) -> Result<u64, StoreError>;
    /// Delete up to `limit` records expired at `now` (`expires_at <= now`); returns how many
    /// went.
    async fn purge_expired(&self, now: UnixMillis, limit: u32) -> Result<u64, StoreError>;
}
