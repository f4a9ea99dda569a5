//! An in-process fake of Intercom's REST API for tests (feature `test-util`).
//!
//! Owns a small axum server on `127.0.0.1:0` that serves the endpoints the service uses with
//! responses shaped like Intercom's (the OAS 2.14 examples in `tests/data/`), checks
//! `Authorization: Bearer`, `Intercom-Version` and the JSON request shapes and answers 400/401/
//! 404 like Intercom when they are wrong, keeps conversations in memory (redaction really
//! replaces the body; notes are appended as parts), records every request, and can be told to
//! fail (429 with rate-limit headers, 5xx, slow answers, `conversation_part_not_redactable`).
//! It has no rate limit of its own. It must never listen on anything but loopback.
//!
//! ```no_run
//! # async fn demo() {
//! use dlp_intercom::fake::{Failure, FakeIntercom};
//! let fake = FakeIntercom::start("test-token").await;
//! fake.seed_conversation(serde_json::json!({"type": "conversation", "id": "1"}));
//! fake.fail_next("POST /conversations/redact", Failure::ServerError, 2);
//! // ... point an HttpIntercomClient at fake.base_url() ...
//! assert!(fake.requests().is_empty());
//! # }
//! ```

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::model::REDACTED_BODY_HTML;
use crate::text::html_to_text;

/// The admin the fake reports as author of notes when none is known.
const FAKE_APP_ID: &str = "fake1234";

/// What to do instead of (or before) answering normally.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// 429 `rate_limit_exceeded` with `X-RateLimit-Limit/Remaining/Reset` (reset = now +
    /// `reset_after`, default 10 s, in unix seconds) and, if set, `Retry-After` in whole
    /// seconds.
    RateLimited {
        retry_after: Option<Duration>,
        reset_after: Option<Duration>,
    },
    /// 500 `server_error`.
    ServerError,
    /// Any status with an Intercom error body carrying `code`.
    Status { status: u16, code: String },
    /// Sleep, then answer normally.
    Slow(Duration),
    /// 400 `conversation_part_not_redactable`, whatever the part's state.
    NotRedactable,
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub authorization: Option<String>,
    pub intercom_version: Option<String>,
    pub content_type: Option<String>,
    /// The JSON body, when there was one and it parsed.
    pub body: Option<Value>,
    /// The status the fake answered; 0 while the answer is pending (slow answers).
    pub status: u16,
    /// Arrival number, from 1.
    pub seq: u64,
    /// When the request arrived.
    pub at: SystemTime,
}

/// Settings of a fake.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    pub token: String,
    /// Accepted `Intercom-Version` values; requests with another value or none get 400.
    pub versions: Vec<String>,
}

impl FakeConfig {
    pub fn new(token: &str) -> Self {
        Self {
            token: token.to_owned(),
            versions: vec![crate::client::DEFAULT_API_VERSION.to_owned()],
        }
    }
}

struct FailureRule {
    method: Option<String>,
    pattern: String,
    failure: Failure,
    /// `None` = forever.
    remaining: Option<u32>,
}

#[derive(Default)]
struct FakeState {
    token: String,
    versions: Vec<String>,
    conversations: BTreeMap<u64, Value>,
    /// Conversations whose id is not numeric, kept in insertion order after the numeric ones.
    other_conversations: Vec<(String, Value)>,
    tags_by_name: HashMap<String, String>,
    tag_names: HashMap<String, String>,
    conversation_tags: HashMap<String, Vec<String>>,
    requests: Vec<RecordedRequest>,
    failures: VecDeque<FailureRule>,
    next_id: u64,
    next_request: u64,
    arrivals: u64,
}

type Shared = Arc<Mutex<FakeState>>;

fn lock(s: &Shared) -> MutexGuard<'_, FakeState> {
    match s.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// A running fake Intercom. Stops when dropped.
pub struct FakeIntercom {
    addr: SocketAddr,
    state: Shared,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Drop for FakeIntercom {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.abort();
    }
}

impl FakeIntercom {
    /// Start a fake that expects `Authorization: Bearer <token>` and `Intercom-Version: 2.14`.
    ///
    /// # Panics
    /// If no loopback port can be bound (test helper).
    #[allow(clippy::expect_used)]
    pub async fn start(token: &str) -> Self {
        Self::start_with(FakeConfig::new(token)).await
    }

