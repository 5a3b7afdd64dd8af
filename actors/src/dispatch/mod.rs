//! Zone dispatch: the book of pending orders, available couriers and open
//! offers that a zone's dispatcher keeps, the decisions it records, one
//! dispatcher actor per zone, and how messages find their zone.

pub mod actor;
pub mod book;
pub mod decision;
pub mod journal;
pub mod kind;
pub mod zones;

pub use actor::{
    CourierDirectory, DispatcherActor, DispatcherArgs, DispatcherMsg, RoundTiming, ZoneLoad,
};
pub use book::{AnswerOutcome, DispatchBook, DispatchError, DispatchParams, OfferToSend};
pub use decision::Decision;
pub use journal::DecisionJournal;
pub use kind::{DispatcherKind, Travel};
pub use zones::{DispatcherDirectory, ZoneDispatchers};
