//! Providers on a bad day: each fault the simulator can inject, and what liner does
//! about it. The run finishes (or reports what failed), what landed is intact, and the
//! counts add up: every request landed a response or was recorded as failed.

use std::time::Duration;

use liner_sim::Fault;

use crate::common::{Project, artists, query_i64, releases_of};

/// The numbers of a provider's line in `liner extract`'s summary.
#[derive(Debug)]
struct Counts {
    requests: u64,
    attempts: u64,
    landed: u64,
    failed: u64,
}

fn counts(stdout: &str, provider: &str) -> Counts {
    let line =
        stdout.lines().find(|l| l.starts_with(provider)).unwrap_or_else(|| panic!("no {provider} line in:\n{stdout}"));
    let nums: Vec<u64> =
        line.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect();
    Counts { requests: nums[0], attempts: nums[1], landed: nums[2], failed: nums[3] }
}

struct Case {
    sim: liner_sim::Sim,
    project: Project,
    followed: Vec<String>,
}

fn case(extra: &str) -> Case {
    let sim = crate::common::sim(17, 12, 100);
    let project = Project::new(&sim, 100, extra);
    let followed = artists(&sim, 1);
    project.ok(&["follow", &followed[0]]);
    Case { sim, project, followed }
}

impl Case {
    /// Runs a Deezer extract; checks that the counts add up, against the summary, the
    /// lake and the simulator, and returns them.
    fn extract(&self) -> (Counts, String) {
        let before = self.sim.stats("deezer").requests;
        let landed_before = self.raw_rows();
        let out = self.project.run(&["extract", "deezer"]);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        let c = counts(&stdout, "deezer");
        assert_eq!(c.requests, c.landed + c.failed, "every request lands or is recorded as failed: {c:?}\n{stdout}");
        assert_eq!(self.raw_rows() - landed_before, c.landed, "the summary counts what is in the lake");
        assert_eq!(self.sim.stats("deezer").requests - before, c.attempts, "every attempt reached the simulator");
        (c, stdout)
    }

    fn raw_rows(&self) -> u64 {
        self.project.ok(&["transform"]);
        query_i64(&self.project.warehouse(), "SELECT count(*) FROM raw.deezer_albums") as u64
            + query_i64(&self.project.warehouse(), "SELECT count(*) FROM raw.deezer_album_tracks") as u64
            + query_i64(&self.project.warehouse(), "SELECT count(*) FROM raw.deezer_artist_albums") as u64
            + query_i64(&self.project.warehouse(), "SELECT count(*) FROM raw.deezer_artist_search") as u64
    }

    /// Every album of the followed artist is in staging, whole.
    fn assert_complete(&self) {
        self.project.ok(&["transform"]);
        let albums: Vec<_> =
            releases_of(&self.sim, &self.followed).into_iter().filter_map(|r| r.deezer.as_ref()).collect();
        let tracks: usize = albums.iter().map(|a| a.tracks.len()).sum();
        let wh = self.project.warehouse();
        assert_eq!(query_i64(&wh, "SELECT count(*) FROM staging.deezer_albums") as usize, albums.len());
        assert_eq!(query_i64(&wh, "SELECT count(*) FROM staging.deezer_tracks") as usize, tracks);
    }
}

fn retried_and_complete(fault: Fault, times: u32, extra: &str) {
    let c = case(extra);
    c.sim.inject("deezer", "/album/", fault.clone(), times);
    let (counts, stdout) = c.extract();
    assert_eq!(c.sim.stats("deezer").faults, times as u64, "{fault:?}: every fault was served");
    assert_eq!(counts.failed, 0, "{fault:?}: retried until it worked:\n{stdout}");
    assert!(counts.attempts >= counts.requests + times as u64, "{fault:?}: {counts:?}");
    c.assert_complete();
}

