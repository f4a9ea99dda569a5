//! Retention purge: deletes vault entries past their `expires_at` and expired idempotency
//! records, and leaves one `vault.purged` audit event per run.
//!
//! Owns: the purge run — paged over `VaultStore::list_expired`, time-budgeted against a
//! deadline (stops cleanly and leaves the rest to the next run), safe to run twice at once
//! (deletes are idempotent and each run counts only what it deleted itself), and a dry-run
//! mode that reports what would go without touching anything.
//!
//! Must never: delete an entry before its `expires_at`, touch an entry that has not expired,
//! or put anything but entry counts, entity kinds and times in the audit event.
//!
//! Audit events are not purged by this version. They are kept at least
//! [`AUDIT_RETENTION_DAYS`] (six years, HIPAA documentation retention); deleting the start of
//! a hash chain would need a signed checkpoint of the last purged hash to keep the chain
//! verifiable, and keeping them longer than required is safe: they hold no sensitive values.

use std::collections::BTreeMap;
use std::sync::Arc;

use dlp_audit::{Action, AuditError, AuditEvent, AuditLog, Outcome};
use dlp_vault::{IdempotencyStore, PageRequest, StoreError, VaultEntry, VaultStore};
use futures_util::StreamExt as _;

use crate::clock::{Clock, UnixMillis, format_time};

/// Actor of purge audit events.
pub const PURGE_ACTOR: &str = "system:retention-purge";
/// Default vault retention when the policy names none.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
/// Minimum retention of audit events (six years).
pub const AUDIT_RETENTION_DAYS: u32 = 2_190;

/// How one run behaves.
#[derive(Clone, Debug)]
pub struct PurgeOptions {
    /// Report what would be deleted; delete nothing and write no audit event.
    pub dry_run: bool,
    /// Stop before this time (the Lambda deadline, or a local time budget).
    pub deadline: Option<UnixMillis>,
    /// Time kept free before the deadline for the audit event and the response.
    pub reserve_ms: i64,
    /// Entries per `list_expired` page.
    pub page_size: u32,
    /// Deletes in flight at once.
    pub concurrency: usize,
    /// Idempotency records per `purge_expired` call.
    pub idempotency_batch: u32,
}

impl Default for PurgeOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            deadline: None,
            reserve_ms: 2_000,
            page_size: 200,
            concurrency: 8,
            idempotency_batch: 1_000,
        }
    }
}

/// What a run did (or, in dry-run mode, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PurgeReport {
    pub dry_run: bool,
    /// Entries with `expires_at <= cutoff` were due.
    pub cutoff: UnixMillis,
    /// Entries this run deleted (dry run: found due).
    pub entries: u64,
    /// Findings per entity kind in those entries.
    pub by_entity: BTreeMap<String, u64>,
    /// Range of `created_at` of those entries.
    pub created_from: Option<UnixMillis>,
    pub created_to: Option<UnixMillis>,
    /// Range of `expires_at` of those entries.
    pub expired_from: Option<UnixMillis>,
    pub expired_to: Option<UnixMillis>,
    /// Idempotency records (dedup ids, counters) deleted. Always 0 in dry runs.
    pub idempotency_records: u64,
    /// False when the run stopped at the deadline or on an error; the next run continues.
    pub complete: bool,
    /// Id of the `vault.purged` event (none in dry runs).
    pub audit_event_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error("vault store failed during purge")]
    Store(#[from] StoreError),
    #[error("audit log failed during purge")]
    Audit(#[from] AuditError),
}

/// The ports a purge needs.
#[derive(Clone)]
pub struct Retention {
    pub vault: Arc<dyn VaultStore>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub audit: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
}

impl Retention {
    /// Run one purge. On a store error part way through, the entries already deleted are
    /// still recorded in a `vault.purged` event (outcome `failure`) before the error returns.
    #[tracing::instrument(skip_all, fields(dry_run = opts.dry_run))]
    pub async fn purge(&self, opts: &PurgeOptions) -> Result<PurgeReport, RetentionError> {
        let cutoff = self.clock.now_ms();
        let mut report = PurgeReport {
            dry_run: opts.dry_run,
            cutoff,
            complete: true,
            ..PurgeReport::default()
        };
        let failure = self.purge_vault(cutoff, opts, &mut report).await.err();
        let failure = match failure {
            None if !opts.dry_run && report.complete => self
                .purge_idempotency(cutoff, opts, &mut report)
                .await
                .err(),
            other => other,
        };
        if failure.is_some() {
            report.complete = false;
        }
        tracing::info!(
            entries = report.entries,
            idempotency_records = report.idempotency_records,
            complete = report.complete,
            "retention purge finished"
        );
        if !opts.dry_run {
            let event = purge_event(&report, failure.is_some(), self.clock.now_ms());
            report.audit_event_id = Some(event.id.clone());
            self.append_with_retry(event).await?;
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }

    fn out_of_time(&self, opts: &PurgeOptions, last_page_ms: i64) -> bool {
        match opts.deadline {
            None => false,
            Some(deadline) => {
                self.clock.now_ms() + opts.reserve_ms + last_page_ms.max(0) >= deadline
            }
        }
    }

    async fn purge_vault(
        &self,
        cutoff: UnixMillis,
        opts: &PurgeOptions,
        report: &mut PurgeReport,
    ) -> Result<(), RetentionError> {
        let mut cursor = None;
        let mut last_page_ms = 0;
        loop {
            if self.out_of_time(opts, last_page_ms) {
                report.complete = false;
                return Ok(());
            }
            let started = self.clock.now_ms();
            let page = self
                .vault
                .list_expired(
                    cutoff,
                    &PageRequest {
                        cursor: cursor.take(),
                        limit: opts.page_size.max(1),
                    },
                )
                .await?;
            // Defensive: an adapter bug must not purge anything early.
            let due = page.items.into_iter().filter(|e| e.expires_at <= cutoff);
            if opts.dry_run {
                for entry in due {
                    report.count(&entry);
                }
            } else {
                let mut deletes = futures_util::stream::iter(due.map(|entry| async move {
                    let deleted = self.vault.delete(&entry.id).await;
                    (entry, deleted)
                }))
                .buffer_unordered(opts.concurrency.max(1));
                let mut first_error = None;
                while let Some((entry, deleted)) = deletes.next().await {
                    match deleted {
                        // Deleted by this run: count it.
                        Ok(true) => report.count(&entry),
                        // Already gone: another run at the same time got it first.
                        Ok(false) => {}
                        Err(e) => {
                            first_error.get_or_insert(e);
                        }
                    }
                }
                if let Some(e) = first_error {
                    return Err(e.into());
                }
            }
            last_page_ms = self.clock.now_ms() - started;
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(()),
            }
        }
    }

    async fn purge_idempotency(
        &self,
        cutoff: UnixMillis,
        opts: &PurgeOptions,
        report: &mut PurgeReport,
    ) -> Result<(), RetentionError> {
        let batch = opts.idempotency_batch.max(1);
        loop {
            if self.out_of_time(opts, 0) {
                report.complete = false;
                return Ok(());
            }
            let n = self.idempotency.purge_expired(cutoff, batch).await?;
            report.idempotency_records += n;
            if n < u64::from(batch) {
                return Ok(());
            }
        }
    }

    async fn append_with_retry(&self, event: AuditEvent) -> Result<(), RetentionError> {
        let mut attempt = 0;
        loop {
            match self.audit.append(event.clone()).await {
                Ok(_) => return Ok(()),
                Err(AuditError::Unavailable(_)) if attempt < 3 => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
                }
                Err(e) => {
                    tracing::error!(event_id = %event.id, "vault.purged event could not be written");
                    return Err(e.into());
                }
            }
        }
    }
}

