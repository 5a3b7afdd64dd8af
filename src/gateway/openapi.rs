//! The OpenAPI 3 document, generated from the handlers' annotations: the
//! routes are registered through `utoipa_axum`, which adds each handler's
//! path to the document as it adds the route, so the two cannot drift
//! apart; a test checks every documented operation is routed.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document's fixed parts; paths and schemas come from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "FoodieFast",
        description = "Real-time dispatch for meal delivery: accounts, kitchens, menus, orders, \
                       live tracking. WebSocket messages are documented in docs/protocol.md."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Probes and metrics"),
        (name = "accounts", description = "Sign-up, log-in, profiles"),
        (name = "kitchens", description = "Kitchens and menus"),
        (name = "orders", description = "Customers' orders"),
        (name = "kitchen orders", description = "Chefs' answers to orders"),
        (name = "couriers", description = "Couriers' shifts"),
        (name = "admin", description = "Operators"),
        (name = "live", description = "WebSocket feeds"),
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` scheme the operations name.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
