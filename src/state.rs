//! State: what cannot be rebuilt from the lake. The followed artists and the run
//! history, in `data/state.sqlite`.

use std::path::Path;

use anyhow::Context;
use rusqlite::{Connection, OptionalExtension, params};

mod enrichments;
pub use enrichments::Enrichment;

pub struct State {
    db: Connection,
}

pub use liner_transform::ReviewDecision;

#[derive(Debug, Clone)]
pub struct Run {
    pub run_id: String,
    pub command: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: String,
    pub summary: Option<String>,
}

/// A followed artist.
#[derive(Debug, Clone)]
pub struct Follow {
    pub id: i64,
    pub name: String,
    pub musicbrainz_id: Option<String>,
    pub added_at: String,
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

/// The state schema, step by step: step N takes a file at `user_version` N-1 to N, in one
/// transaction. Step 1 is the schema as it was when versions began; a file from before
/// (version 0) goes through it too, since it makes only what is missing.
const MIGRATIONS: &[&str] = &[
    r#"CREATE TABLE IF NOT EXISTS follows (
                 name TEXT PRIMARY KEY COLLATE NOCASE,
                 added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
             );
             -- Requests that failed for good, until a later run lands them.
             CREATE TABLE IF NOT EXISTS failed_requests (
                 provider TEXT NOT NULL,
                 request_key TEXT NOT NULL,
                 resource TEXT NOT NULL,
                 reason TEXT NOT NULL,
                 run_id TEXT NOT NULL,
                 failures INTEGER NOT NULL DEFAULT 1,
                 failed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
                 resolved_at TEXT,
                 PRIMARY KEY (provider, request_key)
             );
             -- The newest refresh token a provider gave (one that rotates them refuses
             -- the one a run used): a credential, kept beside the lake it fetches.
             CREATE TABLE IF NOT EXISTS refresh_tokens (
                 provider TEXT PRIMARY KEY,
                 token TEXT NOT NULL,
                 saved_at TEXT NOT NULL
             );
             -- Daily quotas spent, per provider, bucket and the provider's own day.
             CREATE TABLE IF NOT EXISTS quota_usage (
                 provider TEXT NOT NULL,
                 bucket TEXT NOT NULL,
                 day TEXT NOT NULL,
                 used INTEGER NOT NULL,
                 PRIMARY KEY (provider, bucket, day)
             );
             -- Providers that asked not to be asked before a time (Retry-After in hours).
             CREATE TABLE IF NOT EXISTS provider_holds (
                 provider TEXT PRIMARY KEY,
                 until TEXT NOT NULL,
                 reason TEXT NOT NULL,
                 run_id TEXT NOT NULL
             );
             -- A person's word on a pair of items: it wins over every rebuild.
             CREATE TABLE IF NOT EXISTS review_decisions (
                 entity TEXT NOT NULL,
                 left_provider TEXT NOT NULL,
                 left_id TEXT NOT NULL,
                 right_provider TEXT NOT NULL,
                 right_id TEXT NOT NULL,
                 decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject')),
                 decided_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
                 PRIMARY KEY (entity, left_provider, left_id, right_provider, right_id)
             );
             CREATE TABLE IF NOT EXISTS runs (
                 run_id TEXT PRIMARY KEY,
                 command TEXT NOT NULL,
                 started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
                 finished_at TEXT,
                 status TEXT NOT NULL DEFAULT 'running',
                 summary TEXT
             );
             CREATE TABLE IF NOT EXISTS coverage (
                 run_id TEXT NOT NULL,
                 built_on TEXT NOT NULL,
                 entity TEXT NOT NULL,
                 measure TEXT NOT NULL,
                 items INTEGER NOT NULL,
                 share REAL NOT NULL,
                 PRIMARY KEY (run_id, entity, measure)
             );
             CREATE TABLE IF NOT EXISTS run_stages (
                 run_id TEXT NOT NULL REFERENCES runs (run_id),
                 seq INTEGER NOT NULL,
                 stage TEXT NOT NULL,
                 started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                 finished_at TEXT,
                 status TEXT NOT NULL DEFAULT 'running',
                 counts TEXT,
                 error TEXT,
                 PRIMARY KEY (run_id, seq)
             );"#,
    // 2: items an app asked to have found (POST /enrich), with how it went.
    r#"CREATE TABLE enrichments (
                 id TEXT PRIMARY KEY,
                 item TEXT NOT NULL,             -- the request, checked, as JSON
                 status TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'in_progress', 'completed', 'partial', 'failed')),
                 tries INTEGER NOT NULL DEFAULT 0,
                 last_error TEXT,
                 answers TEXT,                   -- each provider's answer on the last try, as JSON
                 run_id TEXT,                    -- the run of the last try, or the one queued
                 requested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
                 updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
                 next_try_at TEXT                -- when the enrich schedule asks again; NULL: it does not
             );
             CREATE INDEX enrichments_due ON enrichments (status, next_try_at);"#,
];

