//! DynamoDB [`AuditLog`]: events keyed by chain and position (`pk = CH#<chain>`, `sk = seq`),
//! one head item per chain at `sk = 0`. An append is one transaction: put the event if its
//! slot is free, and replace the head on the condition that it is still the head the event
//! was linked to. The chain arithmetic (canonical encoding, hashes, chain choice) is
//! `dlp_audit::chain`'s; this module only stores and fetches.
//!
//! Within one process, appends to a chain are serialized by a local lock that also caches
//! the chain's head, so a warm writer needs one call per event and never races itself; races
//! with other processes are settled by the transaction condition and a jittered retry.
//!
//! Must never: store an event outside that transaction, or write anything an event did not
//! carry (events hold ids, kinds, counts and reasons only).

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem};
use dlp_audit::chain::{chain_for, head_of, link};
use dlp_audit::{
    Action, AuditError, AuditEvent, AuditLog, AuditQuery, ChainHead, Outcome, Page, PageRequest,
    StoredEvent,
};
use tokio::sync::Mutex;

use crate::codec::{
    DecodeError, Item, count_map, decode_cursor, encode_cursor, esc, get_count_map, get_n, get_s,
    get_str_list, n, opt_s, page_limit, s, str_list, successor, time_id_key, time_key,
};
use crate::error::{Class, audit_err, classify};
use crate::tables::{attr, index};

const HEAD_SK: u64 = 0;
const CHAIN: &str = "chain";
const SEQ: &str = "seq";
const PREV_HASH: &str = "prev_hash";
const HASH: &str = "hash";
const ID: &str = "id";
const TIME: &str = "time";
const ACTOR: &str = "actor";
const ACTION: &str = "action";
const OUTCOME: &str = "outcome";
const WS: &str = "workspace_id";
const CONV: &str = "conversation_id";
const PART: &str = "part_id";
const ENTRY_IDS: &str = "entry_ids";
const ENTITY_KINDS: &str = "entity_kinds";
const REASON: &str = "reason";
const REQUEST_ID: &str = "request_id";
const COUNTS: &str = "counts";

/// Appends give up (as `Unavailable`) after this many lost races in a row.
const MAX_APPEND_ATTEMPTS: u32 = 16;
/// Index pages read per chain for one query page before returning what is vouched for
/// (bounds the work of a very selective filter).
const MAX_PAGES_PER_CHAIN: usize = 16;

const CURSOR_QUERY: &str = "audit.query";

/// What this process knows about a chain's head: `None` = unknown (read it), `Some(None)` =
/// empty chain, `Some(Some(h))` = head `h`.
type HeadCache = Option<Option<ChainHead>>;

/// The audit log on one DynamoDB table (see [`crate::tables::AUDIT_TABLE`]).
#[derive(Debug)]
pub struct DynamoAuditLog {
    client: Client,
    table: String,
    chains: u16,
    heads: Vec<Mutex<HeadCache>>,
}

impl DynamoAuditLog {
    /// `chains` is the number of hash chains (default 8 in settings); every reader and
    /// writer of the table must use the same number. No AWS call is made here.
    pub fn new(client: Client, table: impl Into<String>, chains: u16) -> Self {
        let chains = chains.max(1);
        Self {
            client,
            table: table.into(),
            chains,
            heads: (0..chains).map(|_| Mutex::new(None)).collect(),
        }
    }
}

fn chain_pk(chain: u16) -> String {
    format!("CH#{chain}")
}

fn keyed(chain: u16, value: &str) -> String {
    format!("{chain}#{}", esc(value))
}

