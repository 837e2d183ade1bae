//! liner-sim: the music providers' HTTP APIs, simulated on loopback.
//!
//! One server on 127.0.0.1 serves every simulated provider under its own prefix
//! (`/musicbrainz/ws/2/...`, `/deezer/...`), in the response shapes of the real APIs
//! (see shared/fixtures/real), with their rate limits enforced the way the real ones
//! enforce them. The catalog behind it is generated from a seed, so every test knows
//! the ground truth of what is the same thing across providers.

// Handlers return their early answers as `Err(Response)`: a response is what they make.
#![allow(clippy::result_large_err)]

mod auth;
pub mod catalog;
pub mod faults;
pub mod lake;
mod limits;
mod search;
pub mod views;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::Router;

pub use auth::AuthConfig;
pub use catalog::{Catalog, Quality, Truth, score};
pub use faults::{Fault, FaultRule};
pub use limits::RollingWindow;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    /// The catalog's day: each artist's next record is dated within four months after
    /// it (Apple Music flags those as pre-releases). The clock's today by default, so
    /// there is always something upcoming.
    pub today: chrono::NaiveDate,
    /// Catalog size, in main artists (each has a discography of a few albums).
    pub artists: usize,
    /// MusicBrainz answers 503 to requests beyond this many per second.
    pub musicbrainz_per_second: u32,
    /// Deezer answers its quota error (with HTTP 200) beyond this many per window.
    pub deezer_requests: u32,
    pub deezer_window: Duration,
    /// OAuth2 client credentials at `/oauth/token`, and the providers that require a
    /// bearer token from there.
    pub auth: Option<AuthConfig>,
    /// The other providers' limits: (requests, window) by provider. Each provider's
    /// module answers the way the real one does when they are exceeded.
    pub limits: BTreeMap<String, (u32, Duration)>,
    /// Spotify in extended-quota mode: new releases and audio features answer, and
    /// responses carry label and popularity. Off, as for a new app in development mode.
    pub spotify_extended: bool,
    /// Apple Music answers only requests with a developer token from this key;
    /// `None` checks no token.
    pub apple_key: Option<apple_music::AppleKey>,
    /// The token or key each provider wants, by provider (how it is sent is the
    /// provider's own: see [`Credentials`]); a provider without one takes any.
    pub secrets: BTreeMap<String, String>,
    /// Beatport's token endpoint renews with this refresh token. It rotates: each
    /// renewal gives a new access and refresh token and revokes the old pair.
    pub beatport_refresh_token: Option<String>,
    pub youtube_quota: youtube::YouTubeQuota,
}

/// Limits close to the real ones (where published) or to what clients report.
pub fn default_limits() -> BTreeMap<String, (u32, Duration)> {
    MOUNTS
        .iter()
        .filter_map(|m| m.limit.map(|(n, secs)| (m.provider.to_string(), (n, Duration::from_secs(secs)))))
        .collect()
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 42,
            today: chrono::Utc::now().date_naive(),
            artists: 50,
            musicbrainz_per_second: 1,
            deezer_requests: 50,
            deezer_window: Duration::from_secs(5),
            auth: None,
            limits: default_limits(),
            spotify_extended: false,
            apple_key: None,
            secrets: BTreeMap::new(),
            beatport_refresh_token: None,
            youtube_quota: youtube::YouTubeQuota::default(),
        }
    }
}

/// Counts per provider, for tests that check behaviour over the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderStats {
    pub requests: u64,
    /// Requests refused for going over the provider's rate limit.
    pub over_limit: u64,
    /// Requests answered with an injected fault.
    pub faults: u64,
}

pub(crate) struct Shared {
    pub catalog: Catalog,
    pub musicbrainz_limit: Mutex<RollingWindow>,
    pub deezer_limit: Mutex<RollingWindow>,
    pub stats: Mutex<BTreeMap<String, ProviderStats>>,
    pub faults: Mutex<Vec<FaultRule>>,
    pub auth: Option<AuthConfig>,
    pub tokens: auth::Tokens,
    pub limits: BTreeMap<String, Mutex<RollingWindow>>,
    /// What each further provider shows of the catalog.
    pub views: BTreeMap<&'static str, views::View>,
    pub spotify_extended: bool,
    pub apple_key: Option<apple_music::AppleKey>,
    pub secrets: BTreeMap<String, String>,
    pub beatport_session: Mutex<beatport::Session>,
    pub youtube_quota: youtube::YouTubeQuota,
    pub youtube_spent: youtube::Ledger,
}

