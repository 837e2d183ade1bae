//! TIDAL API v2 (`https://openapi.tidal.com/v2`), JSON:API: search (`/searchResults`,
//! and the older `/searchResults/{query}`), an artist's albums relationship, albums by
//! `filter[id]` or `filter[barcodeId]` with their items (tracks and music videos), an
//! album's items relationship, tracks by `filter[isrc]` or `filter[id]`, videos by
//! `filter[id]` or `filter[isrc]`, and the single resources (`/albums/{id}`, ...).
//! Every request needs `countryCode`; bearer tokens come from the simulator's
//! `/oauth/token` (client credentials) when a test lists "tidal" in `AuthConfig`.
//! Relationships page by an opaque `page[cursor]`, 20 a page. Over the rolling
//! window: 429 with Retry-After and a JSON:API error.
//!
//! What comes from real answers (shared/fixtures/real/tidal, and the search excerpt the
//! research helper left in /tmp/tidal_research, a real `/searchResults/taylor+swift`
//! body from the `tidalv2` crate's tests):
//! - Documents: top-level `data` (a list for `filter[...]` queries), `included`,
//!   `links.self`; `links.next` and `links.meta.nextCursor` while there is another
//!   page, none on the last one; `next` is a path relative to `/v2` that repeats the
//!   request's parameters with the cursor replaced.
//! - Albums (the US and SE recordings, the newest): `accessType`, `availability`,
//!   `barcodeId`, `copyright` as `{text}`, `duration` (ISO 8601: `PT4M12S`, `PT2H16S`),
//!   `explicit`, `externalLinks` (TIDAL_SHARING), `mediaTags`, `numberOfItems`,
//!   `numberOfVolumes`, `popularity` (0 to 1), `releaseDate`, `title`, `type`, and
//!   `albumType` (SE only; the OpenAPI document marks `type` deprecated for it). Their
//!   relationships (artists, coverArt, genres, items, owners, providers, similarAlbums,
//!   suggestedCoverArts) carry `links.self` always and `data` when included; `items`
//!   holds at most 20 items with `links.next` to the items relationship when there are
//!   more (the 46-item recording and its two pages). Cover art is an `artworks`
//!   resource (`files`, `mediaType`) under `include=coverArt`; the label a `providers`
//!   resource (`name`).
//! - Barcodes as the label delivered them: EAN-13 as is, UPC-A at times zero-padded to
//!   14 digits (00602475093060 in the recordings, like Spotify's).
//! - Tracks: `accessType`, `availability`, `copyright` `{text}`, `duration`,
//!   `explicit`, `externalLinks`, `isrc`, `mediaTags`, `popularity`, `spotlighted`,
//!   `title`, `version` (null when none); relationships as recorded, `artists` with data.
//! - Artists: `externalLinks`, `name`, `popularity`, twelve relationships with links.
//! - Videos (the one video recording, of the older vintage): `availability`,
//!   `copyright` as a plain string, `duration`, `explicit`, `externalLinks`,
//!   `imageLinks` (16:9), `isrc` (the video's own, not the song's), `popularity`,
//!   `releaseDate`, `title` ("... (Lyric Video)"); relationships albums, artists,
//!   providers; a resource-level `links.self`.
//! - The legacy search: `data` one `searchResults` object whose id is the query
//!   (`taylor+swift`), `attributes.trackingId` and `didYouMean`, six relationships
//!   (albums, artists, playlists, topHits, tracks, videos) of 20 with a cursor.
//!
//! Guesses (no real answer recorded):
//! - `GET /searchResults?filter[query]=` (the current form since OpenAPI 1.10.96, the
//!   path form deprecated then dropped from the document): `data` a list of the one
//!   searchResults resource, with `attributes.query` as the OpenAPI document requires.
//! - `/artists/{id}/relationships/albums`: identifiers `{id, type}` without meta, the
//!   artist's albums in catalog order, 20 a page; an artist TIDAL has only as a guest
//!   answers an empty list, an id it does not have 404.
//! - `/tracks?filter[isrc]=`: every track with that ISRC (one per edition), 20 a page
//!   for a single ISRC, the first per ISRC for several, as the OpenAPI document says;
//!   no match is 200 with `data: []` (Harmony treats an empty `data` as a miss).
//! - `filter[barcodeId]` matches with or without leading zeros; a miss is `data: []`.
//! - Errors: `{"errors":[{"id","status","code","detail"}]}` with the status as a
//!   string (the OpenAPI document's error object); the codes (`NOT_FOUND`,
//!   `BAD_REQUEST`, `TOO_MANY_REQUESTS`) and details are invented. A missing
//!   `countryCode` is a 400 (older API versions required it; newer ones infer it from a
//!   user's token, which client credentials do not have). An `include` path whose first
//!   segment the resource does not have is a 400 (documented); a bad cursor a 400.
//! - Retry-After of 1 second; the limit itself (10 a second) is a third-party guess.
//! - Music videos on albums: about a third of albums carry one to three, listed after
//!   the audio tracks on volume 1; a video's id is its own (numbers from 700,000,000),
//!   and its ISRC the song's with the registrant's last character turned to `V`
//!   (USUM7... for the song, USUMV... for its video, as the recorded pair reads).
//! - `included` is always present, empty when nothing was asked for.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::catalog::{AlbumKind, Catalog, RecordingIdx, Release};
use crate::views::{self, BarcodeStyle, IdStyle, Listing, Profile, View};
use crate::{Shared, search};

type Pairs = [(String, String)];
/// The query as sent, in order and with repeated keys (`filter[id]=1&filter[id]=2`).
type Params = Query<Vec<(String, String)>>;
type St = State<Arc<Shared>>;

/// Items of a relationship in one page, as the recordings page them.
const PAGE: usize = 20;

/// Where music videos' ids start: far above the albums' and tracks' own.
const VIDEO_IDS: u64 = 700_000_000;

/// Share of albums that carry music videos among their items.
const VIDEO_SHARE: f64 = 0.35;

const VIDEO_KINDS: &[&str] = &["Official Video", "Lyric Video", "Official Music Video", "Visualizer"];

/// A relationship of a resource that `include` may name (the first segment of a path),
/// from the OpenAPI document, and whether the resource lists it in its `relationships`
/// (with `links.self`), as the recordings list them. The simulator fills in the ones
/// liner uses and lists the others with links only.
#[derive(Clone, Copy)]
struct Rel {
    name: &'static str,
    listed: bool,
}

/// A relationship the resource lists.
const fn rel(name: &'static str) -> Rel {
    Rel { name, listed: true }
}

