//! The app's read API of `liner serve`, over HTTP: releases with their Listen links, an
//! artist's releases, the same item on every provider, a track's features, charts, and
//! trending refreshed on demand, all answered from the warehouse while a run waits.

use reqwest::Url;
use serde_json::Value;

use crate::common::{Project, query_i64, query_strings};
use crate::serve::{Server, call, rt, wait_for_run};

/// `base` joined with these path segments, each percent-encoded, and a query.
fn url(base: &str, segments: &[&str], query: &str) -> String {
    let mut u = Url::parse(base).unwrap();
    u.path_segments_mut().unwrap().extend(segments);
    if !query.is_empty() {
        u.set_query(Some(query));
    }
    u.to_string()
}

async fn get(base: &str, segments: &[&str], query: &str) -> (u16, Value) {
    call("GET", &url(base, segments, query), None, None).await
}

fn strs<'a>(v: &'a Value, field: &str) -> Vec<&'a str> {
    v.as_array().unwrap().iter().map(|x| x[field].as_str().unwrap()).collect()
}

/// An error answer naming `field`, with this status.
#[track_caller]
fn refused(answer: (u16, Value), status: u16, field: &str) {
    assert_eq!((answer.0, answer.1["field"].as_str()), (status, Some(field)), "{}", answer.1);
}

