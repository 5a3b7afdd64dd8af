//! Payments: the port the order saga uses to hold, take and give back a
//! customer's money, and its adapters.
//!
//! - [`PaymentProvider`] (defined with the engine, which drives it): authorise (hold) an amount on a payment method,
//!   capture it, void the hold, refund a capture. Every call carries an
//!   idempotency key chosen by the caller, so a call repeated after a crash
//!   or a lost response has no second effect at the provider.
//! - [`stripe`]: a Stripe-compatible HTTP adapter (payment intents with manual
//!   capture), with retries and backoff on network errors and 5xx.
//! - [`sandbox`]: a sandbox provider in the process, for the embedded default
//!   and the demo: it approves or declines by the test payment methods that
//!   card providers' test modes document, and moves no money.
//! - [`config`]: which of the two, from the environment.
//!
//! The engine never sees card numbers: clients hand it a provider token
//! (a payment method id), and only that token crosses this port.

pub mod config;
pub mod sandbox;
pub mod stripe;

pub use config::PaymentsConfig;
pub use foodiefast_actors::payments::{
    Authorisation, AuthoriseRequest, IntentId, Money, PaymentError, PaymentMethod, PaymentProvider,
    RefundId,
};
