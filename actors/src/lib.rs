//! FoodieFast's supervised actors (ractor on tokio): one actor per active
//! order, per online courier and per open chef kitchen; one dispatcher per
//! dispatch zone owning that zone's [`foodiefast_geo::fleet::Fleet`] and
//! pending orders; a tracking hub fanning live updates out to subscribers.
//!
//! - [`domain`]: the lifecycle rules of orders, couriers and kitchens, pure
//!   and synchronous: commands are checked, events are folded;
//! - [`store`]: the storage port (event log and read models) as traits, and
//!   [`memory_store`], its in-memory implementation;
//! - [`tracking`]: the tracking hub, live updates per order, per kitchen and
//!   per courier (a courier's app receives its offers there);
//! - [`clock`]: engine time on tokio's (pausable) clock;
//! - [`supervision`]: OTP-style restart intensity for the supervisors;
//! - [`orders`]: the order actors, their registry (live and sleeping
//!   orders), router and supervisor;
//! - [`couriers`]: the courier actors (offers timed out on engine time,
//!   positions published to the customers they serve);
//! - [`kitchens`]: the kitchen actors (answer deadlines, busy mode, ready signals);
//! - [`directory`]: live actors by key, for whoever must reach them;
//! - [`context`]: what every order actor shares;
//! - [`error`]: why the engine refused or failed a request;
//! - [`eta`]: when a courier is expected at the restaurant and at the door;
//! - [`dispatch`]: one dispatcher actor per zone and its book (waiting orders, free couriers,
//!   offers, recorded decisions) around the geo core's matching round;
//! - [`reactions`]: how order events reach kitchens, couriers and dispatchers;
//! - [`pickup_watch`]: the courier's ETA to pickup, told to the kitchen;
//! - [`supervisor`]: one supervisor per kind of keyed actor (couriers,
//!   kitchens, zone dispatchers), restarting failed ones;
//! - [`zoning`]: which dispatch zone a position lies in;
//! - [`outbox`]: publishes the events a store's outbox holds, after their commit;
//! - [`payments`]: the payment provider port and the saga that drives it
//!   from the orders' logs;
//! - [`engine`]: the front door: start everything with recovery; orders,
//!   kitchens and couriers through one API.
//!
//! The actors talk to storage and payments through traits and know nothing
//! of HTTP. The dispatch decisions themselves live in `foodiefast-geo`; this
//! crate gives them time, state and supervision.

pub mod clock;
pub mod context;
pub mod couriers;
pub mod directory;
pub mod dispatch;
pub mod domain;
pub mod engine;
pub mod error;
pub mod eta;
pub mod kitchens;
pub mod memory_store;
pub mod orders;
pub mod outbox;
pub mod payments;
pub mod pickup_watch;
pub mod reactions;
pub mod store;
pub mod supervision;
pub mod supervisor;
pub mod tracking;
pub mod zoning;

pub use engine::{Engine, EngineBuilder, EngineConfig, RecoveryFilter};
pub use error::EngineError;
