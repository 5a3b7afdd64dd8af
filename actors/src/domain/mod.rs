//! The engine's domain rules, free of actors and I/O: what may happen to an
//! order, a courier or a kitchen, and what each event changes.
//!
//! Each aggregate follows one pattern: `decide(command)` checks a command
//! against the current state and returns the events it causes, or a typed
//! error that changes nothing; `apply(event)` folds an event into the state.
//! Actors persist the events, then apply them; recovery replays them.

pub mod courier;
pub mod ids;
pub mod kitchen;
pub mod order;
pub mod payment;

pub use ids::CustomerId;
