//! Prometheus metrics of a long-running liner (`liner serve`): what the stages count as
//! they go (requests, latency, cache, rows landed, models built, runs) through the
//! `metrics` facade, and what the warehouse holds (links by method and score band),
//! read when scraped.

use std::path::Path;

use anyhow::Context;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Installs the process's recorder. Durations are histograms with buckets from a
/// quick cache hit to a nightly run.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    let buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 7200.0];
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &buckets)
        .context("metric buckets")?
        .install_recorder()
        .context("installing the metrics recorder")
}

/// Sets the link gauges from the warehouse: links by entity, method and score band,
/// and pairs waiting for a person. No warehouse yet: nothing to say.
pub fn record_links(warehouse: &Path) -> anyhow::Result<()> {
    let Some(db) = crate::warehouse::open_if_built(warehouse)? else { return Ok(()) };
    let mut stmt = db.prepare(
        "SELECT entity, method,
                CASE WHEN score >= 0.999 THEN '1.00' WHEN score >= 0.95 THEN '0.95-1.00'
                     WHEN score >= 0.90 THEN '0.90-0.95' WHEN score >= 0.70 THEN '0.70-0.90' ELSE 'below 0.70' END,
                count(*)
         FROM canonical.links GROUP BY ALL",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
    })?;
    for row in rows {
        let (entity, method, band, n) = row?;
        metrics::gauge!("liner_links", "entity" => entity, "method" => method, "score_band" => band).set(n as f64);
    }
    let mut stmt = db.prepare("SELECT entity, count(*) FROM canonical.review_queue GROUP BY ALL")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (entity, n) = row?;
        metrics::gauge!("liner_review_queue", "entity" => entity).set(n as f64);
    }
    Ok(())
}
