//! `dlp serve`: the whole pipeline as one local process on an embedded store.
//!
//! Owns the wiring of the local stack: one HTTP server (`HEAD|POST /webhooks/intercom`,
//! `GET /healthz`, the review API), the SQLite job queue drained by workers with retries,
//! backoff and a dead-letter table, the retention purge on a timer, and graceful shutdown
//! (SIGINT/SIGTERM: stop accepting, finish the jobs in hand, leave the rest queued — a restart
//! resumes them). The logic lives in `dlp_service`; this module only connects ports.
//!
//! Must never: log a payload or a secret, or require AWS.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use async_trait::async_trait;
use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use dlp_embedded::queue::{LocalQueue, QueueConfig};
use dlp_embedded::{LocalKeyFile, SqliteStore};
use dlp_intercom::{ClientConfig, HttpIntercomClient, RateLimit, WebhookVerifier};
use dlp_service::clock::{Clock, SystemClock};
use dlp_service::engine::DetectorEngine;
use dlp_service::ingest::{Ingest, IngestConfig};
use dlp_service::job::ScanJob;
use dlp_service::ports::{Notifier, QueueError, ScanQueue};
use dlp_service::retention::{PurgeOptions, Retention};
use dlp_service::scan::{Attempt, ScanConfig, Scanner};
use dlp_settings::{DefaultMode, Secrets, Settings, defaults};
use tokio::sync::Notify;

#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// Data directory: SQLite database, job queue, local master key (`DLP_DATA_DIR`).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Intercom API base URL (`DLP_INTERCOM_URL`; default https://api.intercom.io).
    #[arg(long)]
    pub intercom_url: Option<String>,
    /// Record what would be done; make no Intercom calls (`DLP_DRY_RUN`).
    #[arg(long)]
    pub dry_run: bool,
    /// Policy document, TOML or JSON (`DLP_POLICY_FILE`); the built-in policy otherwise.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Override the policy's default mode: detect | redact | ignore (`DLP_MODE`).
    #[arg(long)]
    pub mode: Option<String>,
    /// Concurrent scan workers.
    #[arg(long, default_value_t = 8)]
    pub workers: usize,
    /// Seconds a received job stays invisible before it is delivered again.
    #[arg(long, default_value_t = 60)]
    pub visibility_timeout_secs: u64,
    /// Base of the retry backoff of failed jobs, in milliseconds (doubles per attempt, capped
    /// at 60 s).
    #[arg(long, default_value_t = 1000)]
    pub retry_base_ms: u64,
    /// Seconds between retention purges.
    #[arg(long, default_value_t = 3600)]
    pub purge_interval_secs: u64,
    /// Client-side Intercom budget, calls per minute (`DLP_INTERCOM_RATE_PER_MINUTE`).
    #[arg(long)]
    pub intercom_rate_per_minute: Option<u32>,
    /// HTTP attempts per Intercom call before the job itself is retried (backoff from 500 ms).
    #[arg(long, default_value_t = 5)]
    pub intercom_attempts: u32,
}

