//! The review and audit HTTP API as an axum [`Router`], mounted by `dlp serve` (behind
//! [`with_local_auth`]) and by the audit-query Lambda (behind a layer that turns the API
//! Gateway JWT authorizer's verified claims into an [`Identity`]).
//!
//! Owns: routes, query parsing, status codes, constant error bodies, `Cache-Control:
//! no-store` on every response, per-request attribution (subject, route, status in the log),
//! the streamed CSV export, and the local HS256 authentication layer.
//!
//! Must never: authenticate from anything but a verified token (a request without an
//! [`Identity`] extension is 401), quote input or internal errors in a response body, or log
//! a request or response body.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, MatchedPath, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dlp_audit::{Action, AuditQuery};
use serde::Deserialize;

use crate::clock::{Clock, parse_time};
use crate::identity::Identity;
use crate::jwt::Hs256;
use crate::review::{BreakView, FindingsQuery, Review, ReviewError, VerifyView};

/// A request id supplied by the edge (e.g. the API Gateway request id). When absent, a valid
/// `x-request-id` header is used, else one is generated.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// The error half of every handler: a status and a constant body.
#[derive(Debug)]
pub struct ApiError(pub ReviewError);

impl From<ReviewError> for ApiError {
    fn from(e: ReviewError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = match self.0 {
            ReviewError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ReviewError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ReviewError::BadRequest => (StatusCode::BAD_REQUEST, "bad_request"),
            ReviewError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ReviewError::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            ReviewError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ReviewError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        };
        let mut resp = (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            format!("{{\"error\":\"{code}\"}}"),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("3600"));
        }
        resp
    }
}

/// The verified caller. Rejects with 401 when the edge inserted no [`Identity`].
pub struct Caller(pub Identity);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Identity>()
            .cloned()
            .map(Caller)
            .ok_or(ApiError(ReviewError::Unauthenticated))
    }
}

type Shared = State<Arc<Review>>;
type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// The review API routes. No fallback is set, so the router merges into `dlp serve`'s.
pub fn router(review: Review) -> Router {
    Router::new()
        .route("/v1/findings", get(list_findings))
        .route("/v1/findings/{id}", get(get_finding))
        .route("/v1/findings/{id}/reveal", post(reveal))
        .route("/v1/audit/events", get(audit_events))
        .route("/v1/audit/export", get(audit_export))
        .route("/v1/audit/verify", get(audit_verify))
        .with_state(Arc::new(review))
        .layer(middleware::from_fn(harden_and_attribute))
}

/// `Cache-Control: no-store` on every response (reveals carry plaintext; listings carry
/// personal context), and one log line per request attributing it to the subject.
async fn harden_and_attribute(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let sub = req
        .extensions()
        .get::<Identity>()
        .map(|i| i.sub.clone())
        .unwrap_or_default();
    let started = std::time::Instant::now();
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    tracing::info!(
        %method,
        route,
        sub,
        status = resp.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "review api request"
    );
    resp
}

fn param(q: &HashMap<String, String>, key: &str) -> Option<String> {
    q.get(key)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn time_param(q: &HashMap<String, String>, key: &str) -> Result<Option<i64>, ApiError> {
    match param(q, key) {
        None => Ok(None),
        Some(v) => parse_time(&v)
            .map(Some)
            .ok_or(ApiError(ReviewError::BadRequest)),
    }
}

fn limit_param(q: &HashMap<String, String>) -> Result<Option<u32>, ApiError> {
    match param(q, "limit") {
        None => Ok(None),
        Some(v) => v
            .parse::<u32>()
            .map(Some)
            .map_err(|_| ApiError(ReviewError::BadRequest)),
    }
}

fn query_map(q: Params) -> Result<HashMap<String, String>, ApiError> {
    q.map(|Query(m)| m)
        .map_err(|_| ApiError(ReviewError::BadRequest))
}

fn json<T: serde::Serialize>(value: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(value).map_err(|_| ApiError(ReviewError::Internal))?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

async fn list_findings(
    State(review): Shared,
    Caller(who): Caller,
    q: Params,
) -> Result<Response, ApiError> {
    let q = query_map(q)?;
    let query = FindingsQuery {
        workspace_id: param(&q, "workspace_id"),
        conversation_id: param(&q, "conversation_id"),
        since: time_param(&q, "since")?,
        until: time_param(&q, "until")?,
        entity: param(&q, "entity"),
        cursor: param(&q, "cursor"),
        limit: limit_param(&q)?,
    };
    json(&review.list_findings(&who, &query).await?)
}

async fn get_finding(
    State(review): Shared,
    Caller(who): Caller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    review.require_read(&who)?;
    let Path(id) = id.map_err(|_| ApiError(ReviewError::NotFound))?;
    json(&review.get_finding(&who, &id).await?)
}

#[derive(Deserialize)]
struct RevealBody {
    reason: Option<String>,
}

fn request_id(parts_ext: Option<&RequestId>, headers: &HeaderMap, review: &Review) -> String {
    if let Some(RequestId(id)) = parts_ext {
        return id.clone();
    }
    if let Some(v) = headers.get("x-request-id").and_then(|v| v.to_str().ok())
        && !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return v.to_owned();
    }
    dlp_vault::new_entry_id(review.clock.now_ms()).0
}

async fn reveal(
    State(review): Shared,
    Caller(who): Caller,
    id: Result<Path<String>, PathRejection>,
    req_id: Option<axum::Extension<RequestId>>,
    headers: HeaderMap,
    body: Result<axum::Json<RevealBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|_| ApiError(ReviewError::NotFound))?;
    let rid = request_id(req_id.as_ref().map(|e| &e.0), &headers, &review);
    // A missing or unreadable body is treated like an empty reason: denied and audited.
    let reason = body.ok().and_then(|b| b.0.reason).unwrap_or_default();
    let revealed = review.reveal(&who, &id, &reason, Some(&rid)).await?;
    json(&revealed)
}