fn version(db: &Connection) -> anyhow::Result<usize> {
    Ok(db.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?.try_into().unwrap_or(0))
}

fn migrate(db: &Connection) -> anyhow::Result<()> {
    // Every command opens the state, most of them more than once: an up-to-date file
    // takes no write lock.
    if version(db)? == MIGRATIONS.len() {
        return Ok(());
    }
    loop {
        // IMMEDIATE: two processes opening one file take the steps in turn, each reading
        // the version the other left.
        let tx = rusqlite::Transaction::new_unchecked(db, rusqlite::TransactionBehavior::Immediate)?;
        let at = version(&tx)?;
        if at > MIGRATIONS.len() {
            anyhow::bail!(
                "written by a newer liner (state schema version {at}; this one knows up to {})",
                MIGRATIONS.len()
            );
        }
        let Some(sql) = MIGRATIONS.get(at) else { return Ok(()) };
        let version = at + 1;
        tx.execute_batch(sql).with_context(|| format!("migrating the state to version {version}"))?;
        if version == 1 {
            // A file from before versions may lack what step 1 makes only in new tables.
            let has_mbid: bool = tx
                .prepare("SELECT count(*) FROM pragma_table_info('follows') WHERE name = 'musicbrainz_id'")?
                .query_row([], |r| r.get::<_, i64>(0))?
                > 0;
            if !has_mbid {
                tx.execute_batch("ALTER TABLE follows ADD COLUMN musicbrainz_id TEXT")?;
            }
        }
        tx.pragma_update(None, "user_version", version as i64)?;
        tx.commit()?;
    }
}

impl State {
    /// Opens (or creates) the state database; any error names the file first
    /// (`data/state.sqlite: file is not a database`).
    pub fn open(path: &Path) -> anyhow::Result<State> {
        Self::open_at(path).map_err(|e| anyhow::anyhow!("{}: {e:#}", path.display()))
    }

