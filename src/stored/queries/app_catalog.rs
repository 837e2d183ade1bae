//! What an app reads of the catalog: a release or track with every provider's Listen
//! link, an artist's releases, the same item on every provider from any of its ids,
//! a track's features, and the charts. `liner serve` answers its read API from here.

use duckdb::Connection;
use serde::Serialize;

use super::{LISTEN_LINES, Listen, Listing, listen_links, rows};

/// A canonical release, with where it can be heard.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Release {
    pub release_id: String,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub release_date: Option<String>,
    pub gtin: Option<String>,
    pub label: Option<String>,
    pub catalog_number: Option<String>,
    pub track_count: Option<i64>,
    pub release_group_id: Option<String>,
    /// How many providers list it.
    pub providers: i64,
    pub listen: Vec<Listen>,
}

const RELEASE_SELECT: &str = "SELECT r.release_id, r.title, r.artist, r.release_date::VARCHAR, r.gtin, r.label,
        r.catalog_number, r.track_count::BIGINT, r.release_group_id, r.providers::BIGINT";

fn release_row(r: &duckdb::Row<'_>) -> duckdb::Result<Release> {
    Ok(Release {
        release_id: r.get(0)?,
        title: r.get(1)?,
        artist: r.get(2)?,
        release_date: r.get(3)?,
        gtin: r.get(4)?,
        label: r.get(5)?,
        catalog_number: r.get(6)?,
        track_count: r.get(7)?,
        release_group_id: r.get(8)?,
        providers: r.get(9)?,
        listen: listen_links(r.get(10)?),
    })
}

/// One release by its canonical id (`gtin:...`, `mbid:...`, `<provider>:<id>`).
pub fn release(db: &Connection, release_id: &str) -> anyhow::Result<Option<Release>> {
    let sql = format!(
        "{RELEASE_SELECT}, {LISTEN_LINES}
         FROM canonical.releases r
         LEFT JOIN canonical.listings l ON l.entity = 'release' AND l.canonical_id = r.release_id
         WHERE r.release_id = ? GROUP BY ALL"
    );
    Ok(rows(db, &sql, [release_id], release_row)?.into_iter().next())
}

/// The releases an artist is credited on (the whole credit, or one of its names:
/// "A & B" is A's and B's), newest first.
pub fn artist_releases(db: &Connection, artist: &str, limit: usize, offset: usize) -> anyhow::Result<Vec<Release>> {
    let sql = format!(
        "WITH credited AS (
             SELECT * FROM canonical.releases
             WHERE lower(artist) = lower(?1)
                OR list_contains(regexp_split_to_array(lower(artist), '\\s*(?:,|&|\\bfeat\\.|\\bft\\.|\\bwith\\b|\\band\\b|\\bx\\b)\\s*'), lower(?1))
         )
         {RELEASE_SELECT}, {LISTEN_LINES}
         FROM credited r
         LEFT JOIN canonical.listings l ON l.entity = 'release' AND l.canonical_id = r.release_id
         GROUP BY ALL ORDER BY 4 DESC NULLS LAST, 1 LIMIT ?2 OFFSET ?3"
    );
    rows(db, &sql, duckdb::params![artist, limit as i64, offset as i64], release_row)
}

/// A track's tempo and key, and the provider each came from.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Features {
    pub bpm: Option<f64>,
    pub bpm_source: Option<String>,
    /// "A minor".
    pub key_name: Option<String>,
    /// The Camelot code ("8A").
    pub camelot: Option<String>,
    pub key_source: Option<String>,
}

/// A canonical track, with its features and where it can be heard.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Track {
    pub track_id: String,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub isrc: Option<String>,
    pub length_ms: Option<i64>,
    /// None when no provider gives its tempo or key.
    pub features: Option<Features>,
    pub listen: Vec<Listen>,
}

/// One track by its canonical id (`isrc:...`, `mbid:...`, `<provider>:<id>`).
pub fn track(db: &Connection, track_id: &str) -> anyhow::Result<Option<Track>> {
    let sql = format!(
        "SELECT t.track_id, t.title, t.artist, t.isrc, t.length_ms, f.track_id IS NOT NULL, f.bpm, f.bpm_source,
                f.key_name, f.camelot, f.key_source, {LISTEN_LINES}
         FROM canonical.tracks t
         LEFT JOIN marts.track_features f USING (track_id)
         LEFT JOIN canonical.listings l ON l.entity = 'track' AND l.canonical_id = t.track_id
         WHERE t.track_id = ? GROUP BY ALL"
    );
    let found = rows(db, &sql, [track_id], |r| {
        let features = r.get::<_, bool>(5)?.then(|| -> duckdb::Result<Features> {
            Ok(Features {
                bpm: r.get(6)?,
                bpm_source: r.get(7)?,
                key_name: r.get(8)?,
                camelot: r.get(9)?,
                key_source: r.get(10)?,
            })
        });
        Ok(Track {
            track_id: r.get(0)?,
            title: r.get(1)?,
            artist: r.get(2)?,
            isrc: r.get(3)?,
            length_ms: r.get(4)?,
            features: features.transpose()?,
            listen: listen_links(r.get(11)?),
        })
    })?;
    Ok(found.into_iter().next())
}

