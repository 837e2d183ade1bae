//! The PostgreSQL target against a real server: TEST_POSTGRES_URL names one whose user
//! may create databases (`.ci/run` starts one; `eval "$(.ci/postgres-up)"` for yours).
//! Each test works in a database of its own, dropped at the end.

use std::path::{Path, PathBuf};

use liner_load::{Mode, PgTarget, TableLoad, Target};
use tokio_postgres::{Client, NoTls};

fn server_url() -> String {
    std::env::var("TEST_POSTGRES_URL").expect(
        "TEST_POSTGRES_URL is not set: these tests need a PostgreSQL server. `.ci/run` starts one; \
         or run `eval \"$(.ci/postgres-up)\"` first",
    )
}

/// A database of the test's own on the test server.
struct TestDb {
    name: String,
    url: String,
    admin: Client,
}

impl TestDb {
    async fn new(tag: &str) -> TestDb {
        let admin = connect(&server_url()).await;
        let name = format!("liner_test_{tag}_{}", std::process::id());
        // Each its own statement: a batch is one transaction, which these refuse.
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
        let mut url = url::Url::parse(&server_url()).unwrap();
        url.set_path(&name);
        TestDb { name, url: url.to_string(), admin }
    }

    fn target(&self) -> Target {
        Target::Postgres(PgTarget { url: self.url.clone(), schema: "catalog".into() })
    }

    async fn client(&self) -> Client {
        connect(&self.url).await
    }

    async fn drop(self) {
        self.admin.batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", self.name)).await.unwrap();
    }
}

async fn connect(url: &str) -> Client {
    let (client, conn) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(conn);
    client
}

/// A warehouse with one model, `canonical.releases`, holding `rows`.
fn warehouse(dir: &Path, name: &str, columns: &str, rows: &str) -> PathBuf {
    let path = dir.join(format!("{name}.duckdb"));
    let db = duckdb::Connection::open(&path).unwrap();
    db.execute_batch(&format!(
        "CREATE SCHEMA canonical; CREATE SCHEMA meta;
         CREATE TABLE meta.models (name VARCHAR, path VARCHAR, key VARCHAR, rows BIGINT, elapsed_ms BIGINT,
                                   built_at TIMESTAMP, run_id VARCHAR, max_length VARCHAR);
         INSERT INTO meta.models VALUES ('canonical.releases', 'x.sql', 'release_id', 0, 0, TIMESTAMP '2026-11-22 00:00:00', 'r', 'gtin=14');
         CREATE TABLE canonical.releases ({columns});
         INSERT INTO canonical.releases VALUES {rows};"
    ))
    .unwrap();
    path
}

const COLUMNS: &str = "release_id VARCHAR, title VARCHAR, gtin VARCHAR, track_count INTEGER, score DOUBLE, \
                       released DATE, seen TIMESTAMP, explicit BOOLEAN, deezer_album_id BIGINT";

fn tables() -> Vec<String> {
    vec!["canonical.releases".to_string()]
}

fn counts(l: &TableLoad) -> (u64, u64, u64, u64) {
    (l.inserted, l.updated, l.deleted, l.unchanged)
}

