//! Last.fm: per followed artist, its top albums with `album.getInfo` (tracks, tags,
//! listeners) and its top tracks with `track.getInfo` (tags, listeners, playcount);
//! once a run, the global chart and (if a user is set) that user's top tracks, paged
//! up to a maximum. Last.fm has no ISRC or UPC lookup: it is matched by name and MBID.
//!
//! Errors come in the body, often with HTTP 200: 29 (rate limit) and 11/16 (temporary)
//! are retried; 10 (bad key) and 26 (suspended key) stop Last.fm for the run.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Api, Resource};
use crate::auth::AuthConfig;
use crate::cache::Ttl;
use crate::config::{ProviderConfig, RateLimit};
use crate::http::BodyCheck;
use crate::http::BodyVerdict;
use crate::job::{Fetcher};
use crate::lookup::{Identifier, Looked};
use crate::paging::{Last, Paging, Step};
use crate::secret::Secret;

/// A user's top tracks: `page` up to `@attr.totalPages` (a number written as text); an
/// empty list has no `track` at all.
const TOP_TRACKS: Paging =
    Paging { items: "/toptracks/track", step: Step::Page("page"), last: &[Last::Pages("/toptracks/@attr/totalPages")] };

pub const RESOURCES: &[Resource] = &[
    Resource::lookup(
        "lastfm",
        "artist_top_albums",
        "/?method=artist.getTopAlbums&format=json&artist={artist}",
        Ttl::Metadata,
    ),
    Resource::lookup(
        "lastfm",
        "albums",
        "/?method=album.getInfo&format=json&artist={artist}&album={album}",
        Ttl::Metadata,
    ),
    Resource::lookup(
        "lastfm",
        "artist_top_tracks",
        "/?method=artist.getTopTracks&format=json&artist={artist}",
        Ttl::Metadata,
    ),
    Resource::lookup(
        "lastfm",
        "tracks",
        "/?method=track.getInfo&format=json&artist={artist}&track={track}",
        Ttl::Metadata,
    ),
    Resource::lookup("lastfm", "user_top_tracks", "/?method=user.getTopTracks&format=json&user={user}", Ttl::Metadata)
        .paged(TOP_TRACKS),
    // A user's listening, beside their top tracks: landed by `liner ingest` (recorded
    // exports) and read by staging; the crawl asks only `user_top_tracks`.
    Resource::lookup(
        "lastfm",
        "user_weekly_track_chart",
        "/?method=user.getWeeklyTrackChart&format=json&user={user}",
        Ttl::Metadata,
    ),
    Resource::lookup(
        "lastfm",
        "user_recent_tracks",
        "/?method=user.getRecentTracks&format=json&user={user}",
        Ttl::Never,
    ),
    Resource::lookup("lastfm", "library_tracks", "/?method=library.getTracks&format=json&user={user}", Ttl::Metadata),
    Resource::lookup("lastfm", "chart_top_tracks", "/?method=chart.getTopTracks&format=json", Ttl::Never),
];

/// `[providers.lastfm.options]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// A Last.fm user whose top tracks to land once a run (the app's listener).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Stop paging the user's top tracks after this many.
    #[serde(default = "default_max_tracks")]
    pub max_tracks: u32,
    /// `overall`, `7day`, `1month`, `3month`, `6month` or `12month`.
    #[serde(default = "default_period")]
    pub period: String,
    /// How many of an artist's top tracks get `track.getInfo`.
    #[serde(default = "default_top_tracks")]
    pub top_tracks: u32,
    /// Land the global top-tracks chart once a run.
    #[serde(default = "yes")]
    pub chart: bool,
}

fn default_max_tracks() -> u32 {
    10_000
}
fn default_period() -> String {
    "overall".into()
}
fn default_top_tracks() -> u32 {
    20
}
fn yes() -> bool {
    true
}

impl Default for Options {
    fn default() -> Self {
        Options {
            user: None,
            max_tracks: default_max_tracks(),
            period: default_period(),
            top_tracks: default_top_tracks(),
            chart: true,
        }
    }
}

const PERIODS: &[&str] = &["overall", "7day", "1month", "3month", "6month", "12month"];
/// Last.fm's ceiling for `limit` on user.getTopTracks.
const MAX_LIMIT: u32 = 1000;

pub struct LastFm;

