//! A request to a provider, and the key that names it in the raw lake.

/// Query parameters that carry credentials: never stored, never part of a key.
const SECRET_PARAMS: &[&str] = &["api_key", "key", "token", "access_token", "client_secret", "secret"];

/// Query parameters that carry free-text searches: keyed so that case, accents,
/// punctuation, spacing and the order of words or field clauses (which the search APIs
/// ignore) do not make a new request, while a repeated word or another word does.
const SEARCH_PARAMS: &[&str] = &["q", "query", "term"];

/// What a request does, as its resource declares: sets its timeout and quota cost.
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
    /// The template's query parameters still to fill: (parameter, placeholder).
    pending: Vec<(&'static str, &'static str)>,
    /// The template's path placeholders as filled: (placeholder, value).
    args: Vec<(String, String)>,
}

impl Request {
    /// A request at a path of its own, not its resource's template (MusicBrainz's
    /// lookup form of a browse resource, a test's list).
    pub fn new(resource: &'static str, path: impl Into<String>) -> Self {
        Request { resource, path: path.into(), query: Vec::new(), pending: Vec::new(), args: Vec::new() }
    }

    /// A request at its resource's template (`/artist/{id}/albums`, `/search?q={q}`):
    /// the template's fixed parameters set, its `{placeholders}` left for [`Request::arg`].
    pub fn of(resource: &crate::Resource) -> Self {
        let (path, query) = resource.template.split_once('?').unwrap_or((resource.template, ""));
        let mut request = Request::new(resource.name, path);
        for (name, value) in query.split('&').filter_map(|p| p.split_once('=')) {
            match value.strip_prefix('{').and_then(|v| v.strip_suffix('}')) {
                Some(placeholder) => request.pending.push((name, placeholder)),
                None => request.query.push((name.to_string(), value.to_string())),
            }
        }
        request
    }

    /// Fills the template's `{name}`, in the path or as a query parameter. A name the
    /// template does not have is a bug in the provider's module.
    pub fn arg(mut self, name: &str, value: impl ToString) -> Self {
        let placeholder = format!("{{{name}}}");
        if self.path.contains(&placeholder) {
            let value = value.to_string();
            self.path = self.path.replace(&placeholder, &value);
            self.args.push((name.to_string(), value));
        } else if let Some(i) = self.pending.iter().position(|(_, p)| *p == name) {
            let (param, _) = self.pending.remove(i);
            self.query.push((param.to_string(), value.to_string()));
        } else {
            panic!("{}: the template has no {placeholder} left to fill (path {})", self.resource, self.path);
        }
        self
    }

    /// The template's last placeholder, in the query or else the path: what a recorded
    /// file's name stands for (`liner ingest`).
    pub fn last_placeholder(&self) -> Option<String> {
        if let Some((_, p)) = self.pending.last() {
            return Some(p.to_string());
        }
        let start = self.path.rfind('{')?;
        let end = self.path[start..].find('}')? + start;
        Some(self.path[start + 1..end].to_string())
    }

