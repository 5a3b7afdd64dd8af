//! The REST resources, one file each, merged here with the WebSocket
//! routes into one router whose OpenAPI document is built alongside it.

pub mod accounts;
pub mod admin;
pub mod couriers;
pub mod earnings;
pub mod health;
pub mod kitchen_orders;
pub mod kitchen_queue;
pub mod kitchens;
pub mod operations;
pub mod orders;
pub mod payments;
pub mod receipts;
pub mod trips;

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use super::openapi::ApiDoc;
use super::state::AppState;
use super::ws;

/// Every route, each documented in the OpenAPI document it carries.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(accounts::router())
        .merge(kitchens::router())
        .merge(orders::router())
        .merge(kitchen_orders::router())
        .merge(kitchen_queue::router())
        .merge(couriers::router())
        .merge(admin::router())
        .merge(operations::router())
        .merge(trips::router())
        .merge(payments::router())
        .merge(receipts::router())
        .merge(earnings::router())
        .merge(ws::router())
}
