//! Review use-cases: list findings (masked), show one, reveal originals, query, export and
//! verify the audit trail — with role checks, the reveal budget and reveal auditing.
//!
//! Owns: the rules of the review API independent of HTTP: who may do what ([`Identity`]
//! access), that a reveal is audited (`finding.revealed`) *before* plaintext is returned and
//! that nothing is returned when that audit write fails, that denied reveals are audited
//! (`finding.reveal_denied`), and the per-user reveal budget (a counter per user and hour in the
//! idempotency store).
//!
//! Must never: return or log original values except in the body of a successful, audited
//! reveal; put input values in errors.

use std::collections::BTreeMap;
use std::sync::Arc;

use dlp_audit::{
    Action, AuditError, AuditEvent, AuditLog, AuditQuery, Outcome, Page as AuditPage,
    PageRequest as AuditPageRequest, StoredEvent,
};
use dlp_vault::{
    ActionResults, EncryptionContext, EntryId, IdempotencyStore, KeyProvider, PageRequest,
    SealedContent, StoreError, VaultEntry, VaultStore,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::clock::{Clock, UnixMillis, format_time};
use crate::identity::Identity;

/// Default reveals per user per hour.
pub const DEFAULT_REVEALS_PER_HOUR: u32 = 30;
/// Longest reason a reviewer may give, in characters.
pub const MAX_REASON_CHARS: usize = 1_000;
const HOUR_MS: i64 = 3_600_000;

#[derive(Clone, Debug)]
pub struct ReviewConfig {
    pub reveals_per_hour: u32,
    pub default_limit: u32,
    pub max_limit: u32,
    /// Workspace assumed when a findings query names a conversation but no workspace.
    pub default_workspace_id: Option<String>,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        Self {
            reveals_per_hour: DEFAULT_REVEALS_PER_HOUR,
            default_limit: 50,
            max_limit: 500,
            default_workspace_id: None,
        }
    }
}

/// Failures of the review use-cases. Each maps to one HTTP status with a constant body.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("no valid identity")]
    Unauthenticated,
    #[error("identity lacks the required role")]
    Forbidden,
    #[error("request invalid")]
    BadRequest,
    #[error("not found")]
    NotFound,
    #[error("reveal budget exhausted")]
    TooManyRequests,
    /// A store or the audit log is unavailable, or the reveal could not be audited.
    #[error("dependency unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
}

impl From<StoreError> for ReviewError {
    fn from(e: StoreError) -> Self {
        match e {
            // A malformed cursor is the caller's mistake.
            StoreError::Invalid(_) => ReviewError::BadRequest,
            StoreError::Unavailable(_) | StoreError::Conflict(_) => ReviewError::Unavailable,
        }
    }
}

impl From<AuditError> for ReviewError {
    fn from(e: AuditError) -> Self {
        match e {
            AuditError::Invalid(_) => ReviewError::BadRequest,
            AuditError::Unavailable(_) => ReviewError::Unavailable,
        }
    }
}

/// A finding as the review API shows it: ids, times, kinds, status and masked text. Built
/// only from fields stored in clear; never from the sealed blob.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FindingView {
    pub id: String,
    pub workspace_id: String,
    pub conversation_id: String,
    pub part_id: String,
    pub created_at: String,
    pub expires_at: String,
    pub status: &'static str,
    pub entities: BTreeMap<String, u32>,
    pub masked_text: String,
    pub actions: ActionsView,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActionsView {
    pub redacted_at: Option<String>,
    pub note_id: Option<String>,
    pub tagged_at: Option<String>,
    pub notified_at: Option<String>,
    pub last_error: Option<String>,
}

