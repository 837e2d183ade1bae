//! The daily quotas spent and the refresh tokens kept, for the extract stage.

use std::path::Path;

use anyhow::Context;
use rusqlite::{Connection, OptionalExtension, params};

use super::State;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
