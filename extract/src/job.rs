//! An extract run: the followed artists, synced from each chosen provider at once,
//! every response landed as it arrives.

use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Context;
use serde_json::Value;
use tracing::{info, warn};

use crate::config::ProviderConfig;
use crate::http::{Fetched, HttpStack};
use crate::lake::LakeWriter;
use crate::providers::Provider;
use crate::request::Request;

pub struct ExtractJob {
    pub run_id: String,
    pub lake_root: PathBuf,
    pub providers: Vec<(Provider, ProviderConfig)>,
    pub artists: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ProviderReport {
    pub provider: &'static str,
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Responses landed in the lake.
    pub responses: u64,
    /// Requests that failed for good, with the reason.
    pub failures: Vec<String>,
    /// Followed artists the provider has no match for.
    pub unmatched: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ExtractReport {
    pub providers: Vec<ProviderReport>,
    pub files: Vec<PathBuf>,
}

/// What a provider's sync code talks to: its HTTP stack and the lake.
pub struct Fetcher<'a> {
    http: HttpStack,
    lake: &'a Mutex<LakeWriter>,
    report: Mutex<ProviderReport>,
}

impl Fetcher<'_> {
    pub fn page_size(&self) -> u32 {
        self.http.page_size()
    }

    /// Sends the request, lands the response, and returns its JSON when the provider
    /// answered with data. Failures are recorded in the report, never dropped.
    pub async fn fetch(&self, request: Request) -> Option<Value> {
        let result = self.http.get(&request).await;
        match result {
            Ok(fetched) => {
                let status = fetched.status;
                let parsed = serde_json::from_str::<Value>(&fetched.body);
                self.landed(fetched);
                match parsed {
                    Ok(v) if status == 200 => Some(v),
                    Ok(_) => None,
                    Err(e) => {
                        self.failed(format!("{}: malformed JSON from the provider: {e}", request.key()));
                        None
                    }
                }
            }
            Err(e) => {
                self.report.lock().expect("report lock").requests += e.attempts as u64;
                self.failed(e.to_string());
                None
            }
        }
    }

    fn landed(&self, fetched: Fetched) {
        {
            let mut r = self.report.lock().expect("report lock");
            r.requests += fetched.attempts as u64;
            r.responses += 1;
        }
        let key = fetched.request_key.clone();
        if let Err(e) = self.lake.lock().expect("lake lock").land(fetched) {
            self.failed(format!("{key}: could not land the response: {e:#}"));
        }
    }

    pub fn failed(&self, reason: String) {
        warn!(provider = self.http.provider(), "{reason}");
        self.report.lock().expect("report lock").failures.push(reason);
    }

    pub fn unmatched(&self, artist: &str) {
        warn!(provider = self.http.provider(), "no match for the followed artist {artist:?}");
        self.report.lock().expect("report lock").unmatched.push(artist.to_string());
    }
}

/// Syncs every followed artist from every provider in the job, providers side by side.
pub async fn run(job: ExtractJob) -> anyhow::Result<ExtractReport> {
    let lake = Mutex::new(LakeWriter::new(&job.lake_root, &job.run_id)?);
    let mut fetchers = Vec::new();
    for (provider, config) in &job.providers {
        let problems = provider.problems(config);
        if !problems.is_empty() {
            anyhow::bail!("invalid provider settings:\n  {}", problems.join("\n  "));
        }
        let http = HttpStack::new(provider.name(), config, provider.body_check())?;
        let report = ProviderReport { provider: provider.name(), ..Default::default() };
        fetchers.push((*provider, Fetcher { http, lake: &lake, report: Mutex::new(report) }));
    }
    let artists = &job.artists;
    let syncs = fetchers.iter().map(|(provider, fetcher)| async move {
        for artist in artists {
            info!(provider = provider.name(), artist = %artist, "syncing");
            match provider {
                Provider::MusicBrainz => crate::providers::musicbrainz::sync_artist(fetcher, artist).await,
                Provider::Deezer => crate::providers::deezer::sync_artist(fetcher, artist).await,
            }
        }
    });
    futures::future::join_all(syncs).await;

    let providers = fetchers.into_iter().map(|(_, f)| f.report.into_inner().expect("report lock")).collect();
    let mut lake = lake.into_inner().expect("lake lock");
    lake.flush().context("landing the last responses")?;
    Ok(ExtractReport { providers, files: lake.files().to_vec() })
}
