//! Fault injection: what real providers do on a bad day, switched on per test. This
//! layer also counts every request that arrives, faulted or not.
//!
//! A rule names a provider, optionally a part of the path, the fault, and how many
//! requests it hits. Rules are checked before the provider's own handlers run, so a
//! faulted request never reaches the catalog (except the faults that need the real
//! answer first: slow and truncated responses).

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::Shared;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 with a Retry-After of this many seconds, as a number or as an HTTP date.
    TooManyRequests { retry_after_secs: u64, as_http_date: bool },
    /// 503 with an empty body.
    ServiceUnavailable,
    /// The real answer, after this long.
    Slow(Duration),
    /// Headers and the start of a body, then the connection is cut.
    Drop,
    /// HTTP 200 with a body that is not JSON.
    Malformed,
    /// The real answer cut in half: HTTP 200, valid length, invalid JSON.
    Truncated,
    /// 401, as for an expired bearer token.
    ExpiredToken,
    /// HTTP 200 carrying the provider's error object.
    ErrorBody,
    /// 403 with an HTML page, as the iTunes API refuses a client over its rate.
    Forbidden,
    /// 400 with the provider's error object, as for a parameter it does not take.
    BadRequest,
}

#[derive(Debug, Clone)]
pub struct FaultRule {
    pub provider: String,
    /// Only requests whose path contains this; empty matches every path.
    pub path_contains: String,
    pub fault: Fault,
    /// How many matching requests it still hits.
    pub remaining: u32,
}

/// The provider a request is for: the first segment of its path.
pub(crate) fn provider_of(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or("")
}

fn take(shared: &Shared, provider: &str, path: &str) -> Option<Fault> {
    let mut rules = shared.faults.lock().expect("faults lock");
    let rule =
        rules.iter_mut().find(|r| r.remaining > 0 && r.provider == provider && path.contains(&r.path_contains))?;
    rule.remaining -= 1;
    Some(rule.fault.clone())
}

fn error_body(provider: &str) -> &'static str {
    match provider {
        "deezer" => r#"{"error":{"type":"Exception","message":"Quota limit exceeded","code":4}}"#,
        "lastfm" => {
            r#"{"error":29,"message":"Rate Limit Exceeded - Your IP has made too many requests in a short period"}"#
        }
        _ => r#"{"error":{"status":500,"message":"Internal error"}}"#,
    }
}

/// A refused parameter in the provider's words. Apple Music's is a real answer (from a
/// developer forum thread: an offset of 206 on the charts); the others are generic.
fn bad_request_body(provider: &str) -> &'static str {
    match provider {
        "apple_music" => {
            r#"{"errors":[{"id":"NVCX563G726IXQBZ6GVUK4FJSI","title":"Invalid Parameter Value","detail":"offset must be less than 200","status":"400","code":"40005","source":{"parameter":"offset"}}]}"#
        }
        _ => r#"{"error":{"status":400,"message":"Bad request"}}"#,
    }
}

fn json(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

pub(crate) async fn apply(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let provider = provider_of(&path).to_string();
    shared.count_request(&provider);
    let Some(fault) = take(&shared, &provider, &path) else { return next.run(request).await };
    shared.count_fault(&provider);
    match fault {
        Fault::TooManyRequests { retry_after_secs, as_http_date } => {
            let value = if as_http_date {
                httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(retry_after_secs))
            } else {
                retry_after_secs.to_string()
            };
            let mut r = json(
                StatusCode::TOO_MANY_REQUESTS,
                r#"{"error":{"status":429,"message":"Too many requests","reason":"QUOTA_EXCEEDED"}}"#,
            );
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_str(&value).expect("header value"));
            r
        }
        Fault::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Fault::Slow(d) => {
            tokio::time::sleep(d).await;
            next.run(request).await
        }
        Fault::Drop => {
            let chunks: Vec<Result<Bytes, std::io::Error>> =
                vec![Ok(Bytes::from_static(b"{\"data\": [")), Err(std::io::Error::other("connection dropped"))];
            let mut r = Response::new(Body::from_stream(futures::stream::iter(chunks)));
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r
        }
        Fault::Malformed => json(StatusCode::OK, "<html><body>502 Bad Gateway</body></html>"),
        Fault::Truncated => {
            let real = next.run(request).await;
            let (parts, body) = real.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let cut = bytes.slice(..bytes.len() / 2);
            let mut r = Response::from_parts(parts, Body::from(cut));
            r.headers_mut().remove(header::CONTENT_LENGTH);
            r
        }
        Fault::ExpiredToken => {
            json(StatusCode::UNAUTHORIZED, r#"{"error":{"status":401,"message":"The access token expired"}}"#)
        }
        Fault::ErrorBody => json(StatusCode::OK, error_body(&provider)),
        Fault::Forbidden => (StatusCode::FORBIDDEN, "<html><body>403 Forbidden</body></html>").into_response(),
        Fault::BadRequest => json(StatusCode::BAD_REQUEST, bad_request_body(&provider)),
    }
}
