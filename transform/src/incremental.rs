//! Incremental builds: which models a build after the first brings up to date, and
//! how, from what changed since the last one (`crate::changes`).
//!
//! Every name a model reads is in one of four states. *Unchanged*. *New rows*: a raw
//! view with lake files landed since, or a view over such names, whose new rows alone
//! can be read (the lake is append-only). *Changed at* a column: a model whose rows
//! changed only for some values of that column, which the build knows (the keys an
//! incremental model merged again). *Changed*: anything else that changed, which its
//! readers must read whole. A model reading only unchanged names is kept as it is; a
//! view is never rebuilt for new data (it reads what is there); a model incremental by
//! key (`Kind::IncrementalByKey`) whose changed names all have new rows alone adds
//! their rows and merges again the keys they name; a model incremental by partition
//! whose changed names all changed at its partition column makes again the rows of
//! those values alone; an incremental Rust model finds what changed itself and updates
//! the rows of that alone; any other model reading a changed name is rebuilt whole. A model
//! whose fingerprint differs from the last build's is rebuilt whole, and all its
//! readers with it.
//!
//! The contract: an incremental build ends with the warehouse one full build of the
//! same lake and inputs would make, table for table.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context;
use duckdb::Connection;

use crate::model::{Kind, Model, replace_references, same_key};

/// What a build does with one model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing it reads has changed.
    Keep,
    /// Adds the rows of the answers landed since, and merges their keys again.
    Update,
    /// Makes again the rows of the partitions whose rows changed upstream.
    UpdatePartitions,
    /// A Rust model updates the rows of what changed, which it finds itself.
    UpdateItself,
    /// Built anew from everything it reads, and why.
    Rebuild(String),
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::Keep => f.write_str("keep"),
            Action::Update => f.write_str("update by key, from the new answers"),
            Action::UpdatePartitions => f.write_str("update the partitions whose rows changed upstream"),
            Action::UpdateItself => f.write_str("update the rows of the items that changed, and of those they meet"),
            Action::Rebuild(why) => write!(f, "rebuild: {why}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Unchanged,
    NewRows,
    /// Changed only where this column has the values the build knows.
    ChangedAt(String),
    Changed,
}

/// Each model's action, in build order. `changed` are the sources and inputs that
/// changed whole; `new_rows` the raw and answers views with lake files landed since;
/// `recorded` the last build's fingerprints; `forced` the models selected to be
/// rebuilt whatever changed (a rebuild of unchanged inputs makes the same rows, so
/// their readers are not touched for it).
pub fn plan(
    models: &[Model],
    order: &[usize],
    new_rows: &BTreeSet<String>,
    changed: &BTreeSet<String>,
    recorded: &BTreeMap<String, String>,
    forced: &BTreeSet<usize>,
) -> Vec<(usize, Action)> {
    let mut state: BTreeMap<&str, State> = BTreeMap::new();
    for n in new_rows {
        state.insert(n, State::NewRows);
    }
    for n in changed {
        state.insert(n, State::Changed);
    }
    let mut out = Vec::with_capacity(order.len());
    for &i in order {
        let m = &models[i];
        let reads: Vec<(&String, State)> = m
            .refs
            .iter()
            .map(|r| (r, state.get(r.as_str()).cloned().unwrap_or(State::Unchanged)))
            .filter(|(_, s)| *s != State::Unchanged)
            .collect();
        let all = |s: &State| reads.iter().all(|(_, r)| r == s);
        let (action, now) = if recorded.get(&m.name) != Some(&m.fingerprint()) {
            let why = if recorded.contains_key(&m.name) { "its definition changed" } else { "a new model" };
            (Action::Rebuild(why.into()), State::Changed)
        } else if forced.contains(&i) {
            (Action::Rebuild("selected".into()), if reads.is_empty() { State::Unchanged } else { State::Changed })
        } else if let Some((r, first)) = reads.first() {
            let at = |columns: &[String]| match columns {
                [c] => State::ChangedAt(c.clone()),
                _ => State::Changed,
            };
            match (m.kind(), m.partition.as_ref()) {
                (Kind::View, _) if all(&State::NewRows) => (Action::Keep, State::NewRows),
                (Kind::View, _) => (Action::Keep, State::Changed),
                (Kind::IncrementalByKey, _) if all(&State::NewRows) => (Action::Update, at(&m.key)),
                (Kind::IncrementalByPartition, Some(p)) if all(&State::ChangedAt(p.clone())) => {
                    (Action::UpdatePartitions, State::ChangedAt(p.clone()))
                }
                (Kind::Incremental, _) => (Action::UpdateItself, State::Changed),
                (Kind::IncrementalByKey | Kind::IncrementalByPartition, _) => {
                    (Action::Rebuild(format!("{r} changed, not only where it can follow")), State::Changed)
                }
                (Kind::Full, _) if *first == State::NewRows => {
                    (Action::Rebuild(format!("{r} has new rows")), State::Changed)
                }
                (Kind::Full, _) => (Action::Rebuild(format!("{r} changed")), State::Changed),
            }
        } else {
            (Action::Keep, State::Unchanged)
        };
        if now != State::Unchanged {
            state.insert(&m.name, now);
        }
        out.push((i, action));
    }
    out
}

