//! The use-cases of the service, generic over ports (vault, audit, Intercom, queue, clock).
//!
//! Owns: webhook ingest, the scan-and-act job, retention purge, and the review/audit API.
//! Must never: name an AWS SDK or Lambda event type, log or return a sensitive value.

// Pipeline (issue 5)
pub mod ingest;
pub mod scan;

// Governance (issue 6)
pub mod clock;
pub mod identity;
pub mod jwt;
pub mod retention;
pub mod review;
pub mod review_api;
