//! Incremental builds end where one full build of the same lake and inputs ends, table
//! for table: the contract that lets a follow cost what the artist brings.

use std::path::{Path, PathBuf};

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use liner::runs::stages::{self, StageArgs};
use liner_transform::{Action, BuildKind, ReviewDecision};

/// The contract: every row alike, `marts.coverage` apart (it keeps a row a build, a
/// history, not a function of the lake).
fn differences(full: &Path, incremental: &Path) -> Vec<String> {
    crate::common::differences(
        full,
        incremental,
        crate::common::Compare { lineage_apart: false, skip: &["marts.coverage"] },
    )
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
        let report = stages::transform(&cfg, &format!("r{n}"), &[], false, false).unwrap();
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
    let after_unfollow = stages::transform(&cfg, "unfollowed", &[], false, false).unwrap();
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
    let again = stages::transform(&cfg, "again", &[], false, false).unwrap();
    assert_eq!(again.kind, BuildKind::UpToDate, "nothing new, nothing built");
    assert!(again.models.is_empty());

    let incremental = dir.path().join("incremental.duckdb");
    std::fs::copy(cfg.warehouse(), &incremental).unwrap();
    let full = stages::transform(&cfg, "full", &[], true, true).unwrap();
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

/// One step of a history: what lands or changes before a build.
#[derive(Debug, Clone)]
enum Event {
    /// These lake files land (paths under the lake).
    Land(Vec<PathBuf>),
    /// A person's word on a pair waiting for review.
    Decide(usize, &'static str),
    Unfollow(usize),
    Follow(usize),
}

#[test]
fn any_order_of_landings_decisions_and_unfollows_ends_where_one_full_build_ends() {
    // One lake, three artists on every provider; histories replay it in random orders.
    let (_sim, dir, cfg, followed) = crate::common::everywhere(11, 3, 1, false);
    let lake = cfg.lake_root();
    let files: Vec<PathBuf> = liner_transform::changes::lake_files(&lake, &stages::raw_sources())
        .unwrap()
        .into_iter()
        .map(|f| PathBuf::from(f.path).strip_prefix(std::path::absolute(&lake).unwrap()).unwrap().to_path_buf())
        .collect();
    let pairs = crate::common::query_strings(
        &cfg.warehouse(),
        "SELECT concat_ws('|', entity, left_provider, left_id, right_provider, right_id) \
         FROM canonical.review_queue ORDER BY ALL LIMIT 4",
    );
    assert!(files.len() > 20 && !pairs.is_empty(), "{} files, {} pairs", files.len(), pairs.len());

    for seed in 0..3u64 {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut shuffled = files.clone();
        shuffled.shuffle(&mut rng);
        let mut events: Vec<Event> =
            shuffled.chunks(shuffled.len().div_ceil(4)).map(|c| Event::Land(c.to_vec())).collect();
        for _ in 0..3 {
            let at = rng.random_range(0..=events.len());
            let event = match rng.random_range(0..3) {
                0 => Event::Decide(
                    rng.random_range(0..pairs.len()),
                    if rng.random_bool(0.5) { "accept" } else { "reject" },
                ),
                1 => Event::Unfollow(rng.random_range(0..followed.len())),
                _ => Event::Follow(rng.random_range(0..followed.len())),
            };
            events.insert(at, event);
        }

        // A project of its own: an empty lake and state, the history played into them.
        let mut replay = liner::config::Loaded { config: cfg.config.clone(), file: None, root: cfg.root.clone() };
        replay.config.paths.data_dir = dir.path().join(format!("replay-{seed}"));
        let state = liner::stored::state::State::open(&replay.state_db()).unwrap();
        for a in &followed {
            state.follow(a).unwrap();
        }
        stages::transform(&replay, "first", &[], false, false).unwrap();
        for (n, event) in events.iter().enumerate() {
            match event {
                Event::Land(batch) => {
                    for f in batch {
                        let to = replay.lake_root().join(f);
                        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                        std::fs::copy(lake.join(f), &to).unwrap();
                    }
                }
                Event::Decide(p, decision) => {
                    let f: Vec<&str> = pairs[*p].split('|').collect();
                    let d = ReviewDecision {
                        entity: f[0].into(),
                        left_provider: f[1].into(),
                        left_id: f[2].into(),
                        right_provider: f[3].into(),
                        right_id: f[4].into(),
                        decision: decision.to_string(),
                    };
                    state.decide(&d).unwrap();
                }
                Event::Unfollow(a) => {
                    state.unfollow(&followed[*a]).unwrap();
                }
                Event::Follow(a) => {
                    state.follow(&followed[*a]).unwrap();
                }
            }
            let report = stages::transform(&replay, &format!("e{n}"), &[], false, false).unwrap();
            assert!(!matches!(report.kind, BuildKind::Full(_)), "seed {seed}, after {event:?}: {:?}", report.kind);
        }
        let incremental = dir.path().join(format!("replay-{seed}.duckdb"));
        std::fs::copy(replay.warehouse(), &incremental).unwrap();
        stages::transform(&replay, "full", &[], true, true).unwrap();
        let diff = differences(&replay.warehouse(), &incremental);
        assert!(diff.is_empty(), "seed {seed}, history {events:?}:\n{}", diff.join("\n"));
    }
}

#[test]
fn a_build_killed_midway_leaves_the_last_warehouse_and_the_next_one_completes_the_work() {
    let sim = crate::common::sim(12, 15, 50);
    let project = crate::common::Project::new(&sim, 50, "");
    let artists = crate::common::artists(&sim, 2);
    project.ok(&["follow", &artists[0]]);
    project.ok(&["extract"]);
    // No warehouse yet, so no model kept: said, and nothing built.
    let kept = project.run(&["transform", "--full", "--keep-model"]);
    let said = String::from_utf8_lossy(&kept.stderr);
    assert!(!kept.status.success() && said.contains("--keep-model") && said.contains("no warehouse"), "{said}");
    assert!(!project.warehouse().exists());
    project.ok(&["transform"]);
    let built_by = |wh: &Path| crate::common::query_strings(wh, "SELECT run_id FROM meta.build");
    let first = built_by(&project.warehouse());
    project.ok(&["follow", &artists[1]]);
    project.ok(&["extract"]);

    // Killed once it has begun writing its new warehouse.
    let mut child = project.command(&["transform"]).spawn().unwrap();
    let building = project.path().join("data/warehouse.duckdb.building");
    while !building.exists() {
        assert!(child.try_wait().unwrap().is_none(), "the build ended before it could be killed");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(built_by(&project.warehouse()), first, "the last good warehouse stands");

    let out = project.ok(&["transform"]);
    assert!(out.contains("an incremental build") && out.contains("lake file(s) landed since"), "{out}");
    let incremental = project.path().join("after-kill.duckdb");
    std::fs::copy(project.warehouse(), &incremental).unwrap();
    project.ok(&["transform", "--full", "--keep-model"]);
    let diff = differences(&project.warehouse(), &incremental);
    assert!(diff.is_empty(), "the resumed build differs from a full one:\n{}", diff.join("\n"));
}
