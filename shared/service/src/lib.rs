//! The use-cases of the service, generic over ports (vault, audit, Intercom, queue, clock).
//!
//! Owns: webhook ingest, the scan-and-act job, retention purge, and the review/audit API.
//! Must never: name an AWS SDK or Lambda event type, log or return a sensitive value.

// Pipeline (issue 5)
pub mod engine;
pub mod ingest;
pub mod job;
pub mod notify;
pub mod ports;
pub mod scan;
pub mod webhook_http;

// Governance (issue 6)
pub mod clock;
pub mod governance_config;
pub mod identity;
pub mod jwt;
pub mod retention;
pub mod review;
pub mod review_api;

/// A new audit event with a fresh sortable id; callers fill in the rest. Shared by the
/// pipeline use-cases so every event is built the same way.
pub fn audit_event(
    actor: &str,
    action: dlp_audit::Action,
    outcome: dlp_audit::Outcome,
    now: i64,
) -> dlp_audit::AuditEvent {
    dlp_audit::AuditEvent {
        id: dlp_vault::crypto::new_entry_id(now).0,
        time: now,
        actor: actor.to_owned(),
        action,
        workspace_id: None,
        conversation_id: None,
        part_id: None,
        entry_ids: Vec::new(),
        entity_kinds: Vec::new(),
        outcome,
        reason: None,
        request_id: None,
        counts: std::collections::BTreeMap::new(),
    }
}
