//! The iTunes Search API (`/search`, `/lookup`): free, keyless, about 20 calls a
//! minute, and the same catalog ids as Apple Music, so it shows Apple Music's view.
//! Lookups take several ids at once (`id=1,2,3`) and answer with wrapper objects:
//! the artist or collection first, then what `entity` asked for. No UPC, no ISRC.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::catalog::AlbumKind;
use crate::views::{Listing, View};
use crate::{Shared, search};

type Params = Query<BTreeMap<String, String>>;
type St = State<Arc<Shared>>;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/search", get(search_handler)).route("/lookup", get(lookup))
}

fn view(s: &Shared) -> &View {
    s.view("apple_music")
}

fn answer(results: Vec<Value>) -> Response {
    Json(json!({ "resultCount": results.len(), "results": results })).into_response()
}

fn country(p: &BTreeMap<String, String>) -> (String, &'static str, &'static str) {
    match p.get("country").map(|c| c.to_lowercase()).as_deref() {
        Some("gb") => ("gb".into(), "GBR", "GBP"),
        Some("de") => ("de".into(), "DEU", "EUR"),
        _ => ("us".into(), "USA", "USD"),
    }
}

fn artist_json(s: &Shared, idx: usize, sf: &str) -> Value {
    let a = &view(s).artists[idx];
    json!({ "wrapperType": "artist", "artistType": "Artist", "artistName": a.name,
            "artistLinkUrl": format!("https://music.apple.com/{sf}/artist/x/{}?uo=4", a.id),
            "artistId": a.id.parse::<u64>().unwrap_or(0), "amgArtistId": 5000 + idx, "primaryGenreName": "Pop", "primaryGenreId": 14 })
}

/// iTunes' words: `explicit`, `cleaned` (an edited version) or `notExplicit`.
fn explicitness(explicit: bool) -> &'static str {
    if explicit { "explicit" } else { "notExplicit" }
}

fn collection_json(s: &Shared, i: usize, l: &Listing, p: &BTreeMap<String, String>) -> Value {
    let (sf, country, currency) = country(p);
    let c = &s.catalog;
    let r = &c.releases[i];
    let album = &c.albums[r.album];
    let main = album.credits[0].artist;
    let artist_id = view(s).artists[main].id.parse::<u64>().unwrap_or(0);
    json!({ "wrapperType": "collection", "collectionType": if album.kind == AlbumKind::Compilation { "Compilation" } else { "Album" },
            "artistId": artist_id, "collectionId": l.id.parse::<u64>().unwrap_or(0), "amgArtistId": 5000 + main,
            "artistName": c.credit_name(&album.credits), "collectionName": l.title, "collectionCensoredName": l.title,
            "artistViewUrl": format!("https://music.apple.com/{sf}/artist/x/{artist_id}?uo=4"),
            "collectionViewUrl": format!("https://music.apple.com/{sf}/album/x/{}?uo=4", l.id),
            "artworkUrl60": "https://is1-ssl.mzstatic.com/image/thumb/60x60bb.jpg", "artworkUrl100": "https://is1-ssl.mzstatic.com/image/thumb/100x100bb.jpg",
            "collectionPrice": 9.99, "collectionExplicitness": explicitness(c.is_explicit_release(r)), "trackCount": l.tracks.len(),
            "copyright": format!("℗ {} {}", &r.date[..4], r.label), "country": country, "currency": currency,
            "releaseDate": format!("{}T08:00:00Z", r.date), "primaryGenreName": "Pop" })
}

