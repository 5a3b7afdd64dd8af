//! Probes and telemetry: `/startupz` (recovery is over), `/healthz` (the
//! process answers), `/readyz` (the store answers, every actor supervisor
//! runs and shutdown has not begun), `/metrics` (Prometheus text).

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
        .routes(routes!(startupz))
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
}

/// Start-up: the port is bound only once the engine has rehydrated every
/// unfinished order, so any answer means recovery is over. A separate probe
/// lets a long recovery at a peak run without liveness restarting the pod.
#[utoipa::path(get, path = "/startupz", tag = "operations",
    responses((status = 200, description = "Recovery is over", body = Probe)))]
async fn startupz() -> Json<Probe> {
    Json(Probe { status: "started" })
}

/// Liveness: the process serves requests.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Alive", body = Probe)))]
async fn healthz() -> Json<Probe> {
    Json(Probe { status: "ok" })
}

/// Readiness: the store answers, the actors' supervisors run and the
/// gateway is not shutting down.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready for traffic", body = Probe),
        (status = 503, description = "Shutting down, actors down or the store is unreachable", body = Probe),
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
    if !state.engines.is_healthy() {
        // A supervisor gave up (restart intensity exceeded): stop taking
        // traffic and let the orchestrator replace the pod.
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Probe {
                status: "actors_down",
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
    metrics::gauge!("foodiefast_live_orders").set(state.engines.live_orders() as f64);
    // The autoscaler's backlog signal: orders waiting for a courier here.
    let waiting: usize = state
        .engines
        .zone_loads()
        .await
        .iter()
        .map(|(_, load)| load.waiting)
        .sum();
    metrics::gauge!("foodiefast_dispatch_waiting_orders").set(waiting as f64);
    state.metrics.run_upkeep();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
