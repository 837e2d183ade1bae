//! Deezer: artist search, an artist's albums, album, album tracks, and the ISRC and
//! UPC lookups. Over 50 requests per 5 s (by default) gets the quota error body with
//! HTTP 200, and a miss gets Deezer's error object, also with HTTP 200.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::catalog::{Catalog, DeezerTrack, Release};
use crate::{Shared, page, search};

type Params = Query<BTreeMap<String, String>>;
type St = State<Arc<Shared>>;

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/search/artist", get(search_artist))
        .route("/artist/{id}/albums", get(artist_albums))
        .route("/album/{id}", get(album))
        .route("/album/{id}/tracks", get(album_tracks))
        .route("/track/{id}", get(track))
        .route("/search/album", get(search_album))
        .route("/search/track", get(search_track))
        .route("/chart/{genre}/albums", get(chart_albums))
        .route("/chart/{genre}/tracks", get(chart_tracks))
        .route("/editorial/{genre}/releases", get(editorial_releases))
}

/// Albums with their artist, as lists outside an artist's page show them.
fn album_listed(c: &Catalog, r: &Release) -> Value {
    let mut a = album_summary(c, r);
    let d = r.deezer.as_ref().expect("a Deezer album");
    a["nb_tracks"] = json!(d.tracks.len());
    a["artist"] = artist_fields(c, c.albums[r.album].credits[0].artist);
    for k in ["nb_fan", "radio"] {
        a["artist"].as_object_mut().expect("object").remove(k);
    }
    a
}

/// A stable ranking: the charts do not change while the simulator runs.
fn charted(c: &Catalog) -> Vec<&Release> {
    let mut listed: Vec<&Release> = c.releases.iter().filter(|r| r.deezer.is_some()).collect();
    listed.sort_by_key(|r| std::cmp::Reverse(r.deezer.as_ref().map_or(0, |d| d.fans)));
    listed
}

async fn search_album(State(s): St, headers: HeaderMap, Query(p): Params) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    let raw = p.get("q").cloned().unwrap_or_default();
    let f = search::fields(&raw);
    let q = f.get("").cloned().unwrap_or_default();
    let c = &s.catalog;
    let hits: Vec<&Release> = c
        .releases
        .iter()
        .filter(|r| {
            r.deezer.as_ref().is_some_and(|d| {
                let artist = &c.artists[c.albums[r.album].credits[0].artist].deezer_name;
                match (f.get("artist"), f.get("album")) {
                    (None, None) => search::score(&q, &d.title) >= 60 || search::score(&q, artist) >= 60,
                    (a, t) => {
                        a.is_none_or(|a| search::score(a, artist) >= 90)
                            && t.is_none_or(|t| search::score(t, &d.title) >= 60)
                    }
                }
            })
        })
        .collect();
    let (index, limit) = page(&p, "index", 25, 100);
    let data = hits.iter().skip(index).take(limit).map(|r| album_listed(c, r)).collect();
    let extra = format!("q={}&", raw.replace(' ', "%20"));
    paged(&headers, "/search/album", &extra, data, hits.len(), index, limit)
}

/// `/search/track?q=artist:"X" track:"Y"`: tracks with their album, no ISRC.
async fn search_track(State(s): St, headers: HeaderMap, Query(p): Params) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    let raw = p.get("q").cloned().unwrap_or_default();
    let f = search::fields(&raw);
    let title = f.get("track").or_else(|| f.get("")).cloned().unwrap_or_default();
    let c = &s.catalog;
    let mut hits = Vec::new();
    for r in &c.releases {
        let Some(d) = &r.deezer else { continue };
        for t in &d.tracks {
            let artist = &c.artists[c.recordings[t.recording].credits[0].artist].deezer_name;
            if search::score(&title, &t.title) >= 60 && f.get("artist").is_none_or(|a| search::score(a, artist) >= 90) {
                let mut v = track_json(c, t, 0, false);
                v["album"] = album_summary(c, r);
                hits.push(v);
            }
        }
    }
    let (index, limit) = page(&p, "index", 25, 100);
    let total = hits.len();
    let data = hits.into_iter().skip(index).take(limit).collect();
    let extra = format!("q={}&", raw.replace(' ', "%20"));
    paged(&headers, "/search/track", &extra, data, total, index, limit)
}

