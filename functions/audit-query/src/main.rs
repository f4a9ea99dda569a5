//! audit-query: wires the DynamoDB stores and the KMS key provider (the only function allowed
//! to `kms:Decrypt` with the vault key) into the review router and serves it over API Gateway.
//! The JWT authorizer has verified the token before this runs; `handler.rs` turns its claims
//! into the caller's identity.

use std::sync::Arc;

use dlp_aws::{
    AwsClients, DynamoAuditLog, DynamoIdempotencyStore, DynamoVaultStore, KmsKeyProvider,
};
use dlp_service::clock::SystemClock;
use dlp_service::governance_config::GovernanceSettings;
use dlp_service::review::Review;
use dlp_settings::{env, required};

mod handler;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let settings = dlp_settings::Settings::from_env()?;
    let gov = GovernanceSettings::from_env()?;
    let clients = AwsClients::from_env(None).await;
    let ddb = clients.dynamodb().clone();
    let review = Review {
        vault: Arc::new(DynamoVaultStore::new(
            ddb.clone(),
            required(env::DLP_VAULT_TABLE)?,
        )),
        keys: Arc::new(KmsKeyProvider::new(
            clients.kms().clone(),
            required(env::DLP_VAULT_KEY_ID)?,
        )),
        audit: Arc::new(DynamoAuditLog::new(
            ddb.clone(),
            required(env::DLP_AUDIT_TABLE)?,
            settings.audit_chains,
        )),
        counters: Arc::new(DynamoIdempotencyStore::new(
            ddb,
            required(env::DLP_IDEMPOTENCY_TABLE)?,
        )),
        clock: Arc::new(SystemClock),
        config: gov.review_config(),
    };
    lambda_http::run(handler::app(review, gov.roles_claim)).await
}
