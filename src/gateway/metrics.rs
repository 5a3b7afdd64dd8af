//! The Prometheus exporter: one recorder per process, installed on first
//! use, rendering everything the `metrics` crate records (the engine's
//! counters, gauges and histograms, and the gateway's request counts).

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

/// The process's metrics handle; installs the recorder the first time.
/// A recorder installed earlier by someone else is left alone: this handle
/// then renders only its own (empty) registry.
pub fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            // Only an empty bucket list is refused, and none above is empty.
            let builder = with_buckets(PrometheusBuilder::new()).unwrap_or_else(|err| {
                tracing::warn!(error = %err, "histograms fall back to summaries");
                PrometheusBuilder::new()
            });
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed; /metrics will be empty");
            }
            handle
        })
        .clone()
}

/// Histograms as buckets (not summaries), so that Prometheus can aggregate
/// quantiles across pods: the rollout analysis reads the matching round's
/// p99 over every pod of a version.
fn with_buckets(builder: PrometheusBuilder) -> Result<PrometheusBuilder, BuildError> {
    const SECONDS: &[f64] = &[
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ];
    // Ready-to-pickup is minutes, not milliseconds.
    const WAITS: &[f64] = &[0.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0];
    let buckets = [
        ("foodiefast_matching_round_seconds", SECONDS),
        ("foodiefast_http_request_seconds", SECONDS),
        ("foodiefast_ready_to_pickup_seconds", WAITS),
    ];
    buckets
        .into_iter()
        .try_fold(builder, |builder, (name, bounds)| {
            builder.set_buckets_for_metric(Matcher::Full(name.to_owned()), bounds)
        })
}

/// Middleware counting requests and their latency per route and status.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(
        "foodiefast_http_requests_total",
        "method" => method.clone(), "route" => route.clone(), "status" => status
    )
    .increment(1);
    metrics::histogram!("foodiefast_http_request_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}
