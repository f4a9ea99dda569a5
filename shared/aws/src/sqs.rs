//! SQS implementation of the service's scan-job queue.
//!
//! Owns: sending one serialized scan job per message to the scan queue, receiving and deleting
//! messages (operators and tests; in Lambda the event source mapping receives), and creating a
//! queue with its dead-letter queue and redrive policy for tests and local setups — the same
//! shape `template.yaml` declares.
//!
//! Must never: put a message body (it holds conversation text) into an error, a log line or a
//! `Debug` output; errors carry the AWS error code and the operation only.

use std::collections::HashMap;

use aws_config::SdkConfig;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use dlp_service::job::ScanJob;
use dlp_service::ports::{QueueError, ScanQueue};

use crate::error::{Class, classify};

#[derive(Debug, thiserror::Error)]
pub enum SqsError {
    /// Throttling, timeouts, 5xx, connection failures: retry.
    #[error("queue unavailable: {0}")]
    Unavailable(String),
    /// Refused (unknown queue, access denied, KMS key unusable, message too large). Carries
    /// the AWS error code.
    #[error("queue refused the request: {0}")]
    Refused(String),
}

impl SqsError {
    pub fn is_transient(&self) -> bool {
        matches!(self, SqsError::Unavailable(_))
    }
}

fn sqs_err<E>(op: &str, err: &aws_sdk_sqs::error::SdkError<E>) -> SqsError
where
    E: aws_sdk_sqs::error::ProvideErrorMetadata,
{
    match classify(op, err) {
        Class::Transient(m) => SqsError::Unavailable(m),
        Class::ConditionFailed => SqsError::Refused(format!("{op}: condition failed")),
        Class::Rejected(m) | Class::Refused(m) | Class::Other(m) => SqsError::Refused(m),
    }
}

/// One received message. `Debug` omits the body.
pub struct ReceivedMessage {
    pub message_id: String,
    pub receipt_handle: String,
    pub body: String,
    /// SQS `ApproximateReceiveCount`: 1 on the first delivery.
    pub receive_count: u32,
}

impl std::fmt::Debug for ReceivedMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceivedMessage")
            .field("message_id", &self.message_id)
            .field("receive_count", &self.receive_count)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// The scan queue. Cheap to clone (the SDK client is a handle).
#[derive(Clone, Debug)]
pub struct SqsScanQueue {
    client: aws_sdk_sqs::Client,
    queue_url: String,
}

impl SqsScanQueue {
    pub fn new(client: aws_sdk_sqs::Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }

    pub fn from_sdk_config(sdk: &SdkConfig, queue_url: impl Into<String>) -> Self {
        Self::new(aws_sdk_sqs::Client::new(sdk), queue_url)
    }

    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }

    /// Sends one message; returns the SQS message id.
    pub async fn send(&self, body: String) -> Result<String, SqsError> {
        let out = self
            .client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| sqs_err("SendMessage", &e))?;
        Ok(out.message_id().unwrap_or_default().to_owned())
    }

    /// Receives up to `max` (1–10) messages, long-polling up to `wait_seconds` (0–20).
    pub async fn receive(
        &self,
        max: i32,
        wait_seconds: i32,
    ) -> Result<Vec<ReceivedMessage>, SqsError> {
        let out = self
            .client
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(max.clamp(1, 10))
            .wait_time_seconds(wait_seconds.clamp(0, 20))
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(|e| sqs_err("ReceiveMessage", &e))?;
        Ok(out
            .messages
            .unwrap_or_default()
            .into_iter()
            .map(|m| {
                let receive_count = m
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1);
                ReceivedMessage {
                    message_id: m.message_id.unwrap_or_default(),
                    receipt_handle: m.receipt_handle.unwrap_or_default(),
                    body: m.body.unwrap_or_default(),
                    receive_count,
                }
            })
            .collect())
    }

    pub async fn delete(&self, receipt_handle: &str) -> Result<(), SqsError> {
        self.client
            .delete_message()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt_handle)
            .send()
            .await
            .map_err(|e| sqs_err("DeleteMessage", &e))?;
        Ok(())
    }

    /// `ApproximateNumberOfMessages` (visible messages), e.g. the depth of a dead-letter queue.
    pub async fn approximate_depth(&self) -> Result<u64, SqsError> {
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(&self.queue_url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .map_err(|e| sqs_err("GetQueueAttributes", &e))?;
        Ok(out
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::ApproximateNumberOfMessages))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }
}

