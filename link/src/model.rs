//! A Fellegi-Sunter model learned from the items themselves, as Splink learns one; no
//! labels are needed.
//!
//! - u (how often a level happens by chance) from pairs drawn at random across
//!   providers: nearly all of them are no match.
//! - m (how often a level happens for a true match) by expectation maximisation over
//!   the candidate pairs, in two sessions: the pairs that share a title teach the
//!   other comparisons, the pairs that share an artist teach the title. A comparison
//!   that chose a session's pairs would only learn that it agrees, so it sits out.
//! - The prior: the share of all cross-provider pairs that match, found as the
//!   fixed point of "matches expected among the candidates" over all pairs.
//! - Term frequencies: an exact title or artist is weighed by how rare it is ("Intro",
//!   "Greatest Hits" and "Various Artists" say little, a rare title much).
//!
//! A level's weight is never above the weight of a closer level: a closer agreement is
//! never weaker evidence (EM on data it does not fit can say otherwise).

use crate::Entity;
use crate::compare::{ARTIST, COMPARISONS, Levels, TITLE, level_names};

const N: usize = COMPARISONS.len();

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub entity: Entity,
    pub m: [Vec<f64>; N],
    pub u: [Vec<f64>; N],
    /// log2(m/u), made monotone.
    pub weights: [Vec<f64>; N],
    /// log2 of the prior odds that two random records of different providers match.
    pub prior_bits: f64,
}

fn blank(entity: Entity) -> [Vec<f64>; N] {
    std::array::from_fn(|c| vec![0.0; level_names(entity, c).len()])
}

/// u: the share of each level among random pairs, smoothed so that a level never seen
/// by chance is rare, not impossible.
pub fn u_from_random(entity: Entity, random: &[Levels]) -> [Vec<f64>; N] {
    let mut u = blank(entity);
    for levels in random {
        for (c, l) in levels.iter().enumerate() {
            if let Some(l) = l {
                u[c][*l as usize] += 1.0;
            }
        }
    }
    for row in &mut u {
        let total: f64 = row.iter().sum();
        let k = row.len() as f64;
        for x in row.iter_mut() {
            *x = (*x + 0.5) / (total + 0.5 * k);
        }
    }
    u
}

/// Where m starts: most matches agree, a few disagree, whatever the comparison.
fn m_start(entity: Entity) -> [Vec<f64>; N] {
    let mut m = blank(entity);
    for row in &mut m {
        let k = row.len();
        for (l, x) in row.iter_mut().enumerate() {
            *x = 0.5f64.powi(l as i32 + 1) + if l + 1 == k { 0.5f64.powi(k as i32) } else { 0.0 };
        }
    }
    m
}

/// One EM session over level patterns (with their counts), u fixed: m of the
/// comparisons in `learn` and the session's share of matches.
fn em(patterns: &[(Levels, f64)], u: &[Vec<f64>; N], mut m: [Vec<f64>; N], learn: &[usize]) -> [Vec<f64>; N] {
    let mut lambda = 0.5;
    for _ in 0..60 {
        let mut num = blank_like(&m);
        let mut den = [0.0; N];
        let (mut matched, mut total) = (0.0, 0.0);
        for (levels, count) in patterns {
            let (mut pm, mut pu) = (lambda, 1.0 - lambda);
            for &c in learn {
                if let Some(l) = levels[c] {
                    pm *= m[c][l as usize];
                    pu *= u[c][l as usize];
                }
            }
            let p = pm / (pm + pu);
            matched += p * count;
            total += count;
            for &c in learn {
                if let Some(l) = levels[c] {
                    num[c][l as usize] += p * count;
                    den[c] += p * count;
                }
            }
        }
        let before = lambda;
        lambda = (matched / total).clamp(1e-6, 1.0 - 1e-6);
        for &c in learn {
            if den[c] > 0.0 {
                let k = m[c].len() as f64;
                for (l, x) in m[c].iter_mut().enumerate() {
                    *x = (num[c][l] + 0.01) / (den[c] + 0.01 * k);
                }
            }
        }
        if (lambda - before).abs() < 1e-7 {
            break;
        }
    }
    m
}

fn blank_like(m: &[Vec<f64>; N]) -> [Vec<f64>; N] {
    std::array::from_fn(|c| vec![0.0; m[c].len()])
}

