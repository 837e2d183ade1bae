//! Beatport API v4: the artist's releases found by catalog search, each release
//! (catalog number, label, type) and its tracks (mix name, BPM, key, genre, and the
//! ISRC when the label gave one). Beatport gives out no API credentials: the user
//! supplies a bearer token from their own session.

use async_trait::async_trait;
use serde_json::Value;

use super::{Api, Resource, same_name};
use crate::auth::AuthConfig;
use crate::cache::Ttl;
use crate::config::{ProviderConfig, RateLimit};
use crate::job::{Fetcher};
use crate::lookup::{Identifier, Looked};
use crate::paging::{Last, Paging, Step};
use crate::request::Request;
use crate::secret::Secret;

pub const RESOURCES: &[Resource] = &[
    Resource::search("beatport", "release_search", "/catalog/search/?type=releases&q={q}", Ttl::Catalog)
        .paged(paging("/releases")),
    Resource::search("beatport", "track_search", "/catalog/search/?type=tracks&q={q}", Ttl::Catalog)
        .paged(paging("/tracks")),
    Resource::lookup("beatport", "releases", "/catalog/releases/{release_id}/", Ttl::Catalog),
    Resource::lookup("beatport", "release_tracks", "/catalog/releases/{release_id}/tracks/", Ttl::Catalog)
        .paged(paging("/results")),
    // By ISRC, or filtered by `artist_name` and `name`.
    Resource::lookup("beatport", "tracks", "/catalog/tracks/?isrc={isrc}", Ttl::Metadata).paged(paging("/results")),
];

const PER_PAGE: u32 = 100;

pub struct Beatport;

#[async_trait]
impl Api for Beatport {
    fn name(&self) -> &'static str {
        "beatport"
    }

    fn resources(&self) -> &'static [Resource] {
        RESOURCES
    }

    fn default_config(&self) -> ProviderConfig {
        // Beatport publishes no limit.
        ProviderConfig::new("https://api.beatport.com/v4", RateLimit { requests: 5, per_seconds: 1.0, burst: 1 })
            .with_auth(AuthConfig::Bearer { token: Secret::default() })
            .disabled()
    }

    /// Beatport's API is Django REST framework: errors are `{"detail": "..."}`. No real
    /// recording: a guess from the framework's convention.
    fn error_in_body(&self, v: &Value) -> Option<String> {
        let obj = v.as_object()?;
        let detail = obj.get("detail")?.as_str()?;
        (obj.len() <= 2).then(|| format!("Beatport: {detail}"))
    }

    async fn sync_artist(&self, f: &Fetcher<'_>, name: &str) {
        let search = f.request("release_search").arg("q", name);
        let hits = all(f, search).await;
        let releases: Vec<u64> = hits
            .iter()
            .filter(|r| {
                r["artists"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|a| a["name"].as_str().is_some_and(|n| same_name(n, name)))
            })
            .filter_map(|r| r["id"].as_u64())
            .collect();
        if releases.is_empty() {
            f.unmatched(name);
            return;
        }
        for id in releases {
            f.fetch(f.request("releases").arg("release_id", id)).await;
            all(f, f.request("release_tracks").arg("release_id", id)).await;
        }
    }

    /// Looks a recording up by ISRC: one ISRC is often on several releases (the album, a
    /// compilation, the single), each listed with its release.
    /// By ISRC only: Beatport's text search is for its own catalog browsing, and the
    /// artist sync covers what it has of a followed artist.
    async fn lookup(&self, f: &Fetcher<'_>, id: &Identifier) -> Looked {
        match id {
            Identifier::Isrc(isrc) => Looked::found(!all(f, f.request("tracks").arg("isrc", isrc)).await.is_empty()),
            _ => Looked::NotAsked,
        }
    }
}

/// A DRF-style list: `page` and `per_page` while `next` is set. Lists put their rows in
/// `results`; search puts its hits under the type asked (`releases`, `tracks`), as the
/// real API does.
const fn paging(items: &'static str) -> Paging {
    Paging { items, step: Step::Page("page"), last: &[Last::NoNext("/next")] }
}

/// Every row of a list, under `rows` (a JSON pointer).
async fn all(f: &Fetcher<'_>, first: Request) -> Vec<Value> {
    f.pages(first.param("per_page", PER_PAGE)).all().await
}
