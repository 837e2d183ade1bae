//! Reading the tables to load from the warehouse: their columns, their key (from
//! `meta.models`), and their rows as plain values every target can store.

use std::path::Path;

use anyhow::{Context, bail};
use duckdb::{AccessMode, Config, Connection};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Integer,
    Real,
    Boolean,
    /// Text, and everything else as its text form (dates, timestamps, lists).
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
}

#[derive(Debug, Clone)]
pub struct TableSpec {
    /// `schema.table` in the warehouse.
    pub source: String,
    /// The table's name in the app database: the warehouse name without its schema.
    pub target: String,
    pub columns: Vec<Column>,
    pub key: Vec<String>,
}

/// A read-only connection: loading never writes the warehouse.
pub fn open(path: &Path) -> anyhow::Result<Connection> {
    if !path.exists() {
        bail!("no warehouse at {}: run `liner transform` first", path.display());
    }
    let config = Config::default().access_mode(AccessMode::ReadOnly)?;
    Connection::open_with_flags(path, config).with_context(|| format!("opening the warehouse {}", path.display()))
}

/// Columns that stay in the warehouse: a path into the raw lake means nothing in the
/// app's database, and it changes whenever a response is fetched again, which would
/// make every load rewrite rows whose content did not change.
const WAREHOUSE_ONLY: &[&str] = &["source_file"];

pub fn table_spec(db: &Connection, source: &str) -> anyhow::Result<TableSpec> {
    let Some((schema, table)) = source.split_once('.') else {
        bail!("load table {source:?}: name it as <schema>.<table>, such as canonical.releases");
    };
    let key: Option<String> = db.query_row("SELECT key FROM meta.models WHERE name = ?", [source], |r| r.get(0)).ok();
    let Some(key) = key else {
        bail!("load table {source:?}: the warehouse has no such model (see meta.models)");
    };
    let key: Vec<String> = key.split(',').filter(|k| !k.is_empty()).map(str::to_string).collect();
    if key.is_empty() {
        bail!("load table {source}: its model declares no `-- key:`, so rows cannot be merged");
    }
    let mut stmt = db.prepare(
        "SELECT column_name, data_type FROM information_schema.columns \
         WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
    )?;
    let columns = stmt
        .query_map([schema, table], |r| {
            let (name, ty): (String, String) = (r.get(0)?, r.get(1)?);
            Ok(Column { name, kind: kind_of(&ty) })
        })?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|c| !WAREHOUSE_ONLY.contains(&c.name.as_str()))
        .collect();
    Ok(TableSpec { source: source.to_string(), target: table.to_string(), columns, key })
}

fn kind_of(duckdb_type: &str) -> ColumnKind {
    match duckdb_type {
        "TINYINT" | "SMALLINT" | "INTEGER" | "BIGINT" | "UTINYINT" | "USMALLINT" | "UINTEGER" => ColumnKind::Integer,
        "FLOAT" | "DOUBLE" => ColumnKind::Real,
        t if t.starts_with("DECIMAL") => ColumnKind::Real,
        "BOOLEAN" => ColumnKind::Boolean,
        _ => ColumnKind::Text,
    }
}

/// The SELECT that reads a table's rows with every column in its load kind.
pub fn select_sql(spec: &TableSpec) -> String {
    let cols: Vec<String> = spec
        .columns
        .iter()
        .map(|c| {
            let q = quote(&c.name);
            match c.kind {
                ColumnKind::Integer => format!("{q}::BIGINT"),
                ColumnKind::Real => format!("{q}::DOUBLE"),
                ColumnKind::Boolean => q,
                ColumnKind::Text => format!("{q}::VARCHAR"),
            }
        })
        .collect();
    format!("SELECT {} FROM {}", cols.join(", "), spec.source)
}

pub fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}
