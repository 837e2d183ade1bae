//! Discogs: database search (artists; releases by barcode or by artist and title), an
//! artist's releases (masters and releases), a master's versions, release. A
//! User-Agent is required, search needs `Authorization: Discogs token=...`, every
//! answer carries the X-Discogs-Ratelimit headers, and going over the moving 60 s
//! window gets 429.
//!
//! Discogs is typed in by people: barcodes printed with spaces ("0 825646 493166")
//! or missing, homonyms numbered ("Ana Silva (2)"), vinyl sides as positions (A1, B2),
//! headings in tracklists, durations often blank.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::catalog::{Catalog, Edition, Release};
use crate::views::{self, BarcodeStyle, IdStyle, Listing, Profile, View};
use crate::{Shared, search};

type Params = Query<BTreeMap<String, String>>;
type St = State<Arc<Shared>>;

const API: &str = "https://api.discogs.com";

pub(crate) fn profile() -> Profile {
    Profile {
        provider: "discogs",
        artist_share: 0.85,
        release_share: 0.7,
        ids: IdStyle::Numeric { start: 1_000_000 },
        barcode: Some(BarcodeStyle::Typed { spaced: 0.3, typo: 0.03 }),
        barcode_missing: 0.2,
        isrc_shown: 0.0,
        release_title: views::plain_release_title,
        track_title: views::bracketed_version_title,
        numbers_homonyms: true,
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/database/search", get(database_search))
        .route("/artists/{id}/releases", get(artist_releases))
        .route("/masters/{id}/versions", get(master_versions))
        .route("/releases/{id}", get(release))
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "message": text }))).into_response()
}

/// A master per album that Discogs lists in more than one version.
fn master_id(album: usize) -> u64 {
    100_000 + album as u64 * 37
}

fn view(s: &Shared) -> &View {
    s.view("discogs")
}

/// User-Agent, token (where needed) and rate, in Discogs' order.
fn gate(s: &Shared, headers: &HeaderMap, needs_token: bool) -> Result<(), Response> {
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    if ua.trim().is_empty() {
        return Err(message(StatusCode::FORBIDDEN, "A User-Agent is required: identify your application"));
    }
    let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let token_ok = match s.secret("discogs") {
        Some(t) => auth.strip_prefix("Discogs token=") == Some(t),
        None => auth.starts_with("Discogs token="),
    };
    if needs_token && !token_ok {
        return Err(message(StatusCode::UNAUTHORIZED, "You must authenticate to access this resource."));
    }
    if !s.admit("discogs") {
        return Err(message(StatusCode::TOO_MANY_REQUESTS, "You are making requests too quickly."));
    }
    Ok(())
}

/// Every answer carries the rate headers, as Discogs' do.
fn with_rate(s: &Shared, mut r: Response) -> Response {
    let (limit, used) = s.window_use("discogs");
    let h = r.headers_mut();
    h.insert("X-Discogs-Ratelimit", HeaderValue::from(limit));
    h.insert("X-Discogs-Ratelimit-Used", HeaderValue::from(used));
    h.insert("X-Discogs-Ratelimit-Remaining", HeaderValue::from(limit.saturating_sub(used)));
    r
}

fn pagination(path: &str, page: usize, per_page: usize, items: usize) -> Value {
    let pages = items.div_ceil(per_page).max(1);
    let url =
        |p: usize| format!("{API}{path}{}page={p}&per_page={per_page}", if path.contains('?') { "&" } else { "?" });
    let mut urls = serde_json::Map::new();
    if page < pages {
        urls.insert("last".into(), json!(url(pages)));
        urls.insert("next".into(), json!(url(page + 1)));
    }
    if page > 1 {
        urls.insert("first".into(), json!(url(1)));
        urls.insert("prev".into(), json!(url(page - 1)));
    }
    json!({ "page": page, "pages": pages, "per_page": per_page, "items": items, "urls": urls })
}

