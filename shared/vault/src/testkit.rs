//! Behaviour suites for the vault ports, run by every adapter's tests (in-memory, SQLite,
//! DynamoDB/KMS on moto) so the adapters cannot drift apart. Enabled by the `test-util`
//! feature; this is test code, so failures panic with a message naming the case.
//!
//! Usage (from an adapter's integration tests, on a multi-thread tokio runtime):
//!
//! ```text
//! #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
//! async fn vault_store_behaves() {
//!     dlp_vault::testkit::vault_store_suite(|| async {
//!         Arc::new(MyStore::fresh().await) as Arc<dyn VaultStore>
//!     })
//!     .await;
//! }
//! ```
//!
//! The factory is `Fn() -> impl Future<Output = Arc<dyn Store>>` and is called once per case:
//! it must return a *fresh, empty* store each time (a new table, a new database file), because
//! cases assert on global listings. Anything the store needs to outlive (a temp dir) should be
//! owned by the test around the suite call. Every case uses only synthetic values.

// Test code shared by adapters' test crates: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;

use crate::crypto::{VaultError, new_entry_id, open, seal};
use crate::model::{
    ActionResults, EncryptionContext, EntryId, EntryStatus, Page, PageRequest, PartRef, SealedBlob,
    SealedContent, SealedFinding, UnixMillis, VaultEntry,
};
use crate::ports::{IdempotencyStore, KeyError, KeyProvider, PutOutcome, Remembered, VaultStore};

/// Upper bound on pages a listing may take in the suites (guards against a cursor loop).
const MAX_PAGES: usize = 1_000;

/// A complete synthetic entry for `part`, created at `created_at`, with a fake (not real
/// ciphertext) sealed blob. Store suites do not open blobs; they check bytes round-trip.
pub fn sample_entry(
    workspace_id: &str,
    conversation_id: &str,
    part_id: &str,
    created_at: UnixMillis,
    expires_at: UnixMillis,
) -> VaultEntry {
    let id = new_entry_id(created_at);
    let mut entities = BTreeMap::new();
    entities.insert("CREDIT_CARD".to_owned(), 2);
    entities.insert("US_SSN".to_owned(), 1);
    // Distinct per entry so a store that mixes up blobs is caught.
    let mut ciphertext: Vec<u8> = id.as_str().bytes().collect();
    ciphertext.extend((0..=255u8).cycle().take(300));
    VaultEntry {
        part: PartRef {
            workspace_id: workspace_id.to_owned(),
            conversation_id: conversation_id.to_owned(),
            part_id: part_id.to_owned(),
        },
        created_at,
        expires_at,
        status: EntryStatus::Detected,
        entities,
        masked_text: "card •••• 1111, ssn [US_SSN] — “ok”".to_owned(),
        actions: ActionResults::default(),
        sealed: SealedBlob {
            key_id: "test-key-1".to_owned(),
            wrapped_key: vec![1, 2, 3, 4, 5, 0, 255],
            nonce: [7u8; 12],
            ciphertext,
        },
        id,
    }
}

/// Synthetic sealed content carrying the given planted values (for leak tests).
pub fn sample_content(planted: &[&str]) -> SealedContent {
    let mut text = String::from("hello, ");
    let mut findings = Vec::new();
    for (i, v) in planted.iter().enumerate() {
        let start = text.len();
        text.push_str(v);
        findings.push(SealedFinding {
            entity: format!("ENTITY_{i}"),
            rule_id: format!("rule-{i}"),
            start,
            end: text.len(),
            score: 0.5 + i as f32 / 100.0,
            masked: format!("[ENTITY_{i}]"),
            // Every second finding as if read with the message before (the version-2 layout).
            from_message_before: i % 2 == 1,
        });
        text.push_str(" and ");
    }
    text.push_str("bye");
    SealedContent {
        findings,
        original_text: text,
    }
}

