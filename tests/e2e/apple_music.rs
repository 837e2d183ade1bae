//! Apple Music with a developer token the simulator verifies: albums with their UPCs
//! and tracks, the charts, pre-releases, lookups by UPC and ISRC.

use std::collections::HashMap;
use std::time::Duration;

use liner_sim::apple_music::{AppleKey, DEMO_P8};
use liner_sim::{Sim, SimConfig};
use liner_transform::normalize::{gtin14, isrc};

use crate::common::{Project, artists};

fn sim() -> Sim {
    let mut limits = liner_sim::default_limits();
    limits.insert("apple_music".into(), (60, Duration::from_secs(1)));
    Sim::start(SimConfig { seed: 25, artists: 40, apple_key: Some(AppleKey::demo()), limits, ..SimConfig::default() })
        .expect("simulator")
}

fn project(sim: &Sim, team_id: &str) -> Project {
    let project = Project::only(&format!(
        r#"[providers.apple_music]
enabled = true
base_url = "{}"
rate = {{ requests = 50, per_seconds = 1.0 }}
initial_backoff_seconds = 0.2
auth = {{ kind = "apple_developer_token", team_id = "{team_id}", key_id = "{}", private_key_path = "AuthKey.p8" }}
options = {{ storefront = "gb" }}
"#,
        sim.base_url("apple_music"),
        AppleKey::demo().key_id,
    ));
    std::fs::write(project.path().join("AuthKey.p8"), DEMO_P8).unwrap();
    project
}