    fn open_at(path: &Path) -> anyhow::Result<State> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let db = Connection::open(path)?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.busy_timeout(std::time::Duration::from_secs(30))?;
        migrate(&db)?;
        Ok(State { db })
    }

    /// Records a person's decision on a pair; a later one replaces it.
    pub fn decide(&self, d: &ReviewDecision) -> anyhow::Result<()> {
        self.db.execute(
            "INSERT INTO review_decisions (entity, left_provider, left_id, right_provider, right_id, decision) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT DO UPDATE SET decision = excluded.decision, \
                 decided_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            params![d.entity, d.left_provider, d.left_id, d.right_provider, d.right_id, d.decision],
        )?;
        Ok(())
    }

    pub fn review_decisions(&self) -> anyhow::Result<Vec<ReviewDecision>> {
        let mut stmt = self.db.prepare(
            "SELECT entity, left_provider, left_id, right_provider, right_id, decision FROM review_decisions \
             ORDER BY entity, left_provider, left_id, right_provider, right_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ReviewDecision {
                entity: r.get(0)?,
                left_provider: r.get(1)?,
                left_id: r.get(2)?,
                right_provider: r.get(3)?,
                right_id: r.get(4)?,
                decision: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds an artist; following one twice is not an error. Returns whether it was new.
    pub fn follow(&self, name: &str) -> anyhow::Result<bool> {
        self.follow_as(name, None)
    }

    /// Adds an artist known to be this MusicBrainz artist (a homonym settled once).
    pub fn follow_as(&self, name: &str, musicbrainz_id: Option<&str>) -> anyhow::Result<bool> {
        let name = name.trim();
        anyhow::ensure!(!name.is_empty(), "an artist name cannot be empty");
        let new = self.db.execute("INSERT OR IGNORE INTO follows (name) VALUES (?)", [name])? == 1;
        if let Some(id) = musicbrainz_id {
            self.db.execute("UPDATE follows SET musicbrainz_id = ? WHERE name = ?", [id, name])?;
        }
        Ok(new)
    }

    /// The MusicBrainz artist chosen for each followed name that has one.
    pub fn musicbrainz_ids(&self) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
        let mut stmt = self.db.prepare("SELECT name, musicbrainz_id FROM follows WHERE musicbrainz_id IS NOT NULL")?;
        let ids = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        Ok(ids)
    }

    pub fn unfollow(&self, name: &str) -> anyhow::Result<bool> {
        Ok(self.db.execute("DELETE FROM follows WHERE name = ?", [name.trim()])? == 1)
    }

    /// The followed artists with their ids (stable while followed) and MusicBrainz ids.
    pub fn follows_detailed(&self) -> anyhow::Result<Vec<Follow>> {
        let mut stmt = self.db.prepare("SELECT rowid, name, musicbrainz_id, added_at FROM follows ORDER BY rowid")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Follow { id: r.get(0)?, name: r.get(1)?, musicbrainz_id: r.get(2)?, added_at: r.get(3)? })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Stops following the artist with this id; its name, or None when there is none.
    pub fn unfollow_id(&self, id: i64) -> anyhow::Result<Option<String>> {
        let name: Option<String> =
            self.db.query_row("SELECT name FROM follows WHERE rowid = ?", [id], |r| r.get(0)).ok();
        if let Some(n) = &name {
            self.db.execute("DELETE FROM follows WHERE rowid = ?", [id])?;
            tracing::info!("unfollowed {n}");
        }
        Ok(name)
    }

    pub fn follows(&self) -> anyhow::Result<Vec<String>> {
        let mut stmt = self.db.prepare("SELECT name FROM follows ORDER BY rowid")?;
        let names = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(names)
    }

    pub fn record_failures(
        &self,
        run_id: &str,
        provider: &str,
        failures: &[liner_extract::Failure],
    ) -> anyhow::Result<()> {
        let mut stmt = self.db.prepare(
            "INSERT INTO failed_requests (provider, request_key, resource, reason, run_id) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (provider, request_key) DO UPDATE SET
                 reason = excluded.reason, run_id = excluded.run_id, failures = failures + 1,
                 failed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), resolved_at = NULL",
        )?;
        for f in failures {
            stmt.execute(params![provider, f.request_key, f.resource, f.reason, run_id])?;
        }
        Ok(())
    }

    /// Marks earlier failures as resolved once their responses have landed.
    pub fn resolve_failures(&self, provider: &str, landed: &[String]) -> anyhow::Result<()> {
        let mut stmt = self.db.prepare(
            "UPDATE failed_requests SET resolved_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
             WHERE provider = ? AND request_key = ? AND resolved_at IS NULL",
        )?;
        for key in landed {
            stmt.execute(params![provider, key])?;
        }
        Ok(())
    }

    /// Failed requests no run has landed since: (provider, request key, reason).
    /// Failed requests per provider and hour (`YYYY-MM-DD HH:00`), for the report.
    pub fn failures_by_hour(&self) -> anyhow::Result<Vec<(String, String, i64)>> {
        let mut stmt = self.db.prepare(
            "SELECT provider, strftime('%Y-%m-%d %H:00', failed_at), sum(failures) FROM failed_requests GROUP BY 1, 2",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Records that a provider is not to be asked before `until`.
    pub fn hold_provider(&self, provider: &str, until: &str, reason: &str, run_id: &str) -> anyhow::Result<()> {
        self.db.execute(
            "INSERT INTO provider_holds (provider, until, reason, run_id) VALUES (?, ?, ?, ?) \
             ON CONFLICT (provider) DO UPDATE SET until = excluded.until, reason = excluded.reason, run_id = excluded.run_id",
            params![provider, until, reason, run_id],
        )?;
        Ok(())
    }

    /// Providers on hold at `now` (RFC 3339, UTC): (provider, until, reason).
    pub fn provider_holds(&self, now: &str) -> anyhow::Result<Vec<(String, String, String)>> {
        let mut stmt =
            self.db.prepare("SELECT provider, until, reason FROM provider_holds WHERE until > ? ORDER BY provider")?;
        let rows = stmt.query_map([now], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    pub fn open_failures(&self) -> anyhow::Result<Vec<(String, String, String)>> {
        let mut stmt = self.db.prepare(
            "SELECT provider, request_key, reason FROM failed_requests WHERE resolved_at IS NULL ORDER BY failed_at",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

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

    /// Keeps a build's coverage, so later builds show the history.
    /// `replacing`: runs this build continues, whose coverage (if they built before they
    /// were stopped) is this build's own, not an earlier build.
    pub fn record_coverage(&self, rows: &[liner_transform::CoverageRow], replacing: &[String]) -> anyhow::Result<()> {
        for run in replacing {
            self.db.execute("DELETE FROM coverage WHERE run_id = ?", [run])?;
        }
        let mut stmt = self.db.prepare("INSERT OR REPLACE INTO coverage VALUES (?, ?, ?, ?, ?, ?)")?;
        for c in rows {
            stmt.execute(params![c.run_id, c.built_on, c.entity, c.measure, c.items, c.share])?;
        }
        Ok(())
    }

    pub fn coverage_history(&self) -> anyhow::Result<Vec<liner_transform::CoverageRow>> {
        let mut stmt = self.db.prepare("SELECT run_id, built_on, entity, measure, items, share FROM coverage")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(liner_transform::CoverageRow {
                    run_id: r.get(0)?,
                    built_on: r.get(1)?,
                    entity: r.get(2)?,
                    measure: r.get(3)?,
                    items: r.get(4)?,
                    share: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
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

/// The daily-quota ledger in state.sqlite, on a connection of its own so the extract
/// tasks can share it. Each spend is one IMMEDIATE transaction: two processes spending
/// at once never overspend.
pub struct StateLedger {
    db: std::sync::Mutex<Connection>,
}

impl StateLedger {
    pub fn open(path: &Path) -> anyhow::Result<StateLedger> {
        State::open(path)?; // creates the tables
        let db = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        db.busy_timeout(std::time::Duration::from_secs(30))?;
        Ok(StateLedger { db: std::sync::Mutex::new(db) })
    }

    pub fn used(&self, provider: &str, bucket: &str, day: &str) -> anyhow::Result<u64> {
        let db = self.db.lock().expect("ledger lock");
        let used: Option<i64> = db
            .query_row(
                "SELECT used FROM quota_usage WHERE provider = ? AND bucket = ? AND day = ?",
                params![provider, bucket, day],
                |r| r.get(0),
            )
            .optional()?;
        Ok(used.unwrap_or(0) as u64)
    }
}

impl liner_extract::auth::TokenStore for StateLedger {
    fn refresh_token(&self, provider: &str) -> anyhow::Result<Option<String>> {
        let db = self.db.lock().expect("ledger lock");
        Ok(db.query_row("SELECT token FROM refresh_tokens WHERE provider = ?", [provider], |r| r.get(0)).optional()?)
    }

    fn save_refresh_token(&self, provider: &str, token: &str) -> anyhow::Result<()> {
        let db = self.db.lock().expect("ledger lock");
        db.execute(
            "INSERT INTO refresh_tokens (provider, token, saved_at) VALUES (?, ?, ?)
             ON CONFLICT (provider) DO UPDATE SET token = excluded.token, saved_at = excluded.saved_at",
            params![provider, token, chrono::Utc::now().to_rfc3339()],
        )?;
        Ok(())
    }
}

impl liner_extract::quota::QuotaLedger for StateLedger {
    fn spend(&self, provider: &str, bucket: &str, day: &str, amount: u64, limit: u64) -> anyhow::Result<bool> {
        let mut db = self.db.lock().expect("ledger lock");
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let used: i64 = tx
            .query_row(
                "SELECT used FROM quota_usage WHERE provider = ? AND bucket = ? AND day = ?",
                params![provider, bucket, day],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        if used as u64 + amount > limit {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO quota_usage (provider, bucket, day, used) VALUES (?, ?, ?, ?)
             ON CONFLICT (provider, bucket, day) DO UPDATE SET used = used + excluded.used",
            params![provider, bucket, day, amount as i64],
        )?;
        tx.commit()?;
        Ok(true)
    }
}

/// A run id sorts by time and is unique enough for one machine: `20261121T235959Z-3f2a`.
pub fn new_run_id() -> String {
    let now = chrono::Utc::now();
    format!("{}-{:04x}", now.format("%Y%m%dT%H%M%SZ"), rand_suffix())
}

fn rand_suffix() -> u16 {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    (nanos ^ std::process::id()) as u16
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_state_file_that_is_no_database_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        std::fs::write(&path, b"this is not SQLite, only text long enough to have a header of sorts").unwrap();
        let e = format!("{:#}", State::open(&path).err().expect("refused"));
        assert!(e.starts_with(&format!("{}: ", path.display())) && e.contains("not a database"), "{e}");
    }

    use super::*;

    #[test]
    fn follows_are_kept_once_case_aside_and_can_be_removed() {
        let dir = tempfile::tempdir().unwrap();
        let s = State::open(&dir.path().join("state.sqlite")).unwrap();
        assert!(s.follow("Daft Punk").unwrap());
        assert!(!s.follow("daft punk ").unwrap());
        assert!(s.follow("Björk").unwrap());
        assert_eq!(s.follows().unwrap(), vec!["Daft Punk", "Björk"]);
        assert!(s.unfollow("DAFT PUNK").unwrap());
        assert_eq!(s.follows().unwrap(), vec!["Björk"]);
        assert!(s.follow("  ").is_err());
    }

    #[test]
    fn the_ledger_spends_up_to_the_limit_per_day_and_bucket_across_connections() {
        use liner_extract::quota::QuotaLedger;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let (a, b) = (StateLedger::open(&path).unwrap(), StateLedger::open(&path).unwrap());
        assert!(a.spend("youtube", "units", "2026-11-21", 6, 10).unwrap());
        assert!(!b.spend("youtube", "units", "2026-11-21", 5, 10).unwrap(), "another connection sees the spending");
        assert!(b.spend("youtube", "units", "2026-11-21", 4, 10).unwrap());
        assert!(!a.spend("youtube", "units", "2026-11-21", 1, 10).unwrap());
        assert!(a.spend("youtube", "search", "2026-11-21", 1, 100).unwrap(), "buckets are separate");
        assert!(a.spend("youtube", "units", "2026-11-22", 1, 10).unwrap(), "a new day, a new budget");
        assert_eq!(b.used("youtube", "units", "2026-11-21").unwrap(), 10);
    }

    #[test]
    fn a_state_file_records_its_schema_version_and_one_from_a_newer_liner_is_refused_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        State::open(&path).unwrap().follow("Björk").unwrap();
        let version = |p: &Path| {
            rusqlite::Connection::open(p)
                .unwrap()
                .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
                .unwrap()
        };
        assert_eq!(version(&path), MIGRATIONS.len() as i64);
        assert_eq!(State::open(&path).unwrap().follows().unwrap(), ["Björk"], "a second open migrates nothing");
        rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        let e = State::open(&path).err().unwrap().to_string();
        assert!(e.contains("state.sqlite") && e.contains("newer liner") && e.contains("99"), "{e}");
    }

    #[test]
    fn a_state_file_from_before_musicbrainz_ids_opens_and_takes_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE follows (name TEXT PRIMARY KEY COLLATE NOCASE, added_at TEXT); INSERT INTO follows VALUES ('Björk', '2026-01-01')")
            .unwrap();
        let s = State::open(&path).unwrap();
        assert!(s.musicbrainz_ids().unwrap().is_empty());
        assert!(!s.follow_as("Björk", Some("87c5dedd-371d-4a53-9f7f-80522fb7f3cb")).unwrap(), "already followed");
        assert_eq!(s.musicbrainz_ids().unwrap()["Björk"], "87c5dedd-371d-4a53-9f7f-80522fb7f3cb");
        assert_eq!(s.follows().unwrap(), vec!["Björk"]);
    }

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
