//! Security properties of the AWS adapters on moto: no planted value reaches DynamoDB in any
//! encoding we can think of, and sealed entries only open under their own encryption context.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use dlp_vault::testkit::{sample_content, sample_entry};
use dlp_vault::{
    EncryptionContext, KeyError, KeyProvider, PutOutcome, VaultError, VaultStore, open, seal,
};

/// Synthetic values only: a test card number, a made-up SSN, a reserved-domain email.
const PLANTED: [&str; 3] = ["4111111111111111", "536-22-1120", "jane.roe@example.com"];

/// Every encoding of `v` to look for: plain, hex (both cases), and base64 in every alphabet,
/// at every 3-byte alignment (a value inside a larger base64 string encodes differently
/// depending on its offset; the stable middle part is what to search for).
fn encodings(v: &str) -> Vec<Vec<u8>> {
    let mut out = vec![
        v.as_bytes().to_vec(),
        hex::encode(v).into_bytes(),
        hex::encode_upper(v).into_bytes(),
    ];
    for pad in 0..3usize {
        let mut bytes = vec![0u8; pad];
        bytes.extend_from_slice(v.as_bytes());
        for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
            let enc = engine.encode(&bytes);
            // Skip characters that mix in the padding bytes, and the tail that mixes in
            // whatever follows the value.
            let skip = (pad * 4).div_ceil(3);
            let keep = (v.len() * 4) / 3;
            let inner: String = enc
                .chars()
                .skip(skip)
                .take(keep.saturating_sub(2))
                .collect();
            if inner.len() >= 8 {
                out.push(inner.into_bytes());
            }
        }
    }
    out
}