/// A chart page: the charted albums, each shown by `entry` with its position.
fn chart(s: &Shared, p: &BTreeMap<String, String>, entry: impl Fn(&Catalog, &Release) -> Value) -> Response {
    if let Some(r) = gate(s) {
        return r;
    }
    let c = &s.catalog;
    let (index, limit) = page(p, "index", 10, 100);
    let all = charted(c);
    let data: Vec<Value> = all
        .iter()
        .enumerate()
        .skip(index)
        .take(limit)
        .map(|(k, r)| {
            let mut v = entry(c, r);
            v["position"] = json!(k + 1);
            v
        })
        .collect();
    Json(json!({ "data": data, "total": all.len().min(100) })).into_response()
}

async fn chart_albums(State(s): St, Path(_genre): Path<u32>, Query(p): Params) -> Response {
    chart(&s, &p, album_listed)
}

/// A chart's tracks: the first track of each charted album, with its album.
async fn chart_tracks(State(s): St, Path(_genre): Path<u32>, Query(p): Params) -> Response {
    chart(&s, &p, |c, r| {
        let d = r.deezer.as_ref().expect("a Deezer album");
        let mut t = track_json(c, &d.tracks[0], 1, false);
        // A chart's track carries the short album (as the real chart does) and no
        // `readable`.
        let full = album_summary(c, r);
        let short: serde_json::Map<String, Value> =
            ["id", "title", "cover", "cover_small", "cover_medium", "cover_big", "cover_xl", "tracklist", "type"]
                .iter()
                .filter_map(|k| full.get(*k).map(|v| (k.to_string(), v.clone())))
                .collect();
        t["album"] = Value::Object(short);
        t.as_object_mut().expect("a track object").remove("readable");
        t
    })
}

async fn editorial_releases(State(s): St, Path(_genre): Path<u32>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    let c = &s.catalog;
    let mut newest: Vec<&Release> = c.releases.iter().filter(|r| r.deezer.is_some()).collect();
    newest.sort_by(|a, b| b.date.cmp(&a.date));
    let (index, limit) = page(&p, "index", 25, 100);
    let data: Vec<Value> = newest.iter().skip(index).take(limit).map(|r| album_listed(c, r)).collect();
    Json(json!({ "data": data, "total": newest.len().min(50) })).into_response()
}

fn error(kind: &str, message: &str, code: u32) -> Response {
    Json(json!({ "error": { "type": kind, "message": message, "code": code } })).into_response()
}

fn no_data() -> Response {
    error("DataException", "no data", 800)
}

fn gate(shared: &Shared) -> Option<Response> {
    let over = !shared.deezer_limit.lock().expect("limit lock").admit(Instant::now());
    if over {
        shared.count_over_limit("deezer");
    }
    over.then(|| error("Exception", "Quota limit exceeded", 4))
}

/// Deezer's `next`: the full URL of the following page, absent on the last one.
fn paged(
    headers: &HeaderMap,
    path: &str,
    extra: &str,
    data: Vec<Value>,
    total: usize,
    index: usize,
    limit: usize,
) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    Json(page_body(host, path, extra, data, total, index, limit)).into_response()
}

/// One page of a Deezer list, with the `next` link while more remain.
pub(crate) fn page_body(
    host: &str,
    path: &str,
    extra: &str,
    data: Vec<Value>,
    total: usize,
    index: usize,
    limit: usize,
) -> Value {
    let mut body = json!({ "data": data, "total": total });
    if index + limit < total {
        body["next"] = json!(format!("http://{host}/deezer{path}?{extra}index={}&limit={limit}", index + limit));
    }
    body
}

fn artist_ref(c: &Catalog, idx: usize) -> Value {
    let a = &c.artists[idx];
    json!({ "id": a.deezer_id, "name": a.deezer_name, "tracklist": format!("https://api.deezer.com/artist/{}/top?limit=50", a.deezer_id), "type": "artist" })
}

fn artist_full(c: &Catalog, idx: usize) -> Value {
    let mut a = artist_fields(c, idx);
    a["nb_album"] = json!(c.releases_of(idx).filter(|(_, r)| r.deezer.is_some()).count());
    a
}

