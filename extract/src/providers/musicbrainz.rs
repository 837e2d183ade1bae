//! MusicBrainz `/ws/2`: artist search, then the artist's release groups and releases
//! (with recordings, ISRCs, credits, labels and release groups) by browse.

use super::Resource;
use crate::cache::Ttl;
use crate::config::{ProviderConfig, RateLimit};
use crate::job::Fetcher;
use crate::request::Request;

pub const RESOURCES: &[Resource] = &[
    Resource {
        provider: "musicbrainz",
        name: "artist_search",
        endpoint: "GET /artist?query=artist:\"<name>\"",
        ttl: Ttl::Catalog,
    },
    Resource { provider: "musicbrainz", name: "artists", endpoint: "GET /artist/<mbid> (lookup)", ttl: Ttl::Catalog },
    Resource {
        provider: "musicbrainz",
        name: "recordings",
        endpoint: "GET /recording/<mbid> (lookup) or /recording?query=isrc:<isrc>",
        ttl: Ttl::Metadata,
    },
    Resource {
        provider: "musicbrainz",
        name: "release_groups",
        endpoint: "GET /release-group?artist=<mbid> (browse), or /release-group/<mbid> (lookup)",
        ttl: Ttl::Catalog,
    },
    Resource {
        provider: "musicbrainz",
        name: "releases",
        endpoint: "GET /release?artist=<mbid>&inc=recordings+isrcs+artist-credits+labels+release-groups (browse), or /release/<mbid> (lookup)",
        ttl: Ttl::Catalog,
    },
];

const RELEASE_INC: &str = "recordings+isrcs+artist-credits+labels+release-groups";

/// A search hit below this score is not the artist the user meant.
const MIN_ARTIST_SCORE: i64 = 90;

pub fn default_config() -> ProviderConfig {
    // About one request per second per IP; beyond it, every request gets 503.
    ProviderConfig::new("https://musicbrainz.org/ws/2", RateLimit { requests: 1, per_seconds: 1.0, burst: 1 })
}

pub async fn sync_artist(f: &Fetcher<'_>, name: &str) {
    let Some(mbid) = resolve(f, name).await else {
        return;
    };
    browse(f, "release_groups", "/release-group", "release-group", &mbid, None).await;
    browse(f, "releases", "/release", "release", &mbid, Some(RELEASE_INC)).await;
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

/// Pages through a browse request until the reported count is reached.
async fn browse(f: &Fetcher<'_>, resource: &'static str, path: &str, entity: &str, artist: &str, inc: Option<&str>) {
    let limit = f.page_size();
    let mut offset = 0u64;
    loop {
        let mut request =
            Request::new(resource, path).param("artist", artist).param("limit", limit).param("offset", offset);
        if let Some(inc) = inc {
            request = request.param("inc", inc);
        }
        let Some(body) = f.fetch(request.param("fmt", "json")).await else {
            return;
        };
        let count = body[format!("{entity}-count")].as_u64().unwrap_or(0);
        let got = body[format!("{entity}s")].as_array().map_or(0, Vec::len) as u64;
        offset += got;
        if got == 0 || offset >= count {
            return;
        }
    }
}
