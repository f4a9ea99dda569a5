//! AWS calls per processed part (issue 3, "Numbers"), counted by the SDK interceptor on
//! moto: what one part with findings costs (seal → put entry → append audit event), and that
//! building the adapters costs nothing. Prints the counts for the record.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

mod common;

use std::collections::BTreeMap;

use dlp_audit::AuditLog;
use dlp_audit::testkit::sample_event;
use dlp_aws::{
    CallCounter, DynamoAuditLog, DynamoIdempotencyStore, DynamoVaultStore, KmsKeyProvider,
};
use dlp_vault::testkit::{sample_content, sample_entry};
use dlp_vault::{EncryptionContext, PutOutcome, VaultStore, seal};

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_part_with_findings_costs_three_calls_when_warm() {
    // Tables and key are made through an uncounted client.
    let setup = common::clients(None);
    let vault_table = common::table(&setup, &dlp_aws::VAULT_TABLE, "vault").await;
    let audit_table = common::table(&setup, &dlp_aws::AUDIT_TABLE, "audit").await;
    let idem_table = common::table(&setup, &dlp_aws::IDEMPOTENCY_TABLE, "idem").await;
    let key_id = common::kms_key(&setup).await;

    let counter = CallCounter::new();
    let c = common::clients(Some(&counter));
    let vault = DynamoVaultStore::new(c.dynamodb().clone(), &vault_table);
    let audit = DynamoAuditLog::new(c.dynamodb().clone(), &audit_table, 8);
    let keys = KmsKeyProvider::new(c.kms().clone(), &key_id);
    let _idem = DynamoIdempotencyStore::new(c.dynamodb().clone(), &idem_table);
    assert_eq!(
        counter.total(),
        0,
        "building clients and adapters makes no AWS call"
    );

    // One part with findings, as scan-redact processes it.
    async fn process(
        vault: &DynamoVaultStore,
        audit: &DynamoAuditLog,
        keys: &KmsKeyProvider,
        part: &str,
        nth: u32,
    ) {
        let mut e = sample_entry("ws", "conv", part, 1_000, 9_000);
        let ctx = EncryptionContext::new(&e.part, &e.id);
        e.sealed = seal(keys, &ctx, &sample_content(&["4111111111111111"]))
            .await
            .unwrap();
        assert_eq!(vault.put_if_absent(&e).await.unwrap(), PutOutcome::Inserted);
        let mut ev = sample_event(
            1_000,
            "system:scan-redact",
            dlp_audit::Action::FindingDetected,
            Some("conv"),
        );
        // Both events on chain 0, so the second append finds the head the first one cached.
        ev.id = id_on_chain0(nth);
        audit.append(ev).await.unwrap();
    }

    // First part on a fresh process: the chain head is not cached yet and is read once.
    process(&vault, &audit, &keys, "p1", 0).await;
    let cold = counter.snapshot();
    println!("AWS calls, first part with findings (cold process): {cold:?}");
    assert_eq!(
        cold,
        counts(&[
            ("kms:GenerateDataKey", 1),
            ("dynamodb:TransactWriteItems", 2),
            ("dynamodb:GetItem", 1),
        ]),
        "cold: one GenerateDataKey, one vault write, one audit transaction, one head read"
    );

    // Every later part in the same process: exactly the target.
    counter.reset();
    process(&vault, &audit, &keys, "p2", 1).await;
    let warm = counter.snapshot();
    println!("AWS calls, next part with findings (warm process): {warm:?}");
    assert_eq!(warm.get("kms:GenerateDataKey"), Some(&1), "{warm:?}");
    assert_eq!(
        warm.get("dynamodb:TransactWriteItems"),
        Some(&2),
        "{warm:?}"
    );
    assert_eq!(
        counter.total(),
        3,
        "warm: GenerateDataKey + vault write + audit transaction: {warm:?}"
    );

    // Reprocessing the same part: the put finds the existing entry without a second write
    // of the entry (the failed transaction is the one write attempt).
    counter.reset();
    let mut again = sample_entry("ws", "conv", "p1", 2_000, 9_000);
    again.sealed.wrapped_key = vec![1];
    match vault.put_if_absent(&again).await.unwrap() {
        PutOutcome::Existing(_) => {}
        PutOutcome::Inserted => panic!("reprocessed part inserted twice"),
    }
    println!(
        "AWS calls, put_if_absent of an already vaulted part: {:?}",
        counter.snapshot()
    );
    assert_eq!(counter.get("dynamodb:TransactWriteItems"), 1);
}

/// The `nth` synthetic event id (in id order) that `chain_for` puts on chain 0 of 8.
fn id_on_chain0(nth: u32) -> String {
    (0u64..)
        .map(|i| format!("01HCOUNT{i:018}"))
        .filter(|id| dlp_audit::chain::chain_for(id, 8) == 0)
        .nth(nth as usize)
        .unwrap()
}
