//! MusicBrainz `/ws/2`: artist search, then the artist's release groups and releases
//! (with recordings, ISRCs, credits, labels and release groups) by browse.

use super::{Api, Resource};
use crate::cache::Ttl;
use crate::config::{ProviderConfig, RateLimit};
use crate::http::BodyCheck;
use crate::job::{Fetcher, Identifier};
use crate::paging::{Last, Paging, Step};
use crate::request::Request;
use async_trait::async_trait;

pub const RESOURCES: &[Resource] = &[
    Resource::search("musicbrainz", "artist_search", "GET /artist?query=artist:\"<name>\"", Ttl::Catalog),
    Resource::lookup(
        "musicbrainz",
        "artists",
        "GET /artist/<mbid>?inc=url-rels+tags+genres+ratings (lookup)",
        Ttl::Catalog,
    ),
    Resource::lookup(
        "musicbrainz",
        "recordings",
        "GET /recording/<mbid> (lookup) or /recording?query=isrc:<isrc>",
        Ttl::Metadata,
    ),
    Resource::lookup(
        "musicbrainz",
        "release_groups",
        "GET /release-group?artist=<mbid> (browse), or /release-group/<mbid> (lookup)",
        Ttl::Catalog,
    ),
    Resource::lookup(
        "musicbrainz",
        "releases",
        "GET /release?artist=<mbid>&inc=recordings+isrcs+artist-credits+labels+release-groups+url-rels+tags+genres (browse), or /release/<mbid> (lookup)",
        Ttl::Catalog,
    ),
    Resource::search(
        "musicbrainz",
        "release_search",
        "GET /release?query=barcode:<barcode> (or release:\"...\" AND artist:\"...\")",
        Ttl::Catalog,
    ),
    Resource::lookup("musicbrainz", "isrcs", "GET /isrc/<isrc>?inc=releases", Ttl::Metadata),
];

/// Browse requests take relationship includes too: the links editors added from a
/// release to its Spotify, Deezer, Apple Music and Discogs pages come at no extra cost.
const RELEASE_INC: &str = "recordings+isrcs+artist-credits+labels+release-groups+url-rels+tags+genres";
/// A browse carries a group's credits only when asked for them.
const RELEASE_GROUP_INC: &str = "artist-credits+tags+genres+ratings";
const ARTIST_INC: &str = "url-rels+tags+genres+ratings";

/// A search hit below this score is not the artist the user meant.
const MIN_ARTIST_SCORE: i64 = 90;

pub struct MusicBrainz;

#[async_trait]
impl Api for MusicBrainz {
    fn name(&self) -> &'static str {
        "musicbrainz"
    }

    fn resources(&self) -> &'static [Resource] {
        RESOURCES
    }

    fn body_check(&self) -> BodyCheck {
        body_check
    }

    fn problems(&self, config: &ProviderConfig) -> Vec<String> {
        let missing = config.user_agent.as_deref().is_none_or(|ua| ua.trim().is_empty());
        let why = "providers.musicbrainz.user_agent: MusicBrainz refuses requests without a descriptive User-Agent, \
                   such as \"liner/0.1 ( you@example.com )\" (or set providers.musicbrainz.enabled = false)";
        missing.then(|| why.to_string()).into_iter().collect()
    }

    fn default_config(&self) -> ProviderConfig {
        // About one request per second per IP; beyond it, every request gets 503.
        ProviderConfig::new("https://musicbrainz.org/ws/2", RateLimit { requests: 1, per_seconds: 1.0, burst: 1 })
    }

    /// MusicBrainz answers errors as `{"error": "...", "help": "..."}`. No real recording:
    /// the shape is the web service documentation's.
    fn error_in_body(&self, v: &serde_json::Value) -> Option<String> {
        let message = v["error"].as_str()?;
        Some(format!("MusicBrainz: {message}"))
    }

    async fn sync_artist(&self, f: &Fetcher<'_>, name: &str) {
        let mbid = match f.known_musicbrainz_id(name) {
            Some(id) => id.to_string(),
            None => match resolve(f, name).await {
                Some(id) => id,
                None => return,
            },
        };
        f.fetch(Request::new("artists", format!("/artist/{mbid}")).param("inc", ARTIST_INC).param("fmt", "json")).await;
        browse(f, "release_groups", "/release-group", RELEASE_GROUPS, &mbid, RELEASE_GROUP_INC).await;
        browse(f, "releases", "/release", RELEASES, &mbid, RELEASE_INC).await;
    }

    /// A barcode is searched as MusicBrainz holds it (as entered: 12 or 13 digits), then
    /// each release found is looked up whole; an ISRC's recordings come from `/isrc`.
    async fn lookup(&self, f: &Fetcher<'_>, id: &Identifier) {
        match id {
            Identifier::Gtin(gtin) => {
                for barcode in liner_normalize::upc_variants(gtin).into_iter().filter(|b| b.len() <= 13) {
                    let request = Request::new("release_search", "/release")
                        .param("query", format!("barcode:{barcode}"))
                        .param("fmt", "json");
                    let Some(body) = f.fetch(request).await else { return };
                    let found: Vec<String> = body["releases"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|r| r["id"].as_str().map(str::to_string))
                        .collect();
                    for mbid in &found {
                        let request = Request::new("releases", format!("/release/{mbid}"))
                            .param("inc", RELEASE_INC)
                            .param("fmt", "json");
                        f.fetch(request).await;
                    }
                    if !found.is_empty() {
                        return;
                    }
                }
            }
            Identifier::Isrc(isrc) => {
                let request = Request::new("isrcs", format!("/isrc/{}", isrc.trim().to_uppercase()))
                    .param("inc", "releases")
                    .param("fmt", "json");
                f.fetch(request).await;
            }
            Identifier::Album { artist, title } => {
                let query = format!("release:{} AND artist:{}", super::quoted(title), super::quoted(artist));
                let request = Request::new("release_search", "/release")
                    .param("query", query)
                    .param("limit", 5)
                    .param("fmt", "json");
                let Some(body) = f.fetch(request).await else { return };
                let found: Vec<String> = body["releases"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|r| r["score"].as_i64().unwrap_or(0) >= MIN_ARTIST_SCORE)
                    .filter_map(|r| r["id"].as_str().map(str::to_string))
                    .take(3)
                    .collect();
                for mbid in found {
                    let request = Request::new("releases", format!("/release/{mbid}"))
                        .param("inc", RELEASE_INC)
                        .param("fmt", "json");
                    f.fetch(request).await;
                }
            }
            Identifier::Track { artist, title } => {
                // Search hits carry the ISRCs and credits: they land as recordings.
                let query = format!("recording:{} AND artist:{}", super::quoted(title), super::quoted(artist));
                let request = Request::new("recordings", "/recording")
                    .param("query", query)
                    .param("limit", 5)
                    .param("fmt", "json");
                f.fetch(request).await;
            }
        }
    }
}

