//! `dlp audit`: operator commands on the local data dir — `verify` the hash chains, `export`
//! events as CSV to stdout, and `bench` the audit query, export and purge paths on SQLite.
//!
//! Must never: print anything but ids, counts, kinds and reasons (the audit log holds nothing
//! else).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use dlp_audit::{Action, AuditEvent, AuditLog, AuditQuery, Outcome, PageRequest};
use dlp_embedded::SqliteStore;
use dlp_service::clock::{Clock as _, SystemClock, parse_time};
use dlp_service::governance_config::local_db_path;
use dlp_service::retention::{PurgeOptions, Retention};
use dlp_service::review_api::verify_view;
use dlp_vault::{
    ActionResults, EntryStatus, PartRef, SealedBlob, VaultEntry, VaultStore, new_entry_id,
};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Walk every hash chain; exit 1 and name the first broken link if any.
    Verify(DirArgs),
    /// Write events with `since <= time < until` as CSV (RFC 4180, formulas escaped) to stdout.
    Export(ExportArgs),
    /// Measure audit query, CSV export and vault purge on a scratch SQLite database.
    Bench(BenchArgs),
}

#[derive(clap::Args)]
pub struct DirArgs {
    /// Local data directory (default `$DLP_DATA_DIR`, else `./.dlp`).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// Start (inclusive): RFC 3339, a date, or epoch milliseconds.
    #[arg(long)]
    pub since: Option<String>,
    /// End (exclusive): RFC 3339, a date, or epoch milliseconds.
    #[arg(long)]
    pub until: Option<String>,
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Database directory; reused between runs (seeding is skipped when already done).
    /// Default: a temporary directory removed afterwards.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Audit events to query and export over.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Expired vault entries to purge.
    #[arg(long, default_value_t = 100_000)]
    pub entries: u64,
    /// Time-range queries to time (first page each).
    #[arg(long, default_value_t = 200)]
    pub queries: u32,
}

pub fn run(c: Command) -> Result<ExitCode> {
    match c {
        Command::Verify(a) => verify(a),
        Command::Export(a) => export(a),
        Command::Bench(a) => bench(a),
    }
}

