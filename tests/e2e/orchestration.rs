//! Running liner unattended and by hand at once: one writer at a time.

use std::time::{Duration, Instant};

use crate::common::{Project, artists, sim};

#[test]
fn a_second_writer_waits_or_refuses_naming_the_running_run_and_readers_go_on() {
    let sim = sim(3, 20, 3);
    let project = Project::new(&sim, 3, "");
    for a in artists(&sim, 3) {
        project.ok(&["follow", &a]);
    }
    // MusicBrainz at 3 requests a second: an extract that takes several seconds.
    let mut extract = project
        .command(&["extract", "musicbrainz"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lock = project.path().join("data/liner.lock");
    let started = Instant::now();
    while !std::fs::read_to_string(&lock).unwrap_or_default().contains(", run ") {
        assert!(started.elapsed() < Duration::from_secs(10), "the extract never said it was running");
        std::thread::sleep(Duration::from_millis(50));
    }

    let refused = project.run(&["--no-wait", "transform"]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "a second writer with --no-wait is refused");
    assert!(said.contains("another liner is writing") && said.contains("`liner extract musicbrainz`"), "{said}");
    assert!(said.contains(", run 20"), "the refusal names the running run: {said}");
    assert!(extract.try_wait().unwrap().is_none(), "the extract is still running");
    project.ok(&["follows"]); // readers take no lock

    let waited = project.run(&["transform"]);
    let said = String::from_utf8_lossy(&waited.stderr);
    assert!(waited.status.success(), "{said}");
    assert!(said.contains("waiting for another liner to finish"), "{said}");
    assert!(extract.try_wait().unwrap().is_some(), "the transform ran only once the extract was done");
    assert!(crate::common::query_i64(&project.warehouse(), "SELECT count(*) FROM staging.musicbrainz_releases") > 0);
}

#[test]
fn every_run_and_stage_is_in_the_history_with_its_counts_or_its_error() {
    let sim = sim(13, 20, 50);
    let project = Project::new(&sim, 50, "");
    project.ok(&["follow", &artists(&sim, 1)[0]]);
    project.ok(&["run", "nightly"]);
    // An app database that cannot be opened: the load stage fails.
    let app = project.path().join("data/app.sqlite");
    std::fs::remove_file(&app).unwrap();
    std::fs::create_dir(&app).unwrap();
    assert!(!project.run(&["load"]).status.success());

    let listed = project.ok(&["runs"]);
    let ids: Vec<(&str, &str)> = listed
        .lines()
        .skip(1)
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols[0], cols[2])
        })
        .collect();
    assert_eq!(ids.len(), 2, "{listed}");
    assert_eq!(ids[0].1, "failed", "newest first: the load\n{listed}");
    assert_eq!(ids[1].1, "ok", "{listed}");
    assert!(listed.contains("liner run nightly") && listed.contains("liner load"), "{listed}");

    let nightly = project.ok(&["runs", ids[1].0]);
    for stage in ["extract", "transform", "load"] {
        let line = nightly.lines().find(|l| l.trim_start().starts_with(stage)).unwrap_or_else(|| panic!("{nightly}"));
        assert!(line.contains(" ok "), "{line}");
    }
    assert!(nightly.contains("\"responses\":") && nightly.contains("\"models\":") && nightly.contains("\"inserted\":"));
    let load = project.ok(&["runs", ids[0].0]);
    assert!(load.contains("failed") && load.contains("app.sqlite"), "the stage keeps its error:\n{load}");
    let missing = project.run(&["runs", "nope"]);
    assert!(!missing.status.success() && String::from_utf8_lossy(&missing.stderr).contains("no run \"nope\""));
}

