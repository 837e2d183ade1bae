//! Spotify Web API, as a development-mode app may use it since 2026: artist search,
//! the artist's albums (at most 10 a page, in one market), each album with its tracks
//! paged, each track for its ISRC (album listings carry none), and lookups by UPC and
//! ISRC through search filters. New releases and audio features are tried once a run:
//! a dev-mode app gets 403 for them, which is said once and skipped.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Api, Resource, quoted, same_name};
use crate::auth::AuthConfig;
use crate::cache::Ttl;
use crate::config::{ProviderConfig, RateLimit};
use crate::job::{ArtistHits, Fetcher};
use crate::lookup::{Identifier, Looked};
use crate::paging::{Last, Paging, Step};
use crate::secret::Secret;

pub const RESOURCES: &[Resource] = &[
    Resource::search("spotify", "artist_search", "/search?type=artist&q={q}", Ttl::Catalog),
    Resource::lookup("spotify", "artist_albums", "/artists/{artist_id}/albums", Ttl::Catalog).paged(PAGING),
    Resource::lookup("spotify", "albums", "/albums/{album_id}", Ttl::Catalog),
    Resource::lookup("spotify", "album_tracks", "/albums/{album_id}/tracks", Ttl::Catalog).paged(PAGING),
    Resource::lookup("spotify", "tracks", "/tracks/{track_id}", Ttl::Metadata),
    // By barcode (`upc:<upc>`), or by `album:"..." artist:"..."`.
    Resource::search("spotify", "album_search", "/search?type=album&q={q}", Ttl::Catalog),
    // By ISRC (`isrc:<isrc>`), or by `track:"..." artist:"..."`.
    Resource::search("spotify", "track_search", "/search?type=track&q={q}", Ttl::Metadata),
    Resource::lookup("spotify", "new_releases", "/browse/new-releases", Ttl::Never),
    Resource::lookup("spotify", "audio_features", "/audio-features/{track_id}", Ttl::Metadata),
];

/// `[providers.spotify.options]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// The market albums are listed for; without one, an album comes back once per market.
    pub market: String,
    /// Fetch each track for its ISRC (album listings carry none): one request per track.
    #[serde(default = "yes")]
    pub track_isrcs: bool,
    /// Try `GET /browse/new-releases` once a run (extended-quota apps only since 2026).
    #[serde(default = "yes")]
    pub new_releases: bool,
    /// Try audio features for each track (blocked for new and dev-mode apps since Nov 2024).
    #[serde(default = "yes")]
    pub audio_features: bool,
}

fn yes() -> bool {
    true
}

impl Default for Options {
    fn default() -> Self {
        Options { market: "US".into(), track_isrcs: true, new_releases: true, audio_features: true }
    }
}

/// Spotify's page size caps since 2026: search and artist albums 10, album tracks 50.
const SEARCH_LIMIT: u32 = 10;
const ALBUMS_LIMIT: u32 = 10;
const TRACKS_LIMIT: u32 = 50;

pub struct Spotify;

