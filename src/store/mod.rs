//! Durable storage with sqlx: the order event log, the read models and the
//! order id allocator and the dispatch decisions, behind the actors' storage
//! port ([`OrderStore`], [`CourierStore`], [`DecisionStore`]).
//!
//! Two backends, one schema: an embedded SQLite file (the default: no set-up)
//! and PostgreSQL (production, several pods). [`StoreConfig`] says which,
//! from the environment; [`Store::open`] connects and applies the embedded
//! migrations (`migrations/sqlite`, `migrations/postgres`), which is
//! idempotent. The same test suite runs on both (`tests/store/`).
//!
//! Queries are runtime-checked `sqlx::query` / `query_as` with bound
//! parameters, not the compile-time `query!` macros: with two backends the
//! macros would need both databases (or their offline data) at build time.
//!
//! - [`config`]: where the database is;
//! - [`accounts`], `catalog`, [`idempotency`]: what the gateway keeps
//!   besides the order log (accounts, kitchens and menus, idempotency keys);
//! - [`earnings`]: couriers' shift sessions and deliveries, what pay
//!   statements are computed from;
//! - [`kitchen_feed`]: each kitchen's events numbered in order, the chef
//!   feed's event ids;
//! - [`leases`]: cluster membership and zone leases (PostgreSQL only);
//! - `rows`: SQL and row mapping shared by both backends;
//! - `shared`: the store's logic, generic over the backend;
//! - [`sqlite`], [`postgres`]: the backends, each a connection set-up and
//!   its SQL dialect.

pub mod accounts;
mod catalog;
pub mod config;
pub mod earnings;
pub mod idempotency;
pub mod kitchen_feed;
pub mod leases;
pub mod postgres;
mod rows;
mod shared;
pub mod sqlite;

use std::fmt;

use async_trait::async_trait;
use foodiefast_actors::dispatch::Decision;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::OrderEvent;
use foodiefast_actors::store::{
    CourierStore, CourierView, DecisionStore, OrderStore, OrderView, OutboxEntry, OutboxStore,
    StoreError,
};
use foodiefast_geo::{CourierId, OrderId, RestaurantId};
use sqlx::migrate::{Migrate, Migrator};

use crate::catalog::{Kitchen, KitchenDetails, MenuItem, MenuItemDetails};

pub use accounts::{Account, NewAccount, Role};
pub use config::{ConfigError, PostgresUrl, StoreConfig};
pub use earnings::{Delivery, Session};
pub use idempotency::KeyClaim;
pub use kitchen_feed::FeedEvent;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Which database a store uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        })
    }
}

/// The configured store: either backend, implementing both storage traits.
/// Cloning is cheap (the connection pool is shared).
#[derive(Debug, Clone)]
pub enum Store {
    /// An embedded SQLite file.
    Sqlite(SqliteStore),
    /// A PostgreSQL database.
    Postgres(PostgresStore),
}

/// Runs `$body` with `$s` bound to whichever backend `$store` holds.
macro_rules! on_backend {
    ($store:expr, $s:ident => $body:expr) => {
        match $store {
            Store::Sqlite($s) => $body,
            Store::Postgres($s) => $body,
        }
    };
}

impl Store {
    /// Connects to the configured database and applies any pending
    /// migrations: ready to use.
    pub async fn open(config: &StoreConfig) -> Result<Self, StoreError> {
        let store = Self::connect(config).await?;
        // Not `migrate`: its count reads the migrations table outside the
        // migrator's lock, which pods starting together should not race on.
        on_backend!(&store, s => s.run_migrations().await)?;
        Ok(store)
    }

    /// Connects to the configured database (creating an SQLite file if
    /// missing) without migrating it.
    pub async fn connect(config: &StoreConfig) -> Result<Self, StoreError> {
        Ok(match config {
            StoreConfig::Sqlite { path } => Self::Sqlite(SqliteStore::connect(path).await?),
            StoreConfig::Postgres { url } => Self::Postgres(PostgresStore::connect(url).await?),
        })
    }

