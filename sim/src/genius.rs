//! Genius API: search, an artist's songs paged (`next_page`, null at the end), song
//! details with album, release date and media links. Every answer is wrapped in
//! `{"meta": {"status": n}, "response": {...}}`; a bearer token is required.
//!
//! Genius knows songs, not releases: one song per recording, featured artists as
//! "(Ft. X)" in `title_with_featured`, dates sometimes only a year.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::catalog::{RecordingIdx, Release};
use crate::views::{self, IdStyle, Profile, View};
use crate::{Shared, search};

type Params = Query<BTreeMap<String, String>>;
type St = State<Arc<Shared>>;

pub(crate) fn profile() -> Profile {
    Profile {
        provider: "genius",
        artist_share: 0.9,
        release_share: 0.75,
        ids: IdStyle::Numeric { start: 2_000_000 },
        barcode: None,
        barcode_missing: 1.0,
        isrc_shown: 0.0,
        release_title: views::plain_release_title,
        track_title: views::bracketed_version_title,
        numbers_homonyms: false,
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/search", get(search_songs))
        .route("/artists/{id}/songs", get(artist_songs))
        .route("/songs/{id}", get(song))
}

fn wrapped(status: StatusCode, response: Value) -> Response {
    (status, Json(json!({ "meta": { "status": status.as_u16() }, "response": response }))).into_response()
}

fn failure(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "meta": { "status": status.as_u16(), "message": message } }))).into_response()
}

fn view(s: &Shared) -> &View {
    s.view("genius")
}

fn gate(s: &Shared, headers: &HeaderMap) -> Option<Response> {
    let ok = crate::auth::bearer_ok(headers, s.secret("genius"));
    if !ok {
        return Some(failure(StatusCode::UNAUTHORIZED, "This call requires an access_token."));
    }
    if !s.admit("genius") {
        return Some(failure(StatusCode::TOO_MANY_REQUESTS, "Too many requests"));
    }
    None
}

/// A song: the first listing of a recording names it; later ones are the same song.
struct Song {
    id: String,
    recording: RecordingIdx,
    release: usize,
    position: usize,
}

fn songs_of(s: &Shared, artist: usize) -> Vec<Song> {
    let v = view(s);
    let c = &s.catalog;
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (i, l) in v.releases_of(c, artist) {
        for (k, t) in l.tracks.iter().enumerate() {
            if c.recordings[t.recording].credits[0].artist == artist && !seen.contains(&t.recording) {
                seen.push(t.recording);
                out.push(Song { id: t.id.clone(), recording: t.recording, release: i, position: k });
            }
        }
    }
    out
}

fn find_song(s: &Shared, id: &str) -> Option<Song> {
    let (i, k) = view(s).track_by_id(id)?;
    let t = &view(s).releases[i].as_ref()?.tracks[k];
    Some(Song { id: id.to_string(), recording: t.recording, release: i, position: k })
}

fn artist_json(s: &Shared, idx: usize) -> Value {
    let a = &view(s).artists[idx];
    let slug = a.name.replace(' ', "-");
    json!({ "api_path": format!("/artists/{}", a.id), "header_image_url": "https://images.genius.com/header.png", "id": a.id.parse::<u64>().unwrap_or(0),
            "image_url": "https://images.genius.com/artist.png", "is_meme_verified": false, "is_verified": false, "name": a.name,
            "url": format!("https://genius.com/artists/{slug}") })
}

fn date_components(r: &Release, year_only: bool) -> Value {
    let y: i64 = r.date[..4].parse().unwrap_or(0);
    let m: i64 = r.date[5..7].parse().unwrap_or(1);
    let d: i64 = r.date[8..10].parse().unwrap_or(1);
    if year_only {
        json!({ "year": y, "month": null, "day": null })
    } else {
        json!({ "year": y, "month": m, "day": d })
    }
}

