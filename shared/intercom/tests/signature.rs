#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Webhook signature checks against known-answer vectors computed independently with OpenSSL.
//!
//! Vectors (run in tests/data/):
//!   openssl dgst -sha1 -hmac synthetic-client-secret-1 webhook-user-created-signed-example.docs.json
//!     → 0e9b78a5d2c24076cf1a36f8b3886b3bf83113b0
//!   openssl dgst -sha1 -hmac rotated-secret-2 webhook-user-created-signed-example.docs.json
//!     → 466d815b119635158a13aad05f839a9f60f1bed9
//!   openssl dgst -sha1 -hmac synthetic-client-secret-1 webhook-ping.serverless-offline-capture.json
//!     → 42c0dd0b186112b0e1ad87942c1e8ee97ac7a8b7
//!   openssl dgst -sha1 -hmac rotated-secret-2 webhook-ping.serverless-offline-capture.json
//!     → a888abb22c2c2e786c2220817202e6d41f44d54f
//!   openssl dgst -sha1 -hmac synthetic-client-secret-1 webhook-conversation-user-replied.synthetic.json
//!     → 5c30e00e31f4598dd12ecd580d8806d3f775802d
//!   printf 'x' > x; openssl dgst -sha1 -hmac key x
//!     → 2a00e8e8343df86c4c188b263eeca331afa31548

use base64::Engine as _;
use dlp_intercom::signature::{SecretSlot, SignatureError, WebhookVerifier, sign};
use secrecy::SecretString;

const SECRET: &str = "synthetic-client-secret-1";
const ROTATED: &str = "rotated-secret-2";

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn verifier(secret: &str) -> WebhookVerifier {
    WebhookVerifier::new(SecretString::from(secret)).unwrap()
}

#[test]
fn known_answer_vectors_verify() {
    let cases = [
        (
            "webhook-user-created-signed-example.docs.json",
            SECRET,
            "0e9b78a5d2c24076cf1a36f8b3886b3bf83113b0",
        ),
        (
            "webhook-user-created-signed-example.docs.json",
            ROTATED,
            "466d815b119635158a13aad05f839a9f60f1bed9",
        ),
        (
            "webhook-ping.serverless-offline-capture.json",
            SECRET,
            "42c0dd0b186112b0e1ad87942c1e8ee97ac7a8b7",
        ),
        (
            "webhook-ping.serverless-offline-capture.json",
            ROTATED,
            "a888abb22c2c2e786c2220817202e6d41f44d54f",
        ),
        (
            "webhook-conversation-user-replied.synthetic.json",
            SECRET,
            "5c30e00e31f4598dd12ecd580d8806d3f775802d",
        ),
    ];
    for (file, secret, hex) in cases {
        let body = data(file);
        let header = format!("sha1={hex}");
        assert_eq!(
            verifier(secret).verify(Some(&header), &body),
            Ok(SecretSlot::Current),
            "{file} with {secret}"
        );
        // Our own signer agrees with OpenSSL.
        assert_eq!(sign(&SecretString::from(secret), &body), header);
    }
    assert_eq!(
        verifier("key").verify(Some("sha1=2a00e8e8343df86c4c188b263eeca331afa31548"), b"x"),
        Ok(SecretSlot::Current)
    );
}

