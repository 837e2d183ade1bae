//! Apple Music API `/v1/catalog/{storefront}`: search, artist, an artist's albums,
//! album (with its tracks), albums by `filter[upc]`, songs by `filter[isrc]`, charts
//! (offset below 200, else error 40005). Every request needs a developer token: an
//! ES256 JWT with a `kid`, `iss` = team id and at most 15,777,000 s of life, checked
//! against the key's public half. Over the limit: 429.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::catalog::{AlbumKind, Catalog, RecordingIdx, Release};
use crate::views::{self, BarcodeStyle, IdStyle, Listing, Profile, View};
use crate::{Shared, search};

type Params = Query<BTreeMap<String, String>>;
type St = State<Arc<Shared>>;

/// A throwaway P-256 key pair for the simulator and the demo. It guards nothing.
pub const DEMO_P8: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1JrrnZZ+Xgv+AO6V
wG36wRGD9y7EJ8sou0u/Pt0opXuhRANCAASBOGJz1y9Wavp+CZSeu6ymMAkWG0eu
UME1fzmjo9+I0nDPaPFfBR7nmLwLyro5CeC3mtKvhV4CyDpeVxjSXvzr
-----END PRIVATE KEY-----
";
pub const DEMO_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgThic9cvVmr6fgmUnruspjAJFhtH
rlDBNX85o6PfiNJwz2jxXwUe55i8C8q6OQngt5rSr4VeAsg6XlcY0l786w==
-----END PUBLIC KEY-----
";

/// The developer-token issuer the simulated Apple Music accepts.
#[derive(Debug, Clone)]
pub struct AppleKey {
    pub team_id: String,
    pub key_id: String,
    /// The public half of the `.p8` key, PEM.
    pub public_pem: String,
}

impl AppleKey {
    pub fn demo() -> AppleKey {
        AppleKey { team_id: "DEMOTEAM01".into(), key_id: "DEMOKEY001".into(), public_pem: DEMO_PUBLIC.into() }
    }
}

/// Apple's ceiling for a developer token's lifetime.
const MAX_TOKEN_SECONDS: u64 = 15_777_000;

pub(crate) fn profile() -> Profile {
    Profile {
        provider: "apple_music",
        artist_share: 0.9,
        release_share: 0.8,
        ids: IdStyle::Numeric { start: 1_400_000_000 },
        barcode: Some(BarcodeStyle::Delivered { padded14: 0.3 }),
        barcode_missing: 0.02,
        isrc_shown: 0.99,
        release_title,
        track_title,
        numbers_homonyms: false,
    }
}

/// "Title - Single", "Title - EP", "Title (Deluxe Edition)".
fn release_title(rng: &mut ChaCha8Rng, c: &Catalog, r: &Release) -> String {
    let t = views::edition_release_title(rng, c, r);
    match views::album_kind(c, r) {
        AlbumKind::Single => format!("{t} - Single"),
        AlbumKind::Ep => format!("{t} - EP"),
        _ => t,
    }
}

/// "Song (feat. X)", "Song (Live)", "Song (2011 Remaster)".
fn track_title(rng: &mut ChaCha8Rng, c: &Catalog, rec: RecordingIdx) -> String {
    let r = &c.recordings[rec];
    let mut t = r.title.clone();
    if let Some(f) = views::featured(c, rec) {
        t = format!("{t} (feat. {f})");
    }
    if !r.version.is_empty() {
        let v = if r.version.ends_with("Remaster") && rng.random_bool(0.5) {
            "Remastered".to_string()
        } else {
            r.version.clone()
        };
        t = format!("{t} ({v})");
    }
    t
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/catalog/{sf}/search", get(search))
        .route("/catalog/{sf}/artists/{id}", get(artist))
        .route("/catalog/{sf}/artists/{id}/albums", get(artist_albums))
        .route("/catalog/{sf}/albums", get(albums_by_upc))
        .route("/catalog/{sf}/albums/{id}", get(album))
        .route("/catalog/{sf}/songs", get(songs_by_isrc))
        .route("/catalog/{sf}/charts", get(charts))
}

