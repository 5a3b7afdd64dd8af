//! Tests of the `plan` round on the fixture instance and of its report.

use super::*;
use crate::mdrp::fixture::Fixture;
use foodiefast_geo::{CourierId, OrderId, RestaurantId};

fn fixture_round(window: i64, max_bundle: usize) -> RoundReport {
    let fixture = Fixture::valid();
    let instance = Instance::load(fixture.path()).unwrap();
    plan(
        &instance,
        PlanOptions::new(720, window, max_bundle).unwrap(),
    )
    .unwrap()
}

#[test]
fn options_are_checked() {
    for (at, window, max_bundle, name) in [
        (-1, 10, 3, "--at"),
        (720, 0, 3, "--window"),
        (720, 10, 0, "--max-bundle"),
        (720, 10, 7, "--max-bundle"),
    ] {
        let err = PlanOptions::new(at, window, max_bundle).unwrap_err();
        assert!(
            matches!(err, Error::InvalidArgument { name: n, .. } if n == name),
            "{err:?}"
        );
    }
    assert!(PlanOptions::new(0, 1, 6).is_ok());
}

#[test]
fn the_window_is_open_at_its_start_and_closed_at_its_end() {
    let options = PlanOptions::new(720, 10, 3).unwrap();
    assert!(!options.is_pending(Seconds::from_minutes(710)));
    assert!(options.is_pending(Seconds::from_minutes(710) + Seconds(1)));
    assert!(options.is_pending(Seconds::from_minutes(720)));
    assert!(!options.is_pending(Seconds::from_minutes(720) + Seconds(1)));
}

#[test]
fn the_round_takes_the_window_s_orders_and_the_couriers_on_shift() {
    let report = fixture_round(10, 3);
    assert_eq!(report.pending_orders, 4);
    assert_eq!(report.couriers_on_shift, 2);
    let mut seen: Vec<OrderId> = report.deliveries().map(|d| d.order).collect();
    seen.extend(
        report
            .unassigned
            .iter()
            .flat_map(|u| u.orders.iter().copied()),
    );
    seen.sort();
    assert_eq!(seen, [1, 2, 3, 6].map(OrderId));
    // r3 is 100 km from every courier.
    assert_eq!(report.unassigned.len(), 1);
    assert_eq!(report.unassigned[0].restaurant, RestaurantId(3));
    assert!(
        report
            .deliveries()
            .all(|d| d.click_to_door >= d.lower_bound)
    );
    let mut couriers: Vec<CourierId> = report.assigned.iter().map(|a| a.courier).collect();
    couriers.dedup();
    assert_eq!(couriers.len(), report.assigned.len());
    assert!(
        report
            .assigned
            .iter()
            .all(|a| a.latest_departure >= Seconds::from_minutes(720))
    );
}

#[test]
fn a_single_order_cap_never_bundles() {
    let report = fixture_round(10, 1);
    assert_eq!(report.bundles, 4);
    assert!(report.assigned.iter().all(|a| a.deliveries.len() == 1));
}

#[test]
fn an_empty_window_reports_no_means() {
    let fixture = Fixture::valid();
    let instance = Instance::load(fixture.path()).unwrap();
    let report = plan(&instance, PlanOptions::new(100, 10, 3).unwrap()).unwrap();
    let mut out = Vec::new();
    write_report(&mut out, &report).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.ends_with(
        "summary: pending orders 0, bundles 0, couriers on shift 0, assigned orders 0, \
         mean click-to-door n/a, lower-bound mean n/a\n"
    ));
}

#[test]
fn the_report_is_a_readable_table() {
    let report = RoundReport {
        instance: "demo".to_owned(),
        options: PlanOptions::new(720, 10, 3).unwrap(),
        pending_orders: 3,
        couriers_on_shift: 4,
        bundles: 2,
        assigned: vec![AssignedLine {
            courier: CourierId(12),
            pickup_at: Seconds::from_minutes(731),
            latest_departure: Seconds(43_770),
            deliveries: vec![
                Delivery {
                    order: OrderId(5),
                    click_to_door: Seconds::from_minutes(25),
                    lower_bound: Seconds::from_minutes(20),
                },
                Delivery {
                    order: OrderId(7),
                    click_to_door: Seconds::from_minutes(30),
                    lower_bound: Seconds::from_minutes(21),
                },
            ],
        }],
        unassigned: vec![UnassignedLine {
            restaurant: RestaurantId(3),
            ready_at: Seconds::from_minutes(740),
            orders: vec![OrderId(9)],
        }],
    };
    let mut out = Vec::new();
    write_report(&mut out, &report).unwrap();
    let expected = "\
round at minute 720 on demo: orders placed in (710, 720], couriers on shift at minute 720
courier  pickup  depart by  orders in drop-off sequence (predicted click-to-door, min)
c12         731      729.5  o5 (25)  o7 (30)
unassigned bundles: 1
r3       ready    740  o9
summary: pending orders 3, bundles 2, couriers on shift 4, assigned orders 2, \
mean click-to-door 27.5 min, lower-bound mean 20.5 min
";
    assert_eq!(String::from_utf8(out).unwrap(), expected);
}

#[test]
fn nothing_is_written_when_the_instance_cannot_be_loaded() {
    let fixture = Fixture::valid();
    let args = PlanArgs {
        instance: fixture.path().join("missing"),
        at: 720,
        window: 10,
        max_bundle: 3,
    };
    let mut out = Vec::new();
    let err = run(&args, &mut out).unwrap_err();
    assert!(matches!(err, Error::Instance(_)));
    assert!(out.is_empty());
}
