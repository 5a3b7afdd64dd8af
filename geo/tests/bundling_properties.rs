//! Properties of bundling: every order lands in exactly one bundle of its own
//! restaurant; bundles respect their bounds, lower the courier time per order,
//! and deliver in the best drop-off sequence.

#![allow(clippy::indexing_slicing, clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashSet;

use foodiefast_geo::bundling::{Bundle, BundlingParams, bundle_orders, delays_within_bound};
use foodiefast_geo::cost::CostModel;
use foodiefast_geo::order::Order;
use foodiefast_geo::route::{ServiceTimes, schedule_drop_offs};
use foodiefast_geo::{OrderId, Point, RestaurantId, Seconds, StraightLine};
use proptest::prelude::*;

fn pt(x: f64, y: f64) -> Point {
    Point::new(x, y).expect("valid point")
}

fn service() -> ServiceTimes {
    ServiceTimes::new(Seconds::from_minutes(4), Seconds::from_minutes(4)).expect("valid")
}

fn orders() -> impl Strategy<Value = Vec<Order>> {
    proptest::collection::vec(
        (
            0u64..4,
            -4_000.0f64..4_000.0,
            -4_000.0f64..4_000.0,
            0i64..40,
            5i64..30,
        ),
        1..40,
    )
    .prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(i, (r, dx, dy, placed, prep))| {
                let restaurant = pt(r as f64 * 5_000.0, 0.0);
                Order {
                    id: OrderId(i as u64),
                    restaurant: RestaurantId(r),
                    pickup: restaurant,
                    drop_off: pt(restaurant.x() + dx, dy),
                    placed_at: Seconds::from_minutes(placed),
                    ready_at: Seconds::from_minutes(placed + prep),
                }
            })
            .collect()
    })
}

fn params() -> impl Strategy<Value = BundlingParams> {
    (1usize..=5, 0i64..20, 0i64..20, 0i64..15).prop_map(|(max_size, gap, delay, approach)| {
        BundlingParams {
            max_size,
            max_ready_gap: Seconds::from_minutes(gap),
            max_added_delay: Seconds::from_minutes(delay),
            approach_estimate: Seconds::from_minutes(approach),
        }
    })
}

/// The customers' cost of a bundle's sequence, picked up when its food is ready.
fn sequence_points(model: StraightLine, bundle_orders: &[Order], ready: Seconds) -> f64 {
    let stops: Vec<Point> = bundle_orders.iter().map(|o| o.drop_off).collect();
    let schedule = schedule_drop_offs(&model, service(), bundle_orders[0].pickup, &stops);
    bundle_orders
        .iter()
        .zip(&schedule.offsets)
        .map(|(o, &off)| CostModel::default().order_points(ready + off - o.placed_at))
        .sum()
}

fn permutations(items: &[Order]) -> Vec<Vec<Order>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut all = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let head = rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, head);
            all.push(tail);
        }
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn bundles_partition_the_orders_within_their_bounds(orders in orders(), params in params()) {
        let model = StraightLine::new(320.0).expect("valid speed");
        let bundles = bundle_orders(&orders, &model, service(), &CostModel::default(), &params)
            .expect("valid input");
        let mut seen = HashSet::new();
        for b in &bundles {
            prop_assert!(!b.is_empty() && b.len() <= params.max_size);
            prop_assert_eq!(b.orders.len(), b.schedule.offsets.len());
            prop_assert!(b.orders.iter().all(|o| o.restaurant == b.restaurant && o.pickup == b.pickup));
            prop_assert_eq!(b.ready_at, b.orders.iter().map(|o| o.ready_at).max().unwrap_or_default());
            prop_assert!(b.ready_at - b.earliest_ready() <= params.max_ready_gap);
            prop_assert!(delays_within_bound(b, &model, service(), params.max_added_delay));
            for o in &b.orders {
                prop_assert!(seen.insert(o.id), "order {} in two bundles", o.id);
            }
        }
        prop_assert_eq!(seen.len(), orders.len());
    }

    #[test]
    fn a_bundle_takes_less_courier_time_per_order_than_its_orders_alone(orders in orders(), params in params()) {
        let model = StraightLine::new(320.0).expect("valid speed");
        let bundles = bundle_orders(&orders, &model, service(), &CostModel::default(), &params)
            .expect("valid input");
        for b in bundles.iter().filter(|b| b.len() > 1) {
            // Each courier trip costs an approach to the restaurant plus the route.
            let together = params.approach_estimate + b.route_time(service());
            let apart: Seconds = b
                .orders
                .iter()
                .map(|o| params.approach_estimate + Bundle::single(*o, &model, service()).route_time(service()))
                .fold(Seconds::ZERO, |a, t| a + t);
            prop_assert!(together < apart, "bundle of {} takes {} against {} apart", b.len(), together, apart);
        }
    }

    #[test]
    fn a_bundle_delivers_in_the_best_sequence(orders in orders(), params in params()) {
        let model = StraightLine::new(320.0).expect("valid speed");
        let bundles = bundle_orders(&orders, &model, service(), &CostModel::default(), &params)
            .expect("valid input");
        for b in bundles.iter().filter(|b| b.len() > 1) {
            let chosen = sequence_points(model, &b.orders, b.ready_at);
            for other in permutations(&b.orders) {
                prop_assert!(chosen <= sequence_points(model, &other, b.ready_at) + 1e-9);
            }
        }
    }

    #[test]
    fn bundling_does_not_depend_on_input_order(orders in orders(), params in params()) {
        let model = StraightLine::new(320.0).expect("valid speed");
        let a = bundle_orders(&orders, &model, service(), &CostModel::default(), &params).expect("valid");
        let mut reversed = orders.clone();
        reversed.reverse();
        let b = bundle_orders(&reversed, &model, service(), &CostModel::default(), &params).expect("valid");
        prop_assert_eq!(a, b);
    }
}
