//! Running stages, and the history of runs. A run is one command (`liner extract`,
//! `liner run nightly`) made of stages; both are recorded in state as they start and
//! end, with what they did or why they failed. `liner runs` reads it back.

use std::sync::atomic::Ordering;

use crate::config::Loaded;
use crate::runs::schedules::Step;
use crate::runs::stages;
use crate::stored::state::{Run, RunStage, State, new_run_id};

/// How many catalog items an enrich step looks up when not told (`--max-items`).
pub const ENRICH_ITEMS: usize = 100;

/// Runs `steps` in order as one run; a failed stage ends the run there. SIGTERM or
/// Ctrl-C stops it between requests: what was fetched lands, the run is recorded as
/// interrupted, and no further stage starts.
pub async fn run(cfg: &Loaded, steps: &[Step], args: &stages::StageArgs) -> anyhow::Result<()> {
    let cancel = args.cancel.clone();
    let stop = stop_signal();
    let signals = tokio::spawn(async move {
        stop.await;
        eprintln!("stopping: the requests in flight finish and land, then the run ends");
        cancel.store(true, Ordering::Relaxed);
    });
    let outcome = run_stages(cfg, steps, args).await;
    signals.abort();
    outcome
}

/// Ctrl-C, or SIGTERM where there is one, listened for from this call on: a signal
/// that comes before the future is first awaited is caught too, not left to the
/// default action that ends the process at once (a scheduler stopped just after it
/// started a run). Call it before anything that others may react to.
pub fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (term, interrupt) = (signal(SignalKind::terminate()).ok(), signal(SignalKind::interrupt()).ok());
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = wait(term) => {}
                _ = wait(interrupt) => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn run_stages(cfg: &Loaded, steps: &[Step], args: &stages::StageArgs) -> anyhow::Result<()> {
    run_as(cfg, steps, args, &new_run_id(), &command_line()).await
}

/// Runs `steps` as the run `run_id`, recorded as `command` (`liner serve` names its
/// runs before they start, and answers with the id at once). The caller holds the
/// writer lock.
pub async fn run_as(
    cfg: &Loaded,
    steps: &[Step],
    args: &stages::StageArgs,
    run_id: &str,
    command: &str,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let state = State::open(&cfg.state_db())?;
    let run_id = run_id.to_string();
    crate::runs::writer_lock::describe_run(&run_id);
    state.start_run(&run_id, command)?;
    println!("run {run_id}");
    let mut outcome = Ok(());
    for (seq, &step) in steps.iter().enumerate() {
        if steps.len() > 1 {
            println!("== {}", step.name());
        }
        if args.cancel.load(Ordering::Relaxed) {
            outcome = Err(anyhow::anyhow!("interrupted before {}", step.name()));
            break;
        }
        state.start_stage(&run_id, seq, &step.name())?;
        match stage(cfg, &state, &run_id, step, args).await {
            Ok(counts) if args.cancel.load(Ordering::Relaxed) => {
                state.finish_stage(&run_id, seq, "interrupted", Some(&counts), None)?;
                outcome = Err(anyhow::anyhow!("interrupted during {}", step.name()));
                break;
            }
            Ok(counts) => state.finish_stage(&run_id, seq, "ok", Some(&counts), None)?,
            Err(e) => {
                state.finish_stage(&run_id, seq, "failed", None, Some(&format!("{e:#}")))?;
                outcome = Err(e);
                break;
            }
        }
    }
    let status = match &outcome {
        Ok(()) => "ok",
        Err(_) if args.cancel.load(Ordering::Relaxed) => "interrupted",
        Err(_) => "failed",
    };
    let summary = match &outcome {
        Ok(()) => "{}".to_string(),
        Err(e) => format!("{{\"error\": {:?}}}", format!("{e:#}")),
    };
    state.finish_run(&run_id, status, &summary)?;
    let run_error = outcome.as_ref().err().map(|e| format!("{e:#}"));
    for e in state.finish_enrichments(&run_id, run_error.as_deref(), &cfg.config.enrich)? {
        println!(
            "enrichment {}: {} after {} tr{}{}",
            e.id,
            e.status.as_str(),
            e.tries,
            if e.tries == 1 { "y" } else { "ies" },
            e.last_error.map(|err| format!(" ({err})")).unwrap_or_default()
        );
    }
    metrics::counter!("liner_runs_total", "status" => status).increment(1);
    metrics::histogram!("liner_run_duration_seconds", "status" => status).record(started.elapsed().as_secs_f64());
    if let Some(run) = state.run(&run_id)? {
        println!("\n== summary");
        print!("{}", show(&run, &state.stages(&run_id)?));
    }
    outcome
}

