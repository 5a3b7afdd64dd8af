//! The Meal Delivery Routing Problem (MDRP) instance format of Grubhub and
//! Georgia Tech (`shared/mdrp/FORMAT.md`): loading an instance directory into
//! typed data; solutions (the three solution files), their feasibility and
//! their metrics; and the problem's rules that do not belong to the geo core.

mod bound;
mod error;
pub mod feasibility;
mod instance;
pub mod metrics;
pub mod naive;
pub mod report;
pub mod solution;
mod table;

#[cfg(test)]
pub(crate) mod fixture;
#[cfg(test)]
pub(crate) mod fixture_solution;

pub use bound::click_to_door_lower_bound;
pub use error::{LoadError, Location};
pub use instance::{
    COURIERS_FILE, Instance, ORDERS_FILE, PARAMETERS_FILE, Parameters, RESTAURANTS_FILE, Shift,
};
pub use solution::{Assignment, Delivery, Move, OrderRecord, Place, Solution};
