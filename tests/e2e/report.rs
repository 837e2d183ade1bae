//! `liner report`: a static page with its charts beside it, rendered by headless
//! Chromium from the disk.

use std::path::Path;

use crate::common::{Project, artists, sim};

#[test]
fn the_report_opens_from_the_disk_with_every_chart_drawn() {
    let sim = sim(9, 20, 20);
    let project = Project::new(&sim, 20, "");
    let followed = artists(&sim, 4);
    let mut args = vec!["follow"];
    args.extend(followed.iter().map(String::as_str));
    project.ok(&args);
    project.ok(&["extract"]);
    project.ok(&["transform"]);
    let out_dir = project.path().join("report");
    let svg = |name: &str| std::fs::read_to_string(out_dir.join(name)).unwrap();

    // One build: a bar per measure, each with its share written at its end.
    project.ok(&["report", "--out", out_dir.to_str().unwrap()]);
    let bars = svg("coverage.svg");
    assert!(bars.contains("release gtin") && bars.contains("track isrc"), "every measure is named");
    assert!(!bars.contains("<circle"), "no points where there is nothing to compare");
    assert!(bars.matches('%').count() >= 20, "each bar says its share");

    // A second build, full: one with nothing new would build nothing, and add no point.
    project.ok(&["transform", "--full"]);
    let out = project.ok(&["report", "--out", out_dir.to_str().unwrap()]);
    assert!(out.contains("index.html") && out.contains("4 charts"), "{out}");

    let html = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(!html.contains("<script src") && !html.contains("<link"), "the page loads nothing from elsewhere");
    let scores = svg("fuzzy_scores.svg");
    assert!(scores.contains("0.70 review") && scores.contains("0.90 auto-link"), "the thresholds are drawn");
    assert!(svg("links_by_method.svg").contains("track isrc"));
    let requests = svg("requests.svg");
    assert!(requests.contains("deezer") && requests.contains("musicbrainz"), "every provider is drawn");
    let coverage = svg("coverage.svg");
    assert!(coverage.contains("release gtin") && coverage.contains("<circle"), "two builds: a line with its points");
    assert!(html.contains("<h2>Track features</h2>"), "the features section");

    // Headless Chromium opens the file itself; the page counts the charts it drew.
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("Chromium is needed to render the report: `apt-get install chromium` (.ci/run does)");
    let profile = tempfile::tempdir().unwrap();
    let dom = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", out_dir.join("index.html").display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("data-charts-shown=\"4\""), "Chromium drew fewer than 4 charts:\n{dom}");
    assert!(dom.contains("Upcoming releases"), "{dom}");
}
