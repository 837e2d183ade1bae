//! One module per provider: its defaults, its resources, and how it syncs an artist.

use async_trait::async_trait;

use crate::cache::Ttl;
use crate::config::ProviderConfig;
use crate::http::{BodyCheck, status_says_it_all};
use crate::job::Fetcher;
use crate::lookup::{Identifier, Looked};
use crate::paging::Paging;
use crate::request::Kind;

/// A lake resource: what `raw.<provider>_<resource>` holds and which request fills it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    pub provider: &'static str,
    pub name: &'static str,
    /// The request's template below the base URL (always a GET): a path with
    /// `{placeholders}`, then the query parameters every request of it carries, a
    /// `{placeholder}` for the one that names the item (`/search/album?q={q}`). The crawl
    /// fills it ([`crate::request::Request::of`]), and so does `liner ingest` with a
    /// recorded file's name.
    pub template: &'static str,
    /// How long its responses are served from the lake before they are asked again.
    pub ttl: Ttl,
    /// A search or a lookup: sets its timeout and what it costs of a quota.
    pub kind: Kind,
    /// How it pages, for a resource that is a list read page by page.
    pub paging: Option<Paging>,
}

impl Resource {
    pub const fn lookup(provider: &'static str, name: &'static str, template: &'static str, ttl: Ttl) -> Resource {
        Resource { provider, name, template, ttl, kind: Kind::Lookup, paging: None }
    }

    pub const fn search(provider: &'static str, name: &'static str, template: &'static str, ttl: Ttl) -> Resource {
        Resource { provider, name, template, ttl, kind: Kind::Search, paging: None }
    }

    /// The resource as a list, read page by page this way.
    pub const fn paged(self, paging: Paging) -> Resource {
        Resource { paging: Some(paging), ..self }
    }
}

/// A provider's API as liner crawls it: one module implements it, and one line of the
/// `registry!` below registers it in [`Provider::ALL`]. Everything but the crawl itself has a default.
#[async_trait]
pub trait Api: Sync {
    /// Its name in liner.toml, the lake and the warehouse (`raw.<name>_<resource>`).
    fn name(&self) -> &'static str;

    /// Every resource it lands.
    fn resources(&self) -> &'static [Resource];

    /// Its base URL, rate limit, page size and options before liner.toml says otherwise.
    fn default_config(&self) -> ProviderConfig;

    /// Which answers are worth another try beyond what the status line says.
    fn body_check(&self) -> BodyCheck {
        status_says_it_all
    }

    /// The provider's own error shape in a body, with its message: an answer that is
    /// an error whatever its status line said (Deezer and Last.fm send them with 200).
    fn error_in_body(&self, body: &serde_json::Value) -> Option<String>;

    /// Whether it sends errors inside 200 answers as a top-level `error` (Deezer and
    /// Last.fm do): the warehouse's `answers.*` views leave those out.
    fn errors_in_answers(&self) -> bool {
        false
    }

    /// The HTTP status an error body names, for the providers whose errors carry one
    /// (a recorded file has no status line of its own).
    fn status_in_body(&self, _body: &serde_json::Value) -> Option<u64> {
        None
    }

    /// `[providers.<name>.options]` checked: by default a provider has none.
    fn option_problems(&self, config: &ProviderConfig) -> Option<String> {
        (!config.options.is_empty()).then(|| format!("providers.{}.options: this provider has none", self.name()))
    }

    /// Settings this provider needs beyond what every provider does, each naming its field.
    fn problems(&self, _config: &ProviderConfig) -> Vec<String> {
        Vec::new()
    }

    /// A catalog expected to list nearly every release and recording (the big stores,
    /// MusicBrainz): an item it lacks is worth looking up there, so the enrichment
    /// worklist holds the items some main catalog lacks.
    fn is_main_catalog(&self) -> bool {
        false
    }

    /// What the provider does once per run, whoever is followed (charts, new releases).
    async fn sync_run(&self, _f: &Fetcher<'_>) {}

    /// Everything the provider has about one followed artist.
    async fn sync_artist(&self, f: &Fetcher<'_>, name: &str);

    /// Looks a release or recording up one way and lands what it finds; says whether
    /// it found the item, or that this provider cannot be asked that way.
    async fn lookup(&self, _f: &Fetcher<'_>, _id: &Identifier) -> Looked {
        Looked::NotAsked
    }
}

/// A registered provider: a handle on its [`Api`], compared by name, ordered as
/// [`Provider::ALL`] lists them.
#[derive(Clone, Copy)]
pub struct Provider(&'static dyn Api);

/// Declares each provider's module and registers its [`Api`] in [`Provider::ALL`], in
/// the order crawls and listings take them.
macro_rules! registry {
    ($($module:ident::$api:ident),* $(,)?) => {
        $(pub mod $module;)*

        impl Provider {
            pub const ALL: &'static [Provider] = &[$(Provider(&$module::$api)),*];
        }
    };
}

// The registry: adding a provider is its module and one line here.
registry! {
    musicbrainz::MusicBrainz,
    deezer::Deezer,
    spotify::Spotify,
    apple_music::AppleMusic,
    discogs::Discogs,
    lastfm::LastFm,
    itunes::ITunes,
    genius::Genius,
    beatport::Beatport,
    youtube::YouTube,
    tidal::Tidal,
}

impl Provider {
    pub fn parse(name: &str) -> Option<Provider> {
        Provider::ALL.iter().copied().find(|p| p.name() == name)
    }

    /// A provider the code names itself; an unknown name is a bug, not bad input.
    pub fn named(name: &str) -> Provider {
        Provider::parse(name).unwrap_or_else(|| panic!("no provider is registered as {name:?}"))
    }

    fn position(self) -> usize {
        Provider::ALL.iter().position(|p| *p == self).unwrap_or(usize::MAX)
    }

    pub fn resource(self, name: &str) -> Option<&'static Resource> {
        self.resources().iter().find(|r| r.name == name)
    }

    /// Everything wrong with a provider's settings, each naming the field.
    pub fn problems(self, config: &ProviderConfig) -> Vec<String> {
        let mut out = config.problems(self.name());
        out.extend(self.0.option_problems(config));
        out.extend(self.0.problems(config));
        out
    }
}

impl std::ops::Deref for Provider {
    type Target = dyn Api;

    fn deref(&self) -> &(dyn Api + 'static) {
        self.0
    }
}

impl PartialEq for Provider {
    fn eq(&self, other: &Provider) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Provider {}

impl std::hash::Hash for Provider {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name().hash(state)
    }
}

impl PartialOrd for Provider {
    fn partial_cmp(&self, other: &Provider) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Provider {
    fn cmp(&self, other: &Provider) -> std::cmp::Ordering {
        self.position().cmp(&other.position())
    }
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
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
    fn every_template_is_a_path_with_named_placeholders() {
        for p in Provider::ALL {
            for r in p.resources() {
                let t = r.template;
                assert!(t.starts_with('/') && !t.contains(['<', '>', ' ']), "{}.{}: {t:?}", p.name(), r.name);
                assert_eq!(t.matches('{').count(), t.matches('}').count(), "{}.{}: {t:?}", p.name(), r.name);
                let request = crate::request::Request::of(r);
                assert!(!request.path.contains('?'), "{}.{}: one query part", p.name(), r.name);
            }
        }
    }

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
