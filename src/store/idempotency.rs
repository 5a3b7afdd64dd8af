//! Idempotency keys of order placements, on either backend.
//!
//! The first placement with a key claims it, recording the canonical
//! request and the order id reserved for it; the primary key
//! `(customer, key)` settles concurrent duplicates, so exactly one request
//! claims a key and the others see its claim.

use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::store::StoreError;
use foodiefast_geo::OrderId;
use sqlx::{
    ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type, query, query_as,
    query_scalar,
};

use super::rows::{backend, corrupt, from_db, to_db};
use super::shared::SqlStore;

/// What claiming an idempotency key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyClaim {
    /// The key was free: this request now owns it and its order id.
    Claimed,
    /// An earlier request holds the key.
    Held {
        /// That request, as canonical JSON.
        request: String,
        /// The order reserved for it.
        order: OrderId,
    },
}

impl<DB> SqlStore<DB>
where
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    i64: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    /// Claims `key` of `customer` for `request` and `order`, or says who holds it.
    pub(crate) async fn claim_idempotency_key(
        &self,
        customer: CustomerId,
        key: &str,
        request: &str,
        order: OrderId,
        now: i64,
    ) -> Result<KeyClaim, StoreError> {
        let customer = to_db(customer.0, "customer id")?;
        let claimed: Option<i64> = query_scalar(
            "INSERT INTO idempotency_keys (customer, key, request, order_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (customer, key) DO NOTHING \
             RETURNING order_id",
        )
        .bind(customer)
        .bind(key.to_owned())
        .bind(request.to_owned())
        .bind(to_db(order.0, "order id")?)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        if claimed.is_some() {
            return Ok(KeyClaim::Claimed);
        }
        let held: Option<(String, i64)> = query_as(
            "SELECT request, order_id FROM idempotency_keys WHERE customer = $1 AND key = $2",
        )
        .bind(customer)
        .bind(key.to_owned())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let (request, order) =
            held.ok_or_else(|| corrupt("an idempotency key vanished while claimed".to_owned()))?;
        Ok(KeyClaim::Held {
            request,
            order: OrderId(from_db(order, "order id")?),
        })
    }

    /// Frees `key` of `customer` after its placement failed, so a retry can
    /// claim it again.
    pub(crate) async fn release_idempotency_key(
        &self,
        customer: CustomerId,
        key: &str,
    ) -> Result<(), StoreError> {
        query("DELETE FROM idempotency_keys WHERE customer = $1 AND key = $2")
            .bind(to_db(customer.0, "customer id")?)
            .bind(key.to_owned())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
