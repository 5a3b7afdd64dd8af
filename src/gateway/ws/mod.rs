//! The WebSocket gateways: customers tracking their order
//! ([`track`]), chefs' kitchen feeds ([`chef`]) and couriers' apps
//! ([`courier`]), over one connection
//! driver ([`session`]) with the checks every upgrade makes ([`upgrade`])
//! and the messages of protocol version 1 ([`messages`]).

pub mod chef;
pub mod courier;
pub mod messages;
pub mod session;
pub mod track;
pub mod upgrade;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::state::AppState;
use chef::__path_chef_feed;
use chef::chef_feed;
use courier::__path_courier_feed;
use courier::courier_feed;
use track::__path_track;
use track::track;

/// The WebSocket routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(track))
        .routes(routes!(chef_feed))
        .routes(routes!(courier_feed))
}
