//! The local job queue of `dlp serve`: a SQLite table with SQS semantics.
//!
//! Owns: durable jobs (a job survives SIGKILL; a restart resumes it), at-least-once delivery
//! with a visibility timeout, a receive count per job, a dead-letter table that takes a job
//! after `max_attempts` deliveries (SQS `maxReceiveCount`), and encryption of every payload
//! before it touches disk — the local counterpart of SQS SSE-KMS. One data key per queue
//! database, made by the [`KeyProvider`] (the local master key) and stored wrapped; each
//! payload is AES-256-GCM under a random nonce with the job id as associated data.
//! `secure_delete` is on, so acknowledged jobs leave no bytes behind either.
//!
//! Must never: write a payload in clear, put payload bytes in an error or a log, or hand one
//! job to two consumers at once within its visibility timeout. One process per database
//! (`dlp serve` holds the data directory); [`LocalQueue::open`] makes jobs that were in flight
//! when the previous process died visible again at once.

use std::path::Path;
use std::sync::Mutex;

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use dlp_vault::{EncryptionContext, KeyError, KeyProvider};
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};
use zeroize::Zeroizing;

/// Milliseconds since the Unix epoch.
pub type UnixMillis = i64;

const AAD_TAG: &[u8] = b"dlp-queue-v1";
const SCHEMA_VERSION: i64 = 1;

/// id, nonce, sealed payload, enqueued_at, attempts.
type StoredJob = (i64, Vec<u8>, Vec<u8>, i64, i64);

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The database is busy or failed; retry. Carries SQLite's message, never payload bytes.
    #[error("queue storage unavailable: {0}")]
    Unavailable(String),
    /// The queue key could not be made or unwrapped.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A stored payload did not authenticate (tampering or a foreign key).
    #[error("queued payload of job {0} could not be opened")]
    Corrupt(i64),
    #[error("payload encryption failed")]
    Seal,
}

impl From<rusqlite::Error> for QueueError {
    fn from(e: rusqlite::Error) -> Self {
        QueueError::Unavailable(e.to_string())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueConfig {
    /// How long a received job stays invisible before another receive may take it.
    pub visibility_timeout_ms: i64,
    /// Deliveries before a job moves to the dead-letter table (SQS maxReceiveCount).
    pub max_attempts: u32,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            visibility_timeout_ms: 60_000,
            max_attempts: 5,
        }
    }
}

/// One delivery of a job. `attempt` counts deliveries, starting at 1; it is also the receipt:
/// acknowledging with a stale attempt number does nothing.
pub struct Delivery {
    pub id: i64,
    pub attempt: u32,
    pub enqueued_at: UnixMillis,
    pub payload: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("id", &self.id)
            .field("attempt", &self.attempt)
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

/// A job in the dead-letter table. The payload stays sealed on disk; [`LocalQueue::redrive`]
/// puts it back in the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    pub id: i64,
    pub enqueued_at: UnixMillis,
    pub dead_at: UnixMillis,
    pub attempts: u32,
    /// Non-sensitive error code of the last failure.
    pub last_error: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// Visible now or after a backoff.
    pub waiting: u64,
    /// Received, not yet acknowledged.
    pub in_flight: u64,
    pub dead: u64,
}

/// What [`LocalQueue::fail`] did with the job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOutcome {
    /// Visible again after the given delay.
    Retrying,
    /// Moved to the dead-letter table (attempts exhausted or permanent failure).
    DeadLettered,
    /// The delivery was stale (another delivery owns the job now, or it is gone).
    Stale,
}

pub struct LocalQueue {
    conn: Mutex<Connection>,
    key: Zeroizing<[u8; 32]>,
    config: QueueConfig,
}

impl std::fmt::Debug for LocalQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalQueue")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn key_context() -> EncryptionContext {
    EncryptionContext {
        workspace_id: "local".to_owned(),
        conversation_id: "-".to_owned(),
        part_id: "-".to_owned(),
        entry_id: "job-queue-v1".to_owned(),
    }
}

fn aad(id: i64) -> Vec<u8> {
    let mut a = AAD_TAG.to_vec();
    a.extend_from_slice(&id.to_be_bytes());
    a
}

