//! Typed configuration: every environment variable named once; secrets wrapped in SecretString.
//!
//! Owns: the names of every environment variable the functions and `dlp serve` read
//! ([`env`], mirrored by `template.yaml` Globals), parsing them into typed settings with
//! defaults, and the secret document (Intercom access token, webhook client secrets, admin id,
//! notification URL) with every credential wrapped in [`secrecy::SecretString`].
//!
//! Must never: log or format a secret (the types here have hand-written `Debug` that omits
//! them), read a policy file or talk to AWS (callers fetch the secret and pass its JSON here).

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Every environment variable, named once. `template.yaml` Globals mirror this list.
pub mod env {
    /// Default mode for entities the policy does not name: `ignore` | `detect` | `redact`.
    /// Overrides the policy's top-level `mode` only.
    pub const DLP_MODE: &str = "DLP_MODE";
    /// Path of a policy document (TOML or JSON); the built-in policy when unset.
    pub const DLP_POLICY_FILE: &str = "DLP_POLICY_FILE";
    /// Intercom API base URL (regional host, or a fake in tests).
    pub const DLP_INTERCOM_URL: &str = "DLP_INTERCOM_URL";
    /// `Intercom-Version` header value.
    pub const DLP_INTERCOM_VERSION: &str = "DLP_INTERCOM_VERSION";
    /// Client-side Intercom budget, calls per minute.
    pub const DLP_INTERCOM_RATE_PER_MINUTE: &str = "DLP_INTERCOM_RATE_PER_MINUTE";
    /// Largest webhook body accepted, bytes (bigger → 413).
    pub const DLP_WEBHOOK_MAX_BYTES: &str = "DLP_WEBHOOK_MAX_BYTES";
    /// Largest job that carries part text; above it the job carries ids only.
    pub const DLP_JOB_INLINE_MAX_BYTES: &str = "DLP_JOB_INLINE_MAX_BYTES";
    /// Deliveries of a scan job before it goes to the dead-letter queue (SQS maxReceiveCount).
    pub const DLP_MAX_ATTEMPTS: &str = "DLP_MAX_ATTEMPTS";
    /// Tag put on conversations with findings (when the policy names none).
    pub const DLP_TAG_NAME: &str = "DLP_TAG_NAME";
    /// Base of links to conversations in notifications, e.g. `https://app.intercom.com`.
    pub const DLP_INTERCOM_APP_URL: &str = "DLP_INTERCOM_APP_URL";
    /// `true` → record what would be done, make no Intercom calls.
    pub const DLP_DRY_RUN: &str = "DLP_DRY_RUN";
    /// Number of audit hash chains.
    pub const DLP_AUDIT_CHAINS: &str = "DLP_AUDIT_CHAINS";

    // AWS wiring (read by functions/ and shared/aws).
    /// Secrets Manager id (name or ARN) of the secret document.
    pub const DLP_SECRET_ID: &str = "DLP_SECRET_ID";
    pub const DLP_QUEUE_URL: &str = "DLP_QUEUE_URL";
    pub const DLP_VAULT_TABLE: &str = "DLP_VAULT_TABLE";
    pub const DLP_IDEMPOTENCY_TABLE: &str = "DLP_IDEMPOTENCY_TABLE";
    pub const DLP_AUDIT_TABLE: &str = "DLP_AUDIT_TABLE";
    /// KMS key id or alias that makes vault data keys.
    pub const DLP_VAULT_KEY_ID: &str = "DLP_VAULT_KEY_ID";
    /// Override endpoint for every AWS client (moto in tests). Unset in production.
    pub const DLP_AWS_ENDPOINT: &str = "DLP_AWS_ENDPOINT";

