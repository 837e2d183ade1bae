//! Titles and names as liner compares them: folded to ASCII lower case, `&` read as
//! "and", punctuation dropped, "X, The" read as "The X" and the leading article left
//! out; the parts of a title that name a version of it (edition, remaster, deluxe,
//! live, radio edit, remix ...) taken apart from the base title and kept, and featured
//! artists taken out of it; artist credits split into a set of names.

/// A title taken apart: what the work is called, and which version of it this is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title {
    /// Folded, for matching: "the dark side of the moon" becomes "dark side of the moon".
    pub base: String,
    /// The version words, folded ("2011 remaster", "live at wembley", "deluxe edition"),
    /// or empty for the plain work.
    pub variant: String,
}

/// Words that make a bracketed or dash-separated part a version, not part of the title.
const VERSION_WORDS: &[&str] = &[
    "edition",
    "remaster",
    "remastered",
    "deluxe",
    "live",
    "edit",
    "version",
    "mix",
    "remix",
    "acoustic",
    "demo",
    "mono",
    "stereo",
    "expanded",
    "anniversary",
    "bonus",
    "explicit",
    "clean",
    "instrumental",
    "single",
    "ep",
    "unplugged",
    "reissue",
    "session",
    "sessions",
    "extended",
    "original",
    "soundtrack",
    // Other recordings as MusicBrainz and the stores name them.
    "dub",
    "rmx",
    "remixes",
    "mixes",
    "demos",
    "instrumentals",
    "karaoke",
    "acapella",
    "reprise",
    "rework",
    "bootleg",
    "outtake",
    "outtakes",
    "alternate",
    "rehearsal",
];

/// Words that start a featured-artist part.
const FEATURING: &[&str] = &["feat", "feat.", "ft", "ft.", "featuring", "with"];

const ARTICLES: &[&str] = &["the", "a", "an"];

/// ASCII, lower case, `&` as "and", punctuation gone, single spaces. A `$` or `!`
/// standing for a letter inside a name is read as that letter ("Ke$ha", "A$AP",
/// "P!nk"). One pass and one allocation: the linker folds every title and credit of
/// millions of items several times.
pub fn fold(s: &str) -> String {
    let mut out = Folded { text: String::with_capacity(s.len()), space: false };
    if s.is_ascii() {
        // Most titles and names: read byte by byte, the neighbours at hand.
        let b = s.as_bytes();
        let letter = |i: Option<usize>| i.and_then(|i| b.get(i)).is_some_and(u8::is_ascii_alphabetic);
        for (i, &c) in b.iter().enumerate() {
            match c {
                b'$' if letter(Some(i + 1)) => out.push(b's'),
                b'!' if letter(i.checked_sub(1)) && letter(Some(i + 1)) => out.push(b'i'),
                c => out.push(c),
            }
        }
        return out.text;
    }
    let mut chars = s.chars().peekable();
    let mut before: Option<char> = None;
    while let Some(c) = chars.next() {
        let after = chars.peek().copied();
        let letter = |c: Option<char>| c.is_some_and(char::is_alphabetic);
        match c {
            '$' if letter(after) => out.push(b's'),
            '!' if letter(before) && letter(after) => out.push(b'i'),
            c if c.is_ascii() => out.push(c as u8),
            // A character with no transliteration separates, as punctuation does.
            c => deunicode::deunicode_char(c).unwrap_or(" ").bytes().for_each(|b| out.push(b)),
        }
        before = Some(c);
    }
    out.text
}

/// The folded text being written: a separator is written only between two words.
struct Folded {
    text: String,
    space: bool,
}

impl Folded {
    fn push(&mut self, b: u8) {
        match b {
            b if b.is_ascii_alphanumeric() => {
                if self.space && !self.text.is_empty() {
                    self.text.push(' ');
                }
                self.space = false;
                self.text.push(b.to_ascii_lowercase() as char);
            }
            // Apostrophes join ("don't" is "dont").
            b'\'' => {}
            b'&' => {
                self.space = true;
                "and".bytes().for_each(|b| self.push(b));
                self.space = true;
            }
            _ => self.space = true,
        }
    }
}

/// "Wolves, The" is "The Wolves"; then the leading article is dropped for matching.
fn without_article(folded: &str) -> String {
    let mut words: Vec<&str> = folded.split(' ').collect();
    // "wolves the" (from "Wolves, The") puts the article last.
    if words.len() > 1 && ARTICLES.contains(words.last().expect("not empty")) {
        words.pop();
    } else if words.len() > 1 && ARTICLES.contains(&words[0]) {
        words.remove(0);
    }
    words.join(" ")
}

fn is_version(part: &str) -> bool {
    let folded = fold(part);
    let is_year = |w: &str| w.len() == 4 && w.starts_with(['1', '2']) && w.bytes().all(|b| b.is_ascii_digit());
    // A year names a version only standing alone ("(2011)"), not inside a title.
    folded.split(' ').any(|w| VERSION_WORDS.contains(&w)) || (!folded.contains(' ') && is_year(&folded))
}

