//! What each further provider shows of the catalog: which releases it lists, under
//! which ids, and how it spells titles, barcodes and ISRCs.
//!
//! MusicBrainz and Deezer have views of their own in `catalog` (they came first and
//! their noise is tuned from the fixtures). Every other provider describes itself with
//! a `Profile` in its own module; the generator here turns a profile into a view with
//! a random stream of its own, so adding a provider changes no other provider's data.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::catalog::{AlbumKind, Catalog, Edition, RecordingIdx, Release};

/// How ids look at a provider.
#[derive(Debug, Clone, Copy)]
pub enum IdStyle {
    /// Spotify's 22 base-62 characters.
    Base62,
    /// A number from `start` up (Apple, Discogs, Genius, Beatport).
    Numeric { start: u64 },
    /// YouTube's 11 characters for videos.
    YouTube,
}

/// How a provider writes a release's GTIN.
#[derive(Debug, Clone, Copy)]
pub enum BarcodeStyle {
    /// As the label delivered it, sometimes zero-padded to 14 digits (Spotify).
    Delivered { padded14: f64 },
    /// Typed in by people: grouped with spaces at times, at times mistyped (Discogs).
    Typed { spaced: f64, typo: f64 },
}

pub type Spell = fn(&mut ChaCha8Rng, &Catalog, &Release) -> String;
pub type SpellTrack = fn(&mut ChaCha8Rng, &Catalog, RecordingIdx) -> String;

/// A provider's coverage and habits.
#[derive(Clone, Copy)]
pub struct Profile {
    pub provider: &'static str,
    /// Share of the catalog's artists the provider knows at all.
    pub artist_share: f64,
    /// Share of a known artist's releases it lists.
    pub release_share: f64,
    pub ids: IdStyle,
    pub barcode: Option<BarcodeStyle>,
    pub barcode_missing: f64,
    /// Share of listed tracks whose ISRC it shows; zero for providers without ISRCs.
    pub isrc_shown: f64,
    pub release_title: Spell,
    pub track_title: SpellTrack,
    /// Homonyms get a number: "Ana Silva (2)" (Discogs).
    pub numbers_homonyms: bool,
}

#[derive(Debug, Clone)]
pub struct ArtistView {
    pub id: String,
    pub name: String,
    /// Whether the provider has the artist's own releases (and finds it by search).
    /// Artists it does not know still get an id: they appear as guests on others' tracks.
    pub known: bool,
}

#[derive(Debug, Clone)]
pub struct Listing {
    pub id: String,
    pub title: String,
    pub barcode: Option<String>,
    pub tracks: Vec<ListedTrack>,
}

#[derive(Debug, Clone)]
pub struct ListedTrack {
    pub id: String,
    pub recording: RecordingIdx,
    pub title: String,
    pub isrc: Option<String>,
}

/// One provider's view, indexed like the catalog: `artists[i]` is catalog artist `i`.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub artists: Vec<ArtistView>,
    pub releases: Vec<Option<Listing>>,
}

impl View {
    pub fn artist_by_id(&self, id: &str) -> Option<usize> {
        self.artists.iter().position(|a| a.known && a.id == id)
    }

    pub fn release_by_id(&self, id: &str) -> Option<usize> {
        self.releases.iter().position(|r| r.as_ref().is_some_and(|r| r.id == id))
    }

    /// The listed releases the artist is credited on, in catalog order.
    pub fn releases_of<'v>(&'v self, c: &'v Catalog, artist: usize) -> impl Iterator<Item = (usize, &'v Listing)> {
        c.releases_of(artist).filter_map(|(i, _)| self.releases[i].as_ref().map(|l| (i, l)))
    }

    /// Where a track sits: (release index, position from 0).
    pub fn track_by_id(&self, id: &str) -> Option<(usize, usize)> {
        self.releases.iter().enumerate().find_map(|(i, r)| {
            let r = r.as_ref()?;
            r.tracks.iter().position(|t| t.id == id).map(|p| (i, p))
        })
    }
}

struct Ids {
    style: IdStyle,
    next: u64,
}

