//! MusicBrainz `/ws/2`, JSON only: artist search and lookup, release-group browse,
//! release browse and lookup with `inc=`. No User-Agent gets 403; more than the
//! configured requests per second gets 503, as the real service does.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::catalog::{AlbumKind, Catalog, Credit, Release};
use crate::{Shared, page, search};

type Params = Query<BTreeMap<String, String>>;
type St = State<Arc<Shared>>;

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/artist", get(artist_search))
        .route("/artist/{mbid}", get(artist_lookup))
        .route("/release-group", get(release_group_browse))
        .route("/release", get(release_browse))
        .route("/release/{mbid}", get(release_lookup))
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": message, "help": "For usage, please see: https://musicbrainz.org/development/mmd" })),
    )
        .into_response()
}

/// The checks every request passes before it is answered: a User-Agent, JSON, the rate.
fn gate(shared: &Shared, headers: &HeaderMap, params: &BTreeMap<String, String>) -> Option<Response> {
    let over = !shared.musicbrainz_limit.lock().expect("limit lock").admit(Instant::now());
    if over {
        shared.count_over_limit("musicbrainz");
    }
    if over {
        return Some(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Your requests are exceeding the allowable rate limit. Please see http://wiki.musicbrainz.org/XMLWebService for more information.",
        ));
    }
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    if ua.trim().is_empty() {
        return Some(error(StatusCode::FORBIDDEN, "User-Agent header is required: send a meaningful one"));
    }
    let wants_json = params.get("fmt").is_some_and(|f| f == "json")
        || headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("json"));
    if !wants_json {
        return Some(error(StatusCode::BAD_REQUEST, "the simulator serves JSON only: send fmt=json"));
    }
    None
}

fn incs(params: &BTreeMap<String, String>) -> Vec<String> {
    params.get("inc").map(|s| s.split([' ', '+']).map(str::to_string).collect()).unwrap_or_default()
}

fn artist_json(c: &Catalog, idx: usize) -> Value {
    let a = &c.artists[idx];
    json!({
        "id": a.mbid, "name": a.name, "sort-name": a.sort_name, "disambiguation": a.disambiguation,
        "type": if a.sort_name.contains(", ") && !a.sort_name.ends_with(", The") { "Person" } else { "Group" },
        "type-id": "b6e035f4-3ce9-331c-97df-83397230b0df", "country": null, "aliases": [], "tags": [], "genres": [],
        "life-span": { "begin": null, "end": null, "ended": false },
    })
}

fn credit_json(c: &Catalog, credits: &[Credit]) -> Value {
    credits
        .iter()
        .map(|cr| {
            let a = &c.artists[cr.artist];
            json!({
                "name": a.name, "joinphrase": cr.join,
                "artist": { "id": a.mbid, "name": a.name, "sort-name": a.sort_name, "disambiguation": a.disambiguation,
                            "type": null, "type-id": null },
            })
        })
        .collect()
}

fn release_group_json(c: &Catalog, idx: usize) -> Value {
    let g = &c.albums[idx];
    let (primary, secondary) = g.kind.musicbrainz();
    json!({
        "id": g.mbid, "title": g.title, "disambiguation": "", "first-release-date": g.first_release_date,
        "primary-type": primary, "primary-type-id": "f529b476-6e62-324f-b0aa-1f3e33d313fc",
        "secondary-types": secondary, "secondary-type-ids": [],
        "artist-credit": credit_json(c, &g.credits),
    })
}

fn release_json(c: &Catalog, r: &Release, incs: &[String]) -> Value {
    let mb = r.musicbrainz.as_ref().expect("a MusicBrainz release");
    let album = &c.albums[r.album];
    let has = |i: &str| incs.iter().any(|x| x == i);
    let mut v = json!({
        "id": mb.mbid, "title": album.title, "status": "Official", "status-id": "4e304316-386d-3409-af2e-78857eec5cfe",
        "quality": "normal", "disambiguation": mb.disambiguation, "date": r.date, "country": r.country,
        "barcode": mb.barcode, "packaging": null, "packaging-id": null,
        "text-representation": { "language": "eng", "script": "Latn" },
        "release-events": [{ "date": r.date, "area": { "name": r.country, "iso-3166-1-codes": [r.country] } }],
        "cover-art-archive": { "artwork": false, "count": 0, "front": false, "back": false, "darkened": false },
    });
    if has("artist-credits") {
        v["artist-credit"] = credit_json(c, &album.credits);
    }
    if has("labels") {
        v["label-info"] = json!([{ "catalog-number": r.catalog_number,
            "label": { "id": format!("label-{}", r.label.len()), "name": r.label, "sort-name": r.label, "disambiguation": "" } }]);
    }
    if has("release-groups") {
        v["release-group"] = release_group_json(c, r.album);
    }
    if has("recordings") {
        let tracks: Vec<Value> = r
            .tracks
            .iter()
            .enumerate()
            .map(|(i, &rec_idx)| {
                let rec = &c.recordings[rec_idx];
                let mut credits = rec.credits.clone();
                if !rec.featured.is_empty() {
                    if let Some(last) = credits.last_mut() {
                        last.join = " feat. ".into();
                    }
                    let n = rec.featured.len();
                    credits.extend(rec.featured.iter().enumerate().map(|(k, &a)| Credit {
                        artist: a,
                        join: if k + 1 < n { " & ".into() } else { String::new() },
                    }));
                }
                let mut recording = json!({
                    "id": rec.mbid, "title": rec.title, "length": rec.length_ms, "video": false,
                    "disambiguation": rec.version.to_lowercase(), "first-release-date": album.first_release_date,
                });
                if has("artist-credits") {
                    recording["artist-credit"] = credit_json(c, &credits);
                }
                if has("isrcs") {
                    recording["isrcs"] = json!(rec.musicbrainz_isrcs);
                }
                let mut track = json!({
                    "id": mb.track_mbids[i], "position": i + 1, "number": (i + 1).to_string(),
                    "title": rec.title, "length": rec.length_ms, "recording": recording,
                });
                if has("artist-credits") {
                    track["artist-credit"] = credit_json(c, &credits);
                }
                track
            })
            .collect();
        let format = if album.kind == AlbumKind::Single { "Digital Media" } else { "CD" };
        v["media"] = json!([{ "position": 1, "title": "", "format": format, "format-id": null,
            "track-count": tracks.len(), "track-offset": 0, "tracks": tracks }]);
    }
    v
}

