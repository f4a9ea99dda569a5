//! The purge against DynamoDB on moto's server (DLP_TEST_AWS_ENDPOINT; fails loudly when
//! unset): exact expiry with an injected clock, idempotency records, one audit event per run,
//! and two runs at once deleting each entry once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use dlp_audit::{Action, AuditLog, AuditQuery};
use dlp_aws::{
    AUDIT_TABLE, AwsClients, DynamoAuditLog, DynamoIdempotencyStore, DynamoVaultStore,
    IDEMPOTENCY_TABLE, TableSpec, VAULT_TABLE, create_table,
};
use dlp_service::clock::ManualClock;
use dlp_service::retention::{PurgeOptions, Retention};
use dlp_vault::testkit::sample_entry;
use dlp_vault::{IdempotencyStore, PageRequest, Remembered, VaultStore};

const T: i64 = 1_800_000_000_000;

fn clients() -> AwsClients {
    let endpoint = match std::env::var("DLP_TEST_AWS_ENDPOINT") {
        Ok(v) if v.starts_with("http://127.0.0.1:") || v.starts_with("http://localhost:") => v,
        Ok(v) if !v.is_empty() => panic!("DLP_TEST_AWS_ENDPOINT must be loopback, got {v}"),
        _ => panic!(
            "DLP_TEST_AWS_ENDPOINT is not set: this test needs moto's server (run \
             scripts/test.sh, or start `moto_server -H 127.0.0.1 -p PORT` and export \
             DLP_TEST_AWS_ENDPOINT=http://127.0.0.1:PORT)"
        ),
    };
    AwsClients::for_endpoint(&endpoint, "us-east-1", "testing", "testing", None)
}

async fn table(c: &AwsClients, spec: &TableSpec, kind: &str) -> String {
    let name = format!(
        "dlp-purge-{kind}-{}",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    create_table(c.dynamodb(), spec, &name, None).await.unwrap();
    name
}

struct Stores {
    vault: Arc<DynamoVaultStore>,
    idem: Arc<DynamoIdempotencyStore>,
    audit: Arc<DynamoAuditLog>,
}

async fn stores() -> Stores {
    let c = clients();
    Stores {
        vault: Arc::new(DynamoVaultStore::new(
            c.dynamodb().clone(),
            table(&c, &VAULT_TABLE, "vault").await,
        )),
        idem: Arc::new(DynamoIdempotencyStore::new(
            c.dynamodb().clone(),
            table(&c, &IDEMPOTENCY_TABLE, "idem").await,
        )),
        audit: Arc::new(DynamoAuditLog::new(
            c.dynamodb().clone(),
            table(&c, &AUDIT_TABLE, "audit").await,
            4,
        )),
    }
}

fn retention(s: &Stores, clock: &ManualClock) -> Retention {
    Retention {
        vault: s.vault.clone(),
        idempotency: s.idem.clone(),
        audit: s.audit.clone(),
        clock: Arc::new(clock.clone()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_on_dynamodb_is_exact_audited_and_concurrency_safe() {
    let s = stores().await;
    let early = sample_entry("ws1", "c1", "p-early", T - 10_000, T - 1);
    let exact = sample_entry("ws1", "c1", "p-exact", T - 9_000, T);
    let later = sample_entry("ws1", "c1", "p-later", T - 8_000, T + 1);
    for e in [&early, &exact, &later] {
        s.vault.put_if_absent(e).await.unwrap();
    }
    s.idem.remember("dedup:a", T - 5, T).await.unwrap();
    s.idem.remember("dedup:b", T - 5, T + 1).await.unwrap();

    let clock = ManualClock::new(T);
    // Dry run first: reports two, deletes nothing.
    let dry = retention(&s, &clock)
        .purge(&PurgeOptions {
            dry_run: true,
            ..PurgeOptions::default()
        })
        .await
        .unwrap();
    assert_eq!(dry.entries, 2);
    assert!(s.vault.get(&early.id).await.unwrap().is_some());

    let report = retention(&s, &clock)
        .purge(&PurgeOptions::default())
        .await
        .unwrap();
    assert_eq!(report.entries, 2);
    assert_eq!(report.idempotency_records, 1);
    assert!(s.vault.get(&early.id).await.unwrap().is_none());
    assert!(s.vault.get(&exact.id).await.unwrap().is_none());
    assert_eq!(s.vault.get(&later.id).await.unwrap().as_ref(), Some(&later));
    assert_eq!(
        s.idem.remember("dedup:b", T, T + 1).await.unwrap(),
        Remembered::Seen
    );

    // Many entries, two runs at once, small pages: each entry deleted exactly once.
    for i in 0..30 {
        s.vault
            .put_if_absent(&sample_entry(
                "ws1",
                "c2",
                &format!("p{i}"),
                T - 5_000,
                T - 2,
            ))
            .await
            .unwrap();
    }
    let opts = PurgeOptions {
        page_size: 4,
        concurrency: 3,
        ..PurgeOptions::default()
    };
    let r = retention(&s, &clock);
    let (a, b) = tokio::join!(r.purge(&opts), r.purge(&opts));
    assert_eq!(a.unwrap().entries + b.unwrap().entries, 30);
    let left = s
        .vault
        .list_expired(
            T,
            &PageRequest {
                cursor: None,
                limit: 100,
            },
        )
        .await
        .unwrap();
    assert!(left.items.is_empty());

    let events = dlp_audit::testkit::query_all(
        s.audit.as_ref() as &dyn AuditLog,
        &AuditQuery {
            action: Some(Action::VaultPurged),
            ..AuditQuery::default()
        },
        50,
    )
    .await;
    assert_eq!(events.len(), 3, "one per non-dry run");
    assert_eq!(
        events
            .iter()
            .map(|e| e.event.counts["entries"])
            .sum::<u64>(),
        32
    );
    assert!(events.iter().all(|e| e.event.entry_ids.is_empty()));
    assert!(
        dlp_audit::verify(s.audit.as_ref() as &dyn AuditLog)
            .await
            .unwrap()
            .is_intact()
    );
}
