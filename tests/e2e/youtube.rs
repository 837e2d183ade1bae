//! YouTube: uploads read through the uploads playlist (1 unit a page), titles read as
//! artist and song, and the day's quota: liner's own count, and YouTube's 403.

use liner_sim::youtube::{YouTubeQuota, video_recording};
use liner_sim::{Sim, SimConfig};

use crate::common::{Project, artists, query_i64};

fn sim(quota: YouTubeQuota) -> Sim {
    Sim::start(SimConfig {
        seed: 61,
        artists: 40,
        secrets: [("youtube".into(), "sim-yt-key".into())].into(),
        youtube_quota: quota,
        ..SimConfig::default()
    })
    .unwrap()
}

/// YouTube and Deezer, so that a spent YouTube day shows the rest of the run going on.
fn project(sim: &Sim, youtube_extra: &str) -> Project {
    let project = Project::only("");
    let toml = format!(
        r#"[paths]
data_dir = "data"

[follow]
resolve = false
sync = false

[providers.musicbrainz]
enabled = false

[providers.deezer]
base_url = "{dz}"
options = {{ charts = false }}

[providers.youtube]
enabled = true
base_url = "{yt}"
rate = {{ requests = 50, per_seconds = 1.0 }}
auth = {{ kind = "query", param = "key", value = "sim-yt-key" }}
{youtube_extra}
"#,
        dz = sim.base_url("deezer"),
        yt = sim.base_url("youtube"),
    );
    std::fs::write(project.path().join("liner.toml"), toml).unwrap();
    project
}

fn letters(s: &str) -> String {
    liner_sim::catalog::strip_diacritics(&s.to_lowercase()).chars().filter(|c| c.is_alphanumeric()).collect()
}

#[test]
fn uploads_land_and_most_titles_read_as_the_right_artist_and_song() {
    let sim = sim(YouTubeQuota::default());
    let project = project(&sim, "");
    let followed = artists(&sim, 5);
    let mut args = vec!["follow"];
    args.extend(followed.iter().map(String::as_str));
    project.ok(&args);
    let out = project.ok(&["extract"]);
    assert!(!out.contains("failed:"), "{out}");
    project.ok(&["transform"]);

    let conn = duckdb::Connection::open(project.warehouse()).unwrap();
    let mut stmt =
        conn.prepare("select video_id, title, candidate_artist, candidate_title from staging.youtube_videos").unwrap();
    let rows: Vec<(String, String, Option<String>, Option<String>)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect();
    assert!(rows.len() > 30, "too few videos to judge: {}", rows.len());
    let c = sim.catalog();
    let view = sim.view("youtube");
    let (mut songs, mut right, mut not_songs_refused, mut not_songs) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    for (id, title, artist, song) in &rows {
        match video_recording(view, id) {
            Some(rec) => {
                songs += 1;
                let r = &c.recordings[rec];
                let ok = artist.as_deref().map(letters) == Some(letters(&c.credit_name(&r.credits)))
                    && song.as_deref().map(letters) == Some(letters(&r.title));
                if ok {
                    right += 1;
                } else {
                    wrong.push(format!("{title:?} -> {artist:?} / {song:?}"));
                }
            }
            None => {
                not_songs += 1;
                not_songs_refused += song.is_none() as usize;
            }
        }
    }
    let share = right as f64 / songs as f64;
    println!(
        "titles read right: {right}/{songs} ({:.1}%); not songs refused: {not_songs_refused}/{not_songs}",
        100.0 * share
    );
    assert!(share >= 0.95, "{:.1}% read right; wrong:\n{}", 100.0 * share, wrong.join("\n"));
    assert_eq!(not_songs_refused, not_songs, "uploads that are no song have no song");
    let db = project.warehouse();
    assert!(query_i64(&db, "select count(*) from staging.youtube_channels where uploads_playlist_id like 'UU%'") > 0);
}

#[test]
fn a_day_spent_by_liners_own_count_stops_youtube_and_the_run_goes_on() {
    // 1 search call and 3 units a day.
    let sim = sim(YouTubeQuota::default());
    let project = project(&sim, "daily_quota = { units = 3, search_calls = 1 }\n");
    let followed = artists(&sim, 3);
    let mut args = vec!["follow"];
    args.extend(followed.iter().map(String::as_str));
    project.ok(&args);
    let out = project.ok(&["extract"]);
    assert!(out.contains("daily quota") && out.contains("spent"), "{out}");
    assert!(sim.stats("youtube").requests <= 4, "nothing past the day's budget was sent");
    assert!(sim.stats("deezer").requests > 10, "Deezer went on");
    // A second run the same day sends YouTube nothing.
    let before = sim.stats("youtube").requests;
    project.ok(&["extract"]);
    assert_eq!(sim.stats("youtube").requests, before);
}

#[test]
fn a_day_spent_by_youtubes_count_stops_youtube_at_the_first_403() {
    // The project shares its quota with other clients: YouTube counts more than liner.
    let sim = sim(YouTubeQuota { units: 1, search_calls: 100 });
    let project = project(&sim, "");
    project.ok(&["follow", &artists(&sim, 1)[0]]);
    let out = project.ok(&["extract"]);
    assert!(out.contains("quotaExceeded"), "{out}");
    assert_eq!(sim.stats("youtube").over_limit, 1, "one 403, then YouTube was asked nothing more");
}
