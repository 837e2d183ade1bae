//! The response cache: the raw lake itself. A request whose key already has a fresh
//! response in the lake is answered from there and not sent again, so a rerun (or a
//! run after a crash) asks only for what is missing or stale.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, NaiveDateTime, Utc};
use duckdb::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::lake::sql_string;

/// How long a response stays fresh, by what it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ttl {
    /// Artists and albums: they change slowly.
    Catalog,
    /// Other metadata.
    Metadata,
    /// Charts and the like: always fetched anew.
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheConfig {
    pub catalog_hours: f64,
    pub metadata_hours: f64,
    /// Searches that found nothing, and answers such as 404: worth asking again soon.
    pub empty_hours: f64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig { catalog_hours: 7.0 * 24.0, metadata_hours: 48.0, empty_hours: 6.0 }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    fetched_at: DateTime<Utc>,
    file: PathBuf,
    run_id: String,
}

/// The newest landed response of every request key.
#[derive(Debug)]
pub struct LakeCache {
    entries: HashMap<(String, String), Entry>,
    config: CacheConfig,
    db: std::sync::Mutex<Connection>,
    /// Runs this one continues (killed or stopped before they finished): what they
    /// landed is this run's own, so even a chart they fetched is not asked again.
    resumed: std::collections::HashSet<String>,
}

/// A response served from the lake.
#[derive(Debug, Clone)]
pub struct Cached {
    pub status: u16,
    pub body: String,
}

impl LakeCache {
    /// Indexes the lake: one query over the key and time columns of every file.
    pub fn load(lake_root: &Path, config: CacheConfig) -> anyhow::Result<LakeCache> {
        let db = Connection::open_in_memory().context("opening DuckDB to read the lake")?;
        let glob = lake_root.join("*").join("*").join("*").join("*.parquet");
        let sql = format!(
            "SELECT provider, request_key, max(fetched_at)::VARCHAR, arg_max(filename, fetched_at), \
             arg_max(run_id, fetched_at) FROM read_parquet({}, filename = true) GROUP BY ALL",
            sql_string(&glob.to_string_lossy())
        );
        let mut entries = HashMap::new();
        let index = db.prepare(&sql).and_then(|mut stmt| {
            stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()
        });
        let rows = match index {
            Ok(rows) => rows,
            // Nothing landed yet: nothing to serve.
            Err(e) if e.to_string().contains("No files found") => Vec::new(),
            Err(e) => return Err(e).with_context(|| format!("indexing the raw lake in {}", lake_root.display())),
        };
        for (provider, key, at, file, run_id) in rows {
            let at = NaiveDateTime::parse_from_str(&at, "%Y-%m-%d %H:%M:%S%.f")
                .with_context(|| format!("reading the lake index: bad time {at:?}"))?
                .and_utc();
            entries.insert((provider, key), Entry { fetched_at: at, file: PathBuf::from(file), run_id });
        }
        Ok(LakeCache { entries, config, db: std::sync::Mutex::new(db), resumed: Default::default() })
    }

