//! The recorded real responses in ../shared/fixtures/real go through staging and
//! yield the identifiers that folder's README lists.

use std::path::{Path, PathBuf};

use chrono::Utc;
use duckdb::Connection;
use liner_extract::http::Fetched;
use liner_extract::lake::LakeWriter;
use liner_transform::BuildOptions;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/real")
}

/// Lands each fixture as the response to the request that would have fetched it.
fn land(lake: &Path) {
    let files: &[(&str, &str, &str, &str)] = &[
        (
            "musicbrainz",
            "artists",
            "/artist/db92a151-1ac2-438b-bc43-b82e149ddd50",
            "musicbrainz/artist_db92a151_rick-astley.json",
        ),
        (
            "musicbrainz",
            "recordings",
            "/recording/cb2cc207-8125-445c-9ef9-6ea44eee959a",
            "musicbrainz/recording_cb2cc207_thinking-out-loud.json",
        ),
        (
            "musicbrainz",
            "recordings",
            "/recording?query=isrc:GBAHT1600302",
            "musicbrainz/recording_search_isrc_GBAHT1600302.json",
        ),
        (
            "musicbrainz",
            "release_groups",
            "/release-group/f5093c06-23e3-404f-aeaa-40f72885ee3a",
            "musicbrainz/release-group_f5093c06_dark-side-of-the-moon.json",
        ),
        (
            "musicbrainz",
            "releases",
            "/release/c9d52105-5c20-3216-bc1b-e54918f8f688",
            "musicbrainz/release_c9d52105_meteora_lookup.json",
        ),
        ("deezer", "albums", "/album/302127", "deezer/album_302127_discovery.json"),
        (
            "deezer",
            "album_tracks",
            "/album/302127/tracks?index=0&limit=100",
            "deezer/album_302127_tracks_discovery.json",
        ),
    ];
    let mut writer = LakeWriter::new(lake, "fixtures").unwrap();
    for (provider, resource, path, file) in files {
        let body = std::fs::read_to_string(fixtures().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let provider: &'static str = if *provider == "deezer" { "deezer" } else { "musicbrainz" };
        let resource: &'static str = Box::leak(resource.to_string().into_boxed_str());
        writer
            .land(Fetched {
                provider,
                resource,
                request_key: format!("{resource}:{path}"),
                url: format!("https://example.invalid{path}"),
                status: 200,
                fetched_at: Utc::now(),
                body,
                attempts: 1,
            })
            .unwrap();
    }
    writer.flush().unwrap();
}

fn strings(db: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = db.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn real_responses_yield_the_identifiers_the_readme_lists() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("raw");
    land(&lake);
    let warehouse = dir.path().join("warehouse.duckdb");
    liner_transform::build(&BuildOptions {
        sql_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("sql"),
        lake_root: lake,
        warehouse: warehouse.clone(),
        sources: liner::stages::raw_sources(),
        raw_columns: liner::stages::raw_columns(),
        run_id: "fixtures".into(),
    })
    .expect("the models build over real responses");
    let db = Connection::open(&warehouse).unwrap();

    // MusicBrainz
    assert_eq!(
        strings(
            &db,
            "SELECT name FROM staging.musicbrainz_artists WHERE artist_id = 'db92a151-1ac2-438b-bc43-b82e149ddd50'"
        ),
        ["Rick Astley"]
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

    // Deezer
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
