use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use liner::config::{self, Loaded};
use liner::schedules::Step;
use liner::stages;
use liner::state::{State, new_run_id};
use liner_extract::Provider;

/// liner: an ETL for music metadata. Extract from the providers, link the same
/// release and recording across them, load one catalog into the app's database.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// The configuration file [default: ./liner.toml if present].
    #[arg(long, global = true, env = "LINER_CONFIG")]
    config: Option<PathBuf>,
    /// When another liner is writing to the same data folder, stop at once instead of
    /// waiting for it.
    #[arg(long, global = true)]
    no_wait: bool,
    /// Print what extract, transform, load or run would do (requests, time at the limits,
    /// responses served from the lake, models, tables) and do none of it.
    #[arg(long, global = true)]
    dry_run: bool,
    /// Log lines as text for people, or one JSON object a line for machines. RUST_LOG
    /// chooses what is logged (default: warn).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Human,
    Json,
}

#[derive(Subcommand)]
enum ReviewAction {
    /// These two are the same: link them on every rebuild.
    Accept { id: String },
    /// These two are not the same (a queued pair, or a link by its link id).
    Reject { id: String },
    /// Write every decision to a CSV file.
    Export { file: PathBuf },
    /// Read decisions from a CSV file (as `export` writes them).
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum Command {
    /// The whole pipeline against the built-in simulator, into SQLite: no network needed.
    #[cfg(feature = "sim")]
    Demo {
        #[arg(long, default_value = "data/demo")]
        data_dir: PathBuf,
        /// How many artists to follow.
        #[arg(long, default_value_t = 5)]
        artists: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Write a starting project into DIR: liner.toml with every provider, the schedules
    /// to edit, sql/ for models of your own, and a .env template for the secrets.
    Init { dir: PathBuf },
    /// Show or check the effective configuration.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Follow an artist: resolved on MusicBrainz, then fetched from every provider at
    /// once and the warehouse rebuilt (see `[follow]` in the config).
    Follow {
        artists: Vec<String>,
        /// When several artists match, take the best if it scores 95 or more, without asking.
        #[arg(long)]
        yes: bool,
        /// Only remember the artist: the next extract fetches it.
        #[arg(long)]
        no_sync: bool,
    },
    /// Stop following an artist.
    Unfollow { artist: String },
    /// List the followed artists.
    Follows,
    /// Fetch the followed artists from one provider, or all of them, into the raw lake.
    Extract {
        /// One provider (see `liner resources`); all enabled providers when left out.
        provider: Option<String>,
        /// One of the provider's resources (see `liner resources`): asked anew even when
        /// fresh in the lake; what leads to it is served from the lake where fresh.
        resource: Option<String>,
        /// Only this artist, followed or not, instead of the followed ones. Repeatable.
        #[arg(long = "artist", value_name = "ARTIST")]
        artists: Vec<String>,
        /// Caps the work for a quick run: the first N artists.
        #[arg(long, value_name = "N")]
        max_items: Option<usize>,
        /// Ask anew what landed on this day (YYYY-MM-DD, UTC), fresh or not: a day of
        /// bad answers redone; the rest is served from the lake where fresh.
        #[arg(long, value_name = "DATE")]
        date: Option<chrono::NaiveDate>,
        /// Ask the providers again even for responses the lake holds fresh.
        #[arg(long)]
        refresh: bool,
        /// Also look up the release with this barcode (UPC or EAN, any padding). Repeatable.
        #[arg(long, value_name = "BARCODE")]
        upc: Vec<String>,
        /// Also look up the recordings with this ISRC. Repeatable.
        #[arg(long, value_name = "ISRC")]
        isrc: Vec<String>,
        /// Also search for this album by artist and title. Repeatable.
        #[arg(long, num_args = 2, value_names = ["ARTIST", "TITLE"])]
        album: Vec<String>,
        /// Also search for this track by artist and title. Repeatable.
        #[arg(long, num_args = 2, value_names = ["ARTIST", "TITLE"])]
        track: Vec<String>,
    },
    /// Land recorded responses (DIR/<provider>/<resource>/*.json) as if they were fetched.
    Ingest { dir: PathBuf },
    /// List every provider's resources, by the names `ingest` accepts.
    Resources,
    /// The same release or track on every other provider, from the warehouse.
    Links {
        /// The provider of the item (see `liner resources`).
        provider: Option<String>,
        /// Its id there.
        id: Option<String>,
        /// Look a recording up by ISRC instead.
        #[arg(long, conflicts_with_all = ["provider", "id", "upc"])]
        isrc: Option<String>,
        /// Look a release up by barcode instead.
        #[arg(long, conflicts_with_all = ["provider", "id", "isrc"])]
        upc: Option<String>,
    },
    /// The fuzzy matches waiting for a person; accept or reject them.
    Review {
        #[command(subcommand)]
        action: Option<ReviewAction>,
        /// How many pairs to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Build the warehouse from the raw lake with the SQL models.
    Transform {
        /// Rebuild only these models, the rest kept as last built: `MODEL`, `MODEL+`
        /// (and what reads it), `+MODEL` (and what it reads), `SCHEMA.*`. Repeatable.
        #[arg(long, value_name = "SELECTOR")]
        select: Vec<String>,
    },
    /// Load the canonical tables into the app's database.
    Load {
        /// Only this table (`releases` or `canonical.releases`). Repeatable.
        #[arg(long = "table", value_name = "TABLE")]
        tables: Vec<String>,
        /// The app database, instead of load.target: a SQLite path, or
        /// postgres://user:password@host:port/db (the password may come from PGPASSWORD).
        #[arg(long, value_name = "TARGET")]
        target: Option<String>,
        /// merge: insert, update and delete what changed; replace: build each table anew
        /// and swap it in. Instead of load.mode.
        #[arg(long, value_parser = ["merge", "replace"])]
        mode: Option<String>,
    },
    /// Run every schedule at its cron ticks until SIGTERM or Ctrl-C.
    Schedule,
    /// Write a static HTML report with its charts beside it (opens with no server):
    /// coverage over builds, links by method, fuzzy scores, requests per provider,
    /// upcoming releases.
    Report {
        /// The folder to write index.html and the charts into [default: <data_dir>/report].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// The scheduler and the HTTP API (follows, runs, health, metrics, stats, review)
    /// in one process, on serve.bind (127.0.0.1:8080), until SIGTERM or Ctrl-C.
    Serve {
        /// Instead of serve.bind: ADDRESS:PORT (port 0: any free one, printed at start).
        #[arg(long, value_name = "ADDRESS")]
        bind: Option<String>,
    },
    /// Run a schedule's steps now (schedules/<name>.toml).
    Run {
        schedule: String,
        /// Caps the work for a quick run: artists an extract step syncs, catalog items an
        /// enrich step looks up.
        #[arg(long, value_name = "N")]
        max_items: Option<usize>,
    },
    /// The run history: the newest runs, or one run with its stages.
    Runs {
        /// A run id (as `liner runs` lists them).
        id: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Benchmarks (against the simulator).
    #[cfg(feature = "sim")]
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
    /// Serve the provider simulator until interrupted (for trying liner by hand).
    #[cfg(feature = "sim")]
    Sim {
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value_t = 50)]
        artists: usize,
    },
}

#[cfg(feature = "sim")]
#[derive(Subcommand)]
enum BenchWhat {
    /// Achieved request rate against each provider's limit, and CPU per response.
    Extract {
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
    /// Link quality and time at scale: every artist of a simulated catalog followed,
    /// MusicBrainz and Deezer extracted with the limits lifted, transformed, measured.
    Link {
        /// Catalog size in artists (about 8 releases each).
        #[arg(long, default_value_t = 1250)]
        artists: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Link quality, time and memory at catalog scale: about N releases per provider
    /// written as the pipeline lands them, then `liner transform` timed on them.
    LinkScale {
        /// Releases per provider (MusicBrainz releases, Deezer albums), about.
        #[arg(long, default_value_t = 10_000)]
        releases: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Where the lake, the warehouse and the baselines' input go (kept afterwards).
        #[arg(long, default_value = "data/bench-link")]
        dir: PathBuf,
        /// Releases alone, without their tracklists: release linking by itself.
        #[arg(long)]
        releases_only: bool,
    },
}

#[derive(Subcommand)]
enum ConfigAction {
    /// Print the effective configuration (defaults, file, environment), secrets masked.
    Show,
    /// Check the configuration; exits non-zero naming each problem.
    Validate,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => match tracing_subscriber::EnvFilter::try_new(&v) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: RUST_LOG={v:?}: {e} (such as RUST_LOG=info or RUST_LOG=liner_load=debug)");
                return ExitCode::from(2);
            }
        },
        _ => tracing_subscriber::EnvFilter::new("warn"),
    };
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(liner::progress::LogWriter);
    match cli.log_format {
        // Colours on a terminal only: a log file or a pipe gets plain text.
        LogFormat::Human => logs.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).init(),
        LogFormat::Json => logs.json().with_current_span(false).init(),
    }
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The configuration, refused if it has problems (all of them, or with `local_only`
/// those a transform or load would trip over).
fn checked_as(path: Option<&std::path::Path>, local_only: bool) -> anyhow::Result<Loaded> {
    checked_config(config::load(path)?, local_only)
}

fn checked_config(cfg: Loaded, local_only: bool) -> anyhow::Result<Loaded> {
    let problems = if local_only { cfg.local_problems() } else { cfg.problems() };
    if !problems.is_empty() {
        anyhow::bail!("the configuration has problems:\n  {}", problems.join("\n  "));
    }
    Ok(cfg)
}

fn checked(path: Option<&std::path::Path>) -> anyhow::Result<Loaded> {
    checked_as(path, false)
}

/// The data folder's writer lock, for a command that writes (state, lake, warehouse,
/// app database). Held until the command ends.
fn writer(cfg: &Loaded, no_wait: bool) -> anyhow::Result<liner::writer_lock::WriterLock> {
    liner::writer_lock::acquire(&cfg.data_dir(), &liner::runner::command_line(), !no_wait)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let path = cli.config.as_deref();
    let no_wait = cli.no_wait;
    let dry_run = cli.dry_run;
    // Either does the steps, or with --dry-run says what they would do.
    let go = async |cfg: &Loaded, steps: &[Step], args: stages::StageArgs| -> anyhow::Result<()> {
        if dry_run {
            print!("{}", liner::plan::describe(cfg, steps, &args)?);
            return Ok(());
        }
        let _writer = writer(cfg, no_wait)?;
        liner::runner::run(cfg, steps, &args).await
    };
    match cli.command {
        #[cfg(feature = "sim")]
        Command::Demo { data_dir, artists, seed } => {
            liner::demo::run(liner::demo::DemoOptions { data_dir, artists, seed }).await
        }
        Command::Init { dir } => {
            let done = liner::init::run(&dir)?;
            for f in &done.files {
                println!("wrote {}", f.display());
            }
            println!(
                "\nNext: set MusicBrainz's user_agent and any secrets in {}, then\n  cd {} && liner config validate && liner follow \"Some Artist\"",
                dir.join(".env").display(),
                dir.display()
            );
            Ok(())
        }
        Command::Config { action: ConfigAction::Show } => {
            let cfg = config::load(path)?;
            match &cfg.file {
                Some(f) => println!("# from {} and LINER_* environment variables", f.display()),
                None => {
                    println!("# defaults and LINER_* environment variables (no liner.toml here)")
                }
            }
            print!("{}", cfg.show()?);
            Ok(())
        }
        Command::Config { action: ConfigAction::Validate } => {
            let cfg = checked(path)?;
            println!("configuration ok{}", cfg.file.map(|f| format!(": {}", f.display())).unwrap_or_default());
            Ok(())
        }
        Command::Follow { artists, yes, no_sync } => {
            anyhow::ensure!(!artists.is_empty(), "name at least one artist: liner follow \"<artist>\"");
            let cfg = config::load(path)?;
            // Asking MusicBrainz, or fetching at once, wants a configuration fit to send.
            let cfg =
                if cfg.config.follow.resolve || (cfg.config.follow.sync && !no_sync) { checked(path)? } else { cfg };
            let _writer = writer(&cfg, no_wait)?;
            let state = State::open(&cfg.state_db())?;
            let mut followed = Vec::new();
            for a in &artists {
                let (name, mbid) = liner::follow::resolve(&cfg, a, yes).await?;
                let new = state.follow_as(&name, mbid.as_deref())?;
                println!("{} {name}", if new { "following" } else { "already following" });
                followed.push(name);
            }
            if cfg.config.follow.sync && !no_sync {
                let args = stages::StageArgs { artists: followed, ..Default::default() };
                liner::runner::run(&checked(path)?, &[Step::Extract(None), Step::Transform], &args).await?;
            }
            Ok(())
        }
        Command::Unfollow { artist } => {
            let cfg = config::load(path)?;
            let _writer = writer(&cfg, no_wait)?;
            let state = State::open(&cfg.state_db())?;
            anyhow::ensure!(state.unfollow(&artist)?, "{artist:?} is not followed (see `liner follows`)");
            println!("unfollowed {artist}");
            Ok(())
        }
        Command::Follows => {
            let cfg = config::load(path)?;
            for a in State::open(&cfg.state_db())?.follows()? {
                println!("{a}");
            }
            Ok(())
        }
        Command::Extract { provider, resource, artists, max_items, date, refresh, upc, isrc, album, track } => {
            let only = match provider.as_deref() {
                None => None,
                Some(name) => Some(Provider::parse(name).with_context(|| {
                    let known: Vec<_> = Provider::ALL.iter().map(|p| p.name()).collect();
                    format!("unknown provider {name:?} (known: {})", known.join(", "))
                })?),
            };
            if let (Some(p), Some(r)) = (only, resource.as_deref())
                && p.resource(r).is_none()
            {
                let known: Vec<&str> = p.resources().iter().map(|r| r.name).collect();
                anyhow::bail!("{} has no resource {r:?} (its resources: {})", p.name(), known.join(", "));
            }
            let mut identifiers = stages::identifiers(&upc, &isrc)?;
            identifiers.extend(stages::titles(&album, &track)?);
            let cfg = checked(path)?;
            let args = stages::StageArgs {
                refresh,
                identifiers,
                artists,
                max_items,
                redo_day: date,
                refresh_resources: resource.into_iter().collect(),
                ..Default::default()
            };
            go(&cfg, &[Step::Extract(only)], args).await
        }
        Command::Ingest { dir } => {
            let cfg = config::load(path)?;
            let _writer = writer(&cfg, no_wait)?;
            let run_id = new_run_id();
            let got = liner_extract::replay::ingest(&dir, &cfg.lake_root(), &run_id)?;
            println!(
                "ingested {} responses from {} into {} (run {run_id}): {} error bodies, {} empty answers",
                got.landed,
                dir.display(),
                cfg.lake_root().display(),
                got.errors.len(),
                got.empty.len()
            );
            for (file, error) in &got.errors {
                println!("  error body: {}: {error}", file.display());
            }
            Ok(())
        }
        Command::Resources => {
            for r in liner_extract::resources() {
                println!("{:<12} {:<18} {}", r.provider, r.name, r.endpoint);
            }
            Ok(())
        }
        Command::Links { provider, id, isrc, upc } => {
            let query = match (provider, id, isrc, upc) {
                (Some(provider), Some(id), None, None) => {
                    if Provider::parse(&provider).is_none() {
                        let known: Vec<_> = Provider::ALL.iter().map(|p| p.name()).collect();
                        anyhow::bail!("unknown provider {provider:?} (known: {})", known.join(", "));
                    }
                    liner::links::Query::Item { provider, id }
                }
                (None, None, Some(code), None) => liner::links::Query::Isrc(code),
                (None, None, None, Some(code)) => liner::links::Query::Upc(code),
                _ => anyhow::bail!("say what to look up: `liner links <provider> <id>`, `--isrc CODE` or `--upc CODE`"),
            };
            let cfg = config::load(path)?;
            print!("{}", liner::links::lookup(&cfg.warehouse(), &query)?);
            Ok(())
        }
        Command::Review { action, limit } => {
            let cfg = config::load(path)?;
            let _writer = match action {
                Some(ReviewAction::Accept { .. } | ReviewAction::Reject { .. } | ReviewAction::Import { .. }) => {
                    Some(writer(&cfg, no_wait)?)
                }
                _ => None,
            };
            let state = State::open(&cfg.state_db())?;
            match action {
                None => print!("{}", liner::review::list(&cfg.warehouse(), limit)?),
                Some(ReviewAction::Accept { id }) => {
                    let d = liner::review::decide(&cfg.warehouse(), &state, &id, "accept")?;
                    println!(
                        "accepted: {} {}:{} = {}:{} (the next `liner transform` links them)",
                        d.entity, d.left_provider, d.left_id, d.right_provider, d.right_id
                    );
                }
                Some(ReviewAction::Reject { id }) => {
                    let d = liner::review::decide(&cfg.warehouse(), &state, &id, "reject")?;
                    println!(
                        "rejected: {} {}:{} != {}:{} (the next `liner transform` keeps them apart)",
                        d.entity, d.left_provider, d.left_id, d.right_provider, d.right_id
                    );
                }
                Some(ReviewAction::Export { file }) => {
                    println!("exported {} decision(s) to {}", liner::review::export(&state, &file)?, file.display());
                }
                Some(ReviewAction::Import { file }) => {
                    println!("imported {} decision(s) from {}", liner::review::import(&state, &file)?, file.display());
                }
            }
            Ok(())
        }
        Command::Transform { select } => {
            let cfg = checked_as(path, true)?;
            go(&cfg, &[Step::Transform], stages::StageArgs { select, ..Default::default() }).await
        }
        Command::Load { tables, target, mode } => {
            let mut cfg = config::load(path)?;
            if let Some(t) = target {
                cfg.config.load.target = t;
            }
            if let Some(m) = mode {
                cfg.config.load.mode = m;
            }
            let cfg = checked_config(cfg, true)?;
            go(&cfg, &[Step::Load], stages::StageArgs { tables, ..Default::default() }).await
        }
        Command::Run { schedule, max_items } => {
            let cfg = checked(path)?;
            let schedule = cfg.schedule(&schedule)?;
            let max_items = max_items.or(schedule.options.max_items);
            go(&cfg, &schedule.steps()?, stages::StageArgs { max_items, ..Default::default() }).await
        }
        Command::Schedule => liner::scheduler::run(&checked(path)?).await,
        Command::Report { out } => {
            let cfg = config::load(path)?;
            let out = out.unwrap_or_else(|| cfg.data_dir().join("report"));
            let report = liner::report::write(&cfg, &out)?;
            println!("{} ({} charts beside it)", report.index.display(), report.charts.len());
            Ok(())
        }
        Command::Serve { bind } => {
            let mut cfg = checked(path)?;
            if let Some(b) = bind {
                cfg.config.serve.bind = b;
            }
            liner::serve::run(cfg).await
        }
        Command::Runs { id, limit } => {
            let cfg = config::load(path)?;
            let state = State::open(&cfg.state_db())?;
            match id {
                None => print!("{}", liner::runner::list(&state.runs(limit)?)),
                Some(id) => {
                    let run = state.run(&id)?.with_context(|| format!("no run {id:?} (see `liner runs`)"))?;
                    print!("{}", liner::runner::show(&run, &state.stages(&id)?));
                }
            }
            Ok(())
        }
        #[cfg(feature = "sim")]
        Command::Bench { what: BenchWhat::Extract { seconds } } => {
            let dir = std::env::temp_dir().join(format!("liner-bench-{}", std::process::id()));
            println!("extracting from the simulator for {seconds} s at the default limits ...");
            let rates = liner::bench::request_rate(seconds, &dir).await?;
            println!("{:<12} {:>12} {:>12} {:>8} {:>11}", "provider", "limit/s", "achieved/s", "share", "over limit");
            for r in &rates {
                println!(
                    "{:<12} {:>12.2} {:>12.2} {:>7.1}% {:>11}",
                    r.provider,
                    r.limit_per_second,
                    r.achieved_per_second,
                    100.0 * r.achieved_per_second / r.limit_per_second,
                    r.over_limit
                );
            }
            let body = liner::bench::sample_album().await?;
            let n = 5000;
            let cpu = liner::bench::parse_and_land(&body, n, &dir)?;
            println!(
                "parse + land: {:.1} µs CPU per response ({} bytes, {n} responses)",
                cpu.as_secs_f64() * 1e6,
                body.len()
            );
            let _ = std::fs::remove_dir_all(&dir);
            Ok(())
        }
        #[cfg(feature = "sim")]
        Command::Bench { what: BenchWhat::Link { artists, seed } } => {
            let dir = std::env::temp_dir().join(format!("liner-bench-link-{}", std::process::id()));
            println!(
                "a simulated catalog of {artists} artists (seed {seed}), every artist with a name of its own followed ..."
            );
            let b = liner::bench::link_quality(seed, artists, &dir).await?;
            let _ = std::fs::remove_dir_all(&dir);
            println!(
                "followed {} artists: {} MusicBrainz releases, {} Deezer albums",
                b.followed, b.musicbrainz_releases, b.deezer_albums
            );
            println!(
                "time: extract {:.1} s, transform {:.1} s (fuzzy linking {:.1} s)",
                b.extract.as_secs_f64(),
                b.transform.as_secs_f64(),
                b.fuzzy.as_secs_f64()
            );
            println!("{}", b.quality);
            println!("waiting for review: {}", b.queued);
            Ok(())
        }
        #[cfg(feature = "sim")]
        Command::Bench { what: BenchWhat::LinkScale { releases, seed, dir, releases_only } } => {
            println!(
                "writing a catalog of about {releases} releases per provider (seed {seed}) into {} ...",
                dir.display()
            );
            let tracks = if releases_only { liner_sim::lake::Tracks::Without } else { liner_sim::lake::Tracks::With };
            let b = liner::bench::link_at_scale(seed, releases, tracks, &dir)?;
            println!(
                "{} artists: {} MusicBrainz releases, {} Deezer albums, {} responses written in {:.1} s",
                b.artists,
                b.musicbrainz_releases,
                b.deezer_albums,
                b.responses,
                b.write.as_secs_f64()
            );
            println!(
                "liner transform: {:.1} s wall, peak memory {:.2} GB",
                b.transform.as_secs_f64(),
                b.transform_peak_bytes as f64 / 1e9
            );
            for (name, t) in b.models.iter().take(12) {
                println!("  {name:<40} {:>8.2} s", t.as_secs_f64());
            }
            println!("{}", b.quality);
            println!("releases waiting for review: {}", b.queued);
            Ok(())
        }
        #[cfg(feature = "sim")]
        Command::Sim { seed, artists } => {
            let sim = liner_sim::Sim::start(liner_sim::SimConfig { seed, artists, ..Default::default() })?;
            println!("musicbrainz base_url = \"{}\"", sim.base_url("musicbrainz"));
            println!("deezer base_url = \"{}\"", sim.base_url("deezer"));
            println!("artists: {}", liner::demo::pick_artists(&sim, 10).join(", "));
            tokio::signal::ctrl_c().await?;
            Ok(())
        }
    }
}
