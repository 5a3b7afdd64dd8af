//! The gateway, end to end: each test starts the app in-process on port 0
//! with a fresh SQLite store and drives it with a real HTTP client
//! (reqwest) and real WebSocket clients (tokio-tungstenite).

// Helpers outside `#[test]` functions: test code, where panicking is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod admin;
mod auth;
mod couriers;
mod delivery;
mod demo;
mod dispatch_views;
mod earnings;
mod errors;
mod harness;
mod kitchen_doors;
mod kitchens;
mod operations;
mod orders;
mod payments;
mod shutdown;
mod tracking;
mod web_clients;
mod webhooks;
