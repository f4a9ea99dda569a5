//! The vault: where original values live, sealed.
//!
//! This crate owns the vault entry model, envelope encryption (one data key per entry,
//! AES-256-GCM, the encryption context doubling as AEAD associated data) and the ports that
//! storage adapters implement (`KeyProvider`, `VaultStore`, `IdempotencyStore`).
//!
//! It must never: log or format plaintext, put personal data in keys or index attributes,
//! or depend on a concrete store or cloud SDK (those live in `shared/aws` and `shared/embedded`).

pub mod crypto;
pub mod model;
pub mod ports;
#[cfg(feature = "test-util")]
pub mod testkit;

pub use crypto::{VaultError, new_entry_id, open, seal};
pub use model::*;
pub use ports::*;
