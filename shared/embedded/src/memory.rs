//! In-memory fakes of every vault and audit port, for tests of code built on the ports.
//! They pass the same behaviour suites as the real adapters; they are not durable and hold
//! everything in one process's memory. Only compiled with the `test-util` feature.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use dlp_audit::chain::{DEFAULT_CHAINS, chain_for, head_of, link};
use dlp_audit::{
    AuditError, AuditEvent, AuditLog, AuditQuery, ChainHead, Page as AuditPage,
    PageRequest as AuditPageRequest, StoredEvent,
};
use dlp_vault::crypto::{unwrap_data_key, wrap_data_key};
use dlp_vault::{
    ActionResults, DataKey, EncryptionContext, EntryId, EntryStatus, IdempotencyStore, KeyError,
    KeyProvider, Page, PageRequest, PartRef, PutOutcome, Remembered, StoreError, UnixMillis,
    VaultEntry, VaultStore,
};
use rand::RngCore;
use zeroize::Zeroizing;

use crate::cursor::{self, Position};
use crate::page_limit;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in another test thread must not cascade into unrelated assertions.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Sort `items` by `key`, skip past `after`, and cut a page of `limit` with a cursor.
fn keyset_page<T: Clone>(
    mut items: Vec<(i64, String, T)>,
    after: Option<Position>,
    limit: u32,
    kind: &str,
    fp: u64,
) -> (Vec<T>, Option<String>) {
    items.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let limit = page_limit(limit);
    let start = match &after {
        None => 0,
        Some(p) => {
            items.partition_point(|(n, id, _)| (*n, id.as_str()) <= (p.number, p.id.as_str()))
        }
    };
    let rest = &items[start..];
    let take = rest.len().min(limit);
    let page: Vec<T> = rest[..take].iter().map(|(_, _, t)| t.clone()).collect();
    let next = if rest.len() > take {
        let (n, id, _) = &rest[take - 1];
        Some(cursor::encode(
            kind,
            fp,
            &Position {
                number: *n,
                id: id.clone(),
            },
        ))
    } else {
        None
    };
    (page, next)
}

// ---- vault ----------------------------------------------------------------------------------

#[derive(Default)]
struct VaultState {
    by_id: BTreeMap<EntryId, VaultEntry>,
    by_part: HashMap<PartRef, EntryId>,
}

/// `VaultStore` in memory.
#[derive(Default)]
pub struct MemoryVaultStore {
    state: Mutex<VaultState>,
}

impl MemoryVaultStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of stored entries.
    pub fn len(&self) -> usize {
        lock(&self.state).by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn list(
        &self,
        kind: &str,
        fp: u64,
        page: &PageRequest,
        select: impl Fn(&VaultEntry) -> Option<i64>,
    ) -> Result<Page<VaultEntry>, StoreError> {
        let after = cursor::decode(page.cursor.as_deref(), kind, fp)
            .map_err(|r| StoreError::Invalid(r.into()))?;
        let items: Vec<(i64, String, VaultEntry)> = lock(&self.state)
            .by_id
            .values()
            .filter_map(|e| select(e).map(|k| (k, e.id.0.clone(), e.clone())))
            .collect();
        let (items, next_cursor) = keyset_page(items, after, page.limit, kind, fp);
        Ok(Page { items, next_cursor })
    }
}

#[async_trait]
impl VaultStore for MemoryVaultStore {
    async fn put_if_absent(&self, entry: &VaultEntry) -> Result<PutOutcome, StoreError> {
        let mut s = lock(&self.state);
        if let Some(id) = s.by_part.get(&entry.part) {
            let existing = s
                .by_id
                .get(id)
                .cloned()
                .ok_or_else(|| StoreError::Invalid("part index dangling".into()))?;
            return Ok(PutOutcome::Existing(Box::new(existing)));
        }
        if s.by_id.contains_key(&entry.id) {
            return Err(StoreError::Conflict(
                "entry id already used by another part".into(),
            ));
        }
        s.by_part.insert(entry.part.clone(), entry.id.clone());
        s.by_id.insert(entry.id.clone(), entry.clone());
        Ok(PutOutcome::Inserted)
    }

    async fn get(&self, id: &EntryId) -> Result<Option<VaultEntry>, StoreError> {
        Ok(lock(&self.state).by_id.get(id).cloned())
    }

    async fn get_by_part(&self, part: &PartRef) -> Result<Option<VaultEntry>, StoreError> {
        let s = lock(&self.state);
        Ok(s.by_part.get(part).and_then(|id| s.by_id.get(id)).cloned())
    }

