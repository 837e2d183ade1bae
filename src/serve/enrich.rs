//! Enrichment on request, over HTTP: `POST /enrich` (one item) and `POST /enrich/batch`
//! (many, in one run) queue a lookup on every provider that can; `GET /enrich/{id}`
//! and `GET /enrich` say how each item went. The rules live in `crate::runs::enrich`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::api::{ApiError, Authorized, bad_body, bad_path, bad_query, blocking};
use super::read_api::{MAX_PAGE, checked_limit};
use super::{App, Work};
use crate::runs::enrich::{self, Answer, Item, Kind, Status};
use crate::stored::queries::app_catalog::{LinkKey, Links, links_by};
use crate::stored::state::{Enrichment, State as Db};

/// Items one batch may carry: as many as a page of answers.
const MAX_BATCH: usize = MAX_PAGE;

/// A requested item as the app reads it back.
#[derive(Serialize, ToSchema)]
pub struct EnrichmentView {
    id: String,
    item: Item,
    status: Status,
    /// Tries made so far, and how many there may be in all (`enrich.max_tries`).
    tries: u32,
    max_tries: u32,
    last_error: Option<String>,
    /// Each provider's answer on the last try.
    providers: BTreeMap<String, Answer>,
    /// The run of the last try, or the one it waits for.
    run_id: Option<String>,
    requested_at: String,
    updated_at: String,
    /// When the enrich schedule asks again; none once completed or out of tries.
    next_try_at: Option<String>,
    /// The item on every provider, as the catalog now has it (when it carries a code
    /// or a provider id the catalog knows).
    #[schema(value_type = Option<Object>)]
    links: Option<Links>,
}

impl EnrichmentView {
    fn of(e: Enrichment, max_tries: u32, links: Option<Links>) -> EnrichmentView {
        EnrichmentView {
            id: e.id,
            item: e.item,
            status: e.status,
            tries: e.tries,
            max_tries,
            last_error: e.last_error,
            providers: e.answers,
            run_id: e.run_id,
            requested_at: e.requested_at,
            updated_at: e.updated_at,
            next_try_at: e.next_try_at,
            links,
        }
    }
}

/// How the catalog names the item, if it can: its code, else its provider id.
fn link_key(item: &Item) -> Option<LinkKey> {
    match (item.kind(), &item.isrc, &item.upc, &item.provider, &item.id) {
        (Kind::Track, Some(isrc), ..) => Some(LinkKey::Code { kind: "isrc", value: isrc.clone() }),
        (Kind::Album, _, Some(upc), ..) => Some(LinkKey::Code { kind: "gtin", value: upc.clone() }),
        (_, _, _, Some(provider), Some(id)) => Some(LinkKey::Listing { provider: provider.clone(), id: id.clone() }),
        _ => None,
    }
}

#[derive(Serialize, ToSchema)]
pub struct Queued {
    /// The run that looks the items up.
    run_id: String,
    /// Runs ahead of it, the one going included.
    ahead: usize,
    /// Each item's enrichment, pending, in the order given.
    items: Vec<QueuedItem>,
}

#[derive(Serialize, ToSchema)]
pub struct QueuedItem {
    id: String,
    status: Status,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    #[schema(min_items = 1, max_items = 100)]
    items: Vec<Item>,
}

/// Looks an item up on every provider that can (its ISRC or UPC first, then its id on
/// the provider named, then its artist and title), lands it and rebuilds, in a run
/// of its own. Answers at once with the enrichment's id and the run's.
#[utoipa::path(post, path = "/enrich", request_body = Item, security(("bearer" = [])),
    responses((status = 202, body = Queued), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 503, description = "serve.max_queued_runs runs are waiting already", body = ApiError)))]
pub(super) async fn enrich_one(
    State(app): State<Arc<App>>,
    _: Authorized,
    body: Result<Json<Item>, JsonRejection>,
) -> Result<(StatusCode, Json<Queued>), ApiError> {
    let Json(item) = body.map_err(bad_body)?;
    let item = item.checked().map_err(|e| ApiError::field(StatusCode::BAD_REQUEST, e.field, e.message))?;
    queue(&app, vec![item]).await
}

/// Many items in one run: each gets its own enrichment, and its own status.
#[utoipa::path(post, path = "/enrich/batch", request_body = Batch, security(("bearer" = [])),
    responses((status = 202, body = Queued), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 503, body = ApiError)))]
