//! What every order actor shares: the store, the tracking hub, the clock,
//! the census, the registry, and who hears about recorded events.

use std::sync::{Arc, OnceLock};

use crate::clock::Clock;
use crate::orders::{OrderCensus, OrderRegistry};
use crate::outbox::OutboxRelay;
use crate::payments::PaymentSaga;
use crate::reactions::OrderReactions;
use crate::store::OrderStore;
use crate::tracking::TrackingHub;

/// Shared services, handed to each actor when it starts.
pub struct EngineContext {
    /// Durable order streams and read models.
    pub store: Arc<dyn OrderStore>,
    /// Live updates to subscribers.
    pub hub: Arc<TrackingHub>,
    /// Engine time.
    pub clock: Clock,
    /// Live orders by status (the `foodiefast_orders` gauge).
    pub census: OrderCensus,
    /// Which actor runs which order; where idle orders go to sleep.
    pub registry: Arc<OrderRegistry>,
    /// Who hears about recorded events (set once the other actors run).
    pub reactions: OnceLock<Arc<dyn OrderReactions>>,
    /// Who takes orders' payment steps to the provider (unset: the engine
    /// handles no payments, as in replays).
    pub payments: OnceLock<Arc<PaymentSaga>>,
    /// The outbox relay, when the store keeps an outbox: it publishes
    /// recorded events instead of the order actors.
    pub outbox: OnceLock<OutboxRelay>,
}

impl EngineContext {
    /// Has the payment saga start whatever `order` waits on from it.
    pub fn drive_payments(&self, order: &crate::domain::order::Order) {
        if let Some(saga) = self.payments.get() {
            saga.drive(order);
        }
    }
}

impl std::fmt::Debug for EngineContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineContext")
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}