#[test]
fn a_429_storm_is_waited_out_with_retry_after_in_seconds() {
    retried_and_complete(Fault::TooManyRequests { retry_after_secs: 1, as_http_date: false }, 4, "");
}

#[test]
fn a_429_storm_is_waited_out_with_retry_after_as_an_http_date() {
    retried_and_complete(Fault::TooManyRequests { retry_after_secs: 1, as_http_date: true }, 3, "");
}

#[test]
fn a_retry_after_of_hours_stops_the_provider_at_once_and_later_runs_leave_it_alone() {
    // Spotify's development-mode quota since 2026: 429 with a Retry-After of hours.
    let c = case("");
    c.sim.inject("deezer", "/album/", Fault::TooManyRequests { retry_after_secs: 30_000, as_http_date: false }, 1000);
    let (counts, stdout) = c.extract();
    assert_eq!(c.sim.stats("deezer").faults, 1, "one refusal stops the provider for the run:\n{stdout}");
    assert!(stdout.contains("Retry-After 8h 20m") && stdout.contains("not asked again before"), "{stdout}");
    assert!(counts.landed > 0, "what came before the refusal landed: {counts:?}");
    let before = c.sim.stats("deezer").requests;
    let again = c.project.ok(&["extract", "deezer"]);
    assert!(again.contains("skipped: not asked before"), "{again}");
    assert_eq!(c.sim.stats("deezer").requests, before, "a later run sends nothing to it");
}

#[test]
fn a_503_burst_is_retried() {
    retried_and_complete(Fault::ServiceUnavailable, 4, "");
}

#[test]
fn responses_slower_than_the_timeout_are_retried() {
    retried_and_complete(Fault::Slow(Duration::from_secs(3)), 2, "timeouts = { search = 5.0, lookup = 0.5 }\n");
}

#[test]
fn dropped_connections_are_retried() {
    retried_and_complete(Fault::Drop, 3, "");
}

#[test]
fn malformed_json_is_retried_and_never_landed() {
    retried_and_complete(Fault::Malformed, 3, "");
}

#[test]
fn truncated_json_is_retried_and_never_landed() {
    retried_and_complete(Fault::Truncated, 3, "");
}

#[test]
fn an_error_body_with_http_200_is_retried() {
    retried_and_complete(Fault::ErrorBody, 3, "");
}

#[test]
fn an_expired_token_fails_the_request_with_a_clear_reason_and_the_next_run_gets_it() {
    let c = case("");
    c.sim.inject("deezer", "/tracks", Fault::ExpiredToken, 1);
    let (counts, stdout) = c.extract();
    assert_eq!(counts.failed, 1, "{stdout}");
    assert!(stdout.contains("HTTP 401") && stdout.contains("token expired"), "{stdout}");
    assert!(stdout.contains("1 failed request(s) wait for the next run"), "kept in state:\n{stdout}");
    let (again, stdout) = c.extract();
    assert_eq!((again.requests, again.failed), (1, 0), "the next run asks again for just that one:\n{stdout}");
    assert!(!stdout.contains("wait for the next run"), "and it is resolved:\n{stdout}");
    c.assert_complete();
}

#[test]
fn a_provider_that_keeps_failing_opens_the_breaker_and_the_run_still_finishes() {
    let c = case("breaker = { failures = 5, open_seconds = 60.0, successes = 2 }\nmax_retries = 2\n");
    c.sim.inject("deezer", "/album/", Fault::ServiceUnavailable, 1000);
    let (counts, stdout) = c.extract();
    assert!(counts.failed > 1, "{stdout}");
    assert!(stdout.contains("breaker open") && stdout.contains("circuit open"), "{stdout}");
    assert_eq!(counts.attempts, counts.landed + 5, "after 5 failed attempts nothing more is sent: {counts:?}");
    assert!(
        query_i64(&c.project.warehouse(), "SELECT count(*) FROM raw.deezer_artist_search") > 0,
        "what landed stays"
    );
}