    // Local stack (`dlp serve`): secrets from the environment instead of Secrets Manager.
    pub const INTERCOM_ACCESS_TOKEN: &str = "INTERCOM_ACCESS_TOKEN";
    /// One client secret, or several separated by commas (rotation).
    pub const INTERCOM_CLIENT_SECRET: &str = "INTERCOM_CLIENT_SECRET";
    pub const DLP_ADMIN_ID: &str = "DLP_ADMIN_ID";
    pub const DLP_NOTIFICATION_WEBHOOK_URL: &str = "DLP_NOTIFICATION_WEBHOOK_URL";
    pub const DLP_DATA_DIR: &str = "DLP_DATA_DIR";

    /// Every name above, for `template.yaml` cross-checks and docs.
    pub const ALL: &[&str] = &[
        DLP_MODE,
        DLP_POLICY_FILE,
        DLP_INTERCOM_URL,
        DLP_INTERCOM_VERSION,
        DLP_INTERCOM_RATE_PER_MINUTE,
        DLP_WEBHOOK_MAX_BYTES,
        DLP_JOB_INLINE_MAX_BYTES,
        DLP_MAX_ATTEMPTS,
        DLP_TAG_NAME,
        DLP_INTERCOM_APP_URL,
        DLP_DRY_RUN,
        DLP_AUDIT_CHAINS,
        DLP_SECRET_ID,
        DLP_QUEUE_URL,
        DLP_VAULT_TABLE,
        DLP_IDEMPOTENCY_TABLE,
        DLP_AUDIT_TABLE,
        DLP_VAULT_KEY_ID,
        DLP_AWS_ENDPOINT,
        INTERCOM_ACCESS_TOKEN,
        INTERCOM_CLIENT_SECRET,
        DLP_ADMIN_ID,
        DLP_NOTIFICATION_WEBHOOK_URL,
        DLP_DATA_DIR,
    ];
}

/// Defaults, named so docs and tests can refer to them.
pub mod defaults {
    pub const INTERCOM_URL: &str = "https://api.intercom.io";
    pub const INTERCOM_VERSION: &str = "2.14";
    /// Well under Intercom's 10,000 calls/min per app.
    pub const INTERCOM_RATE_PER_MINUTE: u32 = 3_000;
    pub const WEBHOOK_MAX_BYTES: usize = 1024 * 1024;
    pub const JOB_INLINE_MAX_BYTES: usize = 256 * 1024;
    pub const MAX_ATTEMPTS: u32 = 5;
    pub const TAG_NAME: &str = "dlp:sensitive";
    pub const INTERCOM_APP_URL: &str = "https://app.intercom.com";
    pub const AUDIT_CHAINS: u16 = 8;
    pub const DATA_DIR: &str = "./.dlp";
    /// How long a webhook notification id is remembered for deduplication.
    pub const DEDUP_TTL_MS: i64 = 48 * 3600 * 1000;
}

/// A variable every deployment must set (table names, key id, queue URL …); unset or blank is
/// [`SettingsError::Missing`], naming the variable.
pub fn required(name: &'static str) -> Result<String, SettingsError> {
    non_blank(name, std::env::var(name).ok())
}

fn non_blank(name: &'static str, value: Option<String>) -> Result<String, SettingsError> {
    value
        .filter(|v| !v.trim().is_empty())
        .ok_or(SettingsError::Missing(name))
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A variable is set but does not parse. Names the variable, never its value.
    #[error("environment variable {0} has an invalid value")]
    Invalid(&'static str),
    #[error("environment variable {0} is required")]
    Missing(&'static str),
    /// The secret document is not the expected JSON (no content quoted).
    #[error("secret document is malformed")]
    SecretMalformed,
}

/// The top-level default mode (`--mode`, `DLP_MODE`). Per-entity modes stay in the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultMode {
    Ignore,
    Detect,
    Redact,
}

impl DefaultMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ignore" => Some(Self::Ignore),
            "detect" => Some(Self::Detect),
            "redact" => Some(Self::Redact),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ignore => "ignore",
            Self::Detect => "detect",
            Self::Redact => "redact",
        }
    }
}

