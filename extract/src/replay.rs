//! Replay: recorded responses from files land in the lake exactly as if they had been
//! fetched, so captures can be backfilled and tests can feed real data.
//!
//! Layout: `DIR/<provider>/<resource>/<name>.json`. The request key is the resource's
//! endpoint with its placeholder filled by the file's name, so
//! `deezer/album_tracks/302127.json` lands as `/album/302127/tracks` would have. A
//! name may add query parameters after `&` (`27&index=25`: a second page), or be
//! parameters alone (`isrc=GBDUW0000058`: the endpoint's path asked with those).
//!
//! A body in the provider's error shape lands as the error it is (with the status it
//! names, where it names one), and is reported: it is no data, and the cache asks again.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::Utc;

use crate::http::Fetched;
use crate::lake::LakeWriter;
use crate::providers::{Provider, Resource};
use crate::request::Request;

/// One file to replay, checked.
struct Recorded {
    provider: Provider,
    resource: &'static Resource,
    path: PathBuf,
    key: String,
    params: String,
    body: String,
    status: u16,
    error: Option<String>,
    empty: bool,
}

/// The request a recorded file stands for: the resource's template with its last
/// placeholder filled by `name` (`302127`, `Daft Punk`), and any `&key=value` after it
/// as further parameters (`27&index=25`, a second page). A name of parameters alone
/// (`label=xyz&offset=25`) asks the template's path with those instead of its own.
pub fn request_key(resource: &Resource, name: &str) -> String {
    recorded_request(resource, name).key()
}

fn recorded_request(resource: &Resource, name: &str) -> Request {
    let mut parts = name.split('&');
    let first = parts.next().unwrap_or_default();
    let (value, mut params): (Option<&str>, Vec<&str>) =
        if first.contains('=') { (None, vec![first]) } else { (Some(first), Vec::new()) };
    params.extend(parts.filter(|p| !p.is_empty()));
    let template = Request::of(resource);
    let mut request = match (value, template.last_placeholder()) {
        (Some(value), Some(placeholder)) => template.arg(&placeholder, value),
        // A template with nothing to fill: the name is kept beside its path.
        (Some(value), None) => Request::new(resource.name, format!("{}#{value}", template.path)),
        (None, _) => Request::new(resource.name, template.path),
    };
    for p in params {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        request = request.param(k, v);
    }
    request
}

/// The HTTP status an error body names, for the providers whose errors carry one.
fn status_named(provider: Provider, v: &serde_json::Value) -> Option<u16> {
    let named = provider.status_in_body(v);
    named.and_then(|s| u16::try_from(s).ok()).filter(|s| (400..600).contains(s))
}

/// What an ingest landed.
#[derive(Debug, Default)]
pub struct Ingested {
    pub landed: u64,
    /// Files whose body is the provider's error, with its message.
    pub errors: Vec<(PathBuf, String)>,
    /// Files that answered with an empty list.
    pub empty: Vec<PathBuf>,
}

fn collect(dir: &Path) -> anyhow::Result<Vec<Recorded>> {
    let mut out = Vec::new();
    let entries = |p: &Path| -> anyhow::Result<Vec<PathBuf>> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(p)
            .with_context(|| format!("reading {}", p.display()))?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        v.sort();
        Ok(v)
    };
    for provider_dir in entries(dir)?.into_iter().filter(|p| p.is_dir()) {
        let name = provider_dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Some(provider) = Provider::parse(name) else {
            let known: Vec<_> = Provider::ALL.iter().map(|p| p.name()).collect();
            bail!("{}: unknown provider {name:?} (known: {})", provider_dir.display(), known.join(", "));
        };
        for resource_dir in entries(&provider_dir)?.into_iter().filter(|p| p.is_dir()) {
            let rname = resource_dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let Some(resource) = provider.resource(rname) else {
                let known: Vec<_> = provider.resources().iter().map(|r| r.name).collect();
                bail!(
                    "{}: {provider:?} has no resource {rname:?} (known: {})",
                    resource_dir.display(),
                    known.join(", ")
                );
            };
            for file in entries(&resource_dir)?.into_iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
                let body = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
                let parsed = serde_json::from_str::<serde_json::Value>(&body)
                    .with_context(|| format!("{} is not valid JSON", file.display()))?;
                let error = provider.error_in_body(&parsed);
                let status = if error.is_some() { status_named(provider, &parsed).unwrap_or(200) } else { 200 };
                let empty = error.is_none() && crate::cache::is_empty_answer(&parsed);
                let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
                let request = recorded_request(resource, stem);
                out.push(Recorded {
                    provider,
                    resource,
                    key: request.key(),
                    params: request.params(),
                    path: file,
                    body,
                    status,
                    error,
                    empty,
                });
            }
        }
    }
    Ok(out)
}

