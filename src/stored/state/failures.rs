//! Requests that failed for good (until a later run lands them), and the providers
//! that asked not to be asked for a while.

use rusqlite::params;

use super::State;

impl State {
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

    /// Failed requests no run has landed since: (provider, request key, reason).
    pub fn open_failures(&self) -> anyhow::Result<Vec<(String, String, String)>> {
        let mut stmt = self.db.prepare(
            "SELECT provider, request_key, reason FROM failed_requests WHERE resolved_at IS NULL ORDER BY failed_at",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }
}