impl Shared {
    fn new(config: &SimConfig, catalog: Catalog, views: BTreeMap<&'static str, views::View>) -> Shared {
        Shared {
            catalog,
            musicbrainz_limit: Mutex::new(RollingWindow::new(config.musicbrainz_per_second, Duration::from_secs(1))),
            deezer_limit: Mutex::new(RollingWindow::new(config.deezer_requests, config.deezer_window)),
            stats: Mutex::new(BTreeMap::new()),
            faults: Mutex::new(Vec::new()),
            auth: config.auth.clone(),
            tokens: auth::Tokens::default(),
            limits: config
                .limits
                .iter()
                .map(|(p, &(n, w))| (p.clone(), Mutex::new(RollingWindow::new(n, w))))
                .collect(),
            views,
            spotify_extended: config.spotify_extended,
            apple_key: config.apple_key.clone(),
            secrets: config.secrets.clone(),
            beatport_session: Mutex::new(beatport::Session {
                access: config.secrets.get("beatport").cloned(),
                refresh: config.beatport_refresh_token.clone(),
                renewals: 0,
            }),
            youtube_quota: config.youtube_quota,
            youtube_spent: Default::default(),
        }
    }

    /// The token or key a provider wants, if the simulator was given one.
    pub fn secret(&self, provider: &str) -> Option<&str> {
        self.secrets.get(provider).map(String::as_str)
    }

    fn with_stats(&self, provider: &str, f: impl FnOnce(&mut ProviderStats)) {
        f(self.stats.lock().expect("stats lock").entry(provider.to_string()).or_default())
    }

    /// Every request, counted once where it arrives.
    pub fn count_request(&self, provider: &str) {
        self.with_stats(provider, |s| s.requests += 1)
    }

    pub fn count_over_limit(&self, provider: &str) {
        self.with_stats(provider, |s| s.over_limit += 1)
    }

    pub fn count_fault(&self, provider: &str) {
        self.with_stats(provider, |s| s.faults += 1)
    }

    /// Whether the provider's rate limit admits a request now; refusals are counted.
    pub fn admit(&self, provider: &str) -> bool {
        let Some(window) = self.limits.get(provider) else { return true };
        let ok = window.lock().expect("limit lock").admit(std::time::Instant::now());
        if !ok {
            self.count_over_limit(provider);
        }
        ok
    }

    pub fn view(&self, provider: &str) -> &views::View {
        self.views.get(provider).unwrap_or_else(|| panic!("no view for {provider}"))
    }

    /// (limit, used) of the provider's current window; (0, 0) without a limit.
    pub fn window_use(&self, provider: &str) -> (u32, u32) {
        self.limits.get(provider).map_or((0, 0), |w| w.lock().expect("limit lock").usage(std::time::Instant::now()))
    }
}

/// A simulated provider: where it is served and what it shows. Adding a provider to
/// the simulator is its module and one line of [`MOUNTS`].
struct Mount {
    provider: &'static str,
    /// Where its routes are nested below the simulator's address.
    at: &'static str,
    /// What stands in for its real base URL's path (`https://musicbrainz.org/ws/2`):
    /// `at`, or a path below it.
    base: &'static str,
    routes: fn() -> Router<Arc<Shared>>,
    /// What it shows of the catalog, for the providers beyond MusicBrainz and Deezer
    /// whose listings come from a generated view.
    profile: Option<fn() -> views::Profile>,
    /// What a client shows it to be let in, and the options the demo sets.
    client: Client,
    /// Its limit, (requests, seconds), answered the way the real one answers it; the
    /// providers whose limits their modules keep themselves (MusicBrainz, Deezer) have none.
    limit: Option<(u32, u64)>,
}

/// How a client gets past a simulated provider, so the demo (and anyone driving the
/// simulator) can set liner up for each provider without naming it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials {
    /// Nothing: an open API.
    None,
    /// OAuth2 client credentials: a bearer token from the simulator's `/oauth/token`
    /// (checked when the simulator's `auth` lists the provider).
    ClientCredentials,
    /// A bearer token of one's own.
    Bearer,
    /// A key in this query parameter.
    QueryKey(&'static str),
    /// A token in this header, after this prefix (`Authorization: Discogs token=...`).
    Header(&'static str, &'static str),
    /// Apple's developer token (ES256 JWT), signed with the simulator's demo key.
    AppleDeveloperToken,
}

