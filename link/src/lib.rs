//! liner-link: links what exact identifiers leave unlinked.
//!
//! Two sides (one provider's releases, another's; or tracks) are compared only within
//! blocks: the same artist (any artist of the credit, by key) and either the same
//! title prefix or the same year. polars does the blocking joins; each candidate pair
//! is scored over title, version, artists, track count (or duration) and year with
//! strsim; then each item's best candidate is auto-linked when it scores at least 0.90,
//! is the other side's best too, and leads its runner-up by a clear margin; 0.70 to
//! 0.90, or too close a call, goes to a person; below 0.70 nothing is linked.

mod block;
mod decide;
mod score;

pub use block::candidates;
pub use decide::{Decision, Outcome, Thresholds, decide};
pub use score::{Components, score};

/// One item as the linker sees it: normalized keys, not raw strings.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    /// `title_base` of liner-normalize.
    pub title: String,
    /// The version words ("2011 remaster", "deluxe edition"), empty for the plain work.
    pub variant: String,
    /// Artist keys of the credit, sorted.
    pub artists: Vec<String>,
    pub year: Option<i32>,
    /// Releases: the number of tracks.
    pub track_count: Option<u32>,
    /// Tracks: the length in milliseconds.
    pub duration_ms: Option<u32>,
}

/// What is compared: releases weigh track counts and years, tracks their lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Release,
    Track,
}

/// Links one side to the other: every item of `left` with its best candidate on the
/// `right`, scored and decided. `right_groups` names the right items already known to
/// be one (see `decide`).
pub fn link(
    entity: Entity,
    left: &[Item],
    right: &[Item],
    right_groups: &[u32],
    thresholds: Thresholds,
) -> anyhow::Result<Vec<Decision>> {
    let pairs = candidates(left, right)?;
    let scored: Vec<(u32, u32, Components)> =
        pairs.into_iter().map(|(l, r)| (l, r, score(entity, &left[l as usize], &right[r as usize]))).collect();
    Ok(decide(left, right, right_groups, scored, thresholds))
}
