//! DynamoDB [`VaultStore`]: one item per entry (`pk = E#<entry id>`), one lock item per part
//! (`pk = P#<workspace>#<conversation>#<part>`, holding the entry id) written in the same
//! transaction, so "one entry per part" holds without a read before the write. Three
//! keys-only indexes serve the listings; the sealed blob lives only on the entry item, so
//! deleting that item deletes the wrapped data key with it (crypto-shredding).
//!
//! Must never: put anything but ids, times and shard numbers in key or index attributes, or
//! depend on TTL (which only backs up `list_expired` + `delete`).

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, KeysAndAttributes, Put, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem,
};
use dlp_vault::{
    ActionResults, EntryId, EntryStatus, Page, PageRequest, PartRef, PutOutcome, SealedBlob,
    StoreError, UnixMillis, VaultEntry, VaultStore,
};
use serde::{Deserialize, Serialize};

use crate::codec::{
    DecodeError, Item, b, count_map, decode_cursor, encode_cursor, esc, get_b, get_count_map,
    get_n, get_s, n, opt_n, opt_s, page_limit, s, successor, time_id_key, time_key,
};
use crate::error::{Class, classify, store_err};
use crate::tables::{attr, index};

/// Number of partitions of the `by_created` and `by_expiry` indexes. A constant partition key
/// would funnel every index write into one partition; shards spread them, and a listing reads
/// every shard (a few small queries) instead of walking calendar buckets, which would need
/// one query per empty day for open-ended ranges like "expired before now". Changing this
/// value requires re-writing the index attributes of existing items.
pub const INDEX_SHARDS: u8 = 4;

const ENTRY_PREFIX: &str = "E#";
const LOCK_PREFIX: &str = "P#";

// Entry attribute names (non-key).
const ID: &str = "id";
const WS: &str = "workspace_id";
const CONV: &str = "conversation_id";
const PART: &str = "part_id";
const CREATED: &str = "created_at";
const EXPIRES: &str = "expires_at";
const STATUS: &str = "status";
const ENTITIES: &str = "entities";
const MASKED: &str = "masked_text";
const A_REDACTED_AT: &str = "redacted_at";
const A_NOTE_ID: &str = "note_id";
const A_TAGGED_AT: &str = "tagged_at";
const A_NOTIFIED_AT: &str = "notified_at";
const A_LAST_ERROR: &str = "last_error";
const KEY_ID: &str = "key_id";
const WRAPPED_KEY: &str = "wrapped_key";
const NONCE: &str = "nonce";
const CIPHERTEXT: &str = "ciphertext";
const LOCK_ENTRY_ID: &str = "entry_id";
const FORMAT: &str = "fmt";
const FORMAT_V1: u8 = 1;

/// The vault store on one DynamoDB table (see [`crate::tables::VAULT_TABLE`]).
#[derive(Clone, Debug)]
pub struct DynamoVaultStore {
    client: Client,
    table: String,
}

impl DynamoVaultStore {
    /// No AWS call is made here.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn entry_pk(id: &str) -> String {
    format!("{ENTRY_PREFIX}{}", esc(id))
}

fn lock_pk(part: &PartRef) -> String {
    format!(
        "{LOCK_PREFIX}{}#{}#{}",
        esc(&part.workspace_id),
        esc(&part.conversation_id),
        esc(&part.part_id)
    )
}

fn conv_pk(workspace_id: &str, conversation_id: &str) -> String {
    format!("{}#{}", esc(workspace_id), esc(conversation_id))
}

/// FNV-1a: a stable hash (std's hasher is randomly seeded per process).
fn shard_of(id: &str) -> u8 {
    let mut h: u32 = 0x811c_9dc5;
    for byte in id.as_bytes() {
        h ^= u32::from(*byte);
        h = h.wrapping_mul(0x0100_0193);
    }
    (h % u32::from(INDEX_SHARDS)) as u8
}

