//! The detector and the policy as the pipeline's [`ScanEngine`].
//!
//! Owns: applying the policy to findings (mode per entity; `ignore` dropped), building the
//! display form of each finding and the masked text at scan time, and the retention of an
//! entry. Must never: return or log matched text (only masked forms leave).

use dlp_detector::{Detector, Finding, MaskingPolicy, Policy, mask, mask_value};

use crate::ports::{Analysis, Mode, PolicyFinding, ScanEngine};

/// `Detector` + `Policy`, compiled once per process.
pub struct DetectorEngine {
    detector: Detector,
    policy: Policy,
    masking: MaskingPolicy,
}

impl std::fmt::Debug for DetectorEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DetectorEngine")
            .field("mode", &self.policy.mode)
            .finish_non_exhaustive()
    }
}

impl DetectorEngine {
    pub fn new(policy: Policy) -> Result<Self, dlp_detector::BuildError> {
        let detector = Detector::from_policy(&policy)?;
        let masking = policy.masking();
        Ok(Self {
            detector,
            policy,
            masking,
        })
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

fn mode_of(m: dlp_detector::Mode) -> Mode {
    match m {
        dlp_detector::Mode::Ignore => Mode::Ignore,
        dlp_detector::Mode::Detect => Mode::Detect,
        dlp_detector::Mode::Redact => Mode::Redact,
    }
}

impl DetectorEngine {
    /// Applies the policy to the detector's findings.
    fn analysis(&self, text: &str, mut kept: Vec<Finding>, wants_context: bool) -> Analysis {
        kept.retain(|f| self.policy.mode_for(&f.entity) != dlp_detector::Mode::Ignore);
        if kept.is_empty() {
            return Analysis {
                wants_context,
                ..Analysis::default()
            };
        }
        let findings = kept
            .iter()
            .map(|f| {
                let value = text.get(f.start..f.end).unwrap_or("");
                PolicyFinding {
                    entity: f.entity.as_str().to_owned(),
                    rule_id: f.rule_id.as_str().to_owned(),
                    start: f.start,
                    end: f.end,
                    score: f.score,
                    mode: mode_of(self.policy.mode_for(&f.entity)),
                    masked: mask_value(value, &f.entity, self.masking.op_for(&f.entity)),
                    from_message_before: f.from_message_before,
                }
            })
            .collect();
        Analysis {
            findings,
            masked_text: mask(text, &kept, &self.masking),
            wants_context,
        }
    }
}

impl ScanEngine for DetectorEngine {
    fn analyze(&self, text: &str) -> Analysis {
        let (found, wants_context) = self.detector.scan_needing_context(text);
        self.analysis(text, found, wants_context)
    }

    fn analyze_after(&self, before: &str, text: &str) -> Analysis {
        self.analysis(text, self.detector.scan_after(before, text), false)
    }

    fn retention_days(&self, entities: &[&str]) -> u32 {
        entities
            .iter()
            .map(|e| {
                self.policy
                    .retention_days_for(&dlp_detector::Entity::new(e))
            })
            .min()
            .unwrap_or(self.policy.retention_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_modes_apply_and_masked_text_holds_no_value() {
        let policy = Policy::from_toml_str(
            "mode = \"detect\"\n[entities.CREDIT_CARD]\nmode = \"redact\"\nretention_days = 7\n[entities.EMAIL_ADDRESS]\nmode = \"ignore\"\n",
        )
        .unwrap();
        let engine = DetectorEngine::new(policy).unwrap();
        let text = "card 4111 1111 1111 1111, ssn 536-22-1120, mail jane.doe@example.com";
        let a = engine.analyze(text);
        let kinds: Vec<(&str, Mode)> = a
            .findings
            .iter()
            .map(|f| (f.entity.as_str(), f.mode))
            .collect();
        assert!(kinds.contains(&("CREDIT_CARD", Mode::Redact)), "{kinds:?}");
        assert!(kinds.contains(&("US_SSN", Mode::Detect)), "{kinds:?}");
        assert!(!kinds.iter().any(|(e, _)| *e == "EMAIL_ADDRESS"));
        assert_eq!(a.mode(), Mode::Redact);
        assert!(
            !a.masked_text.contains("4111 1111 1111 1111"),
            "{}",
            a.masked_text
        );
        assert!(!a.masked_text.contains("536-22-1120"), "{}", a.masked_text);
        assert!(
            a.masked_text.contains("1111"),
            "last 4 kept: {}",
            a.masked_text
        );
        assert_eq!(engine.retention_days(&["CREDIT_CARD", "US_SSN"]), 7);
        assert!(engine.analyze("nothing to see here").findings.is_empty());
    }
}
