#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Audit log on SQLite: tampering with stored rows is named by `verify`; CSV export streams
//! and quotes; schema versioning; chain count fixed at creation.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use dlp_audit::chain::{event_hash, recompute};
use dlp_audit::csv::{CSV_COLUMNS, export_csv_paged};
use dlp_audit::testkit::{assert_names_break, sample_event};
use dlp_audit::{
    Action, AuditError, AuditEvent, AuditLog, AuditQuery, ChainHead, Page, PageRequest,
    StoredEvent, verify,
};
use dlp_embedded::{EmbeddedError, MemoryAuditLog, SqliteOptions, SqliteStore};
use rusqlite::Connection;

fn raw(path: &Path) -> Connection {
    Connection::open(path).unwrap()
}

/// A store with 200 events over 4 chains; returns the events by chain.
async fn filled(path: &Path) -> (SqliteStore, Vec<Vec<StoredEvent>>) {
    let store = SqliteStore::open_with(
        path,
        SqliteOptions {
            audit_chains: 4,
            ..Default::default()
        },
    )
    .unwrap();
    let mut by_chain = vec![Vec::new(); 4];
    for i in 0..200 {
        let ev = sample_event(
            10_000 + i,
            "system:scan-redact",
            Action::PartRedacted,
            Some("c1"),
        );
        let s = store.append(ev).await.unwrap();
        by_chain[usize::from(s.chain)].push(s);
    }
    assert!(
        by_chain.iter().all(|c| c.len() >= 10),
        "events spread over every chain"
    );
    (store, by_chain)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_a_row_is_named() {
    // Each column an attacker might touch, edited without fixing the hash.
    let edits = [
        "reason = 'looks innocent'",
        "actor = 'user:mallory'",
        "time = time + 1",
        "action = 'finding.revealed'",
        "outcome = 'denied'",
        "entity_kinds = '[]'",
        "counts = '{\"US_SSN\":1}'",
        "conversation_id = NULL",
    ];
    for edit in edits {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let (store, by_chain) = filled(&path).await;
        let victim = &by_chain[2][5];
        let n = raw(&path)
            .execute(
                &format!("UPDATE audit_events SET {edit} WHERE event_id = ?1"),
                [&victim.event.id],
            )
            .unwrap();
        assert_eq!(n, 1);
        assert_names_break(
            &store,
            2,
            victim.seq,
            Some(&victim.event.id),
            "hash_mismatch",
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_a_row_and_its_hash_is_named_by_the_successor() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let (store, by_chain) = filled(&path).await;
    let victim = &by_chain[1][3];
    let mut forged = victim.clone();
    forged.event.actor = "user:mallory".into();
    let forged_hash = recompute(&forged);
    raw(&path)
        .execute(
            "UPDATE audit_events SET actor = 'user:mallory', hash = ?1 WHERE event_id = ?2",
            [&forged_hash, &victim.event.id],
        )
        .unwrap();
    let next = &by_chain[1][4];
    assert_names_break(
        &store,
        1,
        next.seq,
        Some(&next.event.id),
        "prev_hash_mismatch",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_row_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let (store, by_chain) = filled(&path).await;
    let victim = &by_chain[3][7];
    raw(&path)
        .execute(
            "DELETE FROM audit_events WHERE event_id = ?1",
            [&victim.event.id],
        )
        .unwrap();
    let after = &by_chain[3][8];
    let b = assert_names_break(&store, 3, victim.seq, Some(&after.event.id), "seq_gap").await;
    assert_eq!(
        b.reason,
        dlp_audit::BreakReason::SeqGap {
            expected: victim.seq,
            found: after.seq
        }
    );
    // Everything before the gap still verified.
    let report = verify(&store).await.unwrap();
    assert_eq!(report.chains[3].verified, victim.seq - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_the_first_row_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let (store, by_chain) = filled(&path).await;
    let victim = &by_chain[0][0];
    raw(&path)
        .execute(
            "DELETE FROM audit_events WHERE event_id = ?1",
            [&victim.event.id],
        )
        .unwrap();
    assert_names_break(&store, 0, 1, Some(&by_chain[0][1].event.id), "seq_gap").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_the_tail_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let (store, by_chain) = filled(&path).await;
    let last = by_chain[2].last().unwrap();
    raw(&path)
        .execute(
            "DELETE FROM audit_events WHERE event_id = ?1",
            [&last.event.id],
        )
        .unwrap();
    let b = assert_names_break(&store, 2, last.seq, None, "head_mismatch").await;
    assert_eq!(
        b.reason,
        dlp_audit::BreakReason::HeadMismatch {
            head_seq: Some(last.seq),
            last_seq: last.seq - 1
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_chain_head_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let (store, by_chain) = filled(&path).await;
    raw(&path)
        .execute("DELETE FROM audit_heads WHERE chain = 2", [])
        .unwrap();
    let last = by_chain[2].last().unwrap();
    let b = assert_names_break(&store, 2, last.seq + 1, None, "head_mismatch").await;
    assert_eq!(
        b.reason,
        dlp_audit::BreakReason::HeadMismatch {
            head_seq: None,
            last_seq: last.seq
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rewriting_the_last_row_with_its_hash_is_named_by_the_head() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let (store, by_chain) = filled(&path).await;
    let last = by_chain[1].last().unwrap();
    let mut forged = last.clone();
    forged.event.reason = Some("nothing to see".into());
    let h = event_hash(&forged.prev_hash, forged.chain, forged.seq, &forged.event);
    raw(&path)
        .execute(
            "UPDATE audit_events SET reason = 'nothing to see', hash = ?1 WHERE event_id = ?2",
            [&h, &last.event.id],
        )
        .unwrap();
    assert_names_break(&store, 1, last.seq, Some(&last.event.id), "head_mismatch").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_fake_tamper_is_named_too() {
    let log = MemoryAuditLog::new(2);
    for i in 0..20 {
        log.append(sample_event(i, "system:x", Action::NotePosted, None))
            .await
            .unwrap();
    }
    let mut victim = None;
    log.tamper(|chains| {
        let e = &mut chains[1][2];
        e.event.actor = "user:mallory".into();
        victim = Some((e.seq, e.event.id.clone()));
    });
    let (seq, id) = victim.unwrap();
    assert_names_break(&log, 1, seq, Some(&id), "hash_mismatch").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn append_of_a_stored_event_id_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("a.db")).unwrap();
    let ev = sample_event(5, "system:x", Action::NotePosted, None);
    let a = store.append(ev.clone()).await.unwrap();
    let b = store.append(ev).await.unwrap();
    assert_eq!(a, b);
    assert_eq!(verify(&store).await.unwrap().verified, 1);
}

// ---- CSV ------------------------------------------------------------------------------------

/// Minimal RFC 4180 reader for checking the export: returns records of cells.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut cell = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                assert!(cell.is_empty(), "quote inside an unquoted cell");
                quoted = true;
            }
            ',' => record.push(std::mem::take(&mut cell)),
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "bare CR outside quotes");
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            '\n' => panic!("bare LF outside quotes"),
            _ => cell.push(c),
        }
    }
    assert!(
        !quoted && cell.is_empty() && record.is_empty(),
        "export must end with CRLF"
    );
    records
}

/// Wraps a log and counts query calls, to show the export goes page by page.
struct Counting {
    inner: SqliteStore,
    queries: AtomicU32,
    max_page: AtomicU32,
}

#[async_trait]
impl AuditLog for Counting {
    fn chains(&self) -> u16 {
        self.inner.chains()
    }
    async fn append(&self, event: AuditEvent) -> Result<StoredEvent, AuditError> {
        self.inner.append(event).await
    }
    async fn query(
        &self,
        q: &AuditQuery,
        p: &PageRequest,
    ) -> Result<Page<StoredEvent>, AuditError> {
        self.queries.fetch_add(1, Ordering::Relaxed);
        let page = self.inner.query(q, p).await?;
        self.max_page
            .fetch_max(page.items.len() as u32, Ordering::Relaxed);
        Ok(page)
    }
    async fn head(&self, chain: u16) -> Result<Option<ChainHead>, AuditError> {
        self.inner.head(chain).await
    }
    async fn scan_chain(
        &self,
        chain: u16,
        after: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, AuditError> {
        self.inner.scan_chain(chain, after, limit).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_export_streams_quotes_and_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("a.db")).unwrap();
    let mut hostile = sample_event(
        1,
        "=cmd|' /C calc'!A0",
        Action::FindingRevealed,
        Some("+conv,1"),
    );
    hostile.reason = Some("-2+3 \"quoted\"\r\nsecond line".into());
    hostile.part_id = Some("@SUM(1)".into());
    hostile.request_id = Some("\tlead-tab".into());
    hostile.counts.insert("US_SSN".into(), 2);
    hostile.counts.insert("CREDIT_CARD".into(), 1);
    store.append(hostile.clone()).await.unwrap();
    for i in 0..44 {
        store
            .append(sample_event(
                10 + i,
                "system:scan-redact",
                Action::PartRedacted,
                Some("c1"),
            ))
            .await
            .unwrap();
    }
    let counting = Arc::new(Counting {
        inner: store,
        queries: AtomicU32::new(0),
        max_page: AtomicU32::new(0),
    });
    let mut out = Vec::new();
    let n = export_csv_paged(counting.as_ref(), &AuditQuery::default(), 10, &mut out)
        .await
        .unwrap();
    assert_eq!(n, 45);
    assert_eq!(
        counting.queries.load(Ordering::Relaxed),
        5,
        "45 events in pages of 10"
    );
    assert!(counting.max_page.load(Ordering::Relaxed) <= 10);

    let text = String::from_utf8(out).unwrap();
    let records = parse_csv(&text);
    assert_eq!(records.len(), 46, "header + one record per event");
    assert_eq!(
        records[0],
        CSV_COLUMNS
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    );
    for r in &records {
        assert_eq!(r.len(), CSV_COLUMNS.len(), "every record has every column");
        for cell in r {
            assert!(
                !matches!(
                    cell.chars().next(),
                    Some('=' | '+' | '-' | '@' | '\t' | '\r')
                ),
                "cell would be evaluated by a spreadsheet: {cell:?}"
            );
        }
    }
    let col = |name: &str| CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
    let h = &records[1];
    assert_eq!(h[col("id")], hostile.id);
    assert_eq!(h[col("time")], "1970-01-01T00:00:00.001Z");
    assert_eq!(h[col("time_ms")], "1");
    assert_eq!(h[col("actor")], "'=cmd|' /C calc'!A0");
    assert_eq!(h[col("action")], "finding.revealed");
    assert_eq!(h[col("conversation_id")], "'+conv,1");
    assert_eq!(h[col("part_id")], "'@SUM(1)");
    assert_eq!(h[col("reason")], "'-2+3 \"quoted\"\r\nsecond line");
    assert_eq!(h[col("request_id")], "'\tlead-tab");
    assert_eq!(h[col("counts")], "CREDIT_CARD=1;US_SSN=2");
    assert_eq!(h[col("entity_kinds")], "CREDIT_CARD;US_SSN");
    assert_eq!(h[col("seq")], "1");
    assert_eq!(h[col("prev_hash")].len(), 64);
}

// ---- schema ---------------------------------------------------------------------------------

#[test]
fn schema_is_versioned_and_newer_databases_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    drop(SqliteStore::open(&path).unwrap());
    let v: i64 = raw(&path)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SqliteStore::schema_version());
    let mode: String = raw(&path)
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal", "WAL is persistent in the file");
    // Reopening an up-to-date database is a no-op.
    drop(SqliteStore::open(&path).unwrap());
    raw(&path).pragma_update(None, "user_version", 99).unwrap();
    match SqliteStore::open(&path) {
        Err(EmbeddedError::SchemaTooNew { found: 99, .. }) => {}
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_count_is_fixed_at_creation_and_data_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let store = SqliteStore::open_with(
        &path,
        SqliteOptions {
            audit_chains: 8,
            ..Default::default()
        },
    )
    .unwrap();
    for i in 0..30 {
        store
            .append(sample_event(i, "system:x", Action::PolicyLoaded, None))
            .await
            .unwrap();
    }
    drop(store);
    let again = SqliteStore::open_with(
        &path,
        SqliteOptions {
            audit_chains: 2,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        again.chains(),
        8,
        "an existing database keeps its chain count"
    );
    let report = verify(&again).await.unwrap();
    assert!(report.is_intact());
    assert_eq!(report.verified, 30);
}
