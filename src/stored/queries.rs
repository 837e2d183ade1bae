//! How the CLI, `liner serve`, the report and the metrics read the warehouse: opened
//! read-only, so that a run can replace the file meanwhile (a reader keeps the build it
//! opened), with one message when nothing has been built yet; and each question they
//! ask of it, asked here once and answered in typed rows.

pub mod app_catalog;

use std::path::Path;

use anyhow::Context;
use duckdb::{AccessMode, Config, Connection};
use serde::Serialize;

/// The warehouse at `path`, or an error naming it when there is none yet.
pub fn open(path: &Path) -> anyhow::Result<Connection> {
    open_if_built(path)?
        .with_context(|| format!("no warehouse at {}: run `liner extract` and `liner transform` first", path.display()))
}

/// The warehouse at `path`, or `None` when nothing has been built yet (the report and
/// the metrics show what they can without it).
pub fn open_if_built(path: &Path) -> anyhow::Result<Option<Connection>> {
    if !path.exists() {
        return Ok(None);
    }
    let db = Connection::open_with_flags(path, Config::default().access_mode(AccessMode::ReadOnly)?)
        .with_context(|| format!("opening {}", path.display()))?;
    Ok(Some(db))
}

/// Rows of a query, each read by `row`; the error names the query.
pub(crate) fn rows<T>(
    db: &Connection,
    sql: &str,
    params: impl duckdb::Params,
    row: impl FnMut(&duckdb::Row<'_>) -> duckdb::Result<T>,
) -> anyhow::Result<Vec<T>> {
    let mut stmt = db.prepare(sql).with_context(|| format!("reading the warehouse: {sql}"))?;
    let out = stmt.query_map(params, row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(out)
}

/// A pair waiting for a person, as `canonical.review_queue` holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewPair {
    pub review_id: String,
    pub entity: String,
    pub left_provider: String,
    pub left_id: String,
    pub right_provider: String,
    pub right_id: String,
    /// The match probability.
    pub score: f64,
    /// Why it waits (a band, a tie, an identifier that disagrees with the titles).
    pub reason: Option<String>,
    /// Each comparison's level and weight in bits.
    pub evidence: Option<String>,
    pub exact_method: Option<String>,
    pub title_score: Option<f64>,
    pub variant_score: Option<f64>,
    pub artist_score: Option<f64>,
    pub size_score: Option<f64>,
    pub year_score: Option<f64>,
    pub runner_up_id: Option<String>,
    pub runner_up_score: Option<f64>,
    pub left_title: Option<String>,
    pub left_artist: Option<String>,
    pub left_date: Option<String>,
    /// Tracks of a release, milliseconds of a recording.
    pub left_size: Option<i64>,
    pub right_title: Option<String>,
    pub right_artist: Option<String>,
    pub right_date: Option<String>,
    pub right_size: Option<i64>,
}

/// The queue, best scores first.
pub fn review_queue(db: &Connection, limit: usize) -> anyhow::Result<Vec<ReviewPair>> {
    let sql = "SELECT review_id, entity, left_provider, left_id, right_provider, right_id, score, reason, evidence, \
                      exact_method, title_score, variant_score, artist_score, size_score, year_score, runner_up_id, \
                      runner_up_score, left_title, left_artist, left_date, left_size, right_title, right_artist, \
                      right_date, right_size \
               FROM canonical.review_queue ORDER BY score DESC, review_id LIMIT ?";
    rows(db, sql, [limit as i64], |r| {
        Ok(ReviewPair {
            review_id: r.get(0)?,
            entity: r.get(1)?,
            left_provider: r.get(2)?,
            left_id: r.get(3)?,
            right_provider: r.get(4)?,
            right_id: r.get(5)?,
            score: r.get(6)?,
            reason: r.get(7)?,
            evidence: r.get(8)?,
            exact_method: r.get(9)?,
            title_score: r.get(10)?,
            variant_score: r.get(11)?,
            artist_score: r.get(12)?,
            size_score: r.get(13)?,
            year_score: r.get(14)?,
            runner_up_id: r.get(15)?,
            runner_up_score: r.get(16)?,
            left_title: r.get(17)?,
            left_artist: r.get(18)?,
            left_date: r.get(19)?,
            left_size: r.get(20)?,
            right_title: r.get(21)?,
            right_artist: r.get(22)?,
            right_date: r.get(23)?,
            right_size: r.get(24)?,
        })
    })
}

/// Pairs waiting for a person, by entity.
pub fn review_waiting(db: &Connection) -> anyhow::Result<Vec<(String, i64)>> {
    rows(db, "SELECT entity, count(*) FROM canonical.review_queue GROUP BY ALL ORDER BY 1", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
}

/// One measure of `marts.coverage`: how much of the catalog a provider has, and with
/// which identifiers, as a build counted it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub run_id: Option<String>,
    /// YYYY-MM-DD.
    pub built_on: Option<String>,
    pub entity: Option<String>,
    pub measure: Option<String>,
    pub items: Option<i64>,
    pub share: Option<f64>,
}

pub fn coverage(db: &Connection) -> anyhow::Result<Vec<Coverage>> {
    let sql = "SELECT run_id, CAST(built_on AS VARCHAR), entity, measure, items, share FROM marts.coverage";
    rows(db, sql, [], |r| {
        Ok(Coverage {
            run_id: r.get(0)?,
            built_on: r.get(1)?,
            entity: r.get(2)?,
            measure: r.get(3)?,
            items: r.get(4)?,
            share: r.get(5)?,
        })
    })
}

/// Links of one entity, method and score band.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkCount {
    pub entity: String,
    pub method: String,
    /// `1.00`, `0.95-1.00`, `0.90-0.95`, `0.70-0.90` or `below 0.70`.
    pub band: String,
    pub links: i64,
}

