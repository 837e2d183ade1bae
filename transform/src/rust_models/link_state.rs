//! What the fuzzy linker keeps between builds, so that a build after a full one links
//! only what changed, as the full build would have:
//!
//! - `intermediate.link_model` and `intermediate.link_terms`: the model (m, u and
//!   weights by comparison and level, the prior) and the term frequencies it was
//!   trained with, for a reader to inspect and for later builds to weigh pairs by;
//! - in `meta`, the linker's memory, by item number (`idx`, given once to an item and
//!   kept, so it differs between builds of one lake; its own tables only):
//!   `link_items` (each item's number and the digest of what the linker reads of it),
//!   `link_groups` (its exact-link group and, for releases, its cluster), `link_keys`
//!   (its blocking keys), `link_pairs` (every candidate pair, weighed) and `link_exact`
//!   (the exact links, by number).

use std::sync::Arc;

use anyhow::Context;
use duckdb::Connection;
use duckdb::arrow::array::{ArrayRef, BooleanArray, Float64Array, StringArray, UInt32Array, UInt64Array};
use duckdb::arrow::datatypes::{DataType, Field, Schema};
use duckdb::arrow::record_batch::RecordBatch;
use liner_link::{COMPARISONS, Entity, Model, Terms, Trained, Veto, Weighed, level_names};

use super::columns::{integers, text, texts};

pub const MODEL: &str = "intermediate.link_model";
pub const TERMS: &str = "intermediate.link_terms";

pub fn entity_name(entity: Entity) -> &'static str {
    match entity {
        Entity::Release => "release",
        Entity::Track => "track",
    }
}

/// Creates the linker's tables, empty (a full build), and the candidates' view.
pub fn create(db: &Connection, keep_model: bool) -> anyhow::Result<()> {
    if !keep_model {
        db.execute_batch(&format!(
            "CREATE OR REPLACE TABLE {MODEL} (entity VARCHAR, comparison VARCHAR, level UTINYINT, level_name VARCHAR, \
                 m DOUBLE, u DOUBLE, weight DOUBLE); \
             CREATE OR REPLACE TABLE {TERMS} (entity VARCHAR, kind VARCHAR, term VARCHAR, share DOUBLE);"
        ))?;
    }
    db.execute_batch(
        "CREATE OR REPLACE TABLE meta.link_items (entity VARCHAR, provider VARCHAR, item_id VARCHAR, idx UINTEGER, \
             digest UBIGINT); \
         CREATE OR REPLACE TABLE meta.link_groups (entity VARCHAR, idx UINTEGER, grp UINTEGER, cluster UINTEGER); \
         CREATE OR REPLACE TABLE meta.link_keys (entity VARCHAR, key UBIGINT, idx UINTEGER); \
         CREATE OR REPLACE TABLE meta.link_pairs (entity VARCHAR, left_idx UINTEGER, right_idx UINTEGER, \
             bits DOUBLE, linkable BOOLEAN); \
         CREATE OR REPLACE TABLE meta.link_exact (entity VARCHAR, left_idx UINTEGER, right_idx UINTEGER, \
             method VARCHAR); \
         CREATE OR REPLACE VIEW intermediate.link_candidates AS \
         SELECT c.entity, l.provider AS left_provider, l.item_id AS left_id, r.provider AS right_provider, \
             r.item_id AS right_id \
         FROM meta.link_pairs c \
         JOIN meta.link_items l ON l.entity = c.entity AND l.idx = c.left_idx \
         JOIN meta.link_items r ON r.entity = c.entity AND r.idx = c.right_idx;",
    )?;
    Ok(())
}

