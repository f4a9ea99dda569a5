//! The Intercom REST API as the service uses it: the [`IntercomApi`] port and
//! [`HttpIntercomClient`], its `reqwest` (rustls) implementation.
//!
//! Owns authentication (`Authorization: Bearer`, `Intercom-Version`), regional base URLs,
//! timeouts, retries (exponential backoff with jitter on 429, 5xx, timeouts and connection
//! errors, honouring `Retry-After` and `X-RateLimit-Reset`, bounded in attempts and total
//! time), the client-side rate limit, the tag cache, and the "already redacted" check.
//! It must never put the access token, a request body or a response body into an error or a
//! log line: errors carry a kind, the HTTP status, Intercom's error code and request id.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use rand::Rng as _;
use reqwest::header::{ACCEPT, HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::lenient;
use crate::model::Conversation;
use crate::ratelimit::RateLimiter;

/// The API version the official SDKs pin (API.md); bodies are HTML before 2.15.
pub const DEFAULT_API_VERSION: &str = "2.14";
/// Intercom's search accepts at most 150 results per page.
pub const MAX_SEARCH_PAGE: u32 = 150;

// ---------------------------------------------------------------------------------------------
// Port
// ---------------------------------------------------------------------------------------------

/// Result of a redaction request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedactOutcome {
    /// Intercom replaced the body now.
    Redacted,
    /// Intercom said `conversation_part_not_redactable` and a fresh read showed the part is
    /// already redacted (a retry of our own earlier call, or someone else's).
    AlreadyRedacted,
}

/// One page of `POST /conversations/search`.
#[derive(Debug, Clone, Default)]
pub struct SearchPage {
    /// Search results carry no parts: fetch each conversation to scan it.
    pub conversations: Vec<Conversation>,
    /// Pass back as `starting_after` for the next page; `None` on the last page.
    pub next_starting_after: Option<String>,
    pub total_count: Option<u64>,
}

/// What the service needs from Intercom. Ids are Intercom's, as strings.
#[async_trait]
pub trait IntercomApi: Send + Sync {
    /// `GET /conversations/{id}` (at most the 500 most recent parts). With `plaintext`,
    /// `display_as=plaintext` asks for text bodies instead of HTML.
    async fn get_conversation(&self, id: &str, plaintext: bool) -> Result<Conversation, ApiError>;

    /// Redact one conversation part.
    async fn redact_part(
        &self,
        conversation_id: &str,
        part_id: &str,
    ) -> Result<RedactOutcome, ApiError>;

    /// Redact the conversation's opening message.
    async fn redact_source(
        &self,
        conversation_id: &str,
        source_id: &str,
    ) -> Result<RedactOutcome, ApiError>;

    /// Post an internal note as `admin_id`; returns the new part's id. `body` is HTML.
    async fn add_admin_note(
        &self,
        conversation_id: &str,
        admin_id: &str,
        body: &str,
    ) -> Result<String, ApiError>;

    /// The id of the tag called `name`, created if missing (cached per client).
    async fn find_or_create_tag(&self, name: &str) -> Result<String, ApiError>;

    /// Attach tag `tag_id` to a conversation as `admin_id`.
    async fn tag_conversation(
        &self,
        conversation_id: &str,
        tag_id: &str,
        admin_id: &str,
    ) -> Result<(), ApiError>;

    /// One page of a conversation search. `query` is Intercom's search query object
    /// (see [`updated_since_query`]); `per_page` is clamped to 1..=150.
    async fn search_conversations(
        &self,
        query: &Value,
        per_page: u32,
        starting_after: Option<&str>,
    ) -> Result<SearchPage, ApiError>;

    /// `DELETE /conversations/{id}` (irreversible).
    async fn delete_conversation(&self, id: &str) -> Result<(), ApiError>;
}

