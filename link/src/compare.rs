//! Comparing two records: each comparison puts the pair at a level, best first, or at
//! none when a side cannot show it (no year, no length, no artist). The model weighs
//! the levels; what the levels are is fixed here. Facts of the domain stand beside
//! them as vetoes: a live recording is another recording, "Vol. 2" is another work
//! than "Vol. 1", a deluxe edition another product than the standard one.

use crate::{Entity, Record};

/// The comparisons, in the order of `Levels`.
pub const COMPARISONS: [&str; 7] = ["title", "artist", "version", "size", "year", "code", "release"];
pub const TITLE: usize = 0;
pub const ARTIST: usize = 1;

/// What each level of each comparison means, for the evidence a person reads.
pub fn level_names(entity: Entity, comparison: usize) -> &'static [&'static str] {
    match (comparison, entity) {
        (0, _) => &["exact", "spaceless or typo", "similar", "shared words", "different"],
        (1, _) => &["same", "one credit within the other", "some shared", "similar", "different"],
        (2, _) => &["same", "other edition"],
        (3, Entity::Release) => &["same count", "within 2", "within a quarter", "far"],
        (3, Entity::Track) => &["within 2 s", "within 5 s", "within 15 s", "within 60 s", "further"],
        (4, _) => &["same", "1 apart", "2 to 5 apart", "further"],
        (5, _) => &["shared", "different"],
        _ => &["linked releases", "other releases"],
    }
}

pub type Levels = [Option<u8>; COMPARISONS.len()];

/// A hard fact against the pair, whatever the weights say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Veto {
    None,
    /// A person may link them, liner may not ("Vol. 2" and "Vol. 1"; a deluxe edition).
    NotAuto,
    /// Another recording or version: never linked.
    Never,
}

fn jaccard(a: &str, b: &str) -> f64 {
    let a: Vec<&str> = a.split(' ').collect();
    let b: Vec<&str> = b.split(' ').collect();
    let shared = a.iter().filter(|w| b.contains(w)).count();
    let union = a.len() + b.len() - shared;
    if union == 0 { 0.0 } else { shared as f64 / union as f64 }
}

/// "war" is a word-prefix of "war art of war".
fn word_prefix(short: &str, long: &str) -> bool {
    long.len() > short.len() && long.starts_with(short) && long.as_bytes()[short.len()] == b' '
}

fn title(a: &Record, b: &Record) -> u8 {
    let (x, y) = (&a.p, &b.p);
    if x.core == y.core {
        return 0;
    }
    let heads = (!x.head.is_empty() && (x.head == y.nospace || x.head == y.head))
        || (!y.head.is_empty() && y.head == x.nospace);
    if x.nospace == y.nospace || heads {
        return 1;
    }
    let jw = strsim::jaro_winkler(&x.nospace, &y.nospace);
    if jw >= 0.85 && strsim::normalized_damerau_levenshtein(&x.core, &y.core) >= 0.9 {
        return 1;
    }
    if jw >= 0.92 || word_prefix(&x.core, &y.core) || word_prefix(&y.core, &x.core) {
        return 2;
    }
    if jaccard(&x.core, &y.core) >= 0.5 {
        return 3;
    }
    4
}

fn artist(a: &Record, b: &Record) -> Option<u8> {
    let (x, y) = (&a.artist_keys, &b.artist_keys);
    if x.is_empty() || y.is_empty() {
        return None;
    }
    if x == y || a.artist_words == b.artist_words {
        return Some(0);
    }
    let shared = x.iter().filter(|k| y.contains(k)).count();
    if shared == x.len().min(y.len()) {
        // A featured artist on one side only.
        return Some(1);
    }
    if shared > 0 {
        // "Fatoumata & the Machines" and "Ines & the Machines".
        return Some(2);
    }
    let best = x.iter().flat_map(|k| y.iter().map(move |l| strsim::jaro_winkler(k, l))).fold(0.0, f64::max);
    Some(if best >= 0.92 { 3 } else { 4 })
}

fn size(entity: Entity, a: Option<u32>, b: Option<u32>) -> Option<u8> {
    let (a, b) = (a.filter(|n| *n > 0)?, b.filter(|n| *n > 0)?);
    let diff = a.abs_diff(b);
    Some(match entity {
        Entity::Release if diff == 0 => 0,
        Entity::Release if diff <= 2 => 1,
        Entity::Release if diff as f64 <= 0.25 * a.max(b) as f64 => 2,
        Entity::Release => 3,
        Entity::Track if diff <= 2_000 => 0,
        Entity::Track if diff <= 5_000 => 1,
        Entity::Track if diff <= 15_000 => 2,
        Entity::Track if diff <= 60_000 => 3,
        Entity::Track => 4,
    })
}

fn year(a: Option<i32>, b: Option<i32>) -> Option<u8> {
    Some(match (a? - b?).abs() {
        0 => 0,
        1 => 1,
        2..=5 => 2,
        _ => 3,
    })
}

