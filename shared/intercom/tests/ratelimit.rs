#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The token bucket on tokio's paused clock: deterministic, no real waiting.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dlp_intercom::RateLimiter;
use tokio::time::Instant;

/// In every window of length `w` starting at a call, at most `burst + rate × w` calls.
fn assert_budget(times: &[Duration], per_minute: u32, burst: u32) {
    let rate = f64::from(per_minute) / 60.0;
    for (i, &t0) in times.iter().enumerate() {
        for w_ms in [100u64, 500, 1_000, 5_000, 60_000] {
            let w = Duration::from_millis(w_ms);
            let n = times[i..].iter().filter(|&&t| t < t0 + w).count();
            let allowed = f64::from(burst) + rate * w.as_secs_f64();
            assert!(
                n as f64 <= allowed + 1e-9,
                "{n} calls within {w:?} from {t0:?}, allowed {allowed}"
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn sequential_calls_follow_the_budget() {
    // 120 a minute = one every 500 ms, burst 2.
    let limiter = RateLimiter::new(120, 2);
    let start = Instant::now();
    let mut times = Vec::new();
    for _ in 0..12 {
        limiter.acquire().await;
        times.push(start.elapsed());
    }
    let ms: Vec<u128> = times.iter().map(|d| d.as_millis()).collect();
    // Two at once, then one per 500 ms (±1 ms for float rounding).
    let expected = [
        0, 0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000,
    ];
    for (got, want) in ms.iter().zip(expected) {
        assert!(got.abs_diff(want) <= 1, "{ms:?}");
    }
    assert_budget(&times, 120, 2);
}

#[tokio::test(start_paused = true)]
async fn concurrent_callers_share_the_budget() {
    let limiter = Arc::new(RateLimiter::new(600, 5)); // 10/s, burst 5
    let start = Instant::now();
    let times = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let l = limiter.clone();
        let t = times.clone();
        tasks.push(tokio::spawn(async move {
            l.acquire().await;
            t.lock().unwrap().push(start.elapsed());
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut times = times.lock().unwrap().clone();
    times.sort();
    assert_eq!(times.len(), 50);
    assert_budget(&times, 600, 5);
    // 45 calls beyond the burst at 10/s: the last one is due at 4.5 s.
    let last = *times.last().unwrap();
    assert!(
        last >= Duration::from_millis(4_499) && last <= Duration::from_millis(4_501),
        "{last:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn idle_time_refills_only_up_to_the_burst() {
    let limiter = RateLimiter::new(60, 3); // 1/s, burst 3
    tokio::time::sleep(Duration::from_secs(3_600)).await;
    let start = Instant::now();
    let mut times = Vec::new();
    for _ in 0..6 {
        limiter.acquire().await;
        times.push(start.elapsed());
    }
    let secs: Vec<u64> = times.iter().map(|d| d.as_millis() as u64).collect();
    for (got, want) in secs.iter().zip([0, 0, 0, 1000, 2000, 3000]) {
        assert!(got.abs_diff(want) <= 1, "{secs:?}");
    }
}
