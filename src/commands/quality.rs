//! Link quality against the simulator's ground truth: what the demo prints and the
//! end-to-end tests hold to.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Context;
use duckdb::Connection;
use liner_sim::{Quality, Truth, score};

/// Links between MusicBrainz and Deezer against the truth: the exact ones alone, and
/// all of them (exact and fuzzy).
#[derive(Debug, Clone, Copy)]
pub struct LinkQuality {
    pub releases_exact: Quality,
    pub tracks_exact: Quality,
    pub releases: Quality,
    pub tracks: Quality,
}

impl std::fmt::Display for LinkQuality {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "releases, exact:    {}", self.releases_exact)?;
        writeln!(f, "releases, all:      {}", self.releases)?;
        writeln!(f, "recordings, exact:  {}", self.tracks_exact)?;
        write!(f, "recordings, all:    {}", self.tracks)
    }
}

fn strings(db: &Connection, sql: &str) -> anyhow::Result<Vec<String>> {
    let mut stmt = db.prepare(sql).with_context(|| format!("querying the warehouse: {sql}"))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// (MusicBrainz id, Deezer id) pairs: joined by an exact link, or (all links) in one
/// canonical cluster, however the cluster was joined (directly, or through a third
/// provider's listing).
fn pairs(db: &Connection, entity: &str, exact_only: bool) -> anyhow::Result<Vec<(String, u64)>> {
    let sql = if exact_only {
        // Exact links put the sides in `provider:id` order (Deezer's first).
        "SELECT CASE WHEN left_provider = 'musicbrainz' THEN left_id ELSE right_id END, \
                CASE WHEN left_provider = 'deezer' THEN left_id ELSE right_id END \
         FROM canonical.links \
         WHERE entity = ? AND method NOT IN ('fuzzy', 'review') \
           AND ((left_provider = 'deezer' AND right_provider = 'musicbrainz') \
             OR (left_provider = 'musicbrainz' AND right_provider = 'deezer'))"
    } else {
        "SELECT m.item_id, d.item_id FROM canonical.clusters m JOIN canonical.clusters d USING (entity, cluster_id) \
         WHERE m.entity = ? AND m.provider = 'musicbrainz' AND d.provider = 'deezer'"
    };
    let mut stmt = db.prepare(sql)?;
    let rows = stmt
        .query_map([entity], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows.into_iter().filter_map(|(l, r)| r.parse().ok().map(|r| (l, r))).collect())
}

pub fn measure(warehouse: &Path, truth: &Truth) -> anyhow::Result<LinkQuality> {
    let db = crate::stored::queries::open(warehouse)?;
    let mb_releases: HashSet<String> =
        strings(&db, "SELECT release_id FROM staging.musicbrainz_releases")?.into_iter().collect();
    let dz_albums: HashSet<u64> = strings(&db, "SELECT album_id::VARCHAR FROM staging.deezer_albums")?
        .into_iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    let mb_recordings: HashSet<String> =
        strings(&db, "SELECT DISTINCT recording_id FROM staging.musicbrainz_tracks")?.into_iter().collect();
    let dz_tracks: HashSet<u64> = strings(&db, "SELECT track_id::VARCHAR FROM staging.deezer_tracks")?
        .into_iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    let releases = |exact_only| -> anyhow::Result<Quality> {
        Ok(score(&truth.release_pairs, &pairs(&db, "release", exact_only)?, |l, r| {
            mb_releases.contains(l) && dz_albums.contains(r)
        }))
    };
    let tracks = |exact_only| -> anyhow::Result<Quality> {
        Ok(score(&truth.track_pairs, &pairs(&db, "track", exact_only)?, |l, r| {
            mb_recordings.contains(l) && dz_tracks.contains(r)
        }))
    };
    Ok(LinkQuality {
        releases_exact: releases(true)?,
        tracks_exact: tracks(true)?,
        releases: releases(false)?,
        tracks: tracks(false)?,
    })
}
