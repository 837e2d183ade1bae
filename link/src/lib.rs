//! liner-link: links what exact identifiers leave unlinked, across every provider at
//! once.
//!
//! 1. `prepare`: each item's title and credit read once (fused artists, appended
//!    release titles, track numbers and store decorations undone; versions sorted).
//! 2. `block`: candidate pairs from several blocking keys (polars sorts the blocks).
//! 3. `compare`: each pair's level on title, artist, version, size, year and code,
//!    and the domain's vetoes (another recording, another volume, another edition).
//! 4. `model`: a Fellegi-Sunter model, u from random pairs, m by EM on the candidates,
//!    term frequencies for titles and artists: each pair's match probability.
//! 5. `cluster`: strongest first, into clusters holding one release per provider;
//!    auto-linked at 0.90 with a clear lead, 0.70 to 0.90 and close calls to review.

mod block;
mod cluster;
mod compare;
mod model;
mod prepare;
mod terms;

use rand::{Rng, SeedableRng};
use rayon::prelude::*;

pub use block::{MAX_BLOCK, candidates};
pub use cluster::{Decision, Outcome, Thresholds, Weighed, decide};
pub use compare::{COMPARISONS, Levels, Veto, compare, level_names};
pub use model::{Model, probability};
pub use prepare::{Prepared, Version, prepare};
pub use terms::Terms;

use terms::Frequencies;

/// One item as a provider lists it. Its text is borrowed (from the columns the items
/// were read in): the linker reads each text once, into its `Record`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Item<'a> {
    /// The provider, as a small number (the caller keeps the names).
    pub provider: u16,
    pub title: &'a str,
    /// The artist credit as shown ("A feat. B"); may be empty.
    pub credit: &'a str,
    /// For a track, the title of the release it is listed on (providers append it).
    pub context: &'a str,
    /// The provider's comment that tells versions and editions apart (MusicBrainz's
    /// disambiguation), free text.
    pub comment: &'a str,
    pub year: Option<i32>,
    /// Releases: the number of tracks; tracks: the length in milliseconds.
    pub size: Option<u32>,
    /// Barcodes (releases) or ISRCs (tracks), comma-separated.
    pub code: Option<&'a str>,
    /// For a track, the cluster its release is in (releases linked first): tracks of
    /// linked releases are likelier one recording than namesakes elsewhere.
    pub release: Option<u32>,
    /// A track that is one listing of a recording (a store's track on one album),
    /// which one provider may list again elsewhere; a MusicBrainz recording is the
    /// recording itself, one per cluster.
    pub listing: bool,
}

/// What the linker compares: the item, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub provider: u16,
    pub p: Prepared,
    /// Artist keys without spaces ("fall out boy" and "falloutboy" are one).
    pub artist_keys: Vec<String>,
    /// Each artist's words in order of the alphabet: a name written family name first
    /// ("villa lobos heitor", "dickinson bruce") is the same name.
    pub artist_words: Vec<String>,
    pub year: Option<i32>,
    pub size: Option<u32>,
    pub code: Option<String>,
    pub release: Option<u32>,
    pub listing: bool,
    /// Records of one group are linked already (by an identifier).
    pub group: u32,
}

impl Record {
    pub fn new(item: &Item<'_>) -> Record {
        let p = prepare(item.title, item.credit, item.context, item.comment);
        let mut artist_keys: Vec<String> = p.artists.iter().map(|a| a.replace(' ', "")).collect();
        artist_keys.sort();
        artist_keys.dedup();
        let mut artist_words: Vec<String> = p
            .artists
            .iter()
            .map(|a| {
                let mut words: Vec<&str> = a.split(' ').filter(|w| !w.is_empty()).collect();
                words.sort_unstable();
                words.concat()
            })
            .collect();
        artist_words.sort();
        artist_words.dedup();
        Record {
            provider: item.provider,
            p,
            artist_keys,
            artist_words,
            year: item.year.filter(|y| (1000..=2999).contains(y)),
            size: item.size.filter(|s| *s > 0),
            code: item.code.filter(|c| !c.is_empty()).map(str::to_string),
            release: item.release,
            listing: item.listing,
            group: 0,
        }
    }
}

/// What is compared: releases weigh track counts and years, tracks their lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Release,
    Track,
}

