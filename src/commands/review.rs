//! `liner review`: the fuzzy matches waiting for a person, side by side; `accept` and
//! `reject` record the person's word in state, where it wins on every rebuild; the
//! decisions go out to and come back from CSV.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, bail};
use duckdb::Connection;

use crate::stored::state::{ReviewDecision, State};

fn open(warehouse: &Path) -> anyhow::Result<Connection> {
    crate::stored::queries::open(warehouse)
}

fn opt(v: Option<String>) -> String {
    v.unwrap_or_else(|| "-".into())
}

/// The queue, best scores first, each pair side by side with its match probability,
/// why it waits, and the evidence: each comparison's level and weight in bits.
pub fn list(warehouse: &Path, limit: usize) -> anyhow::Result<String> {
    let db = open(warehouse)?;
    let total: i64 = crate::stored::queries::review_waiting(&db)?.iter().map(|(_, n)| n).sum();
    let mut out = String::new();
    for pair in crate::stored::queries::review_queue(&db, limit)? {
        let size_unit = if pair.entity == "release" { "tracks" } else { "ms" };
        let _ = writeln!(
            out,
            "{}  {}  match probability {:.2}  ({})",
            pair.review_id,
            pair.entity,
            pair.score,
            opt(pair.reason.clone())
        );
        let sides = [
            (&pair.left_provider, &pair.left_id, &pair.left_title, &pair.left_artist, &pair.left_date, pair.left_size),
            (
                &pair.right_provider,
                &pair.right_id,
                &pair.right_title,
                &pair.right_artist,
                &pair.right_date,
                pair.right_size,
            ),
        ];
        for (provider, id, title, artist, date, size) in sides {
            let _ = writeln!(
                out,
                "  {:<12} {:<24} {:<40} {:<28} {:<10} {} {size_unit}",
                provider,
                id,
                opt(title.clone()),
                opt(artist.clone()),
                opt(date.clone()),
                size.map_or("-".into(), |n| n.to_string()),
            );
        }
        let runner_up = match (&pair.runner_up_id, pair.runner_up_score) {
            (Some(id), Some(score)) => format!("runner-up {id} ({score:.2})"),
            _ => "no runner-up".into(),
        };
        let exact = pair.exact_method.as_ref().map_or(String::new(), |m| format!("linked by {m}; "));
        let _ = writeln!(out, "  {exact}{}  {runner_up}", opt(pair.evidence.clone()));
        out.push('\n');
    }
    let _ = writeln!(out, "{total} pair(s) wait for review. `liner review accept ID` or `liner review reject ID`.");
    Ok(out)
}

/// Records `decision` for a queued pair (by its review id) or an existing link (by
/// its link id: a wrong link is rejected that way).
pub fn decide(warehouse: &Path, state: &State, id: &str, decision: &str) -> anyhow::Result<ReviewDecision> {
    let db = open(warehouse)?;
    let found = db
        .query_row(
            "SELECT entity, left_provider, left_id, right_provider, right_id FROM canonical.review_queue WHERE review_id = ? \
             UNION ALL \
             SELECT entity, left_provider, left_id, right_provider, right_id FROM canonical.links WHERE link_id = ? \
             LIMIT 1",
            [id, id],
            |r| {
                Ok(ReviewDecision {
                    entity: r.get(0)?,
                    left_provider: r.get(1)?,
                    left_id: r.get(2)?,
                    right_provider: r.get(3)?,
                    right_id: r.get(4)?,
                    decision: decision.to_string(),
                })
            },
        )
        .ok()
        .with_context(|| format!("{id:?} is neither a review id of `liner review` nor a link id of canonical.links"))?;
    state.decide(&found)?;
    Ok(found)
}

pub fn export(state: &State, path: &Path) -> anyhow::Result<usize> {
    let mut w = csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
    let decisions = state.review_decisions()?;
    for d in &decisions {
        w.serialize(d)?;
    }
    w.flush()?;
    Ok(decisions.len())
}

/// Reads every row first: a bad row stops the import before anything is recorded.
pub fn import(state: &State, path: &Path) -> anyhow::Result<usize> {
    let mut r = csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let mut decisions = Vec::new();
    for (i, row) in r.deserialize::<ReviewDecision>().enumerate() {
        let line = i + 2;
        let d = row.with_context(|| format!("{} line {line}", path.display()))?;
        if !matches!(d.decision.as_str(), "accept" | "reject") {
            bail!("{} line {line}: decision {:?} is neither accept nor reject", path.display(), d.decision);
        }
        if !matches!(d.entity.as_str(), "release" | "track") {
            bail!("{} line {line}: entity {:?} is neither release nor track", path.display(), d.entity);
        }
        decisions.push(d);
    }
    for d in &decisions {
        state.decide(d)?;
    }
    Ok(decisions.len())
}
