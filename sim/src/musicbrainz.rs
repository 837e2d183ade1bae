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
        .route("/isrc/{isrc}", get(isrc_lookup))
        .route("/recording", get(recording_search))
}

/// A stable yes/no from an id: whether editors added a link, a tag, a rating.
fn editors_did(id: &str, salt: u8, percent: u8) -> bool {
    let h = id.bytes().fold(salt as u64 + 7, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    (h % 100) < percent as u64
}

fn url_relation(kind: &str, url: String, id: &str) -> Value {
    json!({ "end": null, "source-credit": "", "target-type": "url", "target-credit": "", "attribute-ids": {},
            "type-id": "08445ccf-7b99-4438-9f9a-fb9ac18099ee", "attributes": [],
            "url": { "resource": url, "id": format!("{:0>8}-0000-4000-8000-000000000000", &id[..8]) },
            "type": kind, "begin": null, "ended": false, "direction": "forward", "attribute-values": {} })
}

/// The links editors have added from a release to the stores' pages of it: some of
/// them, as on the real site.
fn release_relations(s: &Shared, r: &Release, mbid: &str) -> Vec<Value> {
    let c = &s.catalog;
    // Where `r` sits in the catalog, from its address: a search would cost a scan of
    // the catalog per release, too slow for the million-release benchmark.
    let index = (r as *const Release as usize - c.releases.as_ptr() as usize) / std::mem::size_of::<Release>();
    debug_assert!(std::ptr::eq(&c.releases[index], r), "a catalog release");
    let mut out = Vec::new();
    if let Some(d) = r.deezer.as_ref().filter(|_| editors_did(mbid, 1, 40)) {
        out.push(url_relation("free streaming", format!("https://www.deezer.com/album/{}", d.id), mbid));
    }
    let stores = [
        ("spotify", "free streaming", "https://open.spotify.com/album/", 45),
        ("apple_music", "streaming", "https://music.apple.com/us/album/", 30),
        ("discogs", "discogs", "https://www.discogs.com/release/", 50),
    ];
    for (k, (provider, kind, prefix, percent)) in stores.into_iter().enumerate() {
        if let Some(l) = s
            .views
            .get(provider)
            .and_then(|v| v.releases[index].as_ref())
            .filter(|_| editors_did(mbid, 2 + k as u8, percent))
        {
            out.push(url_relation(kind, format!("{prefix}{}", l.id), mbid));
        }
    }
    out
}

fn tags_json(id: &str) -> Value {
    const TAGS: &[&str] = &["rock", "indie", "pop", "electronic", "alternative rock", "folk", "synth-pop"];
    let n = (id.as_bytes()[0] % 3) as usize;
    json!(
        (0..n)
            .map(|k| json!({ "name": TAGS[(id.as_bytes()[1] as usize + k) % TAGS.len()], "count": 1 + k }))
            .collect::<Vec<_>>()
    )
}

fn rating_json(id: &str) -> Value {
    if editors_did(id, 9, 50) {
        json!({ "votes-count": 1 + id.as_bytes()[2] % 9, "value": 2.5 + (id.as_bytes()[3] % 6) as f64 / 2.0 })
    } else {
        json!({ "votes-count": 0, "value": null })
    }
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

/// An artist credit as search hits carry it (both real search recordings): no type, and
/// a join phrase or disambiguation only where there is one.
fn search_credit_json(c: &Catalog, credits: &[Credit]) -> Value {
    credits
        .iter()
        .map(|cr| {
            let a = &c.artists[cr.artist];
            let mut artist = json!({ "id": a.mbid, "name": a.name, "sort-name": a.sort_name });
            if !a.disambiguation.is_empty() {
                artist["disambiguation"] = json!(a.disambiguation);
            }
            let mut credit = json!({ "name": a.name, "artist": artist });
            if !cr.join.is_empty() {
                credit["joinphrase"] = json!(cr.join);
            }
            credit
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
    })
}

pub(crate) fn release_json(s: &Shared, r: &Release, incs: &[String]) -> Value {
    let c = &s.catalog;
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
        if has("artist-credits") {
            // The credits reach the group too, as in the release lookup's recording.
            v["release-group"]["artist-credit"] = credit_json(c, &album.credits);
        }
    }
    if has("url-rels") {
        v["relations"] = json!(release_relations(s, r, &mb.mbid));
    }
    if has("tags") {
        v["tags"] = tags_json(&mb.mbid);
    }
    if has("genres") {
        v["genres"] = json!([]);
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
    } else if has("media") {
        // Media without their tracks: the track count alone.
        let format = if album.kind == AlbumKind::Single { "Digital Media" } else { "CD" };
        v["media"] = json!([{ "position": 1, "title": "", "format": format, "format-id": null,
            "track-count": r.tracks.len() }]);
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
    let Some(i) = s.catalog.artists.iter().position(|a| a.mbid == mbid) else {
        return error(StatusCode::NOT_FOUND, "Not Found");
    };
    let mut a = artist_json(&s.catalog, i);
    let incs = incs(&p);
    if incs.iter().any(|x| x == "url-rels") {
        let mut rels = Vec::new();
        if editors_did(&mbid, 11, 60) {
            rels.push(url_relation(
                "free streaming",
                format!("https://www.deezer.com/artist/{}", s.catalog.artists[i].deezer_id),
                &mbid,
            ));
        }
        let stores = [
            ("spotify", "https://open.spotify.com/artist/", 60),
            ("apple_music", "https://music.apple.com/us/artist/", 40),
            ("discogs", "https://www.discogs.com/artist/", 70),
        ];
        for (k, (provider, prefix, percent)) in stores.into_iter().enumerate() {
            if let Some(v) = s
                .views
                .get(provider)
                .map(|v| &v.artists[i])
                .filter(|v| v.known && editors_did(&mbid, 12 + k as u8, percent))
            {
                let kind = if provider == "discogs" { "discogs" } else { "streaming" };
                rels.push(url_relation(kind, format!("{prefix}{}", v.id), &mbid));
            }
        }
        a["relations"] = json!(rels);
    }
    if incs.iter().any(|x| x == "tags") {
        a["tags"] = tags_json(&mbid);
    }
    if incs.iter().any(|x| x == "ratings") {
        a["rating"] = rating_json(&mbid);
    }
    Json(a).into_response()
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
    let incs = incs(&p);
    let page: Vec<Value> = groups
        .iter()
        .skip(offset)
        .take(limit)
        .map(|&i| {
            let mut g = release_group_json(&s.catalog, i);
            let id = s.catalog.albums[i].mbid.clone();
            if incs.iter().any(|x| x == "artist-credits") {
                g["artist-credit"] = credit_json(&s.catalog, &s.catalog.albums[i].credits);
            }
            if incs.iter().any(|x| x == "tags") {
                g["tags"] = tags_json(&id);
            }
            if incs.iter().any(|x| x == "ratings") {
                g["rating"] = rating_json(&id);
            }
            g
        })
        .collect();
    Json(json!({ "release-group-count": groups.len(), "release-group-offset": offset, "release-groups": page }))
        .into_response()
}

async fn release_browse(State(s): St, headers: HeaderMap, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers, &p) {
        return r;
    }
    let c = &s.catalog;
    if let Some(query) = p.get("query") {
        return release_search(&s, query, &p);
    }
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
    let page: Vec<Value> = releases.iter().skip(offset).take(limit).map(|r| release_json(&s, r, &incs)).collect();
    Json(json!({ "release-count": releases.len(), "release-offset": offset, "releases": page })).into_response()
}

async fn release_lookup(State(s): St, headers: HeaderMap, Path(mbid): Path<String>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers, &p) {
        return r;
    }
    let found = s.catalog.releases.iter().find(|r| r.musicbrainz.as_ref().is_some_and(|m| m.mbid == mbid));
    match found {
        Some(r) => Json(release_json(&s, r, &incs(&p))).into_response(),
        None => error(StatusCode::NOT_FOUND, "Not Found"),
    }
}

