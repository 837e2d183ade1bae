//! The HTTP API of `liner serve`. Reading is open; anything that changes something
//! (follows, runs, review decisions, enrichment requests) needs `Authorization: Bearer <serve.token>`.
//! Errors are JSON, `{"error": ..., "field": ...}`, naming the field at fault.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use utoipa::{OpenApi, ToSchema};

use super::{App, Work, enrich, read_api};
use crate::runs::schedules::Step;
use crate::stored::state::State as Db;

pub fn router(app: Arc<App>) -> Router {
    let limit = app.cfg.config.serve.max_body_bytes;
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .route("/follows", get(list_follows).post(follow))
        .route("/follows/{id}", delete(unfollow))
        .route("/runs", get(list_runs).post(request_run))
        .route("/runs/{id}", get(show_run))
        .route("/stats", get(stats))
        .route("/review", get(review_queue))
        .route("/review/{id}", post(review_decide))
        .route("/releases/{id}", get(read_api::release))
        .route("/artists/{name}/releases", get(read_api::artist_releases))
        .route("/links", get(read_api::links))
        .route("/tracks/{id}", get(read_api::track))
        .route("/charts", get(read_api::charts))
        .route("/charts/{list}", get(read_api::chart))
        .route("/trending", get(read_api::trending))
        .route("/enrich", get(enrich::enrichments).post(enrich::enrich_one))
        .route("/enrich/batch", post(enrich::enrich_batch))
        .route("/enrich/{id}", get(enrich::enrichment))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such endpoint (see /openapi.json)") })
        .layer(DefaultBodyLimit::max(limit))
        .with_state(app)
}

#[derive(OpenApi)]
#[openapi(
    info(title = "liner", description = "liner's API: the catalog an app reads (releases, artists, links, tracks, charts, trending), enrichment on request, and control: follows, runs, health, metrics, coverage and review."),
    paths(health, metrics, list_follows, follow, unfollow, list_runs, request_run, show_run, stats, review_queue, review_decide,
          read_api::release, read_api::artist_releases, read_api::links, read_api::track, read_api::charts, read_api::chart,
          read_api::trending, enrich::enrich_one, enrich::enrich_batch, enrich::enrichment, enrich::enrichments),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// An error as the API answers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    #[serde(skip)]
    status: StatusCode,
    error: String,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, error: impl Into<String>) -> ApiError {
        ApiError { status, error: error.into(), field: None }
    }

    pub(super) fn field(status: StatusCode, field: &str, error: impl Into<String>) -> ApiError {
        ApiError { status, error: error.into(), field: Some(field.to_string()) }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let mut response = (status, Json(self)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}"))
    }
}

/// A JSON body that could not be read: which field, and why. Too large a body is a
/// bad request like any other.
pub(super) fn bad_body(rejection: JsonRejection) -> ApiError {
    let text = rejection.body_text();
    if let JsonRejection::BytesRejection(_) = rejection {
        return ApiError::field(StatusCode::BAD_REQUEST, "body", format!("{text} (serve.max_body_bytes)"));
    }
    if let JsonRejection::MissingJsonContentType(_) = rejection {
        return ApiError::field(StatusCode::BAD_REQUEST, "content-type", text);
    }
    let field = ["missing field `", "unknown field `", "unknown variant `"]
        .iter()
        .find_map(|marker| text.split_once(marker).map(|(_, rest)| rest.split('`').next().unwrap_or("").to_string()))
        .filter(|f| !f.is_empty() && !text.contains("unknown variant"))
        // serde_path_to_error puts the path first: "name: invalid type: ...".
        .or_else(|| {
            let detail = text.split_once("target type: ").map_or(text.as_str(), |(_, d)| d);
            detail.split_once(": ").map(|(path, _)| path.to_string()).filter(|p| !p.contains(' '))
        })
        .unwrap_or_else(|| "body".to_string());
    ApiError::field(StatusCode::BAD_REQUEST, &field, text)
}

pub(super) fn bad_path(r: PathRejection) -> ApiError {
    ApiError::field(StatusCode::BAD_REQUEST, "id", r.body_text())
}