/// Collect every item of a paged listing, asserting page-size limits and cursor sanity.
pub async fn collect_pages<T, F, Fut>(case: &str, limit: u32, mut fetch: F) -> Vec<T>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = Page<T>>,
{
    let mut out = Vec::new();
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let page = fetch(PageRequest { cursor, limit }).await;
        assert!(
            page.items.len() <= limit as usize,
            "{case}: page of {} items exceeds limit {limit}",
            page.items.len()
        );
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
    panic!("{case}: more than {MAX_PAGES} pages: the cursor does not advance");
}

fn ids(entries: &[VaultEntry]) -> Vec<EntryId> {
    entries.iter().map(|e| e.id.clone()).collect()
}

fn sorted_by_created(mut v: Vec<VaultEntry>) -> Vec<EntryId> {
    v.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    ids(&v)
}

// ---- VaultStore -----------------------------------------------------------------------------

/// Every `VaultStore` method: idempotent put, gets, the three listings with cursors over
/// several pages and exact boundaries, status merge, delete, invalid cursors.
pub async fn vault_store_suite<F, Fut>(factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn VaultStore>>,
{
    put_get_and_idempotency(factory().await).await;
    full_entry_round_trip(factory().await).await;
    list_by_conversation_pages(factory().await).await;
    list_by_created_boundaries(factory().await).await;
    list_expired_boundaries(factory().await).await;
    list_expired_while_deleting(factory().await).await;
    update_status_merges(factory().await).await;
    delete_shreds(factory().await).await;
    invalid_cursors_rejected(factory().await).await;
    concurrent_puts_one_winner(factory().await).await;
}

async fn put_get_and_idempotency(store: Arc<dyn VaultStore>) {
    let case = "vault put_if_absent/get";
    let first = sample_entry("ws1", "conv1", "part1", 1_000, 10_000);
    assert_eq!(
        store.put_if_absent(&first).await.unwrap(),
        PutOutcome::Inserted,
        "{case}: first put must insert"
    );
    // Same part again (a reprocessed notification): a new id, the old entry wins.
    let mut again = sample_entry("ws1", "conv1", "part1", 2_000, 20_000);
    again.masked_text = "different".into();
    match store.put_if_absent(&again).await.unwrap() {
        PutOutcome::Existing(e) => {
            assert_eq!(*e, first, "{case}: Existing must return the stored entry")
        }
        PutOutcome::Inserted => panic!("{case}: second put of the same part inserted a duplicate"),
    }
    assert_eq!(
        store.get(&first.id).await.unwrap().as_ref(),
        Some(&first),
        "{case}: get"
    );
    assert_eq!(
        store.get(&again.id).await.unwrap(),
        None,
        "{case}: the losing entry must not be stored"
    );
    assert_eq!(
        store.get_by_part(&first.part).await.unwrap().as_ref(),
        Some(&first),
        "{case}: get_by_part"
    );
    let page = store
        .list_by_conversation(
            "ws1",
            "conv1",
            &PageRequest {
                cursor: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&page.items),
        vec![first.id.clone()],
        "{case}: one entry per part"
    );

    // Same part id in another conversation or workspace is another part.
    for (ws, conv) in [("ws1", "conv2"), ("ws2", "conv1")] {
        let other = sample_entry(ws, conv, "part1", 1_000, 10_000);
        assert_eq!(
            store.put_if_absent(&other).await.unwrap(),
            PutOutcome::Inserted,
            "{case}: ({ws},{conv},part1) is a different part"
        );
        assert_eq!(
            store.get_by_part(&other.part).await.unwrap().as_ref(),
            Some(&other)
        );
    }
    assert_eq!(
        store
            .get(&EntryId("01NOSUCHENTRY0000000000000".into()))
            .await
            .unwrap(),
        None
    );
    let missing = PartRef {
        workspace_id: "ws1".into(),
        conversation_id: "conv1".into(),
        part_id: "nope".into(),
    };
    assert_eq!(
        store.get_by_part(&missing).await.unwrap(),
        None,
        "{case}: unknown part"
    );
}

async fn full_entry_round_trip(store: Arc<dyn VaultStore>) {
    let case = "vault full entry round trip";
    let mut e = sample_entry(
        "ws-ü",
        "conv/with:odd#chars",
        "part 1",
        1_700_000_000_123,
        1_800_000_000_456,
    );
    e.status = EntryStatus::RedactionFailed;
    e.actions = ActionResults {
        redacted_at: Some(1_700_000_000_999),
        note_id: Some("note-42".into()),
        tagged_at: Some(1),
        notified_at: Some(2),
        last_error: Some("intercom_5xx".into()),
    };
    e.entities.insert("EMAIL_ADDRESS".into(), 7);
    e.masked_text = "x".repeat(20_000);
    e.sealed.ciphertext = (0..60_000u32).map(|i| (i % 251) as u8).collect();
    e.sealed.nonce = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255];
    e.sealed.key_id = "arn:aws:kms:us-east-1:000000000000:key/abc-def".into();
    assert_eq!(store.put_if_absent(&e).await.unwrap(), PutOutcome::Inserted);
    assert_eq!(
        store.get(&e.id).await.unwrap().as_ref(),
        Some(&e),
        "{case}: every field survives"
    );
    let mut empty = sample_entry("ws1", "c", "p-empty", 5, 6);
    empty.entities.clear();
    empty.masked_text.clear();
    assert_eq!(
        store.put_if_absent(&empty).await.unwrap(),
        PutOutcome::Inserted
    );
    assert_eq!(
        store.get(&empty.id).await.unwrap().as_ref(),
        Some(&empty),
        "{case}: empty maps and text"
    );
}

