//! The command line as clap reads it: every command, flag and argument with its help.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// liner: an ETL for music metadata. Extract from the providers, link the same
/// release and recording across them, load one catalog into the app's database.
#[derive(Parser)]
#[command(version, about)]
pub struct Cli {
    /// The configuration file [default: ./liner.toml if present].
    #[arg(long, global = true, env = "LINER_CONFIG")]
    pub config: Option<PathBuf>,
    /// When another liner is writing to the same data folder, stop at once instead of
    /// waiting for it.
    #[arg(long, global = true)]
    pub no_wait: bool,
    /// Print what extract, transform, load or run would do (requests, time at the limits,
    /// responses served from the lake, models, tables) and do none of it.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Log lines as text for people, or one JSON object a line for machines. RUST_LOG
    /// chooses what is logged (default: warn).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Subcommand)]
pub enum ReviewAction {
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
pub enum Command {
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
    /// Build the warehouse from the raw lake with the SQL models: after the first
    /// build, only what changed since the last one (lake files landed, review
    /// decisions, follows, models edited); `--dry-run` says which and why.
    Transform {
        /// Rebuild these models whole, whatever changed: `MODEL`, `MODEL+` (and what
        /// reads it), `+MODEL` (and what it reads), `SCHEMA.*`. Repeatable.
        #[arg(long, value_name = "SELECTOR")]
        select: Vec<String>,
        /// Build everything anew from the whole lake (and train the link model again).
        #[arg(long, conflicts_with = "select")]
        full: bool,
        /// Link with the model the last build kept (intermediate.link_model), not one
        /// trained again: with --full, the warehouse every incremental build since
        /// would have made.
        #[arg(long)]
        keep_model: bool,
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
pub enum BenchWhat {
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
        /// Keep the last artists' answers, about N MusicBrainz releases of theirs, out of
        /// the lake, in DIR/later: copied into DIR/raw, they land after the first build.
        #[arg(long, value_name = "N", default_value_t = 0)]
        later: usize,
        /// Write this share of the answers again, a day later with some fields changed,
        /// into DIR/refresh (a night's refresh, to land after the first build).
        #[arg(long, value_name = "SHARE", default_value_t = 0.0)]
        refresh: f64,
    },
}

#[derive(Subcommand)]
pub enum ConfigAction {
    /// Print the effective configuration (defaults, file, environment), secrets masked.
    Show,
    /// Check the configuration; exits non-zero naming each problem.
    Validate,
}