/// A search query for conversations updated after `unix_seconds` (for backfill).
pub fn updated_since_query(unix_seconds: i64) -> Value {
    json!({ "field": "updated_at", "operator": ">", "value": unix_seconds.to_string() })
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// What went wrong, coarse enough to decide what to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// 429 (retries exhausted or the wait exceeded the time budget).
    RateLimited,
    /// 5xx.
    Server,
    /// No answer in time.
    Timeout,
    /// Could not connect, or the connection broke.
    Connection,
    /// 401: the token is wrong or revoked.
    Unauthorized,
    /// 403: the token lacks a scope.
    Forbidden,
    /// 404: conversation, part or tag not found.
    NotFound,
    /// `conversation_part_not_redactable` on a part that is not already redacted.
    NotRedactable,
    /// Any other 4xx.
    Rejected,
    /// A 2xx whose body is not what Intercom documents.
    InvalidResponse,
    /// An argument the client refuses to send (e.g. an id with `/`), or bad configuration.
    InvalidInput,
}

/// An Intercom API failure. Carries no token, no request and no response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    kind: ApiErrorKind,
    status: Option<u16>,
    code: Option<String>,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    attempts: u32,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "intercom api: {:?}", self.kind)?;
        if let Some(s) = self.status {
            write!(f, ", status {s}")?;
        }
        if let Some(c) = &self.code {
            write!(f, ", code {c}")?;
        }
        if let Some(r) = &self.request_id {
            write!(f, ", request id {r}")?;
        }
        if self.attempts > 0 {
            write!(f, ", after {} attempt(s)", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    fn new(kind: ApiErrorKind) -> Self {
        Self {
            kind,
            status: None,
            code: None,
            request_id: None,
            retry_after: None,
            attempts: 0,
        }
    }

    pub fn kind(&self) -> ApiErrorKind {
        self.kind
    }

    /// Whether trying again later may succeed (rate limit, server error, timeout, connection).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            ApiErrorKind::RateLimited
                | ApiErrorKind::Server
                | ApiErrorKind::Timeout
                | ApiErrorKind::Connection
        )
    }

    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// Intercom's error code, e.g. `conversation_part_or_message_not_found`.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// Intercom's request id, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How long Intercom asked us to wait, when it said so (429).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// How many HTTP attempts were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// Keep only identifier-like strings from Intercom's error body: codes and request ids are
/// `[A-Za-z0-9_.-]`; anything else could echo input and is dropped.
fn safe_ident(s: Option<&str>) -> Option<String> {
    s.filter(|s| {
        !s.is_empty()
            && s.len() <= 80
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    })
    .map(str::to_owned)
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// Intercom's regional API hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    Us,
    Eu,
    Au,
}

impl Region {
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Us => "https://api.intercom.io",
            Self::Eu => "https://api.eu.intercom.io",
            Self::Au => "https://api.au.intercom.io",
        }
    }

    /// `us`, `eu` or `au` (any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "us" => Some(Self::Us),
            "eu" => Some(Self::Eu),
            "au" => Some(Self::Au),
            _ => None,
        }
    }
}

/// Retry bounds. Both limits apply: whichever is reached first ends the retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total HTTP attempts, the first included.
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// No wait is started that would end later than this after the first attempt began.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
            max_elapsed: Duration::from_secs(60),
        }
    }
}

/// Client-side budget of calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_minute: u32,
    pub burst: u32,
}

impl Default for RateLimit {
    /// Half of Intercom's 10,000/min per app, leaving room for the workspace's other apps;
    /// the burst is one second's worth.
    fn default() -> Self {
        Self {
            per_minute: 5_000,
            burst: 83,
        }
    }
}

/// Everything but the token.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `https://api.intercom.io` and regional variants, or any URL (tests).
    pub base_url: String,
    /// Sent as `Intercom-Version`.
    pub api_version: String,
    pub connect_timeout: Duration,
    /// Longest gap between two reads of a response.
    pub read_timeout: Duration,
    /// Longest a single attempt may take end to end.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    /// `None` disables the client-side limiter (benchmarks against the fake).
    pub rate_limit: Option<RateLimit>,
    pub user_agent: String,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self::for_region(Region::Us)
    }
}

impl ClientConfig {
    pub fn for_region(region: Region) -> Self {
        Self::with_base_url(region.base_url())
    }

