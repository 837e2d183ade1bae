//! Discogs: artist search, the artist's releases (masters expanded into their
//! versions), each release (labels with catalog numbers, country, year, identifiers,
//! community rating), and release search by barcode. Every request sends the
//! descriptive User-Agent and the personal token; 55 requests a minute stays under the
//! 60 Discogs allows over its moving window.

use async_trait::async_trait;
use serde_json::Value;

use super::{Api, Resource, same_name};
use crate::auth::AuthConfig;
use crate::cache::Ttl;
use crate::config::{ProviderConfig, RateLimit};
use crate::job::{ArtistHits, Fetcher};
use crate::lookup::{Identifier, Looked};
use crate::paging::{Last, Paging, Step};
use crate::request::Request;
use crate::secret::Secret;

pub const RESOURCES: &[Resource] = &[
    Resource::search("discogs", "artist_search", "/database/search?type=artist&q={q}", Ttl::Catalog),
    Resource::lookup("discogs", "artist_releases", "/artists/{artist_id}/releases", Ttl::Catalog)
        .paged(paging("/releases")),
    Resource::lookup("discogs", "master_versions", "/masters/{master_id}/versions", Ttl::Catalog)
        .paged(paging("/versions")),
    Resource::lookup("discogs", "releases", "/releases/{release_id}", Ttl::Catalog),
    // By barcode, or by `artist` and `release_title`.
    Resource::search("discogs", "release_search", "/database/search?type=release&barcode={barcode}", Ttl::Catalog),
];

const PER_PAGE: u32 = 100;

pub struct Discogs;

#[async_trait]
impl Api for Discogs {
    fn name(&self) -> &'static str {
        "discogs"
    }

    fn resources(&self) -> &'static [Resource] {
        RESOURCES
    }

    fn default_config(&self) -> ProviderConfig {
        ProviderConfig::new("https://api.discogs.com", RateLimit { requests: 55, per_seconds: 60.0, burst: 1 })
            .with_auth(AuthConfig::Header { name: "Authorization".into(), value: Secret::default() })
            .disabled()
    }

    /// Discogs answers errors as `{"message": "Release not found."}`. No real recording:
    /// the shape is the API documentation's. A data object never has `message` alone.
    fn error_in_body(&self, v: &Value) -> Option<String> {
        let obj = v.as_object()?;
        let message = obj.get("message")?.as_str()?;
        (obj.len() == 1).then(|| format!("Discogs: {message}"))
    }

    fn problems(&self, config: &ProviderConfig) -> Vec<String> {
        let mut out = Vec::new();
        if config.user_agent.as_deref().is_none_or(|ua| ua.trim().is_empty()) {
            out.push(
                "providers.discogs.user_agent: Discogs blocks requests without a unique, descriptive User-Agent, \
                 such as \"liner/0.1 +https://example.com/you\""
                    .to_string(),
            );
        }
        if let AuthConfig::Header { value, .. } = &config.auth
            && !value.is_empty()
            && !value.expose().starts_with("Discogs ")
        {
            out.push(
                "providers.discogs.auth.value: must read \"Discogs token=<your personal token>\" \
                 (or \"Discogs key=..., secret=...\")"
                    .to_string(),
            );
        }
        out
    }

    async fn sync_artist(&self, f: &Fetcher<'_>, name: &str) {
        let Some(artist_id) = resolve(f, name).await else {
            return;
        };
        let mut release_ids: Vec<u64> = Vec::new();
        for item in paged(f, f.request("artist_releases").arg("artist_id", artist_id)).await {
            if item["role"].as_str().is_some_and(|r| r != "Main") {
                continue;
            }
            match (item["type"].as_str(), item["id"].as_u64()) {
                (Some("master"), Some(id)) => {
                    let versions = paged(f, f.request("master_versions").arg("master_id", id)).await;
                    release_ids.extend(versions.iter().filter_map(|v| v["id"].as_u64()));
                }
                (_, Some(id)) => release_ids.push(id),
                _ => {}
            }
        }
        release_ids.dedup();
        for id in release_ids {
            f.fetch(f.request("releases").arg("release_id", id)).await;
        }
    }

    /// Discogs searches the barcode as typed, digits only: each spelling is tried.
    async fn lookup(&self, f: &Fetcher<'_>, id: &Identifier) -> Looked {
        if let Identifier::Album { artist, title } = id {
            let request =
                f.request("release_search").param("artist", artist).param("release_title", title).param("per_page", 10);
            let Some(body) = f.fetch(request).await else { return Looked::NotFound };
            let ids: Vec<u64> =
                body["results"].as_array().into_iter().flatten().filter_map(|r| r["id"].as_u64()).take(3).collect();
            for id in &ids {
                f.fetch(f.request("releases").arg("release_id", id)).await;
            }
            return Looked::found(!ids.is_empty());
        }
        if let Identifier::AlbumId { id, .. } = id {
            let release = f.fetch(f.request("releases").arg("release_id", id)).await;
            return Looked::found(release.is_some_and(|r| r["id"].as_u64().is_some()));
        }
        let Identifier::Gtin(gtin) = id else {
            // Discogs has no ISRCs, and its track search is not worth a request.
            return Looked::NotAsked;
        };
        for barcode in liner_normalize::upc_variants(gtin).into_iter().filter(|b| b.len() <= 13) {
            let request = f.request("release_search").arg("barcode", &barcode);
            let Some(body) = f.fetch(request).await else { return Looked::NotFound };
            if let Some(id) = body["results"][0]["id"].as_u64() {
                f.fetch(f.request("releases").arg("release_id", id)).await;
                return Looked::Found;
            }
        }
        Looked::NotFound
    }
}

