//! The webhook-ingest binary through the Lambda runtime API (`cargo lambda`), with every
//! sample event in `events/webhook-ingest/`, against moto (DynamoDB, SQS, KMS, Secrets
//! Manager). Checks the answers, that the valid deliveries really put one job each on the SQS
//! queue (and a redelivery none), and that no planted value reaches the function's logs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use dlp_aws::sqs::SqsScanQueue;
use dlp_service::ingest::body;
use dlp_service::job::ScanJob;
use support::*;

fn event(name: &str) -> std::path::PathBuf {
    workspace_root().join("events/webhook-ingest").join(name)
}

#[tokio::test(flavor = "multi_thread")]
async fn sample_events_through_the_runtime_api() {
    let sdk = sdk_config();
    let stack = create_stack(&sdk, &unique("dlp-ingest")).await;
    let tmp = std::env::temp_dir().join(unique("dlp-ingest-logs"));
    std::fs::create_dir_all(&tmp).unwrap();

    let port = free_port();
    let _api = start_runtime_api(port, &tmp.join("watch.log"));
    let fn_log = tmp.join("webhook-ingest.log");
    let mut function = start_function(
        env!("CARGO_BIN_EXE_webhook-ingest"),
        port,
        &stack.env(),
        &fn_log,
    );

    // (file, status, body; None = empty)
    let cases: &[(&str, u16, Option<&str>)] = &[
        ("head.json", 200, None),
        ("ping.json", 200, Some(body::PONG)),
        ("user-replied-signed.json", 200, Some(body::ACCEPTED)),
        ("user-replied-base64.json", 200, Some(body::ACCEPTED)),
        ("bad-signature.json", 401, Some(body::UNAUTHORIZED)),
        ("malformed-json.json", 400, Some(body::MALFORMED)),
        ("unknown-topic.json", 200, Some(body::IGNORED)),
        // Intercom redelivers: acknowledged, nothing queued.
        ("user-replied-signed.json", 200, Some(body::DUPLICATE)),
    ];
    for (file, status, want) in cases {
        let answer = invoke(port, &event(file));
        function.assert_running();
        assert_eq!(answer["statusCode"], *status, "{file}: {answer}");
        let got = answer["body"].as_str().unwrap_or("");
        assert_eq!(got, want.unwrap_or(""), "{file}");
        assert_eq!(answer["isBase64Encoded"], false, "{file}");
    }

    // Exactly the two valid deliveries are on the queue, as decodable jobs.
    let queue = SqsScanQueue::from_sdk_config(&sdk, &stack.queue.queue_url);
    let mut convs = Vec::new();
    for _ in 0..5 {
        let got = queue.receive(10, 1).await.unwrap();
        if got.is_empty() {
            break;
        }
        for m in got {
            let job = ScanJob::decode(m.body.as_bytes()).unwrap();
            assert!(job.parts.as_ref().is_some_and(|p| !p.is_empty()));
            convs.push(job.conversation_id);
            queue.delete(&m.receipt_handle).await.unwrap();
        }
    }
    convs.sort();
    assert_eq!(convs, ["1911149811", "1911149812"]);

    drop(function);
    let logs = std::fs::read_to_string(&fn_log).unwrap();
    assert!(
        logs.contains("webhook-ingest ready"),
        "no startup line: {logs}"
    );
    assert!(
        logs.contains("webhook answered"),
        "no request lines: {logs}"
    );
    assert_no_planted(&fn_log);
    std::fs::remove_dir_all(&tmp).ok();
}
