//! HS256 JSON Web Tokens for local mode (`dlp serve`, `dlp token`).
//!
//! Owns: signing and verifying compact HS256 JWTs with a shared secret: the header must say
//! `alg: HS256` (no `none`, no algorithm confusion), the MAC is compared in constant time,
//! `exp` is required, `nbf` and `iat` are honoured, and issuer and audience must match.
//!
//! Must never: accept another algorithm, put token contents or the secret in errors or logs.
//! In AWS the API Gateway JWT authorizer does this job against the organisation's identity
//! provider; this module is the local stand-in.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use serde_json::{Value, json};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Issuer of locally minted tokens.
pub const LOCAL_ISSUER: &str = "dlp-local";
/// Audience of locally minted tokens.
pub const LOCAL_AUDIENCE: &str = "dlp-review";
/// Default token lifetime: 15 minutes (automatic logoff; configurable).
pub const DEFAULT_TTL_SECS: i64 = 15 * 60;
/// Tokens longer than this are rejected before any parsing.
const MAX_TOKEN_LEN: usize = 8 * 1024;
/// Minimum secret length: 256 bits, the HMAC-SHA-256 block-size-independent recommendation.
pub const MIN_SECRET_LEN: usize = 32;

/// Why a token was refused. Deliberately coarse; never carries token contents.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("token malformed")]
    Malformed,
    #[error("token algorithm not accepted")]
    Algorithm,
    #[error("token signature invalid")]
    Signature,
    #[error("token expired")]
    Expired,
    #[error("token not yet valid")]
    NotYetValid,
    #[error("token issuer or audience not accepted")]
    Claims,
    #[error("secret too short")]
    WeakSecret,
}

/// Signs and verifies HS256 tokens with one secret.
pub struct Hs256 {
    secret: SecretSlice<u8>,
    issuer: String,
    audience: String,
}

impl std::fmt::Debug for Hs256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hs256")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// What `dlp token` puts into a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRequest {
    pub sub: String,
    pub email: Option<String>,
    pub roles: Vec<String>,
    /// Issued-at, seconds since the epoch.
    pub now_secs: i64,
    pub ttl_secs: i64,
}

impl Hs256 {
    /// A verifier for local tokens ([`LOCAL_ISSUER`], [`LOCAL_AUDIENCE`]).
    pub fn new(secret: Vec<u8>) -> Result<Self, JwtError> {
        Self::with_claims(secret, LOCAL_ISSUER, LOCAL_AUDIENCE)
    }

    pub fn with_claims(secret: Vec<u8>, issuer: &str, audience: &str) -> Result<Self, JwtError> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(JwtError::WeakSecret);
        }
        Ok(Self {
            secret: SecretSlice::from(secret),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        })
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length; this cannot fail.
        match HmacSha256::new_from_slice(self.secret.expose_secret()) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC accepts any key length"),
        }
    }

    /// Mint a token. Roles go into the `roles` claim as a JSON array.
    pub fn sign(&self, req: &TokenRequest) -> String {
        let mut claims = json!({
            "sub": req.sub,
            "roles": req.roles,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": req.now_secs,
            "nbf": req.now_secs,
            "exp": req.now_secs.saturating_add(req.ttl_secs),
        });
        if let Some(email) = &req.email {
            claims["email"] = Value::String(email.clone());
        }
        self.sign_claims(&claims)
    }

    /// Sign arbitrary claims (tests use it for malformed-claim cases).
    pub fn sign_claims(&self, claims: &Value) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{sig}")
    }

    /// Verify a compact token at `now_secs` and return its claims.
    pub fn verify(&self, token: &str, now_secs: i64) -> Result<Value, JwtError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(JwtError::Malformed);
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Malformed);
        };
        let header: Value = decode_json(h)?;
        if header.get("alg").and_then(Value::as_str) != Some("HS256") {
            return Err(JwtError::Algorithm);
        }
        // The signature is checked before the payload is even parsed.
        let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Malformed)?;
        let mut mac = self.mac();
        mac.update(h.as_bytes());
        mac.update(b".");
        mac.update(p.as_bytes());
        mac.verify_slice(&sig).map_err(|_| JwtError::Signature)?;

        let claims: Value = decode_json(p)?;
        let exp = claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or(JwtError::Malformed)?;
        if now_secs >= exp {
            return Err(JwtError::Expired);
        }
        for key in ["nbf", "iat"] {
            match claims.get(key) {
                None => {}
                Some(v) => {
                    let t = v.as_i64().ok_or(JwtError::Malformed)?;
                    if t > now_secs {
                        return Err(JwtError::NotYetValid);
                    }
                }
            }
        }
        if claims.get("iss").and_then(Value::as_str) != Some(self.issuer.as_str()) {
            return Err(JwtError::Claims);
        }
        let aud_ok = match claims.get("aud") {
            Some(Value::String(a)) => *a == self.audience,
            Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(&self.audience)),
            _ => false,
        };
        if !aud_ok {
            return Err(JwtError::Claims);
        }
        Ok(claims)
    }
}

fn decode_json(segment: &str) -> Result<Value, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| JwtError::Malformed)?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed)?;
    if !v.is_object() {
        return Err(JwtError::Malformed);
    }
    Ok(v)
}

