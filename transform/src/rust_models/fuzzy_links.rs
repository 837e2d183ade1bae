//! `intermediate.fuzzy_links`: what exact identifiers leave unlinked, matched by
//! liner-link over every provider's items at once (releases, then recordings). Each
//! row keeps the match probability, each comparison's weight in bits and the evidence
//! in words, the runner-up, and the outcome: auto-linked or for review. Exact links
//! by barcode or ISRC that the evidence contradicts (titles and sizes apart) are
//! listed too, for review, with `exact_method` set; `canonical.links` leaves them out
//! until a person accepts them.
//!
//! `intermediate.link_candidates` (a view over `link_candidate_pairs` and the item
//! numbers of `link_items`) keeps every pair the blocking compared, so that a benchmark
//! can tell how many true pairs were ever candidates (blocking recall).

use std::sync::Arc;

use anyhow::Context;

use duckdb::arrow::array::{Array, ArrayRef, Int64Array, StringArray, UInt32Array};
use duckdb::arrow::datatypes::{DataType, Field, Schema};
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::{Connection, params};
use liner_link::{Entity, Item, Scored, Thresholds};

use super::columns::{integer, integers, text, texts};
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

/// The providers whose tracks are recordings themselves (one per cluster), not
/// listings of one on an album.
const RECORDING_CATALOGS: &[&str] = &["musicbrainz"];

/// Numbers every item, by entity, in the order of `provider, item_id`: the linker and
/// DuckDB speak of items by these numbers, so millions of ids never pass through Rust
/// as strings (the exact links, the candidates and the decisions are joined back to
/// the ids in SQL). `intermediate.link_items` stays, for the candidates' view.
const NUMBER_ITEMS: &str = "CREATE OR REPLACE TABLE intermediate.link_items AS \
    SELECT entity, provider, item_id, \
        (row_number() OVER (PARTITION BY entity ORDER BY provider, item_id) - 1)::UINTEGER AS idx \
    FROM (SELECT 'release' AS entity, provider, item_id FROM intermediate.release_items \
          UNION ALL SELECT 'track', provider, item_id FROM intermediate.track_items)";

/// The items of an entity in the order of their numbers, as DuckDB's Arrow batches (a
/// million rows read value by value took seconds). `NUMBER_ITEMS` numbers them by
/// `provider, item_id`, a key each items model holds unique, so reading them in that
/// order reads them by number without joining the numbers. A track's release is given
/// by its number, for `items` to turn into the cluster of the release.
fn read(db: &Connection, entity: Entity) -> anyhow::Result<Vec<Columns>> {
    let sql = match entity {
        Entity::Release => {
            "SELECT provider, title, artist, '', year, track_count, gtin, NULL::BIGINT, disambiguation \
             FROM intermediate.release_items ORDER BY provider, item_id"
        }
        Entity::Track => {
            "WITH isrcs AS (SELECT provider, item_id, string_agg(value, ',' ORDER BY value) AS isrcs \
                 FROM intermediate.item_identifiers WHERE entity = 'track' AND kind = 'isrc' GROUP BY ALL) \
             SELECT t.provider, t.title, t.artist, r.title, r.year, t.duration_ms, x.isrcs, rn.idx, t.disambiguation \
             FROM intermediate.track_items t \
             LEFT JOIN intermediate.release_items r ON r.provider = t.provider AND r.item_id = t.release_item_id \
             LEFT JOIN intermediate.link_items rn \
                 ON rn.entity = 'release' AND rn.provider = t.provider AND rn.item_id = t.release_item_id \
             LEFT JOIN isrcs x ON x.provider = t.provider AND x.item_id = t.item_id \
             ORDER BY t.provider, t.item_id"
        }
    };
    let mut stmt = db.prepare(sql)?;
    let batches = stmt.query_arrow([])?;
    batches.map(|b| Columns::of(&b)).collect()
}

