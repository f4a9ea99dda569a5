//! `dlp purge`: run the retention purge once on the local data dir (`dlp serve` also runs
//! it on a timer). `--dry-run` reports what would go and changes nothing.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use dlp_service::clock::SystemClock;
use dlp_service::retention::{PurgeOptions, Retention};

#[derive(clap::Args)]
pub struct Args {
    /// Report what would be deleted; delete nothing, write no audit event.
    #[arg(long)]
    pub dry_run: bool,
    /// Local data directory (default `$DLP_DATA_DIR`, else `./.dlp`).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let store = super::audit::open_store(&super::audit::data_dir(a.data_dir))?;
    let rt = super::audit::runtime()?;
    let report = rt.block_on(async {
        Retention {
            vault: Arc::new(store.clone()),
            idempotency: Arc::new(store.clone()),
            audit: Arc::new(store),
            clock: Arc::new(SystemClock),
        }
        .purge(&PurgeOptions {
            dry_run: a.dry_run,
            ..PurgeOptions::default()
        })
        .await
    })?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}
