//! FoodieFast's supervised actors (ractor on tokio): one actor per active
//! order, per online courier and per open chef kitchen; one dispatcher per
//! dispatch zone owning that zone's [`foodiefast_geo::fleet::Fleet`] and
//! pending orders; a tracking hub fanning live updates out to subscribers.
//!
//! - [`domain`]: the lifecycle rules of orders, couriers and kitchens, pure
//!   and synchronous: commands are checked, events are folded;
//! - [`store`]: the storage port (event log and read models) as traits;
//! - [`tracking`]: the tracking hub, live updates per order and per kitchen.
//!
//! The actors talk to storage and payments through traits and know nothing
//! of HTTP. The dispatch decisions themselves live in `foodiefast-geo`; this
//! crate gives them time, state and supervision.

pub mod domain;
pub mod store;
pub mod tracking;
