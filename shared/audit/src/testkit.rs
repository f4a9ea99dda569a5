//! Behaviour suite for the `AuditLog` port, run by every adapter's tests (in-memory, SQLite,
//! DynamoDB on moto). Enabled by the `test-util` feature; test code, so it panics with a
//! message naming the case.
//!
//! ```text
//! #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
//! async fn audit_log_behaves() {
//!     dlp_audit::testkit::audit_log_suite(|| async {
//!         Arc::new(MyLog::fresh(8).await) as Arc<dyn AuditLog>
//!     })
//!     .await;
//! }
//! ```
//!
//! The factory is called once per case and must return a fresh, empty log. Tamper tests
//! (editing or deleting a stored event) depend on the storage format, so they belong to each
//! adapter's own tests; [`assert_names_break`] helps write them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;

use crate::chain::{GENESIS_HASH, chain_for, recompute};
use crate::model::{Action, AuditEvent, AuditQuery, Outcome, PageRequest, StoredEvent, UnixMillis};
use crate::ports::AuditLog;
use crate::verify::{Break, verify, verify_with_page};

/// Concurrent writers and events per writer in the concurrency case.
pub const WRITERS: usize = 8;
pub const EVENTS_PER_WRITER: usize = 500;

/// A synthetic event with a fresh ULID id.
pub fn sample_event(
    time: UnixMillis,
    actor: &str,
    action: Action,
    conversation: Option<&str>,
) -> AuditEvent {
    let id = ulid::Ulid::from_parts(u64::try_from(time).unwrap_or(0), rand_u80()).to_string();
    AuditEvent {
        id,
        time,
        actor: actor.to_owned(),
        action,
        workspace_id: Some("ws-test".into()),
        conversation_id: conversation.map(str::to_owned),
        part_id: conversation.map(|_| "part-1".to_owned()),
        entry_ids: vec!["01HENTRY000000000000000001".into()],
        entity_kinds: vec!["CREDIT_CARD".into(), "US_SSN".into()],
        outcome: Outcome::Success,
        reason: None,
        request_id: Some("req-test".into()),
        counts: BTreeMap::new(),
    }
}

fn rand_u80() -> u128 {
    // ulid's generator without pulling rand into this crate's public deps.
    ulid::Ulid::new().random()
}

