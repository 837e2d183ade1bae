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
//! whose changed names all changed at values of its partition column makes again the
//! rows of those values alone; an incremental Rust model finds what changed itself and
//! updates the rows of that alone, and may say at which values of a column it did
//! (the clusters it made again), covering what changed in the items it read
//! (`model::Changes`); any other model reading a changed name is rebuilt whole. A model
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
    /// Changed only where `column` has the values the build knows, which are values of
    /// `values` (`model::Partition`).
    ChangedAt {
        column: String,
        values: String,
    },
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
            let at = || match m.changes_column() {
                Some((column, values)) => State::ChangedAt { column, values },
                None => State::Changed,
            };
            match (m.kind(), m.partition.as_ref()) {
                (Kind::View, _) if all(&State::NewRows) => (Action::Keep, State::NewRows),
                (Kind::View, _) => (Action::Keep, State::Changed),
                (Kind::IncrementalByKey, _) if all(&State::NewRows) => (Action::Update, at()),
                (Kind::IncrementalByPartition, Some(p)) if follows(p, &reads, models) => {
                    (Action::UpdatePartitions, at())
                }
                (Kind::Incremental, _) => (Action::UpdateItself, at()),
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

/// Whether a model incremental by partition `p` can follow what it reads: each read
/// that changed changed only at values of `p.values`, and at least one did; or is
/// covered by one of those (`model::Changes`: its changes are among that read's
/// values, and the model reads it only through that read's items).
fn follows(p: &crate::model::Partition, reads: &[(&String, State)], models: &[Model]) -> bool {
    let drivers: Vec<&String> = reads
        .iter()
        .filter(|(_, s)| matches!(s, State::ChangedAt { values, .. } if *values == p.values))
        .map(|(r, _)| *r)
        .collect();
    let covered = |read: &String| {
        drivers.iter().any(|d| {
            models.iter().any(|m| &m.name == *d && m.changes.as_ref().is_some_and(|c| c.covers.contains(read)))
        })
    };
    !drivers.is_empty() && reads.iter().all(|(r, _)| drivers.contains(r) || covered(r))
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
    changed_at_table(&m.name)
}

/// Where an incremental Rust model that says what it changed (`Model::changes_at`)
/// writes the values of its column whose rows it made again.
pub fn changed_at_table(model: &str) -> String {
    format!("{INCOMING}.changed_{}", model.replace('.', "__"))
}

impl Delta<'_> {
    /// Notes that an incremental Rust model wrote the values it changed at
    /// (`changed_at_table`), for its readers.
    pub fn updated_itself(&mut self, m: &Model) {
        if m.changes.is_some() {
            self.changed.insert(m.name.clone());
        }
    }

    /// Makes again a model's rows of the partitions whose rows changed upstream: its
    /// SQL reads, of each model that changed, only the rows of those values (given as
    /// constants, which DuckDB takes down to the scans), and of each model their
    /// changes cover, only the rows of those values' items.
    pub fn update_partitions(&mut self, m: &Model) -> anyhow::Result<String> {
        let Some(p) = &m.partition else { anyhow::bail!("{} has no partition column", m.name) };
        let upstream: Vec<(&Model, String)> = self
            .models
            .iter()
            .filter(|u| m.refs.contains(&u.name) && self.changed.contains(&u.name))
            .filter_map(|u| u.changes_column().filter(|(_, values)| *values == p.values).map(|(c, _)| (u, c)))
            .collect();
        let union: Vec<String> =
            upstream.iter().map(|(u, c)| format!("SELECT {c} AS {} FROM {}", p.column, changed_at(u))).collect();
        let failed = || format!("{}: updating {}'s partitions", m.path.display(), m.name);
        anyhow::ensure!(!union.is_empty(), "{}: nothing upstream says where it changed", failed());
        self.db
            .execute_batch(&format!(
                "CREATE OR REPLACE TABLE {} AS SELECT DISTINCT * FROM ({})",
                changed_at(m),
                union.join(" UNION ALL ")
            ))
            .with_context(failed)?;
        let filter = |column: &str| self.filter(&changed_at(m), &p.column, column);
        let mut to: BTreeMap<String, String> = BTreeMap::new();
        for (u, c) in &upstream {
            to.insert(u.name.clone(), format!("(SELECT * FROM {} WHERE {})", u.name, filter(c)?));
            // What its changes cover is read for the items of the changed values alone.
            let covered: Vec<&String> =
                u.changes.iter().flat_map(|ch| &ch.covers).filter(|r| m.refs.contains(r)).collect();
            if covered.is_empty() {
                continue;
            }
            let items = format!("{INCOMING}.items_of_{}", m.name.replace('.', "__"));
            self.db
                .execute_batch(&format!(
                    "CREATE OR REPLACE TABLE {items} AS SELECT DISTINCT item_id FROM {} WHERE {}",
                    u.name,
                    filter(c)?
                ))
                .with_context(failed)?;
            let of_items = self.filter(&items, "item_id", "item_id")?;
            for r in covered {
                to.insert(r.clone(), format!("(SELECT * FROM {r} WHERE {of_items})"));
            }
        }
        let own = filter(&p.column)?;
        let rows = replace_references(&m.sql, &to);
        self.db
            .execute_batch(&format!(
                "DELETE FROM {name} WHERE {own};\nINSERT INTO {name} BY NAME\n{rows}\n;",
                name = m.name
            ))
            .with_context(failed)?;
        self.changed.insert(m.name.clone());
        Ok(format!("SELECT * FROM {} WHERE {own}", m.name))
    }

    /// `column IN (...)`, the values of `values_column` in `table`: a few given as
    /// constants, which DuckDB takes down to the scans; many (a night's refresh: ten
    /// thousand at the million) as a join, which it does not, but which costs a scan
    /// where ten thousand constants cost seconds.
    fn filter(&self, table: &str, values_column: &str, column: &str) -> anyhow::Result<String> {
        let values: Vec<(String, String)> = {
            let mut stmt = self.db.prepare(&format!(
                "SELECT typeof({values_column}), {values_column}::VARCHAR FROM {table} ORDER BY 2 LIMIT {}",
                MAX_CONSTANTS + 1
            ))?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
        };
        let list: Vec<String> = values.iter().map(|(ty, v)| format!("'{}'::{ty}", v.replace('\'', "''"))).collect();
        Ok(match list.len() {
            0 => "false".to_string(),
            n if n <= MAX_CONSTANTS => format!("{column} IN ({})", list.join(", ")),
            _ => format!("{column} IN (SELECT {values_column} FROM {table})"),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn stub(_: &Connection, _: crate::model::Run) -> anyhow::Result<()> {
        Ok(())
    }

    #[test]
    fn a_model_incremental_by_anothers_values_follows_it_and_what_it_covers_and_nothing_else() {
        let parse =
            |name: &str, text: &str| Model::parse(Path::new(&format!("sql/canonical/{name}.sql")), text).unwrap();
        let by_cluster = "-- kind: incremental by canonical_id = canonical.clusters.cluster_id\n";
        let models = vec![
            Model::rust("canonical.clusters", "clusters.rs", &["intermediate.items", "intermediate.other"], &[], stub)
                .incremental(&[])
                .changes_at("cluster_id", &["intermediate.items"]),
            parse(
                "fields",
                &format!(
                    "{by_cluster}select c.cluster_id as canonical_id from canonical.clusters c join intermediate.items i using (item_id)"
                ),
            ),
            parse(
                "names",
                &format!(
                    "{by_cluster}select c.cluster_id as canonical_id from canonical.clusters c join intermediate.other o using (item_id)"
                ),
            ),
            parse(
                "wide",
                "-- kind: incremental by id = canonical.clusters.cluster_id\nselect canonical_id as id from canonical.fields",
            ),
            parse("by_key", "-- kind: incremental by canonical_id\nselect canonical_id from canonical.fields"),
        ];
        let recorded = models.iter().map(|m| (m.name.clone(), m.fingerprint())).collect();
        let changed: BTreeSet<String> = ["intermediate.items".to_string(), "intermediate.other".to_string()].into();
        let order: Vec<usize> = (0..models.len()).collect();
        let actions: Vec<Action> = plan(&models, &order, &BTreeSet::new(), &changed, &recorded, &BTreeSet::new())
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        assert_eq!(actions[0], Action::UpdateItself);
        assert_eq!(actions[1], Action::UpdatePartitions, "the items' changes are among the clusters'");
        assert!(matches!(actions[2], Action::Rebuild(_)), "the other model's are not: {:?}", actions[2]);
        assert_eq!(actions[3], Action::UpdatePartitions, "fields changed at the clusters' values, under its own name");
        assert!(matches!(actions[4], Action::Rebuild(_)), "a column's name alone is not whose values it holds");
    }
}
