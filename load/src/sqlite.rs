//! SQLite, the embedded default target. Each table is merged on its key in one
//! transaction: new rows inserted, changed rows updated, rows that are gone deleted,
//! and the rest left untouched.

use std::path::Path;

use anyhow::{Context, bail};
use rusqlite::types::Value as Sql;

use crate::TableLoad;
use crate::warehouse::{self, ColumnKind, TableSpec, quote};

pub fn load(warehouse_path: &Path, target: &Path, tables: &[String]) -> anyhow::Result<Vec<TableLoad>> {
    let wh = warehouse::open(warehouse_path)?;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut app = rusqlite::Connection::open(target).with_context(|| format!("opening {}", target.display()))?;
    app.pragma_update(None, "journal_mode", "WAL")?;
    let mut out = Vec::new();
    for source in tables {
        let spec = warehouse::table_spec(&wh, source)?;
        let load =
            merge_table(&wh, &mut app, &spec).with_context(|| format!("loading {source} into {}", target.display()))?;
        out.push(load);
    }
    Ok(out)
}

fn sqlite_type(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Integer | ColumnKind::Boolean => "INTEGER",
        ColumnKind::Real => "REAL",
        ColumnKind::Text => "TEXT",
    }
}

fn ensure_table(app: &rusqlite::Connection, spec: &TableSpec) -> anyhow::Result<()> {
    let existing: Vec<(String, String)> = app
        .prepare(&format!("PRAGMA table_info({})", quote(&spec.target)))?
        .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
        .collect::<Result<_, _>>()?;
    if existing.is_empty() {
        let cols: Vec<String> =
            spec.columns.iter().map(|c| format!("{} {}", quote(&c.name), sqlite_type(c.kind))).collect();
        let key: Vec<String> = spec.key.iter().map(|k| quote(k)).collect();
        app.execute_batch(&format!(
            "CREATE TABLE {} ({}, PRIMARY KEY ({}))",
            quote(&spec.target),
            cols.join(", "),
            key.join(", ")
        ))?;
        return Ok(());
    }
    for c in &spec.columns {
        match existing.iter().find(|(name, _)| name == &c.name) {
            None => bail!(
                "table {} in the app database has no column {:?}: it was altered; restore it or drop the table",
                spec.target,
                c.name
            ),
            Some((_, ty)) if !ty.eq_ignore_ascii_case(sqlite_type(c.kind)) => bail!(
                "column {}.{} in the app database is {ty}, the model says {}: it was altered; restore it or drop the table",
                spec.target,
                c.name,
                sqlite_type(c.kind)
            ),
            Some(_) => {}
        }
    }
    Ok(())
}

fn merge_table(wh: &duckdb::Connection, app: &mut rusqlite::Connection, spec: &TableSpec) -> anyhow::Result<TableLoad> {
    let tx = app.transaction()?;
    ensure_table(&tx, spec)?;
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
        let mut stmt = wh.prepare(&warehouse::select_sql(spec))?;
        let mut rows = stmt.query([])?;
        let mut values: Vec<Sql> = Vec::with_capacity(cols.len());
        while let Some(row) = rows.next()? {
            values.clear();
            for (i, c) in spec.columns.iter().enumerate() {
                values.push(match c.kind {
                    ColumnKind::Integer => row.get::<_, Option<i64>>(i)?.map_or(Sql::Null, Sql::Integer),
                    ColumnKind::Real => row.get::<_, Option<f64>>(i)?.map_or(Sql::Null, Sql::Real),
                    ColumnKind::Boolean => row.get::<_, Option<bool>>(i)?.map_or(Sql::Null, |b| Sql::Integer(b as i64)),
                    ColumnKind::Text => row.get::<_, Option<String>>(i)?.map_or(Sql::Null, Sql::Text),
                });
            }
            insert.execute(rusqlite::params_from_iter(values.iter()))?;
        }
    }

    let on_key = |a: &str, b: &str| -> String {
        spec.key.iter().map(|k| format!("{a}.{q} = {b}.{q}", q = quote(k))).collect::<Vec<_>>().join(" AND ")
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
        "SELECT count(*) FROM {target} t WHERE NOT EXISTS (SELECT 1 FROM temp.{incoming} i WHERE {})",
        on_key("t", "i")
    ))?;

    if deleted > 0 {
        tx.execute(
            &format!(
                "DELETE FROM {target} AS t WHERE NOT EXISTS (SELECT 1 FROM temp.{incoming} i WHERE {})",
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
    tx.execute_batch(&format!("DROP TABLE temp.{incoming}"))?;
    tx.commit()?;
    Ok(TableLoad { table: spec.target.clone(), inserted, updated, deleted, unchanged: total_in - inserted - updated })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warehouse(dir: &Path, name: &str, rows: &str) -> std::path::PathBuf {
        let path = dir.join(format!("{name}.duckdb"));
        let db = duckdb::Connection::open(&path).unwrap();
        db.execute_batch(&format!(
            "CREATE SCHEMA canonical; CREATE SCHEMA meta;
             CREATE TABLE meta.models (name VARCHAR, path VARCHAR, key VARCHAR, rows BIGINT, elapsed_ms BIGINT, built_at TIMESTAMP, run_id VARCHAR);
             INSERT INTO meta.models VALUES ('canonical.releases', 'x.sql', 'release_id', 0, 0, now()::TIMESTAMP, 'r');
             CREATE TABLE canonical.releases (release_id VARCHAR, title VARCHAR, track_count INTEGER, score DOUBLE, released DATE);
             INSERT INTO canonical.releases VALUES {rows};"
        ))
        .unwrap();
        path
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
        let first = load(&v1, &app, &tables).unwrap();
        assert_eq!((first[0].inserted, first[0].updated, first[0].deleted, first[0].unchanged), (3, 0, 0, 0));
        let again = load(&v1, &app, &tables).unwrap();
        assert_eq!(again[0].changed(), 0, "{again:?}");
        assert_eq!(again[0].unchanged, 3);

        let v2 = warehouse(
            dir.path(),
            "v2",
            "('a', 'A', 11, 0.5, '2001-03-07'), ('b', 'B', NULL, NULL, NULL), ('d', 'D', 1, 2.0, NULL)",
        );
        let second = load(&v2, &app, &tables).unwrap();
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

    #[test]
    fn an_altered_app_table_is_an_error_naming_the_column() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("app.sqlite");
        let tables = vec!["canonical.releases".to_string()];
        let v1 = warehouse(dir.path(), "v1", "('a', 'A', 10, 0.5, NULL)");
        load(&v1, &app, &tables).unwrap();
        rusqlite::Connection::open(&app).unwrap().execute_batch("ALTER TABLE releases DROP COLUMN score").unwrap();
        let e = format!("{:#}", load(&v1, &app, &tables).unwrap_err());
        assert!(e.contains("releases") && e.contains("score"), "{e}");
    }
}
