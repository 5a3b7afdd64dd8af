//! Operators' view: live counts of orders by status and of couriers, and
//! each dispatch zone's load (orders waiting, couriers free, offers out).

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
    OpenApiRouter::new()
        .routes(routes!(stats))
        .routes(routes!(zones))
}

/// Live counts.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Stats {
    /// Orders with a live actor.
    pub live_orders: usize,
    /// Live orders by status (non-terminal statuses).
    pub orders_by_status: BTreeMap<String, usize>,
    /// Couriers online on this instance.
    pub couriers_online: usize,
}

/// One dispatch zone's live load.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ZoneOut {
    /// The zone (`city` when the city is one zone, else its grid cell).
    pub zone: String,
    /// Orders accepted by their kitchen and waiting for a courier.
    pub pending_orders: usize,
    /// Couriers free for offers.
    pub available_couriers: usize,
    /// Offers sent and not yet answered.
    pub open_offers: usize,
}

/// Live counts of the engine.
#[utoipa::path(get, path = "/admin/stats", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Live counts", body = Stats),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
async fn stats(State(state): State<AppState>, _admin: Authed<Admin>) -> Json<Stats> {
    let orders_by_status = OrderStatus::LIVE
        .into_iter()
        .map(|s| (s.as_str().to_owned(), state.engines.orders_in(s)))
        .collect();
    Json(Stats {
        live_orders: state.engines.live_orders(),
        orders_by_status,
        couriers_online: state.engines.couriers_online(),
    })
}

/// Each running dispatch zone's load, in zone order (a zone whose
/// dispatcher has not started yet has had no order and no courier).
#[utoipa::path(get, path = "/admin/zones", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Per-zone load", body = [ZoneOut]),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
async fn zones(State(state): State<AppState>, _admin: Authed<Admin>) -> Json<Vec<ZoneOut>> {
    let zones = state
        .engines
        .zone_loads()
        .await
        .into_iter()
        .map(|(zone, load)| ZoneOut {
            zone,
            pending_orders: load.waiting,
            available_couriers: load.available,
            open_offers: load.open_offers,
        })
        .collect();
    Json(zones)
}
