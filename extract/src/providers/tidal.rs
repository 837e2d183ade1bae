//! TIDAL API v2 (openapi.tidal.com, JSON:API), in one country: artist search, the
//! artist's albums (a relationship, paged by cursor), each album with its artists and
//! the first page of its items (tracks and videos, each with its artists), the items
//! beyond that page from the album's item list at the cursor the album answer names,
//! and lookups by barcode and by ISRC through `filter[...]`. Auth is client credentials;
//! every request carries `countryCode`. JSON:API's media type is
//! `application/vnd.api+json`: the HTTP stack sets no headers of a provider's, so the
//! requests go with reqwest's `Accept: */*`, which a JSON:API server takes (no recording
//! says otherwise).

use std::collections::HashMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Api, Resource, same_name};
use crate::auth::AuthConfig;
use crate::cache::Ttl;
use crate::config::{ProviderConfig, RateLimit};
use crate::job::Fetcher;
use crate::lookup::{Identifier, Looked};
use crate::paging::{Last, Paging, Position, Step};
use crate::secret::Secret;

pub const RESOURCES: &[Resource] = &[
    // The search as TIDAL's OpenAPI document has it since v1.10.96 (2026-08): one
    // `searchResults` resource in `data`, its `artists` relationship in order of
    // relevance, the artists themselves in `included` in another order. The older
    // `/searchResults/{query}` is deprecated.
    Resource::search("tidal", "artist_search", "/searchResults?filter[query]={query}&include=artists", Ttl::Catalog),
    // Resource identifiers in `data`, the albums themselves in `included`.
    Resource::lookup(
        "tidal",
        "artist_albums",
        "/artists/{artist_id}/relationships/albums?include=albums",
        Ttl::Catalog,
    )
    .paged(PAGING),
    // An album with the first page of its items: `relationships.items.links.next` names
    // the rest (the real recordings' form; cover art is left out).
    Resource::lookup("tidal", "albums", "/albums?filter[id]={id}&include=artists,items,items.artists", Ttl::Catalog),
    // Tracks and videos with `meta.trackNumber` and `meta.volumeNumber`.
    Resource::lookup(
        "tidal",
        "album_items",
        "/albums/{album_id}/relationships/items?include=items,items.artists",
        Ttl::Catalog,
    )
    .paged(PAGING),
    Resource::search(
        "tidal",
        "albums_by_barcode",
        "/albums?filter[barcodeId]={barcode}&include=artists,items,items.artists",
        Ttl::Catalog,
    ),
    Resource::search("tidal", "tracks_by_isrc", "/tracks?filter[isrc]={isrc}&include=albums,artists", Ttl::Metadata),
    // A video is a recording of its own (its own ISRC). The crawl does not ask for it:
    // an album's videos come with the album's items, with their artists. Landed by
    // `liner ingest`.
    Resource::lookup("tidal", "videos", "/videos?filter[id]={id}&include=artists", Ttl::Metadata),
];

/// `[providers.tidal.options]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// The country (ISO 3166-1 alpha-2, `US`) every request is asked in: availability
    /// and item lists differ between countries.
    pub country: String,
}

impl Default for Options {
    fn default() -> Self {
        Options { country: "US".into() }
    }
}

pub struct Tidal;

