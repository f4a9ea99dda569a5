//! Support for running the Lambda binaries through the Lambda runtime API, against moto.
//!
//! `cargo lambda watch --only-lambda-apis` serves the runtime API on a free loopback port; the
//! function binary this package built (`CARGO_BIN_EXE_*`) runs against it with the
//! environment a Lambda would give it, pointed at moto; `cargo lambda invoke --data-file`
//! sends the sample events. The binary is started by the test instead of by `cargo lambda
//! watch` because `watch` would run `cargo build`, which blocks on the build-directory lock
//! that the running `cargo test` holds.
//!
//! Shared by the two function packages (scan-redact includes this file by path).
#![allow(dead_code)]

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use dlp_aws::sqs::{QueuePair, create_queue_with_dlq};
use dlp_aws::{AUDIT_TABLE, IDEMPOTENCY_TABLE, VAULT_TABLE, create_table};

/// The documented test client secret (events/README.md).
pub const EVENTS_SECRET: &str = "dlp-test-client-secret-not-for-production";
pub const TOKEN: &str = "test-token";
pub const ADMIN_ID: &str = "991267645";
/// Synthetic values planted in the sample events; they must never reach a log line.
pub const PLANTED: &[&str] = &[
    "536-22-1457",
    "536221457",
    "4111 1111 1111 1111",
    "4111\u{a0}1111",
    "Pat Doe",
];

pub fn endpoint() -> String {
    std::env::var("DLP_TEST_AWS_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "DLP_TEST_AWS_ENDPOINT is not set: these tests need moto's server \
             (scripts/test.sh starts it and exports the variable)"
        )
    })
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn sdk_config() -> SdkConfig {
    let creds = aws_sdk_sqs::config::Credentials::new("testing", "testing", None, None, "dlp-test");
    SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint())
        .credentials_provider(aws_sdk_sqs::config::SharedCredentialsProvider::new(creds))
        .build()
}

pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos:x}", std::process::id())
}

/// The resources template.yaml declares, created in moto under unique names.
pub struct Stack {
    pub vault_table: String,
    pub idempotency_table: String,
    pub audit_table: String,
    pub queue: QueuePair,
    pub vault_key_id: String,
    pub secret_id: String,
}

