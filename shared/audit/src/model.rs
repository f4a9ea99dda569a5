//! Audit event model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch, UTC.
pub type UnixMillis = i64;

/// What happened. The string forms are the vocabulary of the audit API and CSV export.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum Action {
    FindingDetected,
    PartRedacted,
    PartRedactionFailed,
    NotePosted,
    ConversationTagged,
    NotificationSent,
    FindingRevealed,
    FindingRevealDenied,
    VaultPurged,
    WebhookRejected,
    PolicyLoaded,
    /// Forward compatibility: an action string this build does not know.
    Other(String),
}

impl Action {
    pub fn as_str(&self) -> &str {
        match self {
            Action::FindingDetected => "finding.detected",
            Action::PartRedacted => "part.redacted",
            Action::PartRedactionFailed => "part.redaction_failed",
            Action::NotePosted => "note.posted",
            Action::ConversationTagged => "conversation.tagged",
            Action::NotificationSent => "notification.sent",
            Action::FindingRevealed => "finding.revealed",
            Action::FindingRevealDenied => "finding.reveal_denied",
            Action::VaultPurged => "vault.purged",
            Action::WebhookRejected => "webhook.rejected",
            Action::PolicyLoaded => "policy.loaded",
            Action::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "finding.detected" => Action::FindingDetected,
            "part.redacted" => Action::PartRedacted,
            "part.redaction_failed" => Action::PartRedactionFailed,
            "note.posted" => Action::NotePosted,
            "conversation.tagged" => Action::ConversationTagged,
            "notification.sent" => Action::NotificationSent,
            "finding.revealed" => Action::FindingRevealed,
            "finding.reveal_denied" => Action::FindingRevealDenied,
            "vault.purged" => Action::VaultPurged,
            "webhook.rejected" => Action::WebhookRejected,
            "policy.loaded" => Action::PolicyLoaded,
            other => Action::Other(other.to_owned()),
        }
    }
}

impl From<Action> for String {
    fn from(a: Action) -> String {
        a.as_str().to_owned()
    }
}

impl From<String> for Action {
    fn from(s: String) -> Action {
        Action::parse(&s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

/// One audit event as submitted by a use-case. Actors are `system:<component>` (e.g.
/// `system:scan-redact`) or `user:<subject>` (the verified token subject).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Sortable id (ULID).
    pub id: String,
    pub time: UnixMillis,
    pub actor: String,
    pub action: Action,
    pub workspace_id: Option<String>,
    pub conversation_id: Option<String>,
    pub part_id: Option<String>,
    #[serde(default)]
    pub entry_ids: Vec<String>,
    #[serde(default)]
    pub entity_kinds: Vec<String>,
    pub outcome: Outcome,
    /// Why: a reviewer's stated reason, an error code, a rejection reason. Never message text.
    pub reason: Option<String>,
    pub request_id: Option<String>,
    /// Non-sensitive numbers (e.g. purge counts per entity, rejected-webhook counts).
    #[serde(default)]
    pub counts: BTreeMap<String, u64>,
}

/// An event as stored: its place in one of the hash chains.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub chain: u16,
    /// Position in the chain, starting at 1, no gaps.
    pub seq: u64,
    /// Lowercase hex SHA-256; the genesis predecessor is 64 zeros.
    pub prev_hash: String,
    pub hash: String,
    pub event: AuditEvent,
}

/// The head of one chain: the last appended event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub chain: u16,
    pub seq: u64,
    pub hash: String,
}

/// Filters for audit queries; all are conjunctive; time range is `since <= time < until`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub since: Option<UnixMillis>,
    pub until: Option<UnixMillis>,
    pub actor: Option<String>,
    pub action: Option<Action>,
    pub conversation_id: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageRequest {
    pub cursor: Option<String>,
    pub limit: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
