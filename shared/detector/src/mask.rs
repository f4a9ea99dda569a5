//! Redaction operators, separate from detection: keep the last four digits (cards, accounts,
//! SSNs: what PCI DSS allows to display), entity label (`[US_SSN]`), fixed placeholder.
//! Overlapping findings are merged before masking. The output never contains a detected value.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::engine::Finding;
use crate::entity::Entity;
use crate::text::{ceil_boundary, digit_value, floor_boundary, is_invisible};

/// Mask character.
pub const MASK_CHAR: char = '•';

/// A named redaction operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaskOp {
    /// Letters and digits become `•` except the last four digits; separators stay
    /// (`•••• •••• •••• 1111`, `•••-••-6789`). Values with fewer than eight letters and digits
    /// are masked completely.
    KeepLast4,
    /// `[ENTITY]`.
    EntityLabel,
    /// A fixed text.
    Placeholder(String),
}

/// Operator per entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaskingPolicy {
    per_entity: HashMap<Entity, MaskOp>,
    fallback: MaskOp,
}

impl Default for MaskingPolicy {
    /// Last four digits for cards, bank accounts, IBANs, SSNs and ITINs; labels for the rest.
    fn default() -> MaskingPolicy {
        let mut per_entity = HashMap::new();
        for e in [
            Entity::CREDIT_CARD,
            Entity::US_BANK_NUMBER,
            Entity::IBAN_CODE,
            Entity::US_SSN,
            Entity::US_ITIN,
        ] {
            per_entity.insert(e, MaskOp::KeepLast4);
        }
        MaskingPolicy {
            per_entity,
            fallback: MaskOp::EntityLabel,
        }
    }
}

impl MaskingPolicy {
    /// Labels for every entity.
    pub fn labels() -> MaskingPolicy {
        MaskingPolicy {
            per_entity: HashMap::new(),
            fallback: MaskOp::EntityLabel,
        }
    }
    /// One placeholder for every entity.
    pub fn placeholder(text: impl Into<String>) -> MaskingPolicy {
        MaskingPolicy {
            per_entity: HashMap::new(),
            fallback: MaskOp::Placeholder(text.into()),
        }
    }
    pub fn set(&mut self, entity: Entity, op: MaskOp) {
        self.per_entity.insert(entity, op);
    }
    pub fn op_for(&self, entity: &Entity) -> &MaskOp {
        self.per_entity.get(entity).unwrap_or(&self.fallback)
    }
}

/// Masks one value with `op` (used for the masked column of findings lists).
pub fn mask_value(value: &str, entity: &Entity, op: &MaskOp) -> String {
    match op {
        MaskOp::EntityLabel => format!("[{entity}]"),
        MaskOp::Placeholder(p) => p.clone(),
        MaskOp::KeepLast4 => keep_last4(value),
    }
}

fn keep_last4(value: &str) -> String {
    let alnum = value.chars().filter(|c| c.is_alphanumeric()).count();
    let digits = value.chars().filter(|&c| digit_value(c).is_some()).count();
    let keep_from = if alnum >= 8 {
        digits.saturating_sub(4)
    } else {
        usize::MAX
    };
    let mut out = String::with_capacity(value.len() + 8);
    let mut seen_digits = 0;
    for c in value.chars() {
        if let Some(d) = digit_value(c) {
            if seen_digits >= keep_from {
                out.push((b'0' + d) as char);
            } else {
                out.push(MASK_CHAR);
            }
            seen_digits += 1;
        } else if c.is_alphanumeric() {
            out.push(MASK_CHAR);
        } else if is_invisible(c) {
            continue;
        } else if c.is_whitespace() {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` with every finding replaced by its entity's operator. Overlapping findings are
/// merged into one span, masked with the operator of the strongest (a label when that would
/// keep digits of a merged span).
pub fn mask(text: &str, findings: &[Finding], ops: &MaskingPolicy) -> String {
    let mut spans: Vec<(usize, usize, &Finding)> = findings
        .iter()
        .map(|f| {
            let s = floor_boundary(text, f.start.min(text.len()));
            let e = ceil_boundary(text, f.end.min(text.len()));
            (s, e, f)
        })
        .filter(|(s, e, _)| s < e)
        .collect();
    spans.sort_by_key(|(s, e, _)| (*s, *e));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut i = 0;
    while i < spans.len() {
        let (s, mut e, mut top) = spans[i];
        let mut merged = 1;
        let mut j = i + 1;
        while j < spans.len() && spans[j].0 < e {
            e = e.max(spans[j].1);
            if spans[j].2.score > top.score {
                top = spans[j].2;
            }
            merged += 1;
            j += 1;
        }
        let s = s.max(pos);
        out.push_str(&text[pos..s]);
        let op = ops.op_for(&top.entity);
        let op = if merged > 1 && *op == MaskOp::KeepLast4 {
            &MaskOp::EntityLabel
        } else {
            op
        };
        out.push_str(&mask_value(&text[s..e], &top.entity, op));
        pos = e;
        i = j;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::RuleId;

    fn f(entity: Entity, start: usize, end: usize, score: f32) -> Finding {
        Finding {
            entity,
            rule_id: RuleId::new("t"),
            start,
            end,
            score,
            from_message_before: false,
        }
    }

    #[test]
    fn operators_table() {
        let cases: &[(&str, MaskOp, &str)] = &[
            (
                "4111 1111 1111 1111",
                MaskOp::KeepLast4,
                "•••• •••• •••• 1111",
            ),
            ("472-38-9016", MaskOp::KeepLast4, "•••-••-9016"),
            (
                "GB82 WEST 1234 5698 7654 32",
                MaskOp::KeepLast4,
                "•••• •••• •••• •••• ••54 32",
            ),
            ("1234567", MaskOp::KeepLast4, "•••••••"),
            ("１２３-４５-６７８９", MaskOp::KeepLast4, "•••-••-6789"),
            ("123\u{200B}45", MaskOp::KeepLast4, "•••••"),
            ("472-38-9016", MaskOp::EntityLabel, "[US_SSN]"),
            (
                "472-38-9016",
                MaskOp::Placeholder("[REDACTED]".into()),
                "[REDACTED]",
            ),
        ];
        for (v, op, want) in cases {
            assert_eq!(mask_value(v, &Entity::US_SSN, op), *want, "{v} {op:?}");
        }
    }

    #[test]
    fn merges_overlaps() {
        let text = "ssn 472-38-9016 end";
        let fs = [
            f(Entity::US_SSN, 4, 15, 0.9),
            f(Entity::PHONE_NUMBER, 8, 15, 0.5),
        ];
        assert_eq!(
            mask(text, &fs, &MaskingPolicy::default()),
            "ssn [US_SSN] end"
        );
        let one = [f(Entity::US_SSN, 4, 15, 0.9)];
        assert_eq!(
            mask(text, &one, &MaskingPolicy::default()),
            "ssn •••-••-9016 end"
        );
        assert_eq!(
            mask(text, &one, &MaskingPolicy::labels()),
            "ssn [US_SSN] end"
        );
    }

    #[test]
    fn bad_spans_never_panic() {
        let text = "a€b";
        let fs = [f(Entity::US_SSN, 2, 99, 0.9)];
        assert_eq!(mask(text, &fs, &MaskingPolicy::labels()), "a[US_SSN]");
    }
}
