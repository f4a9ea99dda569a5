#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The client's log lines carry no token and no message text. Alone in its own test binary
//! because it installs a global subscriber (a thread-local one races with callsite interest
//! caching when other tests run in parallel).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dlp_intercom::fake::{Failure, FakeIntercom};
use dlp_intercom::{ClientConfig, HttpIntercomClient, IntercomApi};
use secrecy::SecretString;
use serde_json::json;

const TOKEN: &str = "dG9rOjEyMzQ1Njc4OTA6c3ludGhldGljLXRva2Vu";

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn retry_logs_carry_no_token_or_body() {
    let buf = Buf::default();
    let writer = buf.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let fake = FakeIntercom::start(TOKEN).await;
    fake.seed_conversation(json!({"type": "conversation", "id": "91",
        "source": {"type": "conversation", "id": "9100", "body": "<p>hi</p>",
                   "author": {"type": "user", "id": "u1"}}}));
    let mut cfg = ClientConfig::with_base_url(fake.base_url());
    cfg.retry.initial_backoff = Duration::from_millis(10);
    cfg.rate_limit = None;
    let client = HttpIntercomClient::new(cfg, SecretString::from(TOKEN)).unwrap();
    fake.fail_next("POST /conversations/91/reply", Failure::ServerError, 2);
    let body = "<p>SECRET-NOTE card 4111111111111111 pat@example.org</p>";
    client.add_admin_note("91", "7", body).await.unwrap();
    fake.fail_next("GET /conversations/91", Failure::ServerError, 1);
    client.get_conversation("91", false).await.unwrap();

    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("will be retried"), "positive control: {logs}");
    for secret in [TOKEN, "SECRET-NOTE", "4111111111111111", "pat@example.org"] {
        assert!(!logs.contains(secret), "log leaks {secret}");
    }
}
