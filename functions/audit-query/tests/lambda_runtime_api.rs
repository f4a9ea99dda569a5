//! The audit-query binary through the Lambda runtime API (`cargo lambda watch
//! --only-lambda-apis` + `cargo lambda invoke`) with every sample event in
//! `events/audit-query/`, against moto (DynamoDB with the infrastructure key, KMS vault key).
//! Reuses the harness of functions/webhook-ingest/tests/support.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../webhook-ingest/tests/support/mod.rs"]
mod support;

use std::sync::Arc;

use dlp_aws::{DynamoVaultStore, KmsKeyProvider};
use dlp_vault::{EncryptionContext, EntryId, KeyProvider, VaultStore};
use support::*;

const ENTRY_ID: &str = "01JF0000000000000000000001";
const SEALED_VALUE: &str = "4111111111111111";

#[tokio::test(flavor = "multi_thread")]
async fn sample_events_through_the_runtime_api() {
    let sdk = sdk_config();
    let stack = create_stack(&sdk, &unique("dlp-aq")).await;
    // One sealed entry under the stack's vault key, with the id the sample events name.
    let keys = Arc::new(KmsKeyProvider::new(
        aws_sdk_kms::Client::new(&sdk),
        stack.vault_key_id.clone(),
    ));
    let vault = DynamoVaultStore::new(aws_sdk_dynamodb::Client::new(&sdk), &stack.vault_table);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let mut entry =
        dlp_vault::testkit::sample_entry("ws1", "conv1", "part1", now, now + 86_400_000);
    entry.id = EntryId(ENTRY_ID.into());
    let content = dlp_vault::testkit::sample_content(&[SEALED_VALUE]);
    let ctx = EncryptionContext::new(&entry.part, &entry.id);
    entry.sealed = dlp_vault::seal(keys.as_ref() as &dyn KeyProvider, &ctx, &content)
        .await
        .unwrap();
    vault.put_if_absent(&entry).await.unwrap();

    let tmp = std::env::temp_dir().join(unique("dlp-aq-logs"));
    std::fs::create_dir_all(&tmp).unwrap();
    let port = free_port();
    let _api = start_runtime_api(port, &tmp.join("watch.log"));
    let fn_log = tmp.join("audit-query.log");
    let mut env = stack.env();
    env.push(("DLP_ROLES_CLAIM".into(), "roles".into()));
    let mut function = start_function(env!("CARGO_BIN_EXE_audit-query"), port, &env, &fn_log);

    let cases: &[(&str, u16)] = &[
        ("list-findings-auditor.json", 200),
        ("get-finding-auditor.json", 200),
        ("reveal-auditor-denied.json", 403),
        ("no-role-forbidden.json", 403),
        ("no-authorizer-unauthorized.json", 401),
        ("reveal-reviewer.json", 200),
        ("audit-events-auditor.json", 200),
        ("audit-export-auditor.json", 200),
        ("audit-verify-auditor.json", 200),
    ];
    for (file, status) in cases {
        let path = workspace_root().join("events/audit-query").join(file);
        let answer = invoke(port, &path);
        function.assert_running();
        assert_eq!(answer["statusCode"], *status, "{file}: {answer}");
        let cache = answer["headers"]["cache-control"]
            .as_str()
            .or_else(|| answer["multiValueHeaders"]["cache-control"][0].as_str());
        assert_eq!(cache, Some("no-store"), "{file}: {answer}");
        let body = answer["body"].as_str().unwrap_or("");
        match *file {
            "reveal-reviewer.json" => {
                let v: serde_json::Value = serde_json::from_str(body).unwrap();
                assert_eq!(v["original_text"], content.original_text.as_str());
                assert_eq!(v["findings"][0]["value"], SEALED_VALUE);
            }
            "audit-events-auditor.json" => {
                let v: serde_json::Value = serde_json::from_str(body).unwrap();
                let items = v["items"].as_array().unwrap();
                assert_eq!(items.len(), 1, "one finding.revealed so far");
                assert_eq!(items[0]["event"]["actor"], "user:alice@example.com");
                assert_eq!(items[0]["event"]["request_id"], "req-reveal-reviewer");
            }
            "audit-export-auditor.json" => {
                assert!(body.starts_with("id,time,time_ms,actor,action,"), "{body}");
                assert!(
                    body.contains("finding.reveal_denied") && body.contains("finding.revealed")
                );
                assert!(!body.contains(SEALED_VALUE));
            }
            "audit-verify-auditor.json" => {
                let v: serde_json::Value = serde_json::from_str(body).unwrap();
                assert_eq!(v["ok"], true);
                assert_eq!(v["verified"], 2);
            }
            _ => assert!(!body.contains(SEALED_VALUE), "{file} leaks"),
        }
    }
    // The function's own log holds no original value.
    let log = std::fs::read_to_string(&fn_log).unwrap();
    assert!(
        !log.contains(SEALED_VALUE),
        "the function log holds a sealed value"
    );
}
