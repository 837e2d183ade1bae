//! Last.fm `/2.0/?method=...&format=json`: artist.getTopAlbums, artist.getTopTracks,
//! album.getInfo, track.getInfo, user.getTopTracks, chart.getTopTracks. Its JSON is a
//! mechanical copy of its XML, and so is this: a list of one is an object, numbers are
//! strings (mostly), text is `#text`, attributes are `@attr`, `mbid` may be "". Errors
//! come as `{"error": n, "message": ...}`: 10 for a bad key, 6 for unknown things, 29
//! (with HTTP 200) past the rate limit.
//!
//! Last.fm names things rather than numbering them: an album is an artist and a title,
//! with the tracks of its original edition.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::catalog::{Catalog, Edition};
use crate::{Shared, search};

type Params = Query<BTreeMap<String, String>>;
type St = State<Arc<Shared>>;

/// The simulated Last.fm user whose library `user.getTopTracks` pages through.
pub const DEMO_USER: &str = "liner-listener";
/// [`DEMO_USER`] as a JSON string, for the demo's options.
pub const DEMO_USER_JSON: &str = "\"liner-listener\"";

const TAGS: &[&str] = &["rock", "indie", "pop", "electronic", "folk", "00s", "female vocalists", "chillout", "jazz"];

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/2.0/", get(dispatch))
}

fn error(status: StatusCode, code: u32, message: &str) -> Response {
    (status, Json(json!({ "error": code, "message": message, "links": [] }))).into_response()
}

/// A list the way Last.fm's XML-to-JSON writes it: one element is not a list.
fn one_or_many(mut items: Vec<Value>) -> Value {
    if items.len() == 1 { items.remove(0) } else { Value::Array(items) }
}

/// A paged list element (`<toptracks user=.. page=..><track/>..</toptracks>`) in Last.fm's
/// JSON: its children under `name`, its attributes under `@attr`. An element with no
/// children has no `name` key at all: its attributes sit inline beside the text
/// (`"#text": "\n"`), as the real empty `recenttracks` shows.
fn paged(name: &str, items: Vec<Value>, attr: Value) -> Value {
    if items.is_empty() {
        let mut inline = attr;
        inline["#text"] = json!("\n");
        return inline;
    }
    json!({ name: one_or_many(items), "@attr": attr })
}

fn url(parts: &[&str]) -> String {
    let enc: Vec<String> = parts.iter().map(|p| p.replace(' ', "+")).collect();
    format!("https://www.last.fm/music/{}", enc.join("/"))
}

fn image(size: &str) -> Value {
    json!({ "size": size, "#text": "" })
}

/// Stable pseudo-counts from a name: listeners and plays.
fn counts(key: &str) -> (u64, u64) {
    let h = key.bytes().fold(1469598103934665603u64, |h, b| (h ^ b as u64).wrapping_mul(1099511628211));
    let listeners = 1_000 + h % 900_000;
    (listeners, listeners * (3 + h % 9))
}

fn find_artist(c: &Catalog, name: &str) -> Option<usize> {
    c.artists.iter().position(|a| search::score(name, &a.name) == 100)
}

/// The artist's albums, each by its original edition.
fn albums_of(c: &Catalog, artist: usize) -> Vec<usize> {
    c.albums_of(artist).map(|(i, _)| i).collect()
}

fn original(c: &Catalog, album: usize) -> Option<&crate::catalog::Release> {
    c.releases.iter().find(|r| r.album == album && r.edition == Edition::Original)
}

fn artist_ref(c: &Catalog, idx: usize, with_mbid: bool) -> Value {
    let a = &c.artists[idx];
    json!({ "name": a.name, "mbid": if with_mbid { a.mbid.as_str() } else { "" }, "url": url(&[&a.name]) })
}

fn tags(key: &str) -> Value {
    let (h, _) = counts(key);
    let n = (h % 4) as usize; // 0 to 3 tags: none, one (an object) or a list.
    let tags: Vec<Value> = (0..n)
        .map(|k| TAGS[(h as usize + k * 3) % TAGS.len()])
        .map(|t| json!({ "name": t, "url": format!("https://www.last.fm/tag/{t}") }))
        .collect();
    if tags.is_empty() { json!("") } else { json!({ "tag": one_or_many(tags) }) }
}