/// One stage: prints what it did and returns its counts as JSON.
async fn stage(
    cfg: &Loaded,
    state: &State,
    run_id: &str,
    step: Step,
    args: &stages::StageArgs,
) -> anyhow::Result<String> {
    match step {
        Step::Extract(_) | Step::Charts | Step::Enrich => {
            let mut args = args.clone();
            let only = match step {
                Step::Extract(only) => only,
                Step::Charts => {
                    args.charts_only = true;
                    None
                }
                _ => {
                    // Items apps asked for come first; the schedule's run fills the rest
                    // of its share with the catalog's own gaps.
                    let max = args.max_items.unwrap_or(ENRICH_ITEMS);
                    let requested = state.begin_enrichments(args.enrichments.as_deref(), run_id, max)?;
                    args.lookups = requested.iter().map(|e| e.item.lookup(&e.id)).collect();
                    println!("looking up {} requested item(s)", requested.len());
                    if args.enrichments.is_none() {
                        let gaps = stages::enrichment(cfg, max.saturating_sub(requested.len()))?;
                        println!("looking up {} catalog item(s) missing a provider's listing", gaps.len());
                        args.lookups.extend(gaps);
                    }
                    args.identifiers_only = true;
                    if args.lookups.is_empty() {
                        return Ok(serde_json::json!({ "requests": 0 }).to_string());
                    }
                    None
                }
            };
            let report = stages::extract(cfg, state, only, &args, run_id).await?;
            print!("{}", stages::describe_extract(&report));
            for p in &report.providers {
                note_breaker(p.provider, &p.breaker);
            }
            let open = state.open_failures()?;
            if !open.is_empty() {
                println!("{} failed request(s) wait for the next run (state: failed_requests)", open.len());
            }
            let sum = |f: fn(&liner_extract::ProviderReport) -> u64| report.providers.iter().map(f).sum::<u64>();
            Ok(serde_json::json!({
                "requests": sum(|p| p.requests),
                "responses": sum(|p| p.responses),
                "from_lake": sum(|p| p.cache_hits),
                "failed": sum(|p| p.failures.len() as u64),
            })
            .to_string())
        }
        Step::Transform { full } => {
            let report = stages::transform(cfg, run_id, &args.select, full, args.keep_model)?;
            print!("{}", stages::describe_transform(&report));
            println!("warehouse: {}", report.warehouse.display());
            let rows: u64 = report.models.iter().map(|m| m.rows).sum();
            let kind = match &report.kind {
                liner_transform::BuildKind::Full(_) => "full",
                liner_transform::BuildKind::Incremental(_) => "incremental",
                liner_transform::BuildKind::UpToDate => "none",
            };
            Ok(serde_json::json!({ "build": kind, "models": report.models.len(), "rows": rows }).to_string())
        }
        Step::Load => {
            let loads = stages::load(cfg, &args.tables).await?;
            print!("{}", stages::describe_load(&loads));
            let sum = |f: fn(&liner_load::TableLoad) -> u64| loads.iter().map(f).sum::<u64>();
            Ok(serde_json::json!({
                "inserted": sum(|t| t.inserted),
                "updated": sum(|t| t.updated),
                "deleted": sum(|t| t.deleted),
                "unchanged": sum(|t| t.unchanged),
            })
            .to_string())
        }
    }
}

/// `liner runs`: the newest runs, a line each.
pub fn list(runs: &[Run]) -> String {
    let mut out = format!("{:<24} {:<20} {:<11} {}\n", "run", "started", "status", "command");
    for r in runs {
        out.push_str(&format!("{:<24} {:<20} {:<11} {}\n", r.run_id, r.started_at, r.status, r.command));
    }
    if runs.is_empty() {
        out.push_str("(no runs yet)\n");
    }
    out
}

/// `liner runs <id>`: one run and its stages.
pub fn show(run: &Run, stages: &[RunStage]) -> String {
    let mut out = format!(
        "run {}\ncommand  {}\nstarted  {}\nfinished {}\nstatus   {}\n",
        run.run_id,
        run.command,
        run.started_at,
        run.finished_at.as_deref().unwrap_or("-"),
        run.status
    );
    for s in stages {
        out.push_str(&format!(
            "  {:<22} {:<8} {:>8.1} s  {}\n",
            s.stage,
            s.status,
            s.seconds,
            s.error.as_deref().or(s.counts.as_deref()).unwrap_or("")
        ));
    }
    out
}

/// Each provider's circuit breaker as the last extract in this process left it.
static BREAKERS: std::sync::Mutex<std::collections::BTreeMap<String, String>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

fn note_breaker(provider: &str, state: &str) {
    BREAKERS.lock().expect("breakers lock").insert(provider.to_string(), state.to_string());
    let open = if state == "closed" { 0.0 } else { 1.0 };
    metrics::gauge!("liner_breaker_open", "provider" => provider.to_string()).set(open);
}

/// The breakers' states by provider (`closed`, `open`, `half-open`), for `/health`.
pub fn breakers() -> std::collections::BTreeMap<String, String> {
    BREAKERS.lock().expect("breakers lock").clone()
}

/// This process's command line as runs and the writer lock record it: a password in a
/// URL argument (`--target postgres://user:pw@host/db`) shows as `***`.
pub fn command_line() -> String {
    let args: Vec<String> = std::env::args().skip(1).map(|a| mask_password(&a)).collect();
    format!("liner {}", args.join(" "))
}

fn mask_password(arg: &str) -> String {
    let Some(scheme_end) = arg.find("://").map(|i| i + 3) else { return arg.to_string() };
    let rest = &arg[scheme_end..];
    let Some(at) = rest.find('@') else { return arg.to_string() };
    let Some(colon) = rest[..at].find(':') else { return arg.to_string() };
    format!("{}***{}", &arg[..scheme_end + colon + 1], &rest[at..])
}

#[cfg(test)]
mod command_tests {
    use super::mask_password;

    #[test]
    fn passwords_in_url_arguments_are_masked() {
        assert_eq!(mask_password("postgres://liner:s3cret@db:5432/app"), "postgres://liner:***@db:5432/app");
        assert_eq!(mask_password("--target=postgres://liner:s3cret@db/app"), "--target=postgres://liner:***@db/app");
        assert_eq!(mask_password("postgres://liner@db/app"), "postgres://liner@db/app");
        assert_eq!(mask_password("Daft Punk"), "Daft Punk");
    }
}