fn pairs(db: &std::path::Path, sql: &str) -> Vec<(String, Option<String>)> {
    let conn = duckdb::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_followed_artist_lands_albums_tracks_and_the_charts_with_a_verified_token() {
    let sim = sim();
    let project = project(&sim, &AppleKey::demo().team_id);
    let followed = artists(&sim, 4);
    let mut args = vec!["follow"];
    args.extend(followed.iter().map(String::as_str));
    project.ok(&args);
    let out = project.ok(&["extract"]);
    assert!(!out.contains("failed:"), "{out}");
    assert_eq!(sim.stats("apple_music").over_limit, 0);
    project.ok(&["transform"]);

    let catalog = sim.catalog();
    let view = sim.view("apple_music");
    let mut expected_albums = HashMap::new();
    let mut expected_songs = HashMap::new();
    let mut expected_prereleases = Vec::new();
    for (a, artist) in catalog.artists.iter().enumerate() {
        if followed.contains(&artist.name) && view.artists[a].known {
            for (i, l) in view.releases_of(catalog, a) {
                expected_albums.insert(l.id.clone(), l.barcode.as_deref().and_then(gtin14));
                if catalog.releases[i].date.as_str() > "2026-11-22" {
                    expected_prereleases.push(l.id.clone());
                }
                for t in &l.tracks {
                    expected_songs.insert(t.id.clone(), t.isrc.as_deref().and_then(isrc));
                }
            }
        }
    }
    assert!(expected_albums.len() > 8, "too few albums to judge");
    let db = project.warehouse();
    // The chart lands albums of artists nobody follows: compare the followed ones.
    let albums: HashMap<String, Option<String>> = pairs(&db, "select album_id, gtin from staging.apple_music_albums")
        .into_iter()
        .filter(|(id, _)| expected_albums.contains_key(id))
        .collect();
    assert_eq!(albums, expected_albums);
    let songs: HashMap<String, Option<String>> = pairs(&db, "select song_id, isrc from staging.apple_music_tracks")
        .into_iter()
        .filter(|(id, _)| expected_songs.contains_key(id))
        .collect();
    assert_eq!(songs, expected_songs);
    let album_of_song = pairs(&db, "select song_id, album_id from staging.apple_music_tracks");
    assert!(album_of_song.iter().all(|(_, album)| album.is_some()), "every song names its album");

    let charted = crate::common::query_i64(&db, "select count(*) from raw.apple_music_charts");
    assert_eq!(charted, 1, "the charts, once a run");
    let mut prereleases: Vec<String> =
        pairs(&db, "select album_id, null::varchar from staging.apple_music_albums where is_prerelease")
            .into_iter()
            .map(|(id, _)| id)
            .filter(|id| expected_albums.contains_key(id))
            .collect();
    prereleases.sort();
    expected_prereleases.sort();
    expected_prereleases.dedup();
    assert!(!expected_prereleases.is_empty(), "the seed has pre-releases among the followed");
    assert_eq!(prereleases, expected_prereleases, "albums not out yet are flagged, and only those");
}

#[test]
fn a_token_from_another_team_is_refused_and_the_run_says_so() {
    let sim = sim();
    let project = project(&sim, "OTHERTEAM1");
    project.ok(&["follow", &artists(&sim, 1)[0]]);
    let out = project.ok(&["extract"]);
    assert!(out.contains("HTTP 401") && out.contains("iss is not the team id"), "{out}");
}

#[test]
fn barcodes_are_looked_up_in_whatever_padding_apple_stores() {
    let sim = sim();
    let project = project(&sim, &AppleKey::demo().team_id);
    let view = sim.view("apple_music");
    let (i, listing) = view
        .releases
        .iter()
        .enumerate()
        .find_map(|(i, l)| l.as_ref().filter(|l| l.barcode.as_ref().is_some_and(|b| b.len() == 14)).map(|l| (i, l)))
        .expect("some UPCs are stored with 14 digits");
    let gtin = sim.catalog().releases[i].gtin.clone().unwrap();
    let track = listing.tracks.iter().find(|t| t.isrc.is_some()).unwrap();
    project.ok(&["extract", "apple_music", "--upc", &gtin, "--isrc", track.isrc.as_ref().unwrap()]);
    project.ok(&["transform"]);
    let db = project.warehouse();
    let albums = pairs(&db, "select album_id, gtin from staging.apple_music_albums");
    assert!(albums.contains(&(listing.id.clone(), gtin14(&gtin))), "{albums:?}");
    let songs = pairs(&db, "select song_id, isrc from staging.apple_music_tracks");
    assert!(songs.contains(&(track.id.clone(), track.isrc.clone())), "{songs:?}");
}

/// The followed artist Apple Music lists most albums of, and those albums' ids.
fn most_albums(sim: &Sim) -> (String, Vec<String>) {
    let catalog = sim.catalog();
    let view = sim.view("apple_music");
    let (a, artist) = (0..catalog.artists.len())
        .filter(|&a| view.artists[a].known)
        .map(|a| (a, &catalog.artists[a]))
        .max_by_key(|&(a, _)| view.releases_of(catalog, a).count())
        .expect("an artist on Apple Music");
    (artist.name.clone(), view.releases_of(catalog, a).map(|(_, l)| l.id.clone()).collect())
}

#[test]
fn an_artists_albums_come_page_by_page_at_apples_own_size_and_a_refused_page_is_reported() {
    let sim = sim();
    let (name, mut expected) = most_albums(&sim);
    expected.sort();
    assert!(expected.len() > 10, "{name} has {} albums: one page, nothing to judge", expected.len());
    let first = project(&sim, &AppleKey::demo().team_id);
    first.ok(&["follow", &name]);
    // The simulator refuses any `limit` on an artist's albums (Apple documents none).
    let out = first.ok(&["extract"]);
    assert!(!out.contains("failed:"), "{out}");
    first.ok(&["transform"]);
    let db = first.warehouse();
    let pages = crate::common::query_i64(&db, "select count(*) from raw.apple_music_artist_albums where status = 200");
    assert!(pages >= 2, "{pages} page(s) for {} albums", expected.len());
    let mut landed: Vec<String> = crate::common::query_strings(&db, "select album_id from staging.apple_music_albums")
        .into_iter()
        .filter(|id| expected.contains(id))
        .collect();
    landed.sort();
    assert_eq!(landed, expected, "every page's albums");

    let refused = project(&sim, &AppleKey::demo().team_id);
    refused.ok(&["follow", &name]);
    sim.inject("apple_music", "/albums", liner_sim::Fault::BadRequest, 1);
    let out = refused.run(&["extract"]);
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        said.contains("HTTP 400 for a page of artist_albums") && said.contains("offset must be less than 200"),
        "a refused page is a failure the run names, with Apple's words:\n{said}"
    );
}