/// Parse a lifetime like `15m`, `900s`, `1h`, `900` (seconds). At most one day.
pub fn parse_ttl(s: &str) -> Option<i64> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: i64 = num.parse().ok()?;
    let secs = match unit {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        _ => return None,
    };
    (1..=86_400).contains(&secs).then_some(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Hs256 {
        Hs256::new(vec![7u8; 32]).unwrap()
    }

    fn req(now: i64) -> TokenRequest {
        TokenRequest {
            sub: "alice@example.com".into(),
            email: Some("alice@example.com".into()),
            roles: vec!["reviewer".into()],
            now_secs: now,
            ttl_secs: DEFAULT_TTL_SECS,
        }
    }

    #[test]
    fn round_trip_and_expiry_boundaries() {
        let k = key();
        let t = k.sign(&req(1_000));
        let claims = k.verify(&t, 1_000).unwrap();
        assert_eq!(claims["sub"], "alice@example.com");
        assert_eq!(claims["roles"], json!(["reviewer"]));
        assert!(k.verify(&t, 1_000 + DEFAULT_TTL_SECS - 1).is_ok());
        assert_eq!(
            k.verify(&t, 1_000 + DEFAULT_TTL_SECS),
            Err(JwtError::Expired)
        );
        assert_eq!(k.verify(&t, 999), Err(JwtError::NotYetValid));
    }

    #[test]
    fn rejects_tampering_and_other_algorithms() {
        let k = key();
        let t = k.sign(&req(1_000));
        let other = Hs256::new(vec![8u8; 32]).unwrap();
        assert_eq!(other.verify(&t, 1_000), Err(JwtError::Signature));

        // Payload swapped for one granting more: signature no longer matches.
        let parts: Vec<&str> = t.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(
            json!({"sub":"mallory","roles":["reviewer"],"exp":9_999_999_999_i64,"iss":LOCAL_ISSUER,"aud":LOCAL_AUDIENCE}).to_string(),
        );
        let t2 = format!("{}.{}.{}", parts[0], forged, parts[2]);
        assert_eq!(k.verify(&t2, 1_000), Err(JwtError::Signature));

        // alg none, and an unsigned token.
        let none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        assert_eq!(
            k.verify(&format!("{none}.{}.", parts[1]), 1_000),
            Err(JwtError::Algorithm)
        );
        let hs512 = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS512"}"#);
        assert_eq!(
            k.verify(&format!("{hs512}.{}.{}", parts[1], parts[2]), 1_000),
            Err(JwtError::Algorithm)
        );
        for bad in [
            "",
            "a.b",
            "a.b.c.d",
            "!!.??.**",
            &"x".repeat(MAX_TOKEN_LEN + 1),
        ] {
            assert!(k.verify(bad, 1_000).is_err(), "{bad:.20}");
        }
        // Every single-character change of the signature is refused.
        let sig_start = t.rfind('.').unwrap() + 1;
        for i in sig_start..t.len() {
            let mut b = t.clone().into_bytes();
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            let s = String::from_utf8(b).unwrap();
            if s != t {
                assert!(k.verify(&s, 1_000).is_err());
            }
        }
    }

    #[test]
    fn claims_checks() {
        let k = key();
        let base = json!({"sub":"a","iss":LOCAL_ISSUER,"aud":LOCAL_AUDIENCE,"exp":2_000});
        assert!(k.verify(&k.sign_claims(&base), 1_000).is_ok());
        let mut no_exp = base.clone();
        no_exp.as_object_mut().unwrap().remove("exp");
        assert_eq!(
            k.verify(&k.sign_claims(&no_exp), 1_000),
            Err(JwtError::Malformed)
        );
        let mut iss = base.clone();
        iss["iss"] = json!("someone-else");
        assert_eq!(k.verify(&k.sign_claims(&iss), 1_000), Err(JwtError::Claims));
        let mut aud = base.clone();
        aud["aud"] = json!(["x", LOCAL_AUDIENCE]);
        assert!(k.verify(&k.sign_claims(&aud), 1_000).is_ok());
        aud["aud"] = json!("x");
        assert_eq!(k.verify(&k.sign_claims(&aud), 1_000), Err(JwtError::Claims));
        assert_eq!(
            k.verify(&k.sign_claims(&json!([1])), 1_000),
            Err(JwtError::Malformed)
        );
    }

    #[test]
    fn secret_and_ttl_rules() {
        assert_eq!(Hs256::new(vec![1u8; 31]).unwrap_err(), JwtError::WeakSecret);
        assert_eq!(parse_ttl("15m"), Some(900));
        assert_eq!(parse_ttl("900"), Some(900));
        assert_eq!(parse_ttl("30s"), Some(30));
        assert_eq!(parse_ttl("1h"), Some(3600));
        assert_eq!(parse_ttl("0m"), None);
        assert_eq!(parse_ttl("2d"), None);
        assert_eq!(parse_ttl("25h"), None);
        assert_eq!(parse_ttl("m"), None);
        assert!(!format!("{:?}", key()).contains("7, 7"));
    }
}
