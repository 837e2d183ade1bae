//! The app's read API: the catalog as the app shows it, answered from the warehouse
//! (opened read-only, so runs go on meanwhile). Open to read like the rest of `GET`,
//! with pages of at most [`MAX_PAGE`].

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::api::{ApiError, bad_query, blocking, from_warehouse};
use super::{App, Work};
use crate::runs::schedules::Step;
use crate::stored::queries;
use crate::stored::queries::app_catalog::{self, LinkKey};

/// The most rows one answer holds.
pub const MAX_PAGE: usize = 100;

/// A page asked for: each endpoint reads its own query and checks its page here.
pub struct Page {
    /// How many (default 20, at most 100).
    limit: Option<usize>,
    /// How many to skip.
    offset: Option<usize>,
}

impl Page {
    /// (limit, offset), the limit within 1 to [`MAX_PAGE`].
    fn checked(self) -> Result<(usize, usize), ApiError> {
        Ok((checked_limit(self.limit)?, self.offset.unwrap_or(0)))
    }
}

/// A page's size: 20 unless asked, within 1 to [`MAX_PAGE`].
pub(super) fn checked_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    let limit = limit.unwrap_or(20);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "limit",
            format!("limit is 1 to {MAX_PAGE}, not {limit}"),
        ));
    }
    Ok(limit)
}

fn not_found(field: &str, what: String) -> ApiError {
    ApiError::field(StatusCode::NOT_FOUND, field, format!("{what} is not in the catalog"))
}

/// What `read` found in the warehouse, or a 404 naming `field` when it found nothing.
async fn found<T: Serialize + Send + 'static>(
    app: &App,
    field: &str,
    what: String,
    read: impl FnOnce(&duckdb::Connection) -> anyhow::Result<Option<T>> + Send + 'static,
) -> Result<Json<serde_json::Value>, ApiError> {
    let found = from_warehouse(app, read).await?;
    if found.is_null() {
        return Err(not_found(field, what));
    }
    Ok(Json(found))
}

/// A release with every provider's Listen link.
#[utoipa::path(get, tag = "catalog", path = "/releases/{id}", params(("id" = String, Path, description = "gtin:..., mbid:... or <provider>:<id>")),
    responses((status = 200, body = app_catalog::Release), (status = 404, body = ApiError), (status = 503, body = ApiError)))]
pub(super) async fn release(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    found(&app, "id", format!("release {id}"), move |db| app_catalog::release(db, &id)).await
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ArtistReleases {
    /// Only what is announced and not out yet (marts.upcoming_releases), soonest first.
    upcoming: Option<bool>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// An artist's releases, newest first, or with `?upcoming=true` those still to come.
#[utoipa::path(get, tag = "catalog", path = "/artists/{name}/releases", params(("name" = String, Path), ArtistReleases),
    responses((status = 200, description = "releases (or upcoming releases) with their Listen links", body = [app_catalog::Release]),
              (status = 400, body = ApiError), (status = 503, body = ApiError)))]
pub(super) async fn artist_releases(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    query: Result<Query<ArtistReleases>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(q) = query.map_err(bad_query)?;
    let (limit, offset) = Page { limit: q.limit, offset: q.offset }.checked()?;
    let rows = if q.upcoming.unwrap_or(false) {
        from_warehouse(&app, move |db| queries::upcoming_releases(db, Some(&name), limit, offset)).await?
    } else {
        from_warehouse(&app, move |db| app_catalog::artist_releases(db, &name, limit, offset)).await?
    };
    Ok(Json(rows))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LinksQuery {
    /// A provider (`spotify`, `deezer`, ...), with `id`.
    provider: Option<String>,
    /// The item's id there.
    id: Option<String>,
    /// Or a track's ISRC.
    isrc: Option<String>,
    /// Or a release's barcode (UPC or EAN, any padding).
    upc: Option<String>,
}

/// The same release or track on every provider, from any provider's id, an ISRC or a
/// barcode: what Odesli answers, from liner's own catalog.
#[utoipa::path(get, tag = "catalog", path = "/links", params(LinksQuery),
    responses((status = 200, body = app_catalog::Links), (status = 400, body = ApiError), (status = 404, body = ApiError),
              (status = 503, body = ApiError)))]
pub(super) async fn links(
    State(app): State<Arc<App>>,
    query: Result<Query<LinksQuery>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(q) = query.map_err(bad_query)?;
    let bad = |field: &str, why: String| ApiError::field(StatusCode::BAD_REQUEST, field, why);
    let (ask, field, what) = match (q.provider, q.id, q.isrc, q.upc) {
        (Some(p), Some(id), None, None) => {
            if liner_extract::Provider::parse(&p).is_none() {
                let known: Vec<&str> = liner_extract::Provider::ALL.iter().map(|p| p.name()).collect();
                return Err(bad("provider", format!("no provider {p:?}: one of {}", known.join(", "))));
            }
            let what = format!("{p} {id}");
            (LinkKey::Listing { provider: p, id }, "id", what)
        }
        (None, None, Some(code), None) => {
            let isrc = liner_transform::normalize::isrc(&code)
                .ok_or_else(|| bad("isrc", format!("{code:?} is not an ISRC")))?;
            (LinkKey::Code { kind: "isrc", value: isrc.clone() }, "isrc", format!("ISRC {isrc}"))
        }
        (None, None, None, Some(code)) => {
            let gtin = liner_transform::normalize::gtin14(&code).ok_or_else(|| {
                bad("upc", format!("{code:?} is not a barcode (8 to 14 digits with a valid check digit)"))
            })?;
            (LinkKey::Code { kind: "gtin", value: gtin.clone() }, "upc", format!("UPC {gtin}"))
        }
        (Some(_), None, None, None) => return Err(bad("id", "provider wants an id beside it".into())),
        (None, Some(_), None, None) => return Err(bad("provider", "id wants a provider beside it".into())),
        _ => return Err(bad("query", "ask by provider and id, or by isrc, or by upc: one of them".into())),
    };
    found(&app, field, what, move |db| app_catalog::links_by(db, &ask)).await
}