/// The artist without its album count, which only search hits and the artist's page
/// carry (and which costs a walk over the catalog).
fn artist_fields(c: &Catalog, idx: usize) -> Value {
    let a = &c.artists[idx];
    let img = format!("https://api.deezer.com/artist/{}/image", a.deezer_id);
    json!({
        "id": a.deezer_id, "name": a.deezer_name, "link": format!("https://www.deezer.com/artist/{}", a.deezer_id),
        "picture": img, "picture_small": img, "picture_medium": img, "picture_big": img, "picture_xl": img,
        "nb_fan": 1000 + idx * 7,
        "radio": true, "tracklist": format!("https://api.deezer.com/artist/{}/top?limit=50", a.deezer_id), "type": "artist",
    })
}

fn album_summary(c: &Catalog, r: &Release) -> Value {
    let d = r.deezer.as_ref().expect("a Deezer album");
    let album = &c.albums[r.album];
    let cover = format!("https://api.deezer.com/album/{}/image", d.id);
    json!({
        "id": d.id, "title": d.title, "link": format!("https://www.deezer.com/album/{}", d.id),
        "cover": cover, "cover_small": cover, "cover_medium": cover, "cover_big": cover, "cover_xl": cover,
        "md5_image": format!("{:032x}", d.id), "genre_id": 113, "fans": d.fans, "release_date": d.release_date,
        "record_type": album.kind.deezer(), "tracklist": format!("https://api.deezer.com/album/{}/tracks", d.id),
        "explicit_lyrics": c.is_explicit_release(r), "type": "album",
    })
}

pub(crate) fn track_json(c: &Catalog, t: &DeezerTrack, position: usize, with_isrc: bool) -> Value {
    let rec = &c.recordings[t.recording];
    let explicit = c.is_explicit(t.recording);
    let title = if t.title_version.is_empty() { t.title.clone() } else { format!("{} {}", t.title, t.title_version) };
    let mut v = json!({
        "id": t.id, "readable": true, "title": title, "title_short": t.title, "title_version": t.title_version,
        "link": format!("https://www.deezer.com/track/{}", t.id), "duration": rec.length_ms.div_ceil(1000),
        "rank": t.rank, "explicit_lyrics": explicit, "explicit_content_lyrics": u8::from(explicit), "explicit_content_cover": 0,
        "preview": format!("https://cdns-preview.dzcdn.net/stream/{}.mp3", t.id),
        "artist": artist_ref(c, rec.credits[0].artist), "type": "track",
    });
    if with_isrc {
        v["isrc"] = json!(t.isrc);
        v["track_position"] = json!(position);
        v["disk_number"] = json!(1);
    }
    v
}

/// The artist as an album names it: fewer fields than a search hit has.
fn album_artist(c: &Catalog, idx: usize) -> Value {
    let mut a = artist_fields(c, idx);
    let obj = a.as_object_mut().expect("object");
    for k in ["link", "nb_fan", "radio"] {
        obj.remove(k);
    }
    a
}

pub(crate) fn album_full(c: &Catalog, r: &Release) -> Value {
    let d = r.deezer.as_ref().expect("a Deezer album");
    let album = &c.albums[r.album];
    let mut v = album_summary(c, r);
    let contributors: Vec<Value> = album
        .credits
        .iter()
        .map(|cr| {
            let mut a = artist_fields(c, cr.artist);
            let obj = a.as_object_mut().expect("object");
            obj.remove("nb_fan");
            obj.insert("share".into(), obj["link"].clone());
            obj.insert("role".into(), json!("Main"));
            a
        })
        .collect();
    let duration: u32 = d.tracks.iter().map(|t| c.recordings[t.recording].length_ms / 1000).sum();
    let tracks: Vec<Value> = d.tracks.iter().enumerate().map(|(i, t)| track_json(c, t, i + 1, false)).collect();
    let extra = json!({
        "upc": d.upc, "share": format!("https://www.deezer.com/album/{}", d.id),
        "genres": { "data": [{ "id": 113, "name": "Dance", "picture": "https://api.deezer.com/genre/113/image", "type": "genre" }] },
        "label": r.label, "nb_tracks": d.tracks.len(), "duration": duration, "rating": 0, "available": true,
        "explicit_content_lyrics": u8::from(c.is_explicit_release(r)), "explicit_content_cover": 0, "contributors": contributors,
        "artist": album_artist(c, album.credits[0].artist), "tracks": { "data": tracks },
    });
    for (k, x) in extra.as_object().expect("object") {
        v[k] = x.clone();
    }
    // The album lookup carries no md5_image, unlike the album lists.
    v.as_object_mut().expect("object").remove("md5_image");
    v
}

