//! What the linker compares, read once from each item's raw title and credit.
//!
//! Providers dress one title in many ways, and the reading undoes what is general:
//! an artist fused into the title ("Max Bruch - Scottish Fantasy", the credit empty),
//! the release's own title appended to a track's ("Outro (Working Title)", "War - Art of
//! War"), a track number in front ("021-Amneris Intro", "05. Song"), spaces lost
//! ("PitchBlack"). The version words are sorted into what they say:
//!
//! - decorations a store adds to the same recording or product (explicit, clean, "Album
//!   Version", "Main Version", "Original Mix", "Bonus Track", "- Single", "- EP", a
//!   remaster and its year): read as no version at all;
//! - editions of a release (deluxe, expanded, anniversary, mono ...): another product
//!   of the same recordings;
//! - other recordings (live, acoustic, remix, instrumental, demo, radio edit, dub ...,
//!   MusicBrainz's own version words): never the studio recording.

use liner_normalize::{Part, artist_set, bracket_parts, find_ignoring_ascii_case, fold, split_at_dash, title};

/// Words that dress a title without naming another recording or product. A year goes
/// with them (a remaster's).
const DECORATIONS: &[&str] = &[
    "explicit",
    "clean",
    "dirty",
    "censored",
    "uncensored",
    "album",
    "main",
    "original",
    "bonus",
    "track",
    "tracks",
    "single",
    "ep",
    "lp",
    "remaster",
    "remastered",
    "remasterd",
    "digital",
    "digitally",
    "version",
    "edition",
    "mix",
    "mixed",
    "the",
    "from",
    "of",
    "and",
    "in",
    "a",
    "new",
    "stereo",
    "hd",
    "hq",
    "audio",
    "official",
    "release",
];

/// Words that make a release another product of the same recordings.
const EDITIONS: &[&str] = &[
    "deluxe",
    "expanded",
    "anniversary",
    "special",
    "collectors",
    "collector",
    "limited",
    "super",
    "legacy",
    "definitive",
    "complete",
    "reissue",
    "mono",
    "box",
    "platinum",
    "gold",
    "tour",
    "bonus",
];

/// Words that make another recording: MusicBrainz's version words and the stores'.
const OTHER_RECORDINGS: &[&str] = &[
    "live",
    "acoustic",
    "remix",
    "remixes",
    "remixed",
    "rmx",
    "instrumental",
    "instrumentals",
    "demo",
    "demos",
    "edit",
    "extended",
    "dub",
    "unplugged",
    "karaoke",
    "acapella",
    "cappella",
    "session",
    "sessions",
    "rehearsal",
    "orchestral",
    "radio",
    "club",
    "vip",
    "bootleg",
    "rework",
    "reprise",
    "interlude",
    "cover",
    "tribute",
    "piano",
    "strings",
    "symphonic",
    "slowed",
    "reverb",
    "sped",
    "nightcore",
    "outtake",
    "alternate",
    "alternative",
    "take",
    "mixes",
];

/// Which version of the work an item is, as far as the title says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Version {
    /// Edition words (releases), sorted: empty for the standard edition.
    pub edition: Vec<String>,
    /// Other-recording words with what names them ("frisvold lindbaek mix"), sorted:
    /// empty for the studio recording.
    pub other: Vec<String>,
}

/// One item, read for comparing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prepared {
    /// The title without version, featured artists, fused artist, album or number:
    /// folded, article-less ("dark side of the moon").
    pub core: String,
    /// `core` without its spaces: "pitch black" and "pitchblack" are one title.
    pub nospace: String,
    /// The part before a " - " that stayed in the core ("war" of "War - Art of War"),
    /// without spaces; empty when there is none.
    pub head: String,
    /// Numbers standing alone in the core ("vol 2" has 2), sorted.
    pub numbers: Vec<u32>,
    /// The disc of a set ("Disc 2", "CD2"), taken out of the core.
    pub disc: Option<u32>,
    pub version: Version,
    /// Artist keys of the credit (or of the artist read out of the title), sorted.
    pub artists: Vec<String>,
}

fn is_year(w: &str) -> bool {
    w.len() == 4 && w.starts_with(['1', '2']) && w.bytes().all(|b| b.is_ascii_digit())
}

