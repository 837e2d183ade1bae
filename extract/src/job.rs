//! An extract run: the followed artists, synced from each chosen provider at once,
//! every response landed as it arrives.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use chrono::Utc;
use serde_json::Value;
use tracing::{info, warn};

use crate::cache::{CacheConfig, Cached, LakeCache, Ttl};
use crate::config::ProviderConfig;
use crate::http::{Fetched, HttpStack};
use crate::lake::LakeWriter;
use crate::lookup::{Lookup, Outcome};
use crate::providers::Provider;
use crate::quota::Ledger;
use crate::request::Request;

pub struct ExtractJob {
    pub run_id: String,
    pub lake_root: PathBuf,
    pub providers: Vec<(Provider, ProviderConfig)>,
    pub artists: Vec<String>,
    pub cache: CacheConfig,
    /// Ask the providers again even for what the lake holds fresh.
    pub refresh: bool,
    /// Where daily quotas are counted (across runs and processes).
    pub ledger: Option<Ledger>,
    /// Where renewed refresh tokens are kept between runs (state.sqlite).
    pub tokens: Option<crate::auth::Tokens>,
    /// Releases and recordings to look up, whoever they are by.
    pub lookups: Vec<Lookup>,
    /// Set to stop: requests in flight finish and land, no new ones are sent.
    pub cancel: Arc<AtomicBool>,
    /// Resources asked anew even when the lake holds them fresh (a rerun of one
    /// resource); what leads to them is still served from the lake.
    pub refresh_resources: Vec<String>,
    /// Whether each provider's run-level lists (charts, new releases) are fetched too.
    pub lists: bool,
    /// The MusicBrainz artist chosen when a name was followed: no search, no guess
    /// between homonyms.
    pub musicbrainz_ids: std::collections::BTreeMap<String, String>,
    /// Told of every answer as it comes (for progress bars).
    pub on_answer: Option<OnAnswer>,
    /// Responses landed on this day (UTC) are asked again: a day's bad answers redone.
    pub redo_day: Option<chrono::NaiveDate>,
    /// Runs this one continues, stopped before they finished: what they landed counts
    /// as landed by this run, charts included (which a new run asks anew).
    pub resumes: Vec<String>,
}

/// How a request was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Sent,
    FromLake,
    Failed,
}

/// Called with the provider and how each request was answered.
pub type OnAnswer = Arc<dyn Fn(&'static str, Answer) + Send + Sync>;

/// A request that got no usable answer, kept so the next run asks again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub resource: &'static str,
    pub request_key: String,
    pub reason: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.request_key, self.reason)
    }
}

/// What one provider did in a run. Every request sent either landed a response or
/// failed: `requests == responses + failures.len()`. Cache hits were not sent.
#[derive(Debug, Clone, Default)]
pub struct ProviderReport {
    pub provider: &'static str,
    /// Requests made (each may take several attempts).
    pub requests: u64,
    /// Requests answered from the lake, not sent.
    pub cache_hits: u64,
    /// HTTP requests sent, retries included.
    pub attempts: u64,
    /// Responses landed in the lake.
    pub responses: u64,
    /// The keys of the responses landed.
    pub landed: Vec<String>,
    /// Requests that failed for good, with the reason.
    pub failures: Vec<Failure>,
    /// Followed artists the provider has no match for.
    pub unmatched: Vec<String>,
    /// The circuit breaker at the end of the run.
    pub breaker: String,
    /// Why the provider's steps stopped early, when its daily quota ran out or it
    /// asked to be left alone for longer than the run waits.
    pub quota_spent: Option<String>,
    /// Not to be asked again before then (a Retry-After beyond the run's patience).
    pub retry_at: Option<chrono::DateTime<Utc>>,
    /// Things the user should know, each said once (an endpoint this app may not use).
    pub notes: Vec<String>,
    /// What came of each keyed lookup (an enrichment's), by its key.
    pub lookups: Vec<(String, Outcome)>,
}

#[derive(Debug, Clone, Default)]
pub struct ExtractReport {
    pub providers: Vec<ProviderReport>,
    pub files: Vec<PathBuf>,
}

