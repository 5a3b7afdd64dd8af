//! FoodieFast's dispatch core: pure, synchronous, no I/O.
//!
//! Everything that decides *which courier takes which order* lives here, so it
//! can be tested exhaustively and benchmarked in isolation:
//!
//! - [`position`]: WGS84 [`LatLng`] and planar [`Point`] positions, and the
//!   local projection between them;
//! - [`time`]: [`Seconds`], the one time unit of the core;
//! - [`travel`]: the [`TravelModel`] trait and its straight-line (MDRP) and
//!   haversine implementations;
//! - [`index`]: the courier spatial index ([`CourierIndex`], an `rstar` R-tree);
//! - [`zones`]: dispatch zones over `h3o` cells;
//! - [`route`]: timing of one courier's pickup and drop-off sequence;
//! - [`bundling`]: grouping orders of one restaurant onto one courier;
//! - [`assignment`]: the batch matching round (candidate graph, cost, solver).
//! - [`preposition`]: sending idle couriers towards restaurants short of couriers.
//!
//! No function here panics on any input: bad input is a [`GeoError`].

pub mod assignment;
pub mod bundling;
pub mod cost;
pub mod error;
pub mod fleet;
pub mod ids;
pub mod index;
mod neighbours;
pub mod order;
pub mod position;
pub mod preposition;
pub mod route;
pub mod time;
pub mod travel;
pub mod zones;

pub use error::GeoError;
pub use ids::{CourierId, IdHash, OrderId, RestaurantId};
pub use index::CourierIndex;
pub use position::{LatLng, LocalProjection, Point};
pub use time::Seconds;
pub use travel::{Haversine, StraightLine, TravelModel};
pub use zones::{ZoneGrid, ZoneId};