/// The model and terms an entity was trained with, written for the builds after.
pub fn keep(db: &Connection, entity: Entity, trained: &Trained) -> anyhow::Result<()> {
    let name = entity_name(entity);
    db.execute(&format!("DELETE FROM {MODEL} WHERE entity = ?"), [name])?;
    db.execute(&format!("DELETE FROM {TERMS} WHERE entity = ?"), [name])?;
    let mut model = db.appender_to_db("link_model", "intermediate")?;
    let m = &trained.model;
    model.append_row(duckdb::params![
        name,
        "prior",
        None::<u8>,
        None::<String>,
        None::<f64>,
        None::<f64>,
        m.prior_bits
    ])?;
    for (c, comparison) in COMPARISONS.iter().enumerate() {
        for (l, level) in level_names(entity, c).iter().enumerate() {
            model.append_row(duckdb::params![
                name,
                comparison,
                l as u8,
                level,
                m.m[c][l],
                m.u[c][l],
                m.weights[c][l]
            ])?;
        }
    }
    model.flush()?;
    let mut terms = db.appender_to_db("link_terms", "intermediate")?;
    terms.append_row(duckdb::params![name, "unseen", "", trained.terms.unseen])?;
    let schema = Arc::new(Schema::new(vec![
        Field::new("entity", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("term", DataType::Utf8, false),
        Field::new("share", DataType::Float64, false),
    ]));
    let rows: Vec<(&str, &str, f64)> = trained.terms.rows().collect();
    for chunk in rows.chunks(65_536) {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(std::iter::repeat_n(name, chunk.len()))),
            Arc::new(StringArray::from_iter_values(chunk.iter().map(|r| r.0))),
            Arc::new(StringArray::from_iter_values(chunk.iter().map(|r| r.1))),
            Arc::new(Float64Array::from_iter_values(chunk.iter().map(|r| r.2))),
        ];
        terms.append_record_batch(RecordBatch::try_new(schema.clone(), columns)?)?;
    }
    terms.flush()?;
    Ok(())
}

/// A row of the kept model: comparison, level, m, u, weight.
type ModelRow = (String, Option<u8>, Option<f64>, Option<f64>, f64);