fn error(status: StatusCode, code: &str, title: &str, detail: &str) -> Response {
    let e = json!({ "id": format!("SIM{code}"), "title": title, "detail": detail, "status": status.as_u16().to_string(), "code": code });
    (status, Json(json!({ "errors": [e] }))).into_response()
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "40400", "Resource Not Found", "Resource with requested id was not found")
}

/// Rate, developer token, storefront.
fn gate(s: &Shared, headers: &HeaderMap, sf: &str) -> Option<Response> {
    if !s.admit("apple_music") {
        return Some(error(StatusCode::TOO_MANY_REQUESTS, "42900", "API Capacity Exceeded", "Too many requests"));
    }
    if let Some(key) = &s.apple_key {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if let Err(why) = verify(key, token) {
            return Some(error(StatusCode::UNAUTHORIZED, "40100", "Unauthorized", &why));
        }
    }
    if sf.len() != 2 || !sf.chars().all(|c| c.is_ascii_lowercase()) {
        return Some(error(StatusCode::NOT_FOUND, "40400", "Resource Not Found", &format!("storefront {sf:?}")));
    }
    None
}

fn verify(key: &AppleKey, token: &str) -> Result<(), String> {
    #[derive(serde::Deserialize)]
    struct Claims {
        iss: String,
        iat: u64,
        exp: u64,
    }
    let header = jsonwebtoken::decode_header(token).map_err(|e| format!("not a JWT: {e}"))?;
    if header.alg != jsonwebtoken::Algorithm::ES256 || header.kid.as_deref() != Some(key.key_id.as_str()) {
        return Err("the token must be ES256 with the key's kid".into());
    }
    let decoding = jsonwebtoken::DecodingKey::from_ec_pem(key.public_pem.as_bytes()).map_err(|e| e.to_string())?;
    let claims = jsonwebtoken::decode::<Claims>(
        token,
        &decoding,
        &jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256),
    )
    .map_err(|e| format!("invalid token: {e}"))?
    .claims;
    if claims.iss != key.team_id {
        return Err("iss is not the team id".into());
    }
    if claims.exp.saturating_sub(claims.iat) > MAX_TOKEN_SECONDS {
        return Err("exp is more than 15777000 s after iat".into());
    }
    Ok(())
}

fn view(s: &Shared) -> &View {
    s.view("apple_music")
}

fn artist_json(s: &Shared, sf: &str, idx: usize) -> Value {
    let a = &view(s).artists[idx];
    let slug = slug(&a.name);
    json!({
        "id": a.id, "type": "artists", "href": format!("/v1/catalog/{sf}/artists/{}", a.id),
        "attributes": { "genreNames": ["Pop"], "name": a.name, "url": format!("https://music.apple.com/{sf}/artist/{slug}/{}", a.id) },
        "relationships": { "albums": { "href": format!("/v1/catalog/{sf}/artists/{}/albums", a.id), "data": [] } },
    })
}

fn slug(s: &str) -> String {
    let s: String = s.to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
    s.split('-').filter(|w| !w.is_empty()).collect::<Vec<_>>().join("-")
}

fn artwork(id: &str) -> Value {
    json!({ "width": 3000, "height": 3000, "url": format!("https://is1-ssl.mzstatic.com/image/thumb/Music/{id}/{{w}}x{{h}}bb.jpg"),
            "bgColor": "0b0b0b", "textColor1": "f4f4f4", "textColor2": "dcdcdc", "textColor3": "c6c6c6", "textColor4": "b2b2b2" })
}

fn song_json(s: &Shared, sf: &str, i: usize, l: &Listing, pos: usize) -> Value {
    let c = &s.catalog;
    let r = &c.releases[i];
    let t = &l.tracks[pos];
    let rec = &c.recordings[t.recording];
    let mut attributes = json!({
        "albumName": l.title, "artistName": c.credit_name(&rec.credits), "artwork": artwork(&l.id),
        "discNumber": 1, "durationInMillis": rec.length_ms, "genreNames": ["Pop", "Music"], "hasLyrics": true,
        "name": t.title, "playParams": { "id": t.id, "kind": "song" },
        "previews": [{ "url": format!("https://audio-ssl.itunes.apple.com/itunes-assets/AudioPreview/{}.m4a", t.id) }],
        "releaseDate": r.date, "trackNumber": pos + 1,
        "url": format!("https://music.apple.com/{sf}/album/{}/{}?i={}", slug(&l.title), l.id, t.id),
    });
    if let Some(isrc) = &t.isrc {
        attributes["isrc"] = json!(isrc);
    }
    // Apple writes the rating only when there is one (no key: not rated).
    if c.is_explicit(t.recording) {
        attributes["contentRating"] = json!("explicit");
    }
    json!({ "id": t.id, "type": "songs", "href": format!("/v1/catalog/{sf}/songs/{}", t.id), "attributes": attributes })
}

