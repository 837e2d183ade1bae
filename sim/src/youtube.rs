//! YouTube Data API v3: channel search (`search.list`), `channels.list` for the
//! uploads playlist, `playlistItems.list` paged by `pageToken`. A `key` is required;
//! every call is charged against the project's day (10,000 units, plus 100
//! `search.list` calls in a bucket of their own since June 2026), and a spent day
//! answers 403 `quotaExceeded`.
//!
//! Uploads are titled the way labels and artists title them: "Artist - Song (Official
//! Video)", the artist only in the channel name ("Song (Lyric Video)" on "Artist -
//! Topic"), quotes, pipes, "ft.", live versions, the song before the artist, and
//! uploads that are no song at all.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::catalog::{Catalog, RecordingIdx};
use crate::views::{self, IdStyle, Profile, View};
use crate::{Shared, search};

type Params = Query<BTreeMap<String, String>>;
type St = State<Arc<Shared>>;

/// A project's daily budget, as YouTube counts it.
#[derive(Debug, Clone, Copy)]
pub struct YouTubeQuota {
    pub units: u64,
    /// `search.list` calls, a bucket of their own.
    pub search_calls: u64,
}

impl Default for YouTubeQuota {
    fn default() -> Self {
        YouTubeQuota { units: 10_000, search_calls: 100 }
    }
}

#[derive(Default)]
pub(crate) struct Spent {
    units: u64,
    search_calls: u64,
}

pub(crate) type Ledger = Mutex<Spent>;

pub(crate) fn profile() -> Profile {
    Profile {
        provider: "youtube",
        artist_share: 0.7,
        release_share: 0.6,
        ids: IdStyle::YouTube,
        barcode: None,
        barcode_missing: 1.0,
        isrc_shown: 0.0,
        release_title: views::plain_release_title,
        track_title: video_title,
        numbers_homonyms: false,
    }
}

const VENUES: &[&str] = &["Glastonbury 2019", "Red Rocks", "the BBC", "Wembley Stadium", "KEXP"];

