//! The scan job: detect, seal, act, audit — for one conversation.
//!
//! Owns: the order of steps for each part (skip own notes and redacted parts → analyse →
//! seal into the vault, idempotent per part → act by mode → audit), recording each action on
//! the vault entry so a retried job never repeats one (one redaction, one note, one tag, one
//! notification per entry), the retryable/permanent classification of failures, and the
//! `redaction_failed` bookkeeping on a job's last attempt.
//!
//! Must never: call the key provider or write anything for a part without findings, put
//! message text or matched values in an error, a log line, an audit event or a notification
//! (only masked text, ids and entity kinds leave this module), or post a second note for an
//! entry that already records one.

use std::collections::BTreeMap;
use std::sync::Arc;

use dlp_audit::{Action, AuditError, AuditLog, Outcome};
use dlp_intercom::{ApiError, BodyFormat, ExtractOptions, IntercomApi, extract_parts};
use dlp_vault::crypto::{VaultError, new_entry_id, seal};
use dlp_vault::{
    ActionResults, EncryptionContext, EntryStatus, KeyProvider, PartRef, PutOutcome, SealedContent,
    SealedFinding, StoreError, VaultEntry, VaultStore,
};

use crate::clock::Clock;
use crate::job::{JobPart, ScanJob};
use crate::ports::{Alert, Analysis, Mode, Notifier, NotifyError, ScanEngine};

/// Audit actor of scan events.
pub const ACTOR: &str = "system:scan-redact";
const DAY_MS: i64 = 86_400_000;
/// Most earlier parts read as the message a reply answers (the question and the replier's
/// own parts after it).
const TURN_PARTS: usize = 3;
/// Longest masked preview in a notification.
const PREVIEW_CHARS: usize = 280;

/// Which delivery of the job this is; the last one records failures for good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// 1-based (SQS `ApproximateReceiveCount`, the local queue's delivery count).
    pub number: u32,
    /// The queue's maxReceiveCount.
    pub max: u32,
}

impl Attempt {
    pub fn is_last(self) -> bool {
        self.number >= self.max
    }
}

#[derive(Clone, Debug)]
pub struct ScanConfig {
    /// The admin the service acts as; its notes are skipped.
    pub admin_id: String,
    /// Tag used when the policy names none.
    pub default_tag: String,
    /// Base of conversation links (`https://app.intercom.com`).
    pub app_url: String,
    /// Record what would be done; make no Intercom calls.
    pub dry_run: bool,
    pub body_format: BodyFormat,
}

impl Default for ScanConfig {
    fn default() -> Self {
        Self {
            admin_id: String::new(),
            default_tag: "dlp:sensitive".to_owned(),
            app_url: "https://app.intercom.com".to_owned(),
            dry_run: false,
            body_format: BodyFormat::Auto,
        }
    }
}

