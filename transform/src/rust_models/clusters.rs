//! `canonical.clusters`: which provider items are one release (or one recording). Items
//! joined by any link, directly or through others, form one cluster (union-find over
//! `canonical.links`); an item without links is a cluster of its own. A cluster is
//! named by its strongest identifier: for releases a GTIN, then a MusicBrainz release
//! id, then a provider id; for recordings an ISRC, then a MusicBrainz recording id,
//! then a provider id. The smallest of each kind wins, so the name is stable.
//!
//! An incremental build decides again only the clusters that changed. Beside the
//! clusters the warehouse keeps the links they were made from (`meta.cluster_links`)
//! and a digest of each item's rows in every model the canonical models read of it
//! (`meta.item_digests`; `COVERS`). Items whose digest changed, came or went, or that
//! a link came to or left, are *dirty*; their old clusters are taken apart and their
//! items joined again by the links among them. That ends where a full build ends: a
//! link from one of those items to any other is either unchanged (so both were in one
//! old cluster, taken apart whole) or changed (so both are dirty); and a cluster none
//! of whose items is dirty keeps its links, members and identifiers, so its name. The
//! clusters taken apart and made are said by name (`Model::changes_at`), and so are
//! those whose items' rows changed: the canonical models make again the rows of those
//! alone.

use std::sync::Arc;

use anyhow::Context;
use duckdb::Connection;
use duckdb::arrow::array::{ArrayRef, UInt64Array};
use duckdb::arrow::datatypes::{DataType, Field, Schema};
use duckdb::arrow::record_batch::RecordBatch;

use super::columns::integers;
use super::components::Components;
use crate::incremental::changed_at_table;
use crate::model::{Model, Run};

/// What the canonical models read of a cluster's members, keyed by item (`provider,
/// item_id`): a change in an item's rows there changes its cluster's rows. The
/// gathered staging models are digested; the intermediate ones are made of those, each
/// item's rows from that item's rows alone (a test holds them to it), so their changes
/// are among the staging ones'. Digesting them too cost three times as much (4.2 s
/// against 1.5 s at the million).
const DIGESTED: &[&str] = &["staging.release_items", "staging.track_items", "staging.facts", "staging.identifiers"];
const DERIVED: &[&str] = &[
    "intermediate.release_items",
    "intermediate.track_items",
    "intermediate.item_facts",
    "intermediate.item_identifiers",
];

pub fn model() -> Model {
    let covers: Vec<&str> = DIGESTED.iter().chain(DERIVED).copied().collect();
    let mut reads = vec!["canonical.links"];
    reads.extend(&covers);
    Model::rust(
        "canonical.clusters",
        "transform/src/rust_models/clusters.rs",
        &reads,
        &["entity", "provider", "item_id"],
        build,
    )
    .incremental(&[])
    .changes_at("cluster_id", &covers)
}

fn build(db: &Connection, run: Run) -> anyhow::Result<()> {
    let kept = db
        .query_row(
            "SELECT count(*) = 2 FROM information_schema.tables WHERE table_schema = 'meta' \
             AND table_name IN ('item_digests', 'cluster_links')",
            [],
            |r| r.get::<_, bool>(0),
        )
        .context("looking for what the last build kept of the clusters")?;
    now(db)?;
    match run {
        Run::Update if kept => update(db),
        Run::Update => whole(db, true),
        Run::Full { .. } => whole(db, false),
    }
}

/// What the clusters are made from now: the digest of each item's rows, and the links.
fn now(db: &Connection) -> anyhow::Result<()> {
    // Each model's rows, hashed whole: any change in what a reader may read of an item
    // changes its digest. Summed, so two equal rows do not cancel.
    let mut rows = Vec::new();
    for name in DIGESTED {
        let (schema, table) = name.split_once('.').unwrap_or(("main", name));
        let exists: bool = db.query_row(
            "SELECT count(*) > 0 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, table],
            |r| r.get(0),
        )?;
        if exists {
            rows.push(format!("SELECT provider, item_id, hash(r) AS h FROM {name} r"));
        }
    }
    if rows.is_empty() {
        rows.push("SELECT NULL::VARCHAR AS provider, NULL::VARCHAR AS item_id, NULL::UBIGINT AS h".into());
    }
    db.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE digests_now AS \
         SELECT provider, item_id, sum(h) AS digest FROM ({}) WHERE item_id IS NOT NULL GROUP BY ALL; \
         CREATE OR REPLACE TEMP TABLE links_now AS \
         SELECT DISTINCT entity, left_provider, left_id, right_provider, right_id FROM canonical.links;",
        rows.join(" UNION ALL ")
    ))
    .context("reading the items and links the clusters are made from")
}

