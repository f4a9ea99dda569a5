//! Which parts of a conversation to scan, with their text and the ids needed to act on them.
//!
//! Owns the selection rules: the `source` (subject and body) and every part that has a body or
//! attachments; skip parts already redacted and notes the service wrote itself (its own notes
//! must never trigger new work); flag deliveries that do not carry every part. It must never
//! decide policy (that is the scan's job) nor expose text through `Debug`.

use crate::model::{Attachment, Author, Conversation, is_redaction_marker};
use crate::text::{BodyFormat, body_to_text};

/// Settings for [`extract_parts`].
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    /// The admin id the service posts notes as; its notes are skipped.
    pub own_admin_id: Option<String>,
    /// How bodies are encoded (HTML before API 2.15, plain text after).
    pub body_format: BodyFormat,
}

/// What to redact to remove a part's text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PartRef {
    /// The opening message: `POST /conversations/redact {"type":"source", "source_id"}`.
    Source { source_id: String },
    /// A later part: `{"type":"conversation_part", "conversation_part_id"}`.
    Part { part_id: String },
}

impl PartRef {
    /// The id of the source or part.
    pub fn id(&self) -> &str {
        match self {
            Self::Source { source_id } => source_id,
            Self::Part { part_id } => part_id,
        }
    }
}

/// One piece of text to scan. `Debug` omits the text.
#[derive(Clone, PartialEq, Eq)]
pub struct ExtractedPart {
    pub conversation_id: String,
    pub target: PartRef,
    /// `comment`, `note`, `open`, …; for the source, its `type` (`conversation`, `email`, …).
    pub part_type: Option<String>,
    pub author: Author,
    /// Always `false` for extracted parts (redacted ones are skipped); kept so the record of a
    /// part says so explicitly.
    pub redacted: bool,
    pub attachments: Vec<Attachment>,
    pub created_at: Option<i64>,
    /// For the source: the subject, a blank line, then the body (subject omitted when empty).
    pub text: String,
}

impl std::fmt::Debug for ExtractedPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtractedPart")
            .field("conversation_id", &self.conversation_id)
            .field("target", &self.target)
            .field("part_type", &self.part_type)
            .field("author", &self.author)
            .field("attachments", &self.attachments)
            .field("created_at", &self.created_at)
            .field("text_len", &self.text.len())
            .finish_non_exhaustive()
    }
}

impl ExtractedPart {
    /// Whether Intercom would accept a redaction: the source only when a contact wrote it
    /// (API.md: otherwise `conversation_part_not_redactable`); parts always.
    pub fn redactable(&self) -> bool {
        match self.target {
            PartRef::Source { .. } => self.author.is_contact(),
            PartRef::Part { .. } => true,
        }
    }
}

/// The parts of one conversation to scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extraction {
    pub conversation_id: String,
    pub parts: Vec<ExtractedPart>,
    pub skipped_redacted: usize,
    pub skipped_own_notes: usize,
    /// Parts with a body but no id (cannot be acted on; counted, not scanned).
    pub skipped_without_id: usize,
    /// The object did not carry every part (`total_count` above the parts present, or no part
    /// list at all): fetch the conversation to scan the rest.
    pub partial: bool,
}

/// Select and convert the parts of `conv` to scan.
pub fn extract_parts(conv: &Conversation, opts: &ExtractOptions) -> Extraction {
    let mut ex = Extraction {
        conversation_id: conv.id.clone(),
        partial: !conv.has_part_list
            || conv
                .parts_total_count
                .is_some_and(|total| total > conv.parts.len() as u64),
        ..Extraction::default()
    };

    if let Some(source) = &conv.source {
        let body = source.body.as_deref().unwrap_or("");
        let subject = source.subject.as_deref().unwrap_or("");
        let has_content =
            !body.trim().is_empty() || !subject.trim().is_empty() || !source.attachments.is_empty();
        if has_content {
            if source.redacted || is_redaction_marker(body) {
                ex.skipped_redacted += 1;
            } else if let Some(source_id) = &source.id {
                let body_text = body_to_text(body, opts.body_format);
                let subject_text = body_to_text(subject, opts.body_format);
                let text = match (subject_text.trim().is_empty(), body_text.is_empty()) {
                    (true, _) => body_text,
                    (false, true) => subject_text,
                    (false, false) => format!("{subject_text}\n\n{body_text}"),
                };
                ex.parts.push(ExtractedPart {
                    conversation_id: conv.id.clone(),
                    target: PartRef::Source {
                        source_id: source_id.clone(),
                    },
                    part_type: source.kind.clone(),
                    author: source.author.clone(),
                    redacted: false,
                    attachments: source.attachments.clone(),
                    created_at: source.created_at.or(conv.created_at),
                    text,
                });
            } else {
                ex.skipped_without_id += 1;
            }
        }
    }

    for part in &conv.parts {
        let body = part.body.as_deref().unwrap_or("");
        if body.trim().is_empty() && part.attachments.is_empty() {
            continue; // event parts (assignment, open, close, …) carry no text
        }
        if part.redacted || is_redaction_marker(body) {
            ex.skipped_redacted += 1;
            continue;
        }
        let own_note = part.part_type.as_deref() == Some("note")
            && part.author.kind.as_deref() == Some("admin")
            && opts.own_admin_id.is_some()
            && part.author.id == opts.own_admin_id;
        if own_note {
            ex.skipped_own_notes += 1;
            continue;
        }
        let Some(part_id) = &part.id else {
            ex.skipped_without_id += 1;
            continue;
        };
        ex.parts.push(ExtractedPart {
            conversation_id: conv.id.clone(),
            target: PartRef::Part {
                part_id: part_id.clone(),
            },
            part_type: part.part_type.clone(),
            author: part.author.clone(),
            redacted: false,
            attachments: part.attachments.clone(),
            created_at: part.created_at,
            text: body_to_text(body, opts.body_format),
        });
    }
    ex
}