impl Ids {
    fn next(&mut self, rng: &mut ChaCha8Rng) -> String {
        const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        const YT: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
        match self.style {
            IdStyle::Base62 => (0..22).map(|_| *B62.choose(rng).expect("alphabet") as char).collect(),
            IdStyle::YouTube => (0..11).map(|_| *YT.choose(rng).expect("alphabet") as char).collect(),
            IdStyle::Numeric { start } => {
                self.next = self.next.max(start) + rng.random_range(1..5000);
                self.next.to_string()
            }
        }
    }
}

/// A seed of the provider's own, from the catalog seed and the provider's name.
fn stream(seed: u64, provider: &str) -> ChaCha8Rng {
    let h = provider.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
    ChaCha8Rng::seed_from_u64(seed ^ h)
}

pub fn generate(c: &Catalog, seed: u64, p: &Profile) -> View {
    let mut rng = stream(seed, p.provider);
    let mut ids = Ids { style: p.ids, next: 0 };
    let mut seen_names: std::collections::HashMap<String, u32> = Default::default();
    let artists: Vec<ArtistView> = c
        .artists
        .iter()
        .map(|a| {
            let known = rng.random_bool(p.artist_share);
            let n = seen_names.entry(a.name.to_lowercase()).or_default();
            *n += 1;
            let name = if p.numbers_homonyms && *n > 1 { format!("{} ({n})", a.name) } else { a.name.clone() };
            ArtistView { id: ids.next(&mut rng), name, known }
        })
        .collect();
    let mut release_ids = Ids { style: p.ids, next: 0 };
    let mut track_ids = Ids { style: p.ids, next: 0 };
    let releases = c
        .releases
        .iter()
        .map(|r| {
            let main = c.albums[r.album].credits[0].artist;
            if !artists[main].known || !rng.random_bool(p.release_share) {
                return None;
            }
            let barcode = match (&r.gtin, p.barcode) {
                (Some(g), Some(style)) if !rng.random_bool(p.barcode_missing) => {
                    Some(spell_barcode(&mut rng, g, style))
                }
                _ => None,
            };
            let tracks = r
                .tracks
                .iter()
                .map(|&rec| {
                    let shown = p.isrc_shown > 0.0 && rng.random_bool(p.isrc_shown);
                    ListedTrack {
                        id: track_ids.next(&mut rng),
                        recording: rec,
                        title: (p.track_title)(&mut rng, c, rec),
                        isrc: shown.then(|| c.recordings[rec].isrcs.choose(&mut rng).cloned()).flatten(),
                    }
                })
                .collect();
            Some(Listing { id: release_ids.next(&mut rng), title: (p.release_title)(&mut rng, c, r), barcode, tracks })
        })
        .collect();
    View { artists, releases }
}

fn spell_barcode(rng: &mut ChaCha8Rng, gtin: &str, style: BarcodeStyle) -> String {
    match style {
        BarcodeStyle::Delivered { padded14 } => {
            if rng.random_bool(padded14) {
                format!("{gtin:0>14}")
            } else {
                gtin.to_string()
            }
        }
        BarcodeStyle::Typed { spaced, typo } => {
            let mut digits = gtin.to_string();
            if rng.random_bool(typo) {
                let i = rng.random_range(0..digits.len() - 1);
                let mut b = digits.into_bytes();
                b.swap(i, i + 1);
                digits = String::from_utf8(b).expect("digits");
            }
            if rng.random_bool(spaced) && digits.len() == 12 {
                // "0 825646 493166": how UPC-A is printed under the bars.
                format!("{} {} {} {}", &digits[..1], &digits[1..6], &digits[6..11], &digits[11..])
            } else if rng.random_bool(spaced) && digits.len() == 13 {
                format!("{} {} {}", &digits[..1], &digits[1..7], &digits[7..])
            } else {
                digits
            }
        }
    }
}

/// The usual ways stores name an edition in the title.
pub fn edition_suffix(rng: &mut ChaCha8Rng, edition: &Edition) -> Option<String> {
    Some(match edition {
        Edition::Original => return None,
        Edition::Deluxe => ["Deluxe Edition", "Deluxe", "Deluxe Version"].choose(rng).expect("spellings").to_string(),
        Edition::Remaster(y) => {
            if rng.random_bool(0.5) {
                format!("{y} Remaster")
            } else {
                format!("Remastered {y}")
            }
        }
        Edition::Expanded => "Expanded Edition".into(),
        Edition::Anniversary(n) => format!("{n}th Anniversary Edition"),
    })
}

