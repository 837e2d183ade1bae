//! Genius: songs, not releases; found through search, paged by `next_page`, each
//! looked up for its album, date and links to the stores.

use std::collections::HashMap;
use std::time::Duration;

use liner_sim::{Sim, SimConfig};

use crate::common::{Project, artists, query_i64};

#[test]
fn a_followed_artists_songs_land_once_each_with_album_and_store_links() {
    let mut limits = liner_sim::default_limits();
    limits.insert("genius".into(), (100, Duration::from_secs(1)));
    let sim = Sim::start(SimConfig {
        seed: 53,
        artists: 40,
        secrets: [("genius".into(), "sim-genius".into())].into(),
        limits,
        ..SimConfig::default()
    })
    .unwrap();
    let project = Project::only(&format!(
        "[providers.genius]\nenabled = true\nbase_url = \"{}\"\nrate = {{ requests = 80, per_seconds = 1.0 }}\nauth = {{ kind = \"bearer\", token = \"sim-genius\" }}\n",
        sim.base_url("genius")
    ));
    let followed = artists(&sim, 3);
    let mut args = vec!["follow"];
    args.extend(followed.iter().map(String::as_str));
    project.ok(&args);
    let out = project.ok(&["extract"]);
    assert!(!out.contains("failed:"), "{out}");
    project.ok(&["transform"]);
    let db = project.warehouse();

    // The songs of each followed artist: one per recording they lead.
    let c = sim.catalog();
    let view = sim.view("genius");
    let mut expected: HashMap<usize, usize> = HashMap::new();
    for (a, artist) in c.artists.iter().enumerate() {
        if followed.contains(&artist.name) && view.artists[a].known {
            for (_, l) in view.releases_of(c, a) {
                for t in &l.tracks {
                    if c.recordings[t.recording].credits[0].artist == a {
                        expected.insert(t.recording, a);
                    }
                }
            }
        }
    }
    assert!(expected.len() > 20, "too few songs to judge");
    let looked_up = query_i64(&db, "select count(*) from staging.genius_songs where album_id is not null");
    assert_eq!(looked_up, expected.len() as i64, "every song of the followed, looked up once");
    assert!(query_i64(&db, "select count(*) from staging.genius_songs where spotify_track_id is not null") > 0);
    assert!(query_i64(&db, "select count(*) from staging.genius_songs where title_with_featured like '%(Ft. %'") > 0);
}