    pub fn with_base_url(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            api_version: DEFAULT_API_VERSION.to_owned(),
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(20),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            rate_limit: Some(RateLimit::default()),
            user_agent: concat!("intercom-dlp/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

/// The `reqwest` implementation of [`IntercomApi`].
pub struct HttpIntercomClient {
    http: reqwest::Client,
    base: Url,
    token: SecretString,
    api_version: String,
    retry: RetryPolicy,
    limiter: Option<RateLimiter>,
    tags: Mutex<HashMap<String, String>>,
}

impl std::fmt::Debug for HttpIntercomClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpIntercomClient")
            .field("base", &self.base.as_str())
            .field("api_version", &self.api_version)
            .finish_non_exhaustive()
    }
}

/// Whether a request may be repeated after an ambiguous failure (a timeout after the request
/// may have reached Intercom). Posting a note is not: a repeat would post a second note.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Repeat {
    Safe,
    OnlyIfNotSent,
}

impl HttpIntercomClient {
    /// Build a client. Fails only on a bad base URL, an empty token, or a TLS setup error.
    pub fn new(config: ClientConfig, token: SecretString) -> Result<Self, ApiError> {
        if token.expose_secret().trim().is_empty() {
            return Err(ApiError::new(ApiErrorKind::InvalidInput));
        }
        let mut base =
            Url::parse(&config.base_url).map_err(|_| ApiError::new(ApiErrorKind::InvalidInput))?;
        if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
            return Err(ApiError::new(ApiErrorKind::InvalidInput));
        }
        // Path segments are appended later; drop a trailing slash so they join cleanly.
        if base.path().ends_with('/') {
            let trimmed = base.path().trim_end_matches('/').to_owned();
            base.set_path(&trimmed);
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .timeout(config.request_timeout)
            .user_agent(config.user_agent)
            .build()
            .map_err(|_| ApiError::new(ApiErrorKind::InvalidInput))?;
        Ok(Self {
            http,
            base,
            token,
            api_version: config.api_version,
            retry: config.retry,
            limiter: config
                .rate_limit
                .map(|r| RateLimiter::new(r.per_minute, r.burst)),
            tags: Mutex::new(HashMap::new()),
        })
    }

    fn url(&self, segments: &[&str]) -> Result<Url, ApiError> {
        for s in segments {
            // Ids are numeric or hex; refuse anything that could change the path.
            if s.is_empty() || s.contains(['/', '?', '#', '%']) || *s == "." || *s == ".." {
                return Err(ApiError::new(ApiErrorKind::InvalidInput));
            }
        }
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|_| ApiError::new(ApiErrorKind::InvalidInput))?
            .extend(segments);
        Ok(url)
    }

    /// Send with rate limiting and retries; return the JSON body of a 2xx.
    async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        repeat: Repeat,
    ) -> Result<Value, ApiError> {
        let started = tokio::time::Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            if let Some(limiter) = &self.limiter {
                limiter.acquire().await;
            }
            let mut err = match self.attempt(method.clone(), url.clone(), body).await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            err.attempts = attempt;
            let ambiguous = err.kind == ApiErrorKind::Timeout
                || (err.kind == ApiErrorKind::Connection && err.status.is_none() && !err.connect);
            let may_repeat = repeat == Repeat::Safe || !ambiguous;
            if !err.inner.is_retryable() || !may_repeat || attempt >= self.retry.max_attempts {
                return Err(err.inner_with_attempts(attempt));
            }
            let wait = match err.inner.retry_after {
                Some(hint) => hint + jitter(Duration::from_millis(100)),
                None => self.backoff(attempt),
            };
            if started.elapsed() + wait > self.retry.max_elapsed {
                return Err(err.inner_with_attempts(attempt));
            }
            tracing::debug!(
                attempt,
                wait_ms = wait.as_millis() as u64,
                status = err.inner.status,
                "intercom call will be retried"
            );
            tokio::time::sleep(wait).await;
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .retry
            .initial_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.retry.max_backoff);
        // "Equal jitter": at least half the exponential delay, so retries still spread out
        // but never collapse to zero.
        exp / 2 + jitter(exp / 2)
    }

    async fn attempt(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Value, AttemptError> {
        let mut req = self
            .http
            .request(method, url)
            .bearer_auth(self.token.expose_secret())
            .header("Intercom-Version", &self.api_version)
            .header(ACCEPT, "application/json");
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(AttemptError::transport)?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.map_err(AttemptError::transport)?;
        if status.is_success() {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Value::Null);
            }
            return serde_json::from_slice(&bytes).map_err(|_| {
                let mut e = ApiError::new(ApiErrorKind::InvalidResponse);
                e.status = Some(status.as_u16());
                AttemptError::from(e)
            });
        }
        Err(AttemptError::from(error_from_response(
            status, &headers, &bytes,
        )))
    }

    async fn redact(
        &self,
        conversation_id: &str,
        target_id: &str,
        is_source: bool,
    ) -> Result<RedactOutcome, ApiError> {
        let body = if is_source {
            json!({"type": "source", "conversation_id": conversation_id, "source_id": target_id})
        } else {
            json!({
                "type": "conversation_part",
                "conversation_id": conversation_id,
                "conversation_part_id": target_id,
            })
        };
        let url = self.url(&["conversations", "redact"])?;
        match self
            .call(Method::POST, url, Some(&body), Repeat::Safe)
            .await
        {
            Ok(_) => Ok(RedactOutcome::Redacted),
            Err(e) if e.code() == Some("conversation_part_not_redactable") => {
                // Also what Intercom says when the part is already redacted (e.g. our own
                // earlier attempt succeeded but its answer was lost): check before failing.
                let conv = self.get_conversation(conversation_id, false).await?;
                let already = if is_source {
                    conv.source
                        .as_ref()
                        .is_some_and(|s| s.id.as_deref() == Some(target_id) && s.redacted)
                } else {
                    conv.part(target_id).is_some_and(|p| p.redacted)
                };
                if already {
                    Ok(RedactOutcome::AlreadyRedacted)
                } else {
                    Err(ApiError {
                        kind: ApiErrorKind::NotRedactable,
                        ..e
                    })
                }
            }
            Err(e) => Err(e),
        }
    }
}

