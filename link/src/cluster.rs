//! Deciding: which scored pairs are linked, which go to a person, which are dropped.
//!
//! Pairs are taken strongest first and joined into clusters (the exact links' groups
//! to begin with) under one constraint: a cluster holds one release per provider. A
//! recording may hold several listings of one provider when they are the same listing
//! twice (one song on an album and on its deluxe edition: the same title, version and
//! length), and only then. A pair is auto-linked when its match probability is at
//! least `auto`, nothing vetoes it, and each side's best candidate on the other's
//! provider is the other side by a clear lead (`margin` bits) over the runner-up.
//! Close calls, pairs between `review` and `auto`, and strong pairs the constraint
//! refused go to review, when the pair is the best for one of its sides and neither
//! side is linked to the other's provider already.

use crate::compare::Veto;
use crate::{Entity, Record, Scored};

/// A compared pair as deciding needs it: millions of them, so only the sum of the
/// weights; a decision's full evidence is scored again (`Scored`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weighed {
    pub left: u32,
    pub right: u32,
    /// The log2 odds of a match.
    pub bits: f64,
    pub veto: Veto,
}

impl Weighed {
    fn probability(&self) -> f64 {
        crate::model::probability(self.bits)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub auto: f64,
    pub review: f64,
    /// How many bits the best candidate must lead the runner-up by.
    pub margin: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { auto: 0.90, review: 0.70, margin: 1.0 }
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
    /// Indices into the records, `left < right`.
    pub left: u32,
    pub right: u32,
    pub outcome: Outcome,
    pub scored: Scored,
    /// The left side's next best candidate on the right's provider, and its probability.
    pub runner_up: Option<(u32, f64)>,
    pub reason: Option<String>,
}

/// The same listing twice on one provider (tracks only, of providers that list).
fn same_listing(a: &Record, b: &Record) -> bool {
    a.listing
        && b.listing
        && a.p.core == b.p.core
        && a.p.version == b.p.version
        && match (a.size, b.size) {
            (Some(x), Some(y)) => x.abs_diff(y) <= 3_000,
            _ => true,
        }
}

/// Two candidates that are no rivals of each other: one item, one exact group, or one
/// store's two listings of a recording.
fn interchangeable(records: &[Record], a: u32, b: u32) -> bool {
    let (ra, rb) = (&records[a as usize], &records[b as usize]);
    a == b || ra.group == rb.group || same_listing(ra, rb)
}

#[derive(Clone, Copy)]
struct Best {
    best: u32,
    best_bits: f64,
    second: Option<(u32, f64)>,
}

/// Each item's best candidate on each other provider, and the runner-up that is not
/// interchangeable with the best: one slot per item and provider (providers are
/// numbered densely, so the table is small beside the pairs).
struct Sides {
    providers: usize,
    slots: Vec<Best>,
}

impl Sides {
    fn new(records: &[Record], pairs: &[Weighed]) -> Sides {
        let providers = records.iter().map(|r| usize::from(r.provider) + 1).max().unwrap_or(0);
        let empty = Best { best: u32::MAX, best_bits: f64::NEG_INFINITY, second: None };
        let mut sides = Sides { providers, slots: vec![empty; records.len() * providers] };
        let linkable = || pairs.iter().filter(|p| p.veto != Veto::Never);
        let both = |p: &Weighed| [(p.left, p.right, p.bits), (p.right, p.left, p.bits)];
        for pair in linkable() {
            for (i, j, bits) in both(pair) {
                let e = sides.slot_mut(i, records[j as usize].provider);
                if bits > e.best_bits || (bits == e.best_bits && j < e.best) {
                    e.best = j;
                    e.best_bits = bits;
                }
            }
        }
        for pair in linkable() {
            for (i, j, bits) in both(pair) {
                let e = sides.slot_mut(i, records[j as usize].provider);
                if !interchangeable(records, j, e.best) && e.second.is_none_or(|(_, b)| bits > b) {
                    e.second = Some((j, bits));
                }
            }
        }
        sides
    }

    fn slot_mut(&mut self, item: u32, provider: u16) -> &mut Best {
        &mut self.slots[item as usize * self.providers + usize::from(provider)]
    }

