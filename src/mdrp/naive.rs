//! The naive reference dispatcher: the floor any real dispatcher must beat,
//! and a check of the evaluator on real data.
//!
//! A plain synchronous simulation of the instance's day, no actors: each
//! order, when it is placed, goes to the courier who can pick it up first
//! among those whose shift has not ended. A busy courier finishes its
//! current assignment before setting off (the plain MDRP: no diversion); a
//! courier whose shift has not begun sets off from its start location when
//! it does (shifts are known in advance). No bundling, no look-ahead: the
//! courier leaves as soon as it is free and waits at the restaurant if the
//! food is not ready. Ties go to the courier with the shortest trip to the
//! restaurant, then to the lowest id. An order no courier can pick up before
//! its shift ends is not delivered.

use std::collections::BTreeMap;

use foodiefast_geo::order::Order;
use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{CourierId, GeoError, Point, Seconds, StraightLine, TravelModel};

use super::solution::{Assignment, Delivery, Move, OrderRecord, Place, Solution};
use super::{Instance, Shift};

/// A courier during the simulation.
#[derive(Debug, Clone)]
struct CourierState {
    shift: Shift,
    /// Where it is, or will be once its current assignment is done.
    place: Place,
    position: Point,
    /// When it is done with its current assignment.
    free_at: Seconds,
}

/// The courier chosen for an order, and its trip.
#[derive(Debug, Clone, Copy)]
struct Choice {
    courier: usize,
    departure: Seconds,
    pickup_at: Seconds,
}

/// Dispatches `instance`'s day with the naive policy (see the module docs).
pub fn dispatch(instance: &Instance) -> Result<Solution, GeoError> {
    let parameters = instance.parameters();
    let model = parameters.travel_model()?;
    let service = parameters.service_times()?;
    let mut couriers: Vec<CourierState> = instance
        .shifts()
        .iter()
        .map(|&shift| CourierState {
            shift,
            place: Place::Start,
            position: shift.start,
            free_at: shift.on_time,
        })
        .collect();
    let mut by_placement: Vec<&Order> = instance.orders().iter().collect();
    by_placement.sort_by_key(|o| (o.placed_at, o.id));

    let mut solution = Solution::default();
    let mut deliveries = BTreeMap::new();
    for order in by_placement {
        let Some(choice) = choose(&couriers, order, model, service) else {
            continue;
        };
        let Some(courier) = couriers.get_mut(choice.courier) else {
            continue;
        };
        let id = courier.shift.courier;
        let restaurant = Place::Restaurant(order.restaurant);
        let leave = service.leave_restaurant(choice.pickup_at);
        let drop_off_at =
            leave + model.travel_time(order.pickup, order.drop_off) + service.drop_off().half();
        let moves = solution.routes.entry(id).or_default();
        moves.push(Move {
            departure: choice.departure,
            origin: courier.place,
            destination: restaurant,
        });
        moves.push(Move {
            departure: leave,
            origin: restaurant,
            destination: Place::Customer(order.id),
        });
        courier.place = Place::Customer(order.id);
        courier.position = order.drop_off;
        courier.free_at = drop_off_at + (service.drop_off() - service.drop_off().half());
        solution.assignments.push(Assignment {
            assigned_at: order.placed_at,
            pickup_at: choice.pickup_at,
            courier: id,
            orders: vec![order.id],
        });
        deliveries.insert(
            order.id,
            Delivery {
                pickup_at: choice.pickup_at,
                drop_off_at,
                courier: id,
            },
        );
    }
    solution.orders = instance
        .orders()
        .iter()
        .map(|o| OrderRecord {
            order: o.id,
            placed_at: o.placed_at,
            ready_at: o.ready_at,
            delivery: deliveries.get(&o.id).copied(),
        })
        .collect();
    Ok(solution)
}

/// The courier who can pick `order` up first, before its shift ends.
fn choose(
    couriers: &[CourierState],
    order: &Order,
    model: StraightLine,
    service: ServiceTimes,
) -> Option<Choice> {
    let now = order.placed_at;
    couriers
        .iter()
        .enumerate()
        .filter(|(_, c)| now < c.shift.off_time)
        .filter_map(|(index, c)| {
            let departure = now.max(c.free_at);
            let trip = model.travel_time(c.position, order.pickup);
            let pickup_at = service.pickup_at(departure + trip, order.ready_at);
            let key: (Seconds, Seconds, CourierId) = (pickup_at, trip, c.shift.courier);
            (pickup_at <= c.shift.off_time).then_some((
                key,
                Choice {
                    courier: index,
                    departure,
                    pickup_at,
                },
            ))
        })
        .min_by_key(|(key, _)| *key)
        .map(|(_, choice)| choice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mdrp::feasibility;
    use crate::mdrp::fixture::Fixture;
    use foodiefast_geo::OrderId;

    fn m(minutes: i64) -> Seconds {
        Seconds::from_minutes(minutes)
    }

    #[test]
    fn the_fixture_day_is_dispatched_feasibly_one_order_per_assignment() {
        let fixture = Fixture::valid();
        let instance = Instance::load(fixture.path()).unwrap();
        let solution = dispatch(&instance).unwrap();
        assert_eq!(feasibility::check(&instance, &solution).unwrap(), vec![]);
        assert!(solution.assignments.iter().all(|a| a.orders.len() == 1));
        assert_eq!(solution.orders.len(), instance.orders().len());
    }

    #[test]
    fn each_order_goes_to_the_courier_who_can_pick_it_up_first() {
        let fixture = Fixture::valid();
        let instance = Instance::load(fixture.path()).unwrap();
        let solution = dispatch(&instance).unwrap();
        let assignment = |order: u64| {
            solution
                .assignments
                .iter()
                .find(|a| a.orders == [OrderId(order)])
                .unwrap()
        };
        // o4 (r2, placed 700, ready 710): c2 comes on at 700 a minute from
        // r2 and picks up when ready; c1 and c4 are 16 minutes away.
        let o4 = assignment(4);
        assert_eq!((o4.courier, o4.pickup_at), (CourierId(2), m(710)));
        // o1 (r1, placed 712, ready 725): c1 (1 minute away) and c3 (at r1's
        // door, on shift from 721) can both pick up at 725: the shorter trip
        // wins. c4 is there too, but its shift ends at 720.
        let o1 = assignment(1);
        assert_eq!((o1.courier, o1.pickup_at), (CourierId(3), m(725)));
        // o2 (r1, placed 715, ready 727): c1, idle, picks up when ready; c3
        // is busy with o1 until 735.
        let o2 = assignment(2);
        assert_eq!((o2.courier, o2.pickup_at), (CourierId(1), m(727)));
        // o5 (r1, placed 721, ready 735): c3, free at o1 at 735, 4 minutes
        // away, picks up at 741; c1, busy with o2 until 737, at 743.
        let o5 = assignment(5);
        assert_eq!((o5.courier, o5.pickup_at), (CourierId(3), m(741)));
        // o6's restaurant is 100 km away: no courier reaches it before its
        // shift ends, so it is not delivered.
        let o6 = solution
            .orders
            .iter()
            .find(|r| r.order == OrderId(6))
            .unwrap();
        assert_eq!(o6.delivery, None);
    }
}
