//! DynamoDB [`IdempotencyStore`]: one item per key (`pk = <key>`) with `expires_at` (ms, what
//! the logic reads) and `ttl` (seconds, what DynamoDB TTL reads as a backstop). Expiry is
//! decided by conditions on `expires_at`, never by whether TTL has removed an item yet.
//!
//! Must never: depend on TTL having run, or put anything but the caller's key (an id, never
//! personal data — callers prefix and choose them) in the key attribute.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use dlp_vault::{IdempotencyStore, Remembered, StoreError, UnixMillis};
use tokio::task::JoinSet;

use crate::codec::{DecodeError, Item, get_n, get_s, n, s};
use crate::error::{Class, classify, store_err};
use crate::tables::attr;

const EXPIRES: &str = "expires_at";
const COUNT: &str = "count";

/// The idempotency store on one DynamoDB table (see [`crate::tables::IDEMPOTENCY_TABLE`]).
#[derive(Clone, Debug)]
pub struct DynamoIdempotencyStore {
    client: Client,
    table: String,
}

impl DynamoIdempotencyStore {
    /// No AWS call is made here.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn ttl_seconds(expires_at: UnixMillis) -> i64 {
    expires_at.div_euclid(1000) + i64::from(expires_at.rem_euclid(1000) != 0)
}

/// Deletes run this many at a time during a purge.
const PURGE_CONCURRENCY: usize = 16;

#[async_trait]
impl IdempotencyStore for DynamoIdempotencyStore {
    async fn remember(
        &self,
        key: &str,
        now: UnixMillis,
        expires_at: UnixMillis,
    ) -> Result<Remembered, StoreError> {
        // One conditional write: succeeds for a new key or over an expired record (purged or
        // not), fails while a live record exists.
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(attr::PK, s(key))
            .item(EXPIRES, n(expires_at))
            .item(attr::TTL, n(ttl_seconds(expires_at)))
            .condition_expression("attribute_not_exists(pk) OR #exp <= :now")
            .expression_attribute_names("#exp", EXPIRES)
            .expression_attribute_values(":now", n(now))
            .send()
            .await;
        match out {
            Ok(_) => Ok(Remembered::New),
            Err(e) => match classify("PutItem", &e) {
                Class::ConditionFailed => Ok(Remembered::Seen),
                other => Err(other.into_store()),
            },
        }
    }

    async fn increment(
        &self,
        key: &str,
        now: UnixMillis,
        expires_at: UnixMillis,
    ) -> Result<u64, StoreError> {
        for _ in 0..4 {
            // A live counter (or none): add one; the expiry is set only on creation.
            let out = self
                .client
                .update_item()
                .table_name(&self.table)
                .key(attr::PK, s(key))
                .update_expression(
                    "SET #exp = if_not_exists(#exp, :exp), #ttl = if_not_exists(#ttl, :ttl) ADD #count :one",
                )
                .condition_expression("attribute_not_exists(pk) OR #exp > :now")
                .expression_attribute_names("#exp", EXPIRES)
                .expression_attribute_names("#ttl", attr::TTL)
                .expression_attribute_names("#count", COUNT)
                .expression_attribute_values(":exp", n(expires_at))
                .expression_attribute_values(":ttl", n(ttl_seconds(expires_at)))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":now", n(now))
                .return_values(ReturnValue::UpdatedNew)
                .send()
                .await;
            match out {
                Ok(o) => {
                    let attrs: Item = o.attributes.unwrap_or_default();
                    return get_n::<u64>(&attrs, COUNT).map_err(DecodeError::into_store);
                }
                Err(e) => match classify("UpdateItem", &e) {
                    Class::ConditionFailed => {}
                    other => return Err(other.into_store()),
                },
            }
            // The counter expired: start again at 1, but only over the expired record (or
            // none), so a concurrent restart is not overwritten.
            let out = self
                .client
                .put_item()
                .table_name(&self.table)
                .item(attr::PK, s(key))
                .item(EXPIRES, n(expires_at))
                .item(attr::TTL, n(ttl_seconds(expires_at)))
                .item(COUNT, n(1))
                .condition_expression("attribute_not_exists(pk) OR #exp <= :now")
                .expression_attribute_names("#exp", EXPIRES)
                .expression_attribute_values(":now", n(now))
                .send()
                .await;
            match out {
                Ok(_) => return Ok(1),
                Err(e) => match classify("PutItem", &e) {
                    Class::ConditionFailed => {}
                    other => return Err(other.into_store()),
                },
            }
        }
        Err(StoreError::Unavailable(
            "increment: counter kept changing".into(),
        ))
    }

    /// Finds expired records with a filtered Scan (reads the whole table: cost grows with
    /// the number of live keys; see docs/dynamodb.md) and deletes each with a condition that
    /// it is still expired, so a key re-armed meanwhile survives. TTL is the backstop that
    /// keeps the table small when this runs rarely.
    async fn purge_expired(&self, now: UnixMillis, limit: u32) -> Result<u64, StoreError> {
        let limit = limit as usize;
        let mut keys: Vec<String> = Vec::new();
        let mut start: Option<Item> = None;
        while keys.len() < limit {
            let out = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("#exp <= :now")
                .projection_expression("pk")
                .expression_attribute_names("#exp", EXPIRES)
                .expression_attribute_values(":now", n(now))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| store_err("Scan", &e))?;
            for item in out.items.unwrap_or_default() {
                keys.push(
                    get_s(&item, attr::PK)
                        .map_err(DecodeError::into_store)?
                        .to_owned(),
                );
            }
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        keys.truncate(limit);

        let mut deleted = 0u64;
        let mut tasks: JoinSet<Result<bool, StoreError>> = JoinSet::new();
        let mut pending = keys.into_iter();
        loop {
            while tasks.len() < PURGE_CONCURRENCY {
                let Some(key) = pending.next() else { break };
                let client = self.client.clone();
                let table = self.table.clone();
                tasks.spawn(async move {
                    let out = client
                        .delete_item()
                        .table_name(table)
                        .key(attr::PK, AttributeValue::S(key))
                        .condition_expression("#exp <= :now")
                        .expression_attribute_names("#exp", EXPIRES)
                        .expression_attribute_values(":now", n(now))
                        .send()
                        .await;
                    match out {
                        Ok(_) => Ok(true),
                        Err(e) => match classify("DeleteItem", &e) {
                            Class::ConditionFailed => Ok(false),
                            other => Err(other.into_store()),
                        },
                    }
                });
            }
            let Some(done) = tasks.join_next().await else {
                break;
            };
            match done {
                Ok(Ok(true)) => deleted += 1,
                Ok(Ok(false)) => {}
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(StoreError::Unavailable("purge task failed".into())),
            }
        }
        Ok(deleted)
    }
}
