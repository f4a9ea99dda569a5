//! Webhook ingest: the decision for one Intercom delivery.
//!
//! Owns the order of checks (ARCHITECTURE.md, "Ingest order"): size limit → signature →
//! parse → `ping` → topic → duplicate check → enqueue → remember the notification id; the
//! fixed status and constant body for each outcome; and the aggregation of rejections into at
//! most one `webhook.rejected` audit event per reason per minute.
//!
//! Must never: answer 410 (Intercom would disable the subscription), mark a notification as
//! seen before its job is safely queued, echo any input in a response body, or log a payload.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use dlp_audit::{Action, AuditLog, Outcome};
use dlp_intercom::{
    BodyFormat, ContentKind, ExtractOptions, Notification, TopicClass, WebhookVerifier,
};
use dlp_vault::{IdempotencyStore, Remembered};

use crate::clock::Clock;
use crate::job::{ItemKind, Planned, ScanJob};
use crate::ports::ScanQueue;

/// Audit actor of ingest events.
pub const ACTOR: &str = "system:webhook-ingest";
/// Window of the rejection aggregator.
pub const REJECTION_WINDOW_MS: i64 = 60_000;
/// Prefix of notification ids in the idempotency store (keys share one namespace).
pub const DEDUP_PREFIX: &str = "webhook:";

/// Constant response bodies: nothing a caller sent is ever echoed.
pub mod body {
    pub const ACCEPTED: &str = r#"{"status":"accepted"}"#;
    pub const DUPLICATE: &str = r#"{"status":"duplicate"}"#;
    pub const IGNORED: &str = r#"{"status":"ignored"}"#;
    pub const PONG: &str = r#"{"status":"pong"}"#;
    pub const OK: &str = r#"{"status":"ok"}"#;
    pub const UNAUTHORIZED: &str = r#"{"error":"unauthorized"}"#;
    pub const MALFORMED: &str = r#"{"error":"malformed"}"#;
    pub const TOO_LARGE: &str = r#"{"error":"too_large"}"#;
    pub const UNAVAILABLE: &str = r#"{"error":"unavailable"}"#;
    pub const METHOD_NOT_ALLOWED: &str = r#"{"error":"method_not_allowed"}"#;
}

#[derive(Clone, Debug)]
pub struct IngestConfig {
    /// Bodies larger than this are answered 413 before any other work.
    pub max_body_bytes: usize,
    /// A job larger than this carries ids only (see [`ScanJob::plan`]).
    pub job_inline_max_bytes: usize,
    /// The service's own admin id: its notes are never scanned.
    pub admin_id: String,
    pub body_format: BodyFormat,
    /// How long a notification id is remembered.
    pub dedup_ttl_ms: i64,
}

impl Default for IngestConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            job_inline_max_bytes: 256 * 1024,
            admin_id: String::new(),
            body_format: BodyFormat::Auto,
            dedup_ttl_ms: 48 * 3600 * 1000,
        }
    }
}

/// Why a delivery was rejected (the audit `reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rejection {
    BodyTooLarge,
    MissingSignature,
    BadSignature,
    Malformed,
}

impl Rejection {
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::BodyTooLarge => "body_too_large",
            Rejection::MissingSignature => "missing_signature",
            Rejection::BadSignature => "bad_signature",
            Rejection::Malformed => "malformed",
        }
    }
}

/// What ingest decided; the HTTP edge maps it to a status and a constant body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IngestOutcome {
    /// A scan job was queued.
    Accepted,
    /// The notification id was already seen: nothing queued.
    Duplicate,
    Pong,
    /// Acknowledged and dropped: unknown topic, redaction confirmation, nothing to scan.
    Ignored(&'static str),
    Rejected(Rejection),
    /// The queue failed: answer 5xx so Intercom delivers again.
    Unavailable,
}