fn encode_event(st: &StoredEvent) -> Item {
    let e = &st.event;
    let mut item: Item = Item::from([
        (attr::PK.to_owned(), s(chain_pk(st.chain))),
        (attr::SK.to_owned(), n(st.seq)),
        (CHAIN.to_owned(), n(st.chain)),
        (PREV_HASH.to_owned(), s(&st.prev_hash)),
        (HASH.to_owned(), s(&st.hash)),
        (ID.to_owned(), s(&e.id)),
        (TIME.to_owned(), n(e.time)),
        (ACTOR.to_owned(), s(&e.actor)),
        (ACTION.to_owned(), s(e.action.as_str())),
        (OUTCOME.to_owned(), s(e.outcome.as_str())),
        (ENTRY_IDS.to_owned(), str_list(&e.entry_ids)),
        (ENTITY_KINDS.to_owned(), str_list(&e.entity_kinds)),
        (
            COUNTS.to_owned(),
            count_map(e.counts.iter().map(|(k, v)| (k.as_str(), *v))),
        ),
        (attr::TIME_SK.to_owned(), s(time_id_key(e.time, &e.id))),
        (attr::ACTOR_PK.to_owned(), s(keyed(st.chain, &e.actor))),
        (
            attr::ACTION_PK.to_owned(),
            s(keyed(st.chain, e.action.as_str())),
        ),
    ]);
    let opts = [
        (WS, &e.workspace_id),
        (CONV, &e.conversation_id),
        (PART, &e.part_id),
        (REASON, &e.reason),
        (REQUEST_ID, &e.request_id),
    ];
    for (name, v) in opts {
        if let Some(v) = v {
            item.insert(name.to_owned(), s(v));
        }
    }
    if let Some(c) = &e.conversation_id {
        item.insert(attr::CONVERSATION_PK.to_owned(), s(keyed(st.chain, c)));
    }
    item
}

fn parse_outcome(v: &str) -> Result<Outcome, DecodeError> {
    match v {
        "success" => Ok(Outcome::Success),
        "failure" => Ok(Outcome::Failure),
        "denied" => Ok(Outcome::Denied),
        _ => Err(DecodeError("attribute outcome: unknown value".into())),
    }
}

fn decode_event(item: &Item) -> Result<StoredEvent, DecodeError> {
    let counts: BTreeMap<String, u64> = get_count_map(item, COUNTS)?;
    Ok(StoredEvent {
        chain: get_n(item, CHAIN)?,
        seq: get_n(item, attr::SK)?,
        prev_hash: get_s(item, PREV_HASH)?.to_owned(),
        hash: get_s(item, HASH)?.to_owned(),
        event: AuditEvent {
            id: get_s(item, ID)?.to_owned(),
            time: get_n(item, TIME)?,
            actor: get_s(item, ACTOR)?.to_owned(),
            action: Action::parse(get_s(item, ACTION)?),
            workspace_id: opt_s(item, WS)?,
            conversation_id: opt_s(item, CONV)?,
            part_id: opt_s(item, PART)?,
            entry_ids: get_str_list(item, ENTRY_IDS)?,
            entity_kinds: get_str_list(item, ENTITY_KINDS)?,
            outcome: parse_outcome(get_s(item, OUTCOME)?)?,
            reason: opt_s(item, REASON)?,
            request_id: opt_s(item, REQUEST_ID)?,
            counts,
        },
    })
}

fn decode_head(item: &Item) -> Result<ChainHead, DecodeError> {
    Ok(ChainHead {
        chain: get_n(item, CHAIN)?,
        seq: get_n(item, SEQ)?,
        hash: get_s(item, HASH)?.to_owned(),
    })
}

fn invalid(e: DecodeError) -> AuditError {
    e.into_audit()
}