/// Every item of a cluster: each release and track item, and every item a link names
/// (a recording seen only through an ISRC lookup joins too).
const MEMBERS: &str = "SELECT 'release' AS entity, provider, item_id FROM intermediate.release_items \
     UNION ALL SELECT 'track', provider, item_id FROM intermediate.track_items \
     UNION ALL SELECT entity, left_provider, left_id FROM links_now \
     UNION ALL SELECT entity, right_provider, right_id FROM links_now";

/// Every item clustered anew; when `updating`, every cluster said to have changed.
fn whole(db: &Connection, updating: bool) -> anyhow::Result<()> {
    let old = updating
        && db
        .query_row(
            "SELECT count(*) > 0 FROM information_schema.tables WHERE table_schema = 'canonical' AND table_name = 'clusters'",
            [],
            |r| r.get::<_, bool>(0),
        )
        .context("looking for the clusters")?;
    if old {
        db.execute_batch(
            "CREATE OR REPLACE TEMP TABLE old_clusters AS SELECT DISTINCT entity, cluster_id FROM canonical.clusters",
        )?;
    }
    db.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE redone AS \
         SELECT entity, provider, item_id, (row_number() OVER () - 1)::UBIGINT AS idx FROM (SELECT DISTINCT * FROM ({MEMBERS}))"
    ))?;
    let made = cluster(db)?;
    db.execute_batch(&format!(
        "CREATE OR REPLACE TABLE canonical.clusters AS SELECT * FROM {made} ORDER BY entity, provider, item_id; \
         CREATE OR REPLACE TABLE meta.item_digests AS SELECT * FROM digests_now; \
         CREATE OR REPLACE TABLE meta.cluster_links AS SELECT * FROM links_now;"
    ))
    .context("writing the clusters")?;
    if !updating {
        return drop_temp(db);
    }
    // An update that found no record of the last build's clusters: every cluster changed.
    let changed = changed_at_table("canonical.clusters");
    db.execute_batch(&format!(
        "CREATE SCHEMA IF NOT EXISTS {schema}; \
         CREATE OR REPLACE TABLE {changed} AS SELECT cluster_id FROM canonical.clusters UNION {old_ids};",
        schema = changed.split('.').next().unwrap_or("incoming"),
        old_ids = if old { "SELECT cluster_id FROM old_clusters" } else { "SELECT NULL::VARCHAR WHERE false" },
    ))?;
    drop_temp(db)
}

