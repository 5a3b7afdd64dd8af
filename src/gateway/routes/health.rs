//! Probes and telemetry: `/healthz` (the process answers), `/readyz` (the
//! store answers and shutdown has not begun), `/metrics` (Prometheus text).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::gateway::state::AppState;

/// A probe's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Probe {
    /// `ok`, or what is wrong.
    pub status: &'static str,
}

/// The probes' routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
}

/// Liveness: the process serves requests.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Alive", body = Probe)))]
async fn healthz() -> Json<Probe> {
    Json(Probe { status: "ok" })
}

/// Readiness: the store answers and the gateway is not shutting down.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready for traffic", body = Probe),
        (status = 503, description = "Shutting down or the store is unreachable", body = Probe),
    ))]
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Probe>) {
    if !state.is_ready() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Probe {
                status: "shutting_down",
            }),
        );
    }
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(Probe { status: "ok" })),
        Err(err) => {
            tracing::warn!(error = %err, "readiness: the store does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Probe {
                    status: "store_unreachable",
                }),
            )
        }
    }
}

/// The metrics registry in Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    // Read at scrape time: the registry of live actors keeps no metric itself.
    metrics::gauge!("foodiefast_live_orders").set(state.engine.live_orders() as f64);
    state.metrics.run_upkeep();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
