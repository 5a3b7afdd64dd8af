//! The tracking hub: live updates per order, per kitchen and per courier,
//! fanned out to whoever watches (a customer's map, a chef's tablet, a
//! courier's app, which receives its offers and assignment changes here).
//!
//! Publishing never waits: each subscriber has its own bounded queue. A new
//! courier position replaces a position still queued for the same courier
//! (only the latest matters on a map), and when a queue is full the oldest
//! queued position makes room. Status changes (and courier updates) are never dropped: a
//! subscriber so far behind that its queue holds nothing but status changes
//! is cut off as *lagged*; it reconnects and replays what it missed from the
//! event log. A plain mutex per queue suffices: publishers hold it for a
//! push, never across an await.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::domain::courier::{Offer, OfferAnswer, Reposition};
use crate::domain::order::OrderEvent;

/// What a subscriber watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Topic {
    /// One order: its status changes, and its courier while assigned.
    Order(OrderId),
    /// One kitchen: its incoming orders, cancellations, couriers' ETAs.
    Kitchen(RestaurantId),
    /// One courier's app: offers, and changes to what it carries.
    Courier(CourierId),
}

/// What a courier's app is told; like status changes, never dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CourierUpdate {
    /// A new offer to answer before its deadline.
    Offered(Offer),
    /// An offer ended (answered, timed out, or withdrawn by the dispatcher).
    OfferEnded {
        /// The offer.
        offer: u64,
        /// How it ended.
        answer: OfferAnswer,
    },
    /// The order's log now names this courier: the assignment is confirmed.
    Assigned {
        /// The order.
        order: OrderId,
        /// The planned pickup.
        pickup_eta: Seconds,
    },
    /// An order the courier was to fetch was cancelled: do not fetch it.
    OrderCancelled(OrderId),
    /// Orders taken back from the courier (it went offline before pickup).
    Released(Vec<OrderId>),
    /// Prepositioning: go and wait at this restaurant, where orders are
    /// expected; offers follow once the courier is there.
    Reposition(Reposition),
}

/// One live update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Update {
    /// An order's lifecycle moved: never dropped.
    Status {
        /// The order.
        order: OrderId,
        /// Its version after the event: a reconnecting client resumes after it.
        version: u64,
        /// What happened.
        event: OrderEvent,
    },
    /// Where a courier is: only the latest matters.
    Position {
        /// The courier.
        courier: CourierId,
        /// Where.
        at: Point,
        /// Expected arrival at the subscriber's point of interest, if known.
        eta: Option<Seconds>,
    },
    /// For one courier's app: never dropped.
    Courier(CourierUpdate),
    /// For a kitchen: when the courier assigned to one of its orders is
    /// expected at the restaurant (sent when the estimate moves).
    PickupEta {
        /// The order.
        order: OrderId,
        /// Its courier.
        courier: CourierId,
        /// Expected arrival at the restaurant.
        eta: Seconds,
    },
}

/// Why a subscription ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The subscriber fell too far behind on status changes; replay from the log.
    Lagged,
    /// The hub was shut down.
    Shutdown,
}

#[derive(Debug, Default)]
struct Queue {
    items: VecDeque<Update>,
    closed: Option<Closed>,
}

#[derive(Debug)]
struct Shared {
    queue: Mutex<Queue>,
    notify: Notify,
    capacity: usize,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        // A panic while holding this lock cannot leave the queue half-changed
        // (every mutation is a single push/remove), so a poisoned lock is safe to reuse.
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn push(&self, update: &Update) {
        let mut q = self.lock();
        if q.closed.is_some() {
            return;
        }
        if let Update::Position { courier, .. } = update
            && let Some(slot) = q
                .items
                .iter_mut()
                .rev()
                .find(|u| matches!(u, Update::Position { courier: c, .. } if c == courier))
        {
            *slot = update.clone();
            drop(q);
            self.notify.notify_one();
            return;
        }
        if q.items.len() >= self.capacity {
            let oldest_position = q
                .items
                .iter()
                .position(|u| matches!(u, Update::Position { .. }));
            if let Some(i) = oldest_position {
                q.items.remove(i);
            } else {
                q.items.clear();
                q.closed = Some(Closed::Lagged);
                drop(q);
                self.notify.notify_one();
                return;
            }
        }
        q.items.push_back(update.clone());
        drop(q);
        self.notify.notify_one();
    }

