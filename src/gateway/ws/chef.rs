//! `/ws/chef`: a chef's tablet receives every event of its kitchen's
//! orders: new orders (with their lines), cancellations, and the courier's
//! planned pickup once one is assigned.

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use foodiefast_actors::tracking::{Topic, Update};

use super::messages::{Audience, ServerMsg, status_msg};
use super::session::{self, Feed, ListenOnly, Step};
use super::upgrade::{WsParams, check_origin, configure, principal};
use crate::gateway::auth::{Authed, Chef};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::Query;
use crate::gateway::routes::kitchens::kitchen_of;
use crate::gateway::state::AppState;

/// The chef's live feed of their kitchen's orders.
#[utoipa::path(get, path = "/ws/chef", tag = "live", params(WsParams),
    responses(
        (status = 101, description = "WebSocket: see docs/protocol.md"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not a chef, or origin not allowed", body = ErrorBody),
        (status = 404, description = "The chef has no kitchen yet", body = ErrorBody),
        (status = 426, description = "Not a WebSocket upgrade", body = ErrorBody),
    ))]
pub(crate) async fn chef_feed(
    State(state): State<AppState>,
    Query(params): Query<WsParams>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    check_origin(&state, &headers)?;
    let chef = Authed::<Chef>::admit(principal(&state, &headers, &params)?)?;
    let kitchen = kitchen_of(&state, chef.id).await?;
    let upgrade = configure(upgrade, &state.ws)?;
    let feed = Feed {
        backlog: Vec::new(),
        finished: false,
        subscription: state.engine.hub().subscribe(Topic::Kitchen(kitchen.id)),
        translate: Box::new(|update| match update {
            Update::Status {
                order,
                version,
                event,
            } => Step::Send(ServerMsg::Status(status_msg(
                order,
                version,
                &event,
                Audience::Kitchen,
            ))),
            // Couriers' own feeds never reach a kitchen topic.
            Update::Position { .. } | Update::Courier(_) => Step::Skip,
        }),
    };
    let limits = state.ws;
    Ok(upgrade.on_upgrade(move |socket| session::run(socket, limits, feed, ListenOnly)))
}
