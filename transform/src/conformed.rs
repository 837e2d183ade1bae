//! Conformed models: where each provider's staging ends, so the shared models never
//! name a provider.
//!
//! A provider's staging may end in models of four shapes, found by name:
//! `staging.<provider>_release_items`, `_track_items`, `_identifiers` and `_facts`.
//! liner gathers each shape over the registered providers into one view,
//! `staging.<shape>`, with the provider's name beside each row (as it makes the
//! `raw` and `answers` views over the lake), and makes each provider's own columns of
//! the canonical tables (declared by `-- canonical:` on its items model) into
//! `canonical.<entity>_provider_columns`, read from the gathered view, so an
//! aggregate may read a column only that provider's items have. Adding a provider adds
//! its rows and columns there without an edit to a shared model.
//!
//! A conformed model is a view with no key of its own: the intermediate models that
//! read the gathered views check the keys (`provider, item_id`) once, where checking
//! each view too would compute it a second time.

use anyhow::{Context, bail};
use duckdb::Connection;

use crate::model::{Materialized, Model, Partition};

/// A shape every provider's staging may end in, and the columns it must have.
pub struct Shape {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

pub const SHAPES: &[Shape] = &[
    Shape {
        name: "release_items",
        columns: &[
            "item_id",
            "title",
            "artist",
            "gtin",
            "release_date",
            "track_count",
            "popularity",
            "url",
            "raw_file",
        ],
    },
    Shape {
        name: "track_items",
        columns: &["item_id", "release_item_id", "title", "artist", "duration_ms", "popularity", "url", "raw_file"],
    },
    Shape { name: "identifiers", columns: &["entity", "item_id", "kind", "value", "via"] },
    Shape { name: "facts", columns: &["entity", "item_id", "field", "value"] },
];

/// The canonical tables that gather providers' columns: (entity, its items' shape).
const ENTITIES: &[(&str, &str)] = &[("release", "release_items"), ("track", "track_items")];

/// Each provider's measure in marts.coverage: (entity, provider, measure).
pub const COVERAGE_MEASURES: &str = "raw.coverage_measures";

/// `staging.<provider>_<shape>`.
pub fn model_name(provider: &str, shape: &str) -> String {
    format!("staging.{provider}_{shape}")
}

/// The provider and shape a model conforms to, if its name says it does.
pub fn conforms<'a>(name: &str, providers: &[&'a str]) -> Option<(&'a str, &'static Shape)> {
    let rest = name.strip_prefix("staging.")?;
    providers.iter().find_map(|p| {
        let shape = rest.strip_prefix(p)?.strip_prefix('_')?;
        SHAPES.iter().find(|s| s.name == shape).map(|s| (*p, s))
    })
}

/// The models liner writes from the providers' conformed ones: a view of each shape
/// some provider gives, and the providers' columns of each canonical table.
pub fn generated(models: &[Model], providers: &[&str]) -> anyhow::Result<Vec<Model>> {
    let find = |provider: &str, shape: &str| {
        let name = model_name(provider, shape);
        models.iter().find(|m| m.name == name)
    };
    // A provider's canonical columns and coverage measure are said on its items model
    // alone: anywhere else they would be dropped without a word.
    if let Some(m) = models.iter().find(|m| {
        (!m.canonical.is_empty() || m.coverage.is_some())
            && !conforms(&m.name, providers).is_some_and(|(_, s)| ENTITIES.iter().any(|(_, items)| *items == s.name))
    }) {
        bail!(
            "{}: -- canonical: and -- coverage: belong on a provider's items model \
             (staging.<provider>_release_items or _track_items), not on {}",
            m.path.display(),
            m.name
        );
    }
    let mut out = Vec::new();
    for shape in SHAPES {
        let gathered = format!("staging.{}", shape.name);
        if let Some(m) = models.iter().find(|m| m.name == gathered) {
            bail!("{} defines {gathered}, which liner gathers from each provider's {}", m.path.display(), shape.name);
        }
        let parts: Vec<String> = providers
            .iter()
            .filter(|p| find(p, shape.name).is_some())
            .map(|p| format!("SELECT '{p}' AS provider, * FROM {}", model_name(p, shape.name)))
            .collect();
        if !parts.is_empty() {
            out.push(Model::generated(&gathered, parts.join("\nUNION ALL BY NAME\n"), Materialized::View));
        }
    }
    for (entity, shape) in ENTITIES {
        let columns: Vec<String> = providers
            .iter()
            .filter_map(|p| find(p, shape).map(|m| (p, m)))
            .flat_map(|(p, m)| {
                m.canonical
                    .iter()
                    .map(move |c| format!("{} FILTER (WHERE i.provider = '{p}'){} AS {}", c.aggregate, c.cast, c.name))
            })
            .collect();
        if columns.is_empty() {
            continue;
        }
        // One pass over the entity's members, over every column each provider's items
        // have (its own ones too, beyond the shape's).
        let sql = format!(
            "SELECT c.cluster_id,\n    {}\nFROM canonical.clusters c\nJOIN staging.{shape} i USING (provider, item_id)\n\
             WHERE c.entity = '{entity}'\nGROUP BY c.cluster_id",
            columns.join(",\n    ")
        );
        // Grouped by cluster: one row a cluster by construction, so no key is checked
        // (a check would cost a second pass over every cluster).
        let mut m = Model::generated(&format!("canonical.{entity}_provider_columns"), sql, Materialized::Table);
        // A cluster's row comes from its members' rows alone.
        m.partition = Some(Partition { column: "cluster_id".into(), values: "canonical.clusters.cluster_id".into() });
        out.push(m);
    }
    Ok(out)
}

