//! The store's logic, written once for both backends: appends, reads,
//! courier views and migrations, generic over the [`sqlx::Database`].
//!
//! What truly differs between SQLite and PostgreSQL is a [`Dialect`]: a few
//! SQL constants and how an append's transaction starts, implemented next to
//! each backend (`sqlite.rs`, `postgres.rs`). The SQL that reads the same on
//! both, and the row codecs, are in `rows`.
//!
//! Why generic code and not a macro that writes each method twice: the
//! bounds sqlx needs (an executor for the connection, arguments, the column
//! types, the row codecs) fit in one `where` clause, on [`SqlStore`]'s impl
//! block, and the bodies are then type-checked once, with errors pointing at
//! real code. The one macro left, [`forward_store_traits!`], only writes the
//! storage traits' signatures for each backend's public type (a foreign
//! trait cannot be implemented once for both, and the method bodies are a
//! single call into [`SqlStore`]).

use foodiefast_actors::dispatch::Decision;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::OrderEvent;
use foodiefast_actors::store::{CourierView, OrderView, OutboxEntry, StoreError};
use foodiefast_geo::{CourierId, OrderId, RestaurantId};
use sqlx::migrate::{Migrate, Migrator};
use sqlx::{
    ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Transaction,
    Type, query, query_as, query_scalar,
};

use super::rows::{self, CourierViewRow, OrderViewRow, backend, corrupt, from_db, to_db};
use super::{Backend, MigrationReport, count_applied};
use super::{earnings, kitchen_feed};

/// What differs between the backends' SQL and transactions.
pub(crate) trait Dialect: Database {
    /// Which backend this is.
    const BACKEND: Backend;
    /// The schema's migrations, embedded in the binary.
    const MIGRATOR: &'static Migrator;
    /// The statement that starts an append's transaction; `None`: the
    /// driver's plain `BEGIN`.
    const BEGIN_APPEND: Option<&'static str>;
    /// Inserts one event: `$1` the order id, `$2` its version, `$3` its JSON
    /// text.
    const INSERT_EVENT: &'static str;
    /// An order's stream (`$1`), oldest first, as `(version, JSON text)`.
    const LOAD_STREAM: &'static str;
    /// Allocates the next order id, atomically and durably.
    const NEXT_ORDER_ID: &'static str;
    /// Kitchen `$1`'s feed after number `$2`, at most `$3` rows, in order,
    /// as `(number, order id, version, JSON text)`.
    const KITCHEN_FEED_AFTER: &'static str;
}

/// A connection pool to either backend, with the store's operations.
#[derive(Debug)]
pub(crate) struct SqlStore<DB: Database> {
    /// The connections.
    pub(crate) pool: Pool<DB>,
}

// Not derived: that would want `DB: Clone`.
impl<DB: Database> Clone for SqlStore<DB> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
        }
    }
}

impl<DB: Database> SqlStore<DB> {
    /// The store on `pool`.
    pub(crate) const fn new(pool: Pool<DB>) -> Self {
        Self { pool }
    }

    /// Closes every connection.
    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}

