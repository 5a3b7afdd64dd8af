//! Courier actors: one per online courier, holding its working state,
//! timing its offers out, streaming its position to the customers it serves.

pub mod actor;

pub use actor::{CourierActor, CourierArgs, CourierMsg, CourierNotice};
