//! `intermediate.fuzzy_links`: what exact identifiers leave unlinked, matched by
//! liner-link over every provider's items at once (releases, then recordings). Each
//! row keeps the match probability, each comparison's weight in bits and the evidence
//! in words, the runner-up, and the outcome: auto-linked or for review. Exact links
//! by barcode or ISRC that the evidence contradicts (titles and sizes apart) are
//! listed too, for review, with `exact_method` set; `canonical.links` leaves them out
//! until a person accepts them.
//!
//! `intermediate.link_candidates` keeps every pair the blocking compared, so that a
//! benchmark can tell how many true pairs were ever candidates (blocking recall).

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;

use duckdb::arrow::array::{Array, ArrayRef, AsArray, Int64Array, StringArray};
use duckdb::arrow::compute::cast;
use duckdb::arrow::datatypes::{DataType, Field, Int64Type, Schema};
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::{Connection, params};
use liner_link::{Decision, Entity, Item, Scored, Thresholds};

use super::components::Components;
use crate::model::Model;

pub fn model() -> Model {
    Model::rust(
        "intermediate.fuzzy_links",
        "transform/src/rust_models/fuzzy_links.rs",
        &[
            "intermediate.exact_links",
            "intermediate.item_identifiers",
            "intermediate.release_items",
            "intermediate.track_items",
        ],
        &["entity", "left_provider", "left_id", "right_provider", "right_id"],
        build,
    )
}

/// The identifier kinds whose links the evidence may doubt: barcodes and ISRCs are
/// reused (a digital release with the physical barcode, one ISRC on two edits);
/// MusicBrainz ids and page links are curated and trusted.
const DOUBTED_KINDS: &[&str] = &["gtin", "isrc"];

struct Side {
    provider: String,
    id: String,
}

/// The providers whose tracks are recordings themselves (one per cluster), not
/// listings of one on an album.
const RECORDING_CATALOGS: &[&str] = &["musicbrainz"];

/// The cluster of each release (exact groups joined by the auto-links), by
/// `(provider, item_id)`: the tracks' release comparison reads it.
type ReleaseClusters = HashMap<(String, String), u32>;

/// A column of a batch as text or as integers, whatever width DuckDB chose.
fn texts(batch: &RecordBatch, i: usize) -> anyhow::Result<StringArray> {
    Ok(cast(batch.column(i), &DataType::Utf8)?.as_string::<i32>().clone())
}

fn integers(batch: &RecordBatch, i: usize) -> anyhow::Result<Int64Array> {
    Ok(cast(batch.column(i), &DataType::Int64)?.as_primitive::<Int64Type>().clone())
}

fn text(a: &StringArray, row: usize) -> Option<&str> {
    (!a.is_null(row)).then(|| a.value(row))
}

fn integer(a: &Int64Array, row: usize) -> Option<i64> {
    (!a.is_null(row)).then(|| a.value(row))
}

/// The items of an entity, read as Arrow batches (a million rows read value by value
/// took seconds).
fn load(
    db: &Connection,
    entity: Entity,
    providers: &mut Vec<String>,
    releases: &ReleaseClusters,
) -> anyhow::Result<(Vec<Side>, Vec<Item>)> {
    let sql = match entity {
        Entity::Release => {
            "SELECT provider, item_id, title, artist, '', year, track_count, gtin, NULL::VARCHAR, disambiguation \
             FROM intermediate.release_items ORDER BY provider, item_id"
        }
        Entity::Track => {
            "WITH isrcs AS (SELECT provider, item_id, string_agg(value, ',' ORDER BY value) AS isrcs \
                 FROM intermediate.item_identifiers WHERE entity = 'track' AND kind = 'isrc' GROUP BY ALL) \
             SELECT t.provider, t.item_id, t.title, t.artist, r.title, r.year, t.duration_ms, \
                 x.isrcs, t.release_item_id, t.disambiguation \
             FROM intermediate.track_items t \
             LEFT JOIN intermediate.release_items r ON r.provider = t.provider AND r.item_id = t.release_item_id \
             LEFT JOIN isrcs x ON x.provider = t.provider AND x.item_id = t.item_id \
             ORDER BY t.provider, t.item_id"
        }
    };
    let mut stmt = db.prepare(sql)?;
    let (mut sides, mut items) = (Vec::new(), Vec::new());
    for batch in stmt.query_arrow([])? {
        let [provider, id, title, credit, context] = [0, 1, 2, 3, 4].map(|i| texts(&batch, i));
        let (provider, id, title, credit, context) = (provider?, id?, title?, credit?, context?);
        let (year, size) = (integers(&batch, 5)?, integers(&batch, 6)?);
        let (code, release, comment) = (texts(&batch, 7)?, texts(&batch, 8)?, texts(&batch, 9)?);
        for row in 0..batch.num_rows() {
            let name = text(&provider, row).unwrap_or_default();
            let index = match providers.iter().position(|p| p == name) {
                Some(i) => i,
                None => {
                    providers.push(name.to_string());
                    providers.len() - 1
                }
            };
            let release =
                text(&release, row).and_then(|r| releases.get(&(providers[index].clone(), r.to_string())).copied());
            let owned = |a: &StringArray| text(a, row).unwrap_or_default().to_string();
            items.push(Item {
                release,
                listing: entity == Entity::Track && !RECORDING_CATALOGS.contains(&name),
                provider: index as u16,
                title: owned(&title),
                credit: owned(&credit),
                context: owned(&context),
                comment: owned(&comment),
                year: integer(&year, row).and_then(|y| i32::try_from(y).ok()),
                size: integer(&size, row).and_then(|n| u32::try_from(n).ok()),
                code: text(&code, row).map(str::to_string),
            });
            sides.push(Side { provider: providers[index].clone(), id: owned(&id) });
        }
    }
    Ok((sides, items))
}