/// All bytes of an attribute value, and of every attribute name, recursively.
fn collect(v: &AttributeValue, out: &mut Vec<Vec<u8>>) {
    match v {
        AttributeValue::S(s) | AttributeValue::N(s) => out.push(s.as_bytes().to_vec()),
        AttributeValue::B(b) => out.push(b.as_ref().to_vec()),
        AttributeValue::Ss(l) | AttributeValue::Ns(l) => {
            out.extend(l.iter().map(|s| s.as_bytes().to_vec()))
        }
        AttributeValue::Bs(l) => out.extend(l.iter().map(|b| b.as_ref().to_vec())),
        AttributeValue::L(l) => l.iter().for_each(|x| collect(x, out)),
        AttributeValue::M(m) => {
            for (k, x) in m {
                out.push(k.as_bytes().to_vec());
                collect(x, out);
            }
        }
        _ => {}
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_vault_items_hold_no_planted_value() {
    let c = common::clients(None);
    let (store, table) = common::vault_store(&c).await;
    let keys = common::key_provider(&c).await;
    let mut sealed = Vec::new();
    for i in 0..4 {
        let mut e = sample_entry("ws-sec", "conv-sec", &format!("part-{i}"), 1_000 + i, 9_000);
        let ctx = EncryptionContext::new(&e.part, &e.id);
        let content = sample_content(&PLANTED);
        e.sealed = seal(&keys, &ctx, &content).await.unwrap();
        // What the policy's display operators produce: labels and the last 4 digits only.
        e.masked_text = "card •••• 1111, ssn [US_SSN], email [EMAIL_ADDRESS]".into();
        assert_eq!(store.put_if_absent(&e).await.unwrap(), PutOutcome::Inserted);
        sealed.push((e, ctx, content));
    }

    let items = common::scan_all(&c, &table).await;
    assert!(
        items.len() >= 8,
        "entries and part locks scanned: {}",
        items.len()
    );
    let mut blobs = Vec::new();
    for item in &items {
        for (name, v) in item {
            blobs.push(name.as_bytes().to_vec());
            collect(v, &mut blobs);
        }
    }
    // Also the whole item as one string, so a value split across attributes is caught.
    let joined: Vec<u8> = blobs.concat();
    for value in PLANTED {
        for enc in encodings(value) {
            for b in blobs.iter().chain(std::iter::once(&joined)) {
                assert!(
                    !contains(b, &enc),
                    "a planted value appears in a raw DynamoDB item (encoding of length {})",
                    enc.len()
                );
            }
        }
    }

    // The check can fail: the same scan over an entry whose masked text leaks a value finds it.
    let mut leaky = sample_entry("ws-sec", "conv-sec", "part-leaky", 5, 9_000);
    leaky.masked_text = format!("oops {}", PLANTED[0]);
    store.put_if_absent(&leaky).await.unwrap();
    let items = common::scan_all(&c, &table).await;
    let mut found = false;
    for item in &items {
        let mut blobs = Vec::new();
        for v in item.values() {
            collect(v, &mut blobs);
        }
        found |= blobs.iter().any(|b| contains(b, PLANTED[0].as_bytes()));
    }
    assert!(found, "the leak detector must see a planted value in clear");

    // And every sealed entry still opens under its own context, through KMS.
    for (e, ctx, content) in &sealed {
        let stored = store.get(&e.id).await.unwrap().unwrap();
        assert_eq!(&open(&keys, ctx, &stored.sealed).await.unwrap(), content);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kms_refuses_another_entrys_context() {
    let c = common::clients(None);
    let keys = common::key_provider(&c).await;
    let a = sample_entry("ws", "conv", "part-a", 1, 2);
    let b = sample_entry("ws", "conv", "part-b", 1, 2);
    let ctx_a = EncryptionContext::new(&a.part, &a.id);
    let ctx_b = EncryptionContext::new(&b.part, &b.id);
    let blob = seal(&keys, &ctx_a, &sample_content(&PLANTED))
        .await
        .unwrap();

    match open(&keys, &ctx_b, &blob).await {
        Err(VaultError::Key(KeyError::Unwrap)) => {}
        other => panic!("opening under another entry's context: {:?}", other.err()),
    }
    // Same entry id, one context field changed at a time: KMS binds every field.
    for ctx in [
        EncryptionContext {
            workspace_id: "ws2".into(),
            ..ctx_a.clone()
        },
        EncryptionContext {
            conversation_id: "conv2".into(),
            ..ctx_a.clone()
        },
        EncryptionContext {
            part_id: "part-b".into(),
            ..ctx_a.clone()
        },
    ] {
        let r = keys
            .decrypt_data_key(&blob.key_id, &blob.wrapped_key, &ctx)
            .await;
        assert!(
            matches!(r, Err(KeyError::Unwrap)),
            "wrong context: {:?}",
            r.err()
        );
    }
    // A wrapped key that is not a KMS ciphertext at all.
    let r = keys
        .decrypt_data_key(&blob.key_id, b"not a ciphertext blob", &ctx_a)
        .await;
    assert!(r.is_err(), "garbage wrapped key must not unwrap");
    // A key id that does not exist: refused, not "unwrap", and the error names no value.
    let r = keys
        .decrypt_data_key(
            "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000",
            &blob.wrapped_key,
            &ctx_a,
        )
        .await;
    // (match, not expect_err: the Ok side is a key and must not be printed)
    let Err(err) = r else {
        panic!("unknown key must fail")
    };
    let msg = err.to_string();
    for v in PLANTED {
        assert!(!msg.contains(v));
    }
    assert!(
        open(&keys, &ctx_a, &blob).await.is_ok(),
        "own context opens"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_errors_carry_no_item_content() {
    let c = common::clients(None);
    // A table that does not exist: the error names the operation and AWS code only.
    let store = dlp_aws::DynamoVaultStore::new(c.dynamodb().clone(), "dlp-test-no-such-table");
    let mut e = sample_entry("ws", "conv", "part", 1, 2);
    e.masked_text = format!("masked {}", PLANTED[2]);
    let err = store.put_if_absent(&e).await.unwrap_err().to_string();
    assert!(err.contains("TransactWriteItems"), "{err}");
    for v in PLANTED {
        assert!(!err.contains(v), "{err}");
    }
    assert!(!err.contains("part"), "{err}");
}
