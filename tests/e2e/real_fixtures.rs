//! The recorded real responses in ../shared/fixtures/real go through staging and
//! yield the identifiers that folder's README lists.

use std::path::{Path, PathBuf};

use duckdb::Connection;
use liner_extract::replay::Ingested;
use liner_transform::BuildOptions;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/real")
}

/// Puts a recorded response (`file`, relative to shared/fixtures/real) where `liner
/// ingest` takes it: `<recorded>/<landed_as>.json`.
pub fn place(recorded: &Path, file: &str, landed_as: &str) {
    let to = recorded.join(format!("{landed_as}.json"));
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(fixtures().join(file), to).unwrap();
}

/// The responses placed under `recorded`, ingested as `liner ingest` does into a lake
/// in `dir`, and a warehouse there built over them with every shipped model: what the
/// ingest found, and the warehouse's path.
pub fn build_from_recorded(recorded: &Path, dir: &Path, run_id: &str) -> (Ingested, PathBuf) {
    let lake = dir.join("raw");
    let got = liner_extract::replay::ingest(recorded, &lake, run_id).expect("every recorded response ingests");
    let warehouse = dir.join("warehouse.duckdb");
    liner_transform::build(&BuildOptions {
        models: liner_transform::model::ModelSet { shipped: liner::shipped::models(), own: None },
        lake_root: lake,
        warehouse: warehouse.clone(),
        sources: liner::runs::stages::raw_sources(),
        raw_columns: liner::runs::stages::raw_columns(),
        run_id: run_id.into(),
        review_decisions: vec![],
        select: vec![],
        full: None,
        keep_model: false,
        follows: vec![],
        coverage_history: vec![],
        on_model: None,
    })
    .expect("the models build over the recorded responses");
    (got, warehouse)
}

