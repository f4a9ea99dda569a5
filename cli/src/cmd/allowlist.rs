//! `dlp allowlist hash`: the keyed hash of a value for `allowlist.values_sha256`, so that
//! policy files never hold the value itself. Reads the value from stdin (keeps it out of
//! shell history); prints only the hash.

use std::io::Read;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use dlp_detector::{DEFAULT_ALLOWLIST_KEY, allowlist_hash};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Print the allowlist hash of the value read from stdin (one value, trailing newline ignored).
    Hash {
        /// Environment variable holding the deployment's allowlist key (default: the built-in key).
        #[arg(long)]
        key_env: Option<String>,
    },
}

pub fn run(c: Command) -> Result<ExitCode> {
    match c {
        Command::Hash { key_env } => {
            let key = match key_env {
                Some(var) => std::env::var(&var)
                    .with_context(|| format!("environment variable {var} is not set"))?
                    .into_bytes(),
                None => DEFAULT_ALLOWLIST_KEY.to_vec(),
            };
            let mut v = String::new();
            std::io::stdin()
                .read_to_string(&mut v)
                .context("value is not UTF-8")?;
            let v = v.trim_end_matches(['\n', '\r']);
            if v.is_empty() {
                bail!("no value on stdin");
            }
            println!("{}", allowlist_hash(&key, v));
            Ok(ExitCode::SUCCESS)
        }
    }
}