impl PurgeReport {
    fn count(&mut self, entry: &VaultEntry) {
        self.entries += 1;
        for (kind, n) in &entry.entities {
            *self.by_entity.entry(kind.clone()).or_default() += u64::from(*n);
        }
        let widen = |lo: &mut Option<i64>, hi: &mut Option<i64>, t: i64| {
            *lo = Some(lo.map_or(t, |v| v.min(t)));
            *hi = Some(hi.map_or(t, |v| v.max(t)));
        };
        widen(
            &mut self.created_from,
            &mut self.created_to,
            entry.created_at,
        );
        widen(
            &mut self.expired_from,
            &mut self.expired_to,
            entry.expires_at,
        );
    }
}

/// The one audit event of a run: counts per entity and the time range, no entry ids.
fn purge_event(report: &PurgeReport, failed: bool, now: UnixMillis) -> AuditEvent {
    let mut counts = BTreeMap::new();
    counts.insert("entries".to_owned(), report.entries);
    counts.insert("idempotency_records".to_owned(), report.idempotency_records);
    for (kind, n) in &report.by_entity {
        counts.insert(format!("entity.{kind}"), *n);
    }
    let mut put_time = |key: &str, t: Option<i64>| {
        if let Some(t) = t.and_then(|t| u64::try_from(t).ok()) {
            counts.insert(key.to_owned(), t);
        }
    };
    put_time("cutoff_ms", Some(report.cutoff));
    put_time("created_from_ms", report.created_from);
    put_time("created_to_ms", report.created_to);
    let range = match (report.created_from, report.created_to) {
        (Some(a), Some(b)) => format!("created {}..{}", format_time(a), format_time(b)),
        _ => "nothing due".to_owned(),
    };
    let state = if failed {
        "stopped on error"
    } else if report.complete {
        "complete"
    } else {
        "stopped at deadline, continues next run"
    };
    AuditEvent {
        id: dlp_vault::new_entry_id(now).0,
        time: now,
        actor: PURGE_ACTOR.to_owned(),
        action: Action::VaultPurged,
        workspace_id: None,
        conversation_id: None,
        part_id: None,
        entry_ids: Vec::new(),
        entity_kinds: report.by_entity.keys().cloned().collect(),
        outcome: if failed {
            Outcome::Failure
        } else {
            Outcome::Success
        },
        reason: Some(format!(
            "retention cutoff {}; {range}; {state}",
            format_time(report.cutoff)
        )),
        request_id: None,
        counts,
    }
}
