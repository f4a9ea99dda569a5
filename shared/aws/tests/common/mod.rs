//! Shared setup for the tests against moto's server: clients on DLP_TEST_AWS_ENDPOINT and
//! fresh, uniquely named tables and keys per test (tests run in parallel).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use dlp_aws::{
    AUDIT_TABLE, AwsClients, CallCounter, DynamoAuditLog, DynamoIdempotencyStore, DynamoVaultStore,
    IDEMPOTENCY_TABLE, KmsKeyProvider, TableSpec, VAULT_TABLE, create_table,
};

/// The emulator endpoint. Tests never skip: without it they fail, saying how to run them.
pub fn endpoint() -> String {
    match std::env::var("DLP_TEST_AWS_ENDPOINT") {
        Ok(v) if !v.is_empty() => {
            assert!(
                v.starts_with("http://127.0.0.1:") || v.starts_with("http://localhost:"),
                "DLP_TEST_AWS_ENDPOINT must be a loopback address, got {v}"
            );
            v
        }
        _ => panic!(
            "DLP_TEST_AWS_ENDPOINT is not set: these tests need moto's server \
             (run scripts/test.sh, or start `moto_server -H 127.0.0.1 -p PORT` and export \
             DLP_TEST_AWS_ENDPOINT=http://127.0.0.1:PORT)"
        ),
    }
}

pub fn clients(counter: Option<&CallCounter>) -> AwsClients {
    AwsClients::for_endpoint(&endpoint(), "us-east-1", "testing", "testing", counter)
}

pub fn unique(kind: &str) -> String {
    format!(
        "dlp-test-{kind}-{}",
        ulid::Ulid::new().to_string().to_lowercase()
    )
}

pub async fn table(c: &AwsClients, spec: &TableSpec, kind: &str) -> String {
    let name = unique(kind);
    create_table(c.dynamodb(), spec, &name, None)
        .await
        .unwrap_or_else(|e| panic!("creating table {name}: {e}"));
    name
}

pub async fn vault_store(c: &AwsClients) -> (DynamoVaultStore, String) {
    let name = table(c, &VAULT_TABLE, "vault").await;
    (DynamoVaultStore::new(c.dynamodb().clone(), &name), name)
}

pub async fn idempotency_store(c: &AwsClients) -> (DynamoIdempotencyStore, String) {
    let name = table(c, &IDEMPOTENCY_TABLE, "idem").await;
    (
        DynamoIdempotencyStore::new(c.dynamodb().clone(), &name),
        name,
    )
}

pub async fn audit_log(c: &AwsClients, chains: u16) -> (DynamoAuditLog, String) {
    let name = table(c, &AUDIT_TABLE, "audit").await;
    (
        DynamoAuditLog::new(c.dynamodb().clone(), &name, chains),
        name,
    )
}

/// A new symmetric KMS key on the emulator; returns its id.
pub async fn kms_key(c: &AwsClients) -> String {
    let out = c
        .kms()
        .create_key()
        .description("dlp-aws test vault key")
        .send()
        .await
        .expect("CreateKey on the emulator");
    out.key_metadata()
        .expect("key metadata")
        .key_id()
        .to_owned()
}

pub async fn key_provider(c: &AwsClients) -> KmsKeyProvider {
    KmsKeyProvider::new(c.kms().clone(), kms_key(c).await)
}

/// Every raw item of a table, through a plain paginated Scan.
pub async fn scan_all(
    c: &AwsClients,
    table: &str,
) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let page = c
            .dynamodb()
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("Scan");
        out.extend(page.items.unwrap_or_default());
        match page.last_evaluated_key {
            Some(k) if !k.is_empty() => start = Some(k),
            _ => return out,
        }
    }
}