/// What the demo needs of a provider beyond its base URL.
#[derive(Debug, Clone, Copy)]
pub struct Client {
    pub credentials: Credentials,
    /// The `[providers.<name>.options]` the demo sets (name, JSON value).
    pub demo_options: &'static [(&'static str, &'static str)],
}

impl Mount {
    const fn at(provider: &'static str, at: &'static str, routes: fn() -> Router<Arc<Shared>>) -> Mount {
        Mount {
            provider,
            at,
            base: at,
            routes,
            profile: None,
            client: Client { credentials: Credentials::None, demo_options: &[] },
            limit: None,
        }
    }

    const fn limit(self, requests: u32, per_seconds: u64) -> Mount {
        Mount { limit: Some((requests, per_seconds)), ..self }
    }

    const fn credentials(self, credentials: Credentials) -> Mount {
        Mount { client: Client { credentials, ..self.client }, ..self }
    }

    const fn demo_options(self, demo_options: &'static [(&'static str, &'static str)]) -> Mount {
        Mount { client: Client { demo_options, ..self.client }, ..self }
    }

    const fn base(self, base: &'static str) -> Mount {
        Mount { base, ..self }
    }

    const fn showing(self, profile: fn() -> views::Profile) -> Mount {
        Mount { profile: Some(profile), ..self }
    }
}

/// Declares each provider's module and mounts it in [`MOUNTS`], in the registry's order.
macro_rules! mounts {
    ($($vis:vis $module:ident => $mount:expr),* $(,)?) => {
        $($vis mod $module;)*

        const MOUNTS: &[Mount] = &[$($mount),*];
    };
}

// The simulated providers: adding one is its module and one entry here. Limits close
// to the real ones (where published) or to what clients report.
mounts! {
    musicbrainz => Mount::at("musicbrainz", "/musicbrainz/ws/2", musicbrainz::routes),
    deezer => Mount::at("deezer", "/deezer", deezer::routes),
    spotify => Mount::at("spotify", "/spotify/v1", spotify::routes)
        .showing(spotify::profile)
        .credentials(Credentials::ClientCredentials)
        .limit(120, 30),
    pub apple_music => Mount::at("apple_music", "/apple_music/v1", apple_music::routes)
        .showing(apple_music::profile)
        .credentials(Credentials::AppleDeveloperToken)
        .limit(20, 1),
    discogs => Mount::at("discogs", "/discogs", discogs::routes)
        .showing(discogs::profile)
        .credentials(Credentials::Header("Authorization", "Discogs token="))
        .limit(60, 60),
    // Last.fm's one endpoint is `/2.0/`, as its real base URL says.
    pub lastfm => Mount::at("lastfm", "/lastfm", lastfm::routes)
        .base("/lastfm/2.0")
        .credentials(Credentials::QueryKey("api_key"))
        .demo_options(&[("user", lastfm::DEMO_USER_JSON), ("max_tracks", "1000")])
        .limit(5, 1),
    itunes => Mount::at("itunes", "/itunes", itunes::routes).limit(20, 60),
    genius => Mount::at("genius", "/genius", genius::routes)
        .showing(genius::profile)
        .credentials(Credentials::Bearer)
        .limit(10, 1),
    beatport => Mount::at("beatport", "/beatport/v4", beatport::routes)
        .showing(beatport::profile)
        .credentials(Credentials::Bearer)
        .limit(10, 1),
    pub youtube => Mount::at("youtube", "/youtube/v3", youtube::routes)
        .showing(youtube::profile)
        .credentials(Credentials::QueryKey("key")),
    tidal => Mount::at("tidal", "/tidal/v2", tidal::routes).showing(tidal::profile).credentials(Credentials::ClientCredentials).limit(10, 1),
}

/// Every further provider's profile, in the order of [`MOUNTS`].
fn profiles() -> Vec<views::Profile> {
    MOUNTS.iter().filter_map(|m| m.profile).map(|profile| profile()).collect()
}

