//! `liner report`: one static HTML page, with its charts as SVG images beside it, that
//! opens from the disk with no server: coverage (bars for one build, lines over
//! several), links by method, the fuzzy scores against the review and auto-link
//! thresholds, requests and errors per provider, the followed artists' upcoming
//! releases with their Listen links, and where the tracks' features came from. A chart
//! with one point per series is drawn as bars: a column of dots says nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::config::Loaded;
use crate::stored::queries;
use crate::stored::state::State;

/// What went into the report, for the caller to print.
pub struct Report {
    pub index: PathBuf,
    pub charts: Vec<PathBuf>,
}

/// Where fuzzy linking draws its lines: below REVIEW nothing, from it a person decides,
/// from AUTO liner links on its own.
const REVIEW: f64 = 0.70;
const AUTO: f64 = 0.90;

pub fn write(cfg: &Loaded, out: &Path) -> anyhow::Result<Report> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let state = State::open(&cfg.state_db())?;
    let warehouse = cfg.warehouse();
    let db = queries::open_if_built(&warehouse)?;
    let mut charts = Vec::new();
    let mut chart = |name: &str, draw: &dyn Fn(&Path) -> anyhow::Result<()>| -> anyhow::Result<String> {
        let path = out.join(name);
        draw(&path).with_context(|| format!("drawing {}", path.display()))?;
        charts.push(path);
        Ok(name.to_string())
    };

    let coverage = state.coverage_history()?;
    let coverage_svg = chart("coverage.svg", &|p| coverage_chart(p, &coverage))?;

    let mut links: Vec<(String, i64)> = Vec::new();
    for c in db.as_ref().map(queries::links_by_method).transpose()?.unwrap_or_default() {
        let bar = format!("{} {}", c.entity, c.method);
        match links.last_mut() {
            Some((last, n)) if *last == bar => *n += c.links,
            _ => links.push((bar, c.links)),
        }
    }
    let links_svg = chart("links_by_method.svg", &|p| bar_chart(p, "Links by entity and method", "links", &links))?;

    let scores = db.as_ref().map(queries::fuzzy_scores).transpose()?.unwrap_or_default();
    let scores_svg = chart("fuzzy_scores.svg", &|p| score_histogram(p, &scores))?;

    let traffic = requests_by_hour(cfg, &state)?;
    let traffic_svg = chart("requests.svg", &|p| traffic_chart(p, &traffic))?;

    let upcoming = match &db {
        Some(db) => queries::upcoming_releases(db, None, 200, 0)?,
        None => Vec::new(),
    };

    let mut html = String::new();
    let built = coverage.last().map_or("never".to_string(), |c| c.built_on.clone());
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>liner report</title>\n\
         <style>body{{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222;line-height:1.4}}\
         img{{max-width:100%;border:1px solid #eee}}h2{{margin-top:2em}}\
         table{{border-collapse:collapse}}td,th{{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}}</style></head>\n\
         <body>\n<h1>liner report</h1>\n<p>Generated {}; warehouse last built {}. Open from the disk: no server needed.</p>\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        escape(&built)
    );
    for (title, svg, about) in [
        (
            "Coverage",
            &coverage_svg,
            "Share of the catalog each measure covers: a bar per measure for one build, a line per measure once there are builds to compare. conflict_* measures are the share whose providers disagree on that field.",
        ),
        ("Links by method", &links_svg, "Exact links (barcode, ISRC, MusicBrainz id, provider pages) and fuzzy ones."),
        ("Fuzzy scores", &scores_svg, "Every scored pair: from 0.70 a person reviews it, from 0.90 liner links it."),
        ("Requests and errors per provider", &traffic_svg, "Responses landed per hour, and requests that failed."),
    ] {
        let _ = write!(html, "<h2>{title}</h2>\n<p>{about}</p>\n<img class=\"chart\" src=\"{svg}\" alt=\"{title}\">\n");
    }
    html.push_str("<h2>Upcoming releases</h2>\n");
    if upcoming.is_empty() {
        html.push_str("<p>None of the followed artists has a release announced.</p>\n");
    } else {
        html.push_str("<table><tr><th>date</th><th>artist</th><th>title</th><th></th><th>listen</th></tr>\n");
        for r in &upcoming {
            let link = r
                .listen
                .iter()
                .map(|l| format!("<a href=\"{}\">{}</a>", escape(&l.url), escape(&l.provider)))
                .collect::<Vec<_>>()
                .join(" · ");
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{link}</td></tr>",
                escape(r.release_date.as_deref().unwrap_or_default()),
                escape(&r.followed_artist),
                escape(&r.title),
                if r.prerelease { "pre-release" } else { "" }
            );
        }
        html.push_str("</table>\n");
    }
    html.push_str("<h2>Track features</h2>\n");
    match db.as_ref().map(queries::feature_sources).transpose()? {
        Some((sources, tracks)) if !sources.is_empty() => {
            let _ = writeln!(
                html,
                "<p>Tempo and key of the {tracks} tracks (marts.track_features), from Spotify's audio features \
                 where the app may read them, else Beatport, else Deezer's BPM.</p>\n\
                 <table><tr><th>source</th><th>tracks with a tempo</th><th>tracks with a key</th></tr>"
            );
            for f in &sources {
                let share = |n: i64| {
                    if tracks > 0 { format!("{n} ({:.0}%)", n as f64 * 100.0 / tracks as f64) } else { n.to_string() }
                };
                let _ = writeln!(
                    html,
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&f.source),
                    share(f.tempo),
                    share(f.key)
                );
            }
            html.push_str("</table>\n");
        }
        _ => html.push_str("<p>No provider has given a tempo or key yet.</p>\n"),
    }
    // Marks how many charts the browser drew, for whoever checks the page headless.
    html.push_str(
        "<script>addEventListener('load',()=>{document.body.dataset.chartsShown=\
         [...document.querySelectorAll('img.chart')].filter(i=>i.complete&&i.naturalWidth>0).length})</script>\n\
         </body></html>\n",
    );
    let index = out.join("index.html");
    std::fs::write(&index, html).with_context(|| format!("writing {}", index.display()))?;
    Ok(Report { index, charts })
}

