//! Secrets Manager loader for the service's secret document ([`dlp_settings::Secrets`]).
//!
//! Owns: fetching the one secret (Intercom access token, webhook client secrets, admin id,
//! notification URL) by id, checking that the document has the fields the service needs, and
//! caching the parsed document for the life of the process — one `GetSecretValue` per Lambda
//! container, not one per invocation. A failed fetch is not cached, so the next invocation
//! tries again.
//!
//! Must never: put the secret string, any part of it, or a serde error (which can quote input)
//! into an error, a log line or a `Debug` output. Errors name the secret id, the AWS error
//! code, or the missing field — never a value.

use std::sync::Arc;

use aws_config::SdkConfig;
use dlp_settings::Secrets;
use tokio::sync::OnceCell;

use crate::error::{Class, classify};

/// Fields the document must carry (the client secret may be given in either form).
const REQUIRED_FIELDS: &[&str] = &["intercom_access_token", "admin_id"];
const CLIENT_SECRET_FIELDS: &[&str] = &["webhook_client_secrets", "webhook_client_secret"];

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// Throttling, timeouts, 5xx: the next invocation may succeed.
    #[error("secret {secret_id} unavailable: {reason}")]
    Unavailable { secret_id: String, reason: String },
    /// Not found, access denied, KMS refused to decrypt: an operator must fix it.
    #[error("secret {secret_id} refused: {reason}")]
    Refused { secret_id: String, reason: String },
    /// The secret has no `SecretString` (binary secrets are not supported).
    #[error("secret {secret_id} has no string value")]
    NotAString { secret_id: String },
    /// The document lacks a required field. Names the field, never a value.
    #[error("secret {secret_id} is missing the field `{field}`")]
    MissingField {
        secret_id: String,
        field: &'static str,
    },
    /// The document is not the expected JSON (no content quoted).
    #[error("secret {secret_id} is malformed: {reason}")]
    Malformed {
        secret_id: String,
        reason: &'static str,
    },
}

impl SecretError {
    /// Worth retrying without operator action.
    pub fn is_transient(&self) -> bool {
        matches!(self, SecretError::Unavailable { .. })
    }
}

/// Loads the secret document once and hands out the cached copy.
#[derive(Debug)]
pub struct SecretsLoader {
    client: aws_sdk_secretsmanager::Client,
    secret_id: String,
    cache: OnceCell<Arc<Secrets>>,
}

impl SecretsLoader {
    pub fn new(client: aws_sdk_secretsmanager::Client, secret_id: impl Into<String>) -> Self {
        Self {
            client,
            secret_id: secret_id.into(),
            cache: OnceCell::new(),
        }
    }

    pub fn from_sdk_config(sdk: &SdkConfig, secret_id: impl Into<String>) -> Self {
        Self::new(aws_sdk_secretsmanager::Client::new(sdk), secret_id)
    }

    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The secret document: fetched on first call, cached afterwards. Concurrent first calls
    /// share one fetch; an error is returned and not cached.
    pub async fn get(&self) -> Result<Arc<Secrets>, SecretError> {
        self.cache
            .get_or_try_init(|| async { self.fetch().await.map(Arc::new) })
            .await
            .cloned()
    }

    /// Whether the document has been loaded (for tests and startup logs).
    pub fn is_cached(&self) -> bool {
        self.cache.initialized()
    }

    async fn fetch(&self) -> Result<Secrets, SecretError> {
        let out = self
            .client
            .get_secret_value()
            .secret_id(&self.secret_id)
            .send()
            .await
            .map_err(|e| {
                let reason = match classify("GetSecretValue", &e) {
                    Class::Transient(m) => {
                        return SecretError::Unavailable {
                            secret_id: self.secret_id.clone(),
                            reason: m,
                        };
                    }
                    Class::ConditionFailed => "GetSecretValue: condition failed".to_owned(),
                    Class::Rejected(m) | Class::Refused(m) | Class::Other(m) => m,
                };
                SecretError::Refused {
                    secret_id: self.secret_id.clone(),
                    reason,
                }
            })?;
        let doc = out.secret_string().ok_or_else(|| SecretError::NotAString {
            secret_id: self.secret_id.clone(),
        })?;
        parse_document(&self.secret_id, doc)
    }
}

