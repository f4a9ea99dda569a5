//! AWS adapters of the vault and audit ports. No AWS SDK type leaves this crate.
