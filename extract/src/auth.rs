//! How a provider wants to be told who we are: a header, a query parameter, a static
//! bearer token, a bearer token renewed with an OAuth2 refresh token (Beatport), an
//! OAuth2 client-credentials token, or an Apple Music developer token (an ES256 JWT
//! minted from the `.p8` key). Tokens are made once, shared by every
//! request, renewed before they expire and once after a 401, never twice at once.

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
    /// A bearer token renewed with OAuth2's refresh grant at `token_url` when it
    /// expires or is refused (Beatport, whose tokens live for hours: the user signs in
    /// once and gives the refresh token). A provider that rotates refresh tokens
    /// refuses one that was used, so each new one is kept in state for the next run.
    RefreshToken {
        /// The access token to start with; empty: renew at once.
        #[serde(default)]
        token: Secret,
        token_url: String,
        client_id: String,
        refresh_token: Secret,
    },
    /// OAuth2 client credentials (Spotify): a token from `token_url`.
    ClientCredentials { token_url: String, client_id: String, client_secret: Secret },
    /// Apple Music: a developer token signed with the MusicKit `.p8` key (ES256).
    AppleDeveloperToken {
        /// The 10-character Team ID (the token's `iss`).
        team_id: String,
        /// The 10-character Key ID (the token's `kid`).
        key_id: String,
        /// The `.p8` file (PKCS#8 PEM).
        private_key_path: std::path::PathBuf,
        /// How long each token lives; Apple accepts at most 15,777,000 s (6 months).
        #[serde(default = "apple_token_seconds")]
        token_seconds: u64,
    },
}

/// Apple's ceiling for a developer token's lifetime.
pub const APPLE_MAX_TOKEN_SECONDS: u64 = 15_777_000;

