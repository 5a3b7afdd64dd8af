//! The orders each courier carries, kept beside the courier actors so that
//! a courier actor restarted after a failure resumes its trip. The courier
//! read model records status, position and shift, not the trip; the trip's
//! durable record is the orders' own logs (each names its courier), from
//! which the engine refills this ledger when the process restarts.

use std::collections::HashMap;
use std::sync::Mutex;

use foodiefast_geo::{CourierId, OrderId};

/// What a courier carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trip {
    /// The orders assigned to it and not yet delivered.
    pub orders: Vec<OrderId>,
    /// Whether their food is on board (picked up).
    pub on_board: bool,
}

impl Trip {
    /// Whether the courier carries nothing.
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }
}

/// Orders carried, by courier.
#[derive(Debug, Default)]
pub struct TripLedger {
    trips: Mutex<HashMap<CourierId, Trip>>,
}

impl TripLedger {
    fn trips(&self) -> std::sync::MutexGuard<'_, HashMap<CourierId, Trip>> {
        // Each update is a single insert or remove: a poisoned lock holds whole data.
        self.trips
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `courier` now carries `trip` (an empty one: forgotten).
    pub fn record(&self, courier: CourierId, trip: Trip) {
        let mut trips = self.trips();
        if trip.is_empty() {
            trips.remove(&courier);
        } else {
            trips.insert(courier, trip);
        }
    }

    /// What `courier` carries.
    pub fn carried_by(&self, courier: CourierId) -> Trip {
        self.trips().get(&courier).cloned().unwrap_or_default()
    }

    /// Every courier carrying something.
    pub fn couriers(&self) -> Vec<CourierId> {
        self.trips().keys().copied().collect()
    }
}
