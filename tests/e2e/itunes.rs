//! The iTunes Search API: Apple Music's ids without a developer token, at 20 calls a
//! minute, songs of ten albums per call; a 403 past its rate is retried.

use std::time::Duration;

use liner_sim::{Fault, Sim, SimConfig};

use crate::common::{Project, artists, query_i64};

#[test]
fn albums_and_songs_land_under_apple_music_ids_in_few_calls() {
    let mut limits = liner_sim::default_limits();
    limits.insert("itunes".into(), (100, Duration::from_secs(1)));
    let sim = Sim::start(SimConfig { seed: 37, artists: 40, limits, ..SimConfig::default() }).unwrap();
    let project = Project::only(&format!(
        "[providers.itunes]\nenabled = true\nbase_url = \"{}\"\nrate = {{ requests = 50, per_seconds = 1.0 }}\ninitial_backoff_seconds = 0.1\n",
        sim.base_url("itunes")
    ));
    let followed = artists(&sim, 3);
    let mut args = vec!["follow"];
    args.extend(followed.iter().map(String::as_str));
    project.ok(&args);
    sim.inject("itunes", "/lookup", Fault::Forbidden, 1);
    let out = project.ok(&["extract"]);
    assert!(!out.contains("failed:"), "a 403 past the rate is retried:\n{out}");
    project.ok(&["transform"]);

    let c = sim.catalog();
    let view = sim.view("apple_music");
    let (mut albums, mut songs, mut calls) = (0, 0, 0);
    for (a, artist) in c.artists.iter().enumerate() {
        if followed.contains(&artist.name) && !view.artists[a].known {
            calls += 1; // the search that finds nobody
        }
        if followed.contains(&artist.name) && view.artists[a].known {
            let listed: Vec<_> = view.releases_of(c, a).collect();
            albums += listed.len() as i64;
            songs += listed.iter().map(|(_, l)| l.tracks.len() as i64).sum::<i64>();
            calls += 2 + listed.len().div_ceil(10) as u64;
        }
    }
    let db = project.warehouse();
    // Songs of other artists' albums the followed appear on land too: count the followed.
    assert_eq!(query_i64(&db, "select count(*) from staging.itunes_albums"), albums);
    assert_eq!(query_i64(&db, "select count(*) from staging.itunes_tracks"), songs);
    let sent = sim.stats("itunes").requests;
    assert_eq!(sent, calls + 1, "search, albums, then songs ten albums a call (+1 refused)");
}
