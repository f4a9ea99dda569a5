//! Webhook signature: `X-Hub-Signature: sha1=<lowercase hex HMAC-SHA1(client_secret, raw body)>`.
//!
//! Owns the check of the exact bytes Intercom sent (after undoing API Gateway's base64), with
//! up to two secrets so the app's client secret can be rotated without dropping deliveries.
//! It must never parse the body before the signature is verified, never compare in variable
//! time, and never put the header, the body or a secret into an error.

use std::borrow::Cow;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha1::Sha1;
use subtle::{Choice, ConstantTimeEq};

type HmacSha1 = Hmac<Sha1>;

/// The header Intercom signs deliveries with. Header names are case-insensitive.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature";

/// Length of a SHA-1 digest in bytes.
const SHA1_LEN: usize = 20;

/// Why a delivery was rejected. Messages are constant: none quotes the header, body or secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("webhook signature header is missing")]
    Missing,
    #[error("webhook signature header is malformed")]
    Malformed,
    #[error("webhook signature uses an unsupported algorithm (Intercom signs with sha1)")]
    UnsupportedAlgorithm,
    #[error("webhook signature does not match")]
    Mismatch,
    #[error("webhook body is not valid base64")]
    InvalidBase64,
    #[error("webhook secret is empty")]
    EmptySecret,
}

impl SignatureError {
    /// A short stable label for metrics and aggregated audit events.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Missing => "signature_missing",
            Self::Malformed => "signature_malformed",
            Self::UnsupportedAlgorithm => "signature_algorithm",
            Self::Mismatch => "signature_mismatch",
            Self::InvalidBase64 => "body_base64_invalid",
            Self::EmptySecret => "secret_empty",
        }
    }
}

/// Which configured secret verified a delivery: once no delivery verifies with `Previous` any
/// more, the old secret can be removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSlot {
    Current,
    Previous,
}

/// Verifies Intercom webhook signatures against the current secret and, during a rotation,
/// the previous one.
pub struct WebhookVerifier {
    current: SecretString,
    previous: Option<SecretString>,
}

impl std::fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("previous_configured", &self.previous.is_some())
            .finish_non_exhaustive()
    }
}

impl WebhookVerifier {
    /// A verifier with one secret. An empty secret is a configuration error: it would make
    /// every signature computable by anyone.
    pub fn new(current: SecretString) -> Result<Self, SignatureError> {
        if current.expose_secret().is_empty() {
            return Err(SignatureError::EmptySecret);
        }
        Ok(Self {
            current,
            previous: None,
        })
    }

    /// Also accept `previous` (the secret being rotated out). An empty value is ignored, so
    /// an unset optional setting needs no special case.
    pub fn with_previous(mut self, previous: SecretString) -> Self {
        if !previous.expose_secret().is_empty() {
            self.previous = Some(previous);
        }
        self
    }

    /// Verify `signature_header` (the value of `X-Hub-Signature`, if present) over the exact
    /// body bytes received.
    pub fn verify(
        &self,
        signature_header: Option<&str>,
        raw_body: &[u8],
    ) -> Result<SecretSlot, SignatureError> {
        let expected = parse_header(signature_header.ok_or(SignatureError::Missing)?)?;
        let current = digest_matches(&self.current, raw_body, &expected);
        // Compute the second digest whether or not the first matched, so timing does not
        // tell which secret is in use.
        let previous = match &self.previous {
            Some(secret) => digest_matches(secret, raw_body, &expected),
            None => Choice::from(0),
        };
        if bool::from(current) {
            Ok(SecretSlot::Current)
        } else if bool::from(previous) {
            Ok(SecretSlot::Previous)
        } else {
            Err(SignatureError::Mismatch)
        }
    }

    /// Verify a request as an HTTP front end hands it over: find the header by name in any
    /// case, undo API Gateway's base64 when `body_is_base64` is set, verify, and return the
    /// raw body bytes that were verified (the only bytes that may be parsed afterwards).
    pub fn verify_request<'h, 'b>(
        &self,
        headers: impl IntoIterator<Item = (&'h str, &'h str)>,
        body: &'b [u8],
        body_is_base64: bool,
    ) -> Result<Cow<'b, [u8]>, SignatureError> {
        let header = find_header(headers, SIGNATURE_HEADER);
        let raw = decode_body(body, body_is_base64)?;
        self.verify(header, &raw)?;
        Ok(raw)
    }
}

/// The first header named `name`, compared case-insensitively.
pub fn find_header<'h>(
    headers: impl IntoIterator<Item = (&'h str, &'h str)>,
    name: &str,
) -> Option<&'h str> {
    headers
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// Undo API Gateway's base64 encoding of a body (flag `isBase64Encoded`).
pub fn decode_body(body: &[u8], is_base64: bool) -> Result<Cow<'_, [u8]>, SignatureError> {
    if !is_base64 {
        return Ok(Cow::Borrowed(body));
    }
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .map(Cow::Owned)
        .map_err(|_| SignatureError::InvalidBase64)
}

/// The header value Intercom would send for `body` signed with `secret`: `sha1=<hex>`.
/// Used by tests and by tools that replay deliveries against a local endpoint.
pub fn sign(secret: &SecretString, body: &[u8]) -> String {
    format!("sha1={}", hex::encode(digest(secret, body)))
}

fn digest(secret: &SecretString, body: &[u8]) -> [u8; SHA1_LEN] {
    // HMAC accepts keys of any length, so this cannot fail; fall back to an all-zero digest
    // (which matches nothing real) rather than panic.
    match HmacSha1::new_from_slice(secret.expose_secret().as_bytes()) {
        Ok(mut mac) => {
            mac.update(body);
            mac.finalize().into_bytes().into()
        }
        Err(_) => [0; SHA1_LEN],
    }
}

fn digest_matches(secret: &SecretString, body: &[u8], expected: &[u8; SHA1_LEN]) -> Choice {
    digest(secret, body).ct_eq(expected)
}

fn parse_header(value: &str) -> Result<[u8; SHA1_LEN], SignatureError> {
    let value = value.trim();
    let (algorithm, hex_digest) = value.split_once('=').ok_or(SignatureError::Malformed)?;
    if !algorithm.eq_ignore_ascii_case("sha1") {
        return if algorithm.is_empty() || !algorithm.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Err(SignatureError::Malformed)
        } else {
            Err(SignatureError::UnsupportedAlgorithm)
        };
    }
    if hex_digest.len() != SHA1_LEN * 2 {
        return Err(SignatureError::Malformed);
    }
    let mut out = [0u8; SHA1_LEN];
    hex::decode_to_slice(hex_digest, &mut out).map_err(|_| SignatureError::Malformed)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_header_accepts_upper_case_hex_and_spaces() {
        let d = parse_header(" sha1=21FF2E149E0FDCAC6F947740F6177F6434BDA921 ").unwrap();
        assert_eq!(hex::encode(d), "21ff2e149e0fdcac6f947740f6177f6434bda921");
    }

    #[test]
    fn parse_header_rejects_shapes() {
        assert_eq!(parse_header("21ff"), Err(SignatureError::Malformed));
        assert_eq!(parse_header("sha1="), Err(SignatureError::Malformed));
        assert_eq!(
            parse_header("sha1=zzff2e149e0fdcac6f947740f6177f6434bda921"),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            parse_header("sha256=21ff2e149e0fdcac6f947740f6177f6434bda921"),
            Err(SignatureError::UnsupportedAlgorithm)
        );
    }
}