/// What a recorded response must become once landed and transformed.
pub enum Lands {
    /// Staging rows: `select count(*) from <this>` is above zero.
    Rows(&'static str),
    /// The provider's error shape: reported by the ingest, no data, asked again later.
    Error,
    /// An answer that lists nothing, recognised as such.
    Empty,
}
use Lands::{Empty, Error, Rows};

/// A recorded response's place, given by its provider's own test module
/// (`inventory::submit!`), so a provider added later brings its fixtures' places with it.
pub struct RealFixture {
    /// The file, relative to shared/fixtures/real.
    pub file: &'static str,
    /// Where `liner ingest` takes it: `<provider>/<resource>/<name>`.
    pub landed_as: &'static str,
    pub lands: Lands,
}

inventory::collect!(RealFixture);

/// Every place: the table below and the providers' own.
pub fn layout() -> Vec<(&'static str, &'static str, &'static Lands)> {
    LAYOUT
        .iter()
        .map(|(f, to, lands)| (*f, *to, lands))
        .chain(inventory::iter::<RealFixture>.into_iter().map(|r| (r.file, r.landed_as, &r.lands)))
        .collect()
}

/// Where each recorded response goes for `liner ingest` (`<provider>/<resource>/<name>`,
/// the name filling the resource's endpoint, or `k=v&...` its parameters), and what it
/// must yield. Every file in the folder must be here. Error bodies sit under the
/// resource nearest to what was asked: their shape is the provider's, not the method's.
const LAYOUT: &[(&str, &str, Lands)] = &[
    (
        "apple_itunes/lookup_song_id1441458047_gb_queen_a-night-at-the-opera-deluxe.json",
        "itunes/album_songs/1441458047",
        Rows("staging.itunes_tracks where collection_id = 1441458047"),
    ),
    (
        "apple_music/catalog_us_albums_1616728060_heart-on-my-sleeve_ella-mai.json",
        "apple_music/albums/1616728060",
        Rows("staging.apple_music_albums where album_id = '1616728060' and gtin = '00602445790951'"),
    ),
    (
        "apple_music/catalog_us_charts_types-songs,albums_genre-20_limit-1.json",
        "apple_music/charts/types=songs,albums&genre=20&limit=1",
        Rows("staging.apple_music_albums where album_id = '1256684768'"),
    ),
    (
        "beatport/v4_catalog_search_q-charlotte-de-witte_type-tracks_per_page-3.json",
        "beatport/track_search/q=Charlotte de Witte&type=tracks&per_page=3",
        Rows("staging.beatport_tracks where track_id = 18482233 and isrc = 'BE4JP2400001'"),
    ),
    ("beatport/v4_catalog_tracks_EMPTY.json", "beatport/tracks/isrc=ZZ0000000000", Empty),
    (
        "beatport/v4_catalog_tracks_artist_name-kaspitzky_name-elevate.json",
        "beatport/tracks/artist_name=kaspitzky&name=elevate",
        Rows(
            "staging.beatport_tracks where track_id = 20225852 and mix_name = 'Original Mix' and isrc = 'IL4092509501'",
        ),
    ),
    (
        "beatport/v4_catalog_tracks_isrc-GBDUW0000058_digital-love_daft-punk.json",
        "beatport/tracks/isrc=GBDUW0000058",
        // One ISRC on the album, a compilation and the single; the catalog number is
        // the album's UPC zero-padded.
        Rows(
            "(select count(distinct release_id) as n, bool_or(catalog_number = '0724384960650') as padded_upc \
              from staging.beatport_tracks where isrc = 'GBDUW0000058') where n = 3 and padded_upc",
        ),
    ),
    (
        "deezer/album_302127_discovery.json",
        "deezer/albums/302127",
        Rows("staging.deezer_albums where album_id = 302127"),
    ),
    (
        "deezer/album_302127_tracks_discovery.json",
        "deezer/album_tracks/302127",
        Rows("staging.deezer_tracks where album_id = 302127"),
    ),
    // Recorded at index=25 like the page above it; landed as a later page, since
    // page 2 holds that name.
    ("deezer/artist_27_albums_index25_EMPTY.json", "deezer/artist_albums/27&index=50", Empty),
    (
        "deezer/artist_27_albums_index25_page2_daft-punk.json",
        "deezer/artist_albums/27&index=25",
        Rows("staging.deezer_albums where album_id = 303567 and artist_id = 27"),
    ),
    (
        "deezer/artist_27_albums_page1_daft-punk.json",
        "deezer/artist_albums/27",
        Rows("(select count(*) as n from staging.deezer_albums where artist_id = 27) where n >= 25"),
    ),
    ("deezer/chart_0.json", "deezer/charts/0", Rows("staging.deezer_chart_entries where list = 'chart_albums:0'")),
    (
        "deezer/chart_0_tracks.json",
        "deezer/chart_tracks/0",
        Rows("staging.deezer_chart_entries where list = 'chart_tracks:0' and item_id is not null"),
    ),
    ("deezer/error_500_ParameterException_http200_genre_-1.json", "deezer/chart_albums/-1", Error),
    ("deezer/error_800_DataException_http200_album_-1.json", "deezer/albums/-1", Error),
    ("deezer/error_800_DataException_http404_album_0.json", "deezer/albums/0", Error),
    ("deezer/error_Exception_no-code_http200_episode_-1.json", "deezer/tracks/-1", Error),
    (
        "deezer/search_album_q-daft-punk.json",
        "deezer/album_search/Daft Punk",
        Rows("staging.deezer_search_albums where album_id = 302127"),
    ),
    (
        "discogs/artists_1_releases_page1_the-persuader.json",
        "discogs/artist_releases/1",
        Rows("staging.discogs_artist_releases where artist_id = 1 and item_type = 'master' and main_release_id = 4664"),
    ),
    (
        "discogs/database_search_q-trash80.json",
        "discogs/artist_search/q=trash80",
        Rows(
            "staging.discogs_search_results where result_type = 'release' and catalog_number = '8BP086' and year = 2008",
        ),
    ),
    (
        "discogs/release_8604223_pink-floyd_ummagumma.json",
        "discogs/releases/8604223",
        Rows("staging.discogs_releases where release_id = 8604223"),
    ),
    (
        "genius/artists_1123_songs_page1_cl-smooth.json",
        "genius/artist_songs/1123",
        Rows("staging.genius_songs where song_id = 14050"),
    ),
    (
        "genius/rapgenius2015_artists_130_songs_page1_drake.json",
        "genius/artist_songs/130",
        Rows("staging.genius_songs where song_id = 156640"),
    ),
    ("genius/rapgenius2015_error_404_songs_bahahaha.json", "genius/songs/bahahaha", Error),
    (
        "genius/rapgenius2015_songs_176872_versace_migos.json",
        "genius/songs/176872",
        Rows("staging.genius_songs where song_id = 176872 and artist_name = 'Migos'"),
    ),
    (
        "genius/songs_2872960_24k-magic_bruno-mars.json",
        "genius/songs/2872960",
        Rows(
            "staging.genius_songs where song_id = 2872960 and album_name = '24K Magic' \
             and release_date = '2016-10-07' and spotify_track_id is not null",
        ),
    ),
    ("lastfm/album.getinfo_cher_believe.json", "lastfm/albums/Cher - Believe", Rows("staging.lastfm_albums")),
    ("lastfm/error_4_track.scrobble_bad-auth.json", "lastfm/tracks/bad-auth", Error),
    ("lastfm/error_6_album.getInfo_album-not-found.json", "lastfm/albums/not-found", Error),
    ("lastfm/error_6_album.search_missing-param.json", "lastfm/albums/missing-param", Error),
    ("lastfm/error_6_artist.getInfo_artist-not-found.json", "lastfm/artist_top_albums/not-found", Error),
    ("lastfm/error_6_user.getRecentTracks_no-such-user.json", "lastfm/user_recent_tracks/no-such-user", Error),
    (
        "lastfm/library.getTracks_SINGLE_object-not-array.json",
        "lastfm/library_tracks/RJ",
        Rows(
            "staging.lastfm_user_tracks where source = 'library' and title = 'Sultans of Swing' \
             and artist_name = 'Dire Straits' and playcount = 81",
        ),
    ),
    ("lastfm/user.getRecentTracks_EMPTY_text-newline.json", "lastfm/user_recent_tracks/RT", Empty),
    (
        "lastfm/user.getRecentTracks_multiple.json",
        "lastfm/user_recent_tracks/RJ",
        Rows(
            "staging.lastfm_user_tracks where source = 'recent' and title = 'No One to Depend On' \
             and artist_name = 'Santana' and album_title = 'Santana (III)' and played_at > '2014-12-19'",
        ),
    ),
    (
        "lastfm/user.getWeeklyTrackChart.json",
        "lastfm/user_weekly_track_chart/RJ",
        Rows("staging.lastfm_top_tracks where list = 'user-week:RJ' and rank = 1 and artist_name = 'B.B. King'"),
    ),
    (
        "musicbrainz/artist_db92a151_rick-astley.json",
        "musicbrainz/artists/db92a151-1ac2-438b-bc43-b82e149ddd50",
        Rows("staging.musicbrainz_artists"),
    ),
    (
        // The label's id is not in the recording: the name stands in for it.
        "musicbrainz/browse_release_label_by-label.json",
        "musicbrainz/releases/label=by-label",
        Rows("staging.musicbrainz_releases where release_id = '0b405ea7-8785-402f-bcf7-d55f5000dc3e'"),
    ),
    (
        "musicbrainz/recording_cb2cc207_thinking-out-loud.json",
        "musicbrainz/recordings/cb2cc207-8125-445c-9ef9-6ea44eee959a",
        Rows("staging.musicbrainz_recording_isrcs where isrc = 'GBAHS1400099'"),
    ),
    (
        "musicbrainz/recording_search_isrc_GBAHT1600302.json",
        "musicbrainz/recordings/isrc-GBAHT1600302",
        Rows("staging.musicbrainz_recording_isrcs where isrc = 'GBAHT1600302'"),
    ),
    (
        "musicbrainz/release-group_f5093c06_dark-side-of-the-moon.json",
        "musicbrainz/release_groups/f5093c06-23e3-404f-aeaa-40f72885ee3a",
        Rows("staging.musicbrainz_release_groups where release_group_id = 'f5093c06-23e3-404f-aeaa-40f72885ee3a'"),
    ),
    (
        "musicbrainz/release_c9d52105_meteora_lookup.json",
        "musicbrainz/releases/c9d52105-5c20-3216-bc1b-e54918f8f688",
        Rows("staging.musicbrainz_releases where release_id = 'c9d52105-5c20-3216-bc1b-e54918f8f688'"),
    ),
    (
        "musicbrainz/search_release-group_q-release-Tenance.json",
        "musicbrainz/release_groups/query=release:Tenance",
        Rows("staging.musicbrainz_release_groups where release_group_id = '70664047-2545-4e46-b75f-4556f2a7b83e'"),
    ),
    (
        "spotify/album_32nryzA6XBCX9ZUspVc1yz_classic-rock-hits_VA.json",
        "spotify/albums/32nryzA6XBCX9ZUspVc1yz",
        Rows("staging.spotify_albums where album_id = '32nryzA6XBCX9ZUspVc1yz'"),
    ),
    (
        "spotify/album_5l3zEmMrOhOzG8d8s83GOL_despicable-me-2.json",
        "spotify/albums/5l3zEmMrOhOzG8d8s83GOL",
        Rows("staging.spotify_albums where album_id = '5l3zEmMrOhOzG8d8s83GOL'"),
    ),
    (
        "spotify/albums_2ANVost0y2y52ema1E9xAZ_tracks.json",
        "spotify/album_tracks/2ANVost0y2y52ema1E9xAZ",
        // Simplified tracks: no ISRC; the album comes from the path.
        Rows("staging.spotify_tracks where album_id = '2ANVost0y2y52ema1E9xAZ' and isrc is null"),
    ),
    (
        "spotify/artists_7bu3H8JO7d0UbMoVzbo70s_albums_include_groups-all_page1.json",
        "spotify/artist_albums/7bu3H8JO7d0UbMoVzbo70s",
        Rows("staging.spotify_albums where artist_id = '7bu3H8JO7d0UbMoVzbo70s' and gtin is null"),
    ),
    (
        "spotify/audio-features_ids_2tracks.json",
        "spotify/audio_features/ids=3EEd6ldsPat620GVYMEhOP,2fKdsBazcOLLIzDiZUQCih",
        Rows(
            "(select count(*) as n from staging.spotify_audio_features \
              where track_id in ('3EEd6ldsPat620GVYMEhOP', '2fKdsBazcOLLIzDiZUQCih') and tempo > 0) where n = 2",
        ),
    ),
    (
        "spotify/browse_new-releases.json",
        "spotify/new_releases/offset=0&limit=20",
        Rows("(select count(*) as n from staging.spotify_new_releases where is_latest) where n = 20"),
    ),
    ("spotify/search_artist_q-u2.json", "spotify/artist_search/U2", Rows("staging.spotify_artists")),
    (
        "spotify/track_6NPVjNh8Jhru9xOmyQigds_happy.json",
        "spotify/tracks/6NPVjNh8Jhru9xOmyQigds",
        Rows("staging.spotify_tracks where isrc = 'USQ4E1300686'"),
    ),
    (
        "youtube/channels_multi_part-contentDetails_google_googledevelopers.json",
        "youtube/channels/UC_x5XG1OV2P6uZZ5FSM9Ttw,UCK8sQmJBp8GCxrOtXWBpyEA",
        Rows("(select count(*) as n from staging.youtube_channels where uploads_playlist_id like 'UU%') where n = 2"),
    ),
    ("youtube/error_403_permission_denied.json", "youtube/channels/denied", Error),
    (
        "youtube/playlistItems_part-snippet_paged_1_google-developers.json",
        "youtube/playlist_items/PLOU2XLYxmsIKpaV8h0AGE05so0fAwwfTw",
        Rows("staging.youtube_videos where playlist_id = 'PLOU2XLYxmsIKpaV8h0AGE05so0fAwwfTw'"),
    ),
    (
        "youtube/search_type-video_channelId-UC_x5XG1OV2P6uZZ5FSM9Ttw.json",
        "youtube/video_search/channelId=UC_x5XG1OV2P6uZZ5FSM9Ttw",
        Rows("staging.youtube_search_videos where video_id = 'LrQWzOkC0XQ'"),
    ),
];

/// Every fixture file, relative to the folder, so a new one cannot go unchecked.
fn fixture_files() -> Vec<String> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(fixtures()).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                out.push(f.strip_prefix(fixtures()).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// The first column of a query's rows, as text.
pub fn strings(db: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = db.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
}

/// A query's one number.
pub fn count(db: &Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn every_real_response_ingests_and_yields_the_identifiers_the_readme_lists() {
    let layout = layout();
    let mut mapped: Vec<String> = layout.iter().map(|(f, _, _)| f.to_string()).collect();
    mapped.sort();
    assert_eq!(
        mapped,
        fixture_files(),
        "every file of shared/fixtures/real has its place, in LAYOUT or in its provider's test module"
    );

    let dir = tempfile::tempdir().unwrap();
    let recorded = dir.path().join("recorded");
    for (from, to, _) in &layout {
        place(&recorded, from, to);
    }
    let (got, warehouse) = build_from_recorded(&recorded, dir.path(), "fixtures");
    assert_eq!(got.landed, layout.len() as u64);
    let db = Connection::open(&warehouse).unwrap();

    // Each file is data that reached staging, an error recognised as one, or an empty
    // answer recognised as one: none is silently lost.
    let landed_as = |to: &str| recorded.join(format!("{to}.json"));
    for (from, to, lands) in &layout {
        let is_error = got.errors.iter().any(|(f, _)| *f == landed_as(to));
        let is_empty = got.empty.iter().any(|f| *f == landed_as(to));
        match lands {
            Rows(sql) => {
                assert!(!is_error && !is_empty, "{from}: data, not an error or an empty answer");
                let n = count(&db, &format!("select count(*) from {sql}"));
                assert!(n > 0, "{from}: nothing in {sql}");
            }
            Error => assert!(is_error, "{from}: its error body is recognised (errors: {:?})", got.errors),
            Empty => assert!(is_empty && !is_error, "{from}: an empty answer, recognised as one"),
        }
    }
    // Error bodies that name an HTTP status land with it (Genius' meta, Google's error).
    assert_eq!(
        count(
            &db,
            "select count(*) from raw.genius_songs where status = 404 and request_key = 'songs:/songs/bahahaha'"
        ),
        1
    );
    assert_eq!(count(&db, "select count(*) from raw.youtube_channels where status = 403"), 1);

    // iTunes: Apple's catalog id, no UPC or ISRC.
    assert_eq!(
        strings(&db, "select title from staging.itunes_albums where collection_id = 1441458047"),
        ["A Night at the Opera (Deluxe Edition)"]
    );
    assert_eq!(count(&db, "select count(*) from staging.itunes_tracks where collection_id = 1441458047"), 21);
    assert_eq!(count(&db, "select count(*) from staging.itunes_tracks where kind = 'music-video'"), 3, "videos too");
    assert_eq!(
        strings(&db, "select title from staging.itunes_tracks where track_id = 1441458049"),
        ["Death On Two Legs (Dedicated To...)"]
    );

    // Deezer: album, its tracks with ISRCs, and search hits.
    assert_eq!(
        strings(&db, "SELECT upc || ' ' || gtin || ' ' || title FROM staging.deezer_albums WHERE upc IS NOT NULL"),
        ["724384960650 00724384960650 Discovery"]
    );
    let tracks = strings(
        &db,
        "SELECT isrc || ' ' || title FROM staging.deezer_tracks WHERE album_id = 302127 ORDER BY position",
    );
    assert_eq!(tracks.len(), 14);
    assert_eq!(tracks[0], "GBDUW0000053 One More Time");
    assert!(tracks.contains(&"GBDUW0000058 Digital Love".to_string()), "{tracks:?}");
    assert!(tracks.contains(&"GBDUW0000059 Harder Better Faster Stronger".to_string()), "{tracks:?}");
    assert_eq!(
        strings(&db, "select query || ': ' || title from staging.deezer_search_albums where album_id = 302127"),
        ["Daft Punk: Discovery"]
    );
    assert_eq!(count(&db, "select count(*) from staging.deezer_search_albums"), 25, "one page of hits");

    // Discogs: the barcode as printed ("0 825646 493166"), labels, and a tracklist
    // with headings (not tracks) and an index track (its sub-tracks are).
    assert_eq!(
        strings(
            &db,
            "select gtin || ' ' || title || ' ' || catalog_number from staging.discogs_releases where release_id = 8604223"
        ),
        ["00825646493166 Ummagumma PFRLP4"]
    );
    assert_eq!(count(&db, "select count(*) from staging.discogs_tracks where release_id = 8604223"), 6 + 10);
    assert_eq!(count(&db, "select count(*) from staging.discogs_tracks where title = 'Live Album'"), 0);
    assert_eq!(
        count(
            &db,
            "select count(*) from staging.discogs_release_identifiers where type = 'Barcode' and gtin = '00825646493166'"
        ),
        2
    );
    assert_eq!(strings(&db, "select rating_average::varchar from staging.discogs_releases"), ["4.33"]);

    // Last.fm: the MusicBrainz release id, counts from strings.
    assert_eq!(
        strings(&db, "select release_mbid || ' ' || title || ' ' || listeners from staging.lastfm_albums"),
        ["03c91c40-49a6-44a7-90e7-a700edf97a62 Believe 597578"]
    );
    assert_eq!(count(&db, "select count(*) from staging.lastfm_album_tracks"), 10);
    assert_eq!(count(&db, "select count(*) from staging.lastfm_album_tracks where duration_s is null"), 1);

    // MusicBrainz
    assert_eq!(
        strings(
            &db,
            "SELECT name || ' ' || rating FROM staging.musicbrainz_artists WHERE artist_id = 'db92a151-1ac2-438b-bc43-b82e149ddd50'"
        ),
        ["Rick Astley 4.5"]
    );
    let isrcs = strings(&db, "SELECT isrc FROM staging.musicbrainz_recording_isrcs ORDER BY isrc");
    for expected in ["GBAHS1400099", "GBAHT1600302", "DEUM71601954", "USWB10300463"] {
        assert!(isrcs.contains(&expected.to_string()), "{expected} missing from {isrcs:?}");
    }
    assert_eq!(
        strings(
            &db,
            "SELECT isrc FROM staging.musicbrainz_recording_isrcs WHERE recording_id = '026fa041-3917-4c73-9079-ed16e36f20f8' ORDER BY isrc"
        ),
        ["DEUM71601954", "GBAHT1600302"],
        "one recording, two ISRCs"
    );
    assert_eq!(
        strings(
            &db,
            "SELECT title FROM staging.musicbrainz_release_groups WHERE release_group_id = 'f5093c06-23e3-404f-aeaa-40f72885ee3a'"
        ),
        ["The Dark Side of the Moon"]
    );
    assert_eq!(
        count(
            &db,
            "select count(*) from staging.musicbrainz_releases where release_group_id = 'f5093c06-23e3-404f-aeaa-40f72885ee3a'"
        ),
        25,
        "the group's 25 editions"
    );
    assert_eq!(
        strings(
            &db,
            "SELECT barcode || ' ' || gtin || ' ' || title FROM staging.musicbrainz_releases WHERE release_id = 'c9d52105-5c20-3216-bc1b-e54918f8f688'"
        ),
        ["093624844426 00093624844426 Meteora"]
    );
    let meteora_tracks = strings(
        &db,
        "SELECT title FROM staging.musicbrainz_tracks WHERE release_id = 'c9d52105-5c20-3216-bc1b-e54918f8f688' ORDER BY disc_number, position",
    );
    assert!(meteora_tracks.len() >= 13, "{meteora_tracks:?}");
    assert_eq!(
        strings(
            &db,
            "select provider || ' ' || provider_id from staging.musicbrainz_urls where entity_id = 'c9d52105-5c20-3216-bc1b-e54918f8f688' order by 1"
        ),
        ["amazon B00008S7JP", "discogs 1118359"]
    );
    assert!(count(&db, "select count(*) from staging.musicbrainz_tags where entity = 'release'") > 0);

    // Spotify: UPCs as delivered (14 digits included), the tracks on the album's first
    // page, the ISRC on the track lookup, artists found by search.
    assert_eq!(
        strings(&db, "select album_id || ' ' || gtin from staging.spotify_albums where gtin is not null order by 1"),
        ["32nryzA6XBCX9ZUspVc1yz 00602455070951", "5l3zEmMrOhOzG8d8s83GOL 00857970002363"]
    );
    assert_eq!(count(&db, "select count(*) from staging.spotify_tracks where album_id = '32nryzA6XBCX9ZUspVc1yz'"), 50);
    assert_eq!(
        strings(
            &db,
            "select album_id || ' ' || isrc || ' ' || title from staging.spotify_tracks where isrc is not null"
        ),
        ["5l3zEmMrOhOzG8d8s83GOL USQ4E1300686 Happy"]
    );
    assert_eq!(count(&db, "select count(*) from staging.spotify_tracks where album_id = '5l3zEmMrOhOzG8d8s83GOL'"), 24);
    assert_eq!(
        strings(&db, "select name from staging.spotify_artists where artist_id = '51Blml2LZPmy7TTiAg47vQ'"),
        ["U2"]
    );
    assert_eq!(count(&db, "select count(*) from staging.spotify_artists"), 20, "near-namesakes are other artists");

    // Canonical: the Deezer album is named by its GTIN.
    assert_eq!(
        strings(&db, "SELECT release_id FROM canonical.releases WHERE deezer_album_id = 302127"),
        ["gtin:00724384960650"]
    );
}

#[test]
fn liner_ingest_lands_recorded_responses_as_if_fetched() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = dir.path().join("recorded");
    for (from, to) in [
        ("deezer/album_302127_discovery.json", "deezer/albums/302127"),
        ("deezer/album_302127_tracks_discovery.json", "deezer/album_tracks/302127"),
        (
            "musicbrainz/release_c9d52105_meteora_lookup.json",
            "musicbrainz/releases/c9d52105-5c20-3216-bc1b-e54918f8f688",
        ),
    ] {
        place(&recorded, from, to);
    }
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_liner"))
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let said = run(&["ingest", "recorded"]);
    assert!(said.contains("ingested 3 responses") && said.contains("0 error bodies"), "{said}");
    run(&["transform"]);
    let db = Connection::open(dir.path().join("data/warehouse.duckdb")).unwrap();
    let tracks = strings(&db, "SELECT isrc FROM staging.deezer_tracks WHERE album_id = 302127 ORDER BY position");
    assert_eq!((tracks.len(), tracks[0].as_str()), (14, "GBDUW0000053"), "the album id comes from the file name");
    assert_eq!(strings(&db, "SELECT gtin FROM staging.musicbrainz_releases"), ["00093624844426"]);
    let resources = run(&["resources"]);
    assert!(resources.contains("album_tracks") && resources.contains("/album/<id>/tracks"), "{resources}");
}
