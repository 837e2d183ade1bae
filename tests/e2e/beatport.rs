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
        secrets: [("beatport".into(), "sim-beatport".into())].into(),
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

fn renewing_sim() -> Sim {
    Sim::start(SimConfig {
        seed: 59,
        artists: 40,
        secrets: [("beatport".into(), "sim-beatport".into())].into(),
        beatport_refresh_token: Some("refresh-0".into()),
        ..SimConfig::default()
    })
    .unwrap()
}

fn known_artist(sim: &Sim) -> String {
    let (c, view) = (sim.catalog(), sim.view("beatport"));
    let a = (0..c.artists.len())
        .find(|&i| view.artists[i].known && c.artists.iter().filter(|a| a.name == c.artists[i].name).count() == 1)
        .unwrap();
    c.artists[a].name.clone()
}

#[test]
fn an_expired_token_is_renewed_with_the_refresh_token_and_the_next_run_uses_the_rotated_one() {
    let sim = renewing_sim();
    let base = sim.base_url("beatport");
    let project = Project::only(&format!(
        "[providers.beatport]\nenabled = true\nbase_url = \"{base}\"\n\
         auth = {{ kind = \"refresh_token\", token = \"sim-beatport\", token_url = \"{base}/auth/o/token/\", \
         client_id = \"liner-test\", refresh_token = \"refresh-0\" }}\n"
    ));
    project.ok(&["follow", &known_artist(&sim)]);
    sim.expire_beatport_token();
    let out = project.ok(&["extract"]);
    assert!(!out.contains("failed:"), "the refused token was renewed and the run went on:\n{out}");
    assert_eq!(sim.beatport_renewals(), (1, Some("bp-refresh-1".into())));
    project.ok(&["transform"]);
    assert!(query_i64(&project.warehouse(), "select count(*) from staging.beatport_releases") > 0);

    // Beatport revoked refresh-0 when it gave bp-refresh-1: the next run renews with
    // the one kept in state, not the configured one.
    sim.expire_beatport_token();
    let out = project.ok(&["extract", "--refresh"]);
    assert!(!out.contains("failed:"), "{out}");
    assert_eq!(sim.beatport_renewals(), (2, Some("bp-refresh-2".into())));
}

#[test]
fn a_refused_token_names_the_setting_to_mend() {
    let sim = renewing_sim();
    let project = Project::only(&format!(
        "[providers.beatport]\nenabled = true\nbase_url = \"{}\"\nauth = {{ kind = \"bearer\", token = \"stale\" }}\n",
        sim.base_url("beatport")
    ));
    project.ok(&["follow", &known_artist(&sim)]);
    let out = project.run(&["extract"]);
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        said.contains("HTTP 401") && said.contains("providers.beatport.auth.token was refused"),
        "the run names the setting:\n{said}"
    );
}
