//! Discogs as people typed it: barcodes with spaces or missing, masters with versions,
//! vinyl positions and headings; a User-Agent and a token on every request.

use std::collections::HashMap;
use std::time::Duration;

use liner_sim::{Sim, SimConfig};
use liner_transform::normalize::gtin14;

use crate::common::{Project, artists};

fn sim() -> Sim {
    let mut limits = liner_sim::default_limits();
    limits.insert("discogs".into(), (60, Duration::from_secs(1)));
    Sim::start(SimConfig {
        seed: 31,
        artists: 40,
        secrets: [("discogs".into(), "sim-discogs-token".into())].into(),
        limits,
        ..SimConfig::default()
    })
    .expect("simulator")
}

fn project(sim: &Sim, user_agent: &str) -> Project {
    Project::only(&format!(
        r#"[providers.discogs]
enabled = true
base_url = "{}"
{user_agent}
rate = {{ requests = 50, per_seconds = 1.0 }}
initial_backoff_seconds = 0.2
auth = {{ kind = "header", name = "Authorization", value = "Discogs token=sim-discogs-token" }}
"#,
        sim.base_url("discogs"),
    ))
}

fn rows<T: duckdb::types::FromSql>(db: &std::path::Path, sql: &str) -> Vec<(i64, T)> {
    let conn = duckdb::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_followed_artist_lands_every_version_with_labels_barcodes_and_tracklists() {
    let sim = sim();
    let project = project(&sim, r#"user_agent = "liner-tests/0.1 +https://example.invalid""#);
    let followed = artists(&sim, 5);
    let mut args = vec!["follow"];
    args.extend(followed.iter().map(String::as_str));
    project.ok(&args);
    let out = project.ok(&["extract"]);
    assert!(!out.contains("failed:"), "{out}");
    assert_eq!(sim.stats("discogs").over_limit, 0);
    project.ok(&["transform"]);

    let catalog = sim.catalog();
    let view = sim.view("discogs");
    let mut expected = HashMap::new();
    for (a, artist) in catalog.artists.iter().enumerate() {
        if followed.contains(&artist.name) && view.artists[a].known {
            for (i, l) in view.releases_of(catalog, a) {
                expected.insert(l.id.parse::<i64>().unwrap(), (i, l));
            }
        }
    }
    assert!(expected.len() > 8, "too few releases to judge: {}", expected.len());
    let db = project.warehouse();
    let gtins: HashMap<i64, Option<String>> =
        rows(&db, "select release_id, gtin from staging.discogs_releases").into_iter().collect();
    let wanted: HashMap<i64, Option<String>> =
        expected.iter().map(|(id, (_, l))| (*id, l.barcode.as_deref().and_then(gtin14))).collect();
    assert_eq!(gtins, wanted, "every version of every album, once, with its barcode as a GTIN when valid");
    assert!(wanted.values().any(Option::is_some) && wanted.values().any(Option::is_none), "both kinds present");

    let tracks: HashMap<i64, i64> =
        rows(&db, "select release_id, count(*) from staging.discogs_tracks group by all").into_iter().collect();
    let catnos: HashMap<i64, String> =
        rows(&db, "select release_id, catalog_number from staging.discogs_release_labels where ordinal = 1")
            .into_iter()
            .collect();
    for (id, (i, l)) in &expected {
        assert_eq!(tracks.get(id).copied(), Some(l.tracks.len() as i64), "release {id}: headings are not tracks");
        assert_eq!(catnos.get(id), Some(&catalog.releases[*i].catalog_number), "release {id}");
    }
    let vinyl_positions =
        rows::<String>(&db, "select release_id, position from staging.discogs_tracks where position like 'B%'");
    assert!(!vinyl_positions.is_empty(), "records have sides");
}

#[test]
fn a_missing_user_agent_is_a_config_error_before_any_request() {
    let sim = sim();
    let project = project(&sim, "");
    project.ok(&["follow", &artists(&sim, 1)[0]]);
    let out = project.run(&["extract"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("providers.discogs.user_agent"), "{err}");
    assert!(!err.contains("sim-discogs-token"), "the token stays secret: {err}");
    assert_eq!(sim.stats("discogs").requests, 0, "nothing was sent");
}

#[test]
fn a_barcode_as_printed_finds_the_release() {
    let sim = sim();
    let project = project(&sim, r#"user_agent = "liner-tests/0.1 +https://example.invalid""#);
    let view = sim.view("discogs");
    let catalog = sim.catalog();
    let (i, listing) = view
        .releases
        .iter()
        .enumerate()
        .find_map(|(i, l)| {
            let l = l.as_ref()?;
            let typed = l.barcode.as_ref().filter(|b| b.contains(' '))?;
            (Some(typed.replace(' ', "")) == catalog.releases[i].gtin).then_some((i, l))
        })
        .expect("some barcodes are typed with spaces");
    let gtin = catalog.releases[i].gtin.clone().unwrap();
    project.ok(&["extract", "discogs", "--upc", &gtin]);
    project.ok(&["transform"]);
    let found = rows::<String>(&project.warehouse(), "select release_id, title from staging.discogs_releases");
    assert_eq!(found, [(listing.id.parse::<i64>().unwrap(), listing.title.clone())]);
}
