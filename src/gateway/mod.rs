//! The gateway: REST (axum, JSON) and WebSocket feeds in front of the
//! actor engine, with JWT auth, Prometheus metrics and an OpenAPI document.
//!
//! - [`App`]: builds everything from a [`ServeConfig`], binds (port 0 in
//!   tests: [`App::local_addr`] says which port) and serves until stopped;
//! - [`routes`]: one file per REST resource; [`ws`]: the WebSocket feeds;
//! - [`web`]: the web clients, embedded, and their map settings;
//! - [`delivery_pin`]: proof of delivery; [`live_board`]: couriers'
//!   latest positions for the operations map;
//! - [`auth`]: passwords, tokens, the role-checking extractor;
//! - [`error`]: every failure as a status and a `{"code","message"}` body;
//! - [`engines`]: where commands run: the one engine, or a cluster's zones;
//! - [`state`], [`extract`], [`position`], [`validate`], [`metrics`],
//!   [`openapi`], [`telemetry`]: what the handlers share.

pub mod auth;
pub mod delivery_pin;
pub mod engines;
pub mod error;
pub mod extract;
pub mod kitchen_doors;
pub mod live_board;
pub mod metrics;
pub mod openapi;
pub mod placement;
pub mod position;
pub mod routes;
pub mod state;
pub mod telemetry;
pub mod validate;
pub mod web;
pub mod ws;

use std::collections::HashSet;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Json, Router};
use foodiefast_actors::clock::Clock;
use foodiefast_actors::dispatch::DispatchParams;
use foodiefast_actors::outbox::{EventSink, SinkRetry};
use foodiefast_actors::payments::SagaConfig;
use foodiefast_actors::store::StoreError;
use foodiefast_actors::tracking::TrackingHub;
use foodiefast_actors::{Engine, EngineBuilder, EngineConfig, EngineError, RecoveryFilter};
use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{LocalProjection, RestaurantId, Seconds, ZoneGrid};
use tokio::net::TcpListener;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::catalog::Kitchen;
use crate::cluster::config::ClusterConfig;
use crate::cluster::node::{ClusterNode, NodeSetup};
use crate::cluster::zone_host::EngineFactory;
use crate::config::ServeConfig;
use crate::store::Store;
use crate::webhooks::WebhookSink;
use auth::TokenKeys;
use auth::tokens::unix_now;
use engines::Engines;
use kitchen_doors::DoorRules;
use state::{AppState, Shared};

/// Largest request body accepted: requests here are small JSON documents.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// Minutes a courier spends at the restaurant and at the door (the
/// engine's default, in dispatch plans).
const SERVICE_TIME: Seconds = Seconds::from_minutes(4);

