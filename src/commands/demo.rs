//! `liner demo`: the whole pipeline against the simulator, into the embedded default,
//! on a machine with no network.

use std::path::{Path, PathBuf};

use anyhow::Context;
use liner_extract::auth::AuthConfig;
use liner_extract::secret::Secret;
use liner_sim::apple_music::{AppleKey, DEMO_P8};
use liner_sim::{Credentials, Sim, SimConfig};

use crate::commands::quality;
use crate::config::{Config, Loaded};
use crate::runs::stages;
use crate::stored::state::{State, new_run_id};

pub struct DemoOptions {
    pub data_dir: PathBuf,
    pub artists: usize,
    pub seed: u64,
}

/// Artists of the simulated catalog to follow: the first ones whose names are unique
/// (a homonym would make the demo's point about linking, not about following).
pub fn pick_artists(sim: &Sim, n: usize) -> Vec<String> {
    let artists = &sim.catalog().artists;
    artists
        .iter()
        .filter(|a| artists.iter().filter(|b| b.name.eq_ignore_ascii_case(&a.name)).count() == 1)
        .take(n)
        .map(|a| a.name.clone())
        .collect()
}

/// The demo's stand-in credentials: the simulator issues tokens for these, and takes
/// any other token or key.
const DEMO_CLIENT_ID: &str = "liner-demo";
const DEMO_CLIENT_SECRET: &str = "liner-demo-secret";
const DEMO_TOKEN: &str = "liner-demo";

/// The simulator the demo and the benchmarks run against: every provider, with the
/// credentials `config_for` uses.
pub fn sim_config(seed: u64, artists: usize) -> SimConfig {
    SimConfig {
        seed,
        artists,
        auth: Some(liner_sim::AuthConfig {
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: DEMO_CLIENT_SECRET.into(),
            token_ttl: std::time::Duration::from_secs(3600),
            providers: Sim::client_credentials_providers(),
        }),
        apple_key: Some(AppleKey::demo()),
        ..SimConfig::default()
    }
}

/// A configuration that points every provider at the simulator, each enabled with
/// the credentials the simulator asks of it (the Apple key is written into `data_dir`)
/// and the options the demo sets.
pub fn config_for(sim: &Sim, data_dir: PathBuf) -> anyhow::Result<Loaded> {
    let mut config = Config::default();
    config.paths.data_dir = data_dir.clone();
    config.load.target = data_dir.join("app.sqlite").to_string_lossy().into_owned();
    let user_agent = format!("liner-demo/{} ( https://example.invalid/liner-demo )", env!("CARGO_PKG_VERSION"));
    for (name, provider) in config.providers.iter_mut() {
        provider.base_url = sim.base_url(name);
        provider.enabled = true;
        provider.user_agent = Some(user_agent.clone());
        let client = Sim::client(name).with_context(|| format!("the simulator serves no {name}"))?;
        if let Some(auth) = demo_auth(sim, client.credentials, &data_dir)? {
            provider.auth = auth;
        }
        for (option, value) in client.demo_options {
            let value = serde_json::from_str(value)
                .with_context(|| format!("the simulator's demo option {name}.{option} = {value}"))?;
            provider.options.insert(option.to_string(), value);
        }
    }
    Ok(Loaded { config, file: None, root: PathBuf::from(".") })
}

/// liner's settings for what the simulator asks of a client.
fn demo_auth(sim: &Sim, credentials: Credentials, data_dir: &Path) -> anyhow::Result<Option<AuthConfig>> {
    Ok(Some(match credentials {
        Credentials::None => return Ok(None),
        Credentials::ClientCredentials => AuthConfig::ClientCredentials {
            token_url: sim.token_url(),
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: Secret::new(DEMO_CLIENT_SECRET),
        },
        Credentials::Bearer => AuthConfig::Bearer { token: Secret::new(DEMO_TOKEN) },
        Credentials::QueryKey(param) => AuthConfig::Query { param: param.into(), value: Secret::new(DEMO_TOKEN) },
        Credentials::Header(name, prefix) => {
            AuthConfig::Header { name: name.into(), value: Secret::new(&format!("{prefix}{DEMO_TOKEN}")) }
        }
        Credentials::AppleDeveloperToken => {
            std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
            let key = data_dir.join("demo-AuthKey.p8");
            std::fs::write(&key, DEMO_P8).with_context(|| format!("writing {}", key.display()))?;
            let demo = AppleKey::demo();
            AuthConfig::AppleDeveloperToken {
                team_id: demo.team_id,
                key_id: demo.key_id,
                private_key_path: key,
                token_seconds: 3600,
            }
        }
    }))
}

