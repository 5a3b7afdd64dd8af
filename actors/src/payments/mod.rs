//! Payments as the engine sees them: the provider port, and the saga that
//! drives it from the orders' logs.
//!
//! - [`PaymentProvider`]: authorise (hold) an amount on a payment method,
//!   capture it, void the hold, refund a capture. Every call carries an
//!   idempotency key chosen by the caller, so a call repeated after a crash
//!   or a lost response has no second effect at the provider. The service
//!   implements it (a Stripe-compatible HTTP adapter, an in-process
//!   sandbox); this crate knows nothing of HTTP.
//! - [`saga`]: takes each order's due payment step to the provider, retries
//!   while it is unavailable, records the answer in the order's log; ends
//!   the courier search of orders nobody carries in time.
//!
//! The engine never sees card numbers: clients hand it a provider token
//! (a payment method id), and only that token crosses this port.

pub mod saga;

use std::fmt;

use async_trait::async_trait;

pub use saga::{PaymentSaga, SagaConfig};

/// An amount in minor units (cents) of a currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    /// Minor units, positive.
    pub minor: i64,
    /// ISO 4217 code, lower case (`eur`).
    pub currency: String,
}

/// A provider's token for the customer's payment method (never card data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethod(pub String);

/// A provider's id for one authorisation (a payment intent).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IntentId(pub String);

impl fmt::Display for IntentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A provider's id for one refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundId(pub String);

/// What to hold on the customer's payment method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthoriseRequest {
    /// The order paid for (sent as metadata, for reconciliation).
    pub order: u64,
    /// How much.
    pub amount: Money,
    /// The customer's payment method token.
    pub method: PaymentMethod,
}

/// An amount held and not yet captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorisation {
    /// The provider's id for the hold.
    pub intent: IntentId,
    /// The amount held.
    pub amount: Money,
}

/// Why a payment call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The customer's payment method was refused: final, tell the customer.
    #[error("payment declined ({code}): {message}")]
    Declined {
        /// The provider's decline code (`card_declined`, `insufficient_funds`, ...).
        code: String,
        /// The provider's message, fit for the customer.
        message: String,
    },
    /// The provider refused the request itself (bad parameters, a key
    /// reused with other parameters, an unknown intent, bad credentials):
    /// final, and a fault on our side or in the configuration.
    #[error("the payment provider refused the request ({code}): {message}")]
    Refused {
        /// The provider's error code.
        code: String,
        /// The provider's message.
        message: String,
    },
    /// No answer after every retry (network errors, timeouts, 5xx, rate
    /// limits): the outcome is unknown; repeat later with the same key.
    #[error("the payment provider is unavailable: {0}")]
    Unavailable(String),
}

impl PaymentError {
    /// Whether repeating the call later, with the same key, may succeed.
    pub const fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// A payment provider. Each call's `key` makes it idempotent at the
/// provider: the same key with the same arguments has one effect and one
/// answer, however often it is sent.
#[async_trait]
pub trait PaymentProvider: Send + Sync + 'static {
    /// Holds `request.amount` on the payment method (manual capture).
    async fn authorise(
        &self,
        request: &AuthoriseRequest,
        key: &str,
    ) -> Result<Authorisation, PaymentError>;

    /// Takes `minor` units of the hold (at most what was held).
    async fn capture(&self, intent: &IntentId, minor: i64, key: &str) -> Result<(), PaymentError>;

    /// Releases the hold without taking anything.
    async fn void(&self, intent: &IntentId, key: &str) -> Result<(), PaymentError>;

    /// Gives back `minor` units of what was captured.
    async fn refund(
        &self,
        intent: &IntentId,
        minor: i64,
        key: &str,
    ) -> Result<RefundId, PaymentError>;
}