impl From<&VaultEntry> for FindingView {
    fn from(e: &VaultEntry) -> Self {
        let ActionResults {
            redacted_at,
            note_id,
            tagged_at,
            notified_at,
            last_error,
        } = &e.actions;
        Self {
            id: e.id.0.clone(),
            workspace_id: e.part.workspace_id.clone(),
            conversation_id: e.part.conversation_id.clone(),
            part_id: e.part.part_id.clone(),
            created_at: format_time(e.created_at),
            expires_at: format_time(e.expires_at),
            status: e.status.as_str(),
            entities: e.entities.clone(),
            masked_text: e.masked_text.clone(),
            actions: ActionsView {
                redacted_at: redacted_at.map(format_time),
                note_id: note_id.clone(),
                tagged_at: tagged_at.map(format_time),
                notified_at: notified_at.map(format_time),
                last_error: last_error.clone(),
            },
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FindingsQuery {
    pub workspace_id: Option<String>,
    pub conversation_id: Option<String>,
    pub since: Option<UnixMillis>,
    pub until: Option<UnixMillis>,
    pub entity: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The originals of one entry, returned by a successful reveal. Holds plaintext: no Debug
/// of the content, zeroized on drop (through [`SealedContent`]).
pub struct Revealed {
    pub entry_id: String,
    pub audit_event_id: String,
    pub content: SealedContent,
}

impl std::fmt::Debug for Revealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revealed")
            .field("entry_id", &self.entry_id)
            .field("audit_event_id", &self.audit_event_id)
            .finish_non_exhaustive()
    }
}

impl Serialize for Revealed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Finding<'a> {
            entity: &'a str,
            rule_id: &'a str,
            start: usize,
            end: usize,
            score: f32,
            value: &'a str,
            /// Found only because of the message the part replies to.
            from_message_before: bool,
        }
        #[derive(Serialize)]
        struct Body<'a> {
            id: &'a str,
            audit_event_id: &'a str,
            original_text: &'a str,
            findings: Vec<Finding<'a>>,
        }
        let text = self.content.original_text.as_str();
        Body {
            id: &self.entry_id,
            audit_event_id: &self.audit_event_id,
            original_text: text,
            findings: self
                .content
                .findings
                .iter()
                .map(|f| Finding {
                    entity: &f.entity,
                    rule_id: &f.rule_id,
                    start: f.start,
                    end: f.end,
                    score: f.score,
                    value: text.get(f.start..f.end).unwrap_or(""),
                    from_message_before: f.from_message_before,
                })
                .collect(),
        }
        .serialize(s)
    }
}

/// Result of walking every audit chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyView {
    pub ok: bool,
    pub chains: u16,
    pub verified: u64,
    pub first_break: Option<BreakView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BreakView {
    pub chain: u16,
    pub seq: u64,
    pub event_id: Option<String>,
    pub reason: String,
}

/// The review use-cases over their ports.
#[derive(Clone)]
pub struct Review {
    pub vault: Arc<dyn VaultStore>,
    pub keys: Arc<dyn KeyProvider>,
    pub audit: Arc<dyn AuditLog>,
    /// Where reveal budgets are counted (the idempotency store).
    pub counters: Arc<dyn IdempotencyStore>,
    pub clock: Arc<dyn Clock>,
    pub config: ReviewConfig,
}

fn require_read(who: &Identity) -> Result<(), ReviewError> {
    if who.can_read() {
        Ok(())
    } else {
        Err(ReviewError::Forbidden)
    }
}

impl Review {
    fn limit(&self, asked: Option<u32>) -> u32 {
        asked
            .filter(|l| *l > 0)
            .unwrap_or(self.config.default_limit)
            .min(self.config.max_limit)
    }

