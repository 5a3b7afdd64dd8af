//! One hand-built solution per rule that breaks it (and, where the rules
//! allow, nothing else), on the small instance of the fixture, plus a
//! feasible solution that passes.
//!
//! The solution and its timings are in `fixture_solution.rs`.

use foodiefast_geo::{CourierId, OrderId, RestaurantId, Seconds};

use super::*;
use crate::mdrp::fixture::{COURIERS, Fixture, ORDERS, RESTAURANTS};
use crate::mdrp::fixture_solution::{assign, at, feasible, m, mv, o, r, record};
use crate::mdrp::solution::{Delivery, Minutes, Move, OrderRecord, Place};
use crate::mdrp::{COURIERS_FILE, ORDERS_FILE, RESTAURANTS_FILE};

fn violations_on(fixture: &Fixture, solution: &Solution) -> Vec<Violation> {
    let instance = Instance::load(fixture.path()).unwrap();
    check(&instance, solution).unwrap()
}

fn violations(solution: &Solution) -> Vec<Violation> {
    violations_on(&Fixture::valid(), solution)
}

fn record_of(solution: &mut Solution, order: u64) -> &mut OrderRecord {
    solution
        .orders
        .iter_mut()
        .find(|r| r.order == OrderId(order))
        .unwrap()
}

fn route_of(solution: &mut Solution, courier: u64) -> &mut Vec<Move> {
    solution.routes.get_mut(&CourierId(courier)).unwrap()
}

fn set_drop_off(solution: &mut Solution, order: u64, minute: i64) {
    record_of(solution, order)
        .delivery
        .as_mut()
        .unwrap()
        .drop_off_at = m(minute);
}

fn set_pickup(solution: &mut Solution, assignment: usize, minute: i64) {
    solution.assignments[assignment].pickup_at = m(minute);
    let orders = solution.assignments[assignment].orders.clone();
    for order in orders {
        record_of(solution, order.0)
            .delivery
            .as_mut()
            .unwrap()
            .pickup_at = m(minute);
    }
}

#[test]
fn the_hand_checked_solution_is_feasible() {
    assert_eq!(violations(&feasible()), vec![]);
}

#[test]
fn an_order_the_instance_lacks_is_reported_in_each_file() {
    let mut s = feasible();
    s.orders.push(record(99, 700, 710, None));
    s.assignments.push(assign(800, 800, 1, &[98]));
    assert_eq!(
        violations(&s),
        vec![
            Violation::UnknownOrder {
                order: OrderId(99),
                file: "solution_info_orders.txt"
            },
            Violation::UnknownOrder {
                order: OrderId(98),
                file: "solution_info_assignments.txt"
            },
        ]
    );
    let mut s = feasible();
    route_of(&mut s, 1).push(mv(745, o(2), o(97)));
    assert_eq!(
        violations(&s),
        vec![Violation::UnknownOrder {
            order: OrderId(97),
            file: "solution_info_couriers.txt"
        }]
    );
}

#[test]
fn a_courier_the_instance_lacks_is_reported() {
    let mut s = feasible();
    s.routes
        .insert(CourierId(9), vec![mv(700, Place::Start, r(1))]);
    assert_eq!(
        violations(&s),
        vec![Violation::UnknownCourier {
            courier: CourierId(9),
            file: "solution_info_couriers.txt"
        }]
    );
}

#[test]
fn a_restaurant_the_instance_lacks_is_reported() {
    let mut s = feasible();
    route_of(&mut s, 1).push(mv(742, o(2), r(77)));
    assert_eq!(
        violations(&s),
        vec![Violation::UnknownRestaurant {
            courier: CourierId(1),
            restaurant: RestaurantId(77)
        }]
    );
}

#[test]
fn an_order_without_a_line_is_reported() {
    let mut s = feasible();
    s.orders.retain(|r| r.order != OrderId(4));
    assert_eq!(
        violations(&s),
        vec![Violation::MissingOrderRecord { order: OrderId(4) }]
    );
}

