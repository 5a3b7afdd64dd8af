//! What both backends share: the SQL that reads the same on SQLite and
//! PostgreSQL, the rows as stored (plain integers, floats and text), and the
//! checked conversions between rows and the domain's types.
//!
//! Writing converts ids from `u64` to the databases' signed 64-bit integers
//! and refuses what does not fit; reading refuses what the domain would not
//! accept (a negative id, an unknown status, a position out of range, an
//! event that does not parse) with [`StoreError::Corrupt`], never a panic.

use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::courier::CourierStatus;
use foodiefast_actors::domain::order::{OrderEvent, OrderStatus};
use foodiefast_actors::domain::payment::PaymentState;
use foodiefast_actors::store::{CourierView, OrderView, StoreError};
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds};
use sqlx::query::Query;
use sqlx::{Database, Encode, Type};

/// The columns of `order_views`, in [`OrderViewRow`]'s order.
macro_rules! view_columns {
    () => {
        "id, customer, kitchen, status, courier, total_cents, \
         placed_at, ready_at, pickup_eta, updated_at, version, payment, reason"
    };
}

/// Upserts an order's view; binds [`OrderViewRow`]'s fields in order.
pub(crate) const UPSERT_ORDER_VIEW: &str = concat!(
    "INSERT INTO order_views (",
    view_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
     ON CONFLICT (id) DO UPDATE SET \
         customer = excluded.customer, kitchen = excluded.kitchen, status = excluded.status, \
         courier = excluded.courier, total_cents = excluded.total_cents, \
         placed_at = excluded.placed_at, ready_at = excluded.ready_at, \
         pickup_eta = excluded.pickup_eta, updated_at = excluded.updated_at, \
         version = excluded.version, payment = excluded.payment, reason = excluded.reason"
);

/// One order's view.
pub(crate) const ORDER_VIEW: &str = concat!(
    "SELECT ",
    view_columns!(),
    " FROM order_views WHERE id = $1"
);

/// A customer's views, newest first, `$2` at most.
pub(crate) const ORDERS_OF_CUSTOMER: &str = concat!(
    "SELECT ",
    view_columns!(),
    " FROM order_views WHERE customer = $1 ORDER BY placed_at DESC, id DESC LIMIT $2"
);

/// The tail of a query of active orders (`OrderView::is_active`). The statuses
/// listed are the terminal ones (`OrderStatus::is_terminal`), the payment
/// states the open ones (`PaymentState::is_open`), as in the
/// `order_views_active` index.
macro_rules! from_active_orders {
    () => {
        " FROM order_views WHERE status NOT IN ('delivered', 'rejected', 'cancelled') \
          OR payment IN ('authorising', 'authorised', 'refunding') ORDER BY id"
    };
}

/// Active orders.
pub(crate) const ACTIVE_ORDERS: &str = concat!("SELECT id", from_active_orders!());

/// Active orders with each order's kitchen.
pub(crate) const ACTIVE_ORDERS_BY_KITCHEN: &str =
    concat!("SELECT id, kitchen", from_active_orders!());

/// Writes one outbox row: `$1` the order, `$2` the version, `$3` the
/// kitchen, `$4` the event's JSON text.
pub(crate) const INSERT_OUTBOX: &str =
    "INSERT INTO order_outbox (order_id, version, kitchen, event) VALUES ($1, $2, $3, $4)";

/// The oldest `$1` outbox rows, as `(relayed, order, version, kitchen, JSON text)`.
pub(crate) const UNPUBLISHED: &str = "SELECT relayed, order_id, version, kitchen, event \
     FROM order_outbox ORDER BY seq LIMIT $1";

/// The oldest `$1` outbox rows the hub does not have, as [`UNPUBLISHED`].
pub(crate) const UNRELAYED: &str = "SELECT relayed, order_id, version, kitchen, event \
     FROM order_outbox WHERE relayed = 0 ORDER BY seq LIMIT $1";

/// Marks the outbox row of order `$1`, version `$2` as relayed to the hub.
pub(crate) const MARK_RELAYED: &str =
    "UPDATE order_outbox SET relayed = 1 WHERE order_id = $1 AND version = $2";

/// Deletes the outbox row of order `$1`, version `$2`.
pub(crate) const DELETE_OUTBOX: &str =
    "DELETE FROM order_outbox WHERE order_id = $1 AND version = $2";