/// Where an artist search keeps its hits, and where a hit keeps the artist's name and id
/// (JSON pointers: Deezer's `/data`, `/name`, `/id`).
#[derive(Debug, Clone, Copy)]
pub struct ArtistHits {
    pub hits: &'static str,
    pub name: &'static str,
    pub id: &'static str,
}

/// What a provider's sync code talks to: its HTTP stack, the lake, and the cache.
pub struct Fetcher<'a> {
    provider: Provider,
    http: HttpStack,
    lake: &'a Mutex<LakeWriter>,
    cache: Option<&'a LakeCache>,
    report: Mutex<ProviderReport>,
    /// Set when the daily quota is spent: the rest of this provider's steps are skipped.
    stopped: std::sync::atomic::AtomicBool,
    /// The job's own stop (a signal): every provider stops asking.
    cancel: Arc<AtomicBool>,
    refresh_resources: Vec<String>,
    musicbrainz_ids: std::collections::BTreeMap<String, String>,
    on_answer: Option<OnAnswer>,
    redo_day: Option<chrono::NaiveDate>,
}

impl<'a> Fetcher<'a> {
    fn answered(&self, how: Answer) {
        if let Some(f) = &self.on_answer {
            f(self.provider.name(), how);
        }
    }

    /// The MusicBrainz id chosen for a followed artist, if one was.
    pub fn known_musicbrainz_id(&self, artist: &str) -> Option<&str> {
        self.musicbrainz_ids.get(artist).map(String::as_str)
    }

    pub fn page_size(&self) -> u32 {
        self.http.page_size()
    }

    /// A request of this provider's resource `name` at its template, to fill with
    /// [`Request::arg`]. A name the provider does not declare is a bug in its module.
    pub fn request(&self, name: &str) -> Request {
        let resource = self.provider.resource(name);
        Request::of(resource.unwrap_or_else(|| panic!("{} declares no resource {name:?}", self.provider.name())))
    }

    /// Sends the request, lands the response, and returns its JSON when the provider
    /// answered with data. Failures are recorded in the report, never dropped.
    pub async fn fetch(&self, request: Request) -> Option<Value> {
        match self.answer(request).await? {
            (200, body) => body,
            _ => None,
        }
    }

    /// A page of a listing: its JSON when the provider answered with one, `None` at a
    /// 404 (nothing there). Any other refusal (a 400 for a parameter the provider does
    /// not take) is a failure the run reports, not the end of the listing: the pages
    /// after it were never seen.
    pub async fn fetch_page(&self, request: Request) -> Option<Value> {
        let (resource, key) = (request.resource, request.key());
        match self.answer(request).await? {
            (200, body) => body,
            (404, _) => None,
            (status, body) => {
                let said = body.as_ref().and_then(|b| self.provider.error_in_body(b));
                let reason = format!(
                    "HTTP {status} for a page of {resource}{}: the pages after it were not fetched",
                    said.map(|s| format!(" ({s})")).unwrap_or_default()
                );
                warn!(provider = self.http.provider(), "{key}: {reason}");
                self.report.lock().expect("report lock").failures.push(Failure { resource, request_key: key, reason });
                None
            }
        }
    }

    /// The pages of a list that starts at `first` (see `paging`).
    pub fn pages(&self, first: Request) -> crate::paging::Pages<'_, 'a> {
        let paging = self.provider.resource(first.resource).and_then(|r| r.paging);
        let paging =
            paging.unwrap_or_else(|| panic!("{}.{} is not declared as paged", self.provider.name(), first.resource));
        crate::paging::Pages::new(self, first, paging)
    }

