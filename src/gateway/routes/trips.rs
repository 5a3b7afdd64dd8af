//! A courier's trip: the orders it holds with where to fetch and where to
//! bring each, which the offer and the courier feed give only as ids. The
//! drop-off is the customer's address, so it is told only to the courier
//! holding the order.

use axum::Json;
use axum::extract::State;
use foodiefast_actors::domain::order::Order;
use foodiefast_actors::store::OrderStore;
use foodiefast_geo::{CourierId, OrderId};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::couriers::courier_out;
use crate::gateway::auth::{Authed, Courier};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::position::Position;
use crate::gateway::state::AppState;

/// The trip route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(my_trip))
}

/// One order of a trip.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TripStop {
    /// The order.
    pub order_id: u64,
    /// Its status.
    pub status: String,
    /// The kitchen.
    pub kitchen_id: u64,
    /// The kitchen's name.
    pub kitchen_name: String,
    /// Where the food is fetched.
    pub pickup: Option<Position>,
    /// Where it is brought.
    pub drop_off: Option<Position>,
    /// The kitchen's ready estimate, Unix seconds.
    pub ready_at: Option<i64>,
}

/// The courier's status and the orders it holds, in drop-off order.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Trip {
    /// The courier's status (`offline`, `idle`, ... `delivering`).
    pub status: String,
    /// The orders held.
    pub stops: Vec<TripStop>,
}

/// Rebuilds order `id` from its log (its pickup and drop-off are not in
/// the read model).
pub(crate) async fn order_record(state: &AppState, id: OrderId) -> Result<Order, ApiError> {
    let history = state.store.load(id).await?;
    if history.is_empty() {
        return Err(ApiError::NotFound("order"));
    }
    Order::from_events(&history).map_err(ApiError::internal)
}

/// The caller's trip: each order it holds, with pickup and drop-off.
#[utoipa::path(get, path = "/couriers/me/trip", tag = "couriers",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The courier's trip", body = Trip),
        (status = 403, description = "Not a courier", body = ErrorBody),
    ))]
async fn my_trip(
    State(state): State<AppState>,
    courier: Authed<Courier>,
) -> Result<Json<Trip>, ApiError> {
    let now = courier_out(&state, CourierId(courier.id)).await?;
    let mut stops = Vec::with_capacity(now.order_ids.len());
    for id in now.order_ids {
        let order = order_record(&state, OrderId(id)).await?;
        let details = order.details();
        let kitchen_name = state
            .store
            .kitchen(details.kitchen)
            .await?
            .map(|k| k.details.name)
            .unwrap_or_default();
        stops.push(TripStop {
            order_id: id,
            status: order.status().as_str().to_owned(),
            kitchen_id: details.kitchen.0,
            kitchen_name,
            pickup: Position::of_point(details.pickup, &state.projection),
            drop_off: Position::of_point(details.drop_off, &state.projection),
            ready_at: order.ready_at().map(|s| s.0),
        });
    }
    Ok(Json(Trip {
        status: now.status,
        stops,
    }))
}