pub fn links_by_method(db: &Connection) -> anyhow::Result<Vec<LinkCount>> {
    let sql = "SELECT entity, method,
                      CASE WHEN score >= 0.999 THEN '1.00' WHEN score >= 0.95 THEN '0.95-1.00'
                           WHEN score >= 0.90 THEN '0.90-0.95' WHEN score >= 0.70 THEN '0.70-0.90' ELSE 'below 0.70' END,
                      count(*)
               FROM canonical.links GROUP BY ALL ORDER BY ALL";
    rows(db, sql, [], |r| Ok(LinkCount { entity: r.get(0)?, method: r.get(1)?, band: r.get(2)?, links: r.get(3)? }))
}

/// Every scored pair's match probability.
pub fn fuzzy_scores(db: &Connection) -> anyhow::Result<Vec<f64>> {
    rows(db, "SELECT score FROM intermediate.fuzzy_links WHERE score IS NOT NULL", [], |r| r.get(0))
}

/// How many tracks have a tempo and a key from one provider (`marts.track_features`).
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureSource {
    pub source: String,
    pub tempo: i64,
    pub key: i64,
}

/// Each provider the tracks' tempos and keys came from, and the number of tracks.
pub fn feature_sources(db: &Connection) -> anyhow::Result<(Vec<FeatureSource>, i64)> {
    let sql = "SELECT source, count(*) FILTER (WHERE kind = 'tempo'), count(*) FILTER (WHERE kind = 'key')
               FROM (SELECT bpm_source AS source, 'tempo' AS kind FROM marts.track_features WHERE bpm IS NOT NULL
                     UNION ALL
                     SELECT key_source, 'key' FROM marts.track_features WHERE camelot IS NOT NULL)
               GROUP BY ALL ORDER BY 2 DESC, 1";
    let sources = rows(db, sql, [], |r| Ok(FeatureSource { source: r.get(0)?, tempo: r.get(1)?, key: r.get(2)? }))?;
    let tracks = rows(db, "SELECT count(*) FROM canonical.tracks", [], |r| r.get(0))?;
    Ok((sources, tracks.first().copied().unwrap_or(0)))
}

/// A followed artist's release dated ahead, as `marts.upcoming_releases` holds it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Upcoming {
    pub release_id: String,
    /// YYYY-MM-DD, when known.
    pub release_date: Option<String>,
    pub followed_artist: String,
    pub title: String,
    pub prerelease: bool,
    /// Every provider's page of it: the "Listen on ..." links.
    pub listen: Vec<Listen>,
}

/// A provider's page of a release or track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Listen {
    pub provider: String,
    pub url: String,
}