pub(super) async fn enrich_batch(
    State(app): State<Arc<App>>,
    _: Authorized,
    body: Result<Json<Batch>, JsonRejection>,
) -> Result<(StatusCode, Json<Queued>), ApiError> {
    let Json(batch) = body.map_err(bad_body)?;
    if batch.items.is_empty() || batch.items.len() > MAX_BATCH {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "items",
            format!("a batch holds 1 to {MAX_BATCH} items, not {}", batch.items.len()),
        ));
    }
    let mut items = Vec::with_capacity(batch.items.len());
    for (i, item) in batch.items.into_iter().enumerate() {
        let item = item
            .checked()
            .map_err(|e| ApiError::field(StatusCode::BAD_REQUEST, &format!("items[{i}].{}", e.field), e.message))?;
        items.push(item);
    }
    queue(&app, items).await
}

/// Records the items, then queues their run; a full queue forgets them again, so the
/// app's retry is the only copy.
async fn queue(app: &Arc<App>, items: Vec<Item>) -> Result<(StatusCode, Json<Queued>), ApiError> {
    let items: Vec<(String, Item)> = items.into_iter().map(|i| (enrich::new_id(), i)).collect();
    let ids: Vec<String> = items.iter().map(|(id, _)| id.clone()).collect();
    let state_db = app.cfg.state_db();
    blocking(move || Db::open(&state_db)?.add_enrichments(&items)).await?;
    let (running, waiting) = app.queue.snapshot();
    let ahead = waiting.len() + running.is_some() as usize;
    let command = format!("liner enrich {} item(s) (serve)", ids.len());
    let state_db = app.cfg.state_db();
    let q = match app.queue.push(Work::Enrich(ids.clone()), command) {
        Ok(q) => q,
        Err(full) => {
            let forget = ids.clone();
            blocking(move || Db::open(&state_db)?.drop_enrichments(&forget)).await?;
            return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, full.to_string()));
        }
    };
    let (run_id, queued) = (q.run_id.clone(), ids.clone());
    blocking(move || Db::open(&state_db)?.queue_enrichments(&queued, &run_id)).await?;
    let items = ids.into_iter().map(|id| QueuedItem { id, status: Status::Pending }).collect();
    Ok((StatusCode::ACCEPTED, Json(Queued { run_id: q.run_id, ahead, items })))
}

/// One requested item: its status, tries, last error, each provider's answer, and
/// its links as the catalog now has them.
#[utoipa::path(get, path = "/enrich/{id}", params(("id" = String, Path, description = "as POST /enrich answered it")),
    responses((status = 200, body = EnrichmentView), (status = 404, body = ApiError)))]
pub(super) async fn enrichment(
    State(app): State<Arc<App>>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<EnrichmentView>, ApiError> {
    let Path(id) = id.map_err(bad_path)?;
    let (state_db, warehouse, max_tries) = (app.cfg.state_db(), app.cfg.warehouse(), app.cfg.config.enrich.max_tries);
    let wanted = id.clone();
    let found = blocking(move || {
        let Some(e) = Db::open(&state_db)?.enrichment(&wanted)? else { return Ok(None) };
        // The catalog may not be built yet: then the item has no links to show.
        let links = match (link_key(&e.item), crate::stored::queries::open_if_built(&warehouse)?) {
            (Some(key), Some(db)) => links_by(&db, &key)?,
            _ => None,
        };
        Ok(Some(EnrichmentView::of(e, max_tries, links)))
    })
    .await?;
    found.map(Json).ok_or_else(|| ApiError::field(StatusCode::NOT_FOUND, "id", format!("no enrichment {id}")))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EnrichmentsQuery {
    /// Only these: pending, in_progress, completed, partial, failed.
    status: Option<String>,
    /// How many, newest first (default 20, at most 100).
    limit: Option<usize>,
}

/// The newest requested items, of one status or all.
#[utoipa::path(get, path = "/enrich", params(EnrichmentsQuery),
    responses((status = 200, body = [EnrichmentView]), (status = 400, body = ApiError)))]
pub(super) async fn enrichments(
    State(app): State<Arc<App>>,
    query: Result<Query<EnrichmentsQuery>, QueryRejection>,
) -> Result<Json<Vec<EnrichmentView>>, ApiError> {
    let Query(q) = query.map_err(bad_query)?;
    let limit = checked_limit(q.limit)?;
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            ApiError::field(
                StatusCode::BAD_REQUEST,
                "status",
                format!("{s:?}: one of pending, in_progress, completed, partial, failed"),
            )
        })?),
    };
    let (state_db, max_tries) = (app.cfg.state_db(), app.cfg.config.enrich.max_tries);
    let rows = blocking(move || Db::open(&state_db)?.enrichments(status, limit)).await?;
    Ok(Json(rows.into_iter().map(|e| EnrichmentView::of(e, max_tries, None)).collect()))
}
