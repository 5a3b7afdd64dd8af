//! The storage port: what the actors need from a durable store, as traits.
//!
//! The service provides the implementations (SQLite and PostgreSQL with
//! sqlx). Every order's history is an append-only stream of
//! [`OrderEvent`]s; appends use optimistic concurrency (the writer states the
//! version it extends) and update the order's read model in the same
//! transaction, so a view never runs ahead of or behind its log. An append
//! that returns `Ok` is durable: only then may the command be acknowledged.

use async_trait::async_trait;
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds};

use crate::dispatch::Decision;
use crate::domain::CustomerId;
use crate::domain::courier::CourierStatus;
use crate::domain::order::{Order, OrderEvent, OrderStatus};
use crate::domain::payment::PaymentState;

/// The read model of an order (CQRS query side), kept by every append.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OrderView {
    /// The order.
    pub id: OrderId,
    /// Who ordered.
    pub customer: CustomerId,
    /// The kitchen.
    pub kitchen: RestaurantId,
    /// Lifecycle status.
    pub status: OrderStatus,
    /// The courier holding it, if any.
    pub courier: Option<CourierId>,
    /// Total charged, in cents.
    pub total_cents: i64,
    /// When it was placed.
    pub placed_at: Seconds,
    /// The kitchen's ready estimate.
    pub ready_at: Option<Seconds>,
    /// The planned pickup.
    pub pickup_eta: Option<Seconds>,
    /// When it last changed.
    pub updated_at: Seconds,
    /// Events in its stream.
    pub version: u64,
    /// Where its payment stands.
    pub payment: PaymentState,
    /// Why it was rejected or cancelled, for people.
    pub reason: Option<String>,
}

impl OrderView {
    /// The view of `order` as it stands.
    pub fn of(order: &Order) -> Self {
        let d = order.details();
        Self {
            id: d.id,
            customer: d.customer,
            kitchen: d.kitchen,
            status: order.status(),
            courier: order.courier(),
            total_cents: d.total_cents,
            placed_at: d.placed_at,
            ready_at: order.ready_at(),
            pickup_eta: order.pickup_eta(),
            updated_at: order.updated_at(),
            version: order.version(),
            payment: order.payment().state(),
            reason: order.reason().map(str::to_owned),
        }
    }

    /// Whether the order is unfinished: not yet delivered, rejected or
    /// cancelled, or with a payment step left to take
    /// ([`PaymentState::is_open`]). What recovery rehydrates.
    pub const fn is_active(&self) -> bool {
        !self.status.is_terminal() || self.payment.is_open()
    }
}

/// The read model of a courier.
#[derive(Debug, Clone, PartialEq)]
pub struct CourierView {
    /// The courier.
    pub id: CourierId,
    /// What it is doing.
    pub status: CourierStatus,
    /// Last known position.
    pub position: Option<Point>,
    /// End of its shift.
    pub shift_end: Option<Seconds>,
    /// When it last changed.
    pub updated_at: Seconds,
}

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The stream moved past the version the writer expected: someone else
    /// appended first. Nothing was written; reload and decide again.
    #[error("order {order} is at version {actual}, not {expected}")]
    Conflict {
        /// The order.
        order: OrderId,
        /// The version the writer expected.
        expected: u64,
        /// The version found.
        actual: u64,
    },
    /// A stored record that cannot be read back (corrupt or from a newer schema).
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// The database failed or is unreachable.
    #[error("storage backend failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Durable order streams and their read models.
#[async_trait]
pub trait OrderStore: Send + Sync + 'static {
    /// Appends `events` to `order`'s stream, which must be at
    /// `expected_version` (0 for a new order), and stores `view` in the same
    /// transaction. Returns the new version. Durable when it returns.
    async fn append(
        &self,
        order: OrderId,
        expected_version: u64,
        events: &[OrderEvent],
        view: &OrderView,
    ) -> Result<u64, StoreError>;

    /// The whole stream of `order`, oldest first (empty if unknown).
    async fn load(&self, order: OrderId) -> Result<Vec<OrderEvent>, StoreError>;

    /// Every active order ([`OrderView::is_active`]): what recovery rehydrates.
    async fn active_orders(&self) -> Result<Vec<OrderId>, StoreError>;

    /// Every active order with its kitchen, in id order: what an engine
    /// running some kitchens' zone picks its orders from before reading
    /// any log.
    async fn active_orders_by_kitchen(&self) -> Result<Vec<(OrderId, RestaurantId)>, StoreError>;

    /// The read model of `order`.
    async fn order_view(&self, order: OrderId) -> Result<Option<OrderView>, StoreError>;

    /// A customer's orders, newest first, at most `limit`.
    async fn orders_of_customer(
        &self,
        customer: CustomerId,
        limit: u32,
    ) -> Result<Vec<OrderView>, StoreError>;

    /// Reserves a fresh order id, never handed out before.
    async fn next_order_id(&self) -> Result<OrderId, StoreError>;
}

/// One order event for other parties, kept in the store's outbox from the
/// append that recorded it until the outbox relay published it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// Whether the tracking hub already has it (only rows waiting for an
    /// event sink stay once the hub has them).
    pub relayed: bool,
    /// The order.
    pub order: OrderId,
    /// The event's version in the order's stream.
    pub version: u64,
    /// The order's kitchen (its chef's tablet listens there).
    pub kitchen: RestaurantId,
    /// What happened.
    pub event: OrderEvent,
}

impl OutboxEntry {
    /// The event's id, by which consumers drop repeats: `order-version`.
    pub fn id(&self) -> String {
        format!("{}-{}", self.order.0, self.version)
    }
}

/// A store whose appends also write each event to an outbox, in the same
/// transaction, for the [`crate::outbox`] relay to publish after.
#[async_trait]
pub trait OutboxStore: Send + Sync + 'static {
    /// The oldest events not yet published, in the order they were
    /// recorded, at most `limit`.
    async fn unpublished(&self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError>;

    /// The oldest events the tracking hub does not have yet, in the order
    /// they were recorded, at most `limit`.
    async fn unrelayed(&self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError>;

    /// Notes that the tracking hub has the events `(order, version)`; they
    /// stay for an event sink.
    async fn mark_relayed(&self, done: &[(OrderId, u64)]) -> Result<(), StoreError>;

    /// Forgets the events `(order, version)`: published.
    async fn mark_published(&self, done: &[(OrderId, u64)]) -> Result<(), StoreError>;
}

/// Durable courier read models (positions are kept, not logged one by one).
#[async_trait]
pub trait CourierStore: Send + Sync + 'static {
    /// Stores what is known of a courier now.
    async fn put_courier(&self, view: &CourierView) -> Result<(), StoreError>;

    /// What is known of a courier.
    async fn courier_view(&self, courier: CourierId) -> Result<Option<CourierView>, StoreError>;
}

/// Dispatch decisions, kept so that an operator can ask why an order went to
/// its courier after the dispatcher that decided has restarted or forgotten.
/// Only the latest decision per order is kept.
#[async_trait]
pub trait DecisionStore: Send + Sync + 'static {
    /// Stores `decisions`, each replacing any earlier one about its orders.
    async fn put_decisions(&self, decisions: &[Decision]) -> Result<(), StoreError>;

    /// The latest decision that offered `order`.
    async fn decision_of(&self, order: OrderId) -> Result<Option<Decision>, StoreError>;
}
