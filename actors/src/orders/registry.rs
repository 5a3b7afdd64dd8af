//! Which actor runs which order, shared by the engine (to route commands)
//! and the order supervisor (to restart and retire actors).

use std::collections::{HashMap, HashSet};
use std::sync::RwLock;

use foodiefast_geo::OrderId;
use ractor::{ActorId, ActorRef};

use super::actor::OrderMsg;

#[derive(Debug, Default)]
struct Inner {
    by_order: HashMap<OrderId, ActorRef<OrderMsg>>,
    by_actor: HashMap<ActorId, OrderId>,
    quarantined: HashSet<OrderId>,
}

/// Live order actors, by order and by actor id, and orders given up on.
#[derive(Debug, Default)]
pub struct OrderRegistry {
    inner: RwLock<Inner>,
}

impl OrderRegistry {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        // Each method leaves the maps consistent before it can unwind.
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records that `actor` runs `order`.
    pub fn insert(&self, order: OrderId, actor: ActorRef<OrderMsg>) {
        let mut inner = self.write();
        inner.by_actor.insert(actor.get_id(), order);
        if let Some(old) = inner.by_order.insert(order, actor) {
            inner.by_actor.remove(&old.get_id());
        }
    }

    /// The actor running `order`.
    pub fn get(&self, order: OrderId) -> Option<ActorRef<OrderMsg>> {
        self.read().by_order.get(&order).cloned()
    }

    /// The order an actor runs.
    pub fn order_of(&self, actor: ActorId) -> Option<OrderId> {
        self.read().by_actor.get(&actor).copied()
    }

    /// Forgets the actor `actor` (it stopped); returns its order.
    pub fn remove_actor(&self, actor: ActorId) -> Option<OrderId> {
        let mut inner = self.write();
        let order = inner.by_actor.remove(&actor)?;
        if inner
            .by_order
            .get(&order)
            .is_some_and(|a| a.get_id() == actor)
        {
            inner.by_order.remove(&order);
        }
        Some(order)
    }

    /// Marks `order` as given up on: no actor, held for an operator.
    pub fn quarantine(&self, order: OrderId) {
        self.write().quarantined.insert(order);
    }

    /// Whether `order` was given up on.
    pub fn is_quarantined(&self, order: OrderId) -> bool {
        self.read().quarantined.contains(&order)
    }

    /// Every live order actor.
    pub fn actors(&self) -> Vec<ActorRef<OrderMsg>> {
        self.read().by_order.values().cloned().collect()
    }

    /// Number of live order actors.
    pub fn len(&self) -> usize {
        self.read().by_order.len()
    }

    /// Whether no order actor runs.
    pub fn is_empty(&self) -> bool {
        self.read().by_order.is_empty()
    }
}