fn jitter(max: Duration) -> Duration {
    if max.is_zero() {
        return Duration::ZERO;
    }
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(rand::thread_rng().gen_range(0..=nanos))
}

/// An attempt's error plus whether it failed before the request could reach Intercom.
struct AttemptError {
    inner: ApiError,
    connect: bool,
}

impl AttemptError {
    fn transport(e: reqwest::Error) -> Self {
        // The reqwest error is dropped on purpose: its text includes the URL and, for some
        // failures, request details; we keep only its class.
        let kind = if e.is_timeout() {
            ApiErrorKind::Timeout
        } else {
            ApiErrorKind::Connection
        };
        Self {
            inner: ApiError::new(kind),
            connect: e.is_connect(),
        }
    }

    fn inner_with_attempts(self, attempts: u32) -> ApiError {
        ApiError {
            attempts,
            ..self.inner
        }
    }
}

impl From<ApiError> for AttemptError {
    fn from(inner: ApiError) -> Self {
        Self {
            inner,
            connect: false,
        }
    }
}

impl std::ops::Deref for AttemptError {
    type Target = ApiError;
    fn deref(&self) -> &ApiError {
        &self.inner
    }
}

impl std::ops::DerefMut for AttemptError {
    fn deref_mut(&mut self) -> &mut ApiError {
        &mut self.inner
    }
}

fn error_from_response(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ApiError {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let first = parsed
        .as_ref()
        .and_then(|v| v.get("errors"))
        .and_then(Value::as_array)
        .and_then(|a| a.first());
    let code = safe_ident(first.and_then(|e| e.get("code")).and_then(Value::as_str));
    let request_id = safe_ident(
        parsed
            .as_ref()
            .and_then(|v| v.get("request_id"))
            .and_then(Value::as_str)
            .or_else(|| headers.get("x-request-id").and_then(|h| h.to_str().ok())),
    );
    let kind = match status.as_u16() {
        429 => ApiErrorKind::RateLimited,
        401 => ApiErrorKind::Unauthorized,
        403 => ApiErrorKind::Forbidden,
        404 => ApiErrorKind::NotFound,
        500..=599 => ApiErrorKind::Server,
        _ => ApiErrorKind::Rejected,
    };
    let retry_after =
        if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
            retry_hint(headers, SystemTime::now())
        } else {
            None
        };
    ApiError {
        kind,
        status: Some(status.as_u16()),
        code,
        request_id,
        retry_after,
        attempts: 0,
    }
}