fn album_json(s: &Shared, sf: &str, i: usize, l: &Listing, with_tracks: bool) -> Value {
    let c = &s.catalog;
    let r = &c.releases[i];
    let album = &c.albums[r.album];
    let kind = album.kind;
    let mut attributes = json!({
        "artistName": c.credit_name(&album.credits), "artwork": artwork(&l.id),
        "copyright": format!("℗ {} {}", &r.date[..4], r.label), "genreNames": ["Pop", "Music"],
        "isCompilation": kind == AlbumKind::Compilation, "isComplete": true, "isMasteredForItunes": false,
        "isSingle": kind == AlbumKind::Single, "name": l.title, "playParams": { "id": l.id, "kind": "album" },
        "recordLabel": r.label, "releaseDate": r.date, "trackCount": l.tracks.len(),
        "url": format!("https://music.apple.com/{sf}/album/{}/{}", slug(&l.title), l.id),
    });
    if c.is_explicit_release(r) {
        attributes["contentRating"] = json!("explicit");
    }
    if let Some(upc) = &l.barcode {
        attributes["upc"] = json!(upc);
    }
    // Present only on albums not out yet: clients treat it as optional.
    if c.is_prerelease(r) {
        attributes["isPrerelease"] = json!(true);
    }
    let artists: Vec<Value> = album
        .credits
        .iter()
        .map(|cr| {
            let id = &view(s).artists[cr.artist].id;
            json!({ "id": id, "type": "artists", "href": format!("/v1/catalog/{sf}/artists/{id}") })
        })
        .collect();
    let mut v = json!({
        "id": l.id, "type": "albums", "href": format!("/v1/catalog/{sf}/albums/{}", l.id), "attributes": attributes,
    });
    if with_tracks {
        let tracks: Vec<Value> = (0..l.tracks.len()).map(|p| song_json(s, sf, i, l, p)).collect();
        v["relationships"] = json!({
            "artists": { "href": format!("/v1/catalog/{sf}/albums/{}/artists", l.id), "data": artists },
            "tracks": { "href": format!("/v1/catalog/{sf}/albums/{}/tracks", l.id), "data": tracks },
        });
    }
    v
}

/// A relationship's page (an artist's albums) when no `limit` is asked, and the most
/// the simulator takes: see `artist_albums`.
const RELATIONSHIP_PAGE: usize = 10;

fn limit_offset(p: &BTreeMap<String, String>, default: usize, max: usize) -> Result<(usize, usize), Response> {
    let limit = p.get("limit").and_then(|l| l.parse().ok()).unwrap_or(default);
    if limit == 0 || limit > max {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "40005",
            "Invalid Parameter Value",
            &format!("limit must be 1 to {max}"),
        ));
    }
    Ok((limit, p.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0)))
}

/// Apple's `next`: the path of the following page, relative to the API's host.
fn next(path: &str, offset: usize, limit: usize, total: usize) -> Option<String> {
    let sep = if path.contains('?') { '&' } else { '?' };
    (offset + limit < total).then(|| format!("{path}{sep}offset={}", offset + limit))
}

