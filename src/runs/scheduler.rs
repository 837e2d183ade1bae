//! `liner schedule`: every schedule in the schedules folder, run unattended at its
//! cron ticks (tokio-cron-scheduler). Each tick runs `liner run <name>` as a child
//! process, so a run that fails or is killed leaves the scheduler going, and the child
//! takes the data folder's writer lock like any other writer. A schedule still running
//! at its next tick skips it, and the skip is recorded. On start, a schedule whose last
//! success is older than its previous tick runs once at once (catch-up). SIGTERM or
//! Ctrl-C passes the signal on to the running children, waits for them to land what
//! they fetched, and exits.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::config::Loaded;
use crate::runs::schedules::Schedule;
use crate::stored::state::{State, new_run_id};

/// The children running now, by schedule name.
type Running = Arc<Mutex<HashMap<String, tokio::process::Child>>>;

struct Launcher {
    exe: PathBuf,
    config: Option<PathBuf>,
    state_db: PathBuf,
    running: Running,
}

impl Launcher {
    /// Starts `liner run <name>` unless the schedule's previous run is still going.
    fn tick(&self, name: &str, why: &str) {
        let mut running = self.running.lock().expect("running lock");
        if let Some(child) = running.get_mut(name)
            && matches!(child.try_wait(), Ok(None))
        {
            tracing::warn!(schedule = name, "still running at its next tick: skipped");
            println!("{} {name}: skipped, the previous run is still going", now());
            let recorded = State::open(&self.state_db)
                .and_then(|s| s.record_skip(&new_run_id(), &command(name), "the previous run was still going"));
            if let Err(e) = recorded {
                tracing::error!("recording the skip of {name}: {e:#}");
            }
            return;
        }
        let mut cmd = tokio::process::Command::new(&self.exe);
        cmd.args(["run", name]).kill_on_drop(false);
        if let Some(c) = &self.config {
            cmd.env("LINER_CONFIG", c);
        }
        match cmd.spawn() {
            Ok(child) => {
                println!("{} {name}: started ({why}), pid {}", now(), child.id().unwrap_or(0));
                running.insert(name.to_string(), child);
            }
            Err(e) => tracing::error!(schedule = name, "could not start `liner run {name}`: {e}"),
        }
    }
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// How a scheduled run names itself in the run history.
fn command(name: &str) -> String {
    format!("liner run {name}")
}

/// Whether the schedule missed a tick: its last success started before the latest
/// tick that has passed.
pub(crate) fn missed(schedule: &Schedule, state: &State) -> anyhow::Result<bool> {
    let tz = schedule.timezone()?;
    let previous = schedule.cron()?.find_previous_occurrence(&chrono::Utc::now().with_timezone(&tz), false).ok();
    let last = state.last_success(&command(&schedule.name))?;
    Ok(match (previous, last) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(p), Some(l)) => l < p.with_timezone(&chrono::Utc),
    })
}

pub async fn run(cfg: &Loaded) -> anyhow::Result<()> {
    // Before any line is printed or any run started: a stop sent on seeing one of them
    // must find liner listening.
    let stop = crate::runs::runner::stop_signal();
    let schedules = cfg.schedules()?;
    anyhow::ensure!(!schedules.is_empty(), "no schedules: nothing to run");
    let state = State::open(&cfg.state_db())?;
    let launcher = Arc::new(Launcher {
        exe: std::env::current_exe().context("finding liner's own binary")?,
        config: cfg.file.as_ref().map(|f| std::path::absolute(f).unwrap_or_else(|_| f.clone())),
        state_db: cfg.state_db(),
        running: Default::default(),
    });
    let scheduler = JobScheduler::new().await.context("starting the scheduler")?;
    for (path, s) in &schedules {
        let (name, l) = (s.name.clone(), launcher.clone());
        let job = Job::new_async_tz(s.cron_with_seconds(), s.timezone()?, move |_, _| {
            let (name, l) = (name.clone(), l.clone());
            Box::pin(async move { l.tick(&name, "its tick") })
        })
        .map_err(|e| anyhow::anyhow!("{}: cron: {:?}: {e}", path.display(), s.cron))?;
        scheduler.add(job).await.with_context(|| format!("scheduling {}", path.display()))?;
        println!("{} {}: {} ({}), steps {}", now(), s.name, s.cron, s.timezone, s.steps.join(", "));
    }
    for (_, s) in &schedules {
        if missed(s, &state)? {
            launcher.tick(&s.name, "catching up: its last tick passed without a success");
        }
    }
    scheduler.start().await.context("starting the scheduler")?;

    stop.await;
    println!("{} stopping: running schedules land what they fetched, then liner exits", now());
    let mut scheduler = scheduler;
    scheduler.shutdown().await.context("stopping the scheduler")?;
    let children: Vec<(String, tokio::process::Child)> =
        launcher.running.lock().expect("running lock").drain().collect();
    for (name, mut child) in children {
        if let Some(pid) = child.id() {
            // SAFETY: kill(2) on the pid of a child this process started and has not reaped.
            unsafe { libc::kill(pid as i32, libc::SIGTERM) };
            let status = child.wait().await;
            println!("{} {name}: {}", now(), status.map_or_else(|e| e.to_string(), |s| s.to_string()));
        }
    }
    Ok(())
}
