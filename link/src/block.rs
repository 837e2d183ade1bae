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

use crate::cluster::complete_groups;
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

/// Every record's keys as (key, record), by key.
pub type KeyRows = Vec<(u64, u32)>;

/// Each record's keys, sorted and each once; none for a record whose exact group is
/// complete.
pub(crate) fn record_keys(entity: Entity, records: &[Record], complete: &[bool]) -> Vec<Vec<u64>> {
    let h = foldhash::fast::FixedState::with_seed(0x6c69_6e65_72);
    records
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let mut k = Vec::new();
            if !complete[i] {
                keys(entity, r, &h, &mut k);
                k.sort_unstable();
                k.dedup();
            }
            k
        })
        .collect()
}

/// Candidate pairs (i < j), each once: records of different providers and of
/// different exact groups (those are linked already) that share a key. Records whose
/// exact group is complete take no part (`complete_groups`). With them, every record's
/// keys as (key, record), by key.
pub fn candidates(entity: Entity, records: &[Record]) -> anyhow::Result<(Vec<(u32, u32)>, KeyRows)> {
    let complete = complete_groups(entity, records);
    let per_record = record_keys(entity, records, &complete);
    let (mut key_col, mut idx_col) = (Vec::new(), Vec::new());
    for (i, ks) in per_record.iter().enumerate() {
        key_col.extend_from_slice(ks);
        idx_col.extend(std::iter::repeat_n(i as u32, ks.len()));
    }
    drop(per_record);
    // polars sorts the rows into blocks: each key's records together, in record order.
    let sorted = df!("key" => key_col, "idx" => idx_col)?
        .lazy()
        .sort(["key", "idx"], SortMultipleOptions::default())
        .collect()?;
    // Read chunk by chunk: a sorted frame need not be one contiguous slice.
    let keys_sorted = sorted.column("key")?.as_materialized_series().u64()?.into_no_null_iter();
    let idx_sorted = sorted.column("idx")?.as_materialized_series().u32()?.into_no_null_iter();
    let rows: Vec<(u64, u32)> = keys_sorted.zip(idx_sorted).collect();
    drop(sorted);
    let blocks: Vec<&[(u64, u32)]> =
        rows.chunk_by(|a, b| a.0 == b.0).filter(|b| (2..=MAX_BLOCK as usize).contains(&b.len())).collect();
    let mut pairs: Vec<u64> = blocks
        .par_iter()
        .flat_map_iter(|block| {
            let mut out = Vec::new();
            for (x, &(_, a)) in block.iter().enumerate() {
                for &(_, b) in &block[x + 1..] {
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
    Ok((pairs.into_iter().map(|p| ((p >> 32) as u32, p as u32)).collect(), rows))
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
        let pairs = candidates(Entity::Track, &grouped(records)).unwrap().0;
        for want in [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3)] {
            assert!(pairs.contains(&want), "{want:?} in {pairs:?}");
        }
        assert!(!pairs.contains(&(0, 4)), "one provider's two records are not compared");
        assert!(pairs.iter().all(|(a, b)| *a != 5 && *b != 5), "{pairs:?}");
    }

    #[test]
    fn a_key_shared_by_too_many_records_makes_no_pairs() {
        // Only the title is shared: every artist is another.
        let intros = |n: u32| grouped((0..n).map(|i| rec((i % 2) as u16, "Intro", &format!("Band {i}"), 0)).collect());
        let within = candidates(Entity::Track, &intros(MAX_BLOCK)).unwrap().0;
        assert_eq!(
            within.len() as u32,
            (MAX_BLOCK / 2) * (MAX_BLOCK / 2),
            "a block of {MAX_BLOCK} pairs across providers"
        );
        assert!(candidates(Entity::Track, &intros(MAX_BLOCK + 1)).unwrap().0.is_empty(), "one record more: too common");
    }

    #[test]
    fn releases_of_a_complete_group_are_not_compared_and_recordings_always_are() {
        let release = |provider: u16, group: u32| {
            let mut r = Record::new(&Item {
                provider,
                title: "Discovery".into(),
                credit: "Daft Punk".into(),
                year: Some(2001),
                ..Item::default()
            });
            r.group = group;
            r
        };
        // 0 and 1 share a barcode (one group of both providers); 2 is a second listing.
        let records = vec![release(0, 0), release(1, 0), release(1, 2)];
        assert_eq!(complete_groups(Entity::Release, &records), [true, true, false]);
        assert!(candidates(Entity::Release, &records).unwrap().0.is_empty(), "MusicBrainz's side is taken");
        // A third provider's listing opens the group again: it may join it.
        let records = vec![release(0, 0), release(1, 0), release(2, 2)];
        assert_eq!(candidates(Entity::Release, &records).unwrap().0, [(0, 2), (1, 2)]);
        assert_eq!(complete_groups(Entity::Track, &records), [false, false, false]);
    }
}
