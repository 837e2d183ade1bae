//! liner-load: canonical and mart tables from the warehouse into the app's database,
//! merged on each model's key, with the app's tables migrated to follow the models.

pub mod postgres;
pub mod rows;
pub mod schema;
pub mod source;
pub mod sqlite;

use std::path::{Path, PathBuf};

pub use postgres::PgTarget;
pub use source::{Column, ColumnKind, TableSpec};

/// The app's database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Sqlite(PathBuf),
    Postgres(PgTarget),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Sqlite(p) => write!(f, "{}", p.display()),
            Target::Postgres(pg) => write!(f, "{pg}"),
        }
    }
}

/// How rows reach the app's tables.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// Insert new rows, update changed ones, delete those that are gone; leave the rest.
    #[default]
    Merge,
    /// Build each table anew and swap it in for the old one.
    Replace,
}

impl std::str::FromStr for Mode {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Mode> {
        match s {
            "merge" => Ok(Mode::Merge),
            "replace" => Ok(Mode::Replace),
            other => anyhow::bail!("load mode {other:?}: expected merge or replace"),
        }
    }
}

/// Loads `tables` (`schema.table` in the warehouse) into `target`, all in one
/// transaction: the app sees every table change at once, or none.
pub async fn load(warehouse: &Path, target: &Target, tables: &[String], mode: Mode) -> anyhow::Result<Vec<TableLoad>> {
    match target {
        Target::Sqlite(path) => {
            let (warehouse, path, tables) = (warehouse.to_path_buf(), path.clone(), tables.to_vec());
            tokio::task::spawn_blocking(move || sqlite::load(&warehouse, &path, &tables, mode)).await?
        }
        Target::Postgres(pg) => postgres::load(warehouse, pg, tables, mode).await,
    }
}

/// What one table's load changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableLoad {
    pub table: String,
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
    pub unchanged: u64,
    /// Set when only the partitions the builds since the last load made again were
    /// read (`source::changed_since`): how many.
    pub partitions: Option<usize>,
}

impl TableLoad {
    pub fn changed(&self) -> u64 {
        self.inserted + self.updated + self.deleted
    }
}
