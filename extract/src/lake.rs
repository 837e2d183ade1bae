//! The raw lake: every response lands as a row of Parquet under
//! `<root>/<provider>/<resource>/dt=YYYY-MM-DD/<run_id>-<seq>.parquet`.
//!
//! Files are append-only: each batch is written to a hidden temporary name in the same
//! folder and renamed into place, so a reader (or a crash) never sees a torn file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use duckdb::{Connection, params};

use crate::http::Fetched;

/// The columns of every raw file, in order. Staging models read these.
pub const RAW_COLUMNS: &[(&str, &str)] = &[
    ("run_id", "VARCHAR"),
    ("provider", "VARCHAR"),
    ("resource", "VARCHAR"),
    ("request_key", "VARCHAR"),
    ("params", "VARCHAR"),
    ("url", "VARCHAR"),
    ("status", "INTEGER"),
    ("fetched_at", "TIMESTAMP"),
    ("body", "VARCHAR"),
];

/// A resource's buffer is written out when it holds this many rows, or when its oldest
/// row has waited this long: a killed run loses at most a few seconds of responses.
const BATCH_ROWS: usize = 10;
const BATCH_AGE: std::time::Duration = std::time::Duration::from_secs(2);

pub struct LakeWriter {
    root: PathBuf,
    run_id: String,
    seq: u32,
    buffers: BTreeMap<(&'static str, &'static str), (std::time::Instant, Vec<Fetched>)>,
    db: Connection,
    landed: u64,
    files: Vec<PathBuf>,
    batch_rows: usize,
    /// The file each response of this writer went to, by (provider, request key).
    written: std::collections::HashMap<(String, String), PathBuf>,
}

impl LakeWriter {
    pub fn new(root: &Path, run_id: &str) -> anyhow::Result<Self> {
        let db = Connection::open_in_memory().context("opening DuckDB to write Parquet")?;
        let columns: Vec<String> = RAW_COLUMNS
            .iter()
            .map(|(name, ty)| format!("{name} {}", if *ty == "TIMESTAMP" { "VARCHAR" } else { ty }))
            .collect();
        db.execute_batch(&format!("CREATE TABLE batch ({})", columns.join(", ")))?;
        Ok(LakeWriter {
            root: root.to_path_buf(),
            run_id: run_id.to_string(),
            seq: 0,
            buffers: BTreeMap::new(),
            db,
            landed: 0,
            files: Vec::new(),
            batch_rows: BATCH_ROWS,
            written: Default::default(),
        })
    }

    /// Files of up to `rows` responses: for writing a catalog out in bulk, where no
    /// run can be cut short and small files would only slow the readers.
    pub fn with_batch_rows(mut self, rows: usize) -> Self {
        self.batch_rows = rows.max(1);
        self
    }

    /// Buffers a response; a full or old buffer is written out at once.
    pub fn land(&mut self, fetched: Fetched) -> anyhow::Result<()> {
        let key = (fetched.provider, fetched.resource);
        let (opened, buffer) = self.buffers.entry(key).or_insert_with(|| (std::time::Instant::now(), Vec::new()));
        buffer.push(fetched);
        if buffer.len() >= self.batch_rows || opened.elapsed() >= BATCH_AGE {
            self.flush_one(key)?;
        }
        Ok(())
    }