#[async_trait]
impl Api for Spotify {
    fn name(&self) -> &'static str {
        "spotify"
    }

    fn is_main_catalog(&self) -> bool {
        true
    }

    fn resources(&self) -> &'static [Resource] {
        RESOURCES
    }

    fn status_in_body(&self, v: &Value) -> Option<u64> {
        v["error"]["status"].as_u64()
    }

    fn option_problems(&self, config: &ProviderConfig) -> Option<String> {
        config.options::<Options>(self.name()).err()
    }

    fn default_config(&self) -> ProviderConfig {
        // Spotify counts over a rolling 30 s window and publishes no number; 90 per 30 s
        // (3/s) stays well inside what development-mode apps report.
        ProviderConfig::new("https://api.spotify.com/v1", RateLimit { requests: 90, per_seconds: 30.0, burst: 1 })
            .with_auth(AuthConfig::ClientCredentials {
                token_url: "https://accounts.spotify.com/api/token".into(),
                client_id: String::new(),
                client_secret: Secret::default(),
            })
            .with_options(&Options::default())
            .disabled()
    }

    /// Spotify's error object. No real recording of one is in the fixtures: the shape
    /// `{"error":{"status":404,"message":"..."}}` is the Web API documentation's.
    fn error_in_body(&self, v: &Value) -> Option<String> {
        let e = v["error"].as_object()?;
        Some(format!(
            "Spotify {}: {}",
            e.get("status").and_then(Value::as_i64).unwrap_or(0),
            e.get("message").and_then(Value::as_str).unwrap_or("")
        ))
    }

    async fn sync_run(&self, f: &Fetcher<'_>) {
        if !options(f).new_releases {
            return;
        }
        let request = f.request("new_releases").param("limit", 50);
        if let Some((403, _)) = f.answer(request).await {
            f.note(
                "GET /browse/new-releases answered 403: development-mode apps lost it in 2026 \
                 (set options.new_releases = false to stop asking)"
                    .into(),
            );
        }
    }

    async fn sync_artist(&self, f: &Fetcher<'_>, name: &str) {
        let opts = options(f);
        let Some(artist_id) = resolve(f, name).await else {
            return;
        };
        let first = f
            .request("artist_albums")
            .arg("artist_id", &artist_id)
            .param("include_groups", "album,single,compilation")
            .param("market", &opts.market)
            .param("limit", ALBUMS_LIMIT);
        let mut album_ids: Vec<String> = Vec::new();
        for album in f.pages(first).all().await {
            if let Some(id) = album["id"].as_str().filter(|id| !album_ids.iter().any(|x| x == id)) {
                album_ids.push(id.to_string());
            }
        }
        let mut features = opts.audio_features;
        for album_id in album_ids {
            let request = f.request("albums").arg("album_id", &album_id).param("market", &opts.market);
            let Some(album) = f.fetch(request).await else { continue };
            let mut tracks: Vec<String> = ids(&album["tracks"]["items"]);
            // The lookup carries the first page of the tracks; the rest come from the album's
            // track list, from where that page ended.
            if tracks.len() < album["tracks"]["total"].as_u64().unwrap_or(0) as usize {
                let first = f
                    .request("album_tracks")
                    .arg("album_id", &album_id)
                    .param("market", &opts.market)
                    .param("limit", TRACKS_LIMIT);
                let rest = f.pages(first).skipping(tracks.len() as u64).all().await;
                tracks.extend(rest.iter().filter_map(|t| t["id"].as_str().map(str::to_string)));
            }
            for track_id in &tracks {
                if opts.track_isrcs {
                    f.fetch(f.request("tracks").arg("track_id", &track_id).param("market", &opts.market)).await;
                }
                if features {
                    let answer = f.answer(f.request("audio_features").arg("track_id", &track_id)).await;
                    if let Some((403, _)) = answer {
                        f.note(
                            "GET /audio-features answered 403: apps created after Nov 2024 and development-mode \
                             apps have no audio features (set options.audio_features = false to stop asking)"
                                .into(),
                        );
                        features = false;
                    }
                }
            }
        }
    }

    async fn lookup(&self, f: &Fetcher<'_>, id: &Identifier) -> Looked {
        let market = options(f).market;
        match id {
            Identifier::Gtin(gtin) => {
                let Some(album_id) = album_by_upc(f, gtin).await else { return Looked::NotFound };
                let album = f.fetch(f.request("albums").arg("album_id", &album_id).param("market", market)).await;
                Looked::found(album.is_some())
            }
            Identifier::Isrc(isrc) => Looked::found(!tracks_by_isrc(f, isrc).await.is_empty()),
            Identifier::AlbumId { id, .. } => {
                let album = f.fetch(f.request("albums").arg("album_id", id).param("market", market)).await;
                Looked::found(album.is_some_and(|a| a["id"].is_string()))
            }
            Identifier::TrackId { id, .. } => {
                let track = f.fetch(f.request("tracks").arg("track_id", id).param("market", market)).await;
                Looked::found(track.is_some_and(|t| t["id"].is_string()))
            }
            Identifier::Album { artist, title } => {
                let request = f
                    .request("album_search")
                    .arg("q", format!("album:{} artist:{}", quoted(title), quoted(artist)))
                    .param("limit", SEARCH_LIMIT);
                let Some(body) = f.fetch(request).await else { return Looked::NotFound };
                let ids: Vec<String> = by_artist(&body["albums"]["items"], artist).into_iter().take(CANDIDATES).collect();
                for id in &ids {
                    f.fetch(f.request("albums").arg("album_id", id).param("market", &market)).await;
                }
                Looked::found(!ids.is_empty())
            }
            Identifier::Track { artist, title } => {
                // Search hits are full tracks, ISRC included: nothing more to ask.
                let request = f
                    .request("track_search")
                    .arg("q", format!("track:{} artist:{}", quoted(title), quoted(artist)))
                    .param("limit", SEARCH_LIMIT);
                let body = f.fetch(request).await;
                Looked::found(body.is_some_and(|b| !by_artist(&b["tracks"]["items"], artist).is_empty()))
            }
        }
    }
}