/// Every row as text, in key order, with the transaction that last wrote it.
async fn snapshot(db: &Client) -> Vec<(String, String)> {
    db.query("SELECT r::text, xmin::text FROM catalog.releases r ORDER BY release_id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[tokio::test]
async fn merges_on_the_key_and_a_second_load_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new("merge").await;
    let v1 = warehouse(
        dir.path(),
        "v1",
        COLUMNS,
        "('a', 'A', '0602445790005', 10, 0.5, DATE '2001-03-07', TIMESTAMP '2026-11-01 10:00:00', true, 11),
         ('b', 'B', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
         ('c', 'C', NULL, 3, 1.0, NULL, NULL, false, 12)",
    );
    let first = liner_load::load(&v1, &db.target(), &tables(), Mode::Merge).await.unwrap();
    assert_eq!(counts(&first[0]), (3, 0, 0, 0));
    let app = db.client().await;
    let before = snapshot(&app).await;

    let again = liner_load::load(&v1, &db.target(), &tables(), Mode::Merge).await.unwrap();
    assert_eq!(counts(&again[0]), (0, 0, 0, 3));
    assert_eq!(snapshot(&app).await, before, "a load with nothing new rewrote rows");

    let v2 = warehouse(
        dir.path(),
        "v2",
        COLUMNS,
        "('a', 'A', '0602445790005', 11, 0.5, DATE '2001-03-07', TIMESTAMP '2026-11-01 10:00:00', true, 11),
         ('b', 'B', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
         ('d', 'D', NULL, 1, 2.0, NULL, NULL, NULL, 13)",
    );
    let second = liner_load::load(&v2, &db.target(), &tables(), Mode::Merge).await.unwrap();
    assert_eq!(counts(&second[0]), (1, 1, 1, 1));
    type Row = (String, Option<i64>, Option<chrono::NaiveDate>, Option<bool>);
    let rows: Vec<Row> = app
        .query("SELECT release_id, track_count, released, explicit FROM catalog.releases ORDER BY 1", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("a".into(), Some(11), chrono::NaiveDate::from_ymd_opt(2001, 3, 7), Some(true)),
            ("b".into(), None, None, None),
            ("d".into(), Some(1), None, None)
        ]
    );
    db.drop().await;
}

#[tokio::test]
async fn the_schema_maps_types_keys_lengths_and_indexes_provider_ids() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new("schema").await;
    let v1 = warehouse(dir.path(), "v1", COLUMNS, "('a', 'A', NULL, 1, 0.5, NULL, NULL, NULL, 11)");
    liner_load::load(&v1, &db.target(), &tables(), Mode::Merge).await.unwrap();
    let app = db.client().await;
    let types: Vec<String> = app
        .query(
            "SELECT column_name || ' ' || format_type(atttypid, atttypmod) FROM information_schema.columns c \
             JOIN pg_attribute a ON a.attrelid = 'catalog.releases'::regclass AND a.attname = c.column_name \
             WHERE table_schema = 'catalog' AND table_name = 'releases' ORDER BY ordinal_position",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        types,
        [
            "release_id text",
            "title text",
            "gtin character varying(14)",
            "track_count bigint",
            "score double precision",
            "released date",
            "seen timestamp without time zone",
            "explicit boolean",
            "deezer_album_id bigint"
        ]
    );
    let indexes: Vec<String> = app
        .query(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'catalog' AND tablename = 'releases' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(indexes.len(), 2, "{indexes:?}");
    assert!(indexes.iter().any(|i| i.contains("UNIQUE") && i.contains("(release_id)")), "{indexes:?}");
    assert!(indexes.iter().any(|i| i.contains("(deezer_album_id)")), "{indexes:?}");
    db.drop().await;
}

#[tokio::test]
async fn a_new_model_column_is_migrated_and_filled() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new("migrate").await;
    let v1 = warehouse(
        dir.path(),
        "v1",
        "release_id VARCHAR, title VARCHAR, gtin VARCHAR",
        "('a', 'A', NULL), ('b', 'B', NULL)",
    );
    liner_load::load(&v1, &db.target(), &tables(), Mode::Merge).await.unwrap();
    let v2 = warehouse(
        dir.path(),
        "v2",
        "release_id VARCHAR, title VARCHAR, gtin VARCHAR, label VARCHAR",
        "('a', 'A', NULL, 'Parlophone'), ('b', 'B', NULL, NULL)",
    );
    let second = liner_load::load(&v2, &db.target(), &tables(), Mode::Merge).await.unwrap();
    assert_eq!(counts(&second[0]), (0, 1, 0, 1));
    let label: Option<String> = db
        .client()
        .await
        .query_one("SELECT label FROM catalog.releases WHERE release_id = 'a'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(label.as_deref(), Some("Parlophone"));
    db.drop().await;
}

#[tokio::test]
async fn a_table_altered_by_hand_is_named_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new("altered").await;
    let v1 = warehouse(dir.path(), "v1", COLUMNS, "('a', 'A', NULL, 1, 0.5, NULL, NULL, NULL, 11)");
    let v2 = warehouse(dir.path(), "v2", COLUMNS, "('a', 'A2', NULL, 2, 0.5, NULL, NULL, NULL, 11)");
    liner_load::load(&v1, &db.target(), &tables(), Mode::Merge).await.unwrap();
    let app = db.client().await;

    app.batch_execute("ALTER TABLE catalog.releases DROP COLUMN score").await.unwrap();
    let before = snapshot(&app).await;
    let e = format!("{:#}", liner_load::load(&v2, &db.target(), &tables(), Mode::Merge).await.unwrap_err());
    assert!(e.contains("releases") && e.contains("\"score\"") && e.contains("dropped by hand"), "{e}");
    assert_eq!(snapshot(&app).await, before);

    app.batch_execute("ALTER TABLE catalog.releases ADD COLUMN score double precision; ALTER TABLE catalog.releases ALTER COLUMN track_count TYPE integer").await.unwrap();
    let e = format!("{:#}", liner_load::load(&v2, &db.target(), &tables(), Mode::Merge).await.unwrap_err());
    assert!(e.contains("releases.track_count") && e.contains("is integer") && e.contains("retyped by hand"), "{e}");

    // Replace makes the table anew from the model.
    let replaced = liner_load::load(&v2, &db.target(), &tables(), Mode::Replace).await.unwrap();
    assert_eq!(counts(&replaced[0]), (0, 1, 0, 0));
    liner_load::load(&v2, &db.target(), &tables(), Mode::Merge).await.unwrap();
    db.drop().await;
}

#[tokio::test]
async fn a_value_too_long_is_named_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new("toolong").await;
    let v1 = warehouse(dir.path(), "v1", COLUMNS, "('a', 'A', '0602445790005', 1, 0.5, NULL, NULL, NULL, 11)");
    liner_load::load(&v1, &db.target(), &tables(), Mode::Merge).await.unwrap();
    let app = db.client().await;
    let before = snapshot(&app).await;
    let v2 = warehouse(
        dir.path(),
        "v2",
        COLUMNS,
        "('a', 'A', '0602445790005', 2, 0.5, NULL, NULL, NULL, 11), ('z', 'Z', '06024457900051234', 1, NULL, NULL, NULL, NULL, NULL)",
    );
    let e = format!("{:#}", liner_load::load(&v2, &db.target(), &tables(), Mode::Merge).await.unwrap_err());
    assert!(
        e.contains("releases.gtin")
            && e.contains("\"06024457900051234\"")
            && e.contains("release_id = \"z\"")
            && e.contains("14"),
        "{e}"
    );
    assert_eq!(snapshot(&app).await, before);
    db.drop().await;
}