impl<DB> SqlStore<DB>
where
    DB: Dialect,
    DB::Connection: Migrate,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    i64: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    Option<i64>: for<'q> Encode<'q, DB> + Type<DB>,
    Option<f64>: for<'q> Encode<'q, DB> + Type<DB>,
    Option<String>: for<'q> Encode<'q, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
    OrderViewRow: for<'r> FromRow<'r, DB::Row>,
    CourierViewRow: for<'r> FromRow<'r, DB::Row>,
    (i64, i64, i64, String): for<'r> FromRow<'r, DB::Row>,
    (i64, i64, i64, i64, String): for<'r> FromRow<'r, DB::Row>,
{
    /// Applies the migrations not yet applied (what opening a store does).
    pub(crate) async fn run_migrations(&self) -> Result<(), StoreError> {
        DB::MIGRATOR.run(&self.pool).await.map_err(backend)
    }

    /// Applies the migrations not yet applied and counts them; `location`
    /// names the database in the report.
    pub(crate) async fn migrate(&self, location: String) -> Result<MigrationReport, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        let before = count_applied(&mut *conn, DB::MIGRATOR).await?;
        DB::MIGRATOR.run(&self.pool).await.map_err(backend)?;
        let after = count_applied(&mut *conn, DB::MIGRATOR).await?;
        Ok(MigrationReport::new(
            DB::BACKEND,
            location,
            DB::MIGRATOR,
            before,
            after,
        ))
    }

    /// Starts an append's transaction, as the dialect says.
    async fn begin_append(&self) -> Result<Transaction<'static, DB>, StoreError> {
        match DB::BEGIN_APPEND {
            Some(statement) => self.pool.begin_with(statement).await,
            None => self.pool.begin().await,
        }
        .map_err(backend)
    }

    /// See [`OrderStore::append`](foodiefast_actors::store::OrderStore::append).
    pub(crate) async fn append(
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
        let kitchen = to_db(view.kitchen.0, "kitchen id")?;

        let mut tx = self.begin_append().await?;
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
                query(DB::INSERT_EVENT)
                    .bind(id)
                    .bind(version)
                    .bind(json.clone())
                    .execute(&mut *tx)
                    .await?;
                // The outbox row, in the same transaction as the event.
                query(rows::INSERT_OUTBOX)
                    .bind(id)
                    .bind(version)
                    .bind(kitchen)
                    .bind(json)
                    .execute(&mut *tx)
                    .await?;
            }
            rows::bind_order_view(query(rows::UPSERT_ORDER_VIEW), row)
                .execute(&mut *tx)
                .await?;
            earnings::record_deliveries(&mut tx, id, events).await?;
            // Last: the kitchen's head row stays locked until the commit.
            kitchen_feed::number_events(&mut tx, kitchen, id, (expected, last)).await?;
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

    /// See [`OrderStore::load`](foodiefast_actors::store::OrderStore::load).
    pub(crate) async fn load(&self, order: OrderId) -> Result<Vec<OrderEvent>, StoreError> {
        let stream: Vec<(i64, String)> = query_as(DB::LOAD_STREAM)
            .bind(to_db(order.0, "order id")?)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows::decode_stream(order, stream)
    }

    /// See [`OrderStore::active_orders`](foodiefast_actors::store::OrderStore::active_orders).
    pub(crate) async fn active_orders(&self) -> Result<Vec<OrderId>, StoreError> {
        let ids: Vec<i64> = query_scalar(rows::ACTIVE_ORDERS)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        ids.into_iter()
            .map(|id| from_db(id, "order id").map(OrderId))
            .collect()
    }

    /// See [`OrderStore::active_orders_by_kitchen`](foodiefast_actors::store::OrderStore::active_orders_by_kitchen).
    pub(crate) async fn active_orders_by_kitchen(
        &self,
    ) -> Result<Vec<(OrderId, RestaurantId)>, StoreError> {
        let rows: Vec<(i64, i64)> = query_as(rows::ACTIVE_ORDERS_BY_KITCHEN)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.into_iter()
            .map(|(id, kitchen)| {
                Ok((
                    OrderId(from_db(id, "order id")?),
                    RestaurantId(from_db(kitchen, "kitchen id")?),
                ))
            })
            .collect()
    }

    /// See [`OrderStore::order_view`](foodiefast_actors::store::OrderStore::order_view).
    pub(crate) async fn order_view(&self, order: OrderId) -> Result<Option<OrderView>, StoreError> {
        let row: Option<OrderViewRow> = query_as(rows::ORDER_VIEW)
            .bind(to_db(order.0, "order id")?)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(OrderViewRow::decode).transpose()
    }

    /// See [`OrderStore::orders_of_customer`](foodiefast_actors::store::OrderStore::orders_of_customer).
    pub(crate) async fn orders_of_customer(
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

    /// See [`OrderStore::next_order_id`](foodiefast_actors::store::OrderStore::next_order_id).
    pub(crate) async fn next_order_id(&self) -> Result<OrderId, StoreError> {
        let id: i64 = query_scalar(DB::NEXT_ORDER_ID)
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        from_db(id, "order id").map(OrderId)
    }

    /// See [`OutboxStore::unpublished`](foodiefast_actors::store::OutboxStore::unpublished).
    pub(crate) async fn unpublished(&self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        let found = query_as(rows::UNPUBLISHED)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        decode_outbox(found)
    }

    /// See [`OutboxStore::unrelayed`](foodiefast_actors::store::OutboxStore::unrelayed).
    pub(crate) async fn unrelayed(&self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        let found = query_as(rows::UNRELAYED)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        decode_outbox(found)
    }

    /// See [`OutboxStore::mark_relayed`](foodiefast_actors::store::OutboxStore::mark_relayed).
    pub(crate) async fn mark_relayed(&self, done: &[(OrderId, u64)]) -> Result<(), StoreError> {
        self.outbox_rows(rows::MARK_RELAYED, done).await
    }

    /// See [`OutboxStore::mark_published`](foodiefast_actors::store::OutboxStore::mark_published).
    pub(crate) async fn mark_published(&self, done: &[(OrderId, u64)]) -> Result<(), StoreError> {
        self.outbox_rows(rows::DELETE_OUTBOX, done).await
    }

    /// Runs `statement` on the outbox rows `done` (`$1` order, `$2` version), in one transaction.
    async fn outbox_rows(
        &self,
        statement: &'static str,
        done: &[(OrderId, u64)],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        for (order, version) in done {
            query(statement)
                .bind(to_db(order.0, "order id")?)
                .bind(to_db(*version, "version")?)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    /// See [`DecisionStore::put_decisions`](foodiefast_actors::store::DecisionStore::put_decisions).
    pub(crate) async fn put_decisions(&self, decisions: &[Decision]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        for decision in decisions {
            let json = serde_json::to_string(decision)
                .map_err(|e| corrupt(format!("a decision does not encode: {e}")))?;
            for order in &decision.orders {
                query(rows::UPSERT_DECISION)
                    .bind(to_db(order.0, "order id")?)
                    .bind(to_db(decision.offer, "offer id")?)
                    .bind(decision.at.0)
                    .bind(json.clone())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
        }
        tx.commit().await.map_err(backend)
    }

    /// See [`DecisionStore::decision_of`](foodiefast_actors::store::DecisionStore::decision_of).
    pub(crate) async fn decision_of(&self, order: OrderId) -> Result<Option<Decision>, StoreError> {
        let json: Option<String> = query_scalar(rows::DECISION_OF)
            .bind(to_db(order.0, "order id")?)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        json.map(|json| {
            serde_json::from_str(&json)
                .map_err(|e| corrupt(format!("decision about order {order}: {e}")))
        })
        .transpose()
    }

    /// See [`CourierStore::put_courier`](foodiefast_actors::store::CourierStore::put_courier).
    /// The view and the courier's shift session change together.
    pub(crate) async fn put_courier(&self, view: &CourierView) -> Result<(), StoreError> {
        let row = CourierViewRow::encode(view)?;
        let mut tx = self.pool.begin().await.map_err(backend)?;
        rows::bind_courier_view(query(rows::UPSERT_COURIER_VIEW), row)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        earnings::record_session(&mut tx, view).await?;
        tx.commit().await.map_err(backend)
    }

    /// See [`CourierStore::courier_view`](foodiefast_actors::store::CourierStore::courier_view).
    pub(crate) async fn courier_view(
        &self,
        courier: CourierId,
    ) -> Result<Option<CourierView>, StoreError> {
        let row: Option<CourierViewRow> = query_as(rows::COURIER_VIEW)
            .bind(to_db(courier.0, "courier id")?)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(CourierViewRow::decode).transpose()
    }
}

/// Outbox rows as the relay takes them.
fn decode_outbox(found: Vec<(i64, i64, i64, i64, String)>) -> Result<Vec<OutboxEntry>, StoreError> {
    found
        .into_iter()
        .map(|(relayed, order, version, kitchen, json)| {
            let order = OrderId(from_db(order, "order id")?);
            let event = serde_json::from_str(&json)
                .map_err(|e| corrupt(format!("outbox event of order {order}: {e}")))?;
            Ok(OutboxEntry {
                relayed: relayed != 0,
                order,
                version: from_db(version, "version")?,
                kitchen: RestaurantId(from_db(kitchen, "kitchen id")?),
                event,
            })
        })
        .collect()
}

/// Implements [`OrderStore`](foodiefast_actors::store::OrderStore) and
/// [`CourierStore`](foodiefast_actors::store::CourierStore) for a backend's
/// public type, whose `sql` field is an [`SqlStore`], by forwarding every
/// method to it.
macro_rules! forward_store_traits {
    ($store:ty) => {
        // A block of its own, for the imports.
        const _: () = {
            use async_trait::async_trait;
            use foodiefast_actors::dispatch::Decision;
            use foodiefast_actors::domain::CustomerId;
            use foodiefast_actors::domain::order::OrderEvent;
            use foodiefast_actors::store::{
                CourierStore, CourierView, DecisionStore, OrderStore, OrderView, OutboxEntry,
                OutboxStore, StoreError,
            };
            use foodiefast_geo::{CourierId, OrderId, RestaurantId};

            #[async_trait]
            impl OrderStore for $store {
                async fn append(
                    &self,
                    order: OrderId,
                    expected_version: u64,
                    events: &[OrderEvent],
                    view: &OrderView,
                ) -> Result<u64, StoreError> {
                    self.sql.append(order, expected_version, events, view).await
                }

                async fn load(&self, order: OrderId) -> Result<Vec<OrderEvent>, StoreError> {
                    self.sql.load(order).await
                }

                async fn active_orders(&self) -> Result<Vec<OrderId>, StoreError> {
                    self.sql.active_orders().await
                }

                async fn active_orders_by_kitchen(
                    &self,
                ) -> Result<Vec<(OrderId, RestaurantId)>, StoreError> {
                    self.sql.active_orders_by_kitchen().await
                }

                async fn order_view(
                    &self,
                    order: OrderId,
                ) -> Result<Option<OrderView>, StoreError> {
                    self.sql.order_view(order).await
                }

                async fn orders_of_customer(
                    &self,
                    customer: CustomerId,
                    limit: u32,
                ) -> Result<Vec<OrderView>, StoreError> {
                    self.sql.orders_of_customer(customer, limit).await
                }

                async fn next_order_id(&self) -> Result<OrderId, StoreError> {
                    self.sql.next_order_id().await
                }
            }

            #[async_trait]
            impl CourierStore for $store {
                async fn put_courier(&self, view: &CourierView) -> Result<(), StoreError> {
                    self.sql.put_courier(view).await
                }

                async fn courier_view(
                    &self,
                    courier: CourierId,
                ) -> Result<Option<CourierView>, StoreError> {
                    self.sql.courier_view(courier).await
                }
            }

            #[async_trait]
            impl OutboxStore for $store {
                async fn unpublished(&self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
                    self.sql.unpublished(limit).await
                }

                async fn unrelayed(&self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
                    self.sql.unrelayed(limit).await
                }

                async fn mark_relayed(&self, done: &[(OrderId, u64)]) -> Result<(), StoreError> {
                    self.sql.mark_relayed(done).await
                }

                async fn mark_published(&self, done: &[(OrderId, u64)]) -> Result<(), StoreError> {
                    self.sql.mark_published(done).await
                }
            }

            #[async_trait]
            impl DecisionStore for $store {
                async fn put_decisions(&self, decisions: &[Decision]) -> Result<(), StoreError> {
                    self.sql.put_decisions(decisions).await
                }

                async fn decision_of(
                    &self,
                    order: OrderId,
                ) -> Result<Option<Decision>, StoreError> {
                    self.sql.decision_of(order).await
                }
            }
        };
    };
}

pub(crate) use forward_store_traits;
