//! Genius: the artist found through song search, the artist's songs paged until
//! `next_page` is null, and each song's details (release date, album, links to the
//! song on Spotify and Apple Music). No ISRCs: Genius is matched by title and artist.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Api, Resource, same_name};
use crate::auth::AuthConfig;
use crate::cache::Ttl;
use crate::config::{ProviderConfig, RateLimit};
use crate::job::{ArtistHits, Fetcher};
use crate::paging::{Last, Paging, Step};
use crate::secret::Secret;

pub const RESOURCES: &[Resource] = &[
    Resource::search("genius", "song_search", "/search?q={q}", Ttl::Catalog),
    Resource::lookup("genius", "artist_songs", "/artists/{artist_id}/songs", Ttl::Metadata).paged(PAGING),
    Resource::lookup("genius", "songs", "/songs/{song_id}", Ttl::Metadata),
];

/// `[providers.genius.options]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Look each song up for its release date, album and store links: one request a song.
    #[serde(default = "yes")]
    pub song_details: bool,
    /// Stop after this many songs per artist (the most popular first).
    #[serde(default = "default_max_songs")]
    pub max_songs: u32,
}

fn yes() -> bool {
    true
}
fn default_max_songs() -> u32 {
    200
}

impl Default for Options {
    fn default() -> Self {
        Options { song_details: true, max_songs: default_max_songs() }
    }
}

/// Genius' ceiling for `per_page`.
const PER_PAGE: u32 = 50;

pub struct Genius;

#[async_trait]
impl Api for Genius {
    fn name(&self) -> &'static str {
        "genius"
    }

    fn resources(&self) -> &'static [Resource] {
        RESOURCES
    }

    fn status_in_body(&self, v: &serde_json::Value) -> Option<u64> {
        v["meta"]["status"].as_u64()
    }

    fn option_problems(&self, config: &ProviderConfig) -> Option<String> {
        config.options::<Options>(self.name()).err()
    }

    fn default_config(&self) -> ProviderConfig {
        // No published limit; lyricsgenius waits 0.2 s between calls.
        ProviderConfig::new("https://api.genius.com", RateLimit { requests: 5, per_seconds: 1.0, burst: 1 })
            .with_auth(AuthConfig::Bearer { token: Secret::default() })
            .with_options(&Options::default())
            .disabled()
    }

    /// Genius wraps every answer in `meta`: anything but `meta.status` 200 is an error
    /// (real recording: `{"meta":{"status":404,"message":"404 Not Found"}}`).
    fn error_in_body(&self, v: &serde_json::Value) -> Option<String> {
        let status = v["meta"]["status"].as_i64()?;
        (status != 200).then(|| format!("Genius {status}: {}", v["meta"]["message"].as_str().unwrap_or("")))
    }

    async fn sync_artist(&self, f: &Fetcher<'_>, name: &str) {
        let opts: Options = f.options();
        // Genius searches songs: the artist is a hit's primary artist.
        let search = f.request("song_search").arg("q", name);
        let hits =
            ArtistHits { hits: "/response/hits", name: "/result/primary_artist/name", id: "/result/primary_artist/id" };
        let found = f.find_artist(name, search, hits, |n| same_name(n, name)).await;
        let Some(artist) = found.and_then(|id| id.parse::<u64>().ok()) else { return };
        let mut songs: Vec<u64> = Vec::new();
        let first =
            f.request("artist_songs").arg("artist_id", artist).param("per_page", PER_PAGE).param("sort", "popularity");
        let mut pages = f.pages(first);
        while songs.len() < opts.max_songs as usize {
            let Some(body) = pages.next().await else { break };
            // An artist's list includes songs they only feature on: those are someone else's.
            songs.extend(
                PAGING
                    .items(&body)
                    .iter()
                    .filter(|s| s["primary_artist"]["id"].as_u64() == Some(artist))
                    .filter_map(|s| s["id"].as_u64()),
            );
        }
        songs.truncate(opts.max_songs as usize);
        if opts.song_details {
            for id in songs {
                f.fetch(f.request("songs").arg("song_id", id)).await;
            }
        }
    }
}

/// An artist's songs: `page` while `next_page` names one.
const PAGING: Paging =
    Paging { items: "/response/songs", step: Step::Page("page"), last: &[Last::NoNext("/response/next_page")] };