pub(super) fn bad_query(r: QueryRejection) -> ApiError {
    let text = r.body_text();
    let field = text.rsplit(": ").next().and_then(|t| t.split('`').nth(1)).unwrap_or("query").to_string();
    ApiError::field(StatusCode::BAD_REQUEST, &field, text)
}

/// Present in a handler's arguments: the request carries the bearer token.
pub struct Authorized;

impl FromRequestParts<Arc<App>> for Authorized {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Authorized, ApiError> {
        let unauthorized = |why: &str| ApiError::new(StatusCode::UNAUTHORIZED, why);
        let Some(token) = app.cfg.config.serve.token.as_deref().filter(|t| !t.is_empty()) else {
            return Err(unauthorized(
                "no serve.token is configured, so nothing can be changed over HTTP: set LINER_SERVE__TOKEN",
            ));
        };
        let given = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        match given.and_then(|v| v.strip_prefix("Bearer ")) {
            Some(t) if bool::from(t.as_bytes().ct_eq(token.as_bytes())) => Ok(Authorized),
            Some(_) => Err(unauthorized("wrong bearer token")),
            None => Err(unauthorized("this changes something: send Authorization: Bearer <serve.token>")),
        }
    }
}

/// Runs the blocking `f` (SQLite, DuckDB) off the async threads.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| anyhow::anyhow!("{e}"))?.map_err(ApiError::from)
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when a provider's circuit is open or the last run failed.
    status: String,
    /// Each provider's circuit breaker as the last extract left it: closed, open, half-open.
    providers: BTreeMap<String, String>,
    last_run: Option<RunView>,
    /// The run going now, if any.
    running: Option<String>,
    /// Runs waiting their turn.
    queued: usize,
    /// Providers left alone until a time they named (a Retry-After in hours): provider to time (UTC).
    held: BTreeMap<String, String>,
}

#[utoipa::path(get, path = "/health", responses((status = 200, body = Health)))]
async fn health(State(app): State<Arc<App>>) -> Result<Json<Health>, ApiError> {
    let mut providers: BTreeMap<String, String> =
        app.cfg.providers().iter().map(|(p, _)| (p.name().to_string(), "closed".to_string())).collect();
    providers.extend(crate::runs::runner::breakers());
    let state_db = app.cfg.state_db();
    let (last_run, holds) = blocking(move || {
        let db = Db::open(&state_db)?;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        Ok((db.runs(1)?.into_iter().next(), db.provider_holds(&now)?))
    })
    .await?;
    let held: BTreeMap<String, String> = holds.into_iter().map(|(p, until, _)| (p, until)).collect();
    let last_run = last_run.map(|r| RunView::from_run(r, None));
    let (running, waiting) = app.queue.snapshot();
    let degraded = providers.values().any(|b| b != "closed")
        || !held.is_empty()
        || last_run.as_ref().is_some_and(|r| r.status == "failed");
    Ok(Json(Health {
        status: if degraded { "degraded" } else { "ok" }.into(),
        providers,
        last_run,
        running: running.map(|q| q.run_id),
        queued: waiting.len(),
        held,
    }))
}

#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
async fn metrics(State(app): State<Arc<App>>) -> Response {
    let warehouse = app.cfg.warehouse();
    if let Err(e) = blocking(move || crate::telemetry::record_links(&warehouse)).await {
        tracing::warn!("reading links for /metrics: {}", e.error);
    }
    let (running, waiting) = app.queue.snapshot();
    metrics::gauge!("liner_runs_queued").set(waiting.len() as f64);
    metrics::gauge!("liner_run_going").set(if running.is_some() { 1.0 } else { 0.0 });
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], app.metrics.render()).into_response()
}

#[derive(Serialize, ToSchema)]
pub struct FollowView {
    id: i64,
    name: String,
    musicbrainz_id: Option<String>,
    added_at: String,
}

