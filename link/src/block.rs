//! Blocking: the candidate pairs worth scoring. Comparing everything with everything
//! is quadratic; two items are only compared when they share an artist (by key) and
//! either the first letters of the title or the year. Each item has a block row per
//! artist of its credit, so "A feat. B" meets both A's and B's items.

use std::collections::HashSet;

use polars::prelude::*;

use crate::Item;

/// How many leading characters of the title base make a block.
const PREFIX: usize = 3;

fn prefix(title: &str) -> String {
    title.chars().filter(|c| !c.is_whitespace()).take(PREFIX).collect()
}

/// One row per (item, artist): its index, the artist, the title prefix, the year.
fn block_rows(items: &[Item], index: &str) -> PolarsResult<DataFrame> {
    let mut idx: Vec<u32> = Vec::new();
    let mut artist: Vec<String> = Vec::new();
    let mut pre: Vec<String> = Vec::new();
    let mut year: Vec<Option<i32>> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        for a in &item.artists {
            idx.push(i as u32);
            artist.push(a.clone());
            pre.push(prefix(&item.title));
            year.push(item.year);
        }
    }
    df!(index => idx, "artist" => artist, "prefix" => pre, "year" => year)
}

/// Index pairs (left, right) that share a block, each pair once.
pub fn candidates(left: &[Item], right: &[Item]) -> anyhow::Result<Vec<(u32, u32)>> {
    let l = block_rows(left, "l")?;
    let r = block_rows(right, "r")?;
    let mut pairs: HashSet<(u32, u32)> = HashSet::new();
    for keys in [["artist", "prefix"], ["artist", "year"]] {
        let on: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
        let joined = l
            .clone()
            .lazy()
            .join(r.clone().lazy(), on.clone(), on, JoinArgs::new(JoinType::Inner))
            .select([col("l"), col("r")])
            .collect()?;
        let ls = joined.column("l")?.as_materialized_series().u32()?.clone();
        let rs = joined.column("r")?.as_materialized_series().u32()?.clone();
        // Join keys and indices are never null: the values are the rows.
        let values =
            |ca: &UInt32Chunked| -> Vec<u32> { ca.downcast_iter().flat_map(|a| a.values().iter().copied()).collect() };
        pairs.extend(values(&ls).into_iter().zip(values(&rs)));
    }
    let mut out: Vec<(u32, u32)> = pairs.into_iter().collect();
    out.sort_unstable();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, title: &str, artists: &[&str], year: Option<i32>) -> Item {
        Item {
            id: id.into(),
            title: title.into(),
            variant: String::new(),
            artists: artists.iter().map(|a| a.to_string()).collect(),
            year,
            track_count: None,
            duration_ms: None,
        }
    }

    #[test]
    fn only_items_sharing_an_artist_and_a_prefix_or_year_are_compared() {
        let left = vec![
            item("a", "discovery", &["daft punk"], Some(2001)),
            item("b", "homework", &["daft punk"], Some(1997)),
            item("c", "hello", &["adele", "daft punk"], None),
        ];
        let right = vec![
            item("x", "discovery", &["daft punk"], None),
            item("y", "human after all", &["daft punk"], Some(1997)),
            item("z", "discovery", &["someone else"], Some(2001)),
        ];
        let pairs = candidates(&left, &right).unwrap();
        assert_eq!(pairs, [(0, 0), (1, 1)], "same artist and prefix; same artist and year; never another artist");
    }
}
