//! The `AuditLog` port. Adapters store events and chain heads; the chain arithmetic
//! (canonical encoding, hashing, verify) lives in this crate so every adapter agrees on it.

use async_trait::async_trait;

use crate::model::{AuditEvent, AuditQuery, ChainHead, Page, PageRequest, StoredEvent};

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Transient (throttling, busy database, lost a head race too many times). Retry.
    #[error("audit store unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be decoded, or a cursor was malformed.
    #[error("audit data invalid: {0}")]
    Invalid(String),
}

#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Number of chains events are spread over (default 8).
    fn chains(&self) -> u16;
    /// Append to one chain, atomically with the head update; returns the stored form.
    async fn append(&self, event: AuditEvent) -> Result<StoredEvent, AuditError>;
    /// Events matching `query`, oldest first (by time, then id).
    async fn query(
        &self,
        query: &AuditQuery,
        page: &PageRequest,
    ) -> Result<Page<StoredEvent>, AuditError>;
    /// The current head of `chain`, `None` when the chain is empty.
    async fn head(&self, chain: u16) -> Result<Option<ChainHead>, AuditError>;
    /// Up to `limit` events of `chain` with `seq > after_seq`, ascending by seq.
    async fn scan_chain(
        &self,
        chain: u16,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, AuditError>;
}
