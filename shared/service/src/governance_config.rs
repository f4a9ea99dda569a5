//! Configuration of the governance parts (review API, reveal budget, local tokens), shared by
//! `dlp serve`, `dlp token`, `dlp audit` and the audit-query / retention-purge Lambdas.
//!
//! Owns: the governance environment variable names, their typed settings with defaults, the
//! local data-dir layout used by governance commands, and the local HS256 secret: taken from
//! `DLP_JWT_SECRET`, else generated once into the data dir with mode 0600 (and refused when
//! the file is readable by group or others).
//!
//! Must never: print, log or put the secret in an error.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use rand::RngCore as _;

use crate::identity::DEFAULT_ROLES_CLAIM;
use crate::jwt::{DEFAULT_TTL_SECS, Hs256, MIN_SECRET_LEN};
use crate::review::{DEFAULT_REVEALS_PER_HOUR, ReviewConfig};

/// Environment variables read by the governance parts.
pub mod env {
    /// HS256 secret for local tokens (`dlp serve`, `dlp token`); at least 32 bytes.
    pub const DLP_JWT_SECRET: &str = "DLP_JWT_SECRET";
    /// Name of the token claim that carries roles (default `roles`; e.g. `cognito:groups`).
    pub const DLP_ROLES_CLAIM: &str = "DLP_ROLES_CLAIM";
    /// Reveals per user per hour (default 30).
    pub const DLP_REVEALS_PER_HOUR: &str = "DLP_REVEALS_PER_HOUR";
    /// Workspace assumed by `GET /v1/findings?conversation_id=` when none is given.
    pub const DLP_WORKSPACE_ID: &str = "DLP_WORKSPACE_ID";
    /// Seconds kept free before the Lambda deadline by the purge (default 3).
    pub const DLP_PURGE_RESERVE_SECS: &str = "DLP_PURGE_RESERVE_SECS";

    pub const ALL: &[&str] = &[
        DLP_JWT_SECRET,
        DLP_ROLES_CLAIM,
        DLP_REVEALS_PER_HOUR,
        DLP_WORKSPACE_ID,
        DLP_PURGE_RESERVE_SECS,
    ];
}

/// The SQLite database inside a local data dir (shared with `dlp serve`).
pub const LOCAL_DB_FILE: &str = "dlp.db";
/// Where the local master keys live inside the data dir (`LocalKeyFile::open_or_create`).
pub const LOCAL_KEYS_DIR: &str = "keys";
/// The generated HS256 secret inside the data dir.
pub const JWT_SECRET_FILE: &str = "jwt-secret";

pub fn local_db_path(data_dir: &Path) -> PathBuf {
    data_dir.join(LOCAL_DB_FILE)
}

pub fn local_keys_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(LOCAL_KEYS_DIR)
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} has an invalid value")]
    Invalid(&'static str),
    #[error("DLP_JWT_SECRET must be at least 32 bytes")]
    WeakSecret,
    #[error("secret file {0} is readable by group or others; chmod 600 it")]
    SecretFileMode(PathBuf),
    #[error("secret file {0} is malformed")]
    SecretFileMalformed(PathBuf),
    #[error("secret file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Typed governance settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GovernanceSettings {
    pub roles_claim: String,
    pub reveals_per_hour: u32,
    pub default_workspace_id: Option<String>,
    pub token_ttl_secs: i64,
    pub purge_reserve_ms: i64,
}

impl Default for GovernanceSettings {
    fn default() -> Self {
        Self {
            roles_claim: DEFAULT_ROLES_CLAIM.to_owned(),
            reveals_per_hour: DEFAULT_REVEALS_PER_HOUR,
            default_workspace_id: None,
            token_ttl_secs: DEFAULT_TTL_SECS,
            purge_reserve_ms: 3_000,
        }
    }
}

