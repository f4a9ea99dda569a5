//! The scan job: what ingest queues and the scan use-case consumes.
//!
//! Owns: the job's wire form (JSON, versioned), building a job from a verified notification
//! (the parts to scan, or only ids when the delivery is partial or the job would exceed the
//! inline size limit), and decoding it back. Must never: derive `Debug` on anything holding
//! part text, or put text in an error.

use dlp_intercom::{ExtractOptions, ExtractedPart, Notification, PartRef, extract_parts};
use serde::{Deserialize, Serialize};

/// Current job format.
pub const JOB_VERSION: u8 = 1;
/// Workspace id used when a delivery carries no `app_id`.
pub const UNKNOWN_WORKSPACE: &str = "unknown";

/// Conversation or ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Conversation,
    Ticket,
}

/// One part to scan. `Debug` omits the text.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobPart {
    /// Conversation part id, or source id when `is_source`.
    pub id: String,
    pub is_source: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_id: Option<String>,
    /// Whether Intercom accepts a redaction of it (a source only when a contact wrote it).
    pub redactable: bool,
    #[serde(default)]
    pub redacted: bool,
    pub text: String,
}

impl std::fmt::Debug for JobPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobPart")
            .field("id", &self.id)
            .field("is_source", &self.is_source)
            .field("part_type", &self.part_type)
            .field("author_type", &self.author_type)
            .field("redactable", &self.redactable)
            .field("text_len", &self.text.len())
            .finish()
    }
}

impl JobPart {
    pub fn from_extracted(p: &ExtractedPart) -> Self {
        Self {
            id: p.target.id().to_owned(),
            is_source: matches!(p.target, PartRef::Source { .. }),
            part_type: p.part_type.clone(),
            author_type: p.author.kind.clone(),
            author_id: p.author.id.clone(),
            redactable: p.redactable(),
            redacted: p.redacted,
            text: p.text.clone(),
        }
    }

    /// A note written by the service's own admin: never scanned (no loops).
    pub fn is_own_note(&self, admin_id: &str) -> bool {
        self.part_type.as_deref() == Some("note")
            && self.author_type.as_deref() == Some("admin")
            && self.author_id.as_deref() == Some(admin_id)
    }
}

/// One unit of scan work: one notification (or one conversation to rescan).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanJob {
    pub v: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_id: Option<String>,
    pub topic: String,
    pub workspace_id: String,
    pub conversation_id: String,
    pub kind: ItemKind,
    /// When ingest accepted the delivery (ms since epoch): latency measurements start here.
    pub received_at: i64,
    /// The parts to scan; `None` → the scan fetches the conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<JobPart>>,
}

impl std::fmt::Debug for ScanJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanJob")
            .field("notification_id", &self.notification_id)
            .field("topic", &self.topic)
            .field("workspace_id", &self.workspace_id)
            .field("conversation_id", &self.conversation_id)
            .field("kind", &self.kind)
            .field("parts", &self.parts.as_ref().map(Vec::len))
            .finish_non_exhaustive()
    }
}

/// Why a notification yields no job, or a job payload does not decode. No text inside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    #[error("notification item is not a conversation")]
    NotAConversation,
    #[error("scan job payload is malformed")]
    Malformed,
    #[error("scan job version is not supported")]
    UnsupportedVersion,
}

/// What to do with a content notification.
#[derive(Debug)]
pub enum Planned {
    Job(ScanJob),
    /// Nothing to scan: every part present was the service's own note or already redacted,
    /// and the delivery carried every part or only our own notes.
    NothingToScan,
}

impl ScanJob {
    /// Plan the job for a content notification. `inline_max_bytes` bounds the encoded job:
    /// above it the job carries ids only and the scan fetches the conversation.
    pub fn plan(
        n: &Notification,
        kind: ItemKind,
        opts: &ExtractOptions,
        inline_max_bytes: usize,
        received_at: i64,
    ) -> Result<Planned, JobError> {
        let conv = n.conversation().map_err(|_| JobError::NotAConversation)?;
        let ex = extract_parts(&conv, opts);
        let workspace_id = n
            .app_id
            .clone()
            .unwrap_or_else(|| UNKNOWN_WORKSPACE.to_owned());
        // A delivery whose only new content is our own note (the note we just posted) must
        // not cause a fetch and rescan: that is the loop the service must never enter.
        let only_own_notes = ex.parts.is_empty() && ex.skipped_own_notes > 0;
        if ex.parts.is_empty() && (!ex.partial || only_own_notes) {
            return Ok(Planned::NothingToScan);
        }
        let mut job = ScanJob {
            v: JOB_VERSION,
            notification_id: n.id.clone(),
            topic: n.topic.clone(),
            workspace_id,
            conversation_id: conv.id.clone(),
            kind,
            received_at,
            parts: None,
        };
        if !ex.partial {
            job.parts = Some(ex.parts.iter().map(JobPart::from_extracted).collect());
            if job.encoded_len() > inline_max_bytes {
                job.parts = None;
            }
        }
        Ok(Planned::Job(job))
    }

