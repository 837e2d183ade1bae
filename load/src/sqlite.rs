//! SQLite, the embedded default target. One load is one transaction; each table is
//! merged on its key: new rows inserted, changed rows updated, rows that are gone
//! deleted, and the rest left untouched.

use std::path::Path;

use anyhow::Context;
use rusqlite::types::Value as Sql;

use crate::rows::{self, Batch, Cell};
use crate::schema::{self, Change, Definition};
use crate::source::{self, ColumnKind, SinceLoaded, TableSpec, quote};
use crate::{Mode, TableLoad};

pub fn load(warehouse_path: &Path, target: &Path, tables: &[String], mode: Mode) -> anyhow::Result<Vec<TableLoad>> {
    let specs = {
        let wh = source::open(warehouse_path)?;
        tables.iter().map(|t| source::table_spec(&wh, t)).collect::<anyhow::Result<Vec<_>>>()?
    };
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut app = rusqlite::Connection::open(target).with_context(|| format!("opening {}", target.display()))?;
    app.pragma_update(None, "journal_mode", "WAL")?;
    let tx = app.transaction()?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS liner_tables (table_name TEXT PRIMARY KEY, definition TEXT NOT NULL, migrated_at TEXT NOT NULL)",
    )?;
    let has_versions: bool = tx.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('liner_tables') WHERE name = 'loaded_version'",
        [],
        |r| r.get(0),
    )?;
    if !has_versions {
        tx.execute_batch("ALTER TABLE liner_tables ADD COLUMN loaded_version TEXT")?;
    }
    let mut out = Vec::new();
    for spec in &specs {
        let since = match mode {
            Mode::Merge => since_loaded(&tx, warehouse_path, spec)?,
            // A replace always writes anew.
            Mode::Replace => SinceLoaded::Whole,
        };
        let part = match since {
            SinceLoaded::Nothing => {
                let rows: i64 =
                    tx.query_row(&format!("SELECT count(*) FROM {}", quote(&spec.target)), [], |r| r.get(0))?;
                out.push(TableLoad { table: spec.target.clone(), unchanged: rows as u64, ..Default::default() });
                continue;
            }
            SinceLoaded::Part(part) => Some(part),
            SinceLoaded::Whole => None,
        };
        let load = merge_table(warehouse_path, &tx, part.as_ref().unwrap_or(spec), mode)
            .with_context(|| format!("loading {} into {}", spec.source, target.display()))?;
        tx.execute(
            "UPDATE liner_tables SET loaded_version = ?1 WHERE table_name = ?2",
            rusqlite::params![spec.version, spec.target],
        )?;
        out.push(load);
    }
    tx.commit().with_context(|| format!("committing the load into {}", target.display()))?;
    Ok(out)
}

/// What a merge must read of a table, from the version of its model the app's table
/// holds (`liner_tables.loaded_version`), in a table of the model's definition.
fn since_loaded(app: &rusqlite::Connection, warehouse: &Path, spec: &TableSpec) -> anyhow::Result<SinceLoaded> {
    let loaded: Option<String> = app
        .query_row("SELECT loaded_version FROM liner_tables WHERE table_name = ?", [&spec.target], |r| r.get(0))
        .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?;
    let same = loaded.is_some() && actual_definition(app, &spec.target)? == Some(model_definition(spec));
    source::since_loaded(warehouse, spec, loaded.as_deref(), same)
}

fn sqlite_type(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Integer | ColumnKind::Boolean => "INTEGER",
        ColumnKind::Real => "REAL",
        ColumnKind::Text | ColumnKind::Date | ColumnKind::Timestamp => "TEXT",
    }
}

fn model_definition(spec: &TableSpec) -> Definition {
    Definition {
        columns: spec.columns.iter().map(|c| (c.name.clone(), sqlite_type(c.kind).to_string())).collect(),
        key: spec.key.clone(),
    }
}