/// The album's title with its edition in brackets: "Title", "Title (Deluxe Edition)"
/// (Spotify, TIDAL; Apple Music adds " - Single" and " - EP").
pub fn edition_release_title(rng: &mut ChaCha8Rng, c: &Catalog, r: &Release) -> String {
    let base = c.albums[r.album].title.clone();
    match edition_suffix(rng, &r.edition) {
        Some(s) => format!("{base} ({s})"),
        None => base,
    }
}

/// The recording's title, with its featured artists, if any, `share` of the time:
/// "Song", "Song (feat. X)".
pub fn title_featuring(rng: &mut ChaCha8Rng, c: &Catalog, rec: RecordingIdx, share: f64) -> String {
    let t = c.recordings[rec].title.clone();
    match featured(c, rec).filter(|_| rng.random_bool(share)) {
        Some(f) => format!("{t} (feat. {f})"),
        None => t,
    }
}

/// The album's title as it stands, edition unsaid (Discogs, Genius, Beatport, YouTube).
pub fn plain_release_title(_: &mut ChaCha8Rng, c: &Catalog, r: &Release) -> String {
    c.albums[r.album].title.clone()
}

/// The recording's title with its version in brackets: "Song (Live)".
pub fn bracketed_version_title(_: &mut ChaCha8Rng, c: &Catalog, rec: RecordingIdx) -> String {
    let r = &c.recordings[rec];
    if r.version.is_empty() { r.title.clone() } else { format!("{} ({})", r.title, r.version) }
}

pub fn album_kind(c: &Catalog, r: &Release) -> AlbumKind {
    c.albums[r.album].kind
}

/// The featured artists' names, joined the way credits usually are.
pub fn featured(c: &Catalog, rec: RecordingIdx) -> Option<String> {
    let r = &c.recordings[rec];
    if r.featured.is_empty() {
        return None;
    }
    Some(r.featured.iter().map(|&a| c.artists[a].name.as_str()).collect::<Vec<_>>().join(" & "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(_: &mut ChaCha8Rng, c: &Catalog, r: &Release) -> String {
        c.albums[r.album].title.clone()
    }
    fn plain_track(_: &mut ChaCha8Rng, c: &Catalog, rec: RecordingIdx) -> String {
        c.recordings[rec].title.clone()
    }
    const P: Profile = Profile {
        provider: "x",
        artist_share: 0.9,
        release_share: 0.8,
        ids: IdStyle::Numeric { start: 100 },
        barcode: Some(BarcodeStyle::Typed { spaced: 0.5, typo: 0.0 }),
        barcode_missing: 0.1,
        isrc_shown: 0.0,
        release_title: plain,
        track_title: plain_track,
        numbers_homonyms: true,
    };

    #[test]
    fn views_are_deterministic_and_independent_of_each_other() {
        let c = Catalog::generate(5, 40);
        let a = generate(&c, 5, &P);
        let b = generate(&c, 5, &P);
        assert_eq!(
            a.releases.iter().flatten().map(|l| &l.id).collect::<Vec<_>>(),
            b.releases.iter().flatten().map(|l| &l.id).collect::<Vec<_>>()
        );
        let other = generate(&c, 5, &Profile { provider: "y", ..P });
        assert_ne!(a.releases.iter().flatten().count(), 0);
        assert_ne!(
            a.releases.iter().map(Option::is_some).collect::<Vec<_>>(),
            other.releases.iter().map(Option::is_some).collect::<Vec<_>>(),
            "another provider lists other releases"
        );
    }

    #[test]
    fn typed_barcodes_keep_their_digits() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..50 {
            let b = spell_barcode(&mut rng, "825646493166", BarcodeStyle::Typed { spaced: 0.5, typo: 0.0 });
            assert_eq!(b.replace(' ', ""), "825646493166");
        }
        let padded = spell_barcode(&mut rng, "602455070951", BarcodeStyle::Delivered { padded14: 1.0 });
        assert_eq!(padded, "00602455070951");
    }
}
