//! Scoring a candidate pair: each component between 0 and 1, weighed; a component
//! that one side cannot show (no year, no track count) is left out and the others
//! count for more. Versions weigh heavily: a deluxe edition is another product than
//! the original, and a live recording another recording than the studio one.

use crate::{Entity, Item};

/// The parts of a score, kept with every link so a person can see why.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Components {
    pub title: f64,
    pub variant: f64,
    pub artists: f64,
    /// Track count for releases, duration for tracks.
    pub size: Option<f64>,
    pub year: Option<f64>,
    pub total: f64,
}

/// Words that say nothing about which version a version is.
const FILLER: &[&str] = &["edition", "version", "the", "mix"];

fn variant_words(v: &str) -> Vec<String> {
    let mut w: Vec<String> = v
        .split_whitespace()
        .filter(|w| !FILLER.contains(w))
        .map(|w| w.strip_suffix("ed").filter(|s| s.len() > 3).unwrap_or(w).to_string())
        .collect();
    w.sort();
    w.dedup();
    w
}

/// 1 for the same version (or both plain), 0 when only one side names one, the share
/// of shared words otherwise ("2011 remaster" and "remastered 2011" are the same).
fn variant(a: &str, b: &str) -> f64 {
    let (a, b) = (variant_words(a), variant_words(b));
    match (a.is_empty(), b.is_empty()) {
        (true, true) => 1.0,
        (true, false) | (false, true) => 0.0,
        _ => {
            let shared = a.iter().filter(|w| b.contains(w)).count();
            shared as f64 / (a.len() + b.len() - shared) as f64
        }
    }
}

/// Titles: the better of edit distance and Jaro-Winkler, both forgiving in their way
/// (a typo; a shared beginning).
fn title(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    strsim::normalized_damerau_levenshtein(a, b).max(strsim::jaro_winkler(a, b) - 0.05).max(0.0)
}

/// Artist sets: each artist of the smaller credit finds its best match in the other;
/// the average, times the share of the larger credit covered.
fn artists(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let best: f64 = small
        .iter()
        .map(|x| large.iter().map(|y| if x == y { 1.0 } else { strsim::jaro_winkler(x, y) }).fold(0.0, f64::max))
        .sum();
    let matched = best / small.len() as f64;
    // A featured artist on one side only costs a little, not the match.
    matched * (0.85 + 0.15 * small.len() as f64 / large.len() as f64)
}

fn track_count(a: Option<u32>, b: Option<u32>) -> Option<f64> {
    let (a, b) = (a? as f64, b? as f64);
    if a == 0.0 || b == 0.0 {
        return None;
    }
    Some(1.0 - (a - b).abs() / a.max(b))
}

fn duration(a: Option<u32>, b: Option<u32>) -> Option<f64> {
    let diff = (a? as f64 - b? as f64).abs() / 1000.0;
    // Within 2 s is the same audio (rounding, silence); 15 s apart is not.
    Some(((15.0 - diff) / 13.0).clamp(0.0, 1.0))
}

fn year(a: Option<i32>, b: Option<i32>) -> Option<f64> {
    Some(match (a? - b?).abs() {
        0 => 1.0,
        1 => 0.6,
        _ => 0.0,
    })
}

pub fn score(entity: Entity, a: &Item, b: &Item) -> Components {
    let mut c = Components {
        title: title(&a.title, &b.title),
        variant: variant(&a.variant, &b.variant),
        artists: artists(&a.artists, &b.artists),
        size: match entity {
            Entity::Release => track_count(a.track_count, b.track_count),
            Entity::Track => duration(a.duration_ms, b.duration_ms),
        },
        year: match entity {
            Entity::Release => year(a.year, b.year),
            Entity::Track => None,
        },
        total: 0.0,
    };
    let (w_size, w_year) = match entity {
        Entity::Release => (0.10, 0.10),
        Entity::Track => (0.20, 0.0),
    };
    let mut weighted = 0.40 * c.title + 0.15 * c.variant + 0.25 * c.artists;
    let mut weights = 0.80;
    if let Some(s) = c.size {
        weighted += w_size * s;
        weights += w_size;
    }
    if let Some(y) = c.year {
        weighted += w_year * y;
        weights += w_year;
    }
    c.total = weighted / weights;
    // A different version is a different item, however alike the rest; so is a
    // release with more tracks than bonus tracks explain (a single and the album it
    // shares a title with, an EP and the album), or one dated years apart (a homonym's
    // album, a later digital edition): a person decides those.
    let far_apart = matches!((a.year, b.year), (Some(x), Some(y)) if (x - y).abs() >= 3);
    if c.variant < 0.5 || (entity == Entity::Release && (other_product(a.track_count, b.track_count) || far_apart)) {
        c.total = c.total.min(0.85);
    }
    c
}

