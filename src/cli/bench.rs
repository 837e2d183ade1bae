//! What runs against the simulator: `demo`, `bench` and `sim`.

use std::fmt::Write;
use std::path::PathBuf;

use super::args::BenchWhat;
use super::{Output, done};

pub async fn demo(data_dir: PathBuf, artists: usize, seed: u64) -> anyhow::Result<Output> {
    liner::commands::demo::run(liner::commands::demo::DemoOptions { data_dir, artists, seed }).await?;
    Ok(done())
}

pub async fn bench(what: BenchWhat) -> anyhow::Result<Output> {
    match what {
        BenchWhat::Extract { seconds } => extract(seconds).await,
        BenchWhat::Link { artists, seed } => link(artists, seed).await,
        BenchWhat::LinkScale { releases, seed, dir, releases_only, later, refresh } => {
            let landings = liner::commands::bench::Landings { later, refresh };
            link_scale(releases, seed, dir, releases_only, landings)
        }
    }
}

async fn extract(seconds: u64) -> anyhow::Result<Output> {
    let dir = std::env::temp_dir().join(format!("liner-bench-{}", std::process::id()));
    println!("extracting from the simulator for {seconds} s at the default limits ...");
    let rates = liner::commands::bench::request_rate(seconds, &dir).await?;
    let mut out =
        format!("{:<12} {:>12} {:>12} {:>8} {:>11}\n", "provider", "limit/s", "achieved/s", "share", "over limit");
    for r in &rates {
        writeln!(
            out,
            "{:<12} {:>12.2} {:>12.2} {:>7.1}% {:>11}",
            r.provider,
            r.limit_per_second,
            r.achieved_per_second,
            100.0 * r.achieved_per_second / r.limit_per_second,
            r.over_limit
        )?;
    }
    let body = liner::commands::bench::sample_album().await?;
    let n = 5000;
    let cpu = liner::commands::bench::parse_and_land(&body, n, &dir)?;
    writeln!(
        out,
        "parse + land: {:.1} µs CPU per response ({} bytes, {n} responses)",
        cpu.as_secs_f64() * 1e6,
        body.len()
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Box::new(out))
}

async fn link(artists: usize, seed: u64) -> anyhow::Result<Output> {
    let dir = std::env::temp_dir().join(format!("liner-bench-link-{}", std::process::id()));
    println!(
        "a simulated catalog of {artists} artists (seed {seed}), every artist with a name of its own followed ..."
    );
    let b = liner::commands::bench::link_quality(seed, artists, &dir).await?;
    let _ = std::fs::remove_dir_all(&dir);
    let mut out = String::new();
    writeln!(
        out,
        "followed {} artists: {} MusicBrainz releases, {} Deezer albums",
        b.followed, b.musicbrainz_releases, b.deezer_albums
    )?;
    writeln!(
        out,
        "time: extract {:.1} s, transform {:.1} s (fuzzy linking {:.1} s)",
        b.extract.as_secs_f64(),
        b.transform.as_secs_f64(),
        b.fuzzy.as_secs_f64()
    )?;
    writeln!(out, "{}", b.quality)?;
    writeln!(out, "waiting for review: {}", b.queued)?;
    Ok(Box::new(out))
}

fn link_scale(
    releases: usize,
    seed: u64,
    dir: PathBuf,
    releases_only: bool,
    landings: liner::commands::bench::Landings,
) -> anyhow::Result<Output> {
    if !(0.0..=1.0).contains(&landings.refresh) {
        anyhow::bail!("--refresh {}: a share of the answers, from 0 to 1", landings.refresh);
    }
    println!("writing a catalog of about {releases} releases per provider (seed {seed}) into {} ...", dir.display());
    let tracks = if releases_only { liner_sim::lake::Tracks::Without } else { liner_sim::lake::Tracks::With };
    let b = liner::commands::bench::link_at_scale(seed, releases, tracks, &dir, landings)?;
    let mut out = String::new();
    writeln!(
        out,
        "{} artists: {} MusicBrainz releases, {} Deezer albums, {} responses written in {:.1} s",
        b.artists,
        b.musicbrainz_releases,
        b.deezer_albums,
        b.responses,
        b.write.as_secs_f64()
    )?;
    writeln!(
        out,
        "liner transform: {:.1} s wall, peak memory {:.2} GB",
        b.transform.as_secs_f64(),
        b.transform_peak_bytes as f64 / 1e9
    )?;
    for (name, t) in b.models.iter().take(12) {
        writeln!(out, "  {name:<40} {:>8.2} s", t.as_secs_f64())?;
    }
    writeln!(out, "{}", b.quality)?;
    writeln!(out, "releases waiting for review: {}", b.queued)?;
    Ok(Box::new(out))
}

/// Serves the simulator until Ctrl-C, after saying where and whom to follow.
pub async fn sim(seed: u64, artists: usize) -> anyhow::Result<Output> {
    let sim = liner_sim::Sim::start(liner_sim::SimConfig { seed, artists, ..Default::default() })?;
    println!("musicbrainz base_url = \"{}\"", sim.base_url("musicbrainz"));
    println!("deezer base_url = \"{}\"", sim.base_url("deezer"));
    println!("artists: {}", liner::commands::demo::pick_artists(&sim, 10).join(", "));
    tokio::signal::ctrl_c().await?;
    Ok(done())
}