#[utoipa::path(get, path = "/follows", responses((status = 200, body = [FollowView])))]
async fn list_follows(State(app): State<Arc<App>>) -> Result<Json<Vec<FollowView>>, ApiError> {
    let state_db = app.cfg.state_db();
    let rows = blocking(move || Db::open(&state_db)?.follows_detailed()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|f| FollowView { id: f.id, name: f.name, musicbrainz_id: f.musicbrainz_id, added_at: f.added_at })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowRequest {
    /// The artist, as the user typed it.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    name: String,
    /// Which artist of that name, when several share it (as MusicBrainz lists them).
    #[serde(default)]
    #[schema(pattern = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")]
    musicbrainz_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    run_id: String,
    /// Always `queued`: the run starts when the runs before it are done.
    status: String,
    /// Runs ahead of this one, the one going included.
    ahead: usize,
}

fn queue(app: &App, work: Work, command: String) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let (running, waiting) = app.queue.snapshot();
    let ahead = waiting.len() + running.is_some() as usize;
    let q = app.queue.push(work, command).map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
    Ok((StatusCode::ACCEPTED, Json(Accepted { run_id: q.run_id, status: "queued".into(), ahead })))
}

/// Follows an artist: resolved on MusicBrainz, then fetched from every provider and
/// the warehouse rebuilt, as `liner follow` does, in a run of its own.
#[utoipa::path(post, path = "/follows", request_body = FollowRequest, security(("bearer" = [])),
    responses((status = 202, body = Accepted), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 503, description = "serve.max_queued_runs runs are waiting already", body = ApiError)))]
async fn follow(
    State(app): State<Arc<App>>,
    _: Authorized,
    body: Result<Json<FollowRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let Json(req) = body.map_err(bad_body)?;
    let name = req.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::field(StatusCode::BAD_REQUEST, "name", "an artist's name: 1 to 200 characters"));
    }
    if let Some(id) = &req.musicbrainz_id
        && !is_uuid(id)
    {
        return Err(ApiError::field(StatusCode::BAD_REQUEST, "musicbrainz_id", "a MusicBrainz id is a UUID"));
    }
    let command = format!("liner follow {name:?} (serve)");
    queue(&app, Work::Follow { name, musicbrainz_id: req.musicbrainz_id }, command)
}

#[utoipa::path(delete, path = "/follows/{id}", params(("id" = i64, Path, description = "as GET /follows lists it")),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = ApiError), (status = 404, body = ApiError),
              (status = 401, body = ApiError)))]
async fn unfollow(
    State(app): State<Arc<App>>,
    _: Authorized,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Path(id) = id.map_err(bad_path)?;
    let state_db = app.cfg.state_db();
    match blocking(move || Db::open(&state_db)?.unfollow_id(id)).await? {
        Some(name) => Ok(Json(serde_json::json!({ "id": id, "name": name, "followed": false }))),
        None => Err(ApiError::field(StatusCode::NOT_FOUND, "id", format!("no followed artist has id {id}"))),
    }
}

#[derive(Serialize, ToSchema)]
pub struct RunView {
    run_id: String,
    command: String,
    /// queued, running, ok, failed, interrupted, skipped.
    status: String,
    started_at: Option<String>,
    finished_at: Option<String>,
    #[schema(value_type = Option<Object>)]
    summary: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stages: Option<Vec<StageView>>,
}

#[derive(Serialize, ToSchema)]
pub struct StageView {
    stage: String,
    status: String,
    started_at: String,
    finished_at: Option<String>,
    seconds: f64,
    #[schema(value_type = Option<Object>)]
    counts: Option<serde_json::Value>,
    error: Option<String>,
}

fn json_of(s: Option<String>) -> Option<serde_json::Value> {
    s.and_then(|s| serde_json::from_str(&s).ok())
}

impl RunView {
    fn from_run(r: crate::stored::state::Run, stages: Option<Vec<crate::stored::state::RunStage>>) -> RunView {
        RunView {
            run_id: r.run_id,
            command: r.command,
            status: r.status,
            started_at: Some(r.started_at),
            finished_at: r.finished_at,
            summary: json_of(r.summary),
            stages: stages.map(|s| {
                s.into_iter()
                    .map(|s| StageView {
                        stage: s.stage,
                        status: s.status,
                        started_at: s.started_at,
                        finished_at: s.finished_at,
                        seconds: s.seconds,
                        counts: json_of(s.counts),
                        error: s.error,
                    })
                    .collect()
            }),
        }
    }