/// A relationship `include` may name that the resource does not list.
const fn unlisted(name: &'static str) -> Rel {
    Rel { name, listed: false }
}

/// What `include` may name of a resource.
fn names(rels: &[Rel]) -> Vec<&'static str> {
    rels.iter().map(|r| r.name).collect()
}

const ALBUM_RELS: &[Rel] = &[
    unlisted("albumStatistics"),
    rel("artists"),
    rel("coverArt"),
    rel("genres"),
    rel("items"),
    rel("owners"),
    unlisted("priceConfig"),
    rel("providers"),
    unlisted("replacement"),
    unlisted("shares"),
    rel("similarAlbums"),
    rel("suggestedCoverArts"),
    unlisted("usageRules"),
];

const TRACK_RELS: &[Rel] = &[
    rel("albums"),
    rel("artists"),
    unlisted("credits"),
    unlisted("download"),
    rel("genres"),
    rel("lyrics"),
    unlisted("metadataStatus"),
    rel("owners"),
    unlisted("priceConfig"),
    rel("providers"),
    rel("radio"),
    unlisted("replacement"),
    rel("shares"),
    rel("similarTracks"),
    rel("sourceFile"),
    unlisted("suggestedTracks"),
    rel("trackStatistics"),
    unlisted("usageRules"),
];

const ARTIST_RELS: &[Rel] = &[
    rel("albums"),
    rel("biography"),
    unlisted("claimStatus"),
    rel("followers"),
    rel("following"),
    rel("owners"),
    rel("profileArt"),
    rel("radio"),
    rel("roles"),
    rel("similarArtists"),
    rel("trackProviders"),
    rel("tracks"),
    rel("videos"),
];

const VIDEO_RELS: &[Rel] = &[
    rel("albums"),
    rel("artists"),
    unlisted("credits"),
    rel("providers"),
    unlisted("replacement"),
    unlisted("similarVideos"),
    unlisted("suggestedVideos"),
    unlisted("thumbnailArt"),
    unlisted("usageRules"),
];

/// A search's relationships: all listed, and what `include` may name.
const SEARCH_RELS: &[&str] = &["albums", "artists", "playlists", "topHits", "tracks", "videos"];

pub(crate) fn profile() -> Profile {
    Profile {
        provider: "tidal",
        artist_share: 0.9,
        release_share: 0.85,
        ids: IdStyle::Numeric { start: 100_000_000 },
        // As delivered: one recorded barcode of three is a UPC-A padded to 14 digits.
        barcode: Some(BarcodeStyle::Delivered { padded14: 0.35 }),
        barcode_missing: 0.0,
        // `isrc` is a required track attribute.
        isrc_shown: 1.0,
        // "Title", "Title (Deluxe Edition)": no " - Single" or " - EP" (the type says it).
        release_title: views::edition_release_title,
        track_title,
        numbers_homonyms: false,
    }
}

/// "Song", "Song (feat. X)" most of the time; the version ("Live", "2011 Remaster")
/// is an attribute of its own, never in the title.
fn track_title(rng: &mut ChaCha8Rng, c: &Catalog, rec: RecordingIdx) -> String {
    views::title_featuring(rng, c, rec, 0.6)
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/searchResults", get(search_results))
        .route("/searchResults/{query}", get(search_results_legacy))
        .route("/searchResults/{query}/relationships/{rel}", get(search_relationship))
        .route("/artists", get(artists))
        .route("/artists/{id}", get(artist))
        .route("/artists/{id}/relationships/albums", get(artist_albums))
        .route("/albums", get(albums))
        .route("/albums/{id}", get(album))
        .route("/albums/{id}/relationships/items", get(album_items))
        .route("/tracks", get(tracks))
        .route("/tracks/{id}", get(track))
        .route("/videos", get(videos))
        .route("/videos/{id}", get(video))
}

// ---- Answers and errors ---------------------------------------------------------

fn json_api(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/vnd.api+json")], body.to_string()).into_response()
}

fn doc(body: Value) -> Response {
    json_api(StatusCode::OK, body)
}

fn error(status: StatusCode, code: &str, detail: &str) -> Response {
    let id = uuid(&rand::random::<u64>().to_string());
    let e = json!({ "id": id, "status": status.as_u16().to_string(), "code": code, "detail": detail });
    json_api(status, json!({ "errors": [e] }))
}

fn bad_request(detail: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "BAD_REQUEST", detail)
}

fn not_found(what: &str, id: &str) -> Response {
    error(StatusCode::NOT_FOUND, "NOT_FOUND", &format!("{what} with id {id} was not found"))
}

/// Rate, then the country every catalog request names. The country, as given.
fn gate(s: &Shared, p: &Pairs) -> Result<String, Response> {
    if !s.admit("tidal") {
        let mut r = error(StatusCode::TOO_MANY_REQUESTS, "TOO_MANY_REQUESTS", "Rate limit exceeded");
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return Err(r);
    }
    match first(p, "countryCode") {
        Some(cc) if cc.len() == 2 && cc.chars().all(|ch| ch.is_ascii_alphabetic()) => Ok(cc.to_string()),
        Some(cc) => Err(bad_request(&format!("countryCode {cc:?} is not an ISO 3166-1 alpha-2 country code"))),
        None => Err(bad_request(concat!(
            "Unable to determine the country of the request: an ISO 3166-1 alpha-2 country code ",
            "must be provided in the countryCode parameter"
        ))),
    }
}

// ---- Parameters, links and cursors -----------------------------------------------

fn first<'p>(p: &'p Pairs, key: &str) -> Option<&'p str> {
    p.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Every value of a key, repeated or comma-separated.
