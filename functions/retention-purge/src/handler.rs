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

/// `dry_run` from the payload: only a literal `true` makes a dry run.
pub fn options(payload: &Value, deadline_ms: u64, reserve_ms: i64) -> PurgeOptions {
    PurgeOptions {
        dry_run: payload.get("dry_run").and_then(Value::as_bool) == Some(true),
        deadline: i64::try_from(deadline_ms).ok().filter(|d| *d > 0),
        reserve_ms,
        ..PurgeOptions::default()
    }
}

pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<Value>,
) -> Result<PurgeReport, lambda_runtime::Error> {
    let opts = options(&event.payload, event.context.deadline, deps.reserve_ms);
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
        let o = options(&scheduled, 1_800_000_060_000, 3_000);
        assert!(!o.dry_run);
        assert_eq!(o.deadline, Some(1_800_000_060_000));
        assert_eq!(o.reserve_ms, 3_000);
        let dry: Value =
            serde_json::from_str(include_str!("../../../events/retention-purge/dry-run.json"))
                .unwrap();
        assert!(options(&dry, 1, 0).dry_run);
        assert!(!options(&json!({"dry_run": "true"}), 1, 0).dry_run);
        assert_eq!(options(&json!({}), 0, 0).deadline, None);
    }
}
