//! The handler against every sample batch in `events/scan-redact/`, with the real scan
//! use-case, the real detector (policy mode `redact`), in-memory stores and the Intercom fake.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use dlp_audit::{AuditLog, AuditQuery, PageRequest as AuditPage};
use dlp_embedded::{MemoryAuditLog, MemoryKeyProvider, MemoryVaultStore};
use dlp_intercom::fake::{Failure, FakeIntercom};
use dlp_intercom::{ClientConfig, HttpIntercomClient, RetryPolicy};
use dlp_service::clock::SystemClock;
use dlp_service::engine::DetectorEngine;
use dlp_service::scan::ScanConfig;
use dlp_vault::{EntryStatus, PartRef, VaultStore};
use secrecy::SecretString;

use super::*;

const TOKEN: &str = "test-token";
const ADMIN: &str = "991267645";
const MAX_ATTEMPTS: u32 = 5;
const PLANTED: &[&str] = &[
    "536-22-1457",
    "536221457",
    "4111\u{a0}1111",
    "4111 1111",
    "Pat Doe",
];

const GOOD_ID: &str = "5f1c2a9e-0001-4c1b-8e0a-6f2d9b1a7c01";
const POISON_ID: &str = "5f1c2a9e-0002-4c1b-8e0a-6f2d9b1a7c02";
const LAST_ID: &str = "5f1c2a9e-0003-4c1b-8e0a-6f2d9b1a7c03";

/// (file, message ids reported as failures)
const EXPECTED: &[(&str, &[&str])] = &[
    ("batch-one-job.json", &[]),
    ("batch-with-poison.json", &[POISON_ID]),
    ("batch-last-attempt.json", &[LAST_ID]),
    ("batch-answer.json", &[]),
];

fn events_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events")
}