/// Cuts a leading track number: "021-Amneris", "05. Song", "3) Song", "01 Song". A
/// number followed by a plain space is kept unless zero-padded ("7 Rings", "99
/// Luftballons" are titles).
fn without_track_number(raw: &str) -> &str {
    let t = raw.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 || digits == t.len() {
        return t;
    }
    let rest = &t[digits..];
    let trimmed = rest.trim_start();
    if let Some(after) = trimmed.strip_prefix(['-', '.', ')']) {
        // "1.5" or "2-4" are numbers, not a track number and a title.
        if !after.starts_with(|c: char| c.is_ascii_digit()) && !after.trim().is_empty() {
            return after.trim_start();
        }
    }
    if digits >= 2 && t.starts_with('0') && rest.starts_with(' ') && !trimmed.is_empty() {
        return trimmed;
    }
    t
}

/// Cuts the release's own title from the end of a track's: "Outro (Working Title)",
/// "War - Art of War".
fn without_context<'a>(raw: &'a str, context: &str) -> &'a str {
    let context = fold(context);
    if context.is_empty() {
        return raw;
    }
    let t = raw.trim_end();
    if let Some(open) = t.strip_suffix(')').and_then(|s| s.rfind('(')) {
        let inner = &t[open + 1..t.len() - 1];
        if fold(inner) == context && open > 0 {
            return t[..open].trim_end();
        }
    }
    if let Some((head, tail)) = t.rsplit_once(" - ")
        && fold(tail) == context
        && !head.trim().is_empty()
    {
        return head.trim_end();
    }
    t
}

/// An empty credit with "Artist - Title" in the title: the artist read out. A credit
/// repeated in front of the title ("Artist - Title") is cut too.
fn split_fused_artist<'a>(raw: &'a str, credit: &str) -> (&'a str, Option<&'a str>) {
    let Some((head, tail)) = split_at_dash(raw) else { return (raw, None) };
    if tail.trim().is_empty() || head.trim().is_empty() {
        return (raw, None);
    }
    if is_unknown(credit) {
        return (tail, Some(head));
    }
    if fold(head) == fold(credit) {
        return (tail, None);
    }
    (raw, None)
}

fn is_unknown(credit: &str) -> bool {
    let f = fold(credit);
    f.is_empty() || f == "unknown" || f == "unknown artist" || f == "n a"
}

fn version(variant: &str) -> Version {
    let words: Vec<&str> = variant.split(' ').filter(|w| !w.is_empty()).collect();
    let mut v = Version::default();
    let names_other = words.iter().any(|w| OTHER_RECORDINGS.contains(w))
        // "Club Mix", "Frisvold & Lindbaek mix", "Spanish Version": a mix or a version
        // named by something other than a decoration is another recording.
        || (words.iter().any(|w| matches!(*w, "mix" | "version"))
            && words.iter().any(|w| !DECORATIONS.contains(w) && !EDITIONS.contains(w) && !is_year(w)));
    for w in &words {
        if names_other {
            if !DECORATIONS.contains(w) || matches!(*w, "mix" | "version") {
                v.other.push(w.to_string());
            }
        } else if EDITIONS.contains(w) && *w != "bonus" {
            v.edition.push(w.to_string());
        }
    }
    // "Bonus Track Version" is a decoration; "Deluxe Bonus Edition" an edition.
    v.edition.sort();
    v.edition.dedup();
    v.other.sort();
    v.other.dedup();
    v
}

/// The artists a title features ("Song (feat. A & B)", "Song ft. A"): one store writes
/// them in the title, another in the credit; both are the credit.
fn featured_in(title: &str) -> Vec<String> {
    const MARKS: &[&str] = &["feat. ", "feat ", "ft. ", "ft ", "featuring "];
    let mut names = Vec::new();
    // Every mark holds "ft" or "feat": most titles have neither, and need no cutting.
    if find_ignoring_ascii_case(title, "ft").is_none() && find_ignoring_ascii_case(title, "feat").is_none() {
        return names;
    }
    for part in bracket_parts(title) {
        let text = match part {
            Part::Group { text, .. } => text,
            Part::Text(text) => text,
        };
        if let Some((at, mark)) = MARKS
            .iter()
            .filter_map(|m| find_ignoring_ascii_case(&text, m).map(|i| (i, *m)))
            .filter(|(i, _)| *i == 0 || text.as_bytes()[i - 1] == b' ')
            .min()
        {
            names.extend(artist_set(&text[at + mark.len()..]));
        }
    }
    names
}

