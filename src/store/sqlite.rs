//! The embedded SQLite backend: one file, no server, the default.
//!
//! The file runs in WAL mode with `synchronous = FULL`, so a committed
//! append survives a crash and a power loss; readers never block the
//! writer. Appends start with `BEGIN IMMEDIATE`: the write lock is taken
//! before the version check, so two racing writers are serialised (the
//! second waits up to the busy timeout) and the second sees the first's
//! events and gets a conflict.

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::OrderEvent;
use foodiefast_actors::store::{CourierStore, CourierView, OrderStore, OrderView, StoreError};
use foodiefast_geo::{CourierId, OrderId};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{query, query_as, query_scalar};

use super::rows::{self, CourierViewRow, OrderViewRow, backend, from_db, to_db};
use super::{Backend, MigrationReport, count_applied};

/// The SQLite schema's migrations, embedded in the binary.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a writer waits for another's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections kept open: readers run in parallel, writers take turns.
const MAX_CONNECTIONS: u32 = 8;

/// Orders and couriers in an SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if missing) the file at `path`. Does not migrate.
    pub async fn connect(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(|e| rows::cannot_open(format!("SQLite file {}", path.display()), e))?;
        Ok(Self {
            pool,
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
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
            Backend::Sqlite,
            self.path.display().to_string(),
            &MIGRATOR,
            before,
            after,
        ))
    }

    /// Closes every connection, checkpointing the WAL into the file.
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
impl OrderStore for SqliteStore {
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

        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
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
                query("INSERT INTO order_events (order_id, version, event) VALUES ($1, $2, $3)")
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
            "SELECT version, event FROM order_events WHERE order_id = $1 ORDER BY version",
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
        // One statement, so one implicit transaction: atomic and durable.
        let id: i64 = query_scalar(
            "UPDATE order_id_counter SET last_id = last_id + 1 WHERE only_row = 1 RETURNING last_id",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        from_db(id, "order id").map(OrderId)
    }
}

#[async_trait]
impl CourierStore for SqliteStore {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connections_are_durable_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new").with_extension("db");
        let store = SqliteStore::connect(&path).await.unwrap();
        let mut conn = store.pool.acquire().await.unwrap();
        let journal: String = query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let synchronous: i64 = query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let foreign_keys: i64 = query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let busy: i64 = query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!((journal.as_str(), synchronous, foreign_keys), ("wal", 2, 1));
        assert_eq!(busy, 5_000);
        drop(conn);
        store.close().await;
        assert!(path.exists());
    }
}