/// The model and terms the last training kept for an entity, if any.
pub fn kept(db: &Connection, entity: Entity) -> anyhow::Result<Option<Trained>> {
    let name = entity_name(entity);
    let failed = || format!("reading the kept link model of {name}s ({MODEL}, {TERMS})");
    let mut stmt = db
        .prepare(&format!(
            "SELECT comparison, level, m, u, weight FROM {MODEL} WHERE entity = ? ORDER BY comparison, level"
        ))
        .with_context(failed)?;
    let rows: Vec<ModelRow> = stmt
        .query_map([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<Result<_, _>>()
        .with_context(failed)?;
    let Some(prior) = rows.iter().find(|r| r.0 == "prior").map(|r| r.4) else { return Ok(None) };
    let blank = || std::array::from_fn(|c| vec![f64::NAN; level_names(entity, c).len()]);
    let mut model = Model { entity, m: blank(), u: blank(), weights: blank(), prior_bits: prior };
    for (comparison, level, m, u, weight) in rows.iter().filter(|r| r.0 != "prior") {
        let c = COMPARISONS.iter().position(|x| x == comparison).with_context(|| {
            format!("{MODEL}: a comparison liner does not make, {comparison:?}: build with --full alone")
        })?;
        let l = level
            .map(usize::from)
            .filter(|l| *l < model.m[c].len())
            .with_context(|| format!("{MODEL}: {comparison} has no level {level:?}: build with --full alone"))?;
        model.m[c][l] = m.unwrap_or(f64::NAN);
        model.u[c][l] = u.unwrap_or(f64::NAN);
        model.weights[c][l] = *weight;
    }
    anyhow::ensure!(
        model.weights.iter().flatten().all(|w| !w.is_nan()),
        "{MODEL} lacks a level of the {name} model: build with --full alone"
    );
    let unseen: f64 = db
        .query_row(&format!("SELECT share FROM {TERMS} WHERE entity = ? AND kind = 'unseen'"), [name], |r| r.get(0))
        .with_context(failed)?;
    let mut stmt =
        db.prepare(&format!("SELECT kind, term, share FROM {TERMS} WHERE entity = ? AND kind <> 'unseen'"))?;
    let mut rows: Vec<(String, String, f64)> = Vec::new();
    for batch in stmt.query_arrow([name])? {
        let (kind, term) = (texts(&batch, 0)?, texts(&batch, 1)?);
        let share = duckdb::arrow::compute::cast(batch.column(2), &DataType::Float64)?;
        let share = share.as_any().downcast_ref::<Float64Array>().context("a share that is not a number")?;
        for row in 0..batch.num_rows() {
            let t = |a: &StringArray| text(a, row).unwrap_or_default().to_string();
            rows.push((t(&kind), t(&term), share.value(row)));
        }
    }
    let terms = Terms::from_rows(rows.iter().map(|(k, t, s)| (k.as_str(), t.as_str(), *s)), unseen)?;
    Ok(Some(Trained { model, terms }))
}

/// Appends `n` rows to `meta.<table>`, the entity's name before the columns `columns`
/// gives for each range of rows, a batch at a time (millions of rows appended row by
/// row took longer than linking them).
fn append(
    db: &Connection,
    table: &str,
    entity: Entity,
    fields: Vec<Field>,
    n: usize,
    columns: impl Fn(std::ops::Range<usize>) -> Vec<ArrayRef>,
) -> anyhow::Result<()> {
    let mut appender = db.appender_to_db(table, "meta")?;
    let schema = Arc::new(Schema::new([vec![Field::new("entity", DataType::Utf8, false)], fields].concat()));
    for start in (0..n).step_by(65_536) {
        let rows = start..n.min(start + 65_536);
        let entity: ArrayRef =
            Arc::new(StringArray::from_iter_values(std::iter::repeat_n(entity_name(entity), rows.len())));
        let all = [vec![entity], columns(rows)].concat();
        appender.append_record_batch(RecordBatch::try_new(schema.clone(), all)?)?;
    }
    appender.flush()?;
    Ok(())
}

/// Appends the weighed pairs (by item numbers) to `meta.link_pairs`.
pub fn write_pairs(db: &Connection, entity: Entity, pairs: &[Weighed], numbers: &[u32]) -> anyhow::Result<()> {
    let fields = vec![
        Field::new("left_idx", DataType::UInt32, false),
        Field::new("right_idx", DataType::UInt32, false),
        Field::new("bits", DataType::Float64, false),
        Field::new("linkable", DataType::Boolean, false),
    ];
    append(db, "link_pairs", entity, fields, pairs.len(), |rows| {
        let chunk = &pairs[rows];
        vec![
            Arc::new(UInt32Array::from_iter_values(chunk.iter().map(|p| numbers[p.left as usize]))),
            Arc::new(UInt32Array::from_iter_values(chunk.iter().map(|p| numbers[p.right as usize]))),
            Arc::new(Float64Array::from_iter_values(chunk.iter().map(|p| p.bits))),
            Arc::new(BooleanArray::from_iter(chunk.iter().map(|p| Some(p.veto != Veto::Never)))),
        ]
    })
}

/// Appends blocking keys (key, item number) to `meta.link_keys`.
pub fn write_keys(db: &Connection, entity: Entity, keys: &[(u64, u32)]) -> anyhow::Result<()> {
    let fields = vec![Field::new("key", DataType::UInt64, false), Field::new("idx", DataType::UInt32, false)];
    append(db, "link_keys", entity, fields, keys.len(), |rows| {
        let chunk = &keys[rows];
        vec![
            Arc::new(UInt64Array::from_iter_values(chunk.iter().map(|k| k.0))),
            Arc::new(UInt32Array::from_iter_values(chunk.iter().map(|k| k.1))),
        ]
    })
}

/// Appends (item number, exact group, cluster) rows to `meta.link_groups`.
pub fn write_groups(db: &Connection, entity: Entity, rows: &[(u32, u32, Option<u32>)]) -> anyhow::Result<()> {
    let fields = vec![
        Field::new("idx", DataType::UInt32, false),
        Field::new("grp", DataType::UInt32, false),
        Field::new("cluster", DataType::UInt32, true),
    ];
    append(db, "link_groups", entity, fields, rows.len(), |range| {
        let chunk = &rows[range];
        vec![
            Arc::new(UInt32Array::from_iter_values(chunk.iter().map(|r| r.0))),
            Arc::new(UInt32Array::from_iter_values(chunk.iter().map(|r| r.1))),
            Arc::new(UInt32Array::from_iter(chunk.iter().map(|r| r.2))),
        ]
    })
}

/// Reads (a, b) integer pairs from a query.
pub fn read_pairs(db: &Connection, sql: &str, params: impl duckdb::Params) -> anyhow::Result<Vec<(u32, u32)>> {
    let mut stmt = db.prepare(sql)?;
    let mut out = Vec::new();
    for batch in stmt.query_arrow(params)? {
        let (a, b) = (integers(&batch, 0)?, integers(&batch, 1)?);
        out.extend(a.values().iter().zip(b.values()).map(|(a, b)| (*a as u32, *b as u32)));
    }
    Ok(out)
}
