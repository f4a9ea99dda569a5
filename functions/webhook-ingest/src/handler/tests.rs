//! The handler against every sample event in `events/webhook-ingest/`, with the real ingest
//! use-case on in-memory stores. The sample events are signed with the test secret documented
//! in `events/README.md`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use dlp_audit::{Action, AuditLog, AuditQuery, PageRequest};
use dlp_embedded::{MemoryAuditLog, MemoryIdempotencyStore};
use dlp_intercom::WebhookVerifier;
use dlp_service::clock::ManualClock;
use dlp_service::ingest::{Ingest, IngestConfig, body};
use dlp_service::job::ScanJob;
use dlp_service::ports::{QueueError, ScanQueue};
use secrecy::SecretString;

use super::*;

/// The documented test secret (events/README.md). Never a production value.
const EVENTS_SECRET: &str = "dlp-test-client-secret-not-for-production";
/// Synthetic values planted in the sample deliveries.
const PLANTED: &[&str] = &["536-22-1457", "4111", "Pat Doe", "pat@example.org"];

#[derive(Default)]
struct VecQueue {
    jobs: Mutex<Vec<ScanJob>>,
    fail: bool,
}

#[async_trait]
impl ScanQueue for VecQueue {
    async fn enqueue(&self, job: &ScanJob) -> Result<(), QueueError> {
        if self.fail {
            return Err(QueueError::Unavailable(
                "SendMessage: ServiceUnavailable".into(),
            ));
        }
        self.jobs.lock().unwrap().push(job.clone());
        Ok(())
    }
}

struct Rig {
    ingest: Ingest,
    queue: Arc<VecQueue>,
    audit: Arc<MemoryAuditLog>,
}

fn rig_with(queue: VecQueue) -> Rig {
    let queue = Arc::new(queue);
    let audit = Arc::new(MemoryAuditLog::new(8));
    let ingest = Ingest::new(
        WebhookVerifier::new(SecretString::from(EVENTS_SECRET)).unwrap(),
        queue.clone(),
        Arc::new(MemoryIdempotencyStore::new()),
        audit.clone(),
        Arc::new(ManualClock::new(1_796_414_400_000)),
        IngestConfig {
            admin_id: "991267645".into(),
            ..IngestConfig::default()
        },
    );
    Rig {
        ingest,
        queue,
        audit,
    }
}

fn rig() -> Rig {
    rig_with(VecQueue::default())
}

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/webhook-ingest")
}

fn load(name: &str) -> String {
    std::fs::read_to_string(events_dir().join(name)).unwrap()
}

fn request(json: &str) -> Request {
    lambda_http::request::from_str(json).unwrap()
}

async fn call(rig: &Rig, json: &str) -> (u16, String) {
    let response = handle(&rig.ingest, request(json)).await.unwrap();
    let status = response.status().as_u16();
    let text = String::from_utf8(body_bytes(response.body()).to_vec()).unwrap();
    (status, text)
}

/// (file, status, constant body or None for empty, jobs queued by it)
const EXPECTED: &[(&str, u16, Option<&str>, usize)] = &[
    ("user-replied-signed.json", 200, Some(body::ACCEPTED), 1),
    ("user-replied-base64.json", 200, Some(body::ACCEPTED), 1),
    ("bad-signature.json", 401, Some(body::UNAUTHORIZED), 0),
    ("ping.json", 200, Some(body::PONG), 0),
    ("head.json", 200, None, 0),
    ("malformed-json.json", 400, Some(body::MALFORMED), 0),
    ("unknown-topic.json", 200, Some(body::IGNORED), 0),
];