    fn get(&self, item: u32, provider: u16) -> Best {
        self.slots[item as usize * self.providers + usize::from(provider)]
    }
}

/// A provider as one bit of a cluster's set of providers.
fn provider_bit(provider: u16) -> u64 {
    1u64 << (provider % 64)
}

/// Which records are in a complete exact group: releases whose group holds one release
/// of every provider there is. A cluster holds one release per provider, so such a
/// record can take no other link, and comparing it would only spend time (most
/// releases carry a barcode, and most of a catalog is linked by it). Recordings never
/// are: a recording may link to several listings of one provider.
pub(crate) fn complete_groups(entity: Entity, records: &[Record]) -> Vec<bool> {
    if entity == Entity::Track {
        return vec![false; records.len()];
    }
    let every = records.iter().fold(0, |m, r| m | provider_bit(r.provider));
    let mut held: foldhash::HashMap<u32, u64> = foldhash::HashMap::default();
    for r in records {
        *held.entry(r.group).or_default() |= provider_bit(r.provider);
    }
    records.iter().map(|r| held[&r.group] == every).collect()
}

struct Clusters {
    parent: Vec<u32>,
    /// Per root: the providers present (bits) and, for tracks, one listing of each.
    providers: Vec<u64>,
    listings: Vec<Vec<(u16, u32)>>,
}

impl Clusters {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let up = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = up;
            x = up;
        }
        x
    }

    fn mergeable(&self, entity: Entity, records: &[Record], a: u32, b: u32) -> bool {
        match entity {
            Entity::Release => self.providers[a as usize] & self.providers[b as usize] == 0,
            Entity::Track => self.listings[a as usize].iter().all(|(p, x)| {
                self.listings[b as usize]
                    .iter()
                    .filter(|(q, _)| q == p)
                    .all(|(_, y)| same_listing(&records[*x as usize], &records[*y as usize]))
            }),
        }
    }

    fn union(&mut self, a: u32, b: u32) {
        let (big, small) =
            if self.listings[a as usize].len() >= self.listings[b as usize].len() { (a, b) } else { (b, a) };
        self.parent[small as usize] = big;
        self.providers[big as usize] |= self.providers[small as usize];
        let moved = std::mem::take(&mut self.listings[small as usize]);
        for (p, x) in moved {
            if !self.listings[big as usize].iter().any(|(q, _)| *q == p) {
                self.listings[big as usize].push((p, x));
            }
        }
    }
}

/// Decides the `pairs`; `scored(i)` gives pair i's full evidence, for the decisions.
pub fn decide(
    entity: Entity,
    records: &[Record],
    pairs: &[Weighed],
    t: Thresholds,
    scored: impl Fn(usize) -> Scored,
) -> Vec<Decision> {
    let best = Sides::new(records, pairs);
    // Clusters start as the exact links' groups.
    let n = records.len();
    let mut c = Clusters { parent: (0..n as u32).collect(), providers: vec![0; n], listings: vec![Vec::new(); n] };
    let mut first_of_group: foldhash::HashMap<u32, u32> = foldhash::HashMap::default();
    for (i, r) in records.iter().enumerate() {
        let root = *first_of_group.entry(r.group).or_insert(i as u32);
        c.parent[i] = root;
        c.providers[root as usize] |= provider_bit(r.provider);
        if !c.listings[root as usize].iter().any(|(p, _)| *p == r.provider) {
            c.listings[root as usize].push((r.provider, i as u32));
        }
    }
    // Only pairs that may be linked or reviewed are ordered: most candidates are not.
    let mut order: Vec<usize> =
        (0..pairs.len()).filter(|&i| pairs[i].veto != Veto::Never && pairs[i].probability() >= t.review).collect();
    order.sort_by(|&x, &y| pairs[y].bits.total_cmp(&pairs[x].bits).then(x.cmp(&y)));
    let mut out = Vec::new();
    let mut review: Vec<(usize, String, Option<(u32, f64)>)> = Vec::new();
    for idx in order {
        let s = pairs[idx];
        let (a, b) = (s.left, s.right);
        let (ra, rb) = (&records[a as usize], &records[b as usize]);
        let side_a = best.get(a, rb.provider);
        let side_b = best.get(b, ra.provider);
        let leads = |side: &Best, other: u32| {
            let margin = side.second.map_or(f64::INFINITY, |(_, bits)| s.bits - bits);
            (interchangeable(records, side.best, other), margin)
        };
        let (a_best, a_margin) = leads(&side_a, b);
        let (b_best, b_margin) = leads(&side_b, a);
        if !a_best && !b_best {
            continue;
        }
        let reason = if s.probability() < t.auto {
            Some(format!("match probability {:.2} is below {:.2}", s.probability(), t.auto))
        } else if s.veto == Veto::NotAuto {
            Some("another edition or number: a person decides".to_string())
        } else if !(a_best && b_best) {
            Some("another item matches one side better".to_string())
        } else if a_margin.min(b_margin) < t.margin {
            Some(format!("the runner-up is only {:.1} bits behind", a_margin.min(b_margin)))
        } else {
            None
        };
        let runner_up = side_a.second.map(|(j, bits)| (j, crate::model::probability(bits)));
        let (ca, cb) = (c.find(a), c.find(b));
        match reason {
            None if ca == cb => {}
            None if c.mergeable(entity, records, ca, cb) => {
                c.union(ca, cb);
                out.push(Decision {
                    left: a,
                    right: b,
                    outcome: Outcome::Auto,
                    scored: scored(idx),
                    runner_up,
                    reason: None,
                });
            }
            None => review.push((idx, format!("the cluster already holds another {} item", entity.noun()), runner_up)),
            Some(r) => review.push((idx, r, runner_up)),
        }
    }
    // Review what the clusters left apart, unless a side is already linked to the
    // other's provider: a stronger pair won that place (a single and the album it
    // shares a title with; one song's two recordings).
    for (idx, reason, runner_up) in review {
        let (a, b) = (pairs[idx].left, pairs[idx].right);
        let (ca, cb) = (c.find(a), c.find(b));
        let (pa, pb) = (records[a as usize].provider, records[b as usize].provider);
        let holds = |root: u32, p: u16| c.providers[root as usize] & provider_bit(p) != 0;
        if ca == cb || holds(ca, pb) || holds(cb, pa) {
            continue;
        }
        out.push(Decision {
            left: a,
            right: b,
            outcome: Outcome::Review,
            scored: scored(idx),
            runner_up,
            reason: Some(reason),
        });
    }
    out
}