fn created_pk(shard: u8) -> String {
    format!("C#{shard}")
}

fn expires_pk(shard: u8) -> String {
    format!("X#{shard}")
}

/// DynamoDB TTL wants epoch seconds; round up so TTL never deletes before `expires_at`.
fn ttl_seconds(expires_at: UnixMillis) -> i64 {
    expires_at.div_euclid(1000) + i64::from(expires_at.rem_euclid(1000) != 0)
}

fn encode_entry(e: &VaultEntry) -> Item {
    let id = e.id.as_str();
    let shard = shard_of(id);
    let mut item: Item = HashMap::from([
        (attr::PK.to_owned(), s(entry_pk(id))),
        (FORMAT.to_owned(), n(FORMAT_V1)),
        (ID.to_owned(), s(id)),
        (WS.to_owned(), s(&e.part.workspace_id)),
        (CONV.to_owned(), s(&e.part.conversation_id)),
        (PART.to_owned(), s(&e.part.part_id)),
        (CREATED.to_owned(), n(e.created_at)),
        (EXPIRES.to_owned(), n(e.expires_at)),
        (STATUS.to_owned(), s(e.status.as_str())),
        (
            ENTITIES.to_owned(),
            count_map(e.entities.iter().map(|(k, v)| (k.as_str(), *v))),
        ),
        (MASKED.to_owned(), s(&e.masked_text)),
        (KEY_ID.to_owned(), s(&e.sealed.key_id)),
        (WRAPPED_KEY.to_owned(), b(e.sealed.wrapped_key.clone())),
        (NONCE.to_owned(), b(e.sealed.nonce.to_vec())),
        (CIPHERTEXT.to_owned(), b(e.sealed.ciphertext.clone())),
        (
            attr::CONV_PK.to_owned(),
            s(conv_pk(&e.part.workspace_id, &e.part.conversation_id)),
        ),
        (attr::CONV_SK.to_owned(), s(time_id_key(e.created_at, id))),
        (attr::CREATED_PK.to_owned(), s(created_pk(shard))),
        (
            attr::CREATED_SK.to_owned(),
            s(time_id_key(e.created_at, id)),
        ),
        (attr::EXPIRES_PK.to_owned(), s(expires_pk(shard))),
        (
            attr::EXPIRES_SK.to_owned(),
            s(time_id_key(e.expires_at, id)),
        ),
        (attr::TTL.to_owned(), n(ttl_seconds(e.expires_at))),
    ]);
    let a = &e.actions;
    if let Some(v) = a.redacted_at {
        item.insert(A_REDACTED_AT.into(), n(v));
    }
    if let Some(v) = &a.note_id {
        item.insert(A_NOTE_ID.into(), s(v));
    }
    if let Some(v) = a.tagged_at {
        item.insert(A_TAGGED_AT.into(), n(v));
    }
    if let Some(v) = a.notified_at {
        item.insert(A_NOTIFIED_AT.into(), n(v));
    }
    if let Some(v) = &a.last_error {
        item.insert(A_LAST_ERROR.into(), s(v));
    }
    item
}

