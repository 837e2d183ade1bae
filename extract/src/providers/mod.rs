//! One module per provider: its defaults, its resources, and how it syncs an artist.

pub mod apple_music;
pub mod beatport;
pub mod deezer;
pub mod discogs;
pub mod genius;
pub mod itunes;
pub mod lastfm;
pub mod musicbrainz;
pub mod spotify;
pub mod youtube;

use crate::cache::Ttl;
use crate::config::ProviderConfig;
use crate::http::{BodyCheck, status_says_it_all};
use crate::job::{Fetcher, Identifier};
use crate::request::Kind;

/// A lake resource: what `raw.<provider>_<resource>` holds and which endpoint fills it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    pub provider: &'static str,
    pub name: &'static str,
    pub endpoint: &'static str,
    /// How long its responses are served from the lake before they are asked again.
    pub ttl: Ttl,
    /// A search or a lookup: sets its timeout and what it costs of a quota.
    pub kind: Kind,
}

impl Resource {
    pub const fn lookup(provider: &'static str, name: &'static str, endpoint: &'static str, ttl: Ttl) -> Resource {
        Resource { provider, name, endpoint, ttl, kind: Kind::Lookup }
    }

    pub const fn search(provider: &'static str, name: &'static str, endpoint: &'static str, ttl: Ttl) -> Resource {
        Resource { provider, name, endpoint, ttl, kind: Kind::Search }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Provider {
    MusicBrainz,
    Deezer,
    Spotify,
    AppleMusic,
    Discogs,
    LastFm,
    ITunes,
    Genius,
    Beatport,
    YouTube,
}

impl Provider {
    pub const ALL: &'static [Provider] = &[
        Provider::MusicBrainz,
        Provider::Deezer,
        Provider::Spotify,
        Provider::AppleMusic,
        Provider::Discogs,
        Provider::LastFm,
        Provider::ITunes,
        Provider::Genius,
        Provider::Beatport,
        Provider::YouTube,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Provider::MusicBrainz => "musicbrainz",
            Provider::Deezer => "deezer",
            Provider::Spotify => "spotify",
            Provider::AppleMusic => "apple_music",
            Provider::Discogs => "discogs",
            Provider::LastFm => "lastfm",
            Provider::ITunes => "itunes",
            Provider::Genius => "genius",
            Provider::Beatport => "beatport",
            Provider::YouTube => "youtube",
        }
    }

    pub fn parse(name: &str) -> Option<Provider> {
        Provider::ALL.iter().copied().find(|p| p.name() == name)
    }

    pub fn default_config(self) -> ProviderConfig {
        match self {
            Provider::MusicBrainz => musicbrainz::default_config(),
            Provider::Deezer => deezer::default_config(),
            Provider::Spotify => spotify::default_config(),
            Provider::AppleMusic => apple_music::default_config(),
            Provider::Discogs => discogs::default_config(),
            Provider::LastFm => lastfm::default_config(),
            Provider::ITunes => itunes::default_config(),
            Provider::Genius => genius::default_config(),
            Provider::Beatport => beatport::default_config(),
            Provider::YouTube => youtube::default_config(),
        }
    }