/// Release search: `barcode:<digits>` (matched as entered) or `release:"T" AND
/// artist:"A"`, each hit with its score.
fn release_search(s: &Shared, query: &str, p: &BTreeMap<String, String>) -> Response {
    let c = &s.catalog;
    let f = search::fields(query);
    let scored: Vec<(u32, &Release)> = c
        .releases
        .iter()
        .filter_map(|r| {
            let m = r.musicbrainz.as_ref()?;
            if let Some(barcode) = f.get("barcode") {
                return (m.barcode.as_deref() == Some(barcode.as_str())).then_some((100, r));
            }
            let album = &c.albums[r.album];
            let title = f.get("release").map(|t| search::score(t, &album.title));
            let artist = f.get("artist").map(|a| search::score(a, &c.credit_name(&album.credits)));
            let score = match (title, artist) {
                (Some(t), Some(a)) => (t + a) / 2,
                (Some(t), None) => t,
                (None, Some(a)) => a,
                (None, None) => 0,
            };
            (score >= 50).then_some((score, r))
        })
        .collect();
    if f.is_empty() {
        return error(StatusCode::BAD_REQUEST, "the simulator searches releases by barcode:, release: and artist:");
    }
    let mut scored = scored;
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    let hits: Vec<Value> = scored
        .iter()
        .map(|(score, r)| {
            let mut v = release_json(s, r, &["artist-credits".into(), "release-groups".into(), "labels".into()]);
            v["score"] = json!(score);
            v["artist-credit"] = search_credit_json(c, &c.albums[r.album].credits);
            v
        })
        .collect();
    let (offset, limit) = page(p, "offset", 25, 100);
    let page: Vec<Value> = hits.iter().skip(offset).take(limit).cloned().collect();
    Json(json!({ "created": "2026-11-21T00:00:00.000Z", "count": hits.len(), "offset": offset, "releases": page }))
        .into_response()
}