    fn close(&self, why: Closed) {
        let mut q = self.lock();
        if q.closed.is_none() {
            q.closed = Some(why);
        }
        drop(q);
        self.notify.notify_one();
    }
}

/// A subscriber's end: updates in publication order (positions coalesced).
#[derive(Debug)]
pub struct Subscription {
    shared: Arc<Shared>,
}

impl Subscription {
    /// The next update, waiting for one; `Err` once the subscription ended
    /// (queued updates are delivered first, except after lagging).
    pub async fn recv(&self) -> Result<Update, Closed> {
        loop {
            let notified = self.shared.notify.notified();
            {
                let mut q = self.shared.lock();
                if let Some(u) = q.items.pop_front() {
                    return Ok(u);
                }
                if let Some(why) = q.closed {
                    return Err(why);
                }
            }
            notified.await;
        }
    }

    /// Why the subscription ended, if it has (queued updates aside).
    pub fn ended(&self) -> Option<Closed> {
        self.shared.lock().closed
    }

    /// The next update if one is queued, without waiting.
    pub fn try_recv(&self) -> Option<Result<Update, Closed>> {
        let mut q = self.shared.lock();
        match (q.items.pop_front(), q.closed) {
            (Some(u), _) => Some(Ok(u)),
            (None, Some(why)) => Some(Err(why)),
            (None, None) => None,
        }
    }
}

/// Also receives every update published on a hub (see [`TrackingHub::forward_to`]).
pub type Forwarder = Arc<dyn Fn(Topic, &Update) + Send + Sync>;

/// Told of each topic that gains a first subscriber on a hub (see
/// [`TrackingHub::on_first_subscriber`]).
pub type Interest = Arc<dyn Fn(Topic) + Send + Sync>;

/// The hub: topics to their subscribers' queues.
pub struct TrackingHub {
    topics: Mutex<HashMap<Topic, Vec<Weak<Shared>>>>,
    capacity: usize,
    forwarder: OnceLock<Forwarder>,
    interest: OnceLock<Interest>,
}

impl std::fmt::Debug for TrackingHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackingHub")
            .field("capacity", &self.capacity)
            .field("forwarding", &self.forwarder.get().is_some())
            .finish_non_exhaustive()
    }
}

