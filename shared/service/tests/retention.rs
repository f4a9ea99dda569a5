//! Retention purge against the in-memory fakes and SQLite, with an injected clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use dlp_audit::{Action, AuditLog, AuditQuery, Outcome, PageRequest as AuditPage};
use dlp_embedded::{MemoryAuditLog, MemoryIdempotencyStore, MemoryVaultStore, SqliteStore};
use dlp_service::clock::ManualClock;
use dlp_service::retention::{PURGE_ACTOR, PurgeOptions, Retention, RetentionError};
use dlp_vault::testkit::sample_entry;
use dlp_vault::{
    ActionResults, EntryId, EntryStatus, IdempotencyStore, Page, PageRequest, PartRef, PutOutcome,
    Remembered, StoreError, UnixMillis, VaultEntry, VaultStore,
};

const T: UnixMillis = 1_800_000_000_000;

struct Stores {
    vault: Arc<dyn VaultStore>,
    idem: Arc<dyn IdempotencyStore>,
    audit: Arc<dyn AuditLog>,
    _dir: Option<tempfile::TempDir>,
}

fn memory() -> Stores {
    Stores {
        vault: Arc::new(MemoryVaultStore::new()),
        idem: Arc::new(MemoryIdempotencyStore::new()),
        audit: Arc::new(MemoryAuditLog::new(8)),
        _dir: None,
    }
}

fn sqlite() -> Stores {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("dlp.sqlite")).unwrap();
    Stores {
        vault: Arc::new(store.clone()),
        idem: Arc::new(store.clone()),
        audit: Arc::new(store),
        _dir: Some(dir),
    }
}

fn backends() -> Vec<(&'static str, Stores)> {
    vec![("memory", memory()), ("sqlite", sqlite())]
}

fn retention(s: &Stores, clock: &ManualClock) -> Retention {
    Retention {
        vault: s.vault.clone(),
        idempotency: s.idem.clone(),
        audit: s.audit.clone(),
        clock: Arc::new(clock.clone()),
    }
}

async fn put(s: &Stores, part: &str, created: UnixMillis, expires: UnixMillis) -> VaultEntry {
    let e = sample_entry("ws1", "conv1", part, created, expires);
    assert_eq!(
        s.vault.put_if_absent(&e).await.unwrap(),
        PutOutcome::Inserted
    );
    e
}

