//! `liner serve`: the scheduler and an HTTP API in one process. Runs, whether a
//! schedule's tick, an API request or a follow, wait in one queue and run one at a
//! time in this process, each holding the data folder's writer lock (so a `liner` run
//! from a shell is waited for, never run beside). The API answers a request for a
//! run at once, with the run's id.

mod api;
mod enrich;
mod queue;
mod read_api;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::config::Loaded;
use crate::runs::schedules::Step;
use crate::runs::{runner, stages};
use crate::stored::state::{State, new_run_id};

pub use queue::{Queue, Queued, Work};

pub struct App {
    pub cfg: Loaded,
    pub queue: Queue,
    /// Set on SIGTERM or Ctrl-C: the run going stops between requests.
    pub cancel: Arc<AtomicBool>,
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
}

impl App {
    /// Queues a schedule's run, unless one is already waiting or running: then the
    /// tick is skipped, and the skip recorded.
    fn tick(&self, name: &str, why: &str) {
        if let Some(pending) = self.queue.pending_schedule(name) {
            tracing::warn!(schedule = name, "{why}: skipped, run {pending} of it is still waiting or going");
            let recorded = State::open(&self.cfg.state_db()).and_then(|s| {
                s.record_skip(&new_run_id(), &schedule_command(name), "the previous run was still waiting or going")
            });
            if let Err(e) = recorded {
                tracing::error!("recording the skip of {name}: {e:#}");
            }
            return;
        }
        match self.queue.push(Work::Schedule(name.to_string()), schedule_command(name)) {
            Ok(q) => tracing::info!(schedule = name, run = %q.run_id, "queued ({why})"),
            Err(e) => tracing::error!(schedule = name, "{e}"),
        }
    }
}

/// How a schedule's run names itself in the run history, as `liner schedule` does.
fn schedule_command(name: &str) -> String {
    format!("liner run {name}")
}

pub async fn run(cfg: Loaded) -> anyhow::Result<()> {
    // Before "listening on" is printed: a stop sent on reading it must find liner listening.
    let stop = runner::stop_signal();
    let metrics = crate::telemetry::install()?;
    let bind = cfg.config.serve.bind.clone();
    if cfg.config.serve.token.as_deref().is_none_or(str::is_empty) {
        tracing::warn!("serve.token is not set: every request that changes something will be refused (401)");
    }
    let schedules = cfg.schedules()?;
    let max_queued = cfg.config.serve.max_queued_runs;
    let app = Arc::new(App { cfg, queue: Queue::new(max_queued), cancel: Default::default(), metrics });

    let scheduler = JobScheduler::new().await.context("starting the scheduler")?;
    let state = State::open(&app.cfg.state_db())?;
    for (path, s) in &schedules {
        let (name, a) = (s.name.clone(), app.clone());
        let job = Job::new_async_tz(s.cron_with_seconds(), s.timezone()?, move |_, _| {
            let (name, a) = (name.clone(), a.clone());
            Box::pin(async move { a.tick(&name, "its tick") })
        })
        .map_err(|e| anyhow::anyhow!("{}: cron: {:?}: {e}", path.display(), s.cron))?;
        scheduler.add(job).await.with_context(|| format!("scheduling {}", path.display()))?;
        if crate::runs::scheduler::missed(s, &state)? {
            app.tick(&s.name, "catching up: its last tick passed without a success");
        }
    }
    drop(state);
    scheduler.start().await.context("starting the scheduler")?;

    let listener =
        tokio::net::TcpListener::bind(&bind).await.with_context(|| format!("serve.bind: listening on {bind}"))?;
    // Tests bind port 0 and read the port from this line.
    println!("listening on http://{}", listener.local_addr()?);
    // Runs hold state (SQLite) across their awaits, so they are not Send: they are
    // driven from a thread and a runtime of their own, and the API stays free to answer.
    let worker = {
        let app = app.clone();
        std::thread::Builder::new().name("liner-runs".into()).spawn(move || {
            // Multi-threaded, as the CLI's: polars blocks in place inside the transform.
            match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(rt) => work(&rt, &app),
                Err(e) => tracing::error!("starting the run worker: {e}"),
            }
        })?
    };
    let shutdown = {
        let app = app.clone();
        async move {
            stop.await;
            println!("stopping: the run going lands what it fetched, then liner exits");
            app.cancel.store(true, Ordering::Relaxed);
        }
    };
    axum::serve(listener, api::router(app.clone())).with_graceful_shutdown(shutdown).await.context("serving")?;
    let mut scheduler = scheduler;
    scheduler.shutdown().await.context("stopping the scheduler")?;
    app.queue.close();
    tokio::task::spawn_blocking(move || worker.join())
        .await
        .context("the run worker")?
        .map_err(|_| anyhow::anyhow!("the run worker panicked"))?;
    for q in app.queue.drain() {
        println!("not run: {} ({}), still waiting at shutdown", q.run_id, q.command);
        release_enrichments(&app, &q, "not run: liner stopped before its turn");
    }
    Ok(())
}

