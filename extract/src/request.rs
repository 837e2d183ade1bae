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
}

impl Request {
    pub fn new(resource: &'static str, path: impl Into<String>) -> Self {
        Request { resource, path: path.into(), query: Vec::new() }
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
