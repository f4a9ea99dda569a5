//! Audit queries on DynamoDB (moto): every filter and combination through cursor pages of
//! several sizes, against the expected selection computed from what was appended; the stored
//! form round-trips through query and scan_chain; bad cursors are refused. (The shared suite
//! checks the same; this keeps the index-selection and merge logic covered in CI while the
//! suite cannot run on moto — see ports.rs.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use dlp_audit::testkit::{query_all, sample_event};
use dlp_audit::{Action, AuditLog, AuditQuery, Outcome, PageRequest, StoredEvent, verify};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_select_and_page_like_the_port_says() {
    let c = common::clients(None);
    let (log, _) = common::audit_log(&c, 8).await;
    let actors = ["system:scan-redact", "user:alice", "user:bob"];
    let actions = [
        Action::FindingDetected,
        Action::PartRedacted,
        Action::FindingRevealed,
    ];
    let convs = [Some("c1"), Some("c#2"), None];
    let mut all: Vec<StoredEvent> = Vec::new();
    for i in 0..36usize {
        // Every time appears twice, out of insertion order.
        let t = 10_000 + ((i as i64 * 7) % 18) * 10;
        let ev = sample_event(
            t,
            actors[i % 3],
            actions[(i / 3) % 3].clone(),
            convs[(i / 2) % 3],
        );
        all.push(log.append(ev).await.unwrap());
    }
    all.sort_by(|a, b| (a.event.time, &a.event.id).cmp(&(b.event.time, &b.event.id)));
    type Pred = Box<dyn Fn(&StoredEvent) -> bool>;
    let cases: Vec<(&str, AuditQuery, Pred)> = vec![
        ("all", AuditQuery::default(), Box::new(|_| true)),
        (
            "time",
            AuditQuery {
                since: Some(10_040),
                until: Some(10_120),
                ..Default::default()
            },
            Box::new(|e| (10_040..10_120).contains(&e.event.time)),
        ),
        (
            "actor",
            AuditQuery {
                actor: Some("user:alice".into()),
                ..Default::default()
            },
            Box::new(|e| e.event.actor == "user:alice"),
        ),
        (
            "action + until",
            AuditQuery {
                action: Some(Action::PartRedacted),
                until: Some(10_100),
                ..Default::default()
            },
            Box::new(|e| e.event.action == Action::PartRedacted && e.event.time < 10_100),
        ),
        (
            "conversation with a separator + actor",
            AuditQuery {
                conversation_id: Some("c#2".into()),
                actor: Some("user:bob".into()),
                ..Default::default()
            },
            Box::new(|e| {
                e.event.conversation_id.as_deref() == Some("c#2") && e.event.actor == "user:bob"
            }),
        ),
        (
            "conversation + action + since",
            AuditQuery {
                conversation_id: Some("c1".into()),
                action: Some(Action::FindingDetected),
                since: Some(10_050),
                ..Default::default()
            },
            Box::new(|e| {
                e.event.conversation_id.as_deref() == Some("c1")
                    && e.event.action == Action::FindingDetected
                    && e.event.time >= 10_050
            }),
        ),
        (
            "nothing",
            AuditQuery {
                actor: Some("user:nobody".into()),
                ..Default::default()
            },
            Box::new(|_| false),
        ),
    ];
    for (name, q, pred) in &cases {
        let want: Vec<&str> = all
            .iter()
            .filter(|e| pred(e))
            .map(|e| e.event.id.as_str())
            .collect();
        assert!(
            *name == "nothing" || !want.is_empty(),
            "{name}: fixture selects something"
        );
        for limit in [1u32, 4, 1_000] {
            let got = query_all(&log, q, limit).await;
            let got: Vec<&str> = got.iter().map(|e| e.event.id.as_str()).collect();
            assert_eq!(
                got, want,
                "{name}, limit {limit}: matches, oldest first (time, id)"
            );
        }
    }
    // Stored form unchanged through query and scan_chain.
    let everything = query_all(&log, &AuditQuery::default(), 1_000).await;
    assert_eq!(everything, all);
    let first = &all[0];
    let chain = log.scan_chain(first.chain, 0, 1_000).await.unwrap();
    assert!(chain.contains(first));
    assert!(verify(&log).await.unwrap().is_intact());
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
        assert!(r.is_err(), "cursor {bad:?} accepted");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_field_round_trips() {
    let c = common::clients(None);
    let (log, _) = common::audit_log(&c, 8).await;
    let mut ev = sample_event(
        -5,
        "user:reviewer",
        Action::Other("custom.action".into()),
        Some("conv/ü,\"x\""),
    );
    ev.workspace_id = None;
    ev.part_id = Some(String::new());
    ev.entry_ids = vec!["E1".into(), "E2".into()];
    ev.entity_kinds = vec![];
    ev.outcome = Outcome::Denied;
    ev.reason = Some("a reason, with \"quotes\"\nand a newline".into());
    ev.request_id = None;
    ev.counts.insert("US_SSN".into(), u64::MAX);
    let stored = log.append(ev).await.unwrap();
    assert_eq!(
        query_all(&log, &AuditQuery::default(), 10).await,
        vec![stored.clone()]
    );
    assert_eq!(
        log.scan_chain(stored.chain, 0, 10).await.unwrap(),
        vec![stored]
    );
}