/// One batch of items, column by column.
struct Columns {
    provider: StringArray,
    title: StringArray,
    credit: StringArray,
    context: StringArray,
    comment: StringArray,
    code: StringArray,
    year: Int64Array,
    size: Int64Array,
    release: Int64Array,
}

impl Columns {
    fn of(batch: &RecordBatch) -> anyhow::Result<Columns> {
        Ok(Columns {
            provider: texts(batch, 0)?,
            title: texts(batch, 1)?,
            credit: texts(batch, 2)?,
            context: texts(batch, 3)?,
            year: integers(batch, 4)?,
            size: integers(batch, 5)?,
            code: texts(batch, 6)?,
            release: integers(batch, 7)?,
            comment: texts(batch, 8)?,
        })
    }
}

/// The items, borrowing their text from the batches they were read in (the linker
/// reads each text once, in parallel, so nothing is copied before).
fn items<'a>(batches: &'a [Columns], entity: Entity, release_clusters: &[u32]) -> anyhow::Result<Vec<Item<'a>>> {
    let mut providers: Vec<&str> = Vec::new();
    let mut items = Vec::with_capacity(batches.iter().map(|c| c.title.len()).sum());
    for c in batches {
        for row in 0..c.title.len() {
            let name = text(&c.provider, row).unwrap_or_default();
            let index = match providers.iter().position(|p| *p == name) {
                Some(i) => i,
                None => {
                    providers.push(name);
                    providers.len() - 1
                }
            };
            let or_empty = |a: &'a StringArray| text(a, row).unwrap_or_default();
            items.push(Item {
                release: integer(&c.release, row).and_then(|r| release_clusters.get(r as usize).copied()),
                listing: entity == Entity::Track && !RECORDING_CATALOGS.contains(&name),
                provider: index as u16,
                title: or_empty(&c.title),
                credit: or_empty(&c.credit),
                context: or_empty(&c.context),
                comment: or_empty(&c.comment),
                year: integer(&c.year, row).and_then(|y| i32::try_from(y).ok()),
                size: integer(&c.size, row).and_then(|n| u32::try_from(n).ok()),
                code: text(&c.code, row),
            });
        }
    }
    anyhow::ensure!(providers.len() <= 64, "more than 64 providers of {}s", entity.noun());
    Ok(items)
}

/// An exact link, by item numbers.
struct ExactPair {
    left: u32,
    right: u32,
    /// The method when the evidence may doubt it (a barcode, an ISRC); empty otherwise.
    method: String,
}

/// The exact links of an entity by item numbers, and each item's exact group.
fn exact(db: &Connection, entity: &str, n: usize) -> anyhow::Result<(Vec<ExactPair>, Vec<u32>)> {
    let mut components = Components::new(n);
    let mut pairs = Vec::new();
    let mut stmt = db.prepare(
        "SELECT a.idx, b.idx, e.method FROM intermediate.exact_links e \
         JOIN intermediate.link_items a ON a.entity = e.entity AND a.provider = e.left_provider AND a.item_id = e.left_id \
         JOIN intermediate.link_items b \
             ON b.entity = e.entity AND b.provider = e.right_provider AND b.item_id = e.right_id \
         WHERE e.entity = ?",
    )?;
    for batch in stmt.query_arrow([entity])? {
        let (a, b, method) = (integers(&batch, 0)?, integers(&batch, 1)?, texts(&batch, 2)?);
        for row in 0..batch.num_rows() {
            let (left, right) = (a.value(row) as u32, b.value(row) as u32);
            components.union(left as usize, right as usize);
            let method = text(&method, row).unwrap_or_default();
            // Only the doubted kinds need their name again; the rest are many.
            let method = if DOUBTED_KINDS.contains(&method) { method.to_string() } else { String::new() };
            pairs.push(ExactPair { left, right, method });
        }
    }
    let groups = (0..n).map(|i| components.find(i) as u32).collect();
    Ok((pairs, groups))
}