async fn list_by_conversation_pages(store: Arc<dyn VaultStore>) {
    let case = "vault list_by_conversation";
    let mut mine = Vec::new();
    // Seven entries with tied and unordered creation times, inserted out of order.
    for (i, t) in [500, 100, 300, 300, 300, 900, 100].into_iter().enumerate() {
        let e = sample_entry("ws1", "conv-a", &format!("p{i}"), t, 10_000);
        store.put_if_absent(&e).await.unwrap();
        mine.push(e);
    }
    for (ws, conv) in [("ws1", "conv-b"), ("ws2", "conv-a"), ("ws1", "conv-a2")] {
        let e = sample_entry(ws, conv, "p0", 200, 10_000);
        store.put_if_absent(&e).await.unwrap();
    }
    let expected = sorted_by_created(mine);
    for limit in [1u32, 3, 7, 50] {
        let s = store.clone();
        let got = collect_pages(case, limit, |p| {
            let s = s.clone();
            async move { s.list_by_conversation("ws1", "conv-a", &p).await.unwrap() }
        })
        .await;
        assert_eq!(
            ids(&got),
            expected,
            "{case}: limit {limit}: oldest first, ties by id, no other conversations"
        );
    }
    let first = store
        .list_by_conversation(
            "ws1",
            "conv-a",
            &PageRequest {
                cursor: None,
                limit: 3,
            },
        )
        .await
        .unwrap();
    assert!(
        first.next_cursor.is_some(),
        "{case}: more follows after 3 of 7"
    );
    let none = store
        .list_by_conversation(
            "ws1",
            "nothing",
            &PageRequest {
                cursor: None,
                limit: 3,
            },
        )
        .await
        .unwrap();
    assert!(
        none.items.is_empty() && none.next_cursor.is_none(),
        "{case}: empty conversation"
    );
}

