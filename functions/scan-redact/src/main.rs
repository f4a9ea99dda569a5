//! `scan-redact`: SQS scan queue → scan, seal, act, audit → partial batch failures.
//!
//! Only wiring: tracing, typed settings from the environment, the policy and the compiled
//! rule set (once per container), the SDK config and clients, the secret document (fetched
//! once and cached), the Intercom client, the DynamoDB vault and audit adapters and the KMS
//! key provider, then the runtime loop. Behaviour lives in `dlp_service::scan`; the event
//! conversion in [`handler`].

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use aws_lambda_events::event::sqs::SqsEvent;
use dlp_aws::secrets::SecretsLoader;
use dlp_aws::{AwsClients, DynamoAuditLog, DynamoVaultStore, KmsKeyProvider};
use dlp_detector::Policy;
use dlp_intercom::{BodyFormat, ClientConfig, HttpIntercomClient, RateLimit};
use dlp_service::clock::SystemClock;
use dlp_service::engine::DetectorEngine;
use dlp_service::notify::WebhookNotifier;
use dlp_service::ports::Notifier;
use dlp_service::scan::{ScanConfig, Scanner};
use dlp_settings::{DefaultMode, Settings, env, required};
use lambda_runtime::{LambdaEvent, service_fn};
use secrecy::{ExposeSecret, SecretString};

mod handler;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let started = Instant::now();
    let (scanner, max_attempts) = init().await?;
    let scanner = Arc::new(scanner);
    tracing::info!(
        init_ms = started.elapsed().as_secs_f64() * 1e3,
        max_attempts,
        "scan-redact ready"
    );
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let scanner = Arc::clone(&scanner);
        async move {
            Ok::<_, std::convert::Infallible>(
                handler::handle(&scanner, max_attempts, event.payload).await,
            )
        }
    }))
    .await
}

async fn init() -> anyhow::Result<(Scanner, u32)> {
    let settings = Settings::from_env()?;
    let secret_id = required(env::DLP_SECRET_ID)?;
    let vault_table = required(env::DLP_VAULT_TABLE)?;
    let audit_table = required(env::DLP_AUDIT_TABLE)?;
    let vault_key_id = required(env::DLP_VAULT_KEY_ID)?;

    // The rule set is compiled once per container and shared by every invocation. It is
    // compiled on a blocking thread while the SDK clients are built and the secret is fetched
    // (a network round trip), so a cold start pays the longer of the two, not their sum.
    let policy_file = settings.policy_file.clone();
    let mode_override = settings.mode_override;
    let rule_set = tokio::task::spawn_blocking(move || -> anyhow::Result<(DetectorEngine, f64)> {
        let t = Instant::now();
        let mut policy = match &policy_file {
            Some(path) => Policy::load(path).context("loading the policy document")?,
            None => Policy::default(),
        };
        if let Some(mode) = mode_override {
            policy.mode = match mode {
                DefaultMode::Ignore => dlp_detector::Mode::Ignore,
                DefaultMode::Detect => dlp_detector::Mode::Detect,
                DefaultMode::Redact => dlp_detector::Mode::Redact,
            };
        }
        let engine = DetectorEngine::new(policy).context("compiling the rule set")?;
        Ok((engine, t.elapsed().as_secs_f64() * 1e3))
    });

    let t = Instant::now();
    let sdk = dlp_aws::sdk_config_from_env().await;
    let clients = AwsClients::from_sdk_config(&sdk, None);
    let config_ms = t.elapsed().as_secs_f64() * 1e3;

    let t = Instant::now();
    let secrets = SecretsLoader::from_sdk_config(&sdk, secret_id)
        .get()
        .await
        .context("loading the secret document")?;
    let secret_ms = t.elapsed().as_secs_f64() * 1e3;

    let t = Instant::now();
    let mut intercom = ClientConfig::with_base_url(settings.intercom_url.clone());
    intercom.api_version = settings.intercom_version.clone();
    // Retries inside one invocation stay well inside the 90 s function timeout; longer outages
    // are retried by SQS (visibility timeout), up to maxReceiveCount deliveries.
    intercom.retry.max_elapsed = std::time::Duration::from_secs(20);
    intercom.rate_limit = Some(RateLimit {
        per_minute: settings.intercom_rate_per_minute,
        burst: (settings.intercom_rate_per_minute / 60).max(1),
    });
    let intercom = HttpIntercomClient::new(
        intercom,
        SecretString::from(secrets.intercom_access_token.expose_secret().to_owned()),
    )
    .context("building the Intercom client")?;
    let client_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let (engine, rules_ms) = rule_set.await.context("the rule-set task")??;
    // Time spent waiting for the rule set after everything else was ready.
    let rules_wait_ms = t.elapsed().as_secs_f64() * 1e3;
    let notifier: Option<Arc<dyn Notifier>> = match &secrets.notification_webhook_url {
        Some(url) => Some(Arc::new(
            WebhookNotifier::new(SecretString::from(url.expose_secret().to_owned()))
                .context("building the notifier")?,
        )),
        None => None,
    };

    let scanner = Scanner::new(
        Arc::new(engine),
        Arc::new(intercom),
        Arc::new(DynamoVaultStore::new(
            clients.dynamodb().clone(),
            vault_table,
        )),
        Arc::new(KmsKeyProvider::new(clients.kms().clone(), vault_key_id)),
        Arc::new(DynamoAuditLog::new(
            clients.dynamodb().clone(),
            audit_table,
            settings.audit_chains,
        )),
        notifier,
        Arc::new(SystemClock),
        ScanConfig {
            admin_id: secrets.admin_id.clone(),
            default_tag: settings.tag_name.clone(),
            app_url: settings.intercom_app_url.clone(),
            dry_run: settings.dry_run,
            body_format: BodyFormat::Auto,
        },
    );
    // Network time (the secret fetch) is reported apart from local work so the ≤ 30 ms
    // start-to-ready target can be checked without it.
    tracing::info!(
        rules_ms,
        rules_wait_ms,
        config_ms,
        secret_ms,
        client_ms,
        "initialised"
    );
    Ok((scanner, settings.max_attempts))
}