fn load(name: &str) -> SqsEvent {
    let text = std::fs::read_to_string(events_root().join("scan-redact").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The conversation of `batch-answer.json`: an agent asks for the SSN and the customer answers
/// with the bare number, the part the job delivers.
fn question_conversation() -> serde_json::Value {
    let mut c = conversation_from_webhook("user-replied-signed.json");
    c["id"] = "1911149815".into();
    c["source"]["id"] = "91911149815".into();
    c["conversation_parts"] = serde_json::json!({
        "type": "conversation_part.list", "total_count": 2,
        "conversation_parts": [
            {"type": "conversation_part", "id": "7051004", "part_type": "comment",
             "body": "<p>Thanks Pat Doe. To verify you, what is your SSN?</p>",
             "author": {"type": "admin", "id": "5"}},
            {"type": "conversation_part", "id": "7051005", "part_type": "comment",
             "body": "<p>536221457</p>",
             "author": {"type": "user", "id": "6762f1261bb69f9f2193bba7"}}]
    });
    c
}

/// The conversation a sample webhook delivered, as the fake should hold it.
fn conversation_from_webhook(file: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(events_root().join("webhook-ingest").join(file)).unwrap();
    let request: serde_json::Value = serde_json::from_str(&text).unwrap();
    let body: serde_json::Value = serde_json::from_str(request["body"].as_str().unwrap()).unwrap();
    body["data"]["item"].clone()
}

struct Rig {
    fake: FakeIntercom,
    scanner: Scanner,
    vault: Arc<MemoryVaultStore>,
    audit: Arc<MemoryAuditLog>,
}

async fn rig() -> Rig {
    let fake = FakeIntercom::start(TOKEN).await;
    fake.seed_conversation(conversation_from_webhook("user-replied-signed.json"));
    // The conversation of the last-attempt job: same shape, other ids.
    let mut other = conversation_from_webhook("user-replied-signed.json");
    other["id"] = "1911149813".into();
    other["source"]["id"] = "91911149813".into();
    other["conversation_parts"]["conversation_parts"][0]["id"] = "7051003".into();
    fake.seed_conversation(other);
    fake.seed_conversation(question_conversation());

    let mut cfg = ClientConfig::with_base_url(fake.base_url());
    cfg.retry = RetryPolicy {
        max_attempts: 2,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(10),
        max_elapsed: Duration::from_secs(2),
    };
    cfg.rate_limit = None;
    let policy = dlp_detector::Policy {
        mode: dlp_detector::Mode::Redact,
        ..dlp_detector::Policy::default()
    };
    let vault = Arc::new(MemoryVaultStore::new());
    let audit = Arc::new(MemoryAuditLog::new(8));
    let scanner = Scanner::new(
        Arc::new(DetectorEngine::new(policy).unwrap()),
        Arc::new(HttpIntercomClient::new(cfg, SecretString::from(TOKEN)).unwrap()),
        vault.clone(),
        Arc::new(MemoryKeyProvider::new()),
        audit.clone(),
        None,
        Arc::new(SystemClock),
        ScanConfig {
            admin_id: ADMIN.into(),
            ..ScanConfig::default()
        },
    );
    Rig {
        fake,
        scanner,
        vault,
        audit,
    }
}

fn failures(response: &SqsBatchResponse) -> Vec<&str> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect()
}

async fn entry(rig: &Rig, conversation: &str, part: &str) -> Option<dlp_vault::VaultEntry> {
    rig.vault
        .get_by_part(&PartRef {
            workspace_id: "a86dr8yl".into(),
            conversation_id: conversation.into(),
            part_id: part.into(),
        })
        .await
        .unwrap()
}

#[test]
fn every_sample_batch_parses_and_has_an_expectation() {
    let mut files: Vec<String> = std::fs::read_dir(events_root().join("scan-redact"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    let mut expected: Vec<String> = EXPECTED.iter().map(|e| e.0.to_owned()).collect();
    expected.sort();
    assert_eq!(files, expected);
    for (file, _) in EXPECTED {
        let event = load(file);
        assert!(!event.records.is_empty(), "{file}");
        for r in &event.records {
            assert!(r.message_id.is_some() && r.body.is_some(), "{file}");
            assert_eq!(r.event_source.as_deref(), Some("aws:sqs"), "{file}");
        }
    }
}

#[test]
fn every_file_under_events_is_json() {
    // Other functions' folders are checked as their event types by their own crates; here
    // every file at least parses, so no fixture anywhere can rot into invalid JSON.
    let mut stack = vec![events_root()];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                let text = std::fs::read_to_string(&path).unwrap();
                serde_json::from_str::<serde_json::Value>(&text)
                    .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
                seen += 1;
            }
        }
    }
    assert!(seen >= 10, "found only {seen} event files");
}

#[test]
fn receive_count_is_the_attempt_number() {
    let cases = [
        (Some("1"), 1),
        (Some("5"), 5),
        (Some(" 3 "), 3),
        (Some("0"), 1),
        (Some("x"), 1),
        (None, 1),
    ];
    for (value, want) in cases {
        let mut m = SqsMessage::default();
        if let Some(v) = value {
            m.attributes.insert(RECEIVE_COUNT.into(), v.into());
        }
        assert_eq!(receive_count(&m), want, "{value:?}");
    }
}

#[tokio::test]
async fn a_good_job_is_scanned_sealed_and_redacted() {
    let r = rig().await;
    let response = handle(&r.scanner, MAX_ATTEMPTS, load("batch-one-job.json")).await;
    assert!(failures(&response).is_empty(), "{response:?}");

    let e = entry(&r, "1911149811", "7051001")
        .await
        .expect("a vault entry");
    assert_eq!(e.status, EntryStatus::Redacted);
    assert!(e.entities.contains_key("US_SSN"), "{:?}", e.entities);
    assert!(e.entities.contains_key("CREDIT_CARD"), "{:?}", e.entities);
    assert!(
        entry(&r, "1911149811", "91911149811").await.is_none(),
        "source had no findings"
    );

    let redactions = r.fake.requests_matching("POST /conversations/redact");
    assert_eq!(redactions.len(), 1);
    assert_eq!(
        redactions[0].body.as_ref().unwrap()["conversation_part_id"],
        "7051001"
    );
    let notes = r
        .fake
        .requests_matching("POST /conversations/1911149811/reply");
    assert_eq!(notes.len(), 1);
    let note = notes[0].body.as_ref().unwrap().to_string();
    for planted in PLANTED {
        assert!(!note.contains(planted), "note holds an original value");
    }

    // At-least-once: the same batch again changes nothing in Intercom.
    let again = handle(&r.scanner, MAX_ATTEMPTS, load("batch-one-job.json")).await;
    assert!(failures(&again).is_empty());
    assert_eq!(
        r.fake.requests_matching("POST /conversations/redact").len(),
        1
    );
    assert_eq!(
        r.fake
            .requests_matching("POST /conversations/1911149811/reply")
            .len(),
        1
    );
}