    pub fn param(mut self, name: &str, value: impl ToString) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// What the request was made with, as it lands beside the response: the path's
    /// placeholders and the query parameters, by name, as sent (credentials left out),
    /// so that staging reads `params ->> 'artist_id'` instead of parsing the key.
    pub fn params(&self) -> String {
        let named = self.args.iter().chain(&self.query).filter(|(k, _)| !SECRET_PARAMS.contains(&k.as_str()));
        let object: serde_json::Map<String, serde_json::Value> =
            named.map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
        serde_json::Value::Object(object).to_string()
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

/// A search's terms, folded to ASCII lower case without punctuation, sorted but not
/// de-duplicated: "deadmau5 - strobe" and "Strobe deadmau5" are one search, "Duran
/// Duran" and "Duran" two. A field clause (`artist:"Daft Punk"`, `isrc:GB...`) is one
/// term, its words kept in order, so `artist:"A" album:"B"` and its swap are one search
/// and `artist:"A B"` is not `artist:"B A"`.
pub fn search_words(q: &str) -> String {
    let fold = |s: &str| -> Vec<String> {
        deunicode::deunicode(s)
            .to_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut terms: Vec<String> = Vec::new();
    let mut rest = q;
    while !rest.is_empty() {
        let trimmed = rest.trim_start();
        // A field clause: `name:"quoted words"` or `name:word`.
        let field_len = trimmed.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').count();
        if field_len > 0 && trimmed[field_len..].starts_with(':') {
            let field = trimmed[..field_len].to_lowercase();
            let after = &trimmed[field_len + 1..];
            let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
                match quoted.find('"') {
                    Some(end) => (&quoted[..end], &quoted[end + 1..]),
                    None => (quoted, ""),
                }
            } else {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            };
            terms.push(format!("{field}:{}", fold(value).join(" ")));
            rest = next;
            continue;
        }
        let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        terms.extend(fold(&trimmed[..end]));
        rest = &trimmed[end..];
    }
    terms.sort_unstable();
    terms.join(" ")
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

    const ALBUMS: crate::Resource =
        crate::Resource::lookup("p", "artist_albums", "/artists/{id}/albums?include=all", crate::cache::Ttl::Catalog);
    const SEARCH: crate::Resource =
        crate::Resource::search("p", "album_search", "/search?type=album&q={q}", crate::cache::Ttl::Catalog);

    #[test]
    fn a_template_fills_its_path_and_query_placeholders_as_a_hand_written_request_would() {
        let filled = Request::of(&ALBUMS).arg("id", 27).param("limit", 10);
        assert_eq!(filled.path, "/artists/27/albums");
        let by_hand = Request::new("artist_albums", "/artists/27/albums").param("include", "all").param("limit", 10);
        assert_eq!(filled.key(), by_hand.key());
        let search = Request::of(&SEARCH).arg("q", "Daft Punk");
        assert_eq!(
            search.query,
            [("type".to_string(), "album".to_string()), ("q".to_string(), "Daft Punk".to_string())]
        );
        assert_eq!(Request::of(&SEARCH).last_placeholder().as_deref(), Some("q"));
        assert_eq!(Request::of(&ALBUMS).last_placeholder().as_deref(), Some("id"));
        assert!(Request::of(&SEARCH).query.iter().all(|(k, _)| k != "q"), "an unfilled placeholder is not sent");
    }

    #[test]
    #[should_panic(expected = "no {album_id}")]
    fn filling_a_placeholder_the_template_lacks_is_a_bug() {
        let _ = Request::of(&ALBUMS).arg("album_id", 1);
    }

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
    fn different_searches_keep_different_keys() {
        let key = |q: &str| Request::new("artist_search", "/search").param("q", q).key();
        assert_ne!(key("Duran Duran"), key("Duran"), "a repeated word is part of the name");
        assert_ne!(key("The The"), key("The"));
        assert_eq!(key(r#"artist:"Daft Punk" album:"Discovery""#), key(r#"album:"Discovery"  artist:"daft punk""#));
        assert_ne!(key(r#"artist:"Daft Punk" album:"Discovery""#), key(r#"artist:"Discovery" album:"Daft Punk""#));
        assert_ne!(key(r#"artist:"A B""#), key(r#"artist:"B A""#));
        assert_eq!(key("isrc:GBDUW0000058"), key("ISRC:gbduw0000058"));
    }

    #[test]
    fn stored_urls_carry_no_credentials() {
        let u = url::Url::parse("https://user:pw@ws.example/2.0/?method=x&api_key=s3cret&format=json").unwrap();
        let s = strip_credentials(&u);
        assert!(!s.contains("s3cret") && !s.contains("pw"), "{s}");
        assert!(s.contains("method=x"));
    }
}
