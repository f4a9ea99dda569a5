//! `dlp rules`: the catalog (built-in plus policy rules): id, entity, validator, description.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::cmd::scan::{Format, table};
use crate::input;

#[derive(clap::Args)]
pub struct Args {
    /// Include the custom rules of this policy (and leave out ignored entities).
    #[arg(long)]
    pub policy: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let policy = input::policy(a.policy.as_ref())?;
    let det = input::detector(&policy)?;
    match a.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&det.rules().collect::<Vec<_>>())?
        ),
        Format::Table => {
            let mut rows = vec![[
                "ID".to_string(),
                "ENTITY".into(),
                "VALIDATOR".into(),
                "SOURCE".into(),
                "DESCRIPTION".into(),
            ]];
            for r in det.rules() {
                rows.push([
                    r.id.to_string(),
                    r.entity.to_string(),
                    r.validator.clone(),
                    format!("{:?}", r.source).to_lowercase(),
                    r.description.clone(),
                ]);
            }
            print!("{}", table(&rows));
        }
    }
    Ok(ExitCode::SUCCESS)
}
