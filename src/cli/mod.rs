//! Every command of the binary: `args` says what the command line takes, and each
//! module here does one group of commands and returns what it has to say, which the
//! thin `main` prints. Long runs report their progress as they go (`liner::runs::progress`).

pub mod args;
#[cfg(feature = "sim")]
mod bench;
mod follows;
mod inspect;
mod pipeline;
mod project;

use std::fmt::Display;
use std::path::Path;

use liner::config::{self, Loaded};

use args::{Cli, Command, ConfigAction};

/// What a command has to say once it is done.
pub type Output = Box<dyn Display>;

/// Nothing further to print: the command said what it did as it went.
fn done() -> Output {
    Box::new("")
}

/// The global flags every command sees.
pub struct Ctx<'a> {
    pub config: Option<&'a Path>,
    pub no_wait: bool,
    pub dry_run: bool,
}

impl Ctx<'_> {
    /// The configuration as written, unchecked: for commands that read what is there.
    fn load(&self) -> anyhow::Result<Loaded> {
        config::load(self.config)
    }

    /// The configuration, refused with every problem it has.
    fn checked(&self) -> anyhow::Result<Loaded> {
        checked_config(self.load()?, false)
    }

    /// The configuration, refused only for the problems a transform or load trips over.
    fn checked_locally(&self) -> anyhow::Result<Loaded> {
        checked_config(self.load()?, true)
    }

    /// The data folder's writer lock, for a command that writes (state, lake,
    /// warehouse, app database). Held until the command ends.
    fn writer(&self, cfg: &Loaded) -> anyhow::Result<liner::runs::writer_lock::WriterLock> {
        liner::runs::writer_lock::acquire(&cfg.data_dir(), &liner::runs::runner::command_line(), !self.no_wait)
    }
}

fn checked_config(cfg: Loaded, local_only: bool) -> anyhow::Result<Loaded> {
    let problems = if local_only { cfg.local_problems() } else { cfg.problems() };
    if !problems.is_empty() {
        anyhow::bail!("the configuration has problems:\n  {}", problems.join("\n  "));
    }
    Ok(cfg)
}

/// Runs the command the command line names.
pub async fn run(cli: Cli) -> anyhow::Result<Output> {
    let ctx = Ctx { config: cli.config.as_deref(), no_wait: cli.no_wait, dry_run: cli.dry_run };
    let ctx = &ctx;
    match cli.command {
        #[cfg(feature = "sim")]
        Command::Demo { data_dir, artists, seed } => bench::demo(data_dir, artists, seed).await,
        Command::Init { dir } => project::init(&dir),
        Command::Config { action: ConfigAction::Show } => project::show(ctx),
        Command::Config { action: ConfigAction::Validate } => project::validate(ctx),
        Command::Follow { artists, yes, no_sync } => follows::follow(ctx, &artists, yes, no_sync).await,
        Command::Unfollow { artist } => follows::unfollow(ctx, &artist),
        Command::Follows => follows::list(ctx),
        Command::Extract { provider, resource, artists, max_items, date, refresh, upc, isrc, album, track } => {
            let wanted = pipeline::Wanted { upc, isrc, album, track };
            let only = pipeline::ExtractOnly { provider, resource, artists, max_items, date, refresh };
            pipeline::extract(ctx, only, wanted).await
        }
        Command::Ingest { dir } => pipeline::ingest(ctx, &dir),
        Command::Resources => Ok(pipeline::resources()),
        Command::Transform { select, full, keep_model } => pipeline::transform(ctx, select, full, keep_model).await,
        Command::Load { tables, target, mode } => pipeline::load(ctx, tables, target, mode).await,
        Command::Run { schedule, max_items } => pipeline::run_schedule(ctx, &schedule, max_items).await,
        Command::Schedule => liner::runs::scheduler::run(&ctx.checked()?).await.map(|()| done()),
        Command::Serve { bind } => pipeline::serve(ctx, bind).await,
        Command::Links { provider, id, isrc, upc } => inspect::links(ctx, provider, id, isrc, upc),
        Command::Review { action, limit } => inspect::review(ctx, action, limit),
        Command::Report { out } => inspect::report(ctx, out),
        Command::Runs { id, limit } => inspect::runs(ctx, id, limit),
        #[cfg(feature = "sim")]
        Command::Bench { what } => bench::bench(what).await,
        #[cfg(feature = "sim")]
        Command::Sim { seed, artists } => bench::sim(seed, artists).await,
    }
}
