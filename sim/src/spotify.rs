//! Spotify Web API `/v1` as a development-mode app sees it in 2026: search (limit at
//! most 10, `isrc:` and `upc:` filters), an artist's albums (limit 1 to 10), album with
//! its first 50 tracks, album tracks, track; 403 on new releases and audio features;
//! no label, popularity or markets in responses. Over the rolling 30 s window: 429 with
//! Retry-After and the QUOTA_EXCEEDED body.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::catalog::{AlbumKind, Catalog, RecordingIdx, Release};
use crate::views::{self, BarcodeStyle, IdStyle, Listing, Profile, View};
use crate::{Shared, search};

type Params = Query<BTreeMap<String, String>>;
type St = State<Arc<Shared>>;

const API: &str = "https://api.spotify.com/v1";

pub fn profile() -> Profile {
    Profile {
        provider: "spotify",
        artist_share: 0.95,
        release_share: 0.85,
        ids: IdStyle::Base62,
        // Labels deliver UPC-A, EAN-13 and at times 14 digits ("00602455070951").
        barcode: Some(BarcodeStyle::Delivered { padded14: 0.15 }),
        barcode_missing: 0.03,
        isrc_shown: 0.98,
        release_title: views::edition_release_title,
        track_title,
        numbers_homonyms: false,
    }
}

/// "Song - 2011 Remaster", "Song - Live"; featured artists in the title half the time
/// (they are always in the track's artists).
fn track_title(rng: &mut ChaCha8Rng, c: &Catalog, rec: RecordingIdx) -> String {
    let r = &c.recordings[rec];
    let mut t = views::title_featuring(rng, c, rec, 0.5);
    if !r.version.is_empty() {
        t = format!("{t} - {}", r.version);
    }
    t
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/search", get(search))
        .route("/artists/{id}", get(artist))
        .route("/artists/{id}/albums", get(artist_albums))
        .route("/albums/{id}", get(album))
        .route("/albums/{id}/tracks", get(album_tracks))
        .route("/tracks/{id}", get(track))
        .route("/browse/new-releases", get(new_releases))
        .route("/audio-features/{id}", get(audio_features))
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": { "status": status.as_u16(), "message": message } }))).into_response()
}

fn gate(s: &Shared) -> Option<Response> {
    if s.admit("spotify") {
        return None;
    }
    let mut r = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({ "error": { "status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED" } })),
    )
        .into_response();
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    Some(r)
}

fn view(s: &Shared) -> &View {
    s.view("spotify")
}

fn urls(kind: &str, id: &str) -> Value {
    json!({ "external_urls": { "spotify": format!("https://open.spotify.com/{kind}/{id}") },
            "href": format!("{API}/{kind}s/{id}"), "id": id, "type": kind, "uri": format!("spotify:{kind}:{id}") })
}

fn merge(mut a: Value, b: Value) -> Value {
    for (k, v) in b.as_object().expect("object") {
        a[k] = v.clone();
    }
    a
}

fn artist_simple(v: &View, idx: usize) -> Value {
    merge(urls("artist", &v.artists[idx].id), json!({ "name": v.artists[idx].name }))
}

fn artist_full(s: &Shared, idx: usize) -> Value {
    let images =
        json!([{ "height": 640, "url": format!("https://i.scdn.co/image/{}", view(s).artists[idx].id), "width": 640 }]);
    let mut a = merge(artist_simple(view(s), idx), json!({ "genres": [], "images": images }));
    if s.spotify_extended {
        a["popularity"] = json!(20 + idx % 70);
        a["followers"] = json!({ "href": null, "total": 1000 * (idx + 1) });
    }
    a
}

fn images(id: &str) -> Value {
    json!(
        [640, 300, 64]
            .map(|h| json!({ "height": h, "url": format!("https://i.scdn.co/image/ab67616d{h:04}{id}"), "width": h }))
    )
}

/// Old releases are often dated by year only.
fn date(r: &Release) -> (String, &'static str) {
    let year: i32 = r.date[..4].parse().unwrap_or(2000);
    if year < 1990 && r.catalog_number.len().is_multiple_of(2) {
        (r.date[..4].to_string(), "year")
    } else {
        (r.date.clone(), "day")
    }
}

