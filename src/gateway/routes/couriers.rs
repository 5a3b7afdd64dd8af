//! A courier's shift over REST: go online (where, and until when), go
//! offline, and one's own status. The courier is always the caller: its id
//! is the token's subject, so no courier can act for another.

use axum::Json;
use axum::extract::State;
use foodiefast_geo::{CourierId, Seconds};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::gateway::auth::{Authed, Courier};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::Body;
use crate::gateway::position::Position;
use crate::gateway::state::AppState;

/// Shift length when the app names no end.
const DEFAULT_SHIFT: Seconds = Seconds::from_minutes(8 * 60);
/// Longest shift accepted.
const MAX_SHIFT: Seconds = Seconds::from_minutes(24 * 60);

/// The courier routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(go_online))
        .routes(routes!(go_offline))
        .routes(routes!(courier_status))
}

/// The start of a shift.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoOnline {
    /// Where the courier is.
    pub position: Position,
    /// When the shift ends, Unix seconds: after now, within 24 hours
    /// (default: 8 hours from now).
    pub shift_end: Option<i64>,
}

/// What a courier is doing.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CourierOut {
    /// The courier (its account id).
    pub id: u64,
    /// `offline`, `idle`, `offered`, `heading_to_pickup`,
    /// `waiting_at_restaurant` or `delivering`.
    pub status: String,
    /// Orders held (accepted, not yet delivered), in drop-off order.
    pub order_ids: Vec<u64>,
}

/// The courier's status and orders as the engine knows them; a courier
/// not online is `offline` with no orders.
pub(crate) async fn courier_out(state: &AppState, id: CourierId) -> Result<CourierOut, ApiError> {
    let offline = || CourierOut {
        id: id.0,
        status: "offline".to_owned(),
        order_ids: Vec::new(),
    };
    let Some(zone) = state.engines.courier_zone(id).await? else {
        return Ok(offline());
    };
    let (status, orders) = match state.engines.courier_status(&zone, id).await {
        Ok(status) => (status, state.engines.courier_orders(&zone, id).await?),
        Err(err) if err.code() == ApiError::NotOnline.code() => return Ok(offline()),
        Err(other) => return Err(other),
    };
    Ok(CourierOut {
        id: id.0,
        status: status.as_str().to_owned(),
        order_ids: orders.into_iter().map(|o| o.0).collect(),
    })
}

/// Starts the caller's shift: the courier becomes free for offers.
#[utoipa::path(post, path = "/couriers/me/online", tag = "couriers",
    security(("bearer" = [])), request_body = GoOnline,
    responses(
        (status = 200, description = "Online", body = CourierOut),
        (status = 403, description = "Not a courier", body = ErrorBody),
        (status = 409, description = "Already on a trip", body = ErrorBody),
        (status = 422, description = "Position or shift end out of range", body = ErrorBody),
    ))]
async fn go_online(
    State(state): State<AppState>,
    courier: Authed<Courier>,
    Body(request): Body<GoOnline>,
) -> Result<Json<CourierOut>, ApiError> {
    let at = request.position.to_point(&state.projection)?;
    let now = state.engines.clock().now();
    let shift_end = match request.shift_end {
        None => now + DEFAULT_SHIFT,
        Some(end) if end > now.0 && end <= (now + MAX_SHIFT).0 => Seconds(end),
        Some(_) => {
            return Err(ApiError::InvalidInput(
                "shift_end must be after now and within 24 hours".into(),
            ));
        }
    };
    let id = CourierId(courier.id);
    // A courier already on shift goes on in its zone (going online again
    // must not strand its trip in another); otherwise the shift starts in
    // the zone of where it is.
    let zone = match state.engines.courier_zone(id).await? {
        Some(zone) if state.engines.courier_status(&zone, id).await.is_ok() => zone,
        _ => {
            state
                .engines
                .start_shift_zone(id, request.position.to_lat_lng()?)
                .await?
        }
    };
    state
        .engines
        .courier_online(&zone, id, at, shift_end)
        .await?;
    state.live().board.moved(id, at);
    tracing::info!(courier = %id, "courier online");
    Ok(Json(courier_out(&state, id).await?))
}

/// Ends the caller's shift; orders not picked up go back to dispatch.
/// Refused while food is on board.
#[utoipa::path(post, path = "/couriers/me/offline", tag = "couriers",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Offline", body = CourierOut),
        (status = 403, description = "Not a courier", body = ErrorBody),
        (status = 409, description = "Food on board", body = ErrorBody),
    ))]
async fn go_offline(
    State(state): State<AppState>,
    courier: Authed<Courier>,
) -> Result<Json<CourierOut>, ApiError> {
    let id = CourierId(courier.id);
    let zone = state
        .engines
        .courier_zone(id)
        .await?
        .ok_or(ApiError::NotOnline)?;
    state.engines.courier_offline(&zone, id).await?;
    state.live().board.gone(id);
    tracing::info!(courier = %id, "courier offline");
    Ok(Json(courier_out(&state, id).await?))
}

/// The caller's status and the orders it holds.
#[utoipa::path(get, path = "/couriers/me", tag = "couriers",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The courier's status", body = CourierOut),
        (status = 403, description = "Not a courier", body = ErrorBody),
    ))]
async fn courier_status(
    State(state): State<AppState>,
    courier: Authed<Courier>,
) -> Result<Json<CourierOut>, ApiError> {
    Ok(Json(courier_out(&state, CourierId(courier.id)).await?))
}
