//! The HTTP stack every provider goes through: a governor rate limiter, a circuit
//! breaker, timeouts by kind of request, retries with exponential backoff and jitter
//! that honour Retry-After, and a provider's own test for errors that arrive inside
//! a 200 body.

use std::num::NonZeroU32;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::Rng;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use tracing::{Instrument, debug, warn};

use crate::auth::Auth;
use crate::breaker::Breaker;
use crate::config::ProviderConfig;
use crate::quota::{self, Cost, Ledger};
use crate::request::{Kind, Request, strip_credentials};

/// What a provider's body says about a response, beyond its status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyVerdict {
    /// As the status says.
    Ok,
    /// Throttled or failing in a way worth retrying (Deezer's quota error, code 4,
    /// Last.fm's error 29).
    Retry(String),
    /// The provider's daily quota is spent (YouTube's 403 quotaExceeded): nothing more
    /// is asked of it today.
    QuotaSpent(String),
    /// The provider's own "too fast" (MusicBrainz answers 503 over its rate): retried
    /// at a slower pace for a while, and no mark against the circuit breaker.
    SlowDown(String),
}

/// How long a provider that said "too fast" is asked at half the pace.
const SLOW_DOWN_FOR: Duration = Duration::from_secs(60);

/// Reads a response's status and body the provider's way. Called for every response
/// the stack would otherwise take as an answer (2xx and 4xx other than 401 and 429).
pub type BodyCheck = fn(u16, &str) -> BodyVerdict;

/// For providers whose status line says it all.
pub fn status_says_it_all(_status: u16, _body: &str) -> BodyVerdict {
    BodyVerdict::Ok
}

/// One response, as it lands in the raw lake.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub provider: &'static str,
    pub resource: &'static str,
    pub request_key: String,
    /// What the request was made with, a JSON object ([`crate::request::Request::params`]).
    pub params: String,
    /// Without credentials.
    pub url: String,
    pub status: u16,
    pub fetched_at: DateTime<Utc>,
    pub body: String,
    pub attempts: u32,
}

/// A request that failed for good: after every retry, or with a status not worth retrying.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{provider} {request_key}: {reason} (after {attempts} attempt(s))")]
pub struct FetchError {
    pub provider: &'static str,
    pub request_key: String,
    pub reason: String,
    pub attempts: u32,
    /// The provider's daily quota is spent: nothing more should be asked of it today.
    pub quota_spent: bool,
    /// The provider asked not to be asked before then (a Retry-After beyond the run's
    /// patience): nothing more is asked of it until that time, in this run or a later one.
    pub retry_at: Option<DateTime<Utc>>,
}

pub struct HttpStack {
    provider: &'static str,
    /// The provider's declared resources: what kind each request is.
    resources: &'static [crate::providers::Resource],
    base: url::Url,
    client: reqwest::Client,
    limiter: DefaultDirectRateLimiter,
    breaker: Breaker,
    auth: Auth,
    ledger: Option<Ledger>,
    config: ProviderConfig,
    body_check: BodyCheck,
    /// Until when each request waits one more period: the pace halved.
    slow_until: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Attempt {
    /// The HTTP status as a metric label, or what kept the request from having one.
    fn status_label(&self) -> String {
        match self {
            Attempt::Done(status, _) => status.to_string(),
            Attempt::Unauthorized { .. } => "401".into(),
            Attempt::QuotaSpent(_) => "quota".into(),
            Attempt::Retry { reason, .. } => match reason.strip_prefix("HTTP ") {
                Some(code) => code.chars().take_while(char::is_ascii_digit).collect(),
                None => "error".into(),
            },
        }
    }
}

enum Attempt {
    Done(u16, String),
    /// Worth another try. `provider_failed` counts against the circuit breaker:
    /// server errors, timeouts and broken bodies do; throttling does not.
    Retry {
        reason: String,
        after: Option<Duration>,
        provider_failed: bool,
    },
    /// 401: with a token source, the token is refreshed once and the request sent again.
    Unauthorized {
        body: String,
        token: Option<String>,
    },
    QuotaSpent(String),
}

impl HttpStack {
    pub fn new(provider: &'static str, config: &ProviderConfig, body_check: BodyCheck) -> anyhow::Result<Self> {
        let base = url::Url::parse(config.base_url.trim_end_matches('/'))
            .with_context(|| format!("providers.{provider}.base_url: {:?} is not a URL", config.base_url))?;
        let mut builder = reqwest::Client::builder();
        if let Some(ua) = &config.user_agent {
            builder = builder.user_agent(ua.clone());
        }
        let client = builder.build().context("building the HTTP client")?;
        let quota = Quota::with_period(period(config))
            .with_context(|| format!("providers.{provider}.rate: the period between requests is zero"))?
            .allow_burst(NonZeroU32::new(config.rate.burst.max(1)).expect("burst above zero"));
        Ok(HttpStack {
            provider,
            resources: crate::Provider::parse(provider).map_or(&[], |p| p.resources()),
            base,
            client,
            limiter: RateLimiter::direct(quota),
            breaker: Breaker::new(config.breaker),
            auth: Auth::new(config.auth.clone()),
            ledger: None,
            config: config.clone(),
            body_check,
            slow_until: std::sync::Mutex::new(None),
        })
    }

