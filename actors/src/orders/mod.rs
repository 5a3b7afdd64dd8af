//! Order actors: one per active order, supervised, rebuilt from the event
//! log after a failure or a restart of the process, put to sleep when idle
//! and woken by their next command.

pub mod actor;
pub mod census;
pub mod registry;
pub mod router;
pub mod supervisor;

pub use actor::{OrderActor, OrderArgs, OrderMsg, OrderStart};
pub use census::OrderCensus;
pub use registry::{Dormant, OrderRegistry, Slot};
pub use router::OrderRouter;
pub use supervisor::{OrderSupervisor, OrderSupervisorArgs, OrderSupervisorMsg};