    /// Applies the migrations not yet applied; says how many it applied.
    pub async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        on_backend!(self, s => s.migrate().await)
    }

    /// The backend in use.
    pub const fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// The cluster's membership and lease tables: PostgreSQL only, since an
    /// embedded file serves a single process.
    pub fn lease_table(&self) -> Option<leases::LeaseTable> {
        match self {
            Self::Sqlite(_) => None,
            Self::Postgres(s) => Some(leases::LeaseTable::new(s.sql.pool.clone())),
        }
    }

    /// Closes every connection; later calls fail.
    pub async fn close(&self) {
        on_backend!(self, s => s.close().await);
    }

    /// Whether the database answers a trivial query (readiness).
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_backend!(self, s => sqlx::query("SELECT 1").execute(&s.sql.pool).await.map(drop).map_err(rows::backend))
    }

    /// Stores a new account; `None` when its email is taken.
    pub async fn create_account(&self, new: NewAccount) -> Result<Option<Account>, StoreError> {
        on_backend!(self, s => s.sql.create_account(new).await)
    }

    /// The account logging in with `email`.
    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        on_backend!(self, s => s.sql.account_by_email(email).await)
    }

    /// The account `id`.
    pub async fn account(&self, id: u64) -> Result<Option<Account>, StoreError> {
        on_backend!(self, s => s.sql.account(id).await)
    }

    /// Renames account `id`; `None` when there is no such account.
    pub async fn rename_account(&self, id: u64, name: &str) -> Result<Option<Account>, StoreError> {
        on_backend!(self, s => s.sql.rename_account(id, name).await)
    }

    /// Creates or replaces the kitchen of `chef` (one per chef).
    pub async fn put_kitchen(
        &self,
        chef: u64,
        details: &KitchenDetails,
    ) -> Result<Kitchen, StoreError> {
        on_backend!(self, s => s.sql.put_kitchen(chef, details).await)
    }

    /// The kitchen `id`.
    pub async fn kitchen(&self, id: RestaurantId) -> Result<Option<Kitchen>, StoreError> {
        on_backend!(self, s => s.sql.kitchen(id).await)
    }

    /// The kitchen of `chef`.
    pub async fn kitchen_of_chef(&self, chef: u64) -> Result<Option<Kitchen>, StoreError> {
        on_backend!(self, s => s.sql.kitchen_of_chef(chef).await)
    }

    /// Sets busy mode on kitchen `id` until `until` (engine seconds;
    /// `None` ends it); the kitchen afterwards, `None` if there is none.
    pub async fn set_kitchen_busy(
        &self,
        id: RestaurantId,
        until: Option<i64>,
    ) -> Result<Option<Kitchen>, StoreError> {
        on_backend!(self, s => s.sql.set_kitchen_busy(id, until).await)
    }

    /// Every kitchen, by id.
    pub async fn kitchens(&self) -> Result<Vec<Kitchen>, StoreError> {
        on_backend!(self, s => s.sql.kitchens().await)
    }

    /// Every kitchen whose chef is accepting orders (hours not checked), by id.
    pub async fn accepting_kitchens(&self) -> Result<Vec<Kitchen>, StoreError> {
        on_backend!(self, s => s.sql.accepting_kitchens().await)
    }

    /// Adds an item to `kitchen`'s menu.
    pub async fn add_menu_item(
        &self,
        kitchen: RestaurantId,
        details: &MenuItemDetails,
    ) -> Result<MenuItem, StoreError> {
        on_backend!(self, s => s.sql.add_menu_item(kitchen, details).await)
    }

    /// Replaces item `id` of `kitchen`; `None` when the kitchen has no such item.
    pub async fn update_menu_item(
        &self,
        kitchen: RestaurantId,
        id: u64,
        details: &MenuItemDetails,
    ) -> Result<Option<MenuItem>, StoreError> {
        on_backend!(self, s => s.sql.update_menu_item(kitchen, id, details).await)
    }

    /// `kitchen`'s menu, by id.
    pub async fn menu(&self, kitchen: RestaurantId) -> Result<Vec<MenuItem>, StoreError> {
        on_backend!(self, s => s.sql.menu(kitchen).await)
    }

    /// The events of `kitchen`'s feed numbered after `after`, in order, at
    /// most `limit` of them.
    pub async fn kitchen_feed_after(
        &self,
        kitchen: RestaurantId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<FeedEvent>, StoreError> {
        on_backend!(self, s => s.sql.kitchen_feed_after(kitchen, after, limit).await)
    }

    /// The last number of `kitchen`'s feed (0 before its first event).
    pub async fn kitchen_feed_head(&self, kitchen: RestaurantId) -> Result<u64, StoreError> {
        on_backend!(self, s => s.sql.kitchen_feed_head(kitchen).await)
    }

    /// `courier`'s shift sessions overlapping `[from, to)` (engine
    /// seconds), oldest first.
    pub async fn courier_sessions(
        &self,
        courier: CourierId,
        period: (i64, i64),
    ) -> Result<Vec<Session>, StoreError> {
        on_backend!(self, s => s.sql.courier_sessions(courier, period).await)
    }

    /// `courier`'s deliveries in `[from, to)`, in order.
    pub async fn courier_deliveries(
        &self,
        courier: CourierId,
        period: (i64, i64),
    ) -> Result<Vec<Delivery>, StoreError> {
        on_backend!(self, s => s.sql.courier_deliveries(courier, period).await)
    }

    /// `kitchen`'s delivered orders whose payment can have moved in
    /// `[from, to)`, by id (their logs say what moved when).
    pub async fn kitchen_delivered_between(
        &self,
        kitchen: RestaurantId,
        period: (i64, i64),
    ) -> Result<Vec<OrderId>, StoreError> {
        on_backend!(self, s => s.sql.kitchen_delivered_between(kitchen, period).await)
    }

    /// Claims idempotency `key` of `customer` for `request` and the reserved
    /// `order`, or says which request holds it.
    pub async fn claim_idempotency_key(
        &self,
        customer: CustomerId,
        key: &str,
        request: &str,
        order: OrderId,
        now: i64,
    ) -> Result<KeyClaim, StoreError> {
        on_backend!(self, s => s.sql.claim_idempotency_key(customer, key, request, order, now).await)
    }

    /// Frees `key` of `customer` after its placement failed.
    pub async fn release_idempotency_key(
        &self,
        customer: CustomerId,
        key: &str,
    ) -> Result<(), StoreError> {
        on_backend!(self, s => s.sql.release_idempotency_key(customer, key).await)
    }
}