/// Every event of `query`, through pages of `limit`, asserting page bounds.
pub async fn query_all(log: &dyn AuditLog, query: &AuditQuery, limit: u32) -> Vec<StoredEvent> {
    let mut out = Vec::new();
    let mut cursor = None;
    for _ in 0..100_000 {
        let page = log
            .query(query, &PageRequest { cursor, limit })
            .await
            .unwrap();
        assert!(
            page.items.len() <= limit as usize,
            "audit query: page exceeds limit {limit}"
        );
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
    panic!("audit query: the cursor does not advance");
}

/// Assert `verify` reports a break on `chain` at `seq`, naming `event_id` (or none), with a
/// reason of the given code. For adapter tamper tests.
pub async fn assert_names_break(
    log: &dyn AuditLog,
    chain: u16,
    seq: u64,
    event_id: Option<&str>,
    reason_code: &str,
) -> Break {
    let report = verify(log).await.unwrap();
    let b = report
        .chains
        .iter()
        .find(|c| c.chain == chain)
        .and_then(|c| c.broken.clone())
        .unwrap_or_else(|| panic!("verify did not report a break on chain {chain}"));
    assert_eq!(b.seq, seq, "break position");
    assert_eq!(b.event_id.as_deref(), event_id, "break names the event");
    assert_eq!(b.reason.code(), reason_code, "break reason");
    assert_eq!(
        report.breaks().count(),
        1,
        "only the tampered chain is broken"
    );
    b
}

fn key(e: &StoredEvent) -> (UnixMillis, String) {
    (e.event.time, e.event.id.clone())
}

fn ids(v: &[StoredEvent]) -> Vec<String> {
    v.iter().map(|e| e.event.id.clone()).collect()
}

/// Every `AuditLog` behaviour: append/link/head, scan_chain paging, verify, each query filter
/// with cursors, round trip of every field, invalid cursors, and 8 concurrent writers × 500.
pub async fn audit_log_suite<F, Fut>(factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn AuditLog>>,
{
    audit_log_suite_sized(factory, WRITERS, EVENTS_PER_WRITER).await;
}

/// The same suite with the concurrency case sized by the caller. Emulators whose
/// transactions cost O(table size) (moto copies the table on every `TransactWriteItems`)
/// run it with fewer events per writer; the behaviour checked is the same.
pub async fn audit_log_suite_sized<F, Fut>(factory: F, writers: usize, per_writer: usize)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn AuditLog>>,
{
    append_links_and_heads(factory().await).await;
    round_trip_every_field(factory().await).await;
    query_filters_and_cursors(factory().await).await;
    invalid_cursor_rejected(factory().await).await;
    concurrent_writers(factory().await, writers, per_writer).await;
}

async fn append_links_and_heads(log: Arc<dyn AuditLog>) {
    let case = "audit append";
    let n = log.chains();
    assert!(n >= 1, "{case}: at least one chain");
    for c in 0..n {
        assert_eq!(
            log.head(c).await.unwrap(),
            None,
            "{case}: fresh chain {c} has no head"
        );
        assert!(log.scan_chain(c, 0, 10).await.unwrap().is_empty());
    }
    let empty = verify(log.as_ref()).await.unwrap();
    assert!(
        empty.is_intact() && empty.verified == 0,
        "{case}: empty log verifies"
    );

    let mut per_chain: BTreeMap<u16, Vec<StoredEvent>> = BTreeMap::new();
    for i in 0..60 {
        let ev = sample_event(
            1_000 + i,
            "system:scan-redact",
            Action::FindingDetected,
            Some("c1"),
        );
        let stored = log.append(ev.clone()).await.unwrap();
        let chain = chain_for(&ev.id, n);
        assert_eq!(stored.chain, chain, "{case}: chain chosen by chain_for");
        assert_eq!(
            stored.event, ev,
            "{case}: stored event equals the submitted one"
        );
        let prev = per_chain.entry(chain).or_default();
        let (want_seq, want_prev) = match prev.last() {
            Some(p) => (p.seq + 1, p.hash.clone()),
            None => (1, GENESIS_HASH.to_owned()),
        };
        assert_eq!(
            stored.seq, want_seq,
            "{case}: seq increments by one per chain"
        );
        assert_eq!(
            stored.prev_hash, want_prev,
            "{case}: prev_hash is the previous event's hash"
        );
        assert_eq!(
            recompute(&stored),
            stored.hash,
            "{case}: hash follows the chain rule"
        );
        let head = log.head(chain).await.unwrap().expect("head after append");
        assert_eq!(
            (head.chain, head.seq, head.hash.as_str()),
            (chain, stored.seq, stored.hash.as_str()),
            "{case}: head"
        );
        prev.push(stored);
    }
    if n > 1 {
        assert!(
            per_chain.len() > 1,
            "{case}: 60 events should spread over several chains"
        );
    }
    for (chain, events) in &per_chain {
        for limit in [1u32, 2, 7, 1_000] {
            let mut got = Vec::new();
            let mut after = 0;
            loop {
                let page = log.scan_chain(*chain, after, limit).await.unwrap();
                assert!(page.len() <= limit as usize, "{case}: scan_chain limit");
                let Some(last) = page.last() else { break };
                after = last.seq;
                got.extend(page);
            }
            assert_eq!(
                &got, events,
                "{case}: scan_chain({chain}) pages with limit {limit}"
            );
        }
        let tail = log.scan_chain(*chain, 1, 1_000).await.unwrap();
        assert_eq!(
            tail.first().map(|e| e.seq),
            events.get(1).map(|e| e.seq),
            "{case}: after_seq is exclusive"
        );
    }
    for page in [1u32, 3, 1_000] {
        let report = verify_with_page(log.as_ref(), page).await.unwrap();
        assert!(
            report.is_intact(),
            "{case}: verify (page {page}) found {:?}",
            report.first_break()
        );
        assert_eq!(report.verified, 60, "{case}: verify counts every event");
        assert_eq!(report.chains.len(), usize::from(n));
    }
}

async fn round_trip_every_field(log: Arc<dyn AuditLog>) {
    let case = "audit round trip";
    let mut ev = sample_event(
        1_700_000_000_001,
        "user:reviewer@example.test",
        Action::Other("custom.action".into()),
        Some("conv/ü,\"x\""),
    );
    ev.workspace_id = None;
    ev.part_id = Some("=cmd|' /C calc'!A0".into());
    ev.entry_ids = vec!["E1".into(), "E2".into(), "E3".into()];
    ev.entity_kinds = vec![];
    ev.outcome = Outcome::Denied;
    ev.reason = Some("reviewer's reason, with \"quotes\"\nand a newline".into());
    ev.request_id = None;
    ev.counts.insert("CREDIT_CARD".into(), 12);
    ev.counts.insert("US_SSN".into(), u64::from(u32::MAX) + 5);
    let stored = log.append(ev.clone()).await.unwrap();
    let all = query_all(log.as_ref(), &AuditQuery::default(), 10).await;
    assert_eq!(
        all,
        vec![stored.clone()],
        "{case}: query returns the stored form unchanged"
    );
    let scanned = log.scan_chain(stored.chain, 0, 10).await.unwrap();
    assert_eq!(
        scanned,
        vec![stored],
        "{case}: scan_chain returns the stored form unchanged"
    );
    for a in [
        Action::PartRedacted,
        Action::FindingRevealDenied,
        Action::VaultPurged,
    ] {
        let mut e = sample_event(5, "system:x", a, None);
        e.outcome = Outcome::Failure;
        log.append(e).await.unwrap();
    }
    assert!(
        verify(log.as_ref()).await.unwrap().is_intact(),
        "{case}: verify"
    );
}

async fn query_filters_and_cursors(log: Arc<dyn AuditLog>) {
    let case = "audit query";
    let actors = ["system:scan-redact", "user:alice", "user:bob"];
    let actions = [
        Action::FindingDetected,
        Action::PartRedacted,
        Action::FindingRevealed,
        Action::WebhookRejected,
    ];
    let convs = [Some("c1"), Some("c2"), None];
    let mut all = Vec::new();
    for i in 0..48i64 {
        // Times with ties (every time appears twice) and out of insertion order.
        let t = 10_000 + ((i * 7) % 24) * 10;
        let ev = sample_event(
            t,
            actors[i as usize % 3],
            actions[i as usize % 4].clone(),
            convs[(i as usize / 4) % 3],
        );
        all.push(log.append(ev).await.unwrap());
    }
    all.sort_by_key(key);
    let check = |name: &str, q: AuditQuery, pred: &dyn Fn(&StoredEvent) -> bool| {
        let want: Vec<String> = all
            .iter()
            .filter(|e| pred(e))
            .map(|e| e.event.id.clone())
            .collect();
        (name.to_owned(), q, want)
    };
    let cases = vec![
        check("everything", AuditQuery::default(), &|_| true),
        check(
            "time range [10050, 10150)",
            AuditQuery {
                since: Some(10_050),
                until: Some(10_150),
                ..Default::default()
            },
            &|e| (10_050..10_150).contains(&e.event.time),
        ),
        check(
            "since only",
            AuditQuery {
                since: Some(10_200),
                ..Default::default()
            },
            &|e| e.event.time >= 10_200,
        ),
        check(
            "until only",
            AuditQuery {
                until: Some(10_020),
                ..Default::default()
            },
            &|e| e.event.time < 10_020,
        ),
        check(
            "actor",
            AuditQuery {
                actor: Some("user:alice".into()),
                ..Default::default()
            },
            &|e| e.event.actor == "user:alice",
        ),
        check(
            "action",
            AuditQuery {
                action: Some(Action::FindingRevealed),
                ..Default::default()
            },
            &|e| e.event.action == Action::FindingRevealed,
        ),
        check(
            "conversation",
            AuditQuery {
                conversation_id: Some("c2".into()),
                ..Default::default()
            },
            &|e| e.event.conversation_id.as_deref() == Some("c2"),
        ),
        check(
            "actor + action + time",
            AuditQuery {
                since: Some(10_000),
                until: Some(10_200),
                actor: Some("system:scan-redact".into()),
                action: Some(Action::FindingDetected),
                conversation_id: None,
            },
            &|e| {
                (10_000..10_200).contains(&e.event.time)
                    && e.event.actor == "system:scan-redact"
                    && e.event.action == Action::FindingDetected
            },
        ),
        check(
            "conversation + actor",
            AuditQuery {
                conversation_id: Some("c1".into()),
                actor: Some("user:bob".into()),
                ..Default::default()
            },
            &|e| e.event.conversation_id.as_deref() == Some("c1") && e.event.actor == "user:bob",
        ),
        check(
            "no match",
            AuditQuery {
                actor: Some("user:nobody".into()),
                ..Default::default()
            },
            &|_| false,
        ),
        check(
            "empty range",
            AuditQuery {
                since: Some(10_100),
                until: Some(10_100),
                ..Default::default()
            },
            &|_| false,
        ),
    ];
    for (name, q, want) in &cases {
        assert!(
            name == "no match" || name == "empty range" || !want.is_empty(),
            "{case}: {name}: fixture selects something"
        );
        for limit in [1u32, 4, 1_000] {
            let got = query_all(log.as_ref(), q, limit).await;
            assert_eq!(
                &ids(&got),
                want,
                "{case}: {name}, limit {limit}: matches, oldest first (time, id)"
            );
        }
    }
}

async fn invalid_cursor_rejected(log: Arc<dyn AuditLog>) {
    let case = "audit invalid cursor";
    for i in 0..3 {
        log.append(sample_event(100 + i, "user:a", Action::NotePosted, None))
            .await
            .unwrap();
    }
    for bad in [
        "",
        "garbage",
        "%%%",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let r = log
            .query(
                &AuditQuery::default(),
                &PageRequest {
                    cursor: Some(bad.into()),
                    limit: 2,
                },
            )
            .await;
        assert!(r.is_err(), "{case}: accepted {bad:?}");
    }
}

async fn concurrent_writers(log: Arc<dyn AuditLog>, writers: usize, per_writer: usize) {
    let case = "audit concurrent writers";
    let mut tasks = Vec::new();
    for w in 0..writers {
        let log = log.clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::with_capacity(per_writer);
            for i in 0..per_writer {
                let t = 1_000_000 + (i * writers + w) as i64;
                let ev = sample_event(
                    t,
                    &format!("system:writer-{w}"),
                    Action::FindingDetected,
                    Some("c"),
                );
                ids.push(ev.id.clone());
                log.append(ev).await.unwrap();
            }
            ids
        }));
    }
    let mut expected = BTreeSet::new();
    for t in tasks {
        expected.extend(t.await.expect("writer panicked"));
    }
    let total = (writers * per_writer) as u64;
    assert_eq!(expected.len() as u64, total);
    let got = query_all(log.as_ref(), &AuditQuery::default(), 1_000).await;
    let got_ids: BTreeSet<String> = got.iter().map(|e| e.event.id.clone()).collect();
    assert_eq!(got_ids.len(), got.len(), "{case}: no event stored twice");
    assert_eq!(got_ids, expected, "{case}: every event present");
    let mut heads = 0;
    for c in 0..log.chains() {
        heads += log.head(c).await.unwrap().map_or(0, |h| h.seq);
    }
    assert_eq!(heads, total, "{case}: chain heads account for every event");
    let report = verify(log.as_ref()).await.unwrap();
    assert!(
        report.is_intact(),
        "{case}: verify found {:?}",
        report.first_break()
    );
    assert_eq!(report.verified, total, "{case}: every event verified");
    for w in [0, writers - 1] {
        let actor = format!("system:writer-{w}");
        let mine = query_all(
            log.as_ref(),
            &AuditQuery {
                actor: Some(actor),
                ..Default::default()
            },
            200,
        )
        .await;
        assert_eq!(mine.len(), per_writer, "{case}: actor filter under load");
    }
}

/// `verify` running while events are appended (starting from empty chains) must never
/// report a break: events appended after a chain's head was read are outside that walk.
/// Not part of [`audit_log_suite`]; adapters call it separately.
pub async fn verify_while_appending(log: Arc<dyn AuditLog>) {
    let case = "audit verify during appends";
    let writer = {
        let log = log.clone();
        tokio::spawn(async move {
            for i in 0..600 {
                log.append(sample_event(
                    i,
                    "system:writer",
                    Action::FindingDetected,
                    None,
                ))
                .await
                .unwrap();
                if i % 50 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        })
    };
    let mut runs = 0;
    while !writer.is_finished() || runs == 0 {
        let report = verify_with_page(log.as_ref(), 7).await.unwrap();
        assert!(
            report.is_intact(),
            "{case}: false break {:?}",
            report.first_break()
        );
        runs += 1;
    }
    writer.await.expect("writer panicked");
    let report = verify(log.as_ref()).await.unwrap();
    assert!(
        report.is_intact() && report.verified == 600,
        "{case}: final verify"
    );
}
