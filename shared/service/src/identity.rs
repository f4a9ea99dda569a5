//! Who is calling the review API, and what they may do.
//!
//! Owns: the [`Identity`] request extension (subject, email, roles), parsing roles out of a
//! configurable token claim in every shape identity providers and API Gateway produce, and the
//! role rules (`auditor` reads, `reviewer` reads and reveals).
//!
//! Must never: verify signatures (the edge does that: API Gateway's JWT authorizer in AWS,
//! [`crate::jwt`] locally) or trust an identity that did not come from a verified token.

use serde::Serialize;
use serde_json::Value;

/// The role that may read findings (masked) and audit events.
pub const ROLE_AUDITOR: &str = "auditor";
/// The role that may also reveal originals. Includes everything [`ROLE_AUDITOR`] may do.
pub const ROLE_REVIEWER: &str = "reviewer";
/// Default name of the claim that carries roles.
pub const DEFAULT_ROLES_CLAIM: &str = "roles";

/// A verified caller, inserted as a request extension by the authentication edge. A request
/// without one is answered 401.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// The token subject. Every request is attributed to it (`user:<sub>` in audit events).
    pub sub: String,
    pub email: Option<String>,
    pub roles: Vec<String>,
}

/// What an identity may do on the review API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    None,
    Read,
    Reveal,
}

impl Identity {
    /// Build from verified token claims. `None` when there is no usable subject.
    pub fn from_claims(claims: &Value, roles_claim: &str) -> Option<Identity> {
        let sub = claims.get("sub").and_then(Value::as_str)?.trim();
        if sub.is_empty() {
            return None;
        }
        let email = claims
            .get("email")
            .and_then(Value::as_str)
            .filter(|e| !e.is_empty())
            .map(str::to_owned);
        let roles = claims.get(roles_claim).map(parse_roles).unwrap_or_default();
        Some(Identity {
            sub: sub.to_owned(),
            email,
            roles,
        })
    }

    pub fn access(&self) -> Access {
        if self.has_role(ROLE_REVIEWER) {
            Access::Reveal
        } else if self.has_role(ROLE_AUDITOR) {
            Access::Read
        } else {
            Access::None
        }
    }

    pub fn can_read(&self) -> bool {
        self.access() >= Access::Read
    }

    pub fn can_reveal(&self) -> bool {
        self.access() >= Access::Reveal
    }

    fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// The audit actor string for this caller.
    pub fn actor(&self) -> String {
        format!("user:{}", self.sub)
    }
}

/// Roles from a claim value. Accepts a JSON array of strings, a space- or comma-separated
/// string, and API Gateway's flattening of arrays into `"[a b]"` (HTTP API JWT authorizers
/// pass every claim to the function as a string). Anything else yields no roles.
pub fn parse_roles(value: &Value) -> Vec<String> {
    let mut roles: Vec<String> = match value {
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        Value::String(s) => {
            let s = s.trim();
            let s = s
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .unwrap_or(s);
            s.split(|c: char| c == ',' || c.is_whitespace())
                // A JSON array serialised into a string ("[\"a\",\"b\"]") also parses.
                .map(|r| r.trim().trim_matches('"'))
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect()
        }
        _ => Vec::new(),
    };
    roles.sort();
    roles.dedup();
    roles
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn roles_claim_shapes() {
        let cases: &[(Value, &[&str])] = &[
            (json!(["reviewer", "auditor"]), &["auditor", "reviewer"]),
            (json!("reviewer auditor"), &["auditor", "reviewer"]),
            (json!("reviewer,auditor"), &["auditor", "reviewer"]),
            (json!("reviewer, auditor"), &["auditor", "reviewer"]),
            (json!("[reviewer auditor]"), &["auditor", "reviewer"]),
            (json!("[reviewer]"), &["reviewer"]),
            (
                json!("[\"reviewer\",\"auditor\"]"),
                &["auditor", "reviewer"],
            ),
            (json!("[]"), &[]),
            (json!(""), &[]),
            (json!(42), &[]),
            (json!({"a": "reviewer"}), &[]),
            (json!([1, "auditor", null]), &["auditor"]),
        ];
        for (value, want) in cases {
            assert_eq!(parse_roles(value), *want, "claim {value}");
        }
    }

    #[test]
    fn access_levels() {
        let id = |roles: Value| {
            Identity::from_claims(&json!({"sub": "alice", "groups": roles}), "groups").unwrap()
        };
        assert_eq!(id(json!(["reviewer"])).access(), Access::Reveal);
        assert_eq!(id(json!(["auditor"])).access(), Access::Read);
        assert_eq!(id(json!(["auditor", "reviewer"])).access(), Access::Reveal);
        assert_eq!(id(json!(["admin"])).access(), Access::None);
        // Case matters: role names are exact.
        assert_eq!(id(json!(["Reviewer"])).access(), Access::None);
        assert!(id(json!("[auditor]")).can_read());
        assert!(!id(json!("[auditor]")).can_reveal());
    }

    #[test]
    fn identity_needs_a_subject() {
        assert!(Identity::from_claims(&json!({"roles": ["reviewer"]}), "roles").is_none());
        assert!(Identity::from_claims(&json!({"sub": " "}), "roles").is_none());
        let id = Identity::from_claims(
            &json!({"sub": "alice", "email": "alice@example.com"}),
            "roles",
        )
        .unwrap();
        assert_eq!(id.email.as_deref(), Some("alice@example.com"));
        assert!(id.roles.is_empty());
        assert_eq!(id.actor(), "user:alice");
    }
}
