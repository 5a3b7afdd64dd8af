//! [`EngineError`]: why the engine could not carry out a request.

use foodiefast_geo::{CourierId, GeoError, OrderId, RestaurantId};

use crate::domain::courier::CourierError;
use crate::domain::order::OrderError;
use crate::store::StoreError;

/// Why a request to the engine failed. Nothing was changed unless stated.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No such order.
    #[error("order {0} not found")]
    NotFound(OrderId),
    /// An order with this id already exists.
    #[error("order {0} already exists")]
    Duplicate(OrderId),
    /// The lifecycle refused the command.
    #[error(transparent)]
    Rejected(#[from] OrderError),
    /// The store failed; the command was not acknowledged (it may or may
    /// not have been recorded: the order's state is rebuilt from the log).
    #[error("the store failed")]
    Store(#[from] StoreError),
    /// The order's actor is unavailable (restarting, or given up on after
    /// repeated failures and held for an operator).
    #[error("order {0} is temporarily unavailable")]
    Unavailable(OrderId),
    /// No kitchen with this id was opened in this engine.
    #[error("kitchen {0} is not open")]
    KitchenNotOpen(RestaurantId),
    /// The courier is not online in this engine.
    #[error("courier {0} is not online")]
    CourierNotOnline(CourierId),
    /// A scheduled shift that ends before it starts.
    #[error("courier {0}'s scheduled shift ends before it starts")]
    InvalidShift(CourierId),
    /// The courier's lifecycle refused the command.
    #[error(transparent)]
    Courier(#[from] CourierError),
    /// An actor did not answer in time (restarting or overloaded): the
    /// request may or may not have been carried out; retrying is safe.
    #[error("the {0} did not answer in time")]
    NoAnswer(&'static str),
    /// The engine's settings are invalid.
    #[error("invalid engine settings")]
    Settings(#[from] GeoError),
    /// A paid order, but the engine was started without a payment provider.
    #[error("this engine takes no payments")]
    NoPayments,
    /// An actor could not be started.
    #[error("could not start the {0}")]
    Startup(&'static str),
}
