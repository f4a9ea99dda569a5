#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Runs every rule's own positive and negative examples and names each rule that fails.

use dlp_detector::Detector;

#[test]
fn every_rule_passes_its_examples() {
    let det = Detector::builtin().unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for r in det.rules() {
        let id = r.id.as_str();
        let ex = &r.spec.examples;
        if ex.positive.is_empty() || ex.negative.is_empty() {
            failures.push(format!(
                "rule `{id}`: needs at least one positive and one negative example"
            ));
        }
        for (i, text) in ex.positive.iter().enumerate() {
            n += 1;
            let found = det.scan(text);
            if !found.iter().any(|f| f.rule_id.as_str() == id) {
                let got: Vec<String> = found
                    .iter()
                    .map(|f| format!("{}:{}", f.rule_id, f.score))
                    .collect();
                failures.push(format!(
                    "rule `{id}`: positive example #{i} {text:?} not found (got {got:?})"
                ));
            }
        }
        for (i, text) in ex.negative.iter().enumerate() {
            n += 1;
            if let Some(f) = det.scan(text).iter().find(|f| f.rule_id.as_str() == id) {
                failures.push(format!(
                    "rule `{id}`: negative example #{i} {text:?} flagged (score {})",
                    f.score
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
