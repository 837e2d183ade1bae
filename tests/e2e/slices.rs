//! A provider is a slice through the layers: its extract module, its simulator module,
//! its staging models ending in the conformed shapes, its recorded responses. A
//! registered provider that lacks one of those pieces fails here, named with the piece.

use liner_extract::Provider;
use liner_transform::conformed::{self, SHAPES};
use liner_transform::model::ModelSet;

/// Providers whose staging ends in no conformed model, each with why.
const NO_ITEMS: &[(&str, &str)] = &[("youtube", "its videos are not linked to releases or tracks yet")];

#[test]
fn every_registered_provider_has_every_piece_of_its_slice() {
    let models = ModelSet { shipped: liner::shipped::models(), own: None }.load().expect("the shipped models parse");
    let fixtures = crate::real_fixtures::layout();
    let mut missing = Vec::new();
    for p in Provider::ALL {
        let name = p.name();
        if !liner_sim::Sim::providers().any(|s| s == name) {
            missing.push(format!("{name}: no simulator mount (sim/src/lib.rs MOUNTS)"));
        }
        let answers = format!("answers.{name}_");
        let staging: Vec<_> = models
            .iter()
            .filter(|m| {
                m.name.starts_with(&format!("staging.{name}_")) && m.refs.iter().any(|r| r.starts_with(&answers))
            })
            .collect();
        if staging.is_empty() {
            missing.push(format!("{name}: no staging model reads its answers (sql/staging/{name}_*.sql)"));
        }
        let has = |shape: &str| models.iter().any(|m| m.name == conformed::model_name(name, shape));
        let shapes: Vec<&str> = SHAPES.iter().map(|s| s.name).filter(|s| has(s)).collect();
        if shapes.is_empty() && !NO_ITEMS.iter().any(|(n, _)| *n == name) {
            missing.push(format!(
                "{name}: its staging ends in no conformed model (staging.{name}_release_items, _track_items, \
                 _identifiers, _facts)"
            ));
        }
        if (has("release_items") || has("track_items")) && !has("identifiers") {
            missing.push(format!("{name}: items without staging.{name}_identifiers, so nothing links them exactly"));
        }
        if !fixtures.iter().any(|(_, to, _)| to.starts_with(&format!("{name}/"))) {
            missing.push(format!("{name}: no recorded real response has its place in the real-fixtures test"));
        }
    }
    assert!(missing.is_empty(), "providers lacking a piece of their slice:\n{}", missing.join("\n"));
}

#[test]
fn a_conformed_model_without_its_shapes_columns_is_an_error_naming_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let sql = dir.path().join("sql/staging");
    std::fs::create_dir_all(&sql).unwrap();
    std::fs::write(sql.join("deezer_release_items.sql"), "select '1' as item_id, 'A title' as title").unwrap();
    let opts = liner_transform::BuildOptions {
        models: ModelSet::only(dir.path().join("sql")),
        lake_root: dir.path().join("raw"),
        warehouse: dir.path().join("warehouse.duckdb"),
        sources: liner::runs::stages::raw_sources(),
        raw_columns: liner::runs::stages::raw_columns(),
        run_id: "slices".into(),
        review_decisions: vec![],
        select: vec![],
        full: None,
        keep_model: false,
        follows: vec![],
        coverage_history: vec![],
        on_model: None,
    };
    let e = format!("{:#}", liner_transform::build(&opts).unwrap_err());
    assert!(e.contains("deezer_release_items.sql") && e.contains("release_items") && e.contains("artist, gtin"), "{e}");
}