    async fn list_by_conversation(
        &self,
        workspace_id: &str,
        conversation_id: &str,
        page: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError> {
        let fp = cursor::fingerprint(&[workspace_id, conversation_id]);
        self.list("conv", fp, page, |e| {
            (e.part.workspace_id == workspace_id && e.part.conversation_id == conversation_id)
                .then_some(e.created_at)
        })
    }

    async fn list_by_created(
        &self,
        since: UnixMillis,
        until: UnixMillis,
        page: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError> {
        let fp = cursor::fingerprint(&[&since.to_string(), &until.to_string()]);
        self.list("created", fp, page, |e| {
            (since <= e.created_at && e.created_at < until).then_some(e.created_at)
        })
    }

    async fn list_expired(
        &self,
        before: UnixMillis,
        page: &PageRequest,
    ) -> Result<Page<VaultEntry>, StoreError> {
        let fp = cursor::fingerprint(&[&before.to_string()]);
        self.list("expired", fp, page, |e| {
            (e.expires_at <= before).then_some(e.expires_at)
        })
    }

    async fn update_status(
        &self,
        id: &EntryId,
        status: EntryStatus,
        actions: &ActionResults,
    ) -> Result<bool, StoreError> {
        let mut s = lock(&self.state);
        let Some(e) = s.by_id.get_mut(id) else {
            return Ok(false);
        };
        e.status = status;
        merge_actions(&mut e.actions, actions);
        Ok(true)
    }

    async fn delete(&self, id: &EntryId) -> Result<bool, StoreError> {
        let mut s = lock(&self.state);
        match s.by_id.remove(id) {
            Some(e) => {
                s.by_part.remove(&e.part);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// `Some` fields of `update` overwrite; `None` fields keep the stored value.
pub(crate) fn merge_actions(into: &mut ActionResults, update: &ActionResults) {
    if update.redacted_at.is_some() {
        into.redacted_at = update.redacted_at;
    }
    if update.note_id.is_some() {
        into.note_id.clone_from(&update.note_id);
    }
    if update.tagged_at.is_some() {
        into.tagged_at = update.tagged_at;
    }
    if update.notified_at.is_some() {
        into.notified_at = update.notified_at;
    }
    if update.last_error.is_some() {
        into.last_error.clone_from(&update.last_error);
    }
}

// ---- idempotency ----------------------------------------------------------------------------

/// `IdempotencyStore` in memory.
#[derive(Default)]
pub struct MemoryIdempotencyStore {
    // key → (expires_at, counter)
    records: Mutex<HashMap<String, (UnixMillis, u64)>>,
}

impl MemoryIdempotencyStore {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl IdempotencyStore for MemoryIdempotencyStore {
    async fn remember(
        &self,
        key: &str,
        now: UnixMillis,
        expires_at: UnixMillis,
    ) -> Result<Remembered, StoreError> {
        let mut r = lock(&self.records);
        match r.get(key) {
            Some((exp, _)) if now < *exp => Ok(Remembered::Seen),
            _ => {
                r.insert(key.to_owned(), (expires_at, 0));
                Ok(Remembered::New)
            }
        }
    }

    async fn increment(
        &self,
        key: &str,
        now: UnixMillis,
        expires_at: UnixMillis,
    ) -> Result<u64, StoreError> {
        let mut r = lock(&self.records);
        let rec = r.entry(key.to_owned()).or_insert((expires_at, 0));
        if rec.0 <= now {
            *rec = (expires_at, 0);
        }
        rec.1 += 1;
        Ok(rec.1)
    }

    async fn purge_expired(&self, now: UnixMillis, limit: u32) -> Result<u64, StoreError> {
        let mut r = lock(&self.records);
        let expired: Vec<String> = r
            .iter()
            .filter(|(_, (exp, _))| *exp <= now)
            .map(|(k, _)| k.clone())
            .take(limit as usize)
            .collect();
        for k in &expired {
            r.remove(k);
        }
        Ok(expired.len() as u64)
    }
}

// ---- audit ----------------------------------------------------------------------------------

/// `AuditLog` in memory, with the same chain rules as every adapter.
pub struct MemoryAuditLog {
    chains: u16,
    events: Mutex<Vec<Vec<StoredEvent>>>,
}

impl Default for MemoryAuditLog {
    fn default() -> Self {
        Self::new(DEFAULT_CHAINS)
    }
}

impl MemoryAuditLog {
    pub fn new(chains: u16) -> Self {
        let chains = chains.max(1);
        Self {
            chains,
            events: Mutex::new(vec![Vec::new(); usize::from(chains)]),
        }
    }

    /// Apply `f` to the stored events (one Vec per chain) — for tamper tests only.
    pub fn tamper(&self, f: impl FnOnce(&mut Vec<Vec<StoredEvent>>)) {
        f(&mut lock(&self.events));
    }
}

pub(crate) fn matches(q: &AuditQuery, e: &AuditEvent) -> bool {
    q.since.is_none_or(|s| e.time >= s)
        && q.until.is_none_or(|u| e.time < u)
        && q.actor.as_ref().is_none_or(|a| &e.actor == a)
        && q.action.as_ref().is_none_or(|a| &e.action == a)
        && q.conversation_id
            .as_ref()
            .is_none_or(|c| e.conversation_id.as_ref() == Some(c))
}

#[async_trait]
impl AuditLog for MemoryAuditLog {
    fn chains(&self) -> u16 {
        self.chains
    }

    async fn append(&self, event: AuditEvent) -> Result<StoredEvent, AuditError> {
        let chain = chain_for(&event.id, self.chains);
        let mut all = lock(&self.events);
        let events = all
            .get_mut(usize::from(chain))
            .ok_or_else(|| AuditError::Invalid("chain out of range".into()))?;
        let head = events.last().map(head_of);
        let stored = link(head.as_ref(), chain, event);
        events.push(stored.clone());
        Ok(stored)
    }

    async fn query(
        &self,
        query: &AuditQuery,
        page: &AuditPageRequest,
    ) -> Result<AuditPage<StoredEvent>, AuditError> {
        let fp = cursor::query_fingerprint(query);
        let after = cursor::decode(page.cursor.as_deref(), "audit", fp)
            .map_err(|r| AuditError::Invalid(r.into()))?;
        let items: Vec<(i64, String, StoredEvent)> = lock(&self.events)
            .iter()
            .flatten()
            .filter(|e| matches(query, &e.event))
            .map(|e| (e.event.time, e.event.id.clone(), e.clone()))
            .collect();
        let (items, next_cursor) = keyset_page(items, after, page.limit, "audit", fp);
        Ok(AuditPage { items, next_cursor })
    }

    async fn head(&self, chain: u16) -> Result<Option<ChainHead>, AuditError> {
        Ok(lock(&self.events)
            .get(usize::from(chain))
            .and_then(|c| c.last())
            .map(head_of))
    }

    async fn scan_chain(
        &self,
        chain: u16,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, AuditError> {
        let all = lock(&self.events);
        let Some(events) = all.get(usize::from(chain)) else {
            return Ok(Vec::new());
        };
        Ok(events
            .iter()
            .filter(|e| e.seq > after_seq)
            .take(limit as usize)
            .cloned()
            .collect())
    }
}

// ---- keys -----------------------------------------------------------------------------------

/// `KeyProvider` with a random in-memory master key (same wrapping as the local key file).
/// Counts calls so tests can assert "no key call for a part without findings".
pub struct MemoryKeyProvider {
    key_id: String,
    master: Zeroizing<[u8; 32]>,
    generated: AtomicU64,
    decrypted: AtomicU64,
}

impl Default for MemoryKeyProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryKeyProvider {
    pub fn new() -> Self {
        let mut master = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(master.as_mut_slice());
        Self {
            key_id: "memory-1".into(),
            master,
            generated: AtomicU64::new(0),
            decrypted: AtomicU64::new(0),
        }
    }

    /// Calls of `generate_data_key` so far.
    pub fn generated(&self) -> u64 {
        self.generated.load(Ordering::Relaxed)
    }

    /// Calls of `decrypt_data_key` so far.
    pub fn decrypted(&self) -> u64 {
        self.decrypted.load(Ordering::Relaxed)
    }
}

#[async_trait]
impl KeyProvider for MemoryKeyProvider {
    async fn generate_data_key(&self, ctx: &EncryptionContext) -> Result<DataKey, KeyError> {
        self.generated.fetch_add(1, Ordering::Relaxed);
        let mut plaintext = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(plaintext.as_mut_slice());
        let wrapped = wrap_data_key(&self.master, &self.key_id, ctx, &plaintext)?;
        Ok(DataKey {
            key_id: self.key_id.clone(),
            plaintext,
            wrapped,
        })
    }

    async fn decrypt_data_key(
        &self,
        key_id: &str,
        wrapped: &[u8],
        ctx: &EncryptionContext,
    ) -> Result<Zeroizing<[u8; 32]>, KeyError> {
        self.decrypted.fetch_add(1, Ordering::Relaxed);
        if key_id != self.key_id {
            return Err(KeyError::Refused(format!("unknown key id {key_id}")));
        }
        unwrap_data_key(&self.master, key_id, ctx, wrapped)
    }
}