/// One provider's listing of an item, as `GET /links` answers it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Linked {
    pub provider: String,
    pub id: String,
    pub title: Option<String>,
    pub url: Option<String>,
    /// It carries the ISRC or barcode asked for.
    pub carries: bool,
}

/// The same item on every provider: what Odesli answers, from our own catalog.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Links {
    pub entity: String,
    /// The canonical release or track id.
    pub id: String,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub listings: Vec<Linked>,
}

/// Every listing of `listing`'s item, marking those among `carriers` (provider, id).
pub fn links(db: &Connection, listing: &Listing, carriers: &[(String, String)]) -> anyhow::Result<Links> {
    let (title, artist) = super::cluster_title(db, listing)?;
    let listings = super::every_listing(db, listing)?
        .into_iter()
        .map(|m| Linked {
            carries: carriers.iter().any(|(p, id)| *p == m.provider && *id == m.item_id),
            provider: m.provider,
            id: m.item_id,
            title: m.title,
            url: m.url,
        })
        .collect();
    Ok(Links { entity: listing.entity.clone(), id: listing.cluster_id.clone(), title, artist, listings })
}

/// How an item is named when its links are asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkKey {
    /// A provider's listing, by its id there.
    Listing { provider: String, id: String },
    /// An identifier it carries: `isrc` or `gtin`, normalized.
    Code { kind: &'static str, value: String },
}

/// The same item on every provider, from any way of naming it; `None` when the
/// catalog has no such item.
pub fn links_by(db: &Connection, key: &LinkKey) -> anyhow::Result<Option<Links>> {
    let (listing, carriers) = match key {
        LinkKey::Listing { provider, id } => (super::listing(db, provider, id)?, Vec::new()),
        LinkKey::Code { kind, value } => (super::listing_with(db, kind, value)?, super::carriers(db, kind, value)?),
    };
    listing.map(|l| links(db, &l, &carriers)).transpose()
}

/// A release's or track's place in a chart snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub position: i64,
    pub entity: String,
    /// In liner's catalog, when liner has it (a followed artist's); else null.
    pub canonical_id: Option<String>,
    /// The chart provider's id.
    pub item_id: String,
    pub title: Option<String>,
    pub artist: Option<String>,
}

/// One chart as of one snapshot, with the times of every snapshot liner took of it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Chart {
    pub source: String,
    /// `chart_tracks:0`: the list and its genre.
    pub list: String,
    /// When this snapshot was taken (UTC).
    pub seen_at: String,
    pub age_seconds: i64,
    pub entries: Vec<Entry>,
    /// Every snapshot's time, newest first: `?at=` reads an older one.
    pub snapshots: Vec<String>,
}

/// Each chart liner keeps, with its newest snapshot's time.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChartList {
    pub source: String,
    pub list: String,
    pub latest: String,
    pub snapshots: i64,
}

const SEEN: &str = "strftime(seen_at, '%Y-%m-%dT%H:%M:%S.%gZ')";

pub fn charts(db: &Connection) -> anyhow::Result<Vec<ChartList>> {
    let sql = format!(
        "SELECT source, list, {} AS latest, count(DISTINCT seen_at) FROM marts.chart_appearances GROUP BY ALL ORDER BY source, list",
        SEEN.replace("seen_at", "max(seen_at)")
    );
    rows(db, &sql, [], |r| {
        Ok(ChartList { source: r.get(0)?, list: r.get(1)?, latest: r.get(2)?, snapshots: r.get(3)? })
    })
}

/// A chart's snapshot: the newest, or the one taken at `at` (as `snapshots` lists it).
pub fn chart(db: &Connection, list: &str, at: Option<&str>, limit: usize) -> anyhow::Result<Option<Chart>> {
    let snapshots: Vec<(String, String)> = rows(
        db,
        &format!(
            "SELECT DISTINCT source, {SEEN} AS seen FROM marts.chart_appearances WHERE list = ? ORDER BY seen DESC"
        ),
        [list],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let Some((source, seen_at)) = (match at {
        None => snapshots.first().cloned(),
        Some(at) => snapshots.iter().find(|(_, s)| s == at).cloned(),
    }) else {
        return Ok(None);
    };
    let entries = rows(
        db,
        &format!(
            "SELECT position, entity, canonical_id, item_id, title, artist FROM marts.chart_appearances
             WHERE list = ? AND {SEEN} = ? ORDER BY position LIMIT ?"
        ),
        duckdb::params![list, seen_at, limit as i64],
        |r| {
            Ok(Entry {
                position: r.get(0)?,
                entity: r.get(1)?,
                canonical_id: r.get(2)?,
                item_id: r.get(3)?,
                title: r.get(4)?,
                artist: r.get(5)?,
            })
        },
    )?;
    let age_seconds = chrono::DateTime::parse_from_rfc3339(&seen_at)
        .map(|t| (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds())
        .unwrap_or_default();
    Ok(Some(Chart {
        source,
        list: list.to_string(),
        seen_at,
        age_seconds,
        entries,
        snapshots: snapshots.into_iter().map(|(_, s)| s).collect(),
    }))
}
