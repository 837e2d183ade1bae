//! The warehouse is rebuilt into a new file and swapped in: a reader holding the old
//! one keeps working through a run, and bad models stop the run naming their file.

use crate::common::{Project, artists};
use duckdb::{AccessMode, Config, Connection};

fn project_with_data() -> (liner_sim::Sim, Project) {
    let sim = crate::common::sim(21, 15, 50);
    let project = Project::new(&sim, 50, "");
    for a in artists(&sim, 2) {
        project.ok(&["follow", &a]);
    }
    project.ok(&["extract"]);
    project.ok(&["transform"]);
    (sim, project)
}

#[test]
fn a_reader_of_the_old_warehouse_keeps_working_while_a_run_replaces_it() {
    let (_sim, project) = project_with_data();
    let reader =
        Connection::open_with_flags(project.warehouse(), Config::default().access_mode(AccessMode::ReadOnly).unwrap())
            .unwrap();
    let run_id = |db: &Connection| -> String {
        db.query_row("SELECT any_value(run_id) FROM meta.models", [], |r| r.get(0)).unwrap()
    };
    let before = run_id(&reader);
    let releases: i64 = reader.query_row("SELECT count(*) FROM canonical.releases", [], |r| r.get(0)).unwrap();

    project.ok(&["transform", "--full"]);

    assert_eq!(run_id(&reader), before, "the open reader still sees the warehouse it opened");
    let still: i64 = reader.query_row("SELECT count(*) FROM canonical.releases", [], |r| r.get(0)).unwrap();
    assert_eq!(still, releases);
    let fresh =
        Connection::open_with_flags(project.warehouse(), Config::default().access_mode(AccessMode::ReadOnly).unwrap())
            .unwrap();
    assert_ne!(run_id(&fresh), before, "a new reader sees the new build");
    let leftovers: Vec<_> = std::fs::read_dir(project.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("building") || n.ends_with(".wal"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_failing_model_stops_the_run_names_its_file_and_leaves_the_warehouse_as_it_was() {
    let (_sim, project) = project_with_data();
    let sql = project.path().join("sql");
    copy_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sql"), &sql);
    let toml = std::fs::read_to_string(project.path().join("liner.toml")).unwrap();
    std::fs::write(project.path().join("liner.toml"), toml.replace("[paths]\n", "[paths]\nsql_dir = \"sql\"\n"))
        .unwrap();
    project.ok(&["transform"]);
    let before = std::fs::metadata(project.warehouse()).unwrap().modified().unwrap();

    let cases = [
        (
            "canonical/broken.sql",
            "-- model: canonical.broken\nselect no_such_column from canonical.releases",
            "no_such_column",
        ),
        (
            "canonical/dupes.sql",
            "-- model: canonical.dupes\n-- key: artist\nselect artist from canonical.releases",
            "unique(artist)",
        ),
        ("marts/orphan.sql", "select * from canonical.nowhere", "canonical.nowhere"),
        ("marts/a.sql", "select * from marts.b", "cycle"),
    ];
    for (file, text, says) in cases {
        let path = sql.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        if file == "marts/a.sql" {
            std::fs::write(sql.join("marts/b.sql"), "select * from marts.a").unwrap();
        }
        let out = project.run(&["transform"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{file} should fail the run");
        assert!(
            stderr.contains(file) && stderr.contains(says),
            "{file}: the error should name the file and say {says:?}:\n{stderr}"
        );
        assert_eq!(
            std::fs::metadata(project.warehouse()).unwrap().modified().unwrap(),
            before,
            "the old warehouse stays"
        );
        std::fs::remove_file(&path).unwrap();
        let _ = std::fs::remove_file(sql.join("marts/b.sql"));
    }
    project.ok(&["transform"]);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() { copy_dir(&p, &dest) } else { std::fs::copy(&p, &dest).map(|_| ()).unwrap() }
    }
}