#[test]
fn the_app_reads_releases_links_tracks_and_charts_and_trending_refreshes_itself_once() {
    let (sim, _data, cfg, _followed) = crate::common::everywhere(27, 4, 1, true);
    let wh = cfg.warehouse();
    let data_dir = cfg.config.paths.data_dir.clone();
    // `liner serve` on the warehouse just built; Deezer (the charts) at the simulator.
    let project = Project { dir: tempfile::tempdir().unwrap() };
    std::fs::write(
        project.path().join("liner.toml"),
        format!(
            "[paths]\ndata_dir = {data:?}\n\n[follow]\nresolve = false\nsync = false\n\n\
             [providers.musicbrainz]\nenabled = false\n\n[providers.deezer]\nbase_url = {dz:?}\n",
            data = data_dir.display().to_string(),
            dz = sim.base_url("deezer"),
        ),
    )
    .unwrap();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();

    let server = Server::start(&project);
    let base = server.base.clone();
    rt().block_on(async {
        // A release with every provider's Listen link, as canonical.listings has them.
        let id = &query_strings(&wh, "SELECT release_id FROM canonical.releases ORDER BY providers DESC, release_id LIMIT 1")[0];
        let (status, release) = get(&base, &["releases", id], "").await;
        assert_eq!(status, 200, "{release}");
        let expected = query_strings(
            &wh,
            &format!(
                "SELECT provider FROM canonical.listings WHERE entity = 'release' AND canonical_id = '{id}' \
                 AND url IS NOT NULL ORDER BY provider"
            ),
        );
        assert!(expected.len() >= 3, "the best-listed release is on several providers: {expected:?}");
        assert_eq!(strs(&release["listen"], "provider"), expected, "{release}");
        assert!(strs(&release["listen"], "url").iter().all(|u| u.starts_with("http")), "{release}");
        refused(get(&base, &["releases", "gtin:00000000000000"], "").await, 404, "id");

        // An artist's releases, newest first, in pages of at most 100.
        let artist = &query_strings(&wh, "SELECT followed_artist FROM marts.upcoming_releases ORDER BY 1 LIMIT 1")[0];
        let (status, all) = get(&base, &["artists", artist, "releases"], "limit=100").await;
        assert_eq!(status, 200, "{all}");
        let dates: Vec<&str> = all.as_array().unwrap().iter().filter_map(|r| r["release_date"].as_str()).collect();
        assert!(dates.len() >= 2 && dates.windows(2).all(|w| w[0] >= w[1]), "newest first: {dates:?}");
        assert!(
            strs(&all, "artist").iter().all(|a| a.to_lowercase().contains(&artist.to_lowercase())),
            "only {artist}'s: {all}"
        );
        let (_, second) = get(&base, &["artists", artist, "releases"], "limit=1&offset=1").await;
        assert_eq!(second[0]["release_id"], all[1]["release_id"], "offset pages on");
        refused(get(&base, &["artists", artist, "releases"], "limit=101").await, 400, "limit");
        refused(get(&base, &["artists", artist, "releases"], "limit=0").await, 400, "limit");
        refused(get(&base, &["artists", artist, "releases"], "sort=title").await, 400, "sort");

        // ... and those still to come, soonest first, each with its Listen links.
        let (status, upcoming) = get(&base, &["artists", artist, "releases"], "upcoming=true").await;
        assert_eq!(status, 200, "{upcoming}");
        let expected = query_i64(
            &wh,
            &format!("SELECT count(*) FROM marts.upcoming_releases WHERE followed_artist = '{}'", artist.replace('\'', "''")),
        );
        let upcoming = upcoming.as_array().unwrap();
        assert_eq!(upcoming.len() as i64, expected, "{upcoming:?}");
        for u in upcoming {
            assert!(u["prerelease"] == true || u["release_date"].as_str().unwrap() > today.as_str(), "{u}");
            assert!(!u["listen"].as_array().unwrap().is_empty(), "{u}");
        }

        // The same recording on every provider, from its ISRC or any provider's id.
        let found = query_strings(
            &wh,
            "SELECT track_id || ' ' || isrc FROM canonical.tracks WHERE isrc IS NOT NULL AND providers >= 3 \
             ORDER BY track_id LIMIT 1",
        );
        let (track_id, isrc) = found[0].split_once(' ').unwrap();
        let listed = query_strings(
            &wh,
            &format!("SELECT provider || ' ' || item_id FROM canonical.listings WHERE canonical_id = '{track_id}' ORDER BY 1"),
        );
        let pairs = |links: &Value| -> Vec<String> {
            let mut p: Vec<String> = links["listings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| format!("{} {}", l["provider"].as_str().unwrap(), l["id"].as_str().unwrap()))
                .collect();
            p.sort();
            p
        };
        let (status, by_isrc) = get(&base, &["links"], &format!("isrc={}", isrc.to_lowercase())).await;
        assert_eq!(status, 200, "{by_isrc}");
        assert_eq!((by_isrc["entity"].as_str(), by_isrc["id"].as_str()), (Some("track"), Some(track_id)));
        assert_eq!(pairs(&by_isrc), listed, "{by_isrc}");
        assert!(by_isrc["listings"].as_array().unwrap().iter().any(|l| l["carries"] == true), "the carrier is marked");
        let (provider, item) = listed.last().unwrap().split_once(' ').unwrap();
        let (status, by_id) = get(&base, &["links"], &format!("provider={provider}&id={item}")).await;
        assert_eq!(status, 200, "{by_id}");
        assert_eq!((by_id["id"].as_str(), pairs(&by_id)), (Some(track_id), listed.clone()), "{by_id}");

        // A release from its barcode, however it is padded.
        let found = query_strings(&wh, "SELECT release_id || ' ' || gtin FROM canonical.releases WHERE gtin LIKE '00%' LIMIT 1");
        let (release_id, gtin) = found[0].split_once(' ').unwrap();
        let (status, by_upc) = get(&base, &["links"], &format!("upc={}", &gtin[2..])).await;
        assert_eq!((status, by_upc["id"].as_str()), (200, Some(release_id)), "{by_upc}");
        assert!(by_upc["listings"].as_array().unwrap().iter().any(|l| l["carries"] == true), "{by_upc}");

        refused(get(&base, &["links"], "isrc=nope").await, 400, "isrc");
        refused(get(&base, &["links"], "upc=123").await, 400, "upc");
        refused(get(&base, &["links"], "provider=napster&id=1").await, 400, "provider");
        refused(get(&base, &["links"], "provider=spotify").await, 400, "id");
        refused(get(&base, &["links"], "").await, 400, "query");
        refused(get(&base, &["links"], "provider=deezer&id=0").await, 404, "id");

        // A track with its tempo and key, and which provider gave them.
        let found = query_strings(
            &wh,
            "SELECT track_id || ' ' || bpm_source FROM marts.track_features WHERE bpm IS NOT NULL ORDER BY track_id LIMIT 1",
        );
        let (track_id, source) = found[0].split_once(' ').unwrap();
        let (status, track) = get(&base, &["tracks", track_id], "").await;
        assert_eq!(status, 200, "{track}");
        assert_eq!(track["features"]["bpm_source"], source, "{track}");
        assert!(track["features"]["bpm"].as_f64().unwrap() > 0.0 && track["features"]["camelot"].is_string(), "{track}");
        assert!(!track["listen"].as_array().unwrap().is_empty(), "{track}");
        refused(get(&base, &["tracks", "isrc:XX0000000000"], "").await, 404, "id");

        // Charts: the newest snapshot's entries, in order, and an older one by its time.
        let (status, charts) = get(&base, &["charts"], "").await;
        assert_eq!(status, 200, "{charts}");
        assert!(strs(&charts, "list").contains(&"chart_albums:0"), "{charts}");
        let (status, chart) = get(&base, &["charts", "chart_albums:0"], "limit=5").await;
        assert_eq!(status, 200, "{chart}");
        let positions: Vec<i64> = chart["entries"].as_array().unwrap().iter().map(|e| e["position"].as_i64().unwrap()).collect();
        assert_eq!(positions, [1, 2, 3, 4, 5], "{chart}");
        let at = chart["snapshots"][0].as_str().unwrap().to_string();
        let (status, same) = get(&base, &["charts", "chart_albums:0"], &format!("limit=5&at={at}")).await;
        assert_eq!((status, &same["entries"]), (200, &chart["entries"]), "{same}");
        refused(get(&base, &["charts", "chart_albums:0"], "at=2001-01-01T00:00:00.000Z").await, 404, "at");
        refused(get(&base, &["charts", "no_such_chart"], "").await, 404, "list");

        // Trending: a snapshot younger than six hours is answered, and nothing queued.
        let (status, trending) = get(&base, &["trending"], "limit=3").await;
        assert_eq!(status, 200, "{trending}");
        assert!(trending["refreshing"].is_null(), "{trending}");
        assert!((0..6 * 3600).contains(&trending["age_seconds"].as_i64().unwrap()), "{trending}");
        assert!(trending["charts"].as_array().unwrap().iter().all(|c| c["entries"].as_array().unwrap().len() <= 3));

        let (_, doc) = get(&base, &["openapi.json"], "").await;
        for path in ["/releases/{id}", "/artists/{name}/releases", "/links", "/tracks/{id}", "/charts/{list}", "/trending"] {
            assert!(doc["paths"][path]["get"].is_object(), "{path} is not in the OpenAPI document");
        }
    });
    assert!(server.stop().success());

    // Any snapshot is too old at a max age of 0: the first ask queues a refresh, the next
    // finds it waiting (this test holds the data folder, so it waits) and queues no other;
    // the catalog is answered meanwhile.
    let server = Server::start_with(&project, &[("LINER_SERVE__TRENDING_MAX_AGE_HOURS", "0")]);
    let base = server.base.clone();
    let held = liner::runs::writer_lock::acquire(&data_dir, "a test holding the lock", false).unwrap();
    rt().block_on(async {
        let (status, first) = get(&base, &["trending"], "").await;
        assert_eq!(status, 200, "{first}");
        let run_id = first["refreshing"].as_str().expect("a refresh queued").to_string();
        assert!(!first["charts"].as_array().unwrap().is_empty(), "answered at once from the old snapshot: {first}");
        let (_, again) = get(&base, &["trending"], "").await;
        assert_eq!(again["refreshing"].as_str(), Some(run_id.as_str()), "one refresh, not two: {again}");
        let (status, _) = get(&base, &["charts"], "").await;
        assert_eq!(status, 200, "read while the refresh waits");

        drop(held);
        let done = wait_for_run(&base, &run_id).await;
        assert_eq!(done["status"], "ok", "{done}");
        let (_, runs) = call("GET", &format!("{base}/runs"), None, None).await;
        let refreshes: Vec<&Value> =
            runs.as_array().unwrap().iter().filter(|r| r["command"].as_str().unwrap().contains("trending")).collect();
        assert_eq!(refreshes.len(), 1, "{runs}");
        let (_, charts) = get(&base, &["charts"], "").await;
        let albums = charts.as_array().unwrap().iter().find(|c| c["list"] == "chart_albums:0").unwrap().clone();
        assert_eq!(albums["snapshots"], 2, "the refresh took a second snapshot: {albums}");
    });
    assert!(server.stop().success());
}
