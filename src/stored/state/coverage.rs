//! Each build's coverage, kept so that later builds show the history.

use rusqlite::params;

use super::State;

impl State {
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
}
