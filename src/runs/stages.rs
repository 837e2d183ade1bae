//! The three stages, wired to the configuration and the state. Each returns its
//! report; printing is the caller's business.

use std::fmt::Write as _;

use anyhow::Context;
use liner_extract::{ExtractJob, ExtractReport, Identifier, Lookup, Provider, ProviderConfig};
use liner_load::TableLoad;
use liner_transform::{BuildOptions, BuildReport, RawSource};

use crate::config::Loaded;
use crate::stored::state::State;

/// What a stage is asked for beyond its defaults.
#[derive(Debug, Clone, Default)]
pub struct StageArgs {
    /// Extract: ask the providers again even for responses the lake holds fresh.
    pub refresh: bool,
    /// Extract: items to look up beyond the followed artists.
    pub lookups: Vec<Lookup>,
    /// Transform: rebuild these models whole (`m`, `m+`, `+m`, `schema.*`).
    pub select: Vec<String>,
    /// Transform: models rebuilt whole weigh with the link model the last build kept,
    /// not one trained again (`--keep-model`).
    pub keep_model: bool,
    /// Extract: only what providers publish for all (charts, new releases).
    pub charts_only: bool,
    /// Extract: these artists instead of the followed ones.
    pub artists: Vec<String>,
    /// Extract: the identifiers alone, no artists and no charts (the enrich step).
    pub identifiers_only: bool,
    /// Enrich: only these requested items (`POST /enrich`), not the ones due again nor
    /// the catalog's gaps.
    pub enrichments: Option<Vec<String>>,
    /// Caps the work: artists an extract syncs, catalog items an enrich step looks up.
    pub max_items: Option<usize>,
    /// Extract: ask anew what landed on this day.
    pub redo_day: Option<chrono::NaiveDate>,
    /// Extract: resources to ask anew even when fresh in the lake.
    pub refresh_resources: Vec<String>,
    /// Load: only these of the configured tables (`canonical.releases` or `releases`).
    pub tables: Vec<String>,
    /// Set (by a signal) to stop: an extract lets the requests in flight land and sends
    /// no more; no further stage starts.
    pub cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// Barcodes and ISRCs from the command line, checked.
pub fn identifiers(upcs: &[String], isrcs: &[String]) -> anyhow::Result<Vec<Identifier>> {
    let mut out = Vec::new();
    for u in upcs {
        let g = liner_transform::normalize::gtin14(u)
            .with_context(|| format!("--upc {u:?}: not a barcode (8 to 14 digits with a valid check digit)"))?;
        out.push(Identifier::Gtin(g));
    }
    for i in isrcs {
        let n = liner_transform::normalize::isrc(i)
            .with_context(|| format!("--isrc {i:?}: not an ISRC (CC-XXX-YY-NNNNN, 12 characters)"))?;
        out.push(Identifier::Isrc(n));
    }
    Ok(out)
}

/// `--album ARTIST TITLE` and `--track ARTIST TITLE` pairs from the command line.
pub fn titles(albums: &[String], tracks: &[String]) -> anyhow::Result<Vec<Identifier>> {
    let pairs = |values: &[String], flag: &str| -> anyhow::Result<Vec<(String, String)>> {
        values
            .chunks(2)
            .map(|c| match c {
                [a, t] if !a.trim().is_empty() && !t.trim().is_empty() => {
                    Ok((a.trim().to_string(), t.trim().to_string()))
                }
                _ => anyhow::bail!("--{flag} wants an artist and a title, both not empty: {c:?}"),
            })
            .collect()
    };
    let mut out: Vec<Identifier> =
        pairs(albums, "album")?.into_iter().map(|(artist, title)| Identifier::Album { artist, title }).collect();
    out.extend(pairs(tracks, "track")?.into_iter().map(|(artist, title)| Identifier::Track { artist, title }));
    Ok(out)
}

pub async fn extract(
    cfg: &Loaded,
    state: &State,
    only: Option<Provider>,
    args: &StageArgs,
    run_id: &str,
) -> anyhow::Result<ExtractReport> {
    let artists = if args.charts_only || args.identifiers_only {
        Vec::new()
    } else if !args.artists.is_empty() {
        args.artists.clone()
    } else {
        state.follows()?
    };
    let artists: Vec<String> = artists.into_iter().take(args.max_items.unwrap_or(usize::MAX)).collect();
    if artists.is_empty() && args.lookups.is_empty() && !args.charts_only {
        anyhow::bail!("no artists are followed: add one with `liner follow \"<artist>\"`");
    }
    let providers: Vec<_> = cfg.providers().into_iter().filter(|(p, _)| only.is_none_or(|o| o == *p)).collect();
    // A provider that asked for hours of quiet (Spotify's quota) is left alone until then.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let holds = state.provider_holds(&now)?;
    let (held, providers): (Vec<_>, Vec<_>) =
        providers.into_iter().partition(|(p, _)| holds.iter().any(|(h, _, _)| h == p.name()));
    let skipped = |report: &mut ExtractReport| {
        for (p, _) in &held {
            let (_, until, reason) = holds.iter().find(|(h, _, _)| h == p.name()).expect("held");
            report.providers.push(liner_extract::ProviderReport {
                provider: p.name(),
                breaker: "closed".into(),
                quota_spent: Some(format!("skipped: not asked before {until} ({reason})")),
                ..Default::default()
            });
        }
    };
    if providers.is_empty() && !held.is_empty() {
        let mut report = ExtractReport::default();
        skipped(&mut report);
        record_enrichment_answers(state, &args.lookups, &report, &holds)?;
        return Ok(report);
    }
    if providers.is_empty() {
        anyhow::bail!(
            "no enabled provider to extract from{}",
            only.map(|p| format!(" (is {} disabled?)", p.name())).unwrap_or_default()
        );
    }
    let on_answer = crate::runs::progress::extraction(&expected_answers(cfg, &providers)?);
    // One connection to state for the quota ledger and the refresh tokens.
    let ledger = std::sync::Arc::new(crate::stored::state::StateLedger::open(&cfg.state_db())?);
    let job = ExtractJob {
        run_id: run_id.to_string(),
        lake_root: cfg.lake_root(),
        providers,
        artists,
        cache: cfg.config.cache,
        refresh: args.refresh,
        lookups: args.lookups.clone(),
        cancel: args.cancel.clone(),
        refresh_resources: args.refresh_resources.clone(),
        lists: !args.identifiers_only,
        musicbrainz_ids: state.musicbrainz_ids()?,
        on_answer,
        redo_day: args.redo_day,
        ledger: Some(ledger.clone()),
        tokens: Some(ledger),
        resumes: state.resume_interrupted(run_id, cfg.config.cache.metadata_hours)?,
    };
    let mut report = liner_extract::run(job).await?;
    for p in &report.providers {
        state.record_failures(run_id, p.provider, &p.failures)?;
        state.resolve_failures(p.provider, &p.landed)?;
        if let Some(until) = p.retry_at {
            let until = until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            state.hold_provider(p.provider, &until, p.quota_spent.as_deref().unwrap_or("Retry-After"), run_id)?;
        }
    }
    skipped(&mut report);
    record_enrichment_answers(state, &args.lookups, &report, &holds)?;
    Ok(report)
}

/// Each requested item's answers, provider by provider, for its status: a provider
/// held back (its Retry-After) failed it, to be asked again.
fn record_enrichment_answers(
    state: &State,
    lookups: &[Lookup],
    report: &ExtractReport,
    holds: &[(String, String, String)],
) -> anyhow::Result<()> {
    use std::collections::BTreeMap;
    let mut answers: BTreeMap<&str, BTreeMap<String, crate::runs::enrich::Answer>> =
        lookups.iter().filter_map(|l| l.key.as_deref()).map(|k| (k, BTreeMap::new())).collect();
    for p in &report.providers {
        for (key, outcome) in &p.lookups {
            if let Some(a) = answers.get_mut(key.as_str()) {
                a.insert(p.provider.to_string(), outcome.into());
            }
        }
        if let Some((_, until, reason)) = holds.iter().find(|(h, _, _)| h == p.provider) {
            let held = liner_extract::Outcome::Failed(format!("not asked before {until} ({reason})"));
            for a in answers.values_mut() {
                a.insert(p.provider.to_string(), (&held).into());
            }
        }
    }
    for (key, a) in &answers {
        state.record_enrichment_answers(key, a)?;
    }
    Ok(())
}

/// Why a full build was asked for, as the build says it.
pub const FULL_ASKED: &str = "asked for (`liner transform --full`, or a schedule's `transform:full`)";

pub fn transform(
    cfg: &Loaded,
    run_id: &str,
    select: &[String],
    full: bool,
    keep_model: bool,
) -> anyhow::Result<BuildReport> {
    let state = State::open(&cfg.state_db())?;
    let resumed = state.resume_interrupted(run_id, cfg.config.cache.metadata_hours)?;
    let mut opts = build_options(cfg, run_id, select, full, Some(&state))?;
    opts.coverage_history.retain(|c| !resumed.contains(&c.run_id));
    opts.keep_model = keep_model;
    opts.on_model = crate::runs::progress::transform();
    let report = liner_transform::build(&opts)?;
    if report.models.iter().any(|m| m.name == "marts.coverage") {
        state.record_coverage(&liner_transform::coverage_of(&report.warehouse, run_id)?, &resumed)?;
    }
    Ok(report)
}

/// What a build of this project reads: the models, the lake, and from state (when
/// there is one) people's decisions, the follows and earlier builds' coverage.
pub fn build_options(
    cfg: &Loaded,
    run_id: &str,
    select: &[String],
    full: bool,
    state: Option<&State>,
) -> anyhow::Result<BuildOptions> {
    Ok(BuildOptions {
        models: cfg.models(),
        lake_root: cfg.lake_root(),
        warehouse: cfg.warehouse(),
        sources: raw_sources(),
        raw_columns: raw_columns(),
        run_id: run_id.to_string(),
        // People's decisions win on every rebuild.
        review_decisions: state.map(State::review_decisions).transpose()?.unwrap_or_default(),
        select: select.to_vec(),
        full: full.then(|| FULL_ASKED.to_string()),
        keep_model: false,
        follows: state.map(State::follows).transpose()?.unwrap_or_default(),
        coverage_history: state.map(State::coverage_history).transpose()?.unwrap_or_default(),
        on_model: None,
    })
}

/// What each provider answered last time, as the lake holds it: the size of its bar.
fn expected_answers(cfg: &Loaded, providers: &[(Provider, ProviderConfig)]) -> anyhow::Result<Vec<(Provider, u64)>> {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return Ok(Vec::new());
    }
    let cache = liner_extract::cache::LakeCache::load(&cfg.lake_root(), cfg.config.cache)?;
    let now = chrono::Utc::now();
    Ok(providers
        .iter()
        .map(|(p, _)| {
            let (fresh, stale) = cache.freshness(*p, now);
            (*p, (fresh + stale) as u64)
        })
        .collect())
}

