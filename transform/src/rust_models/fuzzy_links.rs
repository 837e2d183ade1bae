//! `intermediate.fuzzy_links`: what exact identifiers leave unlinked, matched by
//! liner-link over every provider's items at once (releases, then recordings). Each
//! row keeps the match probability, each comparison's weight in bits and the evidence
//! in words, the runner-up, and the outcome: auto-linked or for review. Exact links
//! by barcode or ISRC that the evidence contradicts (titles and sizes apart) are
//! listed too, for review, with `exact_method` set; `canonical.links` leaves them out
//! until a person accepts them.
//!
//! `intermediate.link_candidates` (a view over the linker's memory, `link_state`) keeps
//! every pair the blocking compared, so that a benchmark can tell how many true pairs
//! were ever candidates (blocking recall).
//!
//! A full build trains the model (m, u, term frequencies) on every item and keeps it
//! (`intermediate.link_model`, `intermediate.link_terms`), unless `--keep-model` asks
//! for the kept one; a build after it links only the items that changed and those they
//! may link to, with the kept model (`super::relink`).

use anyhow::Context;

use duckdb::arrow::array::{Array, Int64Array, StringArray};
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::{Connection, params};
use liner_link::{Entity, Item, Scored, Thresholds, Trained};

use super::columns::{integer, integers, text, texts};
use super::components::Components;
use super::link_state::{self, entity_name};
use crate::model::{Model, Run};

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
    .incremental(&[link_state::MODEL, link_state::TERMS])
}

/// The identifier kinds whose links the evidence may doubt: barcodes and ISRCs are
/// reused (a digital release with the physical barcode, one ISRC on two edits);
/// MusicBrainz ids and page links are curated and trusted.
const DOUBTED_KINDS: &[&str] = &["gtin", "isrc"];

/// The providers whose tracks are recordings themselves (one per cluster), not
/// listings of one on an album.
const RECORDING_CATALOGS: &[&str] = &["musicbrainz"];

/// Each item of an entity with the digest of what the linker reads of it (its title,
/// credit, comment, year, size, code and, for a track, its release's title, year and
/// id): an item whose digest changed is linked again.
pub(super) fn items_now(entity: Entity) -> &'static str {
    match entity {
        Entity::Release => {
            "SELECT provider, item_id, hash(title, artist, year, track_count, gtin, disambiguation) AS digest \
             FROM intermediate.release_items"
        }
        Entity::Track => {
            "WITH isrcs AS (SELECT provider, item_id, string_agg(value, ',' ORDER BY value) AS isrcs \
                 FROM intermediate.item_identifiers WHERE entity = 'track' AND kind = 'isrc' GROUP BY ALL) \
             SELECT t.provider, t.item_id, \
                 hash(t.title, t.artist, r.title, r.year, t.duration_ms, x.isrcs, t.disambiguation, t.release_item_id) \
                     AS digest \
             FROM intermediate.track_items t \
             LEFT JOIN intermediate.release_items r ON r.provider = t.provider AND r.item_id = t.release_item_id \
             LEFT JOIN isrcs x ON x.provider = t.provider AND x.item_id = t.item_id"
        }
    }
}

/// Which items to read: all of an entity's, or those numbered in a temporary table
/// `relink_part (idx)`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Which {
    All,
    Part,
}

