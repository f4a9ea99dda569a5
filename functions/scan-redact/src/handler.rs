//! SQS batch ↔ the scan use-case.
//!
//! Owns: decoding each record's body into a scan job, passing SQS's `ApproximateReceiveCount`
//! as the attempt number (with the queue's maxReceiveCount as the last one, so the final
//! delivery records `redaction_failed`), running the records of a batch concurrently, and
//! reporting the failed ones as partial batch failures (`ReportBatchItemFailures`) so SQS
//! redelivers only those — and, after maxReceiveCount, moves them to the dead-letter queue.
//! A record that is not a job (a "poison" record) is a failure like any other: it ends in the
//! dead-letter queue, nothing is lost, and it never fails the rest of the batch.
//!
//! Must never: log or return a record body (it holds message text), or decide what a scan does
//! — that lives in `dlp_service::scan`.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use dlp_service::job::ScanJob;
use dlp_service::scan::{Attempt, Scanner};

/// SQS system attribute: how many times the message has been received, 1 on the first.
pub const RECEIVE_COUNT: &str = "ApproximateReceiveCount";

/// Process one batch. Never an error: every failure is a batch item failure.
pub async fn handle(scanner: &Scanner, max_attempts: u32, event: SqsEvent) -> SqsBatchResponse {
    let results = futures_util::future::join_all(
        event
            .records
            .iter()
            .map(|record| process(scanner, max_attempts, record)),
    )
    .await;
    let mut response = SqsBatchResponse::default();
    for (record, ok) in event.records.iter().zip(results) {
        if !ok {
            // An empty id makes Lambda retry the whole batch: nothing is lost either way.
            response.add_failure(record.message_id.clone().unwrap_or_default());
        }
    }
    tracing::info!(
        records = event.records.len(),
        failed = response.batch_item_failures.len(),
        "batch done"
    );
    response
}

/// Whether the record is done (deleted from the queue by Lambda).
async fn process(scanner: &Scanner, max_attempts: u32, record: &SqsMessage) -> bool {
    let message_id = record.message_id.as_deref().unwrap_or("-");
    let attempt = Attempt {
        number: receive_count(record),
        max: max_attempts,
    };
    let job = match record
        .body
        .as_deref()
        .map(|b| ScanJob::decode(b.as_bytes()))
    {
        Some(Ok(job)) => job,
        Some(Err(e)) => {
            tracing::warn!(message_id, attempt = attempt.number, error = %e, "poison record: not a scan job");
            return false;
        }
        None => {
            tracing::warn!(
                message_id,
                attempt = attempt.number,
                "poison record: no body"
            );
            return false;
        }
    };
    match scanner.run(&job, attempt).await {
        Ok(_) => true,
        Err(e) => {
            // The scan has already recorded `redaction_failed` if this was the last attempt
            // or the failure is permanent; SQS redelivers until maxReceiveCount, then the
            // dead-letter queue keeps the job.
            tracing::warn!(
                message_id,
                attempt = attempt.number,
                last = attempt.is_last(),
                code = %e.code(),
                "scan failed; the record goes back to the queue"
            );
            false
        }
    }
}

/// `ApproximateReceiveCount`, 1 when absent or unreadable (a first delivery is the safe
/// assumption: it never records a premature `redaction_failed`).
pub fn receive_count(record: &SqsMessage) -> u32 {
    record
        .attributes
        .get(RECEIVE_COUNT)
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests;
