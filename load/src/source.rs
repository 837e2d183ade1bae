//! Reading the tables to load from the warehouse: their columns, their key and declared
//! lengths (from `meta.models`), and their rows as plain values every target can store.

use std::path::Path;

use anyhow::{Context, bail};
use duckdb::{AccessMode, Config, Connection};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Integer,
    Real,
    Boolean,
    Date,
    Timestamp,
    /// Text, and everything else as its text form (lists, structs, UUIDs).
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
    /// The most characters a value may have, from the model's `-- max_length:`.
    pub max_length: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct TableSpec {
    /// `schema.table` in the warehouse.
    pub source: String,
    /// The table's name in the app database: the warehouse name without its schema.
    pub target: String,
    pub columns: Vec<Column>,
    pub key: Vec<String>,
    /// Which build of the model the warehouse holds (its fingerprint and when it was
    /// last built or brought up to date): a table loaded from this version has nothing
    /// new to load. None from a warehouse that does not say.
    pub version: Option<String>,
    /// Set for a load of the partitions that changed alone (`changed_since`): only
    /// their rows are read, and only their rows may be gone.
    pub scope: Option<Scope>,
}

/// Where a table's rows changed since a version: the values of one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub column: String,
    pub values: Vec<String>,
}

/// What a merge must read of a table, from the version of its model the app holds.
pub enum SinceLoaded {
    /// The app holds the current version: nothing.
    Nothing,
    /// The rows of the partitions or keys changed since (`TableSpec::scope`).
    Part(TableSpec),
    Whole,
}

/// What a merge must read of `spec`'s table, which the app holds at version `loaded`
/// in a table of the model's definition (`same_definition`).
pub fn since_loaded(
    warehouse: &Path,
    spec: &TableSpec,
    loaded: Option<&str>,
    same_definition: bool,
) -> anyhow::Result<SinceLoaded> {
    let (Some(loaded), true) = (loaded, same_definition) else { return Ok(SinceLoaded::Whole) };
    if spec.version.as_deref() == Some(loaded) {
        return Ok(SinceLoaded::Nothing);
    }
    Ok(match changed_since(warehouse, spec, loaded)? {
        Some(scope) => SinceLoaded::Part(TableSpec { scope: Some(scope), ..spec.clone() }),
        None => SinceLoaded::Whole,
    })
}

/// The partitions of a table the builds made again since version `from` (the one an
/// app holds), when the warehouse's record of them (`meta.model_changes`) leads from it
/// to the table's current version: then the rows of those alone differ. None when it
/// does not (a full build since, a model rebuilt whole, an app loaded too long ago):
/// the table is merged whole.
fn changed_since(warehouse: &Path, spec: &TableSpec, from: &str) -> anyhow::Result<Option<Scope>> {
    let Some(to) = spec.version.as_deref() else { return Ok(None) };
    let db = open(warehouse)?;
    let recorded: bool = db.query_row(
        "SELECT count(*) > 0 FROM information_schema.tables WHERE table_schema = 'meta' AND table_name = 'model_changes'",
        [],
        |r| r.get(0),
    )?;
    if !recorded {
        return Ok(None);
    }
    let mut stmt = db.prepare(
        "SELECT DISTINCT from_version, to_version, column_name FROM meta.model_changes \
         WHERE name = ? AND value IS NULL AND from_version IS NOT NULL",
    )?;
    let steps: Vec<(String, String, String)> =
        stmt.query_map([&spec.source], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    // Builds follow one another, so each version has one step out of it.
    let (mut at, mut through, mut column) = (from.to_string(), Vec::new(), None::<String>);
    while at != to {
        let Some((_, next, c)) = steps.iter().find(|(f, ..)| *f == at) else { return Ok(None) };
        if column.get_or_insert_with(|| c.clone()) != c || through.contains(next) {
            return Ok(None);
        }
        through.push(next.clone());
        at = next.clone();
    }
    let Some(column) = column else { return Ok(None) };
    if !spec.columns.iter().any(|c| c.name == column) {
        return Ok(None);
    }
    let versions: Vec<String> = through.iter().map(|v| format!("'{}'", v.replace('\'', "''"))).collect();
    let mut stmt = db.prepare(&format!(
        "SELECT DISTINCT value FROM meta.model_changes WHERE name = ? AND value IS NOT NULL AND to_version IN ({}) \
         ORDER BY 1",
        versions.join(", ")
    ))?;
    let values: Vec<String> = stmt.query_map([&spec.source], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(Some(Scope { column, values }))
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
    // Warehouses built before `max_length` existed have no such column.
    let has_lengths: bool = db.query_row(
        "SELECT count(*) > 0 FROM information_schema.columns \
         WHERE table_schema = 'meta' AND table_name = 'models' AND column_name = 'max_length'",
        [],
        |r| r.get(0),
    )?;
    let sql = if has_lengths {
        "SELECT key, max_length FROM meta.models WHERE name = ?"
    } else {
        "SELECT key, NULL::VARCHAR FROM meta.models WHERE name = ?"
    };
    let model: Option<(String, Option<String>)> = db.query_row(sql, [source], |r| Ok((r.get(0)?, r.get(1)?))).ok();
    // Warehouses built before incremental builds keep no fingerprint: never skipped.
    let has_fingerprints: bool = db.query_row(
        "SELECT count(*) > 0 FROM information_schema.columns \
         WHERE table_schema = 'meta' AND table_name = 'models' AND column_name = 'fingerprint'",
        [],
        |r| r.get(0),
    )?;
    let version: Option<String> = if has_fingerprints {
        db.query_row("SELECT fingerprint || '@' || built_at::VARCHAR FROM meta.models WHERE name = ?", [source], |r| {
            r.get(0)
        })
        .ok()
        .flatten()
    } else {
        None
    };
    let Some((key, lengths)) = model else {
        bail!("load table {source:?}: the warehouse has no such model (see meta.models)");
    };
    let lengths = parse_lengths(lengths.as_deref().unwrap_or(""))
        .with_context(|| format!("load table {source}: meta.models.max_length"))?;
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
            Ok(Column { name, kind: kind_of(&ty), max_length: None })
        })?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|c| !WAREHOUSE_ONLY.contains(&c.name.as_str()))
        .map(|mut c| {
            c.max_length = lengths.iter().find(|(n, _)| *n == c.name).map(|(_, l)| *l);
            c
        })
        .collect::<Vec<_>>();
    if columns.is_empty() {
        bail!("load table {source}: the warehouse has no such table");
    }
    for k in &key {
        if !columns.iter().any(|c| &c.name == k) {
            bail!("load table {source}: its key column {k:?} is not one of its columns");
        }
    }
    for (name, _) in &lengths {
        match columns.iter().find(|c| &c.name == name) {
            None => bail!("load table {source}: `-- max_length:` names {name:?}, which is not one of its columns"),
            Some(c) if c.kind != ColumnKind::Text => {
                bail!("load table {source}: `-- max_length:` names {name:?}, which is not a text column")
            }
            Some(_) => {}
        }
    }
    Ok(TableSpec { source: source.to_string(), target: table.to_string(), columns, key, version, scope: None })
}