    fn queued(q: &super::Queued) -> RunView {
        RunView {
            run_id: q.run_id.clone(),
            command: q.command.clone(),
            status: "queued".into(),
            started_at: None,
            finished_at: None,
            summary: Some(serde_json::json!({ "requested_at": q.requested_at })),
            stages: None,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// How many, newest first (default 20, at most 1000).
    limit: Option<usize>,
}

#[utoipa::path(get, path = "/runs", params(Limit), responses((status = 200, body = [RunView]), (status = 400, body = ApiError)))]
async fn list_runs(
    State(app): State<Arc<App>>,
    limit: Result<Query<Limit>, QueryRejection>,
) -> Result<Json<Vec<RunView>>, ApiError> {
    let Query(Limit { limit }) = limit.map_err(bad_query)?;
    let limit = limit.unwrap_or(20).min(1000);
    let (_, waiting) = app.queue.snapshot();
    let mut out: Vec<RunView> = waiting.iter().rev().map(RunView::queued).collect();
    let state_db = app.cfg.state_db();
    let runs = blocking(move || Db::open(&state_db)?.runs(limit)).await?;
    out.extend(runs.into_iter().map(|r| RunView::from_run(r, None)));
    out.truncate(limit);
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1, max_properties = 1)]
pub struct RunRequest {
    /// A schedule's name (schedules/<name>.toml) ...
    #[serde(default)]
    #[schema(nullable = false, pattern = "^[A-Za-z0-9_-]+$")]
    schedule: Option<String>,
    /// ... or steps: extract, extract:<provider>, extract:charts, extract:enrich, transform, load.
    #[serde(default)]
    #[schema(nullable = false, min_items = 1)]
    steps: Option<Vec<String>>,
}

#[utoipa::path(post, path = "/runs", request_body = RunRequest, security(("bearer" = [])),
    responses((status = 202, body = Accepted), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 409, body = ApiError), (status = 503, body = ApiError)))]
async fn request_run(
    State(app): State<Arc<App>>,
    _: Authorized,
    body: Result<Json<RunRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let Json(req) = body.map_err(bad_body)?;
    match (req.schedule, req.steps) {
        (Some(name), None) => {
            if !crate::runs::schedules::is_name(&name) {
                return Err(ApiError::field(StatusCode::BAD_REQUEST, "schedule", format!("no schedule {name:?}")));
            }
            // Unknown (the known ones listed), or a schedule file that does not parse, named.
            if let Err(e) = app.cfg.schedule(&name) {
                return Err(ApiError::field(StatusCode::BAD_REQUEST, "schedule", format!("{e:#}")));
            }
            if let Some(pending) = app.queue.pending_schedule(&name) {
                return Err(ApiError::field(
                    StatusCode::CONFLICT,
                    "schedule",
                    format!("{name} is already waiting or going as run {pending}"),
                ));
            }
            queue(&app, Work::Schedule(name.clone()), super::schedule_command(&name))
        }
        (None, Some(steps)) if !steps.is_empty() => {
            let parsed = steps
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    Step::parse(s).map_err(|e| ApiError::field(StatusCode::BAD_REQUEST, &format!("steps[{i}]"), e))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let command = format!("liner serve: steps {}", steps.join(", "));
            queue(&app, Work::Steps(parsed), command)
        }
        (Some(_), Some(_)) => {
            Err(ApiError::field(StatusCode::BAD_REQUEST, "steps", "give a schedule or steps, not both"))
        }
        _ => Err(ApiError::field(StatusCode::BAD_REQUEST, "schedule", "give a schedule or a list of steps")),
    }
}

#[utoipa::path(get, path = "/runs/{id}", params(("id" = String, Path)),
    responses((status = 200, body = RunView), (status = 404, body = ApiError)))]