async fn purge_events(audit: &dyn AuditLog) -> Vec<dlp_audit::StoredEvent> {
    audit
        .query(
            &AuditQuery {
                action: Some(Action::VaultPurged),
                ..AuditQuery::default()
            },
            &AuditPage {
                cursor: None,
                limit: 100,
            },
        )
        .await
        .unwrap()
        .items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_expire_exactly_on_time_and_nothing_else_is_touched() {
    for (name, s) in backends() {
        let early = put(&s, "p-early", T - 10_000, T - 1).await;
        let exact = put(&s, "p-exact", T - 9_000, T).await;
        let later = put(&s, "p-later", T - 8_000, T + 1).await;
        let far = put(&s, "p-far", T - 7_000, T + 86_400_000).await;
        s.idem.remember("dedup:a", T - 5, T).await.unwrap();
        s.idem.remember("dedup:b", T - 5, T + 1).await.unwrap();

        let clock = ManualClock::new(T);
        let report = retention(&s, &clock)
            .purge(&PurgeOptions::default())
            .await
            .unwrap();
        assert_eq!(report.entries, 2, "{name}");
        assert!(report.complete, "{name}");
        assert_eq!(report.idempotency_records, 1, "{name}");
        assert_eq!(report.created_from, Some(T - 10_000));
        assert_eq!(report.created_to, Some(T - 9_000));
        assert_eq!(
            report.by_entity,
            BTreeMap::from([("CREDIT_CARD".to_owned(), 4), ("US_SSN".to_owned(), 2)])
        );
        assert!(s.vault.get(&early.id).await.unwrap().is_none(), "{name}");
        assert!(s.vault.get(&exact.id).await.unwrap().is_none(), "{name}");
        // Not yet due: untouched, byte for byte.
        assert_eq!(
            s.vault.get(&later.id).await.unwrap().as_ref(),
            Some(&later),
            "{name}"
        );
        assert_eq!(
            s.vault.get(&far.id).await.unwrap().as_ref(),
            Some(&far),
            "{name}"
        );
        // The live dedup record survived the purge.
        assert_eq!(
            s.idem.remember("dedup:b", T, T + 1).await.unwrap(),
            Remembered::Seen
        );

        // One millisecond later the next one is due, and only it.
        clock.set(T + 1);
        let report = retention(&s, &clock)
            .purge(&PurgeOptions::default())
            .await
            .unwrap();
        assert_eq!(report.entries, 1, "{name}");
        assert!(s.vault.get(&later.id).await.unwrap().is_none());
        assert_eq!(s.vault.get(&far.id).await.unwrap().as_ref(), Some(&far));

        // One event per run, counts only, no entry ids, chains intact.
        let events = purge_events(s.audit.as_ref()).await;
        assert_eq!(events.len(), 2, "{name}");
        let first = &events[0].event;
        assert_eq!(first.actor, PURGE_ACTOR);
        assert_eq!(first.outcome, Outcome::Success);
        assert!(first.entry_ids.is_empty());
        assert_eq!(first.counts["entries"], 2);
        assert_eq!(first.counts["entity.CREDIT_CARD"], 4);
        assert_eq!(first.counts["entity.US_SSN"], 2);
        assert_eq!(first.counts["idempotency_records"], 1);
        assert_eq!(first.counts["cutoff_ms"], T as u64);
        assert_eq!(first.counts["created_from_ms"], (T - 10_000) as u64);
        assert_eq!(first.counts["created_to_ms"], (T - 9_000) as u64);
        assert_eq!(first.entity_kinds, vec!["CREDIT_CARD", "US_SSN"]);
        assert!(first.reason.as_deref().unwrap().contains("complete"));
        let v = dlp_audit::verify(s.audit.as_ref()).await.unwrap();
        assert!(v.is_intact(), "{name}");
        assert_eq!(v.verified, 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_reports_without_deleting_or_auditing() {
    for (name, s) in backends() {
        let a = put(&s, "p1", T - 100, T - 1).await;
        let b = put(&s, "p2", T - 100, T + 1).await;
        s.idem.remember("dedup:a", T - 5, T).await.unwrap();
        let clock = ManualClock::new(T);
        let report = retention(&s, &clock)
            .purge(&PurgeOptions {
                dry_run: true,
                ..PurgeOptions::default()
            })
            .await
            .unwrap();
        assert!(report.dry_run);
        assert_eq!(report.entries, 1, "{name}");
        assert_eq!(report.idempotency_records, 0);
        assert!(report.audit_event_id.is_none());
        assert!(s.vault.get(&a.id).await.unwrap().is_some(), "{name}");
        assert!(s.vault.get(&b.id).await.unwrap().is_some(), "{name}");
        assert!(purge_events(s.audit.as_ref()).await.is_empty(), "{name}");
        // Dry run purged no idempotency record either.
        assert_eq!(s.idem.purge_expired(T, 10).await.unwrap(), 1, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stops_before_the_deadline_and_the_next_run_resumes() {
    for (name, s) in backends() {
        for i in 0..10 {
            put(&s, &format!("p{i}"), T - 1_000 + i, T - 500 + i).await;
        }
        let clock = ManualClock::new(T);
        // Every clock reading costs 100 ms; 2 entries per page; 1 s budget, 200 ms reserve.
        clock.set_step(100);
        let opts = PurgeOptions {
            deadline: Some(T + 1_000),
            reserve_ms: 200,
            page_size: 2,
            ..PurgeOptions::default()
        };
        let first = retention(&s, &clock).purge(&opts).await.unwrap();
        assert!(!first.complete, "{name}");
        assert!(
            first.entries > 0 && first.entries < 10,
            "{name}: {}",
            first.entries
        );
        let events = purge_events(s.audit.as_ref()).await;
        assert_eq!(events.len(), 1);
        assert!(
            events[0]
                .event
                .reason
                .as_deref()
                .unwrap()
                .contains("deadline")
        );

        // The next run, with time to spare, finishes the job.
        clock.set_step(0);
        let second = retention(&s, &clock)
            .purge(&PurgeOptions {
                page_size: 2,
                ..PurgeOptions::default()
            })
            .await
            .unwrap();
        assert!(second.complete);
        assert_eq!(first.entries + second.entries, 10, "{name}");
        let left = s
            .vault
            .list_expired(
                i64::MAX,
                &PageRequest {
                    cursor: None,
                    limit: 100,
                },
            )
            .await
            .unwrap();
        assert!(left.items.is_empty(), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_at_once_delete_each_entry_once() {
    for (name, s) in backends() {
        for i in 0..60 {
            put(&s, &format!("p{i}"), T - 1_000, T - 1).await;
        }
        let clock = ManualClock::new(T);
        let r = retention(&s, &clock);
        let opts = PurgeOptions {
            page_size: 7,
            concurrency: 4,
            ..PurgeOptions::default()
        };
        let (a, b) = tokio::join!(r.purge(&opts), r.purge(&opts));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(
            a.entries + b.entries,
            60,
            "{name}: {} + {}",
            a.entries,
            b.entries
        );
        let counted: u64 = purge_events(s.audit.as_ref())
            .await
            .iter()
            .map(|e| e.event.counts["entries"])
            .sum();
        assert_eq!(counted, 60, "{name}");
        assert!(
            dlp_audit::verify(s.audit.as_ref())
                .await
                .unwrap()
                .is_intact()
        );
    }
}

/// A vault whose deletes fail after `ok` successes.
struct FailingDeletes {
    inner: Arc<dyn VaultStore>,
    ok: AtomicU32,
}

#[async_trait]
impl VaultStore for FailingDeletes {
    async fn put_if_absent(&self, e: &VaultEntry) -> Result<PutOutcome, StoreError> {
        self.inner.put_if_absent(e).await
    }
    async fn get(&self, id: &EntryId) -> Result<Option<VaultEntry>, StoreError> {
        self.inner.get(id).await
    }
    async fn get_by_part(&self, p: &PartRef) -> Result<Option<VaultEntry>, StoreError> {
        self.inner.get_by_part(p).await
    }
    async fn list_by_conversation(
        &self,
        w: &str,
        c: &str,
        p: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError> {
        self.inner.list_by_conversation(w, c, p).await
    }
    async fn list_by_created(
        &self,
        a: UnixMillis,
        b: UnixMillis,
        p: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError> {
        self.inner.list_by_created(a, b, p).await
    }
    async fn list_expired(
        &self,
        before: UnixMillis,
        p: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError> {
        self.inner.list_expired(before, p).await
    }
    async fn update_status(
        &self,
        id: &EntryId,
        s: EntryStatus,
        a: &ActionResults,
    ) -> Result<bool, StoreError> {
        self.inner.update_status(id, s, a).await
    }
    async fn delete(&self, id: &EntryId) -> Result<bool, StoreError> {
        let left = self.ok.load(Ordering::SeqCst);
        if left == 0 {
            return Err(StoreError::Unavailable("injected".into()));
        }
        self.ok.store(left - 1, Ordering::SeqCst);
        self.inner.delete(id).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_failure_midway_is_still_audited_with_what_was_deleted() {
    let s = memory();
    for i in 0..5 {
        put(&s, &format!("p{i}"), T - 1_000, T - 1).await;
    }
    let clock = ManualClock::new(T);
    let r = Retention {
        vault: Arc::new(FailingDeletes {
            inner: s.vault.clone(),
            ok: AtomicU32::new(3),
        }),
        ..retention(&s, &clock)
    };
    let err = r
        .purge(&PurgeOptions {
            concurrency: 1,
            ..PurgeOptions::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, RetentionError::Store(_)));
    let events = purge_events(s.audit.as_ref()).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.outcome, Outcome::Failure);
    assert_eq!(events[0].event.counts["entries"], 3);
    // The rest is still there for the next run.
    let report = retention(&s, &clock)
        .purge(&PurgeOptions::default())
        .await
        .unwrap();
    assert_eq!(report.entries, 2);
}