#[async_trait]
impl Api for LastFm {
    fn name(&self) -> &'static str {
        "lastfm"
    }

    fn resources(&self) -> &'static [Resource] {
        RESOURCES
    }

    fn errors_in_answers(&self) -> bool {
        true
    }

    fn body_check(&self) -> BodyCheck {
        body_check
    }

    fn default_config(&self) -> ProviderConfig {
        // No published number; the usual figure is about 5/s per IP. 4/s leaves room.
        ProviderConfig::new("https://ws.audioscrobbler.com/2.0", RateLimit { requests: 4, per_seconds: 1.0, burst: 1 })
            .with_auth(AuthConfig::Query { param: "api_key".into(), value: Secret::default() })
            .with_options(&Options::default())
            .disabled()
    }

    /// Last.fm's error body, whatever the HTTP status (real recordings:
    /// `{"error":6,"message":"Artist not found","links":[]}`, code 4 for bad auth).
    fn error_in_body(&self, v: &Value) -> Option<String> {
        let code = v["error"].as_i64()?;
        Some(format!("Last.fm error {code}: {}", v["message"].as_str().unwrap_or("")))
    }

    fn option_problems(&self, config: &ProviderConfig) -> Option<String> {
        match config.options::<Options>("lastfm") {
            Err(e) => Some(e),
            Ok(o) if !PERIODS.contains(&o.period.as_str()) => {
                Some(format!("providers.lastfm.options.period: {:?} is not one of {}", o.period, PERIODS.join(", ")))
            }
            Ok(o) if o.max_tracks == 0 => Some("providers.lastfm.options.max_tracks: must be above zero".into()),
            Ok(_) => None,
        }
    }

    async fn sync_run(&self, f: &Fetcher<'_>) {
        let opts = options(f);
        if opts.chart {
            f.fetch(f.request("chart_top_tracks").param("page", 1).param("limit", 50)).await;
        }
        let Some(user) = opts.user else { return };
        let first = f
            .request("user_top_tracks")
            .arg("user", &user)
            .param("period", &opts.period)
            .param("limit", opts.max_tracks.min(MAX_LIMIT));
        let mut pages = f.pages(first);
        let mut landed = 0;
        while landed < opts.max_tracks as usize {
            let Some(body) = pages.next().await else { return };
            landed += TOP_TRACKS.items(&body).len();
        }
    }

    async fn sync_artist(&self, f: &Fetcher<'_>, name: &str) {
        let opts = options(f);
        let Some(top) = f.fetch(f.request("artist_top_albums").arg("artist", name).param("limit", 50)).await else {
            return;
        };
        if top.get("error").is_some() {
            f.unmatched(name);
            return;
        }
        for album in one_or_many(&top["topalbums"]["album"]) {
            let Some(title) = album["name"].as_str() else { continue };
            let artist = album["artist"]["name"].as_str().unwrap_or(name);
            f.fetch(f.request("albums").arg("artist", artist).arg("album", title).param("autocorrect", 1)).await;
        }
        let request = f.request("artist_top_tracks").arg("artist", name).param("limit", opts.top_tracks.max(1));
        let Some(tracks) = f.fetch(request).await else { return };
        for track in one_or_many(&tracks["toptracks"]["track"]) {
            let Some(title) = track["name"].as_str() else { continue };
            let artist = track["artist"]["name"].as_str().unwrap_or(name);
            f.fetch(f.request("tracks").arg("artist", artist).arg("track", title).param("autocorrect", 1)).await;
        }
    }

    /// Last.fm knows albums and tracks by artist and title: `album.getInfo` and
    /// `track.getInfo` answer directly. It has no identifier lookups.
    /// By artist and title only (Last.fm knows no barcodes or ISRCs); a miss is its
    /// error object (code 6) in a 200.
    async fn lookup(&self, f: &Fetcher<'_>, id: &Identifier) -> Looked {
        match id {
            Identifier::Album { artist, title } => {
                let request = f.request("albums").arg("artist", artist).arg("album", title).param("autocorrect", 1);
                Looked::found(f.fetch(request).await.is_some_and(|b| b["album"].is_object()))
            }
            Identifier::Track { artist, title } => {
                let request = f.request("tracks").arg("artist", artist).arg("track", title).param("autocorrect", 1);
                Looked::found(f.fetch(request).await.is_some_and(|b| b["track"].is_object()))
            }
            _ => Looked::NotAsked,
        }
    }
}

pub fn body_check(_status: u16, body: &str) -> BodyVerdict {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return BodyVerdict::Ok;
    };
    let message = || v["message"].as_str().unwrap_or("").to_string();
    match v["error"].as_i64() {
        Some(29) => BodyVerdict::Retry(format!("Last.fm error 29: {}", message())),
        Some(code @ (11 | 16)) => BodyVerdict::Retry(format!("Last.fm error {code} (temporary): {}", message())),
        Some(10) => BodyVerdict::QuotaSpent(
            "Last.fm rejected the API key (error 10): check providers.lastfm.auth.value; Last.fm stops for this run"
                .into(),
        ),
        Some(26) => {
            BodyVerdict::QuotaSpent("Last.fm suspended the API key (error 26); Last.fm stops for this run".into())
        }
        _ => BodyVerdict::Ok,
    }
}

/// A Last.fm list: one element comes as an object, none as nothing or "".
pub fn one_or_many(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items.clone(),
        Value::Object(_) => vec![v.clone()],
        _ => Vec::new(),
    }
}

fn options(f: &Fetcher<'_>) -> Options {
    f.options()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_and_temporary_errors_are_retried_and_key_errors_stop() {
        assert!(matches!(body_check(200, r#"{"error":29,"message":"Rate Limit Exceeded"}"#), BodyVerdict::Retry(_)));
        assert!(matches!(body_check(200, r#"{"error":16,"message":"try again"}"#), BodyVerdict::Retry(_)));
        assert!(matches!(body_check(403, r#"{"error":10,"message":"Invalid API key"}"#), BodyVerdict::QuotaSpent(_)));
        assert_eq!(body_check(200, r#"{"error":6,"message":"Album not found"}"#), BodyVerdict::Ok, "an answer");
        assert_eq!(body_check(200, r#"{"album":{"name":"Believe"}}"#), BodyVerdict::Ok);
    }

    #[test]
    fn one_element_lists_are_objects() {
        assert_eq!(one_or_many(&serde_json::json!({"name": "x"})).len(), 1);
        assert_eq!(one_or_many(&serde_json::json!([{"name": "x"}, {"name": "y"}])).len(), 2);
        assert!(one_or_many(&serde_json::json!("")).is_empty());
    }

    #[test]
    fn a_period_must_be_one_last_fm_knows() {
        let mut c = LastFm.default_config();
        assert_eq!(LastFm.option_problems(&c), None);
        c.options.insert("period".into(), "week".into());
        assert!(LastFm.option_problems(&c).unwrap().contains("options.period"));
    }
}
