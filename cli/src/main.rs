//! The `dlp` command. `main` only parses arguments and dispatches; each subcommand lives in
//! its own module under `cmd/` and returns the process exit code.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod input;

#[derive(Parser)]
#[command(
    name = "dlp",
    version,
    about = "Data-loss prevention for Intercom: scan text, evaluate and inspect the detector"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Subcommands. To add one: a module in `cmd/`, a variant here, an arm in `main`.
#[derive(Subcommand)]
enum Command {
    /// Scan plain text or JSONL messages for sensitive data.
    Scan(cmd::scan::Args),
    /// Score the detector on a labelled JSONL corpus (precision, recall, F1 per entity).
    Eval(cmd::eval::Args),
    /// List the rule catalog.
    Rules(cmd::rules::Args),
    /// Allowlist helpers (hash a value for `allowlist.values_sha256`).
    #[command(subcommand)]
    Allowlist(cmd::allowlist::Command),
    /// Print a local HS256 token for the review API of `dlp serve`.
    Token(cmd::token::Args),
    /// Verify the audit hash chains, export audit events as CSV, benchmark audit paths.
    #[command(subcommand)]
    Audit(cmd::audit::Command),
    /// Delete vault entries past retention now (`--dry-run` reports only).
    Purge(cmd::purge::Args),
    /// Run the pipeline locally: webhook endpoint, job queue, workers, purge timer, review API.
    Serve(cmd::serve::Args),
    /// Benchmark the local stack: sustained signed webhooks/s, losses, latency to redaction.
    Bench(cmd::bench::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(a) => cmd::scan::run(a),
        Command::Eval(a) => cmd::eval::run(a),
        Command::Rules(a) => cmd::rules::run(a),
        Command::Allowlist(c) => cmd::allowlist::run(c),
        Command::Token(a) => cmd::token::run(a),
        Command::Audit(c) => cmd::audit::run(c),
        Command::Purge(a) => cmd::purge::run(a),
        Command::Serve(a) => cmd::serve::run(a),
        Command::Bench(a) => cmd::bench::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("dlp: {e:#}");
            ExitCode::from(2)
        }
    }
}