/// Which index serves a query, and the filters left for a filter expression.
struct Plan {
    index: &'static str,
    pk_attr: &'static str,
    /// Partition value for a chain.
    pk: Box<dyn Fn(u16) -> String + Send + Sync>,
    /// (attribute, value) equality filters not covered by the index key.
    filters: Vec<(&'static str, String)>,
}

fn plan(q: &AuditQuery) -> Plan {
    let mut filters = Vec::new();
    let actor = q.actor.clone();
    let action = q.action.as_ref().map(|a| a.as_str().to_owned());
    let conv = q.conversation_id.clone();
    // Most selective key first: a conversation has few events, an actor or action many.
    if let Some(c) = conv {
        filters.extend(actor.map(|v| (ACTOR, v)));
        filters.extend(action.map(|v| (ACTION, v)));
        return Plan {
            index: index::AUDIT_BY_CONVERSATION,
            pk_attr: attr::CONVERSATION_PK,
            pk: Box::new(move |chain| keyed(chain, &c)),
            filters,
        };
    }
    if let Some(a) = actor {
        filters.extend(action.map(|v| (ACTION, v)));
        return Plan {
            index: index::AUDIT_BY_ACTOR,
            pk_attr: attr::ACTOR_PK,
            pk: Box::new(move |chain| keyed(chain, &a)),
            filters,
        };
    }
    if let Some(a) = action {
        return Plan {
            index: index::AUDIT_BY_ACTION,
            pk_attr: attr::ACTION_PK,
            pk: Box::new(move |chain| keyed(chain, &a)),
            filters,
        };
    }
    Plan {
        index: index::AUDIT_BY_TIME,
        pk_attr: attr::PK,
        pk: Box::new(chain_pk),
        filters,
    }
}

/// Matches of one chain, and the sort key up to which the chain was fully read when it
/// stopped early (`None` when it was read to the end of the range).
struct ChainRows {
    rows: Vec<(String, StoredEvent)>,
    vouched: Option<String>,
}

impl DynamoAuditLog {
    async fn read_head(&self, chain: u16) -> Result<Option<ChainHead>, AuditError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(attr::PK, s(chain_pk(chain)))
            .key(attr::SK, n(HEAD_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| audit_err("GetItem", &e))?;
        match out.item {
            Some(item) => decode_head(&item).map(Some).map_err(invalid),
            None => Ok(None),
        }
    }

    fn head_put(&self, stored: &StoredEvent, prev: Option<&ChainHead>) -> Result<Put, AuditError> {
        let head = head_of(stored);
        let mut put = Put::builder()
            .table_name(&self.table)
            .item(attr::PK, s(chain_pk(head.chain)))
            .item(attr::SK, n(HEAD_SK))
            .item(CHAIN, n(head.chain))
            .item(SEQ, n(head.seq))
            .item(HASH, s(head.hash))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        put = match prev {
            None => put.condition_expression("attribute_not_exists(pk)"),
            Some(p) => put
                .condition_expression("#seq = :prev_seq AND #hash = :prev_hash")
                .expression_attribute_names("#seq", SEQ)
                .expression_attribute_names("#hash", HASH)
                .expression_attribute_values(":prev_seq", n(p.seq))
                .expression_attribute_values(":prev_hash", s(p.hash.as_str())),
        };
        put.build()
            .map_err(|_| AuditError::Invalid("Put: request".into()))
    }

