//! The rules on what was assigned and what the orders file records: each
//! order in at most one assignment, of one restaurant, never before it is
//! placed; pickups after the food is ready and before the courier's shift
//! ends; drop-offs in sequence, a service time apart; and the three files
//! telling the same story as each other and as the instance.

use std::collections::HashMap;

use foodiefast_geo::{OrderId, Seconds};

use super::{Day, Violation};
use crate::mdrp::solution::{
    ASSIGNMENTS_FILE, Assignment, Delivery, Minutes, ORDERS_SOLUTION_FILE, OrderRecord, Solution,
};

pub(super) fn check(day: &Day<'_>, solution: &Solution, violations: &mut Vec<Violation>) {
    let records = check_records(day, solution, violations);
    let mut assignments_of: HashMap<OrderId, usize> = HashMap::new();
    for a in &solution.assignments {
        for &order in &a.orders {
            *assignments_of.entry(order).or_default() += 1;
        }
    }
    let mut reported = Vec::new();
    for a in &solution.assignments {
        for &order in &a.orders {
            let count = assignments_of.get(&order).copied().unwrap_or_default();
            if count > 1 && !reported.contains(&order) {
                reported.push(order);
                violations.push(Violation::OrderInSeveralAssignments { order, count });
            }
        }
        check_assignment(day, a, &records, violations);
    }
    for record in &solution.orders {
        if record.delivery.is_some()
            && day.orders.contains_key(&record.order)
            && !assignments_of.contains_key(&record.order)
        {
            violations.push(Violation::DeliveredWithoutAssignment {
                order: record.order,
            });
        }
    }
}

/// Checks the orders file against the instance; returns its records by order.
fn check_records<'s>(
    day: &Day<'_>,
    solution: &'s Solution,
    violations: &mut Vec<Violation>,
) -> HashMap<OrderId, &'s OrderRecord> {
    let records: HashMap<OrderId, &OrderRecord> =
        solution.orders.iter().map(|r| (r.order, r)).collect();
    for record in &solution.orders {
        let Some(order) = day.orders.get(&record.order) else {
            violations.push(Violation::UnknownOrder {
                order: record.order,
                file: ORDERS_SOLUTION_FILE,
            });
            continue;
        };
        for (field, recorded, expected) in [
            ("placement_time", record.placed_at, order.placed_at),
            ("ready_time", record.ready_at, order.ready_at),
        ] {
            if recorded != expected {
                violations.push(Violation::RecordTimeDisagrees {
                    order: record.order,
                    field,
                    recorded: Minutes(recorded),
                    expected: Minutes(expected),
                    source_of_truth: "instance",
                });
            }
        }
        if let Some(d) = record.delivery
            && !day.shifts.contains_key(&d.courier)
        {
            violations.push(Violation::UnknownCourier {
                courier: d.courier,
                file: ORDERS_SOLUTION_FILE,
            });
        }
    }
    for order in day.instance.orders() {
        if !records.contains_key(&order.id) {
            violations.push(Violation::MissingOrderRecord { order: order.id });
        }
    }
    records
}

/// The rules of one assignment.
fn check_assignment(
    day: &Day<'_>,
    a: &Assignment,
    records: &HashMap<OrderId, &OrderRecord>,
    violations: &mut Vec<Violation>,
) {
    let courier = a.courier;
    let Some(&first) = a.orders.first() else {
        return;
    };
    let shift = day.shifts.get(&courier);
    if shift.is_none() {
        violations.push(Violation::UnknownCourier {
            courier,
            file: ASSIGNMENTS_FILE,
        });
    }
    if a.pickup_at < a.assigned_at {
        violations.push(Violation::PickupBeforeAssignment {
            courier,
            order: first,
            assigned_at: Minutes(a.assigned_at),
            pickup_at: Minutes(a.pickup_at),
        });
    }
    if let Some(shift) = shift.filter(|s| a.pickup_at > s.off_time) {
        violations.push(Violation::PickupAfterOffTime {
            courier,
            order: first,
            pickup_at: Minutes(a.pickup_at),
            off_time: Minutes(shift.off_time),
        });
    }
    let first_restaurant = day.orders.get(&first).map(|o| o.restaurant);
    let mut previous_drop_off = None;
    for &id in &a.orders {
        let Some(order) = day.orders.get(&id) else {
            violations.push(Violation::UnknownOrder {
                order: id,
                file: ASSIGNMENTS_FILE,
            });
            continue;
        };
        if let Some(first_restaurant) = first_restaurant.filter(|&r| r != order.restaurant) {
            violations.push(Violation::BundleMixesRestaurants {
                courier,
                order: id,
                restaurant: order.restaurant,
                first_restaurant,
            });
        }
        if a.assigned_at < order.placed_at {
            violations.push(Violation::AssignedBeforePlacement {
                order: id,
                courier,
                assigned_at: Minutes(a.assigned_at),
                placed_at: Minutes(order.placed_at),
            });
        }
        if a.pickup_at < order.ready_at {
            violations.push(Violation::PickupBeforeReady {
                courier,
                order: id,
                pickup_at: Minutes(a.pickup_at),
                ready_at: Minutes(order.ready_at),
            });
        }
        let Some(delivery) = records.get(&id).and_then(|r| r.delivery) else {
            violations.push(Violation::AssignedButNotDelivered { order: id, courier });
            continue;
        };
        check_delivery(day, a, id, delivery, previous_drop_off, violations);
        previous_drop_off = Some((id, delivery.drop_off_at));
    }
}

/// The rules of the delivery of `order`, the order after `previous` (with
/// its drop-off time) in assignment `a`.
fn check_delivery(
    day: &Day<'_>,
    a: &Assignment,
    order: OrderId,
    delivery: Delivery,
    previous: Option<(OrderId, Seconds)>,
    violations: &mut Vec<Violation>,
) {
    let courier = a.courier;
    if delivery.courier != courier {
        violations.push(Violation::RecordCourierDisagrees {
            order,
            recorded: delivery.courier,
            assigned: courier,
        });
    }
    if delivery.pickup_at != a.pickup_at {
        violations.push(Violation::RecordTimeDisagrees {
            order,
            field: "pickup_time",
            recorded: Minutes(delivery.pickup_at),
            expected: Minutes(a.pickup_at),
            source_of_truth: "assignment",
        });
    }
    if delivery.drop_off_at < a.pickup_at {
        violations.push(Violation::DropOffBeforePickup {
            courier,
            order,
            pickup_at: Minutes(a.pickup_at),
            drop_off_at: Minutes(delivery.drop_off_at),
        });
    }
    if let Some((previous, previous_at)) = previous
        && delivery.drop_off_at < previous_at + day.service.drop_off()
    {
        violations.push(Violation::DropOffsOutOfSequence {
            courier,
            order,
            drop_off_at: Minutes(delivery.drop_off_at),
            previous,
            previous_drop_off_at: Minutes(previous_at),
            service: Minutes(day.service.drop_off()),
        });
    }
}
