//! How the CLI, `liner serve`, the report and the metrics open the warehouse to read it:
//! read-only, so that a run can replace the file meanwhile (a reader keeps the build it
//! opened), and with one message when nothing has been built yet.

use std::path::Path;

use anyhow::Context;
use duckdb::{AccessMode, Config, Connection};

/// The warehouse at `path`, or an error naming it when there is none yet.
pub fn open(path: &Path) -> anyhow::Result<Connection> {
    open_if_built(path)?
        .with_context(|| format!("no warehouse at {}: run `liner extract` and `liner transform` first", path.display()))
}

/// The warehouse at `path`, or `None` when nothing has been built yet (the report and
/// the metrics show what they can without it).
pub fn open_if_built(path: &Path) -> anyhow::Result<Option<Connection>> {
    if !path.exists() {
        return Ok(None);
    }
    let db = Connection::open_with_flags(path, Config::default().access_mode(AccessMode::ReadOnly)?)
        .with_context(|| format!("opening {}", path.display()))?;
    Ok(Some(db))
}
