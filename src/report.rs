//! `liner report`: one static HTML page, with its charts as SVG images beside it, that
//! opens from the disk with no server: coverage build after build, links by method, the
//! fuzzy scores against the review and auto-link thresholds, requests and errors per
//! provider over time, and the followed artists' upcoming releases.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use plotters::prelude::*;

use crate::config::Loaded;
use crate::state::State;
use crate::warehouse;

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
    let db = warehouse::open_if_built(&warehouse)?;
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
    for c in db.as_ref().map(warehouse::links_by_method).transpose()?.unwrap_or_default() {
        let bar = format!("{} {}", c.entity, c.method);
        match links.last_mut() {
            Some((last, n)) if *last == bar => *n += c.links,
            _ => links.push((bar, c.links)),
        }
    }
    let links_svg = chart("links_by_method.svg", &|p| bar_chart(p, "Links by entity and method", "links", &links))?;

    let scores = db.as_ref().map(warehouse::fuzzy_scores).transpose()?.unwrap_or_default();
    let scores_svg = chart("fuzzy_scores.svg", &|p| score_histogram(p, &scores))?;

    let traffic = requests_by_hour(cfg, &state)?;
    let traffic_svg = chart("requests.svg", &|p| traffic_chart(p, &traffic))?;

    let upcoming = match &db {
        Some(db) => warehouse::upcoming_releases(db, None, 200)?,
        None => Vec::new(),
    };

    let mut html = String::new();
    let built = coverage.last().map_or("never".to_string(), |c| c.built_on.clone());
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>liner report</title>\n\
         <style>body{{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}}img{{max-width:100%;border:1px solid #ddd}}\
         table{{border-collapse:collapse}}td,th{{padding:2px 8px;border-bottom:1px solid #eee;text-align:left}}</style></head>\n\
         <body>\n<h1>liner report</h1>\n<p>Generated {}; warehouse last built {}. Open from the disk: no server needed.</p>\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        escape(&built)
    );
    for (title, svg, about) in [
        ("Coverage over builds", &coverage_svg, "Share of the catalog each measure covers, build after build."),
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

/// A white SVG canvas at `path`.
fn canvas(path: &Path) -> anyhow::Result<DrawingArea<SVGBackend<'_>, plotters::coord::Shift>> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    Ok(root)
}

/// The series' names in a box at `position`.
fn legend<'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, CT>,
    position: SeriesLabelPosition,
) -> anyhow::Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(plot_err)
}

/// Every chart's frame: its caption, margins, and room for the axes' labels.
fn frame<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    caption: impl AsRef<str>,
) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut builder = ChartBuilder::on(root);
    builder.caption(caption, ("sans-serif", 20)).margin(12).x_label_area_size(40).y_label_area_size(64);
    builder
}

fn coverage_chart(path: &Path, rows: &[liner_transform::CoverageRow]) -> anyhow::Result<()> {
    let root = canvas(path)?;
    let mut builds: Vec<&str> = rows.iter().map(|r| r.run_id.as_str()).collect();
    builds.dedup();
    let n = builds.len().max(2) as f64;
    let mut chart =
        frame(&root, "Coverage over builds").build_cartesian_2d(0f64..n - 1.0, 0f64..100f64).map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc("build")
        .y_desc("% of items")
        .x_labels(builds.len().clamp(2, 12))
        .x_label_formatter(&|x| {
            if (x - x.round()).abs() < 1e-6 { format!("{}", x.round() as i64 + 1) } else { String::new() }
        })
        .draw()
        .map_err(plot_err)?;
    let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for r in rows {
        let x = builds.iter().position(|b| *b == r.run_id).unwrap_or(0) as f64;
        let name = format!("{} {}", r.entity, r.measure);
        match series.iter_mut().find(|(n, _)| *n == name) {
            Some((_, points)) => points.push((x, r.share * 100.0)),
            None => series.push((name, vec![(x, r.share * 100.0)])),
        }
    }
    for (i, (name, points)) in series.into_iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
            .map_err(plot_err)?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
        chart.draw_series(points.into_iter().map(|p| Circle::new(p, 3, color.filled()))).map_err(plot_err)?;
    }
    if !rows.is_empty() {
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    root.present().map_err(plot_err)
}

