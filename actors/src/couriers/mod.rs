//! Courier actors: one per online courier, holding its working state,
//! timing its offers out, streaming its position to the customers it serves,
//! reporting to the dispatcher of its zone, and telling its app about offers.

pub mod actor;
pub mod kind;
pub mod notices;
pub mod trips;

pub use actor::{CourierActor, CourierArgs, CourierMsg};
pub use kind::CourierKind;
pub use notices::{CourierNotice, NoticeBoard};
pub use trips::{Trip, TripLedger};
