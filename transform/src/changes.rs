//! What changed since the last build: the lake files landed since (the lake is
//! append-only; the warehouse records every file it has read, `meta.lake_files`), the
//! inputs from state (review decisions, follows), the models' fingerprints and
//! liner's own. From these a build is full, incremental or not needed, and says why.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Context;
use duckdb::Connection;

use crate::build::RawSource;

/// liner's own fingerprint: a hash of the Rust that computes the warehouse (the Rust
/// models, the SQL functions, the linker), made by `build.rs`. A warehouse built by
/// other code is rebuilt whole.
pub const ENGINE: &str = env!("LINER_ENGINE_FINGERPRINT");

/// The layout of the records below; a warehouse that keeps another is rebuilt whole.
pub const FORMAT: i64 = 1;

/// One file of the lake, as the raw views name it (`raw_file`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LakeFile {
    /// The raw view it belongs to, `raw.deezer_albums`.
    pub source: String,
    pub path: String,
    pub bytes: i64,
}

/// Every file of the lake under the registered resources, in path order.
pub fn lake_files(lake_root: &Path, sources: &[RawSource]) -> anyhow::Result<Vec<LakeFile>> {
    let mut out = Vec::new();
    for source in sources {
        let dir = lake_root.join(&source.provider).join(&source.resource);
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        let Ok(days) = std::fs::read_dir(&dir) else { continue };
        for day in days.flatten() {
            if !day.path().is_dir() {
                continue;
            }
            let files = std::fs::read_dir(day.path()).with_context(|| format!("listing {}", day.path().display()))?;
            for f in files.flatten() {
                if !f.file_name().to_string_lossy().ends_with(".parquet") {
                    continue;
                }
                let bytes = f.metadata().with_context(|| format!("reading {}", f.path().display()))?.len() as i64;
                out.push(LakeFile { source: source.view(), path: f.path().to_string_lossy().into_owned(), bytes });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// What the last build recorded of itself, from its warehouse.
#[derive(Debug, Default)]
pub struct Recorded {
    pub engine: String,
    pub format: i64,
    pub lake_root: String,
    /// The day it ran on (`raw.build`'s today): models that ask what is upcoming read it.
    pub day: String,
    pub files: BTreeMap<String, i64>,
    pub models: BTreeMap<String, String>,
    pub inputs: BTreeMap<String, String>,
}

/// The last build's record, or why there is none to build on.
pub fn recorded(warehouse: &Path) -> Result<Recorded, String> {
    if !warehouse.exists() {
        return Err("there is no warehouse yet".into());
    }
    let read = || -> anyhow::Result<Option<Recorded>> {
        let config = duckdb::Config::default().access_mode(duckdb::AccessMode::ReadOnly)?;
        let db = Connection::open_with_flags(warehouse, config)?;
        let has: i64 = db.query_row(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'meta' AND table_name = 'build'",
            [],
            |r| r.get(0),
        )?;
        if has == 0 {
            return Ok(None);
        }
        let (engine, format, lake_root, day) =
            db.query_row("SELECT engine, format, lake_root, day::VARCHAR FROM meta.build", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
        let pairs = |sql: &str| -> anyhow::Result<BTreeMap<String, String>> {
            let mut stmt = db.prepare(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let mut stmt = db.prepare("SELECT path, bytes FROM meta.lake_files")?;
        let files = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        Ok(Some(Recorded {
            engine,
            format,
            lake_root,
            day,
            files,
            models: pairs("SELECT name, fingerprint FROM meta.models WHERE fingerprint IS NOT NULL")?,
            inputs: pairs("SELECT name, fingerprint FROM meta.inputs")?,
        }))
    };
    match read() {
        Ok(Some(r)) if r.format == FORMAT => Ok(r),
        Ok(Some(r)) => Err(format!("the warehouse keeps its records in layout {}, this liner in {FORMAT}", r.format)),
        Ok(None) => Err("the warehouse was built by an older liner, which kept no record of what it read".into()),
        Err(e) => Err(format!("the warehouse's record of its last build cannot be read ({e:#})")),
    }
}

/// What a build will do.
#[derive(Debug, Clone, PartialEq)]
pub enum BuildKind {
    /// Everything anew from the whole lake, and why.
    Full(String),
    /// The changes carried down from the last build; each line says one.
    Incremental(Vec<String>),
    /// Nothing read has changed since the last build.
    UpToDate,
}

impl std::fmt::Display for BuildKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildKind::Full(why) => write!(f, "a full build: {why}"),
            BuildKind::Incremental(why) => write!(f, "an incremental build: {}", why.join("; ")),
            BuildKind::UpToDate => write!(f, "no build: nothing has changed since the last one"),
        }
    }
}

/// The changes from the last build's record to the lake and inputs of this one.
#[derive(Debug)]
pub struct Changes {
    pub kind: BuildKind,
    /// The lake files not read before, by raw view.
    pub new_files: BTreeMap<String, Vec<String>>,
    /// The inputs whose contents differ: from state (`raw.review_decisions`, ...), and
    /// `raw.build` on a new day (what is upcoming moved).
    pub inputs: BTreeSet<String>,
}

/// Compares the record with what a build would read now. `inputs` are the
/// fingerprints of the tables from state; `full` is the reason to build fully
/// whatever changed (`--full`), if any.
pub fn compare(
    recorded: Result<Recorded, String>,
    lake_root: &Path,
    files: &[LakeFile],
    inputs: &BTreeMap<String, String>,
    today: &str,
    full: Option<&str>,
) -> Changes {
    let everything =
        |why: String| Changes { kind: BuildKind::Full(why), new_files: BTreeMap::new(), inputs: BTreeSet::new() };
    if let Some(why) = full {
        return everything(why.to_string());
    }
    let last = match recorded {
        Ok(r) => r,
        Err(why) => return everything(why),
    };
    if last.engine != ENGINE {
        return everything(format!(
            "liner's transform code changed since the last build (fingerprint {} then, {ENGINE} now)",
            last.engine
        ));
    }
    let root = std::path::absolute(lake_root).unwrap_or(lake_root.to_path_buf()).to_string_lossy().into_owned();
    if last.lake_root != root {
        return everything(format!("the lake was at {} and is at {root} now", last.lake_root));
    }
    let now: BTreeMap<&str, &LakeFile> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    for (path, bytes) in &last.files {
        match now.get(path.as_str()) {
            None => return everything(format!("the lake no longer holds {path}, which the last build read")),
            Some(f) if f.bytes != *bytes => {
                return everything(format!(
                    "{path} changed since the last build read it ({bytes} bytes then, {} now)",
                    f.bytes
                ));
            }
            Some(_) => {}
        }
    }
    let mut new_files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in files.iter().filter(|f| !last.files.contains_key(&f.path)) {
        new_files.entry(f.source.clone()).or_default().push(f.path.clone());
    }
    let mut changed_inputs: BTreeSet<String> =
        inputs.iter().filter(|(name, print)| last.inputs.get(*name) != Some(print)).map(|(n, _)| n.clone()).collect();
    let mut why = Vec::new();
    if !new_files.is_empty() {
        let count: usize = new_files.values().map(Vec::len).sum();
        let each: Vec<String> =
            new_files.iter().map(|(s, f)| format!("{} {}", s.trim_start_matches("raw."), f.len())).collect();
        why.push(format!("{count} lake file(s) landed since ({})", each.join(", ")));
    }
    for name in &changed_inputs {
        why.push(format!("{name} changed"));
    }
    if last.day != today {
        why.push(format!("a new day ({today}; the last build ran on {})", last.day));
        changed_inputs.insert(crate::build::BUILD.to_string());
    }
    let kind = if why.is_empty() { BuildKind::UpToDate } else { BuildKind::Incremental(why) };
    Changes { kind, new_files, inputs: changed_inputs }
}

/// A table from state as a fingerprint: its rows, each field apart.
pub fn fingerprint_rows<'a>(rows: impl IntoIterator<Item = Vec<&'a str>>) -> String {
    let mut h = blake3::Hasher::new();
    for row in rows {
        for field in row {
            h.update(field.as_bytes());
            h.update(&[0]);
        }
        h.update(&[1]);
    }
    h.finalize().to_hex()[..16].to_string()
}
