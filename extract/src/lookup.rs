//! Looking items up, whoever they are by: the ways an item can be asked for (an
//! identifier, a provider's own id, an artist and a title), tried in order of trust
//! on each provider until one finds it, and what each provider made of it.

use crate::job::Fetcher;
use crate::providers::Provider;

/// What a provider can be asked to look up, whoever it is by: an identifier, a
/// provider's own id, or an artist and a title (the candidates fuzzy linking weighs
/// when identifiers are missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    /// A release's barcode: UPC-A, EAN-13 or GTIN-14, any padding.
    Gtin(String),
    Isrc(String),
    Album {
        artist: String,
        title: String,
    },
    Track {
        artist: String,
        title: String,
    },
    /// An album by the id one provider gives it: asked of that provider only.
    AlbumId {
        provider: &'static str,
        id: String,
    },
    /// A track by the id one provider gives it: asked of that provider only.
    TrackId {
        provider: &'static str,
        id: String,
    },
}

impl Identifier {
    /// Whether `provider` may be asked this way at all: a provider's own id means
    /// nothing to the others.
    pub fn for_provider(&self, provider: Provider) -> bool {
        match self {
            Identifier::AlbumId { provider: p, .. } | Identifier::TrackId { provider: p, .. } => *p == provider.name(),
            _ => true,
        }
    }
}

impl std::fmt::Display for Identifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Identifier::Gtin(g) => write!(f, "UPC {g}"),
            Identifier::Isrc(i) => write!(f, "ISRC {i}"),
            Identifier::Album { artist, title } => write!(f, "album {artist:?} / {title:?}"),
            Identifier::Track { artist, title } => write!(f, "track {artist:?} / {title:?}"),
            Identifier::AlbumId { provider, id } => write!(f, "{provider} album {id}"),
            Identifier::TrackId { provider, id } => write!(f, "{provider} track {id}"),
        }
    }
}

/// What one provider's lookup of one identifier came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Looked {
    /// The provider has it, and what it answered landed.
    Found,
    /// Asked, and the provider had nothing that answers to it (or the request
    /// failed: the fetcher's report says which).
    NotFound,
    /// The provider cannot be asked this way (Last.fm has no ISRC search).
    NotAsked,
}

impl Looked {
    pub fn found(yes: bool) -> Looked {
        if yes { Looked::Found } else { Looked::NotFound }
    }
}

/// One item to look up: the ways to ask for it, strongest first (an identifier before
/// a text search). Each provider takes them in turn until one finds the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// Who asked (an enrichment's id): its outcome on each provider is reported under
    /// it. Lookups without one are not reported one by one.
    pub key: Option<String>,
    pub ways: Vec<Identifier>,
}

impl From<Identifier> for Lookup {
    fn from(id: Identifier) -> Lookup {
        Lookup { key: None, ways: vec![id] }
    }
}

/// What one provider made of one lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Found, by this way of asking.
    Found(String),
    /// Every way this provider can be asked found nothing.
    NotFound,
    /// The provider can be asked none of this lookup's ways.
    NotAsked,
    /// A request failed (or the provider was not asked, its quota spent): worth
    /// another try later.
    Failed(String),
}

impl Outcome {
    pub fn is_failure(&self) -> bool {
        matches!(self, Outcome::Failed(_))
    }
}

/// Tries a lookup's ways on one provider, strongest first, until one finds the item.
/// A failed request ends it: a weaker way would only hide that the stronger one was
/// never answered.
pub async fn look_up(provider: Provider, f: &Fetcher<'_>, lookup: &Lookup) -> Outcome {
    let mut asked = false;
    for way in lookup.ways.iter().filter(|w| w.for_provider(provider)) {
        let failures = f.failure_count();
        tracing::info!(provider = provider.name(), identifier = %way, "looking up");
        let looked = provider.lookup(f, way).await;
        if let Some(reason) = f.failure_since(failures) {
            return Outcome::Failed(reason);
        }
        if let Some(why) = f.stopped_why() {
            return Outcome::Failed(format!("not asked: {why}"));
        }
        match looked {
            Looked::Found => return Outcome::Found(way.to_string()),
            Looked::NotFound => asked = true,
            Looked::NotAsked => {}
        }
    }
    if asked { Outcome::NotFound } else { Outcome::NotAsked }
}