    /// Start with explicit settings.
    ///
    /// # Panics
    /// If no loopback port can be bound (test helper).
    #[allow(clippy::expect_used)]
    pub async fn start_with(config: FakeConfig) -> Self {
        let state = Arc::new(Mutex::new(FakeState {
            token: config.token,
            versions: config.versions,
            next_id: 90_000,
            ..FakeState::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake Intercom on 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake Intercom address");
        let app = Router::new().fallback(handle).with_state(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Self {
            addr,
            state,
            shutdown: Some(tx),
            task,
        }
    }

    /// `http://127.0.0.1:<port>`, to use as the client's base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Store a conversation (a JSON object with an `id`); returns its id. Replaces one with
    /// the same id.
    ///
    /// # Panics
    /// If the object has no id (test helper).
    #[allow(clippy::panic)]
    pub fn seed_conversation(&self, conversation: Value) -> String {
        let Some(id) = crate::lenient::id(conversation.get("id")) else {
            panic!("seeded conversation needs an id");
        };
        let mut conversation = conversation;
        conversation["id"] = Value::String(id.clone());
        lock(&self.state).put(&id, conversation);
        id
    }

    /// The stored conversation, as the fake would serve it.
    pub fn conversation(&self, id: &str) -> Option<Value> {
        lock(&self.state).get(id).cloned()
    }

    /// Append a part to a stored conversation (simulates a new message). Returns `false` if
    /// the conversation does not exist.
    pub fn append_part(&self, conversation_id: &str, part: Value) -> bool {
        let mut s = lock(&self.state);
        match s.get_mut(conversation_id) {
            Some(c) => {
                push_part(c, part);
                true
            }
            None => false,
        }
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).requests.clone()
    }

    /// Requests matching `pattern` (see [`FakeIntercom::fail_next`] for the syntax).
    pub fn requests_matching(&self, pattern: &str) -> Vec<RecordedRequest> {
        let (method, path) = split_pattern(pattern);
        self.requests()
            .into_iter()
            .filter(|r| method.as_deref().is_none_or(|m| m == r.method) && glob(&path, &r.path))
            .collect()
    }

    pub fn clear_requests(&self) {
        lock(&self.state).requests.clear();
    }

    /// Answer the next `times` requests matching `pattern` with `failure`. `pattern` is an
    /// optional method and a path where `*` matches any run of characters, e.g.
    /// `"POST /conversations/redact"`, `"/conversations/*"`, `"GET /conversations/*"`.
    pub fn fail_next(&self, pattern: &str, failure: Failure, times: u32) {
        self.add_rule(pattern, failure, Some(times));
    }

    /// Answer every request matching `pattern` with `failure` until [`Self::clear_failures`].
    pub fn fail_always(&self, pattern: &str, failure: Failure) {
        self.add_rule(pattern, failure, None);
    }

    pub fn clear_failures(&self) {
        lock(&self.state).failures.clear();
    }

    fn add_rule(&self, pattern: &str, failure: Failure, remaining: Option<u32>) {
        let (method, pattern) = split_pattern(pattern);
        lock(&self.state).failures.push_back(FailureRule {
            method,
            pattern,
            failure,
            remaining,
        });
    }

    /// Names of the tags attached to a conversation, in the order they were attached.
    pub fn conversation_tags(&self, conversation_id: &str) -> Vec<String> {
        let s = lock(&self.state);
        s.conversation_tags
            .get(conversation_id)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| s.tag_names.get(id).cloned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every tag created so far: name → id.
    pub fn tags(&self) -> HashMap<String, String> {
        lock(&self.state).tags_by_name.clone()
    }
}

fn split_pattern(pattern: &str) -> (Option<String>, String) {
    match pattern.split_once(' ') {
        Some((m, p)) if m.chars().all(|c| c.is_ascii_uppercase()) => {
            (Some(m.to_owned()), p.trim().to_owned())
        }
        _ => (None, pattern.trim().to_owned()),
    }
}

/// `*` matches any run of characters (including `/`).
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    true
}

impl FakeState {
    fn put(&mut self, id: &str, conv: Value) {
        if let Ok(n) = id.parse::<u64>() {
            self.conversations.insert(n, conv);
        } else if let Some(slot) = self.other_conversations.iter_mut().find(|(k, _)| k == id) {
            slot.1 = conv;
        } else {
            self.other_conversations.push((id.to_owned(), conv));
        }
    }

    fn get(&self, id: &str) -> Option<&Value> {
        match id.parse::<u64>() {
            Ok(n) => self.conversations.get(&n),
            Err(_) => self
                .other_conversations
                .iter()
                .find(|(k, _)| k == id)
                .map(|(_, v)| v),
        }
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        match id.parse::<u64>() {
            Ok(n) => self.conversations.get_mut(&n),
            Err(_) => self
                .other_conversations
                .iter_mut()
                .find(|(k, _)| k == id)
                .map(|(_, v)| v),
        }
    }

    fn remove(&mut self, id: &str) -> bool {
        match id.parse::<u64>() {
            Ok(n) => self.conversations.remove(&n).is_some(),
            Err(_) => {
                let before = self.other_conversations.len();
                self.other_conversations.retain(|(k, _)| k != id);
                before != self.other_conversations.len()
            }
        }
    }

    fn all(&self) -> impl Iterator<Item = &Value> {
        self.conversations
            .values()
            .chain(self.other_conversations.iter().map(|(_, v)| v))
    }

    fn fresh_id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    fn request_id(&mut self) -> String {
        self.next_request += 1;
        format!(
            "fake-{:08x}-0000-4000-8000-{:012x}",
            self.next_request, self.next_request
        )
    }

    /// The first rule matching, consuming one use of it.
    fn take_failure(&mut self, method: &str, path: &str) -> Option<Failure> {
        let idx = self.failures.iter().position(|r| {
            r.method.as_deref().is_none_or(|m| m == method)
                && glob(&r.pattern, path)
                && r.remaining != Some(0)
        })?;
        let rule = self.failures.get_mut(idx)?;
        let failure = rule.failure.clone();
        if let Some(n) = rule.remaining.as_mut() {
            *n -= 1;
            if *n == 0 {
                self.failures.remove(idx);
            }
        }
        Some(failure)
    }
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn push_part(conv: &mut Value, part: Value) {
    let Some(obj) = conv.as_object_mut() else {
        return;
    };
    let list = obj.entry("conversation_parts").or_insert_with(
        || json!({"type": "conversation_part.list", "conversation_parts": [], "total_count": 0}),
    );
    if !list.get("conversation_parts").is_some_and(Value::is_array) {
        list["conversation_parts"] = json!([]);
    }
    if let Some(parts) = list["conversation_parts"].as_array_mut() {
        parts.push(part);
        let n = parts.len();
        list["total_count"] = json!(n);
    }
}

/// An answer: status, JSON body, extra headers.
struct Answer {
    status: StatusCode,
    body: Value,
    headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn ok(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body,
            headers: Vec::new(),
        }
    }
}

fn error(state: &mut FakeState, status: u16, code: &str, message: &str) -> Answer {
    Answer {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body: json!({
            "type": "error.list",
            "request_id": state.request_id(),
            "errors": [{"code": code, "message": message}],
        }),
        headers: Vec::new(),
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn handle(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let query = uri.query().map(str::to_owned);
    let json_body: Option<Value> = if body.is_empty() {
        None
    } else {
        serde_json::from_slice(&body).ok()
    };
    let record = RecordedRequest {
        method: method.as_str().to_owned(),
        path: path.clone(),
        query: query.clone(),
        authorization: header(&headers, "authorization"),
        intercom_version: header(&headers, "intercom-version"),
        content_type: header(&headers, "content-type"),
        body: json_body.clone(),
        status: 0,
        seq: 0,
        at: SystemTime::now(),
    };

    // Recorded on arrival (status 0 until answered), so a request whose caller gave up
    // during a slow answer is still counted. Failure injection happens under the lock; a slow
    // answer sleeps outside it.
    let (seq, failure) = {
        let mut s = lock(&state);
        s.arrivals += 1;
        let seq = s.arrivals;
        s.requests.push(RecordedRequest { seq, ..record });
        (seq, s.take_failure(method.as_str(), &path))
    };
    if let Some(Failure::Slow(d)) = &failure {
        tokio::time::sleep(*d).await;
    }

    let answer = {
        let mut s = lock(&state);
        let answer = respond(
            &mut s,
            &method,
            &path,
            query.as_deref(),
            &headers,
            &body,
            json_body,
            failure,
        );
        // Find the record by arrival number: requests may have been cleared meanwhile.
        if let Some(r) = s.requests.iter_mut().rev().find(|r| r.seq == seq) {
            r.status = answer.status.as_u16();
        }
        answer
    };

    let mut resp = (answer.status, axum::Json(answer.body)).into_response();
    for (k, v) in answer.headers {
        if let Ok(v) = HeaderValue::from_str(&v) {
            resp.headers_mut().insert(k, v);
        }
    }
    resp
}

#[allow(clippy::too_many_arguments)]
fn respond(
    s: &mut FakeState,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    raw_body: &[u8],
    body: Option<Value>,
    failure: Option<Failure>,
) -> Answer {
    let expected = format!("Bearer {}", s.token);
    if header(headers, "authorization").as_deref() != Some(expected.as_str()) {
        return error(s, 401, "unauthorized", "Access Token Invalid");
    }
    match header(headers, "intercom-version") {
        Some(v) if s.versions.contains(&v) => {}
        _ => {
            return error(
                s,
                400,
                "intercom_version_invalid",
                "The requested version could not be found",
            );
        }
    }
    match failure {
        Some(Failure::RateLimited {
            retry_after,
            reset_after,
        }) => {
            let mut a = error(s, 429, "rate_limit_exceeded", "Exceeded rate limit");
            let reset = now_unix() + reset_after.map_or(10, |d| d.as_secs() as i64);
            a.headers.push(("x-ratelimit-limit", "10000".to_owned()));
            a.headers.push(("x-ratelimit-remaining", "0".to_owned()));
            a.headers.push(("x-ratelimit-reset", reset.to_string()));
            if let Some(ra) = retry_after {
                a.headers.push(("retry-after", ra.as_secs().to_string()));
            }
            return a;
        }
        Some(Failure::ServerError) => {
            return error(s, 500, "server_error", "Internal server error");
        }
        Some(Failure::Status { status, code }) => {
            return error(s, status, &code, "Injected failure");
        }
        Some(Failure::NotRedactable) => {
            return error(
                s,
                400,
                "conversation_part_not_redactable",
                "Part can't be redacted",
            );
        }
        Some(Failure::Slow(_)) | None => {}
    }

    let has_body = !raw_body.is_empty();
    if has_body {
        let json_ct = header(headers, "content-type")
            .is_some_and(|c| c.to_ascii_lowercase().starts_with("application/json"));
        if !json_ct {
            return error(
                s,
                400,
                "parameter_invalid",
                "Content-Type must be application/json",
            );
        }
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let needs_body = *method == Method::POST;
    let body = match (needs_body, body) {
        (true, Some(Value::Object(m))) => Some(m),
        (true, _) => {
            return error(
                s,
                400,
                "parameter_invalid",
                "Request body must be a JSON object",
            );
        }
        (false, _) => None,
    };

    match (method.as_str(), segments.as_slice(), body) {
        ("GET", ["conversations", id], None) => get_conversation(s, id, query),
        ("DELETE", ["conversations", id], None) => {
            let id = (*id).to_owned();
            if s.remove(&id) {
                s.conversation_tags.remove(&id);
                Answer::ok(json!({"id": id, "object": "conversation", "deleted": true}))
            } else {
                error(s, 404, "not_found", "Resource Not Found")
            }
        }
        ("POST", ["conversations", "redact"], Some(b)) => redact(s, &b),
        ("POST", ["conversations", "search"], Some(b)) => search(s, &b),
        ("POST", ["conversations", id, "reply"], Some(b)) => reply(s, id, &b),
        ("POST", ["conversations", id, "tags"], Some(b)) => attach_tag(s, id, &b),
        ("POST", ["tags"], Some(b)) => create_tag(s, &b),
        _ => error(s, 404, "not_found", "Resource Not Found"),
    }
}

fn get_conversation(s: &mut FakeState, id: &str, query: Option<&str>) -> Answer {
    let plaintext = query.is_some_and(|q| q.split('&').any(|kv| kv == "display_as=plaintext"));
    let Some(conv) = s.get(id).cloned() else {
        return error(s, 404, "not_found", "Resource Not Found");
    };
    let mut conv = conv;
    if plaintext {
        if let Some(b) = conv.pointer_mut("/source/body") {
            to_plain(b);
        }
        if let Some(parts) = conv
            .pointer_mut("/conversation_parts/conversation_parts")
            .and_then(Value::as_array_mut)
        {
            for p in parts {
                if let Some(b) = p.get_mut("body") {
                    to_plain(b);
                }
            }
        }
    }
    Answer::ok(conv)
}

fn to_plain(body: &mut Value) {
    if let Value::String(html) = body {
        *html = html_to_text(html);
    }
}

/// A string or integer id field, as Intercom accepts both.
fn id_field(b: &Map<String, Value>, name: &str) -> Option<String> {
    crate::lenient::id(b.get(name))
}

fn redact(s: &mut FakeState, b: &Map<String, Value>) -> Answer {
    let kind = b.get("type").and_then(Value::as_str).unwrap_or("");
    if kind != "conversation_part" && kind != "source" {
        return error(
            s,
            400,
            "type_mismatch",
            "The type attribute provided should be either 'conversation_part' or 'source'",
        );
    }
    let Some(conv_id) = id_field(b, "conversation_id") else {
        return error(
            s,
            400,
            "parameter_not_found",
            "conversation_id not specified",
        );
    };
    let target_field = if kind == "source" {
        "source_id"
    } else {
        "conversation_part_id"
    };
    let Some(target) = id_field(b, target_field) else {
        return error(
            s,
            400,
            "parameter_not_found",
            "part or source id not specified",
        );
    };
    let now = now_unix();
    let outcome = {
        let Some(conv) = s.get_mut(&conv_id) else {
            return error(
                s,
                404,
                "conversation_part_or_message_not_found",
                "Conversation part or message not found",
            );
        };
        let slot = if kind == "source" {
            conv.get_mut("source")
                .filter(|src| crate::lenient::id(src.get("id")).as_deref() == Some(&target))
        } else {
            conv.pointer_mut("/conversation_parts/conversation_parts")
                .and_then(Value::as_array_mut)
                .and_then(|parts| {
                    parts
                        .iter_mut()
                        .find(|p| crate::lenient::id(p.get("id")).as_deref() == Some(&target))
                })
        };
        match slot {
            None => Err(404),
            Some(obj) => {
                let no_body = obj
                    .get("body")
                    .is_none_or(|v| v.is_null() || v.as_str().is_some_and(|t| t.trim().is_empty()));
                let already = obj.get("redacted") == Some(&Value::Bool(true));
                let author_is_contact = matches!(
                    obj.pointer("/author/type").and_then(Value::as_str),
                    Some("user" | "lead" | "contact")
                );
                if no_body || already || (kind == "source" && !author_is_contact) {
                    Err(400)
                } else {
                    obj["body"] = Value::String(REDACTED_BODY_HTML.to_owned());
                    obj["redacted"] = Value::Bool(true);
                    if obj.get("updated_at").is_some() {
                        obj["updated_at"] = json!(now);
                    }
                    conv["updated_at"] = json!(now);
                    Ok(conv.clone())
                }
            }
        }
    };
    match outcome {
        Ok(conv) => Answer::ok(conv),
        Err(404) => error(
            s,
            404,
            "conversation_part_or_message_not_found",
            "Conversation part or message not found",
        ),
        Err(_) => error(
            s,
            400,
            "conversation_part_not_redactable",
            "Part can't be redacted",
        ),
    }
}

fn reply(s: &mut FakeState, conv_id: &str, b: &Map<String, Value>) -> Answer {
    let message_type = b.get("message_type").and_then(Value::as_str);
    let kind = b.get("type").and_then(Value::as_str);
    if !matches!(message_type, Some("note" | "comment")) {
        return error(
            s,
            400,
            "parameter_invalid",
            "message_type must be note or comment",
        );
    }
    if kind != Some("admin") {
        return error(
            s,
            400,
            "parameter_invalid",
            "type must be admin for this fake",
        );
    }
    let Some(admin_id) = id_field(b, "admin_id") else {
        return error(s, 400, "parameter_not_found", "admin_id not specified");
    };
    let Some(body) = b
        .get("body")
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
    else {
        return error(s, 400, "parameter_not_found", "body not specified");
    };
    if s.get(conv_id).is_none() {
        return error(s, 404, "not_found", "Resource Not Found");
    }
    let part_id = s.fresh_id();
    let now = now_unix();
    let part = json!({
        "type": "conversation_part",
        "id": part_id,
        "part_type": message_type,
        "body": body,
        "created_at": now,
        "updated_at": now,
        "notified_at": now,
        "assigned_to": null,
        "author": {"id": admin_id, "type": "admin", "name": "DLP Service", "email": format!("operator+{FAKE_APP_ID}@intercom.io")},
        "attachments": [],
        "external_id": null,
        "redacted": false,
        "metadata": {},
        "email_message_metadata": null,
        "app_package_code": null
    });
    let Some(conv) = s.get_mut(conv_id) else {
        return error(s, 404, "not_found", "Resource Not Found");
    };
    push_part(conv, part);
    conv["updated_at"] = json!(now);
    Answer::ok(conv.clone())
}

fn create_tag(s: &mut FakeState, b: &Map<String, Value>) -> Answer {
    if b.keys().any(|k| k != "name") {
        return error(
            s,
            400,
            "parameter_invalid",
            "only tag creation by name is supported",
        );
    }
    let Some(name) = b
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
    else {
        return error(s, 400, "parameter_not_found", "name not specified");
    };
    let id = match s.tags_by_name.get(name) {
        Some(id) => id.clone(),
        None => {
            let id = s.fresh_id();
            s.tags_by_name.insert(name.to_owned(), id.clone());
            s.tag_names.insert(id.clone(), name.to_owned());
            id
        }
    };
    Answer::ok(json!({"type": "tag", "id": id, "name": name}))
}

fn attach_tag(s: &mut FakeState, conv_id: &str, b: &Map<String, Value>) -> Answer {
    let (Some(tag_id), Some(admin_id)) = (id_field(b, "id"), id_field(b, "admin_id")) else {
        return error(
            s,
            400,
            "parameter_not_found",
            "id and admin_id are required",
        );
    };
    if s.get(conv_id).is_none() {
        return error(s, 404, "not_found", "Resource Not Found");
    }
    let Some(name) = s.tag_names.get(&tag_id).cloned() else {
        return error(s, 404, "tag_not_found", "Tag not found");
    };
    let tags = s.conversation_tags.entry(conv_id.to_owned()).or_default();
    if !tags.contains(&tag_id) {
        tags.push(tag_id.clone());
    }
    Answer::ok(json!({
        "type": "tag",
        "id": tag_id,
        "name": name,
        "applied_at": now_unix(),
        "applied_by": {"type": "admin", "id": admin_id}
    }))
}

fn search(s: &mut FakeState, b: &Map<String, Value>) -> Answer {
    let Some(query) = b.get("query").filter(|q| q.is_object()) else {
        return error(s, 400, "parameter_not_found", "query not specified");
    };
    let pagination = b.get("pagination").cloned().unwrap_or(json!({}));
    let per_page = match pagination.get("per_page") {
        None => 20,
        Some(v) => match v.as_u64() {
            Some(n @ 1..=150) => n as usize,
            _ => {
                return error(
                    s,
                    400,
                    "parameter_invalid",
                    "per_page must be between 1 and 150",
                );
            }
        },
    };
    let after = match pagination.get("starting_after") {
        None | Some(Value::Null) => None,
        Some(Value::String(c)) => match decode_cursor(c) {
            Some(id) => Some(id),
            None => return error(s, 400, "parameter_invalid", "starting_after is invalid"),
        },
        Some(_) => return error(s, 400, "parameter_invalid", "starting_after is invalid"),
    };
    let evaluated: Result<Vec<Value>, ()> = s
        .all()
        .filter_map(|conv| match eval_query(query, conv) {
            Ok(true) => Some(Ok(conv.clone())),
            Ok(false) => None,
            Err(()) => Some(Err(())),
        })
        .collect();
    let Ok(matched) = evaluated else {
        return error(s, 400, "parameter_invalid", "unsupported search query");
    };
    let total = matched.len();
    let start = match &after {
        Some(id) => matched
            .iter()
            .position(|c| crate::lenient::id(c.get("id")).as_deref() == Some(id))
            .map_or(total, |p| p + 1),
        None => 0,
    };
    let page_items: Vec<Value> = matched
        .iter()
        .skip(start)
        .take(per_page)
        .map(|c| {
            let mut c = c.clone();
            if let Some(o) = c.as_object_mut() {
                o.remove("conversation_parts");
            }
            c
        })
        .collect();
    let page_no = start / per_page + 1;
    let total_pages = total.div_ceil(per_page).max(1);
    let mut pages =
        json!({"type": "pages", "page": page_no, "per_page": per_page, "total_pages": total_pages});
    let last_id = page_items
        .last()
        .and_then(|c| crate::lenient::id(c.get("id")));
    if let Some(last) = last_id.filter(|_| start + page_items.len() < total) {
        pages["next"] = json!({"page": page_no + 1, "starting_after": encode_cursor(&last)});
    }
    Answer::ok(json!({
        "type": "conversation.list",
        "pages": pages,
        "total_count": total,
        "conversations": page_items,
    }))
}

fn encode_cursor(id: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("after:{id}"))
}

fn decode_cursor(c: &str) -> Option<String> {
    let raw = base64::engine::general_purpose::STANDARD.decode(c).ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("after:")
        .map(str::to_owned)
}

/// Evaluate Intercom's search query language on the fields the fake supports: `id`,
/// `created_at`, `updated_at`, `state`, `open`; operators `=`, `!=`, `>`, `<`, `IN`, `NIN`,
/// `~`, `!~`, and nested `AND`/`OR`. Anything else is a 400, as Intercom would answer.
fn eval_query(q: &Value, conv: &Value) -> Result<bool, ()> {
    let op = q.get("operator").and_then(Value::as_str).ok_or(())?;
    if op == "AND" || op == "OR" {
        let items = q.get("value").and_then(Value::as_array).ok_or(())?;
        let mut acc = op == "AND";
        for item in items {
            let r = eval_query(item, conv)?;
            acc = if op == "AND" { acc && r } else { acc || r };
        }
        return Ok(acc);
    }
    let field = q.get("field").and_then(Value::as_str).ok_or(())?;
    if !matches!(field, "id" | "created_at" | "updated_at" | "state" | "open") {
        return Err(());
    }
    let actual = conv.get(field).cloned().unwrap_or(Value::Null);
    let expected = q.get("value").ok_or(())?;
    let as_num = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse::<f64>().ok(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    };
    let as_str = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    let eq = |a: &Value, b: &Value| match (as_num(a), as_num(b)) {
        (Some(x), Some(y)) => x == y,
        _ => as_str(a) == as_str(b),
    };
    Ok(match op {
        "=" => eq(&actual, expected),
        "!=" => !eq(&actual, expected),
        ">" | "<" => match (as_num(&actual), as_num(expected)) {
            (Some(a), Some(b)) => {
                if op == ">" {
                    a > b
                } else {
                    a < b
                }
            }
            _ => false,
        },
        "IN" | "NIN" => {
            let list = expected.as_array().ok_or(())?;
            let found = list.iter().any(|v| eq(&actual, v));
            if op == "IN" { found } else { !found }
        }
        "~" | "!~" => {
            let hay = as_str(&actual).unwrap_or_default();
            let needle = as_str(expected).unwrap_or_default();
            let found = hay.contains(&needle);
            if op == "~" { found } else { !found }
        }
        _ => return Err(()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches() {
        assert!(glob("/conversations/*", "/conversations/12"));
        assert!(glob("/conversations/*/reply", "/conversations/12/reply"));
        assert!(!glob("/conversations/*/reply", "/conversations/12/tags"));
        assert!(glob("/tags", "/tags"));
        assert!(!glob("/tags", "/tags/1"));
    }

    #[test]
    fn cursor_round_trips() {
        assert_eq!(decode_cursor(&encode_cursor("503")).as_deref(), Some("503"));
        assert_eq!(decode_cursor("nope"), None);
    }
}