async fn audit_events(
    State(review): Shared,
    Caller(who): Caller,
    q: Params,
) -> Result<Response, ApiError> {
    let q = query_map(q)?;
    let query = AuditQuery {
        since: time_param(&q, "since")?,
        until: time_param(&q, "until")?,
        actor: param(&q, "actor"),
        action: param(&q, "action").map(|a| Action::parse(&a)),
        conversation_id: param(&q, "conversation_id"),
    };
    let page = review
        .audit_events(&who, &query, param(&q, "cursor"), limit_param(&q)?)
        .await?;
    json(&serde_json::json!({
        "items": page.items,
        "next_cursor": page.next_cursor,
    }))
}

async fn audit_export(
    State(review): Shared,
    Caller(who): Caller,
    q: Params,
) -> Result<Response, ApiError> {
    review.require_read(&who)?;
    let q = query_map(q)?;
    let query = AuditQuery {
        since: time_param(&q, "since")?,
        until: time_param(&q, "until")?,
        ..AuditQuery::default()
    };
    if let (Some(a), Some(b)) = (query.since, query.until)
        && a > b
    {
        return Err(ApiError(ReviewError::BadRequest));
    }
    let stream = export_stream(review.clone(), query);
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit-events.csv\"",
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The CSV body, one query page per chunk: memory stays flat however many events match.
/// A failure after the first chunk ends the stream with an error (the client sees a
/// truncated transfer, never a partial file that looks complete).
fn export_stream(
    review: Arc<Review>,
    query: AuditQuery,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    enum Step {
        Header,
        Page(Option<String>),
        Done,
    }
    futures_util::stream::unfold(Step::Header, move |step| {
        let review = review.clone();
        let query = query.clone();
        async move {
            match step {
                Step::Header => Some((
                    Ok(Bytes::from(dlp_audit::csv::csv_header())),
                    Step::Page(None),
                )),
                Step::Page(cursor) => {
                    let page = review
                        .audit
                        .query(
                            &query,
                            &dlp_audit::PageRequest {
                                cursor,
                                limit: dlp_audit::csv::EXPORT_PAGE,
                            },
                        )
                        .await;
                    match page {
                        Ok(page) => {
                            let mut chunk = String::with_capacity(page.items.len() * 320);
                            for e in &page.items {
                                chunk.push_str(&dlp_audit::csv::csv_row(e));
                            }
                            let next = match page.next_cursor {
                                Some(c) => Step::Page(Some(c)),
                                None => Step::Done,
                            };
                            Some((Ok(Bytes::from(chunk)), next))
                        }
                        Err(_) => {
                            tracing::error!("audit export failed mid-stream");
                            Some((
                                Err(std::io::Error::other("audit export failed")),
                                Step::Done,
                            ))
                        }
                    }
                }
                Step::Done => None,
            }
        }
    })
}

async fn audit_verify(State(review): Shared, Caller(who): Caller) -> Result<Response, ApiError> {
    review.require_read(&who)?;
    let report = dlp_audit::verify(review.audit.as_ref())
        .await
        .map_err(ReviewError::from)?;
    json(&verify_view(&report))
}

/// The JSON form of a verify report.
pub fn verify_view(report: &dlp_audit::VerifyReport) -> VerifyView {
    VerifyView {
        ok: report.is_intact(),
        chains: report.chains.len() as u16,
        verified: report.verified,
        first_break: report.first_break().map(|b| BreakView {
            chain: b.chain,
            seq: b.seq,
            event_id: b.event_id.clone(),
            reason: b.reason.code().to_owned(),
        }),
    }
}

/// Local authentication for `dlp serve`: verifies `Authorization: Bearer <HS256 JWT>` and
/// inserts the [`Identity`]. Invalid or missing tokens insert nothing, so the routes answer
/// 401; the reason is logged, never returned.
pub struct LocalAuth {
    pub verifier: Hs256,
    pub roles_claim: String,
    pub clock: Arc<dyn Clock>,
}

/// Wrap the review router (only it: the webhook routes authenticate by signature) with
/// [`LocalAuth`].
pub fn with_local_auth(router: Router, auth: LocalAuth) -> Router {
    router.layer(middleware::from_fn_with_state(Arc::new(auth), local_auth))
}

async fn local_auth(State(auth): State<Arc<LocalAuth>>, mut req: Request, next: Next) -> Response {
    // Never trust an identity that did not come from this layer.
    req.extensions_mut().remove::<Identity>();
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    if let Some(token) = token {
        let now_secs = auth.clock.now_ms().div_euclid(1000);
        match auth.verifier.verify(token, now_secs) {
            Ok(claims) => match Identity::from_claims(&claims, &auth.roles_claim) {
                Some(id) => {
                    req.extensions_mut().insert(id);
                }
                None => tracing::info!("token without subject rejected"),
            },
            Err(e) => tracing::info!(reason = %e, "token rejected"),
        }
    }
    next.run(req).await
}
