//! SQLite adapter: one database file implementing `VaultStore`, `IdempotencyStore` and
//! `AuditLog` for local mode.
//!
//! Owns the connection setup (WAL, `secure_delete=ON` so deleted rows are overwritten,
//! `temp_store=MEMORY`, a busy timeout), the schema migrations ([`schema`]) and the SQL of each
//! port. One write connection owned by a writer thread that group-commits concurrent writes
//! ([`writer`]), and one read connection (WAL lets reads proceed beside the writer) used on
//! tokio's blocking pool.
//!
//! Must never: run SQLite calls on an async worker thread, write an original value in clear,
//! or put row contents in errors (errors carry SQLite's messages, which name tables and
//! columns, never bound values).

mod audit;
mod idempotency;
pub(crate) mod schema;
mod vault;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dlp_audit::AuditError;
use dlp_audit::chain::DEFAULT_CHAINS;
use dlp_vault::StoreError;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::error::EmbeddedError;

/// `PRAGMA synchronous` in WAL mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Synchronous {
    /// Durable across process crashes (SIGKILL); the last commits may be lost on power
    /// loss or an OS crash. The default: local mode's durability need is "a kill loses
    /// nothing", and it is several times faster.
    Normal,
    /// Also durable across power loss: an fsync per commit.
    Full,
}

#[derive(Clone, Debug)]
pub struct SqliteOptions {
    /// Audit chains for a new database (default 8). Fixed when the database is created:
    /// an existing database keeps its stored count, since changing it would orphan chains.
    pub audit_chains: u16,
    pub synchronous: Synchronous,
    pub busy_timeout: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            audit_chains: DEFAULT_CHAINS,
            synchronous: Synchronous::Normal,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

pub(crate) struct Inner {
    // mpsc::Sender is Sync: callers send without a lock.
    writer: std::sync::mpsc::Sender<Box<dyn writer::WriteJob>>,
    reader: Mutex<Connection>,
    chains: u16,
    path: PathBuf,
}

/// The SQLite store. Clone freely (shared connections).
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .field("chains", &self.inner.chains)
            .finish()
    }
}

/// Internal error of a blocking database call, mapped onto each port's error type.
#[derive(Debug)]
pub(crate) enum DbError {
    Sqlite(rusqlite::Error),
    Invalid(String),
    Conflict(String),
    Join(String),
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError::Sqlite(e)
    }
}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Sqlite(e) => StoreError::Unavailable(format!("sqlite: {e}")),
            DbError::Invalid(m) => StoreError::Invalid(m),
            DbError::Conflict(m) => StoreError::Conflict(m),
            DbError::Join(m) => StoreError::Unavailable(m),
        }
    }
}

impl From<DbError> for AuditError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Sqlite(e) => AuditError::Unavailable(format!("sqlite: {e}")),
            DbError::Invalid(m) | DbError::Conflict(m) => AuditError::Invalid(m),
            DbError::Join(m) => AuditError::Unavailable(m),
        }
    }
}

fn configure(conn: &Connection, opts: &SqliteOptions) -> Result<(), rusqlite::Error> {
    conn.busy_timeout(opts.busy_timeout)?;
    // journal_mode returns a row; pragma_update_and_check reads it.
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "journal_mode is {mode}, WAL required"
        )));
    }
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let sync = match opts.synchronous {
        Synchronous::Normal => "NORMAL",
        Synchronous::Full => "FULL",
    };
    conn.pragma_update(None, "synchronous", sync)?;
    // Checkpoint (and its fsyncs) every ~16 MiB of WAL instead of every 4 MiB: fewer stalls
    // on the write path; the WAL is reset after each checkpoint, so this bounds its size.
    conn.pragma_update(None, "wal_autocheckpoint", 4000)?;
    Ok(())
}

impl SqliteStore {
    /// Open (or create) the database at `path` with default options and migrate it.
    /// Blocks briefly: call at startup, or inside `spawn_blocking`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, EmbeddedError> {
        Self::open_with(path, SqliteOptions::default())
    }

    pub fn open_with(path: impl AsRef<Path>, opts: SqliteOptions) -> Result<Self, EmbeddedError> {
        let path = path.as_ref().to_owned();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| EmbeddedError::io(dir, e))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut writer = Connection::open_with_flags(&path, flags)?;
        configure(&writer, &opts)?;
        schema::migrate(&mut writer)?;
        let chains = Self::fix_chain_count(&writer, opts.audit_chains.max(1))?;
        let reader = Connection::open_with_flags(&path, flags)?;
        configure(&reader, &opts)?;
        let writer = writer::spawn(writer).map_err(|e| EmbeddedError::io(&path, e))?;
        Ok(Self {
            inner: Arc::new(Inner {
                writer,
                reader: Mutex::new(reader),
                chains,
                path,
            }),
        })
    }

    fn fix_chain_count(conn: &Connection, wanted: u16) -> Result<u16, EmbeddedError> {
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('audit_chains', ?1) ON CONFLICT(key) DO NOTHING",
            [wanted.to_string()],
        )?;
        let stored: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'audit_chains'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        stored
            .and_then(|s| s.parse::<u16>().ok())
            .filter(|n| *n >= 1)
            .ok_or_else(|| EmbeddedError::Sqlite(rusqlite::Error::InvalidQuery))
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The schema version of this build (`PRAGMA user_version` after migration).
    pub fn schema_version() -> i64 {
        schema::SCHEMA_VERSION
    }

    /// Checkpoint the WAL into the database file and truncate it (the WAL then holds no
    /// stale pages). Useful before backups and in tests that inspect the files.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        let (job, rx) = writer::Job::boxed(
            |c: &Connection| {
                c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
                Ok(())
            },
            true,
        );
        self.submit(job, rx).await.map_err(StoreError::from)
    }

    /// Run `f` as one atomic write job on the writer thread (see [`writer`]). `f` must not
    /// begin or end transactions: it runs inside a savepoint of the writer's transaction.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
    {
        let (job, rx) = writer::Job::boxed(f, false);
        self.submit(job, rx).await
    }

    async fn submit<T>(
        &self,
        job: Box<dyn writer::WriteJob>,
        rx: tokio::sync::oneshot::Receiver<Result<T, DbError>>,
    ) -> Result<T, DbError> {
        self.inner
            .writer
            .send(job)
            .map_err(|_| DbError::Join("sqlite writer thread stopped".into()))?;
        rx.await
            .map_err(|_| DbError::Join("sqlite writer dropped the request".into()))?
    }

    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let conn = inner.reader.lock().unwrap_or_else(|e| e.into_inner());
            f(&conn)
        })
        .await
        .map_err(|e| DbError::Join(format!("blocking task failed: {e}")))?
    }
}