/// MusicBrainz answers 503 to a client over its rate (its documented rate-limit
/// signal, not an outage): slow down, and keep the circuit closed.
pub fn body_check(status: u16, _body: &str) -> crate::http::BodyVerdict {
    if status == 503 {
        return crate::http::BodyVerdict::SlowDown("HTTP 503: MusicBrainz says too fast; slowing down".into());
    }
    crate::http::BodyVerdict::Ok
}

/// An artist MusicBrainz offers for a name, with how well it matches (0 to 100).
#[derive(Debug, Clone, PartialEq)]
pub struct ArtistCandidate {
    pub mbid: String,
    pub name: String,
    pub disambiguation: String,
    pub country: String,
    pub score: i64,
}

/// Asks MusicBrainz who `name` is: one artist search (within the configured rate limit,
/// with the configured User-Agent), best match first. Nothing is landed: this is a
/// question for the person following the artist.
pub async fn search_artists(config: &ProviderConfig, name: &str) -> anyhow::Result<Vec<ArtistCandidate>> {
    let http = crate::http::HttpStack::new("musicbrainz", config, body_check)?;
    let query = format!("artist:{}", super::quoted(name));
    let request = Request::new("artist_search", "/artist").param("query", query).param("limit", 5).param("fmt", "json");
    let fetched =
        http.get(&request).await.map_err(|e| anyhow::anyhow!("searching MusicBrainz for {name:?}: {}", e.reason))?;
    let body: serde_json::Value = serde_json::from_str(&fetched.body)
        .map_err(|e| anyhow::anyhow!("MusicBrainz answered the search for {name:?} with no JSON: {e}"))?;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut found: Vec<ArtistCandidate> = body["artists"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|a| ArtistCandidate {
            mbid: text(&a["id"]),
            name: text(&a["name"]),
            disambiguation: text(&a["disambiguation"]),
            country: text(&a["country"]),
            score: a["score"].as_i64().unwrap_or(0),
        })
        .filter(|a| !a.mbid.is_empty())
        .collect();
    found.sort_by_key(|a| std::cmp::Reverse(a.score));
    Ok(found)
}

async fn resolve(f: &Fetcher<'_>, name: &str) -> Option<String> {
    let query = format!("artist:{}", super::quoted(name));
    let request = Request::new("artist_search", "/artist").param("query", query).param("limit", 5).param("fmt", "json");
    let body = f.fetch(request).await?;
    let best = body["artists"].as_array()?.iter().max_by_key(|a| a["score"].as_i64().unwrap_or(0)).cloned();
    match best {
        Some(a) if a["score"].as_i64().unwrap_or(0) >= MIN_ARTIST_SCORE => a["id"].as_str().map(str::to_string),
        _ => {
            f.unmatched(name);
            None
        }
    }
}

/// Pages through a browse request (`offset` and `limit`) until the reported count
/// (`release-count` for releases) is reached.
async fn browse(f: &Fetcher<'_>, resource: &'static str, path: &str, paging: Paging, artist: &str, inc: &str) {
    let first = Request::new(resource, path).param("artist", artist).param("limit", f.page_size()).param("inc", inc);
    let mut pages = f.pages(first.param("fmt", "json"), paging);
    while pages.next().await.is_some() {}
}

const RELEASE_GROUPS: Paging =
    Paging { items: "/release-groups", step: Step::Offset("offset"), last: &[Last::Total("/release-group-count")] };
const RELEASES: Paging =
    Paging { items: "/releases", step: Step::Offset("offset"), last: &[Last::Total("/release-count")] };
