//! Deezer: artist search, the artist's albums, each album and its tracks (the tracks
//! endpoint carries the ISRCs). Errors come inside 200 bodies: the quota error is
//! retried, "no data" is an answer.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Api, Resource, same_name};
use crate::cache::Ttl;
use crate::config::{ProviderConfig, RateLimit};
use crate::http::BodyCheck;
use crate::http::BodyVerdict;
use crate::job::{ArtistHits, Fetcher};
use crate::lookup::{Identifier, Looked};
use crate::paging::{Last, Paging, Step};
use crate::request::Request;

pub const RESOURCES: &[Resource] = &[
    Resource::search("deezer", "artist_search", "/search/artist?q={q}", Ttl::Catalog),
    Resource::lookup("deezer", "artist_albums", "/artist/{id}/albums", Ttl::Catalog).paged(PAGING),
    // An album by its id, or by barcode as `upc:<upc>`.
    Resource::lookup("deezer", "albums", "/album/{id}", Ttl::Catalog),
    Resource::lookup("deezer", "album_tracks", "/album/{id}/tracks", Ttl::Catalog).paged(PAGING),
    // A track by its id, or by ISRC as `isrc:<isrc>`.
    Resource::lookup("deezer", "tracks", "/track/{id}", Ttl::Metadata),
    Resource::search("deezer", "album_search", "/search/album?q={q}", Ttl::Catalog),
    Resource::search("deezer", "track_search", "/search/track?q={q}", Ttl::Metadata),
    // Every chart of a genre in one answer (tracks, albums, artists, playlists, podcasts):
    // landed by `liner ingest`; the crawl asks the album and track charts one by one.
    Resource::lookup("deezer", "charts", "/chart/{genre}", Ttl::Never),
    Resource::lookup("deezer", "chart_albums", "/chart/{genre}/albums", Ttl::Never),
    Resource::lookup("deezer", "chart_tracks", "/chart/{genre}/tracks", Ttl::Never),
    Resource::lookup("deezer", "editorial_releases", "/editorial/{genre}/releases", Ttl::Never),
];

/// `[providers.deezer.options]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Land the album and track charts and the editorial new releases once a run.
    #[serde(default = "yes")]
    pub charts: bool,
    /// The genre of the charts and releases: 0 is all genres.
    #[serde(default)]
    pub genre: u32,
}

fn yes() -> bool {
    true
}

impl Default for Options {
    fn default() -> Self {
        Options { charts: true, genre: 0 }
    }
}

/// Chart and editorial lists are short: one page of this many.
const CHART_LIMIT: u32 = 100;

pub struct Deezer;

