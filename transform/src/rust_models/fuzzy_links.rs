//! `intermediate.fuzzy_links`: what exact identifiers leave unlinked, matched by title,
//! version, artists, size and year (liner-link). Every provider's items are matched
//! against MusicBrainz's, and the rest against Deezer's (the two catalogs with the
//! widest reach); only items whose exact cluster lacks the other provider take part,
//! so a fuzzy link never second-guesses an exact one. Each row keeps the score, its
//! parts, the runner-up, and the outcome: auto-linked or for review.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use duckdb::{Connection, params};
use liner_link::{Decision, Entity, Item, Thresholds};

use super::components::Components;
use crate::model::Model;

pub fn model() -> Model {
    Model::rust(
        "intermediate.fuzzy_links",
        "transform/src/rust_models/fuzzy_links.rs",
        &["intermediate.exact_links", "intermediate.release_items", "intermediate.track_items"],
        &["entity", "left_provider", "left_id", "right_provider", "right_id"],
        build,
    )
}

/// The catalogs everything else is matched against, in turn.
const HUBS: &[&str] = &["musicbrainz", "deezer"];

struct Side {
    provider: String,
    item: Item,
}

fn load(db: &Connection, entity: Entity) -> anyhow::Result<Vec<Side>> {
    let sql = match entity {
        Entity::Release => {
            "SELECT provider, item_id, title_base, coalesce(title_variant, ''), artist_set, year, track_count, NULL::INTEGER \
             FROM intermediate.release_items ORDER BY provider, item_id"
        }
        Entity::Track => {
            "SELECT provider, item_id, title_base, coalesce(title_variant, ''), artist_set, NULL::INTEGER, NULL::INTEGER, duration_ms \
             FROM intermediate.track_items ORDER BY provider, item_id"
        }
    };
    let mut stmt = db.prepare(sql)?;
    let rows = stmt.query_map([], |r| {
        let artists: Option<String> = r.get(4)?;
        Ok(Side {
            provider: r.get(0)?,
            item: Item {
                id: r.get(1)?,
                title: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                variant: r.get(3)?,
                artists: artists.unwrap_or_default().split('|').filter(|a| !a.is_empty()).map(str::to_string).collect(),
                year: r.get(5)?,
                track_count: r.get::<_, Option<i64>>(6)?.map(|n| n.max(0) as u32),
                duration_ms: r.get::<_, Option<i64>>(7)?.map(|n| n.max(0) as u32),
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// For each item, its exact cluster (a number) and the providers already in it, as a
/// bit set over `providers` (a set of strings per item would cost gigabytes at scale).
fn exact_clusters(
    db: &Connection,
    entity: &str,
    sides: &[Side],
    providers: &[&str],
) -> anyhow::Result<(Vec<u32>, Vec<u64>)> {
    let index: HashMap<(&str, &str), usize> =
        sides.iter().enumerate().map(|(i, s)| ((s.provider.as_str(), s.item.id.as_str()), i)).collect();
    let mut components = Components::new(sides.len());
    let mut stmt = db.prepare(
        "SELECT left_provider, left_id, right_provider, right_id FROM intermediate.exact_links WHERE entity = ?",
    )?;
    let links = stmt.query_map([entity], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
    })?;
    for link in links {
        let (lp, li, rp, ri) = link?;
        if let (Some(&a), Some(&b)) = (index.get(&(lp.as_str(), li.as_str())), index.get(&(rp.as_str(), ri.as_str()))) {
            components.union(a, b);
        }
    }
    let bit = |p: &str| providers.iter().position(|x| *x == p).map_or(0, |i| 1u64 << i);
    let roots: Vec<u32> = (0..sides.len()).map(|i| components.find(i) as u32).collect();
    let mut by_root = vec![0u64; sides.len()];
    for (s, &r) in sides.iter().zip(&roots) {
        by_root[r as usize] |= bit(&s.provider);
    }
    let present = roots.iter().map(|&r| by_root[r as usize]).collect();
    Ok((roots, present))
}

fn build(db: &Connection) -> anyhow::Result<()> {
    db.execute_batch(
        "CREATE TABLE intermediate.fuzzy_links (entity VARCHAR, left_provider VARCHAR, left_id VARCHAR, \
         right_provider VARCHAR, right_id VARCHAR, outcome VARCHAR, score DOUBLE, title_score DOUBLE, \
         variant_score DOUBLE, artist_score DOUBLE, size_score DOUBLE, year_score DOUBLE, runner_up_id VARCHAR, \
         runner_up_score DOUBLE, reason VARCHAR)",
    )?;
    let mut appender = db.appender_to_db("fuzzy_links", "intermediate").context("writing intermediate.fuzzy_links")?;
    for (entity, name) in [(Entity::Release, "release"), (Entity::Track, "track")] {
        let sides = load(db, entity)?;
        let mut providers: Vec<&str> = sides.iter().map(|s| s.provider.as_str()).collect();
        providers.sort_unstable();
        providers.dedup();
        anyhow::ensure!(providers.len() <= 64, "more than 64 providers of {name}s");
        let (clusters, present) = exact_clusters(db, name, &sides, &providers)?;
        let bit = |p: &str| providers.iter().position(|x| *x == p).map_or(0, |i| 1u64 << i);
        let mut done: HashSet<(String, String)> = HashSet::new();
        for hub in HUBS {
            for &p in providers.iter().filter(|p| !HUBS[..=HUBS.iter().position(|h| h == hub).unwrap_or(0)].contains(p))
            {
                // Items of `p` with no `hub` member yet, against `hub` items with no `p` member.
                let left: Vec<Item> = sides
                    .iter()
                    .zip(&present)
                    .filter(|(s, have)| s.provider == p && *have & bit(hub) == 0)
                    .map(|(s, _)| s.item.clone())
                    .collect();
                let (right, right_groups): (Vec<Item>, Vec<u32>) = sides
                    .iter()
                    .zip(&present)
                    .zip(&clusters)
                    .filter(|((s, have), _)| s.provider == *hub && *have & bit(p) == 0)
                    .map(|((s, _), c)| (s.item.clone(), *c))
                    .unzip();
                if left.is_empty() || right.is_empty() {
                    continue;
                }
                let decisions = liner_link::link(entity, &left, &right, &right_groups, Thresholds::default())
                    .with_context(|| format!("linking {name}s of {p} to {hub}"))?;
                for d in decisions {
                    if done.insert((format!("{p}:{}", d.left), format!("{hub}:{}", d.right))) {
                        append(&mut appender, name, p, hub, &d)?;
                    }
                }
            }
        }
    }
    appender.flush()?;
    Ok(())
}

fn append(
    appender: &mut duckdb::Appender<'_>,
    entity: &str,
    left: &str,
    right: &str,
    d: &Decision,
) -> anyhow::Result<()> {
    let c = &d.components;
    appender.append_row(params![
        entity,
        left,
        d.left,
        right,
        d.right,
        d.outcome.as_str(),
        c.total,
        c.title,
        c.variant,
        c.artists,
        c.size,
        c.year,
        d.runner_up.as_ref().map(|(id, _)| id.clone()),
        d.runner_up.as_ref().map(|(_, s)| *s),
        d.reason
    ])?;
    Ok(())
}