pub async fn run(opts: DemoOptions) -> anyhow::Result<()> {
    let _writer = crate::runs::writer_lock::acquire(&opts.data_dir, "liner demo", true)?;
    let sim = Sim::start(sim_config(opts.seed, SimConfig::default().artists)).context("starting the simulator")?;
    let cfg = config_for(&sim, opts.data_dir.clone())?;
    let names: Vec<&str> = cfg.providers().iter().map(|(p, _)| p.name()).collect();
    println!(
        "simulator: {} on http://{} (seed {}, {} releases)",
        names.join(", "),
        sim.addr(),
        opts.seed,
        sim.catalog().releases.len()
    );
    let state = State::open(&cfg.state_db())?;
    let artists = pick_artists(&sim, opts.artists);
    for a in &artists {
        state.follow(a)?;
    }
    println!("following: {}", artists.join(", "));

    let run_id = new_run_id();
    state.start_run(&run_id, "demo")?;
    println!("\n== extract (MusicBrainz at 1 request/s, as the real one allows)");
    let extracted = stages::extract(&cfg, &state, None, &Default::default(), &run_id).await?;
    print!("{}", stages::describe_extract(&extracted));
    println!("\n== transform");
    let built = stages::transform(&cfg, &run_id, &[], false, false)?;
    print!("{}", stages::describe_transform(&built));
    println!("\n== load");
    let loaded = stages::load(&cfg, &[]).await?;
    print!("{}", stages::describe_load(&loaded));

    let q = quality::measure(&cfg.warehouse(), &sim.catalog().truth())?;
    println!("\n== MusicBrainz-Deezer links against the simulator's ground truth");
    println!("releases, exact (GTIN, url-rels):  {}", q.releases_exact);
    println!("releases, exact and fuzzy:         {}", q.releases);
    println!("recordings, exact (ISRC):          {}", q.tracks_exact);
    println!("recordings, exact and fuzzy:       {}", q.tracks);
    state.finish_run(
        &run_id,
        "ok",
        &format!("{{\"release_links\": {}, \"track_links\": {}}}", q.releases.found, q.tracks.found),
    )?;

    let wh = cfg.warehouse();
    println!("\n== coming up (marts.upcoming_releases, with every provider's Listen link)");
    let upcoming = crate::stored::queries::upcoming_releases(&crate::stored::queries::open(&wh)?, None, 20, 0)?;
    if upcoming.is_empty() {
        println!("nothing announced by the followed artists");
    }
    for u in &upcoming {
        let flag = if u.prerelease { "  (pre-release)" } else { "" };
        println!("{}  {}: {}{flag}", u.release_date.as_deref().unwrap_or("?"), u.followed_artist, u.title);
        for l in &u.listen {
            println!("    {:<12} {}", l.provider, l.url);
        }
    }
    println!("\n== files");
    println!("raw lake    {}", cfg.lake_root().display());
    println!("warehouse   {}", wh.display());
    println!("app db      {}", cfg.load_target()?);
    println!("state       {}", cfg.state_db().display());
    println!("\nOpen the warehouse with DuckDB 2.x (read-only, so a run can replace it meanwhile):");
    println!(
        "  duckdb -readonly {} \"select entity, method, count(*) from canonical.links group by all\"",
        wh.display()
    );
    println!(
        "  python -c \"import duckdb; print(duckdb.connect('{}', read_only=True).sql('from canonical.releases limit 5'))\"",
        wh.display()
    );
    if let Some(u) = upcoming.first() {
        println!(
            "\nWith `liner serve` on a data folder, an app reads the same catalog over HTTP (README, liner serve):"
        );
        let release = format!("GET /releases/{}", u.release_id);
        for (ask, what) in [
            (release.as_str(), "that release, with every provider's Listen link"),
            ("GET /links?isrc=CODE", "the same track on every provider (or ?upc=, ?provider=&id=)"),
            ("GET /tracks/ID", "tempo, key and Camelot code, each with its source"),
            ("GET /trending", "the newest charts at once, refreshed when older than 6 h"),
            ("POST /enrich {artist, title, isrc?}", "find an item on every provider that can; a run id back"),
            ("GET /enrich/ID", "how that went: status, tries, each provider's answer"),
        ] {
            println!("  {ask:<36} {what}");
        }
    }
    Ok(())
}