/// Ingest's port: one message per job, its JSON wire form as the body (SQS bodies are text;
/// the job encoding is UTF-8 JSON). SSE-KMS on the queue encrypts it at rest.
#[async_trait::async_trait]
impl ScanQueue for SqsScanQueue {
    async fn enqueue(&self, job: &ScanJob) -> Result<(), QueueError> {
        let bytes = job.encode().map_err(|_| QueueError::Encode)?;
        let body = String::from_utf8(bytes).map_err(|_| QueueError::Encode)?;
        match self.send(body).await {
            Ok(_) => Ok(()),
            // Both classes answer 5xx at ingest (Intercom redelivers); the message names the
            // AWS error code so an operator can tell a missing queue from throttling.
            Err(e) => Err(QueueError::Unavailable(e.to_string())),
        }
    }
}

/// URLs of a scan queue and its dead-letter queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuePair {
    pub queue_url: String,
    pub dead_letter_url: String,
}

/// Creates `<name>-dlq` and `<name>` with a redrive policy (`maxReceiveCount`), as
/// `template.yaml` declares them. For tests and local setups; `kms_key_id` turns on SSE-KMS.
pub async fn create_queue_with_dlq(
    client: &aws_sdk_sqs::Client,
    name: &str,
    max_receive_count: u32,
    visibility_timeout_secs: u32,
    kms_key_id: Option<&str>,
) -> Result<QueuePair, SqsError> {
    let mut sse: HashMap<QueueAttributeName, String> = HashMap::new();
    if let Some(key) = kms_key_id {
        sse.insert(QueueAttributeName::KmsMasterKeyId, key.to_owned());
    }
    let dlq = client
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .set_attributes(Some(sse.clone()))
        .send()
        .await
        .map_err(|e| sqs_err("CreateQueue", &e))?;
    let dead_letter_url = dlq.queue_url().unwrap_or_default().to_owned();
    let arn = client
        .get_queue_attributes()
        .queue_url(&dead_letter_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| sqs_err("GetQueueAttributes", &e))?
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .cloned()
        .ok_or_else(|| SqsError::Refused("GetQueueAttributes: no QueueArn".into()))?;
    let redrive = serde_json::json!({
        "deadLetterTargetArn": arn,
        "maxReceiveCount": max_receive_count,
    })
    .to_string();
    let mut attrs = sse;
    attrs.insert(QueueAttributeName::RedrivePolicy, redrive);
    attrs.insert(
        QueueAttributeName::VisibilityTimeout,
        visibility_timeout_secs.to_string(),
    );
    let queue = client
        .create_queue()
        .queue_name(name)
        .set_attributes(Some(attrs))
        .send()
        .await
        .map_err(|e| sqs_err("CreateQueue", &e))?;
    Ok(QueuePair {
        queue_url: queue.queue_url().unwrap_or_default().to_owned(),
        dead_letter_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> String {
        std::env::var("DLP_TEST_AWS_ENDPOINT").unwrap_or_else(|_| {
            panic!(
                "DLP_TEST_AWS_ENDPOINT is not set: these tests need moto's server \
                 (scripts/test.sh starts it and exports the variable)"
            )
        })
    }

    fn sdk_config() -> SdkConfig {
        let creds =
            aws_sdk_sqs::config::Credentials::new("testing", "testing", None, None, "dlp-test");
        SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(endpoint())
            .credentials_provider(aws_sdk_sqs::config::SharedCredentialsProvider::new(creds))
            .build()
    }

    fn client() -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&sdk_config())
    }

    fn unique(prefix: &str) -> String {
        use rand::Rng;
        format!("{prefix}-{:016x}", rand::thread_rng().r#gen::<u64>())
    }

    #[tokio::test]
    async fn send_receive_delete_round_trip() {
        let client = client();
        let pair = create_queue_with_dlq(&client, &unique("dlp-scan-rt"), 5, 30, None)
            .await
            .unwrap();
        let q = SqsScanQueue::new(client, &pair.queue_url);
        let body = r#"{"job":"card 4111 1111 1111 1111"}"#.to_owned();
        let id = q.send(body.clone()).await.unwrap();
        assert!(!id.is_empty());

        let got = q.receive(10, 1).await.unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].message_id, id);
        assert_eq!(got[0].body, body);
        assert_eq!(got[0].receive_count, 1);
        assert!(
            !format!("{:?}", got[0]).contains("4111"),
            "Debug must omit the body"
        );

        q.delete(&got[0].receipt_handle).await.unwrap();
        assert_eq!(q.approximate_depth().await.unwrap(), 0);
        assert!(q.receive(10, 0).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn scan_jobs_round_trip_through_the_port() {
        let client = client();
        let pair = create_queue_with_dlq(&client, &unique("dlp-scan-port"), 5, 30, None)
            .await
            .unwrap();
        let q = SqsScanQueue::new(client, &pair.queue_url);
        let job = ScanJob {
            v: dlp_service::job::JOB_VERSION,
            notification_id: Some("notif_1".into()),
            topic: "conversation.user.replied".into(),
            workspace_id: "ws1".into(),
            conversation_id: "c1".into(),
            kind: dlp_service::job::ItemKind::Conversation,
            received_at: 1_796_414_400_000,
            parts: Some(vec![dlp_service::job::JobPart {
                id: "p1".into(),
                is_source: false,
                part_type: Some("comment".into()),
                author_type: Some("user".into()),
                author_id: Some("u1".into()),
                redactable: true,
                redacted: false,
                text: "SSN 536-22-1457, card 4111 1111 1111 1111 — naïve ☃".into(),
            }]),
        };
        let port: &dyn ScanQueue = &q;
        port.enqueue(&job).await.unwrap();
        let got = q.receive(10, 1).await.unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(ScanJob::decode(got[0].body.as_bytes()).unwrap(), job);

        let absent = SqsScanQueue::new(
            aws_sdk_sqs::Client::new(&sdk_config()),
            format!("{}/123456789012/{}", endpoint(), unique("absent")),
        );
        let err = ScanQueue::enqueue(&absent, &job).await.unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(matches!(err, QueueError::Unavailable(_)), "{text}");
        assert!(
            !text.contains("536-22-1457") && !text.contains("4111"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn redrive_moves_a_failing_message_to_the_dead_letter_queue() {
        let client = client();
        let max = 5;
        // Visibility 0: an undeleted message is visible again at once (a failed attempt).
        let pair = create_queue_with_dlq(&client, &unique("dlp-scan-redrive"), max, 0, None)
            .await
            .unwrap();
        let q = SqsScanQueue::new(client.clone(), &pair.queue_url);
        let dlq = SqsScanQueue::new(client, &pair.dead_letter_url);
        let id = q.send("{\"job\":1}".to_owned()).await.unwrap();

        for attempt in 1..=max {
            let got = q.receive(1, 0).await.unwrap();
            assert_eq!(got.len(), 1, "attempt {attempt}");
            assert_eq!(got[0].message_id, id);
            assert_eq!(got[0].receive_count, attempt, "ApproximateReceiveCount");
        }
        // The receive after the last allowed one moves the message instead of delivering it.
        assert!(q.receive(1, 0).await.unwrap().is_empty());
        let dead = dlq.receive(10, 1).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].message_id, id);
        assert_eq!(dead[0].body, "{\"job\":1}");
    }

    #[tokio::test]
    async fn unknown_queue_is_refused_with_the_code_only() {
        let q = SqsScanQueue::new(
            client(),
            format!("{}/123456789012/{}", endpoint(), unique("absent")),
        );
        let err = q
            .send("secret body 536-22-1457".to_owned())
            .await
            .unwrap_err();
        assert!(!err.is_transient(), "{err}");
        let text = format!("{err} {err:?}");
        assert!(text.contains("SendMessage"), "{text}");
        assert!(!text.contains("536-22-1457"), "{text}");
    }
}
