//! `webhook-ingest`: API Gateway HTTP API → verify the Intercom webhook → queue one scan job.
//!
//! Only wiring: tracing, typed settings from the environment, the SDK config and clients, the
//! secret document (fetched once per container and cached), the DynamoDB idempotency and
//! audit adapters, the SQS queue, then the runtime loop. Behaviour lives in
//! `dlp_service::ingest`; the event conversion in [`handler`].

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use dlp_aws::secrets::SecretsLoader;
use dlp_aws::sqs::SqsScanQueue;
use dlp_aws::{AwsClients, DynamoAuditLog, DynamoIdempotencyStore};
use dlp_intercom::{BodyFormat, WebhookVerifier};
use dlp_service::clock::SystemClock;
use dlp_service::ingest::{Ingest, IngestConfig};
use dlp_settings::{Settings, defaults, env, required};
use lambda_http::{Request, service_fn};
use secrecy::{ExposeSecret, SecretString};

mod handler;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let started = Instant::now();
    let ingest = Arc::new(init().await?);
    tracing::info!(
        init_ms = started.elapsed().as_secs_f64() * 1e3,
        "webhook-ingest ready"
    );
    lambda_http::run(service_fn(move |request: Request| {
        let ingest = Arc::clone(&ingest);
        async move { handler::handle(&ingest, request).await }
    }))
    .await
}

async fn init() -> anyhow::Result<Ingest> {
    let settings = Settings::from_env()?;
    let secret_id = required(env::DLP_SECRET_ID)?;
    let queue_url = required(env::DLP_QUEUE_URL)?;
    let idempotency_table = required(env::DLP_IDEMPOTENCY_TABLE)?;
    let audit_table = required(env::DLP_AUDIT_TABLE)?;

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

    let mut client_secrets = secrets.webhook_client_secrets.iter();
    let current = client_secrets
        .next()
        .context("the secret document names no webhook client secret")?;
    let mut verifier = WebhookVerifier::new(copy(current))?;
    if let Some(previous) = client_secrets.next() {
        verifier = verifier.with_previous(copy(previous));
    }

    let ingest = Ingest::new(
        verifier,
        Arc::new(SqsScanQueue::from_sdk_config(&sdk, queue_url)),
        Arc::new(DynamoIdempotencyStore::new(
            clients.dynamodb().clone(),
            idempotency_table,
        )),
        Arc::new(DynamoAuditLog::new(
            clients.dynamodb().clone(),
            audit_table,
            settings.audit_chains,
        )),
        Arc::new(SystemClock),
        IngestConfig {
            max_body_bytes: settings.webhook_max_bytes,
            job_inline_max_bytes: settings.job_inline_max_bytes,
            admin_id: secrets.admin_id.clone(),
            body_format: BodyFormat::Auto,
            dedup_ttl_ms: defaults::DEDUP_TTL_MS,
        },
    );
    // Network time (the secret fetch) is reported apart from local work so the ≤ 30 ms
    // start-to-ready target can be checked without it.
    tracing::info!(config_ms, secret_ms, "initialised");
    Ok(ingest)
}

fn copy(secret: &SecretString) -> SecretString {
    SecretString::from(secret.expose_secret().to_owned())
}
