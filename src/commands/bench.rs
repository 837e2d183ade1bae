//! `liner bench extract`: how close extraction runs to each provider's configured limit
//! without going over it, and what parsing and landing a response costs in CPU.

use std::time::{Duration, Instant};

use anyhow::Context;
use liner_extract::http::Fetched;
use liner_extract::lake::LakeWriter;
use liner_extract::{ExtractJob, Provider};
use liner_sim::{Sim, SimConfig};

use crate::commands::demo::{config_for, pick_artists};

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
        ..crate::commands::demo::sim_config(5, 400)
    })?;
    let cfg = config_for(&sim, data_dir.to_path_buf())?;
    let providers = cfg.providers();
    let job = ExtractJob {
        run_id: crate::stored::state::new_run_id(),
        lake_root: cfg.lake_root(),
        providers: providers.clone(),
        artists: pick_artists(&sim, 300),
        cache: cfg.config.cache,
        refresh: true,
        ledger: None,
        tokens: None,
        lookups: Vec::new(),
        cancel: Default::default(),
        refresh_resources: Vec::new(),
        lists: true,
        musicbrainz_ids: Default::default(),
        on_answer: None,
        redo_day: None,
        resumes: Vec::new(),
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
    let mut config = Provider::named("deezer").default_config();
    config.base_url = sim.base_url("deezer");
    let http = liner_extract::http::HttpStack::new("deezer", &config, Provider::named("deezer").body_check())?;
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
            provider: Provider::named("deezer").name(),
            resource: "albums",
            request_key: format!("albums:/album/{i}"),
            params: format!(r#"{{"album_id":"{i}"}}"#),
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

/// What `bench link` measured.
pub struct LinkBench {
    /// Artists followed: those whose names are their own (a homonym cannot be followed by name).
    pub followed: usize,
    pub musicbrainz_releases: i64,
    pub deezer_albums: i64,
    pub extract: Duration,
    pub transform: Duration,
    pub fuzzy: Duration,
    pub quality: crate::commands::quality::LinkQuality,
    pub queued: i64,
}

/// The whole pipeline at scale: a catalog of `artists` artists, every one followed,
/// extracted from the simulated MusicBrainz and Deezer with the limits lifted (the
/// point is linking, not waiting), transformed, and the links held to the truth.
pub async fn link_quality(seed: u64, artists: usize, data_dir: &std::path::Path) -> anyhow::Result<LinkBench> {
    let sim = Sim::start(SimConfig {
        seed,
        artists,
        musicbrainz_per_second: 100_000,
        deezer_requests: 100_000,
        ..SimConfig::default()
    })?;
    let mut cfg = config_for(&sim, data_dir.to_path_buf())?;
    for (name, p) in cfg.config.providers.iter_mut() {
        p.enabled = name == "musicbrainz" || name == "deezer";
        p.rate = liner_extract::RateLimit { requests: 5000, per_seconds: 1.0, burst: 1 };
        p.options.remove("charts");
    }
    if let Some(dz) = cfg.config.providers.get_mut("deezer") {
        dz.options.insert("charts".into(), false.into());
    }
    let state = crate::stored::state::State::open(&cfg.state_db())?;
    let followed = pick_artists(&sim, artists);
    for a in &followed {
        state.follow(a)?;
    }
    let started = Instant::now();
    crate::runs::stages::extract(&cfg, &state, None, &Default::default(), "bench").await?;
    let extract = started.elapsed();
    let started = Instant::now();
    let built = crate::runs::stages::transform(&cfg, "bench", &[], true, false)?;
    let transform = started.elapsed();
    let fuzzy =
        built.models.iter().find(|m| m.name == "intermediate.fuzzy_links").map_or(Duration::ZERO, |m| m.elapsed);
    let quality = crate::commands::quality::measure(&cfg.warehouse(), &sim.catalog().truth())?;
    let db = duckdb::Connection::open(cfg.warehouse())?;
    let count = |sql: &str| -> anyhow::Result<i64> { Ok(db.query_row(sql, [], |r| r.get(0))?) };
    Ok(LinkBench {
        followed: followed.len(),
        musicbrainz_releases: count("SELECT count(*) FROM staging.musicbrainz_releases")?,
        deezer_albums: count("SELECT count(*) FROM staging.deezer_albums")?,
        extract,
        transform,
        fuzzy,
        quality,
        queued: count("SELECT count(*) FROM canonical.review_queue")?,
    })
}

/// What `bench link-scale` measured.
pub struct ScaleBench {
    pub artists: usize,
    pub musicbrainz_releases: i64,
    pub deezer_albums: i64,
    pub responses: u64,
    pub write: Duration,
    /// `liner transform` as a child process: wall time and peak resident memory.
    pub transform: Duration,
    pub transform_peak_bytes: u64,
    /// Model name → build time, from the warehouse's `meta.models`.
    pub models: Vec<(String, Duration)>,
    pub quality: crate::commands::quality::LinkQuality,
    pub queued: i64,
}

/// Catalog artists for about `releases` MusicBrainz releases, from the generator's
/// own ratio on a sample.
pub fn artists_for(seed: u64, releases: usize) -> usize {
    let sample = liner_sim::Catalog::generate(seed, 2000);
    let per_artist = sample.releases.iter().filter(|r| r.musicbrainz.is_some()).count() as f64 / 2000.0;
    ((releases as f64 / per_artist).ceil() as usize).max(1)
}

/// Linking at catalog scale: a catalog of about `releases` releases per provider is
/// written into `dir/raw` as the pipeline lands MusicBrainz's release browse and
/// Deezer's album and album-track responses (no HTTP: serving a million releases would
/// measure the simulator), then `liner transform` runs on it as a child process, timed
/// and its peak memory read, and the links are held to the truth. `dir` keeps the
/// truth and the release items as Parquet for the baselines in `benches/`.
/// What lands after the first build, for an incremental build to be timed on: the
/// answers of the last artists (`later` releases of theirs, about), kept out of the
/// lake in `dir/later`, and `refresh` of every item answered anew with changed fields
/// (Deezer's fans and label, MusicBrainz's disambiguation), in `dir/refresh`. Each
/// folder is a lake of its own: copied into `dir/raw`, it has landed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Landings {
    pub later: usize,
    pub refresh: f64,
}

pub fn link_at_scale(
    seed: u64,
    releases: usize,
    tracks: liner_sim::lake::Tracks,
    dir: &std::path::Path,
    landings: Landings,
) -> anyhow::Result<ScaleBench> {
    let artists = artists_for(seed, releases);
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let started = Instant::now();
    let offline = liner_sim::lake::Offline::generate(seed, artists);
    let lake_root = dir.join("raw");
    let run_id = crate::stored::state::new_run_id();
    let responses = std::sync::atomic::AtomicU64::new(0);
    let held = held_out(offline.catalog(), landings.later);
    let (later_run, refresh_run) = (crate::stored::state::new_run_id(), crate::stored::state::new_run_id());
    // A refresh is answered a day after the first answers.
    let land = |lake: &mut LakeWriter, r: liner_sim::lake::Response, days: i64| -> anyhow::Result<()> {
        let mut request = liner_extract::request::Request::new(r.resource, r.path.clone());
        for (k, v) in &r.params {
            request = request.param(k, v);
        }
        responses.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        lake.land(Fetched {
            provider: r.provider,
            resource: r.resource,
            request_key: request.key(),
            params: request.params(),
            url: format!("http://127.0.0.1/{}{}", r.provider, r.path),
            status: 200,
            fetched_at: chrono::Utc::now() + chrono::Duration::days(days),
            body: r.body,
            attempts: 1,
        })
    };
    let page = |p: Provider| p.default_config().page_size as usize;
    // Each writer sends a response to the lake, or to the artists that land later, and
    // a share of them once more, changed, to the refresh.
    let route = |lakes: &mut [LakeWriter; 3], n: &mut u64, r: liner_sim::lake::Response| -> anyhow::Result<()> {
        let is_held = held.paths.iter().any(|p| r.path == *p || r.path.starts_with(&format!("{p}/")))
            || r.params.iter().any(|(k, v)| *k == "artist" && held.mbids.contains(v));
        *n += 1;
        let again = !is_held && landings.refresh > 0.0 && (*n as f64 * landings.refresh).fract() < landings.refresh;
        let changed = again.then(|| refreshed(&r));
        land(&mut lakes[usize::from(is_held)], r, 0)?;
        changed.map_or(Ok(()), |c| land(&mut lakes[2], c, 1))
    };
    let writers = |rows: usize| -> anyhow::Result<[LakeWriter; 3]> {
        Ok([
            LakeWriter::new(&lake_root, &run_id)?.with_batch_rows(rows),
            LakeWriter::new(&dir.join("later"), &later_run)?.with_batch_rows(rows),
            LakeWriter::new(&dir.join("refresh"), &refresh_run)?.with_batch_rows(rows),
        ])
    };
    std::thread::scope(|s| -> anyhow::Result<()> {
        let mb = s.spawn(|| -> anyhow::Result<()> {
            let (mut lakes, mut n) = (writers(2_000)?, 0);
            offline.musicbrainz(page(Provider::named("musicbrainz")), tracks, |r| route(&mut lakes, &mut n, r))?;
            lakes.iter_mut().try_for_each(LakeWriter::flush)
        });
        let (mut lakes, mut n) = (writers(10_000)?, 0);
        offline.deezer(page(Provider::named("deezer")), tracks, |r| route(&mut lakes, &mut n, r))?;
        lakes.iter_mut().try_for_each(LakeWriter::flush)?;
        mb.join().map_err(|_| anyhow::anyhow!("the MusicBrainz writer panicked"))?
    })
    .context("writing the lake")?;
    let write = started.elapsed();
    let truth = offline.catalog().truth();
    drop(offline);

    let config = dir.join("liner.toml");
    std::fs::write(&config, "[paths]\ndata_dir = \".\"\n").with_context(|| format!("writing {}", config.display()))?;
    let started = Instant::now();
    let child = std::process::Command::new(std::env::current_exe().context("finding liner's own binary")?)
        .arg("transform")
        .env("LINER_CONFIG", &config)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("running liner transform")?;
    let exited = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watch = peak_memory_of(child.id(), exited.clone());
    let out = child.wait_with_output().context("waiting for liner transform");
    exited.store(true, std::sync::atomic::Ordering::Relaxed);
    let out = out?;
    let transform = started.elapsed();
    let transform_peak_bytes = watch.join().unwrap_or(0);
    if !out.status.success() {
        anyhow::bail!("liner transform failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    let cfg = crate::config::load(Some(&config))?;
    let quality = crate::commands::quality::measure(&cfg.warehouse(), &truth)?;
    let db = duckdb::Connection::open(cfg.warehouse())?;
    let count = |sql: &str| -> anyhow::Result<i64> { Ok(db.query_row(sql, [], |r| r.get(0))?) };
    let mut stmt = db.prepare("SELECT name, elapsed_ms FROM meta.models ORDER BY elapsed_ms DESC")?;
    let models = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, Duration::from_millis(r.get::<_, i64>(1)? as u64))))?
        .collect::<Result<Vec<_>, _>>()?;
    export_for_baselines(&db, dir, &truth)?;
    Ok(ScaleBench {
        artists,
        musicbrainz_releases: count("SELECT count(*) FROM staging.musicbrainz_releases")?,
        deezer_albums: count("SELECT count(*) FROM staging.deezer_albums")?,
        responses: responses.into_inner(),
        write,
        transform,
        transform_peak_bytes,
        models,
        quality,
        queued: count("SELECT count(*) FROM canonical.review_queue WHERE entity = 'release'")?,
    })
}

