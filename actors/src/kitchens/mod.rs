//! Kitchen actors: one per open chef kitchen, holding its queue (orders
//! waiting for the chef's answer, orders cooking), auto-rejecting orders the
//! chef leaves unanswered, and carrying the chef's answers to the orders.

pub mod actor;
pub mod kind;

pub use actor::{KitchenActor, KitchenActorError, KitchenArgs, KitchenMsg, KitchenQueue};
pub use kind::{KitchenDoor, KitchenKind, KitchenSettings};