fn album_type(c: &Catalog, r: &Release) -> &'static str {
    match views::album_kind(c, r) {
        AlbumKind::Album => "album",
        // Spotify files EPs as singles.
        AlbumKind::Single | AlbumKind::Ep => "single",
        AlbumKind::Compilation => "compilation",
    }
}

fn album_simple(s: &Shared, i: usize, l: &Listing) -> Value {
    let c = &s.catalog;
    let r = &c.releases[i];
    let (date, precision) = date(r);
    let artists: Vec<Value> = c.albums[r.album].credits.iter().map(|cr| artist_simple(view(s), cr.artist)).collect();
    merge(
        urls("album", &l.id),
        json!({ "album_type": album_type(c, r), "artists": artists, "images": images(&l.id), "name": l.title,
                "release_date": date, "release_date_precision": precision, "total_tracks": l.tracks.len() }),
    )
}

fn track_simple(s: &Shared, l: &Listing, pos: usize) -> Value {
    let c = &s.catalog;
    let t = &l.tracks[pos];
    let rec = &c.recordings[t.recording];
    let mut artists: Vec<Value> = rec.credits.iter().map(|cr| artist_simple(view(s), cr.artist)).collect();
    artists.extend(rec.featured.iter().map(|&a| artist_simple(view(s), a)));
    merge(
        urls("track", &t.id),
        json!({ "artists": artists, "disc_number": 1, "duration_ms": rec.length_ms, "explicit": c.is_explicit(t.recording),
                "is_local": false, "name": t.title, "preview_url": null, "track_number": pos + 1 }),
    )
}

fn track_full(s: &Shared, i: usize, l: &Listing, pos: usize) -> Value {
    let mut t = track_simple(s, l, pos);
    t["album"] = album_simple(s, i, l);
    t["external_ids"] = match &l.tracks[pos].isrc {
        Some(isrc) => json!({ "isrc": isrc }),
        None => json!({}),
    };
    if s.spotify_extended {
        t["popularity"] = json!(pos % 100);
    }
    t
}

/// A Spotify paging object; `url` is the request path with its other parameters.
fn paging(url: &str, items: Vec<Value>, offset: usize, limit: usize, total: usize) -> Value {
    let sep = if url.contains('?') { '&' } else { '?' };
    let at = |o: usize| json!(format!("{API}{url}{sep}offset={o}&limit={limit}"));
    json!({
        "href": at(offset), "items": items, "limit": limit,
        "next": if offset + limit < total { at(offset + limit) } else { Value::Null },
        "offset": offset,
        "previous": if offset > 0 { at(offset.saturating_sub(limit)) } else { Value::Null },
        "total": total,
    })
}

/// `limit` within 1..=max, or Spotify's 400 "Invalid limit".
fn limit_offset(p: &BTreeMap<String, String>, default: usize, max: usize) -> Result<(usize, usize), Response> {
    let limit = match p.get("limit") {
        None => default,
        Some(l) => match l.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => return Err(error(StatusCode::BAD_REQUEST, "Invalid limit")),
        },
    };
    let offset = p.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    if offset > 1000 {
        return Err(error(StatusCode::BAD_REQUEST, "Invalid offset"));
    }
    Ok((limit, offset))
}

fn album_full(s: &Shared, i: usize, l: &Listing) -> Value {
    let c = &s.catalog;
    let r = &c.releases[i];
    let year = &r.date[..4];
    let items: Vec<Value> = (0..l.tracks.len().min(50)).map(|p| track_simple(s, l, p)).collect();
    let mut a = merge(
        album_simple(s, i, l),
        json!({
            "copyrights": [{ "text": format!("{year} {}", r.label), "type": "C" }, { "text": format!("{year} {}", r.label), "type": "P" }],
            "external_ids": match &l.barcode { Some(b) => json!({ "upc": b }), None => json!({}) },
            "genres": [],
            "tracks": paging(&format!("/albums/{}/tracks", l.id), items, 0, 50, l.tracks.len()),
        }),
    );
    if s.spotify_extended {
        a["label"] = json!(r.label);
        a["popularity"] = json!(i % 100);
    }
    a
}

