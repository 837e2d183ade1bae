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
    assert_eq!(
        query_i64(&db, "select count(*) from staging.deezer_chart_entries where list = 'chart_albums:0' and is_latest"),
        100
    );
    assert_eq!(
        query_i64(&db, "select max(position) from staging.deezer_chart_entries where list = 'chart_tracks:0'"),
        100
    );
    assert!(
        query_i64(&db, "select count(*) from staging.deezer_chart_entries where list = 'editorial_releases:0'") > 0
    );
}

#[test]
fn an_album_and_a_track_by_artist_and_title_are_found_on_every_provider_that_searches() {
    let sim = liner_sim::Sim::start(liner::commands::demo::sim_config(71, 40)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = liner::commands::demo::config_for(&sim, dir.path().join("data")).unwrap();
    let c = sim.catalog();
    // An original edition every searching provider lists, by an artist with a name of its own.
    let (i, release) = c
        .releases
        .iter()
        .enumerate()
        .find(|(i, r)| {
            let artist = &c.artists[c.albums[r.album].credits[0].artist];
            r.edition == liner_sim::catalog::Edition::Original
                && r.musicbrainz.is_some()
                && r.deezer.is_some()
                && c.albums[r.album].credits.len() == 1
                && c.artists.iter().filter(|a| a.name == artist.name).count() == 1
                && artist.name == artist.deezer_name
                && ["spotify", "apple_music", "discogs"].iter().all(|p| sim.view(p).releases[*i].is_some())
                && c.albums.iter().filter(|a| a.title == c.albums[r.album].title).count() == 1
        })
        .expect("a release on every provider");
    let album = &c.albums[release.album];
    let artist = c.artists[album.credits[0].artist].name.clone();
    let recording = &c.recordings[release.tracks[0]];
    let lookups = vec![
        liner_extract::Identifier::Album { artist: artist.clone(), title: album.title.clone() }.into(),
        liner_extract::Identifier::Track { artist: artist.clone(), title: recording.title.clone() }.into(),
    ];
    let state = liner::stored::state::State::open(&cfg.state_db()).unwrap();
    let args = liner::runs::stages::StageArgs { lookups, ..Default::default() };
    let run =
        tokio::runtime::Runtime::new().unwrap().block_on(liner::runs::stages::extract(&cfg, &state, None, &args, "t"));
    let report = run.expect("the lookups run");
    for p in &report.providers {
        assert!(p.failures.is_empty(), "{}: {:?}", p.provider, p.failures);
    }
    liner::runs::stages::transform(&cfg, "t", &[], false, false).unwrap();
    let db = cfg.warehouse();
    let has = |sql: String| query_i64(&db, &sql) > 0;
    let mb = release.musicbrainz.as_ref().unwrap();
    assert!(
        has(format!("select count(*) from staging.musicbrainz_releases where release_id = '{}'", mb.mbid)),
        "MusicBrainz"
    );
    let dz = release.deezer.as_ref().unwrap();
    assert!(has(format!("select count(*) from staging.deezer_albums where album_id = {}", dz.id)), "Deezer");
    for (p, table, column) in [
        ("spotify", "spotify_albums", "album_id"),
        ("apple_music", "apple_music_albums", "album_id"),
        ("discogs", "discogs_releases", "release_id"),
    ] {
        let id = &sim.view(p).releases[i].as_ref().unwrap().id;
        assert!(has(format!("select count(*) from staging.{table} where {column}::varchar = '{id}'")), "{p}");
    }
    assert!(
        has(format!("select count(*) from staging.lastfm_albums where title = '{}'", album.title.replace('\'', "''"))),
        "Last.fm"
    );

    // The track: with its ISRC where the provider gives one.
    let sp_track = &sim.view("spotify").releases[i].as_ref().unwrap().tracks[0];
    assert!(
        has(format!("select count(*) from staging.spotify_tracks where track_id = '{}'", sp_track.id)),
        "Spotify track"
    );
    assert!(
        has(format!("select count(*) from staging.musicbrainz_recordings where recording_id = '{}'", recording.mbid)),
        "MB recording"
    );
    assert!(
        has(format!("select count(*) from staging.deezer_search_tracks where track_id = {}", dz.tracks[0].id)),
        "Deezer track"
    );
    let am_track = &sim.view("apple_music").releases[i].as_ref().unwrap().tracks[0];
    assert!(
        has(format!("select count(*) from staging.apple_music_tracks where song_id = '{}'", am_track.id)),
        "Apple track"
    );
    assert!(
        has(format!(
            "select count(*) from staging.lastfm_tracks where title = '{}'",
            recording.title.replace('\'', "''")
        )),
        "Last.fm track"
    );
}
