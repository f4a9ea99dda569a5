//! `dlp scan`: plain text (table, JSON, or redacted text) and streaming JSONL batch mode.
//! Prints masked values only; error lines name the id or line number, never message text.

use std::io::{self, BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::ValueEnum;
use dlp_detector::{Detector, Explanation, Finding, MaskingPolicy, mask, mask_value};
use serde::Deserialize;
use serde_json::Value;

use crate::input;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// Input file, or `-` (default) for stdin.
    pub file: Option<PathBuf>,
    /// Treat input as JSON lines `{"id": …, "text": …}` and stream one result line per input line.
    #[arg(long)]
    pub jsonl: bool,
    /// Print the redacted text instead of the findings (JSONL: add a "redacted" field).
    #[arg(long)]
    pub redact: bool,
    /// Output format of plain-text mode.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Policy document (TOML or JSON): modes, thresholds, custom rules, allowlist.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Show, per finding and candidate, the stages it passed, context words and scores.
    #[arg(long)]
    pub explain: bool,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let policy = input::policy(a.policy.as_ref())?;
    let det = input::detector(&policy)?;
    let ops = policy.masking();
    if a.jsonl {
        return jsonl(&a, &det, &ops);
    }
    let text = input::read_all(a.file.as_deref())?;
    let findings = det.scan(&text);
    let out = io::stdout();
    let mut w = BufWriter::new(out.lock());
    if a.redact {
        write!(w, "{}", mask(&text, &findings, &ops))?;
        if a.explain {
            eprint!("{}", explain_table(&text, &det.explain(&text)));
        }
        w.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    match a.format {
        Format::Json => {
            let rows: Vec<Value> = findings
                .iter()
                .map(|f| finding_json(&text, f, &ops))
                .collect();
            let mut doc = serde_json::json!({ "findings": rows });
            if a.explain {
                doc["explanations"] = serde_json::to_value(det.explain(&text))?;
            }
            writeln!(w, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        Format::Table => {
            write!(w, "{}", findings_table(&text, &findings, &ops))?;
            if a.explain {
                write!(w, "\n{}", explain_table(&text, &det.explain(&text)))?;
            }
        }
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn masked(text: &str, f: &Finding, ops: &MaskingPolicy) -> String {
    mask_value(&text[f.start..f.end], &f.entity, ops.op_for(&f.entity)).replace('\n', " ")
}

fn finding_json(text: &str, f: &Finding, ops: &MaskingPolicy) -> Value {
    let (line, col) = input::line_col(text, f.start);
    serde_json::json!({
        "entity": f.entity, "rule_id": f.rule_id, "start": f.start, "end": f.end,
        // Via f64 the f32 0.98 would print as 0.9800000190734863; scores have two decimals.
        "line": line, "col": col, "score": (f64::from(f.score) * 100.0).round() / 100.0,
        "masked": masked(text, f, ops),
    })
}

fn findings_table(text: &str, findings: &[Finding], ops: &MaskingPolicy) -> String {
    let mut rows = vec![[
        "ENTITY".to_string(),
        "RULE".into(),
        "LINE:COL".into(),
        "SCORE".into(),
        "MASKED".into(),
    ]];
    for f in findings {
        let (l, c) = input::line_col(text, f.start);
        rows.push([
            f.entity.to_string(),
            f.rule_id.to_string(),
            format!("{l}:{c}"),
            format!("{:.2}", f.score),
            masked(text, f, ops),
        ]);
    }
    let mut out = table(&rows);
    out.push_str(&format!("{} finding(s)\n", findings.len()));
    out
}

fn explain_table(text: &str, ex: &[Explanation]) -> String {
    let mut out = String::from("EXPLAIN (candidates in text order)\n");
    for e in ex {
        let (l, c) = input::line_col(text, e.start);
        out.push_str(&format!(
            "{l}:{c} {} {} [{}] score {:.2} -> {:.2}{}\n",
            e.entity,
            e.rule_id,
            if e.reported {
                "REPORTED"
            } else {
                "not reported"
            },
            e.score_before,
            e.score_after,
            if e.context_words.is_empty() {
                String::new()
            } else {
                format!(", context: {}", e.context_words.join(", "))
            },
        ));
        for s in &e.stages {
            out.push_str(&format!(
                "    {:<10} {:<4} {}\n",
                format!("{:?}", s.stage).to_lowercase(),
                if s.passed { "ok" } else { "FAIL" },
                s.detail
            ));
        }
    }
    out
}

/// Left-aligned columns separated by two spaces.
pub fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 == N {
                line.push_str(c);
            } else {
                line.push_str(c);
                line.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[derive(Deserialize)]
struct Line {
    id: Value,
    text: Value,
    /// The message `text` replies to (optional): its end is read as context for the start of
    /// `text` ([`Detector::scan_after`]); nothing in it is reported.
    #[serde(default)]
    before: Option<Value>,
}

/// Streams JSONL: one line in, one line out, in input order, constant memory. A bad line is
/// reported on stderr by id or line number (never its text) and the run goes on.
fn jsonl(a: &Args, det: &Detector, ops: &MaskingPolicy) -> Result<ExitCode> {
    let mut r = input::open(a.file.as_deref())?;
    let out = io::stdout();
    let mut w = BufWriter::with_capacity(64 * 1024, out.lock());
    let mut buf = String::new();
    let mut lineno = 0u64;
    let mut failed = 0u64;
    let mut line_out = String::new();
    loop {
        buf.clear();
        let n = match r.read_line(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                lineno += 1;
                failed += 1;
                eprintln!("line {lineno}: error: not valid UTF-8");
                // Skip the rest of the bad line.
                let mut sink = Vec::new();
                r.read_until(b'\n', &mut sink)?;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if n == 0 {
            break;
        }
        lineno += 1;
        let line = buf.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line = match serde_json::from_str(line) {
            Ok(p) => p,
            Err(e) => {
                failed += 1;
                // serde_json messages can quote input values; report only the category.
                let what = match e.classify() {
                    serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                        "malformed JSON"
                    }
                    _ => "missing `id` or `text`",
                };
                eprintln!("line {lineno}: error: {what} (column {})", e.column());
                continue;
            }
        };
        let id_s = serde_json::to_string(&parsed.id)?;
        let Value::String(text) = parsed.text else {
            failed += 1;
            eprintln!("id {id_s}: error: `text` is not a string (line {lineno})");
            continue;
        };
        if !(parsed.id.is_string() || parsed.id.is_number()) {
            failed += 1;
            eprintln!("line {lineno}: error: `id` must be a string or a number");
            continue;
        }
        let findings = match parsed.before {
            None | Some(Value::Null) => det.scan(&text),
            Some(Value::String(before)) => det.scan_after(&before, &text),
            Some(_) => {
                failed += 1;
                eprintln!("id {id_s}: error: `before` is not a string (line {lineno})");
                continue;
            }
        };
        line_out.clear();
        line_out.push_str("{\"id\": ");
        line_out.push_str(&id_s);
        line_out.push_str(", \"findings\": [");
        for (i, f) in findings.iter().enumerate() {
            if i > 0 {
                line_out.push_str(", ");
            }
            line_out.push_str(&format!(
                "{{\"entity\": {}, \"rule_id\": {}, \"start\": {}, \"end\": {}, \"score\": {}}}",
                serde_json::to_string(&f.entity)?,
                serde_json::to_string(&f.rule_id)?,
                f.start,
                f.end,
                serde_json::to_string(&f.score)?
            ));
            if f.from_message_before {
                line_out.pop();
                line_out.push_str(", \"from_message_before\": true}");
            }
        }
        line_out.push(']');
        if a.redact {
            line_out.push_str(", \"redacted\": ");
            line_out.push_str(&serde_json::to_string(&mask(&text, &findings, ops))?);
        }
        if a.explain {
            line_out.push_str(", \"explanations\": ");
            line_out.push_str(&serde_json::to_string(&det.explain(&text))?);
        }
        line_out.push_str("}\n");
        w.write_all(line_out.as_bytes())?;
    }
    w.flush()?;
    if failed > 0 {
        eprintln!("dlp scan: {failed} of {lineno} line(s) failed");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