    /// Findings, masked. By conversation (oldest first) when one is named, else by creation
    /// time. `since`/`until` bound `created_at` (`since <= t < until`); `entity` keeps entries
    /// with at least one finding of that kind. A page may hold fewer than `limit` items when
    /// filters drop some; follow `next_cursor` until it is absent.
    pub async fn list_findings(
        &self,
        who: &Identity,
        q: &FindingsQuery,
    ) -> Result<Listing<FindingView>, ReviewError> {
        require_read(who)?;
        let since = q.since.unwrap_or(0);
        let until = q.until.unwrap_or(i64::MAX);
        if since > until {
            return Err(ReviewError::BadRequest);
        }
        let page = PageRequest {
            cursor: q.cursor.clone(),
            limit: self.limit(q.limit),
        };
        let found = match &q.conversation_id {
            Some(conversation) => {
                let workspace = q
                    .workspace_id
                    .as_ref()
                    .or(self.config.default_workspace_id.as_ref())
                    .ok_or(ReviewError::BadRequest)?;
                self.vault
                    .list_by_conversation(workspace, conversation, &page)
                    .await?
            }
            None => self.vault.list_by_created(since, until, &page).await?,
        };
        let items = found
            .items
            .iter()
            .filter(|e| e.created_at >= since && e.created_at < until)
            .filter(|e| match &q.entity {
                Some(kind) => e.entities.contains_key(kind),
                None => true,
            })
            .map(FindingView::from)
            .collect();
        Ok(Listing {
            items,
            next_cursor: found.next_cursor,
        })
    }

    pub async fn get_finding(&self, who: &Identity, id: &str) -> Result<FindingView, ReviewError> {
        require_read(who)?;
        match self.vault.get(&EntryId(id.to_owned())).await? {
            Some(e) => Ok(FindingView::from(&e)),
            None => Err(ReviewError::NotFound),
        }
    }