async fn artist_search(State(s): St, headers: HeaderMap, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers, &p) {
        return r;
    }
    let Some(query) = p.get("query") else {
        return error(StatusCode::BAD_REQUEST, "query is required");
    };
    let name = search::lucene_value(query);
    let mut hits: Vec<(u32, usize)> = s
        .catalog
        .artists
        .iter()
        .enumerate()
        .map(|(i, a)| (search::score(&name, &a.name), i))
        .filter(|(score, _)| *score >= 30)
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let (offset, limit) = page(&p, "offset", 25, 100);
    let artists: Vec<Value> = hits
        .iter()
        .skip(offset)
        .take(limit)
        .map(|&(score, i)| {
            let mut a = artist_json(&s.catalog, i);
            a["score"] = json!(score);
            a
        })
        .collect();
    Json(json!({ "created": "2026-11-21T00:00:00.000Z", "count": hits.len(), "offset": offset, "artists": artists }))
        .into_response()
}

async fn artist_lookup(State(s): St, headers: HeaderMap, Path(mbid): Path<String>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers, &p) {
        return r;
    }
    match s.catalog.artists.iter().position(|a| a.mbid == mbid) {
        Some(i) => Json(artist_json(&s.catalog, i)).into_response(),
        None => error(StatusCode::NOT_FOUND, "Not Found"),
    }
}

fn artist_idx(c: &Catalog, mbid: &str) -> Option<usize> {
    c.artists.iter().position(|a| a.mbid == mbid)
}

async fn release_group_browse(State(s): St, headers: HeaderMap, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers, &p) {
        return r;
    }
    let Some(artist) = p.get("artist").and_then(|m| artist_idx(&s.catalog, m)) else {
        return error(StatusCode::NOT_FOUND, "Not Found");
    };
    let groups: Vec<usize> = s
        .catalog
        .albums_of(artist)
        .filter(|(i, _)| s.catalog.releases.iter().any(|r| r.album == *i && r.musicbrainz.is_some()))
        .map(|(i, _)| i)
        .collect();
    let (offset, limit) = page(&p, "offset", 25, 100);
    let page: Vec<Value> = groups.iter().skip(offset).take(limit).map(|&i| release_group_json(&s.catalog, i)).collect();
    Json(json!({ "release-group-count": groups.len(), "release-group-offset": offset, "release-groups": page }))
        .into_response()
}

async fn release_browse(State(s): St, headers: HeaderMap, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers, &p) {
        return r;
    }
    let c = &s.catalog;
    let releases: Vec<&Release> = if let Some(mbid) = p.get("artist") {
        let Some(artist) = artist_idx(c, mbid) else {
            return error(StatusCode::NOT_FOUND, "Not Found");
        };
        c.releases_of(artist).map(|(_, r)| r).filter(|r| r.musicbrainz.is_some()).collect()
    } else if let Some(mbid) = p.get("release-group") {
        let Some(g) = c.albums.iter().position(|a| &a.mbid == mbid) else {
            return error(StatusCode::NOT_FOUND, "Not Found");
        };
        c.releases.iter().filter(|r| r.album == g && r.musicbrainz.is_some()).collect()
    } else {
        return error(StatusCode::BAD_REQUEST, "browse needs artist= or release-group=");
    };
    let incs = incs(&p);
    let (offset, limit) = page(&p, "offset", 25, 100);
    let page: Vec<Value> = releases.iter().skip(offset).take(limit).map(|r| release_json(c, r, &incs)).collect();
    Json(json!({ "release-count": releases.len(), "release-offset": offset, "releases": page })).into_response()
}

async fn release_lookup(State(s): St, headers: HeaderMap, Path(mbid): Path<String>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers, &p) {
        return r;
    }
    let found = s.catalog.releases.iter().find(|r| r.musicbrainz.as_ref().is_some_and(|m| m.mbid == mbid));
    match found {
        Some(r) => Json(release_json(&s.catalog, r, &incs(&p))).into_response(),
        None => error(StatusCode::NOT_FOUND, "Not Found"),
    }
}