async fn list_by_created_boundaries(store: Arc<dyn VaultStore>) {
    let case = "vault list_by_created";
    let mut all = Vec::new();
    for (i, t) in [99, 100, 100, 150, 199, 200, 250, 50, 120, 100]
        .into_iter()
        .enumerate()
    {
        let e = sample_entry(
            &format!("ws{}", i % 3),
            &format!("c{}", i % 2),
            &format!("p{i}"),
            t,
            1_000_000,
        );
        store.put_if_absent(&e).await.unwrap();
        all.push(e);
    }
    let expected = sorted_by_created(
        all.iter()
            .filter(|e| (100..200).contains(&e.created_at))
            .cloned()
            .collect(),
    );
    assert_eq!(expected.len(), 6);
    for limit in [1u32, 2, 4, 100] {
        let s = store.clone();
        let got = collect_pages(case, limit, |p| {
            let s = s.clone();
            async move { s.list_by_created(100, 200, &p).await.unwrap() }
        })
        .await;
        assert_eq!(
            ids(&got),
            expected,
            "{case}: limit {limit}: since <= created_at < until, oldest first"
        );
    }
    let empty = store
        .list_by_created(
            300,
            400,
            &PageRequest {
                cursor: None,
                limit: 5,
            },
        )
        .await
        .unwrap();
    assert!(
        empty.items.is_empty() && empty.next_cursor.is_none(),
        "{case}: empty range"
    );
    let s = store.clone();
    let everything = collect_pages(case, 3, |p| {
        let s = s.clone();
        async move { s.list_by_created(i64::MIN, i64::MAX, &p).await.unwrap() }
    })
    .await;
    assert_eq!(
        ids(&everything),
        sorted_by_created(all),
        "{case}: unbounded range"
    );
}

async fn list_expired_boundaries(store: Arc<dyn VaultStore>) {
    let case = "vault list_expired";
    let mut all = Vec::new();
    for (i, exp) in [1_000, 999, 1_001, 500, 1_000, 2_000, 0, 1_000]
        .into_iter()
        .enumerate()
    {
        let e = sample_entry("ws1", &format!("c{}", i % 3), &format!("p{i}"), 10, exp);
        store.put_if_absent(&e).await.unwrap();
        all.push(e);
    }
    let expected: BTreeSet<EntryId> = all
        .iter()
        .filter(|e| e.expires_at <= 1_000)
        .map(|e| e.id.clone())
        .collect();
    assert_eq!(expected.len(), 6);
    for limit in [1u32, 2, 5, 100] {
        let s = store.clone();
        let got = collect_pages(case, limit, |p| {
            let s = s.clone();
            async move { s.list_expired(1_000, &p).await.unwrap() }
        })
        .await;
        let got_ids = ids(&got);
        let set: BTreeSet<EntryId> = got_ids.iter().cloned().collect();
        assert_eq!(
            set.len(),
            got_ids.len(),
            "{case}: limit {limit}: an entry listed twice"
        );
        assert_eq!(
            set, expected,
            "{case}: limit {limit}: exactly the entries with expires_at <= before"
        );
    }
    let none = store
        .list_expired(
            -1,
            &PageRequest {
                cursor: None,
                limit: 5,
            },
        )
        .await
        .unwrap();
    assert!(
        none.items.is_empty() && none.next_cursor.is_none(),
        "{case}: nothing expired"
    );
}

async fn list_expired_while_deleting(store: Arc<dyn VaultStore>) {
    let case = "vault list_expired while deleting (purge pattern)";
    let mut expected = BTreeSet::new();
    for i in 0..9 {
        let e = sample_entry("ws1", "c1", &format!("p{i}"), 10, 100 + i);
        store.put_if_absent(&e).await.unwrap();
        expected.insert(e.id.clone());
    }
    let live = sample_entry("ws1", "c1", "live", 10, 10_000);
    store.put_if_absent(&live).await.unwrap();
    let mut seen = BTreeSet::new();
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let page = store
            .list_expired(5_000, &PageRequest { cursor, limit: 2 })
            .await
            .unwrap();
        for e in &page.items {
            assert!(seen.insert(e.id.clone()), "{case}: listed twice");
            assert!(
                store.delete(&e.id).await.unwrap(),
                "{case}: delete listed entry"
            );
        }
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(
        seen, expected,
        "{case}: every expired entry reached despite deletes between pages"
    );
    assert_eq!(
        store.get(&live.id).await.unwrap().as_ref(),
        Some(&live),
        "{case}: live entry kept"
    );
}