impl LocalQueue {
    /// Open (or create) the queue database at `path`. Makes the queue's data key with `keys`
    /// on first use and unwraps it afterwards. Jobs that were in flight (their process died)
    /// become visible at once; their delivery counts stand.
    pub async fn open(
        path: &Path,
        keys: &dyn KeyProvider,
        config: QueueConfig,
        now: UnixMillis,
    ) -> Result<Self, QueueError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA secure_delete = ON;
             CREATE TABLE IF NOT EXISTS queue_meta (k TEXT PRIMARY KEY, v BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS queue_jobs (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 nonce BLOB NOT NULL,
                 payload BLOB NOT NULL,
                 enqueued_at INTEGER NOT NULL,
                 visible_at INTEGER NOT NULL,
                 attempts INTEGER NOT NULL DEFAULT 0,
                 leased INTEGER NOT NULL DEFAULT 0,
                 last_error TEXT
             );
             CREATE INDEX IF NOT EXISTS queue_jobs_visible ON queue_jobs (visible_at, id);
             CREATE TABLE IF NOT EXISTS queue_dead (
                 id INTEGER PRIMARY KEY,
                 nonce BLOB NOT NULL,
                 payload BLOB NOT NULL,
                 enqueued_at INTEGER NOT NULL,
                 dead_at INTEGER NOT NULL,
                 attempts INTEGER NOT NULL,
                 last_error TEXT
             );",
        )?;
        conn.execute(
            "INSERT OR IGNORE INTO queue_meta (k, v) VALUES ('schema_version', ?1)",
            params![SCHEMA_VERSION],
        )?;
        let wrapped: Option<(Vec<u8>, Vec<u8>)> = conn
            .query_row(
                "SELECT a.v, b.v FROM queue_meta a, queue_meta b
                 WHERE a.k = 'key_id' AND b.k = 'wrapped_key'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let ctx = key_context();
        let key = match wrapped {
            Some((key_id, wrapped)) => {
                let key_id = String::from_utf8(key_id)
                    .map_err(|_| QueueError::Unavailable("queue key id is not UTF-8".into()))?;
                keys.decrypt_data_key(&key_id, &wrapped, &ctx).await?
            }
            None => {
                let dk = keys.generate_data_key(&ctx).await?;
                conn.execute(
                    "INSERT INTO queue_meta (k, v) VALUES ('key_id', ?1), ('wrapped_key', ?2)",
                    params![dk.key_id.as_bytes(), dk.wrapped],
                )?;
                dk.plaintext
            }
        };
        // Single process per database: whatever was leased belonged to a dead process.
        conn.execute(
            "UPDATE queue_jobs SET leased = 0, visible_at = ?1 WHERE leased = 1",
            params![now],
        )?;
        Ok(Self {
            conn: Mutex::new(conn),
            key,
            config,
        })
    }

    pub fn config(&self) -> QueueConfig {
        self.config
    }