fn release<'s>(s: &'s Shared, id: &str) -> Option<(usize, &'s Listing)> {
    let v = view(s);
    let i = v.release_by_id(id)?;
    Some((i, v.releases[i].as_ref()?))
}

async fn search(State(s): St, Query(p): Params) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    let (limit, offset) = match limit_offset(&p, 5, 10) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let q = p.get("q").cloned().unwrap_or_default();
    let kind = p.get("type").map(String::as_str).unwrap_or("");
    let v = view(&s);
    let url = format!("/search?query={}&type={kind}", q.replace(' ', "+"));
    let (key, items): (&str, Vec<Value>) = match kind {
        "artist" => {
            let name = search::lucene_value(&q);
            let mut hits: Vec<(u32, usize)> = (0..v.artists.len())
                .filter(|&i| v.artists[i].known)
                .map(|i| (search::score(&name, &v.artists[i].name), i))
                .filter(|(score, _)| *score >= 30)
                .collect();
            hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            ("artists", hits.into_iter().map(|(_, i)| artist_full(&s, i)).collect())
        }
        "album" => {
            let hits: Vec<Value> = match q.trim().strip_prefix("upc:") {
                // The stored string must match exactly: no padding is undone.
                Some(upc) => v
                    .releases
                    .iter()
                    .enumerate()
                    .filter_map(|(i, l)| {
                        l.as_ref().filter(|l| l.barcode.as_deref() == Some(upc.trim())).map(|l| (i, l))
                    })
                    .map(|(i, l)| album_simple(&s, i, l))
                    .collect(),
                None => {
                    let f = search::fields(&q);
                    let title = f.get("album").or_else(|| f.get("")).cloned().unwrap_or_default();
                    v.releases
                        .iter()
                        .enumerate()
                        .filter_map(|(i, l)| l.as_ref().map(|l| (i, l)))
                        .filter(|(i, l)| {
                            search::score(&title, &l.title) >= 60
                                && f.get("artist").is_none_or(|a| {
                                    credited(&s, &s.catalog.albums[s.catalog.releases[*i].album].credits, a)
                                })
                        })
                        .map(|(i, l)| album_simple(&s, i, l))
                        .collect()
                }
            };
            ("albums", hits)
        }
        "track" => {
            let hits: Vec<Value> = match q.trim().strip_prefix("isrc:") {
                Some(isrc) => v
                    .releases
                    .iter()
                    .enumerate()
                    .filter_map(|(i, l)| l.as_ref().map(|l| (i, l)))
                    .flat_map(|(i, l)| {
                        let isrc = isrc.trim().to_uppercase();
                        l.tracks
                            .iter()
                            .enumerate()
                            .filter(move |(_, t)| t.isrc.as_deref() == Some(isrc.as_str()))
                            .map(move |(p, _)| (i, l, p))
                            .collect::<Vec<_>>()
                    })
                    .map(|(i, l, p)| track_full(&s, i, l, p))
                    .collect(),
                None => {
                    let f = search::fields(&q);
                    let title = f.get("track").or_else(|| f.get("")).cloned().unwrap_or_default();
                    let mut hits = Vec::new();
                    for (i, l) in v.releases.iter().enumerate().filter_map(|(i, l)| l.as_ref().map(|l| (i, l))) {
                        for (p, t) in l.tracks.iter().enumerate() {
                            let credits = &s.catalog.recordings[t.recording].credits;
                            if search::score(&title, &t.title) >= 60
                                && f.get("artist").is_none_or(|a| credited(&s, credits, a))
                            {
                                hits.push(track_full(&s, i, l, p));
                            }
                        }
                    }
                    hits
                }
            };
            ("tracks", hits)
        }
        _ => return error(StatusCode::BAD_REQUEST, "Unsupported type"),
    };
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    Json(json!({ key: paging(&url, page, offset, limit, total) })).into_response()
}

/// Whether a search's artist names one of the credited artists.
fn credited(s: &Shared, credits: &[crate::catalog::Credit], artist: &str) -> bool {
    credits.iter().any(|c| search::score(artist, &view(s).artists[c.artist].name) >= 90)
}

