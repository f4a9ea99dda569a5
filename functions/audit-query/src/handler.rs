//! The review router behind API Gateway: a layer that reads the claims the HTTP API JWT
//! authorizer verified (`requestContext.authorizer.jwt.claims`, every value flattened to a
//! string) into an [`Identity`], and the API Gateway request id into [`RequestId`].
//!
//! Must never: accept an identity from anything but the authorizer's request context (a
//! request without it is 401), or read the `Authorization` header itself.

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use dlp_service::identity::Identity;
use dlp_service::review::Review;
use dlp_service::review_api::{RequestId, router};
use lambda_http::request::RequestContext;
use serde_json::{Map, Value};

/// The router with the authorizer-claims layer.
pub fn app(review: Review, roles_claim: String) -> axum::Router {
    router(review).layer(middleware::from_fn(move |req: Request, next: Next| {
        let roles_claim = roles_claim.clone();
        async move { with_identity(req, next, &roles_claim).await }
    }))
}

/// The verified identity in a request context, if any.
pub fn identity_from_context(ctx: &RequestContext, roles_claim: &str) -> Option<Identity> {
    let RequestContext::ApiGatewayV2(ctx) = ctx else {
        return None;
    };
    let claims = &ctx.authorizer.as_ref()?.jwt.as_ref()?.claims;
    let claims: Map<String, Value> = claims
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    Identity::from_claims(&Value::Object(claims), roles_claim)
}

async fn with_identity(mut req: Request, next: Next, roles_claim: &str) -> Response {
    req.extensions_mut().remove::<Identity>();
    let ctx = req.extensions().get::<RequestContext>();
    let identity = ctx.and_then(|c| identity_from_context(c, roles_claim));
    let request_id = match ctx {
        Some(RequestContext::ApiGatewayV2(c)) => c.request_id.clone(),
        _ => None,
    };
    if let Some(id) = identity {
        req.extensions_mut().insert(id);
    }
    if let Some(rid) = request_id {
        req.extensions_mut().insert(RequestId(rid));
    }
    next.run(req).await
}
