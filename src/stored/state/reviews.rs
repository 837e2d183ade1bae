//! A person's decisions on pairs of items, which win over every rebuild.

use rusqlite::params;

use super::{ReviewDecision, State};

impl State {
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
}