pub fn run(a: Args) -> Result<ExitCode> {
    init_tracing();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let settings = Settings::from_env()?;
        let secrets = Secrets::from_env()?;
        let stack = Stack::start(a, settings, secrets).await?;
        tracing::info!(addr = %stack.addr, "dlp serve listening");
        shutdown_signal().await;
        tracing::info!("shutting down: finishing jobs in hand, keeping the rest queued");
        stack.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// The local queue as the service's `ScanQueue`; wakes a worker on every enqueue.
struct LocalScanQueue {
    queue: Arc<LocalQueue>,
    wake: Arc<Notify>,
    clock: Arc<dyn Clock>,
}

#[async_trait]
impl ScanQueue for LocalScanQueue {
    async fn enqueue(&self, job: &ScanJob) -> Result<(), QueueError> {
        let payload = zeroize::Zeroizing::new(job.encode().map_err(|_| QueueError::Encode)?);
        let queue = self.queue.clone();
        let now = self.clock.now_ms();
        tokio::task::spawn_blocking(move || queue.enqueue(&payload, now))
            .await
            .map_err(|_| QueueError::Unavailable("queue task".into()))?
            .map_err(|e| QueueError::Unavailable(e.to_string()))?;
        self.wake.notify_one();
        Ok(())
    }
}

/// A running local stack (also used in-process by `dlp bench`).
pub struct Stack {
    pub addr: SocketAddr,
    pub queue: Arc<LocalQueue>,
    stop: Arc<AtomicBool>,
    wake: Arc<Notify>,
    server: tokio::task::JoinHandle<()>,
    server_stop: tokio::sync::oneshot::Sender<()>,
    workers: Vec<tokio::task::JoinHandle<()>>,
    timers: Vec<tokio::task::JoinHandle<()>>,
}

impl Stack {
    /// Start with typed settings and secrets (`run` reads them from the environment;
    /// `dlp bench` builds them).
    pub async fn start(a: Args, settings: Settings, secrets: Secrets) -> Result<Stack> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);

        let data_dir = a
            .data_dir
            .clone()
            .or_else(|| std::env::var_os(dlp_settings::env::DLP_DATA_DIR).map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(defaults::DATA_DIR));
        create_private_dir(&data_dir)?;
        let store = SqliteStore::open(dlp_service::governance_config::local_db_path(&data_dir))
            .context("opening the local database")?;
        let keys = Arc::new(
            LocalKeyFile::open_or_create(dlp_service::governance_config::local_keys_dir(&data_dir))
                .context("opening the local master key")?,
        );
        let queue = Arc::new(
            LocalQueue::open(
                &data_dir.join("queue.db"),
                keys.as_ref(),
                QueueConfig {
                    visibility_timeout_ms: i64::try_from(a.visibility_timeout_secs * 1000)
                        .unwrap_or(60_000),
                    max_attempts: settings.max_attempts,
                },
                clock.now_ms(),
            )
            .await
            .context("opening the job queue")?,
        );

        // Policy and mode.
        let policy_path = a
            .policy
            .clone()
            .or_else(|| settings.policy_file.clone().map(PathBuf::from));
        let mut policy = match &policy_path {
            Some(p) => dlp_detector::Policy::load(p).context("loading the policy")?,
            None => dlp_detector::Policy::default(),
        };
        let mode = match &a.mode {
            Some(m) => {
                Some(DefaultMode::parse(m).context("--mode must be detect, redact or ignore")?)
            }
            None => settings.mode_override,
        };
        if let Some(m) = mode {
            policy.mode = match m {
                DefaultMode::Ignore => dlp_detector::Mode::Ignore,
                DefaultMode::Detect => dlp_detector::Mode::Detect,
                DefaultMode::Redact => dlp_detector::Mode::Redact,
            };
        }
        let engine = Arc::new(DetectorEngine::new(policy).context("building the detector")?);

        // Intercom.
        let intercom_url = a
            .intercom_url
            .clone()
            .unwrap_or_else(|| settings.intercom_url.clone());
        let mut cfg = ClientConfig::with_base_url(intercom_url);
        cfg.api_version = settings.intercom_version.clone();
        cfg.retry.max_attempts = a.intercom_attempts.max(1);
        let per_minute = a
            .intercom_rate_per_minute
            .unwrap_or(settings.intercom_rate_per_minute)
            .max(1);
        cfg.rate_limit = Some(RateLimit {
            per_minute,
            burst: (per_minute / 60).max(1),
        });
        let intercom = Arc::new(
            HttpIntercomClient::new(cfg, secrets.intercom_access_token.clone())
                .map_err(|e| anyhow::anyhow!("intercom client: {e}"))?,
        );
        let notifier: Option<Arc<dyn Notifier>> = match &secrets.notification_webhook_url {
            Some(url) => Some(Arc::new(
                dlp_service::notify::WebhookNotifier::new(url.clone())
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            )),
            None => None,
        };

        // Use-cases.
        let mut verifier = WebhookVerifier::new(secrets.webhook_client_secrets[0].clone())
            .map_err(|e| anyhow::anyhow!("webhook secret: {e}"))?;
        if let Some(prev) = secrets.webhook_client_secrets.get(1) {
            verifier = verifier.with_previous(prev.clone());
        }
        let wake = Arc::new(Notify::new());
        let scan_queue = Arc::new(LocalScanQueue {
            queue: queue.clone(),
            wake: wake.clone(),
            clock: clock.clone(),
        });
        let ingest = Arc::new(Ingest::new(
            verifier,
            scan_queue,
            Arc::new(store.clone()),
            Arc::new(store.clone()),
            clock.clone(),
            IngestConfig {
                max_body_bytes: settings.webhook_max_bytes,
                job_inline_max_bytes: settings.job_inline_max_bytes,
                admin_id: secrets.admin_id.clone(),
                dedup_ttl_ms: defaults::DEDUP_TTL_MS,
                ..IngestConfig::default()
            },
        ));
        let dry_run = a.dry_run || settings.dry_run;
        let scanner = Arc::new(Scanner::new(
            engine,
            intercom,
            Arc::new(store.clone()),
            keys.clone(),
            Arc::new(store.clone()),
            notifier,
            clock.clone(),
            ScanConfig {
                admin_id: secrets.admin_id.clone(),
                default_tag: settings.tag_name.clone(),
                app_url: settings.intercom_app_url.clone(),
                dry_run,
                ..ScanConfig::default()
            },
        ));

        // HTTP: webhook + health + the review API (governance) on one port.
        let health = Router::new()
            .route("/healthz", get(healthz))
            .with_state(queue.clone());
        let app = dlp_service::webhook_http::webhook_router(ingest.clone())
            .merge(health)
            .merge(review_routes(
                &data_dir,
                &store,
                keys.clone(),
                clock.clone(),
            )?);
        let listener = tokio::net::TcpListener::bind(a.listen)
            .await
            .with_context(|| format!("binding {}", a.listen))?;
        let addr = listener.local_addr()?;
        let (server_stop, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let r = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = r {
                tracing::error!(error = %e, "http server failed");
            }
        });

        // Workers.
        let stop = Arc::new(AtomicBool::new(false));
        let worker_cfg = WorkerConfig {
            max_attempts: settings.max_attempts,
            retry_base_ms: a.retry_base_ms,
        };
        let workers = (0..a.workers.max(1))
            .map(|_| {
                tokio::spawn(worker(
                    queue.clone(),
                    scanner.clone(),
                    clock.clone(),
                    wake.clone(),
                    stop.clone(),
                    worker_cfg,
                ))
            })
            .collect();

        // Timers: retention purge, rejection aggregation flush.
        let retention = Retention {
            vault: Arc::new(store.clone()),
            idempotency: Arc::new(store.clone()),
            audit: Arc::new(store.clone()),
            clock: clock.clone(),
        };
        let purge_every = Duration::from_secs(a.purge_interval_secs.max(1));
        let purge = tokio::spawn(async move {
            let mut tick = tokio::time::interval(purge_every);
            loop {
                tick.tick().await;
                match retention.purge(&PurgeOptions::default()).await {
                    Ok(r) => tracing::info!(entries = r.entries, "retention purge"),
                    Err(e) => tracing::warn!(error = %e, "retention purge failed"),
                }
            }
        });
        let flush_ingest = ingest.clone();
        let flush = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                flush_ingest.flush_rejections().await;
            }
        });

        Ok(Stack {
            addr,
            queue,
            stop,
            wake,
            server,
            server_stop,
            workers,
            timers: vec![purge, flush],
        })
    }

    /// Stop accepting, let workers finish the job in hand, keep the rest queued.
    pub async fn shutdown(self) {
        let _ = self.server_stop.send(());
        let _ = self.server.await;
        self.stop.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
        for w in self.workers {
            let _ = tokio::time::timeout(Duration::from_secs(30), w).await;
        }
        for t in self.timers {
            t.abort();
        }
        let now = SystemClock.now_ms();
        if let Ok(c) = self.queue.counts(now) {
            tracing::info!(
                waiting = c.waiting,
                in_flight = c.in_flight,
                dead = c.dead,
                "stopped; queued jobs resume on the next start"
            );
        }
    }
}