/// The enrich step's work: catalog items that a main catalog lacks (the registered
/// providers that say they list nearly everything), newest first, up to `max` (half
/// releases, half tracks), each
/// to be looked up by its strongest evidence first: barcode or ISRC where the catalog
/// has one, then artist and title. The lake caches the answers, so an item no
/// provider has is not asked for again until its empty answers age out.
pub fn enrichment(cfg: &Loaded, max: usize) -> anyhow::Result<Vec<Lookup>> {
    let warehouse = cfg.warehouse();
    let db = crate::stored::queries::open(&warehouse)?;
    let catalogs: Vec<&str> = Provider::ALL.iter().filter(|p| p.is_main_catalog()).map(|p| p.name()).collect();
    let releases = crate::stored::queries::unlisted_releases(&db, &catalogs, max.div_ceil(2))?;
    let tracks = crate::stored::queries::unlisted_tracks(&db, &catalogs, max / 2)?;
    let mut out = Vec::new();
    for u in releases {
        let mut ways: Vec<Identifier> = u.code.map(Identifier::Gtin).into_iter().collect();
        ways.push(Identifier::Album { artist: u.artist, title: u.title });
        out.push(Lookup { key: None, ways });
    }
    for u in tracks {
        let mut ways: Vec<Identifier> = u.code.map(Identifier::Isrc).into_iter().collect();
        ways.push(Identifier::Track { artist: u.artist, title: u.title });
        out.push(Lookup { key: None, ways });
    }
    Ok(out)
}