/// Only the clusters of what changed, taken apart and made again. An item comes or
/// goes with its digest or its last link, so the digests and links compared find every
/// item that came, went or changed.
fn update(db: &Connection) -> anyhow::Result<()> {
    db.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE links_added AS SELECT * FROM links_now EXCEPT SELECT * FROM meta.cluster_links; \
         CREATE OR REPLACE TEMP TABLE links_removed AS SELECT * FROM meta.cluster_links EXCEPT SELECT * FROM links_now; \
         CREATE OR REPLACE TEMP TABLE dirty AS \
         SELECT provider, item_id FROM digests_now n FULL JOIN meta.item_digests o USING (provider, item_id) \
             WHERE n.digest IS DISTINCT FROM o.digest \
         UNION SELECT left_provider, left_id FROM (SELECT * FROM links_added UNION ALL SELECT * FROM links_removed) \
         UNION SELECT right_provider, right_id FROM (SELECT * FROM links_added UNION ALL SELECT * FROM links_removed); \
         CREATE OR REPLACE TEMP TABLE old_clusters AS \
         SELECT DISTINCT entity, cluster_id FROM canonical.clusters SEMI JOIN dirty USING (provider, item_id); \
         CREATE OR REPLACE TEMP TABLE redone AS \
         SELECT entity, provider, item_id, (row_number() OVER () - 1)::UBIGINT AS idx FROM ( \
             SELECT DISTINCT m.entity, m.provider, m.item_id FROM ( \
                 SELECT provider, item_id FROM canonical.clusters SEMI JOIN old_clusters USING (entity, cluster_id) \
                 UNION SELECT provider, item_id FROM dirty \
             ) c JOIN ({MEMBERS}) m USING (provider, item_id));"
    ))
    .context("finding the clusters to take apart")?;
    let made = cluster(db)?;
    let changed = changed_at_table("canonical.clusters");
    db.execute_batch(&format!(
        "CREATE OR REPLACE TABLE {changed} AS \
         SELECT cluster_id FROM old_clusters UNION SELECT cluster_id FROM {made}; \
         DELETE FROM canonical.clusters AS c USING old_clusters o WHERE c.entity = o.entity AND c.cluster_id = o.cluster_id; \
         INSERT INTO canonical.clusters BY NAME SELECT * FROM {made}; \
         DELETE FROM meta.item_digests AS o USING dirty d WHERE o.provider = d.provider AND o.item_id = d.item_id; \
         INSERT INTO meta.item_digests SELECT * FROM digests_now SEMI JOIN dirty USING (provider, item_id); \
         DELETE FROM meta.cluster_links AS k USING links_removed r \
             WHERE k.entity = r.entity AND k.left_provider = r.left_provider AND k.left_id = r.left_id \
             AND k.right_provider = r.right_provider AND k.right_id = r.right_id; \
         INSERT INTO meta.cluster_links SELECT * FROM links_added;"
    ))
    .context("writing the clusters made again")?;
    let (dirty, redone): (i64, i64) =
        db.query_row("SELECT (SELECT count(*) FROM dirty), (SELECT count(*) FROM redone)", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    tracing::debug!(dirty, redone, "clusters made again");
    drop_temp(db)
}

fn drop_temp(db: &Connection) -> anyhow::Result<()> {
    Ok(db.execute_batch(
        "DROP TABLE IF EXISTS digests_now; DROP TABLE IF EXISTS links_now; \
         DROP TABLE IF EXISTS links_added; DROP TABLE IF EXISTS links_removed; DROP TABLE IF EXISTS dirty; \
         DROP TABLE IF EXISTS old_clusters; DROP TABLE IF EXISTS redone; DROP TABLE IF EXISTS reclustered;",
    )?)
}

