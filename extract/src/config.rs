//! A provider's settings, as `[providers.<name>]` in liner.toml.

use serde::{Deserialize, Serialize};

use crate::auth::AuthConfig;
use crate::breaker::BreakerConfig;
use crate::quota::DailyQuota;

/// A request rate: `requests` per `per_seconds`. With `burst` 1 (the default) requests
/// are spaced evenly, so no window of `per_seconds` ever holds more than `requests`:
/// the rolling-window behaviour providers such as Deezer enforce.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub requests: u32,
    pub per_seconds: f64,
    #[serde(default = "one")]
    pub burst: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    #[serde(default = "yes")]
    pub enabled: bool,
    pub base_url: String,
    /// Sent on every request. MusicBrainz refuses requests without a descriptive one.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Credentials, if the provider wants them. Put secrets in the environment
    /// (LINER_PROVIDERS__<NAME>__AUTH__<FIELD>) or `.env`, not in liner.toml.
    #[serde(default)]
    pub auth: AuthConfig,
    pub rate: RateLimit,
    #[serde(default)]
    pub timeouts: Timeouts,
    #[serde(default)]
    pub breaker: BreakerConfig,
    /// A budget per day (YouTube), counted in state across runs and processes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_quota: Option<DailyQuota>,
    #[serde(default = "default_retries")]
    pub max_retries: u32,
    /// The first backoff; each retry doubles it, up to `max_backoff_seconds`.
    #[serde(default = "default_backoff")]
    pub initial_backoff_seconds: f64,
    #[serde(default = "default_max_backoff")]
    pub max_backoff_seconds: f64,
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// What the provider's own module reads (Spotify's market, Apple's storefront, ...),
    /// checked by that module.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub options: serde_json::Map<String, serde_json::Value>,
}

/// Above zero and finite (NaN is neither).
fn positive(x: f64) -> bool {
    x > 0.0 && x.is_finite()
}

/// Per-request timeouts in seconds, by kind of request: searches are cheap and should
/// answer fast; lookups can carry large documents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timeouts {
    pub search: f64,
    pub lookup: f64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { search: 10.0, lookup: 30.0 }
    }
}

fn yes() -> bool {
    true
}
fn default_retries() -> u32 {
    6
}
fn default_backoff() -> f64 {
    1.0
}
fn default_max_backoff() -> f64 {
    30.0
}
fn default_page_size() -> u32 {
    100
}

impl ProviderConfig {
    pub fn new(base_url: &str, rate: RateLimit) -> Self {
        ProviderConfig {
            enabled: true,
            base_url: base_url.to_string(),
            user_agent: None,
            auth: AuthConfig::None,
            rate,
            timeouts: Timeouts::default(),
            breaker: BreakerConfig::default(),
            daily_quota: None,
            max_retries: default_retries(),
            initial_backoff_seconds: default_backoff(),
            max_backoff_seconds: default_max_backoff(),
            page_size: default_page_size(),
            options: serde_json::Map::new(),
        }
    }

    /// Disabled until the user turns it on: providers that need credentials.
    pub fn disabled(mut self) -> Self {
        self.enabled = false;
        self
    }

    pub fn with_auth(mut self, auth: AuthConfig) -> Self {
        self.auth = auth;
        self
    }

    pub fn with_options<T: Serialize>(mut self, options: &T) -> Self {
        if let Ok(serde_json::Value::Object(m)) = serde_json::to_value(options) {
            self.options = m;
        }
        self
    }

    /// The provider's options as its module's struct; the error names the field.
    pub fn options<T: serde::de::DeserializeOwned>(&self, provider: &str) -> Result<T, String> {
        serde_json::from_value(serde_json::Value::Object(self.options.clone()))
            .map_err(|e| format!("providers.{provider}.options: {e}"))
    }

    /// Problems a user must fix before a run, each naming the field.
    pub fn problems(&self, provider: &str) -> Vec<String> {
        let mut out = Vec::new();
        let field = |f: &str| format!("providers.{provider}.{f}");
        if url::Url::parse(&self.base_url).map(|u| !matches!(u.scheme(), "http" | "https")).unwrap_or(true) {
            out.push(format!("{}: {:?} is not an http(s) URL", field("base_url"), self.base_url));
        }
        if self.rate.requests == 0 || self.rate.burst == 0 || !positive(self.rate.per_seconds) {
            out.push(format!("{}: requests, burst and per_seconds must be above zero", field("rate")));
        }
        if !positive(self.timeouts.search) || !positive(self.timeouts.lookup) {
            out.push(format!("{}: search and lookup must be above zero", field("timeouts")));
        }
        if self.breaker.failures == 0 || self.breaker.successes == 0 || !positive(self.breaker.open_seconds) {
            out.push(format!("{}: failures, successes and open_seconds must be above zero", field("breaker")));
        }
        let backoff_ok = self.initial_backoff_seconds == 0.0 || positive(self.initial_backoff_seconds);
        if !backoff_ok || self.max_backoff_seconds < self.initial_backoff_seconds {
            out.push(format!("{}: must be at least initial_backoff_seconds", field("max_backoff_seconds")));
        }
        out.extend(self.auth.problems(&field("auth")));
        if let Some(q) = &self.daily_quota {
            out.extend(q.problems(&field("daily_quota")));
        }
        if self.page_size == 0 || self.page_size > 100 {
            out.push(format!("{}: must be 1 to 100", field("page_size")));
        }
        out
    }
}
