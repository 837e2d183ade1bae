//! Enrichment on request: an item an app asks for (an artist and a title, with an
//! ISRC, a barcode or a provider's own id when it knows one) is looked up on every
//! provider that can, the strongest evidence first, landed and built into the
//! warehouse. Its status says how that went, provider by provider; the enrich
//! schedule tries the unfinished ones again after a wait that doubles, up to
//! `enrich.max_tries` tries in all.

use std::collections::BTreeMap;

use liner_extract::{Identifier, Lookup, Outcome, Provider};
use serde::{Deserialize, Serialize};

use crate::config::EnrichConfig;

/// A release (looked up as an album) or a recording (as a track).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Track,
    Album,
}

/// An item to find, as an app asks for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// `track` or `album`; an album when only a UPC says which, else a track.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    #[schema(min_length = 1, max_length = 200)]
    pub artist: String,
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    /// A track's ISRC, when known: asked before the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isrc: Option<String>,
    /// An album's barcode (UPC or EAN, any padding), when known: asked before the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upc: Option<String>,
    /// A provider that lists the item, with `id`, its id there: asked of that provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// The field of an item at fault, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> Invalid {
    Invalid { field, message: message.into() }
}

impl Item {
    /// The item with its text trimmed, its codes in their normal form and its kind
    /// settled; or the first field at fault.
    pub fn checked(self) -> Result<Item, Invalid> {
        let text = |field: &'static str, value: String, max: usize| {
            let value = value.trim().to_string();
            if value.is_empty() || value.chars().count() > max {
                return Err(invalid(field, format!("{field}: 1 to {max} characters")));
            }
            Ok(value)
        };
        let artist = text("artist", self.artist, 200)?;
        let title = text("title", self.title, 300)?;
        let isrc = match self.isrc.filter(|s| !s.trim().is_empty()) {
            Some(code) => Some(
                liner_transform::normalize::isrc(&code)
                    .ok_or_else(|| invalid("isrc", format!("{code:?} is not an ISRC (CC-XXX-YY-NNNNN)")))?,
            ),
            None => None,
        };
        let upc = match self.upc.filter(|s| !s.trim().is_empty()) {
            Some(code) => Some(liner_transform::normalize::gtin14(&code).ok_or_else(|| {
                invalid("upc", format!("{code:?} is not a barcode (8 to 14 digits with a valid check digit)"))
            })?),
            None => None,
        };
        let kind = match (self.kind, &isrc, &upc) {
            (_, Some(_), Some(_)) => return Err(invalid("upc", "an ISRC names a track and a UPC an album: give one")),
            (Some(Kind::Album), Some(_), _) => return Err(invalid("isrc", "an ISRC names a track, not an album")),
            (Some(Kind::Track), _, Some(_)) => return Err(invalid("upc", "a UPC names an album, not a track")),
            (Some(kind), _, _) => kind,
            (None, _, Some(_)) => Kind::Album,
            (None, _, None) => Kind::Track,
        };
        let (provider, id) = match (self.provider, self.id) {
            (Some(p), Some(id)) => {
                let Some(provider) = Provider::parse(p.trim()) else {
                    let known: Vec<&str> = Provider::ALL.iter().map(|p| p.name()).collect();
                    return Err(invalid("provider", format!("no provider {p:?}: one of {}", known.join(", "))));
                };
                let id = id.trim().to_string();
                if id.is_empty()
                    || id.len() > 100
                    || !id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
                {
                    return Err(invalid("id", "a provider's id: 1 to 100 letters, digits, '-', '_', '.' or ':'"));
                }
                (Some(provider.name().to_string()), Some(id))
            }
            (Some(_), None) => return Err(invalid("id", "provider wants an id beside it")),
            (None, Some(_)) => return Err(invalid("provider", "id wants a provider beside it")),
            (None, None) => (None, None),
        };
        Ok(Item { kind: Some(kind), artist, title, isrc, upc, provider, id })
    }

    pub fn kind(&self) -> Kind {
        self.kind.unwrap_or(if self.upc.is_some() { Kind::Album } else { Kind::Track })
    }

    /// The ways to ask for the item, strongest first: its code, its id on the provider
    /// named, then its artist and title. Each provider takes the first it can answer.
    pub fn lookup(&self, key: &str) -> Lookup {
        let (artist, title) = (self.artist.clone(), self.title.clone());
        let on = self.provider.as_deref().and_then(Provider::parse).map(|p| p.name());
        let mut ways = Vec::new();
        match self.kind() {
            Kind::Track => {
                ways.extend(self.isrc.clone().map(Identifier::Isrc));
                if let (Some(provider), Some(id)) = (on, &self.id) {
                    ways.push(Identifier::TrackId { provider, id: id.clone() });
                }
                ways.push(Identifier::Track { artist, title });
            }
            Kind::Album => {
                ways.extend(self.upc.clone().map(Identifier::Gtin));
                if let (Some(provider), Some(id)) = (on, &self.id) {
                    ways.push(Identifier::AlbumId { provider, id: id.clone() });
                }
                ways.push(Identifier::Album { artist, title });
            }
        }
        Lookup { key: Some(key.to_string()), ways }
    }
}

/// Where an enrichment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for its run.
    Pending,
    /// Its run is looking it up or rebuilding.
    InProgress,
    /// Every provider that can look it up answered (found or not), and it is built.
    Completed,
    /// Some providers answered and some failed: the failed ones are asked again.
    Partial,
    /// No provider answered, or the run failed: asked again.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::InProgress => "in_progress",
            Status::Completed => "completed",
            Status::Partial => "partial",
            Status::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [Status::Pending, Status::InProgress, Status::Completed, Status::Partial, Status::Failed]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