/// The current version of an order's stream (0 when it has none).
pub(crate) const CURRENT_VERSION: &str =
    "SELECT COALESCE(MAX(version), 0) FROM order_events WHERE order_id = $1";

/// Upserts a courier's view; binds [`CourierViewRow`]'s fields in order.
pub(crate) const UPSERT_COURIER_VIEW: &str = "\
    INSERT INTO courier_views (id, status, x, y, shift_end, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6) \
    ON CONFLICT (id) DO UPDATE SET \
        status = excluded.status, x = excluded.x, y = excluded.y, \
        shift_end = excluded.shift_end, updated_at = excluded.updated_at";

/// Stores the latest decision about order `$1`: offer `$2`, made at `$3`,
/// as JSON `$4`.
pub(crate) const UPSERT_DECISION: &str = "\
    INSERT INTO dispatch_decisions (order_id, offer, decided_at, decision) \
    VALUES ($1, $2, $3, $4) \
    ON CONFLICT (order_id) DO UPDATE SET \
        offer = excluded.offer, decided_at = excluded.decided_at, decision = excluded.decision";

/// The latest decision about order `$1`, as JSON.
pub(crate) const DECISION_OF: &str = "SELECT decision FROM dispatch_decisions WHERE order_id = $1";

/// One courier's view.
pub(crate) const COURIER_VIEW: &str =
    "SELECT id, status, x, y, shift_end, updated_at FROM courier_views WHERE id = $1";

/// A row of `order_views`.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub(crate) struct OrderViewRow {
    pub(crate) id: i64,
    pub(crate) customer: i64,
    pub(crate) kitchen: i64,
    pub(crate) status: String,
    pub(crate) courier: Option<i64>,
    pub(crate) total_cents: i64,
    pub(crate) placed_at: i64,
    pub(crate) ready_at: Option<i64>,
    pub(crate) pickup_eta: Option<i64>,
    pub(crate) updated_at: i64,
    pub(crate) version: i64,
    pub(crate) payment: String,
    pub(crate) reason: Option<String>,
}

impl OrderViewRow {
    /// The row storing `view`.
    pub(crate) fn encode(view: &OrderView) -> Result<Self, StoreError> {
        Ok(Self {
            id: to_db(view.id.0, "order id")?,
            customer: to_db(view.customer.0, "customer id")?,
            kitchen: to_db(view.kitchen.0, "kitchen id")?,
            status: view.status.as_str().to_owned(),
            courier: view.courier.map(|c| to_db(c.0, "courier id")).transpose()?,
            total_cents: view.total_cents,
            placed_at: view.placed_at.0,
            ready_at: view.ready_at.map(|s| s.0),
            pickup_eta: view.pickup_eta.map(|s| s.0),
            updated_at: view.updated_at.0,
            version: to_db(view.version, "version")?,
            payment: view.payment.as_str().to_owned(),
            reason: view.reason.clone(),
        })
    }

    /// The view this row stores.
    pub(crate) fn decode(self) -> Result<OrderView, StoreError> {
        let status = OrderStatus::parse(&self.status).ok_or_else(|| {
            corrupt(format!(
                "order {} has unknown status {:?}",
                self.id, self.status
            ))
        })?;
        let payment = PaymentState::parse(&self.payment).ok_or_else(|| {
            corrupt(format!(
                "order {} has unknown payment state {:?}",
                self.id, self.payment
            ))
        })?;
        Ok(OrderView {
            payment,
            reason: self.reason,
            id: OrderId(from_db(self.id, "order id")?),
            customer: CustomerId(from_db(self.customer, "customer id")?),
            kitchen: RestaurantId(from_db(self.kitchen, "kitchen id")?),
            status,
            courier: self
                .courier
                .map(|c| from_db(c, "courier id").map(CourierId))
                .transpose()?,
            total_cents: self.total_cents,
            placed_at: Seconds(self.placed_at),
            ready_at: self.ready_at.map(Seconds),
            pickup_eta: self.pickup_eta.map(Seconds),
            updated_at: Seconds(self.updated_at),
            version: from_db(self.version, "version")?,
        })
    }
}

/// A row of `courier_views`.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub(crate) struct CourierViewRow {
    pub(crate) id: i64,
    pub(crate) status: String,
    pub(crate) x: Option<f64>,
    pub(crate) y: Option<f64>,
    pub(crate) shift_end: Option<i64>,
    pub(crate) updated_at: i64,
}