async fn update_status_merges(store: Arc<dyn VaultStore>) {
    let case = "vault update_status";
    let e = sample_entry("ws1", "c1", "p1", 10, 1_000);
    store.put_if_absent(&e).await.unwrap();
    let step1 = ActionResults {
        redacted_at: Some(111),
        tagged_at: Some(112),
        ..Default::default()
    };
    assert!(
        store
            .update_status(&e.id, EntryStatus::Redacted, &step1)
            .await
            .unwrap(),
        "{case}: existing entry"
    );
    let step2 = ActionResults {
        note_id: Some("note-9".into()),
        last_error: Some("rate_limited".into()),
        ..Default::default()
    };
    assert!(
        store
            .update_status(&e.id, EntryStatus::Redacted, &step2)
            .await
            .unwrap()
    );
    let step3 = ActionResults {
        tagged_at: Some(999),
        ..Default::default()
    };
    assert!(
        store
            .update_status(&e.id, EntryStatus::RedactionFailed, &step3)
            .await
            .unwrap()
    );
    let got = store.get(&e.id).await.unwrap().expect("entry present");
    let mut want = e.clone();
    want.status = EntryStatus::RedactionFailed;
    want.actions = ActionResults {
        redacted_at: Some(111),
        note_id: Some("note-9".into()),
        tagged_at: Some(999),
        notified_at: None,
        last_error: Some("rate_limited".into()),
    };
    assert_eq!(
        got, want,
        "{case}: Some fields overwrite, None fields keep; nothing else changes"
    );
    assert_eq!(
        store.get_by_part(&e.part).await.unwrap(),
        Some(want),
        "{case}: get_by_part sees the update"
    );
    let unknown = EntryId("01NOSUCHENTRY0000000000000".into());
    assert!(
        !store
            .update_status(&unknown, EntryStatus::Redacted, &step1)
            .await
            .unwrap(),
        "{case}: unknown id reports false"
    );
    assert_eq!(
        store.get(&unknown).await.unwrap(),
        None,
        "{case}: update must not create an entry"
    );
}

async fn delete_shreds(store: Arc<dyn VaultStore>) {
    let case = "vault delete";
    let e = sample_entry("ws1", "c1", "p1", 10, 20);
    let keep = sample_entry("ws1", "c1", "p2", 11, 20);
    store.put_if_absent(&e).await.unwrap();
    store.put_if_absent(&keep).await.unwrap();
    assert!(
        store.delete(&e.id).await.unwrap(),
        "{case}: delete existing"
    );
    assert!(
        !store.delete(&e.id).await.unwrap(),
        "{case}: second delete reports absent"
    );
    assert_eq!(
        store.get(&e.id).await.unwrap(),
        None,
        "{case}: get after delete"
    );
    assert_eq!(
        store.get_by_part(&e.part).await.unwrap(),
        None,
        "{case}: get_by_part after delete"
    );
    let conv = store
        .list_by_conversation(
            "ws1",
            "c1",
            &PageRequest {
                cursor: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&conv.items),
        vec![keep.id.clone()],
        "{case}: gone from list_by_conversation"
    );
    let created = store
        .list_by_created(
            0,
            100,
            &PageRequest {
                cursor: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&created.items),
        vec![keep.id.clone()],
        "{case}: gone from list_by_created"
    );
    let expired = store
        .list_expired(
            100,
            &PageRequest {
                cursor: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&expired.items),
        vec![keep.id.clone()],
        "{case}: gone from list_expired"
    );
    // The part can be vaulted again after a purge (a new finding in an edited part).
    let again = sample_entry("ws1", "c1", "p1", 30, 40);
    assert_eq!(
        store.put_if_absent(&again).await.unwrap(),
        PutOutcome::Inserted,
        "{case}: part free again"
    );
    assert!(
        !store
            .delete(&EntryId("01NOSUCHENTRY0000000000000".into()))
            .await
            .unwrap()
    );
}