/// What one provider made of the item on its last try.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Answer {
    /// found, not_found, not_asked (it cannot be asked any of the item's ways), failed.
    pub outcome: String,
    /// Found by which way of asking (`ISRC ...`, `track "A" / "T"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl From<&Outcome> for Answer {
    fn from(o: &Outcome) -> Answer {
        let (outcome, by, error) = match o {
            Outcome::Found(by) => ("found", Some(by.clone()), None),
            Outcome::NotFound => ("not_found", None, None),
            Outcome::NotAsked => ("not_asked", None, None),
            Outcome::Failed(why) => ("failed", None, Some(why.clone())),
        };
        Answer { outcome: outcome.into(), by, error }
    }
}

/// The status the providers' answers add up to, with the failures named.
pub fn settle(answers: &BTreeMap<String, Answer>) -> (Status, Option<String>) {
    let asked: Vec<_> = answers.iter().filter(|(_, a)| a.outcome != "not_asked").collect();
    let failed: Vec<String> = asked
        .iter()
        .filter(|(_, a)| a.outcome == "failed")
        .map(|(p, a)| format!("{p}: {}", a.error.as_deref().unwrap_or("failed")))
        .collect();
    if asked.is_empty() {
        return (Status::Failed, Some("no enabled provider can look this item up".into()));
    }
    let error = (!failed.is_empty()).then(|| failed.join("; "));
    let status = match failed.len() {
        0 => Status::Completed,
        n if n == asked.len() => Status::Failed,
        _ => Status::Partial,
    };
    (status, error)
}

/// When an item that is not completed after `tries` tries is tried again: never once
/// it has had `max_tries`.
pub fn next_try(tries: u32, policy: &EnrichConfig, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
    if tries >= policy.max_tries {
        return None;
    }
    let doublings = tries.saturating_sub(1).min(16);
    let wait = policy.retry_after_minutes.saturating_mul(1 << doublings);
    let at = now + chrono::Duration::minutes(wait.min(365 * 24 * 60) as i64);
    Some(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// A new enrichment's id.
pub fn new_id() -> String {
    format!("enr-{}", crate::stored::state::new_run_id())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(isrc: Option<&str>, upc: Option<&str>) -> Item {
        Item {
            kind: None,
            artist: " Daft Punk ".into(),
            title: "Digital Love".into(),
            isrc: isrc.map(String::from),
            upc: upc.map(String::from),
            provider: None,
            id: None,
        }
    }

    #[test]
    fn an_item_is_asked_by_its_code_then_its_provider_id_then_its_title() {
        let mut i = item(Some("gb-duw-00-00058"), None);
        i.provider = Some("deezer".into());
        i.id = Some("3135556".into());
        let i = i.checked().unwrap();
        assert_eq!(i.kind(), Kind::Track);
        assert_eq!(
            i.lookup("k").ways,
            vec![
                Identifier::Isrc("GBDUW0000058".into()),
                Identifier::TrackId { provider: "deezer", id: "3135556".into() },
                Identifier::Track { artist: "Daft Punk".into(), title: "Digital Love".into() },
            ]
        );
        let album = item(None, Some("724384960650")).checked().unwrap();
        assert_eq!(album.kind(), Kind::Album);
        assert_eq!(album.lookup("k").ways[0], Identifier::Gtin("00724384960650".into()));
    }

    #[test]
    fn bad_fields_are_named() {
        let field = |i: Item| i.checked().unwrap_err().field;
        assert_eq!(field(item(Some("nope"), None)), "isrc");
        assert_eq!(field(item(None, Some("123"))), "upc");
        assert_eq!(field(Item { artist: "  ".into(), ..item(None, None) }), "artist");
        assert_eq!(
            field(Item { provider: Some("napster".into()), id: Some("1".into()), ..item(None, None) }),
            "provider"
        );
        assert_eq!(field(Item { provider: Some("deezer".into()), ..item(None, None) }), "id");
        assert_eq!(field(Item { kind: Some(Kind::Album), ..item(Some("GBDUW0000058"), None) }), "isrc");
    }

    #[test]
    fn answers_settle_into_a_status_and_failures_wait_longer_each_time() {
        let a = |o: Outcome| Answer::from(&o);
        let mut answers = BTreeMap::from([
            ("deezer".to_string(), a(Outcome::Found("ISRC X".into()))),
            ("lastfm".to_string(), a(Outcome::NotAsked)),
        ]);
        assert_eq!(settle(&answers), (Status::Completed, None));
        answers.insert("spotify".into(), a(Outcome::Failed("HTTP 503".into())));
        assert_eq!(settle(&answers), (Status::Partial, Some("spotify: HTTP 503".into())));
        answers.remove("deezer");
        assert_eq!(settle(&answers).0, Status::Failed);
        answers.remove("spotify");
        assert_eq!(settle(&answers).0, Status::Failed, "nobody could ask");

        let policy = EnrichConfig { max_tries: 3, retry_after_minutes: 60 };
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-06T12:00:00Z").unwrap().to_utc();
        assert_eq!(next_try(1, &policy, now).as_deref(), Some("2026-12-06T13:00:00Z"));
        assert_eq!(next_try(2, &policy, now).as_deref(), Some("2026-12-06T14:00:00Z"));
        assert_eq!(next_try(3, &policy, now), None, "three tries in all");
    }
}