impl CourierViewRow {
    /// The row storing `view`.
    pub(crate) fn encode(view: &CourierView) -> Result<Self, StoreError> {
        Ok(Self {
            id: to_db(view.id.0, "courier id")?,
            status: view.status.as_str().to_owned(),
            x: view.position.map(Point::x),
            y: view.position.map(Point::y),
            shift_end: view.shift_end.map(|s| s.0),
            updated_at: view.updated_at.0,
        })
    }

    /// The view this row stores.
    pub(crate) fn decode(self) -> Result<CourierView, StoreError> {
        let status = CourierStatus::parse(&self.status).ok_or_else(|| {
            corrupt(format!(
                "courier {} has unknown status {:?}",
                self.id, self.status
            ))
        })?;
        let position = match (self.x, self.y) {
            (Some(x), Some(y)) => Some(Point::new(x, y).map_err(|e| {
                corrupt(format!("courier {} has an invalid position: {e}", self.id))
            })?),
            (None, None) => None,
            _ => return Err(corrupt(format!("courier {} has half a position", self.id))),
        };
        Ok(CourierView {
            id: CourierId(from_db(self.id, "courier id")?),
            status,
            position,
            shift_end: self.shift_end.map(Seconds),
            updated_at: Seconds(self.updated_at),
        })
    }
}

/// Binds `row` to [`UPSERT_ORDER_VIEW`], on either backend.
pub(crate) fn bind_order_view<DB>(
    q: Query<'_, DB, DB::Arguments>,
    row: OrderViewRow,
) -> Query<'_, DB, DB::Arguments>
where
    DB: Database,
    i64: for<'t> Encode<'t, DB> + Type<DB>,
    Option<i64>: for<'t> Encode<'t, DB> + Type<DB>,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    Option<String>: for<'t> Encode<'t, DB> + Type<DB>,
{
    q.bind(row.id)
        .bind(row.customer)
        .bind(row.kitchen)
        .bind(row.status)
        .bind(row.courier)
        .bind(row.total_cents)
        .bind(row.placed_at)
        .bind(row.ready_at)
        .bind(row.pickup_eta)
        .bind(row.updated_at)
        .bind(row.version)
        .bind(row.payment)
        .bind(row.reason)
}

/// Binds `row` to [`UPSERT_COURIER_VIEW`], on either backend.
pub(crate) fn bind_courier_view<DB>(
    q: Query<'_, DB, DB::Arguments>,
    row: CourierViewRow,
) -> Query<'_, DB, DB::Arguments>
where
    DB: Database,
    i64: for<'t> Encode<'t, DB> + Type<DB>,
    Option<i64>: for<'t> Encode<'t, DB> + Type<DB>,
    Option<f64>: for<'t> Encode<'t, DB> + Type<DB>,
    String: for<'t> Encode<'t, DB> + Type<DB>,
{
    q.bind(row.id)
        .bind(row.status)
        .bind(row.x)
        .bind(row.y)
        .bind(row.shift_end)
        .bind(row.updated_at)
}

/// `events` as JSON, ready to insert.
pub(crate) fn encode_events(events: &[OrderEvent]) -> Result<Vec<String>, StoreError> {
    events
        .iter()
        .map(|e| serde_json::to_string(e).map_err(|e| StoreError::Backend(Box::new(e))))
        .collect()
}

/// Decodes a stream read oldest first as `(version, JSON)`, checking that
/// the versions run 1, 2, 3, ... without a gap.
pub(crate) fn decode_stream(
    order: OrderId,
    rows: Vec<(i64, String)>,
) -> Result<Vec<OrderEvent>, StoreError> {
    rows.into_iter()
        .zip(1_i64..)
        .map(|((version, json), expected)| {
            if version != expected {
                return Err(corrupt(format!(
                    "order {order} has event version {version} where {expected} belongs"
                )));
            }
            serde_json::from_str(&json)
                .map_err(|e| corrupt(format!("order {order} event {version} does not parse: {e}")))
        })
        .collect()
}

/// A stream's version before and after appending `count` events to it at
/// `expected`, as stored; the events get the versions in between.
pub(crate) fn new_versions(expected: u64, count: usize) -> Result<(i64, i64), StoreError> {
    let first = to_db(expected, "version")?;
    let count = i64::try_from(count).map_err(|_| out_of_range("event count"))?;
    let last = first
        .checked_add(count)
        .ok_or_else(|| out_of_range("version"))?;
    Ok((first, last))
}

