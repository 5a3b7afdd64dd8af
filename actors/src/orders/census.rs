//! How many live orders stand in each status, kept as order actors start,
//! move and stop, and exported as the `foodiefast_orders{status}` gauge.

use std::collections::HashMap;
use std::sync::Mutex;

use foodiefast_geo::OrderId;

use crate::domain::order::OrderStatus;

#[derive(Debug, Default)]
struct Counts {
    status_of: HashMap<OrderId, OrderStatus>,
    by_status: HashMap<OrderStatus, usize>,
}

/// Live orders by status.
#[derive(Debug, Default)]
pub struct OrderCensus {
    counts: Mutex<Counts>,
}

impl OrderCensus {
    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        // Each update completes under the lock; a poisoned lock holds whole data.
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `order` (live) now stands in `status`.
    pub fn set(&self, order: OrderId, status: OrderStatus) {
        let mut c = self.counts();
        let before = c.status_of.insert(order, status);
        if before == Some(status) {
            return;
        }
        if let Some(old) = before {
            let n = c.by_status.entry(old).or_default();
            *n = n.saturating_sub(1);
            export(old, *n);
        }
        let n = c.by_status.entry(status).or_default();
        *n += 1;
        export(status, *n);
    }

    /// `order`'s actor stopped (finished, failed, or the engine shut down).
    pub fn leave(&self, order: OrderId) {
        let mut c = self.counts();
        if let Some(old) = c.status_of.remove(&order) {
            let n = c.by_status.entry(old).or_default();
            *n = n.saturating_sub(1);
            export(old, *n);
        }
    }

    /// Live orders in `status`.
    pub fn count(&self, status: OrderStatus) -> usize {
        self.counts().by_status.get(&status).copied().unwrap_or(0)
    }

    /// The live orders in `status`.
    pub fn in_status(&self, status: OrderStatus) -> Vec<OrderId> {
        self.counts()
            .status_of
            .iter()
            .filter(|&(_, &s)| s == status)
            .map(|(&id, _)| id)
            .collect()
    }
}

fn export(status: OrderStatus, count: usize) {
    metrics::gauge!("foodiefast_orders", "status" => status.as_str()).set(count as f64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_are_counted_once_in_their_current_status() {
        let census = OrderCensus::default();
        census.set(OrderId(1), OrderStatus::Placed);
        census.set(OrderId(2), OrderStatus::Placed);
        census.set(OrderId(1), OrderStatus::PaymentAuthorised);
        census.set(OrderId(1), OrderStatus::PaymentAuthorised);
        assert_eq!(census.count(OrderStatus::Placed), 1);
        assert_eq!(census.count(OrderStatus::PaymentAuthorised), 1);
        assert_eq!(census.in_status(OrderStatus::Placed), vec![OrderId(2)]);
        census.leave(OrderId(1));
        census.leave(OrderId(1));
        assert_eq!(census.count(OrderStatus::PaymentAuthorised), 0);
        assert_eq!(census.count(OrderStatus::Placed), 1);
    }
}
