//! The catalog written out as the responses the pipeline would land had it followed
//! every artist on MusicBrainz and Deezer, without serving them: for catalogs too big
//! to fetch within a benchmark (a million releases). The bodies are the endpoints' own.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::catalog::Catalog;
use crate::{Shared, SimConfig, deezer, musicbrainz};

/// One response, named the way the extractor names its request.
#[derive(Debug, Clone)]
pub struct Response {
    pub provider: &'static str,
    pub resource: &'static str,
    pub path: String,
    pub params: Vec<(&'static str, String)>,
    pub body: String,
}

/// What MusicBrainz's release browse is asked to include (the extractor's `RELEASE_INC`).
pub const MUSICBRAINZ_RELEASE_INC: &str = "recordings+isrcs+artist-credits+labels+release-groups+url-rels+tags+genres";
/// The same without the tracklists: media with their track counts.
pub const MUSICBRAINZ_RELEASE_INC_NO_TRACKS: &str = "media+artist-credits+labels+release-groups+url-rels+tags+genres";

/// Whether recordings come along with the releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracks {
    /// As the extractor fetches: MusicBrainz tracklists with ISRCs, Deezer's album tracks.
    With,
    /// Releases alone (track counts kept): for measuring release linking by itself.
    Without,
}

/// A generated catalog, for writing out.
pub struct Offline {
    shared: Shared,
    /// Each artist's releases, in catalog order (what a browse by artist lists).
    by_artist: Vec<Vec<usize>>,
}

impl Offline {
    /// The catalog of `SimConfig { seed, artists }`. The other providers' views are
    /// left out (they are not written), so MusicBrainz's url-rels name Deezer alone.
    pub fn generate(seed: u64, artists: usize) -> Offline {
        let config = SimConfig { seed, artists, ..SimConfig::default() };
        let catalog = Catalog::generate(seed, artists);
        let mut by_artist = vec![Vec::new(); catalog.artists.len()];
        for (i, r) in catalog.releases.iter().enumerate() {
            for c in &catalog.albums[r.album].credits {
                by_artist[c.artist].push(i);
            }
        }
        Offline { shared: Shared::new(&config, catalog, BTreeMap::new()), by_artist }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.shared.catalog
    }

    /// Every main artist's releases, browsed `page` at a time.
    pub fn musicbrainz(
        &self,
        page: usize,
        tracks: Tracks,
        mut each: impl FnMut(Response) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let c = self.catalog();
        let inc = if tracks == Tracks::With { MUSICBRAINZ_RELEASE_INC } else { MUSICBRAINZ_RELEASE_INC_NO_TRACKS };
        let incs: Vec<String> = inc.split('+').map(str::to_string).collect();
        for (artist, releases) in self.by_artist.iter().enumerate() {
            let listed: Vec<usize> =
                releases.iter().copied().filter(|&i| c.releases[i].musicbrainz.is_some()).collect();
            let mut offset = 0;
            loop {
                let releases: Vec<Value> = listed
                    .iter()
                    .skip(offset)
                    .take(page)
                    .map(|&i| musicbrainz::release_json(&self.shared, &c.releases[i], &incs))
                    .collect();
                let got = releases.len();
                let body = json!({ "release-count": listed.len(), "release-offset": offset, "releases": releases });
                each(Response {
                    provider: "musicbrainz",
                    resource: "releases",
                    path: "/release".into(),
                    params: vec![
                        ("artist", c.artists[artist].mbid.clone()),
                        ("limit", page.to_string()),
                        ("offset", offset.to_string()),
                        ("inc", inc.into()),
                        ("fmt", "json".into()),
                    ],
                    body: body.to_string(),
                })?;
                offset += got;
                if got == 0 || offset >= listed.len() {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Every Deezer album once, and (`Tracks::With`) its tracks `page` at a time.
    pub fn deezer(
        &self,
        page: usize,
        tracks: Tracks,
        mut each: impl FnMut(Response) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let c = self.catalog();
        for r in &c.releases {
            let Some(d) = &r.deezer else { continue };
            each(Response {
                provider: "deezer",
                resource: "albums",
                path: format!("/album/{}", d.id),
                params: Vec::new(),
                body: deezer::album_full(c, r).to_string(),
            })?;
            if tracks == Tracks::Without {
                continue;
            }
            let path = format!("/album/{}/tracks", d.id);
            let mut index = 0;
            while index < d.tracks.len() || index == 0 {
                let data = d
                    .tracks
                    .iter()
                    .enumerate()
                    .skip(index)
                    .take(page)
                    .map(|(i, t)| deezer::track_json(c, t, i + 1, true));
                let body = deezer::page_body("127.0.0.1", &path, "", data.collect(), d.tracks.len(), index, page);
                each(Response {
                    provider: "deezer",
                    resource: "album_tracks",
                    path: path.clone(),
                    params: vec![("index", index.to_string()), ("limit", page.to_string())],
                    body: body.to_string(),
                })?;
                index += page;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_release_and_album_is_written_once() {
        let sim = Offline::generate(3, 40);
        let c = sim.catalog();
        let mut mb = std::collections::HashSet::new();
        sim.musicbrainz(100, Tracks::With, |r| {
            let v: Value = serde_json::from_str(&r.body)?;
            for rel in v["releases"].as_array().unwrap() {
                mb.insert(rel["id"].as_str().unwrap().to_string());
            }
            Ok(())
        })
        .unwrap();
        let mut albums = 0;
        let mut tracks = 0;
        sim.deezer(25, Tracks::With, |r| {
            let v: Value = serde_json::from_str(&r.body)?;
            match r.resource {
                "albums" => albums += 1,
                _ => tracks += v["data"].as_array().unwrap().len(),
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(mb.len(), c.releases.iter().filter(|r| r.musicbrainz.is_some()).count());
        assert_eq!(albums, c.releases.iter().filter(|r| r.deezer.is_some()).count());
        assert_eq!(tracks, c.releases.iter().filter_map(|r| r.deezer.as_ref()).map(|d| d.tracks.len()).sum::<usize>());
    }
}