impl IngestOutcome {
    pub fn status(&self) -> u16 {
        match self {
            IngestOutcome::Accepted
            | IngestOutcome::Duplicate
            | IngestOutcome::Pong
            | IngestOutcome::Ignored(_) => 200,
            IngestOutcome::Rejected(Rejection::BodyTooLarge) => 413,
            IngestOutcome::Rejected(Rejection::MissingSignature | Rejection::BadSignature) => 401,
            IngestOutcome::Rejected(Rejection::Malformed) => 400,
            IngestOutcome::Unavailable => 503,
        }
    }

    pub fn body(&self) -> &'static str {
        match self {
            IngestOutcome::Accepted => body::ACCEPTED,
            IngestOutcome::Duplicate => body::DUPLICATE,
            IngestOutcome::Pong => body::PONG,
            IngestOutcome::Ignored(_) => body::IGNORED,
            IngestOutcome::Rejected(Rejection::BodyTooLarge) => body::TOO_LARGE,
            IngestOutcome::Rejected(Rejection::MissingSignature | Rejection::BadSignature) => {
                body::UNAUTHORIZED
            }
            IngestOutcome::Rejected(Rejection::Malformed) => body::MALFORMED,
            IngestOutcome::Unavailable => body::UNAVAILABLE,
        }
    }
}

/// Counts rejections per reason and releases at most one aggregated audit event per reason
/// per window, so unauthenticated traffic cannot flood the hash chains.
#[derive(Debug, Default)]
pub struct RejectionAggregator {
    state: Mutex<HashMap<Rejection, Window>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Window {
    last_emit: Option<i64>,
    pending: u64,
}

impl RejectionAggregator {
    /// Count one rejection; returns the count to emit now, if the reason's window allows.
    pub fn record(&self, reason: Rejection, now: i64) -> Option<u64> {
        let mut map = self.state.lock().ok()?;
        let w = map.entry(reason).or_default();
        w.pending += 1;
        Self::take_if_due(w, now)
    }

    /// Counts whose window has passed (call periodically so a lone burst is still reported).
    pub fn due(&self, now: i64) -> Vec<(Rejection, u64)> {
        let Ok(mut map) = self.state.lock() else {
            return Vec::new();
        };
        map.iter_mut()
            .filter_map(|(r, w)| Self::take_if_due(w, now).map(|n| (*r, n)))
            .collect()
    }

    fn take_if_due(w: &mut Window, now: i64) -> Option<u64> {
        let due = w
            .last_emit
            .is_none_or(|t| now.saturating_sub(t) >= REJECTION_WINDOW_MS);
        if due && w.pending > 0 {
            w.last_emit = Some(now);
            Some(std::mem::take(&mut w.pending))
        } else {
            None
        }
    }
}

/// The ingest use-case. Cheap to share (`Arc`); one per process.
pub struct Ingest {
    verifier: WebhookVerifier,
    queue: Arc<dyn ScanQueue>,
    idempotency: Arc<dyn IdempotencyStore>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
    config: IngestConfig,
    rejections: RejectionAggregator,
}

impl std::fmt::Debug for Ingest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ingest")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Ingest {
    pub fn new(
        verifier: WebhookVerifier,
        queue: Arc<dyn ScanQueue>,
        idempotency: Arc<dyn IdempotencyStore>,
        audit: Arc<dyn AuditLog>,
        clock: Arc<dyn Clock>,
        config: IngestConfig,
    ) -> Self {
        Self {
            verifier,
            queue,
            idempotency,
            audit,
            clock,
            config,
            rejections: RejectionAggregator::default(),
        }
    }

    pub fn config(&self) -> &IngestConfig {
        &self.config
    }

    /// Handle one POST. `signature` is the `X-Hub-Signature` value; `body` the exact bytes
    /// received (already base64-decoded by the HTTP front end).
    #[tracing::instrument(skip_all, fields(request_id = request_id.unwrap_or("-")))]
    pub async fn handle_post(
        &self,
        signature: Option<&str>,
        body: &[u8],
        request_id: Option<&str>,
    ) -> IngestOutcome {
        let outcome = self.decide(signature, body).await;
        match &outcome {
            IngestOutcome::Rejected(r) => {
                tracing::warn!(reason = r.as_str(), len = body.len(), "webhook rejected");
                self.count_rejection(*r, request_id).await;
            }
            IngestOutcome::Unavailable => {
                tracing::error!("webhook not queued; asking for redelivery")
            }
            IngestOutcome::Ignored(why) => tracing::debug!(why, "webhook ignored"),
            _ => tracing::debug!(outcome = ?outcome, "webhook handled"),
        }
        outcome
    }