#[async_trait]
impl Api for Tidal {
    fn name(&self) -> &'static str {
        "tidal"
    }

    fn resources(&self) -> &'static [Resource] {
        RESOURCES
    }

    /// A store of most of what is released: an item it lacks is worth looking up there.
    fn is_main_catalog(&self) -> bool {
        true
    }

    fn status_in_body(&self, v: &Value) -> Option<u64> {
        status(&v["errors"][0]["status"])
    }

    fn option_problems(&self, config: &ProviderConfig) -> Option<String> {
        match config.options::<Options>(self.name()) {
            Err(e) => Some(e),
            Ok(o) if o.country.len() != 2 || !o.country.chars().all(|c| c.is_ascii_uppercase()) => Some(format!(
                "providers.tidal.options.country: {:?} is not a two-letter country code such as \"US\"",
                o.country
            )),
            Ok(_) => None,
        }
    }

    fn default_config(&self) -> ProviderConfig {
        // TIDAL publishes no rate limit (a third-party profile guesses 10/s); 5/s is a
        // guess on the safe side. 429s come with Retry-After, which the stack honours.
        ProviderConfig::new("https://openapi.tidal.com/v2", RateLimit { requests: 5, per_seconds: 1.0, burst: 1 })
            .with_auth(AuthConfig::ClientCredentials {
                token_url: "https://auth.tidal.com/v1/oauth2/token".into(),
                client_id: String::new(),
                client_secret: Secret::default(),
            })
            .with_options(&Options::default())
            .disabled()
    }

    /// JSON:API's error list. No real recording of one is in the fixtures: the shape
    /// `{"errors":[{"id","status":"404","code","detail","source"}]}` is TIDAL's OpenAPI
    /// document's (`Errors_Document`, the status a string).
    fn error_in_body(&self, v: &Value) -> Option<String> {
        let e = v["errors"].as_array()?.first()?;
        Some(format!(
            "TIDAL {} {}: {}",
            status(&e["status"]).map(|s| s.to_string()).unwrap_or_default(),
            e["code"].as_str().unwrap_or(""),
            e["detail"].as_str().unwrap_or("")
        ))
    }

    async fn sync_artist(&self, f: &Fetcher<'_>, name: &str) {
        let country = country(f);
        let Some(artist_id) = resolve(f, &country, name).await else {
            return;
        };
        let first = f.request("artist_albums").arg("artist_id", &artist_id).param("countryCode", &country);
        let mut album_ids: Vec<String> = Vec::new();
        for album in f.pages(first).all().await {
            if let Some(id) = album["id"].as_str().filter(|id| !album_ids.iter().any(|x| x == id)) {
                album_ids.push(id.to_string());
            }
        }
        for album_id in album_ids {
            album(f, &country, &album_id).await;
        }
    }

    /// `filter[barcodeId]` is documented for EAN-13 and UPC-A, while TIDAL's own
    /// `barcodeId`s are written as Spotify pads them (`00602475093060`): each spelling is
    /// tried until one lists an album (whether the filter matches across spellings is
    /// not known).
    async fn lookup(&self, f: &Fetcher<'_>, id: &Identifier) -> Looked {
        let country = country(f);
        match id {
            Identifier::Gtin(gtin) => {
                for barcode in liner_normalize::upc_variants(gtin) {
                    let request =
                        f.request("albums_by_barcode").arg("barcode", &barcode).param("countryCode", &country);
                    // An answer without an album (an empty list, a 404 or a 400 for a
                    // spelling it does not take) moves on to the next spelling; no
                    // answer at all (a failure, reported) ends the lookup.
                    let Some((status, body)) = f.answer(request).await else { return Looked::NotFound };
                    if let (200, Some(body)) = (status, body)
                        && rest_of_items(f, &country, &body).await
                    {
                        return Looked::Found;
                    }
                }
                Looked::NotFound
            }
            // A single ISRC may match several tracks (one per album), paged: the first
            // page says whether TIDAL has the recording.
            Identifier::Isrc(isrc) => {
                let request =
                    f.request("tracks_by_isrc").arg("isrc", isrc.trim().to_uppercase()).param("countryCode", &country);
                Looked::found(f.fetch(request).await.is_some_and(|b| listed(&b)))
            }
            Identifier::AlbumId { id, .. } => Looked::found(album(f, &country, id).await),
            // No track-by-id resource is declared (the ISRC finds the track), and the one
            // search asks for artists only.
            Identifier::TrackId { .. } | Identifier::Album { .. } | Identifier::Track { .. } => Looked::NotAsked,
        }
    }
}

fn country(f: &Fetcher<'_>) -> String {
    f.options::<Options>().country
}

