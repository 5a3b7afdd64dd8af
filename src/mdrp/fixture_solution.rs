//! A feasible solution of the fixture instance (`fixture.rs`), worked out
//! by hand, and small builders for solutions in tests.
//!
//! The instance: r1 at (0, 0), r2 at (5000, 0); o1 (1000, 0) and o2
//! (1100, 200) of r1, o3 (6000, 1000) of r2; c1 starts at (100, 100) on
//! 600-900, c2 at (4800, 0) on 700-800; 320 m/min, 4-minute services.

use std::collections::BTreeMap;

use foodiefast_geo::{CourierId, OrderId, RestaurantId, Seconds};

use super::solution::{Assignment, Delivery, Minutes, Move, OrderRecord, Place, Solution};

pub(crate) fn m(minutes: i64) -> Seconds {
    Seconds::from_minutes(minutes)
}

pub(crate) fn at(minutes: i64) -> Minutes {
    Minutes(m(minutes))
}

pub(crate) fn r(id: u64) -> Place {
    Place::Restaurant(RestaurantId(id))
}

pub(crate) fn o(id: u64) -> Place {
    Place::Customer(OrderId(id))
}

pub(crate) fn assign(assigned: i64, pickup: i64, courier: u64, orders: &[u64]) -> Assignment {
    Assignment {
        assigned_at: m(assigned),
        pickup_at: m(pickup),
        courier: CourierId(courier),
        orders: orders.iter().copied().map(OrderId).collect(),
    }
}

pub(crate) fn record(
    order: u64,
    placed: i64,
    ready: i64,
    delivery: Option<(i64, i64, u64)>,
) -> OrderRecord {
    OrderRecord {
        order: OrderId(order),
        placed_at: m(placed),
        ready_at: m(ready),
        delivery: delivery.map(|(pickup, drop_off, courier)| Delivery {
            pickup_at: m(pickup),
            drop_off_at: m(drop_off),
            courier: CourierId(courier),
        }),
    }
}

pub(crate) fn mv(departure: i64, origin: Place, destination: Place) -> Move {
    Move {
        departure: m(departure),
        origin,
        destination,
    }
}

/// c1 takes o1 and o2 from r1 as a bundle, c2 takes o3 from r2; o4, o5 and
/// o6 are not delivered. Every time worked out by hand:
/// c1: leaves its start at 715, at r1 from 716 (1 min), picks up at 727
/// (ready), leaves 729, at o1 733 (4 min), drops 735, leaves 737, at o2 738
/// (1 min), drops 740. c2: leaves at 718, at r2 719, picks up 730, leaves
/// 732, at o3 737 (5 min), drops 739.
pub(crate) fn feasible() -> Solution {
    Solution {
        assignments: vec![assign(715, 727, 1, &[1, 2]), assign(718, 730, 2, &[3])],
        orders: vec![
            record(1, 712, 725, Some((727, 735, 1))),
            record(2, 715, 727, Some((727, 740, 1))),
            record(3, 718, 730, Some((730, 739, 2))),
            record(4, 700, 710, None),
            record(5, 721, 735, None),
            record(6, 719, 730, None),
        ],
        routes: BTreeMap::from([
            (
                CourierId(1),
                vec![
                    mv(715, Place::Start, r(1)),
                    mv(729, r(1), o(1)),
                    mv(737, o(1), o(2)),
                ],
            ),
            (
                CourierId(2),
                vec![mv(718, Place::Start, r(2)), mv(732, r(2), o(3))],
            ),
        ]),
    }
}