fn query<T>(
    db: &duckdb::Connection,
    sql: &str,
    row: impl FnMut(&duckdb::Row<'_>) -> duckdb::Result<T>,
) -> anyhow::Result<Vec<T>> {
    let mut stmt = db.prepare(sql).with_context(|| format!("reading the warehouse: {sql}"))?;
    let rows = stmt.query_map([], row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn plot_err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

const SIZE: (u32, u32) = (900, 420);
/// Room right of a chart for its legend, so that the legend never covers the data.
const LEGEND_WIDTH: u32 = 210;
const LEGEND_LINE: i32 = 17;
/// Grid lines light enough that the eye lands on the data.
const GRID: RGBColor = RGBColor(238, 238, 238);
const GRID_BOLD: RGBColor = RGBColor(220, 220, 220);

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// A white SVG canvas at `path`, tall enough for `legend_lines` beside the chart.
fn canvas(path: &Path, legend_lines: usize) -> anyhow::Result<Area<'_>> {
    let height = SIZE.1.max(60 + LEGEND_LINE as u32 * legend_lines as u32);
    let root = SVGBackend::new(path, (SIZE.0, height)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    Ok(root)
}

/// The chart's area and, right of it, its legend's.
fn beside_legend<'a>(root: &Area<'a>) -> (Area<'a>, Area<'a>) {
    root.split_horizontally(SIZE.0 - LEGEND_WIDTH)
}

/// Each series' name by its colour, in a column beside the chart.
fn legend(area: &Area<'_>, entries: &[(String, RGBAColor)]) -> anyhow::Result<()> {
    for (i, (name, color)) in entries.iter().enumerate() {
        let y = 48 + i as i32 * LEGEND_LINE;
        area.draw(&PathElement::new(vec![(4, y), (22, y)], color.stroke_width(3))).map_err(plot_err)?;
        area.draw(&Text::new(name.clone(), (28, y - 7), ("sans-serif", 13))).map_err(plot_err)?;
    }
    Ok(())
}

/// Every chart's frame: its caption, margins, and room for the axes' labels.
fn frame<'a, 'b>(root: &'a Area<'b>, caption: impl AsRef<str>) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut builder = ChartBuilder::on(root);
    builder.caption(caption, ("sans-serif", 20)).margin(12).x_label_area_size(40).y_label_area_size(64);
    builder
}

/// Coverage: with one build a bar per measure, with more a line per measure over them.
fn coverage_chart(path: &Path, rows: &[liner_transform::CoverageRow]) -> anyhow::Result<()> {
    let mut builds: Vec<&str> = rows.iter().map(|r| r.run_id.as_str()).collect();
    builds.dedup();
    if builds.len() < 2 {
        return coverage_bars(path, rows);
    }
    let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for r in rows {
        let x = builds.iter().position(|b| *b == r.run_id).unwrap_or(0) as f64;
        let name = format!("{} {}", r.entity, r.measure);
        match series.iter_mut().find(|(n, _)| *n == name) {
            Some((_, points)) => points.push((x, r.share * 100.0)),
            None => series.push((name, vec![(x, r.share * 100.0)])),
        }
    }
    let root = canvas(path, series.len())?;
    let (plot, side) = beside_legend(&root);
    let n = builds.len() as f64;
    let mut chart =
        frame(&plot, "Coverage over builds").build_cartesian_2d(0f64..n - 1.0, 0f64..100f64).map_err(plot_err)?;
    chart
        .configure_mesh()
        .light_line_style(GRID)
        .bold_line_style(GRID_BOLD)
        .max_light_lines(2)
        .x_desc("build")
        .y_desc("% of items")
        .x_labels(builds.len().clamp(2, 12))
        .x_label_formatter(&|x| {
            if (x - x.round()).abs() < 1e-6 { format!("{}", x.round() as i64 + 1) } else { String::new() }
        })
        .draw()
        .map_err(plot_err)?;
    let mut names = Vec::new();
    for (i, (name, points)) in series.into_iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart.draw_series(LineSeries::new(points.clone(), color.stroke_width(2))).map_err(plot_err)?;
        chart.draw_series(points.into_iter().map(|p| Circle::new(p, 3, color.filled()))).map_err(plot_err)?;
        names.push((name, color));
    }
    legend(&side, &names)?;
    root.present().map_err(plot_err)
}