/// An HTTP status as JSON:API writes it (a string), or as a number.
fn status(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// Whether an answer lists anything in `data`.
fn listed(body: &Value) -> bool {
    body["data"].as_array().is_some_and(|d| !d.is_empty())
}

/// TIDAL's lists: the cursor a page names in `links.meta.nextCursor`, as the next
/// one's `page[cursor]`; the last page has no `links.next`.
const PAGING: Paging = Paging {
    items: "/data",
    step: Step::Cursor { param: "page[cursor]", from: "/links/meta/nextCursor" },
    last: &[Last::NoNext("/links/next")],
};

/// The artist's id: the first search hit, in order of relevance, that bears the name.
async fn resolve(f: &Fetcher<'_>, country: &str, name: &str) -> Option<String> {
    let request = f.request("artist_search").arg("query", name).param("countryCode", country);
    let body = f.fetch(request).await?;
    let found = artist_hits(&body).into_iter().find(|(_, n)| same_name(n, name)).map(|(id, _)| id);
    if found.is_none() {
        f.unmatched(name);
    }
    found
}

/// A search's artists as (id, name), in the order the search result's `artists`
/// relationship lists them: `included` holds them in another order, a homonym (a
/// "taylor swift" of covers) before the artist. Without the relationship, in the
/// order `included` has them.
fn artist_hits(body: &Value) -> Vec<(String, String)> {
    // `/searchResults?filter[query]=` lists its one result; `/searchResults/{query}` was it.
    let result = if body["data"].is_array() { &body["data"][0] } else { &body["data"] };
    let artists = body["included"].as_array().into_iter().flatten().filter(|r| r["type"] == "artists");
    let names: Vec<(&str, &str)> =
        artists.filter_map(|r| Some((r["id"].as_str()?, r["attributes"]["name"].as_str()?))).collect();
    let hit = |(id, name): (&str, &str)| (id.to_string(), name.to_string());
    match result["relationships"]["artists"]["data"].as_array() {
        Some(order) => {
            let by_id: HashMap<&str, &str> = names.iter().copied().collect();
            order
                .iter()
                .filter_map(|r| r["id"].as_str())
                .filter_map(|id| by_id.get(id).map(|name| hit((id, *name))))
                .collect()
        }
        None => names.into_iter().map(hit).collect(),
    }
}

/// Lands an album by its id, and the items beyond the first page it carries; whether
/// TIDAL has it.
async fn album(f: &Fetcher<'_>, country: &str, id: &str) -> bool {
    let request = f.request("albums").arg("id", id).param("countryCode", country);
    match f.fetch(request).await {
        Some(body) => rest_of_items(f, country, &body).await,
        None => false,
    }
}

/// For each album an answer lists whose items go on beyond the page it carries (its
/// `relationships.items.links.next`), the album's item list from there; whether the
/// answer lists any album.
async fn rest_of_items(f: &Fetcher<'_>, country: &str, body: &Value) -> bool {
    let albums = body["data"].as_array().into_iter().flatten();
    let unfinished: Vec<(String, String)> = albums
        .filter_map(|a| Some((a["id"].as_str()?.to_string(), next_cursor(&a["relationships"]["items"]["links"])?)))
        .collect();
    for (album_id, cursor) in unfinished {
        items_from(f, country, &album_id, cursor).await;
    }
    listed(body)
}

/// The cursor of the next page that a `links` object names: `meta.nextCursor`, or the
/// `page[cursor]` of `next`. `None` without a `next`: the list is done.
fn next_cursor(links: &Value) -> Option<String> {
    let next = links["next"].as_str()?;
    if let Some(cursor) = links["meta"]["nextCursor"].as_str().filter(|c| !c.is_empty()) {
        return Some(cursor.to_string());
    }
    let (_, query) = next.split_once('?')?;
    url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "page[cursor]").map(|(_, v)| v.into_owned())
}