/// The items of an entity in the order of `provider, item_id`, with their numbers, as
/// DuckDB's Arrow batches (a million rows read value by value took seconds). A track's
/// release is given by the release's cluster.
pub(super) fn read(db: &Connection, entity: Entity, which: Which) -> anyhow::Result<Vec<Columns>> {
    let part = match which {
        Which::All => "",
        Which::Part => "SEMI JOIN relink_part p ON p.idx = n.idx",
    };
    let sql = match entity {
        Entity::Release => format!(
            "SELECT i.provider, i.title, i.artist, '', i.year, i.track_count, i.gtin, NULL::BIGINT, i.disambiguation, n.idx \
             FROM intermediate.release_items i \
             JOIN meta.link_items n ON n.entity = 'release' AND n.provider = i.provider AND n.item_id = i.item_id {part} \
             ORDER BY i.provider, i.item_id"
        ),
        Entity::Track => format!(
            "WITH isrcs AS (SELECT provider, item_id, string_agg(value, ',' ORDER BY value) AS isrcs \
                 FROM intermediate.item_identifiers WHERE entity = 'track' AND kind = 'isrc' GROUP BY ALL) \
             SELECT t.provider, t.title, t.artist, r.title, r.year, t.duration_ms, x.isrcs, rg.cluster, t.disambiguation, \
                 n.idx \
             FROM intermediate.track_items t \
             JOIN meta.link_items n ON n.entity = 'track' AND n.provider = t.provider AND n.item_id = t.item_id {part} \
             LEFT JOIN intermediate.release_items r ON r.provider = t.provider AND r.item_id = t.release_item_id \
             LEFT JOIN meta.link_items rn \
                 ON rn.entity = 'release' AND rn.provider = t.provider AND rn.item_id = t.release_item_id \
             LEFT JOIN meta.link_groups rg ON rg.entity = 'release' AND rg.idx = rn.idx \
             LEFT JOIN isrcs x ON x.provider = t.provider AND x.item_id = t.item_id \
             ORDER BY t.provider, t.item_id"
        ),
    };
    let mut stmt = db.prepare(&sql)?;
    let batches = stmt.query_arrow([])?;
    batches.map(|b| Columns::of(&b)).collect()
}

/// One batch of items, column by column.
pub(super) struct Columns {
    provider: StringArray,
    title: StringArray,
    credit: StringArray,
    context: StringArray,
    comment: StringArray,
    code: StringArray,
    year: Int64Array,
    size: Int64Array,
    release: Int64Array,
    idx: Int64Array,
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
            idx: integers(batch, 9)?,
        })
    }
}

/// Each item's number, in the order read.
pub(super) fn numbers(batches: &[Columns]) -> Vec<u32> {
    batches.iter().flat_map(|c| c.idx.values().iter().map(|i| *i as u32)).collect()
}

/// The items, borrowing their text from the batches they were read in (the linker
/// reads each text once, in parallel, so nothing is copied before).
pub(super) fn items(batches: &[Columns], entity: Entity) -> anyhow::Result<Vec<Item<'_>>> {
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
            let or_empty = |a| text(a, row).unwrap_or_default();
            items.push(Item {
                release: integer(&c.release, row).and_then(|r| u32::try_from(r).ok()),
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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct ExactPair {
    pub left: u32,
    pub right: u32,
    /// The method when the evidence may doubt it (a barcode, an ISRC); empty otherwise.
    pub method: String,
}

/// The exact links of an entity by item numbers (kept in the temporary table
/// `exact_now`), and each item's exact group (named by one of its numbers) among `n`
/// numbers; links of the items numbered in the temporary table `skip` (being removed)
/// are left out.
pub(super) fn exact(
    db: &Connection,
    entity: Entity,
    n: usize,
    skip: Option<&str>,
) -> anyhow::Result<(Vec<ExactPair>, Vec<u32>)> {
    let doubted: Vec<String> = DOUBTED_KINDS.iter().map(|k| format!("'{k}'")).collect();
    let skip = skip
        .map(|t| format!("AND a.idx NOT IN (SELECT idx FROM {t}) AND b.idx NOT IN (SELECT idx FROM {t})"))
        .unwrap_or_default();
    // Only the doubted kinds need their name again; the rest are many.
    db.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE exact_now AS \
         SELECT a.idx AS left_idx, b.idx AS right_idx, \
             CASE WHEN e.method IN ({doubted}) THEN e.method ELSE '' END AS method \
         FROM intermediate.exact_links e \
         JOIN meta.link_items a ON a.entity = e.entity AND a.provider = e.left_provider AND a.item_id = e.left_id \
         JOIN meta.link_items b ON b.entity = e.entity AND b.provider = e.right_provider AND b.item_id = e.right_id \
         WHERE e.entity = '{name}' {skip}",
        doubted = doubted.join(", "),
        name = entity_name(entity),
    ))?;
    let pairs = read_exact(db, "SELECT left_idx, right_idx, method FROM exact_now")?;
    let mut components = Components::new(n);
    for e in &pairs {
        components.union(e.left as usize, e.right as usize);
    }
    let groups = (0..n).map(|i| components.find(i) as u32).collect();
    Ok((pairs, groups))
}

