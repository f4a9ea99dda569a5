//! AWS adapters of the vault and audit ports: DynamoDB implementations of
//! [`dlp_vault::VaultStore`], [`dlp_vault::IdempotencyStore`] and [`dlp_audit::AuditLog`], and
//! the KMS [`dlp_vault::KeyProvider`].
//!
//! This crate owns the DynamoDB item layouts and table/index definitions (one source of truth,
//! [`tables`], which `template.yaml` must mirror — a test compares them; see
//! `docs/dynamodb.md`), the mapping of SDK errors onto the ports' error types, and an optional
//! call counter used to measure AWS calls per processed part.
//!
//! It must never: let an AWS SDK type escape its public API except where a caller hands in an
//! SDK client or config to build an adapter; put item contents or key material in errors or
//! logs (errors carry AWS error codes and ids only); rely on DynamoDB TTL for correctness (TTL
//! is a backstop that deletes items up to days late, and emulators never do).

mod codec;
mod error;

pub mod audit;
pub mod clients;
pub mod idempotency;
pub mod kms;
pub mod secrets;
pub mod sqs;
pub mod tables;
pub mod vault;

pub use clients::{AwsClients, AwsSettings, CallCounter, sdk_config_from_env};

pub use audit::DynamoAuditLog;
pub use idempotency::DynamoIdempotencyStore;
pub use kms::KmsKeyProvider;
pub use tables::{AUDIT_TABLE, IDEMPOTENCY_TABLE, TableSpec, VAULT_TABLE, create_table};
pub use vault::DynamoVaultStore;

/// Jittered exponential backoff for retries this crate makes itself (lost audit-head races,
/// unprocessed batch keys): 5 ms doubling up to 320 ms, "full jitter".
pub(crate) async fn backoff(attempt: u32) {
    use rand::Rng;
    let cap_ms = 5u64 << attempt.min(6);
    let ms = rand::thread_rng().gen_range(1..=cap_ms);
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}
