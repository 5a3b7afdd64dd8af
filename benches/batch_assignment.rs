//! The matching round: candidate search on the courier index plus the optimal
//! sparse assignment, at 200 bundles x 1,000 couriers and 2,000 x 10,000
//! (the target: the large round in 100 ms or less). Also bundling 2,000 orders.
//!
//! Inputs are deterministic: restaurants cluster in the central 15 km x 15 km
//! of a 30 km x 30 km city, customers within 4 km of their restaurant,
//! couriers anywhere, a third of them finishing a delivery in the next 20 minutes.
//! With `CI` set only the small round runs.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use foodiefast_geo::assignment::{AssignmentParams, plan_round};
use foodiefast_geo::bundling::{Bundle, BundlingParams, bundle_orders};
use foodiefast_geo::cost::CostModel;
use foodiefast_geo::fleet::Fleet;
use foodiefast_geo::order::{Courier, Order};
use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds, StraightLine};
use std::hint::black_box;

#[path = "support/rng.rs"]
mod rng;
use rng::SplitMix64;

fn point(x: f64, y: f64) -> Point {
    Point::new(x, y).unwrap_or_else(|_| unreachable!("benchmark points are in range"))
}

const NOW: Seconds = Seconds(12 * 3_600);

fn service() -> ServiceTimes {
    ServiceTimes::new(Seconds::from_minutes(4), Seconds::from_minutes(4))
        .unwrap_or_else(|_| unreachable!("valid service times"))
}

fn model() -> StraightLine {
    StraightLine::new(320.0).unwrap_or_else(|_| unreachable!("valid speed"))
}

fn orders(n: usize, rng: &mut SplitMix64) -> Vec<Order> {
    let restaurants: Vec<Point> = (0..(n / 5).max(1))
        .map(|_| {
            point(
                rng.uniform(7_500.0, 22_500.0),
                rng.uniform(7_500.0, 22_500.0),
            )
        })
        .collect();
    (0..n)
        .map(|i| {
            let r = rng.below(restaurants.len());
            let pickup = restaurants
                .get(r)
                .copied()
                .unwrap_or_else(|| point(0.0, 0.0));
            let placed = NOW - Seconds::from_minutes(rng.below(15) as i64);
            Order {
                id: OrderId(i as u64),
                restaurant: RestaurantId(r as u64),
                pickup,
                drop_off: point(
                    pickup.x() + rng.uniform(-4_000.0, 4_000.0),
                    pickup.y() + rng.uniform(-4_000.0, 4_000.0),
                ),
                placed_at: placed,
                ready_at: placed + Seconds::from_minutes(10 + rng.below(20) as i64),
            }
        })
        .collect()
}

fn fleet(n: usize, rng: &mut SplitMix64) -> Fleet {
    let couriers = (0..n).map(|i| Courier {
        id: CourierId(i as u64),
        position: point(rng.uniform(0.0, 30_000.0), rng.uniform(0.0, 30_000.0)),
        free_at: if i % 3 == 0 {
            NOW + Seconds::from_minutes(rng.below(20) as i64)
        } else {
            NOW
        },
        shift_end: NOW + Seconds::from_minutes(rng.below(240) as i64),
    });
    Fleet::from_couriers(couriers).unwrap_or_else(|_| unreachable!("distinct ids"))
}

fn matching_round(c: &mut Criterion) {
    let sizes: &[(usize, usize)] = if std::env::var_os("CI").is_some() {
        &[(200, 1_000)]
    } else {
        &[(200, 1_000), (2_000, 10_000)]
    };
    let mut group = c.benchmark_group("plan_round");
    group.sample_size(20);
    for &(n_bundles, n_couriers) in sizes {
        let mut rng = SplitMix64(42);
        let bundles: Vec<Bundle> = orders(n_bundles, &mut rng)
            .into_iter()
            .map(|o| Bundle::single(o, &model(), service()))
            .collect();
        let fleet = fleet(n_couriers, &mut rng);
        let params = AssignmentParams::new(service());
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{n_bundles}x{n_couriers}")),
            &(bundles, fleet),
            |b, (bundles, fleet)| {
                b.iter(|| plan_round(NOW, black_box(bundles), fleet, &model(), &params));
            },
        );
    }
    group.finish();
}

fn bundling(c: &mut Criterion) {
    let mut rng = SplitMix64(7);
    let orders = orders(2_000, &mut rng);
    let params = BundlingParams::default();
    c.bench_function("bundle_orders/2000", |b| {
        b.iter(|| {
            bundle_orders(
                black_box(&orders),
                &model(),
                service(),
                &CostModel::default(),
                &params,
            )
        });
    });
}

criterion_group!(benches, matching_round, bundling);
criterion_main!(benches);
