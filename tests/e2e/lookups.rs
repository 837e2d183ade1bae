//! MusicBrainz's links to the stores and its lookups by ISRC and barcode; Deezer's
//! charts, asked anew every run.

use std::collections::HashSet;

use liner_transform::normalize::gtin14;

use crate::common::{Project, artists, query_i64, sim};

fn strings(db: &std::path::Path, sql: &str) -> Vec<String> {
    let conn = duckdb::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn musicbrainz_store_links_name_the_right_albums_on_each_provider() {
    let sim = sim(41, 40, 50);
    let project = Project::new(&sim, 50, "");
    let followed = artists(&sim, 4);
    let mut args = vec!["follow"];
    args.extend(followed.iter().map(String::as_str));
    project.ok(&args);
    project.ok(&["extract", "musicbrainz"]);
    project.ok(&["transform"]);
    let db = project.warehouse();

    // Every link parsed from a URL points at the listing of the same release.
    let c = sim.catalog();
    let rows = strings(
        &db,
        "select entity_id || ' ' || provider || ' ' || provider_id from staging.musicbrainz_urls where entity = 'release'",
    );
    assert!(rows.len() > 10, "too few links to judge: {rows:?}");
    let mut providers = HashSet::new();
    for row in &rows {
        let [mbid, provider, id] = row.split(' ').collect::<Vec<_>>()[..] else { panic!("{row}") };
        let r = c.releases.iter().find(|r| r.musicbrainz.as_ref().is_some_and(|m| m.mbid == mbid)).unwrap();
        let i = c.releases.iter().position(|x| std::ptr::eq(x, r)).unwrap();
        let listed = match provider {
            "deezer" => r.deezer.as_ref().map(|d| d.id.to_string()),
            p => sim.view(p).releases[i].as_ref().map(|l| l.id.clone()),
        };
        assert_eq!(listed.as_deref(), Some(id), "{row}");
        providers.insert(provider.to_string());
    }
    assert_eq!(providers.len(), 4, "links to Spotify, Deezer, Apple Music and Discogs: {providers:?}");
    assert!(query_i64(&db, "select count(*) from staging.musicbrainz_urls where entity = 'artist'") > 0);
    assert!(query_i64(&db, "select count(*) from staging.musicbrainz_release_groups where rating is not null") > 0);
}

#[test]
fn musicbrainz_finds_releases_by_barcode_and_recordings_by_isrc() {
    let sim = sim(43, 30, 50);
    let project = Project::new(&sim, 50, "");
    let c = sim.catalog();
    let release = c
        .releases
        .iter()
        .find(|r| {
            r.musicbrainz.as_ref().and_then(|m| m.barcode.as_deref()).is_some_and(|b| b.len() == 12) && r.gtin.is_some()
        })
        .expect("a release with a 12-digit barcode");
    let mb = release.musicbrainz.as_ref().unwrap();
    // Asked for as a GTIN-14: MusicBrainz holds it as entered (12 digits).
    let gtin = gtin14(mb.barcode.as_deref().unwrap()).unwrap();
    let recording = c.recordings.iter().find(|r| r.musicbrainz_isrcs.len() == 1).unwrap();
    let out = project.ok(&["extract", "musicbrainz", "--upc", &gtin, "--isrc", &recording.musicbrainz_isrcs[0]]);
    assert!(!out.contains("failed:"), "{out}");
    project.ok(&["transform"]);
    let db = project.warehouse();
    assert_eq!(strings(&db, "select release_id from staging.musicbrainz_releases"), [mb.mbid.as_str()]);
    assert_eq!(
        query_i64(&db, &format!("select count(*) from staging.musicbrainz_tracks where release_id = '{}'", mb.mbid)),
        release.tracks.len() as i64,
        "the release found is looked up whole"
    );
    assert!(
        strings(&db, "select recording_id || ' ' || isrc from staging.musicbrainz_recording_isrcs")
            .contains(&format!("{} {}", recording.mbid, recording.musicbrainz_isrcs[0]))
    );
}

#[test]
fn deezer_charts_land_every_run_and_keep_the_newest() {
    let sim = sim(47, 30, 50);
    let project = Project::new(&sim, 50, "");
    // Turn the charts back on (the shared test config turns them off).
    let toml =
        std::fs::read_to_string(project.path().join("liner.toml")).unwrap().replace("charts = false", "charts = true");
    std::fs::write(project.path().join("liner.toml"), toml).unwrap();
    project.ok(&["follow", &artists(&sim, 1)[0]]);
    project.ok(&["extract", "deezer"]);
    let first = sim.stats("deezer").requests;
    project.ok(&["extract", "deezer"]);
    assert_eq!(
        sim.stats("deezer").requests - first,
        3,
        "the two charts and the new releases, asked again; the rest from the lake"
    );
    project.ok(&["transform"]);
    let db = project.warehouse();
    assert_eq!(query_i64(&db, "select count(*) from staging.deezer_chart_entries where list = 'chart_albums:0'"), 100);
    assert_eq!(
        query_i64(&db, "select max(position) from staging.deezer_chart_entries where list = 'chart_tracks:0'"),
        100
    );
    assert!(
        query_i64(&db, "select count(*) from staging.deezer_chart_entries where list = 'editorial_releases:0'") > 0
    );
}
