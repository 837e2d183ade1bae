//! Deciding: each left item's best candidate, with its runner-up. Auto-linked when
//! the score is at least `auto`, the right item has no better left item (mutual best),
//! and the runner-up trails by at least `margin`; sent to review when the score is at
//! least `review` (or high but too close to call); otherwise no link.

use std::collections::HashMap;

use crate::{Components, Item};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub auto: f64,
    pub review: f64,
    /// How far the best must lead the runner-up to be auto-linked.
    pub margin: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { auto: 0.90, review: 0.70, margin: 0.05 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Auto,
    Review,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Auto => "auto",
            Outcome::Review => "review",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub left: String,
    pub right: String,
    pub outcome: Outcome,
    pub components: Components,
    /// The next best candidate of the left item, and its score.
    pub runner_up: Option<(String, f64)>,
    /// Why it was not auto-linked, when it was not.
    pub reason: Option<String>,
}

/// `right_groups[i]` says which right items are already known to be one (the same
/// recording listed twice, on an album and its single): a runner-up of the best's own
/// group is no rival.
pub fn decide(
    left: &[Item],
    right: &[Item],
    right_groups: &[u32],
    scored: Vec<(u32, u32, Components)>,
    t: Thresholds,
) -> Vec<Decision> {
    // Each item's two best candidates, on both sides.
    let mut by_left: HashMap<u32, Vec<(u32, Components)>> = HashMap::new();
    let mut best_for_right: HashMap<u32, f64> = HashMap::new();
    for (l, r, c) in scored {
        by_left.entry(l).or_default().push((r, c));
        let b = best_for_right.entry(r).or_insert(0.0);
        *b = b.max(c.total);
    }
    let mut out = Vec::new();
    let mut lefts: Vec<u32> = by_left.keys().copied().collect();
    lefts.sort_unstable();
    for l in lefts {
        let mut cands = by_left.remove(&l).unwrap_or_default();
        cands.sort_by(|a, b| b.1.total.total_cmp(&a.1.total).then(a.0.cmp(&b.0)));
        let (r, c) = cands[0];
        if c.total < t.review {
            continue;
        }
        let group = right_groups[r as usize];
        let runner_up = cands
            .iter()
            .skip(1)
            .find(|(r2, _)| right_groups[*r2 as usize] != group)
            .map(|(r2, c2)| (right[*r2 as usize].id.clone(), c2.total));
        let margin = runner_up.as_ref().map_or(1.0, |(_, s)| c.total - s);
        let mutual = best_for_right.get(&r).is_none_or(|b| c.total >= *b);
        let (outcome, reason) = if c.total < t.auto {
            (Outcome::Review, Some(format!("score {:.2} is below {:.2}", c.total, t.auto)))
        } else if margin < t.margin {
            (Outcome::Review, Some(format!("the runner-up is only {margin:.2} behind")))
        } else if !mutual {
            (Outcome::Review, Some("another item matches the right side better".to_string()))
        } else {
            (Outcome::Auto, None)
        };
        out.push(Decision {
            left: left[l as usize].id.clone(),
            right: right[r as usize].id.clone(),
            outcome,
            components: c,
            runner_up,
            reason,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str) -> Item {
        Item {
            id: id.into(),
            title: String::new(),
            variant: String::new(),
            artists: vec![],
            year: None,
            track_count: None,
            duration_ms: None,
        }
    }

    fn c(total: f64) -> Components {
        Components { total, ..Default::default() }
    }

    #[test]
    fn clear_high_scores_link_close_calls_and_middling_ones_go_to_review() {
        let left = vec![item("a"), item("b"), item("c"), item("d")];
        let right = vec![item("x"), item("y"), item("z"), item("w")];
        let scored = vec![
            (0, 0, c(0.97)),
            (0, 1, c(0.60)), // a: clear
            (1, 1, c(0.95)),
            (1, 2, c(0.93)), // b: too close to its runner-up
            (2, 3, c(0.80)), // c: middling
            (3, 3, c(0.50)), // d: no link
        ];
        let d = decide(&left, &right, &[0, 1, 2, 3], scored, Thresholds::default());
        let got: Vec<(&str, &str, Outcome)> =
            d.iter().map(|d| (d.left.as_str(), d.right.as_str(), d.outcome)).collect();
        assert_eq!(got, [("a", "x", Outcome::Auto), ("b", "y", Outcome::Review), ("c", "w", Outcome::Review)]);
        assert_eq!(d[0].runner_up, Some(("y".into(), 0.60)));
        assert!(d[1].reason.as_deref().unwrap().contains("runner-up"));
    }

    #[test]
    fn a_runner_up_known_to_be_the_same_item_is_no_rival() {
        let left = vec![item("a")];
        let right = vec![item("album track"), item("single track")];
        let scored = vec![(0, 0, c(0.98)), (0, 1, c(0.98))];
        let d = decide(&left, &right, &[7, 7], scored.clone(), Thresholds::default());
        assert_eq!((d[0].outcome, d[0].runner_up.clone()), (Outcome::Auto, None));
        let d = decide(&left, &right, &[7, 8], scored, Thresholds::default());
        assert_eq!(d[0].outcome, Outcome::Review, "two different items, equally good: a person decides");
    }

    #[test]
    fn a_right_item_better_matched_by_another_is_not_auto_linked() {
        let left = vec![item("a"), item("b")];
        let right = vec![item("x")];
        let d = decide(&left, &right, &[0], vec![(0, 0, c(0.92)), (1, 0, c(0.99))], Thresholds::default());
        assert_eq!(d[0].outcome, Outcome::Review);
        assert_eq!(d[1].outcome, Outcome::Auto);
    }
}
