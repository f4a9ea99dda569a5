//! The webhook envelope (`notification_event`) and what each topic means to the service.
//!
//! Owns parsing a verified body into [`Notification`] and [`classify_topic`]. It tolerates what
//! Intercom really sends (null or numeric ids, missing optional fields, unknown fields and
//! topics, any `data.item`). It must never be handed an unverified body by callers, and its
//! errors carry only a position, never the input.

use serde_json::Value;

use crate::lenient;
use crate::model::{Conversation, ModelError};

/// Topics whose item is a conversation whose text must be scanned (API.md, "Webhooks").
pub const CONVERSATION_CONTENT_TOPICS: &[&str] = &[
    "conversation.user.created",
    "conversation.user.replied",
    "conversation.admin.replied",
    "conversation.admin.single.created",
    "conversation.admin.noted",
    "conversation.operator.replied",
];

/// Topics whose item is a ticket whose text must be scanned.
pub const TICKET_CONTENT_TOPICS: &[&str] = &[
    "ticket.created",
    "ticket.contact.replied",
    "ticket.admin.replied",
    "ticket.note.created",
];

/// Sent after every redaction; acting on it would loop.
pub const REDACTION_CONFIRMATION_TOPIC: &str = "conversation_part.redacted";
/// Sent when a subscription is created or tested.
pub const PING_TOPIC: &str = "ping";

/// What the item of a content topic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    Conversation,
    Ticket,
}

/// What the service does with a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicClass {
    /// Carries conversation or ticket text: scan it.
    Content(ContentKind),
    /// Answer 200, nothing else.
    Ping,
    /// Confirmation of a redaction (ours or someone's): never rescanned.
    RedactionConfirmation,
    /// Anything else, including topics that do not exist yet: acknowledge and drop.
    Ignored,
}

impl TopicClass {
    /// Whether a job must be queued for this topic.
    pub fn needs_scan(self) -> bool {
        matches!(self, Self::Content(_))
    }
}

/// Classify a topic name. Exact, case-sensitive match: Intercom's topics are lower case.
pub fn classify_topic(topic: &str) -> TopicClass {
    if CONVERSATION_CONTENT_TOPICS.contains(&topic) {
        TopicClass::Content(ContentKind::Conversation)
    } else if TICKET_CONTENT_TOPICS.contains(&topic) {
        TopicClass::Content(ContentKind::Ticket)
    } else if topic == PING_TOPIC {
        TopicClass::Ping
    } else if topic == REDACTION_CONFIRMATION_TOPIC {
        TopicClass::RedactionConfirmation
    } else {
        TopicClass::Ignored
    }
}

/// A body that is not an Intercom notification. Carries only where JSON parsing stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("notification is not valid JSON (line {line}, column {column})")]
    InvalidJson { line: usize, column: usize },
    #[error("notification is not a JSON object")]
    NotAnObject,
    #[error("notification type is not notification_event")]
    NotANotification,
    #[error("notification has no topic")]
    MissingTopic,
    #[error("notification has no data.item")]
    MissingItem,
}

/// A webhook delivery. `item` holds the payload (message text for content topics), so
/// `Debug` shows only envelope ids and the item's type.
#[derive(Clone, PartialEq)]
pub struct Notification {
    /// `notif_…`; `null` in captured pings.
    pub id: Option<String>,
    pub topic: String,
    /// The workspace id.
    pub app_id: Option<String>,
    pub created_at: Option<i64>,
    pub delivery_attempts: Option<u64>,
    pub first_sent_at: Option<i64>,
    pub delivery_status: Option<String>,
    /// `data.item`, any type.
    pub item: Value,
}

impl std::fmt::Debug for Notification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notification")
            .field("id", &self.id)
            .field("topic", &self.topic)
            .field("app_id", &self.app_id)
            .field("created_at", &self.created_at)
            .field("delivery_attempts", &self.delivery_attempts)
            .field("item_type", &self.item_type())
            .finish_non_exhaustive()
    }
}

impl Notification {
    /// Parse a (verified) webhook body.
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        let value: Value = serde_json::from_slice(body).map_err(|e| ParseError::InvalidJson {
            line: e.line(),
            column: e.column(),
        })?;
        Self::from_value(value)
    }

    /// Read an already-parsed JSON value.
    pub fn from_value(mut value: Value) -> Result<Self, ParseError> {
        let obj = value.as_object_mut().ok_or(ParseError::NotAnObject)?;
        if obj.get("type").and_then(Value::as_str) != Some("notification_event") {
            return Err(ParseError::NotANotification);
        }
        let topic = lenient::string(obj.get("topic"))
            .filter(|t| !t.is_empty())
            .ok_or(ParseError::MissingTopic)?;
        let item = obj
            .get_mut("data")
            .and_then(Value::as_object_mut)
            .and_then(|d| d.remove("item"))
            .ok_or(ParseError::MissingItem)?;
        Ok(Self {
            id: lenient::id(obj.get("id")),
            topic,
            app_id: lenient::id(obj.get("app_id")),
            created_at: lenient::timestamp(obj.get("created_at")),
            delivery_attempts: lenient::count(obj.get("delivery_attempts")),
            first_sent_at: lenient::timestamp(obj.get("first_sent_at")),
            delivery_status: lenient::string(obj.get("delivery_status")),
            item,
        })
    }

    /// What the service does with this delivery.
    pub fn class(&self) -> TopicClass {
        classify_topic(&self.topic)
    }

    /// `data.item.type`, e.g. `conversation`, `ticket`, `ping`, `conversation_part`.
    pub fn item_type(&self) -> Option<&str> {
        self.item.get("type").and_then(Value::as_str)
    }

    /// `data.item.id` as a string, whatever JSON type it had.
    pub fn item_id(&self) -> Option<String> {
        lenient::id(self.item.get("id"))
    }

    /// The item read as a conversation (or ticket). Meaningful for content topics.
    pub fn conversation(&self) -> Result<Conversation, ModelError> {
        Conversation::from_value(&self.item)
    }
}
