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
    let db = crate::warehouse::open(warehouse)?;
    let (sql, args, what): (&str, Vec<String>, String) = match query {
        Query::Item { provider, id } => (
            "SELECT entity, cluster_id, provider, item_id FROM canonical.clusters WHERE provider = ? AND item_id = ?",
            vec![provider.clone(), id.clone()],
            format!("{provider} {id}"),
        ),
        Query::Isrc(code) => {
            let isrc =
                liner_transform::normalize::isrc(code).with_context(|| format!("--isrc {code:?} is not an ISRC"))?;
            (
                "SELECT c.entity, c.cluster_id, c.provider, c.item_id FROM intermediate.item_identifiers i \
                 JOIN canonical.clusters c USING (entity, provider, item_id) WHERE i.kind = 'isrc' AND i.value = ? \
                 ORDER BY c.provider, c.item_id",
                vec![isrc.clone()],
                format!("ISRC {isrc}"),
            )
        }
        Query::Upc(code) => {
            let gtin = liner_transform::normalize::gtin14(code).with_context(|| {
                format!("--upc {code:?} is not a barcode (8 to 14 digits with a valid check digit)")
            })?;
            (
                "SELECT c.entity, c.cluster_id, c.provider, c.item_id FROM intermediate.item_identifiers i \
                 JOIN canonical.clusters c USING (entity, provider, item_id) WHERE i.kind = 'gtin' AND i.value = ? \
                 ORDER BY c.provider, c.item_id",
                vec![gtin.clone()],
                format!("UPC {gtin}"),
            )
        }
    };
    let mut stmt = db.prepare(sql)?;
    let found: Option<(String, String, String, String)> = stmt
        .query_map(duckdb::params_from_iter(args.iter()), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .next()
        .transpose()?;
    let Some((entity, cluster, provider, item)) = found else {
        bail!(
            "{what} is not in the warehouse: follow its artist or look it up (`liner extract --upc/--isrc`), then `liner transform`"
        );
    };
    let items = if entity == "release" { "intermediate.release_items" } else { "intermediate.track_items" };
    let canonical = if entity == "release" { "canonical.releases" } else { "canonical.tracks" };
    let key = if entity == "release" { "release_id" } else { "track_id" };
    let (title, artist): (Option<String>, Option<String>) =
        db.query_row(&format!("SELECT title, artist FROM {canonical} WHERE {key} = ?"), [&cluster], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{entity} {cluster}: {} by {}",
        title.as_deref().unwrap_or("?"),
        artist.as_deref().unwrap_or("?")
    );
    let members_sql = format!(
        "SELECT c.provider, c.item_id, i.title, i.url, l.method, l.via, l.score \
         FROM canonical.clusters c \
         LEFT JOIN {items} i USING (provider, item_id) \
         LEFT JOIN canonical.links l ON l.entity = c.entity AND ( \
             (l.left_provider = ? AND l.left_id = ? AND l.right_provider = c.provider AND l.right_id = c.item_id) OR \
             (l.right_provider = ? AND l.right_id = ? AND l.left_provider = c.provider AND l.left_id = c.item_id)) \
         WHERE c.entity = ? AND c.cluster_id = ? AND NOT (c.provider = ? AND c.item_id = ?) \
         ORDER BY c.provider, c.item_id"
    );
    let mut stmt = db.prepare(&members_sql)?;
    let rows =
        stmt.query_map(duckdb::params![provider, item, provider, item, entity, cluster, provider, item], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<f64>>(6)?,
            ))
        })?;
    let mut n = 0;
    for row in rows {
        let (p, id, title, url, method, via, score) = row?;
        n += 1;
        let how = match (method, via) {
            (Some(m), Some(v)) if v != "own" && v != "liner" => format!("{m} (via {v})"),
            (Some(m), _) => m,
            (None, _) => "through the others".into(),
        };
        let _ = writeln!(
            out,
            "  {p:<12} {id:<24} {how:<28} {:>5}  {}  {}",
            score.map_or("-".into(), |s| format!("{s:.2}")),
            url.as_deref().unwrap_or(""),
            title.as_deref().unwrap_or("")
        );
    }
    if n == 0 {
        let _ = writeln!(out, "  no other provider has it yet");
    }
    Ok(out)
}