    /// This run continues `runs`: their answers count as this run's, charts included.
    pub fn resuming(mut self, runs: &[String]) -> LakeCache {
        self.resumed.extend(runs.iter().cloned());
        self
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// When the newest response for `key` landed, if one has.
    pub fn landed_at(&self, provider: &str, key: &str) -> Option<DateTime<Utc>> {
        self.entries.get(&(provider.to_string(), key.to_string())).map(|e| e.fetched_at)
    }

    /// How many of a provider's landed responses are still fresh (would be served from
    /// the lake) and how many are stale (would be asked again), by each resource's TTL.
    pub fn freshness(&self, provider: crate::Provider, now: DateTime<Utc>) -> (usize, usize) {
        let (mut fresh, mut stale) = (0, 0);
        for ((p, key), entry) in &self.entries {
            if p != provider.name() {
                continue;
            }
            let resource = key.split(':').next().unwrap_or_default();
            let hours = match provider.resource(resource).map_or(Ttl::Metadata, |r| r.ttl) {
                Ttl::Never => 0.0,
                Ttl::Catalog => self.config.catalog_hours,
                Ttl::Metadata => self.config.metadata_hours,
            };
            if (now - entry.fetched_at).num_seconds() as f64 / 3600.0 <= hours {
                fresh += 1;
            } else {
                stale += 1;
            }
        }
        (fresh, stale)
    }

    /// The landed response for `key`, if it is still fresh for its kind.
    pub fn get(&self, provider: &str, key: &str, ttl: Ttl, now: DateTime<Utc>) -> anyhow::Result<Option<Cached>> {
        let Some(entry) = self.entries.get(&(provider.to_string(), key.to_string())) else { return Ok(None) };
        let max_hours = match ttl {
            Ttl::Never if self.resumed.contains(&entry.run_id) => f64::INFINITY,
            Ttl::Never => return Ok(None),
            Ttl::Catalog => self.config.catalog_hours,
            Ttl::Metadata => self.config.metadata_hours,
        };
        let age_hours = (now - entry.fetched_at).num_seconds() as f64 / 3600.0;
        if age_hours > max_hours {
            return Ok(None);
        }
        let db = self.db.lock().expect("cache lock");
        let (status, body): (i32, String) = db
            .query_row(
                &format!(
                    "SELECT status, body FROM read_parquet({}) WHERE provider = ? AND request_key = ? \
                     ORDER BY fetched_at DESC LIMIT 1",
                    sql_string(&entry.file.to_string_lossy())
                ),
                [provider, key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .with_context(|| format!("reading the cached response for {key} from {}", entry.file.display()))?;
        let failed_or_empty = status != 200
            || serde_json::from_str::<Value>(&body).map_or(true, |v| {
                is_empty_answer(&v) || crate::Provider::parse(provider).is_some_and(|p| p.error_in_body(&v).is_some())
            });
        if failed_or_empty && age_hours > self.config.empty_hours {
            return Ok(None);
        }
        Ok(Some(Cached { status: status as u16, body }))
    }
}

/// Whether a response lists nothing: the list keys the providers use, all empty,
/// whether at the top (`data`, `results`) or one object down (Spotify's
/// `artists.items`, Genius' `response.hits`, Apple's `results.songs.data`).
pub fn is_empty_answer(v: &Value) -> bool {
    const LISTS: &[&str] =
        &["data", "artists", "recordings", "releases", "release-groups", "results", "hits", "items", "artist", "track"];
    fn lists<'v>(v: &'v Value, depth: usize, out: &mut Vec<&'v Value>) {
        let Some(obj) = v.as_object() else { return };
        for (k, x) in obj {
            if x.is_array() && LISTS.contains(&k.as_str()) {
                out.push(x);
            } else if x.is_object() && depth > 0 {
                lists(x, depth - 1, out);
            }
        }
    }
    let mut found = Vec::new();
    lists(v, 2, &mut found);
    if found.is_empty() {
        // Last.fm leaves an empty list out and says `"total": "0"` (and `"#text": "\n"`).
        return v.as_object().is_some_and(|o| {
            o.values().any(|x| x.get("total").is_some_and(|t| t == "0" || t == 0) && x.get("#text").is_some())
        });
    }
    found.iter().all(|l| l.as_array().is_some_and(Vec::is_empty))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Fetched;
    use crate::lake::LakeWriter;
    use chrono::Duration;

    fn land(root: &Path, key: &str, body: &str, status: u16, age_hours: i64) {
        let mut lake = LakeWriter::new(root, &format!("r{age_hours}-{}", key.len())).unwrap();
        lake.land(Fetched {
            provider: "deezer",
            resource: "albums",
            request_key: key.into(),
            params: "{}".into(),
            url: "http://x".into(),
            status,
            fetched_at: Utc::now() - Duration::hours(age_hours),
            body: body.into(),
            attempts: 1,
        })
        .unwrap();
        lake.flush().unwrap();
    }

    #[test]
    fn serves_fresh_responses_and_lets_stale_failed_and_empty_ones_go() {
        let dir = tempfile::tempdir().unwrap();
        land(dir.path(), "albums:/album/1", r#"{"id": 1}"#, 200, 50);
        land(dir.path(), "albums:/album/1", r#"{"id": 1, "newer": true}"#, 200, 1);
        land(dir.path(), "albums:/album/2", r#"{"id": 2}"#, 200, 200);
        land(dir.path(), "search:/search?q=x", r#"{"data": [], "total": 0}"#, 200, 7);
        land(dir.path(), "search:/search?q=y", r#"{"data": [], "total": 0}"#, 200, 5);
        land(dir.path(), "albums:/album/3", r#"{"error": "not found"}"#, 404, 7);
        land(
            dir.path(),
            "albums:/album/4",
            r#"{"error":{"type":"DataException","message":"no data","code":800}}"#,
            200,
            7,
        );
        land(
            dir.path(),
            "albums:/album/5",
            r#"{"error":{"type":"DataException","message":"no data","code":800}}"#,
            200,
            5,
        );
        let cache = LakeCache::load(dir.path(), CacheConfig::default()).unwrap();
        let now = Utc::now();
        let get = |key: &str, ttl| cache.get("deezer", key, ttl, now).unwrap();
        assert!(get("albums:/album/1", Ttl::Catalog).unwrap().body.contains("newer"), "the newest response");
        assert!(get("albums:/album/1", Ttl::Metadata).is_some());
        assert!(get("albums:/album/1", Ttl::Never).is_none(), "time-sensitive resources are never cached");
        assert!(get("albums:/album/2", Ttl::Catalog).is_none(), "older than 7 days");
        assert!(get("search:/search?q=x", Ttl::Catalog).is_none(), "an empty search older than 6 h");
        assert!(get("search:/search?q=y", Ttl::Catalog).is_some());
        assert!(get("albums:/album/3", Ttl::Catalog).is_none(), "a failed answer older than 6 h");
        assert!(get("albums:/album/4", Ttl::Catalog).is_none(), "an error sent with HTTP 200, older than 6 h");
        assert!(get("albums:/album/5", Ttl::Catalog).is_some(), "a recent one is still served");
        assert!(get("albums:/album/9", Ttl::Catalog).is_none());
    }

    #[test]
    fn a_chart_is_asked_anew_by_a_new_run_but_not_by_one_resuming_the_run_that_landed_it() {
        let dir = tempfile::tempdir().unwrap();
        let key = "charts:/chart/0";
        land(dir.path(), key, r#"{"data": [{"id": 1}], "total": 1}"#, 200, 30);
        let landed_by = format!("r30-{}", key.len());
        let now = Utc::now();
        let cache = LakeCache::load(dir.path(), CacheConfig::default()).unwrap();
        assert!(cache.get("deezer", key, Ttl::Never, now).unwrap().is_none(), "a new run asks again");
        let cache = cache.resuming(&["another-run".into()]);
        assert!(cache.get("deezer", key, Ttl::Never, now).unwrap().is_none(), "not the run that landed it");
        let cache = cache.resuming(&[landed_by]);
        assert!(cache.get("deezer", key, Ttl::Never, now).unwrap().is_some(), "the resumed run's own chart");
    }

    #[test]
    fn empty_searches_are_recognized_in_each_provider_shape() {
        let empty = |s: &str| is_empty_answer(&serde_json::from_str(s).unwrap());
        assert!(empty(r#"{"data": [], "total": 0}"#), "Deezer");
        assert!(empty(r#"{"artists": {"items": [], "total": 0}}"#), "Spotify");
        assert!(empty(r#"{"created": "x", "count": 0, "artists": []}"#), "MusicBrainz");
        assert!(empty(r#"{"meta": {"status": 200}, "response": {"hits": []}}"#), "Genius");
        assert!(
            empty(r##"{"recenttracks": {"#text": "\n", "user": "RT", "total": "0"}}"##),
            "Last.fm leaves the list out"
        );
        assert!(!empty(r##"{"recenttracks": {"track": [{"name": "x"}], "total": "1"}}"##));
        assert!(!empty(r#"{"artists": {"items": [{"id": "1"}]}}"#));
        assert!(!empty(r#"{"id": 1, "genres": {"data": []}, "tracks": {"data": [{"id": 2}]}}"#), "an album");
        assert!(!empty(r#"{"id": 302127, "title": "Discovery"}"#), "a lookup lists nothing and is not empty");
    }

    #[test]
    fn an_empty_lake_serves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let cache = LakeCache::load(&dir.path().join("raw"), CacheConfig::default()).unwrap();
        assert!(cache.is_empty());
        // Partition folders with nothing but a temporary file from a killed run.
        let day = dir.path().join("raw/deezer/albums/dt=2026-11-21");
        std::fs::create_dir_all(&day).unwrap();
        std::fs::write(day.join(".r1-00001.parquet.tmp"), b"PAR1 torn").unwrap();
        let cache = LakeCache::load(&dir.path().join("raw"), CacheConfig::default()).unwrap();
        assert!(cache.is_empty());
    }

    #[test]
    fn a_corrupt_file_in_the_lake_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        land(dir.path(), "albums:/album/1", r#"{"id": 1}"#, 200, 1);
        let day = std::fs::read_dir(dir.path().join("deezer/albums")).unwrap().next().unwrap().unwrap().path();
        std::fs::write(day.join("bad.parquet"), b"not parquet").unwrap();
        let e = format!("{:#}", LakeCache::load(dir.path(), CacheConfig::default()).unwrap_err());
        assert!(e.contains("bad.parquet"), "{e}");
    }
}
