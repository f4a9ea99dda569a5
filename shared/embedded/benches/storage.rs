//! Local-mode storage throughput (issue targets: seal + put ≥ 5,000 entries/s, audit append
//! ≥ 5,000 events/s with 8 chains, verify ≥ 200,000 events/s).
//!
//! Run: `cargo bench -p dlp-embedded` (release profile). Criterion reports each benchmark's
//! throughput in elements per second (wall clock). The database lives in a temp dir on the
//! local disk with the default options (WAL, synchronous=NORMAL, secure_delete=ON).
//!
//! Wall-clock numbers depend on what else the machine runs. So before the criterion groups,
//! a fixed run of each workload also prints its process CPU time per operation (user + system
//! over all threads, from /proc/self/stat): `ops per CPU-second` is the throughput one
//! otherwise idle core would give for that workload.

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
    let mut c = sample_content(&["4111111111111111", "472-38-9016"]);
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

/// Process CPU time (user + system, all threads). Linux reports it in clock ticks of
/// 1/100 s (USER_HZ), so runs must be long enough (seconds) for it to be precise.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("read /proc/self/stat");
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f[11].parse::<u64>().expect("utime") + f[12].parse::<u64>().expect("stime");
    Duration::from_millis(ticks * 10)
}

/// Run `n` operations through `run` and print wall and CPU throughput.
fn report<F: std::future::Future<Output = ()>>(
    rt: &tokio::runtime::Runtime,
    name: &str,
    n: u64,
    run: F,
) {
    let (w0, c0) = (Instant::now(), cpu_time());
    rt.block_on(run);
    let (wall, cpu) = (w0.elapsed(), cpu_time() - c0);
    println!(
        "{name}: {n} ops, wall {:.0} ops/s, CPU {:.1} µs/op = {:.0} ops per CPU-second",
        n as f64 / wall.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / n as f64,
        n as f64 / cpu.as_secs_f64().max(1e-9)
    );
}

fn cpu_report(_c: &mut Criterion) {
    let rt = runtime();
    let content = Arc::new(content());
    const N: u64 = 20_000;
    let env = fresh_env();
    report(&rt, "cpu/seal_put_sequential", N, async {
        for i in 0..N {
            seal_and_put(&env.store, &env.keys, &content, i).await;
        }
    });
    let env = fresh_env();
    report(&rt, "cpu/seal_put_8_tasks", N, async {
        let mut tasks = Vec::new();
        for t in 0..8u64 {
            let (store, keys, content) = (env.store.clone(), env.keys.clone(), content.clone());
            tasks.push(tokio::spawn(async move {
                let mut i = t;
                while i < N {
                    seal_and_put(&store, &keys, &content, i).await;
                    i += 8;
                }
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
    });
    let env = fresh_env();
    report(&rt, "cpu/audit_append_sequential", N, async {
        for i in 0..N {
            let ev = sample_event(
                1_000 + i as i64,
                "system:scan-redact",
                Action::FindingDetected,
                Some("c1"),
            );
            env.store.append(ev).await.expect("append");
        }
    });
    let env = fresh_env();
    report(&rt, "cpu/audit_append_8_writers", N, async {
        let mut tasks = Vec::new();
        for w in 0..8u64 {
            let store = env.store.clone();
            tasks.push(tokio::spawn(async move {
                let mut i = w;
                while i < N {
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
    });
    report(&rt, "cpu/verify (events)", N * 5, async {
        for _ in 0..5 {
            let r = verify(env.store.as_ref()).await.expect("verify");
            assert!(r.is_intact() && r.verified == N);
        }
    });
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

criterion_group!(benches, cpu_report, bench_seal_put, bench_audit);
criterion_main!(benches);