/// A running simulator. It stops when dropped.
pub struct Sim {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sim {
    /// Generates the catalog and serves it on a free port of 127.0.0.1, from a thread
    /// of its own, so sync tests, async code and the binary can all use it.
    pub fn start(config: SimConfig) -> anyhow::Result<Sim> {
        let catalog = Catalog::generate_on(config.seed, config.artists, config.today);
        let views = profiles().iter().map(|p| (p.provider, views::generate(&catalog, config.seed, p))).collect();
        let shared = Arc::new(Shared::new(&config, catalog, views));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").context("binding the simulator to 127.0.0.1")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let app = MOUNTS
            .iter()
            .fold(Router::new(), |app, m| app.nest(m.at, (m.routes)()))
            .layer(axum::middleware::from_fn_with_state(shared.clone(), auth::require))
            .route("/oauth/token", axum::routing::post(auth::token))
            .layer(axum::middleware::from_fn_with_state(shared.clone(), faults::apply))
            .with_state(shared.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name("liner-sim".into()).spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("simulator runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("simulator listener");
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await;
            });
        })?;
        Ok(Sim { addr, shared, shutdown: Some(tx), thread: Some(thread) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL that stands in for a provider's real one (`https://api.deezer.com`,
    /// `https://musicbrainz.org/ws/2`).
    /// A provider without a mount is a simulator to complete, not a URL to guess.
    pub fn base_url(&self, provider: &str) -> String {
        let mount = MOUNTS.iter().find(|m| m.provider == provider);
        let mount =
            mount.unwrap_or_else(|| panic!("the simulator serves no {provider:?}: add it to MOUNTS (sim/src/lib.rs)"));
        format!("http://{}{}", self.addr, mount.base)
    }

    /// Every provider the simulator serves, as liner names them.
    pub fn providers() -> impl Iterator<Item = &'static str> {
        MOUNTS.iter().map(|m| m.provider)
    }

    /// What a client of a simulated provider shows to be let in, and the options the
    /// demo sets for it; `None` for a provider the simulator does not serve.
    pub fn client(provider: &str) -> Option<Client> {
        MOUNTS.iter().find(|m| m.provider == provider).map(|m| m.client)
    }

    /// The providers that want a token from the simulator's `/oauth/token`.
    pub fn client_credentials_providers() -> Vec<String> {
        MOUNTS
            .iter()
            .filter(|m| m.client.credentials == Credentials::ClientCredentials)
            .map(|m| m.provider.to_string())
            .collect()
    }

    pub fn catalog(&self) -> &Catalog {
        &self.shared.catalog
    }

    /// What a provider other than MusicBrainz and Deezer shows of the catalog.
    pub fn view(&self, provider: &str) -> &views::View {
        self.shared.view(provider)
    }

    /// Answers the next `times` requests to `provider` whose path contains
    /// `path_contains` (empty: any path) with `fault`. Rules apply in the order given.
    pub fn inject(&self, provider: &str, path_contains: &str, fault: Fault, times: u32) {
        self.shared.faults.lock().expect("faults lock").push(FaultRule {
            provider: provider.to_string(),
            path_contains: path_contains.to_string(),
            fault,
            remaining: times,
        });
    }

    /// Beatport stops taking its current access token, as when it expires.
    pub fn expire_beatport_token(&self) {
        self.shared.beatport_session.lock().expect("session lock").access = Some("expired".into());
    }

    /// Beatport's renewals so far, and its current refresh token.
    pub fn beatport_renewals(&self) -> (u32, Option<String>) {
        let session = self.shared.beatport_session.lock().expect("session lock");
        (session.renewals, session.refresh.clone())
    }

    pub fn clear_faults(&self) {
        self.shared.faults.lock().expect("faults lock").clear();
    }

    /// Requests to the token endpoint so far.
    pub fn token_requests(&self) -> u64 {
        self.shared.tokens.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The URL of the simulated OAuth2 token endpoint.
    pub fn token_url(&self) -> String {
        format!("http://{}/oauth/token", self.addr)
    }

    pub fn stats(&self, provider: &str) -> ProviderStats {
        self.shared.stats.lock().expect("stats lock").get(provider).cloned().unwrap_or_default()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads `index`/`limit` (Deezer) or `offset`/`limit` (MusicBrainz) with the
/// provider's default and maximum page size.
pub(crate) fn page(params: &BTreeMap<String, String>, offset_key: &str, default: usize, max: usize) -> (usize, usize) {
    let offset = params.get(offset_key).and_then(|v| v.parse().ok()).unwrap_or(0);
    let limit = params.get("limit").and_then(|v| v.parse().ok()).unwrap_or(default).clamp(1, max);
    (offset, limit)
}