    pub fn resources(self) -> &'static [Resource] {
        match self {
            Provider::MusicBrainz => musicbrainz::RESOURCES,
            Provider::Deezer => deezer::RESOURCES,
            Provider::Spotify => spotify::RESOURCES,
            Provider::AppleMusic => apple_music::RESOURCES,
            Provider::Discogs => discogs::RESOURCES,
            Provider::LastFm => lastfm::RESOURCES,
            Provider::ITunes => itunes::RESOURCES,
            Provider::Genius => genius::RESOURCES,
            Provider::Beatport => beatport::RESOURCES,
            Provider::YouTube => youtube::RESOURCES,
        }
    }

    pub fn resource(self, name: &str) -> Option<&'static Resource> {
        self.resources().iter().find(|r| r.name == name)
    }

    pub fn body_check(self) -> BodyCheck {
        match self {
            Provider::MusicBrainz => musicbrainz::body_check,
            Provider::Spotify | Provider::AppleMusic | Provider::Discogs | Provider::Genius | Provider::Beatport => {
                status_says_it_all
            }
            Provider::Deezer => deezer::body_check,
            Provider::LastFm => lastfm::body_check,
            Provider::ITunes => itunes::body_check,
            Provider::YouTube => youtube::body_check,
        }
    }

    /// The provider's own error shape in a body, with its message: an answer that is
    /// an error whatever its status line said (Deezer and Last.fm send them with 200).
    pub fn error_in_body(self, body: &serde_json::Value) -> Option<String> {
        match self {
            Provider::MusicBrainz => musicbrainz::error_in_body(body),
            Provider::Deezer => deezer::error_in_body(body),
            Provider::Spotify => spotify::error_in_body(body),
            Provider::AppleMusic => apple_music::error_in_body(body),
            Provider::Discogs => discogs::error_in_body(body),
            Provider::LastFm => lastfm::error_in_body(body),
            Provider::ITunes => itunes::error_in_body(body),
            Provider::Genius => genius::error_in_body(body),
            Provider::Beatport => beatport::error_in_body(body),
            Provider::YouTube => youtube::error_in_body(body),
        }
    }

    /// What the provider does once per run, whoever is followed (charts, new releases).
    pub async fn sync_run(self, f: &Fetcher<'_>) {
        match self {
            Provider::MusicBrainz | Provider::Discogs | Provider::ITunes | Provider::Genius | Provider::Beatport => {}
            Provider::Deezer => deezer::sync_run(f).await,
            Provider::Spotify => spotify::sync_run(f).await,
            Provider::AppleMusic => apple_music::sync_run(f).await,
            Provider::LastFm => lastfm::sync_run(f).await,
            Provider::YouTube => youtube::sync_run(f).await,
        }
    }

    /// Everything the provider has about one followed artist.
    pub async fn sync_artist(self, f: &Fetcher<'_>, name: &str) {
        match self {
            Provider::MusicBrainz => musicbrainz::sync_artist(f, name).await,
            Provider::Deezer => deezer::sync_artist(f, name).await,
            Provider::Spotify => spotify::sync_artist(f, name).await,
            Provider::AppleMusic => apple_music::sync_artist(f, name).await,
            Provider::Discogs => discogs::sync_artist(f, name).await,
            Provider::LastFm => lastfm::sync_artist(f, name).await,
            Provider::ITunes => itunes::sync_artist(f, name).await,
            Provider::Genius => genius::sync_artist(f, name).await,
            Provider::Beatport => beatport::sync_artist(f, name).await,
            Provider::YouTube => youtube::sync_artist(f, name).await,
        }
    }

    /// Looks a release (by barcode) or recording (by ISRC) up and lands what it finds.
    pub async fn lookup(self, f: &Fetcher<'_>, id: &Identifier) {
        match self {
            Provider::MusicBrainz => musicbrainz::lookup(f, id).await,
            Provider::Deezer => deezer::lookup(f, id).await,
            Provider::Spotify => spotify::lookup(f, id).await,
            Provider::AppleMusic => apple_music::lookup(f, id).await,
            Provider::Discogs => discogs::lookup(f, id).await,
            // Last.fm has no identifier lookups.
            Provider::LastFm => lastfm::lookup(f, id).await,
            Provider::Beatport => beatport::lookup(f, id).await,
            Provider::Genius | Provider::YouTube => {}
            Provider::ITunes => itunes::lookup(f, id).await,
        }
    }

    /// The provider's own options, checked.
    fn option_problems(self, config: &ProviderConfig) -> Option<String> {
        match self {
            Provider::MusicBrainz | Provider::Discogs | Provider::Beatport => (!config.options.is_empty())
                .then(|| format!("providers.{}.options: this provider has none", self.name())),
            Provider::Spotify => config.options::<spotify::Options>(self.name()).err(),
            Provider::Deezer => config.options::<deezer::Options>(self.name()).err(),
            Provider::AppleMusic => apple_music::option_problems(config),
            Provider::LastFm => lastfm::option_problems(config),
            Provider::ITunes => itunes::option_problems(config),
            Provider::Genius => config.options::<genius::Options>(self.name()).err(),
            Provider::YouTube => config.options::<youtube::Options>(self.name()).err(),
        }
    }

    /// Everything wrong with a provider's settings, each naming the field.
    pub fn problems(self, config: &ProviderConfig) -> Vec<String> {
        let mut out = config.problems(self.name());
        out.extend(self.option_problems(config));
        if self == Provider::Discogs {
            out.extend(discogs::problems(config));
        }
        if self == Provider::MusicBrainz && config.user_agent.as_deref().is_none_or(|ua| ua.trim().is_empty()) {
            out.push(
                "providers.musicbrainz.user_agent: MusicBrainz refuses requests without a descriptive User-Agent, \
                 such as \"liner/0.1 ( you@example.com )\" (or set providers.musicbrainz.enabled = false)"
                    .to_string(),
            );
        }
        out
    }
}

/// Names compared the way a person would: case and accents aside.
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| deunicode::deunicode(s).to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
    norm(a) == norm(b)
}

/// A Lucene-style quoted phrase (MusicBrainz, Spotify filters): quotes and backslashes escaped.
pub(crate) fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_across_case_and_accents() {
        assert!(same_name("Bjork Gomez", "Björk Gómez"));
        assert!(!same_name("Bjork", "Bjorn"));
    }

    #[test]
    fn quoted_phrases_escape_quotes() {
        assert_eq!(quoted(r#"Say "Hi""#), r#""Say \"Hi\"""#);
    }
}