/// Checks the shape of the document, then parses it with the settings crate. Separate from the
/// fetch so the error cases are testable without AWS.
pub fn parse_document(secret_id: &str, doc: &str) -> Result<Secrets, SecretError> {
    let malformed = |reason| SecretError::Malformed {
        secret_id: secret_id.to_owned(),
        reason,
    };
    // serde_json errors may quote the input, so they are dropped, not wrapped.
    let value: serde_json::Value =
        serde_json::from_str(doc).map_err(|_| malformed("not valid JSON"))?;
    let Some(obj) = value.as_object() else {
        return Err(malformed("not a JSON object"));
    };
    let present = |f: &str| obj.get(f).is_some_and(|v| !v.is_null());
    for field in REQUIRED_FIELDS {
        if !present(field) {
            return Err(SecretError::MissingField {
                secret_id: secret_id.to_owned(),
                field,
            });
        }
    }
    if !CLIENT_SECRET_FIELDS.iter().any(|f| present(f)) {
        return Err(SecretError::MissingField {
            secret_id: secret_id.to_owned(),
            field: CLIENT_SECRET_FIELDS[0],
        });
    }
    Secrets::from_json(doc).map_err(|_| malformed("a field has the wrong type or is empty"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    // Synthetic credentials, planted so the tests can check they never leak.
    const TOKEN: &str = "dG9rOnN5bnRoZXRpYy1hY2Nlc3MtdG9rZW4tOTk5";
    const CLIENT_SECRET: &str = "synthetic-client-secret-4b1d";
    const SLACK_URL: &str = "https://hooks.slack.example/services/T000/B000/XXXXSYNTHETIC";

    fn valid_doc() -> String {
        serde_json::json!({
            "intercom_access_token": TOKEN,
            "webhook_client_secrets": [CLIENT_SECRET],
            "admin_id": "991267645",
            "notification_webhook_url": SLACK_URL,
        })
        .to_string()
    }

    fn assert_no_secret(text: &str) {
        for planted in [TOKEN, CLIENT_SECRET, SLACK_URL, "hooks.slack"] {
            assert!(!text.contains(planted), "leaked a planted secret: {text}");
        }
    }

    #[test]
    fn parses_a_valid_document() {
        let s = parse_document("dlp/test", &valid_doc()).unwrap();
        assert_eq!(s.intercom_access_token.expose_secret(), TOKEN);
        assert_eq!(s.client_secret_bytes(), vec![CLIENT_SECRET.as_bytes()]);
        assert_eq!(s.admin_id, "991267645");
        assert!(s.notification_webhook_url.is_some());
        assert_no_secret(&format!("{s:?}"));
    }

    #[test]
    fn errors_name_the_field_and_never_a_value() {
        let without = |field: &str| {
            let mut v: serde_json::Value = serde_json::from_str(&valid_doc()).unwrap();
            v.as_object_mut().unwrap().remove(field);
            v.to_string()
        };
        let cases: Vec<(String, &str)> = vec![
            (without("intercom_access_token"), "`intercom_access_token`"),
            (without("admin_id"), "`admin_id`"),
            (
                without("webhook_client_secrets"),
                "`webhook_client_secrets`",
            ),
            (
                format!("{{\"intercom_access_token\": \"{TOKEN}\""),
                "not valid JSON",
            ),
            (format!("[\"{TOKEN}\"]"), "not a JSON object"),
            (
                // Wrong type: serde would quote the token in its own message.
                format!(
                    "{{\"intercom_access_token\": \"{TOKEN}\", \"admin_id\": [\"{CLIENT_SECRET}\"], \"webhook_client_secret\": \"{CLIENT_SECRET}\"}}"
                ),
                "wrong type",
            ),
            (
                format!(
                    "{{\"intercom_access_token\": \"{TOKEN}\", \"admin_id\": 7, \"webhook_client_secrets\": []}}"
                ),
                "empty",
            ),
        ];
        for (doc, want) in cases {
            let err = parse_document("dlp/test", &doc).unwrap_err();
            let (display, debug) = (err.to_string(), format!("{err:?}"));
            assert!(display.contains(want), "{display} should mention {want}");
            assert!(
                display.contains("dlp/test"),
                "{display} should name the secret"
            );
            assert_no_secret(&display);
            assert_no_secret(&debug);
        }
    }

    #[test]
    fn single_client_secret_form_is_accepted() {
        let doc = serde_json::json!({
            "intercom_access_token": TOKEN,
            "webhook_client_secret": CLIENT_SECRET,
            "admin_id": 991267645,
        })
        .to_string();
        let s = parse_document("dlp/test", &doc).unwrap();
        assert_eq!(s.webhook_client_secrets.len(), 1);
        assert_eq!(s.admin_id, "991267645");
        assert!(s.notification_webhook_url.is_none());
    }

    // ---- against moto ---------------------------------------------------------------------

    fn endpoint() -> String {
        std::env::var("DLP_TEST_AWS_ENDPOINT").unwrap_or_else(|_| {
            panic!(
                "DLP_TEST_AWS_ENDPOINT is not set: these tests need moto's server \
                 (scripts/test.sh starts it and exports the variable)"
            )
        })
    }

    fn sdk_config() -> SdkConfig {
        let creds = aws_sdk_secretsmanager::config::Credentials::new(
            "testing", "testing", None, None, "dlp-test",
        );
        SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(endpoint())
            .credentials_provider(
                aws_sdk_secretsmanager::config::SharedCredentialsProvider::new(creds),
            )
            .build()
    }

    fn unique(prefix: &str) -> String {
        use rand::Rng;
        format!("{prefix}-{:016x}", rand::thread_rng().r#gen::<u64>())
    }

    #[tokio::test]
    async fn loads_from_secrets_manager_once_and_caches() {
        let sdk = sdk_config();
        let client = aws_sdk_secretsmanager::Client::new(&sdk);
        let name = unique("dlp/test/secret");
        client
            .create_secret()
            .name(&name)
            .secret_string(valid_doc())
            .send()
            .await
            .unwrap();

        let loader = SecretsLoader::from_sdk_config(&sdk, &name);
        assert!(!loader.is_cached());
        let first = loader.get().await.unwrap();
        assert!(loader.is_cached());
        assert_eq!(first.admin_id, "991267645");

        // Cached: a changed secret is not seen by this container, and no second fetch happens
        // (the same Arc comes back).
        client
            .put_secret_value()
            .secret_id(&name)
            .secret_string(
                serde_json::json!({
                    "intercom_access_token": "other",
                    "webhook_client_secrets": ["other"],
                    "admin_id": "1",
                })
                .to_string(),
            )
            .send()
            .await
            .unwrap();
        let second = loader.get().await.unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(second.admin_id, "991267645");
    }

    #[tokio::test]
    async fn missing_field_and_missing_secret_are_clear_errors() {
        let sdk = sdk_config();
        let client = aws_sdk_secretsmanager::Client::new(&sdk);
        let name = unique("dlp/test/partial");
        client
            .create_secret()
            .name(&name)
            .secret_string(
                serde_json::json!({"intercom_access_token": TOKEN, "admin_id": "5"}).to_string(),
            )
            .send()
            .await
            .unwrap();
        let loader = SecretsLoader::from_sdk_config(&sdk, &name);
        let err = loader.get().await.unwrap_err();
        assert!(
            matches!(
                err,
                SecretError::MissingField {
                    field: "webhook_client_secrets",
                    ..
                }
            ),
            "{err}"
        );
        assert!(!loader.is_cached(), "a failed load must not be cached");
        assert_no_secret(&err.to_string());
        assert_no_secret(&format!("{err:?}"));

        // Fixed by the operator → the next invocation succeeds without a restart.
        client
            .put_secret_value()
            .secret_id(&name)
            .secret_string(valid_doc())
            .send()
            .await
            .unwrap();
        assert_eq!(loader.get().await.unwrap().admin_id, "991267645");

        let absent = SecretsLoader::from_sdk_config(&sdk, unique("dlp/test/absent"));
        let err = absent.get().await.unwrap_err();
        assert!(matches!(err, SecretError::Refused { .. }), "{err}");
        assert!(
            err.to_string().contains("ResourceNotFoundException"),
            "{err}"
        );
        assert!(!err.is_transient());
    }
}
