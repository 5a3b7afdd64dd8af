//! The chef's tablet and its kitchen as the engine runs it: the queue
//! (orders waiting for an answer with their deadlines, orders cooking with
//! their ready estimates, open or closed, busy mode) and busy mode itself,
//! which pauses new orders for a while without closing the kitchen.

use axum::Json;
use axum::extract::State;
use foodiefast_actors::kitchens::KitchenQueue;
use foodiefast_geo::Seconds;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::kitchens::kitchen_of;
use crate::catalog::Kitchen;
use crate::gateway::auth::{Authed, Chef};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::Body;
use crate::gateway::kitchen_doors;
use crate::gateway::state::AppState;

/// Longest busy spell, minutes.
const MAX_BUSY_MINUTES: u32 = 240;

/// The queue and busy routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_queue))
        .routes(routes!(set_busy))
}

/// Busy mode: no new orders for `minutes` (0 ends it).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Busy {
    /// Minutes from now, 0 to 240; 0 takes orders again at once.
    pub minutes: u32,
}

/// An order waiting for the chef's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AwaitingOut {
    /// The order.
    pub order_id: u64,
    /// When it is rejected unless answered, Unix seconds.
    pub deadline: i64,
}

/// An order cooking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CookingOut {
    /// The order.
    pub order_id: u64,
    /// The chef's ready estimate, Unix seconds.
    pub ready_at: i64,
}

/// What the chef's tablet shows.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QueueOut {
    /// The kitchen.
    pub kitchen_id: u64,
    /// Whether it takes new orders (accepting, within its hours).
    pub open: bool,
    /// Busy mode's end, Unix seconds, while it holds.
    pub busy_until: Option<i64>,
    /// Orders waiting for an answer, with their deadlines.
    pub awaiting: Vec<AwaitingOut>,
    /// Orders cooking, with their ready estimates.
    pub cooking: Vec<CookingOut>,
}

pub(crate) fn queue_out(
    kitchen: &Kitchen,
    queue: KitchenQueue,
    busy_until: Option<Seconds>,
) -> QueueOut {
    QueueOut {
        kitchen_id: kitchen.id.0,
        open: queue.open,
        busy_until: busy_until.filter(|_| queue.busy).map(|s| s.0),
        awaiting: queue
            .awaiting
            .into_iter()
            .map(|(order, deadline)| AwaitingOut {
                order_id: order.0,
                deadline: deadline.0,
            })
            .collect(),
        cooking: queue
            .cooking
            .into_iter()
            .map(|(order, ready_at)| CookingOut {
                order_id: order.0,
                ready_at: ready_at.0,
            })
            .collect(),
    }
}

/// The signed-in chef's kitchen queue.
#[utoipa::path(get, path = "/kitchens/mine/queue", tag = "kitchens", security(("bearer" = [])),
    responses(
        (status = 200, description = "The queue", body = QueueOut),
        (status = 404, description = "No kitchen yet", body = ErrorBody),
    ))]
async fn my_queue(
    State(state): State<AppState>,
    chef: Authed<Chef>,
) -> Result<Json<QueueOut>, ApiError> {
    let kitchen = kitchen_of(&state, chef.id).await?;
    let (door, queue) = kitchen_doors::door_and_queue(&state, &kitchen).await?;
    Ok(Json(queue_out(&kitchen, queue, door.busy_until)))
}

/// Pauses new orders for a while (busy mode), or ends the pause: new
/// orders are refused with `409 kitchen_busy` meanwhile; orders in hand
/// are served as usual.
#[utoipa::path(put, path = "/kitchens/mine/busy", tag = "kitchens", security(("bearer" = [])),
    request_body = Busy,
    responses(
        (status = 200, description = "The queue, busy mode set", body = QueueOut),
        (status = 404, description = "No kitchen yet", body = ErrorBody),
        (status = 422, description = "Minutes out of range", body = ErrorBody),
    ))]
async fn set_busy(
    State(state): State<AppState>,
    chef: Authed<Chef>,
    Body(busy): Body<Busy>,
) -> Result<Json<QueueOut>, ApiError> {
    if busy.minutes > MAX_BUSY_MINUTES {
        return Err(ApiError::InvalidInput(format!(
            "minutes must be 0 to {MAX_BUSY_MINUTES}"
        )));
    }
    let kitchen = kitchen_of(&state, chef.id).await?;
    let until = (busy.minutes > 0)
        .then(|| state.engines.clock().now() + Seconds(i64::from(busy.minutes) * 60));
    // Stored first, so that it holds for every server and after a restart.
    let kitchen = state
        .store
        .set_kitchen_busy(kitchen.id, until.map(|s| s.0))
        .await?
        .ok_or(ApiError::NotFound("kitchen"))?;
    let (door, queue) = kitchen_doors::door_and_queue(&state, &kitchen).await?;
    Ok(Json(queue_out(&kitchen, queue, door.busy_until)))
}
