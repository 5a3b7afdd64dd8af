//! The courier's ETA to pickup, for the kitchen's tablet. While a courier
//! is assigned to an order and has not picked it up, a watch follows the
//! courier's positions on the order's topic and tells the kitchen's topic
//! when the courier is expected at the restaurant ([`Update::PickupEta`],
//! from the engine's [`EtaModel`]), at the first position and then whenever
//! the estimate moves by [`ETA_STEP`] or more. The order's reactions start
//! a watch at assignment (and when an order is rebuilt with its courier)
//! and stop it at pickup, unassignment or the order's end.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds};
use tokio::task::AbortHandle;

use crate::clock::Clock;
use crate::eta::EtaModel;
use crate::tracking::{Topic, TrackingHub, Update};

/// How far the estimate moves before the kitchen hears it again.
pub const ETA_STEP: Seconds = Seconds(30);

/// What one watch follows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pickup {
    /// The order.
    pub order: OrderId,
    /// Its kitchen.
    pub kitchen: RestaurantId,
    /// Where the kitchen is.
    pub at: Point,
    /// The courier assigned.
    pub courier: CourierId,
}

/// The running watches, one per order at most.
#[derive(Debug)]
pub struct PickupWatches {
    hub: Arc<TrackingHub>,
    eta: EtaModel,
    clock: Clock,
    running: Mutex<HashMap<OrderId, AbortHandle>>,
}

impl PickupWatches {
    /// Watches publishing on `hub`, estimating with `eta` on `clock`.
    pub fn new(hub: Arc<TrackingHub>, eta: EtaModel, clock: Clock) -> Self {
        Self {
            hub,
            eta,
            clock,
            running: Mutex::new(HashMap::new()),
        }
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<OrderId, AbortHandle>> {
        // Each change is one insert or remove: a poisoned lock holds whole data.
        self.running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts watching `pickup` (replacing a watch of the same order). Must
    /// run on a tokio runtime.
    pub fn start(&self, pickup: Pickup) {
        // Subscribed before this returns: no position published after the
        // assignment is missed.
        let positions = self.hub.subscribe(Topic::Order(pickup.order));
        let hub = self.hub.clone();
        let eta = self.eta.clone();
        let clock = self.clock;
        let task = tokio::spawn(async move {
            let mut told: Option<Seconds> = None;
            while let Ok(update) = positions.recv().await {
                let Update::Position { courier, at, .. } = update else {
                    continue;
                };
                if courier != pickup.courier {
                    continue;
                }
                let Some(expected) = eta.to_pickup(clock.now(), at, pickup.at) else {
                    continue;
                };
                if told.is_some_and(|t| (expected - t).0.abs() < ETA_STEP.0) {
                    continue;
                }
                told = Some(expected);
                hub.publish(
                    Topic::Kitchen(pickup.kitchen),
                    &Update::PickupEta {
                        order: pickup.order,
                        courier,
                        eta: expected,
                    },
                );
            }
        });
        if let Some(previous) = self.running().insert(pickup.order, task.abort_handle()) {
            previous.abort();
        }
    }

    /// Stops watching `order`'s pickup, if watched.
    pub fn stop(&self, order: OrderId) {
        if let Some(watch) = self.running().remove(&order) {
            watch.abort();
        }
    }

    /// Orders watched now.
    pub fn watched(&self) -> usize {
        self.running().len()
    }
}