/// One build's coverage: a bar per measure, its share written at its end; releases'
/// measures in one colour, tracks' in another.
fn coverage_bars(path: &Path, rows: &[liner_transform::CoverageRow]) -> anyhow::Result<()> {
    const BAR: u32 = 20;
    let n = rows.len().max(1);
    let root = SVGBackend::new(path, (SIZE.0, SIZE.1.max(80 + BAR * n as u32))).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let caption = match rows.first() {
        Some(r) => format!("Coverage at build {} ({}): blue releases, orange tracks", r.run_id, r.built_on),
        None => "Coverage: nothing built yet".to_string(),
    };
    let labels: Vec<String> = rows.iter().rev().map(|r| format!("{} {}", r.entity, r.measure)).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(190)
        .build_cartesian_2d(0f64..105f64, (0..n - 1).into_segmented())
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(GRID)
        .bold_line_style(GRID_BOLD)
        .max_light_lines(2)
        .x_desc("% of items")
        .y_labels(n)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .draw()
        .map_err(plot_err)?;
    let (release, track) = (RGBColor(70, 120, 200), RGBColor(230, 140, 40));
    // The first measure at the top: the segments count from the bottom.
    let bars = rows.iter().enumerate().map(|(i, r)| (n - 1 - i, r));
    chart
        .draw_series(bars.clone().map(|(i, r)| {
            let color = if r.entity == "release" { release } else { track };
            let mut bar = Rectangle::new(
                [(0.0, SegmentValue::Exact(i)), (r.share * 100.0, SegmentValue::Exact(i + 1))],
                color.filled(),
            );
            bar.set_margin(3, 3, 0, 0);
            bar
        }))
        .map_err(plot_err)?;
    let style = TextStyle::from(("sans-serif", 12)).pos(Pos::new(HPos::Left, VPos::Center));
    chart
        .draw_series(bars.map(|(i, r)| {
            Text::new(
                format!("{:.0}%", r.share * 100.0),
                (r.share * 100.0 + 0.8, SegmentValue::CenterOf(i)),
                style.clone(),
            )
        }))
        .map_err(plot_err)?;
    root.present().map_err(plot_err)
}