/// `raw.coverage_measures`: the providers with columns in a canonical table, each with
/// the name of its coverage measure (its own, unless its items model says another).
pub fn coverage_measures(db: &Connection, models: &[Model], providers: &[&str]) -> anyhow::Result<()> {
    db.execute_batch(&format!(
        "CREATE OR REPLACE TABLE {COVERAGE_MEASURES} (entity VARCHAR, provider VARCHAR, measure VARCHAR)"
    ))?;
    let mut rows = db.appender_to_db("coverage_measures", "raw")?;
    for (entity, shape) in ENTITIES {
        for p in providers {
            let name = model_name(p, shape);
            if let Some(m) = models.iter().find(|m| m.name == name && !m.canonical.is_empty()) {
                rows.append_row([*entity, *p, m.coverage.as_deref().unwrap_or(p)])?;
            }
        }
    }
    rows.flush()?;
    Ok(())
}

/// The enum types `release_provider` and `track_provider`: the providers that give
/// items of each entity, in the registry's order, for a model that makes a column per
/// provider (`PIVOT ... ON provider IN release_provider`).
pub fn provider_types(db: &Connection, models: &[Model], providers: &[&str]) -> anyhow::Result<()> {
    for (entity, shape) in ENTITIES {
        let names: Vec<String> = providers
            .iter()
            .filter(|p| models.iter().any(|m| m.name == model_name(p, shape)))
            .map(|p| format!("'{p}'"))
            .collect();
        if names.is_empty() {
            continue;
        }
        db.execute_batch(&format!(
            "DROP TYPE IF EXISTS {entity}_provider; CREATE TYPE {entity}_provider AS ENUM ({})",
            names.join(", ")
        ))
        .with_context(|| format!("creating the type {entity}_provider"))?;
    }
    Ok(())
}

/// A conformed model must have its shape's columns: the first one missing is an error
/// naming the model's file, said when it is built rather than by a reader far away.
pub fn check_columns(db: &Connection, model: &Model, shape: &Shape) -> anyhow::Result<()> {
    let (schema, table) = model.name.split_once('.').unwrap_or(("main", &model.name));
    let mut stmt =
        db.prepare("SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?")?;
    let have: Vec<String> = stmt.query_map([schema, table], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let missing: Vec<&str> = shape.columns.iter().copied().filter(|c| !have.iter().any(|h| h == c)).collect();
    if !missing.is_empty() {
        bail!(
            "{}: {} conforms to {} and lacks the column(s) {}",
            model.path.display(),
            model.name,
            shape.name,
            missing.join(", ")
        );
    }
    if have.iter().any(|h| h == "provider") {
        bail!(
            "{}: {} has a column `provider`: liner adds it when it gathers {}",
            model.path.display(),
            model.name,
            shape.name
        );
    }
    Ok(())
}
