//! Helpers for the end-to-end tests: spawn the real `dlp serve` binary on loopback with a
//! temporary data directory, sign and post webhook deliveries, wait for effects at the fake
//! Intercom, and scan every output (logs, files, records) for planted values.
//!
//! Test support code: failing loudly (panics with a message naming what was expected) is its
//! job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use secrecy::SecretString;
use serde_json::{Value, json};

pub const TOKEN: &str = "e2e-intercom-token";
pub const CLIENT_SECRET: &str = "e2e-client-secret";
pub const ADMIN_ID: &str = "991";
pub const JWT_SECRET: &str = "e2e-jwt-secret-0123456789abcdef-0123456789";
/// Synthetic values planted in messages (a valid-format SSN, Visa's test card).
pub const SSN: &str = "536-22-8127";
pub const CARD: &str = "4111 1111 1111 1111";

/// The planted values in every form a leak might take.
pub fn planted_forms() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for v in [SSN, CARD, "4111111111111111", "536228127"] {
        out.push(v.as_bytes().to_vec());
        out.push(hex::encode(v).into_bytes());
        out.push(
            base64::engine::general_purpose::STANDARD
                .encode(v)
                .into_bytes(),
        );
    }
    out
}

/// Panics naming `what` when `bytes` contains a planted value in any form.
pub fn assert_clean(what: &str, bytes: &[u8]) {
    for f in planted_forms() {
        assert!(
            !bytes.windows(f.len()).any(|w| w == f.as_slice()),
            "{what} contains a planted value ({})",
            String::from_utf8_lossy(&f)
        );
    }
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The `dlp` binary built by this workspace (`DLP_BIN` overrides).
pub fn dlp_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("DLP_BIN") {
        return PathBuf::from(p);
    }
    // target/<profile>/deps/<this test> → target/<profile>/dlp
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let bin = profile_dir.join(format!("dlp{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "the dlp binary is missing at {}: build it first (`cargo build -p dlp`; `cargo test --workspace` builds it)",
        bin.display()
    );
    bin
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A running `dlp serve` child process.
pub struct Serve {
    pub child: Option<Child>,
    pub base: String,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
    run: u32,
    intercom_url: String,
    extra: Vec<String>,
    env: Vec<(String, String)>,
}

impl Serve {
    /// Start `dlp serve --mode redact` against `intercom_url` with a fresh data dir.
    pub async fn start(
        intercom_url: &str,
        data_dir: &Path,
        log_dir: &Path,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Serve {
        let mut s = Serve {
            child: None,
            base: String::new(),
            data_dir: data_dir.to_path_buf(),
            log_dir: log_dir.to_path_buf(),
            run: 0,
            intercom_url: intercom_url.to_owned(),
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        };
        s.spawn().await;
        s
    }

    /// (Re)start the process on the same data dir (after a kill).
    pub async fn spawn(&mut self) {
        self.run += 1;
        let port = free_port();
        self.base = format!("http://127.0.0.1:{port}");
        let out =
            std::fs::File::create(self.log_dir.join(format!("stdout-{}.log", self.run))).unwrap();
        let err =
            std::fs::File::create(self.log_dir.join(format!("stderr-{}.log", self.run))).unwrap();
        let mut cmd = Command::new(dlp_bin());
        cmd.arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(&self.data_dir)
            .arg("--intercom-url")
            .arg(&self.intercom_url)
            .args(["--mode", "redact", "--retry-base-ms", "50"])
            .args([
                "--intercom-attempts",
                "2",
                "--visibility-timeout-secs",
                "30",
            ])
            .args(&self.extra)
            .args(if self.extra.iter().any(|a| a == "--workers") {
                &[][..]
            } else {
                &["--workers", "2"][..]
            })
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("INTERCOM_ACCESS_TOKEN", TOKEN)
            .env("INTERCOM_CLIENT_SECRET", CLIENT_SECRET)
            .env("DLP_ADMIN_ID", ADMIN_ID)
            .env("DLP_JWT_SECRET", JWT_SECRET)
            .env("RUST_LOG", "debug,hyper=info,reqwest=info,h2=info")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        self.child = Some(cmd.spawn().expect("spawn dlp serve"));
        let deadline = Instant::now() + Duration::from_secs(20);
        let http = reqwest::Client::new();
        loop {
            if let Ok(r) = http.get(format!("{}/healthz", self.base)).send().await
                && r.status().is_success()
            {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("dlp serve exited early with {status}: {}", self.logs());
            }
            assert!(
                Instant::now() < deadline,
                "dlp serve did not become healthy: {}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: no chance to clean up.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    /// SIGTERM and wait for a clean exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let mut c = self.child.take().expect("running");
        let pid = c.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            if let Some(s) = c.try_wait().unwrap() {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "dlp serve did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Everything the process wrote to stdout and stderr so far.
    pub fn logs(&self) -> String {
        let mut s = String::new();
        for p in files_under(&self.log_dir) {
            s.push_str(&std::fs::read_to_string(p).unwrap_or_default());
        }
        s
    }

    pub async fn health(&self) -> Value {
        reqwest::get(format!("{}/healthz", self.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// POST a delivery signed with the client secret; returns status and body.
    pub async fn post_signed(&self, body: &[u8]) -> (u16, String) {
        let sig = dlp_intercom::signature::sign(&SecretString::from(CLIENT_SECRET), body);
        self.post(Some(&sig), body).await
    }

    pub async fn post(&self, signature: Option<&str>, body: &[u8]) -> (u16, String) {
        let mut req = reqwest::Client::new()
            .post(format!("{}/webhooks/intercom", self.base))
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(s) = signature {
            req = req.header("X-Hub-Signature", s);
        }
        let r = req.send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// A conversation whose part `p1` (written by a user, HTML body) holds the planted SSN and
/// card; `p2` is harmless.
pub fn conversation(id: &str) -> Value {
    json!({
        "type": "conversation", "id": id, "created_at": 1_700_000_000,
        "source": {"type": "conversation", "id": format!("s{id}"), "delivered_as": "customer_initiated",
                   "subject": "", "body": "<p>Hi, I need help with my order</p>",
                   "author": {"type": "user", "id": "u1", "name": "Jane Roe"}, "attachments": []},
        "conversation_parts": {"type": "conversation_part.list", "total_count": 2,
            "conversation_parts": [
                {"type": "conversation_part", "id": format!("{id}01"), "part_type": "comment",
                 "body": format!("<p>Sure &mdash; my SSN is {SSN}</p><p>and my card is <b>{CARD}</b></p>"),
                 "author": {"type": "user", "id": "u1"}, "attachments": [], "redacted": false,
                 "created_at": 1_700_000_100},
                {"type": "conversation_part", "id": format!("{id}02"), "part_type": "comment",
                 "body": "<p>Thanks, looking into it.</p>",
                 "author": {"type": "admin", "id": "5"}, "attachments": [], "redacted": false,
                 "created_at": 1_700_000_200}]}
    })
}

/// A signed-ready delivery body for `topic` carrying `item`.
pub fn delivery(notification_id: &str, topic: &str, item: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": "notification_event", "id": notification_id, "topic": topic,
        "app_id": "e2eapp", "created_at": 1_700_000_300, "delivery_attempts": 1,
        "first_sent_at": 1_700_000_300,
        "data": {"type": "notification_event_data", "item": item}
    }))
    .unwrap()
}

/// Poll `cond` until it holds or `secs` pass.
pub async fn wait_for(what: &str, secs: u64, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
