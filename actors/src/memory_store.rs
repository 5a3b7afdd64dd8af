//! An in-memory [`OrderStore`], [`CourierStore`] and [`DecisionStore`]: the same contract as
//! the database backends (optimistic appends, views updated atomically with
//! their events), without durability. For replays on paused time, where
//! nothing needs to outlive the process, and for the actors' own tests.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use foodiefast_geo::{CourierId, OrderId, RestaurantId};

use crate::dispatch::Decision;
use crate::domain::CustomerId;
use crate::domain::order::OrderEvent;
use crate::store::{CourierStore, CourierView, DecisionStore, OrderStore, OrderView, StoreError};

#[derive(Debug, Default)]
struct Data {
    streams: HashMap<OrderId, Vec<OrderEvent>>,
    views: HashMap<OrderId, OrderView>,
    couriers: HashMap<CourierId, CourierView>,
    decisions: HashMap<OrderId, Decision>,
    next_id: u64,
}

/// Orders and couriers kept in memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    data: Mutex<Data>,
}

impl MemoryStore {
    /// An empty store whose order ids start after `last_used`.
    pub fn new(last_used: u64) -> Self {
        Self {
            data: Mutex::new(Data {
                next_id: last_used,
                ..Data::default()
            }),
        }
    }

    fn data(&self) -> std::sync::MutexGuard<'_, Data> {
        // Every mutation below completes under the lock or not at all.
        self.data
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl OrderStore for MemoryStore {
    async fn append(
        &self,
        order: OrderId,
        expected_version: u64,
        events: &[OrderEvent],
        view: &OrderView,
    ) -> Result<u64, StoreError> {
        let mut data = self.data();
        let stream = data.streams.entry(order).or_default();
        let actual = stream.len() as u64;
        if actual != expected_version {
            return Err(StoreError::Conflict {
                order,
                expected: expected_version,
                actual,
            });
        }
        stream.extend(events.iter().cloned());
        let version = stream.len() as u64;
        data.views.insert(order, view.clone());
        Ok(version)
    }

    async fn load(&self, order: OrderId) -> Result<Vec<OrderEvent>, StoreError> {
        Ok(self.data().streams.get(&order).cloned().unwrap_or_default())
    }

    async fn active_orders(&self) -> Result<Vec<OrderId>, StoreError> {
        let mut active: Vec<OrderId> = self
            .data()
            .views
            .values()
            .filter(|v| v.is_active())
            .map(|v| v.id)
            .collect();
        active.sort();
        Ok(active)
    }

    async fn active_orders_by_kitchen(&self) -> Result<Vec<(OrderId, RestaurantId)>, StoreError> {
        let mut active: Vec<(OrderId, RestaurantId)> = self
            .data()
            .views
            .values()
            .filter(|v| v.is_active())
            .map(|v| (v.id, v.kitchen))
            .collect();
        active.sort();
        Ok(active)
    }

    async fn order_view(&self, order: OrderId) -> Result<Option<OrderView>, StoreError> {
        Ok(self.data().views.get(&order).cloned())
    }

    async fn orders_of_customer(
        &self,
        customer: CustomerId,
        limit: u32,
    ) -> Result<Vec<OrderView>, StoreError> {
        let mut mine: Vec<OrderView> = self
            .data()
            .views
            .values()
            .filter(|v| v.customer == customer)
            .cloned()
            .collect();
        mine.sort_by_key(|v| std::cmp::Reverse((v.placed_at, v.id)));
        mine.truncate(limit as usize);
        Ok(mine)
    }

    async fn next_order_id(&self) -> Result<OrderId, StoreError> {
        let mut data = self.data();
        data.next_id += 1;
        Ok(OrderId(data.next_id))
    }
}

#[async_trait]
impl CourierStore for MemoryStore {
    async fn put_courier(&self, view: &CourierView) -> Result<(), StoreError> {
        self.data().couriers.insert(view.id, view.clone());
        Ok(())
    }

    async fn courier_view(&self, courier: CourierId) -> Result<Option<CourierView>, StoreError> {
        Ok(self.data().couriers.get(&courier).cloned())
    }
}

#[async_trait]
impl DecisionStore for MemoryStore {
    async fn put_decisions(&self, decisions: &[Decision]) -> Result<(), StoreError> {
        let mut data = self.data();
        for decision in decisions {
            for &order in &decision.orders {
                data.decisions.insert(order, decision.clone());
            }
        }
        Ok(())
    }

    async fn decision_of(&self, order: OrderId) -> Result<Option<Decision>, StoreError> {
        Ok(self.data().decisions.get(&order).cloned())
    }
}
