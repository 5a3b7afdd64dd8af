//! The PostgreSQL backend, for production and for more than one pod.
//!
//! Appends run at the default isolation (read committed): the version check
//! reads the stream, and the primary key on `(order_id, version)` settles a
//! race: of two writers extending the same version, the second's insert
//! waits for the first to commit, then fails with a unique violation, which
//! becomes [`StoreError::Conflict`]. Events are stored as `jsonb`, order ids
//! come from a sequence.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::OrderEvent;
use foodiefast_actors::store::{CourierStore, CourierView, OrderStore, OrderView, StoreError};
use foodiefast_geo::{CourierId, OrderId};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{query, query_as, query_scalar};

use super::config::PostgresUrl;
use super::rows::{self, CourierViewRow, OrderViewRow, backend, from_db, to_db};
use super::{Backend, MigrationReport, count_applied};

/// The PostgreSQL schema's migrations, embedded in the binary.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections kept open per process.
const MAX_CONNECTIONS: u32 = 10;
/// How long to wait for a connection before failing (server down, pool exhausted).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Orders and couriers in a PostgreSQL database.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    url: PostgresUrl,
}

impl fmt::Debug for PostgresStore {
    // The pool's own `Debug` would print its connect options, password included.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database at `url`. Does not migrate.
    pub async fn connect(url: &PostgresUrl) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url.expose_secret()).map_err(backend)?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| rows::cannot_open(format!("PostgreSQL at {url}"), e))?;
        Ok(Self {
            pool,
            url: url.clone(),
        })
    }

    /// The database's URL, password hidden.
    pub fn url(&self) -> &PostgresUrl {
        &self.url
    }

    /// Applies the migrations not yet applied (what opening a store does).
    pub async fn run_migrations(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await.map_err(backend)
    }

    /// Applies the migrations not yet applied and counts them.
    pub async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        let before = count_applied(&mut *conn, &MIGRATOR).await?;
        MIGRATOR.run(&self.pool).await.map_err(backend)?;
        let after = count_applied(&mut *conn, &MIGRATOR).await?;
        Ok(MigrationReport::new(
            Backend::Postgres,
            self.url.to_string(),
            &MIGRATOR,
            before,
            after,
        ))
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The conflict a writer gets when the stream moved past `expected`.
    async fn conflict(&self, order: OrderId, expected: u64) -> StoreError {
        let actual = async {
            let v: i64 = query_scalar(rows::CURRENT_VERSION)
                .bind(to_db(order.0, "order id")?)
                .fetch_one(&self.pool)
                .await
                .map_err(backend)?;
            from_db(v, "version")
        };
        match actual.await {
            Ok(actual) => StoreError::Conflict {
                order,
                expected,
                actual,
            },
            Err(err) => err,
        }
    }
}

#[async_trait]
impl OrderStore for PostgresStore {
    async fn append(
        &self,
        order: OrderId,
        expected_version: u64,
        events: &[OrderEvent],
        view: &OrderView,
    ) -> Result<u64, StoreError> {
        let id = to_db(order.0, "order id")?;
        let (expected, last) = rows::new_versions(expected_version, events.len())?;
        let jsons = rows::encode_events(events)?;
        let row = OrderViewRow::encode(view)?;

        let mut tx = self.pool.begin().await.map_err(backend)?;
        let actual: i64 = query_scalar(rows::CURRENT_VERSION)
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        if actual != expected {
            return Err(StoreError::Conflict {
                order,
                expected: expected_version,
                actual: from_db(actual, "version")?,
            });
        }
        let written: Result<(), sqlx::Error> = async {
            for (version, json) in (expected + 1..=last).zip(jsons) {
                query(
                    "INSERT INTO order_events (order_id, version, event) VALUES ($1, $2, $3::jsonb)",
                )
                .bind(id)
                .bind(version)
                .bind(json)
                .execute(&mut *tx)
                .await?;
            }
            rows::bind_order_view(query(rows::UPSERT_ORDER_VIEW), row)
                .execute(&mut *tx)
                .await?;
            Ok(())
        }
        .await;
        match written {
            Ok(()) => tx.commit().await.map_err(backend)?,
            Err(err) if rows::is_unique_violation(&err) => {
                tx.rollback().await.map_err(backend)?;
                return Err(self.conflict(order, expected_version).await);
            }
            Err(err) => return Err(backend(err)),
        }
        from_db(last, "version")
    }

    async fn load(&self, order: OrderId) -> Result<Vec<OrderEvent>, StoreError> {
        let stream: Vec<(i64, String)> = query_as(
            "SELECT version, event::text FROM order_events WHERE order_id = $1 ORDER BY version",
        )
        .bind(to_db(order.0, "order id")?)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows::decode_stream(order, stream)
    }

    async fn active_orders(&self) -> Result<Vec<OrderId>, StoreError> {
        let ids: Vec<i64> = query_scalar(rows::ACTIVE_ORDERS)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        ids.into_iter()
            .map(|id| from_db(id, "order id").map(OrderId))
            .collect()
    }

    async fn order_view(&self, order: OrderId) -> Result<Option<OrderView>, StoreError> {
        let row: Option<OrderViewRow> = query_as(rows::ORDER_VIEW)
            .bind(to_db(order.0, "order id")?)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(OrderViewRow::decode).transpose()
    }

    async fn orders_of_customer(
        &self,
        customer: CustomerId,
        limit: u32,
    ) -> Result<Vec<OrderView>, StoreError> {
        let found: Vec<OrderViewRow> = query_as(rows::ORDERS_OF_CUSTOMER)
            .bind(to_db(customer.0, "customer id")?)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        found.into_iter().map(OrderViewRow::decode).collect()
    }

    async fn next_order_id(&self) -> Result<OrderId, StoreError> {
        let id: i64 = query_scalar("SELECT nextval('order_ids')")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        from_db(id, "order id").map(OrderId)
    }
}

#[async_trait]
impl CourierStore for PostgresStore {
    async fn put_courier(&self, view: &CourierView) -> Result<(), StoreError> {
        let row = CourierViewRow::encode(view)?;
        rows::bind_courier_view(query(rows::UPSERT_COURIER_VIEW), row)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn courier_view(&self, courier: CourierId) -> Result<Option<CourierView>, StoreError> {
        let row: Option<CourierViewRow> = query_as(rows::COURIER_VIEW)
            .bind(to_db(courier.0, "courier id")?)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(CourierViewRow::decode).transpose()
    }
}