    async fn query_chain(
        &self,
        plan: &Plan,
        chain: u16,
        lo: &str,
        hi: &str,
        want: usize,
    ) -> Result<ChainRows, AuditError> {
        let mut rows = Vec::new();
        let mut start: Option<Item> = None;
        let mut filter = Vec::new();
        for (i, _) in plan.filters.iter().enumerate() {
            filter.push(format!("#f{i} = :f{i}"));
        }
        for page in 0..MAX_PAGES_PER_CHAIN {
            let mut req = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(plan.index)
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
                .expression_attribute_names("#pk", plan.pk_attr)
                .expression_attribute_names("#sk", attr::TIME_SK)
                .expression_attribute_values(":pk", s((plan.pk)(chain)))
                .expression_attribute_values(":lo", s(lo))
                .expression_attribute_values(":hi", s(hi))
                .limit(i32::try_from(want).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take());
            for (i, (name, value)) in plan.filters.iter().enumerate() {
                req = req
                    .expression_attribute_names(format!("#f{i}"), *name)
                    .expression_attribute_values(format!(":f{i}"), s(value.as_str()));
            }
            if !filter.is_empty() {
                req = req.filter_expression(filter.join(" AND "));
            }
            let out = req.send().await.map_err(|e| audit_err("Query", &e))?;
            for item in out.items.unwrap_or_default() {
                let sk = get_s(&item, attr::TIME_SK).map_err(invalid)?.to_owned();
                rows.push((sk, decode_event(&item).map_err(invalid)?));
            }
            let Some(lek) = out.last_evaluated_key.filter(|k| !k.is_empty()) else {
                return Ok(ChainRows {
                    rows,
                    vouched: None,
                });
            };
            if rows.len() >= want || page + 1 == MAX_PAGES_PER_CHAIN {
                let vouched = get_s(&lek, attr::TIME_SK).map_err(invalid)?.to_owned();
                return Ok(ChainRows {
                    rows,
                    vouched: Some(vouched),
                });
            }
            start = Some(lek);
        }
        Err(AuditError::Invalid(
            "query: unreachable paging state".into(),
        ))
    }
}

#[async_trait]
impl AuditLog for DynamoAuditLog {
    fn chains(&self) -> u16 {
        self.chains
    }