fn decode_entry(item: &Item) -> Result<VaultEntry, DecodeError> {
    let fmt: u8 = get_n(item, FORMAT)?;
    if fmt != FORMAT_V1 {
        return Err(DecodeError("vault item: unknown format version".into()));
    }
    let status = EntryStatus::parse(get_s(item, STATUS)?)
        .ok_or_else(|| DecodeError("attribute status: unknown value".into()))?;
    let nonce: [u8; 12] = get_b(item, NONCE)?
        .try_into()
        .map_err(|_| DecodeError("attribute nonce: not 12 bytes".into()))?;
    let entities: BTreeMap<String, u32> = get_count_map(item, ENTITIES)?;
    Ok(VaultEntry {
        id: EntryId(get_s(item, ID)?.to_owned()),
        part: PartRef {
            workspace_id: get_s(item, WS)?.to_owned(),
            conversation_id: get_s(item, CONV)?.to_owned(),
            part_id: get_s(item, PART)?.to_owned(),
        },
        created_at: get_n(item, CREATED)?,
        expires_at: get_n(item, EXPIRES)?,
        status,
        entities,
        masked_text: get_s(item, MASKED)?.to_owned(),
        actions: ActionResults {
            redacted_at: opt_n(item, A_REDACTED_AT)?,
            note_id: opt_s(item, A_NOTE_ID)?,
            tagged_at: opt_n(item, A_TAGGED_AT)?,
            notified_at: opt_n(item, A_NOTIFIED_AT)?,
            last_error: opt_s(item, A_LAST_ERROR)?,
        },
        sealed: SealedBlob {
            key_id: get_s(item, KEY_ID)?.to_owned(),
            wrapped_key: get_b(item, WRAPPED_KEY)?.to_vec(),
            nonce,
            ciphertext: get_b(item, CIPHERTEXT)?.to_vec(),
        },
    })
}

/// Position in a sharded index: the shard being read and the last sort key returned from it.
#[derive(Serialize, Deserialize)]
struct ShardPos {
    shard: u8,
    after: Option<String>,
}

const CURSOR_CONV: &str = "vault.conversation";
const CURSOR_CREATED: &str = "vault.created";
const CURSOR_EXPIRED: &str = "vault.expired";

/// Upper bound (inclusive) that admits every `time_id_key(ms, _)` with `ms <= t`.
fn upper_incl(t: UnixMillis) -> String {
    // '$' sorts right after the '#' separator.
    format!("{}$", time_key(t))
}

/// One index query result: entry ids with their sort keys, and whether the query stopped
/// early (more items may follow the last one).
struct IndexPage {
    rows: Vec<(String, String)>,
    truncated: bool,
}

impl DynamoVaultStore {
    async fn get_item(&self, pk: String) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(attr::PK, s(pk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| store_err("GetItem", &e))?;
        Ok(out.item)
    }

    async fn get_entry(&self, id: &str) -> Result<Option<VaultEntry>, StoreError> {
        match self.get_item(entry_pk(id)).await? {
            Some(item) => decode_entry(&item)
                .map(Some)
                .map_err(DecodeError::into_store),
            None => Ok(None),
        }
    }

    /// Query one index partition between two inclusive sort-key bounds.
    #[allow(clippy::too_many_arguments)]
    async fn query_index(
        &self,
        index: &str,
        pk_attr: &str,
        pk: String,
        sk_attr: &str,
        lo: Option<String>,
        hi: Option<String>,
        limit: usize,
    ) -> Result<IndexPage, StoreError> {
        let mut cond = "#pk = :pk".to_owned();
        let mut req = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .expression_attribute_names("#pk", pk_attr)
            .expression_attribute_values(":pk", s(pk))
            .limit(i32::try_from(limit).unwrap_or(i32::MAX));
        match (lo, hi) {
            (Some(lo), Some(hi)) => {
                cond.push_str(" AND #sk BETWEEN :lo AND :hi");
                req = req
                    .expression_attribute_values(":lo", s(lo))
                    .expression_attribute_values(":hi", s(hi));
            }
            (Some(lo), None) => {
                cond.push_str(" AND #sk >= :lo");
                req = req.expression_attribute_values(":lo", s(lo));
            }
            (None, Some(hi)) => {
                cond.push_str(" AND #sk <= :hi");
                req = req.expression_attribute_values(":hi", s(hi));
            }
            (None, None) => {}
        }
        if cond.contains("#sk") {
            req = req.expression_attribute_names("#sk", sk_attr);
        }
        let out = req
            .key_condition_expression(cond)
            .send()
            .await
            .map_err(|e| store_err("Query", &e))?;
        let truncated = out.last_evaluated_key.is_some();
        let mut rows = Vec::new();
        for item in out.items.unwrap_or_default() {
            let pk = get_s(&item, attr::PK).map_err(DecodeError::into_store)?;
            let sk = get_s(&item, sk_attr).map_err(DecodeError::into_store)?;
            if !pk.starts_with(ENTRY_PREFIX) {
                return Err(StoreError::Invalid("index row: not an entry key".into()));
            }
            rows.push((pk.to_owned(), sk.to_owned()));
        }
        Ok(IndexPage { rows, truncated })
    }