fn options(f: &Fetcher<'_>) -> Options {
    f.options()
}

/// Spotify's paging objects: `offset` and `limit` while `next` is set.
const PAGING: Paging = Paging { items: "/items", step: Step::Offset("offset"), last: &[Last::NoNext("/next")] };

fn ids(items: &Value) -> Vec<String> {
    items.as_array().into_iter().flatten().filter_map(|t| t["id"].as_str().map(str::to_string)).collect()
}

async fn resolve(f: &Fetcher<'_>, name: &str) -> Option<String> {
    let request = f.request("artist_search").arg("q", format!("artist:{}", quoted(name))).param("limit", SEARCH_LIMIT);
    let hits = ArtistHits { hits: "/artists/items", name: "/name", id: "/id" };
    f.find_artist(name, request, hits, |n| same_name(n, name)).await
}

/// How many search hits are looked up whole: the best few are the candidates.
const CANDIDATES: usize = 3;

/// Ids of the items crediting the artist.
fn by_artist(items: &Value, artist: &str) -> Vec<String> {
    items
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| {
            i["artists"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| a["name"].as_str().is_some_and(|n| same_name(n, artist)))
        })
        .filter_map(|i| i["id"].as_str().map(str::to_string))
        .collect()
}

/// The album with this GTIN, trying each spelling until one is found.
pub async fn album_by_upc(f: &Fetcher<'_>, gtin: &str) -> Option<String> {
    for upc in liner_normalize::upc_variants(gtin) {
        let request = f.request("album_search").arg("q", format!("upc:{upc}")).param("limit", 1);
        let body = f.fetch(request).await?;
        if let Some(id) = body["albums"]["items"][0]["id"].as_str() {
            return Some(id.to_string());
        }
    }
    None
}

/// The tracks with this ISRC.
pub async fn tracks_by_isrc(f: &Fetcher<'_>, isrc: &str) -> Vec<String> {
    let request =
        f.request("track_search").arg("q", format!("isrc:{}", isrc.trim().to_uppercase())).param("limit", SEARCH_LIMIT);
    f.fetch(request).await.map(|b| ids(&b["tracks"]["items"])).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_default_to_one_market_and_everything_tried() {
        let c = Spotify.default_config();
        let o: Options = c.options("spotify").unwrap();
        assert_eq!(o, Options::default());
        assert!(!c.enabled, "Spotify needs credentials: off until configured");
        let mut bad = c.clone();
        bad.options.insert("markets".into(), "US".into());
        assert!(bad.options::<Options>("spotify").unwrap_err().contains("providers.spotify.options"));
    }
}