/// The schema an incremental build keeps its views of the new rows in, dropped before
/// the build ends.
pub const INCOMING: &str = "incoming";

/// `raw.deezer_albums` -> `incoming.raw_deezer_albums`.
fn incoming(name: &str) -> String {
    format!("{INCOMING}.{}", name.replace('.', "_"))
}

/// What an incremental build knows of what changed, and how it updates a model from
/// it. New rows are read from views of them alone: each source or view with new rows
/// (a source's files landed since; a view's SQL over its own reads' new rows), each
/// unchanged one as an empty view of it, each table as itself. The values a model
/// changed at are kept in `incoming.changed_<schema>__<table>`.
pub struct Delta<'a> {
    db: &'a Connection,
    models: &'a [Model],
    /// Raw and answers views with new lake files, and the files.
    files: &'a BTreeMap<String, Vec<String>>,
    made: BTreeSet<String>,
    /// The models this build changed at known values, kept in `changed_at`.
    changed: BTreeSet<String>,
}

impl<'a> Delta<'a> {
    pub fn new(
        db: &'a Connection,
        models: &'a [Model],
        files: &'a BTreeMap<String, Vec<String>>,
    ) -> anyhow::Result<Delta<'a>> {
        db.execute_batch(&format!("CREATE SCHEMA IF NOT EXISTS {INCOMING}"))?;
        Ok(Delta { db, models, files, made: BTreeSet::new(), changed: BTreeSet::new() })
    }

    /// `sql` reading only the new rows of what it reads.
    fn rewrite(&mut self, refs: &[String], sql: &str) -> anyhow::Result<String> {
        let mut to = BTreeMap::new();
        for r in refs {
            let model = self.models.iter().find(|m| &m.name == r);
            if model.is_some_and(|m| m.kind() != Kind::View) {
                continue;
            }
            self.make(r, model)?;
            to.insert(r.clone(), incoming(r));
        }
        Ok(replace_references(sql, &to))
    }

    fn make(&mut self, name: &str, model: Option<&'a Model>) -> anyhow::Result<()> {
        if self.made.contains(name) {
            return Ok(());
        }
        let select = match (model, self.files.get(name)) {
            (Some(view), _) => self.rewrite(&view.refs, &view.sql)?,
            (None, Some(files)) => {
                let list: Vec<String> = files.iter().map(|f| format!("'{}'", f.replace('\'', "''"))).collect();
                format!("SELECT * FROM {name} WHERE raw_file IN ({})", list.join(", "))
            }
            (None, None) => format!("SELECT * FROM {name} WHERE false"),
        };
        self.db
            .execute_batch(&format!("CREATE OR REPLACE VIEW {} AS {select}", incoming(name)))
            .with_context(|| format!("making the view of {name}'s new rows"))?;
        self.made.insert(name.to_string());
        Ok(())
    }

    /// Brings a model incremental by key up to date: the new answers' rows join its
    /// kept rows, and the keys they name are merged again from all of theirs. Returns
    /// the SQL of the model's rows it changed, for their assertions to be checked (the
    /// others held them when written).
    pub fn update(&mut self, m: &Model) -> anyhow::Result<String> {
        let (Some(merge), Some(rows)) = (&m.merge, &m.answer_rows) else {
            anyhow::bail!("{} is not incremental by key", m.name);
        };
        let rows = self.rewrite(&m.refs, rows)?;
        let (answers, merged, changed) = (m.answers_table(), m.merged_table(), changed_at(m));
        self.db
            .execute_batch(&format!(
                "CREATE OR REPLACE TEMP TABLE incoming_rows AS {rows}\n;
                 INSERT INTO {answers} BY NAME SELECT * FROM incoming_rows;
                 CREATE OR REPLACE TABLE {changed} AS SELECT DISTINCT {keys} FROM incoming_rows;
                 DELETE FROM {merged} AS t USING {changed} k WHERE {same_key};
                 INSERT INTO {merged} BY NAME {};
                 DROP TABLE incoming_rows;",
                merge.merged_of(&m.key, &answers, Some(&changed))?,
                keys = m.key.join(", "),
                same_key = same_key(&m.key, "t", "k"),
            ))
            .with_context(|| format!("{}: updating {} from the new answers", m.path.display(), m.name))?;
        self.changed.insert(m.name.clone());
        Ok(format!("SELECT t.* FROM {} t SEMI JOIN {changed} k ON ({})", m.name, same_key(&m.key, "t", "k")))
    }
}