impl TrackingHub {
    /// A hub whose subscribers queue at most `capacity` updates (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            topics: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            forwarder: OnceLock::new(),
            interest: OnceLock::new(),
        }
    }

    /// Tells `interest` of every topic that gains its first live subscriber
    /// here from now on (a cluster node announcing what it watches). Set
    /// once; false if it was already set.
    pub fn on_first_subscriber(&self, interest: Interest) -> bool {
        self.interest.set(interest).is_ok()
    }

    /// The topics with a live subscriber here.
    pub fn watched(&self) -> Vec<Topic> {
        self.topics()
            .iter()
            .filter(|(_, list)| list.iter().any(|w| w.strong_count() > 0))
            .map(|(topic, _)| *topic)
            .collect()
    }

    /// Hands every update published here to `forwarder` too (a cluster
    /// node's relay, carrying it to subscribers on other nodes). Set once;
    /// false if a forwarder was already set.
    pub fn forward_to(&self, forwarder: Forwarder) -> bool {
        self.forwarder.set(forwarder).is_ok()
    }

    fn topics(&self) -> std::sync::MutexGuard<'_, HashMap<Topic, Vec<Weak<Shared>>>> {
        self.topics
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts watching `topic`.
    pub fn subscribe(&self, topic: Topic) -> Subscription {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            notify: Notify::new(),
            capacity: self.capacity,
        });
        let first = {
            let mut topics = self.topics();
            let list = topics.entry(topic).or_default();
            list.retain(|w| w.strong_count() > 0);
            list.push(Arc::downgrade(&shared));
            list.len() == 1
        };
        if first && let Some(interest) = self.interest.get() {
            interest(topic);
        }
        Subscription { shared }
    }

    /// Sends `update` to every subscriber of `topic`, without waiting, and
    /// to the forwarder, if any.
    pub fn publish(&self, topic: Topic, update: &Update) {
        self.deliver(topic, update);
        if let Some(forward) = self.forwarder.get() {
            forward(topic, update);
        }
    }

    /// Sends `update` to this hub's subscribers of `topic` only: an update
    /// that came from another node, not to be forwarded again.
    pub fn deliver(&self, topic: Topic, update: &Update) {
        let subscribers: Vec<Arc<Shared>> = {
            let mut topics = self.topics();
            let Some(list) = topics.get_mut(&topic) else {
                return;
            };
            list.retain(|w| w.strong_count() > 0);
            let live = list.iter().filter_map(Weak::upgrade).collect();
            if list.is_empty() {
                topics.remove(&topic);
            }
            live
        };
        for s in subscribers {
            s.push(update);
        }
    }

    /// Number of live subscribers of `topic`.
    pub fn subscribers(&self, topic: Topic) -> usize {
        self.topics()
            .get(&topic)
            .map_or(0, |l| l.iter().filter(|w| w.strong_count() > 0).count())
    }

    /// Ends every subscription (engine shutdown): clients are told to reconnect.
    pub fn shutdown(&self) {
        let all: Vec<Arc<Shared>> = self
            .topics()
            .drain()
            .flat_map(|(_, l)| l)
            .filter_map(|w| w.upgrade())
            .collect();
        for s in all {
            s.close(Closed::Shutdown);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn position(courier: u64) -> Update {
        Update::Position {
            courier: CourierId(courier),
            at: Point::new(10.0, 20.0).unwrap_or_else(|_| unreachable!()),
            eta: Some(Seconds(90)),
        }
    }

    #[test]
    fn a_topic_gaining_its_first_subscriber_is_announced_once() {
        let hub = TrackingHub::new(4);
        let announced: Arc<Mutex<Vec<Topic>>> = Arc::default();
        let sink = announced.clone();
        assert!(hub.on_first_subscriber(Arc::new(move |topic| {
            sink.lock().unwrap().push(topic);
        })));
        let order = Topic::Order(OrderId(3));
        let kitchen = Topic::Kitchen(RestaurantId(4));
        let first = hub.subscribe(order);
        let second = hub.subscribe(order);
        let _kitchen = hub.subscribe(kitchen);
        assert_eq!(*announced.lock().unwrap(), [order, kitchen]);
        let mut watched = hub.watched();
        watched.sort_by_key(|t| format!("{t:?}"));
        assert_eq!(watched, [kitchen, order]);
        drop((first, second));
        assert_eq!(hub.watched(), [kitchen], "no live subscriber to the order");
        let _again = hub.subscribe(order);
        assert_eq!(*announced.lock().unwrap(), [order, kitchen, order]);
    }

    #[test]
    fn published_updates_are_forwarded_and_delivered_ones_are_not() {
        let hub = TrackingHub::new(8);
        let forwarded: Arc<Mutex<Vec<(Topic, Update)>>> = Arc::default();
        let sink = forwarded.clone();
        assert!(hub.forward_to(Arc::new(move |topic, update: &Update| {
            sink.lock().unwrap().push((topic, update.clone()));
        })));
        assert!(!hub.forward_to(Arc::new(|_, _: &Update| {})), "set once");
        let topic = Topic::Order(OrderId(7));
        let watcher = hub.subscribe(topic);

        hub.publish(topic, &position(1));
        hub.deliver(topic, &position(2));

        assert_eq!(*forwarded.lock().unwrap(), [(topic, position(1))]);
        assert_eq!(watcher.try_recv(), Some(Ok(position(1))));
        assert_eq!(
            watcher.try_recv(),
            Some(Ok(position(2))),
            "delivered here too"
        );
        assert_eq!(watcher.try_recv(), None);
    }

    #[test]
    fn updates_cross_the_wire_unchanged() {
        let update = Update::Courier(CourierUpdate::Released(vec![OrderId(3), OrderId(4)]));
        let topic = Topic::Courier(CourierId(9));
        let text = serde_json::to_string(&(topic, &update)).unwrap();
        let back: (Topic, Update) = serde_json::from_str(&text).unwrap();
        assert_eq!(back, (topic, update));
    }
}