    /// A delivery rejected before its body could be read (the HTTP edge stopped reading at
    /// the size limit): counted and answered like any other rejection.
    pub async fn reject_unread(
        &self,
        reason: Rejection,
        request_id: Option<&str>,
    ) -> IngestOutcome {
        tracing::warn!(reason = reason.as_str(), "webhook rejected");
        self.count_rejection(reason, request_id).await;
        IngestOutcome::Rejected(reason)
    }

    async fn decide(&self, signature: Option<&str>, body: &[u8]) -> IngestOutcome {
        if body.len() > self.config.max_body_bytes {
            return IngestOutcome::Rejected(Rejection::BodyTooLarge);
        }
        if let Err(e) = self.verifier.verify(signature, body) {
            let r = match e {
                dlp_intercom::SignatureError::Missing => Rejection::MissingSignature,
                _ => Rejection::BadSignature,
            };
            return IngestOutcome::Rejected(r);
        }
        let Ok(n) = Notification::parse(body) else {
            return IngestOutcome::Rejected(Rejection::Malformed);
        };
        let kind = match n.class() {
            TopicClass::Ping => return IngestOutcome::Pong,
            TopicClass::RedactionConfirmation => {
                return IngestOutcome::Ignored("redaction_confirmation");
            }
            TopicClass::Ignored => return IngestOutcome::Ignored("topic"),
            TopicClass::Content(ContentKind::Conversation) => ItemKind::Conversation,
            TopicClass::Content(ContentKind::Ticket) => ItemKind::Ticket,
        };
        let now = self.clock.now_ms();
        let dedup_key = n.id.as_ref().map(|id| format!("{DEDUP_PREFIX}{id}"));
        if let Some(key) = &dedup_key {
            // A read-only probe through the port's contract: remembering with
            // `expires_at == now` never makes a live record (live means `now < expires_at`)
            // and leaves an existing live record untouched, so `Seen` means a job for this
            // notification was queued before. A store failure here is not fatal: a
            // duplicate job is harmless.
            if let Ok(Remembered::Seen) = self.idempotency.remember(key, now, now).await {
                return IngestOutcome::Duplicate;
            }
        }
        let opts = ExtractOptions {
            own_admin_id: Some(self.config.admin_id.clone()).filter(|s| !s.is_empty()),
            body_format: self.config.body_format,
        };
        let job = match ScanJob::plan(&n, kind, &opts, self.config.job_inline_max_bytes, now) {
            Ok(Planned::Job(job)) => job,
            Ok(Planned::NothingToScan) => return IngestOutcome::Ignored("nothing_to_scan"),
            Err(_) => return IngestOutcome::Ignored("not_a_conversation"),
        };
        if self.queue.enqueue(&job).await.is_err() {
            return IngestOutcome::Unavailable;
        }
        // Only now is the id remembered: a failure before this line loses nothing.
        if let Some(key) = &dedup_key {
            let until = now.saturating_add(self.config.dedup_ttl_ms);
            if let Err(e) = self.idempotency.remember(key, now, until).await {
                tracing::warn!(error = %e, "notification id not remembered; a redelivery would be rescanned (harmless)");
            }
        }
        IngestOutcome::Accepted
    }

    async fn count_rejection(&self, reason: Rejection, request_id: Option<&str>) {
        let now = self.clock.now_ms();
        if let Some(count) = self.rejections.record(reason, now) {
            self.emit_rejection(reason, count, now, request_id).await;
        }
    }

    /// Emit aggregated rejection counts whose window has passed. Call about once a minute.
    pub async fn flush_rejections(&self) {
        let now = self.clock.now_ms();
        for (reason, count) in self.rejections.due(now) {
            self.emit_rejection(reason, count, now, None).await;
        }
    }

