//! The orders each courier carries, kept beside the courier actors so that
//! a courier actor restarted after a failure resumes its trip. The courier
//! read model records status, position and shift, not the trip; the trip's
//! durable record is the orders' own logs (each names its courier).

use std::collections::HashMap;
use std::sync::Mutex;

use foodiefast_geo::{CourierId, OrderId};

/// Orders carried, by courier.
#[derive(Debug, Default)]
pub struct TripLedger {
    trips: Mutex<HashMap<CourierId, Vec<OrderId>>>,
}

impl TripLedger {
    fn trips(&self) -> std::sync::MutexGuard<'_, HashMap<CourierId, Vec<OrderId>>> {
        // Each update is a single insert or remove: a poisoned lock holds whole data.
        self.trips
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `courier` now carries `orders` (none: forgotten).
    pub fn record(&self, courier: CourierId, orders: &[OrderId]) {
        let mut trips = self.trips();
        if orders.is_empty() {
            trips.remove(&courier);
        } else {
            trips.insert(courier, orders.to_vec());
        }
    }

    /// What `courier` carries.
    pub fn carried_by(&self, courier: CourierId) -> Vec<OrderId> {
        self.trips().get(&courier).cloned().unwrap_or_default()
    }
}
