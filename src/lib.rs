//! FoodieFast: a real-time dispatch engine for meal delivery.
//!
//! - [`cli`]: the `foodiefast` command line (clap definitions only);
//! - [`commands`]: one module per subcommand, each writing its output to any
//!   [`std::io::Write`];
//! - [`config`]: the service's configuration, from the environment;
//! - [`gateway`]: the HTTP and WebSocket gateway (`foodiefast serve`);
//! - [`demo`]: `serve --demo`'s simulated city;
//! - [`earnings`]: couriers' and kitchens' pay statements;
//! - [`loadgen`]: the load generator (`foodiefast loadgen`);
//! - [`catalog`]: kitchens and menus as chefs publish them;
//! - [`mdrp`]: loading Meal Delivery Routing Problem instances;
//! - [`payments`]: the payment port and its providers (Stripe-compatible
//!   HTTP, and an in-process sandbox);
//! - [`replay`]: an MDRP instance's day driven through the real engine on
//!   paused time;
//! - [`store`]: durable storage with sqlx (SQLite or PostgreSQL): the order
//!   event log and the read models behind the actors' storage port;
//! - [`webhooks`]: every order event posted, signed, to a configured URL;
//! - [`error`]: [`Error`], the one error type the binary reports.
//!
//! The dispatch decisions themselves live in the `foodiefast-geo` crate.

pub mod catalog;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod config;
pub mod demo;
pub mod earnings;
pub mod error;
pub mod gateway;
pub mod loadgen;
pub mod mdrp;
pub mod payments;
pub mod replay;
pub mod store;
pub mod webhooks;

pub use error::Error;