fn actual_definition(app: &rusqlite::Connection, table: &str) -> anyhow::Result<Option<Definition>> {
    let mut columns: Vec<(String, String, i64)> = app
        .prepare(&format!("PRAGMA table_info({})", quote(table)))?
        .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?.to_uppercase(), r.get::<_, i64>(5)?)))?
        .collect::<Result<_, _>>()?;
    if columns.is_empty() {
        return Ok(None);
    }
    let mut key: Vec<(i64, String)> =
        columns.iter().filter(|(_, _, pk)| *pk > 0).map(|(n, _, pk)| (*pk, n.clone())).collect();
    key.sort();
    let key = key.into_iter().map(|(_, n)| n).collect();
    Ok(Some(Definition { columns: columns.drain(..).map(|(n, t, _)| (n, t)).collect(), key }))
}

fn recorded_definition(app: &rusqlite::Connection, table: &str) -> anyhow::Result<Option<Definition>> {
    let json: Option<String> = app
        .query_row("SELECT definition FROM liner_tables WHERE table_name = ?", [table], |r| r.get(0))
        .map(Some)
        .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?;
    json.map(|j| {
        serde_json::from_str(&j).with_context(|| format!("liner_tables: the record of {table} is not one liner wrote"))
    })
    .transpose()
}

fn create_sql(spec: &TableSpec) -> String {
    let cols: Vec<String> =
        spec.columns.iter().map(|c| format!("{} {}", quote(&c.name), sqlite_type(c.kind))).collect();
    let key: Vec<String> = spec.key.iter().map(|k| quote(k)).collect();
    format!("CREATE TABLE {} ({}, PRIMARY KEY ({}))", quote(&spec.target), cols.join(", "), key.join(", "))
}

/// Brings the app's table to the model's definition, or fails naming a hand edit.
/// SQLite alters little in place: a new column is added; any other change makes the
/// table anew, and the merge that follows fills it.
/// Returns how many rows a table made anew had before.
fn migrate(app: &rusqlite::Connection, spec: &TableSpec, mode: Mode) -> anyhow::Result<u64> {
    let actual = actual_definition(app, &spec.target)?;
    let changes = match (mode, &actual) {
        (Mode::Replace, Some(_)) => vec![Change::Recreate { reason: "--mode replace".into() }],
        _ => {
            let recorded = recorded_definition(app, &spec.target)?;
            schema::plan(&spec.target, &model_definition(spec), actual.as_ref(), recorded.as_ref())?
        }
    };
    let in_place = changes.iter().all(|c| matches!(c, Change::Create | Change::AddColumn { .. }));
    let mut dropped_rows = 0;
    if in_place {
        for change in &changes {
            match change {
                Change::Create => app.execute_batch(&create_sql(spec))?,
                Change::AddColumn { name, ty } => {
                    app.execute_batch(&format!("ALTER TABLE {} ADD COLUMN {} {ty}", quote(&spec.target), quote(name)))?
                }
                _ => unreachable!("only creates and added columns are made in place"),
            }
            tracing::info!("{}: {change}", spec.target);
        }
    } else {
        dropped_rows =
            app.query_row(&format!("SELECT count(*) FROM {}", quote(&spec.target)), [], |r| r.get::<_, i64>(0))?;
        app.execute_batch(&format!("DROP TABLE {}; {}", quote(&spec.target), create_sql(spec)))?;
        for change in &changes {
            tracing::info!("{}: {change} (made anew)", spec.target);
        }
    }
    app.execute(
        "INSERT INTO liner_tables (table_name, definition, migrated_at) VALUES (?1, ?2, datetime('now')) \
         ON CONFLICT (table_name) DO UPDATE SET definition = excluded.definition, migrated_at = excluded.migrated_at \
         WHERE liner_tables.definition IS NOT excluded.definition",
        rusqlite::params![spec.target, serde_json::to_string(&model_definition(spec))?],
    )?;
    Ok(dropped_rows as u64)
}

fn sql_value(cell: Cell<'_>) -> Sql {
    match cell {
        Cell::Null => Sql::Null,
        Cell::Integer(v) => Sql::Integer(v),
        Cell::Real(v) => Sql::Real(v),
        Cell::Boolean(v) => Sql::Integer(v as i64),
        Cell::Text(v) => Sql::Text(v.to_string()),
        Cell::Date(d) => Sql::Text(d.to_string()),
        Cell::Timestamp(t) => Sql::Text(t.format("%Y-%m-%d %H:%M:%S%.f").to_string()),
    }
}

