//! Each kitchen's feed: every event of the kitchen's orders numbered 1, 2,
//! 3, ... per kitchen, in the transaction of the append that records it.
//! The numbers are the event ids of the chef's live feed: stable (they are
//! stored), totally ordered per kitchen, and committed in order (appends to
//! one kitchen take its head row in turn, and hold it until they commit),
//! so a tablet that saw number `n` resumes with exactly the events after it.

use foodiefast_actors::domain::order::OrderEvent;
use foodiefast_actors::store::StoreError;
use foodiefast_geo::{OrderId, RestaurantId};
use sqlx::{
    ColumnIndex, Decode, Encode, Executor, IntoArguments, Transaction, Type, query, query_as,
    query_scalar,
};

use super::rows::{backend, corrupt, from_db, to_db};
use super::shared::{Dialect, SqlStore};

/// Takes `$2` numbers for kitchen `$1`; answers the last one taken.
const TAKE_NUMBERS: &str = "\
    INSERT INTO kitchen_feed_heads (kitchen, last_seq) VALUES ($1, $2) \
    ON CONFLICT (kitchen) DO UPDATE SET last_seq = kitchen_feed_heads.last_seq + excluded.last_seq \
    RETURNING last_seq";
/// Numbers event `$4` of order `$3` as `$2` of kitchen `$1`.
const INSERT_NUMBER: &str =
    "INSERT INTO kitchen_feed (kitchen, seq, order_id, version) VALUES ($1, $2, $3, $4)";
/// The last number kitchen `$1` handed out.
const HEAD: &str = "SELECT last_seq FROM kitchen_feed_heads WHERE kitchen = $1";

/// One event of a kitchen's feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEvent {
    /// Its number in the kitchen's feed: the chef feed's event id.
    pub seq: u64,
    /// The order.
    pub order: OrderId,
    /// The order's version after the event.
    pub version: u64,
    /// What happened.
    pub event: OrderEvent,
}

/// Numbers the events `versions.0 + 1 ..= versions.1` of `order`, just
/// appended in `tx`, in `kitchen`'s feed.
pub(crate) async fn number_events<DB>(
    tx: &mut Transaction<'static, DB>,
    kitchen: i64,
    order: i64,
    (before, last): (i64, i64),
) -> Result<(), sqlx::Error>
where
    DB: Dialect,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    i64: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    let count = last - before;
    if count <= 0 {
        return Ok(());
    }
    let head: i64 = query_scalar(TAKE_NUMBERS)
        .bind(kitchen)
        .bind(count)
        .fetch_one(&mut **tx)
        .await?;
    for (seq, version) in (head - count + 1..=head).zip(before + 1..=last) {
        query(INSERT_NUMBER)
            .bind(kitchen)
            .bind(seq)
            .bind(order)
            .bind(version)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl<DB> SqlStore<DB>
where
    DB: Dialect,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    i64: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    /// The events of `kitchen`'s feed numbered after `after`, in order, at
    /// most `limit` of them.
    pub(crate) async fn kitchen_feed_after(
        &self,
        kitchen: RestaurantId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<FeedEvent>, StoreError> {
        let rows: Vec<(i64, i64, i64, String)> = query_as(DB::KITCHEN_FEED_AFTER)
            .bind(to_db(kitchen.0, "kitchen id")?)
            .bind(to_db(after, "event id")?)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.into_iter()
            .map(|(seq, order, version, json)| {
                let order = OrderId(from_db(order, "order id")?);
                Ok(FeedEvent {
                    seq: from_db(seq, "event id")?,
                    order,
                    version: from_db(version, "version")?,
                    event: serde_json::from_str(&json).map_err(|e| {
                        corrupt(format!("order {order} event {version} does not parse: {e}"))
                    })?,
                })
            })
            .collect()
    }

    /// The last number of `kitchen`'s feed (0 before its first event).
    pub(crate) async fn kitchen_feed_head(&self, kitchen: RestaurantId) -> Result<u64, StoreError> {
        let head: Option<i64> = query_scalar(HEAD)
            .bind(to_db(kitchen.0, "kitchen id")?)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        head.map_or(Ok(0), |h| from_db(h, "event id"))
    }
}
