//! The fleet's neighbour lists are a cache and nothing more: after any
//! sequence of couriers joining, moving and leaving between searches, a
//! search answers exactly what a brute-force scan does, and a matching
//! round on a fleet whose lists earlier rounds filled plans exactly what it
//! plans on a freshly built fleet.

#![allow(clippy::indexing_slicing, clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;

use foodiefast_geo::assignment::{AssignmentParams, plan_round, plan_round_excluding};
use foodiefast_geo::bundling::{BundlingParams, bundle_orders_at};
use foodiefast_geo::cost::CostModel;
use foodiefast_geo::fleet::Fleet;
use foodiefast_geo::order::{Courier, Order};
use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds, StraightLine};
use proptest::prelude::*;

fn pt(x: f64, y: f64) -> Point {
    Point::new(x, y).expect("valid point")
}

/// A change to the fleet between searches.
#[derive(Debug, Clone)]
enum Change {
    /// Insert or move courier `id` to a grid cell (so distances tie often).
    Put {
        id: u64,
        x: u8,
        y: u8,
        free: i64,
    },
    Remove {
        id: u64,
    },
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        3 => (0u64..40, 0u8..12, 0u8..12, 0i64..60).prop_map(|(id, x, y, free)| Change::Put { id, x, y, free }),
        1 => (0u64..40).prop_map(|id| Change::Remove { id }),
    ]
}

fn courier(id: u64, x: u8, y: u8, free: i64) -> Courier {
    Courier {
        id: CourierId(id),
        position: pt(f64::from(x) * 100.0, f64::from(y) * 100.0),
        free_at: Seconds::from_minutes(free),
        shift_end: Seconds::from_minutes(600),
    }
}

/// What a search must find: among the couriers `keep` accepts within
/// `max_m`, the `k` first by (distance, id).
fn brute_force(
    couriers: &BTreeMap<u64, Courier>,
    to: Point,
    k: usize,
    max_m: f64,
    keep: impl Fn(&Courier) -> bool,
) -> Vec<CourierId> {
    let mut all: Vec<(f64, CourierId)> = couriers
        .values()
        .filter(|c| keep(c))
        .map(|c| (c.position.distance_2(to), c.id))
        .filter(|&(d2, _)| d2 <= max_m * max_m)
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    all.into_iter().take(k).map(|(_, id)| id).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn searches_between_changes_match_brute_force(
        steps in proptest::collection::vec(
            (proptest::collection::vec(change(), 0..6), 0usize..3, 1usize..9, 0.0f64..1_500.0, 0i64..60),
            1..40,
        ),
    ) {
        // Three fixed query points, searched from again and again, so their
        // lists live through many changes.
        let points = [pt(500.0, 500.0), pt(0.0, 0.0), pt(1_100.0, 300.0)];
        let mut fleet = Fleet::new();
        let mut model = BTreeMap::new();
        for (changes, p, k, max_m, free_before) in steps {
            for c in changes {
                match c {
                    Change::Put { id, x, y, free } => {
                        let c = courier(id, x, y, free);
                        fleet.upsert(c);
                        model.insert(id, c);
                    }
                    Change::Remove { id } => {
                        prop_assert_eq!(fleet.remove(CourierId(id)), model.remove(&id));
                    }
                }
            }
            fleet.start_round();
            let keep = |c: &Courier| c.free_at <= Seconds::from_minutes(free_before);
            let found = fleet.nearest_taking(points[p], k, max_m, |c| keep(c).then_some(c.id));
            prop_assert_eq!(&found, &brute_force(&model, points[p], k, max_m, keep));
            // The index's own search agrees too.
            let by_index: Vec<CourierId> = fleet
                .index()
                .nearest_where(points[p], k, max_m, |id, _| fleet.get(id).is_some_and(keep))
                .into_iter()
                .map(|n| n.courier)
                .collect();
            prop_assert_eq!(found, by_index);
        }
    }

    #[test]
    fn a_round_on_a_fleet_earlier_rounds_searched_plans_as_on_a_fresh_one(
        restaurants in proptest::collection::vec((0u8..12, 0u8..12), 1..5),
        orders in proptest::collection::vec((0usize..5, 0u8..12, 0u8..12, 0i64..30, 0i64..25), 1..25),
        start in proptest::collection::vec((0u8..12, 0u8..12, 0i64..60), 0..30),
        rounds in proptest::collection::vec(proptest::collection::vec(change(), 0..8), 1..6),
    ) {
        let model = StraightLine::new(320.0).expect("valid speed");
        let service =
            ServiceTimes::new(Seconds::from_minutes(4), Seconds::from_minutes(4)).expect("valid");
        let mut params = AssignmentParams::new(service);
        // Few candidates, so widening passes and deep walks happen.
        params.candidates_per_bundle = 3;
        let orders: Vec<Order> = orders
            .into_iter()
            .enumerate()
            .map(|(i, (r, x, y, placed, prep))| {
                let (rx, ry) = restaurants[r % restaurants.len()];
                Order {
                    id: OrderId(i as u64),
                    restaurant: RestaurantId((r % restaurants.len()) as u64),
                    pickup: pt(f64::from(rx) * 400.0, f64::from(ry) * 400.0),
                    drop_off: pt(f64::from(x) * 400.0, f64::from(y) * 400.0),
                    placed_at: Seconds::from_minutes(placed),
                    ready_at: Seconds::from_minutes(placed + prep),
                }
            })
            .collect();
        let mut warm = Fleet::new();
        let mut couriers = BTreeMap::new();
        for (i, (x, y, free)) in start.into_iter().enumerate() {
            let c = courier(i as u64, x, y, free);
            warm.upsert(c);
            couriers.insert(i as u64, c);
        }
        for (round, changes) in rounds.into_iter().enumerate() {
            for c in changes {
                match c {
                    Change::Put { id, x, y, free } => {
                        let c = courier(id, x, y, free);
                        warm.upsert(c);
                        couriers.insert(id, c);
                    }
                    Change::Remove { id } => {
                        warm.remove(CourierId(id));
                        couriers.remove(&id);
                    }
                }
            }
            let now = Seconds::from_minutes(30 + 5 * round as i64);
            let bundles = bundle_orders_at(
                now, &orders, &model, service, &CostModel::default(), &BundlingParams::default(),
            )
            .expect("valid orders");
            let fresh = Fleet::from_couriers(couriers.values().copied()).expect("distinct");
            // A pair ruled out, as a decline would.
            let excluded = |b: usize, c: CourierId| (b as u64 + c.0) % 7 == round as u64;
            let on_warm = plan_round_excluding(now, &bundles, &warm, &model, &params, excluded)
                .expect("valid round");
            let on_fresh = plan_round_excluding(now, &bundles, &fresh, &model, &params, excluded)
                .expect("valid round");
            prop_assert_eq!(&on_warm, &on_fresh);
            prop_assert_eq!(
                plan_round(now, &bundles, &warm, &model, &params).expect("valid round"),
                plan_round(now, &bundles, &fresh, &model, &params).expect("valid round")
            );
        }
    }
}