fn is_featuring(part: &str) -> bool {
    let part = part.trim().as_bytes();
    FEATURING.iter().any(|f| {
        part.len() >= f.len()
            && part[..f.len()].eq_ignore_ascii_case(f.as_bytes())
            && part.get(f.len()).is_none_or(|b| *b == b' ')
    })
}

/// Where an ASCII `needle` first occurs in `text`, in any case: an offset into `text`
/// itself (a lowercased copy's offsets drift where a letter such as "İ" lowercases to
/// more bytes), found without a copy.
pub fn find_ignoring_ascii_case(text: &str, needle: &str) -> Option<usize> {
    text.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// `text` cut at its first " - ", the dash providers put between a title and what
/// they append. (A plain search: `str::split_once` sets up a searcher for each call,
/// and titles are short and many.)
pub fn split_at_dash(text: &str) -> Option<(&str, &str)> {
    let at = text.as_bytes().windows(3).position(|w| w == b" - ")?;
    Some((&text[..at], &text[at + 3..]))
}

/// `text` cut at its last " - ".
fn rsplit_at_dash(text: &str) -> Option<(&str, &str)> {
    let at = text.as_bytes().windows(3).rposition(|w| w == b" - ")?;
    Some((&text[..at], &text[at + 3..]))
}

/// The key an artist name is matched by: folded, "X, The" as "The X", article dropped.
pub fn artist_key(name: &str) -> String {
    without_article(&fold(name))
}

/// The artists a credit names, as keys, sorted and without repeats: "A feat. B", "A & B",
/// "A, B", "A x B", "A vs. B", "A with B" all name A and B. ("Mumford & Sons" is split
/// too; both sides of a comparison are split the same way.)
pub fn artist_set(credit: &str) -> Vec<String> {
    const SEPARATORS: &[&str] =
        &[" feat. ", " feat ", " ft. ", " ft ", " featuring ", " with ", " vs. ", " vs ", " & ", ", ", " and ", " / "];
    // ASCII lower case keeps every byte where it was, so the cuts fall in `credit`.
    let lower = credit.to_ascii_lowercase();
    let (text, folded) = (credit.as_bytes(), lower.as_bytes());
    let mut keys = Vec::new();
    let mut push = |part: &str| {
        let key = artist_key(part);
        if !key.is_empty() {
            keys.push(key);
        }
    };
    let (mut start, mut at) = (0, 0);
    while at < text.len() {
        // Every separator starts with a space or a comma.
        if !matches!(text[at], b' ' | b',') {
            at += 1;
            continue;
        }
        // Lower-case " x " joins collaborators ("Sia x David Guetta"); an upper-case X
        // is part of a name ("Lil Nas X").
        let cut = if text[at..].starts_with(b" x ") {
            Some(3)
        } else {
            SEPARATORS.iter().find(|s| folded[at..].starts_with(s.as_bytes())).map(|s| s.len())
        };
        match cut {
            Some(width) => {
                push(&credit[start..at]);
                at += width;
                // "A, & B", "A, feat. B": a second mark sharing the space goes too.
                if let Some(s) = SEPARATORS.iter().find(|s| folded[at..].starts_with(&s.as_bytes()[1..])) {
                    at += s.len() - 1;
                }
                start = at;
            }
            None => at += 1,
        }
    }
    push(&credit[start..]);
    keys.sort();
    keys.dedup();
    keys
}

/// A piece of a title: plain text, or what stands between a pair of brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Group { open: char, close: char, text: String },
}

/// A title cut at its brackets — `()`, `[]`, `{}`, `【】` — unnested, an unclosed
/// bracket running to the end.
pub fn bracket_parts(raw: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        let close = match c {
            '(' => ')',
            '[' => ']',
            '{' => '}',
            '【' => '】',
            _ => {
                text.push(c);
                continue;
            }
        };
        if !text.is_empty() {
            parts.push(Part::Text(std::mem::take(&mut text)));
        }
        let group: String = chars.by_ref().take_while(|&g| g != close).collect();
        parts.push(Part::Group { open: c, close, text: group });
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    parts
}

