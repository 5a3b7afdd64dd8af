//! Zone dispatch: the book of pending orders, available couriers and open
//! offers that a zone's dispatcher keeps, and the decisions it records.

pub mod actor;
pub mod book;
pub mod decision;

pub use actor::{CourierDirectory, DispatcherActor, DispatcherArgs, DispatcherMsg};
pub use book::{AnswerOutcome, DispatchBook, DispatchError, DispatchParams, OfferToSend};
pub use decision::Decision;