/// Every resource liner-extract can land, as the raw views liner-transform creates.
pub fn raw_sources() -> Vec<RawSource> {
    liner_extract::resources()
        .into_iter()
        .map(|r| RawSource {
            provider: r.provider.to_string(),
            resource: r.name.to_string(),
            errors_in_answers: liner_extract::Provider::named(r.provider).errors_in_answers(),
            template: r.template.to_string(),
        })
        .collect()
}

/// The lake's columns as liner-extract writes them, for liner-transform to read.
pub fn raw_columns() -> Vec<(String, String)> {
    liner_extract::lake::RAW_COLUMNS.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect()
}

/// The tables a load writes: the configured ones, or of them only `only`.
pub fn load_tables(cfg: &Loaded, only: &[String]) -> anyhow::Result<Vec<String>> {
    let configured = &cfg.config.load.tables;
    let mut tables = Vec::new();
    for t in only {
        let found = configured.iter().find(|c| *c == t || c.rsplit('.').next() == Some(t.as_str()));
        match found {
            Some(c) => tables.push(c.clone()),
            None => anyhow::bail!("--table {t}: not a table the load writes (load.tables: {})", configured.join(", ")),
        }
    }
    Ok(if tables.is_empty() { configured.clone() } else { tables })
}

/// Loads the configured tables, or of them only `only`, in one transaction.
pub async fn load(cfg: &Loaded, only: &[String]) -> anyhow::Result<Vec<TableLoad>> {
    let target = cfg.load_target()?;
    let mode = cfg.load_mode()?;
    let tables = load_tables(cfg, only)?;
    liner_load::load(&cfg.warehouse(), &target, &tables, mode).await
}

