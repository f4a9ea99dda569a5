//! Errors of the detector layer. They name the rule or the policy field that is wrong and
//! never quote scanned text or allowlisted values.

use thiserror::Error;

/// Building a [`crate::Detector`] failed; [`BuildError::rule_id`] names the rule at fault.
#[derive(Debug, Error)]
#[error("rule `{rule_id}`: {kind}")]
pub struct BuildError {
    rule_id: String,
    kind: BuildErrorKind,
}

#[derive(Debug, Error)]
pub enum BuildErrorKind {
    #[error("invalid pattern: {0}")]
    Pattern(String),
    #[error("rule has neither `pattern` nor `shape`, or both")]
    PatternOrShape,
    #[error("unknown shape `{0}`")]
    UnknownShape(String),
    #[error("unknown validator `{0}`")]
    UnknownValidator(String),
    #[error("invalid entity name `{0}` (upper-case letters, digits and _)")]
    EntityName(String),
    #[error("invalid rule id (lower-case letters, digits and -)")]
    RuleIdSyntax,
    #[error("duplicate rule id")]
    Duplicate,
    #[error("score {0} outside 0..=1")]
    Score(f32),
    #[error("positive example {0} produced no finding of this rule")]
    PositiveExample(usize),
    #[error("negative example {0} produced a finding of this rule")]
    NegativeExample(usize),
    #[error("built-in catalog does not parse: {0}")]
    Catalog(String),
    #[error("matcher construction failed: {0}")]
    Matcher(String),
}

impl BuildError {
    pub(crate) fn new(rule_id: impl Into<String>, kind: BuildErrorKind) -> BuildError {
        BuildError {
            rule_id: rule_id.into(),
            kind,
        }
    }
    /// The id of the rule that could not be built (`<catalog>` for catalog-wide problems).
    pub fn rule_id(&self) -> &str {
        &self.rule_id
    }
    pub fn kind(&self) -> &BuildErrorKind {
        &self.kind
    }
}

/// A policy document could not be read or is invalid. Messages name the field or rule.
#[derive(Debug, Error)]
pub enum PolicyError {
    #[error("cannot read policy file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("policy TOML: {0}")]
    Toml(String),
    #[error("policy JSON: {0}")]
    Json(String),
    #[error("policy field `{field}`: {message}")]
    Invalid { field: String, message: String },
}