/// What the linker decided, by item numbers, before the ids are joined back.
const DECISIONS: &str = "CREATE TEMP TABLE fuzzy_decisions (seq UBIGINT, entity VARCHAR, left_idx UINTEGER, \
    right_idx UINTEGER, outcome VARCHAR, score DOUBLE, title_score DOUBLE, variant_score DOUBLE, artist_score DOUBLE, \
    size_score DOUBLE, year_score DOUBLE, code_score DOUBLE, release_score DOUBLE, evidence VARCHAR, \
    runner_up_idx UINTEGER, runner_up_score DOUBLE, reason VARCHAR, exact_method VARCHAR); \
    CREATE OR REPLACE TABLE intermediate.link_candidate_pairs (entity VARCHAR, left_idx UINTEGER, right_idx UINTEGER);";

/// The decisions with their ids, and every candidate pair as ids (a view: millions of
/// pairs kept as numbers).
const WITH_IDS: &str = "CREATE TABLE intermediate.fuzzy_links AS \
    SELECT d.entity, l.provider AS left_provider, l.item_id AS left_id, r.provider AS right_provider, \
        r.item_id AS right_id, d.outcome, d.score, d.title_score, d.variant_score, d.artist_score, d.size_score, \
        d.year_score, d.code_score, d.release_score, d.evidence, u.item_id AS runner_up_id, d.runner_up_score, \
        d.reason, d.exact_method \
    FROM fuzzy_decisions d \
    JOIN intermediate.link_items l ON l.entity = d.entity AND l.idx = d.left_idx \
    JOIN intermediate.link_items r ON r.entity = d.entity AND r.idx = d.right_idx \
    LEFT JOIN intermediate.link_items u ON u.entity = d.entity AND u.idx = d.runner_up_idx \
    ORDER BY d.seq; \
    DROP TABLE fuzzy_decisions; \
    CREATE OR REPLACE VIEW intermediate.link_candidates AS \
    SELECT c.entity, l.provider AS left_provider, l.item_id AS left_id, r.provider AS right_provider, \
        r.item_id AS right_id \
    FROM intermediate.link_candidate_pairs c \
    JOIN intermediate.link_items l ON l.entity = c.entity AND l.idx = c.left_idx \
    JOIN intermediate.link_items r ON r.entity = c.entity AND r.idx = c.right_idx;";