async fn invalid_cursors_rejected(store: Arc<dyn VaultStore>) {
    let case = "vault invalid cursor";
    for i in 0..3 {
        store
            .put_if_absent(&sample_entry("ws1", "c1", &format!("p{i}"), 10 + i, 20))
            .await
            .unwrap();
    }
    for bad in [
        "",
        "garbage",
        "%%%",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let p = PageRequest {
            cursor: Some(bad.to_owned()),
            limit: 2,
        };
        assert!(
            store.list_by_conversation("ws1", "c1", &p).await.is_err(),
            "{case}: list_by_conversation accepted {bad:?}"
        );
        assert!(
            store.list_by_created(0, 100, &p).await.is_err(),
            "{case}: list_by_created accepted {bad:?}"
        );
        assert!(
            store.list_expired(100, &p).await.is_err(),
            "{case}: list_expired accepted {bad:?}"
        );
    }
}

async fn concurrent_puts_one_winner(store: Arc<dyn VaultStore>) {
    let case = "vault concurrent put_if_absent";
    let mut tasks = Vec::new();
    for i in 0..8 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let e = sample_entry("ws1", "c1", "contended", 100 + i, 1_000);
            (s.put_if_absent(&e).await.unwrap(), e)
        }));
    }
    let mut winners = Vec::new();
    for t in tasks {
        let (outcome, e) = t.await.expect("task panicked");
        if outcome == PutOutcome::Inserted {
            winners.push(e);
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "{case}: exactly one concurrent put inserts"
    );
    let stored = store
        .get_by_part(&winners[0].part)
        .await
        .unwrap()
        .expect("winner stored");
    assert_eq!(
        stored, winners[0],
        "{case}: the stored entry is the winner's"
    );
}

// ---- IdempotencyStore ---------------------------------------------------------------------

