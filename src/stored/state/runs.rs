//! The run history: each run, its outcome and its stages.

use rusqlite::{OptionalExtension, params};

use super::State;

#[derive(Debug, Clone)]
pub struct Run {
    pub run_id: String,
    pub command: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: String,
    pub summary: Option<String>,
}

/// One stage of a run: extract (of a provider), transform or load.
#[derive(Debug, Clone)]
pub struct RunStage {
    pub stage: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: String,
    /// What it did, as JSON (`{"responses": 120}`, `{"models": 48}` ...).
    pub counts: Option<String>,
    pub error: Option<String>,
    pub seconds: f64,
}

fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Run> {
    Ok(Run {
        run_id: r.get(0)?,
        command: r.get(1)?,
        started_at: r.get(2)?,
        finished_at: r.get(3)?,
        status: r.get(4)?,
        summary: r.get(5)?,
    })
}

impl State {
    pub fn start_run(&self, run_id: &str, command: &str) -> anyhow::Result<()> {
        self.db.execute("INSERT INTO runs (run_id, command) VALUES (?, ?)", params![run_id, command])?;
        Ok(())
    }

    pub fn finish_run(&self, run_id: &str, status: &str, summary: &str) -> anyhow::Result<()> {
        self.db.execute(
            "UPDATE runs SET status = ?, summary = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE run_id = ?",
            params![status, summary, run_id],
        )?;
        Ok(())
    }