fn bar_chart(path: &Path, caption: &str, unit: &str, bars: &[(String, i64)]) -> anyhow::Result<()> {
    let root = canvas(path)?;
    let top = bars.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64 * 1.1;
    let n = bars.len().max(1);
    let labels: Vec<String> = bars.iter().map(|(l, _)| l.clone()).collect();
    let mut chart = frame(&root, caption).build_cartesian_2d((0..n).into_segmented(), 0f64..top).map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
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
            Rectangle::new(
                [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), *v as f64)],
                BLUE.mix(0.6).filled(),
            )
        }))
        .map_err(plot_err)?;
    root.present().map_err(plot_err)
}

fn score_histogram(path: &Path, scores: &[f64]) -> anyhow::Result<()> {
    let root = canvas(path)?;
    const LOW: f64 = 0.5;
    const WIDTH: f64 = 0.02;
    let bins = ((1.0 - LOW) / WIDTH).round() as usize;
    let mut counts = vec![0u64; bins];
    for s in scores.iter().filter(|s| **s >= LOW) {
        counts[(((s - LOW) / WIDTH) as usize).min(bins - 1)] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.1;
    let mut chart = frame(&root, format!("Fuzzy scores ({} pairs)", scores.len()))
        // Log scale: the pairs liner is sure of dwarf the ones a person reviews.
        .build_cartesian_2d(LOW..1.0, (0.8f64..top).log_scale())
        .map_err(plot_err)?;
    chart.configure_mesh().x_desc("score").y_desc("pairs (log scale)").draw().map_err(plot_err)?;
    chart
        .draw_series(counts.iter().enumerate().map(|(i, n)| {
            let x0 = LOW + i as f64 * WIDTH;
            let color = if x0 >= AUTO {
                GREEN.mix(0.7)
            } else if x0 >= REVIEW {
                RGBColor(230, 160, 0).mix(0.7)
            } else {
                BLACK.mix(0.3)
            };
            Rectangle::new([(x0, 0.8), (x0 + WIDTH, (*n as f64).max(0.8))], color.filled())
        }))
        .map_err(plot_err)?;
    for (x, label, color) in
        [(REVIEW, "0.70 review", RGBColor(200, 120, 0)), (AUTO, "0.90 auto-link", RGBColor(0, 130, 0))]
    {
        chart
            .draw_series(DashedLineSeries::new(vec![(x, 0.8), (x, top)], 6, 4, color.stroke_width(2)))
            .map_err(plot_err)?
            .label(label)
            .legend(move |(lx, ly)| PathElement::new(vec![(lx, ly), (lx + 18, ly)], color.stroke_width(2)));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
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
    let root = canvas(path)?;
    let mut hours: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    hours.sort();
    hours.dedup();
    let n = hours.len().max(2) as f64;
    let top = rows.iter().map(|r| r.2.max(r.3)).max().unwrap_or(1).max(1) as f64 * 1.1;
    let mut chart = frame(&root, "Requests and errors per provider")
        .build_cartesian_2d(-0.5f64..n - 0.5, 0f64..top)
        .map_err(plot_err)?;
    let labels: Vec<String> = hours.iter().map(|h| h.to_string()).collect();
    chart
        .configure_mesh()
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
    let mut providers: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    providers.sort();
    providers.dedup();
    for (i, provider) in providers.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let at = |r: &(String, String, i64, i64)| hours.iter().position(|h| *h == r.1).unwrap_or(0) as f64;
        let mine: Vec<&(String, String, i64, i64)> = rows.iter().filter(|r| r.0 == *provider).collect();
        chart
            .draw_series(LineSeries::new(mine.iter().map(|r| (at(r), r.2 as f64)), color.stroke_width(2)))
            .map_err(plot_err)?
            .label(format!("{provider} responses"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
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
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    root.present().map_err(plot_err)
}