async fn show_run(State(app): State<Arc<App>>, Path(id): Path<String>) -> Result<Json<RunView>, ApiError> {
    let (running, waiting) = app.queue.snapshot();
    if let Some(q) = waiting.iter().find(|q| q.run_id == id) {
        return Ok(Json(RunView::queued(q)));
    }
    let state_db = app.cfg.state_db();
    let run_id = id.clone();
    let found = blocking(move || {
        let db = Db::open(&state_db)?;
        Ok(match db.run(&run_id)? {
            Some(run) => Some((run, db.stages(&run_id)?)),
            None => None,
        })
    })
    .await?;
    match found {
        Some((run, stages)) => Ok(Json(RunView::from_run(run, Some(stages)))),
        // Taken off the queue, not yet recorded: a moment's gap.
        None if running.as_ref().is_some_and(|q| q.run_id == id) => {
            Ok(Json(RunView { status: "running".into(), ..RunView::queued(running.as_ref().unwrap()) }))
        }
        None => Err(ApiError::field(StatusCode::NOT_FOUND, "id", format!("no run {id}"))),
    }
}

/// 8-4-4-4-12 hexadecimal digits, as MusicBrainz writes its ids.
fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts.iter().zip([8, 4, 4, 4, 12]).all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A question to the warehouse, answered as JSON off the async threads.
pub(super) async fn from_warehouse<T: serde::Serialize + Send + 'static>(
    app: &App,
    read: impl FnOnce(&duckdb::Connection) -> anyhow::Result<T> + Send + 'static,
) -> Result<serde_json::Value, ApiError> {
    let warehouse = app.cfg.warehouse();
    blocking(move || Ok(serde_json::to_value(read(&crate::stored::queries::open(&warehouse)?)?)?))
        .await
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.error))
}

/// Coverage: per provider and entity, how much of the catalog each provider has and
/// with which identifiers, as the last build counted it, and build by build.
#[utoipa::path(get, path = "/stats", responses((status = 200, description = "coverage, as the last build counted it", body = Object),
    (status = 503, description = "no warehouse built yet", body = ApiError)))]
async fn stats(State(app): State<Arc<App>>) -> Result<Json<serde_json::Value>, ApiError> {
    let latest = from_warehouse(&app, crate::stored::queries::coverage).await?;
    Ok(Json(serde_json::json!({ "coverage": latest })))
}

#[utoipa::path(get, path = "/review", params(Limit),
    responses((status = 200, description = "pairs waiting for a person, best scores first", body = Object),
              (status = 400, body = ApiError), (status = 503, description = "no warehouse built yet", body = ApiError)))]
async fn review_queue(
    State(app): State<Arc<App>>,
    limit: Result<Query<Limit>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(Limit { limit }) = limit.map_err(bad_query)?;
    let limit = limit.unwrap_or(20).min(1000);
    let rows = from_warehouse(&app, move |db| crate::stored::queries::review_queue(db, limit)).await?;
    Ok(Json(rows))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
pub enum Decision {
    Accept,
    Reject,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    decision: Decision,
}

/// A person's word on a queued pair (by review id) or an existing link (by link id);
/// it wins on every rebuild from the next transform on.
#[utoipa::path(post, path = "/review/{id}", params(("id" = String, Path)), request_body = ReviewRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 404, body = ApiError)))]
async fn review_decide(
    State(app): State<Arc<App>>,
    _: Authorized,
    Path(id): Path<String>,
    body: Result<Json<ReviewRequest>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Json(req) = body.map_err(bad_body)?;
    let decision = match req.decision {
        Decision::Accept => "accept",
        Decision::Reject => "reject",
    };
    let (warehouse, state_db, review_id) = (app.cfg.warehouse(), app.cfg.state_db(), id.clone());
    let decided = tokio::task::spawn_blocking(move || {
        let state = Db::open(&state_db)?;
        crate::commands::review::decide(&warehouse, &state, &review_id, decision)
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?
    .map_err(|e| ApiError::field(StatusCode::NOT_FOUND, "id", format!("{e:#}")))?;
    Ok(Json(serde_json::json!({
        "id": id,
        "decision": decided.decision,
        "entity": decided.entity,
        "left": { "provider": decided.left_provider, "id": decided.left_id },
        "right": { "provider": decided.right_provider, "id": decided.right_id },
    })))
}