fn find_album<'c>(c: &'c Catalog, id: &str) -> Option<&'c Release> {
    if let Some(upc) = id.strip_prefix("upc:") {
        return c.releases.iter().find(|r| r.deezer.as_ref().is_some_and(|d| d.upc == upc));
    }
    let id: u64 = id.parse().ok()?;
    c.releases.iter().find(|r| r.deezer.as_ref().is_some_and(|d| d.id == id))
}

async fn search_artist(State(s): St, headers: HeaderMap, Query(p): Params) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    let q = p.get("q").map(|q| search::lucene_value(q)).unwrap_or_default();
    let mut hits: Vec<(u32, usize)> = s
        .catalog
        .artists
        .iter()
        .enumerate()
        .map(|(i, a)| (search::score(&q, &a.deezer_name), i))
        .filter(|(score, _)| *score >= 30)
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let (index, limit) = page(&p, "index", 25, 100);
    let data = hits.iter().skip(index).take(limit).map(|&(_, i)| artist_full(&s.catalog, i)).collect();
    let extra = format!("q={}&", q.replace(' ', "%20"));
    paged(&headers, "/search/artist", &extra, data, hits.len(), index, limit)
}

async fn artist_albums(State(s): St, headers: HeaderMap, Path(id): Path<String>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    let c = &s.catalog;
    let Some(artist) = id.parse::<u64>().ok().and_then(|id| c.artists.iter().position(|a| a.deezer_id == id)) else {
        return no_data();
    };
    let albums: Vec<&Release> = c.releases_of(artist).map(|(_, r)| r).filter(|r| r.deezer.is_some()).collect();
    let (index, limit) = page(&p, "index", 25, 100);
    let data = albums.iter().skip(index).take(limit).map(|r| album_summary(c, r)).collect();
    paged(&headers, &format!("/artist/{id}/albums"), "", data, albums.len(), index, limit)
}

async fn album(State(s): St, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    match find_album(&s.catalog, &id) {
        Some(r) => Json(album_full(&s.catalog, r)).into_response(),
        None => no_data(),
    }
}

async fn album_tracks(State(s): St, headers: HeaderMap, Path(id): Path<String>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    let Some(r) = find_album(&s.catalog, &id) else {
        return no_data();
    };
    let d = r.deezer.as_ref().expect("a Deezer album");
    let (index, limit) = page(&p, "index", 25, 100);
    let data = d
        .tracks
        .iter()
        .enumerate()
        .skip(index)
        .take(limit)
        .map(|(i, t)| track_json(&s.catalog, t, i + 1, true))
        .collect();
    paged(&headers, &format!("/album/{id}/tracks"), "", data, d.tracks.len(), index, limit)
}

async fn track(State(s): St, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    let c = &s.catalog;
    let wanted = |t: &DeezerTrack| match id.strip_prefix("isrc:") {
        Some(isrc) => !t.isrc.is_empty() && t.isrc == isrc,
        None => id.parse::<u64>().is_ok_and(|n| n == t.id),
    };
    for r in &c.releases {
        let Some(d) = &r.deezer else { continue };
        if let Some((i, t)) = d.tracks.iter().enumerate().find(|(_, t)| wanted(t)) {
            let mut v = track_json(c, t, i + 1, true);
            v["release_date"] = json!(d.release_date);
            // Only a track's own page has `bpm` and `gain` (providers.md, from Deezer's
            // docs: no recording of one here, so the shape is a guess), and `bpm` is 0
            // for many tracks, as Deezer does not know every tempo.
            let rec = &c.recordings[t.recording];
            let bpm = if rec.length_ms % 3 == 0 { 0.0 } else { 80.0 + f64::from(rec.length_ms % 900) / 10.0 };
            v["bpm"] = json!(bpm);
            v["gain"] = json!(-8.4);
            v["album"] = album_summary(c, r);
            return Json(v).into_response();
        }
    }
    no_data()
}
