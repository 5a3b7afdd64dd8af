//! Checking a [`Solution`] against every rule of `shared/mdrp/FORMAT.md`.
//!
//! [`check`] collects every [`Violation`], not just the first: a solution is
//! feasible when the list is empty. The rules on what was assigned and
//! recorded are checked in `orders.rs`; the rules on where couriers are and
//! when in `routes.rs`, over each courier's timeline of stays.

mod orders;
mod routes;
mod timeline;
mod violation;

use std::collections::HashMap;

use foodiefast_geo::order::Order;
use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{CourierId, GeoError, OrderId, StraightLine};

use super::solution::Solution;
use super::{Instance, Shift};

pub use violation::Violation;

/// Every rule `solution` breaks on `instance`, assignments' rules first, in
/// file order. Fails only if the instance's parameters are unusable, which a
/// loaded instance's never are.
pub fn check(instance: &Instance, solution: &Solution) -> Result<Vec<Violation>, GeoError> {
    let day = Day::new(instance)?;
    let mut violations = Vec::new();
    orders::check(&day, solution, &mut violations);
    routes::check(&day, solution, &mut violations);
    Ok(violations)
}

/// The instance, indexed for the checks.
struct Day<'a> {
    instance: &'a Instance,
    orders: HashMap<OrderId, &'a Order>,
    shifts: HashMap<CourierId, &'a Shift>,
    model: StraightLine,
    service: ServiceTimes,
}

impl<'a> Day<'a> {
    fn new(instance: &'a Instance) -> Result<Self, GeoError> {
        Ok(Self {
            instance,
            orders: instance.orders().iter().map(|o| (o.id, o)).collect(),
            shifts: instance.shifts().iter().map(|s| (s.courier, s)).collect(),
            model: instance.parameters().travel_model()?,
            service: instance.parameters().service_times()?,
        })
    }
}

#[cfg(test)]
mod tests;