    pub fn provider(&self) -> &'static str {
        self.provider
    }

    pub fn page_size(&self) -> u32 {
        self.config.page_size
    }

    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    pub fn breaker(&self) -> &Breaker {
        &self.breaker
    }

    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// Where renewed refresh tokens are kept between runs.
    pub fn with_tokens(mut self, tokens: Option<crate::auth::Tokens>) -> Self {
        self.auth = Auth::new(self.config.auth.clone()).with_store(self.provider, tokens);
        self
    }

    /// Where this provider's daily quota (if it has one) is counted.
    pub fn with_ledger(mut self, ledger: Option<Ledger>) -> Self {
        self.ledger = ledger;
        self
    }

    pub fn url(&self, request: &Request) -> url::Url {
        let mut url = self.base.clone();
        let path = format!("{}{}", self.base.path().trim_end_matches('/'), request.path);
        url.set_path(&path);
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        url
    }

    /// Sends the request within the provider's rate, retrying what is worth retrying.
    /// While the circuit is open nothing is sent and the request fails at once.
    pub async fn get(&self, request: &Request) -> Result<Fetched, FetchError> {
        let url = self.url(request);
        let key = request.key();
        // As the resource declares it; a request of no declared resource looks up.
        let kind = self.resources.iter().find(|r| r.name == request.resource).map_or(Kind::Lookup, |r| r.kind);
        let timeout = match kind {
            Kind::Search => self.config.timeouts.search,
            Kind::Lookup => self.config.timeouts.lookup,
        };
        let fail = |reason: String, attempts: u32| FetchError {
            provider: self.provider,
            request_key: key.clone(),
            reason,
            attempts,
            quota_spent: false,
            retry_at: None,
        };
        let cost = match kind {
            Kind::Search => Cost::SearchCall,
            Kind::Lookup => Cost::Units(1),
        };
        let mut attempt = 0u32;
        let mut refreshed = false;
        loop {
            if let Err(wait) = self.breaker.allow() {
                return Err(fail(format!("circuit open after repeated failures; retry in {:.0?}", wait), attempt));
            }
            // Every attempt spends quota, failed ones included, as the providers count.
            if let (Some(quota), Some(ledger)) = (&self.config.daily_quota, &self.ledger) {
                let spent = quota::spend(ledger.as_ref(), self.provider, quota, cost)
                    .map_err(|e| fail(format!("counting the daily quota: {e:#}"), attempt))?;
                if let Err(message) = spent {
                    return Err(FetchError { quota_spent: true, ..fail(message, attempt) });
                }
            }
            attempt += 1;
            self.limiter.until_ready().await;
            let slow = self.slow_until.lock().expect("slow lock").is_some_and(|t| t > std::time::Instant::now());
            if slow {
                tokio::time::sleep(self.period()).await;
            }
            let span = tracing::debug_span!("request", provider = self.provider, resource = request.resource, attempt);
            let started = std::time::Instant::now();
            let outcome = async {
                debug!(key = %key, "sending");
                self.attempt(&url, Duration::from_secs_f64(timeout)).await
            }
            .instrument(span)
            .await;
            let labels = [("provider", self.provider), ("resource", request.resource)];
            metrics::histogram!("liner_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
            metrics::counter!("liner_requests_total", "provider" => self.provider, "resource" => request.resource,
                "status" => outcome.status_label())
            .increment(1);
            match outcome {
                Attempt::Done(status, body) => {
                    self.breaker.success();
                    return Ok(Fetched {
                        provider: self.provider,
                        resource: request.resource,
                        request_key: key,
                        params: request.params(),
                        url: strip_credentials(&url),
                        status,
                        fetched_at: Utc::now(),
                        body,
                        attempts: attempt,
                    });
                }
                Attempt::QuotaSpent(reason) => {
                    return Err(FetchError { quota_spent: true, ..fail(reason, attempt) });
                }
                Attempt::Unauthorized { body, token } => match token {
                    Some(token) if !refreshed => {
                        warn!(provider = self.provider, "HTTP 401: refreshing the token once");
                        self.auth.invalidate(&token).await;
                        refreshed = true;
                    }
                    _ => {
                        let refused = self.config.auth.refused(self.provider);
                        return Err(fail(format!("HTTP 401: {refused}: {}", snippet(&body)), attempt));
                    }
                },
                Attempt::Retry { reason, after, provider_failed } => {
                    if provider_failed {
                        self.breaker.failure();
                    }
                    // A wait beyond the run's patience (Spotify's quota: hours) is not
                    // worth one more try, nor any other request of this provider today.
                    if let Some(after) = after.filter(|a| *a > self.max_wait()) {
                        let until = Utc::now() + chrono::Duration::from_std(after).unwrap_or(chrono::Duration::days(1));
                        return Err(FetchError {
                            retry_at: Some(until),
                            ..fail(
                                format!(
                                    "{reason} with Retry-After {}: {} is not asked again before {} UTC",
                                    humantime_secs(after),
                                    self.provider,
                                    until.format("%Y-%m-%d %H:%M")
                                ),
                                attempt,
                            )
                        });
                    }
                    if attempt > self.config.max_retries {
                        return Err(fail(reason, attempt));
                    }
                    let wait = after.unwrap_or_else(|| self.backoff(attempt)).min(self.max_wait());
                    warn!(
                        provider = self.provider,
                        resource = request.resource,
                        attempt,
                        "{reason}; retrying in {wait:.1?}"
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Retry-After is honoured up to the backoff cap: a provider asking for longer
    /// stops for the run (and, through state, for later runs until then) instead of a
    /// run that hangs.
    fn max_wait(&self) -> Duration {
        Duration::from_secs_f64(self.config.max_backoff_seconds)
    }

    /// The time between two requests at the configured rate.
    fn period(&self) -> Duration {
        period(&self.config)
    }

    async fn attempt(&self, url: &url::Url, timeout: Duration) -> Attempt {
        let request = self.client.get(url.clone()).timeout(timeout);
        let (request, token) = match self.auth.apply(&self.client, request).await {
            Ok(r) => r,
            Err(e) => return Attempt::Retry { reason: format!("{e:#}"), after: None, provider_failed: true },
        };
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Attempt::Retry { reason: describe(&e), after: None, provider_failed: true },
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = match response.text().await {
            Ok(b) => b,
            Err(e) => {
                let reason = format!("reading the body: {}", describe(&e));
                return Attempt::Retry { reason, after: None, provider_failed: true };
            }
        };
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Attempt::Retry { reason: "HTTP 429".into(), after: retry_after, provider_failed: false };
        }
        let verdict = (self.body_check)(status.as_u16(), &body);
        if let BodyVerdict::SlowDown(reason) = verdict {
            *self.slow_until.lock().expect("slow lock") = Some(std::time::Instant::now() + SLOW_DOWN_FOR);
            return Attempt::Retry { reason, after: retry_after, provider_failed: false };
        }
        if status.is_server_error() {
            let reason = format!("HTTP {}", status.as_u16());
            return Attempt::Retry { reason, after: retry_after, provider_failed: true };
        }
        if status == StatusCode::UNAUTHORIZED {
            return Attempt::Unauthorized { body, token };
        }
        // The provider's own reading first: Deezer's empty body while it blocks a client
        // is throttling, not a broken response; YouTube's 403 may mean the day is over.
        match verdict {
            BodyVerdict::Ok | BodyVerdict::SlowDown(_) => {}
            BodyVerdict::Retry(reason) => return Attempt::Retry { reason, after: retry_after, provider_failed: false },
            BodyVerdict::QuotaSpent(reason) => return Attempt::QuotaSpent(reason),
        }
        if status.is_success()
            && let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&body)
        {
            let reason = format!("malformed JSON in a {} response: {e}", status.as_u16());
            return Attempt::Retry { reason, after: None, provider_failed: true };
        }
        // Other statuses (404 and the like) are answers: they land, and staging skips them.
        Attempt::Done(status.as_u16(), body)
    }

    /// 1, 2, 4, 8 ... times the initial backoff, capped, with up to half of it as jitter
    /// so that clients that failed together do not retry together.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.config.initial_backoff_seconds * 2f64.powi(attempt.saturating_sub(1).min(30) as i32);
        let capped = base.min(self.config.max_backoff_seconds);
        let jitter = rand::rng().random_range(0.5..=1.0);
        Duration::from_secs_f64(capped * jitter)
    }
}

/// The time between two requests at a provider's configured rate.
fn period(config: &ProviderConfig) -> Duration {
    Duration::from_secs_f64(config.rate.per_seconds / config.rate.requests.max(1) as f64)
}

/// "7h 30m", "45 s": a wait as a person reads it.
fn humantime_secs(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 { format!("{}h {}m", s / 3600, s % 3600 / 60) } else { format!("{s} s") }
}

/// Retry-After in seconds or as an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or_default())
}

fn describe(e: &reqwest::Error) -> String {
    // reqwest's Display includes the URL, which may carry credentials.
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "broken body"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() { kind.to_string() } else { format!("{kind}: {detail}") }
}

fn snippet(body: &str) -> String {
    body.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let later = std::time::SystemTime::now() + Duration::from_secs(120);
        h.insert(RETRY_AFTER, HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap());
        let d = retry_after(&h).unwrap();
        assert!(d > Duration::from_secs(110) && d <= Duration::from_secs(120), "{d:?}");
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let mut c = ProviderConfig::new(
            "http://127.0.0.1:1",
            crate::config::RateLimit { requests: 1, per_seconds: 1.0, burst: 1 },
        );
        c.initial_backoff_seconds = 1.0;
        c.max_backoff_seconds = 30.0;
        let s = HttpStack::new("test", &c, status_says_it_all).unwrap();
        for (attempt, full) in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (6, 30.0), (12, 30.0)] {
            let d = s.backoff(attempt).as_secs_f64();
            assert!(d >= full * 0.5 && d <= full, "attempt {attempt}: {d}");
        }
    }
}
