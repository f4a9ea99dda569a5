//! `AuditLog` on SQLite. An append reads the chain head, links the event and writes the event
//! and the new head in one write job (a savepoint inside the writer's transaction, see
//! [`super`]), so a crash leaves either both or neither, and no other write interleaves.
//! Appending an event id that is already stored returns the stored event (a retried append
//! is idempotent).

use async_trait::async_trait;
use dlp_audit::chain::{chain_for, head_of, link};
use dlp_audit::{
    Action, AuditError, AuditEvent, AuditLog, AuditQuery, ChainHead, Outcome, Page, PageRequest,
    StoredEvent,
};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::{DbError, SqliteStore};
use crate::cursor::{self, Position, query_fingerprint};
use crate::page_limit;

const COLUMNS: &str = "chain, seq, event_id, time, actor, action, outcome, workspace_id, \
     conversation_id, part_id, entry_ids, entity_kinds, reason, request_id, counts, prev_hash, hash";

fn outcome(s: &str) -> Result<Outcome, DbError> {
    match s {
        "success" => Ok(Outcome::Success),
        "failure" => Ok(Outcome::Failure),
        "denied" => Ok(Outcome::Denied),
        _ => Err(DbError::Invalid("unknown audit outcome".into())),
    }
}

fn json<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> Result<T, DbError> {
    serde_json::from_str(s).map_err(|_| DbError::Invalid(format!("audit {what} column malformed")))
}

fn from_row(r: &Row<'_>) -> Result<StoredEvent, DbError> {
    let chain: i64 = r.get(0)?;
    let seq: i64 = r.get(1)?;
    let action: String = r.get(5)?;
    let outcome_s: String = r.get(6)?;
    let entry_ids: String = r.get(10)?;
    let entity_kinds: String = r.get(11)?;
    let counts: String = r.get(14)?;
    Ok(StoredEvent {
        chain: u16::try_from(chain)
            .map_err(|_| DbError::Invalid("audit chain out of range".into()))?,
        seq: u64::try_from(seq).map_err(|_| DbError::Invalid("audit seq out of range".into()))?,
        prev_hash: r.get(15)?,
        hash: r.get(16)?,
        event: AuditEvent {
            id: r.get(2)?,
            time: r.get(3)?,
            actor: r.get(4)?,
            action: Action::parse(&action),
            workspace_id: r.get(7)?,
            conversation_id: r.get(8)?,
            part_id: r.get(9)?,
            entry_ids: json(&entry_ids, "entry_ids")?,
            entity_kinds: json(&entity_kinds, "entity_kinds")?,
            outcome: outcome(&outcome_s)?,
            reason: r.get(12)?,
            request_id: r.get(13)?,
            counts: json(&counts, "counts")?,
        },
    })
}

fn select(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<StoredEvent>, DbError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(from_row(r)?);
    }
    Ok(out)
}

fn insert(conn: &Connection, s: &StoredEvent) -> Result<(), DbError> {
    let e = &s.event;
    let enc = |r: Result<String, serde_json::Error>| {
        r.map_err(|_| DbError::Invalid("audit field not encodable".into()))
    };
    conn.prepare_cached(&format!(
        "INSERT INTO audit_events ({COLUMNS}) VALUES \
         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
    ))?
    .execute(params![
        s.chain,
        i64::try_from(s.seq).map_err(|_| DbError::Invalid("audit seq out of range".into()))?,
        e.id,
        e.time,
        e.actor,
        e.action.as_str(),
        e.outcome.as_str(),
        e.workspace_id,
        e.conversation_id,
        e.part_id,
        enc(serde_json::to_string(&e.entry_ids))?,
        enc(serde_json::to_string(&e.entity_kinds))?,
        e.reason,
        e.request_id,
        enc(serde_json::to_string(&e.counts))?,
        s.prev_hash,
        s.hash,
    ])?;
    Ok(())
}

#[async_trait]
impl AuditLog for SqliteStore {
    fn chains(&self) -> u16 {
        self.inner.chains
    }

