//! The built-in catalog is written in TOML (`rules/builtin.toml`) for people; the rule set is
//! built on every Lambda cold start, and parsing TOML there costs about a millisecond against
//! a fifth of that for JSON. So the catalog is turned into JSON here, at compile time, and a
//! TOML error in it fails the build with the parser's message.

use std::path::PathBuf;

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
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("builtin.json");
    if let Err(e) = std::fs::write(&out, json) {
        println!("cargo::error=cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
}