impl Entity {
    pub fn noun(self) -> &'static str {
        match self {
            Entity::Release => "release",
            Entity::Track => "recording",
        }
    }
}

/// One pair, compared and weighed.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub levels: Levels,
    pub veto: Veto,
    /// Each comparison's weight in bits (0 where a side showed nothing).
    pub weights: [f64; COMPARISONS.len()],
    /// The prior and the weights together: the log2 odds of a match.
    pub bits: f64,
    pub probability: f64,
}

impl Scored {
    /// "title=exact(+11.2) artist=same(+9.0) size=within 2 s(+3.1) year=-": what a
    /// person reads in review.
    pub fn evidence(&self, entity: Entity) -> String {
        let parts: Vec<String> = (0..COMPARISONS.len())
            .filter_map(|c| {
                let l = self.levels[c]?;
                Some(format!("{}={}({:+.1})", COMPARISONS[c], level_names(entity, c)[l as usize], self.weights[c]))
            })
            .collect();
        let veto = match self.veto {
            Veto::None => String::new(),
            Veto::NotAuto => " veto=another edition or number".to_string(),
            Veto::Never => format!(" veto=another {}", if entity == Entity::Release { "product" } else { "recording" }),
        };
        format!("{}{veto}", parts.join(" "))
    }
}

/// A model and the term frequencies it was trained with: what a build keeps, so that
/// the builds after it score every pair as the training would.
#[derive(Debug, Clone, PartialEq)]
pub struct Trained {
    pub model: Model,
    pub terms: Terms,
}

/// What linking found.
pub struct Linked {
    pub decisions: Vec<Decision>,
    /// Every candidate pair (record indices), weighed: the blocking's reach.
    pub pairs: Vec<Weighed>,
    /// Every record's blocking keys as (key, record), by key (none from `link_part`):
    /// a later build finds a new record's candidates by them.
    pub keys: Vec<(u64, u32)>,
    /// The given exact pairs, scored: a person sees those the evidence contradicts.
    pub exact: Vec<Scored>,
    /// The model the pairs were weighed with (none when there was nothing to link).
    pub trained: Option<Trained>,
}

/// How many random pairs estimate u.
const RANDOM_PAIRS: usize = 200_000;

/// A pair compared: its levels and what vetoes it.
type Compared = (Levels, Veto);

fn score(
    trained: &Trained,
    freq: &Frequencies,
    records: &[Record],
    (a, b): (u32, u32),
    (levels, veto): Compared,
) -> Scored {
    let shares = freq.of(records, a, b);
    let model = &trained.model;
    let mut weights = [0.0; COMPARISONS.len()];
    for (c, w) in weights.iter_mut().enumerate() {
        let tf = match c {
            compare::TITLE => Some(shares.title),
            compare::ARTIST => shares.artist,
            _ => None,
        };
        *w = model.weight(c, levels[c], tf);
    }
    let bits = model.prior_bits + weights.iter().sum::<f64>();
    Scored { levels, veto, weights, bits, probability: probability(bits) }
}

