//! Intercom integration: webhook signature verification, a tolerant notification and
//! conversation model, extraction of the text of every part, and a resilient REST client.
//!
//! This crate owns everything that knows Intercom's wire formats. It must never log, print or
//! put into an error the body of a message, a webhook payload, the access token or the webhook
//! secret: types that may hold message text have hand-written `Debug` impls that omit it, and
//! every error type is made of constant messages, ids and codes.
//!
//! Layout:
//! - [`signature`]: `X-Hub-Signature` HMAC-SHA1 check with secret rotation.
//! - [`notification`]: the webhook envelope and topic classification.
//! - [`model`]: conversations, parts, authors, attachments (lenient about ids and shapes).
//! - [`extract`]: which parts to scan and their text.
//! - [`text`]: Intercom HTML (API < 2.15) or plain text (API ≥ 2.15) to scannable text.
//! - [`client`]: the [`IntercomApi`] port and its `reqwest` implementation with retries and a
//!   client-side rate limiter.
//! - `fake` (feature `test-util`): an in-process HTTP fake of Intercom for tests.

pub mod client;
pub mod extract;
mod lenient;
pub mod model;
pub mod notification;
pub mod ratelimit;
pub mod signature;
pub mod text;

#[cfg(feature = "test-util")]
pub mod fake;

pub use client::{
    ApiError, ApiErrorKind, ClientConfig, HttpIntercomClient, IntercomApi, RateLimit,
    RedactOutcome, Region, RetryPolicy, SearchPage,
};
pub use extract::{ExtractOptions, ExtractedPart, Extraction, PartRef, extract_parts};
pub use model::{Attachment, Author, Conversation, ModelError, Part, Source};
pub use notification::{ContentKind, Notification, ParseError, TopicClass, classify_topic};
pub use ratelimit::RateLimiter;
pub use signature::{SIGNATURE_HEADER, SecretSlot, SignatureError, WebhookVerifier};
pub use text::{BodyFormat, body_to_text, html_to_text};