/// A title taken apart into its base and its version.
pub fn title(raw: &str) -> Title {
    let mut base = String::new();
    let mut variants: Vec<String> = Vec::new();
    for part in bracket_parts(raw) {
        match part {
            Part::Text(t) => base.push_str(&t),
            Part::Group { text, .. } if is_featuring(&text) => {}
            Part::Group { text, .. } if is_version(&text) => variants.push(text),
            // "(Don't Fear) The Reaper": brackets that name no version are the title's.
            Part::Group { text, .. } => {
                base.push(' ');
                base.push_str(&text);
                base.push(' ');
            }
        }
    }
    // "Song - 2011 Remaster", "Album - Single", "Song - Live at Wembley".
    let mut base = base.trim();
    while let Some((head, tail)) = rsplit_at_dash(base) {
        if is_version(tail) {
            variants.push(tail.to_string());
            base = head.trim();
        } else {
            break;
        }
    }
    // A trailing "feat. X" outside brackets.
    if let Some(i) = [" feat. ", " feat ", " ft. ", " ft ", " featuring "]
        .iter()
        .filter_map(|f| find_ignoring_ascii_case(base, f))
        .min()
    {
        base = &base[..i];
    }
    variants.reverse();
    let mut base_key = without_article(&fold(base));
    if base_key.is_empty() {
        // A title that is all version words ("Live") is its own base.
        base_key = fold(raw);
    }
    Title { base: base_key, variant: variants.iter().map(|v| fold(v)).collect::<Vec<_>>().join(" ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(raw: &str) -> (String, String) {
        let t = title(raw);
        (t.base, t.variant)
    }

    #[test]
    fn folding_reads_accents_ampersands_and_punctuation_the_same() {
        assert_eq!(fold("Björk"), "bjork");
        assert_eq!(fold("Simon & Garfunkel"), "simon and garfunkel");
        assert_eq!(fold("Don't Stop Me Now!"), "dont stop me now");
        assert_eq!(fold("AC/DC"), "ac dc");
        assert_eq!(fold("  Sigur   Rós "), "sigur ros");
        assert_eq!(fold("Ke$ha"), "kesha");
        assert_eq!(fold("A$AP Rocky"), "asap rocky");
        assert_eq!(fold("P!nk"), "pink");
        assert_eq!(fold("Panic! at the Disco"), "panic at the disco");
        assert_eq!(fold("$100 Bill"), "100 bill", "a dollar before a number is no letter");
    }

    #[test]
    fn artist_names_lose_their_article_wherever_it_stands() {
        assert_eq!(artist_key("The Beatles"), "beatles");
        assert_eq!(artist_key("Beatles, The"), "beatles");
        assert_eq!(artist_key("The The"), "the", "a name that is only articles keeps one");
        assert_eq!(artist_key("A-ha"), "ha", "hyphens separate, and a leading article goes");
    }

    #[test]
    fn credits_split_into_sets() {
        assert_eq!(artist_set("Mark Ronson feat. Bruno Mars"), ["bruno mars", "mark ronson"]);
        assert_eq!(artist_set("Bruno Mars & Mark Ronson"), ["bruno mars", "mark ronson"]);
        assert_eq!(artist_set("Sia x David Guetta"), ["david guetta", "sia"]);
        assert_eq!(artist_set("Lil Nas X"), ["lil nas x"]);
        assert_eq!(artist_set("Armin van Buuren vs. Vini Vici"), ["armin van buuren", "vini vici"]);
        assert_eq!(artist_set("Daft Punk"), ["daft punk"]);
        assert_eq!(artist_set("Calvin Harris, Rihanna"), ["calvin harris", "rihanna"]);
        assert_eq!(
            artist_set("Mats Berglund, Göran Häkansson, & Olav Sæta"),
            ["goran hakansson", "mats berglund", "olav saeta"],
            "a serial comma before the last name"
        );
        assert_eq!(
            artist_set("Philadelphia Orchestra, feat. Eugene Ormandy"),
            ["eugene ormandy", "philadelphia orchestra"]
        );
        assert_eq!(artist_set("İlhan Şen & Ayşe"), ["ayse", "ilhan sen"], "letters that grow when lower-cased");
    }

    #[test]
    fn versions_come_apart_from_titles_and_are_kept() {
        assert_eq!(t("Discovery"), ("discovery".into(), "".into()));
        assert_eq!(
            t("The Dark Side of the Moon (2011 Remaster)"),
            ("dark side of the moon".into(), "2011 remaster".into())
        );
        assert_eq!(t("Abbey Road [Deluxe Edition]"), ("abbey road".into(), "deluxe edition".into()));
        assert_eq!(t("Here Comes the Sun - Remastered 2009"), ("here comes the sun".into(), "remastered 2009".into()));
        assert_eq!(
            t("Happy (From \"Despicable Me 2\") - Single"),
            ("happy from despicable me 2".into(), "single".into())
        );
        assert_eq!(t("Uptown Funk (feat. Bruno Mars)"), ("uptown funk".into(), "".into()));
        assert_eq!(t("Uptown Funk ft. Bruno Mars"), ("uptown funk".into(), "".into()));
        assert_eq!(t("İİİ ft. Sezen Aksu"), ("iii".into(), "".into()), "cut where the mark is, whatever precedes it");
        assert_eq!(t("Yellow - Live at Glastonbury"), ("yellow".into(), "live at glastonbury".into()));
        assert_eq!(t("Levels (Radio Edit)"), ("levels".into(), "radio edit".into()));
        assert_eq!(t("(Don't Fear) The Reaper"), ("dont fear the reaper".into(), "".into()));
        assert_eq!(t("Love & Hate"), ("love and hate".into(), "".into()));
        assert_eq!(t("Live"), ("live".into(), "".into()), "a title that is a version word stays a title");
        assert_eq!(t("1999"), ("1999".into(), "".into()), "a year alone is a title");
    }
}