/// What [`Store::migrate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// The backend migrated.
    pub backend: Backend,
    /// The database: a file path or a URL without its password.
    pub location: String,
    /// Migrations applied by this call.
    pub applied_now: usize,
    /// Migrations applied in total, now.
    pub applied_total: usize,
    /// Migrations this binary knows.
    pub known: usize,
}

impl MigrationReport {
    fn new(
        backend: Backend,
        location: String,
        migrator: &Migrator,
        before: usize,
        after: usize,
    ) -> Self {
        Self {
            backend,
            location,
            applied_now: after.saturating_sub(before),
            applied_total: after,
            known: migrator
                .iter()
                .filter(|m| !m.migration_type.is_down_migration())
                .count(),
        }
    }
}

/// How many of `migrator`'s migrations the database records as applied.
async fn count_applied<C>(conn: &mut C, migrator: &Migrator) -> Result<usize, StoreError>
where
    C: Migrate + ?Sized,
{
    conn.ensure_migrations_table(&migrator.table_name)
        .await
        .map_err(rows::backend)?;
    let applied = conn
        .list_applied_migrations(&migrator.table_name)
        .await
        .map_err(rows::backend)?;
    Ok(applied.len())
}

#[async_trait]
impl OrderStore for Store {
    async fn append(
        &self,
        order: OrderId,
        expected_version: u64,
        events: &[OrderEvent],
        view: &OrderView,
    ) -> Result<u64, StoreError> {
        on_backend!(self, s => s.append(order, expected_version, events, view).await)
    }

    async fn load(&self, order: OrderId) -> Result<Vec<OrderEvent>, StoreError> {
        on_backend!(self, s => s.load(order).await)
    }

    async fn active_orders(&self) -> Result<Vec<OrderId>, StoreError> {
        on_backend!(self, s => s.active_orders().await)
    }

    async fn active_orders_by_kitchen(&self) -> Result<Vec<(OrderId, RestaurantId)>, StoreError> {
        on_backend!(self, s => s.active_orders_by_kitchen().await)
    }

    async fn order_view(&self, order: OrderId) -> Result<Option<OrderView>, StoreError> {
        on_backend!(self, s => s.order_view(order).await)
    }

    async fn orders_of_customer(
        &self,
        customer: CustomerId,
        limit: u32,
    ) -> Result<Vec<OrderView>, StoreError> {
        on_backend!(self, s => s.orders_of_customer(customer, limit).await)
    }

    async fn next_order_id(&self) -> Result<OrderId, StoreError> {
        on_backend!(self, s => s.next_order_id().await)
    }
}

#[async_trait]
impl CourierStore for Store {
    async fn put_courier(&self, view: &CourierView) -> Result<(), StoreError> {
        on_backend!(self, s => s.put_courier(view).await)
    }

    async fn courier_view(&self, courier: CourierId) -> Result<Option<CourierView>, StoreError> {
        on_backend!(self, s => s.courier_view(courier).await)
    }
}

#[async_trait]
impl OutboxStore for Store {
    async fn unpublished(&self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        on_backend!(self, s => s.unpublished(limit).await)
    }

    async fn unrelayed(&self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        on_backend!(self, s => s.unrelayed(limit).await)
    }

    async fn mark_relayed(&self, done: &[(OrderId, u64)]) -> Result<(), StoreError> {
        on_backend!(self, s => s.mark_relayed(done).await)
    }

    async fn mark_published(&self, done: &[(OrderId, u64)]) -> Result<(), StoreError> {
        on_backend!(self, s => s.mark_published(done).await)
    }
}

#[async_trait]
impl DecisionStore for Store {
    async fn put_decisions(&self, decisions: &[Decision]) -> Result<(), StoreError> {
        on_backend!(self, s => s.put_decisions(decisions).await)
    }

    async fn decision_of(&self, order: OrderId) -> Result<Option<Decision>, StoreError> {
        on_backend!(self, s => s.decision_of(order).await)
    }
}
