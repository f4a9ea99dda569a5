//! Local-mode storage throughput (issue targets: seal + put ≥ 5,000 entries/s, audit append
//! ≥ 5,000 events/s with 8 chains, verify ≥ 200,000 events/s).
//!
//! Run: `cargo bench -p dlp-embedded` (release profile). Criterion reports each benchmark's
//! throughput in elements per second. The database lives in a temp dir on the local disk
//! with the default options (WAL, synchronous=NORMAL, secure_delete=ON).

// Benchmark harness code: failing loudly is right.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dlp_audit::testkit::sample_event;
use dlp_audit::{Action, AuditLog, verify};
use dlp_embedded::{LocalKeyFile, SqliteStore};
use dlp_vault::testkit::{sample_content, sample_entry};
use dlp_vault::{EncryptionContext, SealedContent, VaultStore, seal};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn content() -> SealedContent {
    let mut c = sample_content(&["4111111111111111", "123-45-6789"]);
    // A typical chat message is a few hundred bytes.
    c.original_text
        .push_str(&" lorem ipsum dolor sit amet".repeat(16));
    c
}

struct Env {
    _dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    keys: Arc<LocalKeyFile>,
}

fn fresh_env() -> Env {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(SqliteStore::open(dir.path().join("bench.db")).expect("open db"));
    let keys = Arc::new(LocalKeyFile::open_or_create(dir.path().join("keys")).expect("key file"));
    Env {
        _dir: dir,
        store,
        keys,
    }
}

async fn seal_and_put(store: &SqliteStore, keys: &LocalKeyFile, content: &SealedContent, n: u64) {
    let mut e = sample_entry(
        "ws1",
        &format!("conv-{}", n % 97),
        &format!("part-{n}"),
        1_000 + n as i64,
        9_000,
    );
    let ctx = EncryptionContext::new(&e.part, &e.id);
    e.sealed = seal(keys, &ctx, content).await.expect("seal");
    store.put_if_absent(&e).await.expect("put");
}

fn bench_seal_put(c: &mut Criterion) {
    let rt = runtime();
    let content = content();
    let mut g = c.benchmark_group("vault");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Elements(1));
    let env = fresh_env();
    let mut counter = 0u64;
    g.bench_function("seal_put_sequential", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    counter += 1;
                    seal_and_put(&env.store, &env.keys, &content, counter).await;
                }
                start.elapsed()
            })
        })
    });
    // Eight concurrent scan jobs, as the local queue runs them.
    let env = fresh_env();
    let content = Arc::new(content);
    let mut next = 1u64 << 32;
    g.bench_function("seal_put_8_tasks", |b| {
        b.iter_custom(|iters| {
            let start_n = next;
            next += iters;
            rt.block_on(async {
                let start = Instant::now();
                let mut tasks = Vec::new();
                for t in 0..8u64 {
                    let (store, keys, content) =
                        (env.store.clone(), env.keys.clone(), content.clone());
                    tasks.push(tokio::spawn(async move {
                        let mut i = t;
                        while i < iters {
                            seal_and_put(&store, &keys, &content, start_n + i).await;
                            i += 8;
                        }
                    }));
                }
                for t in tasks {
                    t.await.expect("task");
                }
                start.elapsed()
            })
        })
    });
    g.finish();
}

fn bench_audit(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("audit");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Elements(1));
    let env = fresh_env();
    assert_eq!(env.store.chains(), 8);
    g.bench_function("append_sequential_8_chains", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for i in 0..iters {
                    let ev = sample_event(
                        1_000 + i as i64,
                        "system:scan-redact",
                        Action::FindingDetected,
                        Some("c1"),
                    );
                    env.store.append(ev).await.expect("append");
                }
                start.elapsed()
            })
        })
    });
    let env = fresh_env();
    g.bench_function("append_8_writers_8_chains", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                let mut tasks = Vec::new();
                for w in 0..8u64 {
                    let store = env.store.clone();
                    tasks.push(tokio::spawn(async move {
                        let mut i = w;
                        while i < iters {
                            let ev = sample_event(
                                1_000 + i as i64,
                                "system:scan-redact",
                                Action::FindingDetected,
                                Some("c1"),
                            );
                            store.append(ev).await.expect("append");
                            i += 8;
                        }
                    }));
                }
                for t in tasks {
                    t.await.expect("task");
                }
                start.elapsed()
            })
        })
    });
    g.finish();

    // Verify: a pass over 50,000 events in 8 chains.
    const EVENTS: u64 = 50_000;
    let env = fresh_env();
    rt.block_on(async {
        for i in 0..EVENTS {
            let ev = sample_event(
                1_000 + i as i64,
                "system:scan-redact",
                Action::PartRedacted,
                Some("c1"),
            );
            env.store.append(ev).await.expect("append");
        }
    });
    let mut g = c.benchmark_group("audit_verify");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(EVENTS));
    g.bench_function("verify_50k_events", |b| {
        b.iter(|| {
            rt.block_on(async {
                let report = verify(env.store.as_ref()).await.expect("verify");
                assert!(report.is_intact() && report.verified == EVENTS);
            })
        })
    });
    g.finish();
}

criterion_group!(benches, bench_seal_put, bench_audit);
criterion_main!(benches);
