//! `dlp bench`: the local stack under sustained signed webhook load.
//!
//! Starts the fake Intercom and the whole `dlp serve` stack in this process (real HTTP on
//! loopback, SQLite store and queue in a temporary data dir, the real detector, redact mode),
//! then posts signed `conversation.user.replied` deliveries at a fixed rate — each a
//! conversation with several parts, a share of them carrying a synthetic SSN and card — and
//! reports: deliveries accepted, jobs lost (must be 0), the rate sustained, and the latency
//! from sending the webhook to the redaction request arriving at the fake (p50/p99). The
//! client-side Intercom rate limit is raised for the run (the fake has none).
//!
//! Must never: touch a real Intercom or AWS; every address is loopback.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Result, bail};
use dlp_intercom::fake::FakeIntercom;
use dlp_settings::{Secrets, Settings};
use secrecy::SecretString;
use serde_json::{Value, json};

use super::serve::{Args as ServeArgs, Stack};

const TOKEN: &str = "bench-token";
const CLIENT_SECRET: &str = "bench-client-secret";
const ADMIN_ID: &str = "991";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Webhooks per second to send.
    #[arg(long, default_value_t = 500)]
    pub rate: u32,
    /// Seconds of sustained load.
    #[arg(long, default_value_t = 20)]
    pub duration_secs: u64,
    /// Percent of deliveries carrying sensitive data.
    #[arg(long, default_value_t = 5)]
    pub sensitive_pct: u32,
    /// Parts per conversation (plus the source).
    #[arg(long, default_value_t = 4)]
    pub parts: u32,
    /// Scan workers of the stack.
    #[arg(long, default_value_t = 8)]
    pub workers: usize,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(bench(a))
}

