//! Converts the invocation into a purge run: an EventBridge scheduled event (any payload
//! without `dry_run`) purges; `{"dry_run": true}` only reports. The run stops `reserve_ms`
//! before the Lambda deadline and the next scheduled run resumes.

use dlp_service::retention::{PurgeOptions, PurgeReport, Retention};
use lambda_runtime::LambdaEvent;
use serde_json::Value;

pub struct Deps {
    pub retention: Retention,
    pub reserve_ms: i64,
}

/// Deadlines below this (2001-09-09 in epoch milliseconds) cannot be wall-clock times.
const EPOCH_MS_FLOOR: i64 = 1_000_000_000_000;

/// `dry_run` from the payload: only a literal `true` makes a dry run. The deadline is the
/// runtime's `Lambda-Runtime-Deadline-Ms` (epoch milliseconds); local emulators such as
/// `cargo lambda watch` send the remaining time instead, which is taken as relative to `now_ms`.
pub fn options(payload: &Value, deadline_ms: u64, reserve_ms: i64, now_ms: i64) -> PurgeOptions {
    let deadline = i64::try_from(deadline_ms).ok().filter(|d| *d > 0).map(|d| {
        if d < EPOCH_MS_FLOOR {
            now_ms.saturating_add(d)
        } else {
            d
        }
    });
    PurgeOptions {
        dry_run: payload.get("dry_run").and_then(Value::as_bool) == Some(true),
        deadline,
        reserve_ms,
        ..PurgeOptions::default()
    }
}

pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<Value>,
) -> Result<PurgeReport, lambda_runtime::Error> {
    let now = deps.retention.clock.now_ms();
    let opts = options(&event.payload, event.context.deadline, deps.reserve_ms, now);
    tracing::info!(
        deadline_ms = event.context.deadline,
        reserve_ms = deps.reserve_ms,
        dry_run = opts.dry_run,
        "purge invoked"
    );
    let report = deps.retention.purge(&opts).await?;
    tracing::info!(
        entries = report.entries,
        idempotency_records = report.idempotency_records,
        complete = report.complete,
        dry_run = report.dry_run,
        "purge run"
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn event_shapes() {
        let scheduled: Value = serde_json::from_str(include_str!(
            "../../../events/retention-purge/scheduled.json"
        ))
        .unwrap();
        let o = options(&scheduled, 1_800_000_060_000, 3_000, 1_800_000_000_000);
        assert!(!o.dry_run);
        assert_eq!(o.deadline, Some(1_800_000_060_000));
        assert_eq!(o.reserve_ms, 3_000);
        // An emulator's remaining-time value is relative to now.
        let o = options(&scheduled, 600_000, 3_000, 1_800_000_000_000);
        assert_eq!(o.deadline, Some(1_800_000_600_000));
        let dry: Value =
            serde_json::from_str(include_str!("../../../events/retention-purge/dry-run.json"))
                .unwrap();
        assert!(options(&dry, 1, 0, 0).dry_run);
        assert!(!options(&json!({"dry_run": "true"}), 1, 0, 0).dry_run);
        assert_eq!(options(&json!({}), 0, 0, 0).deadline, None);
    }
}
