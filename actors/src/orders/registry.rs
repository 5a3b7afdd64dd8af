//! Which actor runs which order, shared by the engine and the router (to
//! route commands), the order supervisor (to restart and retire actors) and
//! the order actors themselves (to passivate).
//!
//! An order without a live actor may be *asleep* (passivated): its actor
//! stopped after a while idle, leaving here only what others may need to
//! know without waking it (its kitchen, its status, whether it waits for a
//! courier). The next command wakes it: a new actor rebuilt from the log.

use std::collections::{HashMap, HashSet};
use std::sync::RwLock;

use foodiefast_geo::{OrderId, RestaurantId};
use ractor::{ActorId, ActorRef};

use super::actor::OrderMsg;
use crate::domain::order::{Order, OrderStatus};

/// What is kept of an order whose actor is asleep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dormant {
    /// Its kitchen.
    pub kitchen: RestaurantId,
    /// Its status.
    pub status: OrderStatus,
    /// Whether it waits for a courier.
    pub needs_courier: bool,
}

impl Dormant {
    /// What is kept of `order` while it sleeps.
    pub const fn of(order: &Order) -> Self {
        Self {
            kitchen: order.details().kitchen,
            status: order.status(),
            needs_courier: order.needs_courier(),
        }
    }
}

/// Where an order stands in the registry.
#[derive(Debug, Clone)]
pub enum Slot {
    /// Its actor runs.
    Live(ActorRef<OrderMsg>),
    /// Passivated: no actor.
    Asleep(Dormant),
    /// Being woken: an actor is starting.
    Waking(Dormant),
}

#[derive(Debug, Default)]
struct Inner {
    by_order: HashMap<OrderId, Slot>,
    by_actor: HashMap<ActorId, OrderId>,
    asleep: usize,
    quarantined: HashSet<OrderId>,
}

/// Order actors by order and by actor id, orders asleep, and orders given up on.
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
        match inner.by_order.insert(order, Slot::Live(actor)) {
            Some(Slot::Live(old)) => {
                inner.by_actor.remove(&old.get_id());
            }
            Some(Slot::Asleep(_) | Slot::Waking(_)) => {
                inner.asleep = inner.asleep.saturating_sub(1);
            }
            None => {}
        }
    }

    /// The actor running `order`.
    pub fn get(&self, order: OrderId) -> Option<ActorRef<OrderMsg>> {
        match self.read().by_order.get(&order) {
            Some(Slot::Live(actor)) => Some(actor.clone()),
            _ => None,
        }
    }

    /// Where `order` stands.
    pub fn slot(&self, order: OrderId) -> Option<Slot> {
        self.read().by_order.get(&order).cloned()
    }

    /// The order an actor runs.
    pub fn order_of(&self, actor: ActorId) -> Option<OrderId> {
        self.read().by_actor.get(&actor).copied()
    }

    /// Forgets the actor `actor` (it stopped); returns its order, unless the
    /// order sleeps on (the actor was passivated).
    pub fn remove_actor(&self, actor: ActorId) -> Option<OrderId> {
        let mut inner = self.write();
        let order = inner.by_actor.remove(&actor)?;
        if matches!(inner.by_order.get(&order), Some(Slot::Live(a)) if a.get_id() == actor) {
            inner.by_order.remove(&order);
        }
        Some(order)
    }

    /// Puts `order` to sleep if `actor` still runs it; true if it did (the
    /// actor must then stop).
    pub fn put_to_sleep(&self, order: OrderId, actor: ActorId, dormant: Dormant) -> bool {
        let mut inner = self.write();
        if !matches!(inner.by_order.get(&order), Some(Slot::Live(a)) if a.get_id() == actor) {
            return false;
        }
        inner.by_actor.remove(&actor);
        inner.by_order.insert(order, Slot::Asleep(dormant));
        inner.asleep += 1;
        true
    }

    /// Claims the waking of `order`: true for the one caller that must start
    /// its actor (then [`Self::insert`] it, or [`Self::back_to_sleep`]).
    pub fn begin_wake(&self, order: OrderId) -> bool {
        let mut inner = self.write();
        let Some(slot) = inner.by_order.get_mut(&order) else {
            return false;
        };
        if let Slot::Asleep(dormant) = *slot {
            *slot = Slot::Waking(dormant);
            return true;
        }
        false
    }

    /// An order whose waking failed sleeps on.
    pub fn back_to_sleep(&self, order: OrderId) {
        if let Some(slot) = self.write().by_order.get_mut(&order)
            && let Slot::Waking(dormant) = *slot
        {
            *slot = Slot::Asleep(dormant);
        }
    }

    /// Sleeping orders whose record matches `filter`.
    pub fn asleep_where(&self, filter: impl Fn(&Dormant) -> bool) -> Vec<OrderId> {
        let mut found: Vec<OrderId> = self
            .read()
            .by_order
            .iter()
            .filter_map(|(&id, slot)| match slot {
                Slot::Asleep(d) if filter(d) => Some(id),
                _ => None,
            })
            .collect();
        found.sort();
        found
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
        self.read()
            .by_order
            .values()
            .filter_map(|slot| match slot {
                Slot::Live(actor) => Some(actor.clone()),
                _ => None,
            })
            .collect()
    }

    /// Number of live order actors.
    pub fn len(&self) -> usize {
        let inner = self.read();
        inner.by_order.len().saturating_sub(inner.asleep)
    }

    /// Whether no order actor runs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of orders asleep (passivated).
    pub fn asleep(&self) -> usize {
        self.read().asleep
    }
}
