//! Reading a music video's title as artist and song: "Artist - Song (Official Video)"
//! and the usual variants (quotes, pipes, "ft.", brackets of noise, live and remix
//! versions, the song first and the artist after, the artist only in the channel's
//! name), and saying no to uploads that are not songs.
//!
//! The rules come from how labels and artists title uploads, not from the simulator:
//! the tests below are written from real channel conventions.

use liner_normalize::Part;

/// What a video title says it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub artist: String,
    pub title: String,
    /// "Live at Glastonbury 2019", "Acoustic", "Extended Mix": other audio than the song.
    pub version: Option<String>,
}

/// Words of uploads that are about the artist, not a song.
const NOT_A_SONG: &[&str] = &[
    "behind the scenes",
    "interview",
    "trailer",
    "teaser",
    "announcement",
    "q&a",
    "livestream",
    "live stream",
    "unboxing",
    "reaction",
    "vlog",
    "documentary",
    "making of",
    "tour diary",
    "full album",
    "full concert",
];

/// Bracketed words that describe the upload, not the song.
const NOISE: &[&str] = &[
    "official",
    "video",
    "audio",
    "lyric",
    "lyrics",
    "visualizer",
    "visualiser",
    "hd",
    "hq",
    "4k",
    "mv",
    "m/v",
    "explicit",
    "clean",
    "music",
    "color coded",
    "with",
    "subtitles",
    "premiere",
    "animated",
    "vertical",
];

/// Bracketed words that make another recording of the song.
const VERSION: &[&str] = &[
    "live",
    "acoustic",
    "remix",
    "mix",
    "edit",
    "version",
    "remaster",
    "remastered",
    "demo",
    "session",
    "unplugged",
    "instrumental",
    "cover",
    "stripped",
    "piano",
];

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '&' && c != '/')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn is_noise(group: &str) -> bool {
    let w = words(group);
    !w.is_empty() && w.iter().all(|x| NOISE.contains(&x.as_str()) || x.chars().all(|c| c.is_ascii_digit()))
}

fn is_version(group: &str) -> bool {
    words(group).iter().any(|x| VERSION.contains(&x.as_str()))
}

fn is_featuring(group: &str) -> bool {
    let g = group.trim().to_lowercase();
    ["feat.", "feat ", "ft.", "ft ", "featuring ", "with "].iter().any(|p| g.starts_with(p))
}

/// The channel's name as an artist: without "VEVO", " - Topic", "Official".
pub fn channel_artist(channel: &str) -> String {
    let mut c = channel.trim();
    for suffix in [" - Topic", "VEVO", "Vevo", " Official", "Official"] {
        c = c.strip_suffix(suffix).unwrap_or(c).trim();
    }
    c.to_string()
}

/// The same name, letters and digits compared: VEVO channels drop the spaces
/// ("TaylorSwiftVEVO").
fn same(a: &str, b: &str) -> bool {
    let letters =
        |s: &str| deunicode_lite(&s.to_lowercase()).chars().filter(|c| c.is_alphanumeric()).collect::<String>();
    let (a, b) = (letters(a), letters(b));
    !a.is_empty() && a == b
}

