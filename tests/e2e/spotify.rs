//! Spotify as a development-mode app meets it: client credentials, page caps of 10,
//! 403 on new releases and audio features, UPCs spelled as labels delivered them.

use std::collections::HashMap;
use std::time::Duration;

use liner_sim::{AuthConfig, Sim, SimConfig};
use liner_transform::normalize::{gtin14, isrc};

use crate::common::{Project, artists};

fn sim() -> Sim {
    let mut limits = liner_sim::default_limits();
    limits.insert("spotify".into(), (60, Duration::from_secs(1)));
    Sim::start(SimConfig {
        seed: 21,
        artists: 40,
        auth: Some(AuthConfig {
            client_id: "liner-test".into(),
            client_secret: "spotify-test-secret".into(),
            token_ttl: Duration::from_secs(3600),
            providers: vec!["spotify".into()],
        }),
        limits,
        ..SimConfig::default()
    })
    .expect("simulator")
}

fn project(sim: &Sim) -> Project {
    Project::only(&format!(
        r#"[providers.spotify]
enabled = true
base_url = "{}"
rate = {{ requests = 50, per_seconds = 1.0 }}
initial_backoff_seconds = 0.2
auth = {{ kind = "client_credentials", token_url = "{}", client_id = "liner-test", client_secret = "spotify-test-secret" }}
"#,
        sim.base_url("spotify"),
        sim.token_url()
    ))
}

fn strings(db: &std::path::Path, sql: &str) -> Vec<(String, Option<String>)> {
    let conn = duckdb::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_followed_artist_lands_albums_with_their_barcodes_and_tracks_with_their_isrcs() {
    let sim = sim();
    let project = project(&sim);
    let followed = artists(&sim, 4);
    let mut args = vec!["follow"];
    args.extend(followed.iter().map(String::as_str));
    project.ok(&args);

    let out = project.ok(&["extract"]);
    assert_eq!(out.matches("/browse/new-releases answered 403").count(), 1, "said once:\n{out}");
    assert_eq!(out.matches("/audio-features answered 403").count(), 1, "said once, then not asked again:\n{out}");
    assert!(!out.contains("failed:"), "{out}");
    assert_eq!(sim.stats("spotify").over_limit, 0);
    assert_eq!(sim.token_requests(), 1, "one token for the whole run");
    project.ok(&["transform"]);

    // What the simulator lists for the followed artists, by album id.
    let catalog = sim.catalog();
    let view = sim.view("spotify");
    let mut expected_albums = HashMap::new();
    let mut expected_isrcs = HashMap::new();
    for (a, artist) in catalog.artists.iter().enumerate() {
        if !followed.contains(&artist.name) || !view.artists[a].known {
            continue;
        }
        for (i, l) in view.releases_of(catalog, a) {
            let truth = catalog.releases[i].gtin.as_deref().and_then(gtin14);
            expected_albums
                .insert(l.id.clone(), l.barcode.as_deref().and_then(gtin14).filter(|g| Some(g) == truth.as_ref()));
            for t in &l.tracks {
                expected_isrcs.insert(t.id.clone(), t.isrc.as_deref().and_then(isrc));
            }
        }
    }
    assert!(expected_albums.len() > 8, "too few albums to judge: {}", expected_albums.len());
    assert!(expected_albums.values().any(|g| g.is_some()));

    let albums: HashMap<String, Option<String>> =
        strings(&project.warehouse(), "select album_id, gtin from staging.spotify_albums").into_iter().collect();
    assert_eq!(albums, expected_albums, "every album once, its barcode as a GTIN-14 (14-digit UPCs included)");
    let tracks: HashMap<String, Option<String>> =
        strings(&project.warehouse(), "select track_id, isrc from staging.spotify_tracks").into_iter().collect();
    assert_eq!(tracks.len(), expected_isrcs.len());
    assert_eq!(tracks, expected_isrcs, "every track with the ISRC its lookup shows");
}

#[test]
fn barcodes_and_isrcs_are_looked_up_in_whatever_padding_spotify_stores() {
    let sim = sim();
    let project = project(&sim);
    let view = sim.view("spotify");
    // An album Spotify holds under a 14-digit UPC, asked for by its 12- or 13-digit GTIN.
    let (i, listing) = view
        .releases
        .iter()
        .enumerate()
        .find_map(|(i, l)| l.as_ref().filter(|l| l.barcode.as_ref().is_some_and(|b| b.len() == 14)).map(|l| (i, l)))
        .expect("the simulator pads some UPCs to 14 digits");
    let gtin = sim.catalog().releases[i].gtin.clone().unwrap();
    let track = listing.tracks.iter().find(|t| t.isrc.is_some()).expect("a track with an ISRC");
    let wanted_isrc = track.isrc.clone().unwrap();

    let out = project.ok(&["extract", "spotify", "--upc", &gtin, "--isrc", &wanted_isrc.to_lowercase()]);
    assert!(!out.contains("failed:"), "{out}");
    project.ok(&["transform"]);
    let albums = strings(&project.warehouse(), "select album_id, gtin from staging.spotify_albums");
    assert_eq!(albums, [(listing.id.clone(), gtin14(&gtin))]);
    let tracks =
        strings(&project.warehouse(), "select track_id, isrc from staging.spotify_tracks where isrc is not null");
    assert!(tracks.contains(&(track.id.clone(), Some(wanted_isrc))), "{tracks:?}");

    let bad = project.run(&["extract", "spotify", "--upc", "12345"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--upc \"12345\""), "names the culprit");
}
