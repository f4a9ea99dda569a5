//! Chain verification: walks every chain of an `AuditLog` in pages and reports, per chain,
//! the number of events verified and the first broken link.
//!
//! Checks, in this order for each event: it is stored in the chain being walked; its `seq`
//! is the next one (a gap means a deleted event, a repeat or step back an inserted or
//! reordered one); its `prev_hash` equals the previous event's hash; its `hash` equals the
//! recomputed hash. At the end of a chain the stored head must name the last event walked
//! (a head ahead of the last event means the tail was deleted).
//!
//! Must never: modify the log, or stop at the first broken chain (every chain is reported).

use crate::chain::{GENESIS_HASH, recompute};
use crate::model::ChainHead;
use crate::ports::{AuditError, AuditLog};

/// Events fetched per `scan_chain` call.
pub const VERIFY_PAGE: u32 = 1_000;

/// Why a chain is broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BreakReason {
    /// The event's fields do not hash to its stored `hash`: the event was altered.
    HashMismatch,
    /// The event's `prev_hash` is not its predecessor's hash: the predecessor was altered
    /// (with its hash recomputed) or replaced.
    PrevHashMismatch,
    /// `seq` is not the next position: `found > expected` means events `expected..found`
    /// were deleted; `found < expected` means an event was inserted or reordered.
    SeqGap { expected: u64, found: u64 },
    /// A stored event names another chain than the one it is stored in.
    WrongChain { found: u16 },
    /// The chain head does not match the last event walked: `head_seq > last_seq` means the
    /// tail was deleted; `None` means the head is missing while events exist.
    HeadMismatch {
        head_seq: Option<u64>,
        last_seq: u64,
    },
}

impl BreakReason {
    /// Stable machine-readable code (API responses, CLI output).
    pub fn code(&self) -> &'static str {
        match self {
            BreakReason::HashMismatch => "hash_mismatch",
            BreakReason::PrevHashMismatch => "prev_hash_mismatch",
            BreakReason::SeqGap { .. } => "seq_gap",
            BreakReason::WrongChain { .. } => "wrong_chain",
            BreakReason::HeadMismatch { .. } => "head_mismatch",
        }
    }
}

/// The first broken link of one chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    pub chain: u16,
    /// The position at which the chain stops verifying: the altered event's seq, or the
    /// first missing seq for deletions.
    pub seq: u64,
    /// The stored event at which the break was detected: the altered event itself, or the
    /// first event after a deleted range. `None` when no event is there (deleted tail).
    pub event_id: Option<String>,
    pub reason: BreakReason,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "chain {} broken at seq {} ({})",
            self.chain,
            self.seq,
            self.reason.code()
        )?;
        if let Some(id) = &self.event_id {
            write!(f, " at event {id}")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainReport {
    pub chain: u16,
    /// Events verified before the first break (all of them when intact).
    pub verified: u64,
    pub head: Option<ChainHead>,
    pub broken: Option<Break>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    pub chains: Vec<ChainReport>,
    /// Events verified over all chains.
    pub verified: u64,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.chains.iter().all(|c| c.broken.is_none())
    }

    /// The first break, in chain order.
    pub fn first_break(&self) -> Option<&Break> {
        self.chains.iter().find_map(|c| c.broken.as_ref())
    }

    pub fn breaks(&self) -> impl Iterator<Item = &Break> {
        self.chains.iter().filter_map(|c| c.broken.as_ref())
    }
}

/// Verify every chain of `log` (see the module docs). Errors only when the log cannot be
/// read; a broken chain is a result, not an error.
pub async fn verify(log: &dyn AuditLog) -> Result<VerifyReport, AuditError> {
    verify_with_page(log, VERIFY_PAGE).await
}

