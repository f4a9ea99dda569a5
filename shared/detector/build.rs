//! The built-in catalog is written in TOML (`rules/builtin.toml`) for people; the rule set is
//! built on every Lambda cold start, and parsing TOML there costs about a millisecond against
//! a fifth of that for JSON. So the catalog is turned into JSON here, at compile time, and a
//! TOML error in it fails the build with the parser's message.

use std::path::PathBuf;

#[path = "src/wordtable.rs"]
mod wordtable;

fn main() {
    println!("cargo::rerun-if-changed=rules/builtin.toml");
    let src = std::fs::read_to_string("rules/builtin.toml").unwrap_or_else(|e| {
        println!("cargo::error=cannot read rules/builtin.toml: {e}");
        std::process::exit(1);
    });
    let value: toml::Value = toml::from_str(&src).unwrap_or_else(|e| {
        println!(
            "cargo::error=rules/builtin.toml: {}",
            e.to_string().replace('\n', " ")
        );
        std::process::exit(1);
    });
    let json = serde_json::to_string(&value).unwrap_or_else(|e| {
        println!("cargo::error=rules/builtin.toml to JSON: {e}");
        std::process::exit(1);
    });
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    names(&out_dir);
    let out = out_dir.join("builtin.json");
    if let Err(e) = std::fs::write(&out, json) {
        println!("cargo::error=cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
}

/// The name gazetteers as static hash tables (`names.rs`, see `src/wordtable.rs`), so the
/// rule-set build on a cold start hashes none of their ~17,000 words.
fn names(out_dir: &std::path::Path) {
    let mut code = String::new();
    for (name, file) in [
        ("FIRST_NAMES", "data/first_names.txt"),
        ("LAST_NAMES", "data/last_names.txt"),
    ] {
        println!("cargo::rerun-if-changed={file}");
        let src = std::fs::read_to_string(file).unwrap_or_else(|e| {
            println!("cargo::error=cannot read {file}: {e}");
            std::process::exit(1);
        });
        let mut words: Vec<&str> = src
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        words.sort_unstable();
        words.dedup();
        if words.len() >= usize::from(u16::MAX) {
            println!("cargo::error={file}: more than 65,534 words");
            std::process::exit(1);
        }
        let table = wordtable::layout(&words);
        code.push_str(&format!(
            "pub(crate) static {name}: crate::wordtable::WordTable = crate::wordtable::WordTable {{ words: &{words:?}, table: &{table:?} }};\n"
        ));
    }
    if let Err(e) = std::fs::write(out_dir.join("names.rs"), code) {
        println!("cargo::error=cannot write names.rs: {e}");
        std::process::exit(1);
    }
}