/// The levels of a pair, and what the domain says against it.
pub fn compare(entity: Entity, a: &Record, b: &Record) -> (Levels, Veto) {
    let (va, vb) = (&a.p.version, &b.p.version);
    let other_recording = match (va.other.is_empty(), vb.other.is_empty()) {
        (true, true) => false,
        (false, false) => {
            let shared = va.other.iter().filter(|w| vb.other.contains(w)).count();
            2 * shared < va.other.len().max(vb.other.len())
        }
        _ => true,
    };
    let other_edition = va.edition != vb.edition;
    let other_number = (!a.p.numbers.is_empty() && !b.p.numbers.is_empty() && a.p.numbers != b.p.numbers)
        || matches!((a.p.disc, b.p.disc), (Some(x), Some(y)) if x != y);
    let sizes = size(entity, a.size, b.size);
    // Another edition with another track count is another product (a deluxe edition's
    // bonus tracks); with the same count it may be one product titled two ways.
    let other_product = entity == Entity::Release && other_edition && sizes.is_some_and(|l| l > 0);
    let veto = if other_recording || other_product {
        Veto::Never
    } else if other_number || (entity == Entity::Release && other_edition) {
        Veto::NotAuto
    } else {
        Veto::None
    };
    let levels = [
        Some(title(a, b)),
        artist(a, b),
        match entity {
            Entity::Release => Some(other_edition as u8),
            Entity::Track => None,
        },
        sizes,
        year(a.year, b.year),
        // Codes are sets (a MusicBrainz recording has several ISRCs): one shared is enough.
        match (&a.code, &b.code) {
            (Some(x), Some(y)) => Some(!x.split(',').any(|c| y.split(',').any(|d| c == d)) as u8),
            _ => None,
        },
        match (a.release, b.release) {
            (Some(x), Some(y)) => Some((x != y) as u8),
            _ => None,
        },
    ];
    (levels, veto)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Item;

    fn rec(title: &str, artist: &str, size: Option<u32>) -> Record {
        Record::new(&Item { title: title.into(), credit: artist.into(), size, ..Item::default() })
    }

    #[test]
    fn titles_meet_at_the_level_their_spelling_allows() {
        let t = |a: &str, b: &str| compare(Entity::Track, &rec(a, "x", None), &rec(b, "x", None)).0[TITLE];
        assert_eq!(t("Pitch Black", "Pitch Black"), Some(0));
        assert_eq!(t("PitchBlack", "Pitch Black"), Some(1));
        assert_eq!(t("Confession", "Conefssion"), Some(1));
        assert_eq!(t("War - Art of War", "War"), Some(1), "a tail the provider appended");
        assert_eq!(t("Basin Street Blues", "Basin Street"), Some(2));
        assert_eq!(t("Hello", "Goodbye"), Some(4));
    }

    #[test]
    fn other_recordings_are_vetoed_and_decorations_are_not() {
        let v = |a: &str, b: &str| compare(Entity::Track, &rec(a, "x", None), &rec(b, "x", None)).1;
        assert_eq!(v("Song (Live)", "Song"), Veto::Never);
        assert_eq!(v("Song (Club Mix)", "Song (Radio Edit)"), Veto::Never);
        assert_eq!(v("Song (Explicit)", "Song - Album Version"), Veto::None);
        assert_eq!(v("Hits Vol. 2", "Hits Vol. 1"), Veto::NotAuto);
        let r = |a: &str, b: &str| compare(Entity::Release, &rec(a, "x", None), &rec(b, "x", None)).1;
        assert_eq!(r("Abbey Road (Deluxe Edition)", "Abbey Road"), Veto::NotAuto);
        assert_eq!(r("Abbey Road (2019 Remaster)", "Abbey Road"), Veto::None);
        let sized =
            |a: &str, n: u32, b: &str, m: u32| compare(Entity::Release, &rec(a, "x", Some(n)), &rec(b, "x", Some(m))).1;
        assert_eq!(sized("Abbey Road (Deluxe Edition)", 40, "Abbey Road", 17), Veto::Never, "bonus tracks");
        assert_eq!(sized("Abbey Road (Deluxe Edition)", 17, "Abbey Road", 17), Veto::NotAuto);
        assert_eq!(sized("Abbey Road (Deluxe Edition)", 40, "Abbey Road (Deluxe)", 38), Veto::None);
    }

    #[test]
    fn a_name_written_family_name_first_is_the_same_artist() {
        let a = |x: &str, y: &str| compare(Entity::Track, &rec("s", x, None), &rec("s", y, None)).0[ARTIST];
        assert_eq!(a("villa lobos heitor", "Heitor Villa-Lobos"), Some(0));
        assert_eq!(a("dickinson bruce", "Bruce Dickinson"), Some(0));
        assert_eq!(a("Fall Out Boy", "FallOutBoy"), Some(0));
        assert_eq!(a("Bruce Dickinson", "Bruce Springsteen"), Some(4));
    }

    #[test]
    fn a_side_without_a_value_says_nothing() {
        let (l, _) = compare(Entity::Track, &rec("a", "", Some(200_000)), &rec("a", "x", None));
        assert_eq!((l[ARTIST], l[3], l[4]), (None, None, None));
        let (l, _) = compare(Entity::Track, &rec("a", "x", Some(200_000)), &rec("a", "x", Some(203_000)));
        assert_eq!(l[3], Some(1));
    }
}
