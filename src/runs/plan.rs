//! `--dry-run`: what a command would do, from what liner knows before sending anything
//! (the configuration, the followed artists, the lake, the models). It sends nothing
//! and writes nothing. How many pages an artist has is only known once asked, so an
//! extract's plan counts what is known: the artists, the responses the lake would
//! serve, those it would ask again, and the time that takes at each provider's limit.

use liner_extract::Provider;
use liner_extract::cache::LakeCache;

use crate::config::Loaded;
use crate::runs::schedules::Step;
use crate::runs::stages::{self, StageArgs};
use crate::stored::state::State;

pub fn describe(cfg: &Loaded, steps: &[Step], args: &StageArgs) -> anyhow::Result<String> {
    let mut out = String::from("dry run: nothing is sent, nothing is written\n");
    for &step in steps {
        out.push_str(&format!("== {}\n", step.name()));
        out.push_str(&match step {
            Step::Extract(only) => extract(cfg, only, args, false)?,
            Step::Charts => extract(cfg, None, args, true)?,
            Step::Enrich => {
                let n = stages::enrichment(cfg, args.max_items.unwrap_or(crate::runs::runner::ENRICH_ITEMS))?.len();
                format!("{n} catalog item(s) missing a provider's listing would be looked up\n")
            }
            Step::Transform { full } => transform(cfg, &args.select, full)?,
            Step::Load => load(cfg, &args.tables)?,
        });
    }
    Ok(out)
}

fn extract(cfg: &Loaded, only: Option<Provider>, args: &StageArgs, charts: bool) -> anyhow::Result<String> {
    let state = State::open(&cfg.state_db())?;
    let artists = if charts {
        Vec::new()
    } else if args.artists.is_empty() {
        state.follows()?
    } else {
        args.artists.clone()
    };
    let artists: Vec<String> = artists.into_iter().take(args.max_items.unwrap_or(usize::MAX)).collect();
    let cache = if args.refresh { None } else { Some(LakeCache::load(&cfg.lake_root(), cfg.config.cache)?) };
    let now = chrono::Utc::now();
    let mut out =
        format!("{} artist(s){}\n", artists.len(), if charts { " (charts and new releases only)" } else { "" });
    out.push_str(&format!(
        "{:<12} {:>9} {:>12} {:>12} {:>14}\n",
        "provider", "limit/s", "from lake", "asked again", "time for those"
    ));
    for (p, c) in cfg.providers().into_iter().filter(|(p, _)| only.is_none_or(|o| o == *p)) {
        let (fresh, stale) = cache.as_ref().map_or((0, 0), |c| c.freshness(p, now));
        let per_second = c.rate.requests as f64 / c.rate.per_seconds;
        out.push_str(&format!(
            "{:<12} {:>9.2} {:>12} {:>12} {:>12.0} s\n",
            p.name(),
            per_second,
            fresh,
            stale,
            stale as f64 / per_second
        ));
    }
    out.push_str("plus what the lake has never held: at least one request per artist and provider not synced yet\n");
    Ok(out)
}

fn transform(cfg: &Loaded, select: &[String], full: bool) -> anyhow::Result<String> {
    // What state holds decides what changed; a project with no state yet has none.
    let state = if cfg.state_db().exists() { Some(crate::stored::state::State::open(&cfg.state_db())?) } else { None };
    let opts = stages::build_options(cfg, "", select, full, state.as_ref())?;
    let planned = liner_transform::planned(&opts)?;
    let mut out = format!("{}\n", planned.kind);
    if !planned.models.is_empty() {
        out.push_str(&format!("{} model(s) would be built, in this order:\n", planned.models.len()));
    } else if matches!(planned.kind, liner_transform::BuildKind::Incremental(_)) {
        out.push_str("no model reads what changed: the build would record it and keep every table\n");
    }
    for (m, action) in planned.models {
        out.push_str(&format!("  {m:<44} {action}\n"));
    }
    Ok(out)
}

fn load(cfg: &Loaded, only: &[String]) -> anyhow::Result<String> {
    let tables = stages::load_tables(cfg, only)?;
    Ok(format!("into {} ({} mode): {}\n", cfg.load_target()?, cfg.config.load.mode, tables.join(", ")))
}
