#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Scan a JSONL corpus's texts concatenated (or a plain text file as it is), for profilers (`valgrind --tool=callgrind`):
//! `cargo run --release -p dlp-detector --example profile_scan -- FILE [ROUNDS]`, or
//! `-- --build [ROUNDS]` for the rule-set build alone; with `PROFILE_EACH=1` a JSONL corpus's
//! texts are scanned one by one instead.

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: profile_scan FILE [ROUNDS]");
    let rounds: usize = args
        .next()
        .map_or(1, |r| r.parse().expect("ROUNDS is a number"));
    if path == "--build" {
        // The rule-set build alone (cold-start cost).
        for _ in 0..rounds {
            std::hint::black_box(dlp_detector::Detector::builtin().unwrap());
        }
        return;
    }
    let s = std::fs::read_to_string(&path).unwrap();
    if !path.ends_with(".jsonl") {
        // Plain text (e.g. the bench prose): scanned as it is.
        let det = dlp_detector::Detector::builtin().unwrap();
        let mut n = 0;
        for _ in 0..rounds {
            n += det.scan(std::hint::black_box(&s)).len();
        }
        println!("{} bytes, {n} findings", s.len());
        return;
    }
    let texts: Vec<String> = s
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let det = dlp_detector::Detector::builtin().unwrap();
    let mut n = 0;
    if std::env::var_os("PROFILE_EACH").is_some() {
        // Message by message, as the per-message bench and the service scan.
        for _ in 0..rounds {
            for t in &texts {
                n += det.scan(std::hint::black_box(t)).len();
            }
        }
        println!("{} messages, {n} findings", texts.len());
        return;
    }
    let concat = texts.join("\n");
    for _ in 0..rounds {
        n += det.scan(std::hint::black_box(&concat)).len();
    }
    println!("{} bytes, {n} findings", concat.len());
}