fn song_json(s: &Shared, song: &Song, full: bool) -> Value {
    let c = &s.catalog;
    let v = view(s);
    let r = &c.releases[song.release];
    let rec = &c.recordings[song.recording];
    let listing = v.releases[song.release].as_ref().expect("listed");
    let title = &listing.tracks[song.position].title;
    let main = rec.credits[0].artist;
    let featured: Vec<&str> = rec.featured.iter().map(|&a| v.artists[a].name.as_str()).collect();
    let with_featured =
        if featured.is_empty() { title.clone() } else { format!("{title} (Ft. {})", featured.join(" & ")) };
    // Old songs are often dated by year only.
    let year_only = r.date.as_str() < "1985";
    let path = format!("/{}-{}-lyrics", v.artists[main].name.replace(' ', "-"), title.replace(' ', "-"));
    let mut j = json!({
        "annotation_count": 1, "api_path": format!("/songs/{}", song.id),
        "full_title": format!("{with_featured} by {}", v.artists[main].name), "header_image_thumbnail_url": "", "header_image_url": "",
        "id": song.id.parse::<u64>().unwrap_or(0), "lyrics_owner_id": 1, "lyrics_state": "complete", "path": path,
        "primary_artist": artist_json(s, main),
        // Not in the real recordings (2020, 2021): a guess at how a song dated by its
        // year alone says so. liner reads it only where `release_date` is missing.
        "release_date_components": date_components(r, year_only),
        "song_art_image_thumbnail_url": "", "song_art_image_url": "", "stats": { "unreviewed_annotations": 0, "hot": false },
        "title": title, "title_with_featured": with_featured, "url": format!("https://genius.com{path}"),
    });
    if full {
        // An artist's song list (the real one) carries neither.
        j["featured_artists"] = json!(rec.featured.iter().map(|&a| artist_json(s, a)).collect::<Vec<_>>());
        j["release_date_for_display"] = json!(if year_only { r.date[..4].to_string() } else { r.date.clone() });
        let album = &c.albums[r.album];
        j["album"] = json!({ "api_path": format!("/albums/{}", listing.id), "cover_art_url": "", "full_title": format!("{} by {}", listing.title, v.artists[main].name),
                             "id": listing.id.parse::<u64>().unwrap_or(0), "name": listing.title, "url": format!("https://genius.com/albums/{}", listing.id),
                             "artist": artist_json(s, album.credits[0].artist) });
        j["release_date"] = if year_only { Value::Null } else { json!(r.date) };
        let mut media = Vec::new();
        if let Some(sp) = s.views.get("spotify").and_then(|sv| sv.releases[song.release].as_ref())
            && let Some(t) = sp.tracks.iter().find(|t| t.recording == song.recording)
        {
            media.push(json!({ "provider": "spotify", "type": "audio", "url": format!("https://open.spotify.com/track/{}", t.id) }));
        }
        j["media"] = json!(media);
        j["apple_music_id"] = s
            .views
            .get("apple_music")
            .and_then(|av| av.releases[song.release].as_ref())
            .and_then(|l| l.tracks.iter().find(|t| t.recording == song.recording))
            .map_or(Value::Null, |t| json!(t.id));
    }
    j
}

async fn search_songs(State(s): St, headers: HeaderMap, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers) {
        return r;
    }
    let q = p.get("q").cloned().unwrap_or_default();
    let v = view(&s);
    let c = &s.catalog;
    // Genius ranks songs: the best-matching artists' songs first, or songs by title.
    let mut artists: Vec<(u32, usize)> = (0..v.artists.len())
        .filter(|&i| v.artists[i].known)
        .map(|i| (search::score(&q, &v.artists[i].name), i))
        .filter(|(score, _)| *score >= 60)
        .collect();
    artists.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut hits: Vec<Value> = Vec::new();
    for &(_, a) in &artists {
        hits.extend(songs_of(&s, a).iter().take(5).map(|song| song_json(&s, song, false)));
    }
    if hits.is_empty() {
        for (i, l) in v.releases.iter().enumerate().filter_map(|(i, l)| l.as_ref().map(|l| (i, l))) {
            for (k, t) in l.tracks.iter().enumerate() {
                if search::score(&q, &c.recordings[t.recording].title) >= 90 {
                    hits.push(song_json(
                        &s,
                        &Song { id: t.id.clone(), recording: t.recording, release: i, position: k },
                        false,
                    ));
                }
            }
        }
    }
    let hits: Vec<Value> = hits
        .into_iter()
        .take(10)
        .map(|r| json!({ "highlights": [], "index": "song", "type": "song", "result": r }))
        .collect();
    wrapped(StatusCode::OK, json!({ "hits": hits }))
}

async fn artist_songs(State(s): St, headers: HeaderMap, Path(id): Path<String>, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &headers) {
        return r;
    }
    let Some(artist) = view(&s).artist_by_id(&id) else {
        return failure(StatusCode::NOT_FOUND, "404 Not Found");
    };
    let per_page = p.get("per_page").and_then(|v| v.parse().ok()).unwrap_or(20usize).clamp(1, 50);
    let page = p.get("page").and_then(|v| v.parse().ok()).unwrap_or(1usize).max(1);
    let mut songs = songs_of(&s, artist);
    if p.get("sort").map(String::as_str) != Some("popularity") {
        songs.sort_by_key(|song| {
            view(&s).releases[song.release].as_ref().expect("listed").tracks[song.position].title.to_lowercase()
        });
    }
    let items: Vec<Value> =
        songs.iter().skip((page - 1) * per_page).take(per_page).map(|song| song_json(&s, song, false)).collect();
    let next = if page * per_page < songs.len() { json!(page + 1) } else { Value::Null };
    wrapped(StatusCode::OK, json!({ "songs": items, "next_page": next }))
}

async fn song(State(s): St, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&s, &headers) {
        return r;
    }
    match find_song(&s, &id) {
        Some(song) => wrapped(StatusCode::OK, json!({ "song": song_json(&s, &song, true) })),
        None => failure(StatusCode::NOT_FOUND, "404 Not Found"),
    }
}
