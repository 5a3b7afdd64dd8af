//! FoodieFast: a real-time dispatch engine for meal delivery.
//!
//! - [`cli`]: the `foodiefast` command line (clap definitions only);
//! - [`commands`]: one module per subcommand, each writing its output to any
//!   [`std::io::Write`];
//! - [`mdrp`]: loading Meal Delivery Routing Problem instances;
//! - [`replay`]: an MDRP instance's day driven through the real engine on
//!   paused time;
//! - [`store`]: durable storage with sqlx (SQLite or PostgreSQL): the order
//!   event log and the read models behind the actors' storage port;
//! - [`error`]: [`Error`], the one error type the binary reports.
//!
//! The dispatch decisions themselves live in the `foodiefast-geo` crate.

pub mod cli;
pub mod commands;
pub mod error;
pub mod mdrp;
pub mod replay;
pub mod store;

pub use error::Error;
