//! `dlp token`: mint a local HS256 token for the review API of `dlp serve`.
//!
//! The secret is `DLP_JWT_SECRET`, else `<data-dir>/jwt-secret` (created with mode 0600 on
//! first use) — the same one `dlp serve` verifies with. Prints only the token.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use dlp_service::clock::{Clock as _, SystemClock};
use dlp_service::governance_config::local_jwt;
use dlp_service::jwt::{TokenRequest, parse_ttl};

#[derive(clap::Args)]
pub struct Args {
    /// Subject the token is issued to (every request is attributed to it).
    #[arg(long)]
    pub sub: String,
    /// Role to grant: `auditor` (read) or `reviewer` (read and reveal). Repeatable.
    #[arg(long = "role", required = true)]
    pub roles: Vec<String>,
    /// Email claim (defaults to the subject when it looks like an address).
    #[arg(long)]
    pub email: Option<String>,
    /// Lifetime, e.g. `15m`, `900s`, `1h` (at most 24h).
    #[arg(long, default_value = "15m")]
    pub ttl: String,
    /// Local data directory (default `$DLP_DATA_DIR`, else `./.dlp`).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let Some(ttl_secs) = parse_ttl(&a.ttl) else {
        bail!("--ttl must look like 15m, 900s or 1h (at most 24h)");
    };
    let sub = a.sub.trim().to_owned();
    if sub.is_empty() {
        bail!("--sub must not be empty");
    }
    for r in &a.roles {
        if r != "auditor" && r != "reviewer" {
            eprintln!("dlp token: note: role {r:?} grants nothing on the review API");
        }
    }
    let data_dir = super::audit::data_dir(a.data_dir);
    let jwt = local_jwt(&data_dir).context("loading the local token secret")?;
    let email = a.email.or_else(|| sub.contains('@').then(|| sub.clone()));
    let token = jwt.sign(&TokenRequest {
        sub,
        email,
        roles: a.roles,
        now_secs: SystemClock.now_ms().div_euclid(1000),
        ttl_secs,
    });
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}
