//! Building the warehouse: raw views over the lake, then every model in dependency
//! order, each checked against its assertions, all into a new file that is renamed
//! over the old one. Readers of the old file are never blocked and never see a
//! half-built warehouse.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use duckdb::Connection;
use tracing::info;

use crate::changes::{self, BuildKind, Changes, LakeFile};
use crate::incremental::{self, Action, Delta};
use crate::model::{Assertion, INCREMENTAL, Kind, LAYERS, Model, Run};
use crate::{conformed, plan, udf};

/// A lake resource that becomes the view `raw.<provider>_<resource>` (every response
/// landed) and `answers.<provider>_<resource>` (its answers: status 200, a JSON body,
/// and no error inside it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSource {
    pub provider: String,
    pub resource: String,
    /// The provider sends errors inside 200 answers, as a top-level `error` (Deezer,
    /// Last.fm): its answers leave those out.
    pub errors_in_answers: bool,
    /// The request template (`/artist/{artist_id}/albums?...`): a response landed
    /// without its `params`, by an older liner, has them read back from its request key.
    pub template: String,
}

impl RawSource {
    pub fn view(&self) -> String {
        format!("raw.{}_{}", self.provider, self.resource)
    }

    pub fn answers(&self) -> String {
        format!("answers.{}_{}", self.provider, self.resource)
    }
}

pub struct BuildOptions {
    pub models: crate::model::ModelSet,
    pub lake_root: PathBuf,
    pub warehouse: PathBuf,
    pub sources: Vec<RawSource>,
    /// The columns (name, DuckDB type) of the lake's files, which the writer defines:
    /// a resource with nothing landed yet becomes an empty view of them.
    pub raw_columns: Vec<(String, String)>,
    pub run_id: String,
    /// People's decisions on pairs of items, from state: `raw.review_decisions`.
    pub review_decisions: Vec<ReviewDecision>,
    /// Rebuild these models (`plan::select` selectors) whole, whatever changed; the
    /// rest is brought up to date as every build does it.
    pub select: Vec<String>,
    /// Build everything anew from the whole lake, for this reason (`--full`, the
    /// nightly schedule); else a build carries only what changed since the last one.
    pub full: Option<String>,
    /// Models rebuilt whole weigh with what the last build kept (the link model), not
    /// with what they would learn again (`--keep-model`).
    pub keep_model: bool,
    /// The followed artists, from state: `raw.follows`.
    pub follows: Vec<String>,
    /// Earlier builds' coverage, from state: `raw.coverage_history`.
    pub coverage_history: Vec<CoverageRow>,
    /// Told of each model as it starts (name, models done, models in all), and once more
    /// when all are done.
    pub on_model: Option<OnModel>,
}

/// See `BuildOptions::on_model`.
pub type OnModel = std::sync::Arc<dyn Fn(&str, usize, usize) + Send + Sync>;

/// One measure of how complete the catalog was at a build (`marts.coverage`).
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageRow {
    pub run_id: String,
    pub built_on: String,
    pub entity: String,
    pub measure: String,
    pub items: i64,
    pub share: f64,
}

/// A person's word on whether two items are the same: `accept` links them whatever
/// the scores say, `reject` keeps them apart whatever the evidence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReviewDecision {
    pub entity: String,
    pub left_provider: String,
    pub left_id: String,
    pub right_provider: String,
    pub right_id: String,
    pub decision: String,
}

/// The table people's decisions arrive in, for the models to read.
pub const REVIEW_DECISIONS: &str = "raw.review_decisions";
/// The followed artists, for the models to read.
pub const FOLLOWS: &str = "raw.follows";
/// This build: its run id and the day it runs on (UTC), for models that ask what is
/// upcoming (DuckDB's own clock functions want the ICU extension, which is not built in).
pub const BUILD: &str = "raw.build";
pub const COVERAGE_HISTORY: &str = "raw.coverage_history";

#[derive(Debug, Clone)]
pub struct BuiltModel {
    pub name: String,
    pub rows: u64,
    pub elapsed: Duration,
}

#[derive(Debug, Clone)]
pub struct BuildReport {
    /// The models built or brought up to date; those kept as they were are not here.
    pub models: Vec<BuiltModel>,
    pub warehouse: PathBuf,
    pub kind: BuildKind,
}

/// What a build would do: its kind and why, and each model's action (`--dry-run`).
#[derive(Debug, Clone)]
pub struct Planned {
    pub kind: BuildKind,
    pub models: Vec<(String, Action)>,
}

/// Every model (SQL files, and the Rust models whose inputs exist) and their build order.
fn models_in_order(opts: &BuildOptions) -> anyhow::Result<(Vec<Model>, Vec<usize>)> {
    let mut models = opts.models.load()?;
    let generated = conformed::generated(&models, &providers(opts))?;
    models.extend(generated);
    let mut sources: BTreeSet<String> = opts.sources.iter().flat_map(|s| [s.view(), s.answers()]).collect();
    for table in [REVIEW_DECISIONS, FOLLOWS, BUILD, COVERAGE_HISTORY, conformed::COVERAGE_MEASURES] {
        sources.insert(table.to_string());
    }
    // A Rust model builds when what it reads is there: a folder of models of one's
    // own need not define the links to get the rest built.
    for m in crate::rust_models::all() {
        if let Some(file) = models.iter().find(|f| f.name == m.name) {
            bail!("{} defines {}, which liner computes in Rust ({})", file.path.display(), m.name, m.path.display());
        }
        if m.refs.iter().all(|r| sources.contains(r) || models.iter().any(|f| &f.name == r)) {
            models.push(m);
        }
    }
    let order = plan::order(&models, &sources)?;
    Ok((models, order))
}

/// The registered providers, in the registry's order, each once.
fn providers(opts: &BuildOptions) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for s in &opts.sources {
        if !out.contains(&s.provider.as_str()) {
            out.push(&s.provider);
        }
    }
    out
}