/// A stored id or version as the domain's `u64`.
pub(crate) fn from_db(value: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt(format!("negative {what} {value}")))
}

/// A domain id or version as the databases' `BIGINT`.
pub(crate) fn to_db(value: u64, what: &'static str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| out_of_range(what))
}

/// A database error, wrapped.
pub(crate) fn backend(err: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(err))
}

/// A failure to open the database at `location` (a path, or a URL without
/// its password), which the error chain then names.
pub(crate) fn cannot_open(location: String, err: sqlx::Error) -> StoreError {
    let hint = if matches!(err, sqlx::Error::PoolTimedOut) {
        " (is the server running and reachable?)"
    } else {
        ""
    };
    backend(CannotOpen {
        location,
        hint,
        source: err,
    })
}

/// Whether `err` is a unique-key violation (a racing writer inserted first).
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(sqlx::error::DatabaseError::is_unique_violation)
}

pub(crate) fn corrupt(reason: String) -> StoreError {
    StoreError::Corrupt(reason)
}

fn out_of_range(what: &'static str) -> StoreError {
    backend(OutOfRange(what))
}

/// The database could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("cannot open {location}{hint}")]
struct CannotOpen {
    location: String,
    hint: &'static str,
    source: sqlx::Error,
}

/// A value the schema's 64-bit signed integers cannot hold.
#[derive(Debug, thiserror::Error)]
#[error("{0} does not fit in a signed 64-bit integer")]
struct OutOfRange(&'static str);

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> OrderView {
        OrderView {
            id: OrderId(12),
            customer: CustomerId(3),
            kitchen: RestaurantId(4),
            status: OrderStatus::Preparing,
            courier: Some(CourierId(9)),
            total_cents: 2_800,
            placed_at: Seconds(1_000),
            ready_at: Some(Seconds(2_000)),
            pickup_eta: None,
            updated_at: Seconds(1_500),
            version: 5,
            payment: PaymentState::Authorised,
            reason: None,
        }
    }

    #[test]
    fn views_round_trip_through_rows() {
        let row = OrderViewRow::encode(&view()).unwrap();
        assert_eq!(row.decode().unwrap(), view());
        let courier = CourierView {
            id: CourierId(9),
            status: CourierStatus::HeadingToPickup,
            position: Some(Point::new(-12.5, 300.25).unwrap()),
            shift_end: None,
            updated_at: Seconds(77),
        };
        assert_eq!(
            CourierViewRow::encode(&courier).unwrap().decode().unwrap(),
            courier
        );
    }

    #[test]
    fn unreadable_rows_are_corrupt() {
        let row = OrderViewRow {
            status: "lost".into(),
            ..OrderViewRow::encode(&view()).unwrap()
        };
        assert!(matches!(row.decode(), Err(StoreError::Corrupt(_))));
        let row = OrderViewRow {
            customer: -1,
            ..OrderViewRow::encode(&view()).unwrap()
        };
        assert!(matches!(row.decode(), Err(StoreError::Corrupt(_))));
        let courier = CourierViewRow {
            id: 1,
            status: "idle".into(),
            x: Some(1.0),
            y: None,
            shift_end: None,
            updated_at: 0,
        };
        assert!(matches!(
            courier.clone().decode(),
            Err(StoreError::Corrupt(_))
        ));
        let far = CourierViewRow {
            x: Some(f64::INFINITY),
            y: Some(0.0),
            ..courier
        };
        assert!(matches!(far.decode(), Err(StoreError::Corrupt(_))));
        let gap = vec![
            (1, r#"{"type":"ready","at":5}"#.to_owned()),
            (3, "{}".to_owned()),
        ];
        assert!(matches!(
            decode_stream(OrderId(1), gap),
            Err(StoreError::Corrupt(_))
        ));
        let garbage = vec![(1, "not json".to_owned())];
        assert!(matches!(
            decode_stream(OrderId(1), garbage),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn ids_beyond_bigint_are_refused_not_wrapped() {
        let huge = OrderView {
            id: OrderId(u64::MAX),
            ..view()
        };
        assert!(matches!(
            OrderViewRow::encode(&huge),
            Err(StoreError::Backend(_))
        ));
        assert!(new_versions(u64::MAX, 1).is_err());
        assert_eq!(new_versions(2, 3).unwrap(), (2, 5));
    }
}
