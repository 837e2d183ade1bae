//! Enrichment on request, over HTTP: an app asks `liner serve` to find items on every
//! provider that can (identifier first, then text), reads each item's status, and the
//! enrich schedule tries the unfinished ones again, a bounded number of times.

use std::time::Duration;

use liner_sim::{Fault, Sim, SimConfig};
use serde_json::{Value, json};

use crate::common::Project;
use crate::serve::{Server, TOKEN, call, rt, wait_for_run};

/// A recording Deezer and MusicBrainz both list under one ISRC, credited to one
/// artist no other shares, its title its own: (artist, title, ISRC, Deezer's id).
fn listed_everywhere(sim: &Sim, skip: usize) -> (String, String, String, u64) {
    let c = sim.catalog();
    let mut found =
        c.releases.iter().filter(|r| r.musicbrainz.is_some()).filter_map(|r| r.deezer.as_ref()).flat_map(|d| {
            d.tracks.iter().filter_map(|t| {
                let rec = &c.recordings[t.recording];
                let artist = &c.artists[rec.credits.first()?.artist].name;
                let unique = c.artists.iter().filter(|a| &a.name == artist).count() == 1
                    && c.recordings.iter().filter(|r| r.title == rec.title).count() == 1;
                (rec.credits.len() == 1
                    && rec.featured.is_empty()
                    && rec.version.is_empty()
                    && unique
                    && t.title == rec.title
                    && !t.isrc.is_empty()
                    && rec.musicbrainz_isrcs.contains(&t.isrc))
                .then(|| (artist.clone(), rec.title.clone(), t.isrc.clone(), t.id))
            })
        });
    found.nth(skip).expect("a recording on Deezer and MusicBrainz under one ISRC")
}

async fn post(base: &str, path: &str, body: Value) -> (u16, Value) {
    call("POST", &format!("{base}{path}"), Some(TOKEN), Some(body.to_string())).await
}

async fn status_of(base: &str, id: &str) -> Value {
    let (status, e) = call("GET", &format!("{base}/enrich/{id}"), None, None).await;
    assert_eq!(status, 200, "{e}");
    e
}

fn answer<'a>(e: &'a Value, provider: &str) -> &'a str {
    e["providers"][provider]["outcome"].as_str().unwrap_or_else(|| panic!("no {provider} answer: {e}"))
}