    /// Reveal the originals of entry `id`. Order: role → reason → budget → entry → decrypt
    /// → audit `finding.revealed` → return. Every refusal after authentication is audited as
    /// `finding.reveal_denied`; if the `finding.revealed` event cannot be written the
    /// decrypted content is dropped (zeroized) and the caller gets `Unavailable`.
    #[tracing::instrument(skip_all, fields(sub = %who.sub, entry_id = %id))]
    pub async fn reveal(
        &self,
        who: &Identity,
        id: &str,
        reason: &str,
        request_id: Option<&str>,
    ) -> Result<Revealed, ReviewError> {
        let reason = reason.trim();
        let id_ok =
            !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric());
        if !who.can_reveal() {
            return self
                .deny(
                    who,
                    id_ok.then_some(id),
                    None,
                    "role",
                    request_id,
                    ReviewError::Forbidden,
                )
                .await;
        }
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            return self
                .deny(
                    who,
                    id_ok.then_some(id),
                    None,
                    "reason",
                    request_id,
                    ReviewError::BadRequest,
                )
                .await;
        }
        if !id_ok {
            return self
                .deny(
                    who,
                    None,
                    None,
                    "not_found",
                    request_id,
                    ReviewError::NotFound,
                )
                .await;
        }
        let now = self.clock.now_ms();
        let used = self
            .counters
            .increment(
                &budget_key(&who.sub, now),
                now,
                (now.div_euclid(HOUR_MS) + 1) * HOUR_MS,
            )
            .await?;
        if used > u64::from(self.config.reveals_per_hour) {
            return self
                .deny(
                    who,
                    Some(id),
                    None,
                    "budget",
                    request_id,
                    ReviewError::TooManyRequests,
                )
                .await;
        }
        let Some(entry) = self.vault.get(&EntryId(id.to_owned())).await? else {
            // Purged (or never existed): 404, and the attempt is on record.
            return self
                .deny(
                    who,
                    Some(id),
                    None,
                    "not_found",
                    request_id,
                    ReviewError::NotFound,
                )
                .await;
        };
        let ctx = EncryptionContext::new(&entry.part, &entry.id);
        let content = match dlp_vault::open(self.keys.as_ref(), &ctx, &entry.sealed).await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "vault entry could not be opened");
                let event = self.event(
                    who,
                    Action::FindingRevealed,
                    Some(&entry),
                    Some(id),
                    Outcome::Failure,
                    Some("open_failed".into()),
                    request_id,
                );
                if self.audit.append(event).await.is_err() {
                    tracing::error!("reveal failure could not be audited");
                }
                return Err(match e {
                    dlp_vault::VaultError::Key(dlp_vault::KeyError::Unavailable(_)) => {
                        ReviewError::Unavailable
                    }
                    _ => ReviewError::Internal,
                });
            }
        };
        let event = self.event(
            who,
            Action::FindingRevealed,
            Some(&entry),
            Some(id),
            Outcome::Success,
            Some(reason.to_owned()),
            request_id,
        );
        let event_id = event.id.clone();
        match self.audit.append(event).await {
            Ok(_) => {
                tracing::info!(audit_event_id = %event_id, "finding revealed");
                Ok(Revealed {
                    entry_id: entry.id.0.clone(),
                    audit_event_id: event_id,
                    content,
                })
            }
            Err(_) => {
                // `content` drops (and zeroizes) here: no audit record, no plaintext.
                tracing::error!("reveal not audited; nothing revealed");
                Err(ReviewError::Unavailable)
            }
        }
    }

    async fn deny<T>(
        &self,
        who: &Identity,
        id: Option<&str>,
        entry: Option<&VaultEntry>,
        code: &str,
        request_id: Option<&str>,
        err: ReviewError,
    ) -> Result<T, ReviewError> {
        let event = self.event(
            who,
            Action::FindingRevealDenied,
            entry,
            id,
            Outcome::Denied,
            Some(code.to_owned()),
            request_id,
        );
        if self.audit.append(event).await.is_err() {
            // Still denied; the failure to record it is logged.
            tracing::error!(code, "denied reveal could not be audited");
        }
        tracing::info!(code, "reveal denied");
        Err(err)
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &self,
        who: &Identity,
        action: Action,
        entry: Option<&VaultEntry>,
        id: Option<&str>,
        outcome: Outcome,
        reason: Option<String>,
        request_id: Option<&str>,
    ) -> AuditEvent {
        let now = self.clock.now_ms();
        AuditEvent {
            id: dlp_vault::new_entry_id(now).0,
            time: now,
            actor: who.actor(),
            action,
            workspace_id: entry.map(|e| e.part.workspace_id.clone()),
            conversation_id: entry.map(|e| e.part.conversation_id.clone()),
            part_id: entry.map(|e| e.part.part_id.clone()),
            entry_ids: id.map(|i| vec![i.to_owned()]).unwrap_or_default(),
            entity_kinds: entry
                .map(|e| e.entities.keys().cloned().collect())
                .unwrap_or_default(),
            outcome,
            reason,
            request_id: request_id.map(str::to_owned),
            counts: BTreeMap::new(),
        }
    }

    pub async fn audit_events(
        &self,
        who: &Identity,
        query: &AuditQuery,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<AuditPage<StoredEvent>, ReviewError> {
        require_read(who)?;
        if let (Some(a), Some(b)) = (query.since, query.until)
            && a > b
        {
            return Err(ReviewError::BadRequest);
        }
        Ok(self
            .audit
            .query(
                query,
                &AuditPageRequest {
                    cursor,
                    limit: self.limit(limit),
                },
            )
            .await?)
    }

    pub fn require_read(&self, who: &Identity) -> Result<(), ReviewError> {
        require_read(who)
    }
}

/// Counter key of a user's reveals in the hour containing `now`. The subject is hashed: keys
/// of the idempotency store hold no personal data.
fn budget_key(sub: &str, now: UnixMillis) -> String {
    let digest = Sha256::digest(sub.as_bytes());
    let mut hex = String::with_capacity(32);
    for b in &digest[..16] {
        hex.push_str(&format!("{b:02x}"));
    }
    format!("reveal-budget:{hex}:{}", now.div_euclid(HOUR_MS))
}