pub fn describe_extract(r: &ExtractReport) -> String {
    let mut s = String::new();
    for p in &r.providers {
        let _ = writeln!(
            s,
            "{:<12} {:>5} requests ({} sent with retries)  {:>5} responses landed  {:>3} failed  {:>5} from the lake  breaker {}",
            p.provider,
            p.requests,
            p.attempts,
            p.responses,
            p.failures.len(),
            p.cache_hits,
            p.breaker
        );
        for f in p.failures.iter().take(5) {
            let _ = writeln!(s, "             failed: {f}");
        }
        if p.failures.len() > 5 {
            let _ = writeln!(s, "             ... and {} more", p.failures.len() - 5);
        }
        if let Some(q) = &p.quota_spent {
            let _ = writeln!(s, "             {q}");
        }
        for n in &p.notes {
            let _ = writeln!(s, "             note: {n}");
        }
        for a in &p.unmatched {
            let _ = writeln!(s, "             no match for {a:?}");
        }
    }
    s
}

pub fn describe_transform(r: &BuildReport) -> String {
    let mut s = format!("{}\n", r.kind);
    for m in &r.models {
        let _ = writeln!(s, "{:<40} {:>8} rows  {:>6} ms", m.name, m.rows, m.elapsed.as_millis());
    }
    s
}

pub fn describe_load(loads: &[TableLoad]) -> String {
    let mut s = String::new();
    for t in loads {
        let _ = write!(
            s,
            "{:<20} {:>7} inserted {:>7} updated {:>7} deleted {:>7} unchanged",
            t.table, t.inserted, t.updated, t.deleted, t.unchanged
        );
        match t.partitions {
            // Only the rows of what the builds since the last load made again were read.
            Some(n) => {
                let _ = writeln!(s, "  (read: the {n} partitions or keys changed since the last load)");
            }
            None => s.push('\n'),
        }
    }
    let added: Vec<String> =
        loads.iter().filter(|t| t.inserted > 0).map(|t| format!("{} {}", t.table, t.inserted)).collect();
    if loads.iter().all(|t| t.changed() == 0) {
        s.push_str("nothing changed: the app database was already up to date\n");
    } else if loads.iter().all(|t| t.updated == 0 && t.deleted == 0) {
        // History (chart snapshots, coverage by build) grows run after run by design.
        let _ = writeln!(s, "nothing already loaded changed; new rows only: {}", added.join(", "));
    }
    s
}