    async fn append(&self, event: AuditEvent) -> Result<StoredEvent, AuditError> {
        let chain = chain_for(&event.id, self.chains);
        let Some(slot) = self.heads.get(usize::from(chain)) else {
            return Err(AuditError::Invalid("chain out of range".into()));
        };
        let mut cache = slot.lock().await;
        // The last transaction sent. A failure can be ambiguous (a timeout or 5xx after the
        // write committed); if the head then turns out to be that event, it was appended.
        let mut sent: Option<StoredEvent> = None;
        let mut behind = 0u32;
        for attempt in 0..MAX_APPEND_ATTEMPTS {
            let prev = match cache.take() {
                Some(h) => h,
                None => self.read_head(chain).await?,
            };
            if let (Some(last), Some(head)) = (&sent, &prev)
                && head.seq == last.seq
                && head.hash == last.hash
            {
                *cache = Some(prev);
                return Ok(last.clone());
            }
            let stored = link(prev.as_ref(), chain, event.clone());
            let event_put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(encode_event(&stored)))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(|_| AuditError::Invalid("Put: request".into()))?;
            // The token makes DynamoDB's own answer to a resent identical transaction
            // idempotent (10 minutes); it is derived from the linked event, so a re-link
            // after a lost race gets a new one.
            let token: String = stored.hash.chars().take(36).collect();
            let result = self
                .client
                .transact_write_items()
                .client_request_token(token)
                .transact_items(TransactWriteItem::builder().put(event_put).build())
                .transact_items(
                    TransactWriteItem::builder()
                        .put(self.head_put(&stored, prev.as_ref())?)
                        .build(),
                )
                .send()
                .await;
            let err = match result {
                Ok(_) => {
                    *cache = Some(Some(head_of(&stored)));
                    return Ok(stored);
                }
                Err(e) => e,
            };
            sent = Some(stored);
            let reasons = match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
                    c.cancellation_reasons().to_vec()
                }
                _ => match classify("TransactWriteItems", &err) {
                    // Transient after the SDK's own retries: the write may or may not have
                    // happened; re-read the head and decide (see `sent`).
                    Class::Transient(_) => {
                        *cache = None;
                        crate::backoff(attempt).await;
                        continue;
                    }
                    other => return Err(other.into_audit()),
                },
            };
            let code = |i: usize| reasons.get(i).and_then(|r| r.code()).unwrap_or("None");
            if code(1) == "ConditionalCheckFailed" {
                // Another process moved the head: link again after the head it left, which
                // the cancellation reason carries when the service supports it.
                *cache = match reasons.get(1).and_then(|r| r.item()) {
                    Some(item) if !item.is_empty() => {
                        Some(Some(decode_head(item).map_err(invalid)?))
                    }
                    _ => None,
                };
            } else if code(0) == "ConditionalCheckFailed" {
                // The head condition held but the next slot is taken. DynamoDB transactions
                // are serializable, so this means the head item is behind the stored events
                // (restored from a backup, edited) — unless the store showed us another
                // writer's transaction half-done (emulators without isolation). Re-read the
                // head; if it stays behind, appending would fork the chain: refuse, and let
                // verify name the break.
                behind += 1;
                if behind >= 3 {
                    return Err(AuditError::Invalid(format!(
                        "chain {chain}: head is behind the stored events"
                    )));
                }
                *cache = None;
            } else {
                // TransactionConflict / throttling inside the transaction: keep the head.
                *cache = Some(prev);
            }
            crate::backoff(attempt).await;
        }
        Err(AuditError::Unavailable(format!(
            "chain {chain}: lost the head race {MAX_APPEND_ATTEMPTS} times"
        )))
    }

    async fn query(
        &self,
        query: &AuditQuery,
        page: &PageRequest,
    ) -> Result<Page<StoredEvent>, AuditError> {
        let limit = page_limit(page.limit);
        let after: Option<String> = match &page.cursor {
            Some(c) => Some(decode_cursor(CURSOR_QUERY, c).map_err(invalid)?),
            None => None,
        };
        let since = query.since.unwrap_or(i64::MIN);
        let empty = Page {
            items: Vec::new(),
            next_cursor: None,
        };
        if query.until.is_some_and(|u| u <= since) {
            return Ok(empty);
        }
        let mut lo = time_key(since);
        if let Some(a) = &after {
            lo = lo.max(successor(a));
        }
        // Exclusive `until`: `time_key(until)` sorts below every key at `until`; without
        // one, '~' sorts above every hex time key.
        let hi = query.until.map_or_else(|| "~".to_owned(), time_key);
        if lo > hi {
            return Ok(empty);
        }
        let plan = plan(query);
        let mut rows: Vec<(String, StoredEvent)> = Vec::new();
        let mut cutoff: Option<String> = None;
        for chain in 0..self.chains {
            let cr = self.query_chain(&plan, chain, &lo, &hi, limit + 1).await?;
            if let Some(v) = cr.vouched
                && cutoff.as_ref().is_none_or(|c| &v < c)
            {
                cutoff = Some(v);
            }
            rows.extend(cr.rows);
        }
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(c) = &cutoff {
            rows.retain(|(sk, _)| sk <= c);
        }
        let more = cutoff.is_some() || rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more {
            let pos = rows.last().map(|(sk, _)| sk.clone()).or(cutoff);
            pos.map(|p| encode_cursor(CURSOR_QUERY, &p))
        } else {
            None
        };
        Ok(Page {
            items: rows.into_iter().map(|(_, e)| e).collect(),
            next_cursor,
        })
    }

    async fn head(&self, chain: u16) -> Result<Option<ChainHead>, AuditError> {
        self.read_head(chain).await
    }

    async fn scan_chain(
        &self,
        chain: u16,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, AuditError> {
        let limit = limit as usize;
        let mut out = Vec::with_capacity(limit.min(1000));
        let mut start: Option<Item> = None;
        while out.len() < limit {
            let resp = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk AND #sk > :after")
                .expression_attribute_names("#pk", attr::PK)
                .expression_attribute_names("#sk", attr::SK)
                .expression_attribute_values(":pk", s(chain_pk(chain)))
                // The head lives at sk 0, so `> after_seq` (>= 0) never returns it.
                .expression_attribute_values(":after", n(after_seq))
                .consistent_read(true)
                .limit(i32::try_from(limit - out.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| audit_err("Query", &e))?;
            for item in resp.items.unwrap_or_default() {
                out.push(decode_event(&item).map_err(invalid)?);
            }
            match resp.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        out.truncate(limit);
        Ok(out)
    }
}
