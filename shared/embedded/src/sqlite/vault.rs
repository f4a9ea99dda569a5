//! `VaultStore` on SQLite. Listings are keyset-paged on (sort key, entry id); one extra row
//! is fetched to know whether a page is the last.

use std::collections::BTreeMap;

use async_trait::async_trait;
use dlp_vault::{
    ActionResults, EntryId, EntryStatus, Page, PageRequest, PartRef, PutOutcome, SealedBlob,
    StoreError, UnixMillis, VaultEntry, VaultStore,
};
use rusqlite::{Row, params};

use super::{DbError, SqliteStore};
use crate::cursor::{self, Position};
use crate::page_limit;

const COLUMNS: &str = "entry_id, workspace_id, conversation_id, part_id, created_at, expires_at, \
     status, entities, masked_text, redacted_at, note_id, tagged_at, notified_at, last_error, \
     key_id, wrapped_key, nonce, ciphertext";

fn from_row(r: &Row<'_>) -> Result<VaultEntry, DbError> {
    let status: String = r.get(6)?;
    let status = EntryStatus::parse(&status)
        .ok_or_else(|| DbError::Invalid("unknown entry status".into()))?;
    let entities: String = r.get(7)?;
    let entities: BTreeMap<String, u32> = serde_json::from_str(&entities)
        .map_err(|_| DbError::Invalid("entities column is not a kind→count map".into()))?;
    let nonce: Vec<u8> = r.get(16)?;
    let nonce: [u8; 12] = nonce
        .try_into()
        .map_err(|_| DbError::Invalid("nonce is not 12 bytes".into()))?;
    Ok(VaultEntry {
        id: EntryId(r.get(0)?),
        part: PartRef {
            workspace_id: r.get(1)?,
            conversation_id: r.get(2)?,
            part_id: r.get(3)?,
        },
        created_at: r.get(4)?,
        expires_at: r.get(5)?,
        status,
        entities,
        masked_text: r.get(8)?,
        actions: ActionResults {
            redacted_at: r.get(9)?,
            note_id: r.get(10)?,
            tagged_at: r.get(11)?,
            notified_at: r.get(12)?,
            last_error: r.get(13)?,
        },
        sealed: SealedBlob {
            key_id: r.get(14)?,
            wrapped_key: r.get(15)?,
            nonce,
            ciphertext: r.get(17)?,
        },
    })
}

fn query_entries(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<VaultEntry>, DbError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(from_row(r)?);
    }
    Ok(out)
}

/// Cut `rows` (fetched with `limit + 1`) into a page, the cursor pointing at its last item.
fn page_of(
    mut rows: Vec<VaultEntry>,
    limit: usize,
    kind: &str,
    fp: u64,
    key: impl Fn(&VaultEntry) -> i64,
) -> Page<VaultEntry> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = if more {
        rows.last().map(|e| {
            cursor::encode(
                kind,
                fp,
                &Position {
                    number: key(e),
                    id: e.id.0.clone(),
                },
            )
        })
    } else {
        None
    };
    Page {
        items: rows,
        next_cursor,
    }
}

fn start(page: &PageRequest, kind: &str, fp: u64) -> Result<Position, StoreError> {
    let pos = cursor::decode(page.cursor.as_deref(), kind, fp)
        .map_err(|r| StoreError::Invalid(r.into()))?;
    // Entry ids are never empty, so ("", MIN) sorts before every row.
    Ok(pos.unwrap_or(Position {
        number: i64::MIN,
        id: String::new(),
    }))
}

#[async_trait]
impl VaultStore for SqliteStore {
    async fn put_if_absent(&self, entry: &VaultEntry) -> Result<PutOutcome, StoreError> {
        let e = entry.clone();
        let entities = serde_json::to_string(&e.entities)
            .map_err(|_| StoreError::Invalid("entities not encodable".into()))?;
        self.write(move |c| {
            let tx = c;
            let inserted = tx
                .prepare_cached(&format!(
                    "INSERT INTO vault_entries ({COLUMNS}) VALUES \
                     (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) \
                     ON CONFLICT DO NOTHING"
                ))?
                .execute(params![
                    e.id.0,
                    e.part.workspace_id,
                    e.part.conversation_id,
                    e.part.part_id,
                    e.created_at,
                    e.expires_at,
                    e.status.as_str(),
                    entities,
                    e.masked_text,
                    e.actions.redacted_at,
                    e.actions.note_id,
                    e.actions.tagged_at,
                    e.actions.notified_at,
                    e.actions.last_error,
                    e.sealed.key_id,
                    e.sealed.wrapped_key,
                    e.sealed.nonce.as_slice(),
                    e.sealed.ciphertext,
                ])?;
            let outcome = if inserted == 1 {
                PutOutcome::Inserted
            } else {
                let existing = query_entries(
                    tx,
                    &format!(
                        "SELECT {COLUMNS} FROM vault_entries \
                         WHERE workspace_id = ?1 AND conversation_id = ?2 AND part_id = ?3"
                    ),
                    &[&e.part.workspace_id, &e.part.conversation_id, &e.part.part_id],
                )?;
                match existing.into_iter().next() {
                    Some(x) => PutOutcome::Existing(Box::new(x)),
                    // The insert hit the other unique key: the entry id.
                    None => return Err(DbError::Conflict("entry id already used by another part".into())),
                }
            };
            Ok(outcome)
        })
        .await
        .map_err(StoreError::from)
    }

