//! `liner links`: the same release or track on every other provider, from the
//! warehouse: the question a "Listen on ..." button asks, answered from our own
//! catalog, with how each link was made.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, bail};

/// What to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    Item { provider: String, id: String },
    Isrc(String),
    Upc(String),
}

pub fn lookup(warehouse: &Path, query: &Query) -> anyhow::Result<String> {
    let db = crate::stored::queries::open(warehouse)?;
    // An identifier's own carriers are listed too: they are what the code names.
    let (found, what, code) = match query {
        Query::Item { provider, id } => {
            (crate::stored::queries::listing(&db, provider, id)?, format!("{provider} {id}"), None)
        }
        Query::Isrc(code) => {
            let isrc =
                liner_transform::normalize::isrc(code).with_context(|| format!("--isrc {code:?} is not an ISRC"))?;
            (crate::stored::queries::listing_with(&db, "isrc", &isrc)?, format!("ISRC {isrc}"), Some(("isrc", isrc)))
        }
        Query::Upc(code) => {
            let gtin = liner_transform::normalize::gtin14(code).with_context(|| {
                format!("--upc {code:?} is not a barcode (8 to 14 digits with a valid check digit)")
            })?;
            (crate::stored::queries::listing_with(&db, "gtin", &gtin)?, format!("UPC {gtin}"), Some(("gtin", gtin)))
        }
    };
    let Some(listing) = found else {
        bail!(
            "{what} is not in the warehouse: follow its artist or look it up (`liner extract --upc/--isrc`), then `liner transform`"
        );
    };
    let (title, artist) = crate::stored::queries::cluster_title(&db, &listing)?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}: {} by {}",
        listing.entity,
        listing.cluster_id,
        title.as_deref().unwrap_or("?"),
        artist.as_deref().unwrap_or("?")
    );
    let (members, carriers) = match &code {
        None => (crate::stored::queries::other_listings(&db, &listing)?, Vec::new()),
        Some((kind, value)) => {
            (crate::stored::queries::every_listing(&db, &listing)?, crate::stored::queries::carriers(&db, kind, value)?)
        }
    };
    for m in &members {
        let carries = carriers.iter().any(|(p, id)| *p == m.provider && *id == m.item_id);
        let how = match (&m.method, &m.via) {
            _ if carries => format!("carries the {}", if listing.entity == "release" { "barcode" } else { "ISRC" }),
            (Some(m), Some(v)) if v != "own" && v != "liner" => format!("{m} (via {v})"),
            (Some(m), _) => m.clone(),
            (None, _) => "through the others".into(),
        };
        let _ = writeln!(
            out,
            "  {:<12} {:<24} {how:<28} {:>5}  {}  {}",
            m.provider,
            m.item_id,
            m.score.map_or("-".into(), |s| format!("{s:.2}")),
            m.url.as_deref().unwrap_or(""),
            m.title.as_deref().unwrap_or("")
        );
    }
    if members.is_empty() {
        let _ = writeln!(out, "  no other provider has it yet");
    }
    Ok(out)
}
