//! Incremental builds end where one full build of the same lake and inputs ends, table
//! for table: the contract that lets a follow cost what the artist brings.

use std::path::Path;

use liner::runs::stages::{self, StageArgs};
use liner_transform::{Action, BuildKind, ReviewDecision};

/// Every table and view of the layers models write (and what incremental models keep)
/// that differs between two warehouses, with the rows each has that the other lacks
/// (EXCEPT ALL both ways). `marts.coverage` keeps one row a build by design: a
/// history, not a function of the lake.
fn differences(full: &Path, incremental: &Path) -> Vec<String> {
    let db = duckdb::Connection::open_in_memory().unwrap();
    // Views of the warehouse call liner's SQL functions.
    liner_transform::udf::register(&db).unwrap();
    db.execute_batch(&format!(
        "ATTACH '{}' AS f (READ_ONLY); ATTACH '{}' AS i (READ_ONLY);",
        full.display(),
        incremental.display()
    ))
    .unwrap();
    let tables = |catalog: &str| -> Vec<String> {
        let sql = format!(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_catalog = '{catalog}' \
             AND table_schema IN ('staging', 'intermediate', 'canonical', 'marts', 'incremental') ORDER BY 1"
        );
        let mut stmt = db.prepare(&sql).unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let (f, i) = (tables("f"), tables("i"));
    let mut out = Vec::new();
    if f != i {
        out.push(format!("tables differ: full has {f:?}, incremental {i:?}"));
    }
    for t in f.iter().filter(|t| i.contains(t) && t.as_str() != "marts.coverage") {
        let count = |a: &str, b: &str| -> i64 {
            db.query_row(&format!("SELECT count(*) FROM (FROM {a}.{t} EXCEPT ALL FROM {b}.{t})"), [], |r| r.get(0))
                .unwrap_or_else(|e| panic!("comparing {t}: {e}"))
        };
        let (only_full, only_incremental) = (count("f", "i"), count("i", "f"));
        if only_full + only_incremental > 0 {
            out.push(format!(
                "{t}: {only_full} row(s) only in the full build, {only_incremental} only in the incremental"
            ));
        }
    }
    assert!(f.len() > 50, "the warehouses hold the models' tables: {f:?}");
    out
}

#[test]
fn artists_followed_one_at_a_time_with_decisions_and_an_unfollow_end_where_one_full_build_ends() {
    // Every provider, the demo's set-up; nothing extracted yet, the empty lake built.
    let (_sim, dir, cfg, followed) = crate::common::everywhere(7, 4, 0, false);
    let state = liner::stored::state::State::open(&cfg.state_db()).unwrap();
    for a in &followed {
        state.unfollow(a).unwrap();
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut kinds = Vec::new();
    for (n, artist) in followed.iter().enumerate() {
        state.follow(artist).unwrap();
        let args = StageArgs { artists: vec![artist.clone()], ..Default::default() };
        rt.block_on(stages::extract(&cfg, &state, None, &args, &format!("r{n}"))).unwrap();
        let report = stages::transform(&cfg, &format!("r{n}"), &[], false).unwrap();
        kinds.push(report.kind.clone());
        if n == 1 {
            // A person's word on the first fuzzy pair waiting for review, as `liner review` takes it.
            let pair = crate::common::query_strings(
                &cfg.warehouse(),
                "SELECT concat_ws('|', entity, left_provider, left_id, right_provider, right_id) \
                 FROM canonical.review_queue ORDER BY ALL LIMIT 1",
            );
            if let Some(p) = pair.first() {
                let f: Vec<&str> = p.split('|').collect();
                state
                    .decide(&ReviewDecision {
                        entity: f[0].into(),
                        left_provider: f[1].into(),
                        left_id: f[2].into(),
                        right_provider: f[3].into(),
                        right_id: f[4].into(),
                        decision: "reject".into(),
                    })
                    .unwrap();
            }
        }
    }
    state.unfollow(&followed[0]).unwrap();
    let after_unfollow = stages::transform(&cfg, "unfollowed", &[], false).unwrap();
    assert!(
        matches!(&after_unfollow.kind, BuildKind::Incremental(why) if why.iter().any(|w| w.contains("raw.follows"))),
        "{:?}",
        after_unfollow.kind
    );
    // everywhere() built the empty lake fully: every build since carried what changed.
    for k in &kinds {
        assert!(
            matches!(k, BuildKind::Incremental(why) if why.iter().any(|w| w.contains("lake file(s) landed since"))),
            "each later build carries the new artist's files: {k:?}"
        );
    }
    let again = stages::transform(&cfg, "again", &[], false).unwrap();
    assert_eq!(again.kind, BuildKind::UpToDate, "nothing new, nothing built");
    assert!(again.models.is_empty());

    let incremental = dir.path().join("incremental.duckdb");
    std::fs::copy(cfg.warehouse(), &incremental).unwrap();
    let full = stages::transform(&cfg, "full", &[], true).unwrap();
    assert!(matches!(full.kind, BuildKind::Full(_)));
    let diff = differences(&cfg.warehouse(), &incremental);
    assert!(diff.is_empty(), "incremental builds differ from the full build:\n{}", diff.join("\n"));
}

#[test]
fn a_build_says_why_it_is_full_and_an_edited_model_is_rebuilt_with_what_reads_it() {
    let (_sim, _dir, cfg, _) = crate::common::everywhere(8, 1, 1, false);
    // everywhere() built once already.
    let plan = |full: bool| {
        let state = liner::stored::state::State::open(&cfg.state_db()).unwrap();
        let opts = stages::build_options(&cfg, "", &[], full, Some(&state)).unwrap();
        liner_transform::planned(&opts).unwrap()
    };
    assert_eq!(plan(false).kind, BuildKind::UpToDate);
    assert!(matches!(plan(true).kind, BuildKind::Full(why) if why.contains("--full")));

    // A model of one's own beside the shipped ones: new, so built, and nothing else.
    let own = _dir.path().join("sql");
    std::fs::create_dir_all(own.join("marts")).unwrap();
    std::fs::write(own.join("marts/extra.sql"), "select count(*) as releases from canonical.releases").unwrap();
    let state = liner::stored::state::State::open(&cfg.state_db()).unwrap();
    let options = || {
        let mut opts = stages::build_options(&cfg, "own", &[], false, Some(&state)).unwrap();
        opts.models.own = Some(own.clone());
        opts
    };
    let planned = liner_transform::planned(&options()).unwrap();
    let names: Vec<&str> = planned.models.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(names, ["marts.extra"], "{:?}", planned.models);
    assert!(matches!(&planned.kind, BuildKind::Incremental(why) if why.iter().any(|w| w.contains("marts.extra"))));
    liner_transform::build(&options()).unwrap();

    // Editing a shipped model rebuilds it and what reads it, and keeps the rest.
    std::fs::write(
        own.join("marts/coverage.sql"),
        "select count(*) as releases, (select count(*) from raw.build) as builds from canonical.releases",
    )
    .unwrap();
    let planned = liner_transform::planned(&options()).unwrap();
    assert_eq!(planned.models, [("marts.coverage".to_string(), Action::Rebuild("its definition changed".into()))]);
    liner_transform::build(&options()).unwrap();
    std::fs::remove_file(own.join("marts/coverage.sql")).unwrap();
    liner_transform::build(&options()).unwrap();

    // The lake losing a file it was built from is a full build naming the file.
    let file = liner_transform::changes::lake_files(&cfg.lake_root(), &stages::raw_sources()).unwrap()[0].path.clone();
    std::fs::remove_file(&file).unwrap();
    let planned = liner_transform::planned(&options()).unwrap();
    assert!(matches!(&planned.kind, BuildKind::Full(why) if why.contains(&file)), "{:?}", planned.kind);
}
