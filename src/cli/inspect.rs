//! What the warehouse and the state say: `links`, `review`, `report`, `runs`.

use std::path::PathBuf;

use anyhow::Context;
use liner::commands::links::Query;
use liner::stored::state::State;

use super::args::ReviewAction;
use super::{Ctx, Output};

pub fn links(
    ctx: &Ctx,
    provider: Option<String>,
    id: Option<String>,
    isrc: Option<String>,
    upc: Option<String>,
) -> anyhow::Result<Output> {
    let query = match (provider, id, isrc, upc) {
        (Some(provider), Some(id), None, None) => {
            super::pipeline::provider(&provider)?;
            Query::Item { provider, id }
        }
        (None, None, Some(code), None) => Query::Isrc(code),
        (None, None, None, Some(code)) => Query::Upc(code),
        _ => anyhow::bail!("say what to look up: `liner links <provider> <id>`, `--isrc CODE` or `--upc CODE`"),
    };
    let cfg = ctx.load()?;
    Ok(Box::new(liner::commands::links::lookup(&cfg.warehouse(), &query)?))
}

pub fn review(ctx: &Ctx, action: Option<ReviewAction>, limit: usize) -> anyhow::Result<Output> {
    let cfg = ctx.load()?;
    let _writer = match action {
        Some(ReviewAction::Accept { .. } | ReviewAction::Reject { .. } | ReviewAction::Import { .. }) => {
            Some(ctx.writer(&cfg)?)
        }
        _ => None,
    };
    let state = State::open(&cfg.state_db())?;
    let said = match action {
        None => liner::commands::review::list(&cfg.warehouse(), limit)?,
        Some(ReviewAction::Accept { id }) => {
            let d = liner::commands::review::decide(&cfg.warehouse(), &state, &id, "accept")?;
            format!(
                "accepted: {} {}:{} = {}:{} (the next `liner transform` links them)\n",
                d.entity, d.left_provider, d.left_id, d.right_provider, d.right_id
            )
        }
        Some(ReviewAction::Reject { id }) => {
            let d = liner::commands::review::decide(&cfg.warehouse(), &state, &id, "reject")?;
            format!(
                "rejected: {} {}:{} != {}:{} (the next `liner transform` keeps them apart)\n",
                d.entity, d.left_provider, d.left_id, d.right_provider, d.right_id
            )
        }
        Some(ReviewAction::Export { file }) => {
            format!("exported {} decision(s) to {}\n", liner::commands::review::export(&state, &file)?, file.display())
        }
        Some(ReviewAction::Import { file }) => {
            format!(
                "imported {} decision(s) from {}\n",
                liner::commands::review::import(&state, &file)?,
                file.display()
            )
        }
    };
    Ok(Box::new(said))
}

pub fn report(ctx: &Ctx, out: Option<PathBuf>) -> anyhow::Result<Output> {
    let cfg = ctx.load()?;
    let out = out.unwrap_or_else(|| cfg.data_dir().join("report"));
    let report = liner::commands::report::write(&cfg, &out)?;
    Ok(Box::new(format!("{} ({} charts beside it)\n", report.index.display(), report.charts.len())))
}

pub fn runs(ctx: &Ctx, id: Option<String>, limit: usize) -> anyhow::Result<Output> {
    let cfg = ctx.load()?;
    let state = State::open(&cfg.state_db())?;
    let said = match id {
        None => liner::runs::runner::list(&state.runs(limit)?),
        Some(id) => {
            let run = state.run(&id)?.with_context(|| format!("no run {id:?} (see `liner runs`)"))?;
            liner::runs::runner::show(&run, &state.stages(&id)?)
        }
    };
    Ok(Box::new(said))
}
