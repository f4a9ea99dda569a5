//! The retention-purge binary through the Lambda runtime API (`cargo lambda`), with the sample
//! events in `events/retention-purge/`, against moto: the dry run reports and keeps, the
//! scheduled run deletes what is due (and only that) and writes one `vault.purged` event.
//! Reuses the harness of functions/webhook-ingest/tests/support.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../webhook-ingest/tests/support/mod.rs"]
mod support;

use dlp_audit::{Action, AuditLog, AuditQuery};
use dlp_aws::{DynamoAuditLog, DynamoVaultStore};
use dlp_vault::VaultStore;
use support::*;

#[tokio::test(flavor = "multi_thread")]
async fn sample_events_through_the_runtime_api() {
    let sdk = sdk_config();
    let stack = create_stack(&sdk, &unique("dlp-purge")).await;
    let ddb = aws_sdk_dynamodb::Client::new(&sdk);
    let vault = DynamoVaultStore::new(ddb.clone(), &stack.vault_table);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let day = 86_400_000;
    let mut due = Vec::new();
    for i in 0..5 {
        let e = dlp_vault::testkit::sample_entry(
            "ws1",
            "c1",
            &format!("old{i}"),
            now - 40 * day,
            now - 10 * day,
        );
        vault.put_if_absent(&e).await.unwrap();
        due.push(e);
    }
    let keep = dlp_vault::testkit::sample_entry("ws1", "c1", "fresh", now - day, now + 29 * day);
    vault.put_if_absent(&keep).await.unwrap();

    let tmp = std::env::temp_dir().join(unique("dlp-purge-logs"));
    std::fs::create_dir_all(&tmp).unwrap();
    let port = free_port();
    let _api = start_runtime_api(port, &tmp.join("watch.log"));
    let mut function = start_function(
        env!("CARGO_BIN_EXE_retention-purge"),
        port,
        &stack.env(),
        &tmp.join("retention-purge.log"),
    );
    let event = |f: &str| workspace_root().join("events/retention-purge").join(f);

    let dry = invoke(port, &event("dry-run.json"));
    function.assert_running();
    assert_eq!(dry["dry_run"], true, "{dry}");
    assert_eq!(dry["entries"], 5, "{dry}");
    assert!(dry["audit_event_id"].is_null());
    for e in &due {
        assert!(vault.get(&e.id).await.unwrap().is_some());
    }

    let run = invoke(port, &event("scheduled.json"));
    function.assert_running();
    assert_eq!(run["dry_run"], false, "{run}");
    assert_eq!(run["entries"], 5, "{run}");
    assert_eq!(run["complete"], true, "{run}");
    assert_eq!(run["by_entity"]["CREDIT_CARD"], 10);
    for e in &due {
        assert!(vault.get(&e.id).await.unwrap().is_none());
    }
    assert_eq!(vault.get(&keep.id).await.unwrap().as_ref(), Some(&keep));

    let audit = DynamoAuditLog::new(ddb, &stack.audit_table, 8);
    let events = dlp_audit::testkit::query_all(
        &audit as &dyn AuditLog,
        &AuditQuery {
            action: Some(Action::VaultPurged),
            ..AuditQuery::default()
        },
        10,
    )
    .await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.id, run["audit_event_id"].as_str().unwrap());
    assert_eq!(events[0].event.counts["entries"], 5);
}