impl GovernanceSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let d = Self::default();
        Ok(Self {
            roles_claim: get(env::DLP_ROLES_CLAIM).unwrap_or(d.roles_claim),
            reveals_per_hour: match get(env::DLP_REVEALS_PER_HOUR) {
                None => d.reveals_per_hour,
                Some(v) => v
                    .parse()
                    .map_err(|_| ConfigError::Invalid(env::DLP_REVEALS_PER_HOUR))?,
            },
            default_workspace_id: get(env::DLP_WORKSPACE_ID),
            token_ttl_secs: d.token_ttl_secs,
            purge_reserve_ms: match get(env::DLP_PURGE_RESERVE_SECS) {
                None => d.purge_reserve_ms,
                Some(v) => {
                    v.parse::<i64>()
                        .ok()
                        .filter(|s| (0..=600).contains(s))
                        .ok_or(ConfigError::Invalid(env::DLP_PURGE_RESERVE_SECS))?
                        * 1000
                }
            },
        })
    }

    pub fn review_config(&self) -> ReviewConfig {
        ReviewConfig {
            reveals_per_hour: self.reveals_per_hour,
            default_workspace_id: self.default_workspace_id.clone(),
            ..ReviewConfig::default()
        }
    }
}

/// The local HS256 verifier/signer: `DLP_JWT_SECRET` when set, else the secret file in
/// `data_dir` (created on first use).
pub fn local_jwt(data_dir: &Path) -> Result<Hs256, ConfigError> {
    let secret = match std::env::var(env::DLP_JWT_SECRET) {
        Ok(v) if !v.is_empty() => v.into_bytes(),
        _ => secret_from_file(data_dir)?,
    };
    Hs256::new(secret).map_err(|_| ConfigError::WeakSecret)
}

/// Read (or create) `<data_dir>/jwt-secret`: 32 random bytes, hex, mode 0600.
pub fn secret_from_file(data_dir: &Path) -> Result<Vec<u8>, ConfigError> {
    let path = data_dir.join(JWT_SECRET_FILE);
    let io = |source| ConfigError::Io {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            check_mode(&path)?;
            let bytes = decode_hex(text.trim())
                .filter(|b| b.len() >= MIN_SECRET_LEN)
                .ok_or_else(|| ConfigError::SecretFileMalformed(path.clone()))?;
            Ok(bytes)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir).map_err(io)?;
            let mut secret = vec![0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut secret);
            let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt as _;
                opts.mode(0o600);
            }
            match opts.open(&path) {
                Ok(mut f) => {
                    f.write_all(hex.as_bytes()).map_err(io)?;
                    f.sync_all().map_err(io)?;
                    Ok(secret)
                }
                // Another process created it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    secret_from_file(data_dir)
                }
                Err(e) => Err(io(e)),
            }
        }
        Err(e) => Err(io(e)),
    }
}

#[cfg(unix)]
fn check_mode(path: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta = std::fs::metadata(path).map_err(|source| ConfigError::Io {
        path: path.to_owned(),
        source,
    })?;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(ConfigError::SecretFileMode(path.to_owned()));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_: &Path) -> Result<(), ConfigError> {
    Ok(())
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_defaults_and_overrides() {
        let s = GovernanceSettings::from_lookup(|_| None).unwrap();
        assert_eq!(s, GovernanceSettings::default());
        let s = GovernanceSettings::from_lookup(|k| match k {
            env::DLP_ROLES_CLAIM => Some("cognito:groups".into()),
            env::DLP_REVEALS_PER_HOUR => Some("5".into()),
            env::DLP_WORKSPACE_ID => Some("ws9".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(s.roles_claim, "cognito:groups");
        assert_eq!(s.review_config().reveals_per_hour, 5);
        assert_eq!(
            s.review_config().default_workspace_id.as_deref(),
            Some("ws9")
        );
        assert!(
            GovernanceSettings::from_lookup(
                |k| (k == env::DLP_REVEALS_PER_HOUR).then(|| "lots".to_owned())
            )
            .is_err()
        );
    }

    #[cfg(unix)]
    #[test]
    fn secret_file_is_created_private_and_reused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let a = secret_from_file(&data).unwrap();
        assert_eq!(a.len(), 32);
        let path = data.join(JWT_SECRET_FILE);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(secret_from_file(&data).unwrap(), a);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            secret_from_file(&data),
            Err(ConfigError::SecretFileMode(_))
        ));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&path, "zz").unwrap();
        let err = secret_from_file(&data).unwrap_err();
        assert!(matches!(err, ConfigError::SecretFileMalformed(_)));
        assert!(!err.to_string().contains("zz"));
    }
}
