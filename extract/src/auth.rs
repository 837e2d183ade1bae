//! How a provider wants to be told who we are: a header, a query parameter, a static
//! bearer token, or an OAuth2 client-credentials token fetched once, shared by every
//! request, refreshed before it expires and once after a 401, never twice at once.

use std::time::{Duration, Instant};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::secret::Secret;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthConfig {
    #[default]
    None,
    /// A header with a fixed value, such as Discogs' `Authorization: Discogs token=...`.
    Header { name: String, value: Secret },
    /// A query parameter, such as Last.fm's `api_key` or YouTube's `key`.
    Query { param: String, value: Secret },
    /// `Authorization: Bearer <token>`, such as Genius and Beatport.
    Bearer { token: Secret },
    /// OAuth2 client credentials (Spotify): a token from `token_url`.
    ClientCredentials { token_url: String, client_id: String, client_secret: Secret },
}

impl AuthConfig {
    pub fn problems(&self, field: &str) -> Vec<String> {
        let empty = |what: &str, s: &Secret| {
            s.is_empty().then(|| format!("{field}.{what}: is empty (set it in the environment or .env)"))
        };
        match self {
            AuthConfig::None => vec![],
            AuthConfig::Header { value, .. } | AuthConfig::Query { value, .. } => {
                empty("value", value).into_iter().collect()
            }
            AuthConfig::Bearer { token } => empty("token", token).into_iter().collect(),
            AuthConfig::ClientCredentials { token_url, client_id, client_secret } => {
                let mut out: Vec<String> = empty("client_secret", client_secret).into_iter().collect();
                if client_id.trim().is_empty() {
                    out.push(format!("{field}.client_id: is empty"));
                }
                if url::Url::parse(token_url).is_err() {
                    out.push(format!("{field}.token_url: {token_url:?} is not a URL"));
                }
                out
            }
        }
    }

    /// The query parameter that carries a credential, which must never be stored.
    pub fn secret_param(&self) -> Option<&str> {
        match self {
            AuthConfig::Query { param, .. } => Some(param),
            _ => None,
        }
    }
}

/// Refresh a token this long before it expires, so no request carries a dying one.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

#[derive(Clone)]
struct Token {
    value: String,
    expires: Instant,
}

pub struct Auth {
    config: AuthConfig,
    token: tokio::sync::Mutex<Option<Token>>,
    fetches: std::sync::atomic::AtomicU64,
}

impl Auth {
    pub fn new(config: AuthConfig) -> Self {
        Auth { config, token: tokio::sync::Mutex::new(None), fetches: Default::default() }
    }

    /// Tokens fetched so far (each a request to the token endpoint).
    pub fn token_fetches(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Adds the credentials to a request. Returns the bearer token used, if any, so a
    /// 401 can invalidate exactly that one.
    pub async fn apply(
        &self,
        client: &reqwest::Client,
        request: reqwest::RequestBuilder,
    ) -> anyhow::Result<(reqwest::RequestBuilder, Option<String>)> {
        Ok(match &self.config {
            AuthConfig::None => (request, None),
            AuthConfig::Header { name, value } => (request.header(name.as_str(), value.expose()), None),
            AuthConfig::Query { param, value } => (request.query(&[(param.as_str(), value.expose())]), None),
            AuthConfig::Bearer { token } => (request.bearer_auth(token.expose()), None),
            AuthConfig::ClientCredentials { .. } => {
                let token = self.token(client).await?;
                (request.bearer_auth(&token), Some(token))
            }
        })
    }

    /// A valid token, fetched if there is none or it is about to expire. The lock is
    /// held while fetching, so concurrent callers wait for one fetch.
    async fn token(&self, client: &reqwest::Client) -> anyhow::Result<String> {
        let mut slot = self.token.lock().await;
        if let Some(t) = slot.as_ref().filter(|t| t.expires > Instant::now() + EXPIRY_MARGIN) {
            return Ok(t.value.clone());
        }
        let AuthConfig::ClientCredentials { token_url, client_id, client_secret } = &self.config else {
            anyhow::bail!("no token source configured");
        };
        self.fetches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        #[derive(Deserialize)]
        struct Answer {
            access_token: String,
            expires_in: u64,
        }
        let response = client
            .post(token_url)
            .basic_auth(client_id, Some(client_secret.expose()))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("fetching a token from {token_url}: {}", e.without_url()))?;
        let status = response.status();
        if !status.is_success() {
            anyhow::bail!(
                "fetching a token from {token_url}: HTTP {} (check client_id and client_secret)",
                status.as_u16()
            );
        }
        let answer: Answer = response.json().await.with_context(|| format!("reading the token from {token_url}"))?;
        let token =
            Token { value: answer.access_token, expires: Instant::now() + Duration::from_secs(answer.expires_in) };
        *slot = Some(token.clone());
        Ok(token.value)
    }

    /// After a 401: forgets `used` so the next request fetches a new token, unless
    /// another request has already replaced it.
    pub async fn invalidate(&self, used: &str) {
        let mut slot = self.token.lock().await;
        if slot.as_ref().is_some_and(|t| t.value == used) {
            *slot = None;
        }
    }

    pub fn refreshes_tokens(&self) -> bool {
        matches!(self.config, AuthConfig::ClientCredentials { .. })
    }
}