/// The inputs from state, each as a fingerprint: a build whose inputs differ from the
/// last one's carries the difference down.
fn input_fingerprints(opts: &BuildOptions) -> BTreeMap<String, String> {
    let decisions = opts.review_decisions.iter().map(|d| {
        vec![
            d.entity.as_str(),
            d.left_provider.as_str(),
            d.left_id.as_str(),
            d.right_provider.as_str(),
            d.right_id.as_str(),
            d.decision.as_str(),
        ]
    });
    let follows = opts.follows.iter().map(|f| vec![f.as_str()]);
    BTreeMap::from([
        (REVIEW_DECISIONS.to_string(), changes::fingerprint_rows(decisions)),
        (FOLLOWS.to_string(), changes::fingerprint_rows(follows)),
    ])
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

/// What this build would be: the lake's files, the changes since the last build and,
/// for an incremental one, each model's action and the last build's record.
struct Prepared {
    files: Vec<LakeFile>,
    changes: Changes,
    actions: Vec<(usize, Action)>,
    /// Models the last build made that are no more.
    dropped: Vec<String>,
}

fn prepare(opts: &BuildOptions, models: &[Model], order: &[usize]) -> anyhow::Result<Prepared> {
    let files = changes::lake_files(&opts.lake_root, &opts.sources)?;
    let recorded = changes::recorded(&opts.warehouse);
    let fingerprints = recorded.as_ref().map(|r| r.models.clone()).unwrap_or_default();
    if !opts.select.is_empty() && !opts.warehouse.exists() {
        bail!("no warehouse at {} yet: run `liner transform` without --select first", opts.warehouse.display());
    }
    let mut changes =
        changes::compare(recorded, &opts.lake_root, &files, &input_fingerprints(opts), &today(), opts.full.as_deref());
    if let BuildKind::Full(_) = changes.kind {
        let actions = order.iter().map(|&i| (i, Action::Rebuild("a full build".into()))).collect();
        return Ok(Prepared { files, changes, actions, dropped: Vec::new() });
    }
    let forced = if opts.select.is_empty() { BTreeSet::new() } else { plan::select(models, &opts.select)? };
    let mut new_rows = BTreeSet::new();
    for s in opts.sources.iter().filter(|s| changes.new_files.contains_key(&s.view())) {
        new_rows.insert(s.view());
        new_rows.insert(s.answers());
    }
    let actions = incremental::plan(models, order, &new_rows, &changes.inputs, &fingerprints, &forced);
    let dropped: Vec<String> = fingerprints.keys().filter(|n| !models.iter().any(|m| &m.name == *n)).cloned().collect();
    let mut redefined: Vec<String> = models
        .iter()
        .filter(|m| fingerprints.get(&m.name) != Some(&m.fingerprint()))
        .map(|m| format!("{} is new or changed", m.name))
        .collect();
    redefined.extend(dropped.iter().map(|n| format!("{n} is no more")));
    if !opts.select.is_empty() {
        redefined.push(format!("--select {}", opts.select.join(" ")));
    }
    match &mut changes.kind {
        BuildKind::Incremental(why) => why.extend(redefined),
        kind @ BuildKind::UpToDate if !redefined.is_empty() => *kind = BuildKind::Incremental(redefined),
        _ => {}
    }
    Ok(Prepared { files, changes, actions, dropped })
}

/// What a build with these options would do: what `--dry-run` shows.
pub fn planned(opts: &BuildOptions) -> anyhow::Result<Planned> {
    let (models, order) = models_in_order(opts)?;
    let p = prepare(opts, &models, &order)?;
    let actions = if p.changes.kind == BuildKind::UpToDate { Vec::new() } else { p.actions };
    Ok(Planned {
        kind: p.changes.kind,
        models: actions
            .into_iter()
            .filter(|(_, a)| *a != Action::Keep)
            .map(|(i, a)| (models[i].name.clone(), a))
            .collect(),
    })
}

pub fn build(opts: &BuildOptions) -> anyhow::Result<BuildReport> {
    let (models, order) = models_in_order(opts)?;
    let prepared = prepare(opts, &models, &order)?;
    let kind = prepared.changes.kind.clone();
    info!(build = %kind, "transform");
    if kind == BuildKind::UpToDate {
        return Ok(BuildReport { models: Vec::new(), warehouse: opts.warehouse.clone(), kind });
    }

    let building = sibling(&opts.warehouse, "building");
    remove_db_files(&building)?;
    if let Some(dir) = opts.warehouse.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let result = match kind {
        BuildKind::Full(_) => build_into(&building, opts, &models, &order, &prepared),
        _ => update_into(&building, opts, &models, &prepared),
    };
    let built = match result {
        Ok(built) => built,
        Err(e) => {
            let _ = remove_db_files(&building);
            return Err(e);
        }
    };
    std::fs::rename(&building, &opts.warehouse)
        .with_context(|| format!("moving the new warehouse into place at {}", opts.warehouse.display()))?;
    Ok(BuildReport { models: built, warehouse: opts.warehouse.clone(), kind })
}

fn create_schemas(db: &Connection) -> anyhow::Result<()> {
    for layer in LAYERS.iter().chain(&["meta", INCREMENTAL]) {
        // A warehouse built by an older liner may lack a layer added since.
        db.execute_batch(&format!("CREATE SCHEMA IF NOT EXISTS {layer}"))?;
    }
    Ok(())
}

fn build_into(
    path: &Path,
    opts: &BuildOptions,
    models: &[Model],
    order: &[usize],
    prepared: &Prepared,
) -> anyhow::Result<Vec<BuiltModel>> {
    let db = Connection::open(path).with_context(|| format!("creating {}", path.display()))?;
    create_schemas(&db)?;
    inputs(&db, opts, models, &prepared.files)?;
    if opts.keep_model {
        carry_kept(&db, &opts.warehouse, models)?;
    }
    let providers = providers(opts);
    let mut built = Vec::new();
    for (n, &i) in order.iter().enumerate() {
        progress(opts, &models[i].name, n, order.len());
        built.push(build_model(&db, &models[i], &providers, opts.keep_model)?);
    }
    progress(opts, "", order.len(), order.len());
    let done: Vec<&Model> = order.iter().map(|&i| &models[i]).collect();
    record(&db, opts, &done, &built, &[], prepared, &now(&db)?)?;
    drop(db);
    Ok(built)
}

/// An incremental build, in a copy of the current warehouse: each model as its action
/// says, the others as they were built last.
fn update_into(
    path: &Path,
    opts: &BuildOptions,
    models: &[Model],
    prepared: &Prepared,
) -> anyhow::Result<Vec<BuiltModel>> {
    std::fs::copy(&opts.warehouse, path)
        .with_context(|| format!("copying {} to bring it up to date", opts.warehouse.display()))?;
    let db = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
    create_schemas(&db)?;
    inputs(&db, opts, models, &prepared.files)?;
    for name in &prepared.dropped {
        drop_model(&db, name)?;
    }
    let work: Vec<(usize, &Action)> =
        prepared.actions.iter().filter(|(_, a)| *a != Action::Keep).map(|(i, a)| (*i, a)).collect();
    let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in &opts.sources {
        if let Some(f) = prepared.changes.new_files.get(&s.view()) {
            files.insert(s.view(), f.clone());
            files.insert(s.answers(), f.clone());
        }
    }
    let mut delta = Delta::new(&db, models, &files)?;
    let providers = providers(opts);
    let mut built = Vec::new();
    let mut done = Vec::new();
    // The models whose changed rows this build knows, by the values of a column.
    let mut changed: Vec<(&Model, String)> = Vec::new();
    for (n, &(i, action)) in work.iter().enumerate() {
        let m = &models[i];
        progress(opts, &m.name, n, work.len());
        match action {
            Action::Keep => continue,
            Action::Update => {
                let started = Instant::now();
                let changed = delta.update(m)?;
                built.push(checked(&db, m, started, Some(&changed))?);
            }
            Action::UpdatePartitions => {
                let started = Instant::now();
                let changed = delta.update_partitions(m)?;
                built.push(checked(&db, m, started, Some(&changed))?);
            }
            Action::UpdateItself => {
                let started = Instant::now();
                let run = m.rust.context("only a Rust model updates itself")?;
                run(&db, Run::Update).with_context(|| format!("{}: updating {}", m.path.display(), m.name))?;
                delta.updated_itself(m);
                built.push(checked(&db, m, started, None)?);
            }
            Action::Rebuild(_) => {
                let before = keep_before_rebuild(&db, m)?;
                drop_model(&db, &m.name)?;
                built.push(build_model(&db, m, &providers, opts.keep_model)?);
                if let Some((before, key)) = before {
                    changed_keys(&db, m, &before, &key)?;
                    changed.push((m, key));
                }
            }
        }
        if *action == Action::UpdatePartitions {
            changed.extend(m.partition.as_ref().map(|p| (m, p.column.clone())));
        }
        done.push(m);
    }
    drop(delta);
    let built_at = now(&db)?;
    record_changes(&db, &changed, &built_at)?;
    db.execute_batch(&format!("DROP SCHEMA IF EXISTS {} CASCADE", incremental::INCOMING))?;
    progress(opts, "", work.len(), work.len());
    record(&db, opts, &done, &built, &prepared.dropped, prepared, &built_at)?;
    drop(db);
    Ok(built)
}

fn progress(opts: &BuildOptions, model: &str, done: usize, total: usize) {
    if let Some(f) = &opts.on_model {
        f(model, done, total);
    }
}

/// Drops a model's table or view, and what an incremental model keeps beside it.
fn drop_model(db: &Connection, name: &str) -> anyhow::Result<()> {
    let answers = crate::model::answers_table_of(name);
    drop_relation(db, name)?;
    drop_relation(db, &format!("{answers}__merged"))?;
    drop_relation(db, &answers)
}

/// Drops the table or view `name` (a model may have been the other kind when the
/// warehouse was built), if there is one.
fn drop_relation(db: &Connection, name: &str) -> anyhow::Result<()> {
    let (schema, table) = name.split_once('.').unwrap_or(("main", name));
    let kind: Option<String> = db
        .query_row(
            "SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, table],
            |r| r.get(0),
        )
        .ok();
    match kind.as_deref() {
        None => Ok(()),
        Some("VIEW") => Ok(db.execute_batch(&format!("DROP VIEW {name}"))?),
        Some(_) => Ok(db.execute_batch(&format!("DROP TABLE {name}"))?),
    }
}

/// What every model may read besides other models: liner's SQL functions, the raw
/// views over the lake, and people's review decisions.
fn inputs(db: &Connection, opts: &BuildOptions, models: &[Model], files: &[LakeFile]) -> anyhow::Result<()> {
    udf::register(db).context("registering liner's SQL functions")?;
    let providers = providers(opts);
    udf::register_provider_sets(db, &providers).context("registering provider sets")?;
    conformed::coverage_measures(db, models, &providers).context("listing the providers' coverage measures")?;
    conformed::provider_types(db, models, &providers)?;
    for source in &opts.sources {
        let view = source.view();
        let files: Vec<&str> = files.iter().filter(|f| f.source == view).map(|f| f.path.as_str()).collect();
        create_raw_view(db, &opts.lake_root, source, &files, &opts.raw_columns)?;
        create_answers_view(db, source)?;
    }
    db.execute_batch(&format!(
        "CREATE OR REPLACE TABLE {REVIEW_DECISIONS} (entity VARCHAR, left_provider VARCHAR, left_id VARCHAR, \
         right_provider VARCHAR, right_id VARCHAR, decision VARCHAR)"
    ))?;
    let mut decisions = db.appender_to_db("review_decisions", "raw")?;
    for d in &opts.review_decisions {
        decisions.append_row(duckdb::params![
            d.entity,
            d.left_provider,
            d.left_id,
            d.right_provider,
            d.right_id,
            d.decision
        ])?;
    }
    decisions.flush()?;
    drop(decisions);
    db.execute(
        &format!("CREATE OR REPLACE TABLE {BUILD} AS SELECT ?::VARCHAR AS run_id, ?::DATE AS today"),
        duckdb::params![opts.run_id, today()],
    )?;
    db.execute_batch(&format!("CREATE OR REPLACE TABLE {FOLLOWS} (name VARCHAR)"))?;
    let mut follows = db.appender_to_db("follows", "raw")?;
    for name in &opts.follows {
        follows.append_row([name])?;
    }
    follows.flush()?;
    drop(follows);
    db.execute_batch(&format!(
        "CREATE OR REPLACE TABLE {COVERAGE_HISTORY} (run_id VARCHAR, built_on DATE, entity VARCHAR, \
         measure VARCHAR, items BIGINT, share DOUBLE)"
    ))?;
    let mut history = db.appender_to_db("coverage_history", "raw")?;
    for c in &opts.coverage_history {
        history.append_row(duckdb::params![c.run_id, c.built_on, c.entity, c.measure, c.items, c.share])?;
    }
    history.flush()?;
    Ok(())
}

/// This build's coverage rows, to keep in the run history.
pub fn coverage_of(warehouse: &Path, run_id: &str) -> anyhow::Result<Vec<CoverageRow>> {
    let db =
        Connection::open_with_flags(warehouse, duckdb::Config::default().access_mode(duckdb::AccessMode::ReadOnly)?)
            .with_context(|| format!("opening {}", warehouse.display()))?;
    let mut stmt = db.prepare(
        "SELECT run_id, built_on::VARCHAR, entity, measure, items, share FROM marts.coverage WHERE run_id = ?",
    )?;
    let rows = stmt
        .query_map([run_id], |r| {
            Ok(CoverageRow {
                run_id: r.get(0)?,
                built_on: r.get(1)?,
                entity: r.get(2)?,
                measure: r.get(3)?,
                items: r.get(4)?,
                share: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// `meta.models`: what was built, when, by which run, from what (its fingerprint).
/// Load targets read each model's key from here, so they need not know the SQL files.
/// `meta.lake_files`, `meta.inputs` and `meta.build`: what this build read, for the
/// next one to find what changed since.
fn record(
    db: &Connection,
    opts: &BuildOptions,
    done: &[&Model],
    built: &[BuiltModel],
    dropped: &[String],
    prepared: &Prepared,
    built_at: &str,
) -> anyhow::Result<()> {
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS meta.models (name VARCHAR PRIMARY KEY, path VARCHAR, key VARCHAR, rows BIGINT, \
         elapsed_ms BIGINT, built_at TIMESTAMP, run_id VARCHAR, max_length VARCHAR);
         ALTER TABLE meta.models ADD COLUMN IF NOT EXISTS max_length VARCHAR;
         ALTER TABLE meta.models ADD COLUMN IF NOT EXISTS fingerprint VARCHAR;
         ALTER TABLE meta.models ADD COLUMN IF NOT EXISTS kind VARCHAR",
    )?;
    let mut insert = db.prepare(
        "INSERT OR REPLACE INTO meta.models (name, path, key, rows, elapsed_ms, built_at, run_id, max_length, \
         fingerprint, kind) VALUES (?, ?, ?, ?, ?, ?::TIMESTAMP, ?, ?, ?, ?)",
    )?;
    for (m, b) in done.iter().zip(built) {
        insert.execute(duckdb::params![
            m.name,
            m.path.to_string_lossy(),
            m.key.join(","),
            b.rows as i64,
            b.elapsed.as_millis() as i64,
            built_at,
            opts.run_id,
            m.max_length_list(),
            m.fingerprint(),
            m.kind().to_string(),
        ])?;
    }
    drop(insert);
    for name in dropped {
        db.execute("DELETE FROM meta.models WHERE name = ?", [name])?;
    }
    db.execute_batch("CREATE OR REPLACE TABLE meta.lake_files (source VARCHAR, path VARCHAR, bytes BIGINT)")?;
    let mut files = db.appender_to_db("lake_files", "meta")?;
    for f in &prepared.files {
        files.append_row(duckdb::params![f.source, f.path, f.bytes])?;
    }
    files.flush()?;
    drop(files);
    db.execute_batch("CREATE OR REPLACE TABLE meta.inputs (name VARCHAR, fingerprint VARCHAR)")?;
    for (name, print) in input_fingerprints(opts) {
        db.execute("INSERT INTO meta.inputs VALUES (?, ?)", [name, print])?;
    }
    let root = std::path::absolute(&opts.lake_root).unwrap_or(opts.lake_root.clone());
    db.execute(
        "CREATE OR REPLACE TABLE meta.build AS SELECT ?::VARCHAR AS engine, ?::BIGINT AS format, \
         ?::VARCHAR AS lake_root, ?::DATE AS day, ?::VARCHAR AS run_id, ?::VARCHAR AS kind, now()::TIMESTAMP AS built_at",
        duckdb::params![
            changes::ENGINE,
            changes::FORMAT,
            root.to_string_lossy(),
            today(),
            opts.run_id,
            prepared.changes.kind.to_string()
        ],
    )?;
    db.execute_batch("CHECKPOINT")?;
    Ok(())
}

/// This build's time, as `meta.models.built_at` keeps it: a model's version is its
/// fingerprint and this (`version`).
fn now(db: &Connection) -> anyhow::Result<String> {
    Ok(db.query_row("SELECT now()::TIMESTAMP::VARCHAR", [], |r| r.get(0))?)
}

/// A model's version, as loads read it from `meta.models` (`liner-load`'s `TableSpec`).
const VERSION: &str = "fingerprint || '@' || built_at::VARCHAR";

/// How long `meta.model_changes` keeps the partitions a build made again: an app
/// loaded less often than this is merged whole.
const CHANGES_KEPT_DAYS: u32 = 30;

/// Before a model an app may load (canonical and marts, keyed by one column) is
/// rebuilt whole from the same definition, its table is set aside, so that the keys
/// whose rows the rebuild changed can be found (`changed_keys`): a load then writes
/// those alone. Returns where it was set aside, and the key.
fn keep_before_rebuild(db: &Connection, m: &Model) -> anyhow::Result<Option<(String, String)>> {
    let ([key], Some((schema, table))) = (m.key.as_slice(), m.name.split_once('.')) else { return Ok(None) };
    if !["canonical", "marts"].contains(&schema) || m.materialized != crate::model::Materialized::Table {
        return Ok(None);
    }
    let same: bool = db
        .query_row(
            "SELECT count(*) > 0 FROM meta.models m JOIN information_schema.tables t \
             ON t.table_schema = ? AND t.table_name = ? AND t.table_type = 'BASE TABLE' \
             WHERE m.name = ? AND m.fingerprint = ?",
            duckdb::params![schema, table, m.name, m.fingerprint()],
            |r| r.get(0),
        )
        .unwrap_or(false);
    if !same {
        return Ok(None);
    }
    let before = format!("{table}__before");
    db.execute_batch(&format!("DROP TABLE IF EXISTS {schema}.{before}; ALTER TABLE {} RENAME TO {before}", m.name))
        .with_context(|| format!("setting {} aside before rebuilding it", m.name))?;
    Ok(Some((format!("{schema}.{before}"), key.clone())))
}

/// The keys whose rows a rebuild changed, came or went, into the model's
/// `incremental::changed_at_table`; the table set aside is dropped. Rows are compared
/// by a 64-bit hash of the whole row: a changed row whose hash equals its old one's
/// (a chance of about one in 2^64) would be left out of the next load, where comparing
/// every column of the million links cost twice as long.
fn changed_keys(db: &Connection, m: &Model, before: &str, key: &str) -> anyhow::Result<()> {
    db.execute_batch(&format!(
        "CREATE SCHEMA IF NOT EXISTS {schema}; \
         CREATE OR REPLACE TABLE {changed} AS SELECT {key} FROM \
             (SELECT {key}, hash(t) AS h FROM {name} t) n FULL JOIN (SELECT {key}, hash(t) AS h FROM {before} t) o \
             USING ({key}) WHERE n.h IS DISTINCT FROM o.h; \
         DROP TABLE {before};",
        schema = incremental::INCOMING,
        changed = incremental::changed_at_table(&m.name),
        name = m.name,
    ))
    .with_context(|| format!("finding the rows of {} its rebuild changed", m.name))
}

/// `meta.model_changes`: for each model whose changed rows this build knows by the
/// values of a column (the partitions it made again; the keys a rebuild changed), the
/// step from the version it was at to the one it is at now (a row whose `value` is
/// null) and those values. A load that holds a version of the model writes only those
/// values' rows, if the steps lead from it to the current one.
fn record_changes(db: &Connection, changed: &[(&Model, String)], built_at: &str) -> anyhow::Result<()> {
    db.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS meta.model_changes (name VARCHAR, from_version VARCHAR, to_version VARCHAR, \
         column_name VARCHAR, value VARCHAR, built_at TIMESTAMP); \
         DELETE FROM meta.model_changes WHERE built_at < now()::TIMESTAMP - INTERVAL {CHANGES_KEPT_DAYS} DAY;"
    ))?;
    for (m, column) in changed {
        let to = format!("{}@{built_at}", m.fingerprint());
        db.execute(
            &format!(
                "INSERT INTO meta.model_changes \
                 SELECT ?1, (SELECT {VERSION} FROM meta.models WHERE name = ?1), ?2, ?3, value, ?4::TIMESTAMP FROM ( \
                     SELECT NULL::VARCHAR AS value UNION ALL SELECT {col}::VARCHAR FROM {changed})",
                col = column,
                changed = incremental::changed_at_table(&m.name),
            ),
            duckdb::params![m.name, to, column, built_at],
        )
        .with_context(|| format!("recording the rows of {} this build changed", m.name))?;
    }
    Ok(())
}

/// `raw.<provider>_<resource>`: the files listed, and no other (a file landed while
/// the build runs is read by the next one, which knows it has not read it).
fn create_raw_view(
    db: &Connection,
    lake_root: &Path,
    source: &RawSource,
    files: &[&str],
    columns: &[(String, String)],
) -> anyhow::Result<()> {
    let dir = lake_root.join(&source.provider).join(&source.resource);
    let select = if !files.is_empty() {
        let list: Vec<String> = files.iter().map(|f| format!("'{}'", f.replace('\'', "''"))).collect();
        // Files from before `params` was landed are read beside newer ones by name.
        let files = format!(
            "read_parquet([{}], hive_partitioning = true, filename = true, union_by_name = true)",
            list.join(", ")
        );
        let landed: Vec<String> = {
            let mut stmt = db.prepare(&format!("SELECT column_name FROM (DESCRIBE SELECT * FROM {files})"))?;
            stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        let landed_params = if landed.iter().any(|c| c == "params") { "params" } else { "NULL" };
        format!(
            // Every row says which lake file it came from: provenance, down to the canonical tables.
            "SELECT * EXCLUDE (filename{}), {} AS params, filename AS raw_file FROM {files}",
            if landed_params == "params" { ", params" } else { "" },
            request_params(&source.template, landed_params)
        )
    } else {
        // Nothing landed yet: an empty view with the same columns (and the `dt` of the
        // partition folders), so models still build.
        let cols: Vec<String> = columns
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .chain([("dt", "DATE"), ("raw_file", "VARCHAR")])
            .map(|(n, t)| format!("NULL::{t} AS {n}"))
            .collect();
        format!("SELECT {} WHERE false", cols.join(", "))
    };
    db.execute_batch(&format!("CREATE OR REPLACE VIEW {} AS {select}", source.view()))
        .with_context(|| format!("creating the view {} over {}", source.view(), dir.display()))
}

/// The parameters a request was made with, as a JSON object: those it landed with,
/// over those its key says (its path read against the template, then its query). The
/// key's search words are folded, so a landed `q` is the one to trust.
fn request_params(template: &str, landed: &str) -> String {
    let path = template.split('?').next().unwrap_or(template);
    let mut pattern = String::from("^[^:]*:");
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
        pattern.push_str(&regex_escape(&rest[..start]));
        pattern.push_str("([^/?]*)");
        names.push(format!("'{}'", rest[start + 1..end].replace('\'', "''")));
        rest = rest.get(end + 1..).unwrap_or("");
    }
    pattern.push_str(&regex_escape(rest));
    pattern.push_str("(?:[?]|$)");
    let from_path = if names.is_empty() {
        "'{}'".to_string()
    } else {
        format!(
            "coalesce(to_json(regexp_extract(request_key, '{}', [{}])), '{{}}')",
            pattern.replace('\'', "''"),
            names.join(", ")
        )
    };
    let from_query = "coalesce(to_json(map_from_entries(list_transform(\
        string_split(nullif(request_key[position('?' IN request_key) + 1:], request_key), '&'), \
        lambda p: struct_pack(k := split_part(p, '=', 1), v := p[position('=' IN p) + 1:])))), '{}')";
    format!("json_merge_patch(json_merge_patch({from_path}, {from_query}), coalesce({landed}, '{{}}'))::VARCHAR")
}

fn regex_escape(s: &str) -> String {
    s.chars().fold(String::new(), |mut out, c| {
        if "\\.+*?()[]{}|^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

/// What staging models read of a resource: the responses that answered. A body that
/// is not JSON (a proxy's HTML page, a torn write) is left out here, once, and not in
/// each model.
fn create_answers_view(db: &Connection, source: &RawSource) -> anyhow::Result<()> {
    let no_error = if source.errors_in_answers { " AND json_extract(body, '$.error') IS NULL" } else { "" };
    db.execute_batch(&format!(
        "CREATE OR REPLACE VIEW {} AS SELECT * FROM {} WHERE status = 200 AND json_valid(body){no_error}",
        source.answers(),
        source.view()
    ))
    .with_context(|| format!("creating the view {}", source.answers()))
}

/// What the models that keep what they learn kept in the last warehouse, carried into
/// a full build's new one (`--keep-model`).
fn carry_kept(db: &Connection, last: &Path, models: &[Model]) -> anyhow::Result<()> {
    let kept: Vec<&String> = models.iter().flat_map(|m| &m.keeps).collect();
    if kept.is_empty() {
        return Ok(());
    }
    if !last.exists() {
        bail!("--keep-model: there is no warehouse at {} to keep a model from", last.display());
    }
    let path = last.display().to_string().replace('\'', "''");
    db.execute_batch(&format!("ATTACH '{path}' AS last_build (READ_ONLY)"))
        .with_context(|| format!("--keep-model: opening {}", last.display()))?;
    for table in kept {
        db.execute_batch(&format!("CREATE TABLE {table} AS SELECT * FROM last_build.{table}")).with_context(|| {
            format!(
                "--keep-model: {} keeps no {table} (built by an older liner?): build with --full alone",
                last.display()
            )
        })?;
    }
    db.execute_batch("DETACH last_build")?;
    Ok(())
}

fn build_model(db: &Connection, m: &Model, providers: &[&str], keep_model: bool) -> anyhow::Result<BuiltModel> {
    let started = Instant::now();
    let failed = || format!("{}: model {} failed", m.path.display(), m.name);
    match (m.rust, m.kind(), &m.merge, &m.answer_rows) {
        (Some(run), ..) => run(db, Run::Full { keep_model }).with_context(failed)?,
        // Every answer's rows are kept, for the next build to merge new answers with.
        (None, Kind::IncrementalByKey, Some(merge), Some(rows)) => {
            let (answers, merged) = (m.answers_table(), m.merged_table());
            db.execute_batch(&format!(
                "CREATE TABLE {answers} AS\n{rows}\n;\nCREATE TABLE {merged} AS\n{};\nCREATE VIEW {} AS\n{}",
                merge.merged_of(&m.key, &answers, None)?,
                m.name,
                merge.view_of(&m.key, &answers, &merged)
            ))
            .with_context(failed)?
        }
        _ => db
            .execute_batch(&format!("CREATE {} {} AS\n{}", m.materialized.sql(), m.name, m.sql))
            .with_context(failed)?,
    }
    if let Some((_, shape)) = conformed::conforms(&m.name, providers) {
        conformed::check_columns(db, m, shape)?;
    }
    checked(db, m, started, None)
}

/// A model just written: its rows counted, its assertions checked (on the rows of
/// `changed` alone, when given: the rest held them when written), its time told.
fn checked(db: &Connection, m: &Model, started: Instant, changed: Option<&str>) -> anyhow::Result<BuiltModel> {
    let rows: i64 = db.query_row(&format!("SELECT count(*) FROM {}", m.name), [], |r| r.get(0))?;
    tracing::debug!(model = %m.name, ms = started.elapsed().as_millis() as u64, "written");
    let checked_rows = match changed {
        Some(rows) => format!("({rows})"),
        None => m.name.clone(),
    };
    for a in &m.assertions {
        check(db, m, a, &checked_rows)?;
    }
    let elapsed = started.elapsed();
    info!(model = %m.name, rows, ms = elapsed.as_millis() as u64, "built");
    metrics::counter!("liner_models_built_total", "model" => m.name.clone()).increment(1);
    metrics::histogram!("liner_model_build_seconds", "model" => m.name.clone()).record(elapsed.as_secs_f64());
    metrics::gauge!("liner_model_rows", "model" => m.name.clone()).set(rows as f64);
    Ok(BuiltModel { name: m.name.clone(), rows: rows as u64, elapsed })
}

/// Checks an assertion on the rows of `rows` (the model, or the part of it a build changed).
fn check(db: &Connection, m: &Model, a: &Assertion, rows: &str) -> anyhow::Result<()> {
    let (sql, what) = match a {
        Assertion::Unique(cols) => {
            let c = cols.join(", ");
            // Rows with equal keys have equal hashes: when no hash repeats, the key is
            // unique, proven by grouping one integer instead of every key column (half
            // the time for the millions of rows of canonical.fields). A repeated hash
            // may be a collision: only then are the keys themselves grouped.
            let repeated: i64 = db
                .query_row(
                    &format!("SELECT count(*) FROM (SELECT hash({c}) FROM {rows} GROUP BY 1 HAVING count(*) > 1)"),
                    [],
                    |r| r.get(0),
                )
                .with_context(|| format!("{}: checking {a} on {}", m.path.display(), m.name))?;
            if repeated == 0 {
                return Ok(());
            }
            (
                format!(
                    "SELECT count(*), any_value(concat_ws(', ', {c})) FROM (SELECT {c} FROM {rows} GROUP BY ALL HAVING count(*) > 1)"
                ),
                "duplicated value(s)",
            )
        }
        Assertion::NotNull(cols) => {
            let any_null = cols.iter().map(|c| format!("{c} IS NULL")).collect::<Vec<_>>().join(" OR ");
            (format!("SELECT count(*), NULL::VARCHAR FROM {rows} WHERE {any_null}"), "row(s) with nulls")
        }
    };
    let (failing, example): (i64, Option<String>) = db
        .query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))
        .with_context(|| format!("{}: checking {a} on {}", m.path.display(), m.name))?;
    if failing > 0 {
        let example = example.map(|e| format!(", for example {e:?}")).unwrap_or_default();
        bail!("{}: assertion {a} failed on {}: {failing} {what}{example}", m.path.display(), m.name);
    }
    Ok(())
}

/// `warehouse.duckdb` -> `warehouse.duckdb.<suffix>`, in the same folder so the
/// rename is atomic.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".{suffix}"));
    PathBuf::from(s)
}

fn remove_db_files(path: &Path) -> anyhow::Result<()> {
    for p in [path.to_path_buf(), sibling(path, "wal")] {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("removing the leftover {}", p.display()));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(models: &[(&str, &str)]) -> (tempfile::TempDir, BuildOptions) {
        let dir = tempfile::tempdir().unwrap();
        for (path, sql) in models {
            let p = dir.path().join("sql").join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, sql).unwrap();
        }
        let opts = BuildOptions {
            models: crate::model::ModelSet::only(dir.path().join("sql")),
            lake_root: dir.path().join("raw"),
            warehouse: dir.path().join("warehouse.duckdb"),
            sources: vec![RawSource {
                provider: "deezer".into(),
                resource: "albums".into(),
                errors_in_answers: true,
                template: "/album/{album_id}".into(),
            }],
            raw_columns: vec![("status".into(), "INTEGER".into()), ("body".into(), "VARCHAR".into())],
            run_id: "test".into(),
            review_decisions: vec![],
            select: vec![],
            full: None,
            keep_model: false,
            follows: vec![],
            coverage_history: vec![],
            on_model: None,
        };
        (dir, opts)
    }

    #[test]
    fn builds_models_in_order_over_an_empty_lake_and_records_them() {
        let (_dir, opts) = project(&[
            ("canonical/b.sql", "-- key: id\nselect id, n * 2 as n2 from staging.a"),
            ("staging/a.sql", "-- key: id\nselect * from (values (1, 10), (2, 20)) t(id, n)"),
            ("staging/c.sql", "select count(*) as albums from raw.deezer_albums"),
        ]);
        let report = build(&opts).unwrap();
        let names: Vec<&str> = report.models.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["staging.a", "canonical.b", "staging.c"]);
        let db = Connection::open(&opts.warehouse).unwrap();
        let (n2, keys): (i64, String) = db
            .query_row(
                "SELECT (SELECT sum(n2) FROM canonical.b), (SELECT string_agg(name || '=' || key, ' ' ORDER BY name) FROM meta.models)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(n2, 60);
        assert_eq!(keys, "canonical.b=id staging.a=id staging.c=");
    }

    #[test]
    fn answers_keep_the_json_200s_and_leave_out_error_bodies_where_the_provider_sends_them() {
        let (dir, mut opts) = project(&[
            ("staging/deezer.sql", "select body from answers.deezer_albums order by body"),
            ("staging/spotify.sql", "select body from answers.spotify_albums order by body"),
        ]);
        opts.sources.push(RawSource {
            provider: "spotify".into(),
            resource: "albums".into(),
            errors_in_answers: false,
            template: "/albums/{album_id}".into(),
        });
        let rows = "(200, '{\"id\": 1}'), (200, '{\"error\": {\"code\": 800}}'), (404, '{\"id\": 2}'), \
                    (200, '<html>busy</html>')";
        for provider in ["deezer", "spotify"] {
            let day = dir.path().join("raw").join(provider).join("albums").join("dt=2026-12-01");
            std::fs::create_dir_all(&day).unwrap();
            let file = day.join("run-1.parquet");
            Connection::open_in_memory()
                .unwrap()
                .execute_batch(&format!(
                    "COPY (SELECT 'albums:/album/1' AS request_key, * FROM (VALUES {rows}) t(status, body)) \
                     TO '{}' (FORMAT parquet)",
                    file.display()
                ))
                .unwrap();
        }
        build(&opts).unwrap();
        let db = Connection::open(&opts.warehouse).unwrap();
        let bodies = |table: &str| -> Vec<String> {
            let mut stmt = db.prepare(&format!("SELECT body FROM {table}")).unwrap();
            stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        assert_eq!(bodies("staging.deezer"), ["{\"id\": 1}"], "Deezer's 200 error body is not an answer");
        assert_eq!(
            bodies("staging.spotify"),
            ["{\"error\": {\"code\": 800}}", "{\"id\": 1}"],
            "a provider whose errors come with error statuses keeps every JSON 200"
        );
    }

    #[test]
    fn a_requests_params_are_those_it_landed_with_else_those_its_key_says() {
        let (dir, mut opts) = project(&[(
            "staging/p.sql",
            "select params ->> 'artist_id' as artist, params ->> 'index' as idx, params ->> 'q' as q \
             from raw.deezer_artist_albums order by artist",
        )]);
        opts.sources.push(RawSource {
            provider: "deezer".into(),
            resource: "artist_albums".into(),
            errors_in_answers: true,
            template: "/artist/{artist_id}/albums".into(),
        });
        let day = dir.path().join("raw/deezer/artist_albums/dt=2026-12-01");
        std::fs::create_dir_all(&day).unwrap();
        let db = Connection::open_in_memory().unwrap();
        // An older liner's file has no params column; a newer one's has them as sent.
        let old =
            "SELECT 'artist_albums:/artist/27/albums?index=25&limit=25' AS request_key, 200 AS status, '{}' AS body";
        let new = "SELECT 'artist_albums:/artist/31/albums?limit=25&q=daft punk' AS request_key, \
                   '{\"artist_id\": \"31\", \"limit\": \"25\", \"q\": \"Daft Punk\"}' AS params, 200 AS status, '{}' AS body";
        for (name, sql) in [("a", old), ("b", new)] {
            let file = day.join(format!("{name}.parquet"));
            db.execute_batch(&format!("COPY ({sql}) TO '{}' (FORMAT parquet)", file.display())).unwrap();
        }
        build(&opts).unwrap();
        let db = Connection::open(&opts.warehouse).unwrap();
        let mut stmt = db.prepare("SELECT concat_ws('|', artist, idx, q) FROM staging.p").unwrap();
        let rows: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        assert_eq!(rows, ["27|25", "31|Daft Punk"], "the key's path and query, then what was landed, which wins");
    }

    #[test]
    fn a_merged_model_takes_each_field_from_the_best_answer_that_has_it() {
        // Item 1: a listing (whole 0) newer than its page (whole 1) keeps the page's
        // label, takes its own title only where the page has none; item 2 has only
        // listings, the newest first; item 3 was answered once, and passes as it is.
        let answers = "select * from (values \
            (1, 'Page title', 'Label', 1, timestamp '2026-01-01'), \
            (3, 'Once', null, 0, timestamp '2026-01-01'), \
            (1, 'Listed title', null, 0, timestamp '2026-02-01'), \
            (2, null, 'Old', 0, timestamp '2026-01-01'), \
            (2, 'Newer', null, 0, timestamp '2026-02-01')) t(id, title, label, whole, fetched_at)";
        let (_dir, opts) = project(&[
            ("staging/ranked.sql", &format!("-- key: id\n-- merge: by whole, then newest\n{answers}")),
            ("staging/newest.sql", &format!("-- key: id\n-- merge: newest\n{answers}")),
            ("staging/ranked_row.sql", &format!("-- key: id\n-- merge: by whole, then newest row\n{answers}")),
            ("staging/newest_row.sql", &format!("-- key: id\n-- merge: newest row\n{answers}")),
        ]);
        build(&opts).unwrap();
        let db = Connection::open(&opts.warehouse).unwrap();
        let rows = |table: &str| -> Vec<String> {
            let sql = format!("SELECT concat_ws('|', id, title, label) FROM {table} ORDER BY id");
            let mut stmt = db.prepare(&sql).unwrap();
            stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        assert_eq!(rows("staging.ranked"), ["1|Page title|Label", "2|Newer|Old", "3|Once"]);
        assert_eq!(rows("staging.newest"), ["1|Listed title|Label", "2|Newer|Old", "3|Once"]);
        assert_eq!(
            rows("staging.ranked_row"),
            ["1|Page title|Label", "2|Newer", "3|Once"],
            "one answer's row, its nulls too"
        );
        assert_eq!(rows("staging.newest_row"), ["1|Listed title", "2|Newer", "3|Once"]);
        let columns: i64 = db
            .query_row("SELECT count(*) FROM information_schema.columns WHERE table_name = 'ranked'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(columns, 4, "the rank column is not kept");
        let columns: i64 = db
            .query_row("SELECT count(*) FROM information_schema.columns WHERE table_name = 'ranked_row'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(columns, 4, "nor in a whole row");
    }

    #[test]
    fn a_failed_assertion_names_the_file_the_assertion_and_an_example() {
        for (sql, says) in [
            (
                "-- key: id\nselect * from (values (1), (1), (2)) t(id)",
                "unique(id) failed on staging.a: 1 duplicated value(s), for example \"1\"",
            ),
            (
                "-- assert: not_null(name)\nselect * from (values (1, 'x'), (2, null)) t(id, name)",
                "not_null(name) failed on staging.a: 1 row(s) with nulls",
            ),
        ] {
            let (_dir, opts) = project(&[("staging/a.sql", sql)]);
            let e = format!("{:#}", build(&opts).unwrap_err());
            assert!(e.contains("staging/a.sql") && e.contains(says), "{e}");
            assert!(!opts.warehouse.exists(), "nothing is swapped in after a failure");
        }
    }

    #[test]
    fn a_view_model_is_built_as_a_view_and_rebuilt_over_an_older_table() {
        let (dir, mut opts) = project(&[
            ("staging/a.sql", "-- key: id\nselect * from (values (1), (2)) t(id)"),
            ("intermediate/v.sql", "select id from staging.a"),
        ]);
        let kind = |opts: &BuildOptions| -> String {
            let db = Connection::open(&opts.warehouse).unwrap();
            db.query_row("SELECT table_type FROM information_schema.tables WHERE table_name = 'v'", [], |r| r.get(0))
                .unwrap()
        };
        build(&opts).unwrap();
        assert_eq!(kind(&opts), "BASE TABLE");
        let file = dir.path().join("sql/intermediate/v.sql");
        std::fs::write(&file, "-- materialized: view\n-- key: id\nselect id from staging.a").unwrap();
        opts.select = vec!["intermediate.v".into()];
        let report = build(&opts).unwrap();
        assert_eq!(kind(&opts), "VIEW", "the old table made way for the view");
        assert_eq!(report.models[0].rows, 2, "a view's rows are counted and its key checked like a table's");
        opts.select = vec![];
        build(&opts).unwrap();
        assert_eq!(kind(&opts), "VIEW");
    }

    #[test]
    fn a_canonical_column_off_a_providers_items_model_is_an_error_naming_the_file() {
        let (_dir, opts) = project(&[(
            "staging/deezer_albums.sql",
            "-- canonical: deezer_album_id = min(album_id)\nselect 1 as album_id",
        )]);
        let e = format!("{:#}", build(&opts).unwrap_err());
        assert!(e.contains("staging/deezer_albums.sql") && e.contains("items model"), "{e}");
    }

    /// Lands one file of Deezer album answers, `(id, title, whole)` each, fetched at `at`.
    fn land(opts: &BuildOptions, name: &str, at: &str, rows: &[(i64, &str, i64)]) {
        let day = opts.lake_root.join("deezer/albums/dt=2026-12-01");
        std::fs::create_dir_all(&day).unwrap();
        let values: Vec<String> = rows
            .iter()
            .map(|(id, title, whole)| {
                format!("('albums:/album/{id}', 200, '{{\"id\": {id}, \"title\": \"{title}\", \"whole\": {whole}}}', timestamp '{at}')")
            })
            .collect();
        Connection::open_in_memory()
            .unwrap()
            .execute_batch(&format!(
                "COPY (SELECT * FROM (VALUES {}) t(request_key, status, body, fetched_at)) TO '{}' (FORMAT parquet)",
                values.join(", "),
                day.join(format!("{name}.parquet")).display()
            ))
            .unwrap();
    }

    fn rows_of(warehouse: &Path, sql: &str) -> Vec<String> {
        let db = Connection::open(warehouse).unwrap();
        let mut stmt = db.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    }

    #[test]
    fn new_answers_are_merged_by_key_through_a_view_and_end_where_a_full_build_ends() {
        let (dir, mut opts) = project(&[
            (
                "staging/answered.sql",
                "-- materialized: view\nselect body ->> 'id' as id, body ->> 'title' as title, \
                 (body ->> 'whole')::int as whole, fetched_at from answers.deezer_albums",
            ),
            ("staging/albums.sql", "-- key: id\n-- merge: by whole, then newest\nselect * from staging.answered"),
            (
                "marts/titles.sql",
                "select string_agg(id || '=' || title, ' ' order by id) as titles from staging.albums",
            ),
            ("marts/fixed.sql", "select 1 as one"),
        ]);
        land(&opts, "a", "2026-12-01 10:00:00", &[(1, "Page", 1), (2, "Two", 0)]);
        let first = build(&opts).unwrap();
        assert_eq!(first.kind, BuildKind::Full("there is no warehouse yet".into()));
        // A newer listing of album 1 (its page still wins on rank), and album 3.
        land(&opts, "b", "2026-12-02 10:00:00", &[(1, "Listed", 0), (3, "Three", 0)]);
        let planned = planned(&opts).unwrap();
        assert!(
            matches!(&planned.kind, BuildKind::Incremental(why) if why[0].starts_with("1 lake file(s) landed since (deezer_albums 1)")),
            "{:?}",
            planned.kind
        );
        let actions: Vec<(&str, String)> = planned.models.iter().map(|(m, a)| (m.as_str(), a.to_string())).collect();
        assert_eq!(
            actions,
            [
                ("staging.albums", "update by key, from the new answers".to_string()),
                ("marts.titles", "rebuild: staging.albums changed".to_string())
            ],
            "the view reads what is there, marts.fixed reads nothing that changed"
        );
        let second = build(&opts).unwrap();
        assert_eq!(
            second.models.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["staging.albums", "marts.titles"]
        );
        let incremental = dir.path().join("after.duckdb");
        std::fs::copy(&opts.warehouse, &incremental).unwrap();
        assert_eq!(build(&opts).unwrap().kind, BuildKind::UpToDate);

        opts.full = Some("asked".into());
        build(&opts).unwrap();
        let titles = "SELECT titles FROM marts.titles";
        assert_eq!(rows_of(&opts.warehouse, titles), ["1=Page 2=Two 3=Three"]);
        assert_eq!(rows_of(&incremental, titles), rows_of(&opts.warehouse, titles));
        let kept = "SELECT string_agg(concat_ws('|', id, title, whole, fetched_at), ' ' ORDER BY id, fetched_at) FROM incremental.staging__albums";
        assert_eq!(rows_of(&incremental, kept), rows_of(&opts.warehouse, kept), "every answer's rows are kept alike");
    }

    #[test]
    fn a_partition_is_made_again_where_its_rows_changed_upstream_and_nowhere_else() {
        let (dir, mut opts) = project(&[
            (
                "staging/albums.sql",
                "-- key: id\n-- merge: newest\n\
                 select (body ->> 'id')::int as id, body ->> 'title' as title, fetched_at from answers.deezer_albums",
            ),
            (
                "staging/words.sql",
                "-- key: id, word\n-- kind: incremental by id\n\
                 select id, unnest(string_split(title, ' ')) as word, fetched_at from staging.albums",
            ),
        ]);
        land(&opts, "a", "2026-12-01 10:00:00", &[(1, "Blue Train", 0), (2, "Giant Steps", 0)]);
        build(&opts).unwrap();
        land(&opts, "b", "2026-12-02 10:00:00", &[(2, "Giant Leaps", 0), (3, "Ascension", 0)]);
        let planned = planned(&opts).unwrap();
        let actions: Vec<String> = planned.models.iter().map(|(m, a)| format!("{m}: {a}")).collect();
        assert_eq!(
            actions,
            [
                "staging.albums: update by key, from the new answers",
                "staging.words: update the partitions whose rows changed upstream"
            ]
        );
        let words =
            "SELECT string_agg(id || ' ' || word || ' ' || fetched_at, ', ' ORDER BY id, word) FROM staging.words";
        build(&opts).unwrap();
        let incremental = rows_of(&opts.warehouse, words);
        assert_eq!(
            incremental,
            ["1 Blue 2026-12-01 10:00:00, 1 Train 2026-12-01 10:00:00, 2 Giant 2026-12-02 10:00:00, \
              2 Leaps 2026-12-02 10:00:00, 3 Ascension 2026-12-02 10:00:00"],
            "album 1's rows are kept, 2's made again, 3's added"
        );
        // More values than are given as constants: joined instead, to the same rows.
        let many: Vec<(i64, String, i64)> = (10..700).map(|i| (i, format!("Take {i}"), 0)).collect();
        let many: Vec<(i64, &str, i64)> = many.iter().map(|(i, t, w)| (*i, t.as_str(), *w)).collect();
        land(&opts, "c", "2026-12-03 10:00:00", &many);
        build(&opts).unwrap();
        let count = "SELECT count(*)::VARCHAR FROM staging.words";
        assert_eq!(rows_of(&opts.warehouse, count), ["1385"]);
        let after = dir.path().join("after.duckdb");
        std::fs::copy(&opts.warehouse, &after).unwrap();
        opts.full = Some("asked".into());
        build(&opts).unwrap();
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch(&format!(
            "ATTACH '{}' AS f (READ_ONLY); ATTACH '{}' AS i (READ_ONLY);",
            opts.warehouse.display(),
            after.display()
        ))
        .unwrap();
        let differ = |a: &str, b: &str| -> Vec<String> {
            let sql = format!(
                "SELECT id || ' ' || word || ' ' || fetched_at FROM (FROM {a}.staging.words EXCEPT ALL FROM {b}.staging.words) ORDER BY ALL LIMIT 5"
            );
            let mut stmt = db.prepare(&sql).unwrap();
            stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        assert_eq!(
            (differ("f", "i"), differ("i", "f")),
            (vec![], vec![]),
            "only in the full build, only in the incremental"
        );
    }

    #[test]
    fn new_answers_that_break_an_assertion_stop_the_build_and_leave_the_warehouse() {
        let (_dir, opts) = project(&[(
            "staging/albums.sql",
            "-- key: id\n-- merge: newest\n-- assert: not_null(title)\n\
             select body ->> 'id' as id, body ->> 'title' as title, fetched_at from answers.deezer_albums",
        )]);
        land(&opts, "a", "2026-12-01 10:00:00", &[(1, "One", 0)]);
        build(&opts).unwrap();
        // A new album whose answer has a JSON null for its title.
        let day = opts.lake_root.join("deezer/albums/dt=2026-12-01");
        Connection::open_in_memory()
            .unwrap()
            .execute_batch(&format!(
                "COPY (SELECT 'albums:/album/2' AS request_key, 200 AS status, '{{\"id\": 2, \"title\": null}}' AS body, \
                 TIMESTAMP '2026-12-02 10:00:00' AS fetched_at) TO '{}' (FORMAT parquet)",
                day.join("b.parquet").display()
            ))
            .unwrap();
        let e = format!("{:#}", build(&opts).unwrap_err());
        assert!(e.contains("not_null(title) failed on staging.albums: 1 row(s)"), "{e}");
        assert_eq!(rows_of(&opts.warehouse, "SELECT string_agg(id, ' ') FROM staging.albums"), ["1"]);
    }

    #[test]
    fn an_sql_error_names_the_file() {
        let (_dir, opts) = project(&[("staging/a.sql", "select nope from raw.deezer_albums")]);
        let e = format!("{:#}", build(&opts).unwrap_err());
        assert!(e.contains("staging/a.sql") && e.contains("nope"), "{e}");
    }
}