/// The artists whose answers land later: the last ones, until they have `releases`
/// MusicBrainz releases; by their MBIDs (MusicBrainz browses by artist) and their
/// Deezer albums' paths.
struct Held {
    mbids: Vec<String>,
    paths: Vec<String>,
}

fn held_out(c: &liner_sim::Catalog, releases: usize) -> Held {
    let mut held = Held { mbids: Vec::new(), paths: Vec::new() };
    let mut count = 0;
    for a in (0..c.artists.len()).rev() {
        if count >= releases {
            break;
        }
        held.mbids.push(c.artists[a].mbid.clone());
        for (_, r) in c.releases_of(a) {
            count += usize::from(r.musicbrainz.is_some());
            if let Some(d) = &r.deezer {
                held.paths.push(format!("/album/{}", d.id));
            }
        }
    }
    held
}

/// The same response answered anew a day later, with some fields changed: Deezer's
/// fans and label, each MusicBrainz release's disambiguation.
fn refreshed(r: &liner_sim::lake::Response) -> liner_sim::lake::Response {
    let mut again = r.clone();
    if let Ok(mut body) = serde_json::from_str::<serde_json::Value>(&r.body) {
        if let Some(fans) = body.get("fans").and_then(serde_json::Value::as_u64) {
            body["fans"] = (fans + 1).into();
            body["label"] = format!("{} (reissue)", body["label"].as_str().unwrap_or_default()).into();
        }
        if let Some(releases) = body.get_mut("releases").and_then(serde_json::Value::as_array_mut) {
            for release in releases {
                release["disambiguation"] = "refreshed".into();
            }
        }
        again.body = body.to_string();
    }
    again
}