#[test]
fn order_lines_must_agree_with_the_instance_and_the_assignment() {
    let mut s = feasible();
    record_of(&mut s, 4).placed_at = m(701);
    record_of(&mut s, 1).delivery.as_mut().unwrap().pickup_at = m(728);
    assert_eq!(
        violations(&s),
        vec![
            Violation::RecordTimeDisagrees {
                order: OrderId(4),
                field: "placement_time",
                recorded: at(701),
                expected: at(700),
                source_of_truth: "instance",
            },
            Violation::RecordTimeDisagrees {
                order: OrderId(1),
                field: "pickup_time",
                recorded: at(728),
                expected: at(727),
                source_of_truth: "assignment",
            },
        ]
    );
    let mut s = feasible();
    record_of(&mut s, 3).delivery.as_mut().unwrap().courier = CourierId(1);
    assert_eq!(
        violations(&s),
        vec![Violation::RecordCourierDisagrees {
            order: OrderId(3),
            recorded: CourierId(1),
            assigned: CourierId(2),
        }]
    );
}

#[test]
fn deliveries_and_assignments_must_match() {
    let mut s = feasible();
    record_of(&mut s, 4).delivery = Some(Delivery {
        pickup_at: m(715),
        drop_off_at: m(725),
        courier: CourierId(2),
    });
    assert_eq!(
        violations(&s),
        vec![Violation::DeliveredWithoutAssignment { order: OrderId(4) }]
    );
    let mut s = feasible();
    record_of(&mut s, 2).delivery = None;
    assert_eq!(
        violations(&s),
        vec![Violation::AssignedButNotDelivered {
            order: OrderId(2),
            courier: CourierId(1)
        }]
    );
}

#[test]
fn an_order_in_two_assignments_is_caught() {
    let mut s = feasible();
    s.assignments.push(assign(715, 727, 1, &[1, 2]));
    assert_eq!(
        violations(&s),
        vec![
            Violation::OrderInSeveralAssignments {
                order: OrderId(1),
                count: 2
            },
            Violation::OrderInSeveralAssignments {
                order: OrderId(2),
                count: 2
            },
        ]
    );
}

#[test]
fn a_bundle_of_two_restaurants_is_caught() {
    // r4 stands where r1 stands, so only the bundling rule can catch o2 being r4's.
    let fixture = Fixture::with(
        ORDERS_FILE,
        &ORDERS.replace("o2\t1100\t200\t715\tr1", "o2\t1100\t200\t715\tr4"),
    );
    std::fs::write(
        fixture.path().join(RESTAURANTS_FILE),
        format!("{RESTAURANTS}r4\t0\t0\n"),
    )
    .unwrap();
    assert_eq!(
        violations_on(&fixture, &feasible()),
        vec![Violation::BundleMixesRestaurants {
            courier: CourierId(1),
            order: OrderId(2),
            restaurant: RestaurantId(4),
            first_restaurant: RestaurantId(1),
        }]
    );
}

#[test]
fn an_assignment_before_its_order_is_placed_is_caught() {
    let mut s = feasible();
    s.assignments[0].assigned_at = m(714);
    assert_eq!(
        violations(&s),
        vec![Violation::AssignedBeforePlacement {
            order: OrderId(2),
            courier: CourierId(1),
            assigned_at: at(714),
            placed_at: at(715),
        }]
    );
}

#[test]
fn a_pickup_before_its_assignment_is_caught() {
    let mut s = feasible();
    s.assignments[1].assigned_at = m(731);
    assert_eq!(
        violations(&s),
        vec![Violation::PickupBeforeAssignment {
            courier: CourierId(2),
            order: OrderId(3),
            assigned_at: at(731),
            pickup_at: at(730),
        }]
    );
}

#[test]
fn a_pickup_after_the_shift_is_caught() {
    let fixture = Fixture::with(
        COURIERS_FILE,
        &COURIERS.replace("c2\t4800\t0\t700\t800", "c2\t4800\t0\t700\t729"),
    );
    assert_eq!(
        violations_on(&fixture, &feasible()),
        vec![Violation::PickupAfterOffTime {
            courier: CourierId(2),
            order: OrderId(3),
            pickup_at: at(730),
            off_time: at(729),
        }]
    );
}

