//! [`EngineError`]: why the engine could not carry out a request.

use foodiefast_geo::OrderId;

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
}
