//! `canonical.clusters`: which provider items are one release (or one recording). Items
//! joined by any link, directly or through others, form one cluster (union-find over
//! `canonical.links`); an item without links is a cluster of its own. A cluster is
//! named by its strongest identifier: for releases a GTIN, then a MusicBrainz release
//! id, then a provider id; for recordings an ISRC, then a MusicBrainz recording id,
//! then a provider id. The smallest of each kind wins, so the name is stable.

use std::collections::HashMap;

use anyhow::Context;
use duckdb::{Connection, params};

use super::components::Components;
use crate::model::Model;

pub fn model() -> Model {
    Model::rust(
        "canonical.clusters",
        "transform/src/rust_models/clusters.rs",
        &["canonical.links", "intermediate.item_identifiers", "intermediate.release_items", "intermediate.track_items"],
        &["entity", "provider", "item_id"],
        build,
    )
}

/// How strongly an identifier names a cluster: lower is stronger.
fn rank(entity: &str, kind: &str) -> u8 {
    match (entity, kind) {
        ("release", "gtin") | ("track", "isrc") => 0,
        (_, "mbid") => 1,
        _ => 2,
    }
}

fn build(db: &Connection) -> anyhow::Result<()> {
    let mut rows: Vec<(String, String, String, String)> = Vec::new();
    for entity in ["release", "track"] {
        let mut items: Vec<(String, String)> = Vec::new();
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        let table = if entity == "release" { "intermediate.release_items" } else { "intermediate.track_items" };
        let mut stmt = db.prepare(&format!("SELECT provider, item_id FROM {table} ORDER BY provider, item_id"))?;
        for item in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let item = item?;
            index.entry(item.clone()).or_insert_with(|| {
                items.push(item);
                items.len() - 1
            });
        }
        let mut components = Components::new(items.len());
        let mut links = db
            .prepare("SELECT left_provider, left_id, right_provider, right_id FROM canonical.links WHERE entity = ?")?;
        for link in links.query_map([entity], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })? {
            let (lp, li, rp, ri) = link?;
            // Links may name items that carry identifiers but did not make it into the
            // item list (a recording seen only through an ISRC lookup): they join too.
            let mut id = |p: String, i: String| -> usize {
                *index.entry((p.clone(), i.clone())).or_insert_with(|| {
                    items.push((p, i));
                    components.parent.push(components.parent.len());
                    components.size.push(1);
                    items.len() - 1
                })
            };
            let (a, b) = (id(lp, li), id(rp, ri));
            components.union(a, b);
        }
        // The name of each cluster: its strongest identifier, smallest first.
        let mut best: HashMap<usize, (u8, String)> = HashMap::new();
        let mut ids =
            db.prepare("SELECT provider, item_id, kind, value FROM intermediate.item_identifiers WHERE entity = ?")?;
        for id in ids.query_map([entity], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })? {
            let (provider, item, kind, value) = id?;
            let Some(&i) = index.get(&(provider, item)) else { continue };
            let root = components.find(i);
            let candidate = (rank(entity, &kind), format!("{kind}:{value}"));
            let slot = best.entry(root).or_insert_with(|| candidate.clone());
            if candidate < *slot {
                *slot = candidate;
            }
        }
        for (i, (provider, item)) in items.iter().enumerate() {
            let root = components.find(i);
            let fallback = || {
                let (p, id) = &items[root];
                (3, format!("{p}:{id}"))
            };
            let name = best.get(&root).cloned().unwrap_or_else(fallback).1;
            rows.push((entity.to_string(), provider.clone(), item.clone(), name));
        }
    }
    db.execute_batch(
        "CREATE TABLE canonical.clusters (entity VARCHAR, provider VARCHAR, item_id VARCHAR, cluster_id VARCHAR)",
    )?;
    let mut appender = db.appender_to_db("clusters", "canonical").context("writing canonical.clusters")?;
    for (entity, provider, item, cluster) in &rows {
        appender.append_row(params![entity, provider, item, cluster])?;
    }
    appender.flush()?;
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
        build(&db).unwrap();
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