#[test]
fn a_pickup_before_the_food_is_ready_is_caught() {
    let mut s = feasible();
    set_pickup(&mut s, 0, 726);
    assert_eq!(
        violations(&s),
        vec![Violation::PickupBeforeReady {
            courier: CourierId(1),
            order: OrderId(2),
            pickup_at: at(726),
            ready_at: at(727),
        }]
    );
}

#[test]
fn a_drop_off_before_the_pickup_is_caught() {
    // c2 visits o3's customer first (5 min), drops at 725, then fetches the food.
    let mut s = feasible();
    *route_of(&mut s, 2) = vec![mv(718, Place::Start, o(3)), mv(727, o(3), r(2))];
    set_pickup(&mut s, 1, 734);
    set_drop_off(&mut s, 3, 725);
    assert_eq!(
        violations(&s),
        vec![Violation::DropOffBeforePickup {
            courier: CourierId(2),
            order: OrderId(3),
            pickup_at: at(734),
            drop_off_at: at(725),
        }]
    );
}

#[test]
fn drop_offs_out_of_the_assigned_sequence_are_caught() {
    // The assignment says o2 first, the courier drops o1 first: that is both
    // out of sequence and, for o2, a detour through o1.
    let mut s = feasible();
    s.assignments[0].orders = vec![OrderId(2), OrderId(1)];
    assert_eq!(
        violations(&s),
        vec![
            Violation::DropOffsOutOfSequence {
                courier: CourierId(1),
                order: OrderId(1),
                drop_off_at: at(735),
                previous: OrderId(2),
                previous_drop_off_at: at(740),
                service: at(4),
            },
            Violation::Diverted {
                courier: CourierId(1),
                order: OrderId(2),
                via: o(1)
            },
        ]
    );
}

#[test]
fn a_move_from_somewhere_else_is_caught() {
    // From its start, c1 reaches o1 in 3 minutes: in time, but not from r1.
    let mut s = feasible();
    route_of(&mut s, 1)[1].origin = Place::Start;
    assert_eq!(
        violations(&s),
        vec![Violation::MoveDiscontinuous {
            courier: CourierId(1),
            move_number: 2,
            origin: Place::Start,
            expected: r(1),
        }]
    );
}

#[test]
fn a_departure_before_the_arrival_is_caught() {
    let mut s = feasible();
    route_of(&mut s, 2)[0].departure = m(699);
    assert_eq!(
        violations(&s),
        vec![Violation::DepartureBeforeArrival {
            courier: CourierId(2),
            place: Place::Start,
            arrival: at(700),
            departure: at(699),
        }]
    );
    // Arriving at o1 at 733, c1 cannot leave at 732.
    let mut s = feasible();
    route_of(&mut s, 1)[2].departure = m(732);
    let found = violations(&s);
    assert!(
        found.contains(&Violation::DepartureBeforeArrival {
            courier: CourierId(1),
            place: o(1),
            arrival: at(733),
            departure: at(732),
        }),
        "{found:?}"
    );
}

#[test]
fn a_pickup_away_from_the_restaurant_is_caught() {
    // c2 leaves r2 at 729, a minute before its pickup there.
    let mut s = feasible();
    route_of(&mut s, 2)[1].departure = m(729);
    assert_eq!(
        violations(&s),
        vec![Violation::NotAtRestaurant {
            courier: CourierId(2),
            restaurant: RestaurantId(2),
            order: OrderId(3),
            pickup_at: at(730),
        }]
    );
}

#[test]
fn a_drop_off_away_from_the_customer_is_caught() {
    // c2 reaches o3 at 737.
    let mut s = feasible();
    set_drop_off(&mut s, 3, 736);
    assert_eq!(
        violations(&s),
        vec![Violation::NotAtCustomer {
            courier: CourierId(2),
            order: OrderId(3),
            drop_off_at: at(736)
        }]
    );
}