    /// Fetch entry items by primary key (strongly consistent), in the order given. Keys whose
    /// item has gone (deleted since the index was read) are skipped.
    async fn batch_get(&self, pks: &[String]) -> Result<Vec<VaultEntry>, StoreError> {
        let mut found: HashMap<String, VaultEntry> = HashMap::with_capacity(pks.len());
        for chunk in pks.chunks(100) {
            let mut keys: Vec<HashMap<String, AttributeValue>> = chunk
                .iter()
                .map(|pk| HashMap::from([(attr::PK.to_owned(), s(pk.as_str()))]))
                .collect();
            let mut attempt = 0u32;
            while !keys.is_empty() {
                let ka = KeysAndAttributes::builder()
                    .set_keys(Some(keys))
                    .consistent_read(true)
                    .build()
                    .map_err(|_| StoreError::Invalid("BatchGetItem: request".into()))?;
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, ka)
                    .send()
                    .await
                    .map_err(|e| store_err("BatchGetItem", &e))?;
                for item in out
                    .responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default()
                {
                    let e = decode_entry(&item).map_err(DecodeError::into_store)?;
                    found.insert(entry_pk(e.id.as_str()), e);
                }
                keys = out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.table))
                    .map(|ka| ka.keys)
                    .unwrap_or_default();
                if !keys.is_empty() {
                    attempt += 1;
                    if attempt > 8 {
                        return Err(StoreError::Unavailable(
                            "BatchGetItem: unprocessed keys".into(),
                        ));
                    }
                    crate::backoff(attempt).await;
                }
            }
        }
        Ok(pks.iter().filter_map(|pk| found.remove(pk)).collect())
    }
}