    fn conn(&self) -> Result<std::sync::MutexGuard<'_, Connection>, QueueError> {
        self.conn
            .lock()
            .map_err(|_| QueueError::Unavailable("queue lock poisoned".into()))
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(self.key.as_slice()))
    }

    /// Add a job, visible at once. The payload is sealed before the write.
    pub fn enqueue(&self, payload: &[u8], now: UnixMillis) -> Result<i64, QueueError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        // The id is the AEAD associated data, so reserve it first (AUTOINCREMENT never reuses).
        tx.execute(
            "INSERT INTO queue_jobs (nonce, payload, enqueued_at, visible_at) VALUES (x'', x'', ?1, ?1)",
            params![now],
        )?;
        let id = tx.last_insert_rowid();
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut buf = Zeroizing::new(Vec::with_capacity(payload.len() + 16));
        buf.extend_from_slice(payload);
        self.cipher()
            .encrypt_in_place(Nonce::from_slice(&nonce), &aad(id), &mut *buf)
            .map_err(|_| QueueError::Seal)?;
        tx.execute(
            "UPDATE queue_jobs SET nonce = ?1, payload = ?2 WHERE id = ?3",
            params![&nonce[..], &buf[..], id],
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Take up to `max` visible jobs, hiding each for the visibility timeout. Jobs that were
    /// already delivered `max_attempts` times and came back move to the dead-letter table
    /// instead (as SQS redrive does).
    pub fn receive(&self, max: usize, now: UnixMillis) -> Result<Vec<Delivery>, QueueError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let max_attempts = i64::from(self.config.max_attempts);
        tx.execute(
            "INSERT INTO queue_dead (id, nonce, payload, enqueued_at, dead_at, attempts, last_error)
             SELECT id, nonce, payload, enqueued_at, ?1, attempts, COALESCE(last_error, 'visibility_timeout')
             FROM queue_jobs WHERE visible_at <= ?1 AND attempts >= ?2",
            params![now, max_attempts],
        )?;
        tx.execute(
            "DELETE FROM queue_jobs WHERE visible_at <= ?1 AND attempts >= ?2",
            params![now, max_attempts],
        )?;
        let rows: Vec<StoredJob> = {
            let mut stmt = tx.prepare_cached(
                "SELECT id, nonce, payload, enqueued_at, attempts FROM queue_jobs
                 WHERE visible_at <= ?1 ORDER BY visible_at, id LIMIT ?2",
            )?;
            let it = stmt.query_map(params![now, max as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?;
            it.collect::<Result<_, _>>()?
        };
        let visible_at = now.saturating_add(self.config.visibility_timeout_ms);
        let mut out = Vec::with_capacity(rows.len());
        for (id, nonce, payload, enqueued_at, attempts) in rows {
            tx.execute(
                "UPDATE queue_jobs SET attempts = attempts + 1, leased = 1, visible_at = ?1 WHERE id = ?2",
                params![visible_at, id],
            )?;
            let payload = self.open_payload(id, &nonce, payload)?;
            out.push(Delivery {
                id,
                attempt: u32::try_from(attempts + 1).unwrap_or(u32::MAX),
                enqueued_at,
                payload,
            });
        }
        tx.commit()?;
        Ok(out)
    }

    fn open_payload(
        &self,
        id: i64,
        nonce: &[u8],
        payload: Vec<u8>,
    ) -> Result<Zeroizing<Vec<u8>>, QueueError> {
        if nonce.len() != 12 {
            return Err(QueueError::Corrupt(id));
        }
        let mut buf = Zeroizing::new(payload);
        self.cipher()
            .decrypt_in_place(Nonce::from_slice(nonce), &aad(id), &mut *buf)
            .map_err(|_| QueueError::Corrupt(id))?;
        Ok(buf)
    }

    /// Done: delete the job. False when the delivery is stale (job gone or re-delivered).
    pub fn ack(&self, id: i64, attempt: u32) -> Result<bool, QueueError> {
        let conn = self.conn()?;
        let n = conn.execute(
            "DELETE FROM queue_jobs WHERE id = ?1 AND attempts = ?2",
            params![id, i64::from(attempt)],
        )?;
        Ok(n == 1)
    }

    /// The delivery failed. A retryable failure with attempts left makes the job visible
    /// again after `retry_after_ms`; otherwise the job moves to the dead-letter table.
    /// `error_code` is a non-sensitive classification.
    pub fn fail(
        &self,
        id: i64,
        attempt: u32,
        retryable: bool,
        retry_after_ms: i64,
        error_code: &str,
        now: UnixMillis,
    ) -> Result<FailOutcome, QueueError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let attempts: Option<i64> = tx
            .query_row(
                "SELECT attempts FROM queue_jobs WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()?;
        let outcome = match attempts {
            Some(a) if a == i64::from(attempt) => {
                if retryable && attempt < self.config.max_attempts {
                    tx.execute(
                        "UPDATE queue_jobs SET leased = 0, visible_at = ?1, last_error = ?2 WHERE id = ?3",
                        params![now.saturating_add(retry_after_ms), error_code, id],
                    )?;
                    FailOutcome::Retrying
                } else {
                    tx.execute(
                        "INSERT INTO queue_dead (id, nonce, payload, enqueued_at, dead_at, attempts, last_error)
                         SELECT id, nonce, payload, enqueued_at, ?1, attempts, ?2 FROM queue_jobs WHERE id = ?3",
                        params![now, error_code, id],
                    )?;
                    tx.execute("DELETE FROM queue_jobs WHERE id = ?1", params![id])?;
                    FailOutcome::DeadLettered
                }
            }
            _ => FailOutcome::Stale,
        };
        tx.commit()?;
        Ok(outcome)
    }

    /// Give a delivery back without counting it as a failure (graceful shutdown): visible at
    /// once, its delivery count restored.
    pub fn release(&self, id: i64, attempt: u32, now: UnixMillis) -> Result<bool, QueueError> {
        let conn = self.conn()?;
        let n = conn.execute(
            "UPDATE queue_jobs SET leased = 0, visible_at = ?1, attempts = attempts - 1
             WHERE id = ?2 AND attempts = ?3",
            params![now, id, i64::from(attempt)],
        )?;
        Ok(n == 1)
    }

    pub fn counts(&self, now: UnixMillis) -> Result<QueueCounts, QueueError> {
        let conn = self.conn()?;
        let (waiting, in_flight): (i64, i64) = conn.query_row(
            "SELECT COALESCE(SUM(CASE WHEN leased = 0 OR visible_at <= ?1 THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN leased = 1 AND visible_at > ?1 THEN 1 ELSE 0 END), 0)
             FROM queue_jobs",
            params![now],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let dead: i64 = conn.query_row("SELECT COUNT(*) FROM queue_dead", [], |r| r.get(0))?;
        Ok(QueueCounts {
            waiting: waiting.max(0) as u64,
            in_flight: in_flight.max(0) as u64,
            dead: dead.max(0) as u64,
        })
    }

    /// Dead letters, oldest first, without payloads.
    pub fn dead_letters(&self, limit: u32) -> Result<Vec<DeadLetter>, QueueError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT id, enqueued_at, dead_at, attempts, last_error FROM queue_dead
             ORDER BY dead_at, id LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![i64::from(limit)], |r| {
            Ok(DeadLetter {
                id: r.get(0)?,
                enqueued_at: r.get(1)?,
                dead_at: r.get(2)?,
                attempts: u32::try_from(r.get::<_, i64>(3)?).unwrap_or(u32::MAX),
                last_error: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The decrypted payload of a dead letter (for inspection and tests).
    pub fn dead_letter_payload(&self, id: i64) -> Result<Option<Zeroizing<Vec<u8>>>, QueueError> {
        let conn = self.conn()?;
        let row: Option<(Vec<u8>, Vec<u8>)> = conn
            .query_row(
                "SELECT nonce, payload FROM queue_dead WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        drop(conn);
        match row {
            None => Ok(None),
            Some((nonce, payload)) => Ok(Some(self.open_payload(id, &nonce, payload)?)),
        }
    }

    /// Move a dead letter back into the queue with a fresh delivery count.
    pub fn redrive(&self, id: i64, now: UnixMillis) -> Result<bool, QueueError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        let n = tx.execute(
            "INSERT INTO queue_jobs (id, nonce, payload, enqueued_at, visible_at, attempts, leased)
             SELECT id, nonce, payload, enqueued_at, ?1, 0, 0 FROM queue_dead WHERE id = ?2",
            params![now, id],
        )?;
        tx.execute("DELETE FROM queue_dead WHERE id = ?1", params![id])?;
        tx.commit()?;
        Ok(n == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use dlp_vault::DataKey;

    /// A key provider for these tests: data keys "wrapped" by XOR with a fixed master key.
    /// (The real local key file provider lives beside this module.)
    struct XorKeys;
    const MASTER: [u8; 32] = [0x5a; 32];

    #[async_trait]
    impl KeyProvider for XorKeys {
        async fn generate_data_key(&self, _ctx: &EncryptionContext) -> Result<DataKey, KeyError> {
            let mut k = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut k);
            let wrapped = k.iter().zip(MASTER).map(|(a, b)| a ^ b).collect();
            Ok(DataKey {
                key_id: "xor-test".into(),
                plaintext: Zeroizing::new(k),
                wrapped,
            })
        }
        async fn decrypt_data_key(
            &self,
            key_id: &str,
            wrapped: &[u8],
            _ctx: &EncryptionContext,
        ) -> Result<Zeroizing<[u8; 32]>, KeyError> {
            if key_id != "xor-test" || wrapped.len() != 32 {
                return Err(KeyError::Unwrap);
            }
            let mut k = [0u8; 32];
            for (i, b) in wrapped.iter().enumerate() {
                k[i] = b ^ MASTER[i];
            }
            Ok(Zeroizing::new(k))
        }
    }

    fn cfg(max_attempts: u32) -> QueueConfig {
        QueueConfig {
            visibility_timeout_ms: 1_000,
            max_attempts,
        }
    }

    async fn fresh(dir: &Path, max_attempts: u32) -> LocalQueue {
        LocalQueue::open(&dir.join("queue.db"), &XorKeys, cfg(max_attempts), 0)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn enqueue_receive_ack() {
        let dir = tempfile::tempdir().unwrap();
        let q = fresh(dir.path(), 5).await;
        let a = q.enqueue(b"job-a", 10).unwrap();
        let b = q.enqueue(b"job-b", 11).unwrap();
        let got = q.receive(10, 20).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].id, &got[0].payload[..], got[0].attempt),
            (a, &b"job-a"[..], 1)
        );
        assert_eq!(got[1].id, b);
        // Invisible while in flight.
        assert!(q.receive(10, 500).unwrap().is_empty());
        assert!(q.ack(a, 1).unwrap());
        assert!(!q.ack(a, 1).unwrap(), "second ack is stale");
        let c = q.counts(500).unwrap();
        assert_eq!((c.waiting, c.in_flight, c.dead), (0, 1, 0));
    }

    #[tokio::test]
    async fn visibility_timeout_redelivers_and_stale_receipts_do_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let q = fresh(dir.path(), 5).await;
        let id = q.enqueue(b"x", 0).unwrap();
        assert_eq!(q.receive(1, 0).unwrap()[0].attempt, 1);
        let again = q.receive(1, 1_000).unwrap();
        assert_eq!(again[0].attempt, 2);
        assert!(
            !q.ack(id, 1).unwrap(),
            "the first delivery's receipt is stale"
        );
        assert_eq!(
            q.fail(id, 1, true, 0, "e", 1_000).unwrap(),
            FailOutcome::Stale
        );
        assert!(q.ack(id, 2).unwrap());
    }

    #[tokio::test]
    async fn retries_then_dead_letters_after_max_attempts() {
        let dir = tempfile::tempdir().unwrap();
        let q = fresh(dir.path(), 3).await;
        let id = q.enqueue(b"poison", 0).unwrap();
        let mut now = 0;
        for attempt in 1..=3u32 {
            let d = q.receive(1, now).unwrap();
            assert_eq!(d.len(), 1, "attempt {attempt}");
            assert_eq!(d[0].attempt, attempt);
            let out = q.fail(id, attempt, true, 100, "intercom_5xx", now).unwrap();
            let want = if attempt < 3 {
                FailOutcome::Retrying
            } else {
                FailOutcome::DeadLettered
            };
            assert_eq!(out, want);
            // Backoff: not visible before it elapses.
            assert!(q.receive(1, now + 99).unwrap().is_empty());
            now += 100;
        }
        assert!(q.receive(1, now + 10_000).unwrap().is_empty());
        let dead = q.dead_letters(10).unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!((dead[0].id, dead[0].attempts), (id, 3));
        assert_eq!(dead[0].last_error.as_deref(), Some("intercom_5xx"));
        assert_eq!(&q.dead_letter_payload(id).unwrap().unwrap()[..], b"poison");
        assert!(q.redrive(id, now).unwrap());
        assert_eq!(q.receive(1, now).unwrap()[0].attempt, 1);
    }

    #[tokio::test]
    async fn permanent_failure_dead_letters_at_once_and_timeouts_count_as_attempts() {
        let dir = tempfile::tempdir().unwrap();
        let q = fresh(dir.path(), 2).await;
        let p = q.enqueue(b"p", 0).unwrap();
        q.receive(1, 0).unwrap();
        assert_eq!(
            q.fail(p, 1, false, 0, "bad_job", 0).unwrap(),
            FailOutcome::DeadLettered
        );
        let t = q.enqueue(b"t", 0).unwrap();
        q.receive(1, 0).unwrap();
        q.receive(1, 1_000).unwrap(); // attempt 2 times out too
        assert!(q.receive(1, 2_000).unwrap().is_empty());
        let dead: Vec<i64> = q.dead_letters(10).unwrap().iter().map(|d| d.id).collect();
        assert_eq!(dead, vec![p, t]);
    }

    #[tokio::test]
    async fn reopen_resumes_in_flight_jobs_and_keeps_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let id = {
            let q = fresh(dir.path(), 5).await;
            let id = q.enqueue(b"survives", 0).unwrap();
            q.receive(1, 0).unwrap();
            id
            // Dropped without ack: the process "died" with the job in flight.
        };
        let q = LocalQueue::open(&dir.path().join("queue.db"), &XorKeys, cfg(5), 5)
            .await
            .unwrap();
        let d = q.receive(1, 5).unwrap();
        assert_eq!(
            d.len(),
            1,
            "visible at once after restart, not after the timeout"
        );
        assert_eq!(
            (d[0].id, d[0].attempt, &d[0].payload[..]),
            (id, 2, &b"survives"[..])
        );
        assert!(q.release(id, 2, 6).unwrap());
        assert_eq!(
            q.receive(1, 6).unwrap()[0].attempt,
            2,
            "release does not count"
        );
    }

    #[tokio::test]
    async fn tampered_payload_is_reported_by_id_only() {
        let dir = tempfile::tempdir().unwrap();
        let q = fresh(dir.path(), 5).await;
        let id = q.enqueue(b"4111111111111111", 0).unwrap();
        {
            let conn = q.conn().unwrap();
            let mut p: Vec<u8> = conn
                .query_row(
                    "SELECT payload FROM queue_jobs WHERE id = ?1",
                    params![id],
                    |r| r.get(0),
                )
                .unwrap();
            p[0] ^= 1;
            conn.execute(
                "UPDATE queue_jobs SET payload = ?1 WHERE id = ?2",
                params![p, id],
            )
            .unwrap();
        }
        let err = q.receive(1, 0).unwrap_err();
        assert!(matches!(err, QueueError::Corrupt(i) if i == id));
        assert!(!err.to_string().contains("4111"));
    }

    /// No file in the data directory ever holds a planted value in clear (nor hex or base64
    /// of it): while queued, after dead-lettering, and after acknowledgement.
    #[tokio::test]
    async fn no_planted_value_on_disk() {
        use base64::Engine as _;
        let planted = [
            "4111111111111111",
            "536-22-1120",
            "jane.planted@example.com",
        ];
        let dir = tempfile::tempdir().unwrap();
        let q = fresh(dir.path(), 1).await;
        let mut ids = Vec::new();
        for (i, v) in planted.iter().enumerate() {
            let payload = format!("{{\"body\":\"<p>my value is {v}</p>\",\"n\":{i}}}");
            ids.push(q.enqueue(payload.as_bytes(), 0).unwrap());
        }
        let check = |stage: &str| {
            for entry in std::fs::read_dir(dir.path()).unwrap() {
                let path = entry.unwrap().path();
                let bytes = std::fs::read(&path).unwrap();
                for v in planted {
                    let forms = [
                        v.as_bytes().to_vec(),
                        hex::encode(v).into_bytes(),
                        base64::engine::general_purpose::STANDARD
                            .encode(v)
                            .into_bytes(),
                    ];
                    for f in forms {
                        assert!(
                            !bytes.windows(f.len()).any(|w| w == f.as_slice()),
                            "{stage}: {} holds a planted value",
                            path.display()
                        );
                    }
                }
            }
        };
        check("queued");
        let d = q.receive(10, 0).unwrap();
        assert_eq!(d.len(), 3);
        q.fail(ids[0], 1, true, 0, "x", 0).unwrap(); // max_attempts 1 → dead letter
        check("dead-lettered");
        q.ack(ids[1], 1).unwrap();
        q.ack(ids[2], 1).unwrap();
        q.conn()
            .unwrap()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        check("acknowledged");
    }
}