fn build(db: &Connection) -> anyhow::Result<()> {
    tracing::debug!("started");
    db.execute_batch(NUMBER_ITEMS).context("numbering the items")?;
    tracing::debug!("numbered");
    // Warehouses built before kept the candidates as a table.
    let kind: Option<String> = db
        .query_row(
            "SELECT table_type FROM information_schema.tables \
             WHERE table_schema = 'intermediate' AND table_name = 'link_candidates'",
            [],
            |r| r.get(0),
        )
        .ok();
    if let Some(kind) = kind {
        let what = if kind == "VIEW" { "VIEW" } else { "TABLE" };
        db.execute_batch(&format!("DROP {what} intermediate.link_candidates"))?;
    }
    db.execute_batch(DECISIONS)?;
    let mut appender = db.appender("fuzzy_decisions").context("writing intermediate.fuzzy_links")?;
    let mut candidates =
        db.appender_to_db("link_candidate_pairs", "intermediate").context("writing intermediate.link_candidates")?;
    let mut release_clusters: Vec<u32> = Vec::new();
    let mut seq = 0u64;
    for (entity, name) in [(Entity::Release, "release"), (Entity::Track, "track")] {
        let numbered: i64 =
            db.query_row("SELECT count(*) FROM intermediate.link_items WHERE entity = ?", [name], |r| r.get(0))?;
        let batches = if numbered == 0 { Vec::new() } else { read(db, entity)? };
        let items = items(&batches, entity, &release_clusters)?;
        anyhow::ensure!(items.len() as i64 == numbered, "{numbered} {name}s numbered but {} read", items.len());
        tracing::debug!(entity = name, items = items.len(), "read");
        let (exact_pairs, groups) = exact(db, name, items.len())?;
        let index_pairs: Vec<(u32, u32)> = exact_pairs.iter().map(|e| (e.left, e.right)).collect();
        tracing::debug!(entity = name, items = items.len(), "loaded");
        let linked = liner_link::link(entity, &items, &groups, &index_pairs, Thresholds::default())
            .with_context(|| format!("linking {name}s"))?;
        if let Some(m) = &linked.model {
            tracing::debug!(entity = name, candidates = linked.candidates.len(), "model:\n{}", m.describe());
        }
        for d in &linked.decisions {
            let row = Row { pair: (d.left, d.right), outcome: d.outcome.as_str(), scored: &d.scored };
            append(&mut appender, &mut seq, entity, row, d.runner_up, d.reason.as_deref(), None)?;
        }
        for (e, scored) in exact_pairs.iter().zip(&linked.exact) {
            if !e.method.is_empty() && liner_link::doubted(scored) {
                let reason = format!("the same {}, but titles and sizes disagree", e.method);
                let row = Row { pair: (e.left, e.right), outcome: "review", scored };
                append(&mut appender, &mut seq, entity, row, None, Some(&reason), Some(&e.method))?;
            }
        }
        write_candidates(&mut candidates, name, &linked.candidates)?;
        tracing::debug!(entity = name, candidates = linked.candidates.len(), "written");
        if entity == Entity::Release {
            let mut c = Components::new(items.len());
            for (i, g) in groups.iter().enumerate() {
                c.union(i, *g as usize);
            }
            for d in linked.decisions.iter().filter(|d| d.outcome == liner_link::Outcome::Auto) {
                c.union(d.left as usize, d.right as usize);
            }
            release_clusters = (0..items.len()).map(|i| c.find(i) as u32).collect();
        }
    }
    appender.flush()?;
    candidates.flush()?;
    drop((appender, candidates));
    db.execute_batch(WITH_IDS).context("joining the ids to the decisions")?;
    tracing::debug!("ids joined");
    Ok(())
}

/// Every candidate pair, appended a batch of columns at a time (millions of pairs
/// appended row by row took longer than linking them).
fn write_candidates(appender: &mut duckdb::Appender<'_>, entity: &str, pairs: &[(u32, u32)]) -> anyhow::Result<()> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("entity", DataType::Utf8, false),
        Field::new("left_idx", DataType::UInt32, false),
        Field::new("right_idx", DataType::UInt32, false),
    ]));
    for chunk in pairs.chunks(65_536) {
        let columns = vec![
            Arc::new(StringArray::from_iter_values(std::iter::repeat_n(entity, chunk.len()))) as ArrayRef,
            Arc::new(UInt32Array::from_iter_values(chunk.iter().map(|p| p.0))),
            Arc::new(UInt32Array::from_iter_values(chunk.iter().map(|p| p.1))),
        ];
        appender.append_record_batch(RecordBatch::try_new(schema.clone(), columns)?)?;
    }
    Ok(())
}

/// One pair to write: its item numbers, the outcome and the scores.
struct Row<'a> {
    pair: (u32, u32),
    outcome: &'a str,
    scored: &'a Scored,
}

fn append(
    appender: &mut duckdb::Appender<'_>,
    seq: &mut u64,
    entity: Entity,
    row: Row<'_>,
    runner_up: Option<(u32, f64)>,
    reason: Option<&str>,
    exact_method: Option<&str>,
) -> anyhow::Result<()> {
    let s = row.scored;
    // A comparison a side could not show has no weight to keep.
    let w = |c: usize| s.levels[c].map(|_| s.weights[c]);
    *seq += 1;
    appender.append_row(params![
        *seq,
        if entity == Entity::Release { "release" } else { "track" },
        row.pair.0,
        row.pair.1,
        row.outcome,
        s.probability,
        w(0),
        w(2),
        w(1),
        w(3),
        w(4),
        w(5),
        w(6),
        s.evidence(entity),
        runner_up.map(|(j, _)| j),
        runner_up.map(|(_, p)| p),
        reason,
        exact_method
    ])?;
    Ok(())
}
