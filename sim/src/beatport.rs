//! Beatport API v4 catalog: search (releases or tracks), release, a release's tracks,
//! the track list by ISRC or name, track. Lists wrap their rows in `results` with
//! `count`, `next` and `previous`, search its hits in `releases` or `tracks`;
//! a bearer token is required (the user supplies one: Beatport hands out no client
//! credentials).
//!
//! Beatport has the dance part of the catalog only; its tracks carry mix names
//! ("Original Mix", "Extended Mix"), BPM, key and genre, and an ISRC when the label
//! delivered one.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::catalog::{Catalog, RecordingIdx, Release};
use crate::views::{self, IdStyle, Listing, Profile, View};
use crate::{Shared, search};

type Params = Query<BTreeMap<String, String>>;
type St = State<Arc<Shared>>;

const API: &str = "https://api.beatport.com/v4";
/// Keys with their Camelot codes, as Beatport's key objects carry them.
const KEYS: &[(&str, u32, &str)] = &[
    ("A Minor", 8, "A"),
    ("C Major", 8, "B"),
    ("F Minor", 4, "A"),
    ("G Major", 9, "B"),
    ("D Minor", 7, "A"),
    ("E♭ Major", 5, "B"),
    ("B Minor", 10, "A"),
    ("A♭ Major", 4, "B"),
];
const GENRES: &[(u32, &str)] = &[(5, "House"), (6, "Techno"), (12, "Deep House"), (7, "Trance"), (1, "Drum & Bass")];
const MIXES: &[&str] = &["Original Mix", "Extended Mix", "Radio Edit", "Club Mix"];

pub(crate) fn profile() -> Profile {
    Profile {
        provider: "beatport",
        artist_share: 0.3,
        release_share: 0.8,
        ids: IdStyle::Numeric { start: 3_000_000 },
        barcode: None,
        barcode_missing: 1.0,
        isrc_shown: 0.7,
        release_title: views::plain_release_title,
        track_title,
        numbers_homonyms: false,
    }
}

fn track_title(_: &mut ChaCha8Rng, c: &Catalog, rec: RecordingIdx) -> String {
    c.recordings[rec].title.clone()
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/auth/o/token/", post(renew))
        .route("/catalog/search/", get(search_catalog))
        .route("/catalog/releases/{id}/", get(release))
        .route("/catalog/releases/{id}/tracks/", get(release_tracks))
        .route("/catalog/tracks/", get(tracks))
        .route("/catalog/tracks/{id}/", get(track))
}

fn detail(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "detail": text }))).into_response()
}

fn view(s: &Shared) -> &View {
    s.view("beatport")
}

/// The tokens Beatport takes now: the access token (`None`: any) and the refresh token
/// its token endpoint renews with.
#[derive(Debug, Default)]
pub struct Session {
    pub access: Option<String>,
    pub refresh: Option<String>,
    pub renewals: u32,
}

/// `POST /auth/o/token/` with OAuth2's refresh grant (RFC 6749 §6): a new pair of
/// tokens, the old pair revoked (Django OAuth Toolkit's rotation, which Beatport's
/// `/auth/o/` endpoints are). The answer's and the error's shapes are the RFC's; no
/// real recording of Beatport's token endpoint was found.
async fn renew(State(s): St, axum::Form(form): axum::Form<BTreeMap<String, String>>) -> Response {
    let mut session = s.beatport_session.lock().expect("session lock");
    let given = form.get("refresh_token");
    let ok = form.get("grant_type").is_some_and(|g| g == "refresh_token")
        && form.get("client_id").is_some_and(|c| !c.is_empty())
        && given.is_some()
        && given == session.refresh.as_ref();
    if !ok {
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": "invalid_grant" }))).into_response();
    }
    session.renewals += 1;
    let (access, refresh) = (format!("bp-access-{}", session.renewals), format!("bp-refresh-{}", session.renewals));
    session.access = Some(access.clone());
    session.refresh = Some(refresh.clone());
    Json(json!({
        "access_token": access,
        "expires_in": 36000,
        "token_type": "Bearer",
        "scope": "app:locker user:dj",
        "refresh_token": refresh,
    }))
    .into_response()
}

fn gate(s: &Shared, headers: &HeaderMap) -> Option<Response> {
    let want = s.beatport_session.lock().expect("session lock").access.clone();
    let ok = crate::auth::bearer_ok(headers, want.as_deref());
    if !ok {
        return Some(detail(StatusCode::UNAUTHORIZED, "Authentication credentials were not provided."));
    }
    if !s.admit("beatport") {
        return Some(detail(StatusCode::TOO_MANY_REQUESTS, "Request was throttled."));
    }
    None
}

