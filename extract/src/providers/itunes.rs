//! The iTunes Search API: free and keyless, about 20 calls a minute, with Apple
//! Music's catalog ids, but no ISRCs and no UPCs in its answers. Artist search, the
//! artist's albums, and their songs ten albums to a call; lookups by UPC. When Apple
//! refuses a client that asks too often it answers 403 with an HTML page: retried.

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

pub const RESOURCES: &[Resource] = &[
    Resource::search("itunes", "artist_search", "/search?entity=musicArtist&term={term}", Ttl::Catalog),
    Resource::lookup("itunes", "artist_albums", "/lookup?entity=album&id={id}", Ttl::Catalog),
    // The songs of up to ALBUMS_PER_CALL collections, their ids comma-separated.
    Resource::lookup("itunes", "album_songs", "/lookup?entity=song&id={id}", Ttl::Catalog),
    Resource::lookup("itunes", "upc_lookup", "/lookup?entity=song&upc={upc}", Ttl::Catalog),
];

/// `[providers.itunes.options]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// The store country (`us`, `gb`, ...): prices, availability and titles differ.
    pub country: String,
}

impl Default for Options {
    fn default() -> Self {
        Options { country: "us".into() }
    }
}

/// Albums per songs lookup: ten albums stay under the 200 results a lookup returns.
const ALBUMS_PER_CALL: usize = 10;

pub struct ITunes;

#[async_trait]
impl Api for ITunes {
    fn name(&self) -> &'static str {
        "itunes"
    }

    fn resources(&self) -> &'static [Resource] {
        RESOURCES
    }

    fn body_check(&self) -> BodyCheck {
        body_check
    }

    fn default_config(&self) -> ProviderConfig {
        // Apple documents "approximately 20 calls per minute".
        ProviderConfig::new("https://itunes.apple.com", RateLimit { requests: 20, per_seconds: 60.0, burst: 1 })
            .with_options(&Options::default())
            .disabled()
    }

    /// The iTunes Search API's error. No real recording: `{"errorMessage": "..."}` is what
    /// it is documented (and widely reported) to send for a bad request.
    fn error_in_body(&self, v: &Value) -> Option<String> {
        Some(format!("iTunes: {}", v["errorMessage"].as_str()?))
    }

    fn option_problems(&self, config: &ProviderConfig) -> Option<String> {
        match config.options::<Options>("itunes") {
            Err(e) => Some(e),
            Ok(o) if o.country.len() != 2 || !o.country.chars().all(|c| c.is_ascii_alphabetic()) => {
                Some(format!("providers.itunes.options.country: {:?} is not a two-letter country code", o.country))
            }
            Ok(_) => None,
        }
    }

    async fn sync_artist(&self, f: &Fetcher<'_>, name: &str) {
        let country = country(f);
        let request = f.request("artist_search").arg("term", name).param("country", &country).param("limit", 25);
        let hits = ArtistHits { hits: "/results", name: "/artistName", id: "/artistId" };
        let Some(artist) = f.find_artist(name, request, hits, |n| same_name(n, name)).await else { return };
        let request = f.request("artist_albums").arg("id", artist).param("country", &country).param("limit", 200);
        let Some(albums) = f.fetch(request).await else { return };
        let ids: Vec<u64> = results(&albums)
            .filter(|r| r["wrapperType"] == "collection")
            .filter_map(|r| r["collectionId"].as_u64())
            .collect();
        for chunk in ids.chunks(ALBUMS_PER_CALL) {
            let list: Vec<String> = chunk.iter().map(u64::to_string).collect();
            let request =
                f.request("album_songs").arg("id", list.join(",")).param("country", &country).param("limit", 200);
            f.fetch(request).await;
        }
    }

    async fn lookup(&self, f: &Fetcher<'_>, id: &Identifier) -> Looked {
        let country = country(f);
        match id {
            Identifier::Gtin(gtin) => {
                for upc in liner_normalize::upc_variants(gtin) {
                    let request = f.request("upc_lookup").arg("upc", &upc).param("country", &country);
                    let Some(body) = f.fetch(request).await else { return Looked::NotFound };
                    if results(&body).next().is_some() {
                        return Looked::Found;
                    }
                }
                Looked::NotFound
            }
            Identifier::AlbumId { id, .. } => {
                let request = f.request("album_songs").arg("id", id).param("country", &country);
                Looked::found(f.fetch(request).await.is_some_and(|b| results(&b).next().is_some()))
            }
            // Apple Music's catalog search covers the rest.
            _ => Looked::NotAsked,
        }
    }
}

pub fn body_check(status: u16, _body: &str) -> BodyVerdict {
    if status == 403 {
        return BodyVerdict::Retry("HTTP 403 (how the iTunes API refuses a client over its rate)".into());
    }
    BodyVerdict::Ok
}

fn country(f: &Fetcher<'_>) -> String {
    f.options::<Options>().country
}

fn results(body: &Value) -> impl Iterator<Item = &Value> {
    body["results"].as_array().into_iter().flatten()
}
