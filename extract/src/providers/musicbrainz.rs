//! MusicBrainz `/ws/2`: artist search, then the artist's release groups and releases
//! (with recordings, ISRCs, credits, labels and release groups) by browse.

use super::{Api, Resource};
use crate::cache::Ttl;
use crate::config::{ProviderConfig, RateLimit};
use crate::http::BodyCheck;
use crate::job::{Fetcher};
use crate::lookup::{Identifier, Looked};
use crate::paging::{Last, Paging, Step};
use crate::request::Request;
use async_trait::async_trait;

pub const RESOURCES: &[Resource] = &[
    Resource::search("musicbrainz", "artist_search", "/artist?query={query}&fmt=json", Ttl::Catalog),
    Resource::lookup("musicbrainz", "artists", "/artist/{mbid}?fmt=json", Ttl::Catalog),
    // Looked up by id, or searched (`/recording?query=isrc:...`), which lands hits whole.
    Resource::lookup("musicbrainz", "recordings", "/recording/{mbid}?fmt=json", Ttl::Metadata),
    // An artist's groups by browse, or one group looked up (`/release-group/<mbid>`).
    Resource::lookup("musicbrainz", "release_groups", "/release-group?artist={artist}&fmt=json", Ttl::Catalog)
        .paged(RELEASE_GROUPS),
    // An artist's releases by browse, or one release looked up (`/release/<mbid>`).
    Resource::lookup("musicbrainz", "releases", "/release?artist={artist}&fmt=json", Ttl::Catalog).paged(RELEASES),
    // By barcode (`barcode:<barcode>`) or by title and artist.
    Resource::search("musicbrainz", "release_search", "/release?query={query}&fmt=json", Ttl::Catalog),
    Resource::lookup("musicbrainz", "isrcs", "/isrc/{isrc}?inc=releases&fmt=json", Ttl::Metadata),
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

    fn is_main_catalog(&self) -> bool {
        true
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
        f.fetch(f.request("artists").arg("mbid", &mbid).param("inc", ARTIST_INC)).await;
        browse(f, "release_groups", &mbid, RELEASE_GROUP_INC).await;
        browse(f, "releases", &mbid, RELEASE_INC).await;
    }

    /// A barcode is searched as MusicBrainz holds it (as entered: 12 or 13 digits), then
    /// each release found is looked up whole; an ISRC's recordings come from `/isrc`.
    async fn lookup(&self, f: &Fetcher<'_>, id: &Identifier) -> Looked {
        match id {
            Identifier::Gtin(gtin) => {
                for barcode in liner_normalize::upc_variants(gtin).into_iter().filter(|b| b.len() <= 13) {
                    let request = f.request("release_search").arg("query", format!("barcode:{barcode}"));
                    let Some(body) = f.fetch(request).await else { return Looked::NotFound };
                    let found: Vec<String> = body["releases"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|r| r["id"].as_str().map(str::to_string))
                        .collect();
                    for mbid in &found {
                        f.fetch(release(mbid)).await;
                    }
                    if !found.is_empty() {
                        return Looked::Found;
                    }
                }
                Looked::NotFound
            }
            Identifier::Isrc(isrc) => {
                // An ISRC MusicBrainz does not know is a 404: `fetch` gives nothing.
                let request = f.request("isrcs").arg("isrc", isrc.trim().to_uppercase());
                let body = f.fetch(request).await;
                Looked::found(body.is_some_and(|b| b["recordings"].as_array().is_some_and(|r| !r.is_empty())))
            }
            Identifier::AlbumId { id, .. } => Looked::found(f.fetch(release(id)).await.is_some()),
            Identifier::Album { artist, title } => {
                let query = format!("release:{} AND artist:{}", super::quoted(title), super::quoted(artist));
                let request = f.request("release_search").arg("query", query).param("limit", 5);
                let Some(body) = f.fetch(request).await else { return Looked::NotFound };
                let found: Vec<String> = body["releases"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|r| r["score"].as_i64().unwrap_or(0) >= MIN_ARTIST_SCORE)
                    .filter_map(|r| r["id"].as_str().map(str::to_string))
                    .take(3)
                    .collect();
                for mbid in &found {
                    f.fetch(release(mbid)).await;
                }
                Looked::found(!found.is_empty())
            }
            Identifier::Track { artist, title } => {
                // Search hits carry the ISRCs and credits: they land as recordings.
                let query = format!("recording:{} AND artist:{}", super::quoted(title), super::quoted(artist));
                // The search form of the recordings resource.
                let request = Request::new("recordings", "/recording")
                    .param("query", query)
                    .param("limit", 5)
                    .param("fmt", "json");
                let body = f.fetch(request).await;
                let hits = body.as_ref().and_then(|b| b["recordings"].as_array()).into_iter().flatten();
                Looked::found(hits.into_iter().any(|r| r["score"].as_i64().unwrap_or(0) >= MIN_ARTIST_SCORE))
            }
            // The recordings resource lands search answers; a recording by its MBID is
            // another shape, not staged: the ISRC or a search finds it.
            Identifier::TrackId { .. } => Looked::NotAsked,
        }
    }
}

/// One release looked up whole: the lookup form of the releases resource.
fn release(mbid: &str) -> Request {
    Request::new("releases", format!("/release/{mbid}")).param("inc", RELEASE_INC).param("fmt", "json")
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
    let search = RESOURCES.iter().find(|r| r.name == "artist_search").expect("declared above");
    let request = Request::of(search).arg("query", query).param("limit", 5);
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
    let body = f.fetch(f.request("artist_search").arg("query", query).param("limit", 5)).await?;
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
async fn browse(f: &Fetcher<'_>, resource: &str, artist: &str, inc: &str) {
    let first = f.request(resource).arg("artist", artist).param("limit", f.page_size()).param("inc", inc);
    let mut pages = f.pages(first);
    while pages.next().await.is_some() {}
}

const RELEASE_GROUPS: Paging =
    Paging { items: "/release-groups", step: Step::Offset("offset"), last: &[Last::Total("/release-group-count")] };
const RELEASES: Paging =
    Paging { items: "/releases", step: Step::Offset("offset"), last: &[Last::Total("/release-count")] };