    /// Writes out everything buffered.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        let keys: Vec<_> = self.buffers.keys().copied().collect();
        for key in keys {
            self.flush_one(key)?;
        }
        Ok(())
    }

    /// The (status, body) this writer landed for a request, buffered or written: a
    /// run asks for a thing once even when two artists lead to it (an album both are
    /// credited on).
    pub fn find(&self, provider: &str, request_key: &str) -> anyhow::Result<Option<(u16, String)>> {
        for ((p, _), (_, rows)) in &self.buffers {
            if *p == provider
                && let Some(r) = rows.iter().rev().find(|r| r.request_key == request_key)
            {
                return Ok(Some((r.status, r.body.clone())));
            }
        }
        let Some(file) = self.written.get(&(provider.to_string(), request_key.to_string())) else {
            return Ok(None);
        };
        let (status, body): (i32, String) = self
            .db
            .query_row(
                &format!(
                    "SELECT status, body FROM read_parquet({}) WHERE provider = ? AND request_key = ? \
                     ORDER BY fetched_at DESC LIMIT 1",
                    sql_string(&file.to_string_lossy())
                ),
                [provider, request_key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .with_context(|| format!("reading {request_key} back from {}", file.display()))?;
        Ok(Some((status as u16, body)))
    }

    /// Rows written to files so far.
    pub fn landed(&self) -> u64 {
        self.landed
    }

    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    fn flush_one(&mut self, key: (&'static str, &'static str)) -> anyhow::Result<()> {
        let rows = self.buffers.remove(&key).map(|(_, rows)| rows).unwrap_or_default();
        // A batch that spans midnight goes to two partitions.
        let mut by_day: BTreeMap<String, Vec<Fetched>> = BTreeMap::new();
        for r in rows {
            by_day.entry(r.fetched_at.format("%Y-%m-%d").to_string()).or_default().push(r);
        }
        for (day, rows) in by_day {
            self.write_file(key, &day, &rows)?;
        }
        Ok(())
    }

    fn write_file(&mut self, (provider, resource): (&str, &str), day: &str, rows: &[Fetched]) -> anyhow::Result<()> {
        let dir = self.root.join(provider).join(resource).join(format!("dt={day}"));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        self.seq += 1;
        let name = format!("{}-{:05}.parquet", self.run_id, self.seq);
        let tmp = dir.join(format!(".{name}.tmp"));
        let path = dir.join(&name);

        self.db.execute_batch("DELETE FROM batch")?;
        {
            let mut app = self.db.appender("batch")?;
            for r in rows {
                app.append_row(params![
                    self.run_id,
                    r.provider,
                    r.resource,
                    r.request_key,
                    r.params,
                    r.url,
                    r.status as i32,
                    r.fetched_at.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
                    r.body,
                ])?;
            }
        }
        let select: Vec<String> = RAW_COLUMNS
            .iter()
            .map(
                |(name, ty)| {
                    if *ty == "TIMESTAMP" { format!("{name}::TIMESTAMP AS {name}") } else { name.to_string() }
                },
            )
            .collect();
        self.db
            .execute_batch(&format!(
                "COPY (SELECT {} FROM batch) TO {} (FORMAT parquet, COMPRESSION zstd)",
                select.join(", "),
                sql_string(&tmp.to_string_lossy())
            ))
            .with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("renaming {} into place", tmp.display()))?;
        self.landed += rows.len() as u64;
        for r in rows {
            self.written.insert((r.provider.to_string(), r.request_key.clone()), path.clone());
        }
        self.files.push(path);
        Ok(())
    }
}

/// A SQL string literal.
pub fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn fetched(resource: &'static str, n: usize) -> Fetched {
        Fetched {
            provider: "deezer",
            resource,
            params: "{}".into(),
            request_key: format!("{resource}:/album/{n}"),
            url: format!("http://127.0.0.1/deezer/album/{n}"),
            status: 200,
            fetched_at: Utc::now(),
            body: format!("{{\"id\": {n}, \"title\": \"it's\"}}"),
            attempts: 1,
        }
    }

    #[test]
    fn lands_batches_as_parquet_files_that_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut lake = LakeWriter::new(dir.path(), "r1").unwrap();
        for n in 0..(BATCH_ROWS + 3) {
            lake.land(fetched("albums", n)).unwrap();
        }
        assert_eq!(lake.landed(), BATCH_ROWS as u64, "a full batch is written at once");
        lake.land(fetched("album_tracks", 1)).unwrap();
        lake.flush().unwrap();
        assert_eq!(lake.landed(), BATCH_ROWS as u64 + 4);
        assert_eq!(lake.files().len(), 3);
        for f in lake.files() {
            let rel = f.strip_prefix(dir.path()).unwrap().to_string_lossy().to_string();
            assert!(rel.starts_with("deezer/album"), "{rel}");
            assert!(rel.contains("/dt=") && rel.ends_with(".parquet"), "{rel}");
        }
        let db = Connection::open_in_memory().unwrap();
        let glob = dir.path().join("deezer/albums/*/*.parquet");
        let (n, titles): (i64, i64) = db
            .query_row(
                &format!(
                    "SELECT count(*), count(*) FILTER (WHERE body->>'title' = 'it''s') FROM read_parquet({})",
                    sql_string(&glob.to_string_lossy())
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((n, titles), ((BATCH_ROWS + 3) as i64, (BATCH_ROWS + 3) as i64));
        let leftovers = walk(dir.path()).into_iter().filter(|p| p.to_string_lossy().ends_with(".tmp")).count();
        assert_eq!(leftovers, 0, "no temporary files remain");
    }

    #[test]
    fn a_landed_response_is_found_again_whether_buffered_or_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut lake = LakeWriter::new(dir.path(), "r1").unwrap();
        lake.land(fetched("albums", 1)).unwrap();
        let buffered = lake.find("deezer", "albums:/album/1").unwrap();
        assert_eq!(buffered.map(|(s, b)| (s, b.contains("\"id\": 1"))), Some((200, true)));
        lake.flush().unwrap();
        let written = lake.find("deezer", "albums:/album/1").unwrap();
        assert_eq!(written.map(|(s, b)| (s, b.contains("\"id\": 1"))), Some((200, true)));
        assert_eq!(lake.find("deezer", "albums:/album/2").unwrap(), None);
        assert_eq!(lake.find("spotify", "albums:/album/1").unwrap(), None, "keys are per provider");
    }

    fn walk(p: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(p).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
        }
        out
    }
}