/// The version words of a provider's free-text comment ("live, 1995-05-03: Wembley",
/// "deluxe edition", "US release"): only the words that name another recording or an
/// edition count, since the rest of a comment is prose.
fn comment_version(comment: &str) -> Version {
    let folded = fold(comment);
    let mut v = Version::default();
    for w in folded.split(' ').filter(|w| !w.is_empty()) {
        if OTHER_RECORDINGS.contains(&w) {
            v.other.push(w.to_string());
        } else if EDITIONS.contains(&w) && w != "bonus" {
            v.edition.push(w.to_string());
        }
    }
    v
}

/// Reads one item: its raw title, its credit, (for a track) the title of the release
/// it was listed on, and the provider's comment (MusicBrainz names editions and
/// versions in its disambiguation, not in the title).
pub fn prepare(raw_title: &str, credit: &str, context: &str, comment: &str) -> Prepared {
    let untracked = without_track_number(raw_title);
    let (titled, fused_artist) = split_fused_artist(untracked, credit);
    let own = without_context(titled, context);
    let t = title(own);
    let mut artists = match fused_artist {
        Some(a) => artist_set(a),
        None if is_unknown(credit) => Vec::new(),
        None => artist_set(credit),
    };
    if !artists.is_empty() {
        artists.extend(featured_in(own));
        artists.sort();
        artists.dedup();
    }
    // A title that is only the word ("CD") keeps it.
    let (core, disc_in_title) = match take_disc(&t.base) {
        Some((rest, disc)) if !rest.is_empty() => (rest, Some(disc)),
        _ => (t.base, None),
    };
    let (variant, disc_in_variant) = match take_disc(&t.variant) {
        Some((rest, disc)) => (rest, Some(disc)),
        None => (t.variant, None),
    };
    let nospace: String = core.chars().filter(|c| *c != ' ').collect();
    // A " - " left in the title: what stands before it may be the whole title and what
    // follows an album or a source the provider appended.
    let head = split_at_dash(own).map_or(String::new(), |(h, _)| title(h).base.replace(' ', ""));
    let numbers = core.split(' ').filter_map(|w| w.parse::<u32>().ok()).collect::<Vec<_>>();
    let mut numbers = numbers;
    numbers.sort_unstable();
    numbers.dedup();
    let mut version = version(&variant);
    if !comment.is_empty() {
        let said = comment_version(comment);
        for (mine, theirs) in [(&mut version.edition, said.edition), (&mut version.other, said.other)] {
            mine.extend(theirs);
            mine.sort();
            mine.dedup();
        }
    }
    Prepared { core, nospace, head, numbers, disc: disc_in_title.or(disc_in_variant), version, artists }
}

