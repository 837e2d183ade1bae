//! Apple Music API, one storefront: artist search, the artist's albums (paged by
//! `next`), each album with its tracks, the charts once a run, and lookups by
//! `filter[upc]` and `filter[isrc]`. Auth is the developer token (ES256 JWT).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Api, Resource, same_name};
use crate::auth::AuthConfig;
use crate::cache::Ttl;
use crate::config::{ProviderConfig, RateLimit};
use crate::job::{ArtistHits, Fetcher};
use crate::lookup::{Identifier, Looked};
use crate::paging::{Paging, Step};

pub const RESOURCES: &[Resource] = &[
    Resource::search(
        "apple_music",
        "artist_search",
        "/catalog/{storefront}/search?types=artists&term={term}",
        Ttl::Catalog,
    ),
    // Apple documents no page size for an artist's albums (a relationship): pages come
    // at its default size, each found at the offset its predecessor's `next` names.
    Resource::lookup("apple_music", "artist_albums", "/catalog/{storefront}/artists/{artist_id}/albums", Ttl::Catalog)
        .paged(Paging { items: "/data", step: Step::NextPath("/next"), last: &[] }),
    Resource::lookup("apple_music", "albums", "/catalog/{storefront}/albums/{album_id}", Ttl::Catalog),
    Resource::search("apple_music", "upc_search", "/catalog/{storefront}/albums?filter[upc]={upc}", Ttl::Catalog),
    Resource::search("apple_music", "isrc_search", "/catalog/{storefront}/songs?filter[isrc]={isrc}", Ttl::Metadata),
    // Albums or songs (`types`) by artist and title.
    Resource::search("apple_music", "catalog_search", "/catalog/{storefront}/search?term={term}", Ttl::Metadata),
    Resource::lookup(
        "apple_music",
        "charts",
        "/catalog/{storefront}/charts?types=albums,songs&chart=most-played",
        Ttl::Never,
    ),
];

/// `[providers.apple_music.options]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// The storefront (`us`, `gb`, ...): ids and availability differ between them.
    pub storefront: String,
    /// Land the most-played albums and songs chart once a run.
    #[serde(default = "yes")]
    pub charts: bool,
}

fn yes() -> bool {
    true
}

impl Default for Options {
    fn default() -> Self {
        Options { storefront: "us".into(), charts: true }
    }
}

const SEARCH_LIMIT: u32 = 25;
const CHART_LIMIT: u32 = 50;

pub struct AppleMusic;