fn patterns<'a>(pairs: impl Iterator<Item = &'a Levels>) -> Vec<(Levels, f64)> {
    let mut counts: foldhash::HashMap<Levels, f64> = foldhash::HashMap::default();
    for l in pairs {
        *counts.entry(*l).or_default() += 1.0;
    }
    let mut out: Vec<(Levels, f64)> = counts.into_iter().collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

impl Model {
    /// Learns m and the prior from the candidate pairs' levels; `all_pairs` is the
    /// number of cross-provider pairs there are.
    pub fn learn(entity: Entity, u: [Vec<f64>; N], candidates: &[Levels], all_pairs: f64) -> Model {
        let others: Vec<usize> = (0..N).filter(|c| *c != TITLE && *c != ARTIST).collect();
        let same_title = patterns(candidates.iter().filter(|l| l[TITLE] == Some(0)));
        let same_artist = patterns(candidates.iter().filter(|l| l[ARTIST] == Some(0)));
        let learn_a: Vec<usize> = std::iter::once(ARTIST).chain(others.iter().copied()).collect();
        let learn_t: Vec<usize> = std::iter::once(TITLE).chain(others.iter().copied()).collect();
        let from_titles = em(&same_title, &u, m_start(entity), &learn_a);
        let from_artists = em(&same_artist, &u, m_start(entity), &learn_t);
        let mut m = m_start(entity);
        m[TITLE] = from_artists[TITLE].clone();
        m[ARTIST] = from_titles[ARTIST].clone();
        for &c in &others {
            for l in 0..m[c].len() {
                m[c][l] = (from_titles[c][l] + from_artists[c][l]) / 2.0;
            }
        }
        let mut weights = blank(entity);
        for c in 0..N {
            for l in 0..m[c].len() {
                let w = (m[c][l] / u[c][l]).log2();
                weights[c][l] = if l == 0 { w } else { w.min(weights[c][l - 1]) };
            }
        }
        let mut model = Model { entity, m, u, weights, prior_bits: 0.0 };
        model.prior_bits = model.fit_prior(&patterns(candidates.iter()), all_pairs);
        model
    }

    /// The prior as the fixed point: matches expected among the candidates, over all
    /// pairs (blocking is assumed to find nearly all matches).
    fn fit_prior(&self, patterns: &[(Levels, f64)], all_pairs: f64) -> f64 {
        let bits: Vec<(f64, f64)> = patterns.iter().map(|(l, n)| (self.bits(l, None, None), *n)).collect();
        let mut prior = 1.0 / all_pairs.max(2.0);
        for _ in 0..100 {
            let odds = (prior / (1.0 - prior)).log2();
            let expected: f64 = bits.iter().map(|(b, n)| n * probability(odds + b)).sum();
            let next = (expected / all_pairs.max(2.0)).clamp(1e-12, 0.5);
            if (next / prior - 1.0).abs() < 1e-6 {
                prior = next;
                break;
            }
            prior = next;
        }
        (prior / (1.0 - prior)).log2()
    }

    /// The evidence of a pair in bits (without the prior): the sum of its levels'
    /// weights, an exact title or artist weighed by its term frequency instead.
    pub fn bits(&self, levels: &Levels, title_tf: Option<f64>, artist_tf: Option<f64>) -> f64 {
        (0..N)
            .map(|c| {
                self.weight(
                    c,
                    levels[c],
                    if c == TITLE {
                        title_tf
                    } else if c == ARTIST {
                        artist_tf
                    } else {
                        None
                    },
                )
            })
            .sum()
    }

    /// One comparison's weight at a level; at the exact level a term frequency (the
    /// share of records with that value) stands for u, but never below the next
    /// level's weight.
    pub fn weight(&self, c: usize, level: Option<u8>, tf: Option<f64>) -> f64 {
        let Some(l) = level.map(usize::from) else { return 0.0 };
        match tf {
            Some(tf) if l == 0 && self.weights[c].len() > 1 => {
                (self.m[c][0] / tf.max(1e-9)).log2().max(self.weights[c][1])
            }
            _ => self.weights[c][l],
        }
    }

    /// The model's own account: each level's m, u and weight.
    pub fn describe(&self) -> String {
        let mut out = format!("prior {:+.1} bits\n", self.prior_bits);
        for c in 0..N {
            let names = level_names(self.entity, c);
            let parts: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(l, n)| format!("{n} m={:.3} u={:.4} {:+.1}", self.m[c][l], self.u[c][l], self.weights[c][l]))
                .collect();
            out.push_str(&format!("  {}: {}\n", COMPARISONS[c], parts.join("; ")));
        }
        out
    }
}

pub fn probability(bits: f64) -> f64 {
    1.0 / (1.0 + (-bits).exp2())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A world where matches agree on title and artist and mostly on length, and
    /// non-matches of one artist differ in title: EM must find agreement the match.
    #[test]
    fn em_learns_that_agreement_means_a_match_and_the_prior_counts_matches() {
        let random: Vec<Levels> = (0..1000)
            .map(|i| {
                [
                    Some(if i % 100 == 0 { 0 } else { 4 }),
                    Some(if i % 50 == 0 { 0 } else { 4 }),
                    None,
                    Some((i % 5) as u8),
                    None,
                    None,
                    None,
                ]
            })
            .collect();
        let u = u_from_random(Entity::Track, &random);
        let mut candidates = Vec::new();
        for i in 0..300 {
            // matches: same title, same artist, length close
            candidates.push([Some(0), Some(0), None, Some(if i % 10 == 0 { 2 } else { 0 }), None, None, None]);
        }
        for i in 0..900 {
            // same artist, another song
            candidates.push([
                Some(if i % 30 == 0 { 2 } else { 4 }),
                Some(0),
                None,
                Some((i % 5) as u8),
                None,
                None,
                None,
            ]);
            // same title, another artist
            if i % 3 == 0 {
                candidates.push([Some(0), Some(4), None, Some((i % 5) as u8), None, None, None]);
            }
        }
        let model = Model::learn(Entity::Track, u, &candidates, 100_000.0);
        println!("{}", model.describe());
        assert!(model.weights[TITLE][0] > 3.0 && model.weights[TITLE][4] < 0.0);
        assert!(model.weights[ARTIST][0] > 3.0 && model.weights[ARTIST][4] < 0.0);
        assert!(model.weights[3][0] > 0.0 && model.weights[3][4] < 0.0);
        for c in 0..N {
            assert!(model.weights[c].windows(2).all(|w| w[0] >= w[1]), "monotone: {:?}", model.weights[c]);
        }
        let expected_matches = (model.prior_bits.exp2() / (1.0 + model.prior_bits.exp2())) * 100_000.0;
        assert!((200.0..400.0).contains(&expected_matches), "about 300 matches: {expected_matches}");
    }
}
