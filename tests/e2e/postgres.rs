//! `liner load` into a real PostgreSQL server (TEST_POSTGRES_URL; `.ci/run` starts one):
//! the pipeline's tables, idempotent reloads, kills at every phase of a load, and the
//! errors a user meets.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{Project, artists, query_i64, sim};

/// A database of the test's own on the test server, dropped at the end.
pub struct PgDb {
    name: String,
    pub url: String,
}

fn server_url() -> String {
    std::env::var("TEST_POSTGRES_URL").expect(
        "TEST_POSTGRES_URL is not set: these tests need a PostgreSQL server. `.ci/run` starts one; \
         or run `eval \"$(.ci/postgres-up)\"` first",
    )
}

fn block_on<T>(f: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// Every row of `sql`, each value as text (NULL as None).
pub fn pg_rows(url: &str, sql: &str) -> Vec<Vec<Option<String>>> {
    block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        let messages = client.simple_query(sql).await.unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        messages
            .into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => {
                    Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                }
                _ => None,
            })
            .collect()
    })
}

fn pg_one(url: &str, sql: &str) -> String {
    pg_rows(url, sql)[0][0].clone().unwrap_or_default()
}

impl PgDb {
    pub fn new(tag: &str) -> PgDb {
        let name = format!("liner_e2e_{tag}_{}", std::process::id());
        pg_rows(&server_url(), &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        pg_rows(&server_url(), &format!("CREATE DATABASE {name}"));
        let mut url = url::Url::parse(&server_url()).unwrap();
        url.set_path(&name);
        PgDb { name, url: url.to_string() }
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        pg_rows(&server_url(), &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

#[test]
fn the_pipeline_loads_into_postgres_and_a_second_load_writes_nothing() {
    let sim = sim(11, 40, 20);
    let project = Project::new(&sim, 20, "");
    let db = PgDb::new("pipeline");
    let mut args = vec!["follow"];
    let followed = artists(&sim, 6);
    args.extend(followed.iter().map(String::as_str));
    project.ok(&args);
    project.ok(&["extract"]);
    project.ok(&["transform"]);

    let out = project.ok(&["load", "--target", &db.url]);
    assert!(out.contains("inserted"), "{out}");
    let password = url::Url::parse(&server_url()).unwrap().password().unwrap().to_string();
    assert!(!out.contains(&password), "the password is printed:\n{out}");
    for table in ["release_groups", "releases", "tracks", "links"] {
        let in_warehouse = query_i64(&project.warehouse(), &format!("SELECT count(*) FROM canonical.{table}"));
        let in_app: i64 = pg_one(&db.url, &format!("SELECT count(*) FROM public.{table}")).parse().unwrap();
        assert!(in_warehouse > 0, "{table} is empty: nothing to compare");
        assert_eq!(in_app, in_warehouse, "{table}: the app has {in_app} rows, the warehouse {in_warehouse}");
    }
    // The same rows, value for value: ids, titles and ISRCs of every track.
    let warehouse_tracks = crate::common::query_strings(
        &project.warehouse(),
        "SELECT track_id || '|' || title || '|' || coalesce(isrc, '') FROM canonical.tracks ORDER BY track_id",
    );
    let app_tracks: Vec<String> = pg_rows(
        &db.url,
        "SELECT track_id || '|' || title || '|' || coalesce(isrc, '') FROM tracks ORDER BY track_id COLLATE \"C\"",
    )
    .into_iter()
    .map(|r| r[0].clone().unwrap())
    .collect();
    assert_eq!(app_tracks, warehouse_tracks);

    let xmin_before = pg_one(&db.url, "SELECT string_agg(xmin::text, ',' ORDER BY release_id) FROM releases");
    let again = project.ok(&["load", "--target", &db.url]);
    assert!(again.contains("nothing changed"), "a second load with nothing new must write nothing:\n{again}");
    let xmin_after = pg_one(&db.url, "SELECT string_agg(xmin::text, ',' ORDER BY release_id) FROM releases");
    assert_eq!(xmin_before, xmin_after, "the second load rewrote rows");
    // The run records the command without the password.
    let runs = project.ok(&["runs"]);
    assert!(runs.contains("postgres://postgres:***@"), "{runs}");
}

/// Every row of each table, in key order, as one digest per table.
fn app_tables(url: &str, tables: &[(&str, &str)]) -> Vec<String> {
    tables
        .iter()
        .map(|(table, key)| {
            pg_one(
                url,
                &format!("SELECT count(*) || ' ' || md5(string_agg(t::text, '|' ORDER BY {key})) FROM {table} t"),
            )
        })
        .collect()
}

#[test]
fn after_an_incremental_build_a_load_writes_the_clusters_built_again_and_ends_where_a_whole_load_ends() {
    let sim = sim(11, 40, 20);
    let project = Project::new(&sim, 20, "");
    let followed = artists(&sim, 7);
    let (db, whole) = (PgDb::new("scoped"), PgDb::new("whole"));
    let mut args = vec!["follow"];
    args.extend(followed[..6].iter().map(String::as_str));
    project.ok(&args);
    project.ok(&["extract"]);
    project.ok(&["transform"]);
    project.ok(&["load", "--target", &db.url]);
    project.ok(&["follow", &followed[6]]);
    project.ok(&["extract"]);
    let built = project.ok(&["transform"]);
    assert!(built.contains("incremental"), "the second build must be incremental:\n{built}");
    let out = project.ok(&["load", "--target", &db.url]);
    // Made again by cluster (releases, tracks, listings) or rebuilt whole with its
    // changed keys found (links): each read in part.
    for table in ["releases", "tracks", "listings", "links"] {
        let line = out.lines().find(|l| l.starts_with(table)).unwrap_or_else(|| panic!("no {table} in:\n{out}"));
        assert!(line.contains("changed since the last load"), "{table} was merged whole:\n{out}");
    }
    project.ok(&["load", "--target", &whole.url]);
    let tables = [
        ("releases", "release_id"),
        ("tracks", "track_id"),
        ("listings", "entity, provider, item_id"),
        ("links", "link_id"),
    ];
    assert_eq!(app_tables(&db.url, &tables), app_tables(&whole.url, &tables));
}

/// A warehouse of `rows` tracks and a tenth as many releases, in `canonical` with
/// `meta.models`, as a transform leaves it. `v2` changes a tenth of the rows, drops the
/// last hundredth, adds new ones, and gives tracks a new column.
fn write_warehouse(path: &Path, rows: i64, v2: bool) {
    let _ = std::fs::remove_file(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let db = duckdb::Connection::open(path).unwrap();
    let (first, last, changed) = if v2 { (rows / 100, rows + rows / 20, "i % 10 = 0") } else { (0, rows, "false") };
    let bpm = if v2 { ", (60 + i % 120)::DOUBLE AS bpm" } else { "" };
    db.execute_batch(&format!(
        "CREATE SCHEMA canonical; CREATE SCHEMA meta;
         CREATE TABLE meta.models (name VARCHAR, path VARCHAR, key VARCHAR, rows BIGINT, elapsed_ms BIGINT,
                                   built_at TIMESTAMP, run_id VARCHAR, max_length VARCHAR);
         INSERT INTO meta.models VALUES
            ('canonical.tracks', 't.sql', 'track_id', 0, 0, TIMESTAMP '2026-11-22 00:00:00', 'r', 'isrc=12'),
            ('canonical.releases', 'r.sql', 'release_id', 0, 0, TIMESTAMP '2026-11-22 00:00:00', 'r', '');
         CREATE TABLE canonical.tracks AS
            SELECT 'isrc:' || printf('GBAYE%07d', i) AS track_id,
                   CASE WHEN {changed} THEN 'Remastered ' ELSE '' END || 'Song ' || md5(i::VARCHAR)[:12] AS title,
                   'Artist ' || (i % 997) AS artist, printf('GBAYE%07d', i) AS isrc, (120000 + i % 180000)::BIGINT AS length_ms,
                   md5('mb' || i::VARCHAR) AS musicbrainz_recording_id, (3000000 + i)::BIGINT AS deezer_track_id {bpm}
            FROM range({first}, {last}) t(i);
         CREATE TABLE canonical.releases AS
            SELECT 'gtin:' || printf('%014d', i) AS release_id, 'Album ' || i AS title,
                   CASE WHEN {changed} THEN DATE '2020-01-01' ELSE DATE '2001-03-07' END + (i % 300)::INTEGER AS release_date,
                   (300000 + i)::BIGINT AS deezer_album_id
            FROM range({first} // 10, {last} // 10) t(i);
         CHECKPOINT;"
    ))
    .unwrap();
}

/// Everything the app could see of the two tables: columns, rows, liner's records, all
/// read in one snapshot, so a commit landing between two reads cannot mix the states.
fn app_state(url: &str) -> Vec<String> {
    let reads = [
        "SELECT string_agg(table_name || '.' || column_name || ' ' || data_type, ', ' ORDER BY table_name, ordinal_position) \
         FROM information_schema.columns WHERE table_schema = 'catalog'",
        "SELECT count(*) || ' ' || md5(string_agg(t::text, '|' ORDER BY track_id)) FROM catalog.tracks t",
        "SELECT count(*) || ' ' || md5(string_agg(r::text, '|' ORDER BY release_id)) FROM catalog.releases r",
        "SELECT string_agg(table_name || ' ' || definition, '; ' ORDER BY table_name) FROM catalog.liner_tables",
    ];
    let sql = format!("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {}; COMMIT", reads.join("; "));
    let rows = pg_rows(url, &sql);
    assert_eq!(rows.len(), reads.len(), "one row for each read: {rows:?}");
    rows.into_iter().map(|r| r[0].clone().unwrap_or_default()).collect()
}

#[test]
fn a_load_killed_at_any_point_leaves_the_app_tables_as_they_were() {
    let db = PgDb::new("kill");
    let project = Project::only(&format!(
        "[load]\ntarget = \"{}\"\nschema = \"catalog\"\ntables = [\"canonical.tracks\", \"canonical.releases\"]\n",
        db.url
    ));
    let rows = 200_000;
    write_warehouse(&project.warehouse(), rows, false);
    project.ok(&["load"]);
    let before = app_state(&db.url);
    write_warehouse(&project.warehouse(), rows, true);

    // Kill at moments through a load (fractions of how long one takes), then when each
    // phase starts, as the debug log announces it. Each must leave the tables as they
    // were; only a kill after the commit was sent may find the load done.
    let started = Instant::now();
    write_warehouse(&project.warehouse(), rows, false);
    project.ok(&["load"]);
    let one_load = started.elapsed();
    write_warehouse(&project.warehouse(), rows, true);
    for tenth in [1, 3, 5, 7] {
        let start = Instant::now();
        let at = one_load * tenth / 10;
        let killed_at = kill_load(&project, &db.url, &[], move |_| start.elapsed() >= at);
        assert_eq!(app_state(&db.url), before, "killed {at:?} into the load (last phase: {killed_at})");
    }
    let phases =
        [("tracks", "migrate"), ("tracks", "copy"), ("tracks", "merge"), ("releases", "copy"), ("releases", "merge")];
    for (table, phase) in phases {
        let killed_at = kill_load(&project, &db.url, &[], |line| {
            line.contains(&format!("phase=\"{phase}\"")) && line.contains(&format!("table={table}"))
        });
        assert_eq!(app_state(&db.url), before, "killed at {killed_at}");
    }
    let killed_at = kill_load(&project, &db.url, &[], |line| line.contains("phase=\"commit\""));
    let at_commit = app_state(&db.url);
    println!("killed as the commit was sent: the load {}", if at_commit == before { "was undone" } else { "was done" });

    project.ok(&["load"]);
    let merged = app_state(&db.url);
    assert!(at_commit == before || at_commit == merged, "killed at {killed_at}: a part of the load is in");
    let out = project.ok(&["load", "--mode", "replace"]);
    assert!(out.contains("tracks"), "{out}");
    let after = app_state(&db.url);
    assert_ne!(after, before);
    assert_eq!(after, merged, "a replace leaves the tables a merge of the same warehouse leaves");
    assert!(after[0].contains("tracks.bpm double precision"), "{}", after[0]);
    // What is there is whole: the row counts of v2.
    assert!(after[1].starts_with(&format!("{} ", rows + rows / 20 - rows / 100)), "{}", after[1]);
    // Kills in replace mode leave it whole too.
    write_warehouse(&project.warehouse(), rows, false);
    let swapped = app_state(&db.url);
    for phase in ["copy", "swap"] {
        let killed_at = kill_load(&project, &db.url, &["--mode", "replace"], |line| {
            line.contains(&format!("phase=\"{phase}\"")) && line.contains("table=releases")
        });
        assert_eq!(app_state(&db.url), swapped, "killed at {killed_at} in replace mode");
    }
    let leftovers = pg_one(
        &db.url,
        "SELECT count(*) FROM pg_tables WHERE tablename LIKE '%liner_new%' OR tablename LIKE 'liner_incoming%'",
    );
    assert_eq!(leftovers, "0");
}

/// Starts `liner load` with debug logs, kills it (SIGKILL) when `when` holds for a log
/// line (or for the moment, checked every few milliseconds), waits until the server has
/// ended the killed session (committed or rolled back what it had), and says where it was.
fn kill_load(project: &Project, url: &str, extra: &[&str], mut when: impl FnMut(&str) -> bool) -> String {
    let mut args = vec!["load"];
    args.extend_from_slice(extra);
    let mut child = project
        .command(&args)
        .env("RUST_LOG", "liner_load=debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut last = String::from("(start)");
    loop {
        match lines.recv_timeout(Duration::from_millis(5)) {
            Ok(line) => {
                if line.contains("phase=") {
                    last = line.clone();
                }
                if when(&line) {
                    child.kill().unwrap();
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if when("") {
                    child.kill().unwrap();
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait().unwrap();
                panic!("the load ended ({status}) before the moment to kill it; last phase: {last}");
            }
        }
    }
    child.wait().unwrap();
    // The server learns of the kill from the closed socket, and may still be finishing
    // a statement or the commit it was sent: the state is final once its session ends.
    while pg_one(
        url,
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'liner' AND datname = current_database()",
    ) != "0"
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    last
}

#[test]
fn bad_targets_are_named_and_the_warehouse_is_untouched() {
    let project = Project::only("");
    write_warehouse(&project.warehouse(), 100, false);
    let stamp = |p: &Path| {
        let m = std::fs::metadata(p).unwrap();
        (m.len(), m.modified().unwrap())
    };
    let before = stamp(&project.warehouse());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();

    let cases = [
        (format!("postgres://liner:s3cret@127.0.0.1:{port}/app"), "cannot reach PostgreSQL"),
        (
            {
                let mut u = url::Url::parse(&server_url()).unwrap();
                u.set_password(Some("s3cret")).unwrap();
                u.to_string()
            },
            "password authentication failed",
        ),
        ("mysql://liner@db/app".to_string(), "mysql:// is not a target liner loads"),
    ];
    for (target, expected) in cases {
        let out = project.run(&["load", "--target", &target, "--table", "tracks"]);
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!out.status.success(), "{target}: {all}");
        assert!(all.contains(expected), "{target}: expected {expected:?} in:\n{all}");
        assert!(!all.contains("s3cret"), "the password is printed:\n{all}");
    }
    assert_eq!(stamp(&project.warehouse()), before, "a failed load changed the warehouse");
    // The password given in the environment is masked where the configuration is shown.
    let out = project
        .command(&["config", "show"])
        .env("LINER_LOAD__TARGET", "postgres://liner:s3cret@db.example.invalid/app")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("postgres://liner:***@db.example.invalid/app") && !shown.contains("s3cret"), "{shown}");
    // The failed runs are in the history, as failed.
    let runs = project.ok(&["runs"]);
    assert!(runs.contains("failed") && !runs.contains("s3cret"), "{runs}");
}
