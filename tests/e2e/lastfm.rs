//! Last.fm's XML-shaped JSON: one-or-many lists, numbers as strings, `@attr`, errors
//! in 200 bodies; a user's top tracks paged up to a maximum.

use std::time::Duration;

use liner_sim::lastfm::DEMO_USER;
use liner_sim::{Fault, Sim, SimConfig};

use crate::common::{Project, artists, query_i64};

fn sim() -> Sim {
    let mut limits = liner_sim::default_limits();
    limits.insert("lastfm".into(), (60, Duration::from_secs(1)));
    Sim::start(SimConfig {
        seed: 31,
        artists: 60,
        secrets: [("lastfm".into(), "sim-lastfm-key".into())].into(),
        limits,
        ..SimConfig::default()
    })
    .expect("simulator")
}

fn project(sim: &Sim, key: &str, max_tracks: u32) -> Project {
    Project::only(&format!(
        r#"[providers.lastfm]
enabled = true
base_url = "{}"
rate = {{ requests = 50, per_seconds = 1.0 }}
initial_backoff_seconds = 0.1
auth = {{ kind = "query", param = "api_key", value = "{key}" }}
options = {{ user = "{DEMO_USER}", max_tracks = {max_tracks}, top_tracks = 5 }}
"#,
        sim.base_url("lastfm"),
    ))
}

#[test]
fn albums_tracks_and_ranked_lists_land_whatever_shape_their_lists_take() {
    let sim = sim();
    let project = project(&sim, "sim-lastfm-key", 1500);
    let followed = artists(&sim, 3);
    let mut args = vec!["follow"];
    args.extend(followed.iter().map(String::as_str));
    project.ok(&args);
    // Two rate-limit errors in 200 bodies: retried, not landed.
    sim.inject("lastfm", "", Fault::ErrorBody, 2);
    let out = project.ok(&["extract"]);
    assert!(!out.contains("failed:"), "{out}");
    project.ok(&["transform"]);
    let db = project.warehouse();

    let c = sim.catalog();
    let mut albums = 0;
    let mut singles = 0;
    for (a, artist) in c.artists.iter().enumerate() {
        if !followed.contains(&artist.name) {
            continue;
        }
        let mut titles = std::collections::HashSet::new();
        for (i, album) in c.albums_of(a) {
            // Last.fm knows an album by artist and title: a single named like its album is
            // the same page to it (the first of them).
            if !titles.insert(album.title.to_lowercase()) {
                continue;
            }
            let original =
                c.releases.iter().find(|r| r.album == i && r.edition == liner_sim::catalog::Edition::Original).unwrap();
            albums += 1;
            singles += (original.tracks.len() == 1) as i64;
            let sql = format!(
                "select track_count from staging.lastfm_albums where title = '{}' and artist_name = '{}'",
                album.title.replace('\'', "''"),
                artist.name.replace('\'', "''")
            );
            assert_eq!(query_i64(&db, &sql), original.tracks.len() as i64, "{}", album.title);
        }
    }
    assert!(singles > 0, "the followed artists have one-track albums (their tracks come as an object)");
    assert_eq!(query_i64(&db, "select count(*) from staging.lastfm_albums"), albums);
    let tracks_of_albums = query_i64(&db, "select count(*) from staging.lastfm_album_tracks");
    let tracks_in_albums = query_i64(&db, "select sum(track_count) from staging.lastfm_albums");
    assert_eq!(tracks_of_albums, tracks_in_albums);
    // Each artist's top five, looked up by artist and title: a title used twice is one track page.
    let looked_up: usize = followed
        .iter()
        .map(|name| {
            let a = c.artists.iter().position(|x| &x.name == name).unwrap();
            let titles: std::collections::HashSet<String> = c
                .albums_of(a)
                .filter_map(|(i, _)| {
                    c.releases.iter().find(|r| r.album == i && r.edition == liner_sim::catalog::Edition::Original)
                })
                .flat_map(|r| r.tracks.iter().map(|&t| c.recordings[t].title.to_lowercase()))
                .take(5)
                .collect();
            titles.len()
        })
        .sum();
    assert_eq!(
        query_i64(&db, "select count(*) from staging.lastfm_tracks where listeners > 0 and playcount > 0"),
        looked_up as i64
    );

    // The user's library is longer than the maximum: paging stops at the first page past it.
    let total = c.recordings.len() as i64;
    assert!(total > 2000, "the library must need three pages: {total}");
    let user =
        query_i64(&db, &format!("select count(*) from staging.lastfm_top_tracks where list = 'user:{DEMO_USER}'"));
    assert_eq!(user, 2000, "two pages of 1000");
    assert_eq!(query_i64(&db, "select max(rank) from staging.lastfm_top_tracks where list = 'chart'"), 50);
    assert_eq!(query_i64(&db, "select count(*) from staging.lastfm_top_tracks where list = 'chart'"), 50);
}

#[test]
fn a_rejected_key_stops_last_fm_after_one_request_and_says_why() {
    let sim = sim();
    let project = project(&sim, "wrong-key", 100);
    project.ok(&["follow", &artists(&sim, 1)[0]]);
    let out = project.ok(&["extract"]);
    assert!(out.contains("rejected the API key (error 10)"), "{out}");
    assert!(!out.contains("wrong-key"), "the key is not printed:\n{out}");
    assert_eq!(sim.stats("lastfm").requests, 1);
}
