//! The simulator must not drift from the real APIs, either way: every key it sends
//! exists in the matching real response (shared/fixtures/real), nested the same way,
//! with the same JSON type wherever both sides hold a value; and every key the real
//! response has, the simulator sends, unless [`SIM_LACKS`] says why it need not.

use std::path::Path;

use liner_extract::http::HttpStack;
use liner_extract::request::Request;
use serde_json::Value;

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Real keys the simulator leaves out, each with why liner can do without it: (the
/// check, the keys' paths as `drift` names them, each with what is below it, why).
/// What liner reads is never here: a gap in it would let the simulator pass where the
/// real API would not.
pub const SIM_LACKS: &[(&str, &[&str], &str)] = &[
    (
        "spotify /albums/{id}",
        &[".available_markets", ".tracks.items[0].available_markets", ".label", ".popularity"],
        "a development-mode app's answers, as the simulator gives them, lack markets, label and popularity (2026)",
    ),
    ("spotify /tracks/{id}", &[".available_markets", ".album.available_markets", ".popularity"], "development mode"),
    ("spotify /albums/{id}/tracks", &[".items[0].available_markets"], "development mode"),
    ("spotify /artists/{id}/albums", &[".items[0].available_markets", ".items[0].album_group"], "development mode"),
    (
        "spotify /search?type=artist",
        &[".artists.items[0].followers", ".artists.items[0].popularity"],
        "development mode",
    ),
    (
        "spotify extended",
        &["/browse/new-releases.albums.items[0].available_markets"],
        "markets: liner asks in one market and reads none",
    ),
    (
        "musicbrainz /release/{mbid}",
        &[
            ".aliases",
            ".annotation",
            ".asin",
            ".collections",
            ".genres",
            ".tags",
            ".relations",
            ".media[0].data-tracks",
            ".media[0].discs",
            ".release-events[0].area",
            ".label-info[0].label",
            ".artist-credit[0].artist",
            ".media[0].tracks[0].artist-credit[0].artist",
            ".media[0].tracks[0].recording.aliases",
            ".media[0].tracks[0].recording.artist-credit[0].artist",
            ".media[0].tracks[0].recording.genres",
            ".media[0].tracks[0].recording.rating",
            ".media[0].tracks[0].recording.relations",
            ".media[0].tracks[0].recording.tags",
            ".release-group.aliases",
            ".release-group.artist-credit[0].artist",
            ".release-group.genres",
            ".release-group.rating",
            ".release-group.relations",
            ".release-group.tags",
        ],
        "the recording asked for every inc= there is; liner asks for recordings, ISRCs, credits, labels and release \
         groups, and reads no aliases, areas, ratings, genres or relations of the credited entities",
    ),
    (
        "musicbrainz /release?artist=",
        &[".releases[0].asin", ".releases[0].release-events[0].area"],
        "an area's details and the ASIN: not read",
    ),
    (
        "musicbrainz /artist/{mbid}",
        &[".area", ".begin-area", ".end-area", ".gender", ".gender-id", ".ipis", ".isnis", ".rating"],
        "who the artist is beyond name, links and tags: not read",
    ),
    (
        "musicbrainz /isrc/{isrc} recordings[0]",
        &[".aliases", ".artist-credit", ".isrcs", ".relations", ".tags"],
        "the recording asked for more inc= than liner does",
    ),
    (
        "musicbrainz /isrc/{isrc} releases",
        &[
            ".aliases",
            ".annotation",
            ".artist-credit",
            ".asin",
            ".collections",
            ".cover-art-archive",
            ".genres",
            ".label-info",
            ".media",
            ".packaging",
            ".packaging-id",
            ".quality",
            ".relations",
            ".release-events",
            ".release-group",
            ".status-id",
            ".tags",
            ".text-representation",
        ],
        "the recording asked for inc=releases with more than liner does; liner looks each release up itself",
    ),
    (
        "musicbrainz /recording?query=isrc:",
        &[
            ".recordings[0].artist-credit[0].artist.aliases",
            ".recordings[0].first-release-date",
            ".recordings[0].releases",
            ".recordings[0].tags",
        ],
        "search hits' extras: liner reads the recording's id, title and ISRCs",
    ),
    (
        "musicbrainz /release-group?artist= release-groups[0]",
        &[".releases", ".tags", ".user-tags"],
        "inc= liner does not ask",
    ),
    (
        "deezer search",
        &["/artist/{id}/albums data[0].artist", "/artist/{id}/albums data[0].nb_tracks"],
        "this compares an artist's album list with search hits: a hit carries its artist and track count, an \
         artist's list (the real one too) does not",
    ),
    ("deezer /artist/{id}/albums", &[".next"], "the simulated artist's albums fit one page: the last has no `next`"),
    (
        "deezer /chart/0/tracks",
        &[
            ".data[0].artist.link",
            ".data[0].artist.picture",
            ".data[0].artist.picture_big",
            ".data[0].artist.picture_medium",
            ".data[0].artist.picture_small",
            ".data[0].artist.picture_xl",
            ".data[0].artist.radio",
        ],
        "artist pictures and links: not read",
    ),
    (
        "apple_music /catalog/{sf}/albums/{id}",
        &[
            ".data[0].attributes.contentRating",
            ".data[0].attributes.editorialNotes",
            ".data[0].relationships.tracks.data[0].attributes.composerName",
            ".data[0].relationships.tracks.data[0].attributes.isAppleDigitalMaster",
        ],
        "contentRating comes only where Apple rates an item (the simulator rates an explicit one in eight, not this \
         one); notes, composers and the mastering flag are not read",
    ),
    (
        "apple_music /catalog/{sf}/charts",
        &[
            ".results.albums[0].data[0].attributes.contentRating",
            ".results.albums[0].data[0].attributes.editorialNotes",
            ".results.songs[0].data[0].attributes.composerName",
        ],
        "contentRating only where rated, as above; notes and composers are not read",
    ),
    (
        "discogs /releases/{id}",
        &[
            ".artists[0].thumbnail_url",
            ".community.contributors",
            ".formats[0].text",
            ".identifiers[0].description",
            ".labels[0].thumbnail_url",
            ".released_formatted",
        ],
        "thumbnails, contributors and display texts: not read",
    ),
    ("lastfm album.getInfo", &[".album.userplaycount", ".album.wiki"], "a user's plays and the wiki: not read"),
    ("lastfm user.getTopTracks, one track", &[".toptracks.track.album", ".toptracks.track.tagcount"], "not read"),
    ("genius /artists/{id}/songs", &[".response.songs[0].pyongs_count"], "not read"),
    (
        "genius /songs/{id}",
        &[
            ".response.song.album.artist.iq",
            ".response.song.primary_artist.iq",
            ".response.song.stats",
            ".response.song.media[0].start",
            ".response.song.apple_music_player_url",
            ".response.song.current_user_metadata",
            ".response.song.custom_performances",
            ".response.song.description",
            ".response.song.description_annotation",
            ".response.song.embed_content",
            ".response.song.fact_track",
            ".response.song.featured_video",
            ".response.song.lyrics_marked_complete_by",
            ".response.song.producer_artists",
            ".response.song.pyongs_count",
            ".response.song.recording_location",
            ".response.song.song_relationships",
            ".response.song.verified_annotations_by",
            ".response.song.verified_contributors",
            ".response.song.verified_lyrics_by",
            ".response.song.writer_artists",
        ],
        "the song page's furniture: liner reads title, artist, album, release date and the media links",
    ),
    (
        "beatport /catalog/search/?type=tracks",
        &[
            ".tracks[0].artists[0].image",
            ".tracks[0].available_worldwide",
            ".tracks[0].bsrc_remixer",
            ".tracks[0].current_status",
            ".tracks[0].encoded_date",
            ".tracks[0].exclusive",
            ".tracks[0].free_download_end_date",
            ".tracks[0].free_download_start_date",
            ".tracks[0].free_downloads",
            ".tracks[0].genre.slug",
            ".tracks[0].genre.url",
            ".tracks[0].image",
            ".tracks[0].is_available_for_streaming",
            ".tracks[0].is_dj_edit",
            ".tracks[0].is_explicit",
            ".tracks[0].is_hype",
            ".tracks[0].is_ugc_remix",
            ".tracks[0].key.chord_type",
            ".tracks[0].key.is_flat",
            ".tracks[0].key.is_sharp",
            ".tracks[0].key.letter",
            ".tracks[0].key.url",
            ".tracks[0].label_track_identifier",
            ".tracks[0].length",
            ".tracks[0].pre_order",
            ".tracks[0].pre_order_date",
            ".tracks[0].price",
            ".tracks[0].publish_status",
            ".tracks[0].release.label.image",
            ".tracks[0].release.slug",
            ".tracks[0].sale_type",
            ".tracks[0].sample_end_ms",
            ".tracks[0].sample_start_ms",
            ".tracks[0].sample_url",
        ],
        "the store's sale and display fields: liner reads ids, names, mix, BPM, the key's name, genre, ISRC, length_ms and the release",
    ),
    (
        "beatport /catalog/tracks/?isrc=",
        &[
            ".results[0].artists[0].image",
            ".results[0].available_worldwide",
            ".results[0].bsrc_remixer",
            ".results[0].current_status",
            ".results[0].encoded_date",
            ".results[0].exclusive",
            ".results[0].free_download_end_date",
            ".results[0].free_download_start_date",
            ".results[0].free_downloads",
            ".results[0].genre.slug",
            ".results[0].genre.url",
            ".results[0].image",
            ".results[0].is_available_for_streaming",
            ".results[0].is_dj_edit",
            ".results[0].is_explicit",
            ".results[0].is_hype",
            ".results[0].is_ugc_remix",
            ".results[0].key.chord_type",
            ".results[0].key.is_flat",
            ".results[0].key.is_sharp",
            ".results[0].key.letter",
            ".results[0].key.url",
            ".results[0].label_track_identifier",
            ".results[0].length",
            ".results[0].pre_order",
            ".results[0].pre_order_date",
            ".results[0].price",
            ".results[0].publish_status",
            ".results[0].release.label.image",
            ".results[0].release.slug",
            ".results[0].sale_type",
            ".results[0].sample_end_ms",
            ".results[0].sample_start_ms",
            ".results[0].sample_url",
        ],
        "as in the search: not read",
    ),
    (
        "youtube /channels",
        &[
            ".items[0].brandingSettings",
            ".items[0].snippet.customUrl",
            ".items[0].snippet.localized",
            ".items[0].snippet.thumbnails",
            ".items[0].statistics",
        ],
        "the recording asked for more parts; liner reads the uploads playlist and the title",
    ),
    (
        "youtube /playlistItems",
        &[
            ".items[0].snippet.thumbnails.high",
            ".items[0].snippet.thumbnails.maxres",
            ".items[0].snippet.thumbnails.medium",
            ".items[0].snippet.thumbnails.standard",
        ],
        "thumbnails beyond the default: not read",
    ),
    (
        "youtube /search?type=channel",
        &[
            ".items[0].id.videoId",
            ".items[0].snippet.thumbnails.high",
            ".items[0].snippet.thumbnails.medium",
            ".nextPageToken",
        ],
        "the recording is a video search's; liner reads a channel hit's id and title, one page",
    ),
];

/// A key the simulator lacks that [`SIM_LACKS`] allows (`p` is `<check>: <path>: ...`).
pub fn lack_allowed(p: &str) -> bool {
    lack_allowed_by(SIM_LACKS, p)
}

/// A key the simulator lacks that `lacks` allows: a provider's test may keep its own.
pub fn lack_allowed_by(lacks: &[(&str, &[&str], &str)], p: &str) -> bool {
    p.ends_with("in the real response, not simulated")
        && lacks.iter().any(|(check, keys, _)| {
            p.strip_prefix(check).and_then(|rest| rest.strip_prefix(": ")).is_some_and(|path| {
                keys.iter().any(|k| path.strip_prefix(k).is_some_and(|after| after.starts_with([':', '.', '['])))
            })
        })
}

/// Paths where the simulated value has a key or type the real one lacks, or lacks a
/// key the real one has.
pub fn drift(sim: &Value, real: &Value, path: &str, out: &mut Vec<String>) {
    match (sim, real) {
        (_, Value::Null) | (Value::Null, _) => {}
        (Value::Object(s), Value::Object(r)) => {
            for (k, v) in s {
                match r.get(k) {
                    None => out.push(format!("{path}.{k}: not in the real response")),
                    Some(rv) => drift(v, rv, &format!("{path}.{k}"), out),
                }
            }
            for k in r.keys().filter(|k| !s.contains_key(*k)) {
                out.push(format!("{path}.{k}: in the real response, not simulated"));
            }
        }
        (Value::Array(s), Value::Array(r)) => {
            if let (Some(s0), Some(r0)) = (s.first(), r.first()) {
                drift(s0, r0, &format!("{path}[0]"), out);
            }
        }
        (s, r) if kind(s) != kind(r) => out.push(format!("{path}: {} here, {} in the real response", kind(s), kind(r))),
        _ => {}
    }
}

/// The drift of each (check, simulated, real) body, less what [`SIM_LACKS`] allows;
/// and the allowances that matched nothing.
pub fn shape_problems<'a>(checks: impl IntoIterator<Item = (&'a str, &'a Value, &'a Value)>) -> Vec<String> {
    shape_problems_by(SIM_LACKS, checks)
}

