//! liner-load: canonical and mart tables from the warehouse into the app's database,
//! merged on each model's key.

pub mod sqlite;
pub mod warehouse;

pub use sqlite::load as load_sqlite;
pub use warehouse::{Column, ColumnKind, TableSpec};

/// What one table's load changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableLoad {
    pub table: String,
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
    pub unchanged: u64,
}

impl TableLoad {
    pub fn changed(&self) -> u64 {
        self.inserted + self.updated + self.deleted
    }
}
