//! Versioned schema migrations, tracked in `PRAGMA user_version`.
//!
//! `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`. Migrations are append-only:
//! never edit a released one, add the next. A database newer than this build is refused.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::EmbeddedError;

pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: vault entries, idempotency records, audit events and chain heads.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

    -- One row per vault entry. Clear columns hold ids, times, status, kinds/counts (JSON
    -- object), masked text and action results; originals are only inside `ciphertext`.
    CREATE TABLE vault_entries (
        entry_id        TEXT PRIMARY KEY,
        workspace_id    TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        part_id         TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        expires_at      INTEGER NOT NULL,
        status          TEXT NOT NULL,
        entities        TEXT NOT NULL,
        masked_text     TEXT NOT NULL,
        redacted_at     INTEGER,
        note_id         TEXT,
        tagged_at       INTEGER,
        notified_at     INTEGER,
        last_error      TEXT,
        key_id          TEXT NOT NULL,
        wrapped_key     BLOB NOT NULL,
        nonce           BLOB NOT NULL,
        ciphertext      BLOB NOT NULL,
        UNIQUE (workspace_id, conversation_id, part_id)
    ) STRICT;
    CREATE INDEX vault_by_conversation ON vault_entries (workspace_id, conversation_id, created_at, entry_id);
    CREATE INDEX vault_by_created ON vault_entries (created_at, entry_id);
    CREATE INDEX vault_by_expiry ON vault_entries (expires_at, entry_id);

    -- Idempotency keys and counters (one namespace; callers prefix keys).
    CREATE TABLE idempotency (
        key        TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL,
        counter    INTEGER NOT NULL DEFAULT 0
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX idempotency_by_expiry ON idempotency (expires_at);

    -- Audit events, one row per event, every field a column (lists and counts as JSON), so
    -- an edit to any column changes what verify hashes.
    CREATE TABLE audit_events (
        chain           INTEGER NOT NULL,
        seq             INTEGER NOT NULL,
        event_id        TEXT NOT NULL,
        time            INTEGER NOT NULL,
        actor           TEXT NOT NULL,
        action          TEXT NOT NULL,
        outcome         TEXT NOT NULL,
        workspace_id    TEXT,
        conversation_id TEXT,
        part_id         TEXT,
        entry_ids       TEXT NOT NULL,
        entity_kinds    TEXT NOT NULL,
        reason          TEXT,
        request_id      TEXT,
        counts          TEXT NOT NULL,
        prev_hash       TEXT NOT NULL,
        hash            TEXT NOT NULL,
        PRIMARY KEY (chain, seq)
    ) STRICT, WITHOUT ROWID;
    CREATE UNIQUE INDEX audit_by_id ON audit_events (event_id);
    CREATE INDEX audit_by_time ON audit_events (time, event_id);
    CREATE INDEX audit_by_actor ON audit_events (actor, time, event_id);
    CREATE INDEX audit_by_action ON audit_events (action, time, event_id);
    CREATE INDEX audit_by_conversation ON audit_events (conversation_id, time, event_id);

    CREATE TABLE audit_heads (
        chain INTEGER PRIMARY KEY,
        seq   INTEGER NOT NULL,
        hash  TEXT NOT NULL
    ) STRICT;
    "#,
];

pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Bring the database to [`SCHEMA_VERSION`], one migration per transaction. An immediate
/// transaction makes concurrent openers wait instead of both migrating.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), EmbeddedError> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(EmbeddedError::SchemaTooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        let Some(sql) = usize::try_from(version)
            .ok()
            .and_then(|v| MIGRATIONS.get(v))
        else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}
