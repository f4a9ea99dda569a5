//! End to end through the real `dlp serve` process (spawned on 127.0.0.1 with a temporary
//! data dir) and the fake Intercom.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use dlp_audit::{AuditLog, AuditQuery, PageRequest as AuditPage, StoredEvent};
use dlp_e2e::*;
use dlp_embedded::SqliteStore;
use dlp_intercom::fake::{Failure, FakeIntercom};
use dlp_vault::{EntryStatus, PageRequest, VaultEntry, VaultStore};
use serde_json::json;

struct Rig {
    fake: FakeIntercom,
    serve: Serve,
    _data: tempfile::TempDir,
    _logs: tempfile::TempDir,
}

async fn rig(extra: &[&str], env: &[(&str, &str)]) -> Rig {
    let fake = FakeIntercom::start(TOKEN).await;
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let serve = Serve::start(
        &fake.base_url(),
        &data.path().join("dlp"),
        logs.path(),
        extra,
        env,
    )
    .await;
    Rig {
        fake,
        serve,
        _data: data,
        _logs: logs,
    }
}

fn store(r: &Rig) -> SqliteStore {
    SqliteStore::open(r.serve.data_dir.join("dlp.db")).unwrap()
}

async fn entries(r: &Rig, conversation: &str) -> Vec<VaultEntry> {
    store(r)
        .list_by_conversation(
            "e2eapp",
            conversation,
            &PageRequest {
                cursor: None,
                limit: 100,
            },
        )
        .await
        .unwrap()
        .items
}

