//! The policy document (TOML, or JSON with the same structure): default and per-entity modes,
//! thresholds, retention, masking operators, custom rules and the hashed allowlist. This
//! module parses and checks the document and answers questions about it; it never scans.
//!
//! ```toml
//! mode = "detect"                 # default for every entity: ignore | detect | redact
//! threshold = 0.5
//! retention_days = 30
//! [entities.CREDIT_CARD]
//! mode = "redact"
//! mask = "last4"                  # last4 | label | placeholder
//! [entities.EMAIL_ADDRESS]
//! mode = "ignore"
//! [[rules]]                       # custom rule, same fields as built-in rules
//! id = "acme-member-id"
//! entity = "HEALTH_PLAN_ID"
//! pattern = '\bACM-\d{8}\b'
//! context = ["member", "plan"]
//! [allowlist]
//! values_sha256 = ["…"]           # HMAC-SHA256 of normalised values (`dlp allowlist hash`)
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::DEFAULT_THRESHOLD;
use crate::entity::Entity;
use crate::error::PolicyError;
use crate::mask::{MaskOp, MaskingPolicy};
use crate::spec::RuleSpec;

/// Default retention of vault entries, in days.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;

/// What the service does with findings of an entity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Not scanned for (its rules are left out of the detector).
    Ignore,
    /// Recorded in the vault, tagged and notified; the message stays.
    #[default]
    Detect,
    /// As detect, and the part is redacted in Intercom.
    Redact,
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        match s {
            "ignore" => Ok(Mode::Ignore),
            "detect" => Ok(Mode::Detect),
            "redact" => Ok(Mode::Redact),
            _ => Err(format!("unknown mode `{s}` (ignore | detect | redact)")),
        }
    }
}

/// Settings of one entity; unset fields fall back to the top-level ones.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
    /// Display operator: `last4`, `label` or `placeholder`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mask: Option<String>,
    /// Text of the `placeholder` operator (default `[REDACTED]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
}

/// Values never to flag, as keyed hashes so that the policy never holds them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowlist {
    /// Hex HMAC-SHA256 of each value's normalised form (see `normalize_value`).
    #[serde(default)]
    pub values_sha256: Vec<String>,
}

/// A parsed, checked policy document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default)]
    pub mode: Mode,
    #[serde(default = "default_threshold")]
    pub threshold: f32,
    #[serde(default = "default_retention")]
    pub retention_days: u32,
    #[serde(default)]
    pub entities: BTreeMap<String, EntityPolicy>,
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    #[serde(default)]
    pub allowlist: Allowlist,
    /// Notification settings, interpreted by the service (which entities / modes notify).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<serde_json::Value>,
}

fn default_threshold() -> f32 {
    DEFAULT_THRESHOLD
}
fn default_retention() -> u32 {
    DEFAULT_RETENTION_DAYS
}