/// Checks every file first, then lands them all: a bad file stops the ingest before
/// anything is written.
pub fn ingest(dir: &Path, lake_root: &Path, run_id: &str) -> anyhow::Result<Ingested> {
    let recorded = collect(dir)?;
    if recorded.is_empty() {
        bail!("{}: no <provider>/<resource>/*.json files to ingest", dir.display());
    }
    let mut lake = LakeWriter::new(lake_root, run_id)?;
    let mut out = Ingested::default();
    for r in recorded {
        lake.land(Fetched {
            provider: r.provider.name(),
            resource: r.resource.name,
            request_key: r.key,
            params: r.params,
            url: format!("file://{}", r.path.display()),
            status: r.status,
            fetched_at: Utc::now(),
            body: r.body,
            attempts: 0,
        })?;
        if let Some(e) = r.error {
            out.errors.push((r.path, e));
        } else if r.empty {
            out.empty.push(r.path);
        }
    }
    lake.flush()?;
    out.landed = lake.landed();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_fills_the_endpoint_placeholder() {
        let tracks = Provider::named("deezer").resource("album_tracks").unwrap();
        assert_eq!(request_key(tracks, "302127"), "album_tracks:/album/302127/tracks");
        let release = Provider::named("musicbrainz").resource("releases").unwrap();
        assert!(request_key(release, "abc").starts_with("releases:/release?artist=abc"));
        let albums = Provider::named("deezer").resource("artist_albums").unwrap();
        assert_eq!(request_key(albums, "27&index=25"), "artist_albums:/artist/27/albums?index=25", "a second page");
        assert_eq!(
            request_key(release, "label=xyz&offset=25"),
            "releases:/release?label=xyz&offset=25",
            "parameters alone"
        );
    }

    #[test]
    fn error_bodies_land_as_errors_and_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let songs = dir.path().join("in/genius/songs");
        std::fs::create_dir_all(&songs).unwrap();
        std::fs::write(songs.join("x.json"), r#"{"meta":{"status":404,"message":"404 Not Found"}}"#).unwrap();
        std::fs::write(songs.join("1.json"), r#"{"meta":{"status":200},"response":{"song":{"id":1}}}"#).unwrap();
        let lake = dir.path().join("raw");
        let got = ingest(&dir.path().join("in"), &lake, "r").unwrap();
        assert_eq!(got.landed, 2);
        assert_eq!(got.errors.len(), 1);
        assert!(got.errors[0].0.ends_with("x.json") && got.errors[0].1.contains("404 Not Found"), "{:?}", got.errors);
        let cache = crate::cache::LakeCache::load(&lake, Default::default()).unwrap();
        let now = Utc::now() + chrono::Duration::hours(7);
        let served = |k: &str| cache.get("genius", k, crate::cache::Ttl::Catalog, now).unwrap().map(|c| c.status);
        assert_eq!(served("songs:/songs/1"), Some(200));
        assert_eq!(served("songs:/songs/x"), None, "an error is asked again after 6 h");
    }

    #[test]
    fn a_bad_file_stops_the_ingest_before_anything_lands_and_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let albums = dir.path().join("in/deezer/albums");
        std::fs::create_dir_all(&albums).unwrap();
        std::fs::write(albums.join("1.json"), r#"{"id": 1}"#).unwrap();
        std::fs::write(albums.join("2.json"), r#"{"id": 2"#).unwrap();
        let lake = dir.path().join("raw");
        let e = format!("{:#}", ingest(&dir.path().join("in"), &lake, "r").unwrap_err());
        assert!(e.contains("2.json") && e.contains("not valid JSON"), "{e}");
        assert!(!lake.exists(), "nothing landed");

        std::fs::remove_file(albums.join("2.json")).unwrap();
        std::fs::create_dir_all(dir.path().join("in/deezer/albumz")).unwrap();
        let e = format!("{:#}", ingest(&dir.path().join("in"), &lake, "r").unwrap_err());
        assert!(e.contains("albumz") && e.contains("album_tracks"), "{e}");
    }
}
