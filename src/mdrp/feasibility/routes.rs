//! The rules on where couriers are and when: moves continuous in space and
//! consistent in time, the courier at the restaurant at each pickup and at
//! the customer at each drop-off with half a service time on either side,
//! and no diversion while it carries a bundle.

use std::collections::BTreeMap;

use foodiefast_geo::{CourierId, OrderId, Point, Seconds};

use super::timeline::{Stay, Timeline};
use super::{Day, Violation};
use crate::mdrp::solution::{Assignment, COURIERS_SOLUTION_FILE, Minutes, Move, Place, Solution};

pub(super) fn check(day: &Day<'_>, solution: &Solution, violations: &mut Vec<Violation>) {
    let mut timelines: BTreeMap<CourierId, Timeline> = BTreeMap::new();
    for (&courier, moves) in &solution.routes {
        if let Some(timeline) = timeline(day, courier, moves, violations) {
            timelines.insert(courier, timeline);
        }
    }
    // A courier with assignments but no moves never left its start location.
    for a in &solution.assignments {
        if solution.routes.contains_key(&a.courier) {
            continue;
        }
        if let Some(shift) = day.shifts.get(&a.courier) {
            timelines.entry(a.courier).or_insert_with(|| Timeline {
                stays: vec![Stay {
                    place: Place::Start,
                    arrival: shift.on_time,
                    departure: None,
                }],
            });
        }
    }
    let drop_offs: BTreeMap<_, _> = solution
        .orders
        .iter()
        .filter_map(|r| Some((r.order, r.delivery?.drop_off_at)))
        .collect();
    for a in &solution.assignments {
        if let Some(timeline) = timelines.get(&a.courier) {
            check_whereabouts(day, a, timeline, &drop_offs, violations);
        }
    }
}

/// The timeline of one courier, after reporting the ids its moves name that
/// the instance lacks (then there is no timeline).
fn timeline(
    day: &Day<'_>,
    courier: CourierId,
    moves: &[Move],
    violations: &mut Vec<Violation>,
) -> Option<Timeline> {
    let Some(shift) = day.shifts.get(&courier) else {
        violations.push(Violation::UnknownCourier {
            courier,
            file: COURIERS_SOLUTION_FILE,
        });
        return None;
    };
    let position = |place: Place| -> Option<Point> {
        match place {
            Place::Start => Some(shift.start),
            Place::Restaurant(r) => day.instance.restaurants().get(&r).copied(),
            Place::Customer(o) => day.orders.get(&o).map(|o| o.drop_off),
        }
    };
    let mut unknown = Vec::new();
    for place in moves.iter().flat_map(|m| [m.origin, m.destination]) {
        if position(place).is_none() && !unknown.contains(&place) {
            unknown.push(place);
        }
    }
    if !unknown.is_empty() {
        violations.extend(unknown.into_iter().filter_map(|place| match place {
            Place::Restaurant(restaurant) => Some(Violation::UnknownRestaurant {
                courier,
                restaurant,
            }),
            Place::Customer(order) => Some(Violation::UnknownOrder {
                order,
                file: COURIERS_SOLUTION_FILE,
            }),
            Place::Start => None,
        }));
        return None;
    }
    Timeline::build(courier, shift, moves, position, day.model, violations)
}

/// Checks that the courier of `a` is at the restaurant at the pickup, then
/// at each customer at its drop-off, with no stop in between.
fn check_whereabouts(
    day: &Day<'_>,
    a: &Assignment,
    timeline: &Timeline,
    drop_offs: &BTreeMap<OrderId, Seconds>,
    violations: &mut Vec<Violation>,
) {
    let courier = a.courier;
    let Some((&first, restaurant)) = a
        .orders
        .first()
        .and_then(|o| Some((o, day.orders.get(o)?.restaurant)))
    else {
        return;
    };
    let place = Place::Restaurant(restaurant);
    let pickup_stay = timeline.stay_at(place, a.pickup_at);
    match pickup_stay.and_then(|i| timeline.get(i)) {
        Some(stay) => check_service(courier, stay, a.pickup_at, day.service.pickup(), violations),
        None => violations.push(Violation::NotAtRestaurant {
            courier,
            restaurant,
            order: first,
            pickup_at: Minutes(a.pickup_at),
        }),
    }
    let mut diverted = false;
    for (k, &order) in a.orders.iter().enumerate() {
        let Some(&drop_off_at) = drop_offs.get(&order) else {
            continue;
        };
        let place = Place::Customer(order);
        let Some(index) = timeline.stay_at(place, drop_off_at) else {
            violations.push(Violation::NotAtCustomer {
                courier,
                order,
                drop_off_at: Minutes(drop_off_at),
            });
            continue;
        };
        if let Some(stay) = timeline.get(index) {
            check_service(
                courier,
                stay,
                drop_off_at,
                day.service.drop_off(),
                violations,
            );
        }
        let expected = pickup_stay.map(|p| p + 1 + k);
        if diverted || expected.is_none_or(|e| e == index) {
            continue;
        }
        if let Some(stop) = expected.and_then(|e| timeline.get(e)) {
            diverted = true;
            violations.push(Violation::Diverted {
                courier,
                order,
                via: stop.place,
            });
        }
    }
}

/// Half the service time must fit between arrival and the event, and the
/// other half between the event and departure.
fn check_service(
    courier: CourierId,
    stay: &Stay,
    at: Seconds,
    service: Seconds,
    violations: &mut Vec<Violation>,
) {
    let before = service.half();
    let after = service - before;
    let too_soon = at < stay.arrival + before;
    let left_too_soon = stay.departure.is_some_and(|d| d < at + after);
    if too_soon || left_too_soon {
        violations.push(Violation::ServiceCutShort {
            courier,
            place: stay.place,
            at: Minutes(at),
            arrival: Minutes(stay.arrival),
            departure: stay.departure.map(Minutes),
            service: Minutes(service),
        });
    }
}