fn track_json(s: &Shared, i: usize, l: &Listing, pos: usize, p: &BTreeMap<String, String>) -> Value {
    let mut v = collection_json(s, i, l, p);
    let t = &l.tracks[pos];
    let rec = &s.catalog.recordings[t.recording];
    let extra = json!({ "wrapperType": "track", "kind": "song", "trackId": t.id.parse::<u64>().unwrap_or(0),
        "trackName": t.title, "trackCensoredName": t.title,
        "trackViewUrl": format!("{}&i={}", v["collectionViewUrl"].as_str().unwrap_or(""), t.id),
        "previewUrl": format!("https://audio-ssl.itunes.apple.com/itunes-assets/AudioPreview/{}.m4a", t.id),
        "artworkUrl30": "https://is1-ssl.mzstatic.com/image/thumb/30x30bb.jpg", "trackPrice": 0.99,
        "trackExplicitness": explicitness(s.catalog.is_explicit(t.recording)), "discCount": 1, "discNumber": 1, "trackNumber": pos + 1,
        "trackTimeMillis": rec.length_ms, "isStreamable": true });
    let obj = v.as_object_mut().expect("object");
    for k in ["collectionType", "amgArtistId", "copyright"] {
        obj.remove(k);
    }
    for (k, x) in extra.as_object().expect("object") {
        obj.insert(k.clone(), x.clone());
    }
    v
}

async fn search_handler(State(s): St, Query(p): Params) -> Response {
    if !s.admit("itunes") {
        // Apple answers an over-eager client with 403, not 429.
        return (StatusCode::FORBIDDEN, "<html><body>403 Forbidden</body></html>").into_response();
    }
    let term = p.get("term").cloned().unwrap_or_default().replace('+', " ");
    let limit = p.get("limit").and_then(|l| l.parse().ok()).unwrap_or(50usize).clamp(1, 200);
    let v = view(&s);
    let (sf, _, _) = country(&p);
    let results = match p.get("entity").map(String::as_str) {
        Some("musicArtist") => {
            let mut hits: Vec<(u32, usize)> = (0..v.artists.len())
                .filter(|&i| v.artists[i].known)
                .map(|i| (search::score(&term, &v.artists[i].name), i))
                .filter(|(score, _)| *score >= 30)
                .collect();
            hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            hits.iter().take(limit).map(|&(_, i)| artist_json(&s, i, &sf)).collect()
        }
        _ => Vec::new(),
    };
    answer(results)
}

async fn lookup(State(s): St, Query(p): Params) -> Response {
    if !s.admit("itunes") {
        return (StatusCode::FORBIDDEN, "<html><body>403 Forbidden</body></html>").into_response();
    }
    let v = view(&s);
    let c = &s.catalog;
    let (sf, _, _) = country(&p);
    let limit = p.get("limit").and_then(|l| l.parse().ok()).unwrap_or(50usize).clamp(1, 200);
    let entity = p.get("entity").cloned().unwrap_or_default();
    let mut results = Vec::new();
    if let Some(upc) = p.get("upc") {
        // Matched against the UPC Apple holds, as given.
        for (i, l) in v.releases.iter().enumerate().filter_map(|(i, l)| l.as_ref().map(|l| (i, l))) {
            if l.barcode.as_deref() == Some(upc.as_str()) {
                results.push(collection_json(&s, i, l, &p));
                if entity == "song" {
                    results.extend((0..l.tracks.len()).map(|k| track_json(&s, i, l, k, &p)));
                }
            }
        }
    }
    for id in p.get("id").map(String::as_str).unwrap_or("").split(',').map(str::trim).filter(|i| !i.is_empty()) {
        if let Some(a) = v.artist_by_id(id) {
            results.push(artist_json(&s, a, &sf));
            if entity == "album" {
                results.extend(v.releases_of(c, a).take(limit).map(|(i, l)| collection_json(&s, i, l, &p)));
            }
        } else if let Some(i) = v.release_by_id(id) {
            let l = v.releases[i].as_ref().expect("listed");
            results.push(collection_json(&s, i, l, &p));
            if entity == "song" {
                results.extend((0..l.tracks.len()).take(limit).map(|k| track_json(&s, i, l, k, &p)));
            }
        }
    }
    answer(results)
}