fn page_of(p: &BTreeMap<String, String>) -> (usize, usize) {
    let page = p.get("page").and_then(|v| v.parse().ok()).unwrap_or(1usize).max(1);
    let per_page = p.get("per_page").and_then(|v| v.parse().ok()).unwrap_or(50usize).clamp(1, 100);
    (page, per_page)
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn is_vinyl(r: &Release) -> bool {
    r.date.as_str() < "1990" || r.catalog_number.ends_with('7')
}

fn formats(c: &Catalog, r: &Release) -> Value {
    let mut descriptions = vec![match c.albums[r.album].kind {
        crate::catalog::AlbumKind::Single => "Single",
        crate::catalog::AlbumKind::Ep => "EP",
        crate::catalog::AlbumKind::Compilation => "Compilation",
        crate::catalog::AlbumKind::Album => "Album",
    }];
    match r.edition {
        Edition::Original => {}
        Edition::Deluxe => descriptions.push("Deluxe Edition"),
        Edition::Remaster(_) | Edition::Anniversary(_) => descriptions.extend(["Reissue", "Remastered"]),
        Edition::Expanded => descriptions.push("Reissue"),
    }
    let name = if is_vinyl(r) { "Vinyl" } else { "CD" };
    if is_vinyl(r) {
        descriptions.insert(0, "LP");
    }
    json!([{ "name": name, "qty": "1", "descriptions": descriptions }])
}

fn artist_ref(s: &Shared, idx: usize, join: &str) -> Value {
    let a = &view(s).artists[idx];
    json!({ "name": a.name, "anv": "", "join": join.trim(), "role": "", "tracks": "", "id": a.id.parse::<u64>().unwrap_or(0),
            "resource_url": format!("{API}/artists/{}", a.id) })
}

fn credit_title(s: &Shared, r: &Release) -> String {
    let c = &s.catalog;
    c.albums[r.album].credits.iter().map(|cr| format!("{}{}", view(s).artists[cr.artist].name, cr.join)).collect()
}

/// Positions as printed: sides of a record (A1, A2, B1 ...) or track numbers.
fn position(vinyl: bool, i: usize, n: usize) -> String {
    if !vinyl {
        return (i + 1).to_string();
    }
    let per_side = n.div_ceil(2).max(1);
    format!("{}{}", (b'A' + (i / per_side) as u8) as char, i % per_side + 1)
}

fn tracklist(s: &Shared, i: usize, l: &Listing) -> Vec<Value> {
    let c = &s.catalog;
    let r = &c.releases[i];
    let vinyl = is_vinyl(r);
    let original =
        c.releases.iter().find(|o| o.album == r.album && o.edition == Edition::Original).map_or(0, |o| o.tracks.len());
    let mut out = Vec::new();
    for (k, t) in l.tracks.iter().enumerate() {
        if r.edition == Edition::Deluxe && k == original && k > 0 {
            out.push(json!({ "position": "", "type_": "heading", "title": "Bonus Tracks", "duration": "" }));
        }
        let ms = c.recordings[t.recording].length_ms;
        // About one in five durations is left blank.
        let duration = if (ms / 1000).is_multiple_of(5) {
            String::new()
        } else {
            format!("{}:{:02}", ms / 60_000, (ms / 1000) % 60)
        };
        let mut track = json!({ "position": position(vinyl, k, l.tracks.len()), "type_": "track", "title": t.title, "duration": duration });
        let rec = &c.recordings[t.recording];
        if !rec.featured.is_empty() {
            track["extraartists"] = json!(
                rec.featured
                    .iter()
                    .map(|&a| {
                        let mut x = artist_ref(s, a, "");
                        x["role"] = json!("Featuring");
                        x
                    })
                    .collect::<Vec<_>>()
            );
        }
        out.push(track);
    }
    out
}

fn release_json(s: &Shared, i: usize, l: &Listing) -> Value {
    let c = &s.catalog;
    let r = &c.releases[i];
    let album = &c.albums[r.album];
    let year: i64 = r.date[..4].parse().unwrap_or(0);
    let label_id = 1000 + r.label.len() as u64 * 131;
    let mut identifiers = Vec::new();
    if let Some(b) = &l.barcode {
        identifiers.push(json!({ "type": "Barcode", "value": b }));
        if b.contains(' ') {
            identifiers.push(json!({ "type": "Barcode", "value": digits(b), "description": "Scanned" }));
        }
    }
    identifiers.push(
        json!({ "type": "Matrix / Runout", "value": format!("{}-A", r.catalog_number), "description": "Side A" }),
    );
    let rating = 3.0 + (i % 20) as f64 / 10.0;
    let versions =
        view(s).releases.iter().enumerate().filter(|(j, v)| v.is_some() && c.releases[*j].album == r.album).count();
    let mut v = json!({
        "id": l.id.parse::<u64>().unwrap_or(0), "status": "Accepted", "year": year,
        "resource_url": format!("{API}/releases/{}", l.id), "uri": format!("https://www.discogs.com/release/{}", l.id),
        "artists": album.credits.iter().map(|cr| artist_ref(s, cr.artist, &cr.join)).collect::<Vec<_>>(),
        "artists_sort": credit_title(s, r),
        "labels": [{ "name": r.label, "catno": r.catalog_number, "entity_type": "1", "entity_type_name": "Label",
                     "id": label_id, "resource_url": format!("{API}/labels/{label_id}") }],
        "series": [], "companies": [],
        "formats": formats(c, r), "data_quality": "Needs Vote",
        "community": { "have": 10 + i * 3, "want": 5 + i, "rating": { "count": 1 + i % 50, "average": rating },
                       "submitter": { "username": "sim", "resource_url": format!("{API}/users/sim") },
                       "data_quality": "Needs Vote", "status": "Accepted" },
        "format_quantity": 1, "date_added": "2016-06-03T12:00:00-07:00", "date_changed": "2024-01-01T12:00:00-07:00",
        "num_for_sale": i % 7, "lowest_price": null, "title": l.title, "country": r.country, "released": r.date,
        "notes": "", "identifiers": identifiers, "videos": [], "genres": ["Rock"], "styles": ["Indie Rock"],
        "tracklist": tracklist(s, i, l), "extraartists": [], "images": [], "thumb": "", "estimated_weight": 230,
        "blocked_from_sale": false, "is_offensive": false,
    });
    if versions > 1 {
        v["master_id"] = json!(master_id(r.album));
        v["master_url"] = json!(format!("{API}/masters/{}", master_id(r.album)));
    }
    v
}

async fn database_search(State(s): St, headers: HeaderMap, Query(p): Params) -> Response {
    if let Err(r) = gate(&s, &headers, true) {
        return with_rate(&s, r);
    }
    let (page, per_page) = page_of(&p);
    let v = view(&s);
    let c = &s.catalog;
    let kind = p.get("type").map(String::as_str).unwrap_or("");
    let results: Vec<Value> = if kind == "artist" {
        let q = p.get("q").cloned().unwrap_or_default();
        let mut hits: Vec<(u32, usize)> = (0..v.artists.len())
            .filter(|&i| v.artists[i].known)
            .map(|i| (search::score(&q, &v.artists[i].name), i))
            .filter(|(score, _)| *score >= 60)
            .collect();
        hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        hits.iter()
            .map(|&(_, i)| {
                let a = &v.artists[i];
                json!({ "id": a.id.parse::<u64>().unwrap_or(0), "type": "artist", "user_data": { "in_wantlist": false, "in_collection": false },
                        "master_id": null, "master_url": null, "uri": format!("/artist/{}", a.id), "title": a.name,
                        "thumb": "", "cover_image": "", "resource_url": format!("{API}/artists/{}", a.id) })
            })
            .collect()
    } else {
        let barcode = p.get("barcode").map(|b| digits(b));
        let title = p.get("release_title").cloned();
        let artist = p.get("artist").cloned();
        v.releases
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.as_ref().map(|l| (i, l)))
            .filter(|(i, l)| {
                let by_barcode = barcode.as_ref().is_none_or(|b| l.barcode.as_deref().is_some_and(|x| digits(x) == *b));
                let by_title = title.as_ref().is_none_or(|t| search::score(t, &l.title) >= 60);
                let by_artist = artist.as_ref().is_none_or(|a| search::score(a, &credit_title(&s, &c.releases[*i])) >= 60);
                by_barcode && by_title && by_artist && (barcode.is_some() || title.is_some() || artist.is_some())
            })
            .map(|(i, l)| {
                let r = &c.releases[i];
                json!({ "id": l.id.parse::<u64>().unwrap_or(0), "type": "release",
                        "title": format!("{} - {}", credit_title(&s, r), l.title), "country": r.country, "year": r.date[..4],
                        "format": formats(c, r)[0]["descriptions"], "label": [r.label], "catno": r.catalog_number,
                        "barcode": l.barcode.iter().collect::<Vec<_>>(), "genre": ["Rock"], "style": ["Indie Rock"],
                        "community": { "want": 5 + i, "have": 10 + i * 3 }, "uri": format!("/release/{}", l.id),
                        "resource_url": format!("{API}/releases/{}", l.id), "master_id": 0, "master_url": null, "thumb": "", "cover_image": "" })
            })
            .collect()
    };
    let total = results.len();
    let items: Vec<Value> = results.into_iter().skip((page - 1) * per_page).take(per_page).collect();
    let body = json!({ "pagination": pagination("/database/search", page, per_page, total), "results": items });
    with_rate(&s, Json(body).into_response())
}

