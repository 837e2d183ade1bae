//! State: what cannot be rebuilt from the lake. The followed artists and the run
//! history, in `data/state.sqlite`. Here the file, its migrations and run ids; each
//! table's methods live beside it (follows, reviews, failures, runs, coverage, ledger,
//! enrichments).

use std::path::Path;

use anyhow::Context;
use rusqlite::Connection;

mod coverage;
mod enrichments;
mod failures;
mod follows;
mod ledger;
mod reviews;
mod runs;

pub use enrichments::Enrichment;
pub use follows::Follow;
pub use ledger::StateLedger;
pub use liner_transform::ReviewDecision;
pub use runs::{Run, RunStage};

pub struct State {
    db: Connection,
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
    use super::*;

    #[test]
    fn a_state_file_that_is_no_database_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        std::fs::write(&path, b"this is not SQLite, only text long enough to have a header of sorts").unwrap();
        let e = format!("{:#}", State::open(&path).err().expect("refused"));
        assert!(e.starts_with(&format!("{}: ", path.display())) && e.contains("not a database"), "{e}");
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
}