/// The exact links of an entity as index pairs (with their method), and each item's
/// exact group.
fn exact(db: &Connection, entity: &str, sides: &[Side]) -> anyhow::Result<(Vec<(u32, u32, String)>, Vec<u32>)> {
    let index: HashMap<(&str, &str), u32> =
        sides.iter().enumerate().map(|(i, s)| ((s.provider.as_str(), s.id.as_str()), i as u32)).collect();
    let mut components = Components::new(sides.len());
    let mut pairs = Vec::new();
    let mut stmt = db.prepare(
        "SELECT left_provider, left_id, right_provider, right_id, method FROM intermediate.exact_links WHERE entity = ?",
    )?;
    for batch in stmt.query_arrow([entity])? {
        let [lp, li, rp, ri, method] = [0, 1, 2, 3, 4].map(|i| texts(&batch, i));
        let (lp, li, rp, ri, method) = (lp?, li?, rp?, ri?, method?);
        for row in 0..batch.num_rows() {
            let side = |p: &StringArray, i: &StringArray| index.get(&(text(p, row)?, text(i, row)?)).copied();
            if let (Some(a), Some(b)) = (side(&lp, &li), side(&rp, &ri)) {
                components.union(a as usize, b as usize);
                pairs.push((a, b, text(&method, row).unwrap_or_default().to_string()));
            }
        }
    }
    let groups = (0..sides.len()).map(|i| components.find(i) as u32).collect();
    Ok((pairs, groups))
}

