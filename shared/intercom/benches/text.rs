//! Throughput of the per-webhook work this crate does: signature check, parse, extraction
//! with HTML-to-text. Run: `cargo bench -p dlp-intercom --bench text`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dlp_intercom::notification::Notification;
use dlp_intercom::signature::{WebhookVerifier, sign};
use dlp_intercom::{ExtractOptions, extract_parts};
use secrecy::SecretString;
use serde_json::json;

fn fixture() -> Vec<u8> {
    let path = format!(
        "{}/tests/data/webhook-conversation-user-replied.synthetic.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).unwrap_or_default()
}

/// A fetched conversation with 500 HTML parts (the most `GET /conversations/{id}` returns).
fn big_conversation() -> Vec<u8> {
    let parts: Vec<_> = (0..500)
        .map(|i| {
            json!({"type": "conversation_part", "id": i.to_string(), "part_type": "comment",
                "body": format!("<p>Hi, it&#39;s Pat. Card 4539&nbsp;1488&nbsp;0343&nbsp;6467 &amp; order #{i}.</p><ul><li>one</li><li>two <a href=\"mailto:pat@example.org\">mail</a></li></ul>"),
                "author": {"type": "user", "id": "u"}, "redacted": false, "attachments": []})
        })
        .collect();
    let item = json!({"type": "conversation", "id": "1",
        "conversation_parts": {"type": "conversation_part.list", "conversation_parts": parts, "total_count": 500}});
    json!({"type": "notification_event", "topic": "conversation.user.replied", "data": {"item": item}})
        .to_string()
        .into_bytes()
}

fn bench(c: &mut Criterion) {
    let secret = SecretString::from("synthetic-client-secret-1");
    let verifier = WebhookVerifier::new(secret.clone()).ok();
    let body = fixture();
    let header = sign(&secret, &body);
    let opts = ExtractOptions::default();

    let mut g = c.benchmark_group("webhook");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("verify", |b| {
        b.iter(|| verifier.as_ref().map(|v| v.verify(Some(&header), &body)))
    });
    g.bench_function("verify+parse+extract", |b| {
        b.iter(|| {
            let _ = verifier.as_ref().map(|v| v.verify(Some(&header), &body));
            Notification::parse(&body)
                .ok()
                .and_then(|n| n.conversation().ok())
                .map(|conv| extract_parts(&conv, &opts).parts.len())
        })
    });
    g.finish();

    let big = big_conversation();
    let mut g = c.benchmark_group("conversation_500_parts");
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.sample_size(20);
    g.bench_function("parse+extract", |b| {
        b.iter(|| {
            Notification::parse(&big)
                .ok()
                .and_then(|n| n.conversation().ok())
                .map(|conv| extract_parts(&conv, &opts).parts.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
