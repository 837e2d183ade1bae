//! YouTube Data API v3, the cheap way: the artist's channel found once by
//! `search.list` (from the separate bucket of 100 calls a day since June 2026), then
//! `channels.list` for its uploads playlist and `playlistItems.list` pages (1 unit
//! each) instead of searching videos. Any other playlist can be read too. Every call
//! is counted against the day in state; when the day is spent, YouTube stops with a
//! clear message and the rest of the run goes on. Titles are read as artist and song
//! in staging (`video_artist`, `video_song`).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Api, Resource, same_name};
use crate::auth::AuthConfig;
use crate::cache::Ttl;
use crate::config::{ProviderConfig, RateLimit};
use crate::http::BodyCheck;
use crate::http::BodyVerdict;
use crate::job::{ArtistHits, Fetcher};
use crate::paging::{Paging, Step};
use crate::quota::DailyQuota;
use crate::secret::Secret;

pub const RESOURCES: &[Resource] = &[
    Resource::search("youtube", "channel_search", "/search?part=snippet&type=channel&q={q}", Ttl::Catalog),
    // Video search (100 units a call), by words or by `channelId`: landed by `liner
    // ingest` and read by staging; the crawl reads uploads playlists instead, at 1 unit a page.
    Resource::search("youtube", "video_search", "/search?part=snippet&type=video&q={q}", Ttl::Metadata),
    Resource::lookup("youtube", "channels", "/channels?part=contentDetails&id={id}", Ttl::Catalog),
    Resource::lookup(
        "youtube",
        "playlist_items",
        "/playlistItems?part=snippet,contentDetails&playlistId={playlistId}",
        Ttl::Metadata,
    )
    .paged(PAGING),
];

/// `[providers.youtube.options]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Playlists to read every run besides the followed artists' uploads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub playlists: Vec<String>,
    /// Stop reading a playlist after this many videos.
    #[serde(default = "default_max_videos")]
    pub max_videos: u32,
}

fn default_max_videos() -> u32 {
    500
}

impl Default for Options {
    fn default() -> Self {
        Options { playlists: Vec::new(), max_videos: default_max_videos() }
    }
}

/// YouTube's ceiling for `maxResults`.
const MAX_RESULTS: u32 = 50;

pub struct YouTube;

#[async_trait]
impl Api for YouTube {
    fn name(&self) -> &'static str {
        "youtube"
    }

    fn resources(&self) -> &'static [Resource] {
        RESOURCES
    }

    fn body_check(&self) -> BodyCheck {
        body_check
    }

    fn status_in_body(&self, v: &Value) -> Option<u64> {
        v["error"]["code"].as_u64()
    }

    fn option_problems(&self, config: &ProviderConfig) -> Option<String> {
        config.options::<Options>(self.name()).err()
    }

    fn default_config(&self) -> ProviderConfig {
        let mut c = ProviderConfig::new(
            "https://www.googleapis.com/youtube/v3",
            RateLimit { requests: 10, per_seconds: 1.0, burst: 1 },
        )
        .with_auth(AuthConfig::Query { param: "key".into(), value: Secret::default() })
        .with_options(&Options::default())
        .disabled();
        c.daily_quota =
            Some(DailyQuota { units: 10_000, search_calls: Some(100), timezone: "America/Los_Angeles".into() });
        c
    }

    /// 403 `quotaExceeded` ends the day for YouTube; the per-user rate errors are retried.
    /// Google's error body (real recording: `{"error":{"code":403,"message":...,"errors":[{reason}],"status"}}`).
    fn error_in_body(&self, v: &Value) -> Option<String> {
        let e = v["error"].as_object()?;
        let reasons: Vec<&str> = e
            .get("errors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|x| x["reason"].as_str())
            .collect();
        Some(format!(
            "YouTube {} {}: {}",
            e.get("code").and_then(Value::as_i64).unwrap_or(0),
            reasons.join(", "),
            e.get("message").and_then(Value::as_str).unwrap_or("")
        ))
    }

    async fn sync_run(&self, f: &Fetcher<'_>) {
        let opts = options(f);
        for playlist in &opts.playlists {
            read_playlist(f, playlist, opts.max_videos).await;
        }
    }

    async fn sync_artist(&self, f: &Fetcher<'_>, name: &str) {
        let request = f.request("channel_search").arg("q", name).param("maxResults", 5);
        let hits = ArtistHits { hits: "/items", name: "/snippet/title", id: "/id/channelId" };
        let Some(channel) = f.find_artist(name, request, hits, |t| is_channel_of(t, name)).await else { return };
        let request = f.request("channels").arg("id", &channel);
        let Some(body) = f.fetch(request).await else { return };
        let Some(uploads) = body["items"][0]["contentDetails"]["relatedPlaylists"]["uploads"].as_str() else { return };
        read_playlist(f, uploads, options(f).max_videos).await;
    }
}