/// `isrc=12,gtin=14`, as the transform records a model's `-- max_length: isrc 12, gtin 14`.
fn parse_lengths(s: &str) -> anyhow::Result<Vec<(String, usize)>> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (name, n) = p.split_once('=').with_context(|| format!("expected column=length, got {p:?}"))?;
            let n = n.trim().parse().with_context(|| format!("{name}: {n:?} is not a length"))?;
            Ok((name.trim().to_string(), n))
        })
        .collect()
}

fn kind_of(duckdb_type: &str) -> ColumnKind {
    match duckdb_type {
        // HUGEINT and UBIGINT are what sums and counts come out as; a value past BIGINT is
        // a conversion error naming it.
        "TINYINT" | "SMALLINT" | "INTEGER" | "BIGINT" | "HUGEINT" | "UTINYINT" | "USMALLINT" | "UINTEGER"
        | "UBIGINT" => ColumnKind::Integer,
        "FLOAT" | "DOUBLE" => ColumnKind::Real,
        t if t.starts_with("DECIMAL") => ColumnKind::Real,
        "BOOLEAN" => ColumnKind::Boolean,
        "DATE" => ColumnKind::Date,
        "TIMESTAMP" | "TIMESTAMP_S" | "TIMESTAMP_MS" | "TIMESTAMP_NS" => ColumnKind::Timestamp,
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
                ColumnKind::Date => format!("{q}::DATE"),
                ColumnKind::Timestamp => format!("{q}::TIMESTAMP"),
                ColumnKind::Text => format!("{q}::VARCHAR"),
            }
        })
        .collect();
    // A few values as constants, which DuckDB checks in the scan itself (reading the
    // other columns of the matching rows alone); many as a join.
    let scope = match &spec.scope {
        None => String::new(),
        Some(s) if s.values.len() <= MAX_CONSTANTS => {
            let quoted: Vec<String> = s.values.iter().map(|v| format!("'{}'", v.replace('\'', "''"))).collect();
            format!(
                " WHERE {} IN ({})",
                quote(&s.column),
                if quoted.is_empty() { "NULL".into() } else { quoted.join(", ") }
            )
        }
        Some(s) => format!(" WHERE {}::VARCHAR IN (SELECT unnest({}))", quote(&s.column), text_list(&s.values)),
    };
    format!("SELECT {} FROM {}{scope}", cols.join(", "), spec.source)
}

/// The most values of a scope given to DuckDB as constants.
const MAX_CONSTANTS: usize = 1000;

/// `['a', 'b']`: a DuckDB list of text constants.
fn text_list(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("'{}'", v.replace('\'', "''"))).collect();
    format!("[{}]::VARCHAR[]", quoted.join(", "))
}

pub fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}