    async fn append(&self, event: AuditEvent) -> Result<StoredEvent, AuditError> {
        let chain = chain_for(&event.id, self.inner.chains);
        self.write(move |c| {
            let tx = c;
            let existing = select(
                tx,
                &format!("SELECT {COLUMNS} FROM audit_events WHERE event_id = ?1"),
                [&event.id],
            )?;
            if let Some(stored) = existing.into_iter().next() {
                return Ok(stored);
            }
            let head: Option<ChainHead> = tx
                .prepare_cached("SELECT seq, hash FROM audit_heads WHERE chain = ?1")?
                .query_row([chain], |r| {
                    Ok(ChainHead {
                        chain,
                        seq: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                        hash: r.get(1)?,
                    })
                })
                .optional()?;
            let stored = link(head.as_ref(), chain, event);
            insert(tx, &stored)?;
            let h = head_of(&stored);
            tx.prepare_cached(
                "INSERT INTO audit_heads (chain, seq, hash) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            )?
            .execute(params![
                h.chain,
                i64::try_from(h.seq).unwrap_or(i64::MAX),
                h.hash
            ])?;
            Ok(stored)
        })
        .await
        .map_err(AuditError::from)
    }

    async fn query(
        &self,
        query: &AuditQuery,
        page: &PageRequest,
    ) -> Result<Page<StoredEvent>, AuditError> {
        let fp = query_fingerprint(query);
        let pos = cursor::decode(page.cursor.as_deref(), "audit", fp)
            .map_err(|r| AuditError::Invalid(r.into()))?
            .unwrap_or(Position {
                number: i64::MIN,
                id: String::new(),
            });
        let limit = page_limit(page.limit);
        // Only the filters present go into the SQL, so the planner can pick the index of the
        // most selective one (actor, action, conversation, or time).
        //
        // `since` is folded into the row-value bound rather than added as `time >= ?`: SQLite
        // seeks the time index on the row value alone, so with a separate `since` term the
        // first page walked the index from the beginning (344 ms vs 1.7 ms on 1M events).
        // Event ids are never empty, so `(time, id) > (since, "")` ⇔ `time >= since`.
        let bound = match query.since {
            Some(since) if since > pos.number => Position {
                number: since,
                id: String::new(),
            },
            _ => pos,
        };
        let mut sql = format!("SELECT {COLUMNS} FROM audit_events WHERE (time, event_id) > (?, ?)");
        let mut args: Vec<Value> = vec![Value::Integer(bound.number), Value::Text(bound.id)];
        if let Some(u) = query.until {
            sql.push_str(" AND time < ?");
            args.push(Value::Integer(u));
        }
        if let Some(a) = &query.actor {
            sql.push_str(" AND actor = ?");
            args.push(Value::Text(a.clone()));
        }
        if let Some(a) = &query.action {
            sql.push_str(" AND action = ?");
            args.push(Value::Text(a.as_str().to_owned()));
        }
        if let Some(c) = &query.conversation_id {
            sql.push_str(" AND conversation_id = ?");
            args.push(Value::Text(c.clone()));
        }
        sql.push_str(" ORDER BY time, event_id LIMIT ?");
        args.push(Value::Integer((limit + 1) as i64));
        self.read(move |c| {
            let mut rows = select(c, &sql, params_from_iter(args))?;
            let more = rows.len() > limit;
            rows.truncate(limit);
            let next_cursor = if more {
                rows.last().map(|e| {
                    cursor::encode(
                        "audit",
                        fp,
                        &Position {
                            number: e.event.time,
                            id: e.event.id.clone(),
                        },
                    )
                })
            } else {
                None
            };
            Ok(Page {
                items: rows,
                next_cursor,
            })
        })
        .await
        .map_err(AuditError::from)
    }

    async fn head(&self, chain: u16) -> Result<Option<ChainHead>, AuditError> {
        self.read(move |c| {
            let row: Option<(i64, String)> = c
                .prepare_cached("SELECT seq, hash FROM audit_heads WHERE chain = ?1")?
                .query_row([chain], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            row.map(|(seq, hash)| {
                Ok(ChainHead {
                    chain,
                    seq: u64::try_from(seq)
                        .map_err(|_| DbError::Invalid("audit head seq out of range".into()))?,
                    hash,
                })
            })
            .transpose()
        })
        .await
        .map_err(AuditError::from)
    }

    async fn scan_chain(
        &self,
        chain: u16,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, AuditError> {
        let after = i64::try_from(after_seq).unwrap_or(i64::MAX);
        self.read(move |c| {
            select(
                c,
                &format!("SELECT {COLUMNS} FROM audit_events WHERE chain = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"),
                params![chain, after, i64::from(limit)],
            )
        })
        .await
        .map_err(AuditError::from)
    }
}
