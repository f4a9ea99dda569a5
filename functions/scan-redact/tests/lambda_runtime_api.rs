//! The scan-redact binary through the Lambda runtime API (`cargo lambda`), with the sample
//! SQS batches in `events/scan-redact/`, against moto (DynamoDB, KMS, Secrets Manager) and the
//! Intercom fake. Checks the partial batch failures, the vault entry really written to
//! DynamoDB, the requests the fake received, a bare answer read with the question before it,
//! `redaction_failed` on the last attempt, and that no planted value reaches the function's
//! logs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../webhook-ingest/tests/support/mod.rs"]
mod support;

use dlp_aws::DynamoVaultStore;
use dlp_intercom::fake::{Failure, FakeIntercom};
use dlp_vault::{EntryStatus, PartRef, VaultStore};
use support::*;

const POISON_ID: &str = "5f1c2a9e-0002-4c1b-8e0a-6f2d9b1a7c02";
const LAST_ID: &str = "5f1c2a9e-0003-4c1b-8e0a-6f2d9b1a7c03";

fn event(name: &str) -> std::path::PathBuf {
    workspace_root().join("events/scan-redact").join(name)
}

/// The conversation a sample webhook delivered (the fake must know it to redact it).
fn conversation(id: &str, part_id: &str) -> serde_json::Value {
    let path = workspace_root().join("events/webhook-ingest/user-replied-signed.json");
    let request: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let body: serde_json::Value = serde_json::from_str(request["body"].as_str().unwrap()).unwrap();
    let mut c = body["data"]["item"].clone();
    c["id"] = id.into();
    c["source"]["id"] = format!("9{id}").into();
    c["conversation_parts"]["conversation_parts"][0]["id"] = part_id.into();
    c
}

fn failures(answer: &serde_json::Value) -> Vec<String> {
    answer["batchItemFailures"]
        .as_array()
        .unwrap_or_else(|| panic!("not a batch response: {answer}"))
        .iter()
        .map(|f| f["itemIdentifier"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn sample_batches_through_the_runtime_api() {
    let sdk = sdk_config();
    let stack = create_stack(&sdk, &unique("dlp-scan")).await;
    let fake = FakeIntercom::start(TOKEN).await;
    fake.seed_conversation(conversation("1911149811", "7051001"));
    fake.seed_conversation(conversation("1911149813", "7051003"));
    // batch-answer.json: the agent's question, then the bare answer the job delivers.
    let mut asked = conversation("1911149815", "7051004");
    asked["conversation_parts"]["conversation_parts"][0]["author"] =
        serde_json::json!({"type": "admin", "id": "5"});
    asked["conversation_parts"]["conversation_parts"][0]["body"] =
        "<p>Thanks Pat Doe. To verify you, what is your SSN?</p>".into();
    asked["conversation_parts"]["conversation_parts"]
        .as_array_mut()
        .unwrap()
        .push(
            serde_json::json!({"type": "conversation_part", "id": "7051005",
            "part_type": "comment", "body": "<p>536221457</p>",
            "author": {"type": "user", "id": "6762f1261bb69f9f2193bba7"}}),
        );
    asked["conversation_parts"]["total_count"] = 2.into();
    fake.seed_conversation(asked);

    let tmp = std::env::temp_dir().join(unique("dlp-scan-logs"));
    std::fs::create_dir_all(&tmp).unwrap();
    let port = free_port();
    let _api = start_runtime_api(port, &tmp.join("watch.log"));
    let mut env = stack.env();
    env.push(("DLP_INTERCOM_URL".into(), fake.base_url()));
    env.push(("DLP_MODE".into(), "redact".into()));
    env.push(("DLP_INTERCOM_RATE_PER_MINUTE".into(), "60000".into()));
    let fn_log = tmp.join("scan-redact.log");
    let mut function = start_function(env!("CARGO_BIN_EXE_scan-redact"), port, &env, &fn_log);

    // A good record and a poison record: only the poison one is reported.
    let answer = invoke(port, &event("batch-with-poison.json"));
    function.assert_running();
    assert_eq!(failures(&answer), [POISON_ID], "{answer}");

    let vault = DynamoVaultStore::new(aws_sdk_dynamodb::Client::new(&sdk), &stack.vault_table);
    let part = |conv: &str, part: &str| PartRef {
        workspace_id: "a86dr8yl".into(),
        conversation_id: conv.into(),
        part_id: part.into(),
    };
    let entry = vault
        .get_by_part(&part("1911149811", "7051001"))
        .await
        .unwrap()
        .expect("a vault entry in DynamoDB");
    assert_eq!(entry.status, EntryStatus::Redacted);
    assert!(entry.entities.contains_key("US_SSN") && entry.entities.contains_key("CREDIT_CARD"));
    let redactions = fake.requests_matching("POST /conversations/redact");
    assert_eq!(redactions.len(), 1);
    assert_eq!(
        redactions[0].body.as_ref().unwrap()["conversation_part_id"],
        "7051001"
    );
    assert_eq!(
        fake.requests_matching("POST /conversations/1911149811/reply")
            .len(),
        1,
        "one note"
    );
    assert!(
        !fake
            .requests_matching("POST /conversations/1911149811/tags")
            .is_empty()
    );

    // The same job again (at-least-once delivery): nothing repeated in Intercom.
    let answer = invoke(port, &event("batch-one-job.json"));
    assert!(failures(&answer).is_empty(), "{answer}");
    assert_eq!(
        fake.requests_matching("POST /conversations/redact").len(),
        1
    );

    // A bare answer: the conversation is read for the question, and the answer is an SSN.
    let answer = invoke(port, &event("batch-answer.json"));
    assert!(failures(&answer).is_empty(), "{answer}");
    assert_eq!(
        fake.requests_matching("GET /conversations/1911149815")
            .len(),
        1
    );
    let entry = vault
        .get_by_part(&part("1911149815", "7051005"))
        .await
        .unwrap()
        .expect("a vault entry for the answer");
    assert_eq!(entry.status, EntryStatus::Redacted);
    assert_eq!(entry.entities.keys().collect::<Vec<_>>(), ["US_SSN"]);

    // The last delivery of a job Intercom keeps failing: reported, and the entry records
    // redaction_failed before the job goes to the dead-letter queue.
    fake.fail_always("POST /conversations/redact", Failure::ServerError);
    let answer = invoke(port, &event("batch-last-attempt.json"));
    function.assert_running();
    assert_eq!(failures(&answer), [LAST_ID], "{answer}");
    let entry = vault
        .get_by_part(&part("1911149813", "7051003"))
        .await
        .unwrap()
        .expect("a vault entry for the failing job");
    assert_eq!(entry.status, EntryStatus::RedactionFailed);

    drop(function);
    let logs = std::fs::read_to_string(&fn_log).unwrap();
    assert!(
        logs.contains("scan-redact ready"),
        "no startup line: {logs}"
    );
    assert!(
        logs.contains("poison record"),
        "poison record not logged: {logs}"
    );
    assert_no_planted(&fn_log);
    std::fs::remove_dir_all(&tmp).ok();
}