/// Exact links as a query gives them: (left number, right number, method).
pub(super) fn read_exact(db: &Connection, sql: &str) -> anyhow::Result<Vec<ExactPair>> {
    let mut stmt = db.prepare(sql)?;
    let mut pairs = Vec::new();
    for batch in stmt.query_arrow([])? {
        let (a, b, method) = (integers(&batch, 0)?, integers(&batch, 1)?, texts(&batch, 2)?);
        for row in 0..batch.num_rows() {
            let method = text(&method, row).unwrap_or_default().to_string();
            pairs.push(ExactPair { left: a.value(row) as u32, right: b.value(row) as u32, method });
        }
    }
    Ok(pairs)
}

/// What the linker decided, by item numbers, before the ids are joined back.
pub(super) const DECISIONS: &str = "CREATE OR REPLACE TEMP TABLE fuzzy_decisions (seq UBIGINT, entity VARCHAR, \
    left_idx UINTEGER, right_idx UINTEGER, outcome VARCHAR, score DOUBLE, title_score DOUBLE, variant_score DOUBLE, \
    artist_score DOUBLE, size_score DOUBLE, year_score DOUBLE, code_score DOUBLE, release_score DOUBLE, \
    evidence VARCHAR, runner_up_idx UINTEGER, runner_up_score DOUBLE, reason VARCHAR, exact_method VARCHAR)";

/// The decisions with their ids.
pub(super) const WITH_IDS: &str = "SELECT d.entity, l.provider AS left_provider, l.item_id AS left_id, \
        r.provider AS right_provider, r.item_id AS right_id, d.outcome, d.score, d.title_score, d.variant_score, \
        d.artist_score, d.size_score, d.year_score, d.code_score, d.release_score, d.evidence, \
        u.item_id AS runner_up_id, d.runner_up_score, d.reason, d.exact_method \
    FROM fuzzy_decisions d \
    JOIN meta.link_items l ON l.entity = d.entity AND l.idx = d.left_idx \
    JOIN meta.link_items r ON r.entity = d.entity AND r.idx = d.right_idx \
    LEFT JOIN meta.link_items u ON u.entity = d.entity AND u.idx = d.runner_up_idx \
    ORDER BY d.seq";

fn build(db: &Connection, run: Run) -> anyhow::Result<()> {
    match run {
        Run::Full { keep_model } => full(db, keep_model),
        Run::Update => super::relink::update(db),
    }
}

fn full(db: &Connection, keep_model: bool) -> anyhow::Result<()> {
    tracing::debug!("started");
    link_state::create(db, keep_model)?;
    db.execute_batch(DECISIONS)?;
    let mut decisions = Decisions::new(db)?;
    for entity in [Entity::Release, Entity::Track] {
        let kept = if keep_model { link_state::kept(db, entity)? } else { None };
        link_whole(db, entity, kept.as_ref(), &mut decisions)?;
    }
    drop(decisions);
    db.execute_batch(&format!("CREATE TABLE intermediate.fuzzy_links AS {WITH_IDS}; DROP TABLE fuzzy_decisions;"))
        .context("joining the ids to the decisions")?;
    tracing::debug!("ids joined");
    Ok(())
}

/// The linker's decisions as they are made, appended to `fuzzy_decisions`.
pub(super) struct Decisions<'a> {
    appender: duckdb::Appender<'a>,
    seq: u64,
}