/// Accents aside, for comparing names: the few that matter in names.
fn deunicode_lite(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' | 'õ' | 'ø' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

/// Cuts " ft. X" / " feat. X" off the end of a name or title.
fn without_featuring(s: &str) -> &str {
    let lower = s.to_lowercase();
    let cut = [" feat. ", " feat ", " ft. ", " ft ", " featuring "].iter().filter_map(|p| lower.find(p)).min();
    match cut {
        Some(i) => s[..i].trim(),
        None => s.trim(),
    }
}

fn trim_quotes(s: &str) -> &str {
    s.trim().trim_matches(|c: char| matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’' | '«' | '»')).trim()
}

pub fn parse(title: &str, channel: &str) -> Option<Candidate> {
    let dashed: String =
        title.chars().map(|c| if matches!(c, '–' | '—' | '‒' | '―' | '~') { '-' } else { c }).collect();
    let t = dashed.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = t.to_lowercase();
    if NOT_A_SONG.iter().any(|w| lower.contains(w)) {
        return None;
    }

    // Take the bracketed groups out: noise goes, versions are kept aside, featured
    // artists go, anything else stays part of the title ("(Don't Fear) The Reaper").
    let mut rest = String::new();
    let mut version: Option<String> = None;
    for part in liner_normalize::bracket_parts(&t) {
        match part {
            Part::Text(text) => rest.push_str(&text),
            Part::Group { text, .. } if is_featuring(&text) || is_noise(&text) => {}
            Part::Group { text, .. } if is_version(&text) => {
                version.get_or_insert_with(|| text.trim().to_string());
            }
            Part::Group { open, close, text } => {
                rest.push(open);
                rest.push_str(&text);
                rest.push(close);
            }
        }
    }
    let rest = rest.split_whitespace().collect::<Vec<_>>().join(" ");

    // "Artist | Song | Official Visualizer"
    let pipes: Vec<&str> = rest.split('|').map(str::trim).filter(|p| !p.is_empty() && !is_noise(p)).collect();
    let (mut artist, mut song) = if pipes.len() >= 2 {
        (pipes[0].to_string(), pipes[1].to_string())
    } else if let Some((a, s)) = pipes.first().and_then(|p| p.split_once(" - ")) {
        (a.to_string(), s.to_string())
    } else {
        let whole = pipes.first().copied().unwrap_or("");
        // Artist "Song"
        match whole.find(['"', '“']) {
            Some(i) if i > 0 => (whole[..i].to_string(), whole[i..].to_string()),
            _ => (channel_artist(channel), whole.to_string()),
        }
    };
    // A trailing " - Live at ..." or " - Acoustic" after the song is a version too.
    if let Some((s, v)) = song.clone().rsplit_once(" - ")
        && is_version(v)
    {
        version.get_or_insert_with(|| v.trim().to_string());
        song = s.to_string();
    }
    // "Song - Artist": the channel says which side is the artist.
    let channel = channel_artist(channel);
    if same(&song, &channel) && !same(&artist, &channel) {
        std::mem::swap(&mut artist, &mut song);
    }
    let artist = trim_quotes(without_featuring(&artist)).to_string();
    let song = trim_quotes(without_featuring(&song)).trim_end_matches(['-', ' ']).to_string();
    if song.is_empty() || artist.is_empty() {
        return None;
    }
    Some(Candidate { artist, title: song, version })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(title: &str, channel: &str) -> Option<(String, String, Option<String>)> {
        parse(title, channel).map(|c| (c.artist, c.title, c.version))
    }

    fn plain(artist: &str, title: &str) -> Option<(String, String, Option<String>)> {
        Some((artist.into(), title.into(), None))
    }

    #[test]
    fn the_usual_label_and_artist_conventions() {
        assert_eq!(
            p("Rick Astley - Never Gonna Give You Up (Official Music Video)", "Rick Astley"),
            plain("Rick Astley", "Never Gonna Give You Up")
        );
        assert_eq!(p("Daft Punk - One More Time (Official Video)", "Daft Punk"), plain("Daft Punk", "One More Time"));
        assert_eq!(p("Adele – Hello [Official Video]", "AdeleVEVO"), plain("Adele", "Hello"));
        assert_eq!(
            p("Queen – Bohemian Rhapsody (Official Video Remastered)", "Queen Official"),
            Some(("Queen".into(), "Bohemian Rhapsody".into(), Some("Official Video Remastered".into())))
        );
        assert_eq!(p("Billie Eilish - bad guy (Official Audio)", "Billie Eilish"), plain("Billie Eilish", "bad guy"));
        assert_eq!(
            p("Mark Ronson - Uptown Funk (Official Video) ft. Bruno Mars", "Mark Ronson"),
            plain("Mark Ronson", "Uptown Funk")
        );
        assert_eq!(
            p("Calvin Harris ft. Rihanna - This Is What You Came For (Official Video)", "CalvinHarrisVEVO"),
            plain("Calvin Harris", "This Is What You Came For")
        );
        assert_eq!(
            p("Pharrell Williams - Happy (Lyric Video) [HD]", "Pharrell Williams"),
            plain("Pharrell Williams", "Happy")
        );
        assert_eq!(
            p("Radiohead | Weird Fishes | Official Visualizer", "Radiohead"),
            plain("Radiohead", "Weird Fishes")
        );
        assert_eq!(
            p("Arctic Monkeys \"Do I Wanna Know?\" (Official Video)", "Arctic Monkeys"),
            plain("Arctic Monkeys", "Do I Wanna Know?")
        );
    }

    #[test]
    fn the_artist_can_be_only_in_the_channel_or_after_the_song() {
        assert_eq!(p("Lose Yourself (Lyric Video)", "Eminem - Topic"), plain("Eminem", "Lose Yourself"));
        assert_eq!(p("Hello (Official Video)", "AdeleVEVO"), plain("Adele", "Hello"));
        assert_eq!(p("Strobe - deadmau5", "deadmau5"), plain("deadmau5", "Strobe"));
        assert_eq!(p("Shake It Off - Taylor Swift", "TaylorSwiftVEVO"), plain("Taylor Swift", "Shake It Off"));
    }

    #[test]
    fn versions_are_kept_apart_and_parts_of_titles_stay() {
        assert_eq!(
            p("Nirvana - Lake Of Fire (Live On MTV Unplugged Unedited)", "Nirvana"),
            Some(("Nirvana".into(), "Lake Of Fire".into(), Some("Live On MTV Unplugged Unedited".into())))
        );
        assert_eq!(
            p("Coldplay - Yellow - Live at Glastonbury 2016", "Coldplay"),
            Some(("Coldplay".into(), "Yellow".into(), Some("Live at Glastonbury 2016".into())))
        );
        assert_eq!(
            p("Blue Öyster Cult - (Don't Fear) The Reaper (Official Audio)", "Blue Oyster Cult"),
            plain("Blue Öyster Cult", "(Don't Fear) The Reaper")
        );
        assert_eq!(
            p("Avicii - Levels (Skrillex Remix)", "Avicii"),
            Some(("Avicii".into(), "Levels".into(), Some("Skrillex Remix".into())))
        );
    }

    #[test]
    fn uploads_that_are_not_songs_are_refused() {
        assert_eq!(p("Taylor Swift - Behind The Scenes of Anti-Hero", "Taylor Swift"), None);
        assert_eq!(p("World Tour 2026 Announcement", "Coldplay"), None);
        assert_eq!(p("The Making Of Random Access Memories", "Daft Punk"), None);
        assert_eq!(p("(Official Video)", "Somebody"), None, "nothing but noise");
    }
}
