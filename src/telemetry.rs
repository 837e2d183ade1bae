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
    let Some(db) = crate::stored::queries::open_if_built(warehouse)? else { return Ok(()) };
    for c in crate::stored::queries::links_by_method(&db)? {
        metrics::gauge!("liner_links", "entity" => c.entity, "method" => c.method, "score_band" => c.band)
            .set(c.links as f64);
    }
    for (entity, n) in crate::stored::queries::review_waiting(&db)? {
        metrics::gauge!("liner_review_queue", "entity" => entity).set(n as f64);
    }
    Ok(())
}
