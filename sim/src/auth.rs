//! OAuth2 client credentials, as Spotify does them: `POST /oauth/token` with the client's
//! id and secret in Basic auth issues a bearer token that expires; providers that
//! require one answer 401 without a valid token.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::Shared;
use crate::faults::provider_of;

#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub client_id: String,
    pub client_secret: String,
    /// How long an issued token lives.
    pub token_ttl: Duration,
    /// Providers that answer 401 without a valid bearer token.
    pub providers: Vec<String>,
}

#[derive(Default)]
pub(crate) struct Tokens {
    issued: Mutex<HashMap<String, Instant>>,
    pub(crate) requests: std::sync::atomic::AtomicU64,
}

pub(crate) async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    shared.tokens.requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let Some(config) = &shared.auth else { return StatusCode::NOT_FOUND.into_response() };
    let expected = format!("{}:{}", config.client_id, config.client_secret);
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64_decode(b.trim()));
    if given.as_deref() != Some(expected.as_str()) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_client", "error_description": "Invalid client"})),
        )
            .into_response();
    }
    let n = shared.tokens.requests.load(std::sync::atomic::Ordering::Relaxed);
    let value = format!("simtoken-{n}-{:08x}", rand::random::<u32>());
    shared.tokens.issued.lock().expect("tokens lock").insert(value.clone(), Instant::now() + config.token_ttl);
    Json(json!({"access_token": value, "token_type": "Bearer", "expires_in": config.token_ttl.as_secs()}))
        .into_response()
}

/// Lets a request through if its provider needs no token or it carries a live one.
pub(crate) async fn require(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let provider = provider_of(request.uri().path()).to_string();
    if !shared.auth.as_ref().is_some_and(|c| c.providers.contains(&provider)) {
        return next.run(request).await;
    }
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let live = bearer.as_ref().and_then(|t| shared.tokens.issued.lock().expect("tokens lock").get(t).copied());
    match live {
        Some(expires) if expires > Instant::now() => next.run(request).await,
        Some(_) => unauthorized("The access token expired"),
        None => unauthorized("No token provided"),
    }
}

fn unauthorized(message: &str) -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({"error": {"status": 401, "message": message}}))).into_response()
}

fn base64_decode(s: &str) -> Option<String> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).ok().and_then(|b| String::from_utf8(b).ok())
}

/// Whether a request carries `Authorization: Bearer <want>` (any token when `want` is
/// `None`): Genius' and Beatport's static tokens.
pub(crate) fn bearer_ok(headers: &HeaderMap, want: Option<&str>) -> bool {
    let got = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    match (want, got) {
        (_, None) => false,
        (Some(want), Some(got)) => want == got,
        (None, Some(got)) => !got.is_empty(),
    }
}
