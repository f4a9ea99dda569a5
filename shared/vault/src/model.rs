//! Vault entry model. Everything here except [`SealedBlob::ciphertext`] is stored in clear, so
//! nothing here may hold an original value: only ids, entity kinds, counts, timestamps,
//! status and masked text built by display operators (labels, at most the last 4 digits).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch, UTC. One representation for every store.
pub type UnixMillis = i64;

/// Sortable entry id (a ULID string: 26 Crockford base32 characters, time-ordered).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntryId(pub String);

impl EntryId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EntryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a part lives in Intercom. Ids are Intercom's ids, never personal data.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PartRef {
    pub workspace_id: String,
    pub conversation_id: String,
    /// The conversation part id, or the source id when the part is the conversation source.
    pub part_id: String,
}

/// The identity an entry is sealed under: the KMS encryption context and the AEAD
/// associated data. Opening an entry under any other context fails.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EncryptionContext {
    pub workspace_id: String,
    pub conversation_id: String,
    pub part_id: String,
    pub entry_id: String,
}

impl EncryptionContext {
    pub fn new(part: &PartRef, entry_id: &EntryId) -> Self {
        Self {
            workspace_id: part.workspace_id.clone(),
            conversation_id: part.conversation_id.clone(),
            part_id: part.part_id.clone(),
            entry_id: entry_id.0.clone(),
        }
    }

    /// Key/value pairs, sorted by key: the KMS encryption context.
    pub fn pairs(&self) -> [(&'static str, &str); 4] {
        [
            ("conversation_id", &self.conversation_id),
            ("entry_id", &self.entry_id),
            ("part_id", &self.part_id),
            ("workspace_id", &self.workspace_id),
        ]
    }

    /// Canonical, unambiguous byte encoding (length-prefixed fields): the AEAD associated data.
    pub fn aad(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        out.extend_from_slice(b"dlp-vault-v1");
        for (k, v) in self.pairs() {
            for s in [k, v] {
                out.extend_from_slice(&(s.len() as u32).to_be_bytes());
                out.extend_from_slice(s.as_bytes());
            }
        }
        out
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Findings recorded; no destructive action taken (detect mode, or redaction pending).
    Detected,
    /// The part was redacted in Intercom.
    Redacted,
    /// Redaction was attempted and failed for good (the job went to the dead-letter queue).
    RedactionFailed,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Detected => "detected",
            EntryStatus::Redacted => "redacted",
            EntryStatus::RedactionFailed => "redaction_failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "detected" => Some(EntryStatus::Detected),
            "redacted" => Some(EntryStatus::Redacted),
            "redaction_failed" => Some(EntryStatus::RedactionFailed),
            _ => None,
        }
    }
}

/// What the service did about an entry. Each field is set once, by the step that did it,
/// so a retried job can skip steps already done.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionResults {
    pub redacted_at: Option<UnixMillis>,
    pub note_id: Option<String>,
    pub tagged_at: Option<UnixMillis>,
    pub notified_at: Option<UnixMillis>,
    /// Non-sensitive failure classification of the last failed action (an error code).
    pub last_error: Option<String>,
}

/// The encrypted part of an entry: a per-entry data key wrapped by the key provider, and
/// AES-256-GCM ciphertext (with its tag) of the serialized [`SealedContent`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedBlob {
    /// The key provider's id of the master key that wrapped the data key (KMS key ARN, or
    /// the local key id). Needed to open old entries after rotation.
    pub key_id: String,
    pub wrapped_key: Vec<u8>,
    pub nonce: [u8; 12],
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for SealedBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedBlob")
            .field("key_id", &self.key_id)
            .field("wrapped_key_len", &self.wrapped_key.len())
            .field("ciphertext_len", &self.ciphertext.len())
            .finish()
    }
}

/// One vault entry: one Intercom part with findings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VaultEntry {
    pub id: EntryId,
    pub part: PartRef,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
    pub status: EntryStatus,
    /// Entity kind → number of findings of that kind in the part.
    pub entities: BTreeMap<String, u32>,
    /// The part text with every finding replaced by its display operator's output
    /// (e.g. `card •••• 4242`, `[US_SSN]`). Built at scan time; safe to show and store.
    pub masked_text: String,
    pub actions: ActionResults,
    pub sealed: SealedBlob,
}

/// One finding as kept inside the sealed blob. Spans are byte offsets into `original_text`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SealedFinding {
    pub entity: String,
    pub rule_id: String,
    pub start: usize,
    pub end: usize,
    pub score: f32,
    /// The display form of this finding (what `masked_text` shows in its place).
    pub masked: String,
    /// Found only because of the message the part replies to ("What is your SSN?" before a
    /// bare "078051120"). Entries sealed before this field existed read as false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_message_before: bool,
}

/// The plaintext that goes into a [`SealedBlob`]. Never Debug-printed; zeroized on drop.
#[derive(Clone, PartialEq, Serialize, Deserialize, zeroize::ZeroizeOnDrop)]
pub struct SealedContent {
    #[zeroize(skip)]
    pub findings: Vec<SealedFinding>,
    pub original_text: String,
}

impl zeroize::Zeroize for SealedContent {
    fn zeroize(&mut self) {
        self.original_text.zeroize();
    }
}

impl std::fmt::Debug for SealedContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedContent")
            .field("findings", &self.findings.len())
            .field("original_text_len", &self.original_text.len())
            .finish()
    }
}

impl std::fmt::Debug for SealedFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedFinding")
            .field("entity", &self.entity)
            .field("rule_id", &self.rule_id)
            .field("start", &self.start)
            .field("end", &self.end)
            .field("score", &self.score)
            .finish()
    }
}

/// A cursor-paged request. `cursor` is opaque to callers: whatever the store returned as
/// `next_cursor` of the previous page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageRequest {
    pub cursor: Option<String>,
    pub limit: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `None` when there is nothing after this page.
    pub next_cursor: Option<String>,
}