fn artist_ref(s: &Shared, idx: usize) -> Value {
    let a = &view(s).artists[idx];
    let slug = a.name.to_lowercase().replace(' ', "-");
    json!({ "id": a.id.parse::<u64>().unwrap_or(0), "name": a.name, "slug": slug, "url": format!("{API}/catalog/artists/{}/", a.id) })
}

fn label(r: &Release) -> Value {
    json!({ "id": 10_000 + r.label.len() as u64 * 97, "name": r.label, "slug": r.label.to_lowercase().replace(' ', "-") })
}

fn release_json(s: &Shared, i: usize, l: &Listing) -> Value {
    let c = &s.catalog;
    let r = &c.releases[i];
    let album = &c.albums[r.album];
    let kind = if l.tracks.len() == 1 {
        "Single"
    } else if l.tracks.len() <= 6 {
        "EP"
    } else {
        "Album"
    };
    json!({
        "id": l.id.parse::<u64>().unwrap_or(0), "name": l.title, "slug": l.title.to_lowercase().replace(' ', "-"),
        "artists": album.credits.iter().map(|cr| artist_ref(s, cr.artist)).collect::<Vec<_>>(), "remixers": [],
        "catalog_number": r.catalog_number, "label": label(r), "publish_date": r.date, "new_release_date": r.date,
        "track_count": l.tracks.len(), "type": { "id": 1, "name": kind },
        "image": { "id": 1, "uri": "https://geo-media.beatport.com/image_size/1400x1400/x.jpg", "dynamic_uri": "https://geo-media.beatport.com/image_size/{w}x{h}/x.jpg" },
        "url": format!("{API}/catalog/releases/{}/", l.id),
    })
}

fn track_json(s: &Shared, i: usize, l: &Listing, k: usize) -> Value {
    let c = &s.catalog;
    let t = &l.tracks[k];
    let rec = &c.recordings[t.recording];
    let h = rec.length_ms as usize;
    let (genre_id, genre) = GENRES[h % GENRES.len()];
    let (key, camelot_number, camelot_letter) = KEYS[h % KEYS.len()];
    let mix = if rec.version.is_empty() { MIXES[h / 7 % MIXES.len()].to_string() } else { rec.version.clone() };
    let mut v = json!({
        "id": t.id.parse::<u64>().unwrap_or(0), "name": t.title, "mix_name": mix, "slug": t.title.to_lowercase().replace(' ', "-"),
        "artists": rec.credits.iter().map(|cr| artist_ref(s, cr.artist)).collect::<Vec<_>>(),
        "remixers": [], "bpm": 110 + h % 40,
        "key": { "id": h % 24, "name": key, "camelot_number": camelot_number, "camelot_letter": camelot_letter },
        // Real track objects carry no position: a release's list is in its order.
        "genre": { "id": genre_id, "name": genre }, "sub_genre": null, "length_ms": rec.length_ms,
        "publish_date": c.releases[i].date, "new_release_date": c.releases[i].date,
        "catalog_number": c.releases[i].catalog_number,
        "release": { "id": l.id.parse::<u64>().unwrap_or(0), "name": l.title, "image": release_json(s, i, l)["image"].clone(),
                     "label": label(&c.releases[i]) },
        "url": format!("{API}/catalog/tracks/{}/", t.id),
    });
    if let Some(isrc) = &t.isrc {
        v["isrc"] = json!(isrc);
    }
    v
}

/// A DRF-style page: `results`, `count`, `next`, `previous`, `page` as "n/m".
fn paged(path: &str, items: Vec<Value>, page: usize, per_page: usize) -> Value {
    let count = items.len();
    let pages = count.div_ceil(per_page).max(1);
    let url =
        |p: usize| format!("{API}{path}{}page={p}&per_page={per_page}", if path.contains('?') { "&" } else { "?" });
    let results: Vec<Value> = items.into_iter().skip((page - 1) * per_page).take(per_page).collect();
    json!({ "results": results, "count": count, "page": format!("{page}/{pages}"), "per_page": per_page,
            "next": if page < pages { json!(url(page + 1)) } else { Value::Null },
            "previous": if page > 1 { json!(url(page - 1)) } else { Value::Null } })
}

fn page_of(p: &BTreeMap<String, String>) -> (usize, usize) {
    let page = p.get("page").and_then(|v| v.parse().ok()).unwrap_or(1usize).max(1);
    (page, p.get("per_page").and_then(|v| v.parse().ok()).unwrap_or(25usize).clamp(1, 150))
}