#[test]
fn every_sample_event_has_an_expectation() {
    let mut files: Vec<String> = std::fs::read_dir(events_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    let mut expected: Vec<String> = EXPECTED.iter().map(|e| e.0.to_owned()).collect();
    expected.sort();
    assert_eq!(
        files, expected,
        "a sample event without a test, or a test without a file"
    );
}

#[tokio::test]
async fn sample_events_get_their_documented_answers() {
    let r = rig();
    for (file, status, want_body, jobs) in EXPECTED {
        let before = r.queue.jobs.lock().unwrap().len();
        let (got_status, got_body) = call(&r, &load(file)).await;
        assert_eq!(got_status, *status, "{file}");
        assert_eq!(got_body, want_body.unwrap_or(""), "{file}");
        assert_eq!(r.queue.jobs.lock().unwrap().len() - before, *jobs, "{file}");
        for planted in PLANTED {
            assert!(!got_body.contains(planted), "{file} echoed input");
        }
    }
    // The queued jobs carry the parts of the two conversations (plain and base64 variants).
    let jobs = r.queue.jobs.lock().unwrap();
    let convs: Vec<&str> = jobs.iter().map(|j| j.conversation_id.as_str()).collect();
    assert_eq!(convs, ["1911149811", "1911149812"]);
    let parts = jobs[0].parts.as_ref().expect("inline parts");
    let part = parts.iter().find(|p| p.id == "7051001").expect("the reply");
    assert!(
        part.text.contains("536-22-1457"),
        "the job carries the text to scan"
    );
    assert_eq!(jobs[0].workspace_id, "a86dr8yl");
}

#[tokio::test]
async fn signed_events_verify_with_the_documented_secret_and_only_with_it() {
    let verifier = WebhookVerifier::new(SecretString::from(EVENTS_SECRET)).unwrap();
    let other = WebhookVerifier::new(SecretString::from("another-secret")).unwrap();
    for (file, status, _, _) in EXPECTED {
        let req = request(&load(file));
        let sig = req
            .headers()
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok());
        let raw = body_bytes(req.body());
        match *file {
            "head.json" => assert!(sig.is_none() && raw.is_empty()),
            "bad-signature.json" => {
                assert!(sig.is_some());
                assert!(verifier.verify(sig, raw).is_err(), "{file}");
            }
            _ => {
                assert!(verifier.verify(sig, raw).is_ok(), "{file} ({status})");
                assert!(other.verify(sig, raw).is_err(), "{file}");
            }
        }
    }
}

#[tokio::test]
async fn base64_body_is_decoded_before_verification() {
    let json = load("user-replied-base64.json");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["isBase64Encoded"], true);
    assert!(!v["body"].as_str().unwrap().starts_with('{'));
    let req = request(&json);
    assert!(body_bytes(req.body()).starts_with(b"{\"type\":\"notification_event\""));
}

#[tokio::test]
async fn signature_header_name_is_case_insensitive() {
    let r = rig();
    let mut v: serde_json::Value = serde_json::from_str(&load("user-replied-signed.json")).unwrap();
    let headers = v["headers"].as_object_mut().unwrap();
    let sig = headers.remove("x-hub-signature").unwrap();
    headers.insert("X-Hub-Signature".into(), sig);
    let (status, text) = call(&r, &v.to_string()).await;
    assert_eq!((status, text.as_str()), (200, body::ACCEPTED));
}

#[tokio::test]
async fn a_redelivery_is_acknowledged_without_a_second_job() {
    let r = rig();
    let json = load("user-replied-signed.json");
    assert_eq!(call(&r, &json).await, (200, body::ACCEPTED.to_owned()));
    assert_eq!(call(&r, &json).await, (200, body::DUPLICATE.to_owned()));
    assert_eq!(r.queue.jobs.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn queue_failure_asks_intercom_to_redeliver() {
    let r = rig_with(VecQueue {
        fail: true,
        ..VecQueue::default()
    });
    let (status, text) = call(&r, &load("user-replied-signed.json")).await;
    assert_eq!((status, text.as_str()), (503, body::UNAVAILABLE));
}

#[tokio::test]
async fn other_methods_are_405_never_410() {
    let r = rig();
    for method in ["GET", "PUT", "DELETE", "OPTIONS"] {
        let mut v: serde_json::Value = serde_json::from_str(&load("head.json")).unwrap();
        v["requestContext"]["http"]["method"] = method.into();
        let (status, text) = call(&r, &v.to_string()).await;
        assert_eq!(
            (status, text.as_str()),
            (405, body::METHOD_NOT_ALLOWED),
            "{method}"
        );
    }
}

#[tokio::test]
async fn bad_signature_is_audited_without_input() {
    let r = rig();
    let (status, _) = call(&r, &load("bad-signature.json")).await;
    assert_eq!(status, 401);
    let page = r
        .audit
        .query(
            &AuditQuery {
                action: Some(Action::WebhookRejected),
                ..AuditQuery::default()
            },
            &PageRequest {
                cursor: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].event.reason.as_deref(), Some("bad_signature"));
    assert_eq!(
        page.items[0].event.request_id.as_deref(),
        Some("req-bad-signature")
    );
    let all = format!("{:?}", page.items);
    for planted in PLANTED {
        assert!(!all.contains(planted), "audit record holds input: {all}");
    }
}