fn merge_table(
    warehouse_path: &Path,
    tx: &rusqlite::Transaction<'_>,
    spec: &TableSpec,
    mode: Mode,
) -> anyhow::Result<TableLoad> {
    let dropped_rows = migrate(tx, spec, mode)?;
    let target = quote(&spec.target);
    let incoming = quote(&format!("incoming_{}", spec.target));
    let cols: Vec<String> = spec.columns.iter().map(|c| quote(&c.name)).collect();
    let col_list = cols.join(", ");
    tx.execute_batch(&format!(
        "DROP TABLE IF EXISTS temp.{incoming}; CREATE TEMP TABLE {incoming} AS SELECT {col_list} FROM {target} WHERE 0"
    ))?;
    {
        let placeholders = vec!["?"; cols.len()].join(", ");
        let mut insert = tx.prepare(&format!("INSERT INTO temp.{incoming} VALUES ({placeholders})"))?;
        let mut values: Vec<Sql> = Vec::with_capacity(cols.len());
        rows::read(warehouse_path, spec, |batch| {
            let rows = Batch::new(&batch, spec)?;
            rows.check_lengths(spec)?;
            for row in 0..rows.rows() {
                values.clear();
                values.extend((0..rows.width()).map(|c| sql_value(rows.cell(row, c))));
                insert.execute(rusqlite::params_from_iter(values.iter()))?;
            }
            Ok(true)
        })?;
    }

    let on_key = |a: &str, b: &str| -> String {
        spec.key.iter().map(|k| format!("{a}.{q} = {b}.{q}", q = quote(k))).collect::<Vec<_>>().join(" AND ")
    };
    // Loading the partitions that changed: only their rows may be gone.
    let in_scope = match &spec.scope {
        None => String::new(),
        Some(scope) => {
            tx.execute_batch(
                "DROP TABLE IF EXISTS temp.liner_scope; CREATE TEMP TABLE liner_scope (value TEXT PRIMARY KEY)",
            )?;
            let mut insert = tx.prepare("INSERT INTO temp.liner_scope VALUES (?)")?;
            for v in &scope.values {
                insert.execute([v])?;
            }
            format!(" AND t.{} IN (SELECT value FROM temp.liner_scope)", quote(&scope.column))
        }
    };
    let differs = spec
        .columns
        .iter()
        .filter(|c| !spec.key.contains(&c.name))
        .map(|c| format!("t.{q} IS NOT i.{q}", q = quote(&c.name)))
        .collect::<Vec<_>>();
    let differs = if differs.is_empty() { "0".to_string() } else { differs.join(" OR ") };
    let count =
        |sql: String| -> rusqlite::Result<u64> { tx.query_row(&sql, [], |r| r.get::<_, i64>(0)).map(|n| n as u64) };
    let total_in = count(format!("SELECT count(*) FROM temp.{incoming}"))?;
    let inserted = count(format!(
        "SELECT count(*) FROM temp.{incoming} i WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {})",
        on_key("t", "i")
    ))?;
    let updated = count(format!(
        "SELECT count(*) FROM temp.{incoming} i JOIN {target} t ON {} WHERE {differs}",
        on_key("t", "i")
    ))?;
    let deleted = count(format!(
        "SELECT count(*) FROM {target} t WHERE NOT EXISTS (SELECT 1 FROM temp.{incoming} i WHERE {}){in_scope}",
        on_key("t", "i")
    ))?;

    if deleted > 0 {
        tx.execute(
            &format!(
                "DELETE FROM {target} AS t WHERE NOT EXISTS (SELECT 1 FROM temp.{incoming} i WHERE {}){in_scope}",
                on_key("t", "i")
            ),
            [],
        )?;
    }
    if inserted + updated > 0 {
        let keys: Vec<String> = spec.key.iter().map(|k| quote(k)).collect();
        let set: Vec<String> = spec
            .columns
            .iter()
            .filter(|c| !spec.key.contains(&c.name))
            .map(|c| format!("{q} = excluded.{q}", q = quote(&c.name)))
            .collect();
        let conflict = if set.is_empty() {
            "DO NOTHING".to_string()
        } else {
            let changed: Vec<String> = spec
                .columns
                .iter()
                .filter(|c| !spec.key.contains(&c.name))
                .map(|c| format!("{target}.{q} IS NOT excluded.{q}", q = quote(&c.name)))
                .collect();
            format!("DO UPDATE SET {} WHERE {}", set.join(", "), changed.join(" OR "))
        };
        tx.execute(
            &format!(
                "INSERT INTO {target} ({col_list}) SELECT {col_list} FROM temp.{incoming} WHERE true ON CONFLICT ({}) {conflict}",
                keys.join(", ")
            ),
            [],
        )?;
    }
    tx.execute_batch(&format!("DROP TABLE temp.{incoming}; DROP TABLE IF EXISTS temp.liner_scope"))?;
    Ok(TableLoad {
        table: spec.target.clone(),
        inserted,
        updated,
        deleted: deleted + dropped_rows,
        unchanged: total_in - inserted - updated,
        partitions: spec.scope.as_ref().map(|s| s.values.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warehouse(dir: &Path, name: &str, rows: &str) -> std::path::PathBuf {
        old_warehouse(
            dir,
            name,
            "release_id VARCHAR, title VARCHAR, track_count INTEGER, score DOUBLE, released DATE",
            rows,
        )
    }

    #[test]
    fn merges_on_the_key_and_a_second_load_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("app.sqlite");
        let tables = vec!["canonical.releases".to_string()];
        let v1 = warehouse(
            dir.path(),
            "v1",
            "('a', 'A', 10, 0.5, '2001-03-07'), ('b', 'B', NULL, NULL, NULL), ('c', 'C', 3, 1.0, NULL)",
        );
        let first = load(&v1, &app, &tables, Mode::Merge).unwrap();
        assert_eq!((first[0].inserted, first[0].updated, first[0].deleted, first[0].unchanged), (3, 0, 0, 0));
        let again = load(&v1, &app, &tables, Mode::Merge).unwrap();
        assert_eq!(again[0].changed(), 0, "{again:?}");
        assert_eq!(again[0].unchanged, 3);

        let v2 = warehouse(
            dir.path(),
            "v2",
            "('a', 'A', 11, 0.5, '2001-03-07'), ('b', 'B', NULL, NULL, NULL), ('d', 'D', 1, 2.0, NULL)",
        );
        let second = load(&v2, &app, &tables, Mode::Merge).unwrap();
        assert_eq!((second[0].inserted, second[0].updated, second[0].deleted, second[0].unchanged), (1, 1, 1, 1));
        let db = rusqlite::Connection::open(&app).unwrap();
        let rows: Vec<(String, Option<i64>, Option<String>)> = db
            .prepare("SELECT release_id, track_count, released FROM releases ORDER BY 1")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            rows,
            vec![
                ("a".into(), Some(11), Some("2001-03-07".into())),
                ("b".into(), None, None),
                ("d".into(), Some(1), None)
            ]
        );
    }

    /// A warehouse that says which build of the model it holds (`built` apart).
    fn versioned_warehouse(dir: &Path, name: &str, built: &str) -> std::path::PathBuf {
        versioned_rows(dir, name, "('a', 'A', 10, 0.5, NULL), ('b', 'B', 3, 1.0, NULL)", built)
    }

    /// A warehouse of `rows` at version `f1@<built>` of its releases.
    fn versioned_rows(dir: &Path, name: &str, rows: &str, built: &str) -> std::path::PathBuf {
        let path = warehouse(dir, name, rows);
        duckdb::Connection::open(&path)
            .unwrap()
            .execute_batch(&format!(
                "ALTER TABLE meta.models ADD COLUMN fingerprint VARCHAR;
                 UPDATE meta.models SET fingerprint = 'f1', built_at = TIMESTAMP '{built}'"
            ))
            .unwrap();
        path
    }

    #[test]
    fn a_table_loaded_from_the_same_build_of_its_model_is_not_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("app.sqlite");
        let tables = vec!["canonical.releases".to_string()];
        let first = versioned_warehouse(dir.path(), "v1", "2026-12-07 10:00:00");
        load(&first, &app, &tables, Mode::Merge).unwrap();
        // A row deleted by hand shows whether the second load read the table again.
        let db = rusqlite::Connection::open(&app).unwrap();
        db.execute("DELETE FROM releases WHERE release_id = 'b'", []).unwrap();
        let again = load(&first, &app, &tables, Mode::Merge).unwrap();
        assert_eq!((again[0].changed(), again[0].unchanged), (0, 1), "the same build: nothing read, nothing written");
        let rebuilt = versioned_warehouse(dir.path(), "v2", "2026-12-07 11:00:00");
        let after = load(&rebuilt, &app, &tables, Mode::Merge).unwrap();
        assert_eq!((after[0].inserted, after[0].unchanged), (1, 1), "another build of the model is merged: {after:?}");
        let replaced = load(&rebuilt, &app, &tables, Mode::Replace).unwrap();
        assert_eq!(replaced[0].table, "releases", "a replace always writes: {replaced:?}");
        let rows: i64 = db.query_row("SELECT count(*) FROM releases", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 2);
    }

    /// A warehouse at version `f1@<built>` of its releases, whose record says the build
    /// came from version `f1@<from>` by making the releases of `values` again.
    fn partly_rebuilt_warehouse(
        dir: &Path,
        name: &str,
        rows: &str,
        from: &str,
        built: &str,
        values: &[&str],
    ) -> std::path::PathBuf {
        let path = versioned_rows(dir, name, rows, built);
        let values: Vec<String> = values.iter().map(|v| format!(" UNION ALL SELECT '{v}'")).collect();
        duckdb::Connection::open(&path)
            .unwrap()
            .execute_batch(&format!(
                "CREATE TABLE meta.model_changes AS
                   SELECT 'canonical.releases' AS name, 'f1@{from}' AS from_version, 'f1@{built}' AS to_version,
                       'release_id' AS column_name, v AS value, TIMESTAMP '{built}' AS built_at
                   FROM (SELECT NULL::VARCHAR AS v{}) t(v);",
                values.concat()
            ))
            .unwrap();
        path
    }

    #[test]
    fn after_a_build_that_made_some_partitions_again_only_their_rows_are_read_and_written() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("app.sqlite");
        let tables = vec!["canonical.releases".to_string()];
        let rows = "('a', 'A', 1, NULL, NULL), ('b', 'B', 2, NULL, NULL), ('c', 'C', 3, NULL, NULL)";
        let first = partly_rebuilt_warehouse(dir.path(), "v1", rows, "2026-12-07 09:00:00", "2026-12-07 10:00:00", &[]);
        load(&first, &app, &tables, Mode::Merge).unwrap();
        // a retitled, b gone, d new; c retitled too, where the record does not say so: the
        // load that follows the record leaves it, which shows it read a, b and d alone.
        let rows = "('a', 'A2', 1, NULL, NULL), ('c', 'C2', 3, NULL, NULL), ('d', 'D', 4, NULL, NULL)";
        let second = partly_rebuilt_warehouse(
            dir.path(),
            "v2",
            rows,
            "2026-12-07 10:00:00",
            "2026-12-07 11:00:00",
            &["a", "b", "d"],
        );
        let l = load(&second, &app, &tables, Mode::Merge).unwrap();
        assert_eq!((l[0].inserted, l[0].updated, l[0].deleted), (1, 1, 1), "{l:?}");
        let db = rusqlite::Connection::open(&app).unwrap();
        let titles = || -> Vec<String> {
            let mut stmt = db.prepare("SELECT release_id || title FROM releases ORDER BY 1").unwrap();
            stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        assert_eq!(titles(), ["aA2", "cC", "dD"]);
        // A record that does not start at the version the app holds: merged whole.
        let third =
            partly_rebuilt_warehouse(dir.path(), "v3", rows, "2026-12-07 08:00:00", "2026-12-07 12:00:00", &["a"]);
        load(&third, &app, &tables, Mode::Merge).unwrap();
        assert_eq!(titles(), ["aA2", "cC2", "dD"]);
    }

    #[test]
    fn an_altered_app_table_is_an_error_naming_the_column() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("app.sqlite");
        let tables = vec!["canonical.releases".to_string()];
        let v1 = warehouse(dir.path(), "v1", "('a', 'A', 10, 0.5, NULL)");
        load(&v1, &app, &tables, Mode::Merge).unwrap();
        rusqlite::Connection::open(&app).unwrap().execute_batch("ALTER TABLE releases DROP COLUMN score").unwrap();
        let e = format!("{:#}", load(&v1, &app, &tables, Mode::Merge).unwrap_err());
        assert!(e.contains("releases") && e.contains("score"), "{e}");
    }

    /// A warehouse from before `meta.models.max_length`, with an older shape of the table.
    fn old_warehouse(dir: &Path, name: &str, columns: &str, rows: &str) -> std::path::PathBuf {
        let path = dir.join(format!("{name}.duckdb"));
        let db = duckdb::Connection::open(&path).unwrap();
        db.execute_batch(&format!(
            "CREATE SCHEMA canonical; CREATE SCHEMA meta;
             CREATE TABLE meta.models (name VARCHAR, path VARCHAR, key VARCHAR, rows BIGINT, elapsed_ms BIGINT, built_at TIMESTAMP, run_id VARCHAR);
             INSERT INTO meta.models VALUES ('canonical.releases', 'x.sql', 'release_id', 0, 0, now()::TIMESTAMP, 'r');
             CREATE TABLE canonical.releases ({columns});
             INSERT INTO canonical.releases VALUES {rows};"
        ))
        .unwrap();
        path
    }

    #[test]
    fn a_model_s_new_and_retyped_columns_are_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("app.sqlite");
        let tables = vec!["canonical.releases".to_string()];
        let v1 = old_warehouse(
            dir.path(),
            "v1",
            "release_id VARCHAR, title VARCHAR, n VARCHAR",
            "('a', 'A', '1'), ('b', 'B', '2')",
        );
        load(&v1, &app, &tables, Mode::Merge).unwrap();
        // A new column is added in place; the merge fills it.
        let v2 = old_warehouse(
            dir.path(),
            "v2",
            "release_id VARCHAR, title VARCHAR, n VARCHAR, label VARCHAR",
            "('a', 'A', '1', 'Warp'), ('b', 'B', '2', NULL)",
        );
        let l = load(&v2, &app, &tables, Mode::Merge).unwrap();
        assert_eq!((l[0].inserted, l[0].updated, l[0].deleted, l[0].unchanged), (0, 1, 0, 1));
        // A retyped column makes the table anew: every row comes back.
        let v3 = old_warehouse(
            dir.path(),
            "v3",
            "release_id VARCHAR, title VARCHAR, n BIGINT, label VARCHAR",
            "('a', 'A', 1, 'Warp'), ('b', 'B', 2, NULL)",
        );
        let l = load(&v3, &app, &tables, Mode::Merge).unwrap();
        assert_eq!((l[0].inserted, l[0].deleted), (2, 2));
        let db = rusqlite::Connection::open(&app).unwrap();
        let (n, label): (i64, String) = db
            .query_row("SELECT n, label FROM releases WHERE release_id = 'a'", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!((n, label.as_str()), (1, "Warp"));
        let again = load(&v3, &app, &tables, Mode::Merge).unwrap();
        assert_eq!(again[0].changed(), 0);
    }

    #[test]
    fn replace_makes_the_table_anew_even_when_altered_by_hand() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("app.sqlite");
        let tables = vec!["canonical.releases".to_string()];
        let v1 = warehouse(dir.path(), "v1", "('a', 'A', 10, 0.5, NULL), ('b', 'B', 1, NULL, NULL)");
        load(&v1, &app, &tables, Mode::Merge).unwrap();
        rusqlite::Connection::open(&app).unwrap().execute_batch("ALTER TABLE releases DROP COLUMN score").unwrap();
        assert!(load(&v1, &app, &tables, Mode::Merge).is_err());
        let l = load(&v1, &app, &tables, Mode::Replace).unwrap();
        assert_eq!((l[0].inserted, l[0].deleted), (2, 2));
        let again = load(&v1, &app, &tables, Mode::Merge).unwrap();
        assert_eq!(again[0].changed(), 0, "{again:?}");
    }
}
