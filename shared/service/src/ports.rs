//! Ports the pipeline use-cases need beyond the vault, audit and Intercom ones: the scan queue,
//! the detect-mode notifier, and the detection engine (detector + policy) seen as one
//! capability.
//!
//! Must never: carry message text in an error, or derive `Debug` on a type holding text.

use async_trait::async_trait;

use crate::job::ScanJob;

/// Why a job could not be queued. Ingest answers 5xx so Intercom delivers again.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("scan queue unavailable: {0}")]
    Unavailable(String),
    #[error("scan job could not be encoded")]
    Encode,
}

/// Where ingest puts scan jobs (SQS in AWS, the SQLite queue of `dlp serve`).
#[async_trait]
pub trait ScanQueue: Send + Sync {
    async fn enqueue(&self, job: &ScanJob) -> Result<(), QueueError>;
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// Worth retrying (network, 5xx, 429).
    #[error("notification target unavailable: {0}")]
    Unavailable(String),
    /// The target refused the message (4xx): retrying will not help.
    #[error("notification rejected: {0}")]
    Rejected(String),
}

/// A detect-mode alert: safe to send to a chat channel (masked text, kinds, a link).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    pub workspace_id: String,
    pub conversation_id: String,
    pub part_id: String,
    pub entry_id: String,
    pub entity_kinds: Vec<String>,
    /// Masked text, truncated: never an original value.
    pub masked_preview: String,
    pub conversation_url: String,
}

/// Sends detect-mode alerts (a Slack-compatible incoming webhook).
#[async_trait]
pub trait Notifier: Send + Sync {
    async fn notify(&self, alert: &Alert) -> Result<(), NotifyError>;
}

/// What the policy says to do about an entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    Ignore,
    Detect,
    Redact,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Ignore => "ignore",
            Mode::Detect => "detect",
            Mode::Redact => "redact",
        }
    }
}

/// One finding the policy does not ignore. Spans are byte offsets into the analysed text.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyFinding {
    pub entity: String,
    pub rule_id: String,
    pub start: usize,
    pub end: usize,
    pub score: f32,
    pub mode: Mode,
    /// The display form that replaces the value in `masked_text` (`[US_SSN]`,
    /// `card •••• 4242`). Safe to store and show.
    pub masked: String,
    /// Found only because of the message the part replies to ([`ScanEngine::analyze_after`]).
    pub from_message_before: bool,
}

/// The result of analysing one text: findings at or above the threshold whose mode is not
/// `ignore`, and the text with each of them replaced by its display form.
#[derive(Clone, Default, PartialEq)]
pub struct Analysis {
    pub findings: Vec<PolicyFinding>,
    pub masked_text: String,
    /// The text starts with a value that the message it replies to could make reportable
    /// ("078051120" after "What is your SSN?"): worth [`ScanEngine::analyze_after`] with that
    /// message.
    pub wants_context: bool,
}

impl std::fmt::Debug for Analysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Masked text is safe, but keep logs small: lengths and findings only.
        f.debug_struct("Analysis")
            .field("findings", &self.findings)
            .field("masked_text_len", &self.masked_text.len())
            .field("wants_context", &self.wants_context)
            .finish()
    }
}

impl Analysis {
    /// The strongest mode among the findings (`Ignore` when there are none).
    pub fn mode(&self) -> Mode {
        self.findings
            .iter()
            .map(|f| f.mode)
            .max()
            .unwrap_or(Mode::Ignore)
    }
}

/// The detector and the policy as one synchronous capability: built once per process,
/// shared read-only.
pub trait ScanEngine: Send + Sync {
    fn analyze(&self, text: &str) -> Analysis;
    /// [`ScanEngine::analyze`] of a reply, with the end of the message it answers (`before`)
    /// read as context for its start. `before` only adds findings; nothing in it is reported.
    fn analyze_after(&self, before: &str, text: &str) -> Analysis {
        let _ = before;
        self.analyze(text)
    }
    /// Days to keep a vault entry holding these entity kinds (the policy's shortest wins).
    fn retention_days(&self, entities: &[&str]) -> u32;
    /// The tag the policy names, if any (otherwise the configured default).
    fn tag_name(&self) -> Option<String> {
        None
    }
}
