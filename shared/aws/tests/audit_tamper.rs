//! Audit tamper evidence and concurrency on DynamoDB (moto): editing or deleting a stored
//! event item makes `verify` name it; writers in separate processes (separate adapter
//! instances, each with its own head cache) interleave without losing or forking events.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use dlp_audit::testkit::{assert_names_break, query_all, sample_event};
use dlp_audit::{Action, AuditLog, AuditQuery, StoredEvent, verify};

async fn fill(log: &dyn AuditLog, n: i64) -> BTreeMap<u16, Vec<StoredEvent>> {
    let mut by_chain: BTreeMap<u16, Vec<StoredEvent>> = BTreeMap::new();
    for i in 0..n {
        let ev = sample_event(
            10_000 + i,
            "system:scan-redact",
            Action::PartRedacted,
            Some("c1"),
        );
        let st = log.append(ev).await.unwrap();
        by_chain.entry(st.chain).or_default().push(st);
    }
    by_chain
}

fn key(chain: u16, seq: u64) -> std::collections::HashMap<String, AttributeValue> {
    std::collections::HashMap::from([
        ("pk".to_owned(), AttributeValue::S(format!("CH#{chain}"))),
        ("sk".to_owned(), AttributeValue::N(seq.to_string())),
    ])
}

/// A chain with at least three events, and its events.
fn victim_chain(by_chain: &BTreeMap<u16, Vec<StoredEvent>>) -> (u16, Vec<StoredEvent>) {
    let (c, evs) = by_chain
        .iter()
        .find(|(_, v)| v.len() >= 3)
        .expect("some chain has three events");
    (*c, evs.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_an_event_item_is_named_by_verify() {
    let c = common::clients(None);
    let (log, table) = common::audit_log(&c, 8).await;
    let by_chain = fill(&log, 40).await;
    assert!(verify(&log).await.unwrap().is_intact());
    let (chain, evs) = victim_chain(&by_chain);
    let victim = &evs[1];
    // An insider rewrites who did it, directly in the table.
    c.dynamodb()
        .update_item()
        .table_name(&table)
        .set_key(Some(key(chain, victim.seq)))
        .update_expression("SET actor = :a")
        .expression_attribute_values(":a", AttributeValue::S("user:someone-else".into()))
        .send()
        .await
        .unwrap();
    assert_names_break(
        &log,
        chain,
        victim.seq,
        Some(&victim.event.id),
        "hash_mismatch",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_an_event_item_is_named_by_verify() {
    let c = common::clients(None);
    let (log, table) = common::audit_log(&c, 8).await;
    let by_chain = fill(&log, 40).await;
    let (chain, evs) = victim_chain(&by_chain);
    let victim = &evs[1];
    c.dynamodb()
        .delete_item()
        .table_name(&table)
        .set_key(Some(key(chain, victim.seq)))
        .send()
        .await
        .unwrap();
    assert_names_break(&log, chain, victim.seq, Some(&evs[2].event.id), "seq_gap").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_the_newest_event_is_named_by_verify() {
    let c = common::clients(None);
    let (log, table) = common::audit_log(&c, 8).await;
    let by_chain = fill(&log, 24).await;
    let (chain, evs) = victim_chain(&by_chain);
    let last = evs.last().unwrap();
    c.dynamodb()
        .delete_item()
        .table_name(&table)
        .set_key(Some(key(chain, last.seq)))
        .send()
        .await
        .unwrap();
    // The head still names the deleted event: the tail deletion is visible.
    assert_names_break(&log, chain, last.seq, None, "head_mismatch").await;
}

/// Appends per writer in the multi-instance case.
const PER_WRITER: usize = 25;

/// Eight adapter instances (eight processes, each with its own head cache) append to the
/// same chains in turn, so every instance keeps linking after a head another one has moved:
/// each stale head must be detected by the transaction condition and re-linked, never
/// forked or lost. The turns are taken one at a time on purpose: moto gives transactions no
/// isolation (a failed transaction restores a whole-table snapshot that can undo a
/// concurrent one's writes), so truly simultaneous conflicting transactions would test the
/// emulator, not the adapter. Simultaneous writers through one instance are covered by the
/// shared suite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_with_stale_heads_relink_without_losing_events() {
    let counter = dlp_aws::CallCounter::new();
    let c = common::clients(Some(&counter));
    let (first, table) = common::audit_log(&c, 8).await;
    let mut logs: Vec<Arc<dyn AuditLog>> = vec![Arc::new(first)];
    for _ in 1..8 {
        logs.push(Arc::new(dlp_aws::DynamoAuditLog::new(
            c.dynamodb().clone(),
            &table,
            8,
        )));
    }
    counter.reset();
    let mut expected = BTreeSet::new();
    for i in 0..PER_WRITER {
        for (w, log) in logs.iter().enumerate() {
            let ev = sample_event(
                2_000_000 + (i * 8 + w) as i64,
                &format!("system:container-{w}"),
                Action::FindingDetected,
                Some("c"),
            );
            expected.insert(ev.id.clone());
            log.append(ev).await.unwrap();
        }
    }
    let total = 8 * PER_WRITER;
    let transactions = counter.get("dynamodb:TransactWriteItems") as usize;
    assert!(
        transactions > total,
        "stale heads must have been hit and retried ({transactions} transactions for {total} events)"
    );
    let reader = logs[0].clone();
    let got = query_all(reader.as_ref(), &AuditQuery::default(), 1_000).await;
    let got_ids: BTreeSet<String> = got.iter().map(|e| e.event.id.clone()).collect();
    assert_eq!(got_ids.len(), got.len(), "no event stored twice");
    assert_eq!(got_ids, expected, "every event present");
    let report = verify(reader.as_ref()).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.first_break());
    assert_eq!(report.verified as usize, total);
}
