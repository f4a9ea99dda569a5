//! Shared helpers of the subcommands: opening `FILE|-`, building the detector from an optional
//! policy, byte offsets to line:col.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use dlp_detector::{Detector, Policy};

/// A buffered reader over a file, or stdin for `-` / no argument.
pub fn open(path: Option<&Path>) -> Result<Box<dyn BufRead>> {
    match path {
        None => Ok(Box::new(BufReader::new(io::stdin().lock()))),
        Some(p) if p == Path::new("-") => Ok(Box::new(BufReader::new(io::stdin().lock()))),
        Some(p) => {
            let f = File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
            Ok(Box::new(BufReader::with_capacity(64 * 1024, f)))
        }
    }
}

pub fn read_all(path: Option<&Path>) -> Result<String> {
    let mut s = String::new();
    open(path)?
        .read_to_string(&mut s)
        .context("input is not UTF-8 text")?;
    Ok(s)
}

/// The policy file's contents, or the default policy.
pub fn policy(path: Option<&PathBuf>) -> Result<Policy> {
    match path {
        Some(p) => Policy::load(p).with_context(|| format!("policy {}", p.display())),
        None => Ok(Policy::default()),
    }
}

pub fn detector(policy: &Policy) -> Result<Detector> {
    Detector::from_policy(policy).context("cannot build the rule set")
}

/// 1-based line and column (in characters) of byte offset `at`.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
        assert_eq!(line_col("x", 0), (1, 1));
    }
}