pub fn body_check(status: u16, body: &str) -> BodyVerdict {
    if status != 403 {
        return BodyVerdict::Ok;
    }
    let v: Value = serde_json::from_str(body).unwrap_or_default();
    let reasons: Vec<&str> =
        v["error"]["errors"].as_array().into_iter().flatten().filter_map(|e| e["reason"].as_str()).collect();
    if reasons.contains(&"quotaExceeded") {
        return BodyVerdict::QuotaSpent(
            "YouTube answered 403 quotaExceeded: the project's quota for today is spent (other clients may share it); \
             YouTube stops until midnight Pacific time"
                .into(),
        );
    }
    if reasons.iter().any(|r| matches!(*r, "rateLimitExceeded" | "userRateLimitExceeded")) {
        return BodyVerdict::Retry(format!("YouTube 403 {}", reasons.join(", ")));
    }
    BodyVerdict::Ok
}

fn options(f: &Fetcher<'_>) -> Options {
    f.options()
}

/// Whether a channel's title names the artist: VEVO channels drop the spaces
/// ("TaylorSwiftVEVO"), so letters and digits are compared.
fn is_channel_of(title: &str, artist: &str) -> bool {
    let letters =
        |s: &str| deunicode::deunicode(s).to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect::<String>();
    let t = channel_artist(title);
    same_name(&t, artist) || (!t.is_empty() && letters(&t) == letters(artist))
}

/// A channel's title as an artist: without "VEVO", " - Topic", "Official".
fn channel_artist(title: &str) -> String {
    let mut t = title.trim();
    for suffix in [" - Topic", "VEVO", "Vevo", " Official"] {
        t = t.strip_suffix(suffix).unwrap_or(t).trim();
    }
    t.to_string()
}

/// YouTube's lists: the `nextPageToken` a page gives, as the next one's `pageToken`.
const PAGING: Paging =
    Paging { items: "/items", step: Step::Cursor { param: "pageToken", from: "/nextPageToken" }, last: &[] };

async fn read_playlist(f: &Fetcher<'_>, playlist: &str, max_videos: u32) {
    let first =
        f.request("playlist_items").arg("playlistId", playlist).param("maxResults", MAX_RESULTS.min(max_videos));
    let mut pages = f.pages(first);
    let mut read = 0;
    while read < max_videos as usize {
        let Some(page) = pages.next().await else { return };
        read += PAGING.items(&page).len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_exceeded_stops_and_rate_limits_are_retried() {
        let quota = r#"{"error":{"code":403,"errors":[{"domain":"youtube.quota","reason":"quotaExceeded"}]}}"#;
        assert!(matches!(body_check(403, quota), BodyVerdict::QuotaSpent(_)));
        let rate = r#"{"error":{"code":403,"errors":[{"domain":"usageLimits","reason":"userRateLimitExceeded"}]}}"#;
        assert!(matches!(body_check(403, rate), BodyVerdict::Retry(_)));
        assert_eq!(body_check(200, quota), BodyVerdict::Ok);
    }

    #[test]
    fn channel_names_lose_their_decorations() {
        assert_eq!(channel_artist("AdeleVEVO"), "Adele");
        assert_eq!(channel_artist("Eminem - Topic"), "Eminem");
        assert_eq!(channel_artist("Daft Punk"), "Daft Punk");
        assert!(is_channel_of("TaylorSwiftVEVO", "Taylor Swift"));
        assert!(is_channel_of("Björk - Topic", "Bjork"));
        assert!(!is_channel_of("Taylor Swift Fans", "Taylor Swift"));
    }
}
