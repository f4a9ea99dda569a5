//! `dlp eval GOLD.jsonl`: scores the detector on a labelled corpus with the convention of
//! shared/eval/README.md — a prediction is a true positive when it has the gold label and
//! overlaps a still-unmatched gold span of that label (one-to-one); predictions of labels the
//! corpus never uses are not scored; offsets are compared in characters (findings are byte
//! offsets and are converted). Also reports the share of `hard_negative` messages with any
//! finding.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::cmd::scan::{Format, table};
use crate::input;

#[derive(clap::Args)]
pub struct Args {
    /// Labelled corpus: JSON lines with `id`, `text`, `spans` [{start, end, label}] (character
    /// offsets) and optionally `kind` and `before` (the message `text` replies to, read as
    /// its context as the service reads it).
    pub gold: PathBuf,
    #[arg(long)]
    pub policy: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Also list false positives and false negatives (id, label, span, and the text of the
    /// span: use on synthetic or approved samples only).
    #[arg(long)]
    pub show_errors: bool,
}

#[derive(Deserialize)]
struct GoldLine {
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    spans: Vec<GoldSpan>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    before: Option<String>,
}

#[derive(Deserialize)]
struct GoldSpan {
    start: usize,
    end: usize,
    label: String,
}

#[derive(Default, Serialize, Clone, Copy)]
pub struct Counts {
    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
    pub support: u64,
}

impl Counts {
    fn p(&self) -> f64 {
        if self.tp + self.fp == 0 {
            0.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    fn r(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            0.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.p(), self.r());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

struct Msg {
    id: String,
    text: String,
    kind: Option<String>,
    gold: Vec<(usize, usize, String)>,
    pred: Vec<(usize, usize, String)>,
}

/// Byte offset → character offset.
fn char_offset(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].chars().count()
}

pub fn run(a: Args) -> Result<ExitCode> {
    let policy = input::policy(a.policy.as_ref())?;
    let det = input::detector(&policy)?;
    let r = input::open(Some(&a.gold))?;
    let mut msgs = Vec::new();
    for (i, line) in r.lines().enumerate() {
        let line = line.with_context(|| format!("{}: line {}", a.gold.display(), i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let g: GoldLine = serde_json::from_str(&line).map_err(|e| {
            anyhow::anyhow!(
                "{}: line {}: not a gold line (column {})",
                a.gold.display(),
                i + 1,
                e.column()
            )
        })?;
        let found = match &g.before {
            Some(before) => det.scan_after(before, &g.text),
            None => det.scan(&g.text),
        };
        let pred = found
            .into_iter()
            .map(|f| {
                (
                    char_offset(&g.text, f.start),
                    char_offset(&g.text, f.end),
                    f.entity.to_string(),
                )
            })
            .collect();
        msgs.push(Msg {
            id: match &g.id {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            },
            gold: g
                .spans
                .into_iter()
                .map(|s| (s.start, s.end, s.label))
                .collect(),
            text: g.text,
            kind: g.kind,
            pred,
        });
    }
    let labels: BTreeSet<String> = msgs
        .iter()
        .flat_map(|m| m.gold.iter().map(|g| g.2.clone()))
        .collect();
    let mut per: BTreeMap<String, Counts> = labels
        .iter()
        .map(|l| (l.clone(), Counts::default()))
        .collect();
    let mut errors = Vec::new();
    let (mut hn, mut hn_flagged) = (0u64, 0u64);
    for m in &msgs {
        if m.kind.as_deref() == Some("hard_negative") {
            hn += 1;
            if !m.pred.is_empty() {
                hn_flagged += 1;
                errors.push(format!(
                    "HARD_NEG {} {:?}",
                    m.id,
                    m.pred
                        .iter()
                        .map(|p| (&p.2, slice(&m.text, p.0, p.1)))
                        .collect::<Vec<_>>()
                ));
            }
        }
        for label in &labels {
            let gold: Vec<&(usize, usize, String)> =
                m.gold.iter().filter(|g| &g.2 == label).collect();
            let mut pred: Vec<&(usize, usize, String)> =
                m.pred.iter().filter(|p| &p.2 == label).collect();
            pred.sort_by_key(|p| (p.0, p.1));
            let c = per.entry(label.clone()).or_default();
            c.support += gold.len() as u64;
            let mut matched = vec![false; gold.len()];
            for p in pred {
                let overlapping: Vec<usize> = (0..gold.len())
                    .filter(|&i| p.0 < gold[i].1 && gold[i].0 < p.1)
                    .collect();
                if let Some(&i) = overlapping.iter().find(|&&i| !matched[i]) {
                    matched[i] = true;
                    c.tp += 1;
                } else if overlapping.is_empty() {
                    c.fp += 1;
                    errors.push(format!(
                        "FP {label} {} {:?} in {:?}",
                        m.id,
                        slice(&m.text, p.0, p.1),
                        m.text
                    ));
                }
            }
            for (i, g) in gold.iter().enumerate() {
                if !matched[i] {
                    c.fn_ += 1;
                    errors.push(format!(
                        "FN {label} {} {:?} in {:?}",
                        m.id,
                        slice(&m.text, g.0, g.1),
                        m.text
                    ));
                }
            }
        }
    }
    let mut micro = Counts::default();
    for c in per.values() {
        micro.tp += c.tp;
        micro.fp += c.fp;
        micro.fn_ += c.fn_;
        micro.support += c.support;
    }
    let hn_rate = if hn == 0 {
        0.0
    } else {
        hn_flagged as f64 / hn as f64
    };
    match a.format {
        Format::Json => {
            let ent: BTreeMap<&String, serde_json::Value> = per
                .iter()
                .map(|(l, c)| (l, serde_json::json!({"precision": c.p(), "recall": c.r(), "f1": c.f1(), "support": c.support, "tp": c.tp, "fp": c.fp, "fn": c.fn_})))
                .collect();
            let doc = serde_json::json!({
                "messages": msgs.len(),
                "entities": ent,
                "micro": {"precision": micro.p(), "recall": micro.r(), "f1": micro.f1(), "support": micro.support, "tp": micro.tp, "fp": micro.fp, "fn": micro.fn_},
                "hard_negative": {"messages": hn, "flagged": hn_flagged, "rate": hn_rate},
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        Format::Table => {
            let mut rows = vec![[
                "ENTITY".to_string(),
                "PRECISION".into(),
                "RECALL".into(),
                "F1".into(),
                "SUPPORT".into(),
                "TP".into(),
                "FP".into(),
                "FN".into(),
            ]];
            let row = |l: &str, c: &Counts| {
                [
                    l.to_string(),
                    format!("{:.3}", c.p()),
                    format!("{:.3}", c.r()),
                    format!("{:.3}", c.f1()),
                    c.support.to_string(),
                    c.tp.to_string(),
                    c.fp.to_string(),
                    c.fn_.to_string(),
                ]
            };
            for (l, c) in &per {
                rows.push(row(l, c));
            }
            rows.push(row("MICRO", &micro));
            print!("{}", table(&rows));
            println!(
                "messages {}; hard negatives with any finding: {hn_flagged}/{hn} ({:.2}%)",
                msgs.len(),
                hn_rate * 100.0
            );
        }
    }
    if a.show_errors {
        for e in &errors {
            eprintln!("{e}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn slice(text: &str, s: usize, e: usize) -> String {
    text.chars().skip(s).take(e.saturating_sub(s)).collect()
}
