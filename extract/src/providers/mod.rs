//! One module per provider: its defaults, its resources, and how it syncs an artist.

pub mod deezer;
pub mod musicbrainz;

use crate::cache::Ttl;
use crate::config::ProviderConfig;
use crate::http::BodyCheck;

/// A lake resource: what `raw.<provider>_<resource>` holds and which endpoint fills it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    pub provider: &'static str,
    pub name: &'static str,
    pub endpoint: &'static str,
    /// How long its responses are served from the lake before they are asked again.
    pub ttl: Ttl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Provider {
    MusicBrainz,
    Deezer,
}

impl Provider {
    pub const ALL: &'static [Provider] = &[Provider::MusicBrainz, Provider::Deezer];

    pub fn name(self) -> &'static str {
        match self {
            Provider::MusicBrainz => "musicbrainz",
            Provider::Deezer => "deezer",
        }
    }

    pub fn parse(name: &str) -> Option<Provider> {
        Provider::ALL.iter().copied().find(|p| p.name() == name)
    }

    pub fn default_config(self) -> ProviderConfig {
        match self {
            Provider::MusicBrainz => musicbrainz::default_config(),
            Provider::Deezer => deezer::default_config(),
        }
    }

    pub fn resources(self) -> &'static [Resource] {
        match self {
            Provider::MusicBrainz => musicbrainz::RESOURCES,
            Provider::Deezer => deezer::RESOURCES,
        }
    }

    pub fn resource(self, name: &str) -> Option<&'static Resource> {
        self.resources().iter().find(|r| r.name == name)
    }

    pub fn body_check(self) -> BodyCheck {
        match self {
            Provider::MusicBrainz => |_| crate::http::BodyVerdict::Ok,
            Provider::Deezer => deezer::body_check,
        }
    }

    /// Everything wrong with a provider's settings, each naming the field.
    pub fn problems(self, config: &ProviderConfig) -> Vec<String> {
        let mut out = config.problems(self.name());
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