#[tokio::test]
async fn an_unreachable_server_and_a_wrong_password_are_named_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = warehouse(dir.path(), "v1", COLUMNS, "('a', 'A', NULL, 1, 0.5, NULL, NULL, NULL, 11)");
    // A port nothing listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let nowhere = Target::Postgres(PgTarget {
        url: format!("postgres://liner:s3cret@127.0.0.1:{port}/app"),
        schema: "public".into(),
    });
    let e = format!("{:#}", liner_load::load(&v1, &nowhere, &tables(), Mode::Merge).await.unwrap_err());
    assert!(e.contains("cannot reach PostgreSQL") && e.contains(&port.to_string()), "{e}");
    assert!(!e.contains("s3cret"), "the password leaked: {e}");

    let mut wrong = url::Url::parse(&server_url()).unwrap();
    wrong.set_password(Some("not-the-password")).unwrap();
    let wrong = Target::Postgres(PgTarget { url: wrong.to_string(), schema: "public".into() });
    let e = format!("{:#}", liner_load::load(&v1, &wrong, &tables(), Mode::Merge).await.unwrap_err());
    assert!(e.contains("refused user") && e.contains("password authentication failed"), "{e}");
    assert!(!e.contains("not-the-password"), "the password leaked: {e}");
}

#[tokio::test]
async fn replace_swaps_the_whole_table_and_counts_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new("replace").await;
    let v1 = warehouse(
        dir.path(),
        "v1",
        COLUMNS,
        "('a', 'A', NULL, 1, 0.5, NULL, NULL, NULL, 11), ('b', 'B', NULL, 1, NULL, NULL, NULL, NULL, 12)",
    );
    let v2 = warehouse(
        dir.path(),
        "v2",
        COLUMNS,
        "('a', 'A', NULL, 1, 0.5, NULL, NULL, NULL, 11), ('c', 'C', NULL, 1, NULL, NULL, NULL, NULL, 13)",
    );
    let first = liner_load::load(&v1, &db.target(), &tables(), Mode::Replace).await.unwrap();
    assert_eq!(counts(&first[0]), (2, 0, 0, 0));
    let app = db.client().await;
    let oid: u32 = app.query_one("SELECT 'catalog.releases'::regclass::oid", &[]).await.unwrap().get(0);
    let second = liner_load::load(&v2, &db.target(), &tables(), Mode::Replace).await.unwrap();
    assert_eq!(counts(&second[0]), (1, 0, 1, 1));
    let (new_oid, ids): (u32, String) = {
        let r = app
            .query_one("SELECT 'catalog.releases'::regclass::oid, string_agg(release_id, ',' ORDER BY release_id) FROM catalog.releases", &[])
            .await
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_ne!(new_oid, oid, "replace kept the old table");
    assert_eq!(ids, "a,c");
    // The swapped-in table has the key and indexes under their usual names, so a merge follows.
    let third = liner_load::load(&v2, &db.target(), &tables(), Mode::Merge).await.unwrap();
    assert_eq!(counts(&third[0]), (0, 0, 0, 2));
    let names: Vec<String> = app
        .query(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'catalog' AND tablename = 'releases' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names, ["releases_deezer_album_id_idx", "releases_pkey"]);
    db.drop().await;
}

