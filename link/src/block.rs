//! Blocking: the pairs worth comparing. Every record gets several keys, and two
//! records of different providers become candidates when any key of theirs is shared,
//! so that one spelling that goes wrong (an artist fused into the title, a typo at the
//! start of a title, "Ke$ha" for "Kesha", a missing artist) does not keep a pair apart:
//!
//! - the title without spaces, and the part of it before a " - ";
//! - each artist with the first four letters of the title, or with its last four;
//! - each artist with the length (5 s buckets, shifted twice so that a bucket edge
//!   never splits two lengths 2 s apart) or, for releases, the year;
//! - for tracks, the length with the title's first letters (no artist needed).
//!
//! A key shared by more than `MAX_BLOCK` records ("intro" alone) says too little to be
//! worth its pairs; the other keys still meet those records.

use std::hash::{BuildHasher, Hash};

use polars::prelude::*;
use rayon::prelude::*;

use crate::{Entity, Record};

pub const MAX_BLOCK: u32 = 64;

fn key(hasher: &foldhash::fast::FixedState, parts: impl Hash) -> u64 {
    hasher.hash_one(parts)
}

fn first(s: &str, n: usize) -> &str {
    let end = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    &s[..end]
}

fn last(s: &str, n: usize) -> &str {
    let count = s.chars().count();
    let start = s.char_indices().nth(count.saturating_sub(n)).map_or(0, |(i, _)| i);
    &s[start..]
}

fn keys(entity: Entity, r: &Record, h: &foldhash::fast::FixedState, out: &mut Vec<u64>) {
    let t = r.p.nospace.as_str();
    if t.len() >= 2 {
        out.push(key(h, ("t", t)));
    }
    if !r.p.head.is_empty() && r.p.head != t {
        out.push(key(h, ("t", r.p.head.as_str())));
    }
    let buckets: Vec<u32> = match (entity, r.size) {
        (Entity::Track, Some(ms)) if ms > 0 => vec![ms / 5_000, (ms + 2_500) / 5_000 + 1_000_000],
        _ => r.year.map(|y| vec![y as u32 + 2_000_000]).unwrap_or_default(),
    };
    for a in &r.artist_keys {
        out.push(key(h, ("a", a.as_str(), first(t, 4))));
        out.push(key(h, ("z", a.as_str(), last(t, 4))));
        if !r.p.head.is_empty() {
            out.push(key(h, ("a", a.as_str(), first(&r.p.head, 4))));
        }
        for b in &buckets {
            out.push(key(h, ("s", a.as_str(), *b)));
        }
    }
    if entity == Entity::Track {
        for b in buckets.iter().filter(|b| **b < 2_000_000) {
            out.push(key(h, ("d", first(t, 3), *b)));
        }
    }
}

/// Candidate pairs (i < j), each once: records of different providers and of
/// different exact groups (those are linked already) that share a key.
pub fn candidates(entity: Entity, records: &[Record]) -> anyhow::Result<Vec<(u32, u32)>> {
    let h = foldhash::fast::FixedState::with_seed(0x6c69_6e65_72);
    let per_record: Vec<Vec<u64>> = records
        .par_iter()
        .map(|r| {
            let mut k = Vec::new();
            keys(entity, r, &h, &mut k);
            k.sort_unstable();
            k.dedup();
            k
        })
        .collect();
    let (mut key_col, mut idx_col) = (Vec::new(), Vec::new());
    for (i, ks) in per_record.iter().enumerate() {
        for k in ks {
            key_col.push(*k);
            idx_col.push(i as u32);
        }
    }
    drop(per_record);
    // polars sorts the rows into blocks and drops the blocks too large or too small.
    let size = len().over([col("key")])?;
    let blocks = df!("key" => key_col, "idx" => idx_col)?
        .lazy()
        .filter(size.clone().gt_eq(lit(2u32)).and(size.lt_eq(lit(MAX_BLOCK))))
        .sort(["key", "idx"], SortMultipleOptions::default())
        .collect()?;
    let keys: Vec<u64> = blocks.column("key")?.as_materialized_series().u64()?.into_no_null_iter().collect();
    let idx: Vec<u32> = blocks.column("idx")?.as_materialized_series().u32()?.into_no_null_iter().collect();
    let mut starts = vec![0usize];
    for i in 1..keys.len() {
        if keys[i] != keys[i - 1] {
            starts.push(i);
        }
    }
    starts.push(keys.len());
    let mut pairs: Vec<u64> = starts
        .par_windows(2)
        .flat_map_iter(|w| {
            let block = &idx[w[0]..w[1]];
            let mut out = Vec::new();
            for (x, &a) in block.iter().enumerate() {
                for &b in &block[x + 1..] {
                    let (ra, rb) = (&records[a as usize], &records[b as usize]);
                    if ra.provider != rb.provider && ra.group != rb.group {
                        out.push((u64::from(a) << 32) | u64::from(b));
                    }
                }
            }
            out
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    Ok(pairs.into_iter().map(|p| ((p >> 32) as u32, p as u32)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Item;

    fn rec(provider: u16, title: &str, credit: &str, ms: u32) -> Record {
        Record::new(&Item { provider, title: title.into(), credit: credit.into(), size: Some(ms), ..Item::default() })
    }

    fn grouped(mut records: Vec<Record>) -> Vec<Record> {
        for (i, r) in records.iter_mut().enumerate() {
            r.group = i as u32;
        }
        records
    }

    #[test]
    fn pairs_meet_through_any_one_key() {
        let records = vec![
            rec(0, "Pitch Black", "X-Fusion", 317_000),
            rec(1, "PitchBlack", "X-Fusion", 317_000), // spaces lost: the title key
            rec(2, "Pithc Black", "X-Fusion", 316_000), // a typo: artist and length
            rec(3, "X-Fusion - Pitch Black", "", 0),   // the artist fused in
            rec(0, "Pitch Black", "X-Fusion", 317_000), // the same provider: never
            rec(1, "Something Else", "Another", 100_000), // nothing shared
        ];
        let pairs = candidates(Entity::Track, &grouped(records)).unwrap();
        for want in [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3)] {
            assert!(pairs.contains(&want), "{want:?} in {pairs:?}");
        }
        assert!(!pairs.contains(&(0, 4)), "one provider's two records are not compared");
        assert!(pairs.iter().all(|(a, b)| *a != 5 && *b != 5), "{pairs:?}");
    }
}
