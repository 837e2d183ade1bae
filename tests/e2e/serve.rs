//! `liner serve` started for real on loopback and driven over HTTP: follow, runs,
//! status, metrics, review, auth failures and bad bodies.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{Project, artists, sim};

pub(crate) const TOKEN: &str = "test-token-0123456789";

pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
}

impl Server {
    pub(crate) fn start(project: &Project) -> Server {
        Server::start_with(project, &[])
    }

    /// Started with these environment variables set as well (config overrides).
    pub(crate) fn start_with(project: &Project, env: &[(&str, &str)]) -> Server {
        // No schedules: the shipped ones would catch up on start and run beside the test's.
        let schedules = project.path().join("no-schedules");
        std::fs::create_dir_all(&schedules).unwrap();
        let mut child = project
            .command(&["serve", "--bind", "127.0.0.1:0"])
            .env("LINER_SERVE__TOKEN", TOKEN)
            .env("LINER_PATHS__SCHEDULES_DIR", &schedules)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.to_string());
                }
            }
        });
        let base = rx.recv_timeout(Duration::from_secs(30)).expect("liner serve never said where it listens");
        Server { child, base }
    }

    /// SIGTERM, and the exit status.
    pub(crate) fn stop(mut self) -> std::process::ExitStatus {
        // SAFETY: kill(2) on the pid of a child this test started and has not reaped.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().unwrap();
        std::mem::forget(self);
        status
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// (status, JSON body or the text as a JSON string).
pub(crate) async fn call(method: &str, url: &str, token: Option<&str>, body: Option<String>) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut req = client.request(method.parse().unwrap(), url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

pub(crate) async fn wait_for_run(base: &str, run_id: &str) -> Value {
    let started = Instant::now();
    loop {
        let (status, run) = call("GET", &format!("{base}/runs/{run_id}"), None, None).await;
        assert_eq!(status, 200, "{run}");
        if !matches!(run["status"].as_str(), Some("queued" | "running")) && run["finished_at"].is_string() {
            return run;
        }
        assert!(started.elapsed() < Duration::from_secs(240), "run {run_id} never ended: {run}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[test]
fn changes_need_the_token_and_bad_bodies_name_their_field() {
    let sim = sim(3, 10, 20);
    let project = Project::new(&sim, 20, "");
    let server = Server::start(&project);
    let base = server.base.clone();
    rt().block_on(async {
        let (status, health) = call("GET", &format!("{base}/health"), None, None).await;
        assert_eq!(status, 200, "{health}");
        assert_eq!(health["providers"]["musicbrainz"], "closed", "{health}");
        assert_eq!(health["queued"], 0);

        let (status, doc) = call("GET", &format!("{base}/openapi.json"), None, None).await;
        assert_eq!(status, 200);
        for path in [
            "/health",
            "/metrics",
            "/follows",
            "/follows/{id}",
            "/runs",
            "/runs/{id}",
            "/stats",
            "/review",
            "/review/{id}",
        ] {
            assert!(doc["paths"][path].is_object(), "/openapi.json lacks {path}");
        }
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

        let follow = format!("{base}/follows");
        let body = || Some(json!({ "name": "Someone" }).to_string());
        for (token, why) in [(None, "Authorization"), (Some("not-it"), "wrong bearer token")] {
            for (method, url) in [
                ("POST", follow.clone()),
                ("DELETE", format!("{base}/follows/1")),
                ("POST", format!("{base}/runs")),
                ("POST", format!("{base}/review/x")),
            ] {
                let (status, err) = call(method, &url, token, body()).await;
                assert_eq!(status, 401, "{method} {url} without the token: {err}");
                assert!(err["error"].as_str().unwrap().contains(why), "{err}");
            }
        }

        let bad = [
            (json!({}).to_string(), "name"),
            (json!({ "name": "X", "genre": "house" }).to_string(), "genre"),
            (json!({ "name": 42 }).to_string(), "name"),
            (json!({ "name": "X", "musicbrainz_id": "not-a-uuid" }).to_string(), "musicbrainz_id"),
            ("{\"name\": ".to_string(), "body"),
            (json!({ "name": "x".repeat(100_000) }).to_string(), "body"),
        ];
        for (b, field) in bad {
            let (status, err) = call("POST", &follow, Some(TOKEN), Some(b.clone())).await;
            assert_eq!(status, 400, "{}: {err}", &b[..b.len().min(60)]);
            assert_eq!(err["field"], field, "{}: {err}", &b[..b.len().min(60)]);
        }
        let runs = format!("{base}/runs");
        for (b, field) in [
            (json!({ "steps": ["transform", "explode"] }), "steps[1]"),
            (json!({ "schedule": "../../etc/passwd" }), "schedule"),
            (json!({ "schedule": "nightly", "steps": ["load"] }), "steps"),
            (json!({}), "schedule"),
        ] {
            let (status, err) = call("POST", &runs, Some(TOKEN), Some(b.to_string())).await;
            assert_eq!((status, err["field"].as_str()), (400, Some(field)), "{b}: {err}");
        }
        let (status, err) = call("DELETE", &format!("{base}/follows/abc"), Some(TOKEN), None).await;
        assert_eq!((status, err["field"].as_str()), (400, Some("id")), "{err}");
        let (status, _) = call("GET", &format!("{base}/nowhere"), None, None).await;
        assert_eq!(status, 404);
        // Nothing was queued by any of it.
        let (_, runs) = call("GET", &format!("{base}/runs"), None, None).await;
        assert_eq!(runs.as_array().unwrap().len(), 0, "{runs}");
    });
    assert!(server.stop().success());
}

#[test]
fn a_follow_over_http_syncs_the_artist_and_runs_go_one_at_a_time() {
    let sim = sim(5, 30, 20);
    let project = Project::new(&sim, 20, "");
    let server = Server::start(&project);
    let base = server.base.clone();
    let who = artists(&sim, 1).remove(0);
    rt().block_on(async {
        let (status, follow) =
            call("POST", &format!("{base}/follows"), Some(TOKEN), Some(json!({ "name": who }).to_string())).await;
        assert_eq!(status, 202, "{follow}");
        // Asked while the follow's run waits or goes: queued behind it, never beside it.
        let (status, second) =
            call("POST", &format!("{base}/runs"), Some(TOKEN), Some(json!({ "steps": ["transform"] }).to_string()))
                .await;
        assert_eq!(status, 202, "{second}");
        assert_eq!(second["status"], "queued");
        assert!(second["ahead"].as_u64().unwrap() >= 1, "{second}");

        let first = wait_for_run(&base, follow["run_id"].as_str().unwrap()).await;
        assert_eq!(first["status"], "ok", "{first}");
        let stages: Vec<&str> =
            first["stages"].as_array().unwrap().iter().map(|s| s["stage"].as_str().unwrap()).collect();
        assert!(stages.iter().any(|s| s.starts_with("extract")) && stages.contains(&"transform"), "{first}");
        let then = wait_for_run(&base, second["run_id"].as_str().unwrap()).await;
        assert_eq!(then["status"], "ok", "{then}");
        assert!(
            then["started_at"].as_str().unwrap() >= first["finished_at"].as_str().unwrap(),
            "the second run started before the first ended:\n{first}\n{then}"
        );

        let (_, follows) = call("GET", &format!("{base}/follows"), None, None).await;
        let listed = follows.as_array().unwrap().iter().find(|f| f["name"] == who.as_str()).expect("followed").clone();

        let (_, health) = call("GET", &format!("{base}/health"), None, None).await;
        assert_eq!(health["last_run"]["run_id"], then["run_id"], "{health}");
        assert_eq!(health["status"], "ok", "{health}");

        let (status, metrics) = call("GET", &format!("{base}/metrics"), None, None).await;
        assert_eq!(status, 200);
        let metrics = metrics.as_str().unwrap().to_string();
        for needle in [
            "liner_requests_total{provider=\"musicbrainz\"",
            "liner_requests_total{provider=\"deezer\"",
            "status=\"200\"",
            "liner_request_duration_seconds_bucket{",
            "liner_cache_total{",
            "liner_rows_landed_total{",
            "liner_breaker_open{provider=\"deezer\"} 0",
            "liner_models_built_total{model=\"canonical.links\"}",
            "liner_links{",
            "score_band=\"1.00\"",
            "liner_run_duration_seconds_bucket{status=\"ok\"",
        ] {
            assert!(metrics.contains(needle), "/metrics lacks {needle}:\n{metrics}");
        }
        // Requests counted match what the simulator saw.
        let counted: f64 = metrics
            .lines()
            .filter(|l| l.starts_with("liner_requests_total{provider=\"deezer\""))
            .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
            .sum();
        assert_eq!(counted as u64, sim.stats("deezer").requests, "deezer requests counted vs served");

        let (status, stats) = call("GET", &format!("{base}/stats"), None, None).await;
        assert_eq!(status, 200, "{stats}");
        assert!(!stats["coverage"].as_array().unwrap().is_empty(), "{stats}");

        let (status, queue) = call("GET", &format!("{base}/review?limit=5"), None, None).await;
        assert_eq!(status, 200, "{queue}");
        let (status, err) = call(
            "POST",
            &format!("{base}/review/nope"),
            Some(TOKEN),
            Some(json!({ "decision": "accept" }).to_string()),
        )
        .await;
        assert_eq!((status, err["field"].as_str()), (404, Some("id")), "{err}");
        let (status, err) =
            call("POST", &format!("{base}/review/nope"), Some(TOKEN), Some(json!({ "decision": "maybe" }).to_string()))
                .await;
        assert_eq!(status, 400, "{err}");
        if let Some(pair) = queue.as_array().unwrap().first() {
            let id = pair["review_id"].as_str().unwrap();
            let (status, decided) = call(
                "POST",
                &format!("{base}/review/{id}"),
                Some(TOKEN),
                Some(json!({ "decision": "reject" }).to_string()),
            )
            .await;
            assert_eq!((status, decided["decision"].as_str()), (200, Some("reject")), "{decided}");
        }

        let id = listed["id"].as_i64().unwrap();
        let (status, gone) = call("DELETE", &format!("{base}/follows/{id}"), Some(TOKEN), None).await;
        assert_eq!(status, 200, "{gone}");
        let (_, follows) = call("GET", &format!("{base}/follows"), None, None).await;
        assert!(follows.as_array().unwrap().iter().all(|f| f["name"] != who.as_str()), "{follows}");
        let (status, _) = call("DELETE", &format!("{base}/follows/{id}"), Some(TOKEN), None).await;
        assert_eq!(status, 404);
    });
    assert!(server.stop().success());
}

#[test]
fn logs_are_json_lines_when_asked_and_plain_text_otherwise() {
    let project = Project::only("");
    let schedules = project.path().join("no-schedules");
    std::fs::create_dir_all(&schedules).unwrap();
    // Without a token serve warns that nothing can be changed: one log line to read.
    let first_line = |format: &str| {
        let mut child = project
            .command(&["--log-format", format, "serve", "--bind", "127.0.0.1:0"])
            .env("LINER_PATHS__SCHEDULES_DIR", &schedules)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let line = BufReader::new(child.stderr.take().unwrap()).lines().next().unwrap().unwrap();
        let _ = child.kill();
        let _ = child.wait();
        line
    };
    let json: Value = serde_json::from_str(&first_line("json")).expect("a JSON log line");
    assert_eq!(json["level"], "WARN", "{json}");
    assert!(json["fields"]["message"].as_str().unwrap().contains("serve.token"), "{json}");
    assert!(json["timestamp"].is_string() && json["target"].is_string(), "{json}");
    let human = first_line("human");
    assert!(human.contains("WARN") && human.contains("serve.token") && !human.contains('\u{1b}'), "{human:?}");

    let out = project.command(&["runs"]).env("RUST_LOG", "liner=bogus").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("RUST_LOG"), "{err}");
}

#[test]
fn a_run_asked_for_while_another_liner_writes_waits_for_it() {
    let sim = sim(3, 10, 20);
    let project = Project::new(&sim, 20, "");
    let server = Server::start(&project);
    let base = server.base.clone();
    // This test process writes to the data folder, as a `liner` from a shell would.
    let mut held = Some(
        liner::runs::writer_lock::acquire(&project.path().join("data"), "a test holding the lock", false).unwrap(),
    );
    rt().block_on(async {
        let (status, asked) =
            call("POST", &format!("{base}/runs"), Some(TOKEN), Some(json!({ "steps": ["transform"] }).to_string()))
                .await;
        assert_eq!(status, 202, "{asked}");
        let run_id = asked["run_id"].as_str().unwrap().to_string();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let (_, run) = call("GET", &format!("{base}/runs/{run_id}"), None, None).await;
        assert_eq!(run["status"], "running", "{run}");
        assert!(run["started_at"].is_null(), "the run started while another liner held the lock: {run}");
        let released = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        drop(held.take());
        let done = wait_for_run(&base, &run_id).await;
        assert!(done["started_at"].as_str().unwrap() >= released.as_str(), "{done}");
    });
    assert!(server.stop().success());
}