#[test]
fn an_app_asks_for_items_reads_how_each_went_and_unfinished_ones_are_tried_again_up_to_a_bound() {
    let mut limits = liner_sim::default_limits();
    limits.insert("beatport".into(), (100, Duration::from_secs(1)));
    let sim = Sim::start(SimConfig {
        seed: 41,
        artists: 30,
        musicbrainz_per_second: 100,
        secrets: [("beatport".into(), "sim-beatport".into())].into(),
        limits,
        ..SimConfig::default()
    })
    .unwrap();
    // MusicBrainz and Deezer answer ISRCs and titles; Beatport ISRCs only.
    let project = Project::new(
        &sim,
        100,
        &format!(
            "\n[providers.beatport]\nenabled = true\nbase_url = \"{}\"\nrate = {{ requests = 80, per_seconds = 1.0 }}\n\
             auth = {{ kind = \"bearer\", token = \"sim-beatport\" }}\n",
            sim.base_url("beatport")
        ),
    );
    // Two tries in all, the second due at once.
    let policy = [("LINER_ENRICH__MAX_TRIES", "2"), ("LINER_ENRICH__RETRY_AFTER_MINUTES", "0")];
    let server = Server::start_with(&project, &policy);
    let base = server.base.clone();
    let (artist, title, isrc, _) = listed_everywhere(&sim, 0);
    let (artist2, title2, _, _) = listed_everywhere(&sim, 5);
    let (artist3, _, _, deezer_id) = listed_everywhere(&sim, 9);

    let (first, third) = rt().block_on(async {
        // Bad requests name their field; changing things needs the token.
        let item = json!({ "artist": artist, "title": title, "isrc": isrc });
        let (status, _) = call("POST", &format!("{base}/enrich"), None, Some(item.to_string())).await;
        assert_eq!(status, 401);
        for (body, field) in [
            (json!({ "artist": " ", "title": "x" }), "artist"),
            (json!({ "artist": "a", "title": "b", "isrc": "nope" }), "isrc"),
            (json!({ "artist": "a", "title": "b", "provider": "napster", "id": "1" }), "provider"),
            (json!({ "artist": "a", "title": "b", "mood": "sad" }), "mood"),
        ] {
            let (status, err) = post(&base, "/enrich", body).await;
            assert_eq!((status, err["field"].as_str()), (400, Some(field)), "{err}");
        }
        let bad_batch =
            json!({ "items": [{ "artist": "a", "title": "b" }, { "artist": "a", "title": "b", "upc": "123" }] });
        let (status, err) = post(&base, "/enrich/batch", bad_batch).await;
        assert_eq!((status, err["field"].as_str()), (400, Some("items[1].upc")), "{err}");
        let (status, err) = post(&base, "/enrich/batch", json!({ "items": [] })).await;
        assert_eq!((status, err["field"].as_str()), (400, Some("items")), "{err}");
        let (status, err) = call("GET", &format!("{base}/enrich/enr-nope"), None, None).await;
        assert_eq!((status, err["field"].as_str()), (404, Some("id")), "{err}");

        // One item by its ISRC while Deezer fails every ISRC request: MusicBrainz finds
        // it, Deezer's failure makes it partial, and the error names Deezer.
        sim.inject("deezer", "isrc:", Fault::ServiceUnavailable, 1000);
        let (status, queued) = post(&base, "/enrich", item).await;
        assert_eq!(status, 202, "{queued}");
        let first = queued["items"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(queued["items"][0]["status"], "pending", "{queued}");
        let run = wait_for_run(&base, queued["run_id"].as_str().unwrap()).await;
        assert_eq!(run["status"], "ok", "{run}");
        let e = status_of(&base, &first).await;
        assert_eq!((e["status"].as_str(), e["tries"].as_u64()), (Some("partial"), Some(1)), "{e}");
        assert_eq!(answer(&e, "musicbrainz"), "found", "{e}");
        assert_eq!(e["providers"]["musicbrainz"]["by"], format!("ISRC {isrc}"), "{e}");
        assert_eq!(answer(&e, "deezer"), "failed", "{e}");
        assert!(e["last_error"].as_str().unwrap().starts_with("deezer: "), "{e}");
        assert!(e["next_try_at"].is_string(), "a partial item is tried again: {e}");

        // A batch: one item whose ISRC nobody knows, found by its artist and title on
        // the providers that search text (Beatport does not: it found nothing); one
        // by its Deezer id under a title nobody has (Deezer finds it by the id, the
        // others find nothing); one album Deezer keeps failing to search.
        sim.clear_faults();
        sim.inject("deezer", "/search/album", Fault::ServiceUnavailable, 100_000);
        let batch = json!({ "items": [
            { "artist": artist2, "title": title2, "isrc": "ZZXXX2600001" },
            { "artist": artist3, "title": "A Title Nobody Gave", "provider": "deezer", "id": deezer_id.to_string() },
            { "kind": "album", "artist": artist, "title": "An Album Nobody Made" },
        ] });
        let (status, queued) = post(&base, "/enrich/batch", batch).await;
        assert_eq!(status, 202, "{queued}");
        let ids: Vec<String> =
            queued["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect();
        wait_for_run(&base, queued["run_id"].as_str().unwrap()).await;
        let second = status_of(&base, &ids[0]).await;
        assert_eq!(second["status"], "completed", "{second}");
        for provider in ["deezer", "musicbrainz"] {
            assert_eq!(answer(&second, provider), "found", "{second}");
            assert!(second["providers"][provider]["by"].as_str().unwrap().starts_with("track "), "{second}");
        }
        assert_eq!(answer(&second, "beatport"), "not_found", "{second}");
        assert!(second["next_try_at"].is_null(), "{second}");
        let by_id = status_of(&base, &ids[1]).await;
        assert_eq!(by_id["status"], "completed", "{by_id}");
        assert_eq!(by_id["providers"]["deezer"]["by"], format!("deezer track {deezer_id}"), "{by_id}");
        assert_eq!(answer(&by_id, "musicbrainz"), "not_found", "{by_id}");
        assert_eq!(answer(&by_id, "beatport"), "not_asked", "no ISRC, and Beatport searches no text: {by_id}");
        let third = status_of(&base, &ids[2]).await;
        assert_eq!((third["status"].as_str(), answer(&third, "deezer")), (Some("partial"), "failed"), "{third}");
        assert_eq!(answer(&third, "beatport"), "not_asked", "Beatport has no album search: {third}");
        let (_, partial) = call("GET", &format!("{base}/enrich?status=partial"), None, None).await;
        let listed: Vec<&str> = partial.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(listed, [ids[2].as_str(), first.as_str()], "newest first: {partial}");
        (first, ids[2].clone())
    });

    // The enrich schedule's run, as cron starts it: the due items first. The first
    // item's Deezer now answers; the album's still fails, and that was its last try.
    let retry = |expect: &str| {
        let mut cmd = project.command(&["run", "enrich", "--max-items", "2"]);
        let out = cmd.envs(policy).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains(expect), "{stdout}");
    };
    retry("looking up 2 requested item(s)");
    rt().block_on(async {
        let e = status_of(&base, &first).await;
        assert_eq!((e["status"].as_str(), e["tries"].as_u64()), (Some("completed"), Some(2)), "{e}");
        assert_eq!(e["providers"]["deezer"]["by"], format!("ISRC {isrc}"), "{e}");
        let listings: Vec<(&str, bool)> = e["links"]["listings"]
            .as_array()
            .unwrap_or_else(|| panic!("the item's links, as the catalog has them: {e}"))
            .iter()
            .map(|l| (l["provider"].as_str().unwrap(), l["carries"].as_bool().unwrap()))
            .collect();
        for provider in ["deezer", "musicbrainz"] {
            assert!(listings.contains(&(provider, true)), "{provider} carries the ISRC: {listings:?}");
        }
        let t = status_of(&base, &third).await;
        assert_eq!((t["status"].as_str(), t["tries"].as_u64()), (Some("partial"), Some(2)), "{t}");
        assert!(t["next_try_at"].is_null(), "two tries in all, then left alone: {t}");
    });
    retry("looking up 0 requested item(s)");
    rt().block_on(async {
        let t = status_of(&base, &third).await;
        assert_eq!(t["tries"].as_u64(), Some(2), "not tried a third time: {t}");
    });
    assert!(server.stop().success());
}