/// Why the gateway could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The store could not be opened or migrated.
    #[error("cannot open the store")]
    Store(#[from] StoreError),
    /// The engine could not start (recovery failed).
    #[error("cannot start the engine")]
    Engine(#[from] EngineError),
    /// The kitchens could not be opened in the engine.
    #[error("cannot open the kitchens")]
    Kitchens(#[source] error::ApiError),
    /// The payment provider cannot be set up.
    #[error("cannot set up the payment provider")]
    Payments(#[source] crate::payments::PaymentError),
    /// The cluster could not be joined.
    #[error("cannot join the cluster")]
    Cluster(#[source] crate::cluster::node::ClusterError),
    /// The webhook's HTTP client cannot be set up.
    #[error("cannot set up the webhook")]
    Webhook(#[source] reqwest::Error),
    /// The city centre cannot be the origin of a projection.
    #[error("CITY_CENTRE is unusable: {0}")]
    City(foodiefast_geo::GeoError),
    /// The configured address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("the server failed")]
    Serve(#[source] std::io::Error),
}

/// A built gateway, bound to its port, not yet serving.
#[derive(Debug)]
pub struct App {
    listener: TcpListener,
    router: Router,
    state: AppState,
    grace: Duration,
    sweeper: kitchen_doors::Sweeper,
}

impl App {
    /// Opens the store, starts the engine (recovering unfinished orders)
    /// or joins the cluster, builds the routes and binds the port.
    pub async fn build(config: &ServeConfig) -> Result<Self, GatewayError> {
        let store = Store::open(&config.store).await?;
        let projection = LocalProjection::new(config.city_centre).map_err(GatewayError::City)?;
        let parts = Arc::new(EngineParts::new(config, &store)?);
        let sink = match &config.webhook {
            Some(webhook) => {
                let sink = WebhookSink::new(webhook).map_err(GatewayError::Webhook)?;
                tracing::info!(url = %webhook.url, "order events go to the webhook");
                Some((Arc::new(sink) as Arc<dyn EventSink>, webhook.retry))
            }
            None => None,
        };
        let rules = DoorRules {
            projection,
            utc_offset_minutes: config.utc_offset_minutes,
            kitchen_answer: config.kitchen_answer,
        };
        let engines = match &config.cluster {
            None => {
                let mut builder = parts.builder().outbox(Arc::new(store.clone()));
                if let Some((sink, retry)) = sink {
                    builder = builder.event_sink(sink, retry);
                }
                Engines::One(Arc::new(builder.start().await?))
            }
            Some(cluster) => {
                let node = join_cluster(cluster, &parts, &store, rules, sink).await?;
                Engines::Cluster(Arc::new(node))
            }
        };
        let state = AppState::new(Shared {
            engines,
            store,
            tokens: TokenKeys::new(&config.jwt),
            projection,
            utc_offset_minutes: config.utc_offset_minutes,
            kitchen_answer: config.kitchen_answer,
            pay: config.pay,
            currency: config.currency.clone(),
            ws: config.ws,
            allowed_origins: config
                .allowed_origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok())
                .collect(),
            metrics: metrics::prometheus(),
        });
        // Kitchens first, so that orders handed on find their kitchen's actor.
        let kitchens = kitchen_doors::sync_all(&state)
            .await
            .map_err(GatewayError::Kitchens)?;
        let mut recovered = 0;
        let mut handed_on = 0;
        for (_, engine) in state.engines.local() {
            recovered += engine.recovered();
            handed_on += placement::resume_unfinished(&engine).await;
        }
        tracing::info!(recovered, kitchens, handed_on, "engine started");
        let addr = SocketAddr::new(config.bind, config.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| GatewayError::Bind { addr, source })?;
        Ok(Self {
            router: router(state.clone()),
            listener,
            sweeper: kitchen_doors::Sweeper::start(state.clone()),
            state,
            grace: config.shutdown_grace,
        })
    }

    /// The address actually bound (the port chosen when configured as 0).
    pub fn local_addr(&self) -> Result<SocketAddr, GatewayError> {
        self.listener.local_addr().map_err(GatewayError::Serve)
    }

    /// The handlers' state (tests drive the engine through it).
    pub const fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then shuts down gracefully:
    /// readiness goes false, WebSocket clients are told to reconnect (1012),
    /// new connections are refused, requests in flight finish (within the
    /// grace period), the engine stops and the store closes.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), GatewayError> {
        let Self {
            listener,
            router,
            state,
            grace,
            sweeper,
        } = self;
        let (began_tx, began_rx) = tokio::sync::oneshot::channel::<()>();
        let signal_state = state.clone();
        let signal = async move {
            shutdown.await;
            tracing::info!("shutting down: readiness off, live feeds closing");
            signal_state.stop_ready();
            signal_state.engines.hub().shutdown();
            let _ = began_tx.send(());
        };
        // Nagle off: live feeds are streams of small frames each worth
        // sending at once, and Nagle holds one back until the last is
        // acknowledged (with the peer's delayed ACK, tens of milliseconds).
        let listener = listener.tap_io(no_delay);
        let server = axum::serve(listener, router)
            .with_graceful_shutdown(signal)
            .into_future();
        let deadline = async move {
            if began_rx.await.is_ok() {
                tokio::time::sleep(grace).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        let outcome = tokio::select! {
            result = server => result.map_err(GatewayError::Serve),
            () = deadline => {
                tracing::warn!(?grace, "grace period over; dropping remaining connections");
                Ok(())
            }
        };
        sweeper.stop().await;
        let store = state.store.clone();
        let engines = state.engines.clone();
        drop(state);
        match engines {
            Engines::One(engine) => match Arc::try_unwrap(engine) {
                Ok(engine) => engine.shutdown().await,
                // Handlers still hold it: their actors stop with the process.
                Err(engine) => engine.hub().shutdown(),
            },
            // Its zones are freed for the other nodes at once.
            Engines::Cluster(node) => node.leave().await,
        }
        store.close().await;
        tracing::info!("stopped");
        outcome
    }
}

/// What every engine of this process is built from.
struct EngineParts {
    store: Store,
    clock: Clock,
    config: EngineConfig,
    dispatch: DispatchParams,
    provider: Arc<dyn foodiefast_actors::payments::PaymentProvider>,
    saga: SagaConfig,
}

impl EngineParts {
    fn new(config: &ServeConfig, store: &Store) -> Result<Self, GatewayError> {
        let now = Seconds(i64::try_from(unix_now()).unwrap_or(i64::MAX));
        let timing = config.dispatch;
        let mut dispatch = DispatchParams::new(
            ServiceTimes::new(SERVICE_TIME, SERVICE_TIME).map_err(EngineError::from)?,
        );
        dispatch.commit_horizon = timing.commit_horizon;
        dispatch.offer_timeout = timing.offer_timeout;
        let provider = config.payments.provider().map_err(GatewayError::Payments)?;
        tracing::info!(provider = %config.payments.describe(), "payments");
        Ok(Self {
            store: store.clone(),
            clock: Clock::starting_at(now),
            config: EngineConfig {
                dispatch_period: timing.period,
                early_round_delay: timing.early_round_delay,
                ..EngineConfig::default()
            },
            dispatch,
            provider,
            saga: SagaConfig {
                currency: config.currency.clone(),
                courier_timeout: Some(config.courier_search_timeout),
                ..SagaConfig::default()
            },
        })
    }

    /// An engine builder with every common part set.
    fn builder(&self) -> EngineBuilder {
        Engine::builder(Arc::new(self.store.clone()), self.clock)
            .config(self.config)
            .dispatch(self.dispatch)
            .payments(self.provider.clone(), self.saga.clone())
    }
}

/// Joins the cluster: each zone this node comes to own gets an engine that
/// shares the node's hub, rehydrates only the orders picked up in the zone,
/// opens the zone's kitchens and hands on orders a crash left short of them.
async fn join_cluster(
    cluster: &ClusterConfig,
    parts: &Arc<EngineParts>,
    store: &Store,
    rules: DoorRules,
    sink: Option<(Arc<dyn EventSink>, SinkRetry)>,
) -> Result<ClusterNode, GatewayError> {
    let grid = ZoneGrid::new(cluster.zone_resolution).map_err(GatewayError::City)?;
    let hub = Arc::new(TrackingHub::new(parts.config.subscriber_capacity));
    let eta = parts.builder().eta_model()?;
    let factory_parts = parts.clone();
    let factory_hub = hub.clone();
    let factory: EngineFactory = Arc::new(move |zone: String| {
        let parts = factory_parts.clone();
        let hub = factory_hub.clone();
        Box::pin(async move {
            let kitchens: Vec<Kitchen> = parts
                .store
                .kitchens()
                .await?
                .into_iter()
                .filter(|k| {
                    grid.zone_of(k.details.position)
                        .is_ok_and(|c| c.to_string() == zone)
                })
                .collect();
            let ids: HashSet<RestaurantId> = kitchens.iter().map(|k| k.id).collect();
            let engine = parts
                .builder()
                .hub(hub)
                .recover_only(RecoveryFilter(Arc::new(move |kitchen| {
                    ids.contains(&kitchen)
                })))
                .start()
                .await?;
            kitchen_doors::open_zone(&engine, &rules, &kitchens, parts.clock.now()).await;
            placement::resume_unfinished(&engine).await;
            Ok(engine)
        })
    });
    let node = ClusterNode::start(NodeSetup {
        config: cluster.clone(),
        store: store.clone(),
        hub,
        clock: parts.clock,
        eta,
        factory,
        sink,
    })
    .await
    .map_err(GatewayError::Cluster)?;
    Ok(node)
}

/// The complete router for `state`: documented routes, `/openapi.json`,
/// JSON errors for unknown routes and methods, CORS, body limit, request
/// metrics and traces.
pub fn router(state: AppState) -> Router {
    let (api, doc) = routes::api().split_for_parts();
    let doc = Arc::new(doc);
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(state.allowed_origins.clone()))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static(routes::orders::IDEMPOTENCY_KEY),
        ]);
    api.route(
        "/openapi.json",
        get(move || {
            let doc = doc.clone();
            async move { Json(doc.as_ref().clone()) }
        }),
    )
    .route("/web/config", get(web::config))
    .fallback(web::serve_or_no_route)
    .method_not_allowed_fallback(error::method_not_allowed)
    .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
    .layer(axum::middleware::from_fn(metrics::track_requests))
    .layer(cors)
    .layer(TraceLayer::new_for_http())
    .with_state(state)
}

/// Resolves on SIGTERM or ctrl-c.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// Turns Nagle off on an accepted connection.
fn no_delay(tcp: &mut tokio::net::TcpStream) {
    if let Err(err) = tcp.set_nodelay(true) {
        tracing::debug!(%err, "cannot turn Nagle off on a connection");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_connections_send_small_frames_at_once() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let _client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut accepted, _) = listener.accept().await.unwrap();
        assert!(!accepted.nodelay().unwrap(), "Nagle is on by default");
        no_delay(&mut accepted);
        assert!(accepted.nodelay().unwrap());
    }
}
