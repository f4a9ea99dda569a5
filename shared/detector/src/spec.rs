//! Rules as data: the serde form shared by the built-in catalog (`rules/builtin.toml`,
//! compiled into the crate) and by custom rules in a policy document. This module parses and
//! checks rule documents; it never compiles or runs patterns.

use serde::{Deserialize, Serialize};

use crate::error::{BuildError, BuildErrorKind};

/// Default boost added to a rule's score when one of its context words is near the value.
pub const DEFAULT_CONTEXT_BOOST: f32 = 0.35;

/// One rule, in the form used by both the built-in catalog and policy `[[rules]]`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable identifier, lower-case letters, digits and `-` (e.g. `aws-access-key-id`).
    pub id: String,
    /// Entity reported (built-in name or a custom upper-case name).
    pub entity: String,
    /// A regular expression (regex-automata syntax). Exclusive with `shape`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// A shared shape matched once for many rules: `number`, `alnum-id`, `person`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<String>,
    /// Named check from the closed set in `validate.rs` (`luhn-card`, `iban`, `entropy>=3.5` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator: Option<String>,
    /// Confidence when the validator passes and no context is seen (0..=1).
    #[serde(default = "default_score")]
    pub score: f32,
    /// Confidence for the weak form of a shape (e.g. nine bare digits for an SSN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weak_score: Option<f32>,
    /// Words whose presence near the value adds `context_boost`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
    /// Words that, as the nearest preceding cue, multiply the score by 0.3.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anti_context: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_boost: Option<f32>,
    /// Literal triggers for the prefilter (ASCII case-insensitive) when the rule's values need
    /// not contain a digit or `@`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub examples: Examples,
}

/// Texts that must (positive) and must not (negative) yield a finding of the rule.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub positive: Vec<String>,
    #[serde(default)]
    pub negative: Vec<String>,
}

fn default_score() -> f32 {
    0.6
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalog {
    rules: Vec<RuleSpec>,
    #[serde(default)]
    shapes: Shapes,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Shapes {
    #[serde(default)]
    number: ShapeSpec,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ShapeSpec {
    #[serde(default)]
    anti_context: Vec<String>,
}

/// The built-in catalog text, compiled into the crate.
pub const BUILTIN_TOML: &str = include_str!("../rules/builtin.toml");

/// [`BUILTIN_TOML`] as JSON, converted by `build.rs` (parsed on every build of the rule set,
/// which is on every Lambda cold start; JSON parses several times faster than TOML).
const BUILTIN_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/builtin.json"));

/// The built-in rules and the shared anti-context words of digit shapes.
pub(crate) fn builtin_catalog() -> Result<(Vec<RuleSpec>, Vec<String>), BuildError> {
    let cat: Catalog = serde_json::from_str(BUILTIN_JSON)
        .map_err(|e| BuildError::new("<catalog>", BuildErrorKind::Catalog(e.to_string())))?;
    Ok((cat.rules, cat.shapes.number.anti_context))
}

impl RuleSpec {
    /// Structural checks that do not need compilation.
    pub(crate) fn check(&self) -> Result<(), BuildError> {
        let err = |k| Err(BuildError::new(self.id.clone(), k));
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 64
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            return err(BuildErrorKind::RuleIdSyntax);
        }
        if !crate::Entity::is_valid_name(&self.entity) {
            return err(BuildErrorKind::EntityName(self.entity.clone()));
        }
        if self.pattern.is_some() == self.shape.is_some() {
            return err(BuildErrorKind::PatternOrShape);
        }
        for s in [Some(self.score), self.weak_score, self.context_boost]
            .into_iter()
            .flatten()
        {
            if !(0.0..=1.0).contains(&s) || s.is_nan() {
                return err(BuildErrorKind::Score(s));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_json_catalog_is_the_toml_catalog() {
        let from_toml: toml::Value = toml::from_str(BUILTIN_TOML).unwrap();
        let from_toml = serde_json::to_value(from_toml).unwrap();
        let from_json: serde_json::Value = serde_json::from_str(BUILTIN_JSON).unwrap();
        assert_eq!(from_toml, from_json);
        let (rules, anti) = builtin_catalog().unwrap();
        assert!(rules.len() > 40 && !anti.is_empty());
    }
}
