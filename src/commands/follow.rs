//! `liner follow`: who the artist is, asked of MusicBrainz before anything is fetched,
//! so a misspelt name or one of several artists of the same name is settled once, by
//! the person, rather than guessed at by every provider on every run.

use std::io::{BufRead, IsTerminal, Write};

use liner_extract::providers::musicbrainz::{ArtistCandidate, search_artists};

use crate::config::Loaded;

/// A candidate this good is the artist, unless another is as good.
const SURE: i64 = 95;
/// Below this nothing is offered.
const PLAUSIBLE: i64 = 70;

/// The name to follow and the MusicBrainz id chosen: as MusicBrainz spells the artist it
/// matched, or the name as given (no id) when resolving is off (`follow.resolve =
/// false`) or MusicBrainz is not enabled.
pub async fn resolve(cfg: &Loaded, name: &str, yes: bool) -> anyhow::Result<(String, Option<String>)> {
    resolve_as(cfg, name, yes, std::io::stdin().is_terminal()).await
}

/// `resolve`, asking on the terminal only when `interactive` (never for `liner serve`,
/// whose callers choose by MusicBrainz id instead).
pub async fn resolve_as(
    cfg: &Loaded,
    name: &str,
    yes: bool,
    interactive: bool,
) -> anyhow::Result<(String, Option<String>)> {
    let musicbrainz = cfg.providers().into_iter().find(|(p, _)| p.name() == "musicbrainz");
    let Some((_, mb)) = musicbrainz.filter(|_| cfg.config.follow.resolve) else {
        return Ok((name.trim().to_string(), None));
    };
    let found: Vec<ArtistCandidate> =
        search_artists(&mb, name).await?.into_iter().filter(|c| c.score >= PLAUSIBLE).collect();
    let Some(best) = found.first() else {
        anyhow::bail!(
            "no artist on MusicBrainz matches {name:?}: check the spelling (or set follow.resolve = false to follow it by name alone)"
        );
    };
    let sure: Vec<&ArtistCandidate> = found.iter().filter(|c| c.score >= SURE).collect();
    if sure.len() == 1 || (yes && best.score >= SURE) {
        println!("{name:?} is {} on MusicBrainz", describe(best));
        return Ok((best.name.clone(), Some(best.mbid.clone())));
    }
    let listing: Vec<String> = found.iter().enumerate().map(|(i, c)| format!("  {}. {}", i + 1, describe(c))).collect();
    if !interactive {
        anyhow::bail!(
            "{name:?} could be any of these on MusicBrainz:\\n{}\\nrun `liner follow` in a terminal to choose, or add --yes to take the best",
            listing.join("\\n")
        );
    }
    println!("{name:?} could be any of these on MusicBrainz:\\n{}", listing.join("\\n"));
    print!("which one (1-{}, empty to cancel)? ", found.len());
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    match answer.trim().parse::<usize>() {
        Ok(n) if (1..=found.len()).contains(&n) => Ok((found[n - 1].name.clone(), Some(found[n - 1].mbid.clone()))),
        _ => anyhow::bail!("not followed: no artist chosen"),
    }
}

fn describe(c: &ArtistCandidate) -> String {
    let mut about = vec![format!("score {}", c.score), format!("mbid {}", c.mbid)];
    if !c.disambiguation.is_empty() {
        about.insert(0, c.disambiguation.clone());
    }
    if !c.country.is_empty() {
        about.insert(0, c.country.clone());
    }
    format!("{} ({})", c.name, about.join(", "))
}