fn review_routes(
    data_dir: &Path,
    store: &SqliteStore,
    keys: Arc<LocalKeyFile>,
    clock: Arc<dyn Clock>,
) -> Result<Router> {
    use dlp_service::governance_config::{GovernanceSettings, local_jwt};
    use dlp_service::review::Review;
    use dlp_service::review_api::{LocalAuth, router, with_local_auth};
    let gov = GovernanceSettings::from_env()?;
    let review = Review {
        vault: Arc::new(store.clone()),
        keys,
        audit: Arc::new(store.clone()),
        counters: Arc::new(store.clone()),
        clock: clock.clone(),
        config: gov.review_config(),
    };
    let auth = LocalAuth {
        verifier: local_jwt(data_dir)?,
        roles_claim: gov.roles_claim.clone(),
        clock,
    };
    Ok(with_local_auth(router(review), auth))
}

async fn healthz(State(queue): State<Arc<LocalQueue>>) -> axum::response::Response {
    let now = SystemClock.now_ms();
    let q = tokio::task::spawn_blocking(move || queue.counts(now)).await;
    match q {
        Ok(Ok(c)) => axum::Json(serde_json::json!({
            "status": "ok",
            "queue": {"waiting": c.waiting, "in_flight": c.in_flight, "dead": c.dead}
        }))
        .into_response(),
        _ => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "unavailable"})),
        )
            .into_response(),
    }
}