/// A track with its tempo and key (and which provider gave each) and its Listen links.
#[utoipa::path(get, tag = "catalog", path = "/tracks/{id}", params(("id" = String, Path, description = "isrc:..., mbid:... or <provider>:<id>")),
    responses((status = 200, body = app_catalog::Track), (status = 404, body = ApiError), (status = 503, body = ApiError)))]
pub(super) async fn track(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    found(&app, "id", format!("track {id}"), move |db| app_catalog::track(db, &id)).await
}

/// Every chart liner keeps, with its newest snapshot.
#[utoipa::path(get, tag = "catalog", path = "/charts", responses((status = 200, body = [app_catalog::ChartList]), (status = 503, body = ApiError)))]
pub(super) async fn charts(State(app): State<Arc<App>>) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(from_warehouse(&app, app_catalog::charts).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ChartQuery {
    /// A snapshot's time as `snapshots` lists it; the newest when left out.
    at: Option<String>,
    limit: Option<usize>,
}

/// A chart's latest entries (or an earlier snapshot's), and the times of every snapshot.
#[utoipa::path(get, tag = "catalog", path = "/charts/{list}", params(("list" = String, Path, description = "chart_tracks:0"), ChartQuery),
    responses((status = 200, body = app_catalog::Chart), (status = 400, body = ApiError), (status = 404, body = ApiError),
              (status = 503, body = ApiError)))]
pub(super) async fn chart(
    State(app): State<Arc<App>>,
    Path(list): Path<String>,
    query: Result<Query<ChartQuery>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(q) = query.map_err(bad_query)?;
    let (limit, _) = Page { limit: q.limit, offset: None }.checked()?;
    let (field, what) = match &q.at {
        Some(at) => ("at", format!("a snapshot of {list} at {at}")),
        None => ("list", format!("chart {list}")),
    };
    found(&app, field, what, move |db| app_catalog::chart(db, &list, q.at.as_deref(), limit)).await
}

/// What `GET /trending` answers.
#[derive(Serialize, ToSchema)]
pub struct Trending {
    /// Each chart's newest snapshot (its first entries).
    charts: Vec<app_catalog::Chart>,
    /// The oldest of those snapshots' age; null when there is none yet.
    age_seconds: Option<i64>,
    /// The run that refreshes the charts, when the snapshot is older than
    /// serve.trending_max_age_hours (or missing): already queued or just queued.
    refreshing: Option<String>,
}

/// What is trending now, at once from the newest chart snapshots, with their age; a
/// snapshot older than `serve.trending_max_age_hours` (6 by default) queues a refresh.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TrendingQuery {
    /// Entries of each chart (default 20, at most 100).
    limit: Option<usize>,
}

#[utoipa::path(get, tag = "catalog", path = "/trending", params(TrendingQuery),
    responses((status = 200, body = Trending), (status = 400, body = ApiError)))]
pub(super) async fn trending(
    State(app): State<Arc<App>>,
    query: Result<Query<TrendingQuery>, QueryRejection>,
) -> Result<Json<Trending>, ApiError> {
    let Query(q) = query.map_err(bad_query)?;
    let (limit, _) = Page { limit: q.limit, offset: None }.checked()?;
    // A warehouse not built yet is no snapshot: answered, and refreshed.
    let warehouse = app.cfg.warehouse();
    let charts = blocking(move || {
        let Some(db) = queries::open_if_built(&warehouse)? else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        for c in app_catalog::charts(&db)? {
            out.extend(app_catalog::chart(&db, &c.list, None, limit)?);
        }
        Ok(out)
    })
    .await?;
    let age_seconds = charts.iter().map(|c| c.age_seconds).max();
    let max_age = (app.cfg.config.serve.trending_max_age_hours * 3600.0) as i64;
    let refreshing = if age_seconds.is_none_or(|a| a >= max_age) { Some(refresh_charts(&app)?) } else { None };
    Ok(Json(Trending { charts, age_seconds, refreshing }))
}

/// The trending schedule's run if one is waiting or going, else a new one (or, without
/// that schedule, its steps).
fn refresh_charts(app: &App) -> Result<String, ApiError> {
    const SCHEDULE: &str = "trending";
    let refreshes = |w: &Work| match w {
        Work::Schedule(name) => name == SCHEDULE,
        Work::Steps(steps) => steps.contains(&Step::Charts),
        Work::Follow { .. } | Work::Enrich(_) => false,
    };
    if let Some(pending) = app.queue.pending(refreshes) {
        return Ok(pending);
    }
    let (work, command) = match app.cfg.schedule(SCHEDULE) {
        Ok(_) => (Work::Schedule(SCHEDULE.into()), super::schedule_command(SCHEDULE)),
        Err(_) => {
            (Work::Steps(vec![Step::Charts, Step::Transform { full: false }]), "liner serve: GET /trending".to_string())
        }
    };
    let queued =
        app.queue.push(work, command).map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
    Ok(queued.run_id)
}
