#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Runs the built `dlp` binary: `scan --jsonl` (format, order, errors, byte offsets),
//! `scan` table and `--redact`, and `eval` on a 50-line slice of the synthetic dev corpus.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn dlp(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlp"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut si = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            // The command may exit before reading (a bad policy): a broken pipe is fine.
            let _ = si.write_all(s.as_bytes());
        }
    }
    child.wait_with_output().unwrap()
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chat_small.jsonl")
}

#[test]
fn scan_jsonl_streams_findings_in_input_order() {
    let fx = fixture();
    let out = dlp(&["scan", "--jsonl", fx.to_str().unwrap()], None);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let gold: Vec<serde_json::Value> = std::fs::read_to_string(&fx)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), gold.len());
    let (mut found, mut total) = (0, 0);
    for (line, g) in lines.iter().zip(&gold) {
        // The exact line shape of the issue.
        let id = g["id"].as_str().unwrap();
        assert!(
            line.starts_with(&format!("{{\"id\": \"{id}\", \"findings\": [")),
            "{line}"
        );
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = g["text"].as_str().unwrap();
        let findings = v["findings"].as_array().unwrap();
        for f in findings {
            let (s, e) = (
                f["start"].as_u64().unwrap() as usize,
                f["end"].as_u64().unwrap() as usize,
            );
            assert!(text.is_char_boundary(s) && text.is_char_boundary(e) && s < e);
            let score = f["score"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&score));
            assert!(f["rule_id"].as_str().is_some_and(|r| !r.is_empty()));
        }
        if g["kind"] == "hard_negative" {
            assert!(findings.is_empty(), "hard negative {id} flagged: {line}");
        }
        for span in g["spans"].as_array().unwrap() {
            total += 1;
            let (gs, ge) = (
                span["start"].as_u64().unwrap(),
                span["end"].as_u64().unwrap(),
            );
            if findings.iter().any(|f| {
                f["entity"] == span["label"]
                    && f["start"].as_u64().unwrap() < ge
                    && gs < f["end"].as_u64().unwrap()
            }) {
                found += 1;
            }
        }
    }
    assert!(
        total > 20 && found as f64 / total as f64 >= 0.95,
        "recall {found}/{total}"
    );
}

#[test]
fn scan_jsonl_reports_bad_lines_and_goes_on() {
    let input = concat!(
        "{\"id\": \"a\", \"text\": \"ssn 536-22-1120\"}\n",
        "{\"id\": \"b\", \"text\": \"ssn 219-09-9999\n",
        "{\"id\": \"c\", \"text\": 219099999}\n",
        "\n",
        "{\"id\": 7, \"text\": \"\u{1F600} ssn 472-38-9016\"}\n",
    );
    let out = dlp(&["scan", "--jsonl", "-"], Some(input));
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed line makes the exit code non-zero"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].starts_with("{\"id\": \"a\""));
    // Byte offsets: the emoji is 4 bytes, " ssn " 5.
    assert_eq!(
        lines[1],
        "{\"id\": 7, \"findings\": [{\"entity\": \"US_SSN\", \"rule_id\": \"us-ssn\", \"start\": 9, \"end\": 20, \"score\": 1.0}]}"
    );
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(stderr.contains("id \"c\""), "{stderr}");
    // Error lines never quote message text.
    for planted in ["219-09-9999", "219099999"] {
        assert!(!stderr.contains(planted), "{stderr}");
    }
}

#[test]
fn scan_jsonl_reads_the_message_before_as_context() {
    let input = concat!(
        "{\"id\": 1, \"before\": \"What is your SSN?\", \"text\": \"078051120\"}\n",
        "{\"id\": 2, \"text\": \"078051120\"}\n",
        "{\"id\": 3, \"before\": null, \"text\": \"078051120\"}\n",
        "{\"id\": 4, \"before\": [\"078-05-1120\"], \"text\": \"ok\"}\n",
        "{\"id\": 5, \"before\": \"What is your SSN?\", \"text\": \"ssn 078-05-1120\"}\n",
    );
    let out = dlp(&["scan", "--jsonl", "-"], Some(input));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    // The question makes the bare number an SSN, and the finding says it took the message
    // before; without it (absent or null) nothing.
    let f = &lines[0]["findings"];
    assert_eq!(f.as_array().map(Vec::len), Some(1), "{stdout}");
    assert_eq!(f[0]["entity"], "US_SSN");
    assert_eq!(
        (f[0]["start"].as_u64(), f[0]["end"].as_u64()),
        (Some(0), Some(9))
    );
    assert!(f[0]["score"].as_f64().is_some_and(|s| s >= 0.5), "{stdout}");
    assert_eq!(f[0]["from_message_before"], true, "{stdout}");
    for l in &lines[1..3] {
        assert_eq!(l["findings"], serde_json::json!([]), "{stdout}");
    }
    // A value the reply labels itself is its own: the field is left out.
    let f = &lines[3]["findings"];
    assert_eq!(f[0]["entity"], "US_SSN", "{stdout}");
    assert!(f[0].get("from_message_before").is_none(), "{stdout}");
    assert!(
        stderr.contains("id 4: error: `before` is not a string"),
        "{stderr}"
    );
    assert!(!stderr.contains("078-05-1120"), "{stderr}");
}