pub async fn create_stack(sdk: &SdkConfig, name: &str) -> Stack {
    let kms = aws_sdk_kms::Client::new(sdk);
    let infra_key = kms.create_key().send().await.unwrap();
    let infra_key = infra_key.key_metadata().unwrap().arn().unwrap().to_owned();
    let vault_key = kms.create_key().send().await.unwrap();
    let vault_key_id = vault_key.key_metadata().unwrap().arn().unwrap().to_owned();

    let ddb = aws_sdk_dynamodb::Client::new(sdk);
    let vault_table = format!("{name}-vault");
    let idempotency_table = format!("{name}-idempotency");
    let audit_table = format!("{name}-audit");
    create_table(&ddb, &VAULT_TABLE, &vault_table, Some(&infra_key))
        .await
        .unwrap();
    create_table(
        &ddb,
        &IDEMPOTENCY_TABLE,
        &idempotency_table,
        Some(&infra_key),
    )
    .await
    .unwrap();
    create_table(&ddb, &AUDIT_TABLE, &audit_table, Some(&infra_key))
        .await
        .unwrap();

    let sqs = aws_sdk_sqs::Client::new(sdk);
    let queue = create_queue_with_dlq(&sqs, &format!("{name}-scan"), 5, 30, Some(&infra_key))
        .await
        .unwrap();

    let secret_id = format!("{name}/intercom");
    aws_sdk_secretsmanager::Client::new(sdk)
        .create_secret()
        .name(&secret_id)
        .kms_key_id(&infra_key)
        .secret_string(
            serde_json::json!({
                "intercom_access_token": TOKEN,
                "webhook_client_secrets": [EVENTS_SECRET],
                "admin_id": ADMIN_ID,
            })
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    Stack {
        vault_table,
        idempotency_table,
        audit_table,
        queue,
        vault_key_id,
        secret_id,
    }
}

impl Stack {
    /// The function environment template.yaml gives (Globals), pointed at moto.
    pub fn env(&self) -> Vec<(String, String)> {
        let e = endpoint();
        [
            ("DLP_SECRET_ID", self.secret_id.as_str()),
            ("DLP_QUEUE_URL", &self.queue.queue_url),
            ("DLP_VAULT_TABLE", &self.vault_table),
            ("DLP_IDEMPOTENCY_TABLE", &self.idempotency_table),
            ("DLP_AUDIT_TABLE", &self.audit_table),
            ("DLP_VAULT_KEY_ID", &self.vault_key_id),
            ("DLP_MAX_ATTEMPTS", "5"),
            ("DLP_AWS_ENDPOINT", &e),
            ("AWS_ENDPOINT_URL", &e),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed (by its own pid) when dropped.
pub struct Proc {
    pub child: Child,
    pub name: &'static str,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    pub fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("{} exited early: {status}", self.name);
        }
    }
}

fn cargo_lambda_available() {
    let ok = Command::new("cargo")
        .args(["lambda", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "`cargo lambda` is not available: pip install cargo-lambda (scripts/test.sh installs it \
         into .venv and puts .venv/bin on PATH)"
    );
}

/// `cargo lambda watch --only-lambda-apis` on 127.0.0.1:`port`, ready to accept invokes.
pub fn start_runtime_api(port: u16, log: &Path) -> Proc {
    cargo_lambda_available();
    let out = std::fs::File::create(log).unwrap();
    let child = Command::new("cargo")
        .args([
            "lambda",
            "watch",
            "--only-lambda-apis",
            "--invoke-address",
            "127.0.0.1",
        ])
        .args(["--invoke-port", &port.to_string()])
        .current_dir(workspace_root())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .expect("spawn cargo lambda watch");
    let mut p = Proc {
        child,
        name: "cargo lambda watch",
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        p.assert_running();
        assert!(Instant::now() < deadline, "runtime API did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    p
}

/// Runs a function binary against the runtime API with `env` (and nothing else inherited
/// but PATH), its output to `log`.
pub fn start_function(bin: &str, port: u16, env: &[(String, String)], log: &Path) -> Proc {
    let out = std::fs::File::create(log).unwrap();
    let child = Command::new(bin)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "AWS_LAMBDA_RUNTIME_API",
            format!("http://127.0.0.1:{port}/.rt"),
        )
        .env("AWS_LAMBDA_FUNCTION_NAME", "_")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("RUST_LOG", "info")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .expect("spawn the function binary");
    Proc {
        child,
        name: "function",
    }
}

/// `cargo lambda invoke _ --data-file <file>`: the function's JSON answer. With
/// `--only-lambda-apis` the runtime API serves the function named `_` (the binary we started
/// with `AWS_LAMBDA_FUNCTION_NAME=_`); invoking another name would wait for `watch` to build
/// and start that binary itself.
pub fn invoke(port: u16, data_file: &Path) -> serde_json::Value {
    let out = Command::new("cargo")
        .args(["lambda", "invoke", "_", "--invoke-address", "127.0.0.1"])
        .args([
            "--invoke-port",
            &port.to_string(),
            "--output-format",
            "json",
        ])
        .arg("--data-file")
        .arg(data_file)
        .current_dir(workspace_root())
        .output()
        .expect("run cargo lambda invoke");
    assert!(
        out.status.success(),
        "cargo lambda invoke {} failed: {}{}",
        data_file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "invoke output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Fails if any planted value appears in the file.
pub fn assert_no_planted(log: &Path) {
    let text = std::fs::read_to_string(log).unwrap();
    for planted in PLANTED {
        assert!(
            !text.contains(planted),
            "{} holds a planted value",
            log.display()
        );
    }
}
