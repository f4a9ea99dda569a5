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
/// rule-set build on a cold start hashes none of their ~165,000 words.
fn names(out_dir: &std::path::Path) {
    let mut code = String::new();
    for (name, file) in [
        ("FIRST_NAMES", "data/first_names.txt"),
        ("LAST_NAMES", "data/last_names.txt"),
        ("LAST_NAMES_RARE", "data/last_names_rare.txt"),
        ("ENGLISH_WORDS", "data/english_words.txt"),
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
        if words.len() >= u32::MAX as usize || src.len() >= u32::MAX as usize {
            println!("cargo::error={file}: too large for u32 offsets");
            std::process::exit(1);
        }
        let (text, ends, table) = wordtable::layout(&words);
        let stem = name.to_lowercase();
        for (ext, bytes) in [
            ("text", text.as_bytes()),
            ("ends", &ends),
            ("table", &table),
        ] {
            let path = out_dir.join(format!("{stem}.{ext}"));
            if let Err(e) = std::fs::write(&path, bytes) {
                println!("cargo::error=cannot write {}: {e}", path.display());
                std::process::exit(1);
            }
        }
        code.push_str(&format!(
            "pub(crate) static {name}: crate::wordtable::WordTable = crate::wordtable::WordTable {{ \
             text: include_str!(concat!(env!(\"OUT_DIR\"), \"/{stem}.text\")), \
             ends: include_bytes!(concat!(env!(\"OUT_DIR\"), \"/{stem}.ends\")), \
             table: include_bytes!(concat!(env!(\"OUT_DIR\"), \"/{stem}.table\")) }};\n"
        ));
    }
    if let Err(e) = std::fs::write(out_dir.join("names.rs"), code) {
        println!("cargo::error=cannot write names.rs: {e}");
        std::process::exit(1);
    }
}