/// The wait Intercom asks for: `Retry-After` (delay seconds, or an HTTP-date as RFC 9110
/// allows) and `X-RateLimit-Reset` (unix seconds when the window resets); the later of the
/// two when both are sent. Waits are capped at a day (a bounded retry budget stops earlier).
pub(crate) fn retry_hint(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name| {
        headers
            .get(name)
            .and_then(|h: &reqwest::header::HeaderValue| h.to_str().ok())
    };
    let retry_after = header(RETRY_AFTER.as_str()).and_then(|s| {
        let s = s.trim();
        match s.parse::<f64>() {
            Ok(secs) if secs.is_finite() && secs >= 0.0 => {
                Some(Duration::from_secs_f64(secs.min(86_400.0)))
            }
            Ok(_) => None,
            Err(_) => httpdate::parse_http_date(s).ok().map(|at| {
                at.duration_since(now)
                    .unwrap_or_default()
                    .min(Duration::from_secs(86_400))
            }),
        }
    });
    let reset = header("x-ratelimit-reset")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(|reset| {
            let now = now.duration_since(UNIX_EPOCH).unwrap_or_default();
            Duration::from_secs(reset).saturating_sub(now)
        });
    match (retry_after, reset) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[async_trait]
impl IntercomApi for HttpIntercomClient {
    async fn get_conversation(&self, id: &str, plaintext: bool) -> Result<Conversation, ApiError> {
        let mut url = self.url(&["conversations", id])?;
        if plaintext {
            url.query_pairs_mut().append_pair("display_as", "plaintext");
        }
        let v = self.call(Method::GET, url, None, Repeat::Safe).await?;
        Conversation::from_value(&v).map_err(|_| ApiError::new(ApiErrorKind::InvalidResponse))
    }

    async fn redact_part(
        &self,
        conversation_id: &str,
        part_id: &str,
    ) -> Result<RedactOutcome, ApiError> {
        self.redact(conversation_id, part_id, false).await
    }

    async fn redact_source(
        &self,
        conversation_id: &str,
        source_id: &str,
    ) -> Result<RedactOutcome, ApiError> {
        self.redact(conversation_id, source_id, true).await
    }

    async fn add_admin_note(
        &self,
        conversation_id: &str,
        admin_id: &str,
        body: &str,
    ) -> Result<String, ApiError> {
        let url = self.url(&["conversations", conversation_id, "reply"])?;
        let req =
            json!({"message_type": "note", "type": "admin", "admin_id": admin_id, "body": body});
        let v = self
            .call(Method::POST, url, Some(&req), Repeat::OnlyIfNotSent)
            .await?;
        let conv = Conversation::from_value(&v)
            .map_err(|_| ApiError::new(ApiErrorKind::InvalidResponse))?;
        // The answer is the conversation; the newest note by this admin is ours.
        conv.parts
            .iter()
            .rev()
            .find(|p| {
                p.part_type.as_deref() == Some("note") && p.author.id.as_deref() == Some(admin_id)
            })
            .or_else(|| {
                conv.parts
                    .iter()
                    .rev()
                    .find(|p| p.part_type.as_deref() == Some("note"))
            })
            .and_then(|p| p.id.clone())
            .ok_or_else(|| ApiError::new(ApiErrorKind::InvalidResponse))
    }

    async fn find_or_create_tag(&self, name: &str) -> Result<String, ApiError> {
        if name.trim().is_empty() {
            return Err(ApiError::new(ApiErrorKind::InvalidInput));
        }
        if let Some(id) = lock(&self.tags).get(name) {
            return Ok(id.clone());
        }
        let url = self.url(&["tags"])?;
        let v = self
            .call(
                Method::POST,
                url,
                Some(&json!({"name": name})),
                Repeat::Safe,
            )
            .await?;
        let id =
            lenient::id(v.get("id")).ok_or_else(|| ApiError::new(ApiErrorKind::InvalidResponse))?;
        lock(&self.tags).insert(name.to_owned(), id.clone());
        Ok(id)
    }

    async fn tag_conversation(
        &self,
        conversation_id: &str,
        tag_id: &str,
        admin_id: &str,
    ) -> Result<(), ApiError> {
        let url = self.url(&["conversations", conversation_id, "tags"])?;
        let body = json!({"id": tag_id, "admin_id": admin_id});
        self.call(Method::POST, url, Some(&body), Repeat::Safe)
            .await
            .map(|_| ())
    }

    async fn search_conversations(
        &self,
        query: &Value,
        per_page: u32,
        starting_after: Option<&str>,
    ) -> Result<SearchPage, ApiError> {
        let url = self.url(&["conversations", "search"])?;
        let mut pagination = json!({"per_page": per_page.clamp(1, MAX_SEARCH_PAGE)});
        if let Some(cursor) = starting_after {
            pagination["starting_after"] = Value::String(cursor.to_owned());
        }
        let body = json!({"query": query, "pagination": pagination});
        let v = self
            .call(Method::POST, url, Some(&body), Repeat::Safe)
            .await?;
        let conversations = v
            .get("conversations")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::new(ApiErrorKind::InvalidResponse))?
            .iter()
            .filter_map(|c| Conversation::from_value(c).ok())
            .collect();
        let next_starting_after = v
            .get("pages")
            .and_then(|p| p.get("next"))
            .and_then(|n| n.get("starting_after"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        Ok(SearchPage {
            conversations,
            next_starting_after,
            total_count: lenient::count(v.get("total_count")),
        })
    }

    async fn delete_conversation(&self, id: &str) -> Result<(), ApiError> {
        let url = self.url(&["conversations", id])?;
        let v = self.call(Method::DELETE, url, None, Repeat::Safe).await?;
        if v.get("deleted") == Some(&Value::Bool(true)) {
            Ok(())
        } else {
            Err(ApiError::new(ApiErrorKind::InvalidResponse))
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_hint_reads_both_headers() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-reset", HeaderValue::from_static("1003"));
        assert_eq!(retry_hint(&h, now), Some(Duration::from_secs(3)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_hint(&h, now), Some(Duration::from_secs(7)));
        h.insert("x-ratelimit-reset", HeaderValue::from_static("990"));
        assert_eq!(retry_hint(&h, now), Some(Duration::from_secs(7)));
        assert_eq!(retry_hint(&HeaderMap::new(), now), None);
    }

    #[test]
    fn retry_after_as_an_http_date() {
        // 1994-11-06T08:49:37Z is unix 784111777 (RFC 9110's example date).
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777 - 12);
        let mut h = HeaderMap::new();
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"),
        );
        assert_eq!(retry_hint(&h, now), Some(Duration::from_secs(12)));
        // A date in the past: retry now; garbage: no hint.
        let later = UNIX_EPOCH + Duration::from_secs(784_111_777 + 60);
        assert_eq!(retry_hint(&h, later), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_hint(&h, now), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("-5"));
        assert_eq!(retry_hint(&h, now), None);
    }

    #[test]
    fn safe_ident_drops_anything_that_could_echo_input() {
        assert_eq!(safe_ident(Some("not_found")).as_deref(), Some("not_found"));
        assert_eq!(safe_ident(Some("card 4111111111111111 bad")), None);
        assert_eq!(safe_ident(Some("")), None);
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let mut cfg = ClientConfig::with_base_url("http://127.0.0.1:9");
        cfg.retry.initial_backoff = Duration::from_millis(100);
        cfg.retry.max_backoff = Duration::from_millis(1_000);
        let c = HttpIntercomClient::new(cfg, SecretString::from("t")).unwrap();
        for attempt in 1..40 {
            let d = c.backoff(attempt);
            let cap = Duration::from_millis(100)
                .saturating_mul(1 << (attempt - 1).min(16))
                .min(Duration::from_millis(1_000));
            assert!(d >= cap / 2 && d <= cap, "attempt {attempt}: {d:?}");
        }
    }
}