/// Clusters the items of `redone` (numbered by `idx`) by the links among them, and
/// names each cluster: returns the temp table of their rows.
/// DuckDB numbers the items and names the clusters; Rust only joins numbers, so a
/// catalog of millions of items never passes through Rust as strings.
fn cluster(db: &Connection) -> anyhow::Result<&'static str> {
    let n: u64 = db.query_row("SELECT count(*) FROM redone", [], |r| r.get(0))?;
    let mut components = Components::new(n as usize);
    let mut pairs = db.prepare(
        "SELECT a.idx, b.idx FROM links_now l \
         JOIN redone a ON a.entity = l.entity AND a.provider = l.left_provider AND a.item_id = l.left_id \
         JOIN redone b ON b.entity = l.entity AND b.provider = l.right_provider AND b.item_id = l.right_id",
    )?;
    // Millions of links and items: read and written as Arrow batches, not row by row.
    for batch in pairs.query_arrow([])? {
        // Inner joins: every link has both its numbers.
        let (a, b) = (integers(&batch, 0)?, integers(&batch, 1)?);
        for (a, b) in a.values().iter().zip(b.values()) {
            components.union(*a as usize, *b as usize);
        }
    }
    drop(pairs);
    db.execute_batch("CREATE OR REPLACE TEMP TABLE cluster_roots (idx UBIGINT, root UBIGINT)")?;
    let mut roots = db.appender("cluster_roots").context("writing the cluster of each item")?;
    let schema = Arc::new(Schema::new(vec![
        Field::new("idx", DataType::UInt64, false),
        Field::new("root", DataType::UInt64, false),
    ]));
    for start in (0..n).step_by(65_536) {
        let idx: Vec<u64> = (start..n.min(start + 65_536)).collect();
        let root: Vec<u64> = idx.iter().map(|&i| components.find(i as usize) as u64).collect();
        let columns: Vec<ArrayRef> = vec![Arc::new(UInt64Array::from(idx)), Arc::new(UInt64Array::from(root))];
        roots.append_record_batch(RecordBatch::try_new(schema.clone(), columns)?)?;
    }
    roots.flush()?;
    drop(roots);
    // A cluster's name: its strongest identifier (for releases a GTIN, then a
    // MusicBrainz id; for recordings an ISRC, then a MusicBrainz id; then any other
    // provider id), smallest first; a cluster without one is named by its smallest
    // `provider:id`. The rank leads the sort key and is cut off after.
    db.execute_batch(
        "CREATE OR REPLACE TEMP TABLE reclustered AS \
         WITH members AS ( \
             SELECT i.entity, i.provider, i.item_id, r.root FROM redone i JOIN cluster_roots r USING (idx) \
         ), candidates AS ( \
             SELECT m.root, CASE \
                     WHEN (m.entity = 'release' AND x.kind = 'gtin') OR (m.entity = 'track' AND x.kind = 'isrc') THEN '0' \
                     WHEN x.kind = 'mbid' THEN '1' ELSE '2' END || x.kind || ':' || x.value AS key \
             FROM members m JOIN intermediate.item_identifiers x \
                 ON x.entity = m.entity AND x.provider = m.provider AND x.item_id = m.item_id \
             UNION ALL \
             SELECT root, '3' || provider || ':' || item_id FROM members \
         ), names AS ( \
             SELECT root, substr(min(key), 2) AS cluster_id FROM candidates GROUP BY root \
         ) \
         SELECT m.entity, m.provider, m.item_id, n.cluster_id \
         FROM members m JOIN names n USING (root); \
         DROP TABLE cluster_roots;",
    )
    .context("naming the clusters")?;
    Ok("reclustered")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_items_form_one_cluster_named_by_its_strongest_identifier() {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE SCHEMA intermediate; CREATE SCHEMA canonical; CREATE SCHEMA meta;
             CREATE TABLE intermediate.release_items AS SELECT * FROM (VALUES
               ('musicbrainz', 'm1'), ('deezer', '1'), ('spotify', 's1'), ('discogs', '7'), ('deezer', '2')) t(provider, item_id);
             CREATE TABLE intermediate.track_items (provider VARCHAR, item_id VARCHAR);
             CREATE TABLE intermediate.item_identifiers AS SELECT * FROM (VALUES
               ('release', 'deezer', '1', 'gtin', '00724384960650'),
               ('release', 'musicbrainz', 'm1', 'mbid', 'm1'),
               ('release', 'spotify', 's1', 'spotify', 's1'),
               ('release', 'discogs', '7', 'discogs', '7')) t(entity, provider, item_id, kind, value);
             CREATE TABLE canonical.links AS SELECT * FROM (VALUES
               ('release', 'deezer', '1', 'musicbrainz', 'm1'),
               ('release', 'musicbrainz', 'm1', 'spotify', 's1')) t(entity, left_provider, left_id, right_provider, right_id);",
        )
        .unwrap();
        build(&db, Run::Full { keep_model: false }).unwrap();
        let mut stmt =
            db.prepare("SELECT provider || ':' || item_id, cluster_id FROM canonical.clusters ORDER BY 1").unwrap();
        let rows: Vec<(String, String)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
        assert_eq!(
            rows,
            [
                ("deezer:1".into(), "gtin:00724384960650".into()),
                ("deezer:2".into(), "deezer:2".into()),
                ("discogs:7".into(), "discogs:7".into()),
                ("musicbrainz:m1".into(), "gtin:00724384960650".into()),
                ("spotify:s1".into(), "gtin:00724384960650".into()),
            ],
            "through MusicBrainz, Spotify joins Deezer's GTIN; the unlinked stand alone"
        );
    }

    fn clusters(db: &Connection) -> Vec<(String, String, String, String)> {
        let mut stmt = db.prepare("SELECT * FROM canonical.clusters ORDER BY ALL").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect()
    }

    /// A catalog of releases `r0`..`r39` on two providers, linked in chains of four,
    /// with a barcode on every fifth: staged, and read through views as the
    /// intermediate models read them.
    fn catalog(db: &Connection) {
        db.execute_batch(
            "CREATE SCHEMA staging; CREATE SCHEMA intermediate; CREATE SCHEMA canonical; CREATE SCHEMA meta;
             CREATE TABLE staging.release_items AS
               SELECT p AS provider, 'r' || i AS item_id, 'title ' || i AS title
               FROM range(40) t(i), (VALUES ('deezer'), ('spotify')) v(p);
             CREATE VIEW intermediate.release_items AS SELECT * FROM staging.release_items;
             CREATE TABLE intermediate.track_items (provider VARCHAR, item_id VARCHAR);
             CREATE TABLE staging.identifiers AS
               SELECT 'release' AS entity, provider, item_id, 'gtin' AS kind, '0000' || right(item_id, -1) AS value
               FROM staging.release_items WHERE right(item_id, -1)::INT % 5 = 0;
             CREATE VIEW intermediate.item_identifiers AS SELECT * FROM staging.identifiers;
             CREATE TABLE canonical.links AS
               SELECT 'release' AS entity, 'deezer' AS left_provider, 'r' || i AS left_id, 'spotify' AS right_provider,
                   'r' || i AS right_id FROM range(40) t(i)
               UNION ALL
               SELECT 'release', 'deezer', 'r' || i, 'deezer', 'r' || (i + 1) FROM range(40) t(i) WHERE i % 4 <> 3;",
        )
        .unwrap();
    }

    #[test]
    fn the_models_said_to_be_made_of_the_digested_ones_read_nothing_else() {
        let sql = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sql");
        let models = crate::model::load_dir(&sql).unwrap();
        for name in DERIVED {
            let m = models.iter().find(|m| m.name == *name).unwrap_or_else(|| panic!("no model {name}"));
            let other: Vec<&String> =
                m.refs.iter().filter(|r| !DIGESTED.contains(&r.as_str()) && !DERIVED.contains(&r.as_str())).collect();
            assert!(other.is_empty(), "{name} reads {other:?}: digest it too, or its changes go unseen");
        }
    }

    #[test]
    fn clustering_what_changed_ends_where_clustering_everything_ends() {
        let db = Connection::open_in_memory().unwrap();
        catalog(&db);
        build(&db, Run::Full { keep_model: false }).unwrap();
        let before = clusters(&db);
        // A chain broken in two, two chains joined, an item gone with its links, one
        // come with a link, a barcode changed (the cluster's name), a title changed.
        db.execute_batch(
            "CREATE SCHEMA incoming;
             DELETE FROM canonical.links WHERE left_provider = 'deezer' AND right_provider = 'deezer' AND left_id = 'r1';
             INSERT INTO canonical.links VALUES ('release', 'deezer', 'r7', 'deezer', 'r8');
             DELETE FROM canonical.links WHERE 'r13' IN (left_id, right_id);
             DELETE FROM staging.release_items WHERE item_id = 'r13';
             INSERT INTO staging.release_items VALUES ('discogs', 'd1', 'new');
             INSERT INTO canonical.links VALUES ('release', 'deezer', 'r21', 'discogs', 'd1');
             UPDATE staging.identifiers SET value = '9999' WHERE item_id = 'r25' AND provider = 'spotify';
             UPDATE staging.release_items SET title = 'retitled' WHERE item_id = 'r33' AND provider = 'spotify';",
        )
        .unwrap();
        build(&db, Run::Update).unwrap();
        let updated = clusters(&db);
        let mut stmt = db.prepare("SELECT cluster_id FROM incoming.changed_canonical__clusters ORDER BY 1").unwrap();
        let changed: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        build(&db, Run::Full { keep_model: false }).unwrap();
        assert_eq!(updated, clusters(&db), "the update ends where clustering everything ends");
        assert_ne!(updated, before, "something changed");
        // The clusters whose rows differ, or whose items' rows changed, and no other.
        let differ = |a: &[(String, String, String, String)], b: &[(String, String, String, String)]| {
            a.iter().filter(|r| !b.contains(r)).map(|r| r.3.clone()).collect::<Vec<_>>()
        };
        let mut expected: Vec<String> = differ(&before, &updated);
        expected.extend(differ(&updated, &before));
        // Same members, same name: r25's (a barcode of a member changed) and r33's (a title).
        expected.extend(["gtin:000025".to_string(), "gtin:000035".to_string()]);
        expected.sort();
        expected.dedup();
        assert_eq!(changed, expected);
    }
}
