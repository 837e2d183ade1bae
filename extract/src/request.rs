//! A request to a provider, and the key that names it in the raw lake.

/// Query parameters that carry credentials: never stored, never part of a key.
const SECRET_PARAMS: &[&str] = &["api_key", "key", "token", "access_token", "client_secret", "secret"];

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
    /// parameters, without format switches or credentials.
    pub fn key(&self) -> String {
        let mut params: Vec<String> = self
            .query
            .iter()
            .filter(|(k, _)| k != "fmt" && !SECRET_PARAMS.contains(&k.as_str()))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        params.sort();
        if params.is_empty() {
            format!("{}:{}", self.resource, self.path)
        } else {
            format!("{}:{}?{}", self.resource, self.path, params.join("&"))
        }
    }
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
    fn stored_urls_carry_no_credentials() {
        let u = url::Url::parse("https://user:pw@ws.example/2.0/?method=x&api_key=s3cret&format=json").unwrap();
        let s = strip_credentials(&u);
        assert!(!s.contains("s3cret") && !s.contains("pw"), "{s}");
        assert!(s.contains("method=x"));
    }
}
