//! What every order actor shares: the store, the tracking hub, the clock,
//! the census, the registry, and who hears about recorded events.

use std::sync::{Arc, OnceLock};

use crate::clock::Clock;
use crate::orders::{OrderCensus, OrderRegistry};
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
}

impl std::fmt::Debug for EngineContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineContext")
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}