/// [`shape_problems`] with a provider's own allowances: a provider's test may keep them.
pub fn shape_problems_by<'a>(
    lacks: &[(&str, &[&str], &str)],
    checks: impl IntoIterator<Item = (&'a str, &'a Value, &'a Value)>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (what, sim_body, real_body) in checks {
        let mut out = Vec::new();
        drift(sim_body, real_body, "", &mut out);
        problems.extend(out.into_iter().map(|p| format!("{what}: {p}")));
    }
    problems.retain(|p| !lack_allowed_by(lacks, p));
    problems
}

pub fn real(file: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/real").join(file);
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

/// The body with its one root key renamed: Last.fm names a list's root by its method.
fn renamed(mut body: Value, from: &str, to: &str) -> Value {
    let inner = body[from].take();
    serde_json::json!({ to: inner })
}

pub fn get(sim: &liner_sim::Sim, provider: &'static str, request: Request) -> Value {
    let (status, body) = answer(sim, provider, request);
    assert_eq!(status, 200, "{body}");
    body
}

/// The simulator's HTTP status and body, whatever the status.
pub fn answer(sim: &liner_sim::Sim, provider: &'static str, request: Request) -> (u16, Value) {
    let mut config = liner_extract::Provider::parse(provider).unwrap().default_config();
    config.base_url = sim.base_url(provider);
    config.user_agent = Some("liner-tests/0.1 ( tests@example.invalid )".into());
    config.rate.requests = 100;
    // The simulator checks no token of its own issuing unless a test asks it to; a
    // provider that wants a token or key of one's own takes any.
    use liner_extract::auth::AuthConfig;
    use liner_extract::secret::Secret;
    config.auth = match liner_sim::Sim::client(provider).expect("a simulated provider").credentials {
        liner_sim::Credentials::Bearer => AuthConfig::Bearer { token: Secret::new("any") },
        liner_sim::Credentials::QueryKey(param) => AuthConfig::Query { param: param.into(), value: Secret::new("any") },
        liner_sim::Credentials::Header(name, prefix) => {
            AuthConfig::Header { name: name.into(), value: Secret::new(format!("{prefix}any")) }
        }
        _ => Default::default(),
    };
    let stack = HttpStack::new(provider, &config, liner_extract::http::status_says_it_all).unwrap();
    let fetched = tokio::runtime::Runtime::new().unwrap().block_on(stack.get(&request)).unwrap();
    let body = serde_json::from_str(&fetched.body).unwrap_or_else(|e| panic!("{e}: {}", fetched.body));
    (fetched.status, body)
}

#[test]
fn simulated_responses_have_the_real_shapes() {
    let sim = crate::common::sim(3, 10, 100);
    let c = sim.catalog();
    let release = c.releases.iter().find(|r| r.musicbrainz.is_some() && r.deezer.is_some()).expect("a release on both");
    let dz = release.deezer.as_ref().unwrap();
    let mb = release.musicbrainz.as_ref().unwrap();
    let artist = &c.artists[c.albums[release.album].credits[0].artist];

    let checks = [
        (
            "deezer /album/{id}",
            get(&sim, "deezer", Request::new("albums", format!("/album/{}", dz.id))),
            real("deezer/album_302127_discovery.json"),
        ),
        (
            "deezer /album/{id}/tracks",
            get(&sim, "deezer", Request::new("album_tracks", format!("/album/{}/tracks", dz.id))),
            real("deezer/album_302127_tracks_discovery.json"),
        ),
        (
            "musicbrainz /release/{mbid}",
            get(
                &sim,
                "musicbrainz",
                Request::new("releases", format!("/release/{}", mb.mbid))
                    .param("inc", "recordings+isrcs+artist-credits+labels+release-groups")
                    .param("fmt", "json"),
            ),
            real("musicbrainz/release_c9d52105_meteora_lookup.json"),
        ),
        (
            "musicbrainz /artist/{mbid}",
            get(&sim, "musicbrainz", Request::new("artists", format!("/artist/{}", artist.mbid)).param("fmt", "json")),
            real("musicbrainz/artist_db92a151_rick-astley.json"),
        ),
    ];
    let spotify = sim.view("spotify");
    let (sp_index, sp_album) =
        spotify.releases.iter().enumerate().find_map(|(i, l)| l.as_ref().map(|l| (i, l))).expect("a Spotify album");
    let sp_artist = &spotify.artists[c.albums[c.releases[sp_index].album].credits[0].artist];
    let spotify_checks = [
        (
            "spotify /albums/{id}",
            get(&sim, "spotify", Request::new("albums", format!("/albums/{}", sp_album.id))),
            real("spotify/album_5l3zEmMrOhOzG8d8s83GOL_despicable-me-2.json"),
        ),
        (
            "spotify /tracks/{id}",
            get(&sim, "spotify", Request::new("tracks", format!("/tracks/{}", sp_album.tracks[0].id))),
            real("spotify/track_6NPVjNh8Jhru9xOmyQigds_happy.json"),
        ),
        (
            "spotify /search?type=artist",
            get(
                &sim,
                "spotify",
                Request::new("artist_search", "/search").param("type", "artist").param("q", &sp_artist.name),
            ),
            real("spotify/search_artist_q-u2.json"),
        ),
    ];
    let discogs = sim.view("discogs");
    let dg_release = discogs.releases.iter().flatten().next().expect("a Discogs release");
    let apple_album = sim.view("apple_music").releases.iter().flatten().next().expect("an Apple Music album");
    let lastfm_album = Request::new("albums", "/")
        .param("method", "album.getInfo")
        .param("artist", &artist.name)
        .param("album", &c.albums[release.album].title)
        .param("format", "json");
    let other_checks = [
        (
            "discogs /releases/{id}",
            get(&sim, "discogs", Request::new("releases", format!("/releases/{}", dg_release.id))),
            real("discogs/release_8604223_pink-floyd_ummagumma.json"),
        ),
        ("lastfm album.getInfo", get(&sim, "lastfm", lastfm_album), real("lastfm/album.getinfo_cher_believe.json")),
        (
            "itunes /lookup?entity=song",
            get(
                &sim,
                "itunes",
                Request::new("album_songs", "/lookup")
                    .param("entity", "song")
                    .param("id", &apple_album.id)
                    .param("country", "gb"),
            ),
            real("apple_itunes/lookup_song_id1441458047_gb_queen_a-night-at-the-opera-deluxe.json"),
        ),
    ];
    let beatport = sim.view("beatport");
    let bp_track = beatport
        .releases
        .iter()
        .flatten()
        .flat_map(|l| l.tracks.iter())
        .find(|t| t.isrc.is_some())
        .expect("a Beatport track with an ISRC");
    let beatport_checks = [
        (
            "beatport /catalog/search/?type=tracks",
            get(
                &sim,
                "beatport",
                Request::new("track_search", "/catalog/search/").param("type", "tracks").param("q", &bp_track.title),
            ),
            real("beatport/v4_catalog_search_q-charlotte-de-witte_type-tracks_per_page-3.json"),
        ),
        (
            "beatport /catalog/tracks/?isrc=",
            get(
                &sim,
                "beatport",
                Request::new("tracks", "/catalog/tracks/").param("isrc", bp_track.isrc.as_deref().unwrap_or_default()),
            ),
            real("beatport/v4_catalog_tracks_isrc-GBDUW0000058_digital-love_daft-punk.json"),
        ),
    ];
    assert!(
        beatport_checks[0].1["tracks"].as_array().is_some_and(|t| !t.is_empty())
            && beatport_checks[0].1.get("results").is_none(),
        "search hits under `tracks`, as the real API puts them: {}",
        beatport_checks[0].1
    );
    assert!(beatport_checks[1].1["results"].as_array().is_some_and(|t| !t.is_empty()), "{}", beatport_checks[1].1);
    let problems = shape_problems(
        checks.iter().chain(&spotify_checks).chain(&other_checks).chain(&beatport_checks).map(|(w, s, r)| (*w, s, r)),
    );
    assert!(problems.is_empty(), "the simulator drifted from the real APIs:\n{}", problems.join("\n"));

    // Deezer's search lists share the album list's shape.
    let search = real("deezer/search_album_q-daft-punk.json");
    let albums = get(&sim, "deezer", Request::new("artist_albums", format!("/artist/{}/albums", artist.deezer_id)));
    let mut out = Vec::new();
    drift(&albums["data"][0], &search["data"][0], "/artist/{id}/albums data[0]", &mut out);
    // An artist's album list carries these two; search hits do not.
    let allowed = ["fans", "release_date"];
    out.retain(|p| !allowed.iter().any(|a| p.contains(&format!(".{a}:"))));
    out.retain(|p| !lack_allowed(&format!("deezer search: {p}")));
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn deezer_lookups_by_isrc_and_upc_find_the_item_and_a_miss_is_an_error_body() {
    let sim = crate::common::sim(3, 10, 100);
    let (album, track) = sim
        .catalog()
        .releases
        .iter()
        .filter_map(|r| r.deezer.as_ref())
        .find_map(|d| d.tracks.iter().find(|t| !t.isrc.is_empty()).map(|t| (d, t)))
        .expect("a Deezer track with an ISRC");
    let found = get(&sim, "deezer", Request::new("tracks", format!("/track/isrc:{}", track.isrc)));
    assert_eq!(found["isrc"], track.isrc.as_str());
    let found = get(&sim, "deezer", Request::new("albums", format!("/album/upc:{}", album.upc)));
    assert_eq!(found["id"], album.id);
    let miss = get(&sim, "deezer", Request::new("albums", "/album/upc:0000000000000"));
    assert_eq!(miss["error"]["code"], 800, "{miss}");
}

/// The lists and lookups the real recordings added since (paging envelopes, charts,
/// browse and search answers), each against its simulated endpoint.
#[test]
fn simulated_lists_have_the_real_shapes_too() {
    let sim = crate::common::sim(3, 10, 100);
    let c = sim.catalog();
    let release = c.releases.iter().find(|r| r.musicbrainz.is_some() && r.deezer.is_some()).expect("a release on both");
    let artist = &c.artists[c.albums[release.album].credits[0].artist];
    let spotify = sim.view("spotify");
    let (sp_index, sp_album) =
        spotify.releases.iter().enumerate().find_map(|(i, l)| l.as_ref().map(|l| (i, l))).expect("a Spotify album");
    let sp_artist = &spotify.artists[c.albums[c.releases[sp_index].album].credits[0].artist];
    let discogs = sim.view("discogs");
    let dg_artist = discogs.artists.iter().find(|a| a.known).expect("an artist on Discogs");
    let apple_album = sim.view("apple_music").releases.iter().flatten().next().expect("an Apple Music album");
    let genius = sim.view("genius");
    let gn_artist = genius.artists.iter().find(|a| a.known).expect("an artist on Genius");
    let gn_song = genius.releases.iter().flatten().flat_map(|l| &l.tracks).next().expect("a song on Genius");
    let youtube = sim.view("youtube");
    let yt_artist = youtube.artists.iter().find(|a| a.known).expect("an artist on YouTube");
    // The simulator's channel ids ("UC" and 22 characters from the artist's id), found
    // through its search rather than rebuilt here.
    let found = get(
        &sim,
        "youtube",
        Request::new("channel_search", "/search")
            .param("part", "snippet")
            .param("type", "channel")
            .param("q", &yt_artist.name),
    );
    let channel = found["items"][0]["id"]["channelId"].as_str().expect("a channel found").to_string();
    let uploads = format!("UU{}", &channel[2..]);
    let checks = [
        (
            "deezer /artist/{id}/albums",
            get(&sim, "deezer", Request::new("artist_albums", format!("/artist/{}/albums", artist.deezer_id))),
            real("deezer/artist_27_albums_page1_daft-punk.json"),
        ),
        (
            "deezer /chart/0/tracks",
            get(&sim, "deezer", Request::new("chart_tracks", "/chart/0/tracks")),
            real("deezer/chart_0_tracks.json"),
        ),
        (
            "spotify /artists/{id}/albums",
            get(
                &sim,
                "spotify",
                Request::new("artist_albums", format!("/artists/{}/albums", sp_artist.id))
                    .param("include_groups", "album,single,compilation")
                    .param("limit", 10),
            ),
            real("spotify/artists_7bu3H8JO7d0UbMoVzbo70s_albums_include_groups-all_page1.json"),
        ),
        (
            "spotify /albums/{id}/tracks",
            get(&sim, "spotify", Request::new("album_tracks", format!("/albums/{}/tracks", sp_album.id))),
            real("spotify/albums_2ANVost0y2y52ema1E9xAZ_tracks.json"),
        ),
        (
            "discogs /database/search",
            get(
                &sim,
                "discogs",
                Request::new("release_search", "/database/search").param("q", &dg_artist.name).param("type", "release"),
            ),
            real("discogs/database_search_q-trash80.json"),
        ),
        (
            "musicbrainz /release?artist=",
            get(
                &sim,
                "musicbrainz",
                Request::new("releases", "/release")
                    .param("artist", &artist.mbid)
                    .param("inc", "labels+recordings+isrcs+artist-credits+release-groups")
                    .param("fmt", "json"),
            ),
            real("musicbrainz/browse_release_label_by-label.json"),
        ),
        (
            "genius /artists/{id}/songs",
            get(
                &sim,
                "genius",
                Request::new("artist_songs", format!("/artists/{}/songs", gn_artist.id))
                    .param("sort", "popularity")
                    .param("per_page", 20),
            ),
            real("genius/artists_1123_songs_page1_cl-smooth.json"),
        ),
        (
            "genius /songs/{id}",
            get(&sim, "genius", Request::new("songs", format!("/songs/{}", gn_song.id))),
            real("genius/songs_2872960_24k-magic_bruno-mars.json"),
        ),
        (
            "youtube /channels",
            get(
                &sim,
                "youtube",
                Request::new("channels", "/channels").param("part", "snippet,contentDetails").param("id", &channel),
            ),
            real("youtube/channels_multi_part-contentDetails_google_googledevelopers.json"),
        ),
        (
            "youtube /playlistItems",
            get(
                &sim,
                "youtube",
                Request::new("playlist_items", "/playlistItems")
                    .param("part", "snippet")
                    .param("playlistId", &uploads)
                    .param("maxResults", 50),
            ),
            real("youtube/playlistItems_part-snippet_paged_1_google-developers.json"),
        ),
        (
            "apple_music /catalog/{sf}/albums/{id}",
            get(&sim, "apple_music", Request::new("albums", format!("/catalog/us/albums/{}", apple_album.id))),
            real("apple_music/catalog_us_albums_1616728060_heart-on-my-sleeve_ella-mai.json"),
        ),
    ];
    // An artist's Discogs list mixes releases and masters: each kind against its kind.
    let dg_list = get(&sim, "discogs", Request::new("artist_releases", format!("/artists/{}/releases", dg_artist.id)));
    let dg_real = real("discogs/artists_1_releases_page1_the-persuader.json");
    let of_type = |v: &Value, kind: &str| {
        let first = v["releases"].as_array().and_then(|r| r.iter().find(|e| e["type"] == kind)).cloned();
        serde_json::json!({ "releases": [first.unwrap_or(Value::Null)] })
    };
    let checks = checks.into_iter().chain(
        ["release", "master"]
            .map(|kind| ("discogs /artists/{id}/releases", of_type(&dg_list, kind), of_type(&dg_real, kind))),
    );
    // Keys the simulator may send that these recordings lack, and why.
    let allowed = [
        // Discogs documents `artist` and `stats` on every entry of an artist's list; the
        // recording is older and has neither.
        ("discogs /artists/{id}/releases", ".artist:"),
        ("discogs /artists/{id}/releases", ".stats:"),
        // The browse was recorded without `inc`: what `inc` adds is held against the
        // release lookup's recording in the test above.
        ("musicbrainz /release?artist=", ".artist-credit:"),
        ("musicbrainz /release?artist=", ".label-info:"),
        ("musicbrainz /release?artist=", ".media:"),
        ("musicbrainz /release?artist=", ".release-group:"),
        // Unconfirmed: not in Genius' recordings; the simulator's year-only dates.
        ("genius /artists/{id}/songs", ".release_date_components:"),
        ("genius /songs/{id}", ".release_date_components:"),
        // YouTube documents both on playlistItems; the recording asked for the snippet
        // alone, before the owner's channel joined it (2021).
        ("youtube /playlistItems", ".contentDetails:"),
        ("youtube /playlistItems", ".videoOwnerChannelId:"),
        ("youtube /playlistItems", ".videoOwnerChannelTitle:"),
    ];
    let mut problems = Vec::new();
    for (what, sim_body, real_body) in checks {
        let mut out = Vec::new();
        drift(&sim_body, &real_body, "", &mut out);
        out.retain(|p| !allowed.iter().any(|(w, key)| *w == what && p.contains(key)));
        out.retain(|p| !lack_allowed(&format!("{what}: {p}")));
        problems.extend(out.into_iter().map(|p| format!("{what}: {p}")));
    }
    assert!(problems.is_empty(), "the simulator drifted from the real APIs:\n{}", problems.join("\n"));
}

/// What Spotify answers only in extended-quota mode: new releases and audio features.
#[test]
fn simulated_extended_spotify_has_the_real_shapes() {
    let sim = liner_sim::Sim::start(liner_sim::SimConfig {
        seed: 3,
        artists: 10,
        spotify_extended: true,
        ..liner_sim::SimConfig::default()
    })
    .expect("simulator");
    let spotify = sim.view("spotify");
    let track = spotify.releases.iter().flatten().flat_map(|l| &l.tracks).next().expect("a Spotify track");
    let new = get(&sim, "spotify", Request::new("new_releases", "/browse/new-releases").param("limit", 20));
    let features = get(&sim, "spotify", Request::new("audio_features", format!("/audio-features/{}", track.id)));
    assert!(new["albums"]["items"].as_array().is_some_and(|a| !a.is_empty()), "{new}");
    assert_eq!(features["id"], track.id.as_str(), "{features}");
    let mut out = Vec::new();
    drift(&new, &real("spotify/browse_new-releases.json"), "/browse/new-releases", &mut out);
    // One track's features are one entry of the recorded batch (`?ids=`).
    let batch = real("spotify/audio-features_ids_2tracks.json");
    drift(&features, &batch["audio_features"][0], "/audio-features/{id}", &mut out);
    out.retain(|p| !lack_allowed(&format!("spotify extended: {p}")));
    assert!(out.is_empty(), "the simulator drifted from the real APIs:\n{}", out.join("\n"));
}

/// Searches, charts, identifier lookups, empty lists and error bodies, each against its
/// recording; an error body also comes with the recording's HTTP status.
#[test]
fn simulated_searches_charts_empty_lists_and_errors_have_the_real_shapes() {
    let sim = liner_sim::Sim::start(liner_sim::SimConfig {
        seed: 3,
        artists: 10,
        // No search left for the day: YouTube's 403 error body.
        youtube_quota: liner_sim::youtube::YouTubeQuota { search_calls: 0, ..Default::default() },
        ..liner_sim::SimConfig::default()
    })
    .expect("simulator");
    let c = sim.catalog();
    let recording = c.recordings.iter().find(|r| !r.musicbrainz_isrcs.is_empty()).expect("an ISRC on MusicBrainz");
    let isrc = &recording.musicbrainz_isrcs[0];
    let release = c.releases.iter().find(|r| r.musicbrainz.is_some()).expect("a MusicBrainz release");
    let artist = &c.artists[c.albums[release.album].credits[0].artist];
    let lastfm = |method: &str| Request::new("any", "/").param("method", method).param("format", "json");
    let user_tracks = lastfm("user.getTopTracks").param("user", liner_sim::lastfm::DEMO_USER);
    let (tracks_status, tracks) = answer(&sim, "lastfm", user_tracks.clone().param("limit", 2));
    let pages = tracks["toptracks"]["@attr"]["totalPages"].as_str().expect("pages").parse::<u32>().unwrap();
    let (_, single) = answer(&sim, "lastfm", user_tracks.clone().param("limit", 1));
    assert!(single["toptracks"]["track"].is_object(), "a list of one is an object: {single}");
    let (_, beyond) = answer(&sim, "lastfm", user_tracks.param("limit", 2).param("page", pages + 1));
    assert_eq!(tracks_status, 200, "{tracks}");
    // Each pair: what, (status, simulated body), (status, real body).
    let checks = [
        (
            "musicbrainz /recording?query=isrc:",
            answer(
                &sim,
                "musicbrainz",
                Request::new("recordings", "/recording").param("query", format!("isrc:{isrc}")).param("fmt", "json"),
            ),
            (200, real("musicbrainz/recording_search_isrc_GBAHT1600302.json")),
        ),
        (
            // An ISRC's recordings are recording resources: each against a recording lookup.
            "musicbrainz /isrc/{isrc} recordings[0]",
            {
                let (status, body) = answer(
                    &sim,
                    "musicbrainz",
                    Request::new("isrcs", format!("/isrc/{isrc}")).param("inc", "releases").param("fmt", "json"),
                );
                (status, body["recordings"][0].clone())
            },
            (200, real("musicbrainz/recording_cb2cc207_thinking-out-loud.json")),
        ),
        (
            "musicbrainz /isrc/{isrc} releases",
            {
                let (status, body) = answer(
                    &sim,
                    "musicbrainz",
                    Request::new("isrcs", format!("/isrc/{isrc}")).param("inc", "releases").param("fmt", "json"),
                );
                (status, body["recordings"][0]["releases"][0].clone())
            },
            // A lookup's releases are release resources, as the release lookup has them.
            (200, real("musicbrainz/release_c9d52105_meteora_lookup.json")),
        ),
        (
            "musicbrainz /release-group?artist= release-groups[0]",
            {
                let (status, body) = answer(
                    &sim,
                    "musicbrainz",
                    Request::new("release_groups", "/release-group").param("artist", &artist.mbid).param("fmt", "json"),
                );
                (status, body["release-groups"][0].clone())
            },
            (200, real("musicbrainz/release-group_f5093c06_dark-side-of-the-moon.json")),
        ),
        (
            "apple_music /catalog/{sf}/charts",
            answer(
                &sim,
                "apple_music",
                Request::new("charts", "/catalog/us/charts").param("types", "songs,albums").param("limit", 1),
            ),
            (200, real("apple_music/catalog_us_charts_types-songs,albums_genre-20_limit-1.json")),
        ),
        (
            "youtube /search?type=channel",
            {
                // The day's searches are spent on this simulator; a fresh one answers.
                let fresh = crate::common::sim(3, 10, 100);
                let yt =
                    fresh.view("youtube").artists.iter().find(|a| a.known).expect("an artist on YouTube").name.clone();
                answer(
                    &fresh,
                    "youtube",
                    Request::new("channel_search", "/search")
                        .param("part", "snippet")
                        .param("type", "channel")
                        .param("q", yt),
                )
            },
            (200, real("youtube/search_type-video_channelId-UC_x5XG1OV2P6uZZ5FSM9Ttw.json")),
        ),
        (
            "lastfm user.getTopTracks, one track",
            (200, single),
            // A user's library: the recorded user list of one, with its root named alike.
            (200, renamed(real("lastfm/library.getTracks_SINGLE_object-not-array.json"), "tracks", "toptracks")),
        ),
        (
            "lastfm user.getTopTracks past the last page",
            (200, beyond),
            (200, renamed(real("lastfm/user.getRecentTracks_EMPTY_text-newline.json"), "recenttracks", "toptracks")),
        ),
        (
            "lastfm album.getInfo, no such album",
            answer(
                &sim,
                "lastfm",
                lastfm("album.getInfo").param("artist", &artist.name).param("album", "No Such Album At All"),
            ),
            (200, real("lastfm/error_6_album.getInfo_album-not-found.json")),
        ),
        (
            "deezer /album/{id}, no such album",
            answer(&sim, "deezer", Request::new("albums", "/album/upc:0000000000000")),
            (200, real("deezer/error_800_DataException_http200_album_-1.json")),
        ),
        (
            "genius /songs/{id}, no such song",
            answer(&sim, "genius", Request::new("songs", "/songs/999999999")),
            (404, real("genius/rapgenius2015_error_404_songs_bahahaha.json")),
        ),
        (
            "beatport /catalog/tracks/?isrc=, no hits",
            answer(&sim, "beatport", Request::new("tracks", "/catalog/tracks/").param("isrc", "ZZ0000000000")),
            (200, real("beatport/v4_catalog_tracks_EMPTY.json")),
        ),
        (
            "youtube /search, quota spent",
            answer(
                &sim,
                "youtube",
                Request::new("channel_search", "/search")
                    .param("part", "snippet")
                    .param("type", "channel")
                    .param("q", &artist.name),
            ),
            (403, real("youtube/error_403_permission_denied.json")),
        ),
    ];
    // Keys the simulator may send that these recordings lack, and why.
    let allowed = [
        // The lookup was recorded without `inc=releases`; the releases are held against
        // a release lookup (the check after it).
        ("musicbrainz /isrc/{isrc} recordings[0]", ".releases:"),
        // A channel hit's id names the channel (documented on search results); the
        // recording is a video search.
        ("youtube /search?type=channel", ".id.channelId:"),
        // Documented on search snippets since 2020, after this recording.
        ("youtube /search?type=channel", ".publishTime:"),
        // Documented on user.getTopTracks (`<track rank="1">`); library.getTracks has no rank.
        ("lastfm user.getTopTracks, one track", ".track.@attr:"),
    ];
    // The chart was recorded in 2017: an attribute it lacks is no drift if Apple's album
    // recording of 2022 has it, on the album or on its songs.
    let album = real("apple_music/catalog_us_albums_1616728060_heart-on-my-sleeve_ella-mai.json");
    let album = &album["data"][0];
    let newer: Vec<String> = [&album["attributes"], &album["relationships"]["tracks"]["data"][0]["attributes"]]
        .iter()
        .flat_map(|a| a.as_object().expect("attributes").keys())
        .map(|k| format!(".attributes.{k}: not in the real response"))
        .collect();
    let mut problems = Vec::new();
    for (what, (status, sim_body), (real_status, real_body)) in checks {
        if status != real_status {
            problems.push(format!("{what}: HTTP {status} here, {real_status} in the real API"));
        }
        let mut out = Vec::new();
        drift(&sim_body, &real_body, "", &mut out);
        out.retain(|p| !allowed.iter().any(|(w, key)| *w == what && p.contains(key)));
        out.retain(|p| !lack_allowed(&format!("{what}: {p}")));
        if what == "apple_music /catalog/{sf}/charts" {
            out.retain(|p| !newer.iter().any(|n| p.ends_with(n.as_str())));
        }
        problems.extend(out.into_iter().map(|p| format!("{what}: {p}")));
    }
    assert!(problems.is_empty(), "the simulator drifted from the real APIs:\n{}", problems.join("\n"));
}

#[test]
fn every_registered_provider_is_simulated_and_owns_its_resources() {
    let registered: Vec<&str> = liner_extract::Provider::ALL.iter().map(|p| p.name()).collect();
    let simulated: Vec<&str> = liner_sim::Sim::providers().collect();
    assert_eq!(registered, simulated, "Provider::ALL and the simulator's MOUNTS list the same providers, in one order");
    for p in liner_extract::Provider::ALL {
        assert!(!p.resources().is_empty(), "{} declares no resources", p.name());
        for r in p.resources() {
            assert_eq!(r.provider, p.name(), "{}'s resource {} is declared under another provider", p.name(), r.name);
        }
        assert_eq!(liner_extract::Provider::parse(p.name()), Some(*p));
    }
}

#[test]
fn drift_names_a_key_either_side_lacks_and_an_allowance_covers_only_its_own_keys() {
    let sim = serde_json::json!({"id": "1", "title": "A", "extra": 1, "tracks": [{"isrc": "X"}]});
    let real = serde_json::json!({"id": 1, "title": "A", "label": "L", "tracks": [{"isrc": "X", "bpm": 120}]});
    let mut out = Vec::new();
    drift(&sim, &real, "", &mut out);
    out.sort();
    assert_eq!(
        out,
        [
            ".extra: not in the real response",
            ".id: string here, number in the real response",
            ".label: in the real response, not simulated",
            ".tracks[0].bpm: in the real response, not simulated",
        ]
    );
    let lacks: &[(&str, &[&str], &str)] = &[("x", &[".tracks[0]"], "why")];
    assert!(lack_allowed_by(lacks, "x: .tracks[0].bpm: in the real response, not simulated"));
    assert!(!lack_allowed_by(lacks, "x: .label: in the real response, not simulated"));
    assert!(!lack_allowed_by(lacks, "x: .tracks[0]x: in the real response, not simulated"), "a key, not a prefix");
    assert!(!lack_allowed_by(lacks, "x: .tracks[0].bpm: not in the real response"), "an extra key is never allowed");
}
