//! The payment adapters: the Stripe-compatible HTTP adapter against a
//! provider server that follows the provider's documented behaviour,
//! failures included (`provider.rs`), and the in-process sandbox.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod adapter;
mod provider;
mod sandbox;