/// Discogs numbers homonyms: "Ana Silva (2)" is the second Ana Silva.
fn without_number(name: &str) -> &str {
    match name.rsplit_once(" (") {
        Some((base, n))
            if n.strip_suffix(')').is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit())) =>
        {
            base
        }
        _ => name,
    }
}

async fn resolve(f: &Fetcher<'_>, name: &str) -> Option<u64> {
    let request = f.request("artist_search").arg("q", name).param("per_page", 25);
    let hits = ArtistHits { hits: "/results", name: "/title", id: "/id" };
    f.find_artist(name, request, hits, |t| same_name(without_number(t), name)).await?.parse().ok()
}

/// Discogs' lists: `page` and `per_page`, up to `pagination.pages`.
const fn paging(items: &'static str) -> Paging {
    Paging { items, step: Step::Page("page"), last: &[Last::Pages("/pagination/pages")] }
}

/// Every item of a paged list, under `items` (a JSON pointer).
async fn paged(f: &Fetcher<'_>, first: Request) -> Vec<Value> {
    f.pages(first.param("per_page", PER_PAGE)).all().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_homonyms_match_the_plain_name() {
        assert_eq!(without_number("Ana Silva (2)"), "Ana Silva");
        assert_eq!(without_number("Love (Again)"), "Love (Again)");
        assert_eq!(without_number("Sunn O)))"), "Sunn O)))");
    }

    #[test]
    fn a_missing_user_agent_and_a_bare_token_are_config_errors() {
        let mut c = Discogs.default_config();
        let p = Discogs.problems(&c);
        assert!(p.iter().any(|p| p.contains("providers.discogs.user_agent")), "{p:?}");
        c.user_agent = Some("liner-tests/0.1 +https://example.invalid".into());
        c.auth = AuthConfig::Header { name: "Authorization".into(), value: Secret::new("abc123") };
        let p = Discogs.problems(&c);
        assert!(p.len() == 1 && p[0].contains("Discogs token="), "{p:?}");
        assert!(!p[0].contains("abc123"), "the token is not repeated");
        c.auth = AuthConfig::Header { name: "Authorization".into(), value: Secret::new("Discogs token=abc123") };
        assert!(Discogs.problems(&c).is_empty());
    }
}