/// `--data-dir`, else `$DLP_DATA_DIR`, else `./.dlp`.
pub fn data_dir(arg: Option<PathBuf>) -> PathBuf {
    arg.or_else(|| {
        std::env::var_os("DLP_DATA_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
    .unwrap_or_else(|| PathBuf::from("./.dlp"))
}

/// Open the local SQLite store; refuses to create one (operators point at an existing dir).
pub fn open_store(dir: &Path) -> Result<SqliteStore> {
    let path = local_db_path(dir);
    if !path.exists() {
        bail!(
            "no database at {} (run `dlp serve` first, or pass --data-dir)",
            path.display()
        );
    }
    SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))
}

/// A small runtime for the async ports (SQLite work runs on its blocking pool).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn verify(a: DirArgs) -> Result<ExitCode> {
    let store = open_store(&data_dir(a.data_dir))?;
    let report = runtime()?.block_on(dlp_audit::verify(&store))?;
    let view = verify_view(&report);
    println!("{}", serde_json::to_string_pretty(&view)?);
    for b in report.breaks() {
        eprintln!("dlp audit verify: {b}");
    }
    Ok(if view.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn time_arg(name: &str, v: Option<String>) -> Result<Option<i64>> {
    match v {
        None => Ok(None),
        Some(s) => match parse_time(&s) {
            Some(t) => Ok(Some(t)),
            None => bail!("--{name} must be RFC 3339 (2026-12-04T00:00:00Z), a date or epoch ms"),
        },
    }
}

fn export(a: ExportArgs) -> Result<ExitCode> {
    let query = AuditQuery {
        since: time_arg("since", a.since)?,
        until: time_arg("until", a.until)?,
        ..AuditQuery::default()
    };
    let store = open_store(&data_dir(a.data_dir))?;
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, std::io::stdout());
    let n = runtime()?.block_on(dlp_audit::csv::export_csv(&store, &query, &mut out))?;
    out.flush()?;
    eprintln!("dlp audit export: {n} events");
    Ok(ExitCode::SUCCESS)
}

// ---- bench ---------------------------------------------------------------------------------

const DAY_MS: i64 = 86_400_000;
/// Seeded events spread over one year from this time.
const BENCH_START: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn bench_event(i: u64, step: i64) -> AuditEvent {
    let time = BENCH_START + (i as i64) * step;
    let actions = [
        Action::FindingDetected,
        Action::PartRedacted,
        Action::NotePosted,
        Action::FindingRevealed,
        Action::VaultPurged,
    ];
    let mut counts = BTreeMap::new();
    counts.insert("entries".to_owned(), i % 7);
    AuditEvent {
        id: new_entry_id(time).0,
        time,
        actor: if i % 5 == 3 {
            format!("user:reviewer{}@example.com", i % 20)
        } else {
            "system:scan-redact".to_owned()
        },
        action: actions[(i % 5) as usize].clone(),
        workspace_id: Some("ws-bench".to_owned()),
        conversation_id: Some(format!("conv-{}", i % 50_000)),
        part_id: Some(format!("part-{i}")),
        entry_ids: vec![new_entry_id(time).0],
        entity_kinds: vec!["CREDIT_CARD".to_owned(), "US_SSN".to_owned()],
        outcome: Outcome::Success,
        reason: (i % 5 == 3).then(|| "ticket SEC-1, =review".to_owned()),
        request_id: Some(format!("req-{i}")),
        counts,
    }
}

async fn seed_events(store: &SqliteStore, want: u64) -> Result<()> {
    let mut have = 0;
    for c in 0..store.chains() {
        have += store.head(c).await?.map_or(0, |h| h.seq);
    }
    if have >= want {
        eprintln!("audit events: {have} already present");
        return Ok(());
    }
    let step = (365 * DAY_MS / want as i64).max(1);
    let started = Instant::now();
    let writers = 4u64;
    let mut tasks = Vec::new();
    for w in 0..writers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = have + w;
            while i < want {
                store.append(bench_event(i, step)).await?;
                i += writers;
            }
            Ok::<_, dlp_audit::AuditError>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "seeded {} audit events in {secs:.1} s ({:.0}/s)",
        want - have,
        (want - have) as f64 / secs
    );
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Counts bytes and rows, sampling RSS as the export proceeds.
struct Sink {
    bytes: u64,
    rss_min: u64,
    rss_max: u64,
    writes: u64,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len() as u64;
        self.writes += 1;
        if self.writes.is_multiple_of(20_000)
            && let Some(r) = rss_kib()
        {
            self.rss_min = self.rss_min.min(r);
            self.rss_max = self.rss_max.max(r);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn bench(a: BenchArgs) -> Result<ExitCode> {
    let tmp;
    let dir = match a.dir {
        Some(d) => d,
        None => {
            tmp = std::env::temp_dir().join(format!("dlp-audit-bench-{}", std::process::id()));
            tmp
        }
    };
    std::fs::create_dir_all(&dir)?;
    let store = SqliteStore::open(dir.join("bench.db"))?;
    let rt = runtime()?;
    let result = rt.block_on(async {
        seed_events(&store, a.events).await?;

        // 1. First page of time-range queries (one day wide, random start), limit 100.
        let mut times = Vec::with_capacity(a.queries as usize);
        let mut rows = 0;
        for q in 0..a.queries {
            let day = i64::from(q.wrapping_mul(2_654_435_761) % 364);
            let query = AuditQuery {
                since: Some(BENCH_START + day * DAY_MS),
                until: Some(BENCH_START + (day + 1) * DAY_MS),
                ..AuditQuery::default()
            };
            let t = Instant::now();
            let page = store
                .query(&query, &PageRequest { cursor: None, limit: 100 })
                .await?;
            times.push(t.elapsed());
            rows += page.items.len();
        }
        times.sort();
        println!(
            "audit query, first page (limit 100) of a one-day range over {} events: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} rows/page avg)",
            a.events,
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            percentile(&times, 1.0),
            rows / a.queries.max(1) as usize
        );
        // The same with an actor filter (uses the actor index).
        let mut times = Vec::new();
        for q in 0..a.queries.min(50) {
            let day = i64::from(q * 7 % 364);
            let query = AuditQuery {
                since: Some(BENCH_START + day * DAY_MS),
                until: Some(BENCH_START + (day + 30) * DAY_MS),
                actor: Some(format!("user:reviewer{}@example.com", 3 + 5 * (q % 4))),
                ..AuditQuery::default()
            };
            let t = Instant::now();
            store
                .query(&query, &PageRequest { cursor: None, limit: 100 })
                .await?;
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "audit query by actor over 30 days, first page: p50 {:.2} ms, p99 {:.2} ms",
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );

        // 2. CSV export of every event, streamed page by page into a counting sink.
        let rss_before = rss_kib().unwrap_or(0);
        let mut sink = Sink {
            bytes: 0,
            rss_min: u64::MAX,
            rss_max: 0,
            writes: 0,
        };
        let t = Instant::now();
        let n = dlp_audit::csv::export_csv(&store, &AuditQuery::default(), &mut sink).await?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "audit export: {n} rows, {:.1} MB in {secs:.2} s = {:.0} rows/s; RSS before {} KiB, during min {} / max {} KiB",
            sink.bytes as f64 / 1e6,
            n as f64 / secs,
            rss_before,
            if sink.rss_min == u64::MAX { 0 } else { sink.rss_min },
            sink.rss_max
        );

        // 3. Purge of expired vault entries.
        let now = SystemClock.now_ms();
        let t = Instant::now();
        let writers = 4u64;
        let mut tasks = Vec::new();
        for w in 0..writers {
            let store = store.clone();
            let total = a.entries;
            tasks.push(tokio::spawn(async move {
                let mut i = w;
                while i < total {
                    store.put_if_absent(&bench_entry(i, now)).await?;
                    i += writers;
                }
                Ok::<_, dlp_vault::StoreError>(())
            }));
        }
        for t in tasks {
            t.await??;
        }
        eprintln!(
            "inserted {} expired vault entries in {:.1} s",
            a.entries,
            t.elapsed().as_secs_f64()
        );
        let retention = Retention {
            vault: Arc::new(store.clone()),
            idempotency: Arc::new(store.clone()),
            audit: Arc::new(store.clone()),
            clock: Arc::new(SystemClock),
        };
        let t = Instant::now();
        let report = retention.purge(&PurgeOptions::default()).await?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "purge: {} expired entries deleted in {secs:.2} s = {:.0} entries/s (complete: {})",
            report.entries,
            report.entries as f64 / secs,
            report.complete
        );
        Ok::<_, anyhow::Error>(())
    });
    drop(store);
    if std::env::temp_dir().join(format!("dlp-audit-bench-{}", std::process::id())) == dir {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result?;
    Ok(ExitCode::SUCCESS)
}

/// A realistic-size expired entry (a 300-byte opaque blob stands in for the ciphertext: the
/// purge never opens it).
fn bench_entry(i: u64, now: i64) -> VaultEntry {
    let created = now - 40 * DAY_MS + (i as i64);
    let mut entities = BTreeMap::new();
    entities.insert("CREDIT_CARD".to_owned(), 1 + (i % 2) as u32);
    if i.is_multiple_of(3) {
        entities.insert("US_SSN".to_owned(), 1);
    }
    VaultEntry {
        id: new_entry_id(created),
        part: PartRef {
            workspace_id: "ws-bench".to_owned(),
            conversation_id: format!("conv-{}", i / 4),
            part_id: format!("part-{i}"),
        },
        created_at: created,
        expires_at: created + 30 * DAY_MS,
        status: EntryStatus::Redacted,
        entities,
        masked_text: "card •••• 1111 and [US_SSN]".to_owned(),
        actions: ActionResults::default(),
        sealed: SealedBlob {
            key_id: "local-bench".to_owned(),
            wrapped_key: vec![0u8; 61],
            nonce: [0u8; 12],
            ciphertext: vec![0u8; 300],
        },
    }
}