/// [`verify`] with an explicit page size (tests use small pages to cross page boundaries).
pub async fn verify_with_page(log: &dyn AuditLog, page: u32) -> Result<VerifyReport, AuditError> {
    let page = page.max(1);
    let mut chains = Vec::with_capacity(usize::from(log.chains()));
    let mut total = 0;
    for chain in 0..log.chains() {
        let report = verify_chain(log, chain, page).await?;
        total += report.verified;
        chains.push(report);
    }
    Ok(VerifyReport {
        chains,
        verified: total,
    })
}

/// Walks of one chain before a head mismatch is believed (see [`verify_chain`]).
const HEAD_ATTEMPTS: usize = 3;

async fn verify_chain(
    log: &dyn AuditLog,
    chain: u16,
    page: u32,
) -> Result<ChainReport, AuditError> {
    // A head mismatch can be a race, not tampering: a chain that was empty when its head was
    // read may have events by the time it is walked. If the head has moved since, walk again
    // (a tampered head or tail does not move by itself).
    let mut attempt = 1;
    loop {
        let head = log.head(chain).await?;
        let report = walk_chain(log, chain, page, head).await?;
        let head_race = matches!(
            report.broken.as_ref().map(|b| &b.reason),
            Some(BreakReason::HeadMismatch { .. })
        ) && attempt < HEAD_ATTEMPTS
            && log.head(chain).await? != report.head;
        if !head_race {
            return Ok(report);
        }
        attempt += 1;
    }
}

async fn walk_chain(
    log: &dyn AuditLog,
    chain: u16,
    page: u32,
    head: Option<ChainHead>,
) -> Result<ChainReport, AuditError> {
    // The head is read before the walk: events appended while we walk are beyond it and
    // ignored, so a live log verifies without false "head mismatch" reports.
    let limit_seq = head.as_ref().map_or(0, |h| h.seq);
    let mut last_seq = 0u64;
    let mut last_hash = GENESIS_HASH.to_owned();
    let mut verified = 0u64;
    let mut last_id: Option<String> = None;
    let report = |verified, broken| ChainReport {
        chain,
        verified,
        head: head.clone(),
        broken,
    };
    'pages: loop {
        let events = log.scan_chain(chain, last_seq, page).await?;
        // Stop on an empty page rather than a short one: adapters may return short pages.
        if events.is_empty() {
            break;
        }
        for ev in events {
            let expected = last_seq + 1;
            if ev.seq > limit_seq && ev.seq == expected && head.is_some() {
                // Appended after we read the head.
                break 'pages;
            }
            let at = |reason| Break {
                chain,
                seq: expected,
                event_id: Some(ev.event.id.clone()),
                reason,
            };
            if ev.chain != chain {
                return Ok(report(
                    verified,
                    Some(at(BreakReason::WrongChain { found: ev.chain })),
                ));
            }
            if ev.seq != expected {
                let found = ev.seq;
                return Ok(report(
                    verified,
                    Some(at(BreakReason::SeqGap { expected, found })),
                ));
            }
            if ev.prev_hash != last_hash {
                return Ok(report(verified, Some(at(BreakReason::PrevHashMismatch))));
            }
            if recompute(&ev) != ev.hash {
                return Ok(report(verified, Some(at(BreakReason::HashMismatch))));
            }
            verified += 1;
            last_seq = ev.seq;
            last_hash = ev.hash;
            last_id = Some(ev.event.id);
        }
    }
    let head_ok = match &head {
        None => last_seq == 0,
        Some(h) => h.seq == last_seq && h.hash == last_hash,
    };
    if head_ok {
        return Ok(report(verified, None));
    }
    // Same length but another hash: the last event was rewritten with a recomputed hash (or
    // the head was); name that event. Head ahead: the tail is gone; nothing to name.
    let same_len = head.as_ref().is_some_and(|h| h.seq == last_seq);
    let broken = Break {
        chain,
        seq: if same_len { last_seq } else { last_seq + 1 },
        event_id: if same_len { last_id } else { None },
        reason: BreakReason::HeadMismatch {
            head_seq: head.as_ref().map(|h| h.seq),
            last_seq,
        },
    };
    Ok(report(verified, Some(broken)))
}
