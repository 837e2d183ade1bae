//! `liner config show` and `liner config validate`: the effective configuration, and
//! errors that name the field at fault.

use crate::common::Project;

#[test]
fn environment_and_dotenv_override_the_file_and_show_prints_the_result() {
    let sim = crate::common::sim(1, 3, 10);
    let project = Project::new(&sim, 1, "");
    std::fs::write(project.path().join(".env"), "LINER_PATHS__DATA_DIR=from-dotenv\n").unwrap();
    let out = project.ok(&["config", "show"]);
    assert!(out.contains("data_dir = \"from-dotenv\""), "{out}");
    assert!(out.contains(&sim.base_url("deezer")), "{out}");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_liner"))
        .current_dir(project.path())
        .args(["config", "show"])
        .env("LINER_PROVIDERS__DEEZER__PAGE_SIZE", "17")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("page_size = 17"), "{stdout}");
    project.ok(&["config", "validate"]);
}

#[test]
fn validate_names_each_problem() {
    let sim = crate::common::sim(1, 3, 10);
    let cases = [
        (
            "user_agent = \"liner-tests/0.1 ( tests@example.invalid )\"",
            "user_agent = \"\"",
            "providers.musicbrainz.user_agent",
        ),
        (
            "page_size = 25\n\n[providers.deezer]",
            "page_size = 500\n\n[providers.deezer]",
            "providers.musicbrainz.page_size",
        ),
        (
            "[providers.deezer]",
            "[providers.spotifyy]\nbase_url = \"http://x\"\nrate = { requests = 1, per_seconds = 1.0 }\n\n[providers.deezer]",
            "providers.spotifyy",
        ),
        (
            "initial_backoff_seconds = 0.2\npage_size = 25\n\n[providers.deezer]",
            "retries = 3\n\n[providers.deezer]",
            "retries",
        ),
        ("[paths]", "[load]\ntarget = \"mysql://localhost/app\"\n\n[paths]", "load.target"),
    ];
    for (from, to, names) in cases {
        let project = Project::new(&sim, 1, "");
        let toml = std::fs::read_to_string(project.path().join("liner.toml")).unwrap();
        assert!(toml.contains(from), "the case {from:?} does not apply to:\n{toml}");
        std::fs::write(project.path().join("liner.toml"), toml.replacen(from, to, 1)).unwrap();
        let out = project.run(&["config", "validate"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{to:?} should not validate");
        assert!(stderr.contains(names), "the error for {to:?} should name {names}:\n{stderr}");
        let out = project.run(&["extract"]);
        assert!(
            !out.status.success() && String::from_utf8_lossy(&out.stderr).contains(names),
            "extract refuses it too"
        );
    }
}

#[test]
fn bad_arguments_are_named() {
    let sim = crate::common::sim(1, 3, 10);
    let project = Project::new(&sim, 1, "");
    let out = project.run(&["extract", "spotifyy"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown provider \"spotifyy\""));
    let out = project.run(&["extract"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("liner follow"), "no follows yet: say how to add one");
    let out = project.run(&["--config", "missing.toml", "config", "show"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml"));
}

/// A project made by `liner init`, in a folder outside the source tree: the binary
/// carries the models and schedules it ships, and the project's own `sql/` and
/// `schedules/` add to them or replace one of the same name.
#[test]
fn an_initialised_project_builds_the_shipped_models_and_its_own_and_names_a_broken_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("music");
    let liner = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_liner"))
            .current_dir(&project)
            .args(args)
            .env("LINER_PROVIDERS__MUSICBRAINZ__USER_AGENT", "liner-tests/0.1 ( tests@example.invalid )")
            .output()
            .unwrap()
    };
    let init = std::process::Command::new(env!("CARGO_BIN_EXE_liner")).arg("init").arg(&project).output().unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    for file in ["liner.toml", ".env", "schedules/nightly.toml", "sql/README.md"] {
        assert!(project.join(file).exists(), "liner init writes {file}");
    }
    let again = liner(&["init", "."]);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("liner.toml exists already"));

    // A model of its own, and one that replaces a shipped model of the same name.
    std::fs::create_dir_all(project.join("sql/marts")).unwrap();
    std::fs::write(project.join("sql/marts/release_count.sql"), "select count(*) as releases from canonical.releases")
        .unwrap();
    std::fs::write(
        project.join("sql/marts/chart_appearances.sql"),
        "-- model: marts.chart_appearances\nselect 'this project' as made_by",
    )
    .unwrap();
    let built = liner(&["transform"]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let wh = project.join("data/warehouse.duckdb");
    assert_eq!(crate::common::query_i64(&wh, "SELECT releases FROM marts.release_count"), 0);
    assert_eq!(
        crate::common::query_strings(&wh, "SELECT made_by FROM marts.chart_appearances"),
        ["this project"],
        "the project's model replaces the shipped one"
    );
    assert_eq!(crate::common::query_i64(&wh, "SELECT count(*) FROM staging.deezer_albums"), 0, "shipped, built");

    // A schedule of its own runs; a broken one is named, not ignored.
    std::fs::write(
        project.join("schedules/rebuild.toml"),
        "name = 'rebuild'\ncron = '0 4 * * *'\nsteps = ['transform']\n",
    )
    .unwrap();
    let run = liner(&["run", "rebuild"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let unknown = liner(&["run", "weekly"]);
    let says = String::from_utf8_lossy(&unknown.stderr);
    assert!(says.contains("no schedule \"weekly\"") && says.contains("nightly") && says.contains("rebuild"), "{says}");
    std::fs::write(project.join("schedules/broken.toml"), "name = 'broken'\ncron = '0 25 * * *'\nsteps = ['load']\n")
        .unwrap();
    for args in [&["run", "nightly"][..], &["config", "validate"]] {
        let out = liner(args);
        let says = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && says.contains("broken.toml") && says.contains("cron"), "{args:?}: {says}");
    }
}