#[tokio::test]
async fn a_table_loaded_from_the_same_build_of_its_model_is_not_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new("version").await;
    let rows = "('a', 'A', NULL, 10, 0.5, NULL, NULL, NULL, 11), ('b', 'B', NULL, 3, 1.0, NULL, NULL, NULL, 12)";
    let built = |name: &str, at: &str| {
        let path = warehouse(dir.path(), name, COLUMNS, rows);
        duckdb::Connection::open(&path)
            .unwrap()
            .execute_batch(&format!(
                "ALTER TABLE meta.models ADD COLUMN fingerprint VARCHAR;
                 UPDATE meta.models SET fingerprint = 'f1', built_at = TIMESTAMP '{at}'"
            ))
            .unwrap();
        path
    };
    let first = built("v1", "2026-12-07 10:00:00");
    liner_load::load(&first, &db.target(), &tables(), Mode::Merge).await.unwrap();
    // A row deleted by hand shows whether the second load read the table again.
    let app = db.client().await;
    app.batch_execute("DELETE FROM catalog.releases WHERE release_id = 'b'").await.unwrap();
    let again = liner_load::load(&first, &db.target(), &tables(), Mode::Merge).await.unwrap();
    assert_eq!(counts(&again[0]), (0, 0, 0, 1), "the same build: nothing read, nothing written");
    let rebuilt = built("v2", "2026-12-07 11:00:00");
    let after = liner_load::load(&rebuilt, &db.target(), &tables(), Mode::Merge).await.unwrap();
    assert_eq!(counts(&after[0]), (1, 0, 0, 1), "another build of the model is merged");
    db.drop().await;
}
