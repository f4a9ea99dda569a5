//! Pure, synchronous sensitive-data detector (see ARCHITECTURE.md, "Detector").
//!
//! Owns: the rule catalog (data in `rules/builtin.toml`), the closed set of validators, the
//! scan pipeline (prefilter → one-pass multi-pattern match → validate → context score →
//! allowlist → overlap resolution), redaction operators and the policy document.
//! Never: I/O (except [`Policy::load`]), async, logging, or returning matched text — findings
//! are spans, rule ids and scores.
//!
//! ```
//! use dlp_detector::{Detector, MaskingPolicy, mask};
//! let det = Detector::builtin().unwrap();
//! let text = "my ssn is 472-38-9016";
//! let findings = det.scan(text);
//! assert_eq!(findings[0].entity.as_str(), "US_SSN");
//! assert_eq!(mask(text, &findings, &MaskingPolicy::default()), "my ssn is •••-••-9016");
//! ```

mod address;
mod birth;
mod context;
mod engine;
mod entity;
mod error;
mod mask;
mod person;
mod policy;
mod shape;
mod spec;
mod spelled;
mod text;
mod validate;
mod wordtable;

pub use engine::{
    BEFORE_TAIL, DEFAULT_ALLOWLIST_KEY, DEFAULT_THRESHOLD, Detector, Explanation, Finding,
    RuleInfo, RuleSource, Stage, StageOutcome, allowlist_hash,
};
pub use entity::{Entity, RuleId};
pub use error::{BuildError, BuildErrorKind, PolicyError};
pub use mask::{MASK_CHAR, MaskOp, MaskingPolicy, mask, mask_value};
pub use policy::{Allowlist, DEFAULT_RETENTION_DAYS, EntityPolicy, Mode, Policy};
pub use spec::{BUILTIN_TOML, Examples, RuleSpec};
pub use text::normalize_value;
pub use validate::VALIDATOR_NAMES;