/// `provider url` lines, as the reads below aggregate them, into links.
pub(crate) fn listen_links(lines: Option<String>) -> Vec<Listen> {
    lines
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(provider, url)| Listen { provider: provider.to_string(), url: url.to_string() })
        .collect()
}

/// The `provider url` lines of a canonical item's listings, for [`listen_links`].
pub(crate) const LISTEN_LINES: &str =
    "string_agg(l.provider || ' ' || l.url, chr(10) ORDER BY l.provider) FILTER (WHERE l.url IS NOT NULL)";

/// The upcoming releases, soonest first: all of them, or one artist's (as followed).
pub fn upcoming_releases(
    db: &Connection,
    artist: Option<&str>,
    limit: usize,
    offset: usize,
) -> anyhow::Result<Vec<Upcoming>> {
    let sql = format!(
        "SELECT u.release_id, u.release_date::VARCHAR, u.followed_artist, u.title, coalesce(u.is_prerelease, false), {LISTEN_LINES}
         FROM marts.upcoming_releases u
         LEFT JOIN canonical.listings l ON l.entity = 'release' AND l.canonical_id = u.release_id
         WHERE ?::VARCHAR IS NULL OR lower(u.followed_artist) = lower(?::VARCHAR)
         GROUP BY ALL ORDER BY 2, 3, 4 LIMIT ? OFFSET ?"
    );
    rows(db, &sql, duckdb::params![artist, artist, limit as i64, offset as i64], |r| {
        Ok(Upcoming {
            release_id: r.get(0)?,
            release_date: r.get(1)?,
            followed_artist: r.get(2)?,
            title: r.get(3)?,
            prerelease: r.get(4)?,
            listen: listen_links(r.get(5)?),
        })
    })
}

/// A catalog item some of the main stores lack, with its strongest evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Unlisted {
    /// A release's GTIN or a track's ISRC, where the catalog has one.
    pub code: Option<String>,
    pub artist: String,
    pub title: String,
}

/// Releases some of `catalogs` do not list, newest first.
pub fn unlisted_releases(db: &Connection, catalogs: &[&str], limit: usize) -> anyhow::Result<Vec<Unlisted>> {
    unlisted_items(db, "release", catalogs, limit)
}

/// Tracks some of `catalogs` do not list.
pub fn unlisted_tracks(db: &Connection, catalogs: &[&str], limit: usize) -> anyhow::Result<Vec<Unlisted>> {
    unlisted_items(db, "track", catalogs, limit)
}

/// The canonical releases or tracks that fewer than all of `catalogs` list, with their
/// barcode or ISRC, artist and title.
fn unlisted_items(db: &Connection, entity: &str, catalogs: &[&str], limit: usize) -> anyhow::Result<Vec<Unlisted>> {
    let (table, id, code, order) = match entity {
        "release" => ("canonical.releases", "release_id", "gtin", "release_date DESC NULLS LAST, release_id"),
        _ => ("canonical.tracks", "track_id", "isrc", "track_id"),
    };
    let sql = format!(
        "WITH listed AS (
             SELECT cluster_id, count(DISTINCT provider) AS catalogs FROM canonical.clusters
             WHERE entity = ? AND list_contains(string_split(?, ','), provider) GROUP BY cluster_id
         )
         SELECT i.{code}, i.artist, i.title FROM {table} i
         LEFT JOIN listed l ON l.cluster_id = i.{id}
         WHERE coalesce(l.catalogs, 0) < ?
         ORDER BY {order} LIMIT ?"
    );
    let n = catalogs.len() as i64;
    rows(db, &sql, duckdb::params![entity, catalogs.join(","), n, limit as i64], unlisted)
}

fn unlisted(r: &duckdb::Row<'_>) -> duckdb::Result<Unlisted> {
    Ok(Unlisted { code: r.get(0)?, artist: r.get::<_, Option<String>>(1)?.unwrap_or_default(), title: r.get(2)? })
}

/// One provider's listing of a release or track, and the cluster it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub entity: String,
    pub cluster_id: String,
    pub provider: String,
    pub item_id: String,
}

fn listing_row(r: &duckdb::Row<'_>) -> duckdb::Result<Listing> {
    Ok(Listing { entity: r.get(0)?, cluster_id: r.get(1)?, provider: r.get(2)?, item_id: r.get(3)? })
}