fn conversation(id: u64, parts: u32, sensitive: bool) -> Value {
    let mut list = Vec::new();
    for p in 0..parts {
        let body = if sensitive && p == parts / 2 {
            "<p>Here you go: my SSN is 536-22-8127 and the card is <b>4111 1111 1111 1111</b>.</p>"
                .to_owned()
        } else {
            format!(
                "<p>Message {p} about order #{}: the parcel left the warehouse on Tuesday and should arrive within 3-5 business days. Thanks for your patience!</p>",
                id * 7 + u64::from(p)
            )
        };
        let author = if p % 2 == 0 { "user" } else { "admin" };
        list.push(
            json!({"type": "conversation_part", "id": format!("{id}{p:03}"),
            "part_type": "comment", "body": body, "redacted": false,
            "author": {"type": author, "id": if author == "user" { "u1" } else { "5" }},
            "created_at": 1_700_000_000 + i64::from(p)}),
        );
    }
    json!({"type": "conversation", "id": id.to_string(), "created_at": 1_700_000_000,
        "source": {"type": "conversation", "id": format!("s{id}"), "subject": "",
                   "body": "<p>Hello, I have a question about my order.</p>",
                   "author": {"type": "user", "id": "u1"}},
        "conversation_parts": {"type": "conversation_part.list", "total_count": parts,
                               "conversation_parts": list}})
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

async fn bench(a: Args) -> Result<ExitCode> {
    let fake = FakeIntercom::start(TOKEN).await;
    let dir = tempfile::tempdir()?;
    let settings = Settings {
        intercom_rate_per_minute: 10_000_000,
        ..Settings::default()
    };
    let secrets = Secrets::from_json(
        &json!({"intercom_access_token": TOKEN, "webhook_client_secrets": [CLIENT_SECRET],
                "admin_id": ADMIN_ID})
        .to_string(),
    )?;
    let serve = ServeArgs {
        listen: "127.0.0.1:0".parse()?,
        data_dir: Some(dir.path().join("data")),
        intercom_url: Some(fake.base_url()),
        dry_run: false,
        policy: None,
        mode: Some("redact".to_owned()),
        workers: a.workers,
        visibility_timeout_secs: 60,
        retry_base_ms: 200,
        purge_interval_secs: 3600,
        intercom_rate_per_minute: Some(10_000_000),
        intercom_attempts: 5,
    };
    let stack = Stack::start(serve, settings, secrets).await?;
    let url = format!("http://{}/webhooks/intercom", stack.addr);
    let secret = SecretString::from(CLIENT_SECRET);

    // Pre-build and sign every delivery so the load loop only sends.
    let total = u64::from(a.rate) * a.duration_secs;
    let every = (100 / a.sensitive_pct.clamp(1, 100)).max(1) as u64;
    let mut deliveries = Vec::with_capacity(total as usize);
    for i in 0..total {
        let id = 1_000_000 + i;
        let sensitive = i % every == every / 2;
        let conv = conversation(id, a.parts, sensitive);
        if sensitive {
            fake.seed_conversation(conv.clone());
        }
        let body = serde_json::to_vec(&json!({
            "type": "notification_event", "id": format!("notif_{id}"),
            "topic": "conversation.user.replied", "app_id": "benchapp",
            "created_at": 1_700_000_000, "data": {"type": "notification_event_data", "item": conv}
        }))?;
        let sig = dlp_intercom::signature::sign(&secret, &body);
        deliveries.push((id, sensitive, body, sig));
    }
    let sensitive_ids: Vec<u64> = deliveries.iter().filter(|d| d.1).map(|d| d.0).collect();

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let sent_at: Arc<std::sync::Mutex<HashMap<u64, SystemTime>>> = Arc::default();
    let mut tasks = Vec::with_capacity(deliveries.len());
    let period = Duration::from_secs_f64(1.0 / f64::from(a.rate.max(1)));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    for (id, _sensitive, body, sig) in deliveries {
        tick.tick().await;
        let http = http.clone();
        let url = url.clone();
        let sent_at = sent_at.clone();
        tasks.push(tokio::spawn(async move {
            if let Ok(mut m) = sent_at.lock() {
                m.insert(id, SystemTime::now());
            }
            let t0 = Instant::now();
            let r = http
                .post(&url)
                .header("X-Hub-Signature", sig)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await;
            let ok = match r {
                Ok(resp) => resp.status().as_u16() == 200,
                Err(_) => false,
            };
            (ok, t0.elapsed())
        }));
    }
    let mut accepted = 0u64;
    let mut ingest_ms = Vec::with_capacity(tasks.len());
    for t in tasks {
        if let Ok((ok, d)) = t.await {
            accepted += u64::from(ok);
            ingest_ms.push(d.as_secs_f64() * 1000.0);
        }
    }
    let send_secs = started.elapsed().as_secs_f64();

    // Drain: wait until the queue is empty (or give up after a minute).
    let drain_start = Instant::now();
    let counts = loop {
        let c = stack.queue.counts(dlp_now())?;
        if (c.waiting == 0 && c.in_flight == 0) || drain_start.elapsed() > Duration::from_secs(60) {
            break c;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let drain_secs = drain_start.elapsed().as_secs_f64();

    // Latency: webhook sent → redaction request at the fake.
    let sent = sent_at.lock().map(|m| m.clone()).unwrap_or_default();
    let mut redactions: HashMap<u64, u32> = HashMap::new();
    let mut lat = Vec::new();
    for r in fake.requests_matching("POST /conversations/redact") {
        let Some(cid) = r
            .body
            .as_ref()
            .and_then(|b| b.get("conversation_id"))
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<u64>().ok())
        else {
            continue;
        };
        *redactions.entry(cid).or_default() += 1;
        if let Some(t0) = sent.get(&cid)
            && let Ok(d) = r.at.duration_since(*t0)
        {
            lat.push(d.as_secs_f64() * 1000.0);
        }
    }
    lat.sort_by(f64::total_cmp);
    ingest_ms.sort_by(f64::total_cmp);
    let redacted_once = sensitive_ids
        .iter()
        .filter(|id| redactions.get(id) == Some(&1))
        .count();
    let lost = total - accepted
        + (sensitive_ids.len() - redacted_once) as u64
        + counts.waiting
        + counts.in_flight
        + counts.dead;
    let report = json!({
        "deliveries": total,
        "accepted": accepted,
        "target_rate_per_s": a.rate,
        "achieved_rate_per_s": (total as f64 / send_secs * 10.0).round() / 10.0,
        "drain_after_load_s": (drain_secs * 1000.0).round() / 1000.0,
        "sensitive_conversations": sensitive_ids.len(),
        "redacted_exactly_once": redacted_once,
        "queue_left": {"waiting": counts.waiting, "in_flight": counts.in_flight, "dead": counts.dead},
        "lost": lost,
        "latency_webhook_to_redaction_ms": {"p50": percentile(&lat, 0.50), "p99": percentile(&lat, 0.99), "max": lat.last().copied().unwrap_or(f64::NAN), "n": lat.len()},
        "ingest_response_ms": {"p50": percentile(&ingest_ms, 0.50), "p99": percentile(&ingest_ms, 0.99)},
        "parts_per_conversation": a.parts + 1,
        "workers": a.workers,
    });
    stack.shutdown().await;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "dlp bench: {} signed webhooks at {}/s target, {} parts each, {}% sensitive",
            total,
            a.rate,
            a.parts + 1,
            a.sensitive_pct
        );
        println!("  accepted            {accepted}/{total}");
        println!("  achieved rate       {}/s", report["achieved_rate_per_s"]);
        println!("  drain after load    {:.3} s", drain_secs);
        println!(
            "  redacted once       {redacted_once}/{}",
            sensitive_ids.len()
        );
        println!("  lost                {lost}");
        println!(
            "  webhook→redaction   p50 {:.1} ms  p99 {:.1} ms  (n={})",
            percentile(&lat, 0.5),
            percentile(&lat, 0.99),
            lat.len()
        );
        println!(
            "  ingest response     p50 {:.2} ms  p99 {:.2} ms",
            percentile(&ingest_ms, 0.5),
            percentile(&ingest_ms, 0.99)
        );
    }
    if lost > 0 {
        bail!("{lost} deliveries or jobs lost");
    }
    Ok(ExitCode::SUCCESS)
}

fn dlp_now() -> i64 {
    use dlp_service::clock::{Clock, SystemClock};
    SystemClock.now_ms()
}