impl Default for Policy {
    /// Mode detect, threshold [`DEFAULT_THRESHOLD`], retention 30 days, no custom rules.
    fn default() -> Policy {
        Policy {
            mode: Mode::Detect,
            threshold: DEFAULT_THRESHOLD,
            retention_days: DEFAULT_RETENTION_DAYS,
            entities: BTreeMap::new(),
            rules: Vec::new(),
            allowlist: Allowlist::default(),
            notify: None,
        }
    }
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> PolicyError {
    PolicyError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

impl Policy {
    pub fn from_toml_str(s: &str) -> Result<Policy, PolicyError> {
        let p: Policy = toml::from_str(s).map_err(|e| PolicyError::Toml(e.to_string()))?;
        p.validate()?;
        Ok(p)
    }

    pub fn from_json_str(s: &str) -> Result<Policy, PolicyError> {
        let p: Policy = serde_json::from_str(s).map_err(|e| PolicyError::Json(e.to_string()))?;
        p.validate()?;
        Ok(p)
    }

    /// Reads a policy file: JSON when it ends in `.json` or starts with `{`, TOML otherwise.
    pub fn load(path: impl AsRef<Path>) -> Result<Policy, PolicyError> {
        let path = path.as_ref();
        let s = std::fs::read_to_string(path).map_err(|source| PolicyError::Io {
            path: path.display().to_string(),
            source,
        })?;
        if path.extension().is_some_and(|e| e == "json") || s.trim_start().starts_with('{') {
            Policy::from_json_str(&s)
        } else {
            Policy::from_toml_str(&s)
        }
    }

    /// Checks values serde cannot: ranges, entity names, masks, rule structure, hashes.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(invalid("threshold", "must be between 0 and 1"));
        }
        if self.retention_days == 0 {
            return Err(invalid("retention_days", "must be at least 1"));
        }
        let custom: Vec<&str> = self.rules.iter().map(|r| r.entity.as_str()).collect();
        for (name, e) in &self.entities {
            let field = format!("entities.{name}");
            if !Entity::new(name).is_builtin() && !custom.contains(&name.as_str()) {
                return Err(invalid(
                    field,
                    "unknown entity (not built in and no custom rule reports it)",
                ));
            }
            if let Some(t) = e.threshold
                && !(0.0..=1.0).contains(&t)
            {
                return Err(invalid(
                    format!("{field}.threshold"),
                    "must be between 0 and 1",
                ));
            }
            if e.retention_days == Some(0) {
                return Err(invalid(
                    format!("{field}.retention_days"),
                    "must be at least 1",
                ));
            }
            if let Some(m) = &e.mask
                && !matches!(m.as_str(), "last4" | "label" | "placeholder")
            {
                return Err(invalid(
                    format!("{field}.mask"),
                    "must be last4, label or placeholder",
                ));
            }
        }
        for (i, r) in self.rules.iter().enumerate() {
            r.check().map_err(|e| {
                invalid(format!("rules[{i}] (id `{}`)", r.id), e.kind().to_string())
            })?;
            if r.shape.as_deref() == Some("person") {
                return Err(invalid(
                    format!("rules[{i}] (id `{}`).shape", r.id),
                    "shape person is built in only",
                ));
            }
        }
        for (i, h) in self.allowlist.values_sha256.iter().enumerate() {
            let h = h.trim();
            if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid(
                    format!("allowlist.values_sha256[{i}]"),
                    "must be 64 hex digits",
                ));
            }
        }
        Ok(())
    }

    /// The mode for `entity`: its own, else the top-level default.
    pub fn mode_for(&self, entity: &Entity) -> Mode {
        self.entities
            .get(entity.as_str())
            .and_then(|e| e.mode)
            .unwrap_or(self.mode)
    }

    /// Days a vault entry of `entity` is kept.
    pub fn retention_days_for(&self, entity: &Entity) -> u32 {
        self.entities
            .get(entity.as_str())
            .and_then(|e| e.retention_days)
            .unwrap_or(self.retention_days)
    }

    /// Score at or above which findings of `entity` are reported.
    pub fn threshold_for(&self, entity: &Entity) -> f32 {
        self.entities
            .get(entity.as_str())
            .and_then(|e| e.threshold)
            .unwrap_or(self.threshold)
    }

    /// The global threshold.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Display operators: the built-in defaults overridden by per-entity `mask` settings.
    pub fn masking(&self) -> MaskingPolicy {
        let mut m = MaskingPolicy::default();
        for (name, e) in &self.entities {
            let op = match e.mask.as_deref() {
                Some("last4") => MaskOp::KeepLast4,
                Some("label") => MaskOp::EntityLabel,
                Some("placeholder") => MaskOp::Placeholder(
                    e.placeholder.clone().unwrap_or_else(|| "[REDACTED]".into()),
                ),
                _ => continue,
            };
            m.set(Entity::new(name), op);
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"
mode = "detect"
threshold = 0.6
retention_days = 30
[entities.CREDIT_CARD]
mode = "redact"
retention_days = 7
[entities.EMAIL_ADDRESS]
mode = "ignore"
[[rules]]
id = "acme-member-id"
entity = "HEALTH_PLAN_ID"
pattern = '\bACM-\d{8}\b'
context = ["member", "plan"]
[allowlist]
values_sha256 = ["0000000000000000000000000000000000000000000000000000000000000000"]
"#;

    #[test]
    fn parses_architecture_example() {
        let p = Policy::from_toml_str(DOC).unwrap();
        assert_eq!(p.mode_for(&Entity::CREDIT_CARD), Mode::Redact);
        assert_eq!(p.mode_for(&Entity::EMAIL_ADDRESS), Mode::Ignore);
        assert_eq!(p.mode_for(&Entity::US_SSN), Mode::Detect);
        assert_eq!(p.retention_days_for(&Entity::CREDIT_CARD), 7);
        assert_eq!(p.retention_days_for(&Entity::US_SSN), 30);
        assert_eq!(p.threshold(), 0.6);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(Policy::from_json_str(&json).unwrap(), p);
    }

    #[test]
    fn defaults() {
        let p = Policy::default();
        assert_eq!(p.mode, Mode::Detect);
        assert_eq!(p.threshold, DEFAULT_THRESHOLD);
        assert_eq!(p.retention_days, 30);
        assert_eq!(Policy::from_toml_str("").unwrap(), p);
    }

    #[test]
    fn errors_name_the_field() {
        let cases: &[(&str, &str)] = &[
            ("threshold = 2.0", "threshold"),
            ("mode = \"shout\"", "shout"),
            ("[entities.NOPE]\nmode = \"redact\"", "entities.NOPE"),
            (
                "[entities.US_SSN]\nmask = \"stars\"",
                "entities.US_SSN.mask",
            ),
            (
                "[[rules]]\nid = \"Bad Id\"\nentity = \"X\"\npattern = 'x'",
                "Bad Id",
            ),
            ("[[rules]]\nid = \"two\"\nentity = \"X\"", "two"),
            (
                "[allowlist]\nvalues_sha256 = [\"abc\"]",
                "allowlist.values_sha256[0]",
            ),
            ("colour = \"red\"", "colour"),
        ];
        for (doc, needle) in cases {
            let e = Policy::from_toml_str(doc).unwrap_err().to_string();
            assert!(e.contains(needle), "{doc}: {e}");
        }
    }
}
