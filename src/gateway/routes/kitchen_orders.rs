//! A chef's answers to orders of their own kitchen: accept (with a
//! preparation time), reject (with an optional note), mark ready. Each is
//! one order command; an order of another kitchen is a 404.

use axum::Json;
use axum::extract::State;
use foodiefast_actors::domain::order::{OrderCommand, RejectReason};
use foodiefast_geo::Seconds;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::orders::{OrderOut, visible_order};
use crate::gateway::auth::{Authed, Chef};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::{Body, Path};
use crate::gateway::state::AppState;

/// Longest preparation estimate, minutes.
const MAX_PREP_MINUTES: u32 = 240;
/// Longest rejection note.
const MAX_NOTE_CHARS: usize = 500;

/// The chef's order routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(accept_order))
        .routes(routes!(reject_order))
        .routes(routes!(mark_ready))
}

/// An acceptance.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Accept {
    /// Minutes until the food is ready, 1 to 240.
    pub prep_minutes: u32,
}

/// A rejection.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reject {
    /// Why, for the customer (at most 500 characters).
    pub note: Option<String>,
}

/// Runs `command` on order `id` if it belongs to the chef's kitchen.
async fn command_own(
    state: &AppState,
    chef: &Authed<Chef>,
    id: u64,
    command: OrderCommand,
) -> Result<Json<OrderOut>, ApiError> {
    let view = visible_order(state, chef.0, id).await?;
    Ok(Json(state.engine.command(view.id, command).await?.into()))
}

/// Accepts an order sent to the chef's kitchen.
#[utoipa::path(post, path = "/orders/{order_id}/accept", tag = "kitchen orders",
    security(("bearer" = [])), request_body = Accept,
    params(("order_id" = u64, Path, description = "The order")),
    responses(
        (status = 200, description = "Accepted", body = OrderOut),
        (status = 404, description = "No such order in this kitchen", body = ErrorBody),
        (status = 409, description = "Not waiting for an answer", body = ErrorBody),
        (status = 422, description = "Preparation time out of range", body = ErrorBody),
    ))]
async fn accept_order(
    State(state): State<AppState>,
    chef: Authed<Chef>,
    Path(order_id): Path<u64>,
    Body(accept): Body<Accept>,
) -> Result<Json<OrderOut>, ApiError> {
    if !(1..=MAX_PREP_MINUTES).contains(&accept.prep_minutes) {
        return Err(ApiError::InvalidInput(format!(
            "prep_minutes must be 1 to {MAX_PREP_MINUTES}"
        )));
    }
    let ready_at = state.engine.clock().now() + Seconds(i64::from(accept.prep_minutes) * 60);
    command_own(&state, &chef, order_id, OrderCommand::Accept { ready_at }).await
}

/// Rejects an order sent to the chef's kitchen.
#[utoipa::path(post, path = "/orders/{order_id}/reject", tag = "kitchen orders",
    security(("bearer" = [])), request_body = Reject,
    params(("order_id" = u64, Path, description = "The order")),
    responses(
        (status = 200, description = "Rejected", body = OrderOut),
        (status = 404, description = "No such order in this kitchen", body = ErrorBody),
        (status = 409, description = "Not waiting for an answer", body = ErrorBody),
    ))]
async fn reject_order(
    State(state): State<AppState>,
    chef: Authed<Chef>,
    Path(order_id): Path<u64>,
    Body(reject): Body<Reject>,
) -> Result<Json<OrderOut>, ApiError> {
    let note = match reject.note {
        Some(note) if note.chars().count() > MAX_NOTE_CHARS => {
            return Err(ApiError::InvalidInput(format!(
                "note must be at most {MAX_NOTE_CHARS} characters"
            )));
        }
        note => note,
    };
    let reason = RejectReason::Declined { note };
    command_own(&state, &chef, order_id, OrderCommand::Reject { reason }).await
}

/// Marks an accepted order's food ready for pickup.
#[utoipa::path(post, path = "/orders/{order_id}/ready", tag = "kitchen orders",
    security(("bearer" = [])),
    params(("order_id" = u64, Path, description = "The order")),
    responses(
        (status = 200, description = "Ready", body = OrderOut),
        (status = 404, description = "No such order in this kitchen", body = ErrorBody),
        (status = 409, description = "Not accepted yet, or finished", body = ErrorBody),
    ))]
async fn mark_ready(
    State(state): State<AppState>,
    chef: Authed<Chef>,
    Path(order_id): Path<u64>,
) -> Result<Json<OrderOut>, ApiError> {
    command_own(&state, &chef, order_id, OrderCommand::MarkReady).await
}
