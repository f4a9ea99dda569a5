//! One module per subcommand.

pub mod allowlist;
pub mod eval;
pub mod rules;
pub mod scan;

// Governance (issue 6)
pub mod audit;
pub mod purge;
pub mod token;

// Pipeline (issue 5)
pub mod bench;
pub mod serve;
