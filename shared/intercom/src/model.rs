//! Conversations as Intercom sends them (webhook `data.item`, REST responses), read leniently.
//!
//! Owns the mapping from Intercom's JSON to the few fields the service needs. It accepts ids
//! as strings or numbers, numeric-string timestamps, missing optional fields, the legacy
//! (< 2.5) `conversation_message` in place of `source`, and ticket objects (`ticket_parts`).
//! It must never derive `Debug` on anything holding a body, subject, name, email or URL.

use serde_json::Value;

use crate::lenient;

/// The body Intercom leaves behind after a redaction (API.md, "Actions").
pub const REDACTED_BODY_HTML: &str = "<p><i>This message was deleted</i></p>";
/// The same marker as API ≥ 2.15 renders it in plain text.
pub const REDACTED_BODY_TEXT: &str = "This message was deleted";

/// The object was not a conversation we can work with. Carries no input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("conversation object is not a JSON object")]
    NotAnObject,
    #[error("conversation object has no id")]
    MissingId,
}

/// Who wrote a part: `type` is `user`, `lead`, `contact`, `admin`, `bot` or `team`. Name and
/// email are deliberately not kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Author {
    pub kind: Option<String>,
    pub id: Option<String>,
}

impl Author {
    fn from_value(v: Option<&Value>) -> Self {
        Self {
            kind: lenient::string(v.and_then(|a| a.get("type"))),
            id: lenient::id(v.and_then(|a| a.get("id"))),
        }
    }

    /// Written by an end user (Intercom calls them user, lead or contact).
    pub fn is_contact(&self) -> bool {
        matches!(self.kind.as_deref(), Some("user" | "lead" | "contact"))
    }
}

/// Metadata of a file attached to a part. The name and URL may be personal data, so `Debug`
/// shows only the content type and size.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Attachment {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub url: Option<String>,
    pub content_type: Option<String>,
    pub filesize: Option<u64>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("content_type", &self.content_type)
            .field("filesize", &self.filesize)
            .finish_non_exhaustive()
    }
}

fn attachments(v: Option<&Value>) -> Vec<Attachment> {
    v.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|a| Attachment {
                    kind: lenient::string(a.get("type")),
                    name: lenient::string(a.get("name")),
                    url: lenient::string(a.get("url")),
                    content_type: lenient::string(a.get("content_type")),
                    filesize: lenient::count(a.get("filesize")),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The message that opened a conversation (`source`, or `conversation_message` before 2.5).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Source {
    pub kind: Option<String>,
    pub id: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub author: Author,
    pub attachments: Vec<Attachment>,
    pub redacted: bool,
    pub delivered_as: Option<String>,
    pub created_at: Option<i64>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("id", &self.id)
            .field("author", &self.author)
            .field("redacted", &self.redacted)
            .field("body_len", &self.body.as_ref().map(String::len))
            .field("attachments", &self.attachments.len())
            .finish_non_exhaustive()
    }
}

impl Source {
    fn from_value(v: &Value) -> Self {
        Self {
            kind: lenient::string(v.get("type")),
            id: lenient::id(v.get("id")),
            subject: lenient::string(v.get("subject")),
            body: lenient::string(v.get("body")),
            author: Author::from_value(v.get("author")),
            attachments: attachments(v.get("attachments")),
            redacted: lenient::flag(v.get("redacted")),
            delivered_as: lenient::string(v.get("delivered_as")),
            created_at: lenient::timestamp(v.get("created_at")),
        }
    }
}

/// One conversation (or ticket) part.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Part {
    pub id: Option<String>,
    pub part_type: Option<String>,
    pub body: Option<String>,
    pub author: Author,
    pub attachments: Vec<Attachment>,
    pub redacted: bool,
    pub created_at: Option<i64>,
}

impl std::fmt::Debug for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Part")
            .field("id", &self.id)
            .field("part_type", &self.part_type)
            .field("author", &self.author)
            .field("redacted", &self.redacted)
            .field("body_len", &self.body.as_ref().map(String::len))
            .field("attachments", &self.attachments.len())
            .finish_non_exhaustive()
    }
}

impl Part {
    fn from_value(v: &Value) -> Self {
        Self {
            id: lenient::id(v.get("id")),
            part_type: lenient::string(v.get("part_type")),
            body: lenient::string(v.get("body")),
            author: Author::from_value(v.get("author")),
            attachments: attachments(v.get("attachments")),
            redacted: lenient::flag(v.get("redacted")),
            created_at: lenient::timestamp(v.get("created_at")),
        }
    }
}

/// A conversation or ticket with the fields the scan needs.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Conversation {
    pub id: String,
    /// `conversation` or `ticket` (or whatever Intercom sent).
    pub kind: Option<String>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub state: Option<String>,
    pub source: Option<Source>,
    pub parts: Vec<Part>,
    /// `conversation_parts.total_count` (or `ticket_parts.total_count`) when sent.
    pub parts_total_count: Option<u64>,
    /// Whether the object carried a part list at all (search results and some deliveries
    /// do not).
    pub has_part_list: bool,
}

impl std::fmt::Debug for Conversation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conversation")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("updated_at", &self.updated_at)
            .field("source", &self.source)
            .field("parts", &self.parts)
            .field("parts_total_count", &self.parts_total_count)
            .finish_non_exhaustive()
    }
}

impl Conversation {
    /// Read a conversation (or ticket) object. Only a missing id is an error.
    pub fn from_value(v: &Value) -> Result<Self, ModelError> {
        let obj = v.as_object().ok_or(ModelError::NotAnObject)?;
        let id = lenient::id(obj.get("id")).ok_or(ModelError::MissingId)?;
        let source = obj
            .get("source")
            .filter(|s| s.is_object())
            .or_else(|| obj.get("conversation_message").filter(|s| s.is_object()))
            .map(Source::from_value);
        let list = obj
            .get("conversation_parts")
            .map(|l| (l, "conversation_parts"))
            .or_else(|| obj.get("ticket_parts").map(|l| (l, "ticket_parts")))
            .filter(|(l, _)| l.is_object() || l.is_array());
        let (parts, parts_total_count, has_part_list) = match list {
            Some((l, key)) => {
                // The list is an object `{type, <key>: [...], total_count}`; accept a bare
                // array as well.
                let items = l.get(key).unwrap_or(l).as_array();
                let parts = items
                    .map(|a| a.iter().map(Part::from_value).collect())
                    .unwrap_or_default();
                (parts, lenient::count(l.get("total_count")), true)
            }
            None => (Vec::new(), None, false),
        };
        Ok(Self {
            id,
            kind: lenient::string(obj.get("type")),
            created_at: lenient::timestamp(obj.get("created_at")),
            updated_at: lenient::timestamp(obj.get("updated_at")),
            state: lenient::string(obj.get("state")),
            source,
            parts,
            parts_total_count,
            has_part_list,
        })
    }

    /// The part with this id, if present.
    pub fn part(&self, part_id: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.id.as_deref() == Some(part_id))
    }
}

/// Whether a body is the marker Intercom leaves after a redaction.
pub fn is_redaction_marker(body: &str) -> bool {
    let b = body.trim();
    b == REDACTED_BODY_HTML || b == REDACTED_BODY_TEXT
}