#[async_trait]
impl Api for Deezer {
    fn name(&self) -> &'static str {
        "deezer"
    }

    fn is_main_catalog(&self) -> bool {
        true
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

    fn option_problems(&self, config: &ProviderConfig) -> Option<String> {
        config.options::<Options>(self.name()).err()
    }

    fn default_config(&self) -> ProviderConfig {
        // 50 requests per 5 s per IP, counted over a rolling window.
        ProviderConfig::new("https://api.deezer.com", RateLimit { requests: 50, per_seconds: 5.0, burst: 1 })
            .with_options(&Options::default())
    }

    /// Deezer's error body, sent with HTTP 200 as often as not (real recordings:
    /// `{"error":{"type":"DataException","message":"no data","code":800}}`, the same with
    /// 404, a `ParameterException` with code 500, an `Exception` with no code, and
    /// `{"error":"Not Found"}` with a string).
    fn error_in_body(&self, v: &Value) -> Option<String> {
        match &v["error"] {
            Value::Null => None,
            Value::String(s) => Some(format!("Deezer error: {s}")),
            e => Some(format!(
                "Deezer {} {}: {}",
                e["type"].as_str().unwrap_or("error"),
                e["code"].as_i64().map(|c| c.to_string()).unwrap_or_default(),
                e["message"].as_str().unwrap_or("")
            )),
        }
    }

    async fn sync_run(&self, f: &Fetcher<'_>) {
        let opts: Options = f.options();
        if !opts.charts {
            return;
        }
        for resource in ["chart_albums", "chart_tracks", "editorial_releases"] {
            f.fetch(f.request(resource).arg("genre", opts.genre).param("limit", CHART_LIMIT)).await;
        }
    }

    async fn sync_artist(&self, f: &Fetcher<'_>, name: &str) {
        let Some(artist_id) = resolve(f, name).await else {
            return;
        };
        let albums = pages(f, f.request("artist_albums").arg("id", artist_id)).await;
        for album in albums {
            let Some(id) = album["id"].as_u64() else {
                continue;
            };
            f.fetch(f.request("albums").arg("id", id)).await;
            pages(f, f.request("album_tracks").arg("id", id)).await;
        }
    }

    /// Deezer's `/album/upc:<upc>` matches the stored string: the 12- and 13-digit
    /// spellings are tried in turn. `/track/isrc:<isrc>` answers with the track, and
    /// with an error object (status 200) when it has none.
    async fn lookup(&self, f: &Fetcher<'_>, id: &Identifier) -> Looked {
        match id {
            Identifier::Gtin(gtin) => {
                for upc in liner_normalize::upc_variants(gtin).into_iter().filter(|u| u.len() <= 13) {
                    let Some(album) = f.fetch(f.request("albums").arg("id", format!("upc:{upc}"))).await else {
                        return Looked::NotFound;
                    };
                    if let Some(id) = album["id"].as_u64() {
                        pages(f, f.request("album_tracks").arg("id", id)).await;
                        return Looked::Found;
                    }
                }
                Looked::NotFound
            }
            Identifier::Isrc(isrc) => {
                let track = f.fetch(f.request("tracks").arg("id", format!("isrc:{}", isrc.trim().to_uppercase()))).await;
                Looked::found(track.is_some_and(|t| t["id"].as_u64().is_some()))
            }
            Identifier::AlbumId { id, .. } => {
                let album = f.fetch(f.request("albums").arg("id", id)).await;
                let Some(id) = album.and_then(|a| a["id"].as_u64()) else { return Looked::NotFound };
                pages(f, f.request("album_tracks").arg("id", id)).await;
                Looked::Found
            }
            Identifier::TrackId { id, .. } => {
                let track = f.fetch(f.request("tracks").arg("id", id)).await;
                Looked::found(track.is_some_and(|t| t["id"].as_u64().is_some()))
            }
            Identifier::Album { artist, title } => {
                let q = format!("artist:{} album:{}", super::quoted(artist), super::quoted(title));
                let Some(body) = f.fetch(f.request("album_search").arg("q", q)).await else {
                    return Looked::NotFound;
                };
                let ids: Vec<u64> = body["data"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|a| a["artist"]["name"].as_str().is_some_and(|n| same_name(n, artist)))
                    .filter_map(|a| a["id"].as_u64())
                    .take(3)
                    .collect();
                for id in &ids {
                    f.fetch(f.request("albums").arg("id", id)).await;
                    pages(f, f.request("album_tracks").arg("id", id)).await;
                }
                Looked::found(!ids.is_empty())
            }
            Identifier::Track { artist, title } => {
                let q = format!("artist:{} track:{}", super::quoted(artist), super::quoted(title));
                let body = f.fetch(f.request("track_search").arg("q", q)).await;
                let hits = body.as_ref().and_then(|b| b["data"].as_array()).into_iter().flatten();
                Looked::found(
                    hits.into_iter().any(|t| t["artist"]["name"].as_str().is_some_and(|n| same_name(n, artist))),
                )
            }
        }
    }
}

/// Deezer's error codes worth another try: quota exceeded, and "service busy".
const RETRY_CODES: &[i64] = &[4, 700];

pub fn body_check(status: u16, body: &str) -> BodyVerdict {
    if status != 200 {
        return BodyVerdict::Ok;
    }
    if body.trim().is_empty() {
        return BodyVerdict::Retry("empty body (Deezer sends these while it blocks a client)".into());
    }
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return BodyVerdict::Ok;
    };
    let code = v["error"]["code"].as_i64();
    match code {
        Some(c) if RETRY_CODES.contains(&c) => {
            BodyVerdict::Retry(format!("Deezer error {c}: {}", v["error"]["message"].as_str().unwrap_or("")))
        }
        _ => BodyVerdict::Ok,
    }
}

async fn resolve(f: &Fetcher<'_>, name: &str) -> Option<u64> {
    let search = f.request("artist_search").arg("q", name).param("limit", 10);
    let hits = ArtistHits { hits: "/data", name: "/name", id: "/id" };
    f.find_artist(name, search, hits, |n| same_name(n, name)).await?.parse().ok()
}

/// Deezer's lists: `index` and `limit`, up to `total`; the last page has no `next`.
const PAGING: Paging =
    Paging { items: "/data", step: Step::Offset("index"), last: &[Last::Total("/total"), Last::NoNext("/next")] };

/// Every item of a paged list.
async fn pages(f: &Fetcher<'_>, first: Request) -> Vec<Value> {
    f.pages(first.param("limit", f.page_size())).all().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_error_is_retried_and_no_data_is_an_answer() {
        let quota = r#"{"error":{"type":"Exception","message":"Quota limit exceeded","code":4}}"#;
        assert!(matches!(body_check(200, quota), BodyVerdict::Retry(_)));
        assert!(matches!(body_check(200, ""), BodyVerdict::Retry(_)));
        let no_data = r#"{"error":{"type":"DataException","message":"no data","code":800}}"#;
        assert_eq!(body_check(200, no_data), BodyVerdict::Ok);
        assert_eq!(body_check(200, r#"{"id": 302127}"#), BodyVerdict::Ok);
    }
}