/// The most partition values given to a model's SQL as constants; more are joined.
const MAX_CONSTANTS: usize = 500;

/// Where a build keeps the values of its partition column (or key) a model changed at.
fn changed_at(m: &Model) -> String {
    format!("{INCOMING}.changed_{}", m.name.replace('.', "__"))
}

impl Delta<'_> {
    /// Makes again a model's rows of the partitions whose rows changed upstream: its
    /// SQL reads, of each model that changed, only the rows of those values (given as
    /// constants, which DuckDB takes down to the scans).
    pub fn update_partitions(&mut self, m: &Model) -> anyhow::Result<String> {
        let Some(p) = &m.partition else { anyhow::bail!("{} has no partition column", m.name) };
        let upstream: Vec<&Model> = self
            .models
            .iter()
            .filter(|u| m.refs.contains(&u.name))
            .filter(|u| self.changed.contains(&u.name))
            .collect();
        let union: Vec<String> = upstream.iter().map(|u| format!("SELECT {p} FROM {}", changed_at(u))).collect();
        let failed = || format!("{}: updating {}'s partitions", m.path.display(), m.name);
        self.db
            .execute_batch(&format!(
                "CREATE OR REPLACE TABLE {} AS SELECT DISTINCT * FROM ({})",
                changed_at(m),
                union.join(" UNION ALL ")
            ))
            .with_context(failed)?;
        let values: Vec<(String, String)> = {
            let mut stmt =
                self.db.prepare(&format!("SELECT typeof({p}), {p}::VARCHAR FROM {} ORDER BY 2", changed_at(m)))?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
        };
        // A few values are given as constants, which DuckDB takes down to the scans; many
        // (a night's refresh: ten thousand at the million) as a join, which it does not,
        // but which costs a scan where ten thousand constants cost seconds.
        let list: Vec<String> = values.iter().map(|(ty, v)| format!("'{}'::{ty}", v.replace('\'', "''"))).collect();
        let filter = match list.len() {
            0 => "false".to_string(),
            n if n <= MAX_CONSTANTS => format!("{p} IN ({})", list.join(", ")),
            _ => format!("{p} IN (SELECT {p} FROM {})", changed_at(m)),
        };
        let to: BTreeMap<String, String> =
            upstream.iter().map(|u| (u.name.clone(), format!("(SELECT * FROM {} WHERE {filter})", u.name))).collect();
        let rows = replace_references(&m.sql, &to);
        self.db
            .execute_batch(&format!(
                "DELETE FROM {name} WHERE {filter};\nINSERT INTO {name} BY NAME\n{rows}\n;",
                name = m.name
            ))
            .with_context(failed)?;
        self.changed.insert(m.name.clone());
        Ok(format!("SELECT * FROM {} WHERE {filter}", m.name))
    }
}