#[test]
fn transform_select_rebuilds_only_the_models_named_and_keeps_the_rest() {
    let sim = sim(13, 20, 50);
    let project = Project::new(&sim, 50, "");
    project.ok(&["follow", &artists(&sim, 1)[0]]);
    project.ok(&["extract"]);
    let refused = project.run(&["transform", "--select", "canonical.links"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("without --select first"), "no warehouse yet");
    project.ok(&["transform"]);
    let built_at = |model: &str| {
        crate::common::query_strings(
            &project.warehouse(),
            &format!("SELECT run_id FROM meta.models WHERE name = '{model}'"),
        )
    };
    let first = built_at("staging.deezer_albums");

    let out = project.ok(&["transform", "--select", "intermediate.fuzzy_links+"]);
    for rebuilt in ["intermediate.fuzzy_links", "canonical.links", "canonical.clusters", "canonical.releases"] {
        assert!(out.contains(rebuilt), "{rebuilt} is downstream:\n{out}");
    }
    assert!(!out.contains("staging.") && !out.contains("intermediate.exact_links"), "upstream kept:\n{out}");
    assert_eq!(built_at("staging.deezer_albums"), first, "a model not selected keeps its last build");
    assert_ne!(built_at("canonical.links"), first);
    assert!(crate::common::query_i64(&project.warehouse(), "SELECT count(*) FROM canonical.links") > 0);

    let out = project.ok(&["transform", "--select", "+staging.deezer_albums"]);
    assert!(out.contains("staging.deezer_albums") && !out.contains("canonical."), "{out}");
    let out = project.ok(&["transform", "--select", "canonical.*"]);
    assert!(out.contains("canonical.releases") && !out.contains("intermediate."), "{out}");
    let bad = project.run(&["transform", "--select", "canonical.relases"]);
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(said.contains("no model canonical.relases"), "{said}");
}

#[test]
fn load_table_loads_that_table_alone() {
    let sim = sim(13, 20, 50);
    let project = Project::new(&sim, 50, "");
    project.ok(&["follow", &artists(&sim, 1)[0]]);
    project.ok(&["extract"]);
    project.ok(&["transform"]);
    let out = project.ok(&["load", "--table", "releases"]);
    assert!(out.contains("releases") && !out.contains("tracks") && !out.contains("links"), "{out}");
    let out = project.ok(&["load", "--table", "canonical.tracks", "--table", "links"]);
    assert!(out.contains("tracks") && out.contains("links") && !out.contains("release_groups"), "{out}");
    let bad = project.run(&["load", "--table", "canonical.clusters"]);
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && said.contains("--table canonical.clusters: not a table the load writes"),
        "{said}"
    );
}

#[test]
fn sigterm_lands_what_was_fetched_and_records_the_run_as_interrupted() {
    let sim = sim(3, 20, 3);
    let project = Project::new(&sim, 3, "");
    for a in artists(&sim, 3) {
        project.ok(&["follow", &a]);
    }
    let child = project
        .command(&["extract", "musicbrainz"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500)); // a few requests at 3 a second
    let sent = sim.stats("musicbrainz").requests;
    assert!(sent > 2, "the run should be under way");
    let killed = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "it stops soon after the signal");
    assert!(!out.status.success(), "an interrupted run is no success");
    assert!(sim.stats("musicbrainz").requests <= sent + 2, "no new requests after the signal");

    let runs = project.ok(&["runs"]);
    let line = runs.lines().nth(1).unwrap();
    assert!(line.contains("interrupted") && line.contains("liner extract musicbrainz"), "{runs}");
    project.ok(&["transform"]); // the lake holds whole files only
    let lake = project.path().join("data/raw/musicbrainz/*/*/*.parquet");
    let landed = crate::common::query_i64(
        &project.warehouse(),
        &format!("SELECT count(*) FROM read_parquet('{}')", lake.display()),
    );
    assert_eq!(landed as u64, sim.stats("musicbrainz").requests, "every answer sent landed");
}