#[async_trait]
impl VaultStore for DynamoVaultStore {
    async fn put_if_absent(&self, entry: &VaultEntry) -> Result<PutOutcome, StoreError> {
        let lock = lock_pk(&entry.part);
        let id = entry.id.as_str();
        let entry_item = encode_entry(entry);
        // A lock whose entry is gone (deleted by TTL before the lock, or a crash between
        // writes in an older version) must not block the part forever: replace it, but only
        // if it still names the same missing entry.
        let mut stale: Option<String> = None;
        for _ in 0..4 {
            let mut lock_put = Put::builder()
                .table_name(&self.table)
                .item(attr::PK, s(lock.as_str()))
                .item(LOCK_ENTRY_ID, s(id))
                .item(attr::TTL, n(ttl_seconds(entry.expires_at)))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                );
            lock_put = match &stale {
                None => lock_put.condition_expression("attribute_not_exists(pk)"),
                Some(old) => lock_put
                    .condition_expression("entry_id = :old")
                    .expression_attribute_values(":old", s(old.as_str())),
            };
            let entry_put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(entry_item.clone()))
                .condition_expression("attribute_not_exists(pk)");
            let result = self
                .client
                .transact_write_items()
                .transact_items(
                    TransactWriteItem::builder()
                        .put(
                            lock_put
                                .build()
                                .map_err(|_| StoreError::Invalid("Put: request".into()))?,
                        )
                        .build(),
                )
                .transact_items(
                    TransactWriteItem::builder()
                        .put(
                            entry_put
                                .build()
                                .map_err(|_| StoreError::Invalid("Put: request".into()))?,
                        )
                        .build(),
                )
                .send()
                .await;
            let err = match result {
                Ok(_) => return Ok(PutOutcome::Inserted),
                Err(e) => e,
            };
            let reasons = match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
                    c.cancellation_reasons().to_vec()
                }
                _ => return Err(store_err("TransactWriteItems", &err)),
            };
            let code = |i: usize| reasons.get(i).and_then(|r| r.code()).unwrap_or("None");
            if code(1) == "ConditionalCheckFailed" && code(0) != "ConditionalCheckFailed" {
                return Err(StoreError::Conflict("entry id already exists".into()));
            }
            if code(0) != "ConditionalCheckFailed" {
                // TransactionConflict, throttling inside the transaction: transient.
                return Err(StoreError::Unavailable(format!(
                    "TransactWriteItems: cancelled ({}, {})",
                    code(0),
                    code(1)
                )));
            }
            // The part is locked: find the entry it names. The cancellation reason carries
            // the lock item when the service supports it; otherwise read it.
            let lock_item = match reasons.first().and_then(|r| r.item()) {
                Some(item) if !item.is_empty() => Some(item.clone()),
                _ => self.get_item(lock.clone()).await?,
            };
            let Some(lock_item) = lock_item else {
                // Deleted meanwhile: try again from scratch.
                stale = None;
                continue;
            };
            let existing_id = get_s(&lock_item, LOCK_ENTRY_ID)
                .map_err(DecodeError::into_store)?
                .to_owned();
            match self.get_entry(&existing_id).await? {
                Some(existing) => return Ok(PutOutcome::Existing(Box::new(existing))),
                None => stale = Some(existing_id),
            }
        }
        Err(StoreError::Unavailable(
            "put_if_absent: part lock kept changing".into(),
        ))
    }

    async fn get(&self, id: &EntryId) -> Result<Option<VaultEntry>, StoreError> {
        self.get_entry(id.as_str()).await
    }

    async fn get_by_part(&self, part: &PartRef) -> Result<Option<VaultEntry>, StoreError> {
        let Some(lock) = self.get_item(lock_pk(part)).await? else {
            return Ok(None);
        };
        let id = get_s(&lock, LOCK_ENTRY_ID).map_err(DecodeError::into_store)?;
        // A lock whose entry is gone counts as absent (see put_if_absent).
        Ok(self.get_entry(id).await?.filter(|e| &e.part == part))
    }

    async fn list_by_conversation(
        &self,
        workspace_id: &str,
        conversation_id: &str,
        page: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError> {
        let limit = page_limit(page.limit);
        let after: Option<String> = match &page.cursor {
            Some(c) => Some(decode_cursor(CURSOR_CONV, c).map_err(DecodeError::into_store)?),
            None => None,
        };
        let ip = self
            .query_index(
                index::VAULT_BY_CONVERSATION,
                attr::CONV_PK,
                conv_pk(workspace_id, conversation_id),
                attr::CONV_SK,
                after.as_deref().map(successor),
                None,
                limit + 1,
            )
            .await?;
        let mut rows = ip.rows;
        let more = ip.truncated || rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = match rows.last() {
            Some((_, sk)) if more => Some(encode_cursor(CURSOR_CONV, sk)),
            _ => None,
        };
        let pks: Vec<String> = rows.into_iter().map(|(pk, _)| pk).collect();
        Ok(Page {
            items: self.batch_get(&pks).await?,
            next_cursor,
        })
    }

    async fn list_by_created(
        &self,
        since: UnixMillis,
        until: UnixMillis,
        page: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError> {
        let limit = page_limit(page.limit);
        let after: Option<String> = match &page.cursor {
            Some(c) => Some(decode_cursor(CURSOR_CREATED, c).map_err(DecodeError::into_store)?),
            None => None,
        };
        if since >= until {
            return Ok(Page {
                items: Vec::new(),
                next_cursor: None,
            });
        }
        let lo = match &after {
            Some(a) => successor(a).max(time_key(since)),
            None => time_key(since),
        };
        // `time_key(until)` sorts below every key of an entry created at `until`.
        let hi = time_key(until);
        if lo > hi {
            return Ok(Page {
                items: Vec::new(),
                next_cursor: None,
            });
        }
        // Merge the shards. A shard that stopped early only vouches for keys up to its last
        // row, so nothing beyond the smallest such row may be returned yet.
        let mut rows: Vec<(String, String)> = Vec::new();
        let mut cutoff: Option<String> = None;
        for shard in 0..INDEX_SHARDS {
            let ip = self
                .query_index(
                    index::VAULT_BY_CREATED,
                    attr::CREATED_PK,
                    created_pk(shard),
                    attr::CREATED_SK,
                    Some(lo.clone()),
                    Some(hi.clone()),
                    limit + 1,
                )
                .await?;
            if ip.truncated
                && let Some((_, last)) = ip.rows.last()
                && cutoff.as_ref().is_none_or(|c| last < c)
            {
                cutoff = Some(last.clone());
            }
            rows.extend(ip.rows);
        }
        rows.sort_by(|a, b| a.1.cmp(&b.1));
        if let Some(c) = &cutoff {
            rows.retain(|(_, sk)| sk <= c);
        }
        let more = cutoff.is_some() || rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = match rows.last() {
            Some((_, sk)) if more => Some(encode_cursor(CURSOR_CREATED, sk)),
            _ => None,
        };
        let pks: Vec<String> = rows.into_iter().map(|(pk, _)| pk).collect();
        Ok(Page {
            items: self.batch_get(&pks).await?,
            next_cursor,
        })
    }

    async fn list_expired(
        &self,
        before: UnixMillis,
        page: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError> {
        let limit = page_limit(page.limit);
        let mut pos: ShardPos = match &page.cursor {
            Some(c) => decode_cursor(CURSOR_EXPIRED, c).map_err(DecodeError::into_store)?,
            None => ShardPos {
                shard: 0,
                after: None,
            },
        };
        if pos.shard >= INDEX_SHARDS {
            return Err(StoreError::Invalid("cursor: shard out of range".into()));
        }
        let hi = upper_incl(before);
        let mut pks: Vec<String> = Vec::new();
        // Walk shard by shard (any stable order is allowed): each page is one or a few
        // queries, and positions survive the caller deleting what it was given.
        let next = loop {
            let remaining = limit - pks.len();
            if remaining == 0 {
                break Some(pos);
            }
            let ip = self
                .query_index(
                    index::VAULT_BY_EXPIRY,
                    attr::EXPIRES_PK,
                    expires_pk(pos.shard),
                    attr::EXPIRES_SK,
                    pos.after.as_deref().map(successor),
                    Some(hi.clone()),
                    remaining + 1,
                )
                .await?;
            let more_here = ip.truncated || ip.rows.len() > remaining;
            let mut rows = ip.rows;
            rows.truncate(remaining);
            if let Some((_, sk)) = rows.last() {
                pos.after = Some(sk.clone());
            }
            pks.extend(rows.into_iter().map(|(pk, _)| pk));
            if more_here {
                break Some(pos);
            }
            if pos.shard + 1 >= INDEX_SHARDS {
                break None;
            }
            pos = ShardPos {
                shard: pos.shard + 1,
                after: None,
            };
        };
        Ok(Page {
            items: self.batch_get(&pks).await?,
            next_cursor: next.map(|p| encode_cursor(CURSOR_EXPIRED, &p)),
        })
    }

    async fn update_status(
        &self,
        id: &EntryId,
        status: EntryStatus,
        actions: &ActionResults,
    ) -> Result<bool, StoreError> {
        let mut sets = vec!["#status = :status".to_owned()];
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(attr::PK, s(entry_pk(id.as_str())))
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_values(":status", s(status.as_str()));
        let fields: [(&str, Option<AttributeValue>); 5] = [
            (A_REDACTED_AT, actions.redacted_at.map(n)),
            (A_NOTE_ID, actions.note_id.as_deref().map(s)),
            (A_TAGGED_AT, actions.tagged_at.map(n)),
            (A_NOTIFIED_AT, actions.notified_at.map(n)),
            (A_LAST_ERROR, actions.last_error.as_deref().map(s)),
        ];
        for (i, (name, value)) in fields.into_iter().enumerate() {
            if let Some(v) = value {
                sets.push(format!("#a{i} = :a{i}"));
                req = req
                    .expression_attribute_names(format!("#a{i}"), name)
                    .expression_attribute_values(format!(":a{i}"), v);
            }
        }
        match req
            .update_expression(format!("SET {}", sets.join(", ")))
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) => match classify("UpdateItem", &e) {
                Class::ConditionFailed => Ok(false),
                other => Err(other.into_store()),
            },
        }
    }

    async fn delete(&self, id: &EntryId) -> Result<bool, StoreError> {
        let Some(entry) = self.get_entry(id.as_str()).await? else {
            return Ok(false);
        };
        let pk = entry_pk(id.as_str());
        let delete_entry = Delete::builder()
            .table_name(&self.table)
            .key(attr::PK, s(pk.as_str()))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(|_| StoreError::Invalid("Delete: request".into()))?;
        // The lock goes too, unless it already names another entry (never expected).
        let delete_lock = Delete::builder()
            .table_name(&self.table)
            .key(attr::PK, s(lock_pk(&entry.part)))
            .condition_expression("attribute_not_exists(pk) OR entry_id = :id")
            .expression_attribute_values(":id", s(id.as_str()))
            .build()
            .map_err(|_| StoreError::Invalid("Delete: request".into()))?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(delete_entry).build())
            .transact_items(TransactWriteItem::builder().delete(delete_lock).build())
            .send()
            .await;
        let err = match result {
            Ok(_) => return Ok(true),
            Err(e) => e,
        };
        let reasons = match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
                c.cancellation_reasons().to_vec()
            }
            _ => return Err(store_err("TransactWriteItems", &err)),
        };
        let code = |i: usize| reasons.get(i).and_then(|r| r.code()).unwrap_or("None");
        if code(0) == "ConditionalCheckFailed" {
            // Deleted concurrently.
            return Ok(false);
        }
        if code(1) == "ConditionalCheckFailed" {
            let out = self
                .client
                .delete_item()
                .table_name(&self.table)
                .key(attr::PK, s(pk))
                .condition_expression("attribute_exists(pk)")
                .send()
                .await;
            return match out {
                Ok(_) => Ok(true),
                Err(e) => match classify("DeleteItem", &e) {
                    Class::ConditionFailed => Ok(false),
                    other => Err(other.into_store()),
                },
            };
        }
        Err(StoreError::Unavailable(format!(
            "TransactWriteItems: cancelled ({}, {})",
            code(0),
            code(1)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_stable_and_in_range() {
        assert_eq!(shard_of("01HZX"), shard_of("01HZX"));
        let mut seen = [0u32; INDEX_SHARDS as usize];
        for i in 0..400 {
            seen[shard_of(&format!("01J{i:023}")) as usize] += 1;
        }
        assert!(seen.iter().all(|c| *c > 50), "{seen:?}");
    }

    #[test]
    fn ttl_rounds_up_to_seconds() {
        assert_eq!(ttl_seconds(1_000), 1);
        assert_eq!(ttl_seconds(1_001), 2);
        assert_eq!(ttl_seconds(0), 0);
    }

    #[test]
    fn upper_bound_admits_exactly_up_to_t() {
        let hi = upper_incl(10);
        assert!(time_id_key(10, "zzzz") <= hi);
        assert!(time_id_key(11, "") > hi);
    }
}