    /// Like `fetch`, for callers that read the status of an answer such as 403 or 404:
    /// the status and, when the body is JSON, the body. `None` when nothing landed.
    pub async fn answer(&self, request: Request) -> Option<(u16, Option<Value>)> {
        if self.stopped.load(std::sync::atomic::Ordering::Relaxed) || self.cancel.load(Ordering::Relaxed) {
            return None;
        }
        if let Some(hit) = self.cached(&request) {
            metrics::counter!("liner_cache_total", "provider" => self.provider.name(), "result" => "hit").increment(1);
            self.report.lock().expect("report lock").cache_hits += 1;
            self.answered(Answer::FromLake);
            return Some((hit.status, serde_json::from_str(&hit.body).ok()));
        }
        match self.lake.lock().expect("lake lock").find(self.provider.name(), &request.key()) {
            Ok(Some((status, body))) => {
                metrics::counter!("liner_cache_total", "provider" => self.provider.name(), "result" => "hit")
                    .increment(1);
                self.report.lock().expect("report lock").cache_hits += 1;
                self.answered(Answer::FromLake);
                return Some((status, serde_json::from_str(&body).ok()));
            }
            Ok(None) => {}
            Err(e) => warn!(provider = self.provider.name(), "{e:#}; asking the provider instead"),
        }
        metrics::counter!("liner_cache_total", "provider" => self.provider.name(), "result" => "miss").increment(1);
        self.report.lock().expect("report lock").requests += 1;
        match self.http.get(&request).await {
            Ok(fetched) => {
                self.report.lock().expect("report lock").attempts += fetched.attempts as u64;
                let status = fetched.status;
                let parsed = serde_json::from_str::<Value>(&fetched.body).ok();
                self.land(fetched, request.resource).then_some((status, parsed))
            }
            Err(e) => {
                if e.quota_spent || e.retry_at.is_some() {
                    self.stopped.store(true, std::sync::atomic::Ordering::Relaxed);
                    let mut report = self.report.lock().expect("report lock");
                    report.quota_spent = Some(e.reason.clone());
                    report.retry_at = report.retry_at.max(e.retry_at);
                }
                self.report.lock().expect("report lock").attempts += e.attempts as u64;
                self.failed(request.resource, e.request_key, e.reason);
                None
            }
        }
    }

    fn cached(&self, request: &Request) -> Option<Cached> {
        let cache = self.cache?;
        if self.refresh_resources.iter().any(|r| r == request.resource) {
            return None;
        }
        if let Some(day) = self.redo_day
            && cache.landed_at(self.provider.name(), &request.key()).is_some_and(|t| t.date_naive() == day)
        {
            return None;
        }
        let ttl = self.provider.resource(request.resource).map_or(Ttl::Metadata, |r| r.ttl);
        match cache.get(self.provider.name(), &request.key(), ttl, Utc::now()) {
            Ok(hit) => hit,
            Err(e) => {
                warn!(provider = self.provider.name(), "{e:#}; asking the provider instead");
                None
            }
        }
    }

    /// Whether the response landed.
    fn land(&self, fetched: Fetched, resource: &'static str) -> bool {
        let key = fetched.request_key.clone();
        match self.lake.lock().expect("lake lock").land(fetched) {
            Ok(()) => {
                metrics::counter!("liner_rows_landed_total", "provider" => self.provider.name(), "resource" => resource)
                    .increment(1);
                let mut r = self.report.lock().expect("report lock");
                r.responses += 1;
                r.landed.push(key);
                drop(r);
                self.answered(Answer::Sent);
                true
            }
            Err(e) => {
                self.failed(resource, key, format!("could not land the response: {e:#}"));
                false
            }
        }
    }

    /// Tells the user something once per run, however often it happens.
    pub fn note(&self, message: String) {
        let mut r = self.report.lock().expect("report lock");
        if !r.notes.contains(&message) {
            warn!(provider = self.http.provider(), "{message}");
            r.notes.push(message);
        }
    }

    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// This provider's typed `options`, checked when the configuration was (a bad one
    /// stops the run before it starts), so here they parse or take their defaults.
    pub fn options<T: serde::de::DeserializeOwned + Default>(&self) -> T {
        self.config().options(self.provider.name()).unwrap_or_default()
    }

    /// The provider's settings.
    pub fn config(&self) -> &ProviderConfig {
        self.http.config()
    }

    pub(crate) fn failure_count(&self) -> usize {
        self.report.lock().expect("report lock").failures.len()
    }

    /// The first failure recorded after the first `count`, with what was asked.
    pub(crate) fn failure_since(&self, count: usize) -> Option<String> {
        self.report.lock().expect("report lock").failures.get(count).map(|f| f.to_string())
    }

