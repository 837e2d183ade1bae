//! How a provider's lists are paged, said as data (dlt's paginators): where a page's
//! items are, how the next page is asked for, and how a page says it is the last. Every
//! provider's listing loop is `let mut pages = f.pages(request); while let
//! Some(page) = pages.next().await { ... }`, the paging being its resource's.

use serde_json::Value;

use crate::request::Request;

/// How a list is paged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// A JSON pointer to each page's items (`/data`, `/response/songs`).
    pub items: &'static str,
    pub step: Step,
    /// A page is the last when any of these says so.
    pub last: &'static [Last],
}

/// How the page after this one is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The items seen so far, in this parameter (`offset`, Deezer's `index`).
    Offset(&'static str),
    /// The page number, from 1, in this parameter (`page`).
    Page(&'static str),
    /// The token this page gives (a pointer, `/nextPageToken`), in this parameter.
    Cursor { param: &'static str, from: &'static str },
    /// The `offset` of the path the page names as its next (a pointer, `/next`: Apple's
    /// "/v1/catalog/us/artists/1/albums?offset=10").
    NextPath(&'static str),
}

/// How a page says no other follows. A page without items is the last in every case,
/// and so is one that names no next for a `Cursor` or `NextPath` step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Last {
    /// The items seen reach the total at this pointer (`/total`, `/release-count`).
    Total(&'static str),
    /// This page's number reaches the count of pages at this pointer (a number, or a
    /// string of digits as Last.fm writes it).
    Pages(&'static str),
    /// The field at this pointer is missing or null (`/next`, `/response/next_page`).
    NoNext(&'static str),
}

impl Paging {
    /// A page's items. An object there is a list of one, as Last.fm's XML-born JSON
    /// writes it.
    pub fn items<'v>(&self, page: &'v Value) -> &'v [Value] {
        match page.pointer(self.items) {
            Some(Value::Array(items)) => items,
            Some(one @ Value::Object(_)) => std::slice::from_ref(one),
            _ => &[],
        }
    }
}

/// A paged list being read, page by page: `next` asks for the page after the last one.
pub struct Pages<'f, 'a> {
    fetcher: &'f crate::job::Fetcher<'a>,
    first: Request,
    paging: Paging,
    at: Position,
}

impl<'f, 'a> Pages<'f, 'a> {
    pub(crate) fn new(fetcher: &'f crate::job::Fetcher<'a>, first: Request, paging: Paging) -> Self {
        Pages { fetcher, first, paging, at: Position::default() }
    }

    /// The next page's body, or `None` when the list is done: the last page said so, or
    /// a page was not there (404) or refused (reported, see `Fetcher::fetch_page`).
    pub async fn next(&mut self) -> Option<Value> {
        if self.at.done {
            return None;
        }
        let request = self.paging.request(&self.first, &self.at);
        let Some(page) = self.fetcher.fetch_page(request).await else {
            self.at.done = true;
            return None;
        };
        self.at = self.paging.after(&self.at, &page);
        Some(page)
    }

    /// The first `seen` items came with another answer (Spotify's album lookup carries
    /// the first page of its tracks): the list goes on from there.
    pub fn skipping(mut self, seen: u64) -> Self {
        self.at.seen = seen;
        self
    }

    /// Every item of every page that is left.
    pub async fn all(mut self) -> Vec<Value> {
        let mut out = Vec::new();
        while let Some(page) = self.next().await {
            out.extend_from_slice(self.paging.items(&page));
        }
        out
    }
}

/// A number, or a string of digits (Last.fm writes every number as a string).
fn number(v: Option<&Value>) -> Option<u64> {
    let v = v?;
    v.as_u64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// The `offset` parameter of a path such as "/v1/catalog/us/artists/1/albums?offset=10".
fn offset_in(path: &str) -> Option<u64> {
    let (_, query) = path.split_once('?')?;
    query.split('&').find_map(|pair| pair.strip_prefix("offset=")?.parse().ok())
}

/// Where the listing is: what the next request adds to the first one.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Position {
    pub page: u64,
    pub seen: u64,
    /// `Some` once a page has named the next: the parameter's value.
    pub next: Option<String>,
    pub done: bool,
}

impl Paging {
    /// The request for the page at `at`: the first asks as given (with `Page` at 1).
    pub(crate) fn request(&self, first: &Request, at: &Position) -> Request {
        let request = first.clone();
        match (self.step, &at.next) {
            (Step::Page(param), _) => request.param(param, at.page + 1),
            (Step::Offset(param), _) => request.param(param, at.seen),
            (Step::Cursor { param, .. }, Some(token)) => request.param(param, token),
            (Step::NextPath(_), Some(offset)) => request.param("offset", offset),
            (Step::Cursor { .. } | Step::NextPath(_), None) => request,
        }
    }

    /// The position after `page`: whether another page follows, and how to ask for it.
    pub(crate) fn after(&self, at: &Position, page: &Value) -> Position {
        let items = self.items(page).len() as u64;
        let mut next = Position { page: at.page + 1, seen: at.seen + items, next: None, done: items == 0 };
        next.done |= self.last.iter().any(|last| match *last {
            Last::Total(p) => next.seen >= number(page.pointer(p)).unwrap_or(0),
            Last::Pages(p) => next.page >= number(page.pointer(p)).unwrap_or(1),
            Last::NoNext(p) => page.pointer(p).is_none_or(Value::is_null),
        });
        match self.step {
            Step::Cursor { from, .. } => match page.pointer(from).and_then(Value::as_str) {
                Some(token) => next.next = Some(token.to_string()),
                None => next.done = true,
            },
            Step::NextPath(from) => match page.pointer(from).and_then(Value::as_str).and_then(offset_in) {
                // A next page that does not move on would be asked for ever.
                Some(offset) if offset > at.next.as_deref().and_then(|o| o.parse().ok()).unwrap_or(0) => {
                    next.next = Some(offset.to_string())
                }
                _ => next.done = true,
            },
            Step::Offset(_) | Step::Page(_) => {}
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The requests a paging makes over `pages`, by their keys, until it is done.
    fn walk(paging: Paging, pages: &[Value]) -> Vec<String> {
        let first = Request::new("r", "/list");
        let mut at = Position::default();
        let mut asked = Vec::new();
        for page in pages {
            asked.push(paging.request(&first, &at).key());
            at = paging.after(&at, page);
            if at.done {
                break;
            }
        }
        asked
    }

    #[test]
    fn offsets_advance_by_the_items_seen_until_the_total() {
        let paging = Paging { items: "/data", step: Step::Offset("index"), last: &[Last::Total("/total")] };
        let page = json!({ "data": [1, 2], "total": 3 });
        let last = json!({ "data": [3], "total": 3 });
        assert_eq!(walk(paging, &[page.clone(), last, page]), ["r:/list?index=0", "r:/list?index=2"]);
    }

    #[test]
    fn pages_count_from_one_until_the_count_of_pages_even_written_as_text() {
        let paging = Paging { items: "/a/t", step: Step::Page("page"), last: &[Last::Pages("/a/@attr/totalPages")] };
        let page = json!({ "a": { "t": [1], "@attr": { "totalPages": "2" } } });
        assert_eq!(walk(paging, &[page.clone(), page.clone(), page]), ["r:/list?page=1", "r:/list?page=2"]);
    }

    #[test]
    fn a_missing_or_null_next_ends_the_list_and_an_empty_page_does_too() {
        let paging = Paging { items: "/items", step: Step::Offset("offset"), last: &[Last::NoNext("/next")] };
        let more = json!({ "items": [1], "next": "x" });
        let end = json!({ "items": [2], "next": null });
        assert_eq!(walk(paging, &[more.clone(), end]).len(), 2);
        assert_eq!(walk(paging, &[json!({ "items": [], "next": "x" }), more]).len(), 1, "empty");
    }

    #[test]
    fn a_cursor_is_passed_on_and_a_next_path_must_move_on() {
        let paging =
            Paging { items: "/items", step: Step::Cursor { param: "pageToken", from: "/nextPageToken" }, last: &[] };
        let pages = [json!({ "items": [1], "nextPageToken": "CAUQAA" }), json!({ "items": [2] })];
        assert_eq!(walk(paging, &pages), ["r:/list", "r:/list?pageToken=CAUQAA"]);

        let paging = Paging { items: "/data", step: Step::NextPath("/next"), last: &[] };
        let pages = [
            json!({ "data": [1], "next": "/v1/x?offset=10" }),
            json!({ "data": [2], "next": "/v1/x?offset=10" }),
            json!({ "data": [3] }),
        ];
        assert_eq!(walk(paging, &pages), ["r:/list", "r:/list?offset=10"], "the same next twice stops");
    }
}
