//! retention-purge: wires the DynamoDB adapters and runs the purge on each scheduled event.
//! Logic lives in `dlp_service::retention`; the event handling in `handler.rs`.

use std::sync::Arc;

use dlp_aws::{AwsClients, DynamoAuditLog, DynamoIdempotencyStore, DynamoVaultStore};
use dlp_service::clock::SystemClock;
use dlp_service::governance_config::GovernanceSettings;
use dlp_service::retention::Retention;
use dlp_settings::{env, required};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

mod handler;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let settings = dlp_settings::Settings::from_env()?;
    let gov = GovernanceSettings::from_env()?;
    let clients = AwsClients::from_env(None).await;
    let retention = Retention {
        vault: Arc::new(DynamoVaultStore::new(
            clients.dynamodb().clone(),
            required(env::DLP_VAULT_TABLE)?,
        )),
        idempotency: Arc::new(DynamoIdempotencyStore::new(
            clients.dynamodb().clone(),
            required(env::DLP_IDEMPOTENCY_TABLE)?,
        )),
        audit: Arc::new(DynamoAuditLog::new(
            clients.dynamodb().clone(),
            required(env::DLP_AUDIT_TABLE)?,
            settings.audit_chains,
        )),
        clock: Arc::new(SystemClock),
    };
    let deps = handler::Deps {
        retention,
        reserve_ms: gov.purge_reserve_ms,
    };
    let deps = &deps;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handler::handle(deps, event).await
    }))
    .await
}
