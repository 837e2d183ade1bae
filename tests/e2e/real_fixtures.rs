//! The recorded real responses in ../shared/fixtures/real go through staging and
//! yield the identifiers that folder's README lists.

use std::path::{Path, PathBuf};

use duckdb::Connection;
use liner_transform::BuildOptions;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/real")
}

/// Where each recorded response goes for `liner ingest`: `<provider>/<resource>/<name>`,
/// the name filling the resource's endpoint. Every file in the folder must be here.
const LAYOUT: &[(&str, &str)] = &[
    (
        "apple_itunes/lookup_song_id1441458047_gb_queen_a-night-at-the-opera-deluxe.json",
        "itunes/album_songs/1441458047",
    ),
    ("deezer/album_302127_discovery.json", "deezer/albums/302127"),
    ("deezer/album_302127_tracks_discovery.json", "deezer/album_tracks/302127"),
    ("deezer/search_album_q-daft-punk.json", "deezer/album_search/Daft Punk"),
    ("discogs/release_8604223_pink-floyd_ummagumma.json", "discogs/releases/8604223"),
    ("lastfm/album.getinfo_cher_believe.json", "lastfm/albums/Cher - Believe"),
    ("musicbrainz/artist_db92a151_rick-astley.json", "musicbrainz/artists/db92a151-1ac2-438b-bc43-b82e149ddd50"),
    (
        "musicbrainz/recording_cb2cc207_thinking-out-loud.json",
        "musicbrainz/recordings/cb2cc207-8125-445c-9ef9-6ea44eee959a",
    ),
    ("musicbrainz/recording_search_isrc_GBAHT1600302.json", "musicbrainz/recordings/isrc-GBAHT1600302"),
    (
        "musicbrainz/release-group_f5093c06_dark-side-of-the-moon.json",
        "musicbrainz/release_groups/f5093c06-23e3-404f-aeaa-40f72885ee3a",
    ),
    ("musicbrainz/release_c9d52105_meteora_lookup.json", "musicbrainz/releases/c9d52105-5c20-3216-bc1b-e54918f8f688"),
    ("spotify/album_32nryzA6XBCX9ZUspVc1yz_classic-rock-hits_VA.json", "spotify/albums/32nryzA6XBCX9ZUspVc1yz"),
    ("spotify/album_5l3zEmMrOhOzG8d8s83GOL_despicable-me-2.json", "spotify/albums/5l3zEmMrOhOzG8d8s83GOL"),
    ("spotify/search_artist_q-u2.json", "spotify/artist_search/U2"),
    ("spotify/track_6NPVjNh8Jhru9xOmyQigds_happy.json", "spotify/tracks/6NPVjNh8Jhru9xOmyQigds"),
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

fn strings(db: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = db.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
}

fn count(db: &Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn every_real_response_ingests_and_yields_the_identifiers_the_readme_lists() {
    let mut mapped: Vec<String> = LAYOUT.iter().map(|(f, _)| f.to_string()).collect();
    mapped.sort();
    assert_eq!(mapped, fixture_files(), "every file of shared/fixtures/real has its place in LAYOUT");

    let dir = tempfile::tempdir().unwrap();
    let recorded = dir.path().join("recorded");
    for (from, to) in LAYOUT {
        let to = recorded.join(format!("{to}.json"));
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixtures().join(from), to).unwrap();
    }
    let lake = dir.path().join("raw");
    let landed = liner_extract::replay::ingest(&recorded, &lake, "fixtures").expect("every recorded response ingests");
    assert_eq!(landed, LAYOUT.len() as u64);
    let warehouse = dir.path().join("warehouse.duckdb");
    liner_transform::build(&BuildOptions {
        sql_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("sql"),
        lake_root: lake,
        warehouse: warehouse.clone(),
        sources: liner::stages::raw_sources(),
        raw_columns: liner::stages::raw_columns(),
        run_id: "fixtures".into(),
        review_decisions: vec![],
        select: vec![],
        follows: vec![],
        coverage_history: vec![],
        on_model: None,
    })
    .expect("the models build over real responses");
    let db = Connection::open(&warehouse).unwrap();

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
        strings(&db, "SELECT upc || ' ' || gtin || ' ' || title FROM staging.deezer_albums"),
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
        strings(&db, "select album_id || ' ' || gtin from staging.spotify_albums order by 1"),
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
        ("deezer/album_302127_discovery.json", "deezer/albums/302127.json"),
        ("deezer/album_302127_tracks_discovery.json", "deezer/album_tracks/302127.json"),
        (
            "musicbrainz/release_c9d52105_meteora_lookup.json",
            "musicbrainz/releases/c9d52105-5c20-3216-bc1b-e54918f8f688.json",
        ),
    ] {
        let to = recorded.join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixtures().join(from), to).unwrap();
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
    assert!(run(&["ingest", "recorded"]).contains("ingested 3 responses"));
    run(&["transform"]);
    let db = Connection::open(dir.path().join("data/warehouse.duckdb")).unwrap();
    let tracks = strings(&db, "SELECT isrc FROM staging.deezer_tracks WHERE album_id = 302127 ORDER BY position");
    assert_eq!((tracks.len(), tracks[0].as_str()), (14, "GBDUW0000053"), "the album id comes from the file name");
    assert_eq!(strings(&db, "SELECT gtin FROM staging.musicbrainz_releases"), ["00093624844426"]);
    let resources = run(&["resources"]);
    assert!(resources.contains("album_tracks") && resources.contains("/album/<id>/tracks"), "{resources}");
}
