//! Beatport: the dance part of the catalog, with mix names, BPM, key, genre and ISRCs
//! when present; a user-supplied bearer token.

use std::time::Duration;

use liner_sim::{Sim, SimConfig};

use crate::common::{Project, query_i64};

#[test]
fn releases_and_tracks_land_with_catalog_numbers_keys_and_isrcs() {
    let mut limits = liner_sim::default_limits();
    limits.insert("beatport".into(), (100, Duration::from_secs(1)));
    let sim = Sim::start(SimConfig {
        seed: 59,
        artists: 40,
        beatport_token: Some("sim-beatport".into()),
        limits,
        ..SimConfig::default()
    })
    .unwrap();
    let project = Project::only(&format!(
        "[providers.beatport]\nenabled = true\nbase_url = \"{}\"\nrate = {{ requests = 80, per_seconds = 1.0 }}\nauth = {{ kind = \"bearer\", token = \"sim-beatport\" }}\n",
        sim.base_url("beatport")
    ));
    // Beatport knows a third of the artists: follow three it knows and one it does not.
    let c = sim.catalog();
    let view = sim.view("beatport");
    let unique = |i: &usize| c.artists.iter().filter(|a| a.name == c.artists[*i].name).count() == 1;
    let known: Vec<usize> = (0..c.artists.len()).filter(|i| view.artists[*i].known && unique(i)).take(3).collect();
    let unknown = (0..c.artists.len()).find(|i| !view.artists[*i].known && unique(i)).unwrap();
    let mut args = vec!["follow".to_string()];
    args.extend(known.iter().chain([&unknown]).map(|&i| c.artists[i].name.clone()));
    project.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let out = project.ok(&["extract"]);
    assert!(out.contains(&format!("no match for {:?}", c.artists[unknown].name)), "{out}");
    project.ok(&["transform"]);
    let db = project.warehouse();

    let releases: Vec<(usize, &liner_sim::views::Listing)> =
        known.iter().flat_map(|&a| view.releases_of(c, a)).collect();
    let mut ids: Vec<&str> = releases.iter().map(|(_, l)| l.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        query_i64(&db, "select count(*) from staging.beatport_releases where catalog_number is not null"),
        ids.len() as i64
    );
    let tracks: usize = releases.iter().map(|(_, l)| l.tracks.len()).sum();
    assert_eq!(
        query_i64(&db, "select count(*) from staging.beatport_tracks where bpm > 0 and musical_key is not null"),
        tracks as i64
    );
    let with_isrc: usize = releases.iter().flat_map(|(_, l)| &l.tracks).filter(|t| t.isrc.is_some()).count();
    assert_eq!(query_i64(&db, "select count(isrc) from staging.beatport_tracks"), with_isrc as i64);
    assert!(with_isrc < tracks, "some tracks have no ISRC");
}