#[test]
fn scan_table_masks_and_redact_removes_values() {
    let text = "my ssn is 472-38-9016 and card 4111 1111 1111 1111\nmail jane.doe@example.org";
    let out = dlp(&["scan", "-"], Some(text));
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("US_SSN") && table.contains("•••-••-9016") && table.contains("1:11"),
        "{table}"
    );
    assert!(
        table.contains("EMAIL_ADDRESS") && table.contains("2:6"),
        "{table}"
    );
    for v in ["472-38-9016", "4111 1111 1111 1111", "jane.doe@example.org"] {
        assert!(!table.contains(v), "{table}");
    }
    let out = dlp(&["scan", "--redact", "-"], Some(text));
    let red = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        red,
        "my ssn is •••-••-9016 and card •••• •••• •••• 1111\nmail [EMAIL_ADDRESS]"
    );
    let out = dlp(&["scan", "--format", "json", "--explain", "-"], Some(text));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 3);
    assert!(
        v["explanations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["context_words"][0] == "ssn")
    );
}

#[test]
fn eval_scores_the_fixture() {
    let fx = fixture();
    let out = dlp(&["eval", fx.to_str().unwrap(), "--format", "json"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["messages"], 50);
    assert!(v["micro"]["f1"].as_f64().unwrap() >= 0.95, "{v}");
    assert!(v["entities"]["US_SSN"]["support"].as_u64().unwrap() > 0);
    assert_eq!(v["hard_negative"]["flagged"], 0);
    let out = dlp(&["eval", fx.to_str().unwrap()], None);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.starts_with("ENTITY") && table.contains("MICRO"),
        "{table}"
    );
}

#[test]
fn eval_converts_byte_offsets_to_characters() {
    // Gold spans are character offsets; the finding's byte offsets differ after the emoji.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("gold.jsonl");
    std::fs::write(
        &p,
        "{\"id\": \"u\", \"kind\": \"pii\", \"text\": \"\u{1F600}\u{1F600}\u{1F600}\u{1F600} ok ssn 472-38-9016\", \"spans\": [{\"start\": 12, \"end\": 23, \"label\": \"US_SSN\"}]}\n",
    )
    .unwrap();
    let out = dlp(&["eval", p.to_str().unwrap(), "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["entities"]["US_SSN"]["tp"], 1, "{v}");
}

#[test]
fn rules_lists_the_catalog_and_policy_rules() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("policy.toml");
    std::fs::write(
        &p,
        "[entities.EMAIL_ADDRESS]\nmode = \"ignore\"\n[[rules]]\nid = \"acme-member-id\"\nentity = \"ACME_MEMBER\"\npattern = '\\bACM-\\d{8}\\b'\n[rules.examples]\npositive = [\"member ACM-12345678\"]\nnegative = [\"ACM-1234\"]\n",
    )
    .unwrap();
    let out = dlp(&["rules", "--policy", p.to_str().unwrap()], None);
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(
        t.contains("acme-member-id") && t.contains("aws-access-key-id") && t.contains("luhn-card"),
        "{t}"
    );
    assert!(
        !t.contains("EMAIL_ADDRESS"),
        "ignored entities are left out"
    );
    let out = dlp(
        &["scan", "--policy", p.to_str().unwrap(), "-"],
        Some("member ACM-12345678, mail a.b@example.org"),
    );
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(
        t.contains("ACME_MEMBER") && !t.contains("EMAIL_ADDRESS"),
        "{t}"
    );
    // A broken policy names the field.
    std::fs::write(&p, "threshold = 3\n").unwrap();
    let out = dlp(&["scan", "--policy", p.to_str().unwrap(), "-"], Some("x"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("threshold"));
}

#[test]
fn scan_json_prints_scores_with_two_decimals() {
    let out = dlp(
        &["scan", "--format", "json", "-"],
        Some("my card is 4242424242424242"),
    );
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let score = v["findings"][0]["score"].as_f64().unwrap();
    // The printed number is the two-decimal score, not its f32 widened to f64.
    assert!(score.to_string().len() <= 4, "score printed as {score}");
}
