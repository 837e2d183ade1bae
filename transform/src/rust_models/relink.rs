//! Linking after a full build: only the items that changed, and those they may link to,
//! with the model the full build kept, to the rows a full build with that model
//! (`--full --keep-model`) would make.
//!
//! Why that holds: with the model and term frequencies fixed, a pair weighs what its
//! two items make it; and the linker decides each connected component of the graph of
//! pairs it may link or review (and of the exact groups) on its own, reading beyond it
//! only each item's runner-up. So for each entity:
//!
//! 1. The items whose digest changed, the new and the removed are *dirty*; for tracks,
//!    also those on a release whose cluster changed. Items whose exact group changed
//!    join them, with every member of their groups.
//! 2. Their blocking keys are made again; a key whose block crosses the size limit
//!    (`liner_link::MAX_BLOCK`) makes its members' pairs change too.
//! 3. The candidate pairs of all of those are found again from the kept keys, and
//!    weighed; the other pairs stay as they were.
//! 4. Every component, before or after, that holds one of them or one of their pairs'
//!    other sides is linked again, whole, with the pairs' other sides beside it for
//!    their runner-ups; its decisions replace the old ones.
//!
//! When there is no kept model for an entity, or the providers of releases changed
//! (which changes which exact groups are complete everywhere), the entity is linked
//! whole again, with the kept model when there is one. When the catalog has more than
//! doubled since the model was trained (the first artists followed), a new model is
//! trained and kept, and the entity linked whole with it: the next builds are then
//! what a full build with that model makes.

use anyhow::Context;
use duckdb::Connection;
use duckdb::params;
use liner_link::{Entity, Thresholds};

use super::components::Components;
use super::fuzzy_links::{
    DECISIONS, Decisions, ExactPair, WITH_IDS, Which, clusters, exact, items, items_now, link_whole, numbers, read,
    read_exact,
};
use super::link_state::{self, entity_name, read_pairs};

pub fn update(db: &Connection) -> anyhow::Result<()> {
    db.execute_batch(DECISIONS)?;
    let mut decisions = Decisions::new(db)?;
    let mut releases = Moved::Some(Vec::new());
    for entity in [Entity::Release, Entity::Track] {
        releases = relink(db, entity, &mut decisions, &releases)
            .with_context(|| format!("linking the {}s that changed", entity_name(entity)))?;
    }
    drop(decisions);
    db.execute_batch(&format!("INSERT INTO intermediate.fuzzy_links {WITH_IDS}; DROP TABLE fuzzy_decisions;"))
        .context("joining the ids to the decisions")?;
    db.execute_batch(
        "DROP TABLE IF EXISTS relink_now; DROP TABLE IF EXISTS relink_diff; DROP TABLE IF EXISTS relink_part; \
         DROP TABLE IF EXISTS relink_set; DROP TABLE IF EXISTS relink_removed; DROP TABLE IF EXISTS exact_now; \
         DROP TABLE IF EXISTS exact_gone; DROP TABLE IF EXISTS exact_new;",
    )?;
    Ok(())
}

/// How many times the catalog a model was trained on the catalog may grow before the
/// model is trained again, its items linked whole.
const GROWTH: f64 = 2.0;

/// The items (numbers) whose cluster changed, or all of them.
enum Moved {
    All,
    Some(Vec<u32>),
}

/// Fills the temporary table `relink_set (idx)` with `numbers`.
fn set(db: &Connection, table: &str, numbers: impl IntoIterator<Item = u32>) -> anyhow::Result<()> {
    db.execute_batch(&format!("CREATE OR REPLACE TEMP TABLE {table} (idx UINTEGER)"))?;
    let mut a = db.appender(table)?;
    for n in numbers {
        a.append_row([n])?;
    }
    a.flush()?;
    Ok(())
}