/// Why a scan job failed. Messages hold codes and ids only.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("intercom: {0}")]
    Intercom(#[from] ApiError),
    #[error("vault store: {0}")]
    Store(#[from] StoreError),
    #[error("sealing: {0}")]
    Seal(#[from] VaultError),
    #[error("audit: {0}")]
    Audit(#[from] AuditError),
    #[error("notification: {0}")]
    Notify(#[from] NotifyError),
}

impl ScanError {
    /// Whether a later delivery of the job may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            ScanError::Intercom(e) => e.is_retryable(),
            ScanError::Store(StoreError::Unavailable(_) | StoreError::Conflict(_)) => true,
            ScanError::Store(StoreError::Invalid(_)) => false,
            ScanError::Seal(VaultError::Key(dlp_vault::KeyError::Unavailable(_))) => true,
            ScanError::Seal(_) => false,
            ScanError::Audit(AuditError::Unavailable(_)) => true,
            ScanError::Audit(AuditError::Invalid(_)) => false,
            ScanError::Notify(NotifyError::Unavailable(_)) => true,
            ScanError::Notify(NotifyError::Rejected(_)) => false,
        }
    }

    /// A short, non-sensitive code for dead-letter records and the entry's `last_error`.
    pub fn code(&self) -> String {
        match self {
            ScanError::Intercom(e) => match e.code() {
                Some(c) => format!("intercom:{c}"),
                None => format!("intercom:{:?}", e.kind()).to_ascii_lowercase(),
            },
            ScanError::Store(_) => "store".to_owned(),
            ScanError::Seal(_) => "seal".to_owned(),
            ScanError::Audit(_) => "audit".to_owned(),
            ScanError::Notify(_) => "notify".to_owned(),
        }
    }
}

/// What one run did (counts only).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanReport {
    pub parts_scanned: u32,
    pub parts_with_findings: u32,
    pub entries_created: u32,
    pub redactions: u32,
    pub notes: u32,
    pub tags: u32,
    pub notifications: u32,
    pub skipped_own_notes: u32,
    pub skipped_redacted: u32,
    pub fetched: bool,
    /// Parts scanned with the message they reply to as context.
    pub parts_with_context: u32,
    /// Time the first redaction request of this run was sent (ms since epoch).
    pub first_redaction_at: Option<i64>,
}

/// One part with findings and its vault entry, as the run goes.
struct Handled {
    entry: VaultEntry,
    mode: Mode,
    redactable: bool,
    is_source: bool,
}

/// The scan use-case. One per process, shared.
pub struct Scanner {
    engine: Arc<dyn ScanEngine>,
    intercom: Arc<dyn IntercomApi>,
    vault: Arc<dyn VaultStore>,
    keys: Arc<dyn KeyProvider>,
    audit: Arc<dyn AuditLog>,
    notifier: Option<Arc<dyn Notifier>>,
    clock: Arc<dyn Clock>,
    config: ScanConfig,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Scanner {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        engine: Arc<dyn ScanEngine>,
        intercom: Arc<dyn IntercomApi>,
        vault: Arc<dyn VaultStore>,
        keys: Arc<dyn KeyProvider>,
        audit: Arc<dyn AuditLog>,
        notifier: Option<Arc<dyn Notifier>>,
        clock: Arc<dyn Clock>,
        config: ScanConfig,
    ) -> Self {
        Self {
            engine,
            intercom,
            vault,
            keys,
            audit,
            notifier,
            clock,
            config,
        }
    }

    pub fn config(&self) -> &ScanConfig {
        &self.config
    }

    /// Run one delivery of `job`. On failure, when this is the last attempt or the failure is
    /// permanent, entries still awaiting redaction are marked `redaction_failed` (with a
    /// `part.redaction_failed` audit event) before the error is returned.
    #[tracing::instrument(skip_all, fields(conversation = %job.conversation_id, attempt = attempt.number))]
    pub async fn run(&self, job: &ScanJob, attempt: Attempt) -> Result<ScanReport, ScanError> {
        let mut report = ScanReport::default();
        let mut handled: Vec<Handled> = Vec::new();
        let result = self.run_inner(job, &mut report, &mut handled).await;
        match result {
            Ok(()) => {
                tracing::info!(
                    scanned = report.parts_scanned,
                    with_findings = report.parts_with_findings,
                    redactions = report.redactions,
                    notes = report.notes,
                    with_context = report.parts_with_context,
                    "scan job done"
                );
                Ok(report)
            }
            Err(e) => {
                let last = attempt.is_last() || !e.is_retryable();
                tracing::warn!(error = %e, retryable = e.is_retryable(), last, "scan job failed");
                if last {
                    self.record_failure(job, &handled, &e).await;
                }
                Err(e)
            }
        }
    }

    async fn run_inner(
        &self,
        job: &ScanJob,
        report: &mut ScanReport,
        handled: &mut Vec<Handled>,
    ) -> Result<(), ScanError> {
        let parts = match &job.parts {
            Some(p) => p.clone(),
            None if self.config.dry_run => {
                // Fetching is an Intercom call; a dry run makes none.
                tracing::info!(dry_run = true, "would fetch the conversation to scan it");
                return Ok(());
            }
            None => {
                let (parts, own_notes, redacted) = self.fetch_parts(job, report).await?;
                report.skipped_own_notes += own_notes;
                report.skipped_redacted += redacted;
                parts
            }
        };

        // The conversation, fetched when a part of a delivery needs the message before it.
        let mut conversation: Option<Vec<JobPart>> = None;
        for (k, part) in parts.iter().enumerate() {
            if part.is_own_note(&self.config.admin_id) {
                report.skipped_own_notes += 1;
                continue;
            }
            if part.redacted {
                report.skipped_redacted += 1;
                continue;
            }
            report.parts_scanned += 1;
            let mut analysis = self.engine.analyze(&part.text);
            if analysis.wants_context
                && let Some(before) = self
                    .before(job, &parts, k, &mut conversation, report)
                    .await?
            {
                report.parts_with_context += 1;
                analysis = self.engine.analyze_after(&before, &part.text);
            }
            if analysis.findings.is_empty() {
                continue; // no key call, no write
            }
            report.parts_with_findings += 1;
            let entry = self.vault_entry(job, part, &analysis, report).await?;
            handled.push(Handled {
                entry,
                mode: analysis.mode(),
                redactable: part.redactable,
                is_source: part.is_source,
            });
        }
        if handled.is_empty() {
            return Ok(());
        }
        if self.config.dry_run {
            for h in handled.iter() {
                tracing::info!(
                    dry_run = true,
                    part = %h.entry.part.part_id,
                    entry = %h.entry.id,
                    mode = h.mode.as_str(),
                    "would act on part"
                );
            }
            return Ok(());
        }

        for h in handled.iter_mut() {
            if h.mode == Mode::Redact {
                if h.redactable {
                    self.redact(job, h, report).await?;
                    self.post_note(job, h, report).await?;
                } else if h.entry.status != EntryStatus::RedactionFailed {
                    // Intercom cannot redact a source an admin wrote: say so, once.
                    let actions = ActionResults {
                        last_error: Some("not_redactable".to_owned()),
                        ..ActionResults::default()
                    };
                    self.vault
                        .update_status(&h.entry.id, EntryStatus::RedactionFailed, &actions)
                        .await?;
                    h.entry.status = EntryStatus::RedactionFailed;
                    self.audit_part(
                        job,
                        &h.entry,
                        Action::PartRedactionFailed,
                        Outcome::Failure,
                        Some("not_redactable"),
                    )
                    .await?;
                }
            }
        }
        self.tag(job, handled, report).await?;
        self.notify(job, handled, report).await?;
        Ok(())
    }

    /// The conversation's parts to scan, read from Intercom, with the counts of our own notes
    /// and redacted parts left out.
    async fn fetch_parts(
        &self,
        job: &ScanJob,
        report: &mut ScanReport,
    ) -> Result<(Vec<JobPart>, u32, u32), ScanError> {
        report.fetched = true;
        let plaintext = matches!(self.config.body_format, BodyFormat::Plain);
        let conv = self
            .intercom
            .get_conversation(&job.conversation_id, plaintext)
            .await?;
        let opts = ExtractOptions {
            own_admin_id: Some(self.config.admin_id.clone()).filter(|s| !s.is_empty()),
            body_format: self.config.body_format,
        };
        let ex = extract_parts(&conv, &opts);
        let parts = ex.parts.iter().map(JobPart::from_extracted).collect();
        Ok((
            parts,
            ex.skipped_own_notes as u32,
            ex.skipped_redacted as u32,
        ))
    }

    /// The text of the message `parts[k]` replies to ([`Scanner::turn_before`]). When the job's parts begin after the
    /// conversation does (a webhook delivery holds the new part only), the conversation is
    /// fetched once per run to find it — only for a part whose start holds a value its
    /// question could make reportable, so most deliveries cost no extra call. A dry run makes
    /// no call and scans the part alone.
    async fn before(
        &self,
        job: &ScanJob,
        parts: &[JobPart],
        k: usize,
        conversation: &mut Option<Vec<JobPart>>,
        report: &mut ScanReport,
    ) -> Result<Option<String>, ScanError> {
        let part = &parts[k];
        if part.is_source {
            return Ok(None);
        }
        if let Some(t) = self.turn_before(part, &parts[..k]) {
            return Ok(Some(t));
        }
        if job.parts.is_none() {
            // The parts are the fetched conversation: nothing stands before this one.
            return Ok(None);
        }
        if self.config.dry_run {
            tracing::info!(dry_run = true, part = %part.id, "would fetch the conversation for a reply's context");
            return Ok(None);
        }
        if conversation.is_none() {
            *conversation = Some(self.fetch_parts(job, report).await?.0);
            tracing::info!(part = %part.id, "fetched the conversation for a reply's context");
        }
        let all = conversation.as_deref().unwrap_or_default();
        let Some(at) = all
            .iter()
            .position(|p| p.id == part.id && p.is_source == part.is_source)
        else {
            return Ok(None);
        };
        Ok(self.turn_before(part, &all[..at]))
    }

    /// What `part` replies to, from the parts before it (`earlier`): the nearest part that is
    /// not our note, not redacted and not blank, and, when the part's author wrote it too
    /// ("What is your SSN?" — "one sec" — "078051120"), those before it back to one by
    /// someone else, at most [`TURN_PARTS`] parts, joined by line breaks in order.
    fn turn_before(&self, part: &JobPart, earlier: &[JobPart]) -> Option<String> {
        let admin = &self.config.admin_id;
        let same_author =
            |p: &JobPart| p.author_type == part.author_type && p.author_id == part.author_id;
        let mut turn: Vec<&str> = Vec::new();
        for p in earlier.iter().rev() {
            if p.is_own_note(admin) || p.redacted || p.text.trim().is_empty() {
                continue;
            }
            turn.push(&p.text);
            if !same_author(p) || turn.len() == TURN_PARTS {
                break;
            }
        }
        if turn.is_empty() {
            return None;
        }
        turn.reverse();
        Some(turn.join("\n"))
    }

    /// The part's vault entry: the existing one (a retry, a duplicate delivery), or a new one
    /// sealed now — one data key for it, one write.
    async fn vault_entry(
        &self,
        job: &ScanJob,
        part: &JobPart,
        analysis: &Analysis,
        report: &mut ScanReport,
    ) -> Result<VaultEntry, ScanError> {
        let part_ref = PartRef {
            workspace_id: job.workspace_id.clone(),
            conversation_id: job.conversation_id.clone(),
            part_id: part.id.clone(),
        };
        if let Some(existing) = self.vault.get_by_part(&part_ref).await? {
            return Ok(existing);
        }
        let now = self.clock.now_ms();
        let id = new_entry_id(now);
        let mut entities: BTreeMap<String, u32> = BTreeMap::new();
        for f in &analysis.findings {
            *entities.entry(f.entity.clone()).or_default() += 1;
        }
        let kinds: Vec<&str> = entities.keys().map(String::as_str).collect();
        let retention = i64::from(self.engine.retention_days(&kinds).max(1));
        let content = SealedContent {
            findings: analysis
                .findings
                .iter()
                .map(|f| SealedFinding {
                    entity: f.entity.clone(),
                    rule_id: f.rule_id.clone(),
                    start: f.start,
                    end: f.end,
                    score: f.score,
                    masked: f.masked.clone(),
                    from_message_before: f.from_message_before,
                })
                .collect(),
            original_text: part.text.clone(),
        };
        let ctx = EncryptionContext::new(&part_ref, &id);
        let sealed = seal(self.keys.as_ref(), &ctx, &content).await?;
        drop(content);
        let entry = VaultEntry {
            id,
            part: part_ref,
            created_at: now,
            expires_at: now.saturating_add(retention.saturating_mul(DAY_MS)),
            status: EntryStatus::Detected,
            entities,
            masked_text: analysis.masked_text.clone(),
            actions: ActionResults::default(),
            sealed,
        };
        match self.vault.put_if_absent(&entry).await? {
            PutOutcome::Existing(existing) => Ok(*existing),
            PutOutcome::Inserted => {
                report.entries_created += 1;
                let reason = if self.config.dry_run {
                    Some(format!("dry_run:{}", analysis.mode().as_str()))
                } else {
                    Some(format!("mode:{}", analysis.mode().as_str()))
                };
                let mut ev =
                    crate::audit_event(ACTOR, Action::FindingDetected, Outcome::Success, now);
                fill_part(&mut ev, &entry);
                ev.reason = reason;
                for (k, n) in &entry.entities {
                    ev.counts.insert(k.clone(), u64::from(*n));
                }
                self.audit.append(ev).await?;
                Ok(entry)
            }
        }
    }

    async fn redact(
        &self,
        job: &ScanJob,
        h: &mut Handled,
        report: &mut ScanReport,
    ) -> Result<(), ScanError> {
        if h.entry.actions.redacted_at.is_some() {
            return Ok(());
        }
        let sent = self.clock.now_ms();
        report.first_redaction_at.get_or_insert(sent);
        let outcome = if h.is_source {
            self.intercom
                .redact_source(&job.conversation_id, &h.entry.part.part_id)
                .await
        } else {
            self.intercom
                .redact_part(&job.conversation_id, &h.entry.part.part_id)
                .await
        }?;
        let now = self.clock.now_ms();
        let actions = ActionResults {
            redacted_at: Some(now),
            ..ActionResults::default()
        };
        self.vault
            .update_status(&h.entry.id, EntryStatus::Redacted, &actions)
            .await?;
        h.entry.status = EntryStatus::Redacted;
        h.entry.actions.redacted_at = Some(now);
        report.redactions += 1;
        let reason = match outcome {
            dlp_intercom::RedactOutcome::Redacted => None,
            dlp_intercom::RedactOutcome::AlreadyRedacted => Some("already_redacted"),
        };
        self.audit_part(
            job,
            &h.entry,
            Action::PartRedacted,
            Outcome::Success,
            reason,
        )
        .await
    }

    async fn post_note(
        &self,
        job: &ScanJob,
        h: &mut Handled,
        report: &mut ScanReport,
    ) -> Result<(), ScanError> {
        if h.entry.actions.note_id.is_some() {
            return Ok(());
        }
        let body = note_body(&h.entry);
        let note_id = self
            .intercom
            .add_admin_note(&job.conversation_id, &self.config.admin_id, &body)
            .await?;
        let actions = ActionResults {
            note_id: Some(note_id.clone()),
            ..ActionResults::default()
        };
        // Recorded at once: a retry finds it and never posts a second note.
        self.vault
            .update_status(&h.entry.id, h.entry.status, &actions)
            .await?;
        h.entry.actions.note_id = Some(note_id);
        report.notes += 1;
        self.audit_part(job, &h.entry, Action::NotePosted, Outcome::Success, None)
            .await
    }

    async fn tag(
        &self,
        job: &ScanJob,
        handled: &mut [Handled],
        report: &mut ScanReport,
    ) -> Result<(), ScanError> {
        if handled.iter().all(|h| h.entry.actions.tagged_at.is_some()) {
            return Ok(());
        }
        let name = self
            .engine
            .tag_name()
            .unwrap_or_else(|| self.config.default_tag.clone());
        let tag_id = self.intercom.find_or_create_tag(&name).await?;
        self.intercom
            .tag_conversation(&job.conversation_id, &tag_id, &self.config.admin_id)
            .await?;
        let now = self.clock.now_ms();
        let actions = ActionResults {
            tagged_at: Some(now),
            ..ActionResults::default()
        };
        for h in handled
            .iter_mut()
            .filter(|h| h.entry.actions.tagged_at.is_none())
        {
            self.vault
                .update_status(&h.entry.id, h.entry.status, &actions)
                .await?;
            h.entry.actions.tagged_at = Some(now);
        }
        report.tags += 1;
        let mut ev = crate::audit_event(ACTOR, Action::ConversationTagged, Outcome::Success, now);
        ev.workspace_id = Some(job.workspace_id.clone());
        ev.conversation_id = Some(job.conversation_id.clone());
        ev.entry_ids = handled.iter().map(|h| h.entry.id.0.clone()).collect();
        ev.reason = Some(format!("tag:{name}"));
        self.audit.append(ev).await?;
        Ok(())
    }

    async fn notify(
        &self,
        job: &ScanJob,
        handled: &mut [Handled],
        report: &mut ScanReport,
    ) -> Result<(), ScanError> {
        let Some(notifier) = &self.notifier else {
            return Ok(());
        };
        for h in handled
            .iter_mut()
            .filter(|h| h.mode == Mode::Detect && h.entry.actions.notified_at.is_none())
        {
            let alert = Alert {
                workspace_id: job.workspace_id.clone(),
                conversation_id: job.conversation_id.clone(),
                part_id: h.entry.part.part_id.clone(),
                entry_id: h.entry.id.0.clone(),
                entity_kinds: h.entry.entities.keys().cloned().collect(),
                masked_preview: preview(&h.entry.masked_text),
                conversation_url: conversation_url(
                    &self.config.app_url,
                    &job.workspace_id,
                    &job.conversation_id,
                ),
            };
            notifier.notify(&alert).await?;
            let now = self.clock.now_ms();
            let actions = ActionResults {
                notified_at: Some(now),
                ..ActionResults::default()
            };
            self.vault
                .update_status(&h.entry.id, h.entry.status, &actions)
                .await?;
            h.entry.actions.notified_at = Some(now);
            report.notifications += 1;
            self.audit_part(
                job,
                &h.entry,
                Action::NotificationSent,
                Outcome::Success,
                None,
            )
            .await?;
        }
        Ok(())
    }

    /// The job will not be retried: every entry of this run (or, when the run failed before
    /// reaching them, every entry of the job's parts in the vault) still awaiting a redaction
    /// becomes `redaction_failed`, with an audit event. Best effort: errors here are logged,
    /// the original error is what the caller sees.
    async fn record_failure(&self, job: &ScanJob, handled: &[Handled], err: &ScanError) {
        let mut entries: Vec<VaultEntry> = handled
            .iter()
            .filter(|h| h.mode == Mode::Redact)
            .map(|h| h.entry.clone())
            .collect();
        if entries.is_empty() {
            // The failure came before the entries were loaded (e.g. the fetch failed): look
            // them up by the job's parts so nothing is left looking merely `detected`.
            for part in job.parts.iter().flatten() {
                let part_ref = PartRef {
                    workspace_id: job.workspace_id.clone(),
                    conversation_id: job.conversation_id.clone(),
                    part_id: part.id.clone(),
                };
                if let Ok(Some(e)) = self.vault.get_by_part(&part_ref).await {
                    entries.push(e);
                }
            }
        }
        let code = err.code();
        for entry in entries
            .iter()
            .filter(|e| e.actions.redacted_at.is_none() && e.status != EntryStatus::RedactionFailed)
        {
            let actions = ActionResults {
                last_error: Some(code.clone()),
                ..ActionResults::default()
            };
            if let Err(e) = self
                .vault
                .update_status(&entry.id, EntryStatus::RedactionFailed, &actions)
                .await
            {
                tracing::error!(entry = %entry.id, error = %e, "could not record redaction_failed");
            }
            if let Err(e) = self
                .audit_part(
                    job,
                    entry,
                    Action::PartRedactionFailed,
                    Outcome::Failure,
                    Some(&code),
                )
                .await
            {
                tracing::error!(entry = %entry.id, error = %e, "could not audit redaction failure");
            }
        }
    }

    async fn audit_part(
        &self,
        _job: &ScanJob,
        entry: &VaultEntry,
        action: Action,
        outcome: Outcome,
        reason: Option<&str>,
    ) -> Result<(), ScanError> {
        let mut ev = crate::audit_event(ACTOR, action, outcome, self.clock.now_ms());
        fill_part(&mut ev, entry);
        ev.reason = reason.map(str::to_owned);
        self.audit.append(ev).await?;
        Ok(())
    }
}

fn fill_part(ev: &mut dlp_audit::AuditEvent, entry: &VaultEntry) {
    ev.workspace_id = Some(entry.part.workspace_id.clone());
    ev.conversation_id = Some(entry.part.conversation_id.clone());
    ev.part_id = Some(entry.part.part_id.clone());
    ev.entry_ids = vec![entry.id.0.clone()];
    ev.entity_kinds = entry.entities.keys().cloned().collect();
}

/// Link to a conversation in Intercom's inbox.
pub fn conversation_url(app_url: &str, workspace_id: &str, conversation_id: &str) -> String {
    format!(
        "{}/a/apps/{workspace_id}/inbox/inbox/conversation/{conversation_id}",
        app_url.trim_end_matches('/')
    )
}

fn preview(masked: &str) -> String {
    let mut s: String = masked.chars().take(PREVIEW_CHARS).collect();
    if s.len() < masked.len() {
        s.push('…');
    }
    s
}

/// The internal note left in place of a redacted part: masked text and the vault reference,
/// so the agent keeps the context. HTML-escaped (Intercom note bodies accept HTML).
pub fn note_body(entry: &VaultEntry) -> String {
    let kinds: Vec<&str> = entry.entities.keys().map(String::as_str).collect();
    let masked = html_escape(&entry.masked_text).replace('\n', "<br>");
    format!(
        "<p><b>DLP</b>: a message was redacted because it contained {}.</p><p>{masked}</p><p>Vault entry: {}</p>",
        html_escape(&kinds.join(", ")),
        html_escape(entry.id.as_str())
    )
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::job::ItemKind;
    use crate::ports::PolicyFinding;
    use async_trait::async_trait;
    use dlp_audit::{AuditQuery, PageRequest as AuditPage};
    use dlp_embedded::{MemoryAuditLog, MemoryKeyProvider, MemoryVaultStore};
    use dlp_intercom::fake::{Failure, FakeIntercom};
    use dlp_intercom::{ClientConfig, HttpIntercomClient, RetryPolicy};
    use secrecy::SecretString;
    use serde_json::json;
    use std::sync::Mutex;
    use std::time::Duration;

    const TOKEN: &str = "test-token";
    const ADMIN: &str = "991";
    const SSN: &str = "536-22-1120";
    const CARD: &str = "4111 1111 1111 1111";

    #[derive(Default)]
    struct RecordingNotifier(Mutex<Vec<Alert>>);

    #[async_trait]
    impl Notifier for RecordingNotifier {
        async fn notify(&self, alert: &Alert) -> Result<(), NotifyError> {
            self.0.lock().unwrap().push(alert.clone());
            Ok(())
        }
    }

    /// A deterministic engine for these tests: finds the two planted values (the real
    /// detector is tested in its crate, with the policy in `engine.rs`, and end to end).
    struct PlantedEngine(bool);

    impl ScanEngine for PlantedEngine {
        fn analyze(&self, text: &str) -> Analysis {
            let mode = if self.0 { Mode::Redact } else { Mode::Detect };
            let mut findings = Vec::new();
            for (value, entity, masked) in [
                (SSN, "US_SSN", "[US_SSN]"),
                (CARD, "CREDIT_CARD", "card •••• 1111"),
            ] {
                if let Some(start) = text.find(value) {
                    findings.push(PolicyFinding {
                        entity: entity.into(),
                        rule_id: entity.to_ascii_lowercase(),
                        start,
                        end: start + value.len(),
                        score: 0.9,
                        mode,
                        masked: masked.into(),
                        from_message_before: false,
                    });
                }
            }
            findings.sort_by_key(|f| f.start);
            let mut masked_text = text.to_owned();
            for f in findings.iter().rev() {
                masked_text.replace_range(f.start..f.end, &f.masked);
            }
            Analysis {
                findings,
                masked_text,
                wants_context: false,
            }
        }
        fn retention_days(&self, _entities: &[&str]) -> u32 {
            30
        }
    }

    struct Rig {
        fake: FakeIntercom,
        scanner: Scanner,
        vault: Arc<MemoryVaultStore>,
        keys: Arc<MemoryKeyProvider>,
        audit: Arc<MemoryAuditLog>,
        notifier: Arc<RecordingNotifier>,
    }

    async fn rig(policy: &str) -> Rig {
        rig_with(Arc::new(PlantedEngine(policy == REDACT)), false).await
    }

    async fn rig_with(engine: Arc<dyn ScanEngine>, dry_run: bool) -> Rig {
        let fake = FakeIntercom::start(TOKEN).await;
        let mut cfg = ClientConfig::with_base_url(fake.base_url());
        cfg.retry = RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            max_elapsed: Duration::from_secs(5),
        };
        cfg.rate_limit = None;
        let client = HttpIntercomClient::new(cfg, SecretString::from(TOKEN)).unwrap();
        let vault = Arc::new(MemoryVaultStore::new());
        let keys = Arc::new(MemoryKeyProvider::new());
        let audit = Arc::new(MemoryAuditLog::new(8));
        let notifier = Arc::new(RecordingNotifier::default());
        let scanner = Scanner::new(
            engine,
            Arc::new(client),
            vault.clone(),
            keys.clone(),
            audit.clone(),
            Some(notifier.clone()),
            Arc::new(SystemClock),
            ScanConfig {
                admin_id: ADMIN.into(),
                dry_run,
                ..ScanConfig::default()
            },
        );
        Rig {
            fake,
            scanner,
            vault,
            keys,
            audit,
            notifier,
        }
    }

    const REDACT: &str = "redact";
    const DETECT: &str = "detect";

    fn seed(r: &Rig) {
        r.fake.seed_conversation(json!({
            "type": "conversation", "id": "123",
            "source": {"type": "conversation", "id": "s1", "body": "<p>Hello there</p>",
                       "author": {"type": "user", "id": "u1"}},
            "conversation_parts": {"type": "conversation_part.list", "total_count": 2,
                "conversation_parts": [
                    {"type": "conversation_part", "id": "p1", "part_type": "comment",
                     "body": format!("<p>My SSN is {SSN} and my card is {CARD}</p>"),
                     "author": {"type": "user", "id": "u1"}},
                    {"type": "conversation_part", "id": "p2", "part_type": "comment",
                     "body": "<p>thanks</p>", "author": {"type": "admin", "id": "5"}}]}
        }));
    }

    fn job(parts: Option<Vec<JobPart>>) -> ScanJob {
        let mut j = ScanJob::fetch("ws1", "123", ItemKind::Conversation, 0);
        j.parts = parts;
        j
    }

    fn inline_parts() -> Vec<JobPart> {
        let p = |id: &str, author: &str, kind: &str, text: String| JobPart {
            id: id.into(),
            is_source: false,
            part_type: Some(kind.into()),
            author_type: Some(author.into()),
            author_id: Some(if author == "admin" {
                ADMIN.into()
            } else {
                "u1".into()
            }),
            redactable: true,
            redacted: false,
            text,
        };
        vec![
            p(
                "p1",
                "user",
                "comment",
                format!("My SSN is {SSN}\nand my card is {CARD}"),
            ),
            p("p2", "user", "comment", "thanks, bye".into()),
            p("n1", "admin", "note", format!("own note quoting {SSN}")),
        ]
    }

    async fn actions(r: &Rig) -> Vec<String> {
        let page = r
            .audit
            .query(
                &AuditQuery::default(),
                &AuditPage {
                    cursor: None,
                    limit: 1000,
                },
            )
            .await
            .unwrap();
        page.items
            .iter()
            .map(|s| s.event.action.as_str().to_owned())
            .collect()
    }

    const FIRST: Attempt = Attempt { number: 1, max: 5 };

    #[tokio::test]
    async fn redact_mode_redacts_once_notes_once_and_tags() {
        let r = rig(REDACT).await;
        seed(&r);
        let report = r
            .scanner
            .run(&job(Some(inline_parts())), FIRST)
            .await
            .unwrap();
        assert_eq!(report.parts_scanned, 2);
        assert_eq!(report.skipped_own_notes, 1);
        assert_eq!(
            (
                report.entries_created,
                report.redactions,
                report.notes,
                report.tags
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(
            r.keys.generated(),
            1,
            "one data key, for the one part with findings"
        );
        let redacts = r.fake.requests_matching("POST /conversations/redact");
        assert_eq!(redacts.len(), 1);
        assert_eq!(
            redacts[0].body.as_ref().unwrap()["conversation_part_id"],
            "p1"
        );
        let notes = r.fake.requests_matching("POST /conversations/123/reply");
        assert_eq!(notes.len(), 1);
        let note = notes[0].body.as_ref().unwrap()["body"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            !note.contains(SSN) && !note.contains(CARD) && !note.contains("4111111111111111"),
            "{note}"
        );
        assert!(
            note.contains("US_SSN") && note.contains("CREDIT_CARD"),
            "{note}"
        );
        assert_eq!(
            r.fake.conversation_tags("123"),
            vec!["dlp:sensitive".to_owned()]
        );
        assert_eq!(r.vault.len(), 1);
        let entry = r
            .vault
            .get_by_part(&PartRef {
                workspace_id: "ws1".into(),
                conversation_id: "123".into(),
                part_id: "p1".into(),
            })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(entry.status, EntryStatus::Redacted);
        assert!(entry.actions.note_id.is_some() && entry.actions.tagged_at.is_some());
        assert!(note.contains(entry.id.as_str()));
        let acts = actions(&r).await;
        for a in [
            "finding.detected",
            "part.redacted",
            "note.posted",
            "conversation.tagged",
        ] {
            assert_eq!(
                acts.iter().filter(|x| *x == a).count(),
                1,
                "{a} in {acts:?}"
            );
        }

        // At-least-once: the same job again does nothing new.
        r.fake.clear_requests();
        let again = r
            .scanner
            .run(&job(Some(inline_parts())), FIRST)
            .await
            .unwrap();
        assert_eq!(
            (
                again.entries_created,
                again.redactions,
                again.notes,
                again.tags
            ),
            (0, 0, 0, 0)
        );
        assert!(r.fake.requests().is_empty(), "{:?}", r.fake.requests());
        assert_eq!(r.keys.generated(), 1);
        assert_eq!(actions(&r).await.len(), acts.len());
    }

    #[tokio::test]
    async fn parts_without_findings_cost_nothing() {
        let r = rig(REDACT).await;
        let parts = vec![inline_parts().remove(1)];
        let report = r.scanner.run(&job(Some(parts)), FIRST).await.unwrap();
        assert_eq!((report.parts_scanned, report.parts_with_findings), (1, 0));
        assert_eq!(r.keys.generated(), 0);
        assert!(r.vault.is_empty());
        assert!(actions(&r).await.is_empty());
        assert!(r.fake.requests().is_empty());
    }

    #[tokio::test]
    async fn detect_mode_tags_and_notifies_without_redacting() {
        let r = rig(DETECT).await;
        seed(&r);
        r.scanner
            .run(&job(Some(inline_parts())), FIRST)
            .await
            .unwrap();
        assert!(
            r.fake
                .requests_matching("POST /conversations/redact")
                .is_empty()
        );
        assert!(
            r.fake
                .requests_matching("POST /conversations/*/reply")
                .is_empty()
        );
        assert_eq!(r.fake.conversation_tags("123").len(), 1);
        let alerts = r.notifier.0.lock().unwrap().clone();
        assert_eq!(alerts.len(), 1);
        assert!(!alerts[0].masked_preview.contains(SSN));
        assert!(
            alerts[0]
                .conversation_url
                .ends_with("/a/apps/ws1/inbox/inbox/conversation/123")
        );
        assert_eq!(
            alerts[0].entity_kinds,
            vec!["CREDIT_CARD".to_owned(), "US_SSN".to_owned()]
        );
        r.scanner
            .run(&job(Some(inline_parts())), FIRST)
            .await
            .unwrap();
        assert_eq!(
            r.notifier.0.lock().unwrap().len(),
            1,
            "notified once per entry"
        );
    }

    #[tokio::test]
    async fn fetches_the_conversation_when_the_job_has_ids_only() {
        let r = rig(REDACT).await;
        seed(&r);
        let report = r.scanner.run(&job(None), FIRST).await.unwrap();
        assert!(report.fetched);
        assert_eq!(report.redactions, 1);
        assert_eq!(r.fake.requests_matching("GET /conversations/123").len(), 1);
    }

    /// The real detector in redact mode.
    fn detector_engine() -> Arc<dyn ScanEngine> {
        let policy = dlp_detector::Policy::from_toml_str("mode = \"redact\"\n").unwrap();
        Arc::new(crate::engine::DetectorEngine::new(policy).unwrap())
    }

    /// A conversation where an agent asks for a value and the customer answers with it bare;
    /// the delivery holds the answer only (`p2`), as a `conversation.user.replied` does.
    fn seed_question(r: &Rig, question: &str) {
        r.fake.seed_conversation(json!({
            "type": "conversation", "id": "123",
            "source": {"type": "conversation", "id": "s1", "body": "<p>I need help with my account</p>",
                       "author": {"type": "user", "id": "u1"}},
            "conversation_parts": {"type": "conversation_part.list", "total_count": 3,
                "conversation_parts": [
                    {"type": "conversation_part", "id": "p1", "part_type": "comment",
                     "body": format!("<p>{question}</p>"), "author": {"type": "admin", "id": "5"}},
                    {"type": "conversation_part", "id": "n1", "part_type": "note",
                     "body": "<p>DLP note: no SSN, name or date of birth here</p>",
                     "author": {"type": "admin", "id": ADMIN}},
                    {"type": "conversation_part", "id": "p2", "part_type": "comment",
                     "body": "<p>078051120</p>", "author": {"type": "user", "id": "u1"}}]}
        }));
    }

    /// The vault entry of `p2`, with its part.
    async fn entry_of_p2(r: &Rig) -> (PartRef, VaultEntry) {
        let part = PartRef {
            workspace_id: "ws1".into(),
            conversation_id: "123".into(),
            part_id: "p2".into(),
        };
        let entry = r.vault.get_by_part(&part).await.unwrap().unwrap();
        (part, entry)
    }

    async fn entities_of_p2(r: &Rig) -> Vec<String> {
        entry_of_p2(r).await.1.entities.keys().cloned().collect()
    }

    /// The entity and `from_message_before` of each finding sealed for `p2`.
    async fn sealed_p2(r: &Rig) -> Vec<(String, bool)> {
        let (part, entry) = entry_of_p2(r).await;
        let ctx = EncryptionContext::new(&part, &entry.id);
        let content = dlp_vault::crypto::open(r.keys.as_ref(), &ctx, &entry.sealed)
            .await
            .unwrap();
        content
            .findings
            .iter()
            .map(|f| (f.entity.clone(), f.from_message_before))
            .collect()
    }

    fn answer(text: &str) -> Vec<JobPart> {
        vec![JobPart {
            id: "p2".into(),
            is_source: false,
            part_type: Some("comment".into()),
            author_type: Some("user".into()),
            author_id: Some("u1".into()),
            redactable: true,
            redacted: false,
            text: text.into(),
        }]
    }

    /// The real detector, the conversation holding `question`, and a delivery of `reply`
    /// scanned.
    async fn answered(question: &str, reply: &str) -> (Rig, Result<ScanReport, ScanError>) {
        let r = rig_with(detector_engine(), false).await;
        seed_question(&r, question);
        let report = r.scanner.run(&job(Some(answer(reply))), FIRST).await;
        (r, report)
    }

    #[tokio::test]
    async fn a_bare_answer_is_read_with_the_question_before_it() {
        let (r, report) = answered("Thanks! To verify you, what is your SSN?", "078051120").await;
        let report = report.unwrap();
        // One fetch for the question (our own note between them is not it), then the answer
        // is an SSN: sealed, redacted, noted.
        assert!(report.fetched);
        assert_eq!(r.fake.requests_matching("GET /conversations/123").len(), 1);
        assert_eq!(report.parts_with_context, 1);
        assert_eq!(report.parts_with_findings, 1);
        assert_eq!(report.redactions, 1);
        assert_eq!(r.vault.len(), 1);
        assert_eq!(entities_of_p2(&r).await, ["US_SSN"]);
        // The sealed finding says it took the question: a reviewer who opens the entry sees
        // why a bare number was taken for an SSN.
        assert_eq!(sealed_p2(&r).await, [("US_SSN".to_owned(), true)]);

        // The same answer after a question that is no context for it: nothing, and the
        // fetched question leaves no trace but the fetch.
        let (r, report) = answered("Is there anything else I can help with?", "078051120").await;
        let report = report.unwrap();
        assert_eq!(report.parts_with_context, 1);
        assert_eq!(report.parts_with_findings, 0);
        assert!(r.vault.is_empty());
        assert!(r.fake.requests_matching("PUT ").is_empty());
    }

    #[tokio::test]
    async fn the_question_is_read_through_the_repliers_own_parts_after_it() {
        // "What is your SSN?" — "one sec, finding it" — "078051120": the question is two
        // parts back; the customer's own part between is read with it.
        let r = rig_with(detector_engine(), false).await;
        r.fake.seed_conversation(json!({
            "type": "conversation", "id": "123",
            "source": {"type": "conversation", "id": "s1", "body": "<p>help with my account</p>",
                       "author": {"type": "user", "id": "u1"}},
            "conversation_parts": {"type": "conversation_part.list", "total_count": 3,
                "conversation_parts": [
                    {"type": "conversation_part", "id": "p1", "part_type": "comment",
                     "body": "<p>What is your SSN?</p>", "author": {"type": "admin", "id": "5"}},
                    {"type": "conversation_part", "id": "p1b", "part_type": "comment",
                     "body": "<p>one sec, finding it</p>", "author": {"type": "user", "id": "u1"}},
                    {"type": "conversation_part", "id": "p2", "part_type": "comment",
                     "body": "<p>078051120</p>", "author": {"type": "user", "id": "u1"}}]}
        }));
        let report = r
            .scanner
            .run(&job(Some(answer("078051120"))), FIRST)
            .await
            .unwrap();
        assert_eq!(report.parts_with_context, 1);
        assert_eq!(entities_of_p2(&r).await, ["US_SSN"]);

        // Three parts of the customer's own after the question: it is too far back.
        let parts: Vec<JobPart> = [
            "What is your SSN?",
            "one sec",
            "hang on",
            "still looking",
            "078051120",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut p = answer(t).remove(0);
            p.id = format!("q{i}");
            if i == 0 {
                p.author_type = Some("admin".into());
                p.author_id = Some("5".into());
            }
            p
        })
        .collect();
        let r = rig_with(detector_engine(), false).await;
        let report = r
            .scanner
            .run(&job(Some(parts.clone())), FIRST)
            .await
            .unwrap();
        assert_eq!(report.parts_with_context, 1);
        assert_eq!(report.parts_with_findings, 0);
        // Two: it is read.
        let mut near = parts;
        near.remove(1);
        let body = |p: &JobPart| {
            json!({"type": "conversation_part", "id": p.id, "part_type": "comment",
                   "body": format!("<p>{}</p>", p.text),
                   "author": {"type": p.author_type, "id": p.author_id}})
        };
        r.fake.seed_conversation(json!({
            "type": "conversation", "id": "123",
            "source": {"type": "conversation", "id": "s1", "body": "<p>hi</p>",
                       "author": {"type": "user", "id": "u1"}},
            "conversation_parts": {"type": "conversation_part.list", "total_count": 4,
                "conversation_parts": near.iter().map(body).collect::<Vec<_>>()}
        }));
        let report = r.scanner.run(&job(Some(near)), FIRST).await.unwrap();
        assert_eq!(report.parts_with_findings, 1);
    }

    #[tokio::test]
    async fn a_name_given_in_reply_to_the_name_question_is_found() {
        let (r, report) = answered(
            "Happy to help. May I have your full name?",
            "sure, jane doe",
        )
        .await;
        let report = report.unwrap();
        assert_eq!(report.parts_with_context, 1);
        assert_eq!(entities_of_p2(&r).await, ["PERSON"]);
    }

    #[tokio::test]
    async fn parts_that_need_no_context_cost_no_fetch() {
        // A value its own words report, and text with no value: no call before acting.
        let (r, report) = answered("What is your SSN?", "my ssn is 078-05-1120").await;
        let report = report.unwrap();
        assert!(!report.fetched);
        assert_eq!(report.parts_with_context, 0);
        assert_eq!(report.parts_with_findings, 1);
        assert!(r.fake.requests_matching("GET ").is_empty());
        // The reply's own finding is not marked as the question's.
        assert_eq!(sealed_p2(&r).await, [("US_SSN".to_owned(), false)]);
        let report = r
            .scanner
            .run(&job(Some(answer("thanks, that is all"))), FIRST)
            .await
            .unwrap();
        assert!(!report.fetched);
        assert!(r.fake.requests_matching("GET ").is_empty());
    }

    #[tokio::test]
    async fn the_part_before_in_the_delivery_or_the_fetch_is_the_context() {
        // A fetched conversation (ids-only job) holds the question: no second call.
        let r = rig_with(detector_engine(), false).await;
        seed_question(&r, "What is your SSN?");
        let report = r.scanner.run(&job(None), FIRST).await.unwrap();
        assert_eq!(r.fake.requests_matching("GET /conversations/123").len(), 1);
        assert_eq!(report.parts_with_context, 1);
        assert_eq!(report.parts_with_findings, 1);

        // A delivery that holds the question before the answer: no call to read it.
        let r = rig_with(detector_engine(), false).await;
        seed_question(&r, "What is your SSN?");
        let mut parts = answer("078051120");
        let mut q = parts[0].clone();
        q.id = "p1".into();
        q.author_type = Some("admin".into());
        q.author_id = Some("5".into());
        q.redactable = false;
        q.text = "What is your SSN?".into();
        parts.insert(0, q);
        let report = r.scanner.run(&job(Some(parts)), FIRST).await.unwrap();
        assert!(!report.fetched);
        assert_eq!(report.parts_with_context, 1);
        assert_eq!(report.parts_with_findings, 1);
        assert!(r.fake.requests_matching("GET ").is_empty());
    }

    #[tokio::test]
    async fn a_dry_run_makes_no_fetch_for_context_and_a_failed_fetch_is_retried() {
        let r = rig_with(detector_engine(), true).await;
        seed_question(&r, "What is your SSN?");
        let report = r
            .scanner
            .run(&job(Some(answer("078051120"))), FIRST)
            .await
            .unwrap();
        assert!(!report.fetched);
        assert!(r.fake.requests().is_empty());

        // Intercom failing the fetch: the job fails retryably (the queue delivers it again,
        // then to the dead-letter queue); nothing is written for the part meanwhile.
        let r = rig_with(detector_engine(), false).await;
        seed_question(&r, "What is your SSN?");
        r.fake
            .fail_always("GET /conversations/123", Failure::ServerError);
        let err = r
            .scanner
            .run(&job(Some(answer("078051120"))), FIRST)
            .await
            .unwrap_err();
        assert!(err.is_retryable(), "{err}");
        assert!(r.vault.is_empty());
        r.fake.clear_failures();
        let report = r
            .scanner
            .run(&job(Some(answer("078051120"))), FIRST)
            .await
            .unwrap();
        assert_eq!(report.parts_with_findings, 1);
    }

    #[tokio::test]
    async fn rate_limit_then_success_completes() {
        let r = rig(REDACT).await;
        seed(&r);
        r.fake.fail_next(
            "POST /conversations/redact",
            Failure::RateLimited {
                retry_after: Some(Duration::from_secs(1)),
                reset_after: Some(Duration::from_secs(1)),
            },
            1,
        );
        let report = r
            .scanner
            .run(&job(Some(inline_parts())), FIRST)
            .await
            .unwrap();
        assert_eq!(report.redactions, 1);
    }

    #[tokio::test]
    async fn server_errors_retry_then_record_redaction_failed_on_last_attempt() {
        let r = rig(REDACT).await;
        seed(&r);
        r.fake
            .fail_always("POST /conversations/redact", Failure::ServerError);
        let err = r
            .scanner
            .run(&job(Some(inline_parts())), FIRST)
            .await
            .unwrap_err();
        assert!(err.is_retryable());
        let part = PartRef {
            workspace_id: "ws1".into(),
            conversation_id: "123".into(),
            part_id: "p1".into(),
        };
        assert_eq!(
            r.vault.get_by_part(&part).await.unwrap().unwrap().status,
            EntryStatus::Detected
        );
        let last = Attempt { number: 5, max: 5 };
        let err = r
            .scanner
            .run(&job(Some(inline_parts())), last)
            .await
            .unwrap_err();
        assert!(!err.to_string().contains(SSN));
        let entry = r.vault.get_by_part(&part).await.unwrap().unwrap();
        assert_eq!(entry.status, EntryStatus::RedactionFailed);
        assert_eq!(
            entry.actions.last_error.as_deref(),
            Some("intercom:server_error")
        );
        let acts = actions(&r).await;
        assert_eq!(
            acts.iter()
                .filter(|a| *a == "part.redaction_failed")
                .count(),
            1,
            "{acts:?}"
        );
        assert_eq!(
            r.vault.len(),
            1,
            "nothing lost: the original stays sealed in the vault"
        );

        // Intercom recovers; a redriven job completes the redaction.
        r.fake.clear_failures();
        let report = r
            .scanner
            .run(&job(Some(inline_parts())), FIRST)
            .await
            .unwrap();
        assert_eq!(report.redactions, 1);
        assert_eq!(
            r.vault.get_by_part(&part).await.unwrap().unwrap().status,
            EntryStatus::Redacted
        );
    }

    #[tokio::test]
    async fn dry_run_records_but_makes_no_intercom_call() {
        let mut r = rig(REDACT).await;
        r.scanner.config.dry_run = true;
        seed(&r);
        let report = r
            .scanner
            .run(&job(Some(inline_parts())), FIRST)
            .await
            .unwrap();
        assert_eq!(
            (report.entries_created, report.redactions, report.notes),
            (1, 0, 0)
        );
        let fetch = r.scanner.run(&job(None), FIRST).await.unwrap();
        assert!(!fetch.fetched);
        assert!(r.fake.requests().is_empty(), "{:?}", r.fake.requests());
        let page = r
            .audit
            .query(
                &AuditQuery::default(),
                &AuditPage {
                    cursor: None,
                    limit: 10,
                },
            )
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(
            page.items[0].event.reason.as_deref(),
            Some("dry_run:redact")
        );
    }

    #[tokio::test]
    async fn no_planted_value_in_audit_or_errors() {
        let r = rig(REDACT).await;
        seed(&r);
        r.scanner
            .run(&job(Some(inline_parts())), FIRST)
            .await
            .unwrap();
        let page = r
            .audit
            .query(
                &AuditQuery::default(),
                &AuditPage {
                    cursor: None,
                    limit: 1000,
                },
            )
            .await
            .unwrap();
        let dump = serde_json::to_string(&page.items).unwrap();
        for v in [SSN, CARD, "4111111111111111", "536221120"] {
            assert!(!dump.contains(v), "{v} in audit");
        }
        let entry_dump = format!(
            "{:?}",
            r.vault
                .get_by_part(&PartRef {
                    workspace_id: "ws1".into(),
                    conversation_id: "123".into(),
                    part_id: "p1".into()
                })
                .await
                .unwrap()
        );
        assert!(!entry_dump.contains(SSN) && !entry_dump.contains(CARD));
    }
}
