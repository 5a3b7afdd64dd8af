//! A chef's answers to orders of their own kitchen: accept (with a
//! preparation time), reject (with an optional note), mark ready. Each
//! goes through the kitchen's actor, which checks it against the kitchen's
//! queue (only an order waiting for an answer can be accepted or rejected,
//! and only before its deadline) and carries it to the order; an order of
//! another kitchen is a 404. An answer repeated after it took effect (a
//! retry) answers the order as it stands.

use axum::Json;
use axum::extract::State;
use foodiefast_actors::Engine;
use foodiefast_actors::domain::order::OrderStatus;
use foodiefast_actors::kitchens::KitchenActorError;
use foodiefast_actors::store::{OrderStore, OrderView};
use foodiefast_geo::{OrderId, RestaurantId, Seconds};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::kitchens::kitchen_of;
use super::orders::OrderOut;
use crate::catalog::Kitchen;
use crate::gateway::auth::{Authed, Chef};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::{Body, Path};
use crate::gateway::kitchen_doors;
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

/// What the chef asks of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChefAction {
    /// Accept, the food expected ready then.
    Accept {
        /// The chef's estimate.
        ready_at: Seconds,
    },
    /// Decline, optionally saying why.
    Reject {
        /// For the customer.
        note: Option<String>,
    },
    /// The food is ready.
    Ready,
}

impl ChefAction {
    /// Whether `status` is where this answer leaves an order: the answer
    /// repeated (a retry after a lost response) finds its effect in place.
    const fn holds_at(&self, status: OrderStatus) -> bool {
        matches!(
            (self, status),
            (
                Self::Accept { .. },
                OrderStatus::Accepted | OrderStatus::Preparing
            ) | (Self::Reject { .. }, OrderStatus::Rejected)
                | (Self::Ready, OrderStatus::Ready)
        )
    }
}

/// Carries the chef's `action` on `order` out through `kitchen`'s actor in
/// `engine`: the order as it stands, or why the kitchen or the order refused.
pub(crate) async fn carry_out(
    engine: &Engine,
    kitchen: RestaurantId,
    order: OrderId,
    action: ChefAction,
) -> Result<OrderView, ApiError> {
    let outcome = match &action {
        ChefAction::Accept { ready_at } => engine.accept_order(kitchen, order, *ready_at).await,
        ChefAction::Reject { note } => engine.reject_order(kitchen, order, note.clone()).await,
        ChefAction::Ready => engine.mark_ready(kitchen, order).await,
    };
    match outcome {
        Ok(view) => Ok(view),
        Err(KitchenActorError::PreparationNotRecorded { order, source }) => {
            // The acceptance is durable; the tablet sees the order accepted.
            tracing::warn!(%order, error = %source, "accepted order's preparation not recorded");
            Ok(engine.view(order).await?)
        }
        Err(KitchenActorError::Engine(err)) => Err(err.into()),
        Err(KitchenActorError::Kitchen(refused)) => {
            let view = engine.view(order).await?;
            if action.holds_at(view.status) {
                Ok(view)
            } else {
                Err(ApiError::IllegalTransition(format!(
                    "{refused} (the order is {})",
                    view.status.as_str()
                )))
            }
        }
    }
}

/// Carries the chef's `action` out in the engine of the kitchen's zone.
async fn answer(
    state: &AppState,
    chef: &Authed<Chef>,
    order_id: u64,
    action: ChefAction,
) -> Result<Json<OrderOut>, ApiError> {
    let (kitchen, order) = own_order(state, chef, order_id).await?;
    let zone = state.engines.kitchen_zone(&kitchen);
    let view = state.engines.chef(&zone, kitchen.id, order, action).await?;
    Ok(Json(view.into()))
}

/// The chef's kitchen and order `id` of it, the kitchen's door in line
/// with the store; an order of another kitchen is a 404.
async fn own_order(
    state: &AppState,
    chef: &Authed<Chef>,
    id: u64,
) -> Result<(Kitchen, OrderId), ApiError> {
    let kitchen = kitchen_of(state, chef.id)
        .await
        .map_err(|_| ApiError::NotFound("order"))?;
    let view = state
        .store
        .order_view(OrderId(id))
        .await?
        .filter(|view| view.kitchen == kitchen.id)
        .ok_or(ApiError::NotFound("order"))?;
    kitchen_doors::sync(state, &kitchen, state.engines.clock().now()).await?;
    Ok((kitchen, view.id))
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
    let ready_at = state.engines.clock().now() + Seconds(i64::from(accept.prep_minutes) * 60);
    answer(&state, &chef, order_id, ChefAction::Accept { ready_at }).await
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
    answer(&state, &chef, order_id, ChefAction::Reject { note }).await
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
    answer(&state, &chef, order_id, ChefAction::Ready).await
}