/// Non-secret settings shared by the functions and `dlp serve`.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub mode_override: Option<DefaultMode>,
    pub policy_file: Option<String>,
    pub intercom_url: String,
    pub intercom_version: String,
    pub intercom_rate_per_minute: u32,
    pub webhook_max_bytes: usize,
    pub job_inline_max_bytes: usize,
    pub max_attempts: u32,
    pub tag_name: String,
    pub intercom_app_url: String,
    pub dry_run: bool,
    pub audit_chains: u16,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            mode_override: None,
            policy_file: None,
            intercom_url: defaults::INTERCOM_URL.to_owned(),
            intercom_version: defaults::INTERCOM_VERSION.to_owned(),
            intercom_rate_per_minute: defaults::INTERCOM_RATE_PER_MINUTE,
            webhook_max_bytes: defaults::WEBHOOK_MAX_BYTES,
            job_inline_max_bytes: defaults::JOB_INLINE_MAX_BYTES,
            max_attempts: defaults::MAX_ATTEMPTS,
            tag_name: defaults::TAG_NAME.to_owned(),
            intercom_app_url: defaults::INTERCOM_APP_URL.to_owned(),
            dry_run: false,
            audit_chains: defaults::AUDIT_CHAINS,
        }
    }
}

impl Settings {
    /// From the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// From any lookup (tests pass a map). Unset or empty → default.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let d = Self::default();
        Ok(Self {
            mode_override: match get(env::DLP_MODE) {
                None => None,
                Some(v) => {
                    Some(DefaultMode::parse(&v).ok_or(SettingsError::Invalid(env::DLP_MODE))?)
                }
            },
            policy_file: get(env::DLP_POLICY_FILE),
            intercom_url: get(env::DLP_INTERCOM_URL).unwrap_or(d.intercom_url),
            intercom_version: get(env::DLP_INTERCOM_VERSION).unwrap_or(d.intercom_version),
            intercom_rate_per_minute: parse_num(
                get(env::DLP_INTERCOM_RATE_PER_MINUTE),
                env::DLP_INTERCOM_RATE_PER_MINUTE,
                d.intercom_rate_per_minute,
            )?,
            webhook_max_bytes: parse_num(
                get(env::DLP_WEBHOOK_MAX_BYTES),
                env::DLP_WEBHOOK_MAX_BYTES,
                d.webhook_max_bytes,
            )?,
            job_inline_max_bytes: parse_num(
                get(env::DLP_JOB_INLINE_MAX_BYTES),
                env::DLP_JOB_INLINE_MAX_BYTES,
                d.job_inline_max_bytes,
            )?,
            max_attempts: parse_num(
                get(env::DLP_MAX_ATTEMPTS),
                env::DLP_MAX_ATTEMPTS,
                d.max_attempts,
            )?
            .max(1),
            tag_name: get(env::DLP_TAG_NAME).unwrap_or(d.tag_name),
            intercom_app_url: get(env::DLP_INTERCOM_APP_URL).unwrap_or(d.intercom_app_url),
            dry_run: match get(env::DLP_DRY_RUN) {
                None => false,
                Some(v) => parse_bool(&v).ok_or(SettingsError::Invalid(env::DLP_DRY_RUN))?,
            },
            audit_chains: parse_num(
                get(env::DLP_AUDIT_CHAINS),
                env::DLP_AUDIT_CHAINS,
                d.audit_chains,
            )?
            .max(1),
        })
    }
}

