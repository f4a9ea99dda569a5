//! The error of this layer's constructors and maintenance operations (opening a database,
//! loading or rotating the key file). Port methods return the ports' own error types.
//! Messages name paths, modes and SQLite error codes; never stored values or key material.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database schema version {found} is newer than this build supports ({supported})")]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "refusing to use key file {path}: mode {mode:04o} lets group or others read it; run `chmod 600 {path}`"
    )]
    KeyFileMode { path: PathBuf, mode: u32 },
    #[error("key file {path} is invalid: {reason}")]
    KeyFileInvalid { path: PathBuf, reason: String },
    #[error("blocking task failed: {0}")]
    Join(String),
}

impl EmbeddedError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        EmbeddedError::Io {
            path: path.to_owned(),
            source,
        }
    }
}