/// Runs `liner schedule` in `project` for `secs`, then SIGTERM; returns its stdout.
/// Runs `liner schedule` until its output shows what `done` waits for (or, as a
/// safety net on a stuck run, ten minutes), then stops it with SIGTERM: the test waits
/// for events, not for a number of seconds.
fn schedule_until(project: &Project, done: impl Fn(&str) -> bool) -> String {
    use std::io::BufRead;
    let mut child = project
        .command(&["schedule"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut said = String::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    // `done` may also look at the run history: it is asked after each line and every
    // quarter second.
    while !done(&said) && std::time::Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(250)) {
            Ok(line) => {
                said.push_str(&line);
                said.push('\n');
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    said.extend(rx.try_iter().map(|l| l + "\n"));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{said}\n{stderr}");
    said
}

#[test]
fn the_scheduler_runs_ticks_skips_a_busy_schedule_catches_up_and_stops_cleanly() {
    let sim = sim(3, 20, 3);
    let project = Project::new(&sim, 3, "");
    let toml = std::fs::read_to_string(project.path().join("liner.toml")).unwrap();
    std::fs::write(
        project.path().join("liner.toml"),
        toml.replace("[paths]\n", "[paths]\nschedules_dir = \"schedules\"\n"),
    )
    .unwrap();
    let dir = project.path().join("schedules");
    std::fs::create_dir(&dir).unwrap();
    // Every second, a run that takes longer than that (MusicBrainz at 3 requests a second).
    std::fs::write(dir.join("often.toml"), "name = 'often'\ncron = '* * * * * *'\nsteps = ['extract:musicbrainz']\n")
        .unwrap();
    // Once a day at 03:00: never ticks during the test, but has never succeeded.
    std::fs::write(dir.join("daily.toml"), "name = 'daily'\ncron = '0 3 * * *'\nsteps = ['transform']\n").unwrap();
    for a in artists(&sim, 3) {
        project.ok(&["follow", &a]);
    }

    // Until the catch-up run finished (as the run history says) and a busy tick was skipped.
    let daily_done = || {
        project
            .ok(&["runs"])
            .lines()
            .any(|l| l.ends_with("liner run daily") && l.split_whitespace().nth(2) == Some("ok"))
    };
    let said = schedule_until(&project, |s| s.contains("often: skipped") && daily_done());
    assert!(said.contains("daily: started (catching up"), "{said}");
    assert!(said.contains("often: skipped"), "{said}");
    let runs = project.ok(&["runs", "--limit", "100"]);
    let count = |command: &str, status: &str| {
        runs.lines().filter(|l| l.ends_with(command) && l.split_whitespace().nth(2) == Some(status)).count()
    };
    assert_eq!(count("liner run daily", "ok"), 1, "{runs}");
    assert!(count("liner run often", "skipped") >= 1, "the skip is recorded:\n{runs}");
    assert_eq!(count("liner run often", "running"), 0, "the stop waited for the children:\n{runs}");
    assert!(count("liner run often", "interrupted") + count("liner run often", "ok") >= 1, "{runs}");

    // Started again: daily succeeded after its last tick, so it waits for the next one.
    // Until a tick ran: catching up, had it been due, comes before any tick.
    let said = schedule_until(&project, |s| s.contains("often: started"));
    assert!(!said.contains("daily: started"), "{said}");
}

#[test]
fn the_trending_schedule_fetches_charts_alone_with_no_artist_followed() {
    let sim = sim(3, 20, 50);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("liner.toml"),
        format!(
            "[paths]\ndata_dir = \"data\"\n\n[providers.musicbrainz]\nenabled = false\n\n[providers.deezer]\nbase_url = \"{}\"\n",
            sim.base_url("deezer")
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_liner"))
        .current_dir(dir.path())
        .args(["run", "trending"])
        .env_remove("LINER_CONFIG")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("== extract:charts") && said.contains("== transform"), "{said}");
    assert_eq!(sim.stats("deezer").requests, 3, "the album and track charts and the editorial releases, nothing else");
    let wh = dir.path().join("data/warehouse.duckdb");
    assert!(crate::common::query_i64(&wh, "SELECT count(*) FROM staging.deezer_chart_entries") > 0);
    assert_eq!(crate::common::query_i64(&wh, "SELECT count(*) FROM raw.deezer_artist_albums"), 0);
}

#[test]
fn extract_one_resource_for_one_artist_asks_for_that_alone() {
    let sim = sim(13, 20, 50);
    let project = Project::new(&sim, 50, "");
    let followed = artists(&sim, 2);
    for a in &followed {
        project.ok(&["follow", a]);
    }
    project.ok(&["extract", "deezer"]);
    let before = sim.stats("deezer").requests;
    project.ok(&["extract", "deezer", "albums", "--artist", &followed[0]]);
    let albums = crate::common::releases_of(&sim, &followed[..1]).into_iter().filter(|r| r.deezer.is_some()).count();
    assert!(albums > 0);
    assert_eq!(
        sim.stats("deezer").requests - before,
        albums as u64,
        "one request per album of that artist; the search, the album list and the tracks come from the lake"
    );
    let bad = project.run(&["extract", "deezer", "album"]);
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(said.contains("deezer has no resource \"album\"") && said.contains("albums"), "{said}");
}

#[test]
fn the_enrich_schedule_looks_up_what_the_catalog_lacks_by_its_identifiers() {
    let sim = sim(13, 20, 50);
    let project = Project::new(&sim, 50, "");
    project.ok(&["follow", &artists(&sim, 2)[0]]);
    project.ok(&["extract"]);
    project.ok(&["transform"]);
    let before = (sim.stats("musicbrainz").requests, sim.stats("deezer").requests);
    let out = project.ok(&["run", "enrich", "--max-items", "6"]);
    assert!(out.contains("looking up 6 catalog item(s)"), "{out}");
    let sent = (sim.stats("musicbrainz").requests - before.0, sim.stats("deezer").requests - before.1);
    assert!(sent.0 > 0 && sent.1 > 0, "both providers asked: {sent:?}");
    assert!(sent.0 + sent.1 <= 6 * 4, "a few requests per item, nothing else: {sent:?}");
    let wh = project.warehouse();
    let by_identifier =
        crate::common::query_i64(
            &wh,
            "SELECT count(*) FROM raw.deezer_albums WHERE request_key LIKE 'albums:/album/upc:%'",
        ) + crate::common::query_i64(&wh, "SELECT count(*) FROM raw.deezer_tracks WHERE request_key LIKE '%isrc:%'");
    assert!(by_identifier > 0, "looked up by barcode or ISRC");
    let artist_searches = crate::common::query_i64(&wh, "SELECT count(*) FROM raw.deezer_artist_search");
    assert_eq!(artist_searches, 1, "no artist was searched again");

    let again = (sim.stats("musicbrainz").requests, sim.stats("deezer").requests);
    project.ok(&["run", "enrich", "--max-items", "6"]);
    let resent = (sim.stats("musicbrainz").requests - again.0) + (sim.stats("deezer").requests - again.1);
    assert!(resent < sent.0 + sent.1, "answers come from the lake the next hour: {resent} vs {sent:?}");
}

/// A project whose `liner follow` does what a user's does: resolve, then sync.
fn lazy(project: &Project) {
    let toml = std::fs::read_to_string(project.path().join("liner.toml")).unwrap();
    std::fs::write(
        project.path().join("liner.toml"),
        toml.replace("resolve = false\nsync = false", "resolve = true\nsync = true"),
    )
    .unwrap();
}

#[test]
fn lazy_follow_resolves_on_musicbrainz_then_fetches_that_artist_and_rebuilds() {
    let sim = sim(13, 20, 50);
    let project = Project::new(&sim, 50, "");
    lazy(&project);
    let name = artists(&sim, 1).remove(0);
    let out = project.ok(&["follow", &name.to_lowercase()]);
    assert!(out.contains(&format!("following {name}")), "followed as MusicBrainz spells it:\n{out}");
    assert!(out.contains("== extract") && out.contains("== transform"), "{out}");
    let wh = project.warehouse();
    let on_mb = crate::common::releases_of(&sim, std::slice::from_ref(&name))
        .into_iter()
        .filter(|r| r.musicbrainz.is_some())
        .count();
    assert_eq!(crate::common::query_i64(&wh, "SELECT count(*) FROM staging.musicbrainz_releases") as usize, on_mb);
    assert!(crate::common::query_i64(&wh, "SELECT count(*) FROM staging.deezer_albums") > 0);
    let runs = project.ok(&["runs"]);
    assert!(runs.contains("liner follow"), "{runs}");

    let unknown = project.run(&["follow", "Qqqq Zzzzxx"]);
    let said = String::from_utf8_lossy(&unknown.stderr);
    assert!(!unknown.status.success() && said.contains("no artist on MusicBrainz matches"), "{said}");
    assert_eq!(project.ok(&["follows"]).lines().count(), 1, "nothing followed for a name that matches no one");
}

#[test]
fn following_a_name_several_artists_share_asks_which_or_takes_the_best_with_yes() {
    let sim = sim(5, 300, 50);
    let c = sim.catalog();
    let shared = c
        .artists
        .iter()
        .find(|a| c.artists.iter().filter(|b| b.name == a.name).count() > 1)
        .expect("the catalog has homonyms")
        .name
        .clone();
    let project = Project::new(&sim, 50, "");
    lazy(&project);
    let asked = project.run(&["follow", &shared]);
    let said = String::from_utf8_lossy(&asked.stderr);
    assert!(!asked.status.success(), "not followed without a choice");
    assert!(said.contains("could be any of these") && said.contains("--yes") && said.contains(" band"), "{said}");
    assert_eq!(project.ok(&["follows"]).trim(), "");
    let out = project.ok(&["follow", &shared, "--yes", "--no-sync"]);
    assert!(out.contains(&format!("following {shared}")), "{out}");

    // The artist chosen is the one extracted: no search by name, no guess between them.
    let chosen = out.split("mbid ").nth(1).map(|s| s[..36].to_string()).unwrap_or_else(|| panic!("{out}"));
    project.ok(&["extract", "musicbrainz"]);
    project.ok(&["transform"]);
    let wh = project.warehouse();
    assert_eq!(crate::common::query_i64(&wh, "SELECT count(*) FROM raw.musicbrainz_artist_search"), 0);
    let browsed = crate::common::query_strings(&wh, "SELECT DISTINCT request_key FROM raw.musicbrainz_releases");
    assert!(!browsed.is_empty() && browsed.iter().all(|k| k.contains(&chosen)), "{chosen}: {browsed:?}");
}

#[test]
fn dry_run_says_what_would_happen_and_sends_and_writes_nothing() {
    let sim = sim(13, 20, 50);
    let project = Project::new(&sim, 50, "");
    project.ok(&["follow", &artists(&sim, 2)[0]]);
    project.ok(&["extract"]);
    project.ok(&["transform"]);
    let sent = (sim.stats("musicbrainz").requests, sim.stats("deezer").requests);
    let runs = project.ok(&["runs"]);
    let built = std::fs::metadata(project.warehouse()).unwrap().modified().unwrap();

    let plan = project.ok(&["--dry-run", "run", "nightly"]);
    for says in ["dry run", "== extract", "== transform", "== load", "canonical.links", "canonical.releases"] {
        assert!(plan.contains(says), "{says:?} in\n{plan}");
    }
    let deezer = plan.lines().find(|l| l.starts_with("deezer")).unwrap_or_else(|| panic!("{plan}"));
    let from_lake: usize = deezer.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert!(from_lake > 5, "what the lake holds fresh is counted: {deezer}");
    let plan = project.ok(&["transform", "--select", "canonical.links+", "--dry-run"]);
    assert!(plan.contains("canonical.clusters") && !plan.contains("staging."), "{plan}");

    assert_eq!((sim.stats("musicbrainz").requests, sim.stats("deezer").requests), sent, "nothing sent");
    assert_eq!(project.ok(&["runs"]), runs, "no run recorded");
    assert_eq!(std::fs::metadata(project.warehouse()).unwrap().modified().unwrap(), built, "no warehouse built");
}

#[test]
fn max_items_caps_an_extract_to_its_first_artists() {
    let sim = sim(13, 20, 50);
    let project = Project::new(&sim, 50, "");
    for a in artists(&sim, 3) {
        project.ok(&["follow", &a]);
    }
    let plan = project.ok(&["--dry-run", "extract", "--max-items", "1"]);
    assert!(plan.contains("1 artist(s)"), "{plan}");
    project.ok(&["extract", "deezer", "--max-items", "1"]);
    // No warehouse yet: count in the lake.
    let lake = project.path().join("data/raw/deezer/artist_search/*/*.parquet");
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let n: i64 =
        conn.query_row(&format!("SELECT count(*) FROM read_parquet('{}')", lake.display()), [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1, "one artist searched, not three");
}

#[test]
fn extract_date_asks_again_what_landed_that_day_and_nothing_else() {
    let sim = sim(13, 20, 50);
    let project = Project::new(&sim, 50, "");
    project.ok(&["follow", &artists(&sim, 1)[0]]);
    project.ok(&["extract", "deezer"]);
    let first = sim.stats("deezer").requests;
    project.ok(&["extract", "deezer", "--date", "2001-01-01"]);
    assert_eq!(sim.stats("deezer").requests, first, "nothing landed that day: all from the lake");
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    project.ok(&["extract", "deezer", "--date", &today]);
    assert_eq!(sim.stats("deezer").requests, 2 * first, "today's answers, every one asked again");
    let bad = project.run(&["extract", "deezer", "--date", "yesterday"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--date"), "the bad argument is named");
}

#[test]
fn a_terminal_gets_progress_bars_and_a_pipe_gets_plain_lines() {
    let sim = sim(13, 20, 50);
    let project = Project::new(&sim, 50, "");
    project.ok(&["follow", &artists(&sim, 1)[0]]);
    // `script` runs liner on a pseudo-terminal and passes on what it drew.
    let on_terminal_run = |args: &str| {
        std::process::Command::new("script")
            .current_dir(project.path())
            .env_remove("LINER_CONFIG")
            .args(["-qfec", &format!("{} {args}", env!("CARGO_BIN_EXE_liner")), "/dev/null"])
            .output()
            .unwrap()
    };
    let on_terminal = on_terminal_run("extract deezer");
    let drawn = String::from_utf8_lossy(&on_terminal.stdout);
    assert!(on_terminal.status.success(), "{drawn}");
    assert!(drawn.contains("answers") && drawn.contains("/s"), "a bar for deezer, with its rate:\n{drawn}");
    // Run again: the lake says how much to expect, so the bar has a length.
    project.ok(&["transform"]);
    let again = on_terminal_run("extract deezer --refresh");
    let drawn = String::from_utf8_lossy(&again.stdout);
    assert!(drawn.contains("left"), "answers against what the lake held, and the time left:\n{drawn}");

    let piped = project.run(&["extract", "deezer"]);
    let plain = String::from_utf8_lossy(&piped.stderr);
    assert!(
        !plain.contains("answers") && !plain.contains('\u{1b}'),
        "no bars, no escape codes off a terminal:\n{plain}"
    );
    assert!(String::from_utf8_lossy(&piped.stdout).contains("== summary"), "a run ends with its summary");
}
