//! Replay: recorded responses from files land in the lake exactly as if they had been
//! fetched, so captures can be backfilled and tests can feed real data.
//!
//! Layout: `DIR/<provider>/<resource>/<name>.json`. The request key is the resource's
//! endpoint with its placeholder filled by the file's name, so
//! `deezer/album_tracks/302127.json` lands as `/album/302127/tracks` would have.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::Utc;

use crate::http::Fetched;
use crate::lake::LakeWriter;
use crate::providers::{Provider, Resource};

/// One file to replay, checked.
struct Recorded {
    resource: &'static Resource,
    path: PathBuf,
    key: String,
    body: String,
}

/// The request a recorded file stands for: the endpoint's path with `<...>` replaced
/// by `name`, without the method.
pub fn request_key(resource: &Resource, name: &str) -> String {
    let endpoint = resource.endpoint.split_whitespace().nth(1).unwrap_or(resource.endpoint);
    let path = match (endpoint.find('<'), endpoint.find('>')) {
        (Some(a), Some(b)) if a < b => format!("{}{}{}", &endpoint[..a], name, &endpoint[b + 1..]),
        _ => format!("{endpoint}#{name}"),
    };
    format!("{}:{}", resource.name, path)
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
                serde_json::from_str::<serde::de::IgnoredAny>(&body)
                    .with_context(|| format!("{} is not valid JSON", file.display()))?;
                let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
                out.push(Recorded { resource, key: request_key(resource, stem), path: file, body });
            }
        }
    }
    Ok(out)
}

/// Checks every file first, then lands them all: a bad file stops the ingest before
/// anything is written. Returns how many responses landed.
pub fn ingest(dir: &Path, lake_root: &Path, run_id: &str) -> anyhow::Result<u64> {
    let recorded = collect(dir)?;
    if recorded.is_empty() {
        bail!("{}: no <provider>/<resource>/*.json files to ingest", dir.display());
    }
    let mut lake = LakeWriter::new(lake_root, run_id)?;
    for r in recorded {
        lake.land(Fetched {
            provider: r.resource.provider,
            resource: r.resource.name,
            request_key: r.key,
            url: format!("file://{}", r.path.display()),
            status: 200,
            fetched_at: Utc::now(),
            body: r.body,
            attempts: 0,
        })?;
    }
    lake.flush()?;
    Ok(lake.landed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_fills_the_endpoint_placeholder() {
        let tracks = Provider::Deezer.resource("album_tracks").unwrap();
        assert_eq!(request_key(tracks, "302127"), "album_tracks:/album/302127/tracks");
        let release = Provider::MusicBrainz.resource("releases").unwrap();
        assert!(request_key(release, "abc").starts_with("releases:/release?artist=abc"));
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
