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
/// "P!nk").
pub fn fold(s: &str) -> String {
    let ascii = deunicode::deunicode(&letters_for_symbols(s)).to_lowercase().replace('&', " and ");
    let kept: String = ascii
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c
            } else if c == '\'' {
                '\0'
            } else {
                ' '
            }
        })
        .collect();
    // Apostrophes join ("don't" is "dont"), other punctuation separates.
    kept.replace('\0', "").split_whitespace().collect::<Vec<_>>().join(" ")
}

fn letters_for_symbols(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['$', '!']) {
        return std::borrow::Cow::Borrowed(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let before = i > 0 && chars[i - 1].is_alphabetic();
        let after = chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
        match c {
            '$' if after => out.push('s'),
            '!' if before && after => out.push('i'),
            _ => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
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
    fold(part).split(' ').any(|w| {
        VERSION_WORDS.contains(&w)
            || (w.len() == 4
                && w.starts_with(['1', '2'])
                && w.chars().all(|c| c.is_ascii_digit())
                && fold(part).split(' ').count() == 1)
    })
}

fn is_featuring(part: &str) -> bool {
    let lower = part.trim().to_lowercase();
    FEATURING.iter().any(|f| lower == *f || lower.starts_with(&format!("{f} ")))
}

/// The key an artist name is matched by: folded, "X, The" as "The X", article dropped.
pub fn artist_key(name: &str) -> String {
    without_article(&fold(name))
}

/// The artists a credit names, as keys, sorted and without repeats: "A feat. B", "A & B",
/// "A, B", "A x B", "A vs. B", "A with B" all name A and B. ("Mumford & Sons" is split
/// too; both sides of a comparison are split the same way.)
pub fn artist_set(credit: &str) -> Vec<String> {
    // Lower-case " x " joins collaborators ("Sia x David Guetta"); an upper-case X is
    // part of a name ("Lil Nas X").
    let marked = credit.replace(" x ", " \u{1} ");
    let mut parts = vec![marked];
    for sep in [
        " feat. ",
        " feat ",
        " ft. ",
        " ft ",
        " featuring ",
        " with ",
        " vs. ",
        " vs ",
        " & ",
        ", ",
        " and ",
        " \u{1} ",
        " / ",
    ] {
        parts = parts
            .into_iter()
            .flat_map(|p| {
                let lower = p.to_lowercase();
                let mut out = Vec::new();
                let mut start = 0;
                while let Some(i) = lower[start..].find(sep) {
                    out.push(p[start..start + i].to_string());
                    start += i + sep.len();
                }
                out.push(p[start..].to_string());
                out
            })
            .collect();
    }
    let mut keys: Vec<String> = parts.iter().map(|p| artist_key(p)).filter(|k| !k.is_empty()).collect();
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
    let mut base = base.trim().to_string();
    while let Some((head, tail)) = base.rsplit_once(" - ") {
        if is_version(tail) {
            variants.push(tail.to_string());
            base = head.trim().to_string();
        } else {
            break;
        }
    }
    // A trailing "feat. X" outside brackets.
    let lower = base.to_lowercase();
    if let Some(i) = [" feat. ", " feat ", " ft. ", " ft ", " featuring "].iter().filter_map(|f| lower.find(f)).min() {
        base.truncate(i);
    }
    variants.reverse();
    let mut base_key = without_article(&fold(&base));
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
        assert_eq!(t("Yellow - Live at Glastonbury"), ("yellow".into(), "live at glastonbury".into()));
        assert_eq!(t("Levels (Radio Edit)"), ("levels".into(), "radio edit".into()));
        assert_eq!(t("(Don't Fear) The Reaper"), ("dont fear the reaper".into(), "".into()));
        assert_eq!(t("Love & Hate"), ("love and hate".into(), "".into()));
        assert_eq!(t("Live"), ("live".into(), "".into()), "a title that is a version word stays a title");
        assert_eq!(t("1999"), ("1999".into(), "".into()), "a year alone is a title");
    }
}