#[test]
fn service_times_cut_short_are_caught() {
    // c1 reaches r1 at 726: a pickup at 727 leaves one minute of the two.
    let mut s = feasible();
    route_of(&mut s, 1)[0].departure = m(725);
    assert_eq!(
        violations(&s),
        vec![Violation::ServiceCutShort {
            courier: CourierId(1),
            place: r(1),
            at: at(727),
            arrival: at(726),
            departure: Some(at(729)),
            service: at(4),
        }]
    );
    // c1 drops o1 at 735 and leaves at 736, a minute early.
    let mut s = feasible();
    route_of(&mut s, 1)[2].departure = m(736);
    assert_eq!(
        violations(&s),
        vec![Violation::ServiceCutShort {
            courier: CourierId(1),
            place: o(1),
            at: at(735),
            arrival: at(733),
            departure: Some(at(736)),
            service: at(4),
        }]
    );
}

#[test]
fn a_detour_while_carrying_a_bundle_is_caught() {
    // After o1, c1 goes back to r1 (4 min, at 741) and on to o2 (4 min, at 745).
    let mut s = feasible();
    *route_of(&mut s, 1) = vec![
        mv(715, Place::Start, r(1)),
        mv(729, r(1), o(1)),
        mv(737, o(1), r(1)),
        mv(741, r(1), o(2)),
    ];
    set_drop_off(&mut s, 2, 747);
    assert_eq!(
        violations(&s),
        vec![Violation::Diverted {
            courier: CourierId(1),
            order: OrderId(2),
            via: r(1)
        }]
    );
}

#[test]
fn every_violation_is_collected_and_named() {
    let mut s = feasible();
    s.assignments[0].assigned_at = m(714);
    s.assignments[1].assigned_at = m(731);
    set_drop_off(&mut s, 3, 736);
    let rules: Vec<&str> = violations(&s).iter().map(Violation::rule).collect();
    assert_eq!(
        rules,
        vec![
            "assigned-before-placement",
            "pickup-before-assignment",
            "not-at-customer"
        ]
    );
    let text = Violation::NotAtCustomer {
        courier: CourierId(2),
        order: OrderId(3),
        drop_off_at: Minutes(Seconds(736 * 60 + 30)),
    }
    .to_string();
    assert_eq!(text, "c2 is not at the customer of o3 at minute 736.5");
}

/// c1 is sent from its start to r2 at 650 (16 minutes: there at 666), then
/// on to r1 at 699 (16 minutes: there at 715), where it picks up at 727 as
/// in the feasible solution.
fn prepositioned() -> Solution {
    let mut s = feasible();
    let route = route_of(&mut s, 1);
    route[0] = mv(699, r(2), r(1));
    route.insert(0, mv(650, Place::Start, r(2)));
    s
}

#[test]
fn prepositioning_moves_are_feasible_when_continuous_and_in_time() {
    let s = prepositioned();
    assert_eq!(violations(&s), vec![]);
    let instance = Instance::load(Fixture::valid().path()).unwrap();
    let metrics = crate::mdrp::metrics::measure(&instance, &s).unwrap();
    assert_eq!(metrics.couriers.prepositioning_moves, 1);
}

#[test]
fn a_prepositioning_move_out_of_place_or_time_is_caught() {
    // Leaving r2 at 660, before reaching it at 666.
    let mut s = prepositioned();
    route_of(&mut s, 1)[1].departure = m(660);
    assert_eq!(
        violations(&s),
        vec![Violation::DepartureBeforeArrival {
            courier: CourierId(1),
            place: r(2),
            arrival: at(666),
            departure: at(660),
        }]
    );
    // Setting off for r1 from r3, where it never went.
    let mut s = prepositioned();
    route_of(&mut s, 1)[1].origin = Place::Restaurant(RestaurantId(3));
    let found = violations(&s);
    assert!(
        found.contains(&Violation::MoveDiscontinuous {
            courier: CourierId(1),
            move_number: 2,
            origin: Place::Restaurant(RestaurantId(3)),
            expected: r(2),
        }),
        "{found:?}"
    );
}