/// Takes a disc number out of folded words: "the wall disc 1", "greatest hits cd1",
/// "joe s garage disk ii" give the rest of the words and the disc; words that name no
/// disc give None (most titles: nothing is copied). One set's discs are one title with
/// another number; the words for a disc differ from catalog to catalog.
fn take_disc(words: &str) -> Option<(String, u32)> {
    const DISC: &[&str] = &["cd", "disc", "disk", "cds"];
    const ROMAN: &[&str] = &["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"];
    // Every word for a disc holds "cd" or "dis": most titles have neither.
    if !words.contains("cd") && !words.contains("dis") {
        return None;
    }
    let number = |w: &str| w.parse::<u32>().ok().or_else(|| ROMAN.iter().position(|r| *r == w).map(|i| i as u32 + 1));
    let tokens: Vec<&str> = words.split(' ').filter(|w| !w.is_empty()).collect();
    let (at, width, disc) = tokens.iter().enumerate().find_map(|(i, w)| {
        let glued = DISC.iter().find_map(|d| w.strip_prefix(d)).filter(|n| !n.is_empty()).and_then(|n| n.parse().ok());
        match glued {
            Some(n) => Some((i, 1, n)),
            None if DISC.contains(w) => tokens.get(i + 1).and_then(|next| number(next)).map(|n| (i, 2, n)),
            None => None,
        }
    })?;
    let rest: Vec<&str> = tokens[..at].iter().chain(&tokens[at + width..]).copied().collect();
    Some((rest.join(" "), disc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_artist_fused_into_the_title_is_read_out() {
        let p = prepare("Max Bruch - Scottish Fantasy: Adagio cantabile", "", "", "");
        assert_eq!(
            (p.core.as_str(), p.artists.as_slice()),
            ("scottish fantasy adagio cantabile", &["max bruch".to_string()][..])
        );
        let p = prepare("Daft Punk - One More Time", "Daft Punk", "", "");
        assert_eq!(p.core, "one more time", "a credit repeated in front of the title goes");
        let p = prepare("Song 2 - Live", "Blur", "", "");
        assert_eq!(p.core, "song 2", "with a credit, a dash is the title's own");
    }

    #[test]
    fn artists_featured_in_the_title_join_the_credit() {
        let a = prepare("Uptown Funk (feat. Bruno Mars)", "Mark Ronson", "", "");
        let b = prepare("Uptown Funk", "Mark Ronson feat. Bruno Mars", "", "");
        assert_eq!(a.artists, b.artists);
        assert_eq!(a.artists, ["bruno mars", "mark ronson"]);
        assert_eq!(prepare("Left Alone", "X", "", "").artists, ["x"], "\"ft\" inside a word is no mark");
        let turkish = prepare("İSTANBUL FEAT. Sezen Aksu", "Tarkan", "", "");
        assert_eq!(turkish.artists, ["sezen aksu", "tarkan"], "the name after the mark, whatever comes before it");
    }

    #[test]
    fn the_release_title_and_a_track_number_are_cut() {
        assert_eq!(prepare("Outro (Working Title)", "FeSo", "Working Title", "").core, "outro");
        assert_eq!(prepare("War - Art of War", "AG", "Art of War", "").core, "war");
        assert_eq!(prepare("021-Amneris Intro", "X", "", "").core, "amneris intro");
        assert_eq!(prepare("05. Song", "X", "", "").core, "song");
        assert_eq!(prepare("01 Song", "X", "", "").core, "song");
        assert_eq!(prepare("7 Rings", "Ariana Grande", "", "").core, "7 rings", "a title may start with a number");
        assert_eq!(prepare("1999", "Prince", "", "").core, "1999");
        let p = prepare("War - Art of War", "AG", "", "");
        assert_eq!((p.core.as_str(), p.head.as_str()), ("war art of war", "war"), "no album to cut: the head is kept");
    }

    #[test]
    fn store_decorations_are_no_version_and_other_recordings_are() {
        for dressed in [
            "Song (Explicit)",
            "Song - Album Version",
            "Song (Main Version)",
            "Song (Original Mix)",
            "Song - 2011 Remaster",
            "Song (Remastered 2009)",
            "Song - Single",
            "Song - EP",
            "Song (Bonus Track)",
            "Song [Clean]",
        ] {
            assert_eq!(prepare(dressed, "X", "", "").version, Version::default(), "{dressed}");
            assert_eq!(prepare(dressed, "X", "", "").core, "song", "{dressed}");
        }
        for other in [
            "Song (Live)",
            "Song - Acoustic",
            "Song (Radio Edit)",
            "Song (Club Mix)",
            "Song (Demo)",
            "Song (Instrumental)",
        ] {
            assert!(!prepare(other, "X", "", "").version.other.is_empty(), "{other}");
        }
        let mix = prepare("Vuelo (Frisvold & Lindbaek mix)", "X", "", "").version.other;
        assert_eq!(mix, ["frisvold", "lindbaek", "mix"]);
        assert_eq!(prepare("Abbey Road (Deluxe Edition)", "X", "", "").version.edition, ["deluxe"]);
        assert_eq!(prepare("Album (Bonus Track Version)", "X", "", "").version, Version::default());
        // MusicBrainz says it in the disambiguation; the rest of a comment is prose.
        assert_eq!(prepare("Song", "X", "", "live, 1995-05-03: Wembley").version.other, ["live"]);
        assert_eq!(prepare("Abbey Road", "X", "", "deluxe edition").version.edition, ["deluxe"]);
        assert_eq!(prepare("Abbey Road", "X", "", "US release, first pressing").version, Version::default());
    }

    #[test]
    fn spaces_lost_and_numbers_are_kept_apart() {
        assert_eq!(prepare("PitchBlack", "X", "", "").nospace, prepare("Pitch Black", "X", "", "").nospace);
        assert_eq!(prepare("Greatest Hits Vol. 2", "X", "", "").numbers, [2]);
        for (title, disc) in
            [("The Wall (Disc 1)", 1), ("the wall cd1", 1), ("The Wall - CD 2", 2), ("the wall disk ii", 2)]
        {
            let p = prepare(title, "X", "", "");
            assert_eq!((p.core.as_str(), p.disc), ("wall", Some(disc)), "{title}");
        }
        assert_eq!(prepare("CD", "X", "", "").core, "cd", "a title that is only the word");
    }
}