/// An album's item list from `cursor` on, page by page as [`PAGING`] reads it (the
/// pages before it came with the album).
async fn items_from(f: &Fetcher<'_>, country: &str, album_id: &str, cursor: String) {
    let first = f.request("album_items").arg("album_id", album_id).param("countryCode", country);
    let mut at = Position { next: Some(cursor), ..Position::default() };
    while !at.done {
        let Some(page) = f.fetch_page(PAGING.request(&first, &at)).await else { return };
        let after = PAGING.after(&at, &page);
        // A page naming the cursor it was asked with would be asked for ever.
        if after.next.is_some() && after.next == at.next {
            return;
        }
        at = after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::Provider;
    use crate::request::Request;
    use serde_json::json;

    #[test]
    fn an_errors_body_is_an_error_with_the_status_it_names() {
        let body =
            json!({ "errors": [{ "id": "x", "status": "404", "code": "NOT_FOUND", "detail": "Album not found" }] });
        let said = Tidal.error_in_body(&body).unwrap();
        assert!(said.contains("404") && said.contains("NOT_FOUND") && said.contains("Album not found"), "{said}");
        assert_eq!(Tidal.status_in_body(&body), Some(404));
        assert_eq!(Tidal.error_in_body(&json!({ "data": [], "links": { "self": "/albums" } })), None);
    }

    #[test]
    fn options_default_to_one_country_and_credentials_are_asked_for() {
        let c = Tidal.default_config();
        assert_eq!(c.options::<Options>("tidal").unwrap(), Options::default());
        assert_eq!(Tidal.option_problems(&c), None);
        assert!(!c.enabled, "TIDAL needs credentials: off until configured");
        let p = Provider::named("tidal").problems(&c);
        assert!(p.iter().any(|p| p.contains("providers.tidal.auth.client_id")), "{p:?}");
        assert!(p.iter().any(|p| p.contains("providers.tidal.auth.client_secret")), "{p:?}");
        let mut bad = c.clone();
        bad.options.insert("country".into(), "usa".into());
        assert!(Tidal.option_problems(&bad).unwrap().contains("options.country"));
        let mut bad = c;
        bad.options.insert("market".into(), "US".into());
        assert!(Tidal.option_problems(&bad).unwrap().contains("providers.tidal.options"));
    }

    #[test]
    fn search_hits_come_in_order_of_relevance_not_of_included() {
        // As in a real answer for "taylor swift": `included` lists a homonym first.
        let body = json!({
            "data": [{ "id": "taylor swift", "type": "searchResults", "relationships": { "artists": {
                "data": [{ "id": "3557299", "type": "artists" }, { "id": "66653529", "type": "artists" }] } } }],
            "included": [
                { "id": "66653529", "type": "artists", "attributes": { "name": "taylor swift" } },
                { "id": "3557299", "type": "artists", "attributes": { "name": "Taylor Swift" } }
            ]
        });
        let hits = artist_hits(&body);
        assert_eq!(hits.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["3557299", "66653529"]);
        let mut older = body.clone();
        older["data"] = body["data"][0].clone();
        assert_eq!(artist_hits(&older), hits, "the search result alone, as /searchResults/{{query}} answered");
    }

    #[test]
    fn an_albums_items_go_on_from_the_cursor_its_next_link_names() {
        let links = json!({
            "meta": { "nextCursor": "3nI1Esi" },
            "next": "/albums/396698918/relationships/items?countryCode=US&page%5Bcursor%5D=3nI1Esi",
            "self": "/albums/396698918/relationships/items?countryCode=US"
        });
        assert_eq!(next_cursor(&links).as_deref(), Some("3nI1Esi"));
        let bare = json!({ "next": "/albums/1/relationships/items?countryCode=US&page%5Bcursor%5D=abc" });
        assert_eq!(next_cursor(&bare).as_deref(), Some("abc"));
        assert_eq!(next_cursor(&json!({ "self": "/albums/1/relationships/items?countryCode=US" })), None);
    }

    #[test]
    fn the_pages_asked_are_the_recorded_files_names() {
        let tidal = Provider::named("tidal");
        let items = tidal.resource("album_items").unwrap();
        let first = Request::of(items).arg("album_id", "396698918").param("countryCode", "US");
        let at = Position { next: Some("3nI1Esi".into()), ..Position::default() };
        let asked = PAGING.request(&first, &at).key();
        assert_eq!(
            asked,
            concat!(
                "album_items:/albums/396698918/relationships/items",
                "?countryCode=US&include=items,items.artists&page[cursor]=3nI1Esi"
            )
        );
        assert_eq!(asked, crate::replay::request_key(items, "396698918&countryCode=US&page[cursor]=3nI1Esi"));

        let page = json!({ "data": [{ "id": "1", "type": "tracks" }], "links": {
            "meta": { "nextCursor": "3nI1F0y" },
            "next": "/albums/396698918/relationships/items?page%5Bcursor%5D=3nI1F0y&countryCode=US" } });
        let at = PAGING.after(&at, &page);
        assert!(PAGING.request(&first, &at).key().ends_with("page[cursor]=3nI1F0y"), "one cursor, the newest");
        let last = json!({ "data": [{ "id": "2", "type": "tracks" }], "links": { "self": "/albums/396698918" } });
        assert!(PAGING.after(&at, &last).done, "no links.next: the last page");

        let albums = tidal.resource("albums").unwrap();
        assert_eq!(
            crate::replay::request_key(albums, "396698918&countryCode=US"),
            "albums:/albums?countryCode=US&filter[id]=396698918&include=artists,items,items.artists"
        );
    }
}
