//! The audit trail: who did what to which entry, when — never a sensitive value.
//!
//! This crate owns the event model, the hash-chain rules (canonical encoding, `hash =
//! SHA-256(prev_hash ‖ canonical(event))`), query types, CSV export and `verify`, and the
//! `AuditLog` port that storage adapters implement. It must never accept or format message
//! text or matched values: events carry ids, entity kinds, counts and reasons.

pub mod chain;
pub mod csv;
pub mod model;
pub mod ports;
#[cfg(feature = "test-util")]
pub mod testkit;
pub mod verify;

pub use model::*;
pub use ports::*;
pub use verify::{Break, BreakReason, ChainReport, VerifyReport, verify};
