//! `liner bench extract`: how close extraction runs to each provider's configured limit
//! without going over it, and what parsing and landing a response costs in CPU.

use std::time::{Duration, Instant};

use anyhow::Context;
use liner_extract::http::Fetched;
use liner_extract::lake::LakeWriter;
use liner_extract::{ExtractJob, Provider};
use liner_sim::{Sim, SimConfig};

use crate::demo::{config_for, pick_artists};

pub struct RateResult {
    pub provider: &'static str,
    pub limit_per_second: f64,
    pub achieved_per_second: f64,
    pub over_limit: u64,
}

/// Extracts far more than fits in `seconds` from every simulated provider at its
/// default limit, stops at the deadline, and reads the simulator's counts.
pub async fn request_rate(seconds: u64, data_dir: &std::path::Path) -> anyhow::Result<Vec<RateResult>> {
    // YouTube's day (100 searches) would end its part long before the minute does:
    // here the rate is measured, so the simulated day is made long enough.
    let sim = Sim::start(SimConfig {
        youtube_quota: liner_sim::youtube::YouTubeQuota { units: 1_000_000, search_calls: 1_000_000 },
        ..crate::demo::sim_config(5, 400)
    })?;
    let cfg = config_for(&sim, data_dir.to_path_buf())?;
    let providers = cfg.providers();
    let job = ExtractJob {
        run_id: crate::state::new_run_id(),
        lake_root: cfg.lake_root(),
        providers: providers.clone(),
        artists: pick_artists(&sim, 300),
        cache: cfg.config.cache,
        refresh: true,
        ledger: None,
        identifiers: Vec::new(),
    };
    let started = Instant::now();
    // The job has more work than the deadline allows; it is cut off mid-way on purpose.
    let _ = tokio::time::timeout(Duration::from_secs(seconds), liner_extract::run(job)).await;
    let elapsed = started.elapsed().as_secs_f64();
    Ok(providers
        .iter()
        .map(|(p, c)| {
            let stats = sim.stats(p.name());
            RateResult {
                provider: p.name(),
                limit_per_second: c.rate.requests as f64 / c.rate.per_seconds,
                achieved_per_second: stats.requests as f64 / elapsed,
                over_limit: stats.over_limit,
            }
        })
        .collect())
}

/// CPU time of this thread, from the kernel's accounting.
fn thread_cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a whole rusage into the pointer it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_THREAD, usage.as_mut_ptr());
        usage.assume_init()
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// A Deezer album response as the simulator serves it (the real shape, 7 to 20 tracks).
pub async fn sample_album() -> anyhow::Result<String> {
    let sim = Sim::start(SimConfig { seed: 5, artists: 5, ..SimConfig::default() })?;
    let album = sim.catalog().releases.iter().find_map(|r| r.deezer.as_ref()).context("no Deezer album")?;
    let mut config = Provider::Deezer.default_config();
    config.base_url = sim.base_url("deezer");
    let http = liner_extract::http::HttpStack::new("deezer", &config, Provider::Deezer.body_check())?;
    let request = liner_extract::request::Request::new("albums", format!("/album/{}", album.id));
    Ok(http.get(&request).await.map_err(anyhow::Error::new)?.body)
}

/// CPU time per response to parse a Deezer album response and land it in the lake,
/// over `n` responses.
pub fn parse_and_land(body: &str, n: usize, data_dir: &std::path::Path) -> anyhow::Result<Duration> {
    let mut lake = LakeWriter::new(&data_dir.join("bench-raw"), "bench")?;
    let start = thread_cpu();
    for i in 0..n {
        let v: serde_json::Value = serde_json::from_str(body).context("parsing")?;
        std::hint::black_box(&v);
        lake.land(Fetched {
            provider: Provider::Deezer.name(),
            resource: "albums",
            request_key: format!("albums:/album/{i}"),
            url: format!("http://127.0.0.1/deezer/album/{i}"),
            status: 200,
            fetched_at: chrono::Utc::now(),
            body: body.to_string(),
            attempts: 1,
        })?;
    }
    lake.flush()?;
    Ok((thread_cpu() - start) / n as u32)
}
