//! A store whose next writes or reads can be made to fail, for the tests
//! of failures and restarts: the in-memory store by default, or any other
//! (the service's tests wrap its SQL stores).

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use foodiefast_actors::dispatch::Decision;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::OrderEvent;
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_actors::store::{
    CourierStore, CourierView, DecisionStore, OrderStore, OrderView, StoreError,
};
use foodiefast_geo::{CourierId, OrderId, RestaurantId};

/// A store, with failures on demand.
#[derive(Debug)]
pub(crate) struct FaultyStore<S = MemoryStore> {
    /// Where everything is kept.
    pub(crate) inner: S,
    /// Appends to fail before writing.
    pub(crate) fail_appends: AtomicUsize,
    /// Appends to fail after writing (the acknowledgement is lost).
    pub(crate) lose_acks: AtomicUsize,
    /// Orders whose history cannot be read.
    pub(crate) unreadable: Mutex<HashSet<OrderId>>,
    /// Courier writes to fail.
    pub(crate) fail_courier_puts: AtomicUsize,
}

impl<S> FaultyStore<S> {
    /// `inner`, failing only when told.
    pub(crate) fn over(inner: S) -> Self {
        Self {
            inner,
            fail_appends: AtomicUsize::new(0),
            lose_acks: AtomicUsize::new(0),
            unreadable: Mutex::default(),
            fail_courier_puts: AtomicUsize::new(0),
        }
    }
}

impl Default for FaultyStore {
    fn default() -> Self {
        Self::over(MemoryStore::default())
    }
}

fn injected() -> StoreError {
    StoreError::Backend("injected failure".into())
}

#[async_trait]
impl<S: CourierStore> CourierStore for FaultyStore<S> {
    async fn put_courier(&self, view: &CourierView) -> Result<(), StoreError> {
        if self.fail_courier_puts.load(Ordering::SeqCst) > 0 {
            self.fail_courier_puts.fetch_sub(1, Ordering::SeqCst);
            return Err(injected());
        }
        self.inner.put_courier(view).await
    }
    async fn courier_view(&self, courier: CourierId) -> Result<Option<CourierView>, StoreError> {
        self.inner.courier_view(courier).await
    }
}

#[async_trait]
impl<S: DecisionStore> DecisionStore for FaultyStore<S> {
    async fn put_decisions(&self, decisions: &[Decision]) -> Result<(), StoreError> {
        self.inner.put_decisions(decisions).await
    }
    async fn decision_of(&self, order: OrderId) -> Result<Option<Decision>, StoreError> {
        self.inner.decision_of(order).await
    }
}

#[async_trait]
impl<S: OrderStore> OrderStore for FaultyStore<S> {
    async fn append(
        &self,
        order: OrderId,
        expected: u64,
        events: &[OrderEvent],
        view: &OrderView,
    ) -> Result<u64, StoreError> {
        if self.fail_appends.load(Ordering::SeqCst) > 0 {
            self.fail_appends.fetch_sub(1, Ordering::SeqCst);
            return Err(injected());
        }
        let version = self.inner.append(order, expected, events, view).await?;
        if self.lose_acks.load(Ordering::SeqCst) > 0 {
            self.lose_acks.fetch_sub(1, Ordering::SeqCst);
            return Err(injected());
        }
        Ok(version)
    }
    async fn load(&self, order: OrderId) -> Result<Vec<OrderEvent>, StoreError> {
        if self.unreadable.lock().unwrap().contains(&order) {
            return Err(injected());
        }
        self.inner.load(order).await
    }
    async fn active_orders(&self) -> Result<Vec<OrderId>, StoreError> {
        self.inner.active_orders().await
    }
    async fn active_orders_by_kitchen(&self) -> Result<Vec<(OrderId, RestaurantId)>, StoreError> {
        self.inner.active_orders_by_kitchen().await
    }
    async fn order_view(&self, order: OrderId) -> Result<Option<OrderView>, StoreError> {
        self.inner.order_view(order).await
    }
    async fn orders_of_customer(
        &self,
        c: CustomerId,
        limit: u32,
    ) -> Result<Vec<OrderView>, StoreError> {
        self.inner.orders_of_customer(c, limit).await
    }
    async fn next_order_id(&self) -> Result<OrderId, StoreError> {
        self.inner.next_order_id().await
    }
}