#[derive(Clone, Copy)]
struct WorkerConfig {
    max_attempts: u32,
    retry_base_ms: u64,
}

async fn worker(
    queue: Arc<LocalQueue>,
    scanner: Arc<Scanner>,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
    stop: Arc<AtomicBool>,
    cfg: WorkerConfig,
) {
    while !stop.load(Ordering::SeqCst) {
        let q = queue.clone();
        let now = clock.now_ms();
        let got = tokio::task::spawn_blocking(move || q.receive(1, now)).await;
        let deliveries = match got {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "queue receive failed");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
            Err(_) => continue,
        };
        if deliveries.is_empty() {
            // Woken by an enqueue, or poll for retries whose backoff has elapsed.
            let _ = tokio::time::timeout(Duration::from_millis(200), wake.notified()).await;
            continue;
        }
        for d in deliveries {
            let attempt = Attempt {
                number: d.attempt,
                max: cfg.max_attempts,
            };
            let (retryable, code) = match ScanJob::decode(&d.payload) {
                Err(e) => (false, format!("job:{e:?}").to_ascii_lowercase()),
                Ok(job) => match scanner.run(&job, attempt).await {
                    Ok(_) => {
                        let q = queue.clone();
                        let (id, n) = (d.id, d.attempt);
                        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || q.ack(id, n)).await
                        {
                            tracing::error!(job = id, error = %e, "ack failed; the job will run again (idempotent)");
                        }
                        continue;
                    }
                    Err(e) => (e.is_retryable(), e.code()),
                },
            };
            let backoff = cfg
                .retry_base_ms
                .saturating_mul(1u64 << d.attempt.saturating_sub(1).min(6))
                .min(60_000);
            let q = queue.clone();
            let (id, n, now) = (d.id, d.attempt, clock.now_ms());
            let out = tokio::task::spawn_blocking(move || {
                q.fail(
                    id,
                    n,
                    retryable,
                    i64::try_from(backoff).unwrap_or(60_000),
                    &code,
                    now,
                )
            })
            .await;
            match out {
                Ok(Ok(o)) => tracing::info!(job = id, attempt = n, outcome = ?o, "job failed"),
                Ok(Err(e)) => tracing::error!(job = id, error = %e, "could not record failure"),
                Err(_) => {}
            }
        }
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(dir)?;
        if !meta.is_dir() {
            bail!("{} is not a directory", dir.display());
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("restricting {}", dir.display()))?;
    }
    Ok(())
}