/// An upload's title for a recording, in one of the conventions channels use.
fn video_title(rng: &mut ChaCha8Rng, c: &Catalog, rec: RecordingIdx) -> String {
    let r = &c.recordings[rec];
    let a = c.credit_name(&r.credits);
    let t = &r.title;
    if r.version == "Live" {
        return format!("{a} - {t} (Live at {})", VENUES.choose(rng).expect("venues"));
    }
    if !r.version.is_empty() {
        return format!("{a} - {t} ({})", r.version);
    }
    if let Some(f) = views::featured(c, rec).filter(|_| rng.random_bool(0.7)) {
        return format!("{a} - {t} ft. {f} (Official Video)");
    }
    match rng.random_range(0..20) {
        0..=5 => format!("{a} - {t} (Official Video)"),
        6..=7 => format!("{a} - {t} [Official Music Video]"),
        8..=9 => format!("{a} – {t} (Official Audio)"),
        10..=11 => format!("{t} (Lyric Video)"),
        12 => format!("{a} \"{t}\" (Official Video)"),
        13 => format!("{a} | {t} | Official Visualizer"),
        14 => format!("{t} - {a}"),
        15 => format!("{a} - {t} (Official Video) [4K]"),
        16 => t.to_uppercase(),
        _ => format!("{a} - {t}"),
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/search", get(search_channels))
        .route("/channels", get(channels))
        .route("/playlistItems", get(playlist_items))
}

fn error(status: StatusCode, reason: &str, domain: &str, message: &str) -> Response {
    let e = json!({ "message": message, "domain": domain, "reason": reason });
    // Google's canonical code beside the HTTP one, as the real 403 body has it.
    let canonical = match status {
        StatusCode::BAD_REQUEST => "INVALID_ARGUMENT",
        StatusCode::FORBIDDEN => "PERMISSION_DENIED",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        _ => "UNKNOWN",
    };
    let body = json!({ "error": { "code": status.as_u16(), "message": message, "errors": [e], "status": canonical } });
    (status, Json(body)).into_response()
}

fn view(s: &Shared) -> &View {
    s.view("youtube")
}

/// The key, then the day's budget: `search.list` from its own bucket, the rest in units.
fn gate(s: &Shared, p: &BTreeMap<String, String>, search: bool) -> Option<Response> {
    let key_ok = match (s.secret("youtube"), p.get("key")) {
        (_, None) => false,
        (Some(want), Some(got)) => want == got,
        (None, Some(got)) => !got.is_empty(),
    };
    if !key_ok {
        return Some(error(
            StatusCode::BAD_REQUEST,
            "badRequest",
            "global",
            "API key not valid. Please pass a valid API key.",
        ));
    }
    let mut spent = s.youtube_spent.lock().expect("quota lock");
    let over =
        if search { spent.search_calls >= s.youtube_quota.search_calls } else { spent.units >= s.youtube_quota.units };
    if over {
        s.count_over_limit("youtube");
        return Some(error(
            StatusCode::FORBIDDEN,
            "quotaExceeded",
            "youtube.quota",
            "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.",
        ));
    }
    if search {
        spent.search_calls += 1;
    } else {
        spent.units += 1;
    }
    None
}

/// Channel ids are "UC" + 22 characters; the uploads playlist swaps "UC" for "UU".
fn channel_id(s: &Shared, artist: usize) -> String {
    format!("UC{}", &format!("{:0<22}", view(s).artists[artist].id)[..22])
}

/// How the artist's channel is named: plainly, VEVO, or the auto-generated Topic.
fn channel_title(s: &Shared, artist: usize) -> String {
    let name = &view(s).artists[artist].name;
    match view(s).artists[artist].id.as_bytes()[0] % 4 {
        0 => format!("{}VEVO", name.replace(' ', "")),
        1 => format!("{name} - Topic"),
        _ => name.clone(),
    }
}

fn thumbnails(id: &str) -> Value {
    json!({ "default": { "url": format!("https://i.ytimg.com/vi/{id}/default.jpg"), "width": 120, "height": 90 } })
}

fn artist_of_channel(s: &Shared, id: &str) -> Option<usize> {
    (0..view(s).artists.len()).find(|&a| {
        view(s).artists[a].known && (channel_id(s, a) == id || format!("UU{}", &channel_id(s, a)[2..]) == id)
    })
}

/// The artist's uploads: one video per recording they lead on listed releases, and a
/// couple of uploads that are not songs.
fn uploads(s: &Shared, artist: usize) -> Vec<(String, String)> {
    let c = &s.catalog;
    let v = view(s);
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (_, l) in v.releases_of(c, artist) {
        for t in &l.tracks {
            if c.recordings[t.recording].credits[0].artist == artist && !seen.contains(&t.recording) {
                seen.push(t.recording);
                out.push((t.id.clone(), t.title.clone()));
            }
        }
    }
    let name = &c.artists[artist].name;
    let id = &v.artists[artist].id;
    out.insert(out.len() / 2, (format!("{}bts", &id[..8]), format!("{name} - Behind The Scenes")));
    out.push((format!("{}tour", &id[..7]), format!("{name} World Tour 2026 Announcement")));
    out
}

/// The recording behind an upload, for tests: `None` for uploads that are no song.
pub fn video_recording(view: &View, video_id: &str) -> Option<RecordingIdx> {
    let (i, k) = view.track_by_id(video_id)?;
    Some(view.releases[i].as_ref()?.tracks[k].recording)
}

async fn search_channels(State(s): St, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &p, true) {
        return r;
    }
    if p.get("type").map(String::as_str) != Some("channel") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalidParameter",
            "youtube.parameter",
            "the simulator searches channels only",
        );
    }
    let q = p.get("q").cloned().unwrap_or_default();
    let max = p.get("maxResults").and_then(|m| m.parse().ok()).unwrap_or(5usize).min(50);
    let v = view(&s);
    let mut hits: Vec<(u32, usize)> = (0..v.artists.len())
        .filter(|&a| v.artists[a].known)
        .map(|a| (search::score(&q, &v.artists[a].name), a))
        .filter(|(score, _)| *score >= 60)
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let items: Vec<Value> = hits
        .iter()
        .take(max)
        .map(|&(_, a)| {
            let id = channel_id(&s, a);
            let title = channel_title(&s, a);
            json!({ "kind": "youtube#searchResult", "etag": format!("e{id}"), "id": { "kind": "youtube#channel", "channelId": id },
                    "snippet": { "publishedAt": "2012-03-01T00:00:00Z", "channelId": id, "title": title, "description": "",
                                 "thumbnails": thumbnails(&id), "channelTitle": title, "liveBroadcastContent": "none",
                                 "publishTime": "2012-03-01T00:00:00Z" } })
        })
        .collect();
    Json(json!({ "kind": "youtube#searchListResponse", "etag": "search", "regionCode": "US",
                 "pageInfo": { "totalResults": hits.len(), "resultsPerPage": max }, "items": items }))
    .into_response()
}