/// Track counts further apart than an edition's bonus tracks make them: more than
/// three tracks and more than a quarter of the longer list.
fn other_product(a: Option<u32>, b: Option<u32>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) if a > 0 && b > 0 => {
            let diff = a.abs_diff(b);
            diff > 3 && diff as f64 > 0.25 * a.max(b) as f64
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(title: &str, variant: &str, artists: &[&str], year: Option<i32>, tracks: Option<u32>) -> Item {
        Item {
            id: String::new(),
            title: title.into(),
            variant: variant.into(),
            artists: artists.iter().map(|a| a.to_string()).collect(),
            year,
            track_count: tracks,
            duration_ms: None,
        }
    }

    #[test]
    fn the_same_release_spelled_alike_scores_near_one() {
        let a = release("discovery", "", &["daft punk"], Some(2001), Some(14));
        let s = score(Entity::Release, &a, &a.clone());
        assert!(s.total > 0.99, "{s:?}");
        let b = release("discovery", "", &["daft punk"], None, Some(14));
        assert!(score(Entity::Release, &a, &b).total > 0.99, "a missing year is left out, not held against it");
    }

    #[test]
    fn versions_the_same_in_other_words_match_and_other_versions_do_not() {
        assert_eq!(variant("2011 remaster", "remastered 2011"), 1.0);
        assert_eq!(variant("deluxe edition", "deluxe"), 1.0);
        assert_eq!(variant("deluxe", ""), 0.0);
        let original = release("abbey road", "", &["beatles"], Some(1969), Some(17));
        let deluxe = release("abbey road", "deluxe edition", &["beatles"], Some(1969), Some(17));
        assert!(score(Entity::Release, &original, &deluxe).total < 0.90, "never auto-linked");
    }

    #[test]
    fn a_single_is_not_the_album_it_shares_a_title_with() {
        let album = release("wave", "", &["broxnir"], Some(2011), Some(9));
        let single = release("wave", "", &["broxnir"], Some(2011), Some(1));
        assert!(score(Entity::Release, &album, &single).total < 0.90, "never auto-linked");
        let bonus = release("wave", "", &["broxnir"], Some(2011), Some(11));
        assert!(score(Entity::Release, &album, &bonus).total > 0.90, "two bonus tracks are the same product");
    }

    #[test]
    fn the_same_title_dated_years_apart_goes_to_a_person() {
        let a = release("forever", "", &["priya nakamura"], Some(1978), Some(10));
        let b = release("forever", "", &["priya nakamura"], Some(2013), Some(10));
        let s = score(Entity::Release, &a, &b).total;
        assert!((0.70..0.90).contains(&s), "{s}");
        let c = release("forever", "", &["priya nakamura"], Some(1979), Some(10));
        assert!(score(Entity::Release, &a, &c).total > 0.90, "a year apart: release dates differ by country");
    }

    #[test]
    fn a_title_shared_by_other_artists_is_no_match() {
        let a = release("greatest hits", "", &["queen"], Some(1981), Some(17));
        let b = release("greatest hits", "", &["abba"], Some(1992), Some(19));
        assert!(score(Entity::Release, &a, &b).total < 0.70);
    }

    #[test]
    fn featured_artists_on_one_side_cost_little() {
        let a = release("uptown funk", "", &["bruno mars", "mark ronson"], None, None);
        let b = release("uptown funk", "", &["mark ronson"], None, None);
        assert!(score(Entity::Release, &a, &b).total > 0.90);
    }

    #[test]
    fn track_lengths_seconds_apart_are_the_same_recording() {
        let t = |ms| Item { duration_ms: Some(ms), ..release("one more time", "", &["daft punk"], None, None) };
        assert!(score(Entity::Track, &t(320_000), &t(321_500)).total > 0.95);
        assert!(score(Entity::Track, &t(320_000), &t(360_000)).total < 0.90, "40 s longer is another cut");
    }
}