async fn audit(r: &Rig) -> Vec<StoredEvent> {
    let s = store(r);
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = s
            .query(
                &AuditQuery::default(),
                &AuditPage {
                    cursor: cursor.clone(),
                    limit: 500,
                },
            )
            .await
            .unwrap();
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

fn count(events: &[StoredEvent], action: &str) -> usize {
    events
        .iter()
        .filter(|e| e.event.action.as_str() == action)
        .count()
}

/// Everything the service produced must be free of planted values.
async fn assert_no_leak(r: &Rig, http_bodies: &[String]) {
    assert_clean("dlp serve logs", r.serve.logs().as_bytes());
    assert_clean(
        "audit records",
        serde_json::to_string(&audit(r).await).unwrap().as_bytes(),
    );
    for req in r.fake.requests_matching("POST /conversations/*/reply") {
        assert_clean("note body", req.body.unwrap().to_string().as_bytes());
    }
    for b in http_bodies {
        assert_clean("HTTP response body", b.as_bytes());
    }
    let files = files_under(&r.serve.data_dir);
    assert!(files.iter().any(|f| f.ends_with("queue.db")), "{files:?}");
    for f in files {
        // A WAL or SHM file may vanish between listing and reading (a checkpoint on close).
        match std::fs::read(&f) {
            Ok(bytes) => assert_clean(&format!("data-dir file {}", f.display()), &bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => panic!("reading {}: {e}", f.display()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_delivery_is_redacted_once_with_a_masked_note_and_tag() {
    let r = rig(&[], &[]).await;
    r.fake.seed_conversation(conversation("123"));
    let body = delivery(
        "notif_e2e_1",
        "conversation.user.replied",
        conversation("123"),
    );
    let (status, resp) = r.serve.post_signed(&body).await;
    assert_eq!((status, resp.as_str()), (200, r#"{"status":"accepted"}"#));
    wait_for("the redaction, note and tag", 20, || {
        !r.fake
            .requests_matching("POST /conversations/123/tags")
            .is_empty()
    })
    .await;

    let redacts = r.fake.requests_matching("POST /conversations/redact");
    assert_eq!(redacts.len(), 1, "exactly one redaction");
    let rb = redacts[0].body.clone().unwrap();
    assert_eq!(rb["type"], "conversation_part");
    assert_eq!(rb["conversation_part_id"], "12301");
    let notes = r.fake.requests_matching("POST /conversations/123/reply");
    assert_eq!(notes.len(), 1, "exactly one note");
    let note = notes[0].body.clone().unwrap();
    assert_eq!(note["message_type"], "note");
    assert_eq!(note["admin_id"], ADMIN_ID);
    let text = note["body"].as_str().unwrap();
    assert!(
        text.contains("US_SSN") && text.contains("CREDIT_CARD"),
        "{text}"
    );
    assert_eq!(
        r.fake.conversation_tags("123"),
        vec!["dlp:sensitive".to_owned()]
    );
    let stored = r.fake.conversation("123").unwrap();
    let part = &stored["conversation_parts"]["conversation_parts"][0];
    assert_eq!(part["redacted"], true);

    let e = entries(&r, "123").await;
    assert_eq!(e.len(), 1, "one vault entry");
    assert_eq!(e[0].status, EntryStatus::Redacted);
    assert!(
        text.contains(e[0].id.as_str()),
        "note names the vault entry"
    );
    assert!(e[0].actions.note_id.is_some());
    let ev = audit(&r).await;
    for a in [
        "finding.detected",
        "part.redacted",
        "note.posted",
        "conversation.tagged",
    ] {
        assert_eq!(count(&ev, a), 1, "{a}");
    }

    // The same delivery again: a duplicate, nothing queued.
    let (status, dup) = r.serve.post_signed(&body).await;
    assert_eq!((status, dup.as_str()), (200, r#"{"status":"duplicate"}"#));
    // The same content under a new notification id (Intercom re-sends the conversation):
    // scanned again, but the part is redacted and the entry exists: no second redaction.
    let again = delivery(
        "notif_e2e_2",
        "conversation.user.replied",
        conversation("123"),
    );
    assert_eq!(r.serve.post_signed(&again).await.0, 200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        r.fake.requests_matching("POST /conversations/redact").len(),
        1
    );
    assert_eq!(
        r.fake
            .requests_matching("POST /conversations/123/reply")
            .len(),
        1
    );
    assert_eq!(entries(&r, "123").await.len(), 1);
    assert_no_leak(&r, &[resp, dup]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_ignored_and_loop_free_deliveries() {
    let r = rig(&[], &[]).await;
    let planted = delivery("notif_bad", "conversation.user.replied", conversation("7"));
    let mut bodies = Vec::new();

    let (s, b) = r
        .serve
        .post(
            Some("sha1=0000000000000000000000000000000000000000"),
            &planted,
        )
        .await;
    assert_eq!((s, b.as_str()), (401, r#"{"error":"unauthorized"}"#));
    bodies.push(b);
    let (s, b) = r.serve.post(None, &planted).await;
    assert_eq!((s, b.as_str()), (401, r#"{"error":"unauthorized"}"#));
    bodies.push(b);
    let malformed = format!("{{\"type\":\"notification_event\",\"body\":\"{SSN}\"").into_bytes();
    let (s, b) = r.serve.post_signed(&malformed).await;
    assert_eq!((s, b.as_str()), (400, r#"{"error":"malformed"}"#));
    bodies.push(b);
    let ping = br#"{"type":"notification_event","id":null,"topic":"ping","app_id":"e2eapp","data":{"type":"notification_event_data","item":{"type":"ping","message":"hi"}}}"#;
    assert_eq!(r.serve.post_signed(ping).await.0, 200);
    let head = reqwest::Client::new()
        .head(format!("{}/webhooks/intercom", r.serve.base))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status().as_u16(), 200);
    let unknown = delivery(
        "notif_u",
        "contact.user.created",
        json!({"type": "contact", "id": "c9"}),
    );
    let (s, b) = r.serve.post_signed(&unknown).await;
    assert_eq!((s, b.as_str()), (200, r#"{"status":"ignored"}"#));
    let redacted = delivery(
        "notif_r",
        "conversation_part.redacted",
        json!({"type": "conversation_part", "id": "701", "conversation_id": "7"}),
    );
    assert_eq!(
        r.serve.post_signed(&redacted).await.1,
        r#"{"status":"ignored"}"#
    );
    // Our own note (as Intercom echoes it in conversation.admin.noted): never scanned, even
    // though it quotes a value and the delivery is partial.
    let own_note = delivery(
        "notif_n",
        "conversation.admin.noted",
        json!({"type": "conversation", "id": "7", "conversation_parts": {
            "type": "conversation_part.list", "total_count": 4, "conversation_parts": [{
                "type": "conversation_part", "id": "799", "part_type": "note",
                "body": format!("<p>quoted {SSN}</p>"), "author": {"type": "admin", "id": ADMIN_ID}}]}}),
    );
    assert_eq!(
        r.serve.post_signed(&own_note).await.1,
        r#"{"status":"ignored"}"#
    );
    let big = vec![b' '; 2 * 1024 * 1024];
    let (s, b) = r.serve.post_signed(&big).await;
    assert_eq!((s, b.as_str()), (413, r#"{"error":"too_large"}"#));

    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        r.fake.requests().is_empty(),
        "no Intercom call: {:?}",
        r.fake.requests()
    );
    let h = r.serve.health().await;
    assert_eq!(h["queue"]["waiting"], 0);
    let ev = audit(&r).await;
    assert!(
        count(&ev, "webhook.rejected") >= 2,
        "rejections audited (aggregated)"
    );
    assert!(
        count(&ev, "webhook.rejected") <= 4,
        "at most one per reason per minute"
    );
    assert_no_leak(&r, &bodies).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_then_ok_completes() {
    let r = rig(&[], &[]).await;
    r.fake.seed_conversation(conversation("456"));
    r.fake.fail_next(
        "POST /conversations/redact",
        Failure::RateLimited {
            retry_after: Some(Duration::from_secs(1)),
            reset_after: Some(Duration::from_secs(1)),
        },
        2,
    );
    let body = delivery("notif_rl", "conversation.user.replied", conversation("456"));
    assert_eq!(r.serve.post_signed(&body).await.0, 200);
    wait_for("the note after 429s", 30, || {
        !r.fake
            .requests_matching("POST /conversations/456/reply")
            .is_empty()
    })
    .await;
    let ok: Vec<_> = r
        .fake
        .requests_matching("POST /conversations/redact")
        .into_iter()
        .filter(|q| q.status == 200)
        .collect();
    assert_eq!(ok.len(), 1);
    assert_eq!(entries(&r, "456").await[0].status, EntryStatus::Redacted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_forever_dead_letter_with_redaction_failed_and_nothing_lost() {
    let r = rig(&[], &[("DLP_MAX_ATTEMPTS", "3")]).await;
    r.fake.seed_conversation(conversation("789"));
    r.fake
        .fail_always("POST /conversations/redact", Failure::ServerError);
    let body = delivery(
        "notif_500",
        "conversation.user.replied",
        conversation("789"),
    );
    assert_eq!(r.serve.post_signed(&body).await.0, 200);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if r.serve.health().await["queue"]["dead"] == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "job never reached the dead-letter table"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let e = entries(&r, "789").await;
    assert_eq!(e.len(), 1, "the original is kept sealed in the vault");
    assert_eq!(e[0].status, EntryStatus::RedactionFailed);
    let ev = audit(&r).await;
    assert_eq!(count(&ev, "part.redaction_failed"), 1);
    assert!(
        r.fake
            .requests_matching("POST /conversations/*/reply")
            .is_empty(),
        "no note without redaction"
    );
    // 3 deliveries × 2 HTTP attempts.
    assert_eq!(
        r.fake.requests_matching("POST /conversations/redact").len(),
        6
    );
    assert_no_leak(&r, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_and_restart_finishes_every_queued_job() {
    let mut r = rig(&["--workers", "1"], &[]).await;
    let ids: Vec<String> = (1..=5).map(|i| format!("90{i}")).collect();
    for id in &ids {
        r.fake.seed_conversation(conversation(id));
    }
    // Slow redactions keep jobs in the queue and one in flight when the process dies.
    r.fake.fail_always(
        "POST /conversations/redact",
        Failure::Slow(Duration::from_millis(1500)),
    );
    for id in &ids {
        let body = delivery(
            &format!("notif_k{id}"),
            "conversation.user.replied",
            conversation(id),
        );
        assert_eq!(r.serve.post_signed(&body).await.0, 200);
    }
    wait_for("a redaction in flight", 10, || {
        !r.fake
            .requests_matching("POST /conversations/redact")
            .is_empty()
    })
    .await;
    r.serve.kill9();
    r.fake.clear_failures();
    r.serve.spawn().await;
    wait_for("a note on every conversation", 60, || {
        ids.iter().all(|id| {
            !r.fake
                .requests_matching(&format!("POST /conversations/{id}/reply"))
                .is_empty()
        })
    })
    .await;
    for id in &ids {
        assert_eq!(
            r.fake
                .requests_matching(&format!("POST /conversations/{id}/reply"))
                .len(),
            1,
            "one note for {id}"
        );
        let e = entries(&r, id).await;
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].status, EntryStatus::Redacted, "{id}");
    }
    // Graceful stop: SIGTERM exits cleanly.
    assert!(r.serve.terminate().success());
    assert_no_leak(&r, &[]).await;
}