fn parse_num<T: std::str::FromStr>(
    v: Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, SettingsError> {
    match v {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| SettingsError::Invalid(name)),
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// The secret document (Secrets Manager in AWS, environment variables in `dlp serve`).
///
/// JSON: `{"intercom_access_token": "…", "webhook_client_secrets": ["…"], "admin_id": "…",
/// "notification_webhook_url": "…"}` (`webhook_client_secret` as a single string is accepted
/// too; the URL is optional).
pub struct Secrets {
    pub intercom_access_token: SecretString,
    /// One or two during a rotation; verification accepts any of them.
    pub webhook_client_secrets: Vec<SecretString>,
    /// The Intercom admin the service acts as (notes, tags). An id, not a secret.
    pub admin_id: String,
    /// Slack-compatible incoming-webhook URL: a credential.
    pub notification_webhook_url: Option<SecretString>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("admin_id", &self.admin_id)
            .field("webhook_client_secrets", &self.webhook_client_secrets.len())
            .field(
                "notification_webhook_url",
                &self.notification_webhook_url.is_some(),
            )
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct SecretDoc {
    intercom_access_token: String,
    #[serde(default)]
    webhook_client_secrets: Vec<String>,
    #[serde(default)]
    webhook_client_secret: Option<String>,
    admin_id: serde_json::Value,
    #[serde(default)]
    notification_webhook_url: Option<String>,
}

impl Secrets {
    /// Parse the secret document. Errors never quote it.
    pub fn from_json(doc: &str) -> Result<Self, SettingsError> {
        let d: SecretDoc = serde_json::from_str(doc).map_err(|_| SettingsError::SecretMalformed)?;
        let mut secrets: Vec<String> = d.webhook_client_secrets;
        if let Some(s) = d.webhook_client_secret {
            secrets.push(s);
        }
        secrets.retain(|s| !s.is_empty());
        let admin_id = match d.admin_id {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            _ => return Err(SettingsError::SecretMalformed),
        };
        if secrets.is_empty() || d.intercom_access_token.is_empty() || admin_id.is_empty() {
            return Err(SettingsError::SecretMalformed);
        }
        Ok(Self {
            intercom_access_token: SecretString::from(d.intercom_access_token),
            webhook_client_secrets: secrets.into_iter().map(SecretString::from).collect(),
            admin_id,
            notification_webhook_url: d
                .notification_webhook_url
                .filter(|u| !u.is_empty())
                .map(SecretString::from),
        })
    }

    /// From environment variables (the local stack): `INTERCOM_ACCESS_TOKEN`,
    /// `INTERCOM_CLIENT_SECRET` (comma-separated for rotation), `DLP_ADMIN_ID`,
    /// `DLP_NOTIFICATION_WEBHOOK_URL` (optional).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let token = get(env::INTERCOM_ACCESS_TOKEN)
            .ok_or(SettingsError::Missing(env::INTERCOM_ACCESS_TOKEN))?;
        let secrets: Vec<SecretString> = get(env::INTERCOM_CLIENT_SECRET)
            .ok_or(SettingsError::Missing(env::INTERCOM_CLIENT_SECRET))?
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| SecretString::from(s.to_owned()))
            .collect();
        if secrets.is_empty() {
            return Err(SettingsError::Invalid(env::INTERCOM_CLIENT_SECRET));
        }
        let admin_id = get(env::DLP_ADMIN_ID).ok_or(SettingsError::Missing(env::DLP_ADMIN_ID))?;
        Ok(Self {
            intercom_access_token: SecretString::from(token),
            webhook_client_secrets: secrets,
            admin_id: admin_id.trim().to_owned(),
            notification_webhook_url: get(env::DLP_NOTIFICATION_WEBHOOK_URL)
                .map(SecretString::from),
        })
    }

    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// The client secrets as byte slices for signature verification. Call sites stay few.
    pub fn client_secret_bytes(&self) -> Vec<&[u8]> {
        self.webhook_client_secrets
            .iter()
            .map(|s| s.expose_secret().as_bytes())
            .collect()
    }
}

/// Backoff before redelivering a failed job: exponential from 1 s, capped at 60 s.
pub fn retry_backoff(attempt: u32) -> Duration {
    let secs = 1u64 << attempt.saturating_sub(1).min(6);
    Duration::from_secs(secs.min(60))
}

#[cfg(test)]
mod tests {
    #[test]
    fn required_rejects_unset_and_blank_and_names_the_variable() {
        assert_eq!(
            non_blank("DLP_VAULT_TABLE", Some("dlp-vault".into())).unwrap(),
            "dlp-vault"
        );
        for v in [None, Some(String::new()), Some("  \t".into())] {
            let e = non_blank("DLP_VAULT_TABLE", v).unwrap_err();
            assert_eq!(
                e.to_string(),
                "environment variable DLP_VAULT_TABLE is required"
            );
        }
    }

    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn defaults_when_unset() {
        let s = Settings::from_lookup(lookup(&[])).unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.job_inline_max_bytes, 256 * 1024);
        assert_eq!(s.max_attempts, 5);
        assert_eq!(s.tag_name, "dlp:sensitive");
    }

    #[test]
    fn parses_values_and_names_bad_variable_without_value() {
        let s = Settings::from_lookup(lookup(&[
            (env::DLP_MODE, "Redact"),
            (env::DLP_MAX_ATTEMPTS, "3"),
            (env::DLP_DRY_RUN, "true"),
        ]))
        .unwrap();
        assert_eq!(s.mode_override, Some(DefaultMode::Redact));
        assert_eq!(s.max_attempts, 3);
        assert!(s.dry_run);
        let err = Settings::from_lookup(lookup(&[(env::DLP_WEBHOOK_MAX_BYTES, "lots-4111")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("DLP_WEBHOOK_MAX_BYTES"));
        assert!(!err.contains("4111"));
        assert!(Settings::from_lookup(lookup(&[(env::DLP_MODE, "shred")])).is_err());
    }

    #[test]
    fn every_name_is_unique() {
        let mut names = env::ALL.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), env::ALL.len());
    }

    #[test]
    fn secret_document_parses_and_debug_hides_credentials() {
        let doc = r#"{"intercom_access_token":"tok-PLANTED-1","webhook_client_secrets":["sec-PLANTED-2","sec-PLANTED-3"],"admin_id":12345,"notification_webhook_url":"https://hooks.example.test/PLANTED-4"}"#;
        let s = Secrets::from_json(doc).unwrap();
        assert_eq!(s.admin_id, "12345");
        assert_eq!(
            s.client_secret_bytes(),
            vec![&b"sec-PLANTED-2"[..], b"sec-PLANTED-3"]
        );
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("PLANTED"), "{dbg}");
        let single = r#"{"intercom_access_token":"t","webhook_client_secret":"s","admin_id":"7"}"#;
        assert_eq!(
            Secrets::from_json(single)
                .unwrap()
                .webhook_client_secrets
                .len(),
            1
        );
    }

    #[test]
    fn malformed_secret_never_quotes_input() {
        for doc in [
            r#"{"intercom_access_token":"tok-PLANTED"}"#,
            r#"{"intercom_access_token":"tok-PLANTED","webhook_client_secrets":[],"admin_id":"1"}"#,
            "tok-PLANTED not json",
        ] {
            let err = Secrets::from_json(doc).unwrap_err().to_string();
            assert!(!err.contains("PLANTED"), "{err}");
        }
    }

    #[test]
    fn env_secrets_support_rotation() {
        let s = Secrets::from_lookup(lookup(&[
            (env::INTERCOM_ACCESS_TOKEN, "tok"),
            (env::INTERCOM_CLIENT_SECRET, "old, new"),
            (env::DLP_ADMIN_ID, "42"),
        ]))
        .unwrap();
        assert_eq!(s.client_secret_bytes(), vec![&b"old"[..], b"new"]);
        assert!(s.notification_webhook_url.is_none());
        let err = Secrets::from_lookup(lookup(&[(env::INTERCOM_ACCESS_TOKEN, "tok")])).unwrap_err();
        assert!(err.to_string().contains("INTERCOM_CLIENT_SECRET"));
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(retry_backoff(1), Duration::from_secs(1));
        assert_eq!(retry_backoff(2), Duration::from_secs(2));
        assert_eq!(retry_backoff(20), Duration::from_secs(60));
    }
}
