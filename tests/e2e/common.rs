//! Shared by the end-to-end tests: a simulator, a config pointing at it, and the
//! `liner` binary run in a scratch folder.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use liner_sim::catalog::Release;
use liner_sim::{Sim, SimConfig};

pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    /// A scratch folder with a liner.toml that points every provider at `sim`.
    /// `extra` is appended to the file, so it lands in the `[providers.deezer]` table
    /// unless it opens a table of its own.
    pub fn new(sim: &Sim, musicbrainz_rate: u32, extra: &str) -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let toml = format!(
            r#"[paths]
data_dir = "data"

# Tests follow by name and extract when they say so (see lazy_follow in orchestration.rs).
[follow]
resolve = false
sync = false

[providers.musicbrainz]
base_url = "{mb}"
user_agent = "liner-tests/0.1 ( tests@example.invalid )"
rate = {{ requests = {musicbrainz_rate}, per_seconds = 1.0 }}
initial_backoff_seconds = 0.2
page_size = 25

[providers.deezer]
base_url = "{dz}"
initial_backoff_seconds = 0.2
page_size = 25
# Charts are asked anew every run: off, so that tests can count requests.
options = {{ charts = false }}
{extra}
"#,
            mb = sim.base_url("musicbrainz"),
            dz = sim.base_url("deezer"),
        );
        std::fs::write(dir.path().join("liner.toml"), toml).expect("writing liner.toml");
        Project { dir }
    }

    /// A scratch folder with exactly this liner.toml, MusicBrainz and Deezer off unless
    /// `providers` turns them on.
    pub fn only(providers: &str) -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let toml = format!(
            "[paths]\ndata_dir = \"data\"\n\n[follow]\nresolve = false\nsync = false\n\n[providers.musicbrainz]\nenabled = false\n\n[providers.deezer]\nenabled = false\n\n{providers}\n"
        );
        std::fs::write(dir.path().join("liner.toml"), toml).expect("writing liner.toml");
        Project { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn warehouse(&self) -> PathBuf {
        self.path().join("data/warehouse.duckdb")
    }

    /// `liner <args>` here, to run or spawn.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_liner"));
        c.current_dir(self.path()).args(args).env("RUST_LOG", "warn").env_remove("LINER_CONFIG");
        c
    }

    /// Runs `liner <args>` here; returns its output whatever the exit code.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("running liner")
    }

    /// Runs `liner <args>` and fails the test, with its output, unless it succeeds.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "liner {} failed\nstdout:\n{stdout}\nstderr:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }
}

pub fn sim(seed: u64, artists: usize, musicbrainz_per_second: u32) -> Sim {
    Sim::start(SimConfig { seed, artists, musicbrainz_per_second, ..SimConfig::default() })
        .expect("starting the simulator")
}

/// Names of `n` catalog artists that no other artist shares.
pub fn artists(sim: &Sim, n: usize) -> Vec<String> {
    liner::commands::demo::pick_artists(sim, n)
}

fn read_only(db: &Path) -> duckdb::Connection {
    duckdb::Connection::open_with_flags(
        db,
        duckdb::Config::default().access_mode(duckdb::AccessMode::ReadOnly).unwrap(),
    )
    .expect("opening the warehouse")
}

pub fn query_i64(db: &Path, sql: &str) -> i64 {
    read_only(db).query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The first column of every row, as text.
pub fn query_strings(db: &Path, sql: &str) -> Vec<String> {
    let conn = read_only(db);
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
}

/// The simulated releases that following `artists` fetches: those crediting one of them.
pub fn releases_of<'a>(sim: &'a Sim, artists: &[String]) -> Vec<&'a Release> {
    let c = sim.catalog();
    c.releases
        .iter()
        .filter(|r| c.albums[r.album].credits.iter().any(|cr| artists.contains(&c.artists[cr.artist].name)))
        .collect()
}

