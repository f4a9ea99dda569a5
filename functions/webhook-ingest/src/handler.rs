//! API Gateway HTTP API (payload v2) ↔ the ingest use-case.
//!
//! Owns: the HTTP edge of `POST|HEAD /webhooks/intercom` in Lambda — `HEAD` answered 200
//! before anything else (Intercom validates the URL with it and sends no signature), other
//! methods 405, and for `POST` the exact body bytes (lambda_http has already undone API
//! Gateway's base64), the `X-Hub-Signature` header (header names are case-insensitive) and
//! the request id handed to [`Ingest::handle_post`], whose outcome becomes a fixed status and
//! constant JSON body.
//!
//! Must never: log or echo the body or the signature, answer 410, or decide anything the
//! use-case decides (order of checks, dedup, audit) — that logic lives in `shared/service`.

use std::convert::Infallible;
use std::time::Instant;

use dlp_intercom::SIGNATURE_HEADER;
use dlp_service::ingest::{Ingest, body};
use lambda_http::http::{Method, StatusCode, header};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};

/// Handle one request. Infallible: every failure is an HTTP status, never a Lambda error
/// (a Lambda error would make API Gateway answer 500 with its own body).
pub async fn handle(ingest: &Ingest, request: Request) -> Result<Response<Body>, Infallible> {
    let started = Instant::now();
    let request_id = api_request_id(&request);
    let response = match *request.method() {
        Method::HEAD => respond(StatusCode::OK, None),
        Method::POST => {
            let signature = request
                .headers()
                .get(SIGNATURE_HEADER)
                .and_then(|v| v.to_str().ok());
            let outcome = ingest
                .handle_post(signature, body_bytes(request.body()), request_id.as_deref())
                .await;
            // Reports rejection counts whose one-minute window has passed: a container has no
            // timer of its own, so the next request does it.
            ingest.flush_rejections().await;
            let status =
                StatusCode::from_u16(outcome.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            respond(status, Some(outcome.body()))
        }
        _ => respond(
            StatusCode::METHOD_NOT_ALLOWED,
            Some(body::METHOD_NOT_ALLOWED),
        ),
    };
    tracing::info!(
        method = %request.method(),
        status = response.status().as_u16(),
        request_id = request_id.as_deref().unwrap_or("-"),
        elapsed_us = started.elapsed().as_micros() as u64,
        "webhook answered"
    );
    Ok(response)
}

fn body_bytes(body: &Body) -> &[u8] {
    match body {
        Body::Empty => &[],
        Body::Text(s) => s.as_bytes(),
        Body::Binary(b) => b,
        // `Body` is non-exhaustive in spirit; any other form carries no webhook we accept.
        #[allow(unreachable_patterns)]
        _ => &[],
    }
}

/// API Gateway's request id (matches its access logs), else the Lambda request id.
fn api_request_id(request: &Request) -> Option<String> {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
        _ => request.lambda_context_ref().map(|c| c.request_id.clone()),
    }
}

fn respond(status: StatusCode, body: Option<&'static str>) -> Response<Body> {
    let mut builder = Response::builder().status(status);
    let body = match body {
        Some(b) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::Text(b.to_owned())
        }
        None => Body::Empty,
    };
    builder.body(body).unwrap_or_else(|_| {
        // Only reachable with an invalid header value, which the constants above are not.
        let mut r = Response::new(Body::Empty);
        *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

#[cfg(test)]
mod tests;