async fn channels(State(s): St, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &p, false) {
        return r;
    }
    let items: Vec<Value> = p
        .get("id")
        .map(String::as_str)
        .unwrap_or("")
        .split(',')
        .filter_map(|id| artist_of_channel(&s, id.trim()).map(|a| (id.trim().to_string(), a)))
        .map(|(id, a)| {
            json!({ "kind": "youtube#channel", "etag": format!("c{id}"), "id": id,
                    "snippet": { "title": channel_title(&s, a), "description": "", "publishedAt": "2012-03-01T00:00:00Z" },
                    "contentDetails": { "relatedPlaylists": { "likes": "", "uploads": format!("UU{}", &id[2..]) } } })
        })
        .collect();
    Json(json!({ "kind": "youtube#channelListResponse", "etag": "channels",
                 "pageInfo": { "totalResults": items.len(), "resultsPerPage": 5 }, "items": items }))
    .into_response()
}

async fn playlist_items(State(s): St, Query(p): Params) -> Response {
    if let Some(r) = gate(&s, &p, false) {
        return r;
    }
    let playlist = p.get("playlistId").cloned().unwrap_or_default();
    let Some(artist) = artist_of_channel(&s, &playlist) else {
        return error(
            StatusCode::NOT_FOUND,
            "playlistNotFound",
            "youtube.playlistItem",
            "The playlist identified with the request's playlistId parameter cannot be found.",
        );
    };
    let max = p.get("maxResults").and_then(|m| m.parse().ok()).unwrap_or(5usize).min(50);
    let offset = p.get("pageToken").and_then(|t| t.strip_prefix("EAAa")).and_then(|n| n.parse().ok()).unwrap_or(0usize);
    let all = uploads(&s, artist);
    let channel = channel_id(&s, artist);
    let title = channel_title(&s, artist);
    let items: Vec<Value> = all
        .iter()
        .enumerate()
        .skip(offset)
        .take(max)
        .map(|(k, (vid, vtitle))| {
            json!({ "kind": "youtube#playlistItem", "etag": format!("p{vid}"), "id": format!("{playlist}.{vid}"),
                    "snippet": { "publishedAt": "2020-01-01T00:00:00Z", "channelId": channel, "title": vtitle, "description": "",
                                 "thumbnails": thumbnails(vid), "channelTitle": title, "playlistId": playlist, "position": k,
                                 "resourceId": { "kind": "youtube#video", "videoId": vid },
                                 "videoOwnerChannelTitle": title, "videoOwnerChannelId": channel },
                    "contentDetails": { "videoId": vid, "videoPublishedAt": "2020-01-01T00:00:00Z" } })
        })
        .collect();
    let mut body = json!({ "kind": "youtube#playlistItemListResponse", "etag": "items", "items": items,
                           "pageInfo": { "totalResults": all.len(), "resultsPerPage": max } });
    if offset + max < all.len() {
        body["nextPageToken"] = json!(format!("EAAa{:06}", offset + max));
    }
    Json(body).into_response()
}
