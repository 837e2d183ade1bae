//! Term frequencies: the share of records with each title and each artist, counted
//! over the catalog a model was trained on. An exact title or artist is weighed by how
//! rare it is there. A build that keeps the model keeps these shares with it, so a pair
//! scores the same whichever items landed since; a term the training never saw is as
//! rare as one record.

use rayon::prelude::*;

use crate::Record;

#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    pub titles: foldhash::HashMap<String, f64>,
    pub artists: foldhash::HashMap<String, f64>,
    /// The share of a term the training never saw: one record's.
    pub unseen: f64,
}

/// What kind of term a row of kept terms is.
pub const TITLE: &str = "title";
pub const ARTIST: &str = "artist";

impl Terms {
    /// Counts the records' titles (without spaces) and artist keys.
    pub fn count(records: &[Record]) -> Terms {
        let mut titles: foldhash::HashMap<&str, u32> = foldhash::HashMap::default();
        let mut artists: foldhash::HashMap<&str, u32> = foldhash::HashMap::default();
        for r in records {
            *titles.entry(&r.p.nospace).or_default() += 1;
            for a in &r.artist_keys {
                *artists.entry(a).or_default() += 1;
            }
        }
        let n = records.len().max(1) as f64;
        let shares = |counts: foldhash::HashMap<&str, u32>| {
            counts.into_iter().map(|(t, c)| (t.to_string(), f64::from(c) / n)).collect()
        };
        Terms { titles: shares(titles), artists: shares(artists), unseen: 1.0 / n }
    }

    /// Kept terms, as `rows` gave them.
    pub fn from_rows<'a>(
        rows: impl IntoIterator<Item = (&'a str, &'a str, f64)>,
        unseen: f64,
    ) -> anyhow::Result<Terms> {
        let mut terms = Terms { titles: Default::default(), artists: Default::default(), unseen };
        for (kind, term, share) in rows {
            match kind {
                TITLE => terms.titles.insert(term.to_string(), share),
                ARTIST => terms.artists.insert(term.to_string(), share),
                other => anyhow::bail!("a kept term of kind {other:?}: expected {TITLE:?} or {ARTIST:?}"),
            };
        }
        Ok(terms)
    }

    /// Every term: (kind, term, share).
    pub fn rows(&self) -> impl Iterator<Item = (&'static str, &str, f64)> {
        let titles = self.titles.iter().map(|(t, s)| (TITLE, t.as_str(), *s));
        titles.chain(self.artists.iter().map(|(t, s)| (ARTIST, t.as_str(), *s)))
    }

    fn title(&self, t: &str) -> f64 {
        self.titles.get(t).copied().unwrap_or(self.unseen)
    }

    fn artist(&self, a: &str) -> f64 {
        self.artists.get(a).copied().unwrap_or(self.unseen)
    }
}

/// Each record's shares, looked up once and read by every pair the record is in.
pub(crate) struct Frequencies {
    titles: Vec<f64>,
    /// Aligned with each record's `artist_keys`.
    artists: Vec<Vec<f64>>,
}

impl Frequencies {
    pub(crate) fn new(records: &[Record], terms: &Terms) -> Frequencies {
        Frequencies {
            titles: records.par_iter().map(|r| terms.title(&r.p.nospace)).collect(),
            artists: records.par_iter().map(|r| r.artist_keys.iter().map(|a| terms.artist(a)).collect()).collect(),
        }
    }

    /// A pair's term frequencies, read while the pair is compared (its two records in
    /// cache): the left side's title share and the rarest artist the credits share.
    pub(crate) fn of(&self, records: &[Record], a: u32, b: u32) -> Shares {
        let (ra, rb) = (&records[a as usize], &records[b as usize]);
        let artist = ra
            .artist_keys
            .iter()
            .zip(&self.artists[a as usize])
            .filter(|(k, _)| rb.artist_keys.contains(k))
            .map(|(_, share)| *share)
            .min_by(f64::total_cmp);
        Shares { title: self.titles[a as usize], artist }
    }
}

/// The shares of records with a pair's title and with its rarest shared artist.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shares {
    pub title: f64,
    pub artist: Option<f64>,
}