    /// Why this provider asks nothing more in this run, if it does not.
    pub(crate) fn stopped_why(&self) -> Option<String> {
        if self.cancel.load(Ordering::Relaxed) {
            return Some("the run was stopped".into());
        }
        if !self.stopped.load(Ordering::Relaxed) {
            return None;
        }
        let spent = self.report.lock().expect("report lock").quota_spent.clone();
        Some(spent.unwrap_or_else(|| "the provider's quota is spent".into()))
    }

    fn failed(&self, resource: &'static str, request_key: String, reason: String) {
        warn!(provider = self.http.provider(), "{request_key}: {reason}");
        self.report.lock().expect("report lock").failures.push(Failure { resource, request_key, reason });
        self.answered(Answer::Failed);
    }

    /// The id of the first hit of an artist search that `is_artist` takes for the
    /// artist, or `None` with the artist reported unmatched (`None` alone when the search
    /// did not land). `hits`, `name` and `id` are where the answer keeps them.
    pub async fn find_artist(
        &self,
        artist: &str,
        search: Request,
        hits: ArtistHits,
        is_artist: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let body = self.fetch(search).await?;
        let found = body
            .pointer(hits.hits)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|hit| hit.pointer(hits.name).and_then(Value::as_str).is_some_and(&is_artist))
            .and_then(|hit| match hit.pointer(hits.id)? {
                Value::String(id) => Some(id.clone()),
                Value::Number(id) => Some(id.to_string()),
                _ => None,
            });
        if found.is_none() {
            self.unmatched(artist);
        }
        found
    }

    pub fn unmatched(&self, artist: &str) {
        warn!(provider = self.http.provider(), "no match for the followed artist {artist:?}");
        self.report.lock().expect("report lock").unmatched.push(artist.to_string());
    }
}

/// Syncs every followed artist from every provider in the job, providers side by side.
pub async fn run(job: ExtractJob) -> anyhow::Result<ExtractReport> {
    let cache =
        if job.refresh { None } else { Some(LakeCache::load(&job.lake_root, job.cache)?.resuming(&job.resumes)) };
    let lake = Mutex::new(LakeWriter::new(&job.lake_root, &job.run_id)?);
    let mut fetchers = Vec::new();
    for (provider, config) in &job.providers {
        let problems = provider.problems(config);
        if !problems.is_empty() {
            anyhow::bail!("invalid provider settings:\n  {}", problems.join("\n  "));
        }
        let http = HttpStack::new(provider.name(), config, provider.body_check())?
            .with_ledger(job.ledger.clone())
            .with_tokens(job.tokens.clone());
        let report = ProviderReport { provider: provider.name(), ..Default::default() };
        let fetcher = Fetcher {
            provider: *provider,
            http,
            lake: &lake,
            cache: cache.as_ref(),
            report: Mutex::new(report),
            stopped: Default::default(),
            cancel: job.cancel.clone(),
            refresh_resources: job.refresh_resources.clone(),
            musicbrainz_ids: job.musicbrainz_ids.clone(),
            on_answer: job.on_answer.clone(),
            redo_day: job.redo_day,
        };
        fetchers.push((*provider, fetcher));
    }
    let artists = &job.artists;
    let lookups = &job.lookups;
    let lists = job.lists;
    let syncs = fetchers.iter().map(|(provider, fetcher)| async move {
        if lists {
            provider.sync_run(fetcher).await;
        }
        for artist in artists {
            info!(provider = provider.name(), artist = %artist, "syncing");
            provider.sync_artist(fetcher, artist).await;
        }
        for lookup in lookups {
            let outcome = crate::lookup::look_up(*provider, fetcher, lookup).await;
            if let Some(key) = &lookup.key {
                fetcher.report.lock().expect("report lock").lookups.push((key.clone(), outcome));
            }
        }
    });
    futures::future::join_all(syncs).await;

    let providers = fetchers
        .into_iter()
        .map(|(_, f)| {
            let mut report = f.report.into_inner().expect("report lock");
            report.breaker = f.http.breaker().state().to_string();
            report
        })
        .collect();
    let mut lake = lake.into_inner().expect("lake lock");
    lake.flush().context("landing the last responses")?;
    Ok(ExtractReport { providers, files: lake.files().to_vec() })
}