    /// A job that fetches the conversation (backfill, rescans).
    pub fn fetch(
        workspace_id: &str,
        conversation_id: &str,
        kind: ItemKind,
        received_at: i64,
    ) -> Self {
        Self {
            v: JOB_VERSION,
            notification_id: None,
            topic: "rescan".to_owned(),
            workspace_id: workspace_id.to_owned(),
            conversation_id: conversation_id.to_owned(),
            kind,
            received_at,
            parts: None,
        }
    }

    pub fn encode(&self) -> Result<Vec<u8>, JobError> {
        serde_json::to_vec(self).map_err(|_| JobError::Malformed)
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, JobError> {
        let job: ScanJob = serde_json::from_slice(bytes).map_err(|_| JobError::Malformed)?;
        if job.v != JOB_VERSION {
            return Err(JobError::UnsupportedVersion);
        }
        Ok(job)
    }

    fn encoded_len(&self) -> usize {
        serde_json::to_vec(self)
            .map(|v| v.len())
            .unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn notification(item: serde_json::Value) -> Notification {
        Notification::from_value(json!({
            "type": "notification_event", "id": "notif_1", "topic": "conversation.user.replied",
            "app_id": "ws1", "data": {"type": "notification_event_data", "item": item}
        }))
        .unwrap()
    }

    fn conv(parts: serde_json::Value, total: u64) -> serde_json::Value {
        json!({"type": "conversation", "id": "c1",
            "source": {"type": "conversation", "id": "s1", "body": "<p>hello</p>",
                        "author": {"type": "user", "id": "u1"}},
            "conversation_parts": {"type": "conversation_part.list",
                "conversation_parts": parts, "total_count": total}})
    }

    fn opts() -> ExtractOptions {
        ExtractOptions {
            own_admin_id: Some("99".into()),
            ..ExtractOptions::default()
        }
    }

    #[test]
    fn full_delivery_carries_parts_and_roundtrips() {
        let n = notification(conv(
            json!([{"type": "conversation_part", "id": "p1", "part_type": "comment",
                     "body": "<p>ssn 536-22-1120</p>", "author": {"type": "user", "id": "u1"}}]),
            1,
        ));
        let Planned::Job(job) =
            ScanJob::plan(&n, ItemKind::Conversation, &opts(), 256 * 1024, 5).unwrap()
        else {
            panic!("expected a job")
        };
        let parts = job.parts.as_ref().unwrap();
        assert_eq!(parts.len(), 2);
        assert!(parts[0].is_source && parts[0].redactable);
        assert_eq!(parts[1].id, "p1");
        assert_eq!(job.workspace_id, "ws1");
        let back = ScanJob::decode(&job.encode().unwrap()).unwrap();
        assert_eq!(back, job);
        let dbg = format!("{job:?} {:?}", parts[1]);
        assert!(!dbg.contains("078-05"), "{dbg}");
    }

    #[test]
    fn partial_or_large_delivery_carries_ids_only() {
        let part = json!({"type": "conversation_part", "id": "p9", "part_type": "comment",
                          "body": "x".repeat(2000), "author": {"type": "user", "id": "u1"}});
        let partial = notification(conv(json!([part.clone()]), 7));
        let Planned::Job(job) =
            ScanJob::plan(&partial, ItemKind::Conversation, &opts(), 1 << 20, 0).unwrap()
        else {
            panic!()
        };
        assert!(job.parts.is_none());
        let big = notification(conv(json!([part]), 1));
        let Planned::Job(job) =
            ScanJob::plan(&big, ItemKind::Conversation, &opts(), 1000, 0).unwrap()
        else {
            panic!()
        };
        assert!(job.parts.is_none());
        assert_eq!(job.conversation_id, "c1");
    }

    #[test]
    fn own_note_alone_plans_nothing_even_when_partial() {
        let item = json!({"type": "conversation", "id": "c1",
            "conversation_parts": {"type": "conversation_part.list", "total_count": 5,
                "conversation_parts": [{"type": "conversation_part", "id": "n1", "part_type": "note",
                    "body": "<p>DLP note</p>", "author": {"type": "admin", "id": "99"}}]}});
        let out = ScanJob::plan(
            &notification(item),
            ItemKind::Conversation,
            &opts(),
            1 << 20,
            0,
        )
        .unwrap();
        assert!(matches!(out, Planned::NothingToScan));
    }

    #[test]
    fn decode_rejects_garbage_and_other_versions() {
        assert_eq!(ScanJob::decode(b"{nope"), Err(JobError::Malformed));
        let mut j = ScanJob::fetch("w", "c", ItemKind::Ticket, 0);
        j.v = 9;
        assert_eq!(
            ScanJob::decode(&serde_json::to_vec(&j).unwrap()),
            Err(JobError::UnsupportedVersion)
        );
    }
}
