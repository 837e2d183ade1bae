//! `liner follow`, `unfollow` and `follows`: who liner fetches.

use liner::runs::schedules::Step;
use liner::runs::stages::StageArgs;
use liner::stored::state::State;

use super::{Ctx, Output, done};

/// Follows each artist (resolved on MusicBrainz when the config says so), then, unless
/// told not to, fetches them at once and rebuilds.
pub async fn follow(ctx: &Ctx<'_>, artists: &[String], yes: bool, no_sync: bool) -> anyhow::Result<Output> {
    anyhow::ensure!(!artists.is_empty(), "name at least one artist: liner follow \"<artist>\"");
    let cfg = ctx.load()?;
    let sync = cfg.config.follow.sync && !no_sync;
    // Asking MusicBrainz, or fetching at once, wants a configuration fit to send.
    let cfg = if cfg.config.follow.resolve || sync { ctx.checked()? } else { cfg };
    let _writer = ctx.writer(&cfg)?;
    let state = State::open(&cfg.state_db())?;
    let mut followed = Vec::new();
    for a in artists {
        let (name, mbid) = liner::commands::follow::resolve(&cfg, a, yes).await?;
        let new = state.follow_as(&name, mbid.as_deref())?;
        // Said before the fetch starts, which can take a while.
        println!("{} {name}", if new { "following" } else { "already following" });
        followed.push(name);
    }
    if sync {
        let args = StageArgs { artists: followed, ..Default::default() };
        liner::runs::runner::run(&cfg, &[Step::Extract(None), Step::Transform { full: false }], &args).await?;
    }
    Ok(done())
}

pub fn unfollow(ctx: &Ctx, artist: &str) -> anyhow::Result<Output> {
    let cfg = ctx.load()?;
    let _writer = ctx.writer(&cfg)?;
    let state = State::open(&cfg.state_db())?;
    anyhow::ensure!(state.unfollow(artist)?, "{artist:?} is not followed (see `liner follows`)");
    Ok(Box::new(format!("unfollowed {artist}\n")))
}

pub fn list(ctx: &Ctx) -> anyhow::Result<Output> {
    let cfg = ctx.load()?;
    let follows = State::open(&cfg.state_db())?.follows()?;
    Ok(Box::new(follows.iter().map(|a| format!("{a}\n")).collect::<String>()))
}
