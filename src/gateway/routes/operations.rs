//! The operations view's data: the live map (couriers online with their
//! latest position and status, live orders with pickup and drop-off, each
//! zone's load) and, for any order, its dispatch decision explained: the
//! candidates the round weighed, their costs, and why the courier won.

use axum::Json;
use axum::extract::State;
use foodiefast_actors::dispatch::Decision;
use foodiefast_actors::domain::order::OrderStatus;
use foodiefast_actors::store::DecisionStore;
use foodiefast_geo::assignment::Candidate;
use foodiefast_geo::{CourierId, OrderId};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::admin::ZoneOut;
use super::couriers::courier_out;
use super::trips::order_record;
use crate::gateway::auth::{Admin, Authed};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::Path;
use crate::gateway::position::Position;
use crate::gateway::state::AppState;

/// Most couriers and orders the live map carries (the newest orders).
const MAP_LIMIT: usize = 500;

/// The operations routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(live_map))
        .routes(routes!(dispatch_decision))
}

/// A courier on the live map.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MapCourier {
    /// The courier.
    pub id: u64,
    /// What it is doing.
    pub status: String,
    /// Where it last said it was.
    pub position: Option<Position>,
    /// Orders held.
    pub order_ids: Vec<u64>,
}

/// A live order on the map.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MapOrder {
    /// The order.
    pub id: u64,
    /// Its status.
    pub status: String,
    /// The kitchen.
    pub kitchen_id: u64,
    /// The kitchen's position.
    pub pickup: Option<Position>,
    /// The customer's position.
    pub drop_off: Option<Position>,
    /// The courier holding it.
    pub courier_id: Option<u64>,
    /// When it was placed, Unix seconds.
    pub placed_at: i64,
}

/// Everything live on this instance.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LiveMap {
    /// Couriers online (at most 500).
    pub couriers: Vec<MapCourier>,
    /// Orders not finished, newest first (at most 500).
    pub orders: Vec<MapOrder>,
    /// Each running dispatch zone's load.
    pub zones: Vec<ZoneOut>,
}

/// One courier weighed for an order.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CandidateOut {
    /// The courier.
    pub courier_id: u64,
    /// The solver's cost (lower is better).
    pub cost: i64,
    /// Travel time to the kitchen, seconds.
    pub approach_seconds: i64,
    /// When it would reach the kitchen, Unix seconds.
    pub arrive_at: i64,
    /// The planned pickup, Unix seconds.
    pub pickup_at: i64,
    /// Its wait at the kitchen if it set off at once, seconds.
    pub wait_seconds: i64,
    /// Sum of the bundle's click-to-door times under this plan, seconds.
    pub total_click_to_door_seconds: i64,
}

impl From<&Candidate> for CandidateOut {
    fn from(c: &Candidate) -> Self {
        Self {
            courier_id: c.courier.0,
            cost: c.cost,
            approach_seconds: c.approach.0,
            arrive_at: c.arrive_at.0,
            pickup_at: c.pickup_at.0,
            wait_seconds: c.wait.0,
            total_click_to_door_seconds: c.total_click_to_door.0,
        }
    }
}

/// Why an order went to its courier.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecisionOut {
    /// When the matching round ran, Unix seconds.
    pub at: i64,
    /// The offer it made.
    pub offer_id: u64,
    /// The bundle's orders, in drop-off order.
    pub order_ids: Vec<u64>,
    /// The courier chosen.
    pub chosen: CandidateOut,
    /// Every candidate, cheapest first.
    pub candidates: Vec<CandidateOut>,
    /// Why the chosen courier won, in words.
    pub why: String,
}

impl From<&Decision> for DecisionOut {
    fn from(d: &Decision) -> Self {
        Self {
            at: d.at.0,
            offer_id: d.offer,
            order_ids: d.orders.iter().map(|o| o.0).collect(),
            chosen: (&d.chosen).into(),
            candidates: d.candidates.iter().map(CandidateOut::from).collect(),
            why: d.why.clone(),
        }
    }
}

/// The live map: couriers, orders and zones.
#[utoipa::path(get, path = "/admin/live", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Couriers, orders and zones live now", body = LiveMap),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
async fn live_map(
    State(state): State<AppState>,
    _admin: Authed<Admin>,
) -> Result<Json<LiveMap>, ApiError> {
    let mut couriers = Vec::new();
    for (id, at) in state.live().board.snapshot(MAP_LIMIT) {
        let now = courier_out(&state, id).await?;
        if now.status == "offline" {
            state.live().board.gone(id);
            continue;
        }
        couriers.push(MapCourier {
            id: id.0,
            status: now.status,
            position: Position::of_point(at, &state.projection),
            order_ids: now.order_ids,
        });
    }
    let mut ids: Vec<OrderId> = OrderStatus::LIVE
        .into_iter()
        .flat_map(|s| state.engines.orders_with_status(s))
        .collect();
    ids.sort_unstable_by_key(|id| std::cmp::Reverse(id.0));
    ids.truncate(MAP_LIMIT);
    let mut orders = Vec::with_capacity(ids.len());
    for id in ids {
        // An order finishing meanwhile leaves the map.
        let Ok(order) = order_record(&state, id).await else {
            continue;
        };
        let d = order.details();
        orders.push(MapOrder {
            id: id.0,
            status: order.status().as_str().to_owned(),
            kitchen_id: d.kitchen.0,
            pickup: Position::of_point(d.pickup, &state.projection),
            drop_off: Position::of_point(d.drop_off, &state.projection),
            courier_id: order.courier().map(|c: CourierId| c.0),
            placed_at: d.placed_at.0,
        });
    }
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
    Ok(Json(LiveMap {
        couriers,
        orders,
        zones,
    }))
}

/// Why order `order_id` was offered to its courier: the latest decision
/// about it (404 when no offer was made yet).
#[utoipa::path(get, path = "/admin/orders/{order_id}/dispatch", tag = "admin",
    security(("bearer" = [])),
    params(("order_id" = u64, Path, description = "The order")),
    responses(
        (status = 200, description = "The dispatch decision", body = DecisionOut),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such order, or no offer made for it yet", body = ErrorBody),
    ))]
async fn dispatch_decision(
    State(state): State<AppState>,
    _admin: Authed<Admin>,
    Path(order_id): Path<u64>,
) -> Result<Json<DecisionOut>, ApiError> {
    let id = OrderId(order_id);
    let zone = state.engines.zone_of_order(&state.store, id).await?;
    // The zone's dispatcher knows its latest decisions; a zone run on
    // another node answers from the store, where every decision is kept.
    let decision = match state.engines.local_engine(&zone) {
        Some(engine) => engine.explain(id).await?,
        None => state.store.decision_of(id).await?,
    }
    .ok_or(ApiError::NotFound("dispatch decision"))?;
    Ok(Json((&decision).into()))
}