async fn search_catalog(State(s): St, headers: HeaderMap, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers) {
        return r;
    }
    let q = p.get("q").cloned().unwrap_or_default();
    let (page, per_page) = page_of(&p);
    let v = view(&s);
    let c = &s.catalog;
    let listed = || v.releases.iter().enumerate().filter_map(|(i, l)| l.as_ref().map(|l| (i, l)));
    let by_artist_or_title = |i: usize, title: &str| {
        let artists = c.albums[c.releases[i].album].credits.iter().map(|cr| v.artists[cr.artist].name.as_str());
        search::score(&q, title) >= 60 || artists.into_iter().any(|a| search::score(&q, a) >= 90)
    };
    let kind = p.get("type").map(String::as_str).unwrap_or("tracks");
    let items: Vec<Value> = match kind {
        "releases" => {
            listed().filter(|(i, l)| by_artist_or_title(*i, &l.title)).map(|(i, l)| release_json(&s, i, l)).collect()
        }
        "tracks" => listed()
            .flat_map(|(i, l)| (0..l.tracks.len()).map(move |k| (i, l, k)))
            .filter(|(i, l, k)| by_artist_or_title(*i, &l.tracks[*k].title))
            .map(|(i, l, k)| track_json(&s, i, l, k))
            .collect(),
        _ => return detail(StatusCode::BAD_REQUEST, "type must be tracks or releases"),
    };
    // Search answers with the hits under their type's name and `order`, no `results`,
    // and a `next` without its scheme (the real capture in fixtures/real/beatport).
    let mut body = paged(&format!("/catalog/search/?q={}&type={kind}", q.replace(' ', "+")), items, page, per_page);
    let hits = body.as_object_mut().and_then(|o| o.remove("results")).unwrap_or_default();
    body[kind] = hits;
    body["order"] = json!([kind]);
    for link in ["next", "previous"] {
        if let Some(url) = body[link].as_str() {
            body[link] = json!(url.trim_start_matches("https://"));
        }
    }
    Json(body).into_response()
}

async fn release(State(s): St, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&s, &headers) {
        return r;
    }
    let v = view(&s);
    match v.release_by_id(&id) {
        Some(i) => Json(release_json(&s, i, v.releases[i].as_ref().expect("listed"))).into_response(),
        None => detail(StatusCode::NOT_FOUND, "Not found."),
    }
}

async fn release_tracks(State(s): St, headers: HeaderMap, Path(id): Path<String>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers) {
        return r;
    }
    let v = view(&s);
    let Some(i) = v.release_by_id(&id) else { return detail(StatusCode::NOT_FOUND, "Not found.") };
    let l = v.releases[i].as_ref().expect("listed");
    let (page, per_page) = page_of(&p);
    let items = (0..l.tracks.len()).map(|k| track_json(&s, i, l, k)).collect();
    Json(paged(&format!("/catalog/releases/{id}/tracks/"), items, page, per_page)).into_response()
}

async fn track(State(s): St, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&s, &headers) {
        return r;
    }
    let v = view(&s);
    match v.track_by_id(&id) {
        Some((i, k)) => Json(track_json(&s, i, v.releases[i].as_ref().expect("listed"), k)).into_response(),
        None => detail(StatusCode::NOT_FOUND, "Not found."),
    }
}

/// The track list, filtered: `isrc` (one ISRC is often on several releases: the album,
/// a compilation, the single), or `artist_name` and `name`.
async fn tracks(State(s): St, headers: HeaderMap, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers) {
        return r;
    }
    let v = view(&s);
    let c = &s.catalog;
    let isrc = p.get("isrc").map(|i| i.to_uppercase());
    let name = p.get("name").map(String::as_str);
    let artist = p.get("artist_name").map(String::as_str);
    if isrc.is_none() && name.is_none() && artist.is_none() {
        return detail(StatusCode::BAD_REQUEST, "give isrc, name or artist_name");
    }
    let (page, per_page) = page_of(&p);
    let items: Vec<Value> = v
        .releases
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.as_ref().map(|l| (i, l)))
        .flat_map(|(i, l)| (0..l.tracks.len()).map(move |k| (i, l, k)))
        .filter(|(i, l, k)| {
            let t = &l.tracks[*k];
            isrc.as_ref().is_none_or(|want| t.isrc.as_deref() == Some(want.as_str()))
                && name.is_none_or(|n| search::score(n, &t.title) >= 90)
                && artist.is_none_or(|a| {
                    c.albums[c.releases[*i].album]
                        .credits
                        .iter()
                        .any(|cr| search::score(a, &v.artists[cr.artist].name) >= 90)
                })
        })
        .map(|(i, l, k)| track_json(&s, i, l, k))
        .collect();
    let query: Vec<String> =
        p.iter().filter(|(k, _)| *k != "page" && *k != "per_page").map(|(k, v)| format!("{k}={v}")).collect();
    Json(paged(&format!("/catalog/tracks/?{}", query.join("&")), items, page, per_page)).into_response()
}