/// Every `IdempotencyStore` method: New/Seen, expiry boundaries and re-arming, counters
/// (expiry restart, concurrency), purge with a limit.
pub async fn idempotency_suite<F, Fut>(factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn IdempotencyStore>>,
{
    remember_new_then_seen(factory().await).await;
    remember_expiry(factory().await).await;
    increment_counts(factory().await).await;
    purge_expired_limit(factory().await).await;
    concurrent_remember_and_increment(factory().await).await;
}

async fn remember_new_then_seen(store: Arc<dyn IdempotencyStore>) {
    let case = "idempotency remember";
    assert_eq!(
        store.remember("n:1", 0, 1_000).await.unwrap(),
        Remembered::New,
        "{case}: first"
    );
    assert_eq!(
        store.remember("n:1", 1, 1_000).await.unwrap(),
        Remembered::Seen,
        "{case}: second"
    );
    assert_eq!(
        store.remember("n:1", 2, 5_000).await.unwrap(),
        Remembered::Seen,
        "{case}: third"
    );
    assert_eq!(
        store.remember("n:2", 3, 1_000).await.unwrap(),
        Remembered::New,
        "{case}: other key"
    );
    let long = format!("n:{}", "x".repeat(200));
    assert_eq!(
        store.remember(&long, 0, 1_000).await.unwrap(),
        Remembered::New,
        "{case}: long key"
    );
    assert_eq!(
        store.remember(&long, 0, 1_000).await.unwrap(),
        Remembered::Seen
    );
}

async fn remember_expiry(store: Arc<dyn IdempotencyStore>) {
    let case = "idempotency expiry";
    assert_eq!(
        store.remember("k", 1_000, 2_000).await.unwrap(),
        Remembered::New
    );
    assert_eq!(
        store.remember("k", 1_999, 2_500).await.unwrap(),
        Remembered::Seen,
        "{case}: live before expires_at"
    );
    // A Seen must not extend the record.
    assert_eq!(
        store.remember("k", 2_000, 5_000).await.unwrap(),
        Remembered::New,
        "{case}: expired at expires_at"
    );
    assert_eq!(
        store.remember("k", 4_999, 6_000).await.unwrap(),
        Remembered::Seen,
        "{case}: re-armed until 5000"
    );
    assert_eq!(
        store.remember("k", 5_000, 6_000).await.unwrap(),
        Remembered::New,
        "{case}: re-armed record expires"
    );
}

async fn increment_counts(store: Arc<dyn IdempotencyStore>) {
    let case = "idempotency increment";
    for want in 1..=5u64 {
        assert_eq!(
            store.increment("c:alice:h1", 10, 100).await.unwrap(),
            want,
            "{case}: count up"
        );
    }
    assert_eq!(
        store.increment("c:bob:h1", 10, 100).await.unwrap(),
        1,
        "{case}: separate counter"
    );
    // A live counter keeps its creation expiry even when asked with a later one.
    assert_eq!(
        store.increment("c:alice:h1", 99, 10_000).await.unwrap(),
        6,
        "{case}: live at 99"
    );
    assert_eq!(
        store.increment("c:alice:h1", 100, 10_000).await.unwrap(),
        1,
        "{case}: expired at 100 restarts"
    );
    assert_eq!(
        store.increment("c:alice:h1", 9_999, 20_000).await.unwrap(),
        2,
        "{case}: restarted counter lives to 10000"
    );
    assert_eq!(
        store.increment("c:alice:h1", 10_000, 20_000).await.unwrap(),
        1,
        "{case}: and expires then"
    );
}

async fn purge_expired_limit(store: Arc<dyn IdempotencyStore>) {
    let case = "idempotency purge_expired";
    for i in 0..5 {
        store
            .remember(&format!("old:{i}"), 0, 100 + i)
            .await
            .unwrap();
    }
    store.increment("old:counter", 0, 104).await.unwrap();
    for i in 0..3 {
        store
            .remember(&format!("live:{i}"), 0, 10_000)
            .await
            .unwrap();
    }
    assert_eq!(
        store.purge_expired(104, 2).await.unwrap(),
        2,
        "{case}: respects the limit"
    );
    assert_eq!(
        store.purge_expired(104, 100).await.unwrap(),
        4,
        "{case}: the rest (expires_at <= now)"
    );
    assert_eq!(
        store.purge_expired(104, 100).await.unwrap(),
        0,
        "{case}: nothing left"
    );
    for i in 0..3 {
        assert_eq!(
            store
                .remember(&format!("live:{i}"), 200, 10_000)
                .await
                .unwrap(),
            Remembered::Seen,
            "{case}: live kept"
        );
    }
    assert_eq!(
        store.remember("old:0", 200, 10_000).await.unwrap(),
        Remembered::New,
        "{case}: purged key is new"
    );
    assert_eq!(
        store.increment("old:counter", 200, 10_000).await.unwrap(),
        1,
        "{case}: purged counter restarts"
    );
}

async fn concurrent_remember_and_increment(store: Arc<dyn IdempotencyStore>) {
    let case = "idempotency concurrency";
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.remember("race", 0, 1_000).await.unwrap()
        }));
    }
    let mut news = 0;
    for t in tasks {
        if t.await.expect("task panicked") == Remembered::New {
            news += 1;
        }
    }
    assert_eq!(news, 1, "{case}: exactly one concurrent remember is New");

    let mut tasks = Vec::new();
    for _ in 0..16 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.increment("race:count", 0, 1_000).await.unwrap()
        }));
    }
    let mut values = BTreeSet::new();
    for t in tasks {
        values.insert(t.await.expect("task panicked"));
    }
    assert_eq!(
        values,
        (1..=16).collect::<BTreeSet<u64>>(),
        "{case}: concurrent increments are atomic"
    );
}

// ---- KeyProvider --------------------------------------------------------------------------

fn test_ctx(part: &str, entry: &str) -> EncryptionContext {
    EncryptionContext {
        workspace_id: "ws-test".into(),
        conversation_id: "conv-test".into(),
        part_id: part.into(),
        entry_id: entry.into(),
    }
}