/// Takes runs off the queue one at a time until the queue closes.
/// Takes runs off the queue one at a time until the queue closes. A run that panics
/// is recorded as failed and the next one goes on.
fn work(rt: &tokio::runtime::Runtime, app: &Arc<App>) {
    while let Some(job) = rt.block_on(app.queue.next()) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(execute(app, &job))))
            .unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
                Err(anyhow::anyhow!("the run panicked: {}", what.unwrap_or_default()))
            });
        let why = match &outcome {
            Ok(()) => "the run ended before looking it up".to_string(),
            Err(e) => format!("the run failed before looking it up: {e:#}"),
        };
        release_enrichments(app, &job, &why);
        if let Err(e) = outcome {
            tracing::error!(run = %job.run_id, "{e:#}");
            // A run that failed before it started (or in a panic) is recorded all the
            // same, so that the id the API answered with leads somewhere.
            let recorded = State::open(&app.cfg.state_db()).and_then(|s| {
                match s.run(&job.run_id)? {
                    None => s.start_run(&job.run_id, &job.command)?,
                    Some(run) if run.finished_at.is_some() => return Ok(()),
                    Some(_) => {}
                }
                s.finish_run(&job.run_id, "failed", &serde_json::json!({ "error": format!("{e:#}") }).to_string())
            });
            if let Err(e) = recorded {
                tracing::error!(run = %job.run_id, "recording the failure: {e:#}");
            }
        }
        app.queue.finish();
    }
}

/// An enrichment run's items it never took up (it failed first, or never ran): failed
/// without a try, and due, so that the enrich schedule takes them.
fn release_enrichments(app: &App, job: &Queued, why: &str) {
    let Work::Enrich(ids) = &job.work else { return };
    if let Err(e) = State::open(&app.cfg.state_db()).and_then(|s| s.unqueue_enrichments(ids, why)) {
        tracing::error!(run = %job.run_id, "recording the enrichments not looked up: {e:#}");
    }
}

async fn execute(app: &App, job: &Queued) -> anyhow::Result<()> {
    if app.cancel.load(Ordering::Relaxed) {
        anyhow::bail!("not started: liner is stopping");
    }
    let (data_dir, command) = (app.cfg.data_dir(), job.command.clone());
    let _writer =
        tokio::task::spawn_blocking(move || crate::runs::writer_lock::acquire(&data_dir, &command, true)).await??;
    let mut args = stages::StageArgs { cancel: app.cancel.clone(), ..Default::default() };
    let cfg = &app.cfg;
    let steps = match &job.work {
        Work::Schedule(name) => {
            let schedule = cfg.schedule(name)?;
            args.max_items = schedule.options.max_items;
            schedule.steps()?
        }
        Work::Steps(steps) => steps.clone(),
        Work::Follow { name, musicbrainz_id } => {
            let (name, mbid) = match musicbrainz_id {
                Some(id) => (name.trim().to_string(), Some(id.clone())),
                None => crate::commands::follow::resolve_as(cfg, name, true, false).await?,
            };
            let state = State::open(&cfg.state_db())?;
            state.follow_as(&name, mbid.as_deref())?;
            args.artists = vec![name];
            vec![Step::Extract(None), Step::Transform { full: false }]
        }
        Work::Enrich(ids) => {
            args.enrichments = Some(ids.clone());
            vec![Step::Enrich, Step::Transform { full: false }]
        }
    };
    runner::run_as(cfg, &steps, &args, &job.run_id, &job.command).await
}
