//! Providers' rate limits, as the simulator enforces them the real way: MusicBrainz
//! answers 503 past 1 request/s, Deezer sends its quota error in a 200 body.

use crate::common::{Project, artists, query_i64, releases_of};
use liner_sim::{Sim, SimConfig};

#[test]
fn at_musicbrainz_default_rate_liner_is_never_refused() {
    let sim = crate::common::sim(5, 20, 1);
    let project = Project::new(&sim, 1, "");
    for a in artists(&sim, 2) {
        project.ok(&["follow", &a]);
    }
    let out = project.ok(&["extract", "musicbrainz"]);
    let stats = sim.stats("musicbrainz");
    assert!(stats.requests >= 6, "{stats:?}");
    assert_eq!(stats.over_limit, 0, "liner went over 1 request/s:\n{out}");
}

#[test]
fn a_client_set_faster_than_musicbrainz_allows_gets_503s_retries_and_loses_nothing() {
    let sim = crate::common::sim(5, 20, 1);
    let project = Project::new(&sim, 5, "");
    let followed = artists(&sim, 2);
    for a in &followed {
        project.ok(&["follow", a]);
    }
    let out = project.ok(&["extract", "musicbrainz"]);
    assert!(sim.stats("musicbrainz").over_limit > 0, "the simulator should have refused some requests");
    assert!(!out.contains("failed:"), "every refused request is retried until it lands:\n{out}");
    assert!(out.contains("breaker closed"), "503 is MusicBrainz's rate signal, not an outage:\n{out}");
    project.ok(&["transform"]);
    let expected = releases_of(&sim, &followed).iter().filter(|r| r.musicbrainz.is_some()).count();
    assert_eq!(query_i64(&project.warehouse(), "SELECT count(*) FROM staging.musicbrainz_releases") as usize, expected);
}

#[test]
fn musicbrainz_503s_in_a_row_slow_liner_down_and_never_open_the_circuit() {
    let sim = crate::common::sim(5, 20, 100);
    // Five refusals in a row would open the breaker were they outages.
    sim.inject("musicbrainz", "/release", liner_sim::Fault::ServiceUnavailable, 5);
    let project = Project::new(&sim, 100, "");
    let followed = artists(&sim, 1);
    project.ok(&["follow", &followed[0]]);
    let out = project.ok(&["extract", "musicbrainz"]);
    assert_eq!(sim.stats("musicbrainz").faults, 5, "{out}");
    assert!(!out.contains("failed:") && !out.contains("circuit open"), "{out}");
    assert!(out.contains("breaker closed"), "{out}");
}

#[test]
fn deezer_quota_errors_in_200_bodies_are_retried_and_nothing_is_lost() {
    let sim = Sim::start(SimConfig {
        seed: 9,
        artists: 20,
        deezer_requests: 10,
        deezer_window: std::time::Duration::from_secs(1),
        ..SimConfig::default()
    })
    .unwrap();
    let project = Project::new(&sim, 1, "rate = { requests = 40, per_seconds = 1.0 }\n");
    let followed = artists(&sim, 2);
    for a in &followed {
        project.ok(&["follow", a]);
    }
    let out = project.ok(&["extract", "deezer"]);
    assert!(sim.stats("deezer").over_limit > 0, "the simulator should have sent quota errors");
    assert!(!out.contains("failed:"), "{out}");
    project.ok(&["transform"]);
    let expected = releases_of(&sim, &followed).iter().filter(|r| r.deezer.is_some()).count();
    assert_eq!(query_i64(&project.warehouse(), "SELECT count(*) FROM staging.deezer_albums") as usize, expected);
    assert_eq!(
        query_i64(
            &project.warehouse(),
            "SELECT count(*) FROM raw.deezer_albums WHERE body LIKE '%Quota limit exceeded%'"
        ),
        0,
        "quota errors are retried, not landed as data"
    );
}

#[test]
fn musicbrainz_refuses_a_request_without_a_user_agent() {
    let sim = crate::common::sim(1, 5, 100);
    let config = liner_extract::Provider::named("musicbrainz").default_config();
    let config = liner_extract::ProviderConfig { base_url: sim.base_url("musicbrainz"), user_agent: None, ..config };
    let stack =
        liner_extract::http::HttpStack::new("musicbrainz", &config, liner_extract::http::status_says_it_all).unwrap();
    let request =
        liner_extract::request::Request::new("artist_search", "/artist").param("query", "x").param("fmt", "json");
    let got = tokio::runtime::Runtime::new().unwrap().block_on(stack.get(&request)).unwrap();
    assert_eq!(got.status, 403, "{}", got.body);
}

#[test]
fn a_spent_daily_quota_stops_that_provider_across_runs_and_the_rest_goes_on() {
    let sim = crate::common::sim(29, 20, 100);
    let project = Project::new(&sim, 100, "daily_quota = { units = 15 }\n");
    let followed = artists(&sim, 2);
    for a in &followed {
        project.ok(&["follow", a]);
    }
    let out = project.ok(&["extract"]);
    assert!(out.contains("daily quota (15 units)") && out.contains("is spent"), "a clear message:\n{out}");
    assert_eq!(sim.stats("deezer").requests, 15, "not one request past the quota");
    let mb = releases_of(&sim, &followed).iter().filter(|r| r.musicbrainz.is_some()).count();
    project.ok(&["transform"]);
    assert_eq!(
        query_i64(&project.warehouse(), "SELECT count(*) FROM staging.musicbrainz_releases") as usize,
        mb,
        "MusicBrainz went on to the end"
    );

    // Another process, the same day: the budget is still spent.
    let out = project.ok(&["extract", "deezer"]);
    assert!(out.contains("is spent"), "{out}");
    assert_eq!(sim.stats("deezer").requests, 15, "the count lives in state, not in the process");
}