/// A provider's item, by its id there.
pub fn listing(db: &Connection, provider: &str, id: &str) -> anyhow::Result<Option<Listing>> {
    let sql = "SELECT entity, cluster_id, provider, item_id FROM canonical.clusters WHERE provider = ? AND item_id = ?";
    Ok(rows(db, sql, [provider, id], listing_row)?.into_iter().next())
}

/// The first listing carrying an identifier (`isrc` or `gtin`, normalized).
pub fn listing_with(db: &Connection, kind: &str, value: &str) -> anyhow::Result<Option<Listing>> {
    let sql = "SELECT c.entity, c.cluster_id, c.provider, c.item_id FROM intermediate.item_identifiers i \
               JOIN canonical.clusters c USING (entity, provider, item_id) WHERE i.kind = ? AND i.value = ? \
               ORDER BY c.provider, c.item_id LIMIT 1";
    Ok(rows(db, sql, [kind, value], listing_row)?.into_iter().next())
}

/// The canonical title and artist of a listing's cluster.
pub fn cluster_title(db: &Connection, l: &Listing) -> anyhow::Result<(Option<String>, Option<String>)> {
    let (table, key) =
        if l.entity == "release" { ("canonical.releases", "release_id") } else { ("canonical.tracks", "track_id") };
    let sql = format!("SELECT title, artist FROM {table} WHERE {key} = ?");
    Ok(rows(db, &sql, [&l.cluster_id], |r| Ok((r.get(0)?, r.get(1)?)))?.into_iter().next().unwrap_or((None, None)))
}

/// Another provider's listing in the same cluster, with how it was linked to this one.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub provider: String,
    pub item_id: String,
    pub title: Option<String>,
    /// Its page on the provider: the "Listen on ..." link.
    pub url: Option<String>,
    /// The link's method, when the two are linked directly.
    pub method: Option<String>,
    pub via: Option<String>,
    pub score: Option<f64>,
}

/// Every other listing of the listing's cluster.
pub fn other_listings(db: &Connection, l: &Listing) -> anyhow::Result<Vec<Member>> {
    cluster_members(db, l, false)
}

/// Every listing of the listing's cluster, itself first.
pub fn every_listing(db: &Connection, l: &Listing) -> anyhow::Result<Vec<Member>> {
    cluster_members(db, l, true)
}

/// The listings (provider, id) that carry an identifier (`isrc` or `gtin`, normalized).
pub fn carriers(db: &Connection, kind: &str, value: &str) -> anyhow::Result<Vec<(String, String)>> {
    let sql = "SELECT DISTINCT provider, item_id FROM intermediate.item_identifiers WHERE kind = ? AND value = ? \
               ORDER BY provider, item_id";
    rows(db, sql, [kind, value], |r| Ok((r.get(0)?, r.get(1)?)))
}

/// The members of a listing's cluster, with how each is linked to it directly.
fn cluster_members(db: &Connection, l: &Listing, with_itself: bool) -> anyhow::Result<Vec<Member>> {
    let items = if l.entity == "release" { "intermediate.release_items" } else { "intermediate.track_items" };
    let sql = format!(
        "SELECT c.provider, c.item_id, i.title, i.url, l.method, l.via, l.score \
         FROM canonical.clusters c \
         LEFT JOIN {items} i USING (provider, item_id) \
         LEFT JOIN canonical.links l ON l.entity = c.entity AND ( \
             (l.left_provider = ? AND l.left_id = ? AND l.right_provider = c.provider AND l.right_id = c.item_id) OR \
             (l.right_provider = ? AND l.right_id = ? AND l.left_provider = c.provider AND l.left_id = c.item_id)) \
         WHERE c.entity = ? AND c.cluster_id = ? AND (? OR NOT (c.provider = ? AND c.item_id = ?)) \
         ORDER BY c.provider = ? AND c.item_id = ? DESC, c.provider, c.item_id"
    );
    let (p, id) = (&l.provider, &l.item_id);
    rows(db, &sql, duckdb::params![p, id, p, id, l.entity, l.cluster_id, with_itself, p, id, p, id], |r| {
        Ok(Member {
            provider: r.get(0)?,
            item_id: r.get(1)?,
            title: r.get(2)?,
            url: r.get(3)?,
            method: r.get(4)?,
            via: r.get(5)?,
            score: r.get(6)?,
        })
    })
}