#[tokio::test]
async fn a_bare_answer_is_scanned_with_the_question_before_it() {
    let r = rig().await;
    let response = handle(&r.scanner, MAX_ATTEMPTS, load("batch-answer.json")).await;
    assert!(failures(&response).is_empty(), "{response:?}");
    // The delivery holds the answer only: the conversation is read for the question.
    assert_eq!(
        r.fake
            .requests_matching("GET /conversations/1911149815")
            .len(),
        1
    );
    let e = entry(&r, "1911149815", "7051005")
        .await
        .expect("a vault entry for the answer");
    assert_eq!(e.status, EntryStatus::Redacted);
    assert_eq!(e.entities.keys().collect::<Vec<_>>(), ["US_SSN"]);
    assert!(entry(&r, "1911149815", "7051004").await.is_none());
    let note = r
        .fake
        .requests_matching("POST /conversations/1911149815/reply")[0]
        .body
        .as_ref()
        .unwrap()
        .to_string();
    for planted in PLANTED {
        assert!(!note.contains(planted), "note holds an original value");
    }
}

#[tokio::test]
async fn a_poison_record_fails_alone() {
    let r = rig().await;
    let response = handle(&r.scanner, MAX_ATTEMPTS, load("batch-with-poison.json")).await;
    assert_eq!(failures(&response), [POISON_ID]);
    assert!(!failures(&response).contains(&GOOD_ID));
    assert_eq!(
        entry(&r, "1911149811", "7051001").await.unwrap().status,
        EntryStatus::Redacted,
        "the good record of the batch was processed"
    );
}

#[tokio::test]
async fn the_last_attempt_records_redaction_failed() {
    let r = rig().await;
    r.fake
        .fail_always("POST /conversations/redact", Failure::ServerError);

    // An earlier attempt fails without giving up on the entry.
    let mut early = load("batch-last-attempt.json");
    early.records[0]
        .attributes
        .insert(RECEIVE_COUNT.into(), "2".into());
    let response = handle(&r.scanner, MAX_ATTEMPTS, early).await;
    assert_eq!(failures(&response), [LAST_ID]);
    assert_eq!(
        entry(&r, "1911149813", "7051003").await.unwrap().status,
        EntryStatus::Detected
    );

    // ApproximateReceiveCount 5 = maxReceiveCount: the job is about to be dead-lettered.
    let response = handle(&r.scanner, MAX_ATTEMPTS, load("batch-last-attempt.json")).await;
    assert_eq!(failures(&response), [LAST_ID]);
    assert_eq!(
        entry(&r, "1911149813", "7051003").await.unwrap().status,
        EntryStatus::RedactionFailed
    );
    let events = r
        .audit
        .query(
            &AuditQuery::default(),
            &AuditPage {
                cursor: None,
                limit: 100,
            },
        )
        .await
        .unwrap();
    assert!(
        events
            .items
            .iter()
            .any(|e| e.event.action == dlp_audit::Action::PartRedactionFailed),
        "a part.redaction_failed event"
    );
    let all = format!("{:?}", events.items);
    for planted in PLANTED {
        assert!(!all.contains(planted), "audit holds an original value");
    }
}
