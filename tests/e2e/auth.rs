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
    let logs = every_stage_logged(&project);
    assert!(logs.contains("sending"), "trace logging was on");
    for secret in [CANARY, "simtoken-"] {
        assert!(!logs.contains(secret), "{secret} was logged");
        let found = files_containing(project.path(), secret);
        assert!(found.is_empty(), "{secret} was written to {found:?}");
    }
}

/// Extract, transform, load and the config commands, with trace logging: all they print.
fn every_stage_logged(project: &Project) -> String {
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
    logs
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

#[test]
fn no_providers_secret_reaches_a_file_or_a_log() {
    let fast: std::collections::BTreeMap<String, (u32, Duration)> =
        liner_sim::default_limits().into_keys().map(|p| (p, (1000, Duration::from_secs(1)))).collect();
    let secrets = [
        ("spotify", "CLIENT_SECRET", "canary-spotify-91c2"),
        ("discogs", "VALUE", "Discogs token=canary-discogs-4b7e"),
        ("lastfm", "VALUE", "canary-lastfm-0d5a"),
        ("genius", "TOKEN", "canary-genius-e81f"),
        ("beatport", "TOKEN", "canary-beatport-3c9d"),
        ("youtube", "VALUE", "canary-youtube-77ab"),
    ];
    let sim = Sim::start(SimConfig {
        seed: 67,
        artists: 20,
        musicbrainz_per_second: 100,
        auth: Some(liner_sim::AuthConfig {
            client_id: "liner-client".into(),
            client_secret: secrets[0].2.into(),
            token_ttl: Duration::from_secs(3600),
            providers: vec!["spotify".into()],
        }),
        apple_key: Some(liner_sim::apple_music::AppleKey::demo()),
        secrets: [
            ("discogs", "canary-discogs-4b7e"),
            ("lastfm", secrets[2].2),
            ("genius", secrets[3].2),
            ("beatport", secrets[4].2),
            ("youtube", secrets[5].2),
        ]
        .into_iter()
        .map(|(p, s)| (p.to_string(), s.to_string()))
        .collect(),
        limits: fast,
        ..SimConfig::default()
    })
    .unwrap();
    let key = liner_sim::apple_music::AppleKey::demo();
    let mut toml = String::from(
        "[paths]\ndata_dir = \"data\"\n\n[providers.musicbrainz]\nenabled = false\n\n[providers.deezer]\nenabled = false\n",
    );
    for p in ["spotify", "apple_music", "discogs", "lastfm", "genius", "beatport", "youtube"] {
        toml.push_str(&format!(
            "\n[providers.{p}]\nenabled = true\nbase_url = \"{}\"\nrate = {{ requests = 200, per_seconds = 1.0 }}\nuser_agent = \"liner-tests/0.1\"\n",
            sim.base_url(p)
        ));
    }
    toml.push_str(&format!(
        "\n[providers.spotify.auth]\nkind = \"client_credentials\"\ntoken_url = \"{}\"\nclient_id = \"liner-client\"\n",
        sim.token_url()
    ));
    toml.push_str(&format!(
        "\n[providers.apple_music.auth]\nkind = \"apple_developer_token\"\nteam_id = \"{}\"\nkey_id = \"{}\"\nprivate_key_path = \"AuthKey.p8\"\n",
        key.team_id, key.key_id
    ));
    let project = Project::only("");
    std::fs::write(project.path().join("liner.toml"), toml).unwrap();
    std::fs::write(project.path().join("AuthKey.p8"), liner_sim::apple_music::DEMO_P8).unwrap();
    let env: String = secrets
        .iter()
        .map(|(p, field, v)| format!("LINER_PROVIDERS__{}__AUTH__{field}=\"{v}\"\n", p.to_uppercase()))
        .collect();
    std::fs::write(project.path().join(".env"), env).unwrap();
    project.ok(&["follow", &artists(&sim, 1)[0]]);

    let logs = every_stage_logged(&project);
    for p in ["spotify", "apple_music", "discogs", "lastfm", "genius", "beatport", "youtube"] {
        assert!(sim.stats(p).requests > 0, "{p} was asked");
    }
    assert!(!logs.contains("failed:"), "every provider accepted its credentials:\n{logs}");
    // The secrets, the Spotify access token and the Apple developer token (a JWT: "eyJ").
    let canaries: Vec<&str> =
        secrets.iter().map(|(_, _, v)| v.trim_start_matches("Discogs token=")).chain(["simtoken-", "eyJ"]).collect();
    for secret in canaries {
        assert!(!logs.contains(secret), "{secret} was logged");
        let found: Vec<String> =
            files_containing(project.path(), secret).into_iter().filter(|f| !f.ends_with("AuthKey.p8")).collect();
        assert!(found.is_empty(), "{secret} was written to {found:?}");
    }
}