async fn artist_releases(State(s): St, headers: HeaderMap, Path(id): Path<String>, Query(p): Params) -> Response {
    if let Err(r) = gate(&s, &headers, false) {
        return with_rate(&s, r);
    }
    let (page, per_page) = page_of(&p);
    let v = view(&s);
    let c = &s.catalog;
    let Some(artist) = v.artist_by_id(&id) else {
        return with_rate(&s, message(StatusCode::NOT_FOUND, "Artist not found."));
    };
    let mut items: Vec<Value> = Vec::new();
    let mut seen_masters = Vec::new();
    for (i, l) in v.releases_of(c, artist) {
        let r = &c.releases[i];
        let versions: Vec<(usize, &Listing)> = v
            .releases
            .iter()
            .enumerate()
            .filter_map(|(j, x)| x.as_ref().filter(|_| c.releases[j].album == r.album).map(|x| (j, x)))
            .collect();
        let year = r.date[..4].parse::<i64>().unwrap_or(0);
        if versions.len() > 1 {
            if seen_masters.contains(&r.album) {
                continue;
            }
            seen_masters.push(r.album);
            items.push(json!({ "id": master_id(r.album), "title": l.title, "type": "master", "main_release": versions[0].1.id.parse::<u64>().unwrap_or(0),
                               "artist": credit_title(&s, r), "role": "Main", "resource_url": format!("{API}/masters/{}", master_id(r.album)),
                               "year": year, "thumb": "", "stats": { "community": { "in_wantlist": 0, "in_collection": 0 } } }));
        } else {
            items.push(json!({ "id": l.id.parse::<u64>().unwrap_or(0), "title": l.title, "type": "release",
                               "artist": credit_title(&s, r), "role": "Main", "resource_url": format!("{API}/releases/{}", l.id),
                               "year": year, "thumb": "", "status": "Accepted", "format": formats(c, r)[0]["name"], "label": r.label }));
        }
    }
    let total = items.len();
    let page_items: Vec<Value> = items.into_iter().skip((page - 1) * per_page).take(per_page).collect();
    let body = json!({ "pagination": pagination(&format!("/artists/{id}/releases"), page, per_page, total), "releases": page_items });
    with_rate(&s, Json(body).into_response())
}

