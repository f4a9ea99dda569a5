//! How many messages of a JSONL file (`{"text": …}` per line) the service would read with the
//! message before them (`Detector::scan_needing_context`): each such part may cost one
//! Intercom GET of its conversation. `SHOW=1` lists the first 90 bytes of each; lines that are
//! not JSON with a string `text` are counted apart.
//!
//! `cargo run --release -p dlp-detector --example gate_rate < ../shared/eval/chat_dev.jsonl`
use std::io::BufRead;
use std::process::ExitCode;

use dlp_detector::Detector;

fn main() -> ExitCode {
    let Ok(d) = Detector::builtin() else {
        eprintln!("the built-in rule set did not build");
        return ExitCode::FAILURE;
    };
    let show = std::env::var_os("SHOW").is_some();
    let (mut n, mut gated, mut bad) = (0u64, 0u64, 0u64);
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else {
            bad += 1;
            continue;
        };
        let v: Option<serde_json::Value> = serde_json::from_str(&line).ok();
        let Some(t) = v.as_ref().and_then(|v| v["text"].as_str()) else {
            bad += 1;
            continue;
        };
        n += 1;
        if d.scan_needing_context(t).1 {
            gated += 1;
            if show {
                let cut = (0..=t.len().min(90))
                    .rev()
                    .find(|&i| t.is_char_boundary(i))
                    .unwrap_or(0);
                println!("{}", t[..cut].replace('\n', "⏎"));
            }
        }
    }
    println!("{gated} of {n} messages would be read with the message before ({bad} lines skipped)");
    ExitCode::SUCCESS
}