fn apple_token_seconds() -> u64 {
    12 * 3600
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
            AuthConfig::RefreshToken { token_url, client_id, refresh_token: secret, .. }
            | AuthConfig::ClientCredentials { token_url, client_id, client_secret: secret } => {
                let what =
                    if matches!(self, AuthConfig::RefreshToken { .. }) { "refresh_token" } else { "client_secret" };
                let mut out: Vec<String> = empty(what, secret).into_iter().collect();
                if client_id.trim().is_empty() {
                    out.push(format!("{field}.client_id: is empty"));
                }
                if url::Url::parse(token_url).is_err() {
                    out.push(format!("{field}.token_url: {token_url:?} is not a URL"));
                }
                out
            }
            AuthConfig::AppleDeveloperToken { team_id, key_id, private_key_path, token_seconds } => {
                let mut out = Vec::new();
                if team_id.trim().is_empty() || key_id.trim().is_empty() {
                    out.push(format!("{field}: team_id and key_id are required"));
                }
                if !private_key_path.is_file() {
                    out.push(format!("{field}.private_key_path: {} is not a file", private_key_path.display()));
                }
                if *token_seconds == 0 || *token_seconds > APPLE_MAX_TOKEN_SECONDS {
                    out.push(format!("{field}.token_seconds: must be 1 to {APPLE_MAX_TOKEN_SECONDS} (Apple's limit)"));
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

    /// What to tell the user when the provider refuses these credentials (HTTP 401
    /// after any renewal): which setting to mend.
    pub fn refused(&self, provider: &str) -> String {
        let field = format!("providers.{provider}.auth");
        match self {
            AuthConfig::None => format!("{provider} asks for credentials: set {field}"),
            AuthConfig::Header { name, .. } => format!("the {name} header in {field}.value was refused"),
            AuthConfig::Query { param, .. } => format!("the {param} in {field}.value was refused"),
            AuthConfig::Bearer { .. } => format!(
                "the token in {field}.token was refused (expired or revoked): set a fresh one, or give a refresh \
                 token (kind = \"refresh_token\") for liner to renew it"
            ),
            AuthConfig::RefreshToken { .. } => {
                format!("the renewed token was refused too: sign in again and set {field}.refresh_token")
            }
            AuthConfig::ClientCredentials { .. } => {
                format!("a fresh token was refused: check {field}.client_id and {field}.client_secret")
            }
            AuthConfig::AppleDeveloperToken { .. } => {
                format!("a fresh developer token was refused: check {field}.team_id, key_id and private_key_path")
            }
        }
    }
}

/// Where a renewed refresh token is kept between runs (state.sqlite): a provider that
/// rotates refresh tokens refuses the one a run has used.
pub trait TokenStore: Send + Sync {
    fn refresh_token(&self, provider: &str) -> anyhow::Result<Option<String>>;
    fn save_refresh_token(&self, provider: &str, token: &str) -> anyhow::Result<()>;
}

pub type Tokens = std::sync::Arc<dyn TokenStore>;

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
    /// A `RefreshToken`'s configured access token has been tried.
    started: std::sync::atomic::AtomicBool,
    /// The refresh token the last renewal gave (a rotating provider's newest).
    refresh: std::sync::Mutex<Option<String>>,
    /// Where renewed refresh tokens are kept between runs, and under which provider.
    store: Option<(String, Tokens)>,
}

impl Auth {
    pub fn new(config: AuthConfig) -> Self {
        Auth {
            config,
            token: tokio::sync::Mutex::new(None),
            fetches: Default::default(),
            started: Default::default(),
            refresh: Default::default(),
            store: None,
        }
    }

    /// Keeps renewed refresh tokens in `store`, as `provider`'s.
    pub fn with_store(mut self, provider: &str, store: Option<Tokens>) -> Self {
        self.store = store.map(|s| (provider.to_string(), s));
        self
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
            AuthConfig::RefreshToken { .. }
            | AuthConfig::ClientCredentials { .. }
            | AuthConfig::AppleDeveloperToken { .. } => {
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
        if let AuthConfig::RefreshToken { token, .. } = &self.config
            && !token.is_empty()
            && !self.started.swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            // The token the user gave, until the provider refuses it (its life is
            // not written on it).
            let first = Token { value: token.expose().to_string(), expires: Instant::now() + UNKNOWN_LIFE };
            *slot = Some(first.clone());
            return Ok(first.value);
        }
        self.fetches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let token = match &self.config {
            AuthConfig::RefreshToken { token_url, client_id, refresh_token, .. } => {
                self.started.store(true, std::sync::atomic::Ordering::Relaxed);
                let current = self.current_refresh_token(refresh_token)?;
                let (token, next) = refresh_grant(client, token_url, client_id, &current).await?;
                if let Some(next) = next.filter(|n| *n != current) {
                    if let Some((provider, store)) = &self.store {
                        store
                            .save_refresh_token(provider, &next)
                            .context("keeping the renewed refresh token in state")?;
                    }
                    *self.refresh.lock().expect("refresh lock") = Some(next);
                }
                token
            }
            AuthConfig::ClientCredentials { token_url, client_id, client_secret } => {
                client_credentials(client, token_url, client_id, client_secret).await?
            }
            AuthConfig::AppleDeveloperToken { team_id, key_id, private_key_path, token_seconds } => {
                apple_developer_token(team_id, key_id, private_key_path, *token_seconds)?
            }
            _ => anyhow::bail!("no token source configured"),
        };
        *slot = Some(token.clone());
        Ok(token.value)
    }

    /// The newest refresh token: this run's last renewal's, else the one kept in state
    /// by an earlier run, else the configured one.
    fn current_refresh_token(&self, configured: &Secret) -> anyhow::Result<String> {
        if let Some(t) = self.refresh.lock().expect("refresh lock").clone() {
            return Ok(t);
        }
        if let Some((provider, store)) = &self.store
            && let Some(t) = store.refresh_token(provider).context("reading the kept refresh token from state")?
        {
            return Ok(t);
        }
        Ok(configured.expose().to_string())
    }

    /// After a 401: forgets `used` so the next request gets a new token, unless
    /// another request has already replaced it.
    pub async fn invalidate(&self, used: &str) {
        let mut slot = self.token.lock().await;
        if slot.as_ref().is_some_and(|t| t.value == used) {
            *slot = None;
        }
    }

    pub fn refreshes_tokens(&self) -> bool {
        matches!(
            self.config,
            AuthConfig::RefreshToken { .. }
                | AuthConfig::ClientCredentials { .. }
                | AuthConfig::AppleDeveloperToken { .. }
        )
    }
}

async fn client_credentials(
    client: &reqwest::Client,
    token_url: &str,
    client_id: &str,
    client_secret: &Secret,
) -> anyhow::Result<Token> {
    let request = client
        .post(token_url)
        .basic_auth(client_id, Some(client_secret.expose()))
        .form(&[("grant_type", "client_credentials")]);
    let answer = ask_for_token(request, token_url, "check client_id and client_secret").await?;
    Ok(answer.token())
}

/// How long a token of unknown life is used: until the provider refuses it.
const UNKNOWN_LIFE: Duration = Duration::from_secs(365 * 24 * 3600);

/// OAuth2's refresh grant (RFC 6749 §6) for a public client: a new access token and,
/// from a provider that rotates them, a new refresh token. The answer's shape is the
/// RFC's and Beatport's documentation's (`access_token`, `expires_in`,
/// `refresh_token`); no real recording of Beatport's token endpoint was found.
async fn refresh_grant(
    client: &reqwest::Client,
    token_url: &str,
    client_id: &str,
    refresh_token: &str,
) -> anyhow::Result<(Token, Option<String>)> {
    let request = client.post(token_url).form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", client_id),
    ]);
    let answer =
        ask_for_token(request, token_url, "the refresh token was refused: sign in again and set auth.refresh_token")
            .await?;
    Ok((answer.token(), answer.refresh_token.clone()))
}

/// An OAuth2 token endpoint's answer (RFC 6749 §5.1).
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: Option<u64>,
    refresh_token: Option<String>,
}

impl TokenAnswer {
    fn token(&self) -> Token {
        let life = self.expires_in.map_or(UNKNOWN_LIFE, Duration::from_secs);
        Token { value: self.access_token.clone(), expires: Instant::now() + life }
    }
}

