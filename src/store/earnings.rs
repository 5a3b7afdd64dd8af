//! What pay statements are computed from, kept by the writes that record
//! the facts: couriers' shift sessions (opened and closed by the courier
//! view's writes) and deliveries (one row per `delivered` event, in its
//! append's transaction). Reads list a courier's sessions and deliveries
//! in a period, and the delivered orders of a kitchen that may have moved
//! money in one (their logs say how much).

use foodiefast_actors::domain::courier::CourierStatus;
use foodiefast_actors::domain::order::OrderEvent;
use foodiefast_actors::store::{CourierView, StoreError};
use foodiefast_geo::{CourierId, OrderId, RestaurantId};
use sqlx::{
    ColumnIndex, Decode, Encode, Executor, FromRow, IntoArguments, Transaction, Type, query,
    query_as, query_scalar,
};

use super::rows::{backend, from_db, to_db};
use super::shared::{Dialect, SqlStore};

/// Opens courier `$1`'s session at `$2`, planned to end at `$3`; an open
/// one goes on, with the planned end given now.
const OPEN_SESSION: &str = "\
    INSERT INTO courier_sessions (courier, started_at, shift_end) VALUES ($1, $2, $3) \
    ON CONFLICT (courier) WHERE ended_at IS NULL DO UPDATE SET shift_end = excluded.shift_end";
/// Closes courier `$1`'s open session at `$2` (never before it started).
const CLOSE_SESSION: &str = "\
    UPDATE courier_sessions SET ended_at = CASE WHEN $2 < started_at THEN started_at ELSE $2 END \
    WHERE courier = $1 AND ended_at IS NULL";
/// Courier `$1`'s sessions overlapping `[$2, $3)`, oldest first.
const SESSIONS_BETWEEN: &str = "\
    SELECT started_at, ended_at, shift_end FROM courier_sessions \
    WHERE courier = $1 AND started_at < $3 AND (ended_at IS NULL OR ended_at > $2) \
    ORDER BY started_at";
/// Records that courier `$2` delivered order `$1` at `$3`.
const INSERT_DELIVERY: &str = "\
    INSERT INTO courier_deliveries (order_id, courier, delivered_at) VALUES ($1, $2, $3) \
    ON CONFLICT (order_id) DO NOTHING";
/// Courier `$1`'s deliveries in `[$2, $3)`, in order.
const DELIVERIES_BETWEEN: &str = "\
    SELECT order_id, delivered_at FROM courier_deliveries \
    WHERE courier = $1 AND delivered_at >= $2 AND delivered_at < $3 \
    ORDER BY delivered_at, order_id";
/// Kitchen `$1`'s delivered orders placed before `$3` that changed at or
/// after `$2`: every order whose payment can have moved in `[$2, $3)`.
const KITCHEN_DELIVERED_BETWEEN: &str = "\
    SELECT id FROM order_views \
    WHERE kitchen = $1 AND status = 'delivered' AND updated_at >= $2 AND placed_at < $3 \
    ORDER BY id";

/// One shift session of a courier, engine seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct Session {
    /// When the courier went online.
    pub started_at: i64,
    /// When it went offline; `None` while online.
    pub ended_at: Option<i64>,
    /// When the shift was planned to end, as last said.
    pub shift_end: Option<i64>,
}

/// One delivery by a courier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The order.
    pub order: OrderId,
    /// When it was handed over, engine seconds.
    pub delivered_at: i64,
}

/// Records the deliveries among `events`, appended to `order` in `tx`.
pub(crate) async fn record_deliveries<DB>(
    tx: &mut Transaction<'static, DB>,
    order: i64,
    events: &[OrderEvent],
) -> Result<(), sqlx::Error>
where
    DB: Dialect,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
{
    for event in events {
        if let OrderEvent::Delivered { at, courier } = event {
            let courier = i64::try_from(courier.0)
                .map_err(|_| sqlx::Error::Protocol("courier id beyond BIGINT".into()))?;
            query(INSERT_DELIVERY)
                .bind(order)
                .bind(courier)
                .bind(at.0)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Opens or closes `view`'s courier's session as its status says, in `tx`.
pub(crate) async fn record_session<DB>(
    tx: &mut Transaction<'static, DB>,
    view: &CourierView,
) -> Result<(), StoreError>
where
    DB: Dialect,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    Option<i64>: for<'q> Encode<'q, DB> + Type<DB>,
{
    let courier = to_db(view.id.0, "courier id")?;
    let at = view.updated_at.0;
    let statement = if view.status == CourierStatus::Offline {
        query(CLOSE_SESSION).bind(courier).bind(at)
    } else {
        query(OPEN_SESSION)
            .bind(courier)
            .bind(at)
            .bind(view.shift_end.map(|s| s.0))
    };
    statement.execute(&mut **tx).await.map_err(backend)?;
    Ok(())
}

impl<DB> SqlStore<DB>
where
    DB: Dialect,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    i64: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
    Session: for<'r> FromRow<'r, DB::Row>,
    (i64, i64): for<'r> FromRow<'r, DB::Row>,
{
    /// `courier`'s sessions overlapping `[from, to)`, oldest first.
    pub(crate) async fn courier_sessions(
        &self,
        courier: CourierId,
        (from, to): (i64, i64),
    ) -> Result<Vec<Session>, StoreError> {
        query_as(SESSIONS_BETWEEN)
            .bind(to_db(courier.0, "courier id")?)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)
    }

    /// `courier`'s deliveries in `[from, to)`, in order.
    pub(crate) async fn courier_deliveries(
        &self,
        courier: CourierId,
        (from, to): (i64, i64),
    ) -> Result<Vec<Delivery>, StoreError> {
        let rows: Vec<(i64, i64)> = query_as(DELIVERIES_BETWEEN)
            .bind(to_db(courier.0, "courier id")?)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.into_iter()
            .map(|(order, delivered_at)| {
                Ok(Delivery {
                    order: OrderId(from_db(order, "order id")?),
                    delivered_at,
                })
            })
            .collect()
    }

    /// `kitchen`'s delivered orders whose payment can have moved in
    /// `[from, to)`, by id.
    pub(crate) async fn kitchen_delivered_between(
        &self,
        kitchen: RestaurantId,
        (from, to): (i64, i64),
    ) -> Result<Vec<OrderId>, StoreError> {
        let ids: Vec<i64> = query_scalar(KITCHEN_DELIVERED_BETWEEN)
            .bind(to_db(kitchen.0, "kitchen id")?)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        ids.into_iter()
            .map(|id| from_db(id, "order id").map(OrderId))
            .collect()
    }
}
