//! The stages by hand (`extract`, `ingest`, `transform`, `load`), a schedule's steps
//! (`run`), the scheduler with the API (`serve`), and the resources ingest accepts.

use std::fmt::Write;
use std::path::Path;

use anyhow::Context;
use liner::config::Loaded;
use liner::runs::schedules::Step;
use liner::runs::stages::{self, StageArgs};
use liner::stored::state::new_run_id;
use liner_extract::Provider;

use super::{Ctx, Output, checked_config, done};

/// Does the steps, or with `--dry-run` says what they would do.
async fn go(ctx: &Ctx<'_>, cfg: &Loaded, steps: &[Step], args: StageArgs) -> anyhow::Result<Output> {
    if ctx.dry_run {
        return Ok(Box::new(liner::runs::plan::describe(cfg, steps, &args)?));
    }
    let _writer = ctx.writer(cfg)?;
    liner::runs::runner::run(cfg, steps, &args).await?;
    Ok(done())
}

/// A provider named on the command line, or the list of those there are.
pub fn provider(name: &str) -> anyhow::Result<Provider> {
    Provider::parse(name).with_context(|| {
        let known: Vec<_> = Provider::ALL.iter().map(|p| p.name()).collect();
        format!("unknown provider {name:?} (known: {})", known.join(", "))
    })
}

/// What an extract narrows itself to.
pub struct ExtractOnly {
    pub provider: Option<String>,
    pub resource: Option<String>,
    pub artists: Vec<String>,
    pub max_items: Option<usize>,
    pub date: Option<chrono::NaiveDate>,
    pub refresh: bool,
}

/// The releases and recordings an extract looks up beside the followed artists.
pub struct Wanted {
    pub upc: Vec<String>,
    pub isrc: Vec<String>,
    pub album: Vec<String>,
    pub track: Vec<String>,
}

pub async fn extract(ctx: &Ctx<'_>, only: ExtractOnly, wanted: Wanted) -> anyhow::Result<Output> {
    let provider = only.provider.as_deref().map(provider).transpose()?;
    if let (Some(p), Some(r)) = (provider, only.resource.as_deref())
        && p.resource(r).is_none()
    {
        let known: Vec<&str> = p.resources().iter().map(|r| r.name).collect();
        anyhow::bail!("{} has no resource {r:?} (its resources: {})", p.name(), known.join(", "));
    }
    let mut identifiers = stages::identifiers(&wanted.upc, &wanted.isrc)?;
    identifiers.extend(stages::titles(&wanted.album, &wanted.track)?);
    let cfg = ctx.checked()?;
    let args = StageArgs {
        refresh: only.refresh,
        lookups: identifiers.into_iter().map(Into::into).collect(),
        artists: only.artists,
        max_items: only.max_items,
        redo_day: only.date,
        refresh_resources: only.resource.into_iter().collect(),
        ..Default::default()
    };
    go(ctx, &cfg, &[Step::Extract(provider)], args).await
}

pub fn ingest(ctx: &Ctx, dir: &Path) -> anyhow::Result<Output> {
    let cfg = ctx.load()?;
    let _writer = ctx.writer(&cfg)?;
    let run_id = new_run_id();
    let got = liner_extract::replay::ingest(dir, &cfg.lake_root(), &run_id)?;
    let mut out = format!(
        "ingested {} responses from {} into {} (run {run_id}): {} error bodies, {} empty answers\n",
        got.landed,
        dir.display(),
        cfg.lake_root().display(),
        got.errors.len(),
        got.empty.len()
    );
    for (file, error) in &got.errors {
        writeln!(out, "  error body: {}: {error}", file.display())?;
    }
    Ok(Box::new(out))
}

pub fn resources() -> Output {
    let lines = liner_extract::resources()
        .into_iter()
        .map(|r| format!("{:<12} {:<18} GET {}\n", r.provider, r.name, r.template.replace('{', "<").replace('}', ">")));
    Box::new(lines.collect::<String>())
}

pub async fn transform(ctx: &Ctx<'_>, select: Vec<String>, full: bool, keep_model: bool) -> anyhow::Result<Output> {
    let cfg = ctx.checked_locally()?;
    go(ctx, &cfg, &[Step::Transform { full }], StageArgs { select, keep_model, ..Default::default() }).await
}

pub async fn load(
    ctx: &Ctx<'_>,
    tables: Vec<String>,
    target: Option<String>,
    mode: Option<String>,
) -> anyhow::Result<Output> {
    let mut cfg = ctx.load()?;
    if let Some(t) = target {
        cfg.config.load.target = t;
    }
    if let Some(m) = mode {
        cfg.config.load.mode = m;
    }
    let cfg = checked_config(cfg, true)?;
    go(ctx, &cfg, &[Step::Load], StageArgs { tables, ..Default::default() }).await
}

pub async fn run_schedule(ctx: &Ctx<'_>, name: &str, max_items: Option<usize>) -> anyhow::Result<Output> {
    let cfg = ctx.checked()?;
    let schedule = cfg.schedule(name)?;
    let max_items = max_items.or(schedule.options.max_items);
    go(ctx, &cfg, &schedule.steps()?, StageArgs { max_items, ..Default::default() }).await
}

pub async fn serve(ctx: &Ctx<'_>, bind: Option<String>) -> anyhow::Result<Output> {
    let mut cfg = ctx.checked()?;
    if let Some(b) = bind {
        cfg.config.serve.bind = b;
    }
    liner::serve::run(cfg).await?;
    Ok(done())
}
