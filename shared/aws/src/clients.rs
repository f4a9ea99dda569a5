//! SDK clients, adapter settings and the AWS call counter.
//!
//! The counter is an SDK interceptor: it sees every HTTP attempt a client transmits (retries
//! included, which is what AWS bills and what adds latency) and files it under the operation
//! named by the request's `X-Amz-Target` header (DynamoDB and KMS both speak AWS JSON). It
//! reads one header and never the body.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};

/// Table names and key id the adapters work with (from the environment in Lambda, from
/// stack outputs or test setup elsewhere).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsSettings {
    pub vault_table: String,
    pub idempotency_table: String,
    pub audit_table: String,
    /// KMS key id, ARN or alias of the vault key (makes per-entry data keys).
    pub vault_key_id: String,
    /// Number of audit hash chains (default 8). Readers and writers must agree.
    pub audit_chains: u16,
}

/// Counts AWS calls by operation (`"dynamodb:PutItem"`, `"kms:GenerateDataKey"`). Cheap to
/// clone; clones share the counts.
#[derive(Clone, Debug, Default)]
pub struct CallCounter {
    counts: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl CallCounter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls of one operation so far, e.g. `get("kms:GenerateDataKey")`.
    pub fn get(&self, op: &str) -> u64 {
        self.lock().get(op).copied().unwrap_or(0)
    }

    /// All calls so far, by operation.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.lock().clone()
    }

    pub fn total(&self) -> u64 {
        self.lock().values().sum()
    }

    pub fn reset(&self) {
        self.lock().clear();
    }

    fn record(&self, op: String) {
        *self.lock().entry(op).or_insert(0) += 1;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, u64>> {
        // A panic while holding this lock cannot leave the map inconsistent (single insert).
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `X-Amz-Target: DynamoDB_20120810.PutItem` → `dynamodb:PutItem`;
/// `TrentService.GenerateDataKey` → `kms:GenerateDataKey`.
fn operation_name(target: Option<&str>) -> String {
    let Some(target) = target else {
        return "unknown".into();
    };
    let (service, op) = target.split_once('.').unwrap_or(("unknown", target));
    let service = if service.starts_with("DynamoDB") {
        "dynamodb"
    } else if service == "TrentService" {
        "kms"
    } else {
        service
    };
    format!("{service}:{op}")
}

#[derive(Debug)]
struct CountingInterceptor(CallCounter);

impl Intercept for CountingInterceptor {
    fn name(&self) -> &'static str {
        "dlp-aws-call-counter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let target = context.request().headers().get("x-amz-target");
        self.0.record(operation_name(target));
        Ok(())
    }
}

/// The SDK configuration from the standard Lambda environment (region, credentials).
/// `DLP_AWS_ENDPOINT` (or the SDK's own `AWS_ENDPOINT_URL`) points every client at an
/// emulator in tests; it is unset in production.
pub async fn sdk_config_from_env() -> SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(url) = std::env::var(dlp_settings::env::DLP_AWS_ENDPOINT)
        .ok()
        .filter(|v| !v.is_empty())
    {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// The SDK clients the adapters use, built once per process (Lambda init) and cloned into
/// each adapter (SDK clients are cheap handles over a shared connection pool).
#[derive(Clone, Debug)]
pub struct AwsClients {
    dynamodb: aws_sdk_dynamodb::Client,
    kms: aws_sdk_kms::Client,
}

impl AwsClients {
    /// Clients from the standard environment (Lambda: region and credentials from env).
    pub async fn from_env(counter: Option<&CallCounter>) -> Self {
        Self::from_sdk_config(&sdk_config_from_env().await, counter)
    }

    /// Clients against an explicit endpoint (moto, DynamoDB Local, LocalStack) with static
    /// credentials. Only for tests and local setups.
    pub fn for_endpoint(
        endpoint: &str,
        region: &str,
        access_key_id: &str,
        secret_access_key: &str,
        counter: Option<&CallCounter>,
    ) -> Self {
        let creds = aws_sdk_dynamodb::config::Credentials::new(
            access_key_id,
            secret_access_key,
            None,
            None,
            "dlp-aws-static",
        );
        let sdk = SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            // Emulators answer concurrent transactions on one table with sporadic 500s
            // (moto copies table state without a lock); a few more attempts than the
            // default 3 absorb them.
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(8))
            .region(aws_config::Region::new(region.to_owned()))
            .endpoint_url(endpoint)
            .credentials_provider(aws_sdk_dynamodb::config::SharedCredentialsProvider::new(
                creds,
            ))
            .build();
        Self::from_sdk_config(&sdk, counter)
    }

    /// Clients from a loaded SDK config; with a counter, every call they transmit is counted.
    pub fn from_sdk_config(sdk: &SdkConfig, counter: Option<&CallCounter>) -> Self {
        let mut ddb = aws_sdk_dynamodb::config::Builder::from(sdk);
        let mut kms = aws_sdk_kms::config::Builder::from(sdk);
        if let Some(c) = counter {
            ddb = ddb.interceptor(CountingInterceptor(c.clone()));
            kms = kms.interceptor(CountingInterceptor(c.clone()));
        }
        Self {
            dynamodb: aws_sdk_dynamodb::Client::from_conf(ddb.build()),
            kms: aws_sdk_kms::Client::from_conf(kms.build()),
        }
    }

    pub fn dynamodb(&self) -> &aws_sdk_dynamodb::Client {
        &self.dynamodb
    }

    pub fn kms(&self) -> &aws_sdk_kms::Client {
        &self.kms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_from_targets() {
        assert_eq!(
            operation_name(Some("DynamoDB_20120810.PutItem")),
            "dynamodb:PutItem"
        );
        assert_eq!(
            operation_name(Some("TrentService.GenerateDataKey")),
            "kms:GenerateDataKey"
        );
        assert_eq!(operation_name(None), "unknown");
    }

    #[test]
    fn counter_clones_share_counts() {
        let c = CallCounter::new();
        let d = c.clone();
        d.record("kms:Decrypt".into());
        d.record("kms:Decrypt".into());
        assert_eq!(c.get("kms:Decrypt"), 2);
        assert_eq!(c.total(), 2);
        c.reset();
        assert_eq!(d.total(), 0);
    }
}