/// Every provider against the simulator, fast: the demo's set-up with limits lifted,
/// `artists` followed, extracted `runs` times (no request may fail), then transformed.
/// `extended` gives Spotify the extended quota (audio features answer).
pub fn everywhere(
    seed: u64,
    artists: usize,
    runs: usize,
    extended: bool,
) -> (Sim, tempfile::TempDir, liner::config::Loaded, Vec<String>) {
    let mut config = liner::commands::demo::sim_config(seed, 40);
    config.limits = config.limits.into_keys().map(|p| (p, (1000, std::time::Duration::from_secs(1)))).collect();
    config.musicbrainz_per_second = 1000;
    config.deezer_requests = 1000;
    config.spotify_extended = extended;
    let sim = Sim::start(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = liner::commands::demo::config_for(&sim, dir.path().join("data")).unwrap();
    for p in cfg.config.providers.values_mut() {
        p.rate = liner_extract::RateLimit { requests: 500, per_seconds: 1.0, burst: 1 };
    }
    let state = liner::stored::state::State::open(&cfg.state_db()).unwrap();
    let followed = liner::commands::demo::pick_artists(&sim, artists);
    for a in &followed {
        state.follow(a).unwrap();
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    for _ in 0..runs {
        let report = rt.block_on(liner::runs::stages::extract(&cfg, &state, None, &Default::default(), "t")).unwrap();
        for p in &report.providers {
            assert!(p.failures.is_empty(), "{}: {:?}", p.provider, p.failures);
        }
    }
    liner::runs::stages::transform(&cfg, "t", &[], false, false).unwrap();
    (sim, dir, cfg, followed)
}

/// Parquet files under `dir`, however deep: each is a batch of answers that has landed.
pub fn lake_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                lake_files(&path)
            } else {
                usize::from(path.extension().is_some_and(|x| x == "parquet"))
            }
        })
        .sum()
}

/// How two warehouses are compared by `differences`.
pub struct Compare<'a> {
    /// Leave out times and lineage (the lake file a row came from, the run that built
    /// it), which name a run rather than the data: two runs that fetched alike.
    pub lineage_apart: bool,
    /// Tables not compared (`marts.coverage`, a row a build).
    pub skip: &'a [&'a str],
}

/// Rows of each table and view of `a` that `b` lacks, and of `b` that `a` lacks
/// (EXCEPT ALL both ways), with an example, over the layers models write and what
/// incremental models keep. Views call liner's SQL functions, so they are registered.
pub fn differences(a: &Path, b: &Path, how: Compare<'_>) -> Vec<String> {
    let db = duckdb::Connection::open_in_memory().unwrap();
    liner_transform::udf::register(&db).unwrap();
    for (name, path) in [("a", a), ("b", b)] {
        db.execute_batch(&format!("ATTACH '{}' AS {name} (READ_ONLY)", path.display())).unwrap();
    }
    let relations = |catalog: &str| -> Vec<String> {
        let sql = format!(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_catalog = '{catalog}' \
             AND table_schema IN ('staging', 'intermediate', 'canonical', 'marts', 'incremental') ORDER BY 1"
        );
        let mut stmt = db.prepare(&sql).unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let (in_a, in_b) = (relations("a"), relations("b"));
    assert!(in_a.len() > 50, "the warehouse holds the models' tables: {in_a:?}");
    let mut out = Vec::new();
    if in_a != in_b {
        out.push(format!("tables differ: {in_a:?} against {in_b:?}"));
    }
    let apart = if how.lineage_apart {
        "AND data_type NOT LIKE 'TIMESTAMP%' AND column_name NOT LIKE '%\\_file' ESCAPE '\\' AND column_name <> 'run_id'"
    } else {
        ""
    };
    for t in in_a.iter().filter(|t| in_b.contains(t) && !how.skip.contains(&t.as_str())) {
        let (schema, table) = t.split_once('.').unwrap();
        let columns: Vec<String> = db
            .prepare(&format!(
                "SELECT '\"' || column_name || '\"' FROM information_schema.columns \
                 WHERE table_catalog = 'a' AND table_schema = ? AND table_name = ? {apart} ORDER BY ordinal_position"
            ))
            .unwrap()
            .query_map([schema, table], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let columns = columns.join(", ");
        for (from, to) in [("a", "b"), ("b", "a")] {
            let only = format!("SELECT {columns} FROM {from}.{t} EXCEPT ALL SELECT {columns} FROM {to}.{t}");
            let (n, example): (i64, Option<String>) = db
                .query_row(&format!("SELECT count(*), any_value(CAST(d AS VARCHAR)) FROM ({only}) d"), [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .unwrap_or_else(|e| panic!("{t}: {e}"));
            if n > 0 {
                let side = if from == "a" { "first" } else { "second" };
                out.push(format!("{t}: {n} row(s) only in the {side}, such as {}", example.unwrap()));
            }
        }
    }
    out
}