    /// The runs that `run_id` continues: those stopped before they finished (killed, so
    /// still marked running, or interrupted) since the last run that ended, started within
    /// `within_hours`. A killed run is marked interrupted here: only one run writes at a
    /// time (the writer lock), so no other can still be running.
    pub fn resume_interrupted(&self, run_id: &str, within_hours: f64) -> anyhow::Result<Vec<String>> {
        self.db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running' AND run_id <> ?", [run_id])?;
        let mut stmt = self.db.prepare(
            "SELECT run_id FROM runs
             WHERE status = 'interrupted' AND run_id <> ?1
               AND started_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', printf('-%d seconds', ?2))
               AND started_at >= coalesce(
                   (SELECT max(started_at) FROM runs WHERE status IN ('ok', 'failed') AND run_id <> ?1), '')
             ORDER BY started_at",
        )?;
        let within_seconds = (within_hours * 3600.0) as i64;
        let runs = stmt.query_map(params![run_id, within_seconds], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(runs)
    }

    pub fn run(&self, run_id: &str) -> anyhow::Result<Option<Run>> {
        Ok(self
            .db
            .query_row(
                "SELECT run_id, command, started_at, finished_at, status, summary FROM runs WHERE run_id = ?",
                [run_id],
                run_row,
            )
            .optional()?)
    }

    /// When the newest successful run of `command` started.
    pub fn last_success(&self, command: &str) -> anyhow::Result<Option<chrono::DateTime<chrono::Utc>>> {
        let at: Option<String> = self.db.query_row(
            "SELECT max(started_at) FROM runs WHERE command = ? AND status = 'ok'",
            [command],
            |r| r.get(0),
        )?;
        Ok(at.and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&chrono::Utc)))
    }

    /// A tick that did not run, with why: recorded like a run, so `liner runs` shows it.
    pub fn record_skip(&self, run_id: &str, command: &str, why: &str) -> anyhow::Result<()> {
        self.start_run(run_id, command)?;
        self.finish_run(run_id, "skipped", &serde_json::json!({ "reason": why }).to_string())
    }

    /// The newest `limit` runs, newest first.
    pub fn runs(&self, limit: usize) -> anyhow::Result<Vec<Run>> {
        let mut stmt = self.db.prepare(
            "SELECT run_id, command, started_at, finished_at, status, summary FROM runs \
             ORDER BY rowid DESC LIMIT ?",
        )?;
        let rows = stmt.query_map([limit as i64], run_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    pub fn start_stage(&self, run_id: &str, seq: usize, stage: &str) -> anyhow::Result<()> {
        self.db.execute(
            "INSERT INTO run_stages (run_id, seq, stage) VALUES (?, ?, ?)",
            params![run_id, seq as i64, stage],
        )?;
        Ok(())
    }

    /// A stage's end: `ok` with its counts (JSON), or `failed` with the error.
    pub fn finish_stage(
        &self,
        run_id: &str,
        seq: usize,
        status: &str,
        counts: Option<&str>,
        error: Option<&str>,
    ) -> anyhow::Result<()> {
        self.db.execute(
            "UPDATE run_stages SET status = ?, counts = ?, error = ?, \
             finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE run_id = ? AND seq = ?",
            params![status, counts, error, run_id, seq as i64],
        )?;
        Ok(())
    }

    pub fn stages(&self, run_id: &str) -> anyhow::Result<Vec<RunStage>> {
        let mut stmt = self.db.prepare(
            "SELECT stage, started_at, finished_at, status, counts, error, \
                    (julianday(coalesce(finished_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))) - julianday(started_at)) * 86400.0 \
             FROM run_stages WHERE run_id = ? ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([run_id], |r| {
                Ok(RunStage {
                    stage: r.get(0)?,
                    started_at: r.get(1)?,
                    finished_at: r.get(2)?,
                    status: r.get(3)?,
                    counts: r.get(4)?,
                    error: r.get(5)?,
                    seconds: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_resumes_the_runs_stopped_since_the_last_that_ended() {
        let dir = tempfile::tempdir().unwrap();
        let s = State::open(&dir.path().join("state.sqlite")).unwrap();
        let ago = |minutes: i64| {
            (chrono::Utc::now() - chrono::Duration::minutes(minutes)).format("%Y-%m-%dT%H:%M:%SZ").to_string()
        };
        for (id, status, minutes) in [
            ("killed-long-ago", "running", 60 * 24 * 30),
            ("done", "ok", 50),
            ("killed", "running", 40),
            ("stopped", "interrupted", 30),
            ("now", "running", 0),
        ] {
            s.db.execute(
                "INSERT INTO runs (run_id, command, started_at, status) VALUES (?, 'demo', ?, ?)",
                params![id, ago(minutes), status],
            )
            .unwrap();
        }
        assert_eq!(s.resume_interrupted("now", 48.0).unwrap(), ["killed", "stopped"]);
        assert_eq!(s.run("killed").unwrap().unwrap().status, "interrupted", "a killed run is no longer running");
        assert_eq!(s.run("now").unwrap().unwrap().status, "running");
        assert!(s.resume_interrupted("now", 0.1).unwrap().is_empty(), "only runs started within the window");
        s.finish_run("now", "ok", "{}").unwrap();
        s.db.execute("INSERT INTO runs (run_id, command, started_at) VALUES ('next', 'demo', ?)", [ago(-1)]).unwrap();
        assert!(s.resume_interrupted("next", 48.0).unwrap().is_empty(), "a run that ended closes what it resumed");
    }

    #[test]
    fn runs_are_recorded_with_their_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let s = State::open(&dir.path().join("state.sqlite")).unwrap();
        s.start_run("r1", "extract").unwrap();
        assert_eq!(s.run("r1").unwrap().unwrap().status, "running");
        s.start_stage("r1", 0, "extract").unwrap();
        s.finish_stage("r1", 0, "ok", Some("{\"responses\": 3}"), None).unwrap();
        s.start_stage("r1", 1, "transform").unwrap();
        s.finish_stage("r1", 1, "failed", None, Some("model x failed")).unwrap();
        s.finish_run("r1", "failed", "{}").unwrap();
        let r = s.run("r1").unwrap().unwrap();
        assert_eq!((r.status.as_str(), r.finished_at.is_some()), ("failed", true));
        let stages = s.stages("r1").unwrap();
        let seen: Vec<(&str, &str)> = stages.iter().map(|x| (x.stage.as_str(), x.status.as_str())).collect();
        assert_eq!(seen, [("extract", "ok"), ("transform", "failed")]);
        assert_eq!(stages[1].error.as_deref(), Some("model x failed"));
        s.start_run("r2", "load").unwrap();
        let listed: Vec<String> = s.runs(10).unwrap().into_iter().map(|r| r.run_id).collect();
        assert_eq!(listed.len(), 2);
    }
}
