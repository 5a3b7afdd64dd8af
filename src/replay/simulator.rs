//! The courier simulator: how a courier plays an assignment out under the
//! plain MDRP rules, as a timetable the day's driver reports to the engine.
//!
//! The courier sets off on the next whole minute (MDRP times are whole
//! minutes and the evaluator reads them so), rides in a straight line at the
//! instance's speed (`ceil(distance / speed)` minutes), picks the bundle up
//! at `max(latest ready time, arrival + half the pickup service)`, leaves
//! half a service later, and drops each order off in sequence at arrival
//! plus half the drop-off service, leaving half a service later. Nothing
//! diverts it once it has set off.

use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{OrderId, Point, Seconds, StraightLine, TravelModel};

use crate::mdrp::Place;

/// One minute, the grain of MDRP times.
const MINUTE: i64 = 60;

/// The first whole minute at or after `t`.
pub fn next_whole_minute(t: Seconds) -> Seconds {
    Seconds(
        t.0.div_euclid(MINUTE) * MINUTE
            + if t.0.rem_euclid(MINUTE) == 0 {
                0
            } else {
                MINUTE
            },
    )
}

/// Where a courier is and where it stands in the MDRP's terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Whereabouts {
    /// The point.
    pub position: Point,
    /// The same place as the solution files name it.
    pub place: Place,
}

/// One order of a bundle to carry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stop {
    /// The order.
    pub order: OrderId,
    /// Its customer.
    pub drop_off: Point,
    /// When its food is ready.
    pub ready_at: Seconds,
}

/// A bundle offered to a courier: one restaurant, orders in drop-off sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct Errand {
    /// The restaurant.
    pub restaurant: Whereabouts,
    /// The orders, in drop-off sequence.
    pub stops: Vec<Stop>,
}

/// A drop-off of the timetable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DropOff {
    /// The order handed over.
    pub order: OrderId,
    /// When the courier sets off towards this customer.
    pub departure: Seconds,
    /// When the courier hands the order over.
    pub at: Seconds,
}

/// When each step of an errand happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timetable {
    /// When the courier sets off for the restaurant.
    pub departure: Seconds,
    /// When it reaches the restaurant.
    pub arrival: Seconds,
    /// When it picks the bundle up.
    pub pickup: Seconds,
    /// Each drop-off, in sequence.
    pub drop_offs: Vec<DropOff>,
    /// When it is free again, at the last customer.
    pub free_at: Seconds,
}

/// The rules of the courier simulator: the instance's speed and service times.
#[derive(Debug, Clone, Copy)]
pub struct Simulator {
    model: StraightLine,
    service: ServiceTimes,
}

impl Simulator {
    /// A simulator with the instance's travel model and service times.
    pub const fn new(model: StraightLine, service: ServiceTimes) -> Self {
        Self { model, service }
    }

    /// The timetable of `errand` for a courier at `from`, free from `free_at`.
    pub fn timetable(&self, from: Point, free_at: Seconds, errand: &Errand) -> Timetable {
        let departure = next_whole_minute(free_at);
        let arrival = departure + self.model.travel_time(from, errand.restaurant.position);
        let ready = errand
            .stops
            .iter()
            .map(|s| s.ready_at)
            .max()
            .unwrap_or(arrival);
        let pickup = self.service.pickup_at(arrival, ready);
        let mut leave = self.service.leave_restaurant(pickup);
        let mut here = errand.restaurant.position;
        let half = self.service.drop_off().half();
        let rest = self.service.drop_off() - half;
        let drop_offs = errand
            .stops
            .iter()
            .map(|stop| {
                let at = leave + self.model.travel_time(here, stop.drop_off) + half;
                let drop_off = DropOff {
                    order: stop.order,
                    departure: leave,
                    at,
                };
                leave = at + rest;
                here = stop.drop_off;
                drop_off
            })
            .collect();
        Timetable {
            departure,
            arrival,
            pickup,
            drop_offs,
            free_at: leave,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use foodiefast_geo::RestaurantId;

    fn m(minutes: i64) -> Seconds {
        Seconds::from_minutes(minutes)
    }

    fn pt(x: f64) -> Point {
        Point::new(x, 0.0).unwrap()
    }

    /// 320 m/min, four minutes' service at the restaurant and the door.
    fn simulator() -> Simulator {
        Simulator::new(
            StraightLine::new(320.0).unwrap(),
            ServiceTimes::new(m(4), m(4)).unwrap(),
        )
    }

    fn errand(stops: &[(u64, f64, i64)]) -> Errand {
        Errand {
            restaurant: Whereabouts {
                position: pt(0.0),
                place: Place::Restaurant(RestaurantId(1)),
            },
            stops: stops
                .iter()
                .map(|&(order, x, ready)| Stop {
                    order: OrderId(order),
                    drop_off: pt(x),
                    ready_at: m(ready),
                })
                .collect(),
        }
    }

    #[test]
    fn departures_wait_for_the_next_whole_minute() {
        assert_eq!(next_whole_minute(Seconds(600)), Seconds(600));
        assert_eq!(next_whole_minute(Seconds(601)), Seconds(660));
        assert_eq!(next_whole_minute(Seconds(659)), Seconds(660));
    }

    #[test]
    fn travel_is_rounded_up_to_whole_minutes_and_pickup_waits_for_the_food() {
        // 3,300 m at 320 m/min is 10.3 minutes: 11. Food ready at 30.
        let t = simulator().timetable(pt(3_300.0), Seconds(605), &errand(&[(1, 640.0, 30)]));
        assert_eq!(t.departure, m(11));
        assert_eq!(t.arrival, m(22));
        assert_eq!(t.pickup, m(30));
        // Leaves at 32, rides 2 minutes, hands over 2 minutes after arrival.
        assert_eq!(
            t.drop_offs,
            vec![DropOff {
                order: OrderId(1),
                departure: m(32),
                at: m(36)
            }]
        );
        assert_eq!(t.free_at, m(38));
    }

    #[test]
    fn a_late_courier_picks_up_half_a_service_after_arriving() {
        let t = simulator().timetable(pt(3_200.0), m(0), &errand(&[(1, 320.0, 5)]));
        assert_eq!((t.arrival, t.pickup), (m(10), m(12)));
    }

    #[test]
    fn a_bundle_is_picked_up_when_its_last_order_is_ready_and_dropped_in_sequence() {
        let t = simulator().timetable(
            pt(0.0),
            m(0),
            &errand(&[(1, 320.0, 5), (2, 960.0, 8), (3, 640.0, 3)]),
        );
        assert_eq!(t.pickup, m(8));
        let drops: Vec<(OrderId, Seconds, Seconds)> = t
            .drop_offs
            .iter()
            .map(|d| (d.order, d.departure, d.at))
            .collect();
        // Leave 10; 1 min to o1 (+2) = 13, leave 15; 2 min to o2 = 19, leave
        // 21; 1 min back to o3 = 24, free at 26.
        assert_eq!(
            drops,
            vec![
                (OrderId(1), m(10), m(13)),
                (OrderId(2), m(15), m(19)),
                (OrderId(3), m(21), m(24)),
            ]
        );
        assert_eq!(t.free_at, m(26));
    }
}
