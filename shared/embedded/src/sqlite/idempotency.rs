//! `IdempotencyStore` on SQLite: single-statement upserts, so each call is atomic without an
//! explicit transaction. A record is live while `now < expires_at`.

use async_trait::async_trait;
use dlp_vault::{IdempotencyStore, Remembered, StoreError, UnixMillis};
use rusqlite::params;

use super::SqliteStore;

#[async_trait]
impl IdempotencyStore for SqliteStore {
    async fn remember(
        &self,
        key: &str,
        now: UnixMillis,
        expires_at: UnixMillis,
    ) -> Result<Remembered, StoreError> {
        let key = key.to_owned();
        self.write(move |c| {
            // The conflict branch only fires (re-arming the record) when it has expired;
            // otherwise nothing changes and the key was seen.
            let n = c
                .prepare_cached(
                    "INSERT INTO idempotency (key, expires_at, counter) VALUES (?1, ?2, 0) \
                     ON CONFLICT(key) DO UPDATE SET expires_at = excluded.expires_at, counter = 0 \
                     WHERE idempotency.expires_at <= ?3",
                )?
                .execute(params![key, expires_at, now])?;
            Ok(if n == 1 {
                Remembered::New
            } else {
                Remembered::Seen
            })
        })
        .await
        .map_err(StoreError::from)
    }

    async fn increment(
        &self,
        key: &str,
        now: UnixMillis,
        expires_at: UnixMillis,
    ) -> Result<u64, StoreError> {
        let key = key.to_owned();
        self.write(move |c| {
            let v: i64 = c
                .prepare_cached(
                    "INSERT INTO idempotency (key, expires_at, counter) VALUES (?1, ?2, 1) \
                     ON CONFLICT(key) DO UPDATE SET \
                       counter = CASE WHEN idempotency.expires_at <= ?3 THEN 1 ELSE idempotency.counter + 1 END, \
                       expires_at = CASE WHEN idempotency.expires_at <= ?3 THEN excluded.expires_at \
                                         ELSE idempotency.expires_at END \
                     RETURNING counter",
                )?
                .query_row(params![key, expires_at, now], |r| r.get(0))?;
            Ok(u64::try_from(v).unwrap_or(0))
        })
        .await
        .map_err(StoreError::from)
    }

    async fn purge_expired(&self, now: UnixMillis, limit: u32) -> Result<u64, StoreError> {
        self.write(move |c| {
            let n = c
                .prepare_cached(
                    "DELETE FROM idempotency WHERE key IN \
                     (SELECT key FROM idempotency WHERE expires_at <= ?1 LIMIT ?2)",
                )?
                .execute(params![now, i64::from(limit)])?;
            Ok(n as u64)
        })
        .await
        .map_err(StoreError::from)
    }
}