async fn search(State(s): St, headers: HeaderMap, Path(sf): Path<String>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers, &sf) {
        return r;
    }
    let (limit, offset) = match limit_offset(&p, 5, 25) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let term = p.get("term").cloned().unwrap_or_default();
    let types = p.get("types").cloned().unwrap_or_default();
    let v = view(&s);
    let mut results = serde_json::Map::new();
    if types.split(',').any(|t| t == "artists") {
        let mut hits: Vec<(u32, usize)> = (0..v.artists.len())
            .filter(|&i| v.artists[i].known)
            .map(|i| (search::score(&term, &v.artists[i].name), i))
            .filter(|(score, _)| *score >= 30)
            .collect();
        hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let data: Vec<Value> = hits.iter().skip(offset).take(limit).map(|&(_, i)| artist_json(&s, &sf, i)).collect();
        if !data.is_empty() {
            let path = format!("/v1/catalog/{sf}/search?limit={limit}&term={}&types=artists", term.replace(' ', "+"));
            let mut block = json!({ "href": path, "data": data });
            if let Some(n) = next(&path, offset, limit, hits.len()) {
                block["next"] = json!(n);
            }
            results.insert("artists".into(), block);
        }
    }
    // Albums and songs by "artist title" words, as a store search box takes them.
    let c = &s.catalog;
    let listed: Vec<(usize, &Listing)> =
        v.releases.iter().enumerate().filter_map(|(i, l)| l.as_ref().map(|l| (i, l))).collect();
    if types.split(',').any(|t| t == "albums") {
        let data: Vec<Value> = listed
            .iter()
            .filter(|(i, l)| {
                search::score(&term, &format!("{} {}", c.credit_name(&c.albums[c.releases[*i].album].credits), l.title))
                    >= 50
            })
            .skip(offset)
            .take(limit)
            .map(|&(i, l)| album_json(&s, &sf, i, l, false))
            .collect();
        if !data.is_empty() {
            results.insert("albums".into(), json!({ "href": format!("/v1/catalog/{sf}/search?term={}&types=albums", term.replace(' ', "+")), "data": data }));
        }
    }
    if types.split(',').any(|t| t == "songs") {
        let data: Vec<Value> = listed
            .iter()
            .flat_map(|&(i, l)| (0..l.tracks.len()).map(move |k| (i, l, k)))
            .filter(|(_, l, k)| {
                let rec = &c.recordings[l.tracks[*k].recording];
                search::score(&term, &format!("{} {}", c.credit_name(&rec.credits), l.tracks[*k].title)) >= 50
            })
            .skip(offset)
            .take(limit)
            .map(|(i, l, k)| song_json(&s, &sf, i, l, k))
            .collect();
        if !data.is_empty() {
            results.insert("songs".into(), json!({ "href": format!("/v1/catalog/{sf}/search?term={}&types=songs", term.replace(' ', "+")), "data": data }));
        }
    }
    let order: Vec<&String> = results.keys().collect();
    let meta = json!({ "results": { "order": order, "rawOrder": order } });
    Json(json!({ "results": results, "meta": meta })).into_response()
}

async fn artist(State(s): St, headers: HeaderMap, Path((sf, id)): Path<(String, String)>) -> Response {
    if let Some(r) = gate(&s, &headers, &sf) {
        return r;
    }
    match view(&s).artist_by_id(&id) {
        Some(i) => Json(json!({ "data": [artist_json(&s, &sf, i)] })).into_response(),
        None => not_found(),
    }
}

async fn artist_albums(
    State(s): St,
    headers: HeaderMap,
    Path((sf, id)): Path<(String, String)>,
    Query(p): Params,
) -> Response {
    if let Some(r) = gate(&s, &headers, &sf) {
        return r;
    }
    // Apple documents no page size for a relationship. Its documented example of one
    // (a curator's playlists) answers a request without `limit` with a `next` at offset
    // 10: the simulator pages by 10 and takes no larger `limit`, so that liner asks for
    // no size Apple never promised. A guess, with no real recording of this endpoint.
    let (limit, offset) = match limit_offset(&p, RELATIONSHIP_PAGE, RELATIONSHIP_PAGE) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let v = view(&s);
    let Some(artist) = v.artist_by_id(&id) else { return not_found() };
    let albums: Vec<(usize, &Listing)> = v.releases_of(&s.catalog, artist).collect();
    let data: Vec<Value> =
        albums.iter().skip(offset).take(limit).map(|&(i, l)| album_json(&s, &sf, i, l, false)).collect();
    let path = match p.get("limit") {
        Some(_) => format!("/v1/catalog/{sf}/artists/{id}/albums?limit={limit}"),
        None => format!("/v1/catalog/{sf}/artists/{id}/albums"),
    };
    let mut body = json!({ "href": path, "data": data });
    if let Some(n) = next(&path, offset, limit, albums.len()) {
        body["next"] = json!(n);
    }
    Json(body).into_response()
}