#[async_trait]
impl Api for AppleMusic {
    fn name(&self) -> &'static str {
        "apple_music"
    }

    fn is_main_catalog(&self) -> bool {
        true
    }

    fn resources(&self) -> &'static [Resource] {
        RESOURCES
    }

    fn status_in_body(&self, v: &Value) -> Option<u64> {
        v["errors"][0]["status"].as_str().and_then(|s| s.parse().ok())
    }

    fn default_config(&self) -> ProviderConfig {
        // Apple publishes no limit; 429s clear once the rate drops. 5/s is a polite start.
        ProviderConfig::new("https://api.music.apple.com/v1", RateLimit { requests: 5, per_seconds: 1.0, burst: 1 })
            .with_auth(AuthConfig::AppleDeveloperToken {
                team_id: String::new(),
                key_id: String::new(),
                private_key_path: "AuthKey.p8".into(),
                token_seconds: 12 * 3600,
            })
            .with_options(&Options::default())
            .disabled()
    }

    /// Apple Music's error list. No real recording: the shape
    /// `{"errors":[{"status":"404","title":...,"detail":...}]}` is Apple's documentation's.
    fn error_in_body(&self, v: &Value) -> Option<String> {
        let e = v["errors"].as_array()?.first()?;
        Some(format!(
            "Apple Music {}: {} {}",
            e["status"].as_str().unwrap_or(""),
            e["title"].as_str().unwrap_or(""),
            e["detail"].as_str().unwrap_or("")
        ))
    }

    fn option_problems(&self, config: &ProviderConfig) -> Option<String> {
        match config.options::<Options>("apple_music") {
            Err(e) => Some(e),
            Ok(o) if o.storefront.len() != 2 || !o.storefront.chars().all(|c| c.is_ascii_lowercase()) => Some(format!(
                "providers.apple_music.options.storefront: {:?} is not a two-letter storefront such as \"us\"",
                o.storefront
            )),
            Ok(_) => None,
        }
    }

    async fn sync_run(&self, f: &Fetcher<'_>) {
        let opts: Options = f.options();
        if opts.charts {
            let request = f.request("charts").arg("storefront", &opts.storefront).param("limit", CHART_LIMIT);
            f.fetch(request).await;
        }
    }

    async fn sync_artist(&self, f: &Fetcher<'_>, name: &str) {
        let sf = storefront(f);
        let Some(artist_id) = resolve(f, &sf, name).await else {
            return;
        };
        let albums = f.pages(f.request("artist_albums").arg("storefront", &sf).arg("artist_id", &artist_id));
        let album_ids: Vec<String> =
            albums.all().await.iter().filter_map(|a| a["id"].as_str().map(str::to_string)).collect();
        for id in album_ids {
            f.fetch(f.request("albums").arg("storefront", &sf).arg("album_id", &id)).await;
        }
    }

    /// `filter[upc]` matches the stored string: each spelling is tried until one hits.
    async fn lookup(&self, f: &Fetcher<'_>, id: &Identifier) -> Looked {
        let sf = storefront(f);
        let listed = |body: &Option<serde_json::Value>| {
            body.as_ref().and_then(|b| b["data"].as_array()).is_some_and(|d| !d.is_empty())
        };
        match id {
            Identifier::Gtin(gtin) => {
                for upc in liner_normalize::upc_variants(gtin) {
                    let request = f.request("upc_search").arg("storefront", &sf).arg("upc", &upc);
                    let body = f.fetch(request).await;
                    if body.is_none() {
                        return Looked::NotFound;
                    }
                    if listed(&body) {
                        return Looked::Found;
                    }
                }
                Looked::NotFound
            }
            Identifier::Isrc(isrc) => {
                let request = f.request("isrc_search").arg("storefront", &sf).arg("isrc", isrc.trim().to_uppercase());
                Looked::found(listed(&f.fetch(request).await))
            }
            Identifier::AlbumId { id, .. } => {
                Looked::found(listed(&f.fetch(f.request("albums").arg("storefront", &sf).arg("album_id", id)).await))
            }
            // No songs-by-id resource is declared here: the ISRC or a search finds it.
            Identifier::TrackId { .. } => Looked::NotAsked,
            Identifier::Album { artist, title } => {
                let request = f
                    .request("catalog_search")
                    .arg("storefront", &sf)
                    .arg("term", format!("{artist} {title}"))
                    .param("types", "albums")
                    .param("limit", SEARCH_LIMIT);
                let Some(body) = f.fetch(request).await else { return Looked::NotFound };
                let ids: Vec<String> = body["results"]["albums"]["data"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|a| a["attributes"]["artistName"].as_str().is_some_and(|n| same_name(n, artist)))
                    .filter_map(|a| a["id"].as_str().map(str::to_string))
                    .take(3)
                    .collect();
                for id in &ids {
                    f.fetch(f.request("albums").arg("storefront", &sf).arg("album_id", id)).await;
                }
                Looked::found(!ids.is_empty())
            }
            Identifier::Track { artist, title } => {
                let request = f
                    .request("catalog_search")
                    .arg("storefront", &sf)
                    .arg("term", format!("{artist} {title}"))
                    .param("types", "songs")
                    .param("limit", SEARCH_LIMIT);
                let body = f.fetch(request).await;
                let songs = body.as_ref().and_then(|b| b["results"]["songs"]["data"].as_array()).into_iter().flatten();
                Looked::found(songs.into_iter().any(|s| {
                    s["attributes"]["artistName"].as_str().is_some_and(|n| same_name(n, artist))
                }))
            }
        }
    }
}

fn storefront(f: &Fetcher<'_>) -> String {
    f.options::<Options>().storefront
}

async fn resolve(f: &Fetcher<'_>, sf: &str, name: &str) -> Option<String> {
    let request = f.request("artist_search").arg("storefront", sf).arg("term", name).param("limit", SEARCH_LIMIT);
    let hits = ArtistHits { hits: "/results/artists/data", name: "/attributes/name", id: "/id" };
    f.find_artist(name, request, hits, |n| same_name(n, name)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storefront_is_two_lowercase_letters() {
        let mut c = AppleMusic.default_config();
        assert_eq!(AppleMusic.option_problems(&c), None);
        c.options.insert("storefront".into(), "USA".into());
        assert!(AppleMusic.option_problems(&c).unwrap().contains("options.storefront"));
    }
}