fn bar_chart(path: &Path, caption: &str, unit: &str, bars: &[(String, i64)]) -> anyhow::Result<()> {
    let root = canvas(path, 0)?;
    let top = bars.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64 * 1.1;
    let n = bars.len().max(1);
    let labels: Vec<String> = bars.iter().map(|(l, _)| l.clone()).collect();
    // A segmented 0..k has k + 1 segments: one a bar.
    let mut chart =
        frame(&root, caption).build_cartesian_2d((0..n - 1).into_segmented(), 0f64..top).map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(GRID)
        .bold_line_style(GRID_BOLD)
        .max_light_lines(2)
        .y_desc(unit)
        .x_labels(n)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .draw()
        .map_err(plot_err)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
            let mut bar = Rectangle::new(
                [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), *v as f64)],
                RGBColor(70, 120, 200).filled(),
            );
            bar.set_margin(0, 0, 6, 6);
            bar
        }))
        .map_err(plot_err)?;
    root.present().map_err(plot_err)
}

fn score_histogram(path: &Path, scores: &[f64]) -> anyhow::Result<()> {
    let root = canvas(path, 5)?;
    let (plot, side) = beside_legend(&root);
    const LOW: f64 = 0.5;
    const WIDTH: f64 = 0.02;
    let bins = ((1.0 - LOW) / WIDTH).round() as usize;
    let mut counts = vec![0u64; bins];
    for s in scores.iter().filter(|s| **s >= LOW) {
        counts[(((s - LOW) / WIDTH) as usize).min(bins - 1)] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.1;
    let mut chart = frame(&plot, format!("Fuzzy scores ({} pairs)", scores.len()))
        // Log scale: the pairs liner is sure of dwarf the ones a person reviews.
        .build_cartesian_2d(LOW..1.0, (0.8f64..top).log_scale())
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .light_line_style(GRID)
        .bold_line_style(GRID_BOLD)
        .max_light_lines(2)
        .x_desc("score")
        .y_desc("pairs (log scale)")
        .draw()
        .map_err(plot_err)?;
    let (linked, reviewed, below) = (GREEN.mix(0.7), RGBColor(230, 160, 0).mix(0.7), BLACK.mix(0.3));
    chart
        .draw_series(counts.iter().enumerate().map(|(i, n)| {
            let x0 = LOW + i as f64 * WIDTH;
            let color = if x0 >= AUTO {
                linked
            } else if x0 >= REVIEW {
                reviewed
            } else {
                below
            };
            Rectangle::new([(x0, 0.8), (x0 + WIDTH, (*n as f64).max(0.8))], color.filled())
        }))
        .map_err(plot_err)?;
    let mut names = Vec::new();
    for (x, label, color) in
        [(REVIEW, "0.70 review", RGBColor(200, 120, 0)), (AUTO, "0.90 auto-link", RGBColor(0, 130, 0))]
    {
        chart
            .draw_series(DashedLineSeries::new(vec![(x, 0.8), (x, top)], 6, 4, color.stroke_width(2)))
            .map_err(plot_err)?;
        names.push((label.to_string(), color.to_rgba()));
    }
    names.extend([
        ("linked on its own".to_string(), linked),
        ("for a person".to_string(), reviewed),
        ("kept apart".to_string(), below),
    ]);
    legend(&side, &names)?;
    root.present().map_err(plot_err)
}

/// (provider, hour, responses landed, failed requests), hour as `YYYY-MM-DD HH:00`.
type Traffic = Vec<(String, String, i64, i64)>;

/// Responses landed (from the lake) and requests that failed (from state) per
/// provider and hour.
fn requests_by_hour(cfg: &Loaded, state: &State) -> anyhow::Result<Traffic> {
    let mut out: Traffic = Vec::new();
    let lake = cfg.lake_root();
    let has_files = std::fs::read_dir(&lake).map(|mut d| d.next().is_some()).unwrap_or(false);
    if has_files {
        let db = duckdb::Connection::open_in_memory()?;
        let glob = liner_extract::lake::sql_string(&lake.join("*/*/*/*.parquet").to_string_lossy());
        out = query(
            &db,
            &format!(
                "SELECT provider, strftime(date_trunc('hour', fetched_at), '%Y-%m-%d %H:00'), count(*), count(*) FILTER (WHERE status >= 400)
                 FROM read_parquet({glob}, union_by_name = true) GROUP BY ALL ORDER BY 2, 1"
            ),
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
    }
    for (provider, hour, failed) in state.failures_by_hour()? {
        match out.iter_mut().find(|(p, h, _, _)| *p == provider && *h == hour) {
            Some(row) => row.3 += failed,
            None => out.push((provider, hour, 0, failed)),
        }
    }
    out.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    Ok(out)
}

fn traffic_chart(path: &Path, rows: &Traffic) -> anyhow::Result<()> {
    let mut providers: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    providers.sort();
    providers.dedup();
    let mut hours: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    hours.sort();
    hours.dedup();
    if hours.len() == 1 {
        // One hour is no line: a bar per provider, its failures in its name.
        let bars: Vec<(String, i64)> = rows
            .iter()
            .map(|r| (if r.3 > 0 { format!("{} ({} failed)", r.0, r.3) } else { r.0.clone() }, r.2))
            .collect();
        let caption = format!("Responses landed per provider, {} UTC", hours[0]);
        return bar_chart(path, &caption, "responses", &bars);
    }
    let root = canvas(path, providers.len() + 1)?;
    let (plot, side) = beside_legend(&root);
    let n = hours.len().max(2) as f64;
    let top = rows.iter().map(|r| r.2.max(r.3)).max().unwrap_or(1).max(1) as f64 * 1.1;
    let mut chart = frame(&plot, "Requests and errors per provider")
        .build_cartesian_2d(-0.5f64..n - 0.5, 0f64..top)
        .map_err(plot_err)?;
    let labels: Vec<String> = hours.iter().map(|h| h.to_string()).collect();
    chart
        .configure_mesh()
        .light_line_style(GRID)
        .bold_line_style(GRID_BOLD)
        .max_light_lines(2)
        .y_desc("per hour")
        .x_labels(labels.len().clamp(2, 8))
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .draw()
        .map_err(plot_err)?;
    let mut names = Vec::new();
    for (i, provider) in providers.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let at = |r: &(String, String, i64, i64)| hours.iter().position(|h| *h == r.1).unwrap_or(0) as f64;
        let mine: Vec<&(String, String, i64, i64)> = rows.iter().filter(|r| r.0 == *provider).collect();
        chart
            .draw_series(LineSeries::new(mine.iter().map(|r| (at(r), r.2 as f64)), color.stroke_width(2)))
            .map_err(plot_err)?;
        names.push((format!("{provider} responses"), color));
        chart
            .draw_series(mine.iter().map(|r| Circle::new((at(r), r.2 as f64), 3, color.filled())))
            .map_err(plot_err)?;
        chart
            .draw_series(
                mine.iter().filter(|r| r.3 > 0).map(|r| Cross::new((at(r), r.3 as f64), 5, color.stroke_width(2))),
            )
            .map_err(plot_err)?;
    }
    if !rows.is_empty() {
        names.push(("× failed requests".to_string(), BLACK.to_rgba()));
    }
    legend(&side, &names)?;
    root.present().map_err(plot_err)
}