async fn artist(State(s): St, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    match view(&s).artists.iter().position(|a| a.id == id) {
        Some(i) => Json(artist_full(&s, i)).into_response(),
        None => error(StatusCode::NOT_FOUND, "Resource not found"),
    }
}

async fn artist_albums(State(s): St, Path(id): Path<String>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    let (limit, offset) = match limit_offset(&p, 10, 10) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let v = view(&s);
    let Some(artist) = v.artists.iter().position(|a| a.id == id) else {
        return error(StatusCode::NOT_FOUND, "Resource not found");
    };
    let mut albums: Vec<Value> = v.releases_of(&s.catalog, artist).map(|(i, l)| album_simple(&s, i, l)).collect();
    if !p.contains_key("market") {
        // Without a market, an album comes back once per market it is sold in.
        albums = albums.into_iter().flat_map(|a| [a.clone(), a]).collect();
    }
    let total = albums.len();
    let items = albums.into_iter().skip(offset).take(limit).collect();
    Json(paging(&format!("/artists/{id}/albums?include_groups=album,single,compilation"), items, offset, limit, total))
        .into_response()
}

async fn album(State(s): St, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    match release(&s, &id) {
        Some((i, l)) => Json(album_full(&s, i, l)).into_response(),
        None => error(StatusCode::NOT_FOUND, "Resource not found"),
    }
}

async fn album_tracks(State(s): St, Path(id): Path<String>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    let (limit, offset) = match limit_offset(&p, 20, 50) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some((_, l)) = release(&s, &id) else {
        return error(StatusCode::NOT_FOUND, "Resource not found");
    };
    let items = (offset..l.tracks.len()).take(limit).map(|p| track_simple(&s, l, p)).collect();
    Json(paging(&format!("/albums/{id}/tracks"), items, offset, limit, l.tracks.len())).into_response()
}

async fn track(State(s): St, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    let v = view(&s);
    match v.track_by_id(&id) {
        Some((i, p)) => Json(track_full(&s, i, v.releases[i].as_ref().expect("listed"), p)).into_response(),
        None => error(StatusCode::NOT_FOUND, "Resource not found"),
    }
}

async fn new_releases(State(s): St, Query(p): Params) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    if !s.spotify_extended {
        return error(StatusCode::FORBIDDEN, "Forbidden");
    }
    let (limit, offset) = match limit_offset(&p, 20, 50) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let v = view(&s);
    let mut listed: Vec<(usize, &Listing)> =
        v.releases.iter().enumerate().filter_map(|(i, l)| l.as_ref().map(|l| (i, l))).collect();
    listed.sort_by(|a, b| s.catalog.releases[b.0].date.cmp(&s.catalog.releases[a.0].date));
    let total = listed.len().min(100);
    let items = listed.into_iter().take(total).skip(offset).take(limit).map(|(i, l)| album_simple(&s, i, l)).collect();
    Json(json!({ "albums": paging("/browse/new-releases", items, offset, limit, total) })).into_response()
}

async fn audio_features(State(s): St, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    if !s.spotify_extended {
        return error(StatusCode::FORBIDDEN, "Forbidden");
    }
    let v = view(&s);
    let Some((i, p)) = v.track_by_id(&id) else {
        return error(StatusCode::NOT_FOUND, "Resource not found");
    };
    let rec = &s.catalog.recordings[v.releases[i].as_ref().expect("listed").tracks[p].recording];
    let tempo = 70.0 + (rec.length_ms % 1000) as f64 / 10.0;
    Json(
        json!({ "id": id, "type": "audio_features", "uri": format!("spotify:track:{id}"), "duration_ms": rec.length_ms,
                 "tempo": tempo, "key": rec.length_ms % 12, "mode": rec.length_ms % 2, "time_signature": 4,
                 "danceability": 0.5, "energy": 0.6, "valence": 0.4, "acousticness": 0.1, "instrumentalness": 0.0,
                 "liveness": 0.1, "loudness": -7.0, "speechiness": 0.05,
                 "track_href": format!("{API}/tracks/{id}"), "analysis_url": format!("{API}/audio-analysis/{id}") }),
    )
    .into_response()
}