    async fn emit_rejection(
        &self,
        reason: Rejection,
        count: u64,
        now: i64,
        request_id: Option<&str>,
    ) {
        let mut event = crate::audit_event(ACTOR, Action::WebhookRejected, Outcome::Denied, now);
        event.reason = Some(reason.as_str().to_owned());
        event.request_id = request_id.map(str::to_owned);
        event.counts.insert("rejected".to_owned(), count);
        if let Err(e) = self.audit.append(event).await {
            tracing::warn!(error = %e, "webhook.rejected audit event not written");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use async_trait::async_trait;
    use dlp_audit::{AuditEvent, AuditQuery, PageRequest};
    use dlp_embedded::{MemoryAuditLog, MemoryIdempotencyStore};
    use secrecy::SecretString;
    use serde_json::json;

    #[derive(Default)]
    struct VecQueue {
        jobs: Mutex<Vec<ScanJob>>,
        fail: std::sync::atomic::AtomicBool,
    }

    #[async_trait]
    impl ScanQueue for VecQueue {
        async fn enqueue(&self, job: &ScanJob) -> Result<(), crate::ports::QueueError> {
            if self.fail.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(crate::ports::QueueError::Unavailable("down".into()));
            }
            self.jobs.lock().unwrap().push(job.clone());
            Ok(())
        }
    }

    const SECRET: &str = "test-client-secret";

    struct Rig {
        ingest: Ingest,
        queue: Arc<VecQueue>,
        audit: Arc<MemoryAuditLog>,
        clock: ManualClock,
    }

    fn rig() -> Rig {
        let queue = Arc::new(VecQueue::default());
        let audit = Arc::new(MemoryAuditLog::new(8));
        let clock = ManualClock::new(1_000_000);
        let verifier = WebhookVerifier::new(SecretString::from(SECRET)).unwrap();
        let ingest = Ingest::new(
            verifier,
            queue.clone(),
            Arc::new(MemoryIdempotencyStore::new()),
            audit.clone(),
            Arc::new(clock.clone()),
            IngestConfig {
                max_body_bytes: 4096,
                admin_id: "99".into(),
                ..IngestConfig::default()
            },
        );
        Rig {
            ingest,
            queue,
            audit,
            clock,
        }
    }

    fn sign(body: &[u8]) -> String {
        dlp_intercom::signature::sign(&SecretString::from(SECRET), body)
    }

    fn delivery(id: &str, topic: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "type": "notification_event", "id": id, "topic": topic, "app_id": "ws1",
            "data": {"type": "notification_event_data", "item": {
                "type": "conversation", "id": "c1",
                "source": {"type": "conversation", "id": "s1", "body": "<p>hi</p>",
                           "author": {"type": "user", "id": "u1"}},
                "conversation_parts": {"type": "conversation_part.list", "total_count": 1,
                    "conversation_parts": [{"type": "conversation_part", "id": "p1",
                        "part_type": "comment", "body": "<p>ssn 536-22-1120</p>",
                        "author": {"type": "user", "id": "u1"}}]}}}
        }))
        .unwrap()
    }

    async fn post(r: &Rig, body: &[u8]) -> IngestOutcome {
        r.ingest.handle_post(Some(&sign(body)), body, None).await
    }

    async fn rejected_events(r: &Rig) -> Vec<AuditEvent> {
        let q = AuditQuery {
            action: Some(Action::WebhookRejected),
            ..AuditQuery::default()
        };
        let page = r
            .audit
            .query(
                &q,
                &PageRequest {
                    cursor: None,
                    limit: 100,
                },
            )
            .await
            .unwrap();
        page.items.into_iter().map(|s| s.event).collect()
    }

    #[tokio::test]
    async fn table_of_outcomes() {
        let r = rig();
        let ok = delivery("notif_a", "conversation.user.replied");
        let cases: Vec<(&str, Option<String>, Vec<u8>, u16)> = vec![
            ("accepted", Some(sign(&ok)), ok.clone(), 200),
            ("duplicate", Some(sign(&ok)), ok.clone(), 200),
            ("no signature", None, ok.clone(), 401),
            ("wrong signature", Some("sha1=00".into()), ok.clone(), 401),
            (
                "malformed",
                Some(sign(b"{not json")),
                b"{not json".to_vec(),
                400,
            ),
            (
                "too large",
                Some(sign(&[b' '; 5000])),
                vec![b' '; 5000],
                413,
            ),
        ];
        for (name, sig, body, status) in cases {
            let out = r.ingest.handle_post(sig.as_deref(), &body, None).await;
            assert_eq!(out.status(), status, "{name}: {out:?}");
            assert_ne!(out.status(), 410);
        }
        assert_eq!(
            r.queue.jobs.lock().unwrap().len(),
            1,
            "duplicate not queued"
        );
        for (topic, want) in [
            ("ping", IngestOutcome::Pong),
            (
                "conversation_part.redacted",
                IngestOutcome::Ignored("redaction_confirmation"),
            ),
            ("contact.created", IngestOutcome::Ignored("topic")),
        ] {
            assert_eq!(post(&r, &delivery("notif_t", topic)).await, want, "{topic}");
        }
        assert_eq!(r.queue.jobs.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn queue_failure_is_5xx_and_does_not_mark_seen() {
        let r = rig();
        let body = delivery("notif_q", "conversation.user.created");
        r.queue
            .fail
            .store(true, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(post(&r, &body).await, IngestOutcome::Unavailable);
        assert_eq!(IngestOutcome::Unavailable.status(), 503);
        r.queue
            .fail
            .store(false, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(
            post(&r, &body).await,
            IngestOutcome::Accepted,
            "redelivery goes through"
        );
        assert_eq!(post(&r, &body).await, IngestOutcome::Duplicate);
    }

    #[tokio::test]
    async fn own_note_only_is_not_queued() {
        let r = rig();
        let body = serde_json::to_vec(&json!({
            "type": "notification_event", "id": "notif_n", "topic": "conversation.admin.noted",
            "app_id": "ws1", "data": {"item": {"type": "conversation", "id": "c1",
                "conversation_parts": {"total_count": 9, "conversation_parts": [{
                    "type": "conversation_part", "id": "n1", "part_type": "note",
                    "body": "<p>masked</p>", "author": {"type": "admin", "id": "99"}}]}}}
        }))
        .unwrap();
        assert_eq!(
            post(&r, &body).await,
            IngestOutcome::Ignored("nothing_to_scan")
        );
        assert!(r.queue.jobs.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn rejections_aggregate_to_one_event_per_reason_per_minute() {
        let r = rig();
        for _ in 0..50 {
            r.ingest
                .handle_post(Some("sha1=deadbeef"), b"{\"x\":\"536-22-1120\"}", None)
                .await;
        }
        r.ingest.handle_post(None, b"{}", None).await;
        let ev = rejected_events(&r).await;
        assert_eq!(ev.len(), 2, "one per reason");
        // 49 more bad signatures pending; not due yet.
        r.ingest.flush_rejections().await;
        assert_eq!(rejected_events(&r).await.len(), 2);
        r.clock.advance(REJECTION_WINDOW_MS);
        r.ingest.flush_rejections().await;
        let ev = rejected_events(&r).await;
        assert_eq!(ev.len(), 3);
        let total: u64 = ev
            .iter()
            .filter(|e| e.reason.as_deref() == Some("bad_signature"))
            .map(|e| e.counts["rejected"])
            .sum();
        assert_eq!(total, 50);
        let all = format!("{ev:?}");
        assert!(!all.contains("078-05"), "{all}");
    }

    #[test]
    fn bodies_are_constant_and_never_410() {
        for o in [
            IngestOutcome::Accepted,
            IngestOutcome::Duplicate,
            IngestOutcome::Pong,
            IngestOutcome::Ignored("x"),
            IngestOutcome::Rejected(Rejection::BadSignature),
            IngestOutcome::Rejected(Rejection::Malformed),
            IngestOutcome::Rejected(Rejection::BodyTooLarge),
            IngestOutcome::Unavailable,
        ] {
            assert_ne!(o.status(), 410);
            assert!(o.body().starts_with('{'));
        }
    }
}
