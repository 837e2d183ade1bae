//! Credentials: an OAuth2 client-credentials token fetched once and shared, refreshed
//! before it expires and once after a 401, and secrets that never reach a file or a log.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use liner_extract::auth::{Auth, AuthConfig};
use liner_extract::secret::Secret;
use liner_sim::{Fault, Sim, SimConfig};

use crate::common::{Project, artists};

const CANARY: &str = "canary-5ecret-7f3a9";

fn sim_with_auth(token_ttl: Duration) -> Sim {
    Sim::start(SimConfig {
        seed: 23,
        artists: 10,
        musicbrainz_per_second: 100,
        auth: Some(liner_sim::AuthConfig {
            client_id: "liner-client".into(),
            client_secret: CANARY.into(),
            token_ttl,
            providers: vec!["deezer".into()],
        }),
        ..SimConfig::default()
    })
    .unwrap()
}

/// A project whose Deezer needs a token; the secret comes from `.env`.
fn project(sim: &Sim, secret: &str) -> Project {
    let extra = format!(
        "[providers.deezer.auth]\nkind = \"client_credentials\"\ntoken_url = \"{}\"\nclient_id = \"liner-client\"\n",
        sim.token_url()
    );
    let project = Project::new(sim, 100, &extra);
    std::fs::write(project.path().join(".env"), format!("LINER_PROVIDERS__DEEZER__AUTH__CLIENT_SECRET={secret}\n"))
        .unwrap();
    project.ok(&["follow", &artists(sim, 1)[0]]);
    project
}

#[test]
fn one_token_serves_the_whole_run_and_a_401_refreshes_it_once() {
    let sim = sim_with_auth(Duration::from_secs(3600));
    let project = project(&sim, CANARY);
    let out = project.ok(&["extract", "deezer"]);
    assert!(!out.contains("failed:"), "{out}");
    assert_eq!(sim.token_requests(), 1, "one token for every request of the run");

    sim.inject("deezer", "/album/", Fault::ExpiredToken, 1);
    let out = project.ok(&["extract", "deezer", "--refresh"]);
    assert!(!out.contains("failed:"), "the 401 is answered by a new token, not a failure:\n{out}");
    assert_eq!(sim.token_requests(), 3, "this run's token, and one refresh after the 401");
}

#[test]
fn a_wrong_client_secret_is_a_clear_failure_not_a_hang() {
    let sim = sim_with_auth(Duration::from_secs(3600));
    let project = project(&sim, "not-the-secret");
    let toml = std::fs::read_to_string(project.path().join("liner.toml")).unwrap();
    std::fs::write(
        project.path().join("liner.toml"),
        toml.replace("page_size = 25\n", "page_size = 25\nmax_retries = 1\n"),
    )
    .unwrap();
    let out = project.ok(&["extract", "deezer"]);
    assert!(out.contains("check client_id and client_secret"), "{out}");
    assert!(!out.contains("not-the-secret"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_is_fetched_once_for_concurrent_requests_and_again_before_it_expires() {
    // 61 s of life and a 60 s margin: the token is due for refresh a second after issue.
    let sim = sim_with_auth(Duration::from_secs(61));
    let auth = Arc::new(Auth::new(AuthConfig::ClientCredentials {
        token_url: sim.token_url(),
        client_id: "liner-client".into(),
        client_secret: Secret::new(CANARY),
    }));
    let client = reqwest::Client::new();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (auth, client) = (auth.clone(), client.clone());
            tokio::spawn(async move { auth.apply(&client, client.get("http://127.0.0.1/")).await.unwrap().1 })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().unwrap());
    }
    assert_eq!(auth.token_fetches(), 1, "eight requests at once, one token fetch");
    assert!(tokens.windows(2).all(|w| w[0] == w[1]));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (_, renewed) = auth.apply(&client, client.get("http://127.0.0.1/")).await.unwrap();
    assert_eq!(auth.token_fetches(), 2, "refreshed before it expires");
    assert_ne!(renewed.unwrap(), tokens[0]);
}

#[test]
fn secrets_never_reach_a_file_or_a_log() {
    let sim = sim_with_auth(Duration::from_secs(3600));
    let project = project(&sim, CANARY);
    let mut logs = String::new();
    for args in [&["extract"][..], &["transform"], &["load"], &["config", "show"], &["config", "validate"]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_liner"))
            .current_dir(project.path())
            .args(args)
            .env("RUST_LOG", "trace")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        logs.push_str(&String::from_utf8_lossy(&out.stdout));
        logs.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    assert!(logs.contains("sending"), "trace logging was on");
    for secret in [CANARY, "simtoken-"] {
        assert!(!logs.contains(secret), "{secret} was logged");
        let found = files_containing(project.path(), secret);
        assert!(found.is_empty(), "{secret} was written to {found:?}");
    }
}

/// Files under `dir` holding `needle`: Parquet and DuckDB files are read through DuckDB
/// (their pages are compressed), everything else byte for byte.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let name = p.to_string_lossy().to_string();
        let hit = if name.ends_with(".parquet") {
            let db = duckdb::Connection::open_in_memory().unwrap();
            let sql = format!("SELECT count(*) FROM read_parquet('{name}') t WHERE t::VARCHAR LIKE '%{needle}%'");
            db.query_row(&sql, [], |r| r.get::<_, i64>(0)).unwrap() > 0
        } else if name.ends_with(".duckdb") {
            let db = duckdb::Connection::open_with_flags(
                &p,
                duckdb::Config::default().access_mode(duckdb::AccessMode::ReadOnly).unwrap(),
            )
            .unwrap();
            let tables: Vec<String> = db
                .prepare("SELECT schema_name || '.' || table_name FROM duckdb_tables()")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            tables.iter().any(|t| {
                let sql = format!("SELECT count(*) FROM {t} t WHERE t::VARCHAR LIKE '%{needle}%'");
                db.query_row(&sql, [], |r| r.get::<_, i64>(0)).unwrap() > 0
            })
        } else {
            let bytes = std::fs::read(&p).unwrap();
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        };
        if hit && !name.ends_with("/.env") {
            found.push(name);
        }
    }
    found
}