impl<'a> Decisions<'a> {
    pub(super) fn new(db: &'a Connection) -> anyhow::Result<Decisions<'a>> {
        Ok(Decisions { appender: db.appender("fuzzy_decisions").context("writing intermediate.fuzzy_links")?, seq: 0 })
    }

    /// The linked pairs' decisions and the doubted exact links, `numbers` giving each
    /// record's item number.
    pub(super) fn add(
        &mut self,
        entity: Entity,
        linked: &liner_link::Linked,
        exact: &[ExactPair],
        numbers: &[u32],
    ) -> anyhow::Result<()> {
        let n = |i: u32| numbers[i as usize];
        for d in &linked.decisions {
            let row = Row { pair: (n(d.left), n(d.right)), outcome: d.outcome.as_str(), scored: &d.scored };
            let runner_up = d.runner_up.map(|(j, p)| (n(j), p));
            append(&mut self.appender, &mut self.seq, entity, row, runner_up, d.reason.as_deref(), None)?;
        }
        for (e, scored) in exact.iter().zip(&linked.exact) {
            if !e.method.is_empty() && liner_link::doubted(scored) {
                let reason = format!("the same {}, but titles and sizes disagree", e.method);
                let row = Row { pair: (n(e.left), n(e.right)), outcome: "review", scored };
                append(&mut self.appender, &mut self.seq, entity, row, None, Some(&reason), Some(&e.method))?;
            }
        }
        self.appender.flush()?;
        Ok(())
    }
}

/// Links every item of an entity, numbering them anew, with the kept model or one
/// trained on them (then kept), and writes the linker's memory of them.
pub(super) fn link_whole(
    db: &Connection,
    entity: Entity,
    kept: Option<&Trained>,
    decisions: &mut Decisions<'_>,
) -> anyhow::Result<()> {
    let name = entity_name(entity);
    db.execute(
        &format!(
            "INSERT INTO meta.link_items SELECT ?, provider, item_id, \
                 (row_number() OVER (ORDER BY provider, item_id) - 1)::UINTEGER, digest FROM ({})",
            items_now(entity)
        ),
        [name],
    )
    .with_context(|| format!("numbering the {name}s"))?;
    let batches = read(db, entity, Which::All)?;
    let items = items(&batches, entity)?;
    let numbers = numbers(&batches);
    anyhow::ensure!(
        numbers.iter().enumerate().all(|(i, n)| *n as usize == i),
        "the {name}s were not read in the order they were numbered"
    );
    tracing::debug!(entity = name, items = items.len(), "read");
    let (exact_pairs, groups) = exact(db, entity, items.len(), None)?;
    let index_pairs: Vec<(u32, u32)> = exact_pairs.iter().map(|e| (e.left, e.right)).collect();
    let linked = liner_link::link(entity, &items, &groups, &index_pairs, Thresholds::default(), kept)
        .with_context(|| format!("linking {name}s"))?;
    if let Some(t) = &linked.trained {
        tracing::debug!(entity = name, candidates = linked.pairs.len(), "model:\n{}", t.model.describe());
        if kept.is_none() {
            link_state::keep(db, entity, t)?;
        }
    }
    decisions.add(entity, &linked, &exact_pairs, &numbers)?;
    link_state::write_pairs(db, entity, &linked.pairs, &numbers)?;
    link_state::write_keys(db, entity, &linked.keys)?;
    db.execute("INSERT INTO meta.link_exact SELECT ?, * FROM exact_now", [name])?;
    let clusters = clusters(entity, &groups, &linked, |i| i);
    let rows: Vec<(u32, u32, Option<u32>)> =
        groups.iter().enumerate().map(|(i, g)| (i as u32, *g, clusters.as_ref().map(|c| c[i]))).collect();
    link_state::write_groups(db, entity, &rows)?;
    tracing::debug!(entity = name, candidates = linked.pairs.len(), "written");
    Ok(())
}

/// For releases, each record's cluster: its exact group joined by the auto links, named
/// by the item number (`number`) of one of its records. Tracks are compared by the
/// clusters of their releases.
pub(super) fn clusters(
    entity: Entity,
    groups: &[u32],
    linked: &liner_link::Linked,
    number: impl Fn(u32) -> u32,
) -> Option<Vec<u32>> {
    if entity != Entity::Release {
        return None;
    }
    let mut c = Components::new(groups.len());
    for (i, g) in groups.iter().enumerate() {
        c.union(i, *g as usize);
    }
    for d in linked.decisions.iter().filter(|d| d.outcome == liner_link::Outcome::Auto) {
        c.union(d.left as usize, d.right as usize);
    }
    Some((0..groups.len()).map(|i| number(c.find(i) as u32)).collect())
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
