//! When a courier is expected where people wait for it: at the restaurant
//! (the kitchen wants to know when its food is fetched) and at the
//! customer's door. The same travel model and service rules as the
//! dispatcher's plans (`foodiefast_geo::route`): a courier fetches the food
//! half the pickup service time after arriving, or when it is ready if
//! later, leaves the other half after that, then rides to the door.
//!
//! An ETA counts the order's own legs. In a bundle, the drop-offs before
//! this one add their ride and service time, which this estimate does not
//! see; it is what a single-order trip would take from where the courier is.

use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{Point, Seconds, TravelModel};

use crate::dispatch::Travel;

/// Where a courier still has to go for one order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Leg {
    /// To the restaurant, then the door.
    Fetching {
        /// The restaurant.
        pickup: Point,
        /// The customer.
        drop_off: Point,
        /// When the food is expected ready (`None`: no estimate yet, the
        /// courier does not wait for it).
        ready_at: Option<Seconds>,
    },
    /// The food is on board: to the door.
    Delivering {
        /// The customer.
        drop_off: Point,
    },
}

/// The engine's arrival estimates.
#[derive(Debug, Clone)]
pub struct EtaModel {
    travel: Travel,
    service: ServiceTimes,
}

impl EtaModel {
    /// Estimates with `travel` times and `service` times at stops.
    pub const fn new(travel: Travel, service: ServiceTimes) -> Self {
        Self { travel, service }
    }

    /// When a courier at `at` at `now` reaches the restaurant at `pickup`;
    /// `None` when the model finds it unreachable.
    pub fn to_pickup(&self, now: Seconds, at: Point, pickup: Point) -> Option<Seconds> {
        arrive(now, self.travel.travel_time(at, pickup))
    }

    /// When a courier at `at` at `now` reaches the customer of `leg`;
    /// `None` when the model finds a stop unreachable.
    pub fn to_door(&self, now: Seconds, at: Point, leg: Leg) -> Option<Seconds> {
        match leg {
            Leg::Delivering { drop_off } => arrive(now, self.travel.travel_time(at, drop_off)),
            Leg::Fetching {
                pickup,
                drop_off,
                ready_at,
            } => {
                let arrival = self.to_pickup(now, at, pickup)?;
                let fetched = self
                    .service
                    .pickup_at(arrival, ready_at.unwrap_or(Seconds::ZERO));
                let leaves = self.service.leave_restaurant(fetched);
                arrive(leaves, self.travel.travel_time(pickup, drop_off))
            }
        }
    }
}

/// `start` plus `ride`, unless the ride is unreachable.
fn arrive(start: Seconds, ride: Seconds) -> Option<Seconds> {
    (ride < Seconds::MAX).then(|| start + ride)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use foodiefast_geo::StraightLine;

    use super::*;

    fn model() -> EtaModel {
        let travel = Travel(Arc::new(StraightLine::new(60.0).expect("a speed")));
        let service = ServiceTimes::new(Seconds(120), Seconds(60)).expect("service times");
        EtaModel::new(travel, service)
    }

    fn point(x: f64, y: f64) -> Point {
        Point::new(x, y).expect("a point")
    }

    #[test]
    fn a_courier_fetches_then_delivers() {
        // 60 m a minute: 600 m is ten minutes.
        let eta = model();
        let (courier, pickup, door) = (point(0.0, 0.0), point(600.0, 0.0), point(600.0, 300.0));
        let now = Seconds(1_000);
        assert_eq!(eta.to_pickup(now, courier, pickup), Some(Seconds(1_600)));
        // Arrives at 1600, fetches at 1660 (half the service), leaves at
        // 1720, rides five minutes.
        let fetching = Leg::Fetching {
            pickup,
            drop_off: door,
            ready_at: None,
        };
        assert_eq!(eta.to_door(now, courier, fetching), Some(Seconds(2_020)));
        // Food ready only at 2000: fetched then, leaves at 2060.
        let late_food = Leg::Fetching {
            pickup,
            drop_off: door,
            ready_at: Some(Seconds(2_000)),
        };
        assert_eq!(eta.to_door(now, courier, late_food), Some(Seconds(2_360)));
        let on_board = Leg::Delivering { drop_off: door };
        assert_eq!(eta.to_door(now, pickup, on_board), Some(Seconds(1_300)));
    }
}
