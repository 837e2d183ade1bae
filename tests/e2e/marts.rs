//! The marts: what the app shows on top of the catalog.

use crate::common::{query_i64, query_strings};

#[test]
fn marts_show_upcoming_releases_chart_history_and_track_keys() {
    let (sim, _dir, cfg, followed) = crate::common::everywhere(25, 4, 2, true);
    let wh = cfg.warehouse();

    // Upcoming: every Apple Music listing of a followed artist dated after today is there,
    // with its Listen link, and nothing that is out already.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let (catalog, view) = (sim.catalog(), sim.view("apple_music"));
    let mut expected: Vec<String> = Vec::new();
    for (a, artist) in catalog.artists.iter().enumerate() {
        if followed.contains(&artist.name) && view.artists[a].known {
            for (i, l) in view.releases_of(catalog, a) {
                if catalog.releases[i].date > today {
                    expected.push(format!("https://music.apple.com/us/album/{}", l.id));
                }
            }
        }
    }
    assert!(!expected.is_empty(), "the seed has releases to come among the followed");
    let listed =
        query_strings(&wh, "SELECT apple_music_url FROM marts.upcoming_releases WHERE apple_music_url IS NOT NULL");
    for url in &expected {
        assert!(listed.iter().any(|l| l.ends_with(url.rsplit('/').next().unwrap())), "{url} missing from {listed:?}");
    }
    let out_already = query_i64(
        &wh,
        &format!("SELECT count(*) FROM marts.upcoming_releases WHERE NOT is_prerelease AND release_date <= '{today}'"),
    );
    assert_eq!(out_already, 0);
    let strangers = query_i64(
        &wh,
        "SELECT count(*) FROM marts.upcoming_releases WHERE followed_artist NOT IN (SELECT name FROM raw.follows)",
    );
    assert_eq!(strangers, 0);

    // Chart history: two runs, two snapshots of every list, each entry kept.
    let snapshots =
        query_i64(&wh, "SELECT count(DISTINCT seen_at) FROM marts.chart_appearances WHERE list = 'chart_albums:0'");
    assert_eq!(snapshots, 2);
    assert_eq!(query_i64(&wh, "SELECT count(*) FROM marts.chart_appearances WHERE list = 'chart_albums:0'"), 200);

    // Coverage, build after build: a second build adds its rows to the first's.
    // (A build with nothing new builds nothing, and adds no rows: this one is full.)
    liner::runs::stages::transform(&cfg, "second", &[], true, false).unwrap();
    assert_eq!(query_i64(&wh, "SELECT count(DISTINCT run_id) FROM marts.coverage"), 2);
    let gtin_share = query_strings(
        &wh,
        "SELECT share::VARCHAR FROM marts.coverage WHERE run_id = 'second' AND entity = 'release' AND measure = 'gtin'",
    );
    let direct = query_strings(&wh, "SELECT avg((gtin IS NOT NULL)::int)::VARCHAR FROM canonical.releases");
    assert_eq!(gtin_share, direct);
    let features = query_i64(
        &wh,
        "SELECT count(*) FROM marts.coverage WHERE entity = 'track' AND measure IN ('tempo', 'musical_key') AND share > 0",
    );
    assert_eq!(features, 4, "tempo and key are counted, in both builds");

    // Keys: the Camelot code from the wheel, for every track with audio features.
    const MAJOR: [&str; 12] = ["8B", "3B", "10B", "5B", "12B", "7B", "2B", "9B", "4B", "11B", "6B", "1B"];
    const MINOR: [&str; 12] = ["5A", "12A", "7A", "2A", "9A", "4A", "11A", "6A", "1A", "8A", "3A", "10A"];
    let conn = duckdb::Connection::open(&wh).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT pitch_class, mode, camelot, key_name, bpm FROM marts.track_features WHERE key_source = 'spotify'",
        )
        .unwrap();
    let rows: Vec<(i32, i32, String, String, f64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(rows.len() > 10, "too few tracks with features: {}", rows.len());
    for (key, mode, camelot, name, bpm) in &rows {
        let wheel = if *mode == 1 { MAJOR } else { MINOR };
        assert_eq!(camelot, wheel[*key as usize], "{name}");
        assert!(name.ends_with(if *mode == 1 { "major" } else { "minor" }) && *bpm > 0.0);
    }
}

