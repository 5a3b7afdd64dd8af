//! Operators' view: live counts of orders by status.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use foodiefast_actors::domain::order::OrderStatus;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::gateway::auth::{Admin, Authed};
use crate::gateway::error::ErrorBody;
use crate::gateway::state::AppState;

/// The admin routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stats))
}

/// Live counts.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Stats {
    /// Orders with a live actor.
    pub live_orders: usize,
    /// Live orders by status (non-terminal statuses).
    pub orders_by_status: BTreeMap<String, usize>,
}

/// Live counts of the engine.
#[utoipa::path(get, path = "/admin/stats", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Live counts", body = Stats),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
async fn stats(State(state): State<AppState>, _admin: Authed<Admin>) -> Json<Stats> {
    let orders_by_status = [
        OrderStatus::Placed,
        OrderStatus::PaymentAuthorised,
        OrderStatus::SentToChef,
        OrderStatus::Accepted,
        OrderStatus::Preparing,
        OrderStatus::Ready,
        OrderStatus::PickedUp,
    ]
    .into_iter()
    .map(|s| (s.as_str().to_owned(), state.engine.orders_in(s)))
    .collect();
    Json(Stats {
        live_orders: state.engine.live_orders(),
        orders_by_status,
    })
}
