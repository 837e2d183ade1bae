//! The enrichments an app asked for, and how each went: state, since nothing in the
//! lake says who asked for what.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};

use super::State;
use crate::config::EnrichConfig;
use crate::runs::enrich::{Answer, Item, Status, next_try, settle};

/// One requested item and where it stands.
#[derive(Debug, Clone)]
pub struct Enrichment {
    pub id: String,
    pub item: Item,
    pub status: Status,
    pub tries: u32,
    pub last_error: Option<String>,
    /// Each provider's answer on the last try.
    pub answers: BTreeMap<String, Answer>,
    pub run_id: Option<String>,
    pub requested_at: String,
    pub updated_at: String,
    pub next_try_at: Option<String>,
}

const COLUMNS: &str = "id, item, status, tries, last_error, answers, run_id, requested_at, updated_at, next_try_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Enrichment> {
    let json_err =
        |i, e: serde_json::Error| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into());
    let item: String = r.get(1)?;
    let status: String = r.get(2)?;
    let answers: Option<String> = r.get(5)?;
    Ok(Enrichment {
        id: r.get(0)?,
        item: serde_json::from_str(&item).map_err(|e| json_err(1, e))?,
        status: Status::parse(&status).unwrap_or(Status::Failed),
        tries: r.get(3)?,
        last_error: r.get(4)?,
        answers: match answers {
            Some(a) => serde_json::from_str(&a).map_err(|e| json_err(5, e))?,
            None => BTreeMap::new(),
        },
        run_id: r.get(6)?,
        requested_at: r.get(7)?,
        updated_at: r.get(8)?,
        next_try_at: r.get(9)?,
    })
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl State {
    /// Records checked items as pending, under their ids, in one transaction.
    pub fn add_enrichments(&self, items: &[(String, Item)]) -> anyhow::Result<()> {
        let tx = self.db.unchecked_transaction()?;
        for (id, item) in items {
            tx.execute("INSERT INTO enrichments (id, item) VALUES (?, ?)", params![id, serde_json::to_string(item)?])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The run that will look these items up.
    pub fn queue_enrichments(&self, ids: &[String], run_id: &str) -> anyhow::Result<()> {
        let tx = self.db.unchecked_transaction()?;
        for id in ids {
            tx.execute("UPDATE enrichments SET run_id = ? WHERE id = ?", params![run_id, id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets items that never got a run (the queue was full): the app is told so.
    pub fn drop_enrichments(&self, ids: &[String]) -> anyhow::Result<()> {
        for id in ids {
            self.db.execute("DELETE FROM enrichments WHERE id = ? AND tries = 0", [id])?;
        }
        Ok(())
    }

    /// Items whose run never started (liner stopped first): failed without a try, and
    /// due at once, so the enrich schedule takes them.
    pub fn unqueue_enrichments(&self, ids: &[String], why: &str) -> anyhow::Result<()> {
        let at = now();
        for id in ids {
            self.db.execute(
                "UPDATE enrichments SET status = 'failed', last_error = ?, updated_at = ?, next_try_at = ? \
                 WHERE id = ? AND status = 'pending'",
                params![why, at, at, id],
            )?;
        }
        Ok(())
    }

    /// Starts a try of these items (or, with `None`, of up to `limit` items due again,
    /// longest waiting first, and of any a run left in progress): each is marked in
    /// progress under `run_id`, its tries counted. Returns them.
    pub fn begin_enrichments(
        &self,
        ids: Option<&[String]>,
        run_id: &str,
        limit: usize,
    ) -> anyhow::Result<Vec<Enrichment>> {
        let at = now();
        let chosen: Vec<String> = match ids {
            Some(ids) => ids.to_vec(),
            None => {
                let mut stmt = self.db.prepare(
                    "SELECT id FROM enrichments \
                     WHERE (status IN ('partial', 'failed') AND next_try_at <= ?1) \
                        OR (status = 'in_progress' AND run_id IS NOT ?2) \
                     ORDER BY coalesce(next_try_at, updated_at), id LIMIT ?3",
                )?;
                stmt.query_map(params![at, run_id, limit as i64], |r| r.get(0))?.collect::<Result<_, _>>()?
            }
        };
        let tx = self.db.unchecked_transaction()?;
        let mut out = Vec::new();
        for id in &chosen {
            tx.execute(
                "UPDATE enrichments SET status = 'in_progress', tries = tries + 1, run_id = ?, updated_at = ?, \
                 next_try_at = NULL WHERE id = ?",
                params![run_id, at, id],
            )?;
            let e = tx.query_row(&format!("SELECT {COLUMNS} FROM enrichments WHERE id = ?"), [id], row).optional()?;
            out.extend(e);
        }
        tx.commit()?;
        Ok(out)
    }

    /// Each provider's answer to an item on this try, as its lookup came out.
    pub fn record_enrichment_answers(&self, id: &str, answers: &BTreeMap<String, Answer>) -> anyhow::Result<()> {
        self.db.execute(
            "UPDATE enrichments SET answers = ?, updated_at = ? WHERE id = ?",
            params![serde_json::to_string(answers)?, now(), id],
        )?;
        Ok(())
    }

    /// Settles every item `run_id` was trying, once the run is over: its status from
    /// the providers' answers (failed, whatever they said, when the run failed), and
    /// when it is asked again if it is not completed.
    pub fn finish_enrichments(
        &self,
        run_id: &str,
        run_error: Option<&str>,
        policy: &EnrichConfig,
    ) -> anyhow::Result<Vec<Enrichment>> {
        let mut stmt = self
            .db
            .prepare(&format!("SELECT {COLUMNS} FROM enrichments WHERE run_id = ? AND status = 'in_progress'"))?;
        let going: Vec<Enrichment> = stmt.query_map([run_id], row)?.collect::<Result<_, _>>()?;
        let now_at = chrono::Utc::now();
        let tx = self.db.unchecked_transaction()?;
        let mut out = Vec::new();
        for mut e in going {
            let (status, error) = match (run_error, e.answers.is_empty()) {
                (Some(err), _) => (Status::Failed, Some(format!("the run failed: {err}"))),
                (None, true) => (Status::Failed, Some("the run ended before looking it up".to_string())),
                (None, false) => settle(&e.answers),
            };
            let next = (status != Status::Completed).then(|| next_try(e.tries, policy, now_at)).flatten();
            tx.execute(
                "UPDATE enrichments SET status = ?, last_error = ?, next_try_at = ?, updated_at = ? WHERE id = ?",
                params![status.as_str(), error, next, now_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), e.id],
            )?;
            (e.status, e.last_error, e.next_try_at) = (status, error, next);
            out.push(e);
        }
        tx.commit()?;
        Ok(out)
    }

    pub fn enrichment(&self, id: &str) -> anyhow::Result<Option<Enrichment>> {
        Ok(self.db.query_row(&format!("SELECT {COLUMNS} FROM enrichments WHERE id = ?"), [id], row).optional()?)
    }

    /// The newest requested items, of one status or all.
    pub fn enrichments(&self, status: Option<Status>, limit: usize) -> anyhow::Result<Vec<Enrichment>> {
        let mut stmt = self.db.prepare(&format!(
            "SELECT {COLUMNS} FROM enrichments WHERE ?1 IS NULL OR status = ?1 \
             ORDER BY requested_at DESC, id DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![status.map(Status::as_str), limit as i64], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