fn build(db: &Connection) -> anyhow::Result<()> {
    db.execute_batch(
        "CREATE TABLE intermediate.fuzzy_links (entity VARCHAR, left_provider VARCHAR, left_id VARCHAR, \
         right_provider VARCHAR, right_id VARCHAR, outcome VARCHAR, score DOUBLE, title_score DOUBLE, \
         variant_score DOUBLE, artist_score DOUBLE, size_score DOUBLE, year_score DOUBLE, code_score DOUBLE, \
         release_score DOUBLE, \
         evidence VARCHAR, runner_up_id VARCHAR, runner_up_score DOUBLE, reason VARCHAR, exact_method VARCHAR); \
         CREATE OR REPLACE TABLE intermediate.link_candidates (entity VARCHAR, left_provider VARCHAR, left_id VARCHAR, \
         right_provider VARCHAR, right_id VARCHAR);",
    )?;
    let mut appender = db.appender_to_db("fuzzy_links", "intermediate").context("writing intermediate.fuzzy_links")?;
    let mut candidates =
        db.appender_to_db("link_candidates", "intermediate").context("writing intermediate.link_candidates")?;
    let mut release_clusters = ReleaseClusters::new();
    for (entity, name) in [(Entity::Release, "release"), (Entity::Track, "track")] {
        let mut providers = Vec::new();
        let (sides, items) = load(db, entity, &mut providers, &release_clusters)?;
        anyhow::ensure!(providers.len() <= 64, "more than 64 providers of {name}s");
        let (exact_pairs, groups) = exact(db, name, &sides)?;
        let index_pairs: Vec<(u32, u32)> = exact_pairs.iter().map(|(a, b, _)| (*a, *b)).collect();
        tracing::debug!(entity = name, items = items.len(), "loaded");
        let linked = liner_link::link(entity, &items, &groups, &index_pairs, Thresholds::default())
            .with_context(|| format!("linking {name}s"))?;
        if let Some(m) = &linked.model {
            tracing::debug!(entity = name, candidates = linked.candidates.len(), "model:\n{}", m.describe());
        }
        for d in &linked.decisions {
            append(&mut appender, entity, name, &sides, d)?;
        }
        for ((a, b, method), scored) in exact_pairs.iter().zip(&linked.exact) {
            if DOUBTED_KINDS.contains(&method.as_str()) && liner_link::doubted(scored) {
                let (l, r) = (&sides[*a as usize], &sides[*b as usize]);
                let reason = format!("the same {method}, but titles and sizes disagree");
                append_row(&mut appender, entity, name, (l, r), "review", scored, None, Some(&reason), Some(method))?;
            }
        }
        write_candidates(&mut candidates, name, &sides, &linked.candidates)?;
        tracing::debug!(entity = name, candidates = linked.candidates.len(), "written");
        if entity == Entity::Release {
            let mut c = Components::new(sides.len());
            for (i, g) in groups.iter().enumerate() {
                c.union(i, *g as usize);
            }
            for d in linked.decisions.iter().filter(|d| d.outcome == liner_link::Outcome::Auto) {
                c.union(d.left as usize, d.right as usize);
            }
            for (i, s) in sides.into_iter().enumerate() {
                release_clusters.insert((s.provider, s.id), c.find(i) as u32);
            }
        }
    }
    appender.flush()?;
    candidates.flush()?;
    Ok(())
}

/// Every candidate pair, appended a batch of columns at a time (millions of pairs
/// appended row by row took longer than linking them).
fn write_candidates(
    appender: &mut duckdb::Appender<'_>,
    entity: &str,
    sides: &[Side],
    pairs: &[(u32, u32)],
) -> anyhow::Result<()> {
    let schema = Arc::new(Schema::new(
        ["entity", "left_provider", "left_id", "right_provider", "right_id"]
            .map(|n| Field::new(n, DataType::Utf8, false))
            .to_vec(),
    ));
    for chunk in pairs.chunks(65_536) {
        let side = |pick: fn(&(u32, u32)) -> u32, field: fn(&Side) -> &str| -> ArrayRef {
            Arc::new(StringArray::from_iter_values(chunk.iter().map(|p| field(&sides[pick(p) as usize]))))
        };
        let columns = vec![
            Arc::new(StringArray::from_iter_values(std::iter::repeat_n(entity, chunk.len()))) as ArrayRef,
            side(|p| p.0, |s| &s.provider),
            side(|p| p.0, |s| &s.id),
            side(|p| p.1, |s| &s.provider),
            side(|p| p.1, |s| &s.id),
        ];
        appender.append_record_batch(RecordBatch::try_new(schema.clone(), columns)?)?;
    }
    Ok(())
}

fn append(
    appender: &mut duckdb::Appender<'_>,
    entity: Entity,
    name: &str,
    sides: &[Side],
    d: &Decision,
) -> anyhow::Result<()> {
    let runner_up = d.runner_up.map(|(j, p)| (sides[j as usize].id.as_str(), p));
    append_row(
        appender,
        entity,
        name,
        (&sides[d.left as usize], &sides[d.right as usize]),
        d.outcome.as_str(),
        &d.scored,
        runner_up,
        d.reason.as_deref(),
        None,
    )
}

#[allow(clippy::too_many_arguments)]
fn append_row(
    appender: &mut duckdb::Appender<'_>,
    entity: Entity,
    name: &str,
    (l, r): (&Side, &Side),
    outcome: &str,
    s: &Scored,
    runner_up: Option<(&str, f64)>,
    reason: Option<&str>,
    exact_method: Option<&str>,
) -> anyhow::Result<()> {
    // A comparison a side could not show has no weight to keep.
    let w = |c: usize| s.levels[c].map(|_| s.weights[c]);
    appender.append_row(params![
        name,
        l.provider,
        l.id,
        r.provider,
        r.id,
        outcome,
        s.probability,
        w(0),
        w(2),
        w(1),
        w(3),
        w(4),
        w(5),
        w(6),
        s.evidence(entity),
        runner_up.map(|(id, _)| id),
        runner_up.map(|(_, p)| p),
        reason,
        exact_method
    ])?;
    Ok(())
}