async fn master_versions(State(s): St, headers: HeaderMap, Path(id): Path<u64>, Query(p): Params) -> Response {
    if let Err(r) = gate(&s, &headers, false) {
        return with_rate(&s, r);
    }
    let (page, per_page) = page_of(&p);
    let c = &s.catalog;
    let Some(album) = (0..c.albums.len()).find(|&a| master_id(a) == id) else {
        return with_rate(&s, message(StatusCode::NOT_FOUND, "Master Release not found."));
    };
    let versions: Vec<Value> = view(&s)
        .releases
        .iter()
        .enumerate()
        .filter_map(|(j, x)| x.as_ref().filter(|_| c.releases[j].album == album).map(|x| (j, x)))
        .map(|(j, l)| {
            let r = &c.releases[j];
            json!({ "id": l.id.parse::<u64>().unwrap_or(0), "label": r.label, "country": r.country, "title": l.title,
                    "major_formats": [formats(c, r)[0]["name"]], "format": formats(c, r)[0]["descriptions"].as_array().map(|d| d.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")),
                    "catno": r.catalog_number, "released": &r.date[..4], "status": "Accepted",
                    "resource_url": format!("{API}/releases/{}", l.id), "thumb": "" })
        })
        .collect();
    let total = versions.len();
    let page_items: Vec<Value> = versions.into_iter().skip((page - 1) * per_page).take(per_page).collect();
    let body = json!({ "pagination": pagination(&format!("/masters/{id}/versions"), page, per_page, total), "versions": page_items });
    with_rate(&s, Json(body).into_response())
}

async fn release(State(s): St, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = gate(&s, &headers, false) {
        return with_rate(&s, r);
    }
    let v = view(&s);
    let r = match v.release_by_id(&id) {
        Some(i) => Json(release_json(&s, i, v.releases[i].as_ref().expect("listed"))).into_response(),
        None => message(StatusCode::NOT_FOUND, "Release not found."),
    };
    with_rate(&s, r)
}
