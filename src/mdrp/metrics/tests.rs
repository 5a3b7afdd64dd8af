//! Metrics of the hand-checked solution of `fixture_solution.rs`, worked out
//! by hand, and the statistics on small samples.

use super::*;
use crate::mdrp::fixture::Fixture;
use crate::mdrp::fixture_solution::{feasible, m};
use crate::mdrp::solution::Move;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn metrics() -> Metrics {
    let fixture = Fixture::valid();
    let instance = Instance::load(fixture.path()).unwrap();
    measure(&instance, &feasible()).unwrap()
}

#[test]
fn orders_delivered_and_their_times() {
    let metrics = metrics();
    assert_eq!((metrics.orders, metrics.delivered), (6, 3));
    assert!(close(metrics.undelivered_percent, 50.0));
    // o1 712 -> 735, o2 715 -> 740, o3 718 -> 739: 23, 25, 21 minutes.
    let c = metrics.click_to_door.unwrap();
    assert_eq!(c.count, 3);
    for (value, expected) in [
        (c.mean, 23.0),
        (c.std, 2.0),
        (c.min, 21.0),
        (c.p10, 21.4),
        (c.median, 23.0),
        (c.p90, 24.6),
        (c.max, 25.0),
    ] {
        assert!(close(value, expected), "{c:?}");
    }
    // Ready 725, 727, 730: to the door 10, 13, 9; to the pickup 2, 0, 0.
    let r = metrics.ready_to_door.unwrap();
    assert!(
        close(r.mean, 32.0 / 3.0) && close(r.min, 9.0) && close(r.max, 13.0),
        "{r:?}"
    );
    let p = metrics.ready_to_pickup.unwrap();
    assert!(close(p.mean, 2.0 / 3.0) && close(p.median, 0.0), "{p:?}");
    let overage = metrics.click_to_door_overage.unwrap();
    assert!(close(overage.max, 0.0));
    assert!(close(metrics.target_click_to_door, 40.0));
}

#[test]
fn the_lower_bound_and_the_ratio_to_it() {
    let bound = metrics().lower_bound;
    // Delivered: o1 13 + 2 + 4 + 2 = 21, o2 12 + 2 + 4 + 2 = 20, o3 12 + 2 + 5 + 2 = 21.
    assert!(close(bound.mean_delivered.unwrap(), 62.0 / 3.0));
    // Others: o4 10 + 2 + 2 + 2 = 16, o5 14 + 2 + 3 + 2 = 21, o6 11 + 2 + 4 + 2 = 19.
    assert!(close(bound.mean_all_orders.unwrap(), 118.0 / 6.0));
    assert!(close(
        bound.click_to_door_ratio.unwrap(),
        23.0 / (62.0 / 3.0)
    ));
}

#[test]
fn fleet_productivity_utilisation_and_pay() {
    let c = metrics().couriers;
    // Shifts: 300 + 100 + 179 + 120 = 699 minutes.
    assert_eq!(c.couriers, 4);
    assert!(close(c.shift_hours, 699.0 / 60.0));
    assert!(close(c.orders_per_courier_hour, 3.0 / (699.0 / 60.0)));
    assert!(close(c.bundles_per_courier_hour, 2.0 / (699.0 / 60.0)));
    // Driving 1 + 4 + 1 (c1) + 1 + 5 (c2), pickups 2 x 4, drop-offs 3 x 4.
    assert!(close(c.utilisation, 32.0 / 699.0));
    // Guarantees 75, 25, 44.75, 30 all beat 10 per order.
    assert!(close(c.total_pay, 174.75));
    assert!(close(c.pay_per_order.unwrap(), 58.25));
    assert!(close(c.guaranteed_share, 1.0));
    assert_eq!(c.prepositioning_moves, 0);
}

#[test]
fn moves_to_a_restaurant_without_a_pickup_count_as_prepositioning() {
    let fixture = Fixture::valid();
    let instance = Instance::load(fixture.path()).unwrap();
    let mut solution = feasible();
    // After o3, c2 is sent back to r2 to wait for the next order there.
    solution.routes.get_mut(&CourierId(2)).unwrap().push(Move {
        departure: m(741),
        origin: Place::Customer(foodiefast_geo::OrderId(3)),
        destination: Place::Restaurant(foodiefast_geo::RestaurantId(2)),
    });
    let c = measure(&instance, &solution).unwrap().couriers;
    assert_eq!(c.prepositioning_moves, 1);
    // Driving grows by the 5-minute trip back.
    assert!(close(c.utilisation, 37.0 / 699.0));
}

#[test]
fn bundle_sizes() {
    let b = metrics().bundles;
    assert_eq!(b.bundles, 2);
    assert_eq!(b.sizes, BTreeMap::from([(1, 1), (2, 1)]));
    assert!(close(b.mean_size.unwrap(), 1.5));
}

#[test]
fn statistics_of_small_samples() {
    assert_eq!(Distribution::of(vec![]), None);
    let one = Distribution::of(vec![m(7)]).unwrap();
    assert!(close(one.std, 0.0) && close(one.p10, 7.0) && close(one.p90, 7.0));
    // 1..=10 minutes: p10 at rank 0.9 -> 1.9, median 5.5, p90 at rank 8.1 -> 9.1.
    let ten = Distribution::of((1..=10).rev().map(m).collect()).unwrap();
    assert!(
        close(ten.p10, 1.9) && close(ten.median, 5.5) && close(ten.p90, 9.1),
        "{ten:?}"
    );
    assert!(close(ten.std, (55.0_f64 / 6.0).sqrt()), "{ten:?}");
}

#[test]
fn the_summary_serialises_with_every_metric() {
    let json = serde_json::to_value(metrics()).unwrap();
    assert_eq!(json["delivered"], 3);
    assert!(close(json["click_to_door"]["p90"].as_f64().unwrap(), 24.6));
    assert!(close(
        json["couriers"]["total_pay"].as_f64().unwrap(),
        174.75
    ));
    assert_eq!(json["bundles"]["sizes"]["2"], 1);
    assert!(json["lower_bound"]["click_to_door_ratio"].is_number());
}