async fn dispatch(State(s): St, Query(p): Params) -> Response {
    if p.get("api_key").is_none_or(|k| s.secret("lastfm").is_some_and(|want| want != k) || k.is_empty()) {
        return error(StatusCode::FORBIDDEN, 10, "Invalid API key - You must be granted a valid key by last.fm");
    }
    if !s.admit("lastfm") {
        return error(StatusCode::OK, 29, "Rate Limit Exceeded - Your IP has made too many requests in a short period");
    }
    if p.get("format").map(String::as_str) != Some("json") {
        return error(StatusCode::BAD_REQUEST, 6, "the simulator answers format=json only");
    }
    let method = p.get("method").map(|m| m.to_lowercase()).unwrap_or_default();
    let c = &s.catalog;
    let get = |k: &str| p.get(k).cloned().unwrap_or_default();
    let limit = |default: usize| p.get("limit").and_then(|l| l.parse().ok()).unwrap_or(default);
    let page = p.get("page").and_then(|l| l.parse().ok()).unwrap_or(1usize).max(1);
    match method.as_str() {
        "artist.gettopalbums" => {
            let Some(a) = find_artist(c, &get("artist")) else {
                return error(StatusCode::OK, 6, "The artist you supplied could not be found");
            };
            let albums = albums_of(c, a);
            let limit = limit(50);
            let items: Vec<Value> = albums
                .iter()
                .skip((page - 1) * limit)
                .take(limit)
                .map(|&i| {
                    let al = &c.albums[i];
                    let (_, plays) = counts(&al.title);
                    json!({ "name": al.title, "playcount": plays, "mbid": "", "url": url(&[&c.artists[a].name, &al.title]),
                            "artist": artist_ref(c, a, true), "image": [image("small"), image("large")] })
                })
                .collect();
            Json(json!({ "topalbums": paged("album", items, paging_attr("artist", &c.artists[a].name, page, limit, albums.len())) }))
                .into_response()
        }
        "album.getinfo" => {
            let Some(a) = find_artist(c, &get("artist")) else { return error(StatusCode::OK, 6, "Album not found") };
            let wanted = get("album");
            let Some(album) = albums_of(c, a).into_iter().find(|&i| search::score(&wanted, &c.albums[i].title) == 100)
            else {
                return error(StatusCode::OK, 6, "Album not found");
            };
            let al = &c.albums[album];
            let Some(r) = original(c, album) else { return error(StatusCode::OK, 6, "Album not found") };
            let mbid = r
                .musicbrainz
                .as_ref()
                .filter(|_| counts(&al.title).0.is_multiple_of(2))
                .map_or("", |m| m.mbid.as_str());
            let tracks: Vec<Value> = r
                .tracks
                .iter()
                .enumerate()
                .map(|(k, &rec)| {
                    let t = &c.recordings[rec];
                    // Durations are seconds here, and sometimes unknown.
                    let duration = if t.length_ms % 7 == 0 { Value::Null } else { json!(t.length_ms / 1000) };
                    json!({ "streamable": { "fulltrack": "0", "#text": "0" }, "duration": duration,
                            "url": url(&[&c.artists[a].name, &al.title, &t.title]), "name": t.title, "@attr": { "rank": k + 1 },
                            "artist": artist_ref(c, t.credits[0].artist, true) })
                })
                .collect();
            let (listeners, plays) = counts(&al.title);
            Json(json!({ "album": {
                "artist": c.artists[a].name, "mbid": mbid, "tags": tags(&al.title), "name": al.title,
                "image": [image("small"), image("medium"), image("large")], "tracks": { "track": one_or_many(tracks) },
                "url": url(&[&c.artists[a].name, &al.title]), "listeners": listeners.to_string(), "playcount": plays.to_string(),
            } }))
            .into_response()
        }
        "artist.gettoptracks" => {
            let Some(a) = find_artist(c, &get("artist")) else {
                return error(StatusCode::OK, 6, "The artist you supplied could not be found");
            };
            let recs: Vec<usize> =
                albums_of(c, a).into_iter().filter_map(|al| original(c, al)).flat_map(|r| r.tracks.clone()).collect();
            let limit = limit(50);
            let items: Vec<Value> = recs
                .iter()
                .enumerate()
                .skip((page - 1) * limit)
                .take(limit)
                .map(|(k, &rec)| track_item(c, rec, k + 1))
                .collect();
            Json(json!({ "toptracks": paged("track", items, paging_attr("artist", &c.artists[a].name, page, limit, recs.len())) }))
                .into_response()
        }
        "track.getinfo" => {
            let Some(a) = find_artist(c, &get("artist")) else { return error(StatusCode::OK, 6, "Track not found") };
            let wanted = get("track");
            let found =
                albums_of(c, a).into_iter().filter_map(|al| original(c, al).map(|r| (al, r))).find_map(|(al, r)| {
                    r.tracks
                        .iter()
                        .position(|&rec| search::score(&wanted, &c.recordings[rec].title) == 100)
                        .map(|k| (al, r.tracks[k], k))
                });
            let Some((album, rec, k)) = found else { return error(StatusCode::OK, 6, "Track not found") };
            let t = &c.recordings[rec];
            let (listeners, plays) = counts(&t.mbid);
            let toptags = match tags(&t.title) {
                Value::Object(mut o) => {
                    json!({ "tag": o.remove("tag").map(|t| if t.is_array() { t } else { json!([t]) }).unwrap_or(json!([])) })
                }
                _ => json!({ "tag": [] }),
            };
            Json(json!({ "track": {
                "name": t.title, "mbid": if t.musicbrainz_isrcs.is_empty() { "" } else { t.mbid.as_str() },
                "url": url(&[&c.artists[a].name, "_", &t.title]), "duration": (t.length_ms / 1000 * 1000).to_string(),
                "streamable": { "#text": "0", "fulltrack": "0" }, "listeners": listeners.to_string(), "playcount": plays.to_string(),
                "artist": artist_ref(c, a, true),
                "album": { "artist": c.artists[a].name, "title": c.albums[album].title, "mbid": "", "url": url(&[&c.artists[a].name, &c.albums[album].title]),
                           "image": [image("small")], "@attr": { "position": (k + 1).to_string() } },
                "toptags": toptags,
            } }))
            .into_response()
        }
        "user.gettoptracks" => {
            if get("user").to_lowercase() != DEMO_USER {
                return error(StatusCode::OK, 6, "User not found");
            }
            let limit = limit(50);
            if limit > 1000 {
                return error(StatusCode::OK, 6, "limit param out of bounds (1-1000)");
            }
            // The listener's library: every recording of the catalog, most played first.
            let total = c.recordings.len();
            let items: Vec<Value> = (0..total)
                .skip((page - 1) * limit)
                .take(limit)
                .map(|k| {
                    // A user's lists count the user's plays; no real one carries listeners.
                    let mut t = track_item(c, k, k + 1);
                    t["playcount"] = json!((total - k).to_string());
                    t.as_object_mut().expect("object").remove("listeners");
                    t
                })
                .collect();
            Json(json!({ "toptracks": paged("track", items, paging_attr("user", DEMO_USER, page, limit, total)) }))
                .into_response()
        }
        "chart.gettoptracks" => {
            let limit = limit(50);
            let total = c.recordings.len().min(500);
            let items: Vec<Value> = (0..total)
                .skip((page - 1) * limit)
                .take(limit)
                .map(|k| {
                    let mut t = track_item(c, (k * 7) % c.recordings.len().max(1), k + 1);
                    t.as_object_mut().expect("object").remove("@attr");
                    t
                })
                .collect();
            let attr = json!({ "page": page.to_string(), "perPage": limit.to_string(), "totalPages": total.div_ceil(limit.max(1)).to_string(), "total": total.to_string() });
            Json(json!({ "tracks": paged("track", items, attr) })).into_response()
        }
        _ => error(StatusCode::BAD_REQUEST, 3, "Invalid Method - No method with that name in this package"),
    }
}

fn track_item(c: &Catalog, rec: usize, rank: usize) -> Value {
    let t = &c.recordings[rec];
    let a = t.credits[0].artist;
    let (listeners, plays) = counts(&t.mbid);
    json!({ "name": t.title, "duration": (t.length_ms / 1000).to_string(), "playcount": plays.to_string(), "listeners": listeners.to_string(),
            "mbid": if rec.is_multiple_of(3) { "" } else { t.mbid.as_str() }, "url": url(&[&c.artists[a].name, "_", &t.title]),
            "streamable": { "#text": "0", "fulltrack": "0" }, "artist": artist_ref(c, a, rec.is_multiple_of(2)),
            "image": [image("small"), image("medium")], "@attr": { "rank": rank.to_string() } })
}

fn paging_attr(who: &str, name: &str, page: usize, per_page: usize, total: usize) -> Value {
    json!({ who: name, "page": page.to_string(), "perPage": per_page.to_string(),
            "totalPages": total.div_ceil(per_page.max(1)).to_string(), "total": total.to_string() })
}