    async fn get(&self, id: &EntryId) -> Result<Option<VaultEntry>, StoreError> {
        let id = id.0.clone();
        self.read(move |c| {
            let sql = format!("SELECT {COLUMNS} FROM vault_entries WHERE entry_id = ?1");
            Ok(query_entries(c, &sql, &[&id])?.into_iter().next())
        })
        .await
        .map_err(StoreError::from)
    }

    async fn get_by_part(&self, part: &PartRef) -> Result<Option<VaultEntry>, StoreError> {
        let p = part.clone();
        self.read(move |c| {
            let sql = format!(
                "SELECT {COLUMNS} FROM vault_entries \
                 WHERE workspace_id = ?1 AND conversation_id = ?2 AND part_id = ?3"
            );
            Ok(
                query_entries(c, &sql, &[&p.workspace_id, &p.conversation_id, &p.part_id])?
                    .into_iter()
                    .next(),
            )
        })
        .await
        .map_err(StoreError::from)
    }

    async fn list_by_conversation(
        &self,
        workspace_id: &str,
        conversation_id: &str,
        page: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError> {
        let fp = cursor::fingerprint(&[workspace_id, conversation_id]);
        let pos = start(page, "conv", fp)?;
        let limit = page_limit(page.limit);
        let (ws, conv) = (workspace_id.to_owned(), conversation_id.to_owned());
        self.read(move |c| {
            let sql = format!(
                "SELECT {COLUMNS} FROM vault_entries \
                 WHERE workspace_id = ?1 AND conversation_id = ?2 AND (created_at, entry_id) > (?3, ?4) \
                 ORDER BY created_at, entry_id LIMIT ?5"
            );
            let rows = query_entries(c, &sql, &[&ws, &conv, &pos.number, &pos.id, &((limit + 1) as i64)])?;
            Ok(page_of(rows, limit, "conv", fp, |e| e.created_at))
        })
        .await
        .map_err(StoreError::from)
    }

    async fn list_by_created(
        &self,
        since: UnixMillis,
        until: UnixMillis,
        page: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError> {
        let fp = cursor::fingerprint(&[&since.to_string(), &until.to_string()]);
        let pos = start(page, "created", fp)?;
        let limit = page_limit(page.limit);
        self.read(move |c| {
            let sql = format!(
                "SELECT {COLUMNS} FROM vault_entries \
                 WHERE created_at >= ?1 AND created_at < ?2 AND (created_at, entry_id) > (?3, ?4) \
                 ORDER BY created_at, entry_id LIMIT ?5"
            );
            let rows = query_entries(
                c,
                &sql,
                &[&since, &until, &pos.number, &pos.id, &((limit + 1) as i64)],
            )?;
            Ok(page_of(rows, limit, "created", fp, |e| e.created_at))
        })
        .await
        .map_err(StoreError::from)
    }

    async fn list_expired(
        &self,
        before: UnixMillis,
        page: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError> {
        let fp = cursor::fingerprint(&[&before.to_string()]);
        let pos = start(page, "expired", fp)?;
        let limit = page_limit(page.limit);
        self.read(move |c| {
            let sql = format!(
                "SELECT {COLUMNS} FROM vault_entries \
                 WHERE expires_at <= ?1 AND (expires_at, entry_id) > (?2, ?3) \
                 ORDER BY expires_at, entry_id LIMIT ?4"
            );
            let rows = query_entries(
                c,
                &sql,
                &[&before, &pos.number, &pos.id, &((limit + 1) as i64)],
            )?;
            Ok(page_of(rows, limit, "expired", fp, |e| e.expires_at))
        })
        .await
        .map_err(StoreError::from)
    }

    async fn update_status(
        &self,
        id: &EntryId,
        status: EntryStatus,
        actions: &ActionResults,
    ) -> Result<bool, StoreError> {
        let id = id.0.clone();
        let a = actions.clone();
        self.write(move |c| {
            // COALESCE keeps the stored value where the update has None: the merge rule.
            let n = c
                .prepare_cached(
                    "UPDATE vault_entries SET status = ?2, \
                     redacted_at = COALESCE(?3, redacted_at), note_id = COALESCE(?4, note_id), \
                     tagged_at = COALESCE(?5, tagged_at), notified_at = COALESCE(?6, notified_at), \
                     last_error = COALESCE(?7, last_error) \
                     WHERE entry_id = ?1",
                )?
                .execute(params![
                    id,
                    status.as_str(),
                    a.redacted_at,
                    a.note_id,
                    a.tagged_at,
                    a.notified_at,
                    a.last_error
                ])?;
            Ok(n == 1)
        })
        .await
        .map_err(StoreError::from)
    }

    async fn delete(&self, id: &EntryId) -> Result<bool, StoreError> {
        let id = id.0.clone();
        self.write(move |c| {
            let n = c
                .prepare_cached("DELETE FROM vault_entries WHERE entry_id = ?1")?
                .execute([&id])?;
            Ok(n == 1)
        })
        .await
        .map_err(StoreError::from)
    }
}