/// The release items of both providers and the true release and recording pairs, as
/// Parquet, for the baseline matchers to read the same input liner linked.
fn export_for_baselines(
    db: &duckdb::Connection,
    dir: &std::path::Path,
    truth: &liner_sim::Truth,
) -> anyhow::Result<()> {
    let path = |name: &str| liner_extract::lake::sql_string(&dir.join(name).to_string_lossy());
    db.execute_batch(&format!(
        "COPY (SELECT i.provider, i.item_id, i.title, m.disambiguation, i.artist, i.gtin, i.year, i.track_count \
         FROM intermediate.release_items i \
         LEFT JOIN staging.musicbrainz_releases m ON i.provider = 'musicbrainz' AND m.release_id = i.item_id \
         WHERE i.provider IN ('musicbrainz', 'deezer') ORDER BY i.provider, i.item_id) TO {} (FORMAT parquet)",
        path("release_items.parquet")
    ))
    .context("writing release_items.parquet")?;
    let mem = duckdb::Connection::open_in_memory()?;
    for (name, pairs) in [("release_truth", &truth.release_pairs), ("track_truth", &truth.track_pairs)] {
        mem.execute_batch(&format!("CREATE TABLE {name} (musicbrainz_id VARCHAR, deezer_id VARCHAR)"))?;
        let mut app = mem.appender(name)?;
        for (mb, dz) in pairs {
            app.append_row(duckdb::params![mb, dz.to_string()])?;
        }
        app.flush()?;
        drop(app);
        mem.execute_batch(&format!("COPY {name} TO {} (FORMAT parquet)", path(&format!("{name}.parquet"))))
            .with_context(|| format!("writing {name}.parquet"))?;
    }
    Ok(())
}

/// The peak resident memory of a running process, in bytes: its high-water mark
/// (`VmHWM`), read every 20 ms until it exits. (The kernel's own count for a child,
/// `ru_maxrss`, would include this process's size at the moment it was spawned.)
fn peak_memory_of(pid: u32, exited: std::sync::Arc<std::sync::atomic::AtomicBool>) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut peak = 0;
        while !exited.load(std::sync::atomic::Ordering::Relaxed)
            && let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status"))
        {
            let hwm = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
            match hwm {
                Some(kb) => peak = peak.max(kb * 1024),
                None => break, // a zombie: it has exited
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        peak
    })
}