#[test]
fn track_features_take_tempo_and_key_from_spotify_else_beatport_else_deezer_and_say_which() {
    // A development-mode Spotify app reads no audio features: the features come from
    // Beatport's tracks, and for the others from Deezer's track pages (looked up by ISRC).
    let (sim, _dir, cfg, _followed) = crate::common::everywhere(26, 4, 1, false);
    let wh = cfg.warehouse();
    assert_eq!(query_i64(&wh, "SELECT count(*) FROM marts.track_features WHERE bpm_source = 'spotify'"), 0);
    let beatport = query_i64(&wh, "SELECT count(*) FROM marts.track_features WHERE bpm_source = 'beatport'");
    assert!(beatport > 5, "Beatport's tracks give BPM: {beatport}");
    assert_eq!(
        query_i64(
            &wh,
            "SELECT count(*) FROM marts.track_features f JOIN canonical.tracks t USING (track_id) \
             WHERE f.bpm_source = 'beatport' AND t.beatport_track_id IS NULL"
        ),
        0,
        "a Beatport value only where Beatport lists the track"
    );

    // Beatport's key names and Camelot codes agree with the wheel liner computes.
    let conn = duckdb::Connection::open(&wh).unwrap();
    let disagree: i64 = conn
        .query_row(
            "SELECT count(*) FROM marts.track_features f JOIN canonical.tracks t USING (track_id) \
             JOIN staging.beatport_tracks b ON b.track_id = t.beatport_track_id \
             WHERE f.key_source = 'beatport' AND f.camelot <> b.camelot",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(disagree, 0, "the Camelot code read from the key name is Beatport's own");
    drop(conn);

    // Tracks Beatport lacks get Deezer's BPM once their track page is landed.
    let isrcs = query_strings(
        &wh,
        "SELECT d.isrc FROM canonical.tracks t JOIN staging.deezer_tracks d ON d.track_id = t.deezer_track_id \
         WHERE t.beatport_track_id IS NULL AND d.isrc IS NOT NULL ORDER BY d.isrc LIMIT 8",
    );
    assert_eq!(isrcs.len(), 8);
    let state = liner::stored::state::State::open(&cfg.state_db()).unwrap();
    let args = liner::runs::stages::StageArgs {
        lookups: isrcs.iter().map(|i| liner_extract::Identifier::Isrc(i.clone()).into()).collect(),
        identifiers_only: true,
        ..Default::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(liner::runs::stages::extract(&cfg, &state, liner_extract::Provider::parse("deezer"), &args, "isrc"))
        .unwrap();
    liner::runs::stages::transform(&cfg, "isrc", &[], false, false).unwrap();
    // (ISRC, BPM) of the looked-up tracks that have a tempo in the warehouse.
    let rows = query_strings(
        &wh,
        "SELECT DISTINCT d.isrc || ' ' || f.bpm_source || ' ' || f.bpm FROM marts.track_features f \
         JOIN canonical.tracks t USING (track_id) JOIN staging.deezer_tracks d ON d.track_id = t.deezer_track_id \
         WHERE d.bpm IS NOT NULL ORDER BY 1",
    );
    let c = sim.catalog();
    let expected: Vec<String> = isrcs
        .iter()
        .filter_map(|isrc| {
            let rec = c.recordings.iter().find(|r| r.isrcs.iter().any(|i| i == isrc)).unwrap();
            (rec.length_ms % 3 != 0)
                .then(|| format!("{isrc} deezer {:.1}", 80.0 + f64::from(rec.length_ms % 900) / 10.0))
        })
        .collect();
    assert!(!expected.is_empty(), "some of the eight have a tempo on Deezer");
    let rows: Vec<String> = rows
        .into_iter()
        .map(|r| match r.rsplit_once(' ') {
            Some((head, bpm)) => format!("{head} {:.1}", bpm.parse::<f64>().unwrap()),
            None => r,
        })
        .collect();
    assert_eq!(rows, expected, "Deezer's BPM where it knows one, and none where it says 0");
}
