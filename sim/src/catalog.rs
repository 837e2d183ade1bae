//! The simulated world: a catalog generated from a seed and a size, and what each
//! provider shows of it.
//!
//! The canonical catalog (artists, albums, their editions, recordings) is the ground
//! truth. MusicBrainz and Deezer each see part of it, spelled their own way: edition
//! suffixes in Deezer titles but not in MusicBrainz ones, featured artists in the
//! title on one side and in the credit on the other, 12- versus 13-digit barcodes,
//! missing and mistyped identifiers, diacritics dropped. The messiness follows what the
//! recorded responses in shared/fixtures/real show, not what a matcher finds easy.

use chrono::{Datelike, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub type ArtistIdx = usize;
pub type RecordingIdx = usize;

#[derive(Debug, Clone)]
pub struct Artist {
    pub name: String,
    pub sort_name: String,
    pub mbid: String,
    pub deezer_id: u64,
    /// How Deezer spells the name (diacritics are sometimes lost upstream).
    pub deezer_name: String,
    pub disambiguation: String,
}

/// One name in a MusicBrainz-style artist credit, with the phrase that joins it to
/// the next one ("", " & ", " feat. ").
#[derive(Debug, Clone)]
pub struct Credit {
    pub artist: ArtistIdx,
    pub join: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlbumKind {
    Album,
    Single,
    Ep,
    Compilation,
}

impl AlbumKind {
    pub fn musicbrainz(self) -> (&'static str, Vec<&'static str>) {
        match self {
            AlbumKind::Album => ("Album", vec![]),
            AlbumKind::Single => ("Single", vec![]),
            AlbumKind::Ep => ("EP", vec![]),
            AlbumKind::Compilation => ("Album", vec!["Compilation"]),
        }
    }
    pub fn deezer(self) -> &'static str {
        match self {
            AlbumKind::Album => "album",
            AlbumKind::Single => "single",
            AlbumKind::Ep => "ep",
            AlbumKind::Compilation => "compile",
        }
    }
}

/// A release group: the album as an idea, with one or more editions.
#[derive(Debug, Clone)]
pub struct Album {
    pub title: String,
    pub credits: Vec<Credit>,
    pub kind: AlbumKind,
    pub mbid: String,
    pub first_release_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edition {
    Original,
    Deluxe,
    Remaster(u16),
    Expanded,
    Anniversary(u16),
}

#[derive(Debug, Clone)]
pub struct MbRelease {
    pub mbid: String,
    /// As MusicBrainz shows it: `None` is JSON null, `Some("")` is "known to have none".
    pub barcode: Option<String>,
    pub disambiguation: String,
    /// One MusicBrainz track id per position.
    pub track_mbids: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DeezerAlbum {
    pub id: u64,
    pub title: String,
    pub upc: String,
    pub tracks: Vec<DeezerTrack>,
    pub fans: u32,
    /// The date Deezer shows: the product's own, or for some older albums the day the
    /// digital edition came out (as Deezer and Spotify show for much back catalogue).
    pub release_date: String,
}

#[derive(Debug, Clone)]
pub struct DeezerTrack {
    pub id: u64,
    pub recording: RecordingIdx,
    pub title: String,
    pub title_version: String,
    pub isrc: String,
    pub rank: u32,
}

/// One product: an edition of an album with a barcode and a tracklist.
#[derive(Debug, Clone)]
pub struct Release {
    pub album: usize,
    pub edition: Edition,
    pub date: String,
    pub country: &'static str,
    pub label: String,
    pub catalog_number: String,
    /// The true GTIN of the product, if it has one.
    pub gtin: Option<String>,
    pub tracks: Vec<RecordingIdx>,
    pub musicbrainz: Option<MbRelease>,
    pub deezer: Option<DeezerAlbum>,
}

#[derive(Debug, Clone)]
pub struct Recording {
    pub title: String,
    pub credits: Vec<Credit>,
    /// Featured artists: in the credit on MusicBrainz, in the title on Deezer.
    pub featured: Vec<ArtistIdx>,
    pub isrcs: Vec<String>,
    /// The ISRCs MusicBrainz knows of: often fewer than exist.
    pub musicbrainz_isrcs: Vec<String>,
    pub length_ms: u32,
    pub mbid: String,
    /// A version note that is part of what the recording is ("Live", "Demo", "2011 Remaster").
    pub version: String,
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub artists: Vec<Artist>,
    pub albums: Vec<Album>,
    pub releases: Vec<Release>,
    pub recordings: Vec<Recording>,
    /// The day the catalog is made for (`YYYY-MM-DD`): a release dated later is
    /// announced and not out yet, a pre-release.
    pub today: String,
}

/// Which items are the same thing across providers.
#[derive(Debug, Clone, Default)]
pub struct Truth {
    /// (MusicBrainz release id, Deezer album id) of the same product.
    pub release_pairs: Vec<(String, u64)>,
    /// (MusicBrainz recording id, Deezer track id) of the same recording.
    pub track_pairs: Vec<(String, u64)>,
}

const FIRST: &[&str] = &[
    "Ana",
    "José",
    "Björk",
    "Zoë",
    "Léa",
    "Mikael",
    "Søren",
    "Chloé",
    "Renée",
    "Ólafur",
    "Anaïs",
    "Nina",
    "Marcus",
    "Aaliyah",
    "Kenji",
    "Fatoumata",
    "Dmitri",
    "Lucía",
    "Tomás",
    "Ines",
    "Jack",
    "Emily",
    "Noah",
    "Grace",
    "Omar",
    "Yuki",
    "Priya",
    "Sam",
    "Maya",
    "Leo",
];
const LAST: &[&str] = &[
    "Gómez",
    "Müller",
    "Nørgaard",
    "Dubois",
    "Arnalds",
    "Silva",
    "Okafor",
    "Tanaka",
    "Novak",
    "Brown",
    "Smith",
    "Diallo",
    "Kowalski",
    "Rossi",
    "Walker",
    "Hughes",
    "Nakamura",
    "Ferreira",
    "O'Brien",
    "Lindqvist",
    "Park",
    "Santos",
    "Reyes",
    "Kim",
];
const ADJ: &[&str] = &[
    "Electric", "Silent", "Golden", "Broken", "Velvet", "Neon", "Midnight", "Crystal", "Wild", "Hollow", "Burning",
    "Paper", "Northern", "Lonely", "Cosmic", "Blue", "Black", "Little", "Sweet", "Dead", "Young", "Happy", "Strange",
    "Red",
];
const NOUN: &[&str] = &[
    "Hearts",
    "Wolves",
    "Rivers",
    "Machines",
    "Ghosts",
    "Tigers",
    "Lights",
    "Horses",
    "Kings",
    "Shadows",
    "Birds",
    "Stars",
    "Dreamers",
    "Saints",
    "Lovers",
    "Strangers",
    "Giants",
    "Keys",
    "Mountains",
    "Echoes",
];
const WORD: &[&str] = &[
    "Love", "Night", "Fire", "Summer", "Rain", "Heart", "Time", "Home", "Dream", "Light", "Road", "Gold", "Ocean",
    "City", "Sky", "Storm", "Wave", "Kingdom", "Garden", "Mirror", "Tonight", "Forever", "Heaven", "Youth", "Paradise",
    "Stranger", "Echo", "Shadow",
];
/// Titles that many artists use: the same title by different artists is common.
const COMMON_TITLES: &[&str] = &[
    "Greatest Hits",
    "Live",
    "Love Songs",
    "Home",
    "Forever",
    "Intro",
    "Paradise",
    "Unplugged",
    "The Collection",
    "Tonight",
    "Hello",
    "Stay",
    "Runaway",
    "Closer",
    "Rain",
    "Interlude",
];
const LABELS: &[&str] = &[
    "Parlophone",
    "Warner Records",
    "Sub Pop",
    "XL Recordings",
    "Island Records",
    "Domino",
    "Columbia",
    "Ninja Tune",
    "Matador",
    "4AD",
    "Because Music",
    "Universal Music Group",
];
const COUNTRIES: &[&str] = &["US", "GB", "DE", "FR", "XW", "XE", "JP", "SE"];
const ISRC_COUNTRIES: &[&str] = &["US", "GB", "DE", "FR", "SE", "NL", "QM", "QZ"];

/// The generator's knobs, as shares of items.
struct Noise {
    mb_barcode_missing: f64,
    mb_barcode_typo: f64,
    mb_isrc_missing: f64,
    second_isrc: f64,
    deezer_isrc_missing: f64,
    deezer_upc_padded: f64,
    deezer_strips_diacritics: f64,
    only_on_one_side: f64,
}

/// Seeds the announced records' draws apart from the rest of the catalog.
const ANNOUNCED_STREAM: u64 = 0x616e_6e6f_756e_6365;

const NOISE: Noise = Noise {
    mb_barcode_missing: 0.08,
    mb_barcode_typo: 0.02,
    mb_isrc_missing: 0.15,
    second_isrc: 0.08,
    deezer_isrc_missing: 0.02,
    deezer_upc_padded: 0.5,
    deezer_strips_diacritics: 0.15,
    only_on_one_side: 0.12,
};

/// When a release came out: some day of a year, or a given day.
enum When {
    Year(i32),
    Day(String),
}

struct Generator {
    rng: ChaCha8Rng,
    /// The last year a release already out can be from.
    last_year: i32,
    catalog: Catalog,
    next_deezer_id: u64,
    next_gtin: u64,
    next_isrc: u64,
    /// Where this catalog's ISRC registrants start (random, so catalogs differ).
    registrant_base: u32,
    /// Artists so far by name: homonyms get a disambiguation.
    names: std::collections::HashMap<String, u32>,
}

/// Syllables for made-up names: real catalogs are mostly names no other artist has,
/// so the word lists above (whose names recur at scale, as homonyms do) are only a
/// share of them.
const ONSETS: &[&str] = &[
    "b", "br", "k", "kr", "d", "dr", "f", "g", "gr", "l", "m", "n", "p", "r", "s", "st", "t", "tr", "v", "z", "sh",
    "ch", "j", "h",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ou", "y", "ä", "é"];
const CODAS: &[&str] = &["", "n", "r", "l", "s", "x", "m", "k", "nd", "rt"];

impl Catalog {
    /// A deterministic catalog of `artists` artists (plus the guests they feature), as
    /// of the clock's today: every artist's next record is announced ahead of it.
    pub fn generate(seed: u64, artists: usize) -> Catalog {
        Catalog::generate_on(seed, artists, chrono::Utc::now().date_naive())
    }

    /// The same catalog as of `today`. Only the announced records' dates move with the
    /// day: they are drawn last, from a stream of their own, so every other item is the
    /// same whatever the day.
    pub fn generate_on(seed: u64, artists: usize, today: NaiveDate) -> Catalog {
        let mut g = Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            last_year: today.year() - 1,
            catalog: Catalog { today: today.format("%Y-%m-%d").to_string(), ..Catalog::default() },
            next_deezer_id: 1000 + seed % 1000,
            next_gtin: 0,
            next_isrc: 0,
            registrant_base: 0,
            names: Default::default(),
        };
        g.registrant_base = g.rng.random_range(0..26 * 26 * 26);
        for _ in 0..artists {
            g.artist();
        }
        let main_artists = g.catalog.artists.len();
        for a in 0..main_artists {
            g.discography(a, main_artists);
        }
        g.rng = ChaCha8Rng::seed_from_u64(seed ^ ANNOUNCED_STREAM);
        for a in 0..main_artists {
            g.announced(a, main_artists, today);
        }
        g.catalog
    }

    /// Whether a release is announced and not out yet on the catalog's day.
    pub fn is_prerelease(&self, release: &Release) -> bool {
        release.date > self.today
    }

    /// Whether a recording has explicit lyrics: one in eight, read off its MBID rather
    /// than drawn, so that the flag moved no other value of the catalog.
    pub fn is_explicit(&self, recording: RecordingIdx) -> bool {
        matches!(self.recordings[recording].mbid.as_bytes().first(), Some(b'0' | b'1'))
    }

    /// A release is explicit when one of its recordings is.
    pub fn is_explicit_release(&self, release: &Release) -> bool {
        release.tracks.iter().any(|&t| self.is_explicit(t))
    }

    /// Releases in which the artist is credited.
    pub fn releases_of(&self, artist: ArtistIdx) -> impl Iterator<Item = (usize, &Release)> {
        self.releases
            .iter()
            .enumerate()
            .filter(move |(_, r)| self.albums[r.album].credits.iter().any(|c| c.artist == artist))
    }

    pub fn albums_of(&self, artist: ArtistIdx) -> impl Iterator<Item = (usize, &Album)> {
        self.albums.iter().enumerate().filter(move |(_, a)| a.credits.iter().any(|c| c.artist == artist))
    }

    /// The credit as one string, the way MusicBrainz writes it.
    pub fn credit_name(&self, credits: &[Credit]) -> String {
        credits.iter().map(|c| format!("{}{}", self.artists[c.artist].name, c.join)).collect()
    }

    pub fn truth(&self) -> Truth {
        let mut truth = Truth::default();
        for r in &self.releases {
            let (Some(mb), Some(dz)) = (&r.musicbrainz, &r.deezer) else {
                continue;
            };
            truth.release_pairs.push((mb.mbid.clone(), dz.id));
        }
        let mut deezer_tracks_of: Vec<Vec<u64>> = vec![Vec::new(); self.recordings.len()];
        let mut on_musicbrainz = vec![false; self.recordings.len()];
        for r in &self.releases {
            if let Some(dz) = &r.deezer {
                for t in &dz.tracks {
                    deezer_tracks_of[t.recording].push(t.id);
                }
            }
            if r.musicbrainz.is_some() {
                for &rec in &r.tracks {
                    on_musicbrainz[rec] = true;
                }
            }
        }
        for (rec, tracks) in deezer_tracks_of.into_iter().enumerate() {
            if !on_musicbrainz[rec] {
                continue;
            }
            for t in tracks {
                truth.track_pairs.push((self.recordings[rec].mbid.clone(), t));
            }
        }
        truth
    }
}

impl Generator {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs.choose(&mut self.rng).expect("non-empty word list")
    }

    fn uuid(&mut self) -> String {
        let b: [u8; 16] = self.rng.random();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            u16::from_be_bytes([b[4], b[5]]),
            u16::from_be_bytes([b[6], b[7]]) & 0x0fff,
            (u16::from_be_bytes([b[8], b[9]]) & 0x3fff) | 0x8000,
            u64::from_be_bytes([0, 0, b[10], b[11], b[12], b[13], b[14], b[15]]),
        )
    }

    fn deezer_id(&mut self) -> u64 {
        self.next_deezer_id += self.rng.random_range(1..40);
        self.next_deezer_id
    }

    /// A made-up word of two or three syllables, capitalised: "Drakel", "Zoumin".
    fn coined(&mut self) -> String {
        let syllables = if self.chance(0.3) { 3 } else { 2 };
        let mut w = String::new();
        for _ in 0..syllables {
            w.push_str(self.pick(ONSETS));
            w.push_str(self.pick(VOWELS));
            w.push_str(self.pick(CODAS));
        }
        let mut chars = w.chars();
        chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
    }

    fn surname(&mut self) -> String {
        if self.chance(0.3) { self.pick(LAST).to_string() } else { self.coined() }
    }

    fn artist(&mut self) -> ArtistIdx {
        let (name, sort_name) = match self.rng.random_range(0..10) {
            0..=3 => {
                let (f, l) = (self.pick(FIRST), self.surname());
                (format!("{f} {l}"), format!("{l}, {f}"))
            }
            4..=5 => {
                let noun = if self.chance(0.3) { self.pick(NOUN).to_string() } else { format!("{}s", self.coined()) };
                let n = format!("{} {noun}", self.pick(ADJ));
                (format!("The {n}"), format!("{n}, The"))
            }
            6..=7 => {
                let n = if self.chance(0.3) {
                    format!("{} {}", self.pick(ADJ), self.pick(NOUN))
                } else {
                    format!("{} {}", self.coined(), self.pick(NOUN))
                };
                (n.clone(), n)
            }
            8 => {
                let n = format!("{} & the {}", self.pick(FIRST), self.pick(NOUN));
                (n.clone(), n)
            }
            _ => {
                let n = if self.chance(0.3) { self.pick(WORD).to_uppercase() } else { self.coined().to_uppercase() };
                (n.clone(), n)
            }
        };
        // Homonyms exist: a second artist with the same name gets a disambiguation.
        let homonyms = self.names.entry(name.clone()).or_default();
        *homonyms += 1;
        let disambiguation = if *homonyms > 1 { format!("{} band", self.pick(COUNTRIES)) } else { String::new() };
        let deezer_name =
            if self.chance(NOISE.deezer_strips_diacritics) { strip_diacritics(&name) } else { name.clone() };
        let mbid = self.uuid();
        let deezer_id = self.deezer_id();
        self.catalog.artists.push(Artist { name, sort_name, mbid, deezer_id, deezer_name, disambiguation });
        self.catalog.artists.len() - 1
    }

    fn title(&mut self, artist_name: &str) -> String {
        match self.rng.random_range(0..20) {
            0..=3 => self.pick(COMMON_TITLES).to_string(),
            4 => artist_name.to_string(), // self-titled
            5..=9 => format!("{} {}", self.pick(ADJ), self.pick(WORD)),
            10..=12 => format!("{} of {}", self.pick(WORD), self.pick(WORD)),
            13 => format!("{} & {}", self.pick(WORD), self.pick(WORD)),
            _ => self.pick(WORD).to_string(),
        }
    }

    fn isrc(&mut self) -> String {
        self.next_isrc += 1;
        let cc = self.pick(ISRC_COUNTRIES);
        // Designation, year and registrant count up together, so no two recordings
        // share an ISRC (up to 52 billion of them) whatever the random country.
        let n = self.next_isrc;
        let block = (self.registrant_base as u64 + n / 3_000_000) % (26 * 26 * 26);
        let registrant: String =
            [block / 676, block / 26 % 26, block % 26].iter().map(|&d| (b'A' + d as u8) as char).collect();
        let year = 70 + (n / 100_000) % 30;
        format!("{cc}{registrant}{year:02}{:05}", n % 100_000)
    }

    /// A valid GTIN: 12-digit UPC-A for North America, 13-digit EAN elsewhere.
    fn gtin(&mut self, country: &str) -> String {
        self.next_gtin += 1;
        let body = if country == "US" {
            format!("{:011}", 60_000_000_000u64 + self.next_gtin * 7919 % 10_000_000_000)
        } else {
            format!("{:012}", 500_000_000_000u64 + self.next_gtin * 7919 % 100_000_000_000)
        };
        format!("{body}{}", liner_normalize::check_digit(&body))
    }

    fn recording(
        &mut self,
        title: String,
        credits: Vec<Credit>,
        featured: Vec<ArtistIdx>,
        version: &str,
    ) -> RecordingIdx {
        let mut isrcs = vec![self.isrc()];
        if self.chance(NOISE.second_isrc) {
            isrcs.push(self.isrc());
        }
        let musicbrainz_isrcs = if self.chance(NOISE.mb_isrc_missing) { Vec::new() } else { isrcs.clone() };
        let length_ms = self.rng.random_range(95_000..420_000);
        let mbid = self.uuid();
        let version = version.to_string();
        self.catalog.recordings.push(Recording {
            title,
            credits,
            featured,
            isrcs,
            musicbrainz_isrcs,
            length_ms,
            mbid,
            version,
        });
        self.catalog.recordings.len() - 1
    }

    fn credits_for_album(&mut self, artist: ArtistIdx, main_artists: usize) -> Vec<Credit> {
        if self.chance(0.08) && main_artists > 1 {
            let other = (artist + self.rng.random_range(1..main_artists)) % main_artists;
            let join = if self.chance(0.5) { " & " } else { ", " };
            vec![Credit { artist, join: join.into() }, Credit { artist: other, join: String::new() }]
        } else {
            vec![Credit { artist, join: String::new() }]
        }
    }

    fn discography(&mut self, artist: ArtistIdx, main_artists: usize) {
        let artist_name = self.catalog.artists[artist].name.clone();
        let n_albums = self.rng.random_range(2..=7);
        let mut year = self.rng.random_range(1968..2018);
        let mut hits: Vec<RecordingIdx> = Vec::new();
        for _ in 0..n_albums {
            year += self.rng.random_range(1..4);
            let credits = self.credits_for_album(artist, main_artists);
            let title = self.title(&artist_name);
            let kind = if self.chance(0.12) { AlbumKind::Ep } else { AlbumKind::Album };
            let album = self.album(title, credits.clone(), kind, year);
            let n_tracks =
                if kind == AlbumKind::Ep { self.rng.random_range(3..=6) } else { self.rng.random_range(7..=15) };
            let mut tracks = Vec::new();
            for i in 0..n_tracks {
                let title = if i == 0 && self.chance(0.3) {
                    // The title track: a single and an album that share a title.
                    self.catalog.albums[album].title.clone()
                } else {
                    self.title(&artist_name)
                };
                let featured = if self.chance(0.1) && main_artists > 1 {
                    vec![(artist + self.rng.random_range(1..main_artists)) % main_artists]
                } else {
                    vec![]
                };
                tracks.push(self.recording(title, credits.clone(), featured, ""));
            }
            hits.push(tracks[0]);
            self.release(album, Edition::Original, year, tracks.clone());

            // The lead single, sharing its recording (and ISRC) with the album.
            if self.chance(0.4) {
                let lead = tracks[0];
                let single_title = self.catalog.recordings[lead].title.clone();
                let single = self.album(single_title, credits.clone(), AlbumKind::Single, year);
                self.release(single, Edition::Original, year, vec![lead]);
            }
            // Later editions of the same album.
            if self.chance(0.25) {
                let mut deluxe = tracks.clone();
                for k in 0..self.rng.random_range(2..=5) {
                    let version = if k % 2 == 0 { "Demo" } else { "Live" };
                    let base = self.catalog.recordings[tracks[k % tracks.len()]].title.clone();
                    deluxe.push(self.recording(base, credits.clone(), vec![], version));
                }
                let y = year + self.rng.random_range(0..3);
                self.release(album, Edition::Deluxe, y, deluxe);
            }
            if self.chance(0.15) {
                // A remaster is new audio: new recordings with new ISRCs.
                let y = year + *[10, 15, 20, 25].choose(&mut self.rng).expect("anniversaries");
                let remastered: Vec<RecordingIdx> = tracks
                    .iter()
                    .map(|&t| {
                        let r = self.catalog.recordings[t].clone();
                        self.recording(r.title, r.credits, r.featured, &format!("{y} Remaster"))
                    })
                    .collect();
                let edition = if self.chance(0.5) {
                    Edition::Remaster(y as u16)
                } else {
                    Edition::Anniversary((y - year) as u16)
                };
                self.release(album, edition, y, remastered);
            }
            if self.chance(0.05) {
                let y = year + self.rng.random_range(5..20);
                self.release(album, Edition::Expanded, y, tracks.clone());
            }
        }
        // A compilation of earlier recordings, with their ISRCs.
        if hits.len() >= 3 && self.chance(0.3) {
            year += 1;
            let title =
                if self.chance(0.5) { "Greatest Hits".to_string() } else { format!("The Best of {artist_name}") };
            let credits = vec![Credit { artist, join: String::new() }];
            let album = self.album(title, credits, AlbumKind::Compilation, year);
            self.release(album, Edition::Original, year, hits);
        }
    }

    fn album(&mut self, title: String, credits: Vec<Credit>, kind: AlbumKind, year: i32) -> usize {
        let mbid = self.uuid();
        let first_release_date = self.date(year);
        self.catalog.albums.push(Album { title, credits, kind, mbid, first_release_date });
        self.catalog.albums.len() - 1
    }

    /// A day of the year, of a release already out: a discography that would run past
    /// last year (a 25th-anniversary remaster of a 2010 album) stops there.
    fn date(&mut self, year: i32) -> String {
        let year = year.min(self.last_year);
        format!("{year}-{:02}-{:02}", self.rng.random_range(1..=12), self.rng.random_range(1..=28))
    }

    /// The artist's next record, announced for a day within four months of `today`: an
    /// album, or now and then a single, with new recordings (ISRCs are assigned before
    /// release) and a barcode.
    fn announced(&mut self, artist: ArtistIdx, main_artists: usize, today: NaiveDate) {
        let artist_name = self.catalog.artists[artist].name.clone();
        let day = (today + chrono::Days::new(self.rng.random_range(1..=120))).format("%Y-%m-%d").to_string();
        let credits = self.credits_for_album(artist, main_artists);
        let title = self.title(&artist_name);
        let (kind, n_tracks) =
            if self.chance(0.25) { (AlbumKind::Single, 1) } else { (AlbumKind::Album, self.rng.random_range(7..=12)) };
        let mbid = self.uuid();
        self.catalog.albums.push(Album {
            title,
            credits: credits.clone(),
            kind,
            mbid,
            first_release_date: day.clone(),
        });
        let album = self.catalog.albums.len() - 1;
        let tracks = (0..n_tracks)
            .map(|i| {
                let title = if i == 0 { self.catalog.albums[album].title.clone() } else { self.title(&artist_name) };
                self.recording(title, credits.clone(), vec![], "")
            })
            .collect();
        self.release_on(album, Edition::Original, When::Day(day), tracks);
    }

    fn release(&mut self, album: usize, edition: Edition, year: i32, tracks: Vec<RecordingIdx>) {
        self.release_on(album, edition, When::Year(year), tracks)
    }

    fn release_on(&mut self, album: usize, edition: Edition, when: When, tracks: Vec<RecordingIdx>) {
        let year = match &when {
            When::Year(year) => *year,
            When::Day(day) => day[..4].parse().expect("a YYYY-MM-DD day"),
        };
        let country = *COUNTRIES.choose(&mut self.rng).expect("countries");
        let gtin = if year < 1985 && self.chance(0.5) { None } else { Some(self.gtin(country)) };
        let label = self.pick(LABELS).to_string();
        let catalog_number = format!("{}{}", &label[..3].to_uppercase(), self.rng.random_range(1000..99999));
        let date = match when {
            When::Year(year) => self.date(year),
            When::Day(day) => day,
        };

        let one_side = self.chance(NOISE.only_on_one_side);
        let on_musicbrainz = !one_side || self.chance(0.5);
        let on_deezer = (!one_side || !on_musicbrainz) && gtin.is_some();

        let musicbrainz = on_musicbrainz.then(|| self.musicbrainz_release(&gtin, &edition, tracks.len()));
        let deezer = if on_deezer {
            let gtin = gtin.as_deref().expect("deezer albums have a UPC");
            Some(self.deezer_album(album, &edition, gtin, &tracks, &date))
        } else {
            None
        };
        self.catalog.releases.push(Release {
            album,
            edition,
            date,
            country,
            label,
            catalog_number,
            gtin,
            tracks,
            musicbrainz,
            deezer,
        });
    }

    fn musicbrainz_release(&mut self, gtin: &Option<String>, edition: &Edition, n_tracks: usize) -> MbRelease {
        let barcode = match gtin {
            None => {
                if self.chance(0.5) {
                    None
                } else {
                    Some(String::new())
                }
            }
            Some(_) if self.chance(NOISE.mb_barcode_missing) => Some(String::new()),
            Some(g) if self.chance(NOISE.mb_barcode_typo) => Some(mistype(g, &mut self.rng)),
            Some(g) => Some(g.clone()),
        };
        let disambiguation = match edition {
            Edition::Original => String::new(),
            Edition::Deluxe => "deluxe edition".into(),
            Edition::Remaster(y) => format!("{y} remaster"),
            Edition::Expanded => "expanded edition".into(),
            Edition::Anniversary(n) => format!("{n}th anniversary edition"),
        };
        let track_mbids = (0..n_tracks).map(|_| self.uuid()).collect();
        MbRelease { mbid: self.uuid(), barcode, disambiguation, track_mbids }
    }

    fn deezer_album(
        &mut self,
        album: usize,
        edition: &Edition,
        gtin: &str,
        tracks: &[RecordingIdx],
        date: &str,
    ) -> DeezerAlbum {
        let base = self.catalog.albums[album].title.clone();
        let title = match edition {
            Edition::Original => base,
            Edition::Deluxe => match self.rng.random_range(0..3) {
                0 => format!("{base} (Deluxe Edition)"),
                1 => format!("{base} (Deluxe)"),
                _ => format!("{base} [Deluxe Version]"),
            },
            Edition::Remaster(y) => {
                if self.chance(0.5) {
                    format!("{base} ({y} Remaster)")
                } else {
                    format!("{base} (Remastered {y})")
                }
            }
            Edition::Expanded => format!("{base} (Expanded Edition)"),
            Edition::Anniversary(n) => format!("{base} ({n}th Anniversary Edition)"),
        };
        let upc = if gtin.len() == 12 && self.chance(NOISE.deezer_upc_padded) {
            format!("0{gtin}")
        } else {
            gtin.to_string()
        };
        let tracks = tracks
            .iter()
            .map(|&rec| {
                let r = &self.catalog.recordings[rec];
                let mut title = r.title.clone();
                if !r.featured.is_empty() {
                    let names: Vec<&str> = r.featured.iter().map(|&a| self.catalog.artists[a].name.as_str()).collect();
                    title = format!("{title} (feat. {})", names.join(" & "));
                }
                let title_version = if r.version.is_empty() { String::new() } else { format!("({})", r.version) };
                let isrc = r.isrcs.last().cloned().unwrap_or_default();
                (rec, title, title_version, isrc)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|(recording, title, title_version, isrc)| {
                let isrc = if self.chance(NOISE.deezer_isrc_missing) { String::new() } else { isrc };
                DeezerTrack {
                    id: self.deezer_id(),
                    recording,
                    title,
                    title_version,
                    isrc,
                    rank: self.rng.random_range(1000..999_999),
                }
            })
            .collect();
        let id = self.deezer_id();
        // Chosen from the id, not the random stream, so the rest of the catalog stays as it was.
        let release_date = if date < "2005" && id.is_multiple_of(10) {
            format!("{}-{:02}-{:02}", 2005 + id % 11, 1 + id % 12, 1 + id % 28)
        } else {
            date.to_string()
        };
        DeezerAlbum { id, title, upc, tracks, fans: self.rng.random_range(10..500_000), release_date }
    }
}

/// A barcode typed in wrong: two neighbouring digits swapped (the check digit catches it).
fn mistype(gtin: &str, rng: &mut ChaCha8Rng) -> String {
    let mut b = gtin.as_bytes().to_vec();
    for _ in 0..10 {
        let i = rng.random_range(0..b.len() - 2);
        if b[i] != b[i + 1] {
            b.swap(i, i + 1);
            break;
        }
    }
    String::from_utf8(b).expect("digits")
}

pub fn strip_diacritics(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ï' => 'i',
            'ó' | 'ö' | 'ø' | 'ô' => 'o',
            'ú' | 'ü' => 'u',
            'Ó' => 'O',
            'É' => 'E',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_catalog() {
        let a = Catalog::generate(7, 20);
        let b = Catalog::generate(7, 20);
        assert_eq!(a.releases.len(), b.releases.len());
        assert_eq!(a.truth().track_pairs, b.truth().track_pairs);
        assert_ne!(Catalog::generate(8, 20).truth().track_pairs, a.truth().track_pairs);
    }

    #[test]
    fn every_artist_has_a_record_announced_within_four_months_of_the_day_and_nothing_else_is_ahead() {
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        let catalogs: Vec<Catalog> =
            ["2026-11-22", "2031-02-03"].iter().map(|d| Catalog::generate_on(9, 30, day(d))).collect();
        for c in &catalogs {
            let horizon = (day(&c.today) + chrono::Days::new(120)).format("%Y-%m-%d").to_string();
            let ahead: Vec<&Release> = c.releases.iter().filter(|r| c.is_prerelease(r)).collect();
            assert!(ahead.iter().all(|r| r.date <= horizon), "{}: all within four months", c.today);
            for a in 0..30 {
                assert!(c.releases_of(a).any(|(_, r)| c.is_prerelease(r)), "{}: artist {a} has one coming", c.today);
            }
        }
        let products = |c: &Catalog| -> Vec<(String, Option<String>)> {
            c.releases.iter().map(|r| (c.albums[r.album].title.clone(), r.gtin.clone())).collect()
        };
        assert_eq!(products(&catalogs[0]), products(&catalogs[1]), "the day moves dates, not what is in the catalog");
    }

    #[test]
    fn generated_barcodes_have_valid_check_digits() {
        let c = Catalog::generate(1, 30);
        for g in c.releases.iter().filter_map(|r| r.gtin.as_ref()) {
            let (body, check) = g.split_at(g.len() - 1);
            assert_eq!(liner_normalize::check_digit(body).to_string(), check, "{g}");
        }
    }

    #[test]
    fn the_catalog_keeps_the_hard_cases() {
        let c = Catalog::generate(3, 200);
        let titles: Vec<&str> = c.albums.iter().map(|a| a.title.as_str()).collect();
        let shared = COMMON_TITLES.iter().filter(|t| titles.iter().filter(|x| x == t).count() > 1).count();
        assert!(shared > 3, "the same title by different artists");
        assert!(c.releases.iter().any(|r| r.edition == Edition::Deluxe && r.deezer.is_some()));
        assert!(c.recordings.iter().any(|r| !r.featured.is_empty()));
        assert!(c.recordings.iter().any(|r| r.isrcs.len() > 1));
        assert!(c.albums.iter().any(|a| a.credits.len() > 1));
        assert!(
            c.releases.iter().any(|r| { r.musicbrainz.as_ref().is_some_and(|m| m.barcode.as_deref() == Some("")) })
        );
        assert!(
            c.releases
                .iter()
                .any(|r| { r.deezer.as_ref().is_some_and(|d| d.upc.len() == 13 && d.upc.starts_with('0')) })
        );
        assert!(c.artists.iter().any(|a| a.name != a.deezer_name));
        let self_titled = c.albums.iter().filter(|a| a.title == c.artists[a.credits[0].artist].name).count();
        assert!(self_titled > 3, "self-titled albums");
        assert!(c.albums.iter().any(|a| a.kind == AlbumKind::Compilation && a.title == "Greatest Hits"));
        let remastered =
            c.releases.iter().find(|r| matches!(r.edition, Edition::Remaster(_) | Edition::Anniversary(_)));
        let original =
            remastered.and_then(|r| c.releases.iter().find(|o| o.album == r.album && o.edition == Edition::Original));
        let (r, o) = (remastered.unwrap(), original.unwrap());
        assert_ne!(c.recordings[r.tracks[0]].isrcs, c.recordings[o.tracks[0]].isrcs, "a remaster has new ISRCs");
        assert_eq!(c.recordings[r.tracks[0]].title, c.recordings[o.tracks[0]].title);
        let single_titled_as_album = c.albums.iter().filter(|s| s.kind == AlbumKind::Single).any(|s| {
            c.albums
                .iter()
                .any(|a| a.kind == AlbumKind::Album && a.title == s.title && a.credits[0].artist == s.credits[0].artist)
        });
        assert!(single_titled_as_album, "a single that shares its title with its album");
    }
}

/// How well a set of found links matches the truth.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quality {
    /// Links found.
    pub found: usize,
    /// Found links that the truth holds.
    pub correct: usize,
    /// Truth pairs whose both sides were landed: what a perfect linker would find.
    pub expected: usize,
}

impl Quality {
    pub fn precision(&self) -> f64 {
        if self.found == 0 { 1.0 } else { self.correct as f64 / self.found as f64 }
    }
    pub fn recall(&self) -> f64 {
        if self.expected == 0 { 1.0 } else { self.correct as f64 / self.expected as f64 }
    }
}

impl std::fmt::Display for Quality {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} found, {} correct: precision {:.1}%, recall {:.1}% of {}",
            self.found,
            self.correct,
            100.0 * self.precision(),
            100.0 * self.recall(),
            self.expected
        )
    }
}

/// Scores `found` against `truth`, counting only truth pairs whose two sides both
/// landed (`landed` says which did): an item never fetched cannot be linked.
pub fn score<L: Eq + std::hash::Hash + Clone, R: Eq + std::hash::Hash + Clone>(
    truth: &[(L, R)],
    found: &[(L, R)],
    landed: impl Fn(&L, &R) -> bool,
) -> Quality {
    let truth: std::collections::HashSet<(L, R)> = truth.iter().cloned().collect();
    let found: std::collections::HashSet<(L, R)> = found.iter().cloned().collect();
    Quality {
        found: found.len(),
        correct: found.iter().filter(|p| truth.contains(p)).count(),
        expected: truth.iter().filter(|(l, r)| landed(l, r)).count(),
    }
}
