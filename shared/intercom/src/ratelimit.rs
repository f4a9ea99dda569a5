//! Client-side token bucket that keeps the service under its share of Intercom's quota
//! (10,000 calls/min per app, enforced in 10-second windows).
//!
//! Owns pacing only: each call reserves a token and sleeps until the reservation is due, so
//! waiters are served in order and the budget holds over any window: at most
//! `burst + rate × window` calls. It uses `tokio::time`, so tests can run it on a paused clock.
//! It must never block a thread (it only sleeps asynchronously).

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A token bucket: `per_minute` calls a minute on average, up to `burst` at once.
#[derive(Debug)]
pub struct RateLimiter {
    rate_per_sec: f64,
    burst: f64,
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    /// May go negative: outstanding reservations that are still sleeping.
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    /// `per_minute` and `burst` are raised to at least 1.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        Self {
            rate_per_sec: f64::from(per_minute.max(1)) / 60.0,
            burst,
            state: Mutex::new(Bucket {
                tokens: burst,
                last: Instant::now(),
            }),
        }
    }

    /// Wait until a call may be made.
    pub async fn acquire(&self) {
        let wait = self.reserve();
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Take a token now and return how long to wait before using it.
    fn reserve(&self) -> Duration {
        // A poisoned lock only means another task panicked mid-update of two floats; the
        // values are still usable.
        let mut b = match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.rate_per_sec).min(self.burst);
        b.last = now;
        b.tokens -= 1.0;
        if b.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-b.tokens / self.rate_per_sec)
        }
    }
}