/// Recording search: `isrc:<isrc>` or `recording:"T" AND artist:"A"`.
async fn recording_search(State(s): St, headers: HeaderMap, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers, &p) {
        return r;
    }
    let c = &s.catalog;
    let f = search::fields(p.get("query").map(String::as_str).unwrap_or(""));
    let on_musicbrainz = |i: usize| c.releases.iter().any(|r| r.musicbrainz.is_some() && r.tracks.contains(&i));
    let mut scored: Vec<(u32, usize)> = c
        .recordings
        .iter()
        .enumerate()
        .filter(|(i, _)| on_musicbrainz(*i))
        .filter_map(|(i, rec)| {
            if let Some(isrc) = f.get("isrc") {
                return rec.musicbrainz_isrcs.contains(&isrc.to_uppercase()).then_some((100, i));
            }
            let t = f.get("recording").map_or(0, |t| search::score(t, &rec.title));
            let a = f.get("artist").map_or(t, |a| search::score(a, &c.credit_name(&rec.credits)));
            let score = (t + a) / 2;
            (score >= 50).then_some((score, i))
        })
        .collect();
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    let (offset, limit) = page(&p, "offset", 25, 100);
    let recordings: Vec<Value> = scored
        .iter()
        .skip(offset)
        .take(limit)
        .map(|&(score, i)| {
            let rec = &c.recordings[i];
            json!({ "id": rec.mbid, "score": score, "title": rec.title, "length": rec.length_ms, "video": false,
                    "disambiguation": rec.version.to_lowercase(), "artist-credit": search_credit_json(c, &rec.credits),
                    "isrcs": rec.musicbrainz_isrcs })
        })
        .collect();
    Json(json!({ "created": "2026-11-21T00:00:00.000Z", "count": scored.len(), "offset": offset, "recordings": recordings }))
        .into_response()
}

/// `/isrc/<isrc>`: the recordings MusicBrainz knows under an ISRC, 404 if none.
async fn isrc_lookup(State(s): St, headers: HeaderMap, Path(isrc): Path<String>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers, &p) {
        return r;
    }
    let c = &s.catalog;
    let isrc = isrc.to_uppercase();
    let with_releases = incs(&p).iter().any(|i| i == "releases");
    let recordings: Vec<Value> = c
        .recordings
        .iter()
        .enumerate()
        .filter(|(_, r)| r.musicbrainz_isrcs.contains(&isrc))
        .filter(|(i, _)| c.releases.iter().any(|r| r.musicbrainz.is_some() && r.tracks.contains(i)))
        .map(|(i, rec)| {
            let mut v = json!({ "id": rec.mbid, "title": rec.title, "length": rec.length_ms, "video": false,
                                "disambiguation": rec.version.to_lowercase(), "first-release-date": c.albums[c.releases.iter().find(|r| r.tracks.contains(&i)).map_or(0, |r| r.album)].first_release_date });
            if with_releases {
                let releases: Vec<Value> = c
                    .releases
                    .iter()
                    .filter(|r| r.tracks.contains(&i))
                    .filter_map(|r| r.musicbrainz.as_ref().map(|m| json!({ "id": m.mbid, "title": c.albums[r.album].title, "status": "Official",
                        "date": r.date, "country": r.country, "barcode": m.barcode, "disambiguation": m.disambiguation })))
                    .collect();
                v["releases"] = json!(releases);
            }
            v
        })
        .collect();
    if recordings.is_empty() {
        return error(StatusCode::NOT_FOUND, "Not Found");
    }
    Json(json!({ "isrc": isrc, "recordings": recordings })).into_response()
}
