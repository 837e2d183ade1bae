//! `canonical.clusters`: which provider items are one release (or one recording). Items
//! joined by any link, directly or through others, form one cluster (union-find over
//! `canonical.links`); an item without links is a cluster of its own. A cluster is
//! named by its strongest identifier: for releases a GTIN, then a MusicBrainz release
//! id, then a provider id; for recordings an ISRC, then a MusicBrainz recording id,
//! then a provider id. The smallest of each kind wins, so the name is stable.

use std::sync::Arc;

use anyhow::Context;
use duckdb::Connection;
use duckdb::arrow::array::{ArrayRef, UInt64Array};
use duckdb::arrow::datatypes::{DataType, Field, Schema};
use duckdb::arrow::record_batch::RecordBatch;

use super::columns::integers;
use super::components::Components;
use crate::model::{Model, Run};

pub fn model() -> Model {
    Model::rust(
        "canonical.clusters",
        "transform/src/rust_models/clusters.rs",
        &["canonical.links", "intermediate.item_identifiers", "intermediate.release_items", "intermediate.track_items"],
        &["entity", "provider", "item_id"],
        build,
    )
}

/// DuckDB numbers the items and names the clusters; Rust only joins numbers, so a
/// catalog of millions of items never passes through Rust as strings.
fn build(db: &Connection, _: Run) -> anyhow::Result<()> {
    // Links may name items that carry identifiers but did not make it into the item
    // lists (a recording seen only through an ISRC lookup): they join too.
    db.execute_batch(
        "CREATE TEMP TABLE cluster_items AS \
         SELECT entity, provider, item_id, (row_number() OVER () - 1)::UBIGINT AS idx FROM ( \
             SELECT 'release' AS entity, provider, item_id FROM intermediate.release_items \
             UNION SELECT 'track', provider, item_id FROM intermediate.track_items \
             UNION SELECT entity, left_provider, left_id FROM canonical.links \
             UNION SELECT entity, right_provider, right_id FROM canonical.links)",
    )?;
    let n: u64 = db.query_row("SELECT count(*) FROM cluster_items", [], |r| r.get(0))?;
    let mut components = Components::new(n as usize);
    let mut pairs = db.prepare(
        "SELECT a.idx, b.idx FROM canonical.links l \
         JOIN cluster_items a ON a.entity = l.entity AND a.provider = l.left_provider AND a.item_id = l.left_id \
         JOIN cluster_items b ON b.entity = l.entity AND b.provider = l.right_provider AND b.item_id = l.right_id",
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
    db.execute_batch("CREATE TEMP TABLE cluster_roots (idx UBIGINT, root UBIGINT)")?;
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
        "CREATE TABLE canonical.clusters AS \
         WITH members AS ( \
             SELECT i.entity, i.provider, i.item_id, r.root FROM cluster_items i JOIN cluster_roots r USING (idx) \
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
         FROM members m JOIN names n USING (root) \
         ORDER BY m.entity, m.provider, m.item_id; \
         DROP TABLE cluster_items; DROP TABLE cluster_roots;",
    )
    .context("naming the clusters")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_items_form_one_cluster_named_by_its_strongest_identifier() {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE SCHEMA intermediate; CREATE SCHEMA canonical;
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
}