/// Sends a token request; a refusal says `hint`.
async fn ask_for_token(request: reqwest::RequestBuilder, token_url: &str, hint: &str) -> anyhow::Result<TokenAnswer> {
    let response =
        request.send().await.map_err(|e| anyhow::anyhow!("asking {token_url} for a token: {}", e.without_url()))?;
    let status = response.status();
    if !status.is_success() {
        anyhow::bail!("asking {token_url} for a token: HTTP {} ({hint})", status.as_u16());
    }
    response.json().await.with_context(|| format!("reading the token from {token_url}"))
}

/// An Apple Music developer token: header `alg: ES256, kid`, claims `iss` (team),
/// `iat` and `exp`, signed with the `.p8` key.
fn apple_developer_token(
    team_id: &str,
    key_id: &str,
    key_path: &std::path::Path,
    seconds: u64,
) -> anyhow::Result<Token> {
    #[derive(Serialize)]
    struct Claims<'a> {
        iss: &'a str,
        iat: u64,
        exp: u64,
    }
    let pem = std::fs::read(key_path).with_context(|| format!("reading the Apple key {}", key_path.display()))?;
    let key = jsonwebtoken::EncodingKey::from_ec_pem(&pem)
        .with_context(|| format!("{} is not an EC private key in PEM (a MusicKit .p8 file)", key_path.display()))?;
    let seconds = seconds.min(APPLE_MAX_TOKEN_SECONDS);
    let iat = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the clock is before 1970")?
        .as_secs();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(key_id.to_string());
    let value = jsonwebtoken::encode(&header, &Claims { iss: team_id, iat, exp: iat + seconds }, &key)
        .context("signing the Apple developer token")?;
    Ok(Token { value, expires: Instant::now() + Duration::from_secs(seconds) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A throwaway P-256 key pair made for this test with openssl; it guards nothing.
    const TEST_P8: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1JrrnZZ+Xgv+AO6V
wG36wRGD9y7EJ8sou0u/Pt0opXuhRANCAASBOGJz1y9Wavp+CZSeu6ymMAkWG0eu
UME1fzmjo9+I0nDPaPFfBR7nmLwLyro5CeC3mtKvhV4CyDpeVxjSXvzr
-----END PRIVATE KEY-----
";
    const TEST_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgThic9cvVmr6fgmUnruspjAJFhtH
rlDBNX85o6PfiNJwz2jxXwUe55i8C8q6OQngt5rSr4VeAsg6XlcY0l786w==
-----END PUBLIC KEY-----
";

    #[derive(Deserialize)]
    struct Claims {
        iss: String,
        iat: u64,
        exp: u64,
    }

    fn apple(dir: &std::path::Path, token_seconds: u64) -> AuthConfig {
        let key = dir.join("AuthKey_ABC123DEFG.p8");
        std::fs::write(&key, TEST_P8).unwrap();
        AuthConfig::AppleDeveloperToken {
            team_id: "TEAM123456".into(),
            key_id: "ABC123DEFG".into(),
            private_key_path: key,
            token_seconds,
        }
    }

    #[tokio::test]
    async fn the_apple_developer_token_is_an_es256_jwt_apple_accepts() {
        let dir = tempfile::tempdir().unwrap();
        let auth = Auth::new(apple(dir.path(), 3600));
        let client = reqwest::Client::new();
        let (_, token) = auth.apply(&client, client.get("http://127.0.0.1/")).await.unwrap();
        let token = token.unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
        assert_eq!(header.kid.as_deref(), Some("ABC123DEFG"));
        let key = jsonwebtoken::DecodingKey::from_ec_pem(TEST_PUBLIC.as_bytes()).unwrap();
        let claims = jsonwebtoken::decode::<Claims>(
            &token,
            &key,
            &jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256),
        )
        .expect("the signature verifies with the public key")
        .claims;
        assert_eq!(claims.iss, "TEAM123456");
        assert_eq!(claims.exp - claims.iat, 3600);
        // Shared: the next request gets the same token, not a new one.
        let (_, again) = auth.apply(&client, client.get("http://127.0.0.1/")).await.unwrap();
        assert_eq!(again.as_deref(), Some(token.as_str()));
        assert_eq!(auth.token_fetches(), 1);
    }

    #[tokio::test]
    async fn a_token_near_its_expiry_is_minted_again() {
        let dir = tempfile::tempdir().unwrap();
        // 30 s of life is inside the 60 s renewal margin: every request mints anew.
        let auth = Auth::new(apple(dir.path(), 30));
        let client = reqwest::Client::new();
        let _ = auth.apply(&client, client.get("http://127.0.0.1/")).await.unwrap();
        let _ = auth.apply(&client, client.get("http://127.0.0.1/")).await.unwrap();
        assert_eq!(auth.token_fetches(), 2);
    }

    #[test]
    fn apple_token_lifetimes_past_six_months_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let problems = apple(dir.path(), APPLE_MAX_TOKEN_SECONDS + 1).problems("providers.apple.auth");
        assert!(problems.iter().any(|p| p.contains("token_seconds") && p.contains("15777000")), "{problems:?}");
        assert!(apple(dir.path(), APPLE_MAX_TOKEN_SECONDS).problems("x").is_empty());
    }
}