#[test]
fn wrong_secret_is_a_mismatch() {
    let body = data("webhook-user-created-signed-example.docs.json");
    let header = "sha1=0e9b78a5d2c24076cf1a36f8b3886b3bf83113b0";
    assert_eq!(
        verifier("another-secret").verify(Some(header), &body),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn body_changed_by_one_byte_is_a_mismatch() {
    let mut body = data("webhook-user-created-signed-example.docs.json");
    let header = "sha1=0e9b78a5d2c24076cf1a36f8b3886b3bf83113b0";
    assert!(verifier(SECRET).verify(Some(header), &body).is_ok());
    for pos in [0, body.len() / 2, body.len() - 1] {
        let original = body[pos];
        body[pos] ^= 0x01;
        assert_eq!(
            verifier(SECRET).verify(Some(header), &body),
            Err(SignatureError::Mismatch),
            "byte {pos}"
        );
        body[pos] = original;
    }
    // A trailing newline (what a re-serialising proxy might add) also breaks it.
    body.push(b'\n');
    assert_eq!(
        verifier(SECRET).verify(Some(header), &body),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn malformed_headers_are_rejected_without_echoing_them() {
    let body = data("webhook-user-created-signed-example.docs.json");
    let cases: [(Option<&str>, SignatureError); 8] = [
        (None, SignatureError::Missing),
        // truncated digest
        (
            Some("sha1=0e9b78a5d2c24076cf1a36f8b3886b3bf83113b"),
            SignatureError::Malformed,
        ),
        (Some("sha1=0e9b78a5"), SignatureError::Malformed),
        (Some("sha1="), SignatureError::Malformed),
        (
            Some("0e9b78a5d2c24076cf1a36f8b3886b3bf83113b0"),
            SignatureError::Malformed,
        ),
        (
            Some("sha256=0e9b78a5d2c24076cf1a36f8b3886b3bf83113b0"),
            SignatureError::UnsupportedAlgorithm,
        ),
        (
            Some("sha256=4f1c1d0b1b0e34d4c1b4bd7f57f5c7cfb0b67d5b9ff3e2b6d3e1f1e62c4a9a11"),
            SignatureError::UnsupportedAlgorithm,
        ),
        (
            Some("sha1=0e9b78a5d2c24076cf1a36f8b3886b3bf83113bz"),
            SignatureError::Malformed,
        ),
    ];
    for (header, expected) in cases {
        let err = verifier(SECRET).verify(header, &body).unwrap_err();
        assert_eq!(err, expected, "{header:?}");
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains("0e9b78a5"),
            "error echoes the header: {shown}"
        );
        assert!(!shown.contains(SECRET));
    }
}

#[test]
fn rotation_accepts_both_secrets_and_says_which() {
    let body = data("webhook-ping.serverless-offline-capture.json");
    let v = WebhookVerifier::new(SecretString::from(ROTATED))
        .unwrap()
        .with_previous(SecretString::from(SECRET));
    assert_eq!(
        v.verify(Some("sha1=a888abb22c2c2e786c2220817202e6d41f44d54f"), &body),
        Ok(SecretSlot::Current)
    );
    assert_eq!(
        v.verify(Some("sha1=42c0dd0b186112b0e1ad87942c1e8ee97ac7a8b7"), &body),
        Ok(SecretSlot::Previous)
    );
    // Without the previous secret, the old signature no longer verifies.
    assert_eq!(
        verifier(ROTATED).verify(Some("sha1=42c0dd0b186112b0e1ad87942c1e8ee97ac7a8b7"), &body),
        Err(SignatureError::Mismatch)
    );
    // An empty previous secret (unset setting) is ignored, not accepted as a key.
    let v = verifier(SECRET).with_previous(SecretString::from(""));
    assert!(format!("{v:?}").contains("previous_configured: false"));
}

#[test]
fn empty_secret_is_refused() {
    assert_eq!(
        WebhookVerifier::new(SecretString::from("")).unwrap_err(),
        SignatureError::EmptySecret
    );
}

#[test]
fn verify_request_finds_header_in_any_case_and_decodes_base64() {
    let raw = data("webhook-ping.serverless-offline-capture.json");
    let sig = "sha1=42c0dd0b186112b0e1ad87942c1e8ee97ac7a8b7";
    let v = verifier(SECRET);
    for name in ["X-Hub-Signature", "x-hub-signature", "X-HUB-SIGNATURE"] {
        let headers = [("content-type", "application/json"), (name, sig)];
        let verified = v.verify_request(headers, &raw, false).unwrap();
        assert_eq!(&*verified, raw.as_slice());
    }
    // API Gateway: the body arrives base64-encoded with isBase64Encoded = true; the signature
    // covers the decoded bytes.
    let encoded = base64::engine::general_purpose::STANDARD.encode(&raw);
    let verified = v
        .verify_request([("X-Hub-Signature", sig)], encoded.as_bytes(), true)
        .unwrap();
    assert_eq!(&*verified, raw.as_slice());
    // The encoded text itself is not what was signed.
    assert_eq!(
        v.verify_request([("X-Hub-Signature", sig)], encoded.as_bytes(), false)
            .unwrap_err(),
        SignatureError::Mismatch
    );
    assert_eq!(
        v.verify_request([("X-Hub-Signature", sig)], b"not base64!!", true)
            .unwrap_err(),
        SignatureError::InvalidBase64
    );
    assert_eq!(
        v.verify_request([("X-Other", sig)], &raw, false)
            .unwrap_err(),
        SignatureError::Missing
    );
}