fn numbers_of(db: &Connection, sql: &str, params: impl duckdb::Params) -> anyhow::Result<Vec<u32>> {
    let mut stmt = db.prepare(sql)?;
    let rows = stmt.query_map(params, |r| r.get::<_, u32>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Items that changed class between two partitions of the item numbers (`None`: not
/// there): an item is unmoved when its class before and after hold the same items.
fn moved(before: &[Option<u32>], after: &[Option<u32>]) -> Vec<bool> {
    let mut both: foldhash::HashMap<(u32, u32), u32> = foldhash::HashMap::default();
    let (mut old, mut new): (foldhash::HashMap<u32, u32>, foldhash::HashMap<u32, u32>) = Default::default();
    for (b, a) in before.iter().zip(after) {
        if let Some(b) = b {
            *old.entry(*b).or_default() += 1;
        }
        if let Some(a) = a {
            *new.entry(*a).or_default() += 1;
        }
        if let (Some(b), Some(a)) = (b, a) {
            *both.entry((*b, *a)).or_default() += 1;
        }
    }
    before
        .iter()
        .zip(after)
        .map(|(b, a)| match (b, a) {
            (Some(b), Some(a)) => {
                let n = both[&(*b, *a)];
                n != old[b] || n != new[a]
            }
            (None, None) => false,
            _ => true,
        })
        .collect()
}

fn relink(db: &Connection, entity: Entity, decisions: &mut Decisions<'_>, releases: &Moved) -> anyhow::Result<Moved> {
    let name = entity_name(entity);
    let started = std::time::Instant::now();
    let phase = |what: &str| tracing::debug!(entity = name, ms = started.elapsed().as_millis() as u64, "{what} done");
    let kept = link_state::kept(db, entity)?;
    phase("kept model read");
    db.execute_batch(&format!("CREATE OR REPLACE TEMP TABLE relink_now AS {}", items_now(entity)))?;
    let providers = |sql: &str| -> anyhow::Result<Vec<String>> {
        let mut stmt = db.prepare(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    let providers_before =
        providers(&format!("SELECT DISTINCT provider FROM meta.link_items WHERE entity = '{name}' ORDER BY 1"))?;
    let providers_now = providers("SELECT DISTINCT provider FROM relink_now ORDER BY 1")?;
    let count: u64 = db.query_row("SELECT count(*) FROM relink_now", [], |r| r.get(0))?;
    // A model trained on a catalog a fraction of today's (the first artists followed)
    // is trained again; `terms.unseen` is one record's share of the catalog it knew.
    let outgrown = kept.as_ref().is_some_and(|t| count as f64 * t.terms.unseen > GROWTH);
    let kept = if outgrown { None } else { kept };
    let whole = match (&kept, releases) {
        _ if outgrown => Some("the catalog has more than doubled since the model was trained"),
        (None, _) => Some("no model is kept for them"),
        (_, Moved::All) => Some("every release was linked again"),
        _ if entity == Entity::Release && providers_before != providers_now => Some("the providers changed"),
        _ => None,
    };
    if let Some(why) = whole {
        tracing::debug!(entity = name, why, "linking every item again");
        for table in ["meta.link_items", "meta.link_groups", "meta.link_keys", "meta.link_pairs", "meta.link_exact"] {
            db.execute(&format!("DELETE FROM {table} WHERE entity = ?"), [name])?;
        }
        db.execute("DELETE FROM intermediate.fuzzy_links WHERE entity = ?", [name])?;
        link_whole(db, entity, kept.as_ref(), decisions)?;
        return Ok(Moved::All);
    }
    let trained = kept.expect("a kept model");

    // 1. What changed: removed, changed and new items.
    db.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE relink_diff AS \
         SELECT n.idx, i.provider, i.item_id, i.digest FROM relink_now i \
         FULL JOIN (SELECT * FROM meta.link_items WHERE entity = '{name}') n \
             ON n.provider = i.provider AND n.item_id = i.item_id \
         WHERE n.idx IS NULL OR i.item_id IS NULL OR n.digest IS DISTINCT FROM i.digest"
    ))?;
    let removed = numbers_of(db, "SELECT idx FROM relink_diff WHERE item_id IS NULL", [])?;
    let changed = numbers_of(db, "SELECT idx FROM relink_diff WHERE item_id IS NOT NULL AND idx IS NOT NULL", [])?;
    db.execute(
        "INSERT INTO meta.link_items \
         SELECT ?1, provider, item_id, \
             ((SELECT coalesce(max(idx) + 1, 0) FROM meta.link_items WHERE entity = ?1) \
                 + row_number() OVER (ORDER BY provider, item_id) - 1)::UINTEGER, digest \
         FROM relink_diff WHERE idx IS NULL",
        [name],
    )?;
    let n: u32 = db.query_row(
        "SELECT coalesce(max(idx) + 1, 0)::UINTEGER FROM meta.link_items WHERE entity = ?",
        [name],
        |r| r.get(0),
    )?;
    let n = n as usize;
    let before: Vec<Option<u32>> = {
        let mut v = vec![None; n];
        for (i, g) in read_pairs(db, "SELECT idx, grp FROM meta.link_groups WHERE entity = ?", [name])? {
            v[i as usize] = Some(g);
        }
        v
    };
    let mut dirty = vec![false; n];
    let mut present = vec![true; n];
    for &r in &removed {
        dirty[r as usize] = true;
        present[r as usize] = false;
    }
    for &c in &changed {
        dirty[c as usize] = true;
    }
    let mut arrived = Vec::new();
    for (i, b) in before.iter().enumerate() {
        if b.is_none() && present[i] {
            dirty[i] = true;
            arrived.push(i as u32);
        }
    }
    if let Moved::Some(releases) = releases
        && entity == Entity::Track
        && !releases.is_empty()
    {
        set(db, "relink_set", releases.iter().copied())?;
        for t in numbers_of(
            db,
            "SELECT n.idx FROM intermediate.track_items t \
             JOIN meta.link_items n ON n.entity = ? AND n.provider = t.provider AND n.item_id = t.item_id \
             JOIN meta.link_items r ON r.entity = 'release' AND r.provider = t.provider AND r.item_id = t.release_item_id \
             SEMI JOIN relink_set s ON s.idx = r.idx",
            [name],
        )? {
            dirty[t as usize] = true;
        }
    }

    phase("items compared");
    // Exact links and groups, then and now: a group changes only where an exact link
    // came or went, or an item did.
    set(db, "relink_removed", removed.iter().copied())?;
    let (exact_now, groups) = exact(db, entity, n, Some("relink_removed"))?;
    db.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE exact_gone AS \
         SELECT left_idx, right_idx, method FROM meta.link_exact WHERE entity = '{name}' EXCEPT SELECT * FROM exact_now; \
         CREATE OR REPLACE TEMP TABLE exact_new AS \
         SELECT * FROM exact_now EXCEPT SELECT left_idx, right_idx, method FROM meta.link_exact WHERE entity = '{name}';"
    ))?;
    let exact_gone = read_exact(db, "SELECT * FROM exact_gone")?;
    let exact_new = read_exact(db, "SELECT * FROM exact_new")?;
    let after: Vec<Option<u32>> = (0..n).map(|i| present[i].then_some(groups[i])).collect();
    let regrouped = {
        let ends: Vec<usize> = exact_gone
            .iter()
            .chain(&exact_new)
            .flat_map(|e| [e.left, e.right])
            .chain(removed.iter().copied())
            .chain(arrived.iter().copied())
            .map(|i| i as usize)
            .collect();
        let old: foldhash::HashSet<u32> = ends.iter().filter_map(|&i| before[i]).collect();
        let new: foldhash::HashSet<u32> = ends.iter().filter_map(|&i| after[i]).collect();
        let members: Vec<usize> = (0..n)
            .filter(|&i| before[i].is_some_and(|g| old.contains(&g)) || after[i].is_some_and(|g| new.contains(&g)))
            .collect();
        let b: Vec<Option<u32>> = members.iter().map(|&i| before[i]).collect();
        let a: Vec<Option<u32>> = members.iter().map(|&i| after[i]).collect();
        let mut regrouped = vec![false; n];
        for (i, m) in members.iter().zip(moved(&b, &a)) {
            regrouped[*i] = m;
        }
        regrouped
    };
    let mut s = dirty.clone();
    let dirty_groups: foldhash::HashSet<u32> = (0..n).filter(|&i| dirty[i] && present[i]).map(|i| groups[i]).collect();
    for i in 0..n {
        if regrouped[i] || (present[i] && dirty_groups.contains(&groups[i])) {
            s[i] = true;
        }
    }
    if !s.iter().any(|x| *x) && exact_gone.is_empty() && exact_new.is_empty() {
        return Ok(Moved::Some(Vec::new()));
    }
    let s_numbers: Vec<u32> = (0..n as u32).filter(|&i| s[i as usize]).collect();
    tracing::debug!(entity = name, dirty = dirty.iter().filter(|x| **x).count(), again = s_numbers.len(), "found");

    phase("groups compared");
    // 2. Their keys again; blocks that cross the size limit.
    set(db, "relink_s", s_numbers.iter().copied())?;
    set(db, "relink_part", s_numbers.iter().copied().filter(|&i| present[i as usize]))?;
    let batches = read(db, entity, Which::Part)?;
    let part_items = items(&batches, entity)?;
    let part_numbers = numbers(&batches);
    let complete: Vec<bool> = if entity == Entity::Release {
        let mut held: foldhash::HashMap<u32, std::collections::BTreeSet<u16>> = Default::default();
        for (item, num) in part_items.iter().zip(&part_numbers) {
            held.entry(groups[*num as usize]).or_default().insert(item.provider);
        }
        part_numbers.iter().map(|num| held[&groups[*num as usize]].len() == providers_now.len()).collect()
    } else {
        vec![false; part_items.len()]
    };
    let keys = liner_link::block_keys(entity, &part_items, &complete);
    db.execute_batch("CREATE OR REPLACE TEMP TABLE relink_new_keys (key UBIGINT, idx UINTEGER)")?;
    {
        let mut a = db.appender("relink_new_keys")?;
        for (k, ks) in keys.iter().enumerate() {
            for key in ks {
                a.append_row(params![*key, part_numbers[k]])?;
            }
        }
        a.flush()?;
    }
    let counts = |db: &Connection| -> anyhow::Result<foldhash::HashMap<u64, u32>> {
        let mut stmt = db.prepare(
            "SELECT key, count(*) FROM meta.link_keys WHERE entity = ? AND key IN \
                 (SELECT key FROM relink_new_keys UNION SELECT key FROM meta.link_keys k \
                  WHERE k.entity = ? AND k.idx IN (SELECT idx FROM relink_s)) \
             GROUP BY key",
        )?;
        let rows = stmt.query_map([name, name], |r| Ok((r.get::<_, u64>(0)?, r.get::<_, u32>(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    let old_counts = counts(db)?;
    db.execute("DELETE FROM meta.link_keys WHERE entity = ? AND idx IN (SELECT idx FROM relink_s)", [name])?;
    db.execute("INSERT INTO meta.link_keys SELECT ?, key, idx FROM relink_new_keys", [name])?;
    let new_counts = counts(db)?;
    let eligible = |c: Option<&u32>| c.is_some_and(|c| (2..=liner_link::MAX_BLOCK).contains(c));
    let flipped: Vec<u64> = old_counts
        .keys()
        .chain(new_counts.keys())
        .filter(|k| eligible(old_counts.get(k)) != eligible(new_counts.get(k)))
        .copied()
        .collect();
    let mut q = s.clone();
    if !flipped.is_empty() {
        db.execute_batch("CREATE OR REPLACE TEMP TABLE relink_keys (key UBIGINT)")?;
        let mut a = db.appender("relink_keys")?;
        for k in &flipped {
            a.append_row([*k])?;
        }
        a.flush()?;
        drop(a);
        for i in numbers_of(
            db,
            "SELECT DISTINCT idx FROM meta.link_keys WHERE entity = ? AND key IN (SELECT key FROM relink_keys)",
            [name],
        )? {
            q[i as usize] = true;
        }
    }

    phase("keys");
    // 3. The candidate pairs of all of those, found again and weighed.
    let q_numbers: Vec<u32> = (0..n as u32).filter(|&i| q[i as usize]).collect();
    set(db, "relink_s", q_numbers.iter().copied())?;
    let old_touching = pairs_touching(db, name, "true")?;
    let old_strong_touching = pairs_touching(db, name, &format!("linkable AND bits >= {}", strong_bits()))?;
    let found = read_pairs(
        db,
        "WITH mine AS (SELECT key, idx FROM meta.link_keys WHERE entity = ?1 AND idx IN (SELECT idx FROM relink_s)), \
         blocks AS (SELECT key FROM meta.link_keys WHERE entity = ?1 AND key IN (SELECT key FROM mine) \
             GROUP BY key HAVING count(*) BETWEEN 2 AND ?2) \
         SELECT DISTINCT least(m.idx, o.idx), greatest(m.idx, o.idx) FROM mine m \
         JOIN meta.link_keys o ON o.entity = ?1 AND o.key = m.key AND o.idx <> m.idx \
         WHERE m.key IN (SELECT key FROM blocks)",
        params![name, liner_link::MAX_BLOCK],
    )?;
    set(db, "relink_part", found.iter().flat_map(|(a, b)| [*a, *b]).chain(q_numbers.iter().copied()))?;
    let batches = read(db, entity, Which::Part)?;
    let part_items = items(&batches, entity)?;
    let part_numbers = numbers(&batches);
    let local: foldhash::HashMap<u32, u32> = part_numbers.iter().enumerate().map(|(k, num)| (*num, k as u32)).collect();
    let mut pairs: Vec<(u32, u32)> = found
        .iter()
        .filter_map(|(a, b)| {
            let (la, lb) = (*local.get(a)?, *local.get(b)?);
            let (pa, pb) = (&part_items[la as usize], &part_items[lb as usize]);
            (pa.provider != pb.provider && groups[*a as usize] != groups[*b as usize])
                .then_some((la.min(lb), la.max(lb)))
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let weighed = liner_link::weigh(entity, &part_items, &pairs, &trained);
    db.execute(
        "DELETE FROM meta.link_pairs WHERE entity = ? \
         AND (left_idx IN (SELECT idx FROM relink_s) OR right_idx IN (SELECT idx FROM relink_s))",
        [name],
    )?;
    link_state::write_pairs(db, entity, &weighed, &part_numbers)?;

    phase("pairs");
    // 4. The components they touch, before and after, linked again whole.
    let mut c = Components::new(n);
    for (i, g) in before.iter().enumerate() {
        if let Some(g) = g {
            c.union(i, *g as usize);
        }
    }
    for i in (0..n).filter(|&i| present[i]) {
        c.union(i, groups[i] as usize);
    }
    let strong = read_pairs(
        db,
        "SELECT left_idx, right_idx FROM meta.link_pairs WHERE entity = ? AND linkable AND bits >= ?",
        params![name, strong_bits()],
    )?;
    for (a, b) in old_strong_touching.iter().chain(&strong) {
        c.union(*a as usize, *b as usize);
    }
    let seeds: foldhash::HashSet<usize> = q_numbers
        .iter()
        .map(|i| *i as usize)
        .chain(old_touching.iter().chain(&found).flat_map(|(a, b)| [*a as usize, *b as usize]))
        .chain(exact_gone.iter().chain(&exact_new).flat_map(|e| [e.left as usize, e.right as usize]))
        .map(|i| c.find(i))
        .collect();
    let t: Vec<bool> = (0..n).map(|i| seeds.contains(&c.find(i))).collect();
    let t_numbers: Vec<u32> = (0..n as u32).filter(|&i| t[i as usize]).collect();
    set(db, "relink_s", t_numbers.iter().copied())?;
    let t_pairs = pairs_touching(db, name, "true")?;
    phase("components");
    // The doubted exact links to weigh again: those of dirty items, and the new ones.
    let arriving: foldhash::HashSet<&ExactPair> = exact_new.iter().collect();
    let recheck: Vec<ExactPair> = exact_now
        .iter()
        .filter(|e| dirty[e.left as usize] || dirty[e.right as usize] || arriving.contains(e))
        .cloned()
        .collect();
    set(
        db,
        "relink_part",
        t_numbers
            .iter()
            .copied()
            .filter(|&i| present[i as usize])
            .chain(t_pairs.iter().flat_map(|(a, b)| [*a, *b]))
            .chain(recheck.iter().flat_map(|e| [e.left, e.right])),
    )?;
    let batches = read(db, entity, Which::Part)?;
    let part_items = items(&batches, entity)?;
    let part_numbers = numbers(&batches);
    let local: foldhash::HashMap<u32, u32> = part_numbers.iter().enumerate().map(|(k, num)| (*num, k as u32)).collect();
    let mut first_of_group: foldhash::HashMap<u32, u32> = Default::default();
    let part_groups: Vec<u32> = part_numbers
        .iter()
        .enumerate()
        .map(|(k, num)| *first_of_group.entry(groups[*num as usize]).or_insert(k as u32))
        .collect();
    let mut pairs: Vec<(u32, u32)> = t_pairs
        .iter()
        .map(|(a, b)| {
            let (la, lb) = (local[a], local[b]);
            (la.min(lb), la.max(lb))
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let exact_local: Vec<(u32, u32)> = recheck.iter().map(|e| (local[&e.left], local[&e.right])).collect();
    let exact_part: Vec<ExactPair> = recheck
        .iter()
        .zip(&exact_local)
        .map(|(e, (l, r))| ExactPair { left: *l, right: *r, method: e.method.clone() })
        .collect();
    let linked = liner_link::link_part(
        entity,
        &part_items,
        &part_groups,
        &pairs,
        &exact_local,
        Thresholds::default(),
        &trained,
    )?;
    let in_t = |k: u32| t[part_numbers[k as usize] as usize];
    anyhow::ensure!(
        linked.decisions.iter().all(|d| in_t(d.left) && in_t(d.right)),
        "a decision outside the items linked again"
    );
    // Only the items linked again have their clusters made here.
    let clusters_now = clusters(entity, &part_groups, &linked, |k| part_numbers[k as usize]);

    phase("linked");
    // The old rows of what was linked again give way to the new.
    set(db, "relink_s", t_numbers.iter().copied())?;
    db.execute(
        "DELETE FROM intermediate.fuzzy_links f WHERE entity = ? AND exact_method IS NULL \
         AND EXISTS (SELECT 1 FROM meta.link_items n SEMI JOIN relink_s s ON s.idx = n.idx \
             WHERE n.entity = f.entity AND n.provider = f.left_provider AND n.item_id = f.left_id)",
        [name],
    )?;
    db.execute_batch("CREATE OR REPLACE TEMP TABLE relink_exact (left_idx UINTEGER, right_idx UINTEGER)")?;
    {
        let mut a = db.appender("relink_exact")?;
        for e in recheck.iter().chain(&exact_gone) {
            a.append_row([e.left, e.right])?;
        }
        a.flush()?;
    }
    db.execute(
        "DELETE FROM intermediate.fuzzy_links f WHERE entity = ?1 AND exact_method IS NOT NULL \
         AND EXISTS (SELECT 1 FROM relink_exact x \
             JOIN meta.link_items l ON l.entity = ?1 AND l.idx = x.left_idx \
             JOIN meta.link_items r ON r.entity = ?1 AND r.idx = x.right_idx \
             WHERE l.provider = f.left_provider AND l.item_id = f.left_id \
                 AND r.provider = f.right_provider AND r.item_id = f.right_id)",
        [name],
    )?;
    decisions.add(entity, &linked, &exact_part, &part_numbers)?;

    phase("old rows deleted");
    // The linker's memory of them.
    let t_present: Vec<(usize, u32)> =
        part_numbers.iter().enumerate().filter(|(_, num)| t[**num as usize]).map(|(k, num)| (k, *num)).collect();
    let rows: Vec<(u32, u32, Option<u32>)> =
        t_present.iter().map(|(k, num)| (*num, groups[*num as usize], clusters_now.as_ref().map(|c| c[*k]))).collect();
    let clusters_before: foldhash::HashMap<u32, u32> = if entity == Entity::Release {
        read_pairs(
            db,
            "SELECT idx, cluster FROM meta.link_groups WHERE entity = ? AND idx IN (SELECT idx FROM relink_s)",
            [name],
        )?
        .into_iter()
        .collect()
    } else {
        Default::default()
    };
    db.execute("DELETE FROM meta.link_groups WHERE entity = ? AND idx IN (SELECT idx FROM relink_s)", [name])?;
    link_state::write_groups(db, entity, &rows)?;
    set(db, "relink_s", removed.iter().copied())?;
    db.execute("DELETE FROM meta.link_items WHERE entity = ? AND idx IN (SELECT idx FROM relink_s)", [name])?;
    db.execute(
        "UPDATE meta.link_items n SET digest = i.digest FROM relink_diff i \
         WHERE n.entity = ? AND i.idx = n.idx AND i.item_id IS NOT NULL",
        [name],
    )?;
    db.execute(
        "DELETE FROM meta.link_exact x WHERE entity = ? AND EXISTS (SELECT 1 FROM exact_gone g \
             WHERE g.left_idx = x.left_idx AND g.right_idx = x.right_idx AND g.method = x.method)",
        [name],
    )?;
    db.execute("INSERT INTO meta.link_exact SELECT ?, * FROM exact_new", [name])?;
    db.execute_batch("DROP TABLE relink_exact; DROP TABLE relink_s; DROP TABLE IF EXISTS relink_new_keys;")?;

    phase("memory written");
    // Releases whose cluster changed: the tracks on them are compared again.
    let moved_releases = match &clusters_now {
        Some(now) => {
            let before: Vec<Option<u32>> = t_present.iter().map(|(_, num)| clusters_before.get(num).copied()).collect();
            let after: Vec<Option<u32>> = t_present.iter().map(|(k, _)| Some(now[*k])).collect();
            moved(&before, &after).iter().zip(&t_present).filter(|(m, _)| **m).map(|(_, (_, num))| *num).collect()
        }
        None => Vec::new(),
    };
    Ok(Moved::Some(moved_releases))
}

/// The candidate pairs (by number) with a side among the items numbered in `relink_s`,
/// and `also`.
fn pairs_touching(db: &Connection, entity: &str, also: &str) -> anyhow::Result<Vec<(u32, u32)>> {
    read_pairs(
        db,
        &format!(
            "SELECT left_idx, right_idx FROM meta.link_pairs WHERE entity = ? AND {also} \
             AND (left_idx IN (SELECT idx FROM relink_s) OR right_idx IN (SELECT idx FROM relink_s))"
        ),
        [entity],
    )
}

/// The bits from which a pair may be linked or reviewed (a match probability of 0.70),
/// a little under, so that no pair on the edge is missed (more is only more work).
fn strong_bits() -> f64 {
    let p = Thresholds::default().review;
    (p / (1.0 - p)).log2() - 1e-6
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Run;

    /// A catalog of three providers' releases (each with two tracks), as the
    /// intermediate models give them; `v2` changes it as a landing can: a release
    /// retitled (it must leave its cluster), one removed, thirty more under a title
    /// that then becomes too common to block on, a barcode shared anew.
    fn catalog(db: &Connection, v2: bool) {
        let mut releases = Vec::new();
        let mut tracks = Vec::new();
        let mut ids = Vec::new();
        let artists = ["Daft Punk", "Adele", "Queen", "Björk", "Kesha", "Blur", "Oasis", "Portishead"];
        let titles = ["Discovery", "Homework", "Alive", "Dummy", "Parklife"];
        for (p, provider) in ["deezer", "musicbrainz", "spotify"].iter().enumerate() {
            for (a, artist) in artists.iter().enumerate() {
                for (t, title) in titles.iter().enumerate() {
                    let id = format!("{p}{a}{t}");
                    if v2 && *provider == "spotify" && a == 2 && t == 1 {
                        continue; // removed
                    }
                    let title = match (v2, *provider, a, t) {
                        (true, "deezer", 0, 0) => "Something Else Entirely".to_string(),
                        _ if p == 1 => format!("{title} (Remastered)"),
                        _ => title.to_string(),
                    };
                    let year = 1990 + (a * 5 + t) as i32 + (p == 2) as i32;
                    releases
                        .push(format!("('{provider}', '{id}', '{title}', '{artist}', {year}, {}, NULL, NULL)", 8 + t));
                    for n in 0..2 {
                        let ms = 200_000 + 10_000 * (a * 5 + t + n) as i64;
                        tracks.push(format!(
                            "('{provider}', '{id}-{n}', 'Song {a} {t} {n}', '{artist}', {ms}, NULL, '{id}')"
                        ));
                    }
                }
            }
            for k in 0..(if v2 { 33 } else { 20 }) {
                // "Intro" by many artists: 60 records at first, 99 later, past the block size.
                releases.push(format!("('{provider}', 'intro{k}', 'Intro', 'Artist {k}', 2001, 1, NULL, NULL)"));
            }
        }
        ids.push("('release', 'deezer', '010', 'gtin', '5000000000010', 'own')".to_string());
        ids.push("('release', 'musicbrainz', '110', 'gtin', '5000000000010', 'own')".to_string());
        if v2 {
            ids.push("('release', 'spotify', '211', 'gtin', '5000000000211', 'own')".to_string());
            ids.push("('release', 'deezer', '011', 'gtin', '5000000000211', 'own')".to_string());
        }
        db.execute_batch(&format!(
            "CREATE OR REPLACE TABLE intermediate.release_items AS SELECT * FROM (VALUES {}) \
                 t(provider, item_id, title, artist, year, track_count, gtin, disambiguation); \
             CREATE OR REPLACE TABLE intermediate.track_items AS SELECT * FROM (VALUES {}) \
                 t(provider, item_id, title, artist, duration_ms, disambiguation, release_item_id); \
             CREATE OR REPLACE TABLE intermediate.item_identifiers AS SELECT * FROM (VALUES {}) \
                 t(entity, provider, item_id, kind, value, via); \
             CREATE OR REPLACE TABLE intermediate.exact_links AS \
             SELECT a.entity, a.provider AS left_provider, a.item_id AS left_id, b.provider AS right_provider, \
                 b.item_id AS right_id, a.kind AS method \
             FROM intermediate.item_identifiers a JOIN intermediate.item_identifiers b \
                 ON a.entity = b.entity AND a.kind = b.kind AND a.value = b.value \
                 AND (a.provider, a.item_id) < (b.provider, b.item_id);",
            releases.join(", "),
            tracks.join(", "),
            ids.join(", ")
        ))
        .unwrap();
    }

    fn warehouse() -> Connection {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE SCHEMA intermediate; CREATE SCHEMA meta;").unwrap();
        db
    }

    fn rows(db: &Connection, sql: &str) -> Vec<String> {
        let mut stmt = db.prepare(&format!("SELECT CAST(t AS VARCHAR) FROM ({sql}) t ORDER BY 1")).unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    }

    #[test]
    fn linking_what_changed_ends_where_linking_everything_with_the_kept_model_ends() {
        let db = warehouse();
        catalog(&db, false);
        super::super::fuzzy_links::model().rust.unwrap()(&db, Run::Full { keep_model: false }).unwrap();
        let first = rows(&db, "SELECT * FROM intermediate.fuzzy_links");
        catalog(&db, true);
        update(&db).unwrap();

        let full = warehouse();
        catalog(&full, true);
        for t in [link_state::MODEL, link_state::TERMS] {
            let kept = rows(&db, &format!("SELECT * FROM {t}"));
            assert!(!kept.is_empty(), "{t} kept");
        }
        // The kept model, carried as `--keep-model` carries it.
        let path = tempfile::tempdir().unwrap();
        let file = path.path().join("kept.duckdb");
        db.execute_batch(&format!(
            "ATTACH '{}' AS kept; CREATE SCHEMA kept.intermediate; \
             CREATE TABLE kept.{m} AS SELECT * FROM {m}; CREATE TABLE kept.{t} AS SELECT * FROM {t}; DETACH kept;",
            file.display(),
            m = link_state::MODEL,
            t = link_state::TERMS
        ))
        .unwrap();
        full.execute_batch(&format!(
            "DROP TABLE IF EXISTS {m}; DROP TABLE IF EXISTS {t}; ATTACH '{}' AS kept (READ_ONLY); \
             CREATE TABLE {m} AS SELECT * FROM kept.{m}; CREATE TABLE {t} AS SELECT * FROM kept.{t}; DETACH kept;",
            file.display(),
            m = link_state::MODEL,
            t = link_state::TERMS
        ))
        .unwrap();
        super::super::fuzzy_links::model().rust.unwrap()(&full, Run::Full { keep_model: true }).unwrap();

        for table in ["intermediate.fuzzy_links", "intermediate.link_candidates", link_state::MODEL] {
            let (a, b) = (rows(&db, &format!("SELECT * FROM {table}")), rows(&full, &format!("SELECT * FROM {table}")));
            assert_eq!(a, b, "{table}: linking what changed differs from linking everything");
        }
        let now = rows(&db, "SELECT * FROM intermediate.fuzzy_links");
        assert!(now.len() > 20 && now != first, "the landing changed the links: {} then {}", first.len(), now.len());
        let left = rows(
            &db,
            "SELECT right_id FROM intermediate.fuzzy_links WHERE outcome = 'auto' AND left_id = '000' \
             AND entity = 'release'",
        );
        assert!(left.is_empty(), "the retitled release left its cluster: {left:?}");
        let intro = rows(
            &db,
            "SELECT * FROM intermediate.link_candidates WHERE left_id LIKE 'intro%' AND right_id LIKE 'intro%'",
        );
        assert!(intro.len() < 99 * 98 / 2, "the common title no longer blocks: {}", intro.len());
    }

    #[test]
    fn an_item_moves_when_its_class_gains_or_loses_a_member() {
        // Items 0-1 one class before and after; 2-3 one class, then 4 joins it; 5 leaves 6.
        let before = [Some(0), Some(0), Some(2), Some(2), None, Some(5), Some(5)];
        let after = [Some(9), Some(9), Some(3), Some(3), Some(3), Some(5), Some(6)];
        assert_eq!(moved(&before, &after), [false, false, true, true, true, true, true]);
        assert_eq!(moved(&[Some(1), None], &[None, None]), [true, false], "a removed item moves");
    }
}
