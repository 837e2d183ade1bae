//! The whole pipeline, as a user runs it: follow, extract, transform, load, against
//! the simulator over real HTTP on loopback.

use std::collections::HashSet;

use crate::common::{Project, artists, query_i64, releases_of, sim};
use liner_transform::normalize::{gtin14, isrc};

#[test]
fn exact_links_match_the_ground_truth_and_a_second_load_changes_nothing() {
    let sim = sim(7, 60, 20);
    let project = Project::new(&sim, 20, "");
    let followed = artists(&sim, 12);
    let mut args = vec!["follow"];
    args.extend(followed.iter().map(String::as_str));
    project.ok(&args);

    let out = project.ok(&["extract"]);
    assert!(out.contains("musicbrainz") && out.contains("deezer"), "{out}");
    assert_eq!(sim.stats("musicbrainz").over_limit, 0, "liner went over MusicBrainz's rate");
    assert_eq!(sim.stats("deezer").over_limit, 0, "liner went over Deezer's quota");
    assert!(!out.contains("failed:"), "no request should fail against a healthy simulator:\n{out}");

    let out = project.ok(&["transform"]);
    assert!(out.contains("canonical.links"), "{out}");
    let out = project.ok(&["load"]);
    assert!(out.contains("inserted"), "{out}");
    let again = project.ok(&["load"]);
    assert!(again.contains("nothing changed"), "a second load with no new data must change nothing:\n{again}");

    // Every link is right, and every pair whose identifiers agree is found.
    let catalog = sim.catalog();
    let truth = catalog.truth();
    let q = liner::commands::quality::measure(&project.warehouse(), &truth).expect("measuring");
    println!("releases, exact:      {}", q.releases_exact);
    println!("releases, all:        {}", q.releases);
    println!("recordings, exact:    {}", q.tracks_exact);
    println!("recordings, all:      {}", q.tracks);
    assert!(q.releases_exact.found > 20 && q.tracks_exact.found > 200, "too few links to judge: {q:?}");
    assert_eq!(q.releases_exact.precision(), 1.0, "a wrong exact release link: {}", q.releases_exact);
    assert_eq!(q.tracks_exact.precision(), 1.0, "a wrong exact recording link: {}", q.tracks_exact);
    assert!(q.releases.recall() > q.releases_exact.recall(), "fuzzy links add to exact ones: {}", q.releases);

    // What exact evidence can find: pairs whose barcodes (or ISRCs) agree once
    // normalized, and releases whose MusicBrainz page links to the Deezer album. The
    // rest (missing or mistyped identifiers) is fuzzy linking's job.
    let fetched = releases_of(&sim, &followed);
    let conn = duckdb::Connection::open(project.warehouse()).unwrap();
    let url_rels: HashSet<(String, u64)> = conn
        .prepare("select entity_id, provider_id from staging.musicbrainz_urls where entity = 'release' and provider = 'deezer'")
        .unwrap()
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .map(|(m, d)| (m, d.parse().unwrap()))
        .collect();
    drop(conn);
    assert!(!url_rels.is_empty(), "some MusicBrainz releases link to their Deezer album");
    let linkable_releases = fetched
        .iter()
        .filter_map(|r| Some((r.musicbrainz.as_ref()?, r.deezer.as_ref()?)))
        .filter(|(mb, dz)| {
            mb.barcode.as_deref().and_then(gtin14).is_some_and(|g| Some(g) == gtin14(&dz.upc))
                || url_rels.contains(&(mb.mbid.clone(), dz.id))
        })
        .count();
    assert_eq!(
        q.releases_exact.correct, linkable_releases,
        "every release whose barcodes agree or that MusicBrainz links is linked"
    );
    let on_musicbrainz: HashSet<usize> =
        fetched.iter().filter(|r| r.musicbrainz.is_some()).flat_map(|r| r.tracks.iter().copied()).collect();
    let mut linkable_tracks = HashSet::new();
    for dz in fetched.iter().filter_map(|r| r.deezer.as_ref()) {
        for t in &dz.tracks {
            let rec = &catalog.recordings[t.recording];
            if on_musicbrainz.contains(&t.recording)
                && isrc(&t.isrc).is_some_and(|i| rec.musicbrainz_isrcs.contains(&i))
            {
                linkable_tracks.insert((rec.mbid.clone(), t.id));
            }
        }
    }
    assert_eq!(q.tracks_exact.correct, linkable_tracks.len(), "every recording whose ISRCs agree is linked");
    assert!(q.releases_exact.recall() < 1.0, "the generator must leave some barcodes missing or mistyped");

    // The app database holds what the warehouse holds.
    let app = rusqlite::Connection::open(project.path().join("data/app.sqlite")).unwrap();
    let app_links: i64 = app.query_row("SELECT count(*) FROM links", [], |r| r.get(0)).unwrap();
    assert_eq!(app_links, query_i64(&project.warehouse(), "SELECT count(*) FROM canonical.links"));
    let linked_release: i64 = app
        .query_row(
            "SELECT count(*) FROM releases WHERE musicbrainz_release_id IS NOT NULL AND deezer_album_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(linked_release as usize, q.releases.found, "a linked pair is one canonical release");
}

#[test]
fn a_second_extract_is_served_from_the_lake_and_refresh_asks_again_without_duplicating() {
    let sim = sim(11, 30, 50);
    let project = Project::new(&sim, 50, "");
    for a in artists(&sim, 3) {
        project.ok(&["follow", &a]);
    }
    project.ok(&["extract", "deezer"]);
    project.ok(&["transform"]);
    let wh = project.warehouse();
    let albums = query_i64(&wh, "SELECT count(*) FROM staging.deezer_albums");
    let tracks = query_i64(&wh, "SELECT count(*) FROM canonical.tracks");
    let responses = query_i64(&wh, "SELECT count(*) FROM raw.deezer_albums");
    assert!(albums > 0);
    assert_eq!(query_i64(&wh, "SELECT count(*) FROM raw.musicbrainz_releases"), 0, "only deezer was asked");

    let sent = sim.stats("deezer").requests;
    let out = project.ok(&["extract", "deezer"]);
    assert_eq!(sim.stats("deezer").requests, sent, "nothing fresh in the lake is asked again:\n{out}");
    assert!(out.contains("0 requests"), "{out}");

    project.ok(&["extract", "deezer", "--refresh"]);
    assert!(sim.stats("deezer").requests >= 2 * sent, "--refresh asks again");
    project.ok(&["transform"]);
    assert_eq!(query_i64(&wh, "SELECT count(*) FROM raw.deezer_albums"), 2 * responses, "raw is append-only");
    assert_eq!(query_i64(&wh, "SELECT count(*) FROM staging.deezer_albums"), albums, "staging keeps the newest");
    assert_eq!(query_i64(&wh, "SELECT count(*) FROM canonical.tracks"), tracks);
}

#[test]
fn an_extract_killed_midway_resumes_without_asking_again_for_what_landed() {
    let sim = sim(19, 30, 50);
    let project = Project::new(&sim, 50, "rate = { requests = 20, per_seconds = 1.0 }\n");
    let followed = artists(&sim, 4);
    for a in &followed {
        project.ok(&["follow", a]);
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_liner"))
        .current_dir(project.path())
        .args(["extract", "deezer"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed once a few batches have landed: mid-way, however fast the machine.
    while crate::common::lake_files(&project.path().join("data/raw")) < 3 {
        assert!(child.try_wait().unwrap().is_none(), "the extract ended before it was killed");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: no chance to flush or clean up
    child.wait().unwrap();
    let sent_before = sim.stats("deezer").requests;
    assert!(sent_before > 10, "the run should have been under way");

    project.ok(&["extract", "deezer"]);
    project.ok(&["transform"]); // reads every file in the lake: none is torn
    let wh = project.warehouse();
    let twice: Vec<String> = ["artist_search", "artist_albums", "albums", "album_tracks"]
        .iter()
        .flat_map(|r| {
            crate::common::query_strings(
                &wh,
                &format!("SELECT request_key FROM raw.deezer_{r} GROUP BY 1 HAVING count(*) > 1"),
            )
        })
        .collect();
    assert!(twice.is_empty(), "a request whose response had landed was sent again: {twice:?}");
    let expected: Vec<_> = releases_of(&sim, &followed).into_iter().filter_map(|r| r.deezer.as_ref()).collect();
    assert_eq!(query_i64(&wh, "SELECT count(*) FROM staging.deezer_albums") as usize, expected.len());
    let tracks: usize = expected.iter().map(|a| a.tracks.len()).sum();
    assert_eq!(query_i64(&wh, "SELECT count(*) FROM staging.deezer_tracks") as usize, tracks);
}

#[test]
fn the_demo_runs_the_whole_pipeline_and_a_second_run_changes_nothing_already_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let demo = |n: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_liner"))
            .args(["demo", "--artists", n, "--data-dir"])
            .arg(&data)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        stdout
    };
    let first = demo("2");
    for says in ["musicbrainz", "deezer", "canonical.links", "inserted", "precision 100.0%", "duckdb -readonly"] {
        assert!(first.contains(says), "the demo should say {says:?}:\n{first}");
    }
    assert!(data.join("warehouse.duckdb").exists() && data.join("app.sqlite").exists());
    // Served from the lake: nothing loaded changes. Only the history tables gain rows:
    // the charts are asked anew every run (a new snapshot), and coverage keeps each build's.
    let second = demo("2");
    assert!(second.contains("nothing already loaded changed; new rows only: "), "{second}");
    for line in second.lines().filter(|l| l.contains(" inserted ")) {
        let table = line.split_whitespace().next().unwrap();
        let fresh = ["chart_appearances", "coverage"].contains(&table);
        assert!(fresh || line.contains(" 0 inserted"), "{table} changed on a run served from the lake: {line}");
        assert!(line.contains(" 0 updated") && line.contains(" 0 deleted"), "{line}");
    }
}

#[test]
fn a_schedule_runs_its_steps_in_order() {
    let sim = sim(13, 20, 50);
    let project = Project::new(&sim, 50, "");
    project.ok(&["follow", &artists(&sim, 1)[0]]);
    let out = project.ok(&["run", "nightly"]);
    let (e, t, l) = (out.find("== extract"), out.find("== transform"), out.find("== load"));
    assert!(e.is_some() && e < t && t < l, "{out}");
    assert!(query_i64(&project.warehouse(), "SELECT count(*) FROM canonical.releases") > 0);
    let err = project.run(&["run", "hourly-nope"]);
    let stderr = String::from_utf8_lossy(&err.stderr);
    assert!(!err.status.success() && stderr.contains("hourly-nope") && stderr.contains("nightly"), "{stderr}");
}

#[test]
fn every_canonical_row_names_the_lake_file_it_was_read_from() {
    let sim = sim(5, 20, 20);
    let project = Project::new(&sim, 20, "");
    for a in artists(&sim, 3) {
        project.ok(&["follow", &a]);
    }
    project.ok(&["extract"]);
    project.ok(&["transform"]);
    let wh = project.warehouse();
    for table in ["canonical.releases", "canonical.tracks"] {
        let rows = query_i64(&wh, &format!("SELECT count(*) FROM {table}"));
        assert!(rows > 5, "{table}: too few rows to judge");
        let without = query_i64(&wh, &format!("SELECT count(*) FROM {table} WHERE source_file IS NULL"));
        assert_eq!(without, 0, "{table}: rows without a source file");
    }
    // The file named is in the lake, and holds the response the row was read from.
    let conn = duckdb::Connection::open(&wh).unwrap();
    let (file, album): (String, i64) = conn
        .query_row(
            "SELECT source_file, deezer_album_id FROM canonical.releases WHERE source_provider = 'deezer' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(std::path::Path::new(&file).starts_with(project.path()), "{file} is not in the project's lake");
    let found: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM read_parquet('{file}') WHERE request_key = 'albums:/album/{album}'"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, 1, "{file} holds the album's response");
}
