//! An MDRP solution: what a dispatcher did with an instance's day, in the
//! model of the three solution files of `shared/mdrp/FORMAT.md`:
//! assignments (who picks up which bundle, when), one record per order
//! (when it was picked up and dropped off, by whom) and each courier's moves.
//!
//! [`Solution::write`] produces the files exactly as the format says and
//! [`Solution::read`] parses them back, refusing bad input with a
//! [`LoadError`](super::LoadError) naming the file and line.

mod read;
mod write;

use std::collections::BTreeMap;
use std::fmt;

use foodiefast_geo::{CourierId, OrderId, RestaurantId, Seconds};

/// The assignments file of a solution directory.
pub const ASSIGNMENTS_FILE: &str = "solution_info_assignments.txt";
/// The per-order file of a solution directory.
pub const ORDERS_SOLUTION_FILE: &str = "solution_info_orders.txt";
/// The courier moves file of a solution directory.
pub const COURIERS_SOLUTION_FILE: &str = "solution_info_couriers.txt";

/// A bundle given to a courier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// When the dispatcher made the assignment.
    pub assigned_at: Seconds,
    /// When the courier picks the bundle up at its restaurant.
    pub pickup_at: Seconds,
    /// The courier.
    pub courier: CourierId,
    /// The orders, in drop-off sequence (at least one).
    pub orders: Vec<OrderId>,
}

/// What happened to one order of the instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderRecord {
    /// The order.
    pub order: OrderId,
    /// When the customer placed it.
    pub placed_at: Seconds,
    /// When the restaurant had it ready.
    pub ready_at: Seconds,
    /// Its pickup and drop-off; `None` when it was never delivered.
    pub delivery: Option<Delivery>,
}

/// The pickup and drop-off of a delivered order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// When the courier picked it up.
    pub pickup_at: Seconds,
    /// When the courier handed it to the customer.
    pub drop_off_at: Seconds,
    /// The courier.
    pub courier: CourierId,
}

/// Where a courier can be: its start location, a restaurant or a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    /// Where the courier's shift starts (`0` in the files).
    Start,
    /// A restaurant.
    Restaurant(RestaurantId),
    /// The customer of an order.
    Customer(OrderId),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Start => f.write_str("0"),
            Self::Restaurant(r) => r.fmt(f),
            Self::Customer(o) => o.fmt(f),
        }
    }
}

/// One courier move: from one place to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    /// When the courier sets off.
    pub departure: Seconds,
    /// Where it comes from.
    pub origin: Place,
    /// Where it goes.
    pub destination: Place,
}

/// A whole solution.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Solution {
    /// The assignments, in the order they were made.
    pub assignments: Vec<Assignment>,
    /// One record per order, delivered or not.
    pub orders: Vec<OrderRecord>,
    /// Each courier's moves, in the order executed; couriers that never moved are absent.
    pub routes: BTreeMap<CourierId, Vec<Move>>,
}

/// A time or a duration shown in minutes, as the files write it: whole
/// minutes plainly, others as the shortest decimal that reads back to the
/// same second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Minutes(pub Seconds);

impl fmt::Display for Minutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Seconds(s) = self.0;
        if s % 60 == 0 {
            write!(f, "{}", s / 60)
        } else {
            write!(f, "{}", s as f64 / 60.0)
        }
    }
}

/// [`Minutes`] as text.
pub(crate) fn minutes_text(t: Seconds) -> String {
    Minutes(t).to_string()
}

#[cfg(test)]
mod tests;