fn values(p: &Pairs, key: &str) -> Vec<String> {
    p.iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// The `include` paths asked for, or a 400 for one that names a relationship the
/// resource does not have.
fn includes(p: &Pairs, allowed: &[&str]) -> Result<Vec<String>, Response> {
    let asked = values(p, "include");
    match asked.iter().find(|a| !allowed.contains(&a.split('.').next().unwrap_or(""))) {
        Some(bad) => {
            Err(bad_request(&format!("Invalid include path '{bad}'. Available options: {}", allowed.join(", "))))
        }
        None => Ok(asked),
    }
}

/// Whether `name` is included, itself or through a longer path (`items.artists`
/// includes `items`).
fn wants(inc: &[String], name: &str) -> bool {
    inc.iter().any(|x| x == name || x.strip_prefix(name).is_some_and(|rest| rest.starts_with('.')))
}

/// The paths below `name`: `items.artists` gives `artists`.
fn nested(inc: &[String], name: &str) -> Vec<String> {
    inc.iter().filter_map(|x| x.strip_prefix(name)?.strip_prefix('.')).map(str::to_string).collect()
}

/// Percent-encoding as TIDAL writes its links (`page%5Bcursor%5D`, `%2C`), a space as `+`.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// A search's id as a path segment: `taylor+swift`.
fn enc_segment(id: &str) -> String {
    id.split('+').map(enc).collect::<Vec<_>>().join("+")
}

fn link(path: &str, params: &Pairs) -> String {
    if params.is_empty() {
        return path.to_string();
    }
    let q: Vec<String> = params.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
    format!("{path}?{}", q.join("&"))
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The request's parameters with the cursor of another page.
fn with_cursor(p: &Pairs, cursor: &str) -> Vec<(String, String)> {
    let mut out = p.to_vec();
    match out.iter_mut().find(|(k, _)| k == "page[cursor]") {
        Some((_, v)) => *v = cursor.to_string(),
        None => out.push(("page[cursor]".into(), cursor.to_string())),
    }
    out
}

/// `links` of a page of `total`: `self` as asked, `next` and its cursor while more follow.
fn page_links(path: &str, p: &Pairs, offset: usize, total: usize) -> Value {
    let mut links = json!({ "self": link(path, p) });
    if offset + PAGE < total {
        let next = cursor(offset + PAGE);
        links["next"] = json!(link(path, &with_cursor(p, &next)));
        links["meta"] = json!({ "nextCursor": next });
    }
    links
}

const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn b62(mut n: u64) -> String {
    if n == 0 {
        return "0".into();
    }
    let mut digits = Vec::new();
    while n > 0 {
        digits.push(B62[(n % 62) as usize] as char);
        n /= 62;
    }
    digits.iter().rev().collect()
}

/// An opaque cursor for the page starting at `offset` (the recordings' look like
/// `3nI1Esi`).
fn cursor(offset: usize) -> String {
    format!("3nI1{}", b62(offset as u64 * 7919 + 61))
}

fn cursor_offset(cursor: &str) -> Option<usize> {
    let digits = cursor.strip_prefix("3nI1").filter(|d| !d.is_empty())?;
    let mut n: u64 = 0;
    for b in digits.bytes() {
        let d = B62.iter().position(|&x| x == b)? as u64;
        n = n.checked_mul(62)?.checked_add(d)?;
    }
    let n = n.checked_sub(61)?;
    n.is_multiple_of(7919).then_some((n / 7919) as usize)
}

fn page_offset(p: &Pairs) -> Result<usize, Response> {
    match first(p, "page[cursor]") {
        None => Ok(0),
        Some(c) => cursor_offset(c).ok_or_else(|| bad_request(&format!("Invalid page[cursor] value '{c}'"))),
    }
}

// ---- Stable pseudo-random values ------------------------------------------------

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

fn uuid(key: &str) -> String {
    let (a, b) = (fnv(key), fnv(&format!("{key}#")));
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// 0 to 1, as the newer answers give it.
fn popularity(key: &str) -> f64 {
    (fnv(key) % 1_000_000) as f64 / 1_000_000.0
}

fn media_tags(album_id: &str) -> Value {
    if fnv(album_id).is_multiple_of(3) { json!(["HIRES_LOSSLESS", "LOSSLESS"]) } else { json!(["LOSSLESS"]) }
}

/// ISO 8601 as TIDAL writes it: `PT4M12S`, `PT46M9S`, `PT2H16S`.
fn iso_duration(ms: u64) -> String {
    let secs = (ms + 500) / 1000;
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::from("PT");
    if h > 0 {
        let _ = write!(out, "{h}H");
    }
    if m > 0 {
        let _ = write!(out, "{m}M");
    }
    if s > 0 || (h == 0 && m == 0) {
        let _ = write!(out, "{s}S");
    }
    out
}

fn sharing(kind: &str, id: &str) -> Value {
    json!({ "href": format!("https://tidal.com/browse/{kind}/{id}"), "meta": { "type": "TIDAL_SHARING" } })
}

fn ident(kind: &str, id: &str) -> Value {
    json!({ "id": id, "type": kind })
}

/// Where a resource's relationship is: `/albums/{id}/relationships/items`.
fn rel_path(kind: &str, id: &str, name: &str) -> String {
    format!("/{kind}/{id}/relationships/{name}")
}

/// A relationship with its `links.self` (in the country asked for) and no data yet.
fn rel_links(path: &str, cc: &str) -> Value {
    json!({ "links": { "self": format!("{path}?countryCode={cc}") } })
}

/// A resource's relationships, each listed one with its `links.self` and no data yet.
fn relationships(kind: &str, id: &str, cc: &str, rels: &[Rel]) -> Value {
    let m: serde_json::Map<String, Value> = rels
        .iter()
        .filter(|r| r.listed)
        .map(|r| (r.name.to_string(), rel_links(&rel_path(kind, id, r.name), cc)))
        .collect();
    Value::Object(m)
}

/// `included`: each resource once, in the order first met.
#[derive(Default)]
struct Included {
    seen: HashSet<(String, String)>,
    list: Vec<Value>,
}

impl Included {
    fn add(&mut self, v: Value) {
        let key = (v["type"].as_str().unwrap_or("").to_string(), v["id"].as_str().unwrap_or("").to_string());
        if self.seen.insert(key) {
            self.list.push(v);
        }
    }

    /// The resource `make` builds, after what it includes itself.
    fn add_made(&mut self, make: impl FnOnce(&mut Included) -> Value) {
        let v = make(self);
        self.add(v);
    }
}

/// The identifiers of the page of `all` from `offset`; `ident` gets each one's place
/// in `all`, from 0.
fn page_data<T>(all: &[T], offset: usize, ident: impl Fn(usize, &T) -> Value) -> Value {
    Value::Array(all.iter().enumerate().skip(offset).take(PAGE).map(|(k, x)| ident(k, x)).collect())
}

/// The resources of the page of `all` from `offset`, as `resource` makes them, into
/// `included`.
fn include_page<T>(all: &[T], offset: usize, included: &mut Included, resource: impl Fn(&T, &mut Included) -> Value) {
    for x in all.iter().skip(offset).take(PAGE) {
        included.add_made(|included| resource(x, included));
    }
}

/// A relationship's first page inside its resource (an album's items, a search's
/// hits): the identifiers as `data`, their resources into `included`, and while more
/// follow, `links.next` to the relationship's second page with its cursor.
fn first_page<T>(
    rel: &mut Value,
    path: &str,
    cc: &str,
    all: &[T],
    ident: impl Fn(usize, &T) -> Value,
    resource: impl Fn(&T, &mut Included) -> Value,
    included: &mut Included,
) {
    rel["data"] = page_data(all, 0, ident);
    include_page(all, 0, included, resource);
    if all.len() > PAGE {
        let next = cursor(PAGE);
        rel["links"]["next"] = json!(link(path, &pairs(&[("countryCode", cc), ("page[cursor]", next.as_str())])));
        rel["links"]["meta"] = json!({ "nextCursor": next });
    }
}

/// Image files at TIDAL's image host, one a size (width, height).
fn image_files(path: &str, sizes: &[(u32, u32)]) -> Vec<Value> {
    sizes
        .iter()
        .map(|&(w, h)| {
            json!({ "href": format!("https://resources.tidal.com/images/{path}/{w}x{h}.jpg"),
                    "meta": { "height": h, "width": w } })
        })
        .collect()
}

// ---- The catalog as TIDAL shows it ----------------------------------------------

fn view(s: &Shared) -> &View {
    s.view("tidal")
}

fn listing(s: &Shared, i: usize) -> &Listing {
    view(s).releases[i].as_ref().expect("listed")
}

fn listed(v: &View) -> impl Iterator<Item = (usize, &Listing)> {
    v.releases.iter().enumerate().filter_map(|(i, l)| l.as_ref().map(|l| (i, l)))
}

fn album_type(c: &Catalog, r: &Release) -> &'static str {
    match views::album_kind(c, r) {
        AlbumKind::Single => "SINGLE",
        AlbumKind::Ep => "EP",
        AlbumKind::Album | AlbumKind::Compilation => "ALBUM",
    }
}

/// The recording's artists: its credit, then whoever is featured.
fn recording_artists(c: &Catalog, rec: RecordingIdx) -> Vec<usize> {
    let r = &c.recordings[rec];
    let mut out: Vec<usize> = r.credits.iter().map(|cr| cr.artist).collect();
    for &f in &r.featured {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

fn provider_id(label: &str) -> String {
    (fnv(label) % 100_000 + 1).to_string()
}

fn provider_json(label: &str) -> Value {
    json!({ "attributes": { "name": label }, "id": provider_id(label), "type": "providers" })
}

fn artwork_id(album_id: &str) -> String {
    format!("2xpmpI1s9E{:0>12}", b62(fnv(&format!("cover {album_id}"))))
}

fn artwork_json(album_id: &str, cc: &str) -> Value {
    let id = artwork_id(album_id);
    let path = uuid(&format!("cover {album_id}")).replace('-', "/");
    let files = image_files(&path, &[1280, 1080, 750, 640, 320, 160, 80].map(|w| (w, w)));
    json!({
        "attributes": { "files": files, "mediaType": "IMAGE" },
        "id": id,
        "relationships": relationships("artworks", &id, cc, &[rel("owners")]),
        "type": "artworks",
    })
}

fn artist_json(s: &Shared, idx: usize, cc: &str) -> Value {
    let a = &view(s).artists[idx];
    json!({
        "attributes": { "externalLinks": [sharing("artist", &a.id)], "name": a.name, "popularity": popularity(&a.id) },
        "id": a.id,
        "relationships": relationships("artists", &a.id, cc, ARTIST_RELS),
        "type": "artists",
    })
}

/// A music video of one of an album's songs.
struct Video {
    id: String,
    rec: RecordingIdx,
    title: String,
    isrc: String,
    length_ms: u32,
}

/// The video of a recording: the same on every album that carries it.
fn video_of(c: &Catalog, rec: RecordingIdx) -> Video {
    let r = &c.recordings[rec];
    let mut rng = ChaCha8Rng::seed_from_u64(fnv(&format!("tidal video {}", r.mbid)));
    let kind = VIDEO_KINDS.choose(&mut rng).expect("kinds");
    let song = r.isrcs.first().cloned().unwrap_or_default();
    Video {
        id: (VIDEO_IDS + rec as u64 * 37).to_string(),
        rec,
        title: format!("{} ({kind})", r.title),
        isrc: video_isrc(&song),
        length_ms: r.length_ms + rng.random_range(5_000..40_000),
    }
}

/// The song's ISRC with another registrant: "USUM72409273" gives "USUMV2409273".
fn video_isrc(song: &str) -> String {
    let mut chars: Vec<char> = song.chars().collect();
    if chars.len() == 12 {
        chars[4] = if chars[4] == 'V' { 'W' } else { 'V' };
    }
    chars.into_iter().collect()
}

/// The videos an album carries, after its audio tracks.
fn album_videos(c: &Catalog, l: &Listing) -> Vec<Video> {
    let mut rng = ChaCha8Rng::seed_from_u64(fnv(&format!("tidal album videos {}", l.id)));
    if l.tracks.is_empty() || !rng.random_bool(VIDEO_SHARE) {
        return Vec::new();
    }
    let n = rng.random_range(1..=3usize).min(l.tracks.len());
    let mut pool: Vec<usize> = (0..l.tracks.len()).collect();
    let mut picked: Vec<usize> = (0..n)
        .map(|_| {
            let k = rng.random_range(0..pool.len());
            pool.swap_remove(k)
        })
        .collect();
    picked.sort_unstable();
    picked.into_iter().map(|pos| video_of(c, l.tracks[pos].recording)).collect()
}

enum Item {
    /// A track, by its position in the listing.
    Track(usize),
    Video(Video),
}

fn items(c: &Catalog, l: &Listing) -> Vec<Item> {
    let mut out: Vec<Item> = (0..l.tracks.len()).map(Item::Track).collect();
    out.extend(album_videos(c, l).into_iter().map(Item::Video));
    out
}

fn item_length(c: &Catalog, l: &Listing, item: &Item) -> u64 {
    match item {
        Item::Track(p) => c.recordings[l.tracks[*p].recording].length_ms as u64,
        Item::Video(v) => v.length_ms as u64,
    }
}

/// An item's identifier with its place: `number` counts from 1 over tracks and videos.
fn item_ident(l: &Listing, item: &Item, number: usize) -> Value {
    let (id, kind) = match item {
        Item::Track(p) => (l.tracks[*p].id.as_str(), "tracks"),
        Item::Video(v) => (v.id.as_str(), "videos"),
    };
    json!({ "id": id, "meta": { "trackNumber": number, "volumeNumber": 1 }, "type": kind })
}

fn item_json(s: &Shared, i: usize, item: &Item, cc: &str, inc: &[String], included: &mut Included) -> Value {
    match item {
        Item::Track(p) => track_doc(s, i, *p, cc, inc, included),
        Item::Video(v) => video_doc(s, i, v, cc, inc, included),
    }
}

/// The `artists` relationship's data, and the artists into `included` when `inc`
/// names them.
fn artists_rel(s: &Shared, rels: &mut Value, artists: &[usize], cc: &str, inc: &[String], included: &mut Included) {
    let v = view(s);
    rels["artists"]["data"] = Value::Array(artists.iter().map(|&a| ident("artists", &v.artists[a].id)).collect());
    if wants(inc, "artists") {
        for &a in artists {
            included.add(artist_json(s, a, cc));
        }
    }
}

/// The album `i` a track or video is seen on, as the `albums` relationship and into
/// `included`, when `inc` names it.
fn album_rel(s: &Shared, rels: &mut Value, i: usize, cc: &str, inc: &[String], included: &mut Included) {
    if wants(inc, "albums") {
        rels["albums"]["data"] = json!([ident("albums", &listing(s, i).id)]);
        included.add_made(|included| album_doc(s, i, cc, &nested(inc, "albums"), included));
    }
}

/// The label as the `providers` relationship and into `included`, when `inc` names it.
fn providers_rel(rels: &mut Value, label: &str, inc: &[String], included: &mut Included) {
    if wants(inc, "providers") {
        rels["providers"]["data"] = json!([ident("providers", &provider_id(label))]);
        included.add(provider_json(label));
    }
}

/// An album resource, and what `inc` asks for of it into `included`.
fn album_doc(s: &Shared, i: usize, cc: &str, inc: &[String], included: &mut Included) -> Value {
    let c = &s.catalog;
    let l = listing(s, i);
    let r = &c.releases[i];
    let album = &c.albums[r.album];
    let items = items(c, l);
    let total_ms: u64 = items.iter().map(|it| item_length(c, l, it)).sum();
    let mut rels = relationships("albums", &l.id, cc, ALBUM_RELS);
    if wants(inc, "artists") {
        let artists: Vec<usize> = album.credits.iter().map(|cr| cr.artist).collect();
        artists_rel(s, &mut rels, &artists, cc, inc, included);
    }
    if wants(inc, "coverArt") {
        rels["coverArt"]["data"] = json!([ident("artworks", &artwork_id(&l.id))]);
        included.add(artwork_json(&l.id, cc));
    }
    providers_rel(&mut rels, &r.label, inc, included);
    if wants(inc, "items") {
        let below = nested(inc, "items");
        first_page(
            &mut rels["items"],
            &rel_path("albums", &l.id, "items"),
            cc,
            &items,
            |k, it| item_ident(l, it, k + 1),
            |it, included| item_json(s, i, it, cc, &below, included),
            included,
        );
    }
    let kind = album_type(c, r);
    let mut attributes = json!({
        "accessType": "PUBLIC",
        "albumType": kind,
        "availability": ["STREAM", "DJ"],
        "copyright": { "text": format!("© {} {}", &r.date[..4], r.label) },
        "duration": iso_duration(total_ms),
        "explicit": c.is_explicit_release(r),
        "externalLinks": [sharing("album", &l.id)],
        "mediaTags": media_tags(&l.id),
        "numberOfItems": items.len(),
        "numberOfVolumes": 1,
        "popularity": popularity(&l.id),
        "releaseDate": r.date,
        "title": l.title,
        "type": kind,
    });
    if let Some(b) = &l.barcode {
        attributes["barcodeId"] = json!(b);
    }
    json!({ "attributes": attributes, "id": l.id, "relationships": rels, "type": "albums" })
}

/// A track resource (its artists always as data, as the recordings have them), and
/// what `inc` asks for of it into `included`.
fn track_doc(s: &Shared, i: usize, pos: usize, cc: &str, inc: &[String], included: &mut Included) -> Value {
    let c = &s.catalog;
    let l = listing(s, i);
    let r = &c.releases[i];
    let t = &l.tracks[pos];
    let rec = &c.recordings[t.recording];
    let mut rels = relationships("tracks", &t.id, cc, TRACK_RELS);
    artists_rel(s, &mut rels, &recording_artists(c, t.recording), cc, inc, included);
    album_rel(s, &mut rels, i, cc, inc, included);
    providers_rel(&mut rels, &r.label, inc, included);
    let mut attributes = json!({
        "accessType": "PUBLIC",
        "availability": ["STREAM", "DJ"],
        "copyright": { "text": format!("℗ {} {}", &r.date[..4], r.label) },
        "duration": iso_duration(rec.length_ms as u64),
        "explicit": c.is_explicit(t.recording),
        "externalLinks": [sharing("track", &t.id)],
        "mediaTags": media_tags(&l.id),
        "popularity": popularity(&t.id),
        "spotlighted": false,
        "title": t.title,
        "version": if rec.version.is_empty() { Value::Null } else { json!(rec.version) },
    });
    if let Some(isrc) = &t.isrc {
        attributes["isrc"] = json!(isrc);
    }
    json!({ "attributes": attributes, "id": t.id, "relationships": rels, "type": "tracks" })
}

/// The release a recording first came out on: what dates and labels its video, on
/// whichever album the video is seen.
fn first_release(c: &Catalog, rec: RecordingIdx) -> Option<usize> {
    c.releases.iter().position(|r| r.tracks.contains(&rec))
}

/// A video resource in the shape of the one real video answer, seen on album `i`.
fn video_doc(s: &Shared, i: usize, vd: &Video, cc: &str, inc: &[String], included: &mut Included) -> Value {
    let c = &s.catalog;
    let r = &c.releases[first_release(c, vd.rec).unwrap_or(i)];
    let mut rels = relationships("videos", &vd.id, cc, VIDEO_RELS);
    artists_rel(s, &mut rels, &recording_artists(c, vd.rec), cc, inc, included);
    album_rel(s, &mut rels, i, cc, inc, included);
    providers_rel(&mut rels, &r.label, inc, included);
    let images = uuid(&format!("video {}", vd.id)).replace('-', "/");
    let image_links = image_files(&images, &[(1280, 720), (800, 450), (640, 360), (320, 180), (160, 90)]);
    let mut self_params = Vec::new();
    if !inc.is_empty() {
        self_params.push(("include".to_string(), inc.join(",")));
    }
    self_params.push(("countryCode".to_string(), cc.to_string()));
    json!({
        "attributes": {
            "availability": ["STREAM", "DJ"],
            // A plain string, as in the one recorded video (albums and tracks have `{text}`).
            "copyright": format!("© {} {}", &r.date[..4], r.label),
            "duration": iso_duration(vd.length_ms as u64),
            "explicit": c.is_explicit(vd.rec),
            "externalLinks": [sharing("video", &vd.id)],
            "imageLinks": image_links,
            "isrc": vd.isrc,
            "popularity": popularity(&vd.id),
            "releaseDate": r.date,
            "title": vd.title,
        },
        "id": vd.id,
        "links": { "self": link(&format!("/videos/{}", vd.id), &self_params) },
        "relationships": rels,
        "type": "videos",
    })
}

/// Every video on a listed album, once, with the first album that carries it.
fn all_videos(s: &Shared) -> Vec<(usize, Video)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, l) in listed(view(s)) {
        for vd in album_videos(&s.catalog, l) {
            if seen.insert(vd.id.clone()) {
                out.push((i, vd));
            }
        }
    }
    out
}

/// The tracks showing an ISRC: (release index, position).
fn tracks_with_isrc(v: &View, isrc: &str) -> Vec<(usize, usize)> {
    listed(v)
        .flat_map(|(i, l)| {
            l.tracks.iter().enumerate().filter(move |(_, t)| t.isrc.as_deref() == Some(isrc)).map(move |(p, _)| (i, p))
        })
        .collect()
}

/// Digits without leading zeros: 00602475093060, 0602475093060 and 602475093060 are one GTIN.
fn gtin_key(b: &str) -> String {
    b.chars().filter(char::is_ascii_digit).collect::<String>().trim_start_matches('0').to_string()
}

fn album_by_barcode(v: &View, barcode: &str) -> Option<usize> {
    let want = gtin_key(barcode);
    if want.is_empty() {
        return None;
    }
    listed(v).find(|(_, l)| l.barcode.as_deref().is_some_and(|b| gtin_key(b) == want)).map(|(i, _)| i)
}

// ---- Search ------------------------------------------------------------------------

enum Hit {
    Artist(usize),
    Album(usize),
    Track(usize, usize),
}

/// What a query finds in one of the search's relationships, best first.
fn search_hits(s: &Shared, query: &str, rel: &str) -> Vec<Hit> {
    let c = &s.catalog;
    let v = view(s);
    let mut scored: Vec<(u32, Hit)> = match rel {
        "artists" => (0..v.artists.len())
            .filter(|&a| v.artists[a].known)
            .map(|a| (search::score(query, &v.artists[a].name), Hit::Artist(a)))
            .filter(|(score, _)| *score >= 30)
            .collect(),
        "albums" => listed(v)
            .map(|(i, l)| {
                let by = c.credit_name(&c.albums[c.releases[i].album].credits);
                let score = search::score(query, &l.title).max(search::score(query, &format!("{by} {}", l.title)));
                (score, Hit::Album(i))
            })
            .filter(|(score, _)| *score >= 50)
            .collect(),
        "tracks" => listed(v)
            .flat_map(|(i, l)| {
                l.tracks.iter().enumerate().map(move |(p, t)| {
                    let by = c.credit_name(&c.recordings[t.recording].credits);
                    let score = search::score(query, &t.title).max(search::score(query, &format!("{by} {}", t.title)));
                    (score, Hit::Track(i, p))
                })
            })
            .filter(|(score, _)| *score >= 50)
            .collect(),
        // Playlists, top hits and videos: the simulator finds none.
        _ => Vec::new(),
    };
    scored.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    scored.into_iter().map(|(_, h)| h).collect()
}

fn hit_ident(s: &Shared, hit: &Hit) -> Value {
    match *hit {
        Hit::Artist(a) => ident("artists", &view(s).artists[a].id),
        Hit::Album(i) => ident("albums", &listing(s, i).id),
        Hit::Track(i, p) => ident("tracks", &listing(s, i).tracks[p].id),
    }
}

fn hit_json(s: &Shared, hit: &Hit, cc: &str, included: &mut Included) -> Value {
    match *hit {
        Hit::Artist(a) => artist_json(s, a, cc),
        Hit::Album(i) => album_doc(s, i, cc, &[], included),
        Hit::Track(i, p) => track_doc(s, i, p, cc, &[], included),
    }
}

/// The search's id: the query with `+` for spaces (`taylor+swift`).
fn search_id(query: &str) -> String {
    query.split_whitespace().collect::<Vec<_>>().join("+")
}

/// The one searchResults resource, and what `inc` names of it into `included`.
fn search_resource(
    s: &Shared,
    query: &str,
    cc: &str,
    inc: &[String],
    current: bool,
    included: &mut Included,
) -> Value {
    let id = search_id(query);
    let segment = enc_segment(&id);
    let mut rels = serde_json::Map::new();
    for &rel in SEARCH_RELS {
        let path = rel_path("searchResults", &segment, rel);
        let mut r = rel_links(&path, cc);
        if wants(inc, rel) {
            let hits = search_hits(s, query, rel);
            let resource = |h: &Hit, included: &mut Included| hit_json(s, h, cc, included);
            first_page(&mut r, &path, cc, &hits, |_, h| hit_ident(s, h), resource, included);
        }
        rels.insert(rel.to_string(), r);
    }
    let mut attributes = json!({ "trackingId": uuid(&format!("search {query}")), "didYouMean": query.to_lowercase() });
    if current {
        attributes["query"] = json!(query);
    }
    json!({ "attributes": attributes, "id": id, "relationships": rels, "type": "searchResults" })
}

// ---- Handlers --------------------------------------------------------------------

/// A handler's answer: the document, or the error that stopped it.
type Answer = Result<Response, Response>;

/// What every catalog request goes through first: the rate and the country (`gate`),
/// then the `include` paths the endpoint allows. The country and the paths.
fn open(s: &Shared, p: &Pairs, allowed: &[&str]) -> Result<(String, Vec<String>), Response> {
    let cc = gate(s, p)?;
    Ok((cc, includes(p, allowed)?))
}

/// A document: `data` as `make` builds it, the resources it included on the way, and
/// `links`.
fn document(links: Value, make: impl FnOnce(&mut Included) -> Value) -> Response {
    let mut included = Included::default();
    let data = make(&mut included);
    doc(json!({ "data": data, "included": included.list, "links": links }))
}

/// `links` of a document that is not paged: `self` as asked.
fn self_link(path: &str, p: &Pairs) -> Value {
    json!({ "self": link(path, p) })
}

/// A page of a relationship (`path`, as `rel_path` makes it) over `all`, 20 from
/// `offset`: the identifiers as `ident` makes them (from each one's place in `all`),
/// with `resources` the resources as `resource` makes them, and the page's links.
fn relationship_page<T>(
    path: &str,
    p: &Pairs,
    offset: usize,
    all: &[T],
    resources: bool,
    ident: impl Fn(usize, &T) -> Value,
    resource: impl Fn(&T, &mut Included) -> Value,
) -> Response {
    document(page_links(path, p, offset, all.len()), |included| {
        if resources {
            include_page(all, offset, included, resource);
        }
        page_data(all, offset, ident)
    })
}

/// What `filter[isrc]` names, upper-cased.
fn isrc_filter(p: &Pairs) -> Vec<String> {
    values(p, "filter[isrc]").iter().map(|i| i.to_uppercase()).collect()
}

/// The hits in order, the first of each `key` only.
fn distinct<T, K: PartialEq>(hits: impl Iterator<Item = T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut found: Vec<T> = Vec::new();
    for hit in hits {
        if !found.iter().any(|f| key(f) == key(&hit)) {
            found.push(hit);
        }
    }
    found
}

/// The query of the path forms, `taylor+swift` or `taylor swift`.
fn path_query(raw: &str) -> String {
    raw.replace('+', " ").trim().to_string()
}

/// `GET /searchResults?filter[query]=...`: the current form, a list of one.
async fn search_results(State(s): St, Query(p): Params) -> Answer {
    let (cc, inc) = open(&s, &p, SEARCH_RELS)?;
    let query = first(&p, "filter[query]").unwrap_or("").trim().to_string();
    if query.is_empty() {
        return Err(bad_request("filter[query] is required"));
    }
    Ok(document(self_link("/searchResults", &p), |included| {
        json!([search_resource(&s, &query, &cc, &inc, true, included)])
    }))
}

/// `GET /searchResults/{query}`: the form of the recording (deprecated, still answered).
async fn search_results_legacy(State(s): St, Path(raw): Path<String>, Query(p): Params) -> Answer {
    let (cc, inc) = open(&s, &p, SEARCH_RELS)?;
    let query = path_query(&raw);
    if query.is_empty() {
        return Err(bad_request("the search query is empty"));
    }
    let path = format!("/searchResults/{}", enc_segment(&search_id(&query)));
    Ok(document(self_link(&path, &p), |included| search_resource(&s, &query, &cc, &inc, false, included)))
}

/// `GET /searchResults/{query}/relationships/{rel}`: the further pages of a search.
async fn search_relationship(State(s): St, Path((raw, rel)): Path<(String, String)>, Query(p): Params) -> Answer {
    let cc = gate(&s, &p)?;
    if !SEARCH_RELS.contains(&rel.as_str()) {
        return Err(not_found("relationship", &rel));
    }
    let inc = includes(&p, &[rel.as_str()])?;
    let offset = page_offset(&p)?;
    let query = path_query(&raw);
    let hits = search_hits(&s, &query, &rel);
    let path = rel_path("searchResults", &enc_segment(&search_id(&query)), &rel);
    let resource = |h: &Hit, included: &mut Included| hit_json(&s, h, &cc, included);
    Ok(relationship_page(&path, &p, offset, &hits, wants(&inc, &rel), |_, h| hit_ident(&s, h), resource))
}

// ---- Artists ---------------------------------------------------------------------

/// An artist by id: any TIDAL has, known or only credited as a guest.
fn artist_idx(v: &View, id: &str) -> Option<usize> {
    v.artists.iter().position(|a| a.id == id)
}

async fn artists(State(s): St, Query(p): Params) -> Answer {
    let (cc, _) = open(&s, &p, &names(ARTIST_RELS))?;
    let ids = values(&p, "filter[id]");
    if ids.is_empty() {
        return Err(bad_request("At least one filter is required: filter[id], filter[handle] or filter[owners.id]"));
    }
    let v = view(&s);
    Ok(document(self_link("/artists", &p), |_| {
        ids.iter().filter_map(|id| artist_idx(v, id)).map(|a| artist_json(&s, a, &cc)).collect()
    }))
}

async fn artist(State(s): St, Path(id): Path<String>, Query(p): Params) -> Answer {
    let (cc, _) = open(&s, &p, &names(ARTIST_RELS))?;
    let a = artist_idx(view(&s), &id).ok_or_else(|| not_found("artists", &id))?;
    Ok(document(self_link(&format!("/artists/{id}"), &p), |_| artist_json(&s, a, &cc)))
}

/// `GET /artists/{id}/relationships/albums`: the artist's albums, 20 a page.
async fn artist_albums(State(s): St, Path(id): Path<String>, Query(p): Params) -> Answer {
    let (cc, inc) = open(&s, &p, &["albums"])?;
    let offset = page_offset(&p)?;
    let v = view(&s);
    let artist = artist_idx(v, &id).ok_or_else(|| not_found("artists", &id))?;
    let albums: Vec<usize> = v.releases_of(&s.catalog, artist).map(|(i, _)| i).collect();
    let below = nested(&inc, "albums");
    let path = rel_path("artists", &id, "albums");
    let resource = |&i: &usize, included: &mut Included| album_doc(&s, i, &cc, &below, included);
    let album_ident = |_, &i: &usize| ident("albums", &listing(&s, i).id);
    Ok(relationship_page(&path, &p, offset, &albums, wants(&inc, "albums"), album_ident, resource))
}

// ---- Albums ------------------------------------------------------------------------

/// `GET /albums?filter[id]=...` or `?filter[barcodeId]=...`: a list, empty for no match.
async fn albums(State(s): St, Query(p): Params) -> Answer {
    let (cc, inc) = open(&s, &p, &names(ALBUM_RELS))?;
    let ids = values(&p, "filter[id]");
    let barcodes = values(&p, "filter[barcodeId]");
    if ids.is_empty() && barcodes.is_empty() {
        return Err(bad_request(
            "At least one filter is required: filter[id], filter[barcodeId] or filter[owners.id]",
        ));
    }
    let v = view(&s);
    // One album per barcode, as the API documents for several barcodes.
    let hits =
        ids.iter().filter_map(|id| v.release_by_id(id)).chain(barcodes.iter().filter_map(|b| album_by_barcode(v, b)));
    let found = distinct(hits, |&i| i);
    Ok(document(self_link("/albums", &p), |included| {
        found.iter().map(|&i| album_doc(&s, i, &cc, &inc, included)).collect()
    }))
}

async fn album(State(s): St, Path(id): Path<String>, Query(p): Params) -> Answer {
    let (cc, inc) = open(&s, &p, &names(ALBUM_RELS))?;
    let i = view(&s).release_by_id(&id).ok_or_else(|| not_found("albums", &id))?;
    Ok(document(self_link(&format!("/albums/{id}"), &p), |included| album_doc(&s, i, &cc, &inc, included)))
}

/// `GET /albums/{id}/relationships/items`: tracks and videos with their place, 20 a page.
async fn album_items(State(s): St, Path(id): Path<String>, Query(p): Params) -> Answer {
    let (cc, inc) = open(&s, &p, &["items"])?;
    let offset = page_offset(&p)?;
    let i = view(&s).release_by_id(&id).ok_or_else(|| not_found("albums", &id))?;
    let l = listing(&s, i);
    let items = items(&s.catalog, l);
    let below = nested(&inc, "items");
    let path = rel_path("albums", &id, "items");
    let resource = |it: &Item, included: &mut Included| item_json(&s, i, it, &cc, &below, included);
    Ok(relationship_page(&path, &p, offset, &items, wants(&inc, "items"), |k, it| item_ident(l, it, k + 1), resource))
}

// ---- Tracks and videos ---------------------------------------------------------------

/// `GET /tracks?filter[isrc]=...` or `?filter[id]=...`: a list, empty for no match.
async fn tracks(State(s): St, Query(p): Params) -> Answer {
    let (cc, inc) = open(&s, &p, &names(TRACK_RELS))?;
    let offset = page_offset(&p)?;
    let ids = values(&p, "filter[id]");
    let isrcs = isrc_filter(&p);
    if ids.is_empty() && isrcs.is_empty() {
        return Err(bad_request("At least one filter is required: filter[id], filter[isrc] or filter[owners.id]"));
    }
    let v = view(&s);
    let mut found: Vec<(usize, usize)> = ids.iter().filter_map(|id| v.track_by_id(id)).collect();
    // One ISRC pages through every track that has it; several give one track each.
    let links = if let [isrc] = isrcs.as_slice() {
        let all = tracks_with_isrc(v, isrc);
        let links = page_links("/tracks", &p, offset, all.len());
        found.extend(all.into_iter().skip(offset).take(PAGE));
        links
    } else {
        found.extend(isrcs.iter().filter_map(|isrc| tracks_with_isrc(v, isrc).into_iter().next()));
        self_link("/tracks", &p)
    };
    Ok(document(links, |included| found.iter().map(|&(i, pos)| track_doc(&s, i, pos, &cc, &inc, included)).collect()))
}

async fn track(State(s): St, Path(id): Path<String>, Query(p): Params) -> Answer {
    let (cc, inc) = open(&s, &p, &names(TRACK_RELS))?;
    let (i, pos) = view(&s).track_by_id(&id).ok_or_else(|| not_found("tracks", &id))?;
    Ok(document(self_link(&format!("/tracks/{id}"), &p), |included| track_doc(&s, i, pos, &cc, &inc, included)))
}

/// `GET /videos?filter[id]=...` or `?filter[isrc]=...`: a list, empty for no match.
async fn videos(State(s): St, Query(p): Params) -> Answer {
    let (cc, inc) = open(&s, &p, &names(VIDEO_RELS))?;
    let ids = values(&p, "filter[id]");
    let isrcs = isrc_filter(&p);
    if ids.is_empty() && isrcs.is_empty() {
        return Err(bad_request("At least one filter is required: filter[id] or filter[isrc]"));
    }
    let all = all_videos(&s);
    let wanted = ids
        .iter()
        .filter_map(|id| all.iter().find(|(_, vd)| &vd.id == id))
        .chain(isrcs.iter().filter_map(|isrc| all.iter().find(|(_, vd)| &vd.isrc == isrc)));
    let found = distinct(wanted, |(_, vd)| vd.id.clone());
    Ok(document(self_link("/videos", &p), |included| {
        found.iter().map(|(i, vd)| video_doc(&s, *i, vd, &cc, &inc, included)).collect()
    }))
}

async fn video(State(s): St, Path(id): Path<String>, Query(p): Params) -> Answer {
    let (cc, inc) = open(&s, &p, &names(VIDEO_RELS))?;
    let all = all_videos(&s);
    let (i, vd) = all.iter().find(|(_, vd)| vd.id == id).ok_or_else(|| not_found("videos", &id))?;
    Ok(document(self_link(&format!("/videos/{id}"), &p), |included| video_doc(&s, *i, vd, &cc, &inc, included)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        for offset in [0, 20, 40, 1000] {
            assert_eq!(cursor_offset(&cursor(offset)), Some(offset));
        }
        assert_eq!(cursor_offset("3nI1"), None);
        assert_eq!(cursor_offset("garbage"), None);
        assert_eq!(cursor_offset("3nI1Esi"), None);
    }

    #[test]
    fn durations_are_written_as_tidal_writes_them() {
        assert_eq!(iso_duration(252_000), "PT4M12S");
        assert_eq!(iso_duration(2_769_000), "PT46M9S");
        assert_eq!(iso_duration(7_216_000), "PT2H16S");
        assert_eq!(iso_duration(0), "PT0S");
    }

    #[test]
    fn a_video_has_its_own_isrc_and_barcodes_match_with_or_without_padding() {
        assert_eq!(video_isrc("USUM72409273"), "USUMV2409273");
        assert_eq!(video_isrc("GBABV9900001"), "GBABW9900001");
        assert_eq!(gtin_key("00602475093060"), gtin_key("602475093060"));
        assert_eq!(gtin_key("07320470230022"), "7320470230022");
    }

    #[test]
    fn links_encode_brackets_and_commas_as_the_recordings_do() {
        let p = pairs(&[("include", "items.artists"), ("page[cursor]", "x"), ("countryCode", "US")]);
        assert_eq!(
            link("/albums/1/relationships/items", &p),
            "/albums/1/relationships/items?include=items.artists&page%5Bcursor%5D=x&countryCode=US"
        );
        assert_eq!(enc("artists,items"), "artists%2Citems");
        assert_eq!(search_id(" taylor  swift "), "taylor+swift");
        assert_eq!(enc_segment("ac/dc+live"), "ac%2Fdc+live");
    }

    #[test]
    fn include_paths_are_checked_by_their_first_segment() {
        let p = pairs(&[("include", "artists,items.artists")]);
        let Ok(inc) = includes(&p, &names(ALBUM_RELS)) else { panic!("known paths") };
        assert!(wants(&inc, "items") && wants(&inc, "artists") && !wants(&inc, "coverArt"));
        assert_eq!(nested(&inc, "items"), vec!["artists".to_string()]);
        assert!(includes(&pairs(&[("include", "nonsense")]), &names(ALBUM_RELS)).is_err());
    }
}