async fn album(State(s): St, headers: HeaderMap, Path((sf, id)): Path<(String, String)>) -> Response {
    if let Some(r) = gate(&s, &headers, &sf) {
        return r;
    }
    let v = view(&s);
    match v.release_by_id(&id) {
        Some(i) => Json(json!({ "data": [album_json(&s, &sf, i, v.releases[i].as_ref().expect("listed"), true)] }))
            .into_response(),
        None => not_found(),
    }
}

async fn albums_by_upc(State(s): St, headers: HeaderMap, Path(sf): Path<String>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers, &sf) {
        return r;
    }
    let Some(upc) = p.get("filter[upc]") else {
        return error(StatusCode::BAD_REQUEST, "40004", "Missing Parameter", "ids or filter[upc] is required");
    };
    let v = view(&s);
    let data: Vec<Value> = v
        .releases
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.as_ref().filter(|l| l.barcode.as_deref() == Some(upc.as_str())).map(|l| (i, l)))
        .map(|(i, l)| album_json(&s, &sf, i, l, true))
        .collect();
    Json(json!({ "data": data })).into_response()
}

async fn songs_by_isrc(State(s): St, headers: HeaderMap, Path(sf): Path<String>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers, &sf) {
        return r;
    }
    let Some(isrc) = p.get("filter[isrc]").map(|i| i.to_uppercase()) else {
        return error(StatusCode::BAD_REQUEST, "40004", "Missing Parameter", "ids or filter[isrc] is required");
    };
    let v = view(&s);
    let mut data = Vec::new();
    for (i, l) in v.releases.iter().enumerate().filter_map(|(i, l)| l.as_ref().map(|l| (i, l))) {
        for (pos, t) in l.tracks.iter().enumerate() {
            if t.isrc.as_deref() == Some(isrc.as_str()) {
                data.push(song_json(&s, &sf, i, l, pos));
            }
        }
    }
    Json(json!({ "data": data })).into_response()
}

async fn charts(State(s): St, headers: HeaderMap, Path(sf): Path<String>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers, &sf) {
        return r;
    }
    let (limit, offset) = match limit_offset(&p, 20, 50) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if offset >= 200 {
        return error(StatusCode::BAD_REQUEST, "40005", "Invalid Parameter Value", "Value must be less than 200");
    }
    let types = p.get("types").cloned().unwrap_or_default();
    let v = view(&s);
    // The chart: listed releases ranked by a stable pseudo-popularity.
    let mut listed: Vec<(usize, &Listing)> =
        v.releases.iter().enumerate().filter_map(|(i, l)| l.as_ref().map(|l| (i, l))).collect();
    listed.sort_by_key(|(i, l)| (l.id.len() * 7919 + i * 104_729) % 1000);
    let total = listed.len().min(200);
    let path = |t: &str| format!("/v1/catalog/{sf}/charts?chart=most-played&limit={limit}&types={t}");
    let mut results = serde_json::Map::new();
    if types.split(',').any(|t| t == "albums") {
        let data: Vec<Value> = listed
            .iter()
            .take(total)
            .skip(offset)
            .take(limit)
            .map(|&(i, l)| album_json(&s, &sf, i, l, false))
            .collect();
        let mut chart = json!({ "chart": "most-played", "name": "Top Albums", "href": path("albums"), "data": data });
        if let Some(n) = next(&path("albums"), offset, limit, total) {
            chart["next"] = json!(n);
        }
        results.insert("albums".into(), json!([chart]));
    }
    if types.split(',').any(|t| t == "songs") {
        let songs: Vec<(usize, &Listing, usize)> = listed.iter().take(total).map(|&(i, l)| (i, l, 0)).collect();
        let data: Vec<Value> =
            songs.iter().skip(offset).take(limit).map(|&(i, l, p)| song_json(&s, &sf, i, l, p)).collect();
        let mut chart = json!({ "chart": "most-played", "name": "Top Songs", "href": path("songs"), "data": data });
        if let Some(n) = next(&path("songs"), offset, limit, songs.len()) {
            chart["next"] = json!(n);
        }
        results.insert("songs".into(), json!([chart]));
    }
    Json(json!({ "results": results })).into_response()
}
