//! [`AppState`]: what every handler shares: the engines, the store, the
//! token keys, the city's projection, limits and the readiness switch.

use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::http::HeaderValue;
use foodiefast_geo::{LocalProjection, Seconds};
use metrics_exporter_prometheus::PrometheusHandle;

use super::auth::TokenKeys;
use super::delivery_pin::PinAttempts;
use super::engines::Engines;
use super::live_board::LiveBoard;
use crate::config::WsLimits;
use crate::earnings::PayRates;
use crate::store::Store;

/// Shared, cheaply cloned handler state.
#[derive(Debug, Clone)]
pub struct AppState {
    shared: Arc<Shared>,
    ready: Arc<AtomicBool>,
    live: Arc<LiveState>,
}

/// What the gateway itself tracks as it runs (not configuration).
#[derive(Debug, Default)]
pub struct LiveState {
    /// Couriers' latest positions, for the operations map.
    pub board: LiveBoard,
    /// Wrong delivery PINs per order.
    pub pin_attempts: PinAttempts,
}

/// The contents of [`AppState`].
#[derive(Debug)]
pub struct Shared {
    /// The actor engines: one, or a cluster's zones.
    pub engines: Engines,
    /// Accounts, kitchens, menus, idempotency keys, order views.
    pub store: Store,
    /// Token signing and checking.
    pub tokens: TokenKeys,
    /// WGS84 at the edge, planar metres inside the engine.
    pub projection: LocalProjection,
    /// The city's offset from UTC, minutes (opening hours).
    pub utc_offset_minutes: i32,
    /// How long a chef has to answer a new order.
    pub kitchen_answer: Seconds,
    /// Couriers' and kitchens' pay.
    pub pay: PayRates,
    /// Every order's currency, ISO 4217, lower case.
    pub currency: String,
    /// WebSocket limits.
    pub ws: WsLimits,
    /// Origins allowed to open WebSockets.
    pub allowed_origins: Vec<HeaderValue>,
    /// Renders the metrics registry.
    pub metrics: PrometheusHandle,
}

impl AppState {
    /// The state of a starting gateway: ready.
    pub fn new(shared: Shared) -> Self {
        Self {
            shared: Arc::new(shared),
            ready: Arc::new(AtomicBool::new(true)),
            live: Arc::default(),
        }
    }

    /// The gateway's live state (positions board, PIN attempts).
    pub fn live(&self) -> &LiveState {
        &self.live
    }

    /// Whether the gateway takes traffic (false once shutdown began).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Stops reporting ready: the first step of a graceful shutdown.
    pub fn stop_ready(&self) {
        self.ready.store(false, Ordering::Release);
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
}