fn records(items: &[Item<'_>], groups: &[u32]) -> anyhow::Result<Vec<Record>> {
    anyhow::ensure!(items.len() == groups.len(), "{} items but {} groups", items.len(), groups.len());
    anyhow::ensure!(items.len() < u32::MAX as usize, "too many items to link: {}", items.len());
    Ok(items.par_iter().zip(groups.par_iter()).map(|(item, g)| Record { group: *g, ..Record::new(item) }).collect())
}

/// Links `items` (of several providers). `groups[i]` names the exact-link group of
/// item i (items of one group are linked already); `exact` lists the exact links as
/// index pairs, to be scored and doubted. With `kept`, pairs are weighed by that model
/// and its term frequencies; without, a model is trained on these items.
pub fn link(
    entity: Entity,
    items: &[Item<'_>],
    groups: &[u32],
    exact: &[(u32, u32)],
    thresholds: Thresholds,
    kept: Option<&Trained>,
) -> anyhow::Result<Linked> {
    let started = std::time::Instant::now();
    let phase =
        |name: &str| tracing::debug!(entity = entity.noun(), ms = started.elapsed().as_millis() as u64, "{name} done");
    let records = records(items, groups)?;
    phase("prepare");
    let (pairs, keys) = candidates(entity, &records)?;
    phase("blocking");
    let compare_pair = |&(a, b): &(u32, u32)| compare(entity, &records[a as usize], &records[b as usize]);
    let compared: Vec<Compared> = pairs.par_iter().map(compare_pair).collect();
    let exact_compared: Vec<Compared> = exact.par_iter().map(compare_pair).collect();
    phase("compare");
    let trained = match kept {
        Some(t) => t.clone(),
        None => match train(entity, &records, &compared, &exact_compared) {
            Some(t) => t,
            None => {
                return Ok(Linked { decisions: Vec::new(), pairs: Vec::new(), keys, exact: Vec::new(), trained: None });
            }
        },
    };
    phase("model");
    let mut linked = weigh_and_decide(entity, &records, &pairs, &compared, exact, &exact_compared, thresholds, trained);
    linked.keys = keys;
    phase("cluster");
    Ok(linked)
}

/// Links a part of the catalog with a kept model: `pairs` are the candidates
/// (record indices, `left < right`, in order), found by the caller from the keys a
/// build kept. Records in the order of the whole catalog decide as they would there.
pub fn link_part(
    entity: Entity,
    items: &[Item<'_>],
    groups: &[u32],
    pairs: &[(u32, u32)],
    exact: &[(u32, u32)],
    thresholds: Thresholds,
    trained: &Trained,
) -> anyhow::Result<Linked> {
    let records = records(items, groups)?;
    anyhow::ensure!(pairs.windows(2).all(|w| w[0] < w[1]), "the candidate pairs are not in order");
    let compare_pair = |&(a, b): &(u32, u32)| compare(entity, &records[a as usize], &records[b as usize]);
    let compared: Vec<Compared> = pairs.par_iter().map(compare_pair).collect();
    let exact_compared: Vec<Compared> = exact.par_iter().map(compare_pair).collect();
    Ok(weigh_and_decide(entity, &records, pairs, &compared, exact, &exact_compared, thresholds, trained.clone()))
}

/// Each pair of items (record indices) weighed by a kept model, without deciding.
pub fn weigh(entity: Entity, items: &[Item<'_>], pairs: &[(u32, u32)], trained: &Trained) -> Vec<Weighed> {
    let records: Vec<Record> = items.par_iter().map(Record::new).collect();
    let freq = Frequencies::new(&records, &trained.terms);
    pairs
        .par_iter()
        .map(|&(a, b)| {
            let c = compare(entity, &records[a as usize], &records[b as usize]);
            Weighed { left: a, right: b, bits: score(trained, &freq, &records, (a, b), c).bits, veto: c.1 }
        })
        .collect()
}

/// The blocking keys of each item, none for those in a `complete` exact group (as
/// `link` gives them), sorted.
pub fn block_keys(entity: Entity, items: &[Item<'_>], complete: &[bool]) -> Vec<Vec<u64>> {
    let records: Vec<Record> = items.par_iter().map(Record::new).collect();
    block::record_keys(entity, &records, complete)
}

/// Trains a model on the records and their candidates: u from random pairs across
/// providers, m by EM, term frequencies over the records. None when no two records of
/// different providers exist.
fn train(entity: Entity, records: &[Record], compared: &[Compared], exact: &[Compared]) -> Option<Trained> {
    let mut per_provider: foldhash::HashMap<u16, f64> = foldhash::HashMap::default();
    for r in records {
        *per_provider.entry(r.provider).or_default() += 1.0;
    }
    let n = records.len() as f64;
    let all_pairs = (n * n - per_provider.values().map(|k| k * k).sum::<f64>()) / 2.0;
    if all_pairs < 1.0 {
        return None;
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut random = Vec::with_capacity(RANDOM_PAIRS);
    for _ in 0..RANDOM_PAIRS * 4 {
        if random.len() == RANDOM_PAIRS {
            break;
        }
        let (a, b) = (rng.random_range(0..records.len()), rng.random_range(0..records.len()));
        if records[a].provider != records[b].provider {
            random.push((a, b));
        }
    }
    let random_levels: Vec<Levels> =
        random.par_iter().map(|&(a, b)| compare(entity, &records[a], &records[b]).0).collect();
    let u = model::u_from_random(entity, &random_levels);
    let training: Vec<Levels> =
        compared.iter().chain(exact).filter(|(_, v)| *v != Veto::Never).map(|(l, _)| *l).collect();
    Some(Trained { model: Model::learn(entity, u, &training, all_pairs), terms: Terms::count(records) })
}

#[allow(clippy::too_many_arguments)]
fn weigh_and_decide(
    entity: Entity,
    records: &[Record],
    pairs: &[(u32, u32)],
    compared: &[Compared],
    exact: &[(u32, u32)],
    exact_compared: &[Compared],
    thresholds: Thresholds,
    trained: Trained,
) -> Linked {
    let freq = Frequencies::new(records, &trained.terms);
    let scored = |pair: (u32, u32), c: Compared| score(&trained, &freq, records, pair, c);
    let weighed: Vec<Weighed> = pairs
        .par_iter()
        .zip(compared)
        .map(|(&(a, b), &c)| Weighed { left: a, right: b, bits: scored((a, b), c).bits, veto: c.1 })
        .collect();
    let exact_scored = exact.par_iter().zip(exact_compared).map(|(&p, &c)| scored(p, c)).collect();
    let decisions = decide(entity, records, &weighed, thresholds, |i| scored(pairs[i], compared[i]));
    Linked { decisions, pairs: weighed, keys: Vec::new(), exact: exact_scored, trained: Some(trained) }
}

/// An exact link the evidence contradicts: titles apart and sizes apart (a digital
/// release reusing a physical barcode, one ISRC on two edits).
pub fn doubted(s: &Scored) -> bool {
    let title_apart = s.levels[compare::TITLE].is_some_and(|l| l >= 3);
    // Releases: more than a quarter of the tracks apart; tracks: a minute or more.
    let size_apart = match s.levels[3] {
        Some(l) => l >= 3,
        None => s.levels[compare::TITLE] == Some(4),
    };
    title_apart && (size_apart || s.veto == Veto::Never)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A release as the test lists it: provider, title, credit, year, track count.
    type Listing = (u16, String, String, i32, u32);

    fn item((provider, title, credit, year, tracks): &Listing) -> Item<'_> {
        Item { provider: *provider, title, credit, year: Some(*year), size: Some(*tracks), ..Item::default() }
    }

    /// Three providers' listings of a small catalog, spelled as providers spell them:
    /// the same releases link, another edition and another artist's homonym do not.
    #[test]
    fn the_same_releases_link_across_three_providers_and_homonyms_do_not() {
        let mut listings: Vec<Listing> = Vec::new();
        let artists = ["Daft Punk", "Adele", "Queen", "Björk", "Kesha", "The Beatles", "Blur", "Oasis"];
        let titles = ["Discovery", "Homework", "Human After All", "Alive", "Random Access Memories", "Tron"];
        for (ai, a) in artists.iter().enumerate() {
            for (ti, t) in titles.iter().enumerate() {
                let title = format!("{t} {a}");
                let y = 1990 + (ai * 6 + ti) as i32;
                let n = 8 + ti as u32;
                listings.push((0, title.clone(), a.to_string(), y, n));
                listings.push((1, format!("{title} (Remastered 2011)"), a.to_uppercase(), y + 1, n));
                listings.push((2, format!("{title} - EP"), a.replace("The ", ""), y, n + 1));
            }
        }
        listings.push((1, "Discovery Daft Punk (Deluxe Edition)".into(), "Daft Punk".into(), 1990, 20));
        listings.push((2, "Discovery Daft Punk".into(), "Someone Else".into(), 2015, 3));
        let items: Vec<Item<'_>> = listings.iter().map(item).collect();
        let groups: Vec<u32> = (0..items.len() as u32).collect();
        let linked = link(Entity::Release, &items, &groups, &[], Thresholds::default(), None).unwrap();
        let auto: Vec<(u32, u32)> =
            linked.decisions.iter().filter(|d| d.outcome == Outcome::Auto).map(|d| (d.left, d.right)).collect();
        println!("{}", linked.trained.as_ref().unwrap().model.describe());
        let same = |a: u32, b: u32| a / 3 == b / 3 && (a as usize) < artists.len() * titles.len() * 3;
        let right = auto.iter().filter(|(a, b)| same(*a, *b)).count();
        assert_eq!(right, auto.len(), "every auto link is right: {auto:?}");
        assert!(right >= artists.len() * titles.len() * 2 - 4, "nearly all of the 96 links found: {right}");
    }
}
