//! Prepositioning in a zone's dispatch book: off by default; when on, idle
//! couriers with no plan are sent towards restaurants short of couriers,
//! planned with there from their arrival and offered nothing on the way,
//! and not moved again while they rest.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use foodiefast_actors::dispatch::{DispatchBook, DispatchParams};
use foodiefast_geo::order::{Courier, Order};
use foodiefast_geo::preposition::PrepositionParams;
use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds, StraightLine};

/// 100 m a minute: distances read as minutes x 100.
const SPEED: f64 = 100.0;

fn m(minutes: i64) -> Seconds {
    Seconds::from_minutes(minutes)
}

fn pt(x: f64) -> Point {
    Point::new(x, 0.0).expect("valid")
}

fn params(preposition: Option<PrepositionParams>) -> DispatchParams {
    let service = ServiceTimes::new(m(4), m(4)).expect("valid");
    DispatchParams {
        preposition,
        ..DispatchParams::new(service)
    }
}

fn book(preposition: Option<PrepositionParams>) -> DispatchBook<StraightLine> {
    DispatchBook::new(
        StraightLine::new(SPEED).expect("valid"),
        params(preposition),
    )
    .expect("valid")
}

/// An order of the restaurant at x = 800 (r1), placed at `placed`, whose
/// food is ready two hours later (outside any round's planning horizon, so
/// it stays waiting and counts only as demand).
fn order(id: u64, placed: i64) -> Order {
    Order {
        id: OrderId(id),
        restaurant: RestaurantId(1),
        pickup: pt(800.0),
        drop_off: pt(1_500.0),
        placed_at: m(placed),
        ready_at: m(placed + 120),
    }
}

fn courier(id: u64, x: f64) -> Courier {
    Courier {
        id: CourierId(id),
        position: pt(x),
        free_at: Seconds::ZERO,
        shift_end: m(600),
    }
}

/// Six orders at r1 placed at minute `placed` (two expected in the next 20
/// minutes while they are within the hour) and three idle couriers, none
/// within five minutes of r1: courier 1 (8 minutes away) is the one to go.
fn busy_restaurant_since(b: &mut DispatchBook<StraightLine>, placed: i64) {
    for id in 1..=6 {
        b.add_order(order(id, placed)).expect("new");
    }
    b.courier_available(courier(1, 0.0));
    b.courier_available(courier(2, 5_000.0));
    b.courier_available(courier(3, 9_000.0));
}

fn busy_restaurant(b: &mut DispatchBook<StraightLine>) {
    busy_restaurant_since(b, 100);
}

#[test]
fn nobody_is_moved_when_prepositioning_is_off() {
    let mut b = book(None);
    busy_restaurant(&mut b);
    assert!(b.round(m(120)).expect("round").is_empty());
    assert!(b.preposition(m(120)).is_empty());
    assert_eq!((b.moving(), b.available()), (0, 3));
}

#[test]
fn an_idle_courier_is_sent_and_offered_nothing_until_it_has_arrived() {
    let mut b = book(Some(PrepositionParams::default()));
    busy_restaurant(&mut b);
    assert!(b.round(m(120)).expect("round").is_empty());
    let moves = b.preposition(m(120));
    assert_eq!(moves.len(), 1);
    assert_eq!(moves[0].courier, CourierId(1));
    assert_eq!(moves[0].restaurant, RestaurantId(1));
    assert_eq!(moves[0].arrive_at, m(128));
    assert_eq!((b.moving(), b.available()), (1, 2));
    // An order at r1 ready soon: the moving courier, planned with at r1 from
    // minute 128, is the best courier, but it is not offered it on the way.
    let mut soon = order(7, 121);
    soon.ready_at = m(135);
    b.add_order(soon).expect("new");
    let offers = b.round(m(121)).expect("round");
    assert!(
        offers.iter().all(|o| o.courier != CourierId(1)),
        "{offers:?}"
    );
    // Arrived: free at r1 for offers.
    b.courier_available(Courier {
        free_at: m(128),
        ..courier(1, 800.0)
    });
    assert_eq!(b.moving(), 0);
    let offers = b.round(m(130)).expect("round");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].courier, CourierId(1));
}

#[test]
fn a_moved_courier_rests_before_it_is_moved_again() {
    let mut b = book(Some(PrepositionParams::default()));
    // r1's orders leave the hour's window at minute 121.
    busy_restaurant_since(&mut b, 61);
    assert_eq!(b.preposition(m(120)).len(), 1);
    // It arrives; r1's demand fades, and a second restaurant, r2 on the
    // other side, gets busy: only courier 1 is near enough to go, but it
    // has just moved. More idle couriers keep the share from binding.
    b.courier_available(Courier {
        free_at: m(128),
        ..courier(1, 800.0)
    });
    for k in 4..=9 {
        b.courier_available(courier(k, 20_000.0 + k as f64 * 1_000.0));
    }
    for id in 10..=30 {
        b.add_order(Order {
            restaurant: RestaurantId(2),
            pickup: pt(-200.0),
            ..order(id, 125)
        })
        .expect("new");
    }
    assert!(b.preposition(m(130)).is_empty());
    // Once rested (30 minutes after it was sent), it may go.
    let moves = b.preposition(m(151));
    assert_eq!(moves.len(), 1);
    assert_eq!(
        (moves[0].courier, moves[0].restaurant),
        (CourierId(1), RestaurantId(2))
    );
}

#[test]
fn a_courier_the_plan_waits_for_is_left_where_it_is() {
    let mut b = book(Some(PrepositionParams::default()));
    busy_restaurant(&mut b);
    // An order at x = 0 ready in 30 minutes: courier 1, on the spot, is
    // planned for it (the offer waits until it must leave), so it stays.
    b.add_order(Order {
        id: OrderId(40),
        restaurant: RestaurantId(4),
        pickup: pt(0.0),
        drop_off: pt(300.0),
        placed_at: m(119),
        ready_at: m(140),
    })
    .expect("new");
    assert!(b.round(m(120)).expect("round").is_empty());
    let moves = b.preposition(m(120));
    assert!(
        moves.iter().all(|mv| mv.courier != CourierId(1)),
        "{moves:?}"
    );
}

#[test]
fn a_courier_gone_mid_move_is_forgotten() {
    let mut b = book(Some(PrepositionParams::default()));
    busy_restaurant(&mut b);
    assert_eq!(b.preposition(m(120)).len(), 1);
    b.courier_gone(CourierId(1));
    assert_eq!((b.moving(), b.available()), (0, 2));
}

#[test]
fn bad_prepositioning_parameters_are_refused() {
    let bad = PrepositionParams {
        max_share: 2.0,
        ..PrepositionParams::default()
    };
    assert!(
        DispatchBook::new(StraightLine::new(SPEED).expect("valid"), params(Some(bad))).is_err()
    );
}