/// Every `KeyProvider` behaviour: fresh keys, unwrap round trip, context binding (each field),
/// tampered or truncated wrapped keys, and seal/open through [`crate::crypto`].
pub async fn key_provider_suite(keys: &dyn KeyProvider) {
    let case = "key provider";
    let ctx = test_ctx("p1", "01HZZZTESTENTRY00000000001");
    let a = keys.generate_data_key(&ctx).await.unwrap();
    let b = keys.generate_data_key(&ctx).await.unwrap();
    assert!(!a.key_id.is_empty(), "{case}: key id set");
    assert_ne!(
        *a.plaintext, *b.plaintext,
        "{case}: a fresh data key per call"
    );
    assert_ne!(a.wrapped, b.wrapped, "{case}: fresh wrapped keys");
    assert!(
        !a.wrapped.windows(32).any(|w| w == a.plaintext.as_slice()),
        "{case}: wrapped form must not contain the key"
    );
    let back = keys
        .decrypt_data_key(&a.key_id, &a.wrapped, &ctx)
        .await
        .unwrap();
    assert_eq!(*back, *a.plaintext, "{case}: unwrap returns the same key");

    // Each context field is bound.
    let variants = [
        EncryptionContext {
            workspace_id: "ws-other".into(),
            ..ctx.clone()
        },
        EncryptionContext {
            conversation_id: "conv-other".into(),
            ..ctx.clone()
        },
        EncryptionContext {
            part_id: "p2".into(),
            ..ctx.clone()
        },
        EncryptionContext {
            entry_id: "01HZZZTESTENTRY00000000002".into(),
            ..ctx.clone()
        },
    ];
    for other in &variants {
        match keys.decrypt_data_key(&a.key_id, &a.wrapped, other).await {
            Err(KeyError::Unwrap) => {}
            Ok(_) => panic!("{case}: unwrapped under a different encryption context"),
            Err(e) => panic!("{case}: wrong context should be KeyError::Unwrap, got {e}"),
        }
    }
    // Tampered wrapped key: last byte (tag) and a middle byte.
    for pos in [a.wrapped.len() - 1, a.wrapped.len() / 2] {
        let mut t = a.wrapped.clone();
        t[pos] ^= 0x01;
        assert!(
            matches!(
                keys.decrypt_data_key(&a.key_id, &t, &ctx).await,
                Err(KeyError::Unwrap)
            ),
            "{case}: tampered wrapped key (byte {pos}) must be KeyError::Unwrap"
        );
    }
    assert!(
        keys.decrypt_data_key(&a.key_id, &a.wrapped[..a.wrapped.len() - 1], &ctx)
            .await
            .is_err(),
        "{case}: truncated wrapped key"
    );
    assert!(
        keys.decrypt_data_key(&a.key_id, &[], &ctx).await.is_err(),
        "{case}: empty wrapped key"
    );

    // Seal and open through the crypto layer.
    let content = sample_content(&["4111111111111111", "536-22-1120"]);
    let blob = seal(keys, &ctx, &content).await.unwrap();
    assert_eq!(
        open(keys, &ctx, &blob).await.unwrap(),
        content,
        "{case}: seal/open round trip"
    );
    let other = &variants[3];
    assert!(
        matches!(
            open(keys, other, &blob).await,
            Err(VaultError::Key(KeyError::Unwrap)) | Err(VaultError::Open)
        ),
        "{case}: another entry's context must not open the blob"
    );
    let mut t: SealedBlob = blob.clone();
    t.nonce[11] ^= 1;
    assert!(
        matches!(open(keys, &ctx, &t).await, Err(VaultError::Open)),
        "{case}: tampered nonce"
    );
    let mut t = blob.clone();
    t.ciphertext[0] ^= 1;
    assert!(
        matches!(open(keys, &ctx, &t).await, Err(VaultError::Open)),
        "{case}: tampered ciphertext"
    );
}
