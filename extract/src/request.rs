//! A request to a provider, and the key that names it in the raw lake.

/// Query parameters that carry credentials: never stored, never part of a key.
const SECRET_PARAMS: &[&str] = &["api_key", "key", "token", "access_token", "client_secret", "secret"];

/// Query parameters that carry free-text searches: keyed by their words, so word
/// order, case, accents and punctuation do not make a new request.
const SEARCH_PARAMS: &[&str] = &["q", "query", "term"];

/// What a request does, which sets its timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Search,
    Lookup,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The lake resource it lands in (`releases`, `album_tracks`, ...).
    pub resource: &'static str,
    /// Path below the provider's base URL, starting with `/`.
    pub path: String,
    pub query: Vec<(String, String)>,
}

impl Request {
    pub fn new(resource: &'static str, path: impl Into<String>) -> Self {
        Request { resource, path: path.into(), query: Vec::new() }
    }

    /// Searches are the resources named `*search*`; everything else looks things up.
    pub fn kind(&self) -> Kind {
        if self.resource.contains("search") { Kind::Search } else { Kind::Lookup }
    }

    pub fn param(mut self, name: &str, value: impl ToString) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// The same request always has the same key: resource, path and the sorted
    /// parameters, without format switches or credentials, search terms normalized.
    pub fn key(&self) -> String {
        let mut params: Vec<String> = self
            .query
            .iter()
            .filter(|(k, _)| k != "fmt" && !SECRET_PARAMS.contains(&k.as_str()))
            .map(|(k, v)| {
                if SEARCH_PARAMS.contains(&k.as_str()) {
                    format!("{k}={}", search_words(v))
                } else {
                    format!("{k}={v}")
                }
            })
            .collect();
        params.sort();
        if params.is_empty() {
            format!("{}:{}", self.resource, self.path)
        } else {
            format!("{}:{}?{}", self.resource, self.path, params.join("&"))
        }
    }
}

/// A search's words, folded to ASCII lower case, without punctuation, sorted:
/// "deadmau5 - strobe", "Strobe deadmau5" and "deadmau5 strobe" are one search.
pub fn search_words(q: &str) -> String {
    let folded = deunicode::deunicode(q).to_lowercase();
    let mut words: Vec<&str> = folded.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    words.dedup();
    words.join(" ")
}

/// The URL as it may be stored: credentials in the query string removed.
pub fn strip_credentials(url: &url::Url) -> String {
    let mut clean = url.clone();
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !SECRET_PARAMS.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        clean.set_query(None);
    } else {
        clean.query_pairs_mut().clear().extend_pairs(kept);
    }
    let _ = clean.set_password(None);
    let _ = clean.set_username("");
    clean.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_parameter_order_format_and_credentials() {
        let a = Request::new("releases", "/release").param("artist", "x").param("offset", 0).param("fmt", "json");
        let b = Request::new("releases", "/release").param("offset", 0).param("api_key", "s3cret").param("artist", "x");
        assert_eq!(a.key(), b.key());
        assert_eq!(a.key(), "releases:/release?artist=x&offset=0");
    }

    #[test]
    fn searches_with_the_same_words_have_the_same_key() {
        let key = |q: &str| Request::new("track_search", "/search").param("q", q).param("limit", 10).key();
        assert_eq!(key("deadmau5 - strobe"), key("Strobe deadmau5"));
        assert_eq!(key("deadmau5 strobe"), key("Strobe deadmau5"));
        assert_eq!(key("Björk"), key("bjork"));
        assert_ne!(key("deadmau5 strobe"), key("deadmau5 ghosts"));
        assert_eq!(key("deadmau5 strobe"), "track_search:/search?limit=10&q=deadmau5 strobe");
    }

    #[test]
    fn stored_urls_carry_no_credentials() {
        let u = url::Url::parse("https://user:pw@ws.example/2.0/?method=x&api_key=s3cret&format=json").unwrap();
        let s = strip_credentials(&u);
        assert!(!s.contains("s3cret") && !s.contains("pw"), "{s}");
        assert!(s.contains("method=x"));
    }
}
