//! The webhook route as an axum `Router`: `HEAD|POST /webhooks/intercom`.
//!
//! The same router serves `dlp serve` and the `webhook-ingest` Lambda (through `lambda_http`,
//! which hands over API Gateway bodies already base64-decoded). Owns only the HTTP mapping:
//! HEAD → 200 before anything else (Intercom's URL check carries no signature), the body limit,
//! the signature header, and the fixed status and constant JSON body of each outcome.
//!
//! Must never: echo a request byte in a response, answer 410, or log a body.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::ingest::{Ingest, IngestOutcome, Rejection, body};

/// Path Intercom posts to.
pub const WEBHOOK_PATH: &str = "/webhooks/intercom";

/// `HEAD|POST /webhooks/intercom` backed by `ingest`.
pub fn webhook_router(ingest: Arc<Ingest>) -> Router {
    // One byte over the limit is enough to know the body is too large; axum stops reading
    // there and the handler answers our own 413.
    let limit = ingest.config().max_body_bytes.saturating_add(1);
    Router::new()
        .route(WEBHOOK_PATH, post(handle_post).head(handle_head))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(ingest)
}

fn json(status: u16, text: &'static str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        text,
    )
        .into_response()
}

async fn handle_head() -> Response {
    json(200, body::OK)
}

async fn handle_post(
    State(ingest): State<Arc<Ingest>>,
    headers: HeaderMap,
    payload: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let request_id = headers
        .get("x-request-id")
        .or_else(|| headers.get("x-amzn-requestid"))
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()));
    let payload = match payload {
        Ok(b) => b,
        Err(_) => {
            // Over the limit (or unreadable): counted like any rejection, constant answer.
            let outcome = ingest
                .reject_unread(Rejection::BodyTooLarge, request_id)
                .await;
            return json(outcome.status(), outcome.body());
        }
    };
    let signature = headers
        .get(dlp_intercom::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    let outcome: IngestOutcome = ingest.handle_post(signature, &payload, request_id).await;
    json(outcome.status(), outcome.body())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::ingest::IngestConfig;
    use crate::job::ScanJob;
    use crate::ports::{QueueError, ScanQueue};
    use async_trait::async_trait;
    use axum::body::Body;
    use axum::http::Request;
    use dlp_embedded::{MemoryAuditLog, MemoryIdempotencyStore};
    use dlp_intercom::WebhookVerifier;
    use secrecy::SecretString;
    use tower::ServiceExt;

    struct NullQueue;
    #[async_trait]
    impl ScanQueue for NullQueue {
        async fn enqueue(&self, _job: &ScanJob) -> Result<(), QueueError> {
            Ok(())
        }
    }

    fn app() -> Router {
        let ingest = Ingest::new(
            WebhookVerifier::new(SecretString::from("s3cret")).unwrap(),
            Arc::new(NullQueue),
            Arc::new(MemoryIdempotencyStore::new()),
            Arc::new(MemoryAuditLog::new(8)),
            Arc::new(SystemClock),
            IngestConfig {
                max_body_bytes: 64,
                ..IngestConfig::default()
            },
        );
        webhook_router(Arc::new(ingest))
    }

    async fn call(method: &str, sig: Option<&str>, body: Vec<u8>) -> (u16, String) {
        let mut req = Request::builder().method(method).uri(WEBHOOK_PATH);
        if let Some(s) = sig {
            req = req.header("X-Hub-Signature", s);
        }
        let resp = app()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn http_mapping() {
        assert_eq!(call("HEAD", None, vec![]).await.0, 200);
        let ping = br#"{"type":"notification_event","id":null,"topic":"ping","data":{"item":{"type":"ping"}}}"#.to_vec();
        let sig = dlp_intercom::signature::sign(&SecretString::from("s3cret"), &ping);
        // Over 64 bytes → 413, constant body.
        let (s, b) = call("POST", Some(&sig), ping.clone()).await;
        assert_eq!((s, b.as_str()), (413, body::TOO_LARGE));
        let planted = b"{\"ssn\":\"536-22-1120\"}".to_vec();
        let (s, b) = call("POST", Some("sha1=abcdef"), planted).await;
        assert_eq!((s, b.as_str()), (401, body::UNAUTHORIZED));
        let (s, _) = call("GET", None, vec![]).await;
        assert_eq!(s, 405);
    }
}
