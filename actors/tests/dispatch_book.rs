//! A zone's dispatch book: offers go to the right courier at the right time,
//! declines and timeouts send orders back without offering them to the same
//! courier, and every order is always in exactly one place.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::HashSet;

use foodiefast_actors::dispatch::{AnswerOutcome, DispatchBook, DispatchError, DispatchParams};
use foodiefast_actors::domain::courier::OfferAnswer;
use foodiefast_geo::order::{Courier, Order};
use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds, StraightLine};
use proptest::prelude::*;

fn pt(x: f64, y: f64) -> Point {
    Point::new(x, y).expect("valid")
}

fn book() -> DispatchBook<StraightLine> {
    let service =
        ServiceTimes::new(Seconds::from_minutes(4), Seconds::from_minutes(4)).expect("valid");
    DispatchBook::new(
        StraightLine::new(320.0).expect("valid"),
        DispatchParams::new(service),
    )
    .expect("valid")
}

fn order(id: u64, ready_min: i64) -> Order {
    Order {
        id: OrderId(id),
        restaurant: RestaurantId(id),
        pickup: pt(0.0, 0.0),
        drop_off: pt(2_000.0, 0.0),
        placed_at: Seconds::ZERO,
        ready_at: Seconds::from_minutes(ready_min),
    }
}

fn courier(id: u64, x: f64) -> Courier {
    Courier {
        id: CourierId(id),
        position: pt(x, 0.0),
        free_at: Seconds::ZERO,
        shift_end: Seconds::from_minutes(600),
    }
}

#[test]
fn the_nearer_courier_gets_the_offer_and_the_decision_is_explained() {
    let mut b = book();
    b.add_order(order(1, 10)).expect("new");
    b.courier_available(courier(1, 3_200.0)); // 10 min away
    b.courier_available(courier(2, 6_400.0)); // 20 min away
    let offers = b.round(Seconds::from_minutes(1)).expect("round");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].courier, CourierId(1));
    assert_eq!(offers[0].orders, vec![OrderId(1)]);
    assert_eq!(offers[0].deadline, Seconds::from_minutes(1) + Seconds(30));
    assert_eq!((b.waiting(), b.available(), b.open_offers()), (0, 1, 1));
    let why = b.explain(OrderId(1)).expect("recorded");
    assert_eq!(why.candidates.len(), 2);
    assert!(why.candidates[0].cost <= why.candidates[1].cost);
    assert!(why.why.contains("lowest cost"), "{}", why.why);
}

#[test]
fn a_courier_is_not_sent_long_before_the_food_is_ready() {
    let mut b = book();
    b.add_order(order(1, 40)).expect("new");
    b.courier_available(courier(1, 3_200.0)); // 10 min away
    // At minute 0 it would leave at minute 28: hold the offer.
    assert!(b.round(Seconds::ZERO).expect("round").is_empty());
    assert_eq!(b.waiting(), 1);
    // At minute 24 it must leave within the five-minute horizon: offer now.
    let offers = b.round(Seconds::from_minutes(24)).expect("round");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].depart_by, Seconds::from_minutes(28));
    assert_eq!(offers[0].pickup_at, Seconds::from_minutes(40));
}

#[test]
fn a_declined_order_goes_to_someone_else() {
    let mut b = book();
    b.add_order(order(1, 5)).expect("new");
    b.courier_available(courier(1, 100.0));
    b.courier_available(courier(2, 3_000.0));
    let first = b.round(Seconds::ZERO).expect("round");
    assert_eq!(first[0].courier, CourierId(1));
    let outcome = b
        .answer(first[0].offer, OfferAnswer::Declined)
        .expect("open");
    assert_eq!(
        outcome,
        AnswerOutcome::Returned {
            orders: vec![OrderId(1)]
        }
    );
    assert_eq!(
        b.available(),
        2,
        "the courier who declined is free for other orders"
    );
    let second = b.round(Seconds(10)).expect("round");
    assert_eq!(second.len(), 1);
    assert_eq!(
        second[0].courier,
        CourierId(2),
        "not offered again to the courier who declined"
    );
    assert_eq!(
        b.answer(first[0].offer, OfferAnswer::Accepted),
        Err(DispatchError::UnknownOffer(first[0].offer))
    );
}

#[test]
fn a_decline_is_remembered_for_a_while_not_forever() {
    let mut b = book();
    b.add_order(order(1, 5)).expect("new");
    b.courier_available(courier(1, 100.0));
    let first = b.round(Seconds::ZERO).expect("round");
    b.answer(first[0].offer, OfferAnswer::Declined)
        .expect("open");
    // The only courier around declined: not asked again within ten minutes of the deadline...
    assert!(b.round(Seconds(60)).expect("round").is_empty());
    assert!(b.round(Seconds(30 + 599)).expect("round").is_empty());
    // ...then asked again rather than leaving the order waiting forever.
    let again = b.round(Seconds(30 + 600)).expect("round");
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].courier, CourierId(1));
}

#[test]
fn an_accepted_offer_takes_order_and_courier_out_of_the_book() {
    let mut b = book();
    b.add_order(order(1, 5)).expect("new");
    b.courier_available(courier(1, 100.0));
    let offers = b.round(Seconds::ZERO).expect("round");
    let outcome = b
        .answer(offers[0].offer, OfferAnswer::Accepted)
        .expect("open");
    assert!(matches!(
        outcome,
        AnswerOutcome::Assigned {
            courier: CourierId(1),
            ..
        }
    ));
    assert_eq!((b.waiting(), b.available(), b.open_offers()), (0, 0, 0));
    assert!(b.round(Seconds(10)).expect("round").is_empty());
}

#[test]
fn expired_offers_are_listed_and_time_out_like_declines() {
    let mut b = book();
    b.add_order(order(1, 5)).expect("new");
    b.courier_available(courier(1, 100.0));
    let offers = b.round(Seconds::ZERO).expect("round");
    assert!(b.expired_offers(Seconds(29)).is_empty());
    assert_eq!(b.expired_offers(Seconds(30)), vec![offers[0].offer]);
    b.answer(offers[0].offer, OfferAnswer::TimedOut)
        .expect("open");
    assert_eq!(b.waiting(), 1);
}

#[test]
fn a_courier_leaving_with_an_open_offer_returns_its_orders() {
    let mut b = book();
    b.add_order(order(1, 5)).expect("new");
    b.courier_available(courier(1, 100.0));
    b.round(Seconds::ZERO).expect("round");
    assert_eq!(b.courier_gone(CourierId(1)), vec![OrderId(1)]);
    assert_eq!((b.waiting(), b.available(), b.open_offers()), (1, 0, 0));
}

#[test]
fn cancelling_the_last_order_of_an_offer_withdraws_it() {
    let mut b = book();
    b.add_order(order(1, 5)).expect("new");
    b.courier_available(courier(1, 100.0));
    let offers = b.round(Seconds::ZERO).expect("round");
    assert_eq!(b.remove_order(OrderId(1)), Some(offers[0].offer));
    assert_eq!((b.waiting(), b.available(), b.open_offers()), (0, 1, 0));
    assert!(b.answer(offers[0].offer, OfferAnswer::Accepted).is_err());
    assert_eq!(b.add_order(order(2, 5)), Ok(()));
    assert_eq!(
        b.add_order(order(2, 5)),
        Err(DispatchError::DuplicateOrder(OrderId(2)))
    );
}

/// Order 1 accepted by courier 1 at minute 0 (its trip ends at minute 18
/// at (2,000, 0)); order 2, ready at minute 20, waits one minute from there;
/// courier 2 is idle 30 minutes from it.
fn courier_1_busy_and_order_2_waiting() -> DispatchBook<StraightLine> {
    let mut b = book();
    b.add_order(order(1, 5)).expect("new");
    b.courier_available(courier(1, 100.0));
    let offers = b.round(Seconds::ZERO).expect("round");
    b.answer(offers[0].offer, OfferAnswer::Accepted)
        .expect("open");
    // The courier's actor says it is busy.
    assert!(b.courier_gone(CourierId(1)).is_empty());
    b.add_order(Order {
        id: OrderId(2),
        restaurant: RestaurantId(2),
        pickup: pt(2_100.0, 0.0),
        drop_off: pt(4_000.0, 0.0),
        placed_at: Seconds::from_minutes(5),
        ready_at: Seconds::from_minutes(20),
    })
    .expect("new");
    b.courier_available(courier(2, 11_700.0));
    b
}

#[test]
fn an_order_waits_for_a_courier_about_to_come_free_nearby_not_a_far_idle_one() {
    let mut b = courier_1_busy_and_order_2_waiting();
    assert_eq!(b.available(), 1, "the busy courier is not offered anything");
    // Courier 2 would have to leave now to pick up at minute 42; courier 1
    // picks up at minute 21 once free: the order waits for it.
    assert!(
        b.round(Seconds::from_minutes(10))
            .expect("round")
            .is_empty()
    );
    assert_eq!(b.waiting(), 1);
    b.courier_available(Courier {
        id: CourierId(1),
        position: pt(2_000.0, 0.0),
        free_at: Seconds::from_minutes(18),
        shift_end: Seconds::from_minutes(600),
    });
    let offers = b.round(Seconds::from_minutes(18)).expect("round");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].courier, CourierId(1));
    assert_eq!(offers[0].pickup_at, Seconds::from_minutes(21));
}

#[test]
fn a_busy_courier_long_past_its_planned_finish_stops_holding_orders() {
    let mut b = courier_1_busy_and_order_2_waiting();
    assert!(
        b.round(Seconds::from_minutes(10))
            .expect("round")
            .is_empty()
    );
    // Planned free at 18, still not free 15 minutes later.
    let offers = b.round(Seconds::from_minutes(34)).expect("round");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].courier, CourierId(2));
}

#[test]
fn a_courier_who_let_its_orders_go_is_not_waited_for() {
    let mut b = courier_1_busy_and_order_2_waiting();
    b.courier_released(CourierId(1));
    let offers = b.round(Seconds::from_minutes(10)).expect("round");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].courier, CourierId(2));
}

#[test]
fn without_look_ahead_only_free_couriers_are_planned_with() {
    let service =
        ServiceTimes::new(Seconds::from_minutes(4), Seconds::from_minutes(4)).expect("valid");
    let params = DispatchParams {
        look_ahead_grace: None,
        ..DispatchParams::new(service)
    };
    let mut b = DispatchBook::new(StraightLine::new(320.0).expect("valid"), params).expect("valid");
    b.add_order(order(1, 5)).expect("new");
    b.courier_available(courier(1, 100.0));
    let offers = b.round(Seconds::ZERO).expect("round");
    b.answer(offers[0].offer, OfferAnswer::Accepted)
        .expect("open");
    b.courier_gone(CourierId(1));
    b.add_order(order(2, 20)).expect("new");
    b.courier_available(courier(2, 9_600.0));
    let offers = b.round(Seconds::from_minutes(10)).expect("round");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].courier, CourierId(2));
}

fn book_with(change: impl FnOnce(&mut DispatchParams)) -> DispatchBook<StraightLine> {
    let service =
        ServiceTimes::new(Seconds::from_minutes(4), Seconds::from_minutes(4)).expect("valid");
    let mut params = DispatchParams::new(service);
    change(&mut params);
    DispatchBook::new(StraightLine::new(320.0).expect("valid"), params).expect("valid")
}

#[test]
fn an_unchanged_plan_is_not_redone_until_an_offer_falls_due() {
    let mut b = book_with(|p| p.replan_every = Seconds::from_minutes(60));
    b.add_order(order(1, 20)).expect("new");
    b.courier_available(courier(1, 3_200.0)); // 10 min away: leaves at 8
    assert!(b.round(Seconds::ZERO).expect("round").is_empty());
    assert_eq!(b.planned_rounds(), 1);
    for second in [10, 20, 120, 179] {
        assert!(b.round(Seconds(second)).expect("round").is_empty());
    }
    assert_eq!(b.planned_rounds(), 1, "nothing changed, nothing due");
    // Due at 8 - 5 minutes of commit horizon.
    let offers = b.round(Seconds::from_minutes(3)).expect("round");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].depart_by, Seconds::from_minutes(8));
    assert_eq!(b.planned_rounds(), 2);
}

#[test]
fn a_change_or_a_stale_plan_brings_a_new_plan() {
    let mut b = book();
    b.add_order(order(1, 40)).expect("new");
    b.courier_available(courier(1, 3_200.0));
    b.round(Seconds::ZERO).expect("round");
    b.round(Seconds(10)).expect("round");
    assert_eq!(b.planned_rounds(), 1);
    b.add_order(order(2, 40)).expect("new");
    b.round(Seconds(20)).expect("round");
    assert_eq!(b.planned_rounds(), 2, "a new order is planned at once");
    b.round(Seconds(70)).expect("round");
    assert_eq!(b.planned_rounds(), 2);
    b.round(Seconds(80)).expect("round");
    assert_eq!(b.planned_rounds(), 3, "redone a minute after the last plan");
}

/// Order 1 ready at minute 20 at the origin; courier 2 idle 37 minutes
/// away; courier 1 scheduled to start next door at minute 15.
fn courier_1_scheduled_and_order_1_waiting() -> DispatchBook<StraightLine> {
    let mut b = book();
    b.add_order(order(1, 20)).expect("new");
    b.courier_available(courier(2, 11_700.0));
    b.courier_scheduled(Courier {
        free_at: Seconds::from_minutes(15),
        ..courier(1, 100.0)
    });
    b
}

#[test]
fn an_order_waits_for_a_courier_whose_shift_starts_nearby_soon() {
    let mut b = courier_1_scheduled_and_order_1_waiting();
    assert!(
        b.round(Seconds::ZERO).expect("round").is_empty(),
        "courier 2 would pick up at minute 39, courier 1 at 20"
    );
    assert_eq!(
        b.available(),
        1,
        "a courier not yet online is offered nothing"
    );
    b.courier_available(Courier {
        free_at: Seconds::from_minutes(15),
        ..courier(1, 100.0)
    });
    let offers = b.round(Seconds::from_minutes(15)).expect("round");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].courier, CourierId(1));
    assert_eq!(offers[0].pickup_at, Seconds::from_minutes(20));
}

#[test]
fn without_the_schedule_the_far_courier_is_sent_at_once() {
    let mut b = book();
    b.add_order(order(1, 20)).expect("new");
    b.courier_available(courier(2, 11_700.0));
    let offers = b.round(Seconds::ZERO).expect("round");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].courier, CourierId(2));
}

#[test]
fn a_scheduled_courier_who_does_not_start_stops_holding_orders() {
    let mut b = courier_1_scheduled_and_order_1_waiting();
    assert!(b.round(Seconds::ZERO).expect("round").is_empty());
    // Due at 15, not online 15 minutes later.
    let offers = b.round(Seconds::from_minutes(31)).expect("round");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].courier, CourierId(2));
}

#[test]
fn a_shift_far_ahead_is_planned_with_only_within_the_planning_horizon() {
    let mut b = book();
    b.add_order(order(1, 20)).expect("new");
    b.courier_available(courier(2, 11_700.0));
    b.courier_scheduled(Courier {
        free_at: Seconds::from_minutes(45),
        ..courier(1, 100.0)
    });
    // At minute 0 the shift starts beyond the 20-minute horizon: courier 2
    // goes, rather than the order waiting 45 minutes for courier 1.
    let offers = b.round(Seconds::ZERO).expect("round");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].courier, CourierId(2));
}

#[test]
fn an_order_ready_beyond_the_planning_horizon_is_not_planned_yet() {
    let mut b = book();
    // The only courier is 44 minutes away; the food is ready at minute 50.
    b.add_order(order(1, 50)).expect("new");
    b.courier_available(courier(1, 14_080.0));
    assert!(b.round(Seconds::ZERO).expect("round").is_empty());
    assert!(
        b.round(Seconds::from_minutes(29))
            .expect("round")
            .is_empty()
    );
    let offers = b.round(Seconds::from_minutes(30)).expect("round");
    assert_eq!(offers.len(), 1, "planned once ready within 20 minutes");
    let mut unbounded = book_with(|p| p.planning_horizon = None);
    unbounded.add_order(order(1, 50)).expect("new");
    unbounded.courier_available(courier(1, 14_080.0));
    assert_eq!(unbounded.round(Seconds::ZERO).expect("round").len(), 1);
}

#[derive(Debug, Clone)]
enum Op {
    AddOrder(u64),
    RemoveOrder(u64),
    CourierFree(u64),
    CourierGone(u64),
    Round,
    Answer(usize, OfferAnswer),
}

fn op() -> impl Strategy<Value = Op> {
    let answer = prop_oneof![
        Just(OfferAnswer::Accepted),
        Just(OfferAnswer::Declined),
        Just(OfferAnswer::TimedOut)
    ];
    prop_oneof![
        (0u64..12).prop_map(Op::AddOrder),
        (0u64..12).prop_map(Op::RemoveOrder),
        (0u64..6).prop_map(Op::CourierFree),
        (0u64..6).prop_map(Op::CourierGone),
        Just(Op::Round),
        (0usize..8, answer).prop_map(|(i, a)| Op::Answer(i, a)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn orders_and_couriers_are_never_in_two_places(ops in proptest::collection::vec(op(), 0..80)) {
        let mut b = book();
        let mut known: HashSet<u64> = HashSet::new();
        let mut open: Vec<(u64, CourierId, Vec<OrderId>)> = Vec::new();
        let mut busy: HashSet<CourierId> = HashSet::new();
        for (step, op) in ops.into_iter().enumerate() {
            let now = Seconds(step as i64 * 30);
            match op {
                Op::AddOrder(id) => {
                    // An assigned order may come back (its courier went offline): it is new to the book again.
                    let fresh = !known.contains(&id);
                    prop_assert_eq!(b.add_order(order(id, (id % 4) as i64 * 3)).is_ok(), fresh);
                    if fresh { known.insert(id); }
                }
                Op::RemoveOrder(id) => {
                    if let Some(withdrawn) = b.remove_order(OrderId(id)) {
                        open.retain(|(o, _, _)| *o != withdrawn);
                    }
                    for (_, _, orders) in &mut open { orders.retain(|o| o.0 != id); }
                    known.remove(&id);
                }
                Op::CourierFree(id) => {
                    if !busy.contains(&CourierId(id)) { b.courier_available(courier(id, id as f64 * 500.0)); }
                }
                Op::CourierGone(id) => {
                    for o in b.courier_gone(CourierId(id)) { prop_assert!(known.contains(&o.0)); }
                    open.retain(|(_, c, _)| *c != CourierId(id));
                    busy.remove(&CourierId(id));
                }
                Op::Round => {
                    for offer in b.round(now).expect("round") {
                        prop_assert!(!busy.contains(&offer.courier), "a busy courier was offered more");
                        prop_assert!(!open.iter().any(|(_, c, _)| *c == offer.courier), "courier offered twice");
                        for o in &offer.orders {
                            prop_assert!(!open.iter().any(|(_, _, os)| os.contains(o)), "order offered twice");
                        }
                        open.push((offer.offer, offer.courier, offer.orders));
                    }
                }
                Op::Answer(i, answer) => {
                    if let Some((offer, courier, orders)) = open.get(i).cloned() {
                        open.remove(i);
                        match b.answer(offer, answer).expect("open offer") {
                            AnswerOutcome::Assigned { orders: got, .. } => {
                                prop_assert_eq!(got, orders.clone());
                                for o in orders { known.remove(&o.0); }
                                busy.insert(courier);
                            }
                            AnswerOutcome::Returned { orders: got } => prop_assert_eq!(got, orders),
                        }
                    }
                }
            }
            let offered: usize = open.iter().map(|(_, _, os)| os.len()).sum();
            prop_assert_eq!(b.open_offers(), open.len());
            prop_assert_eq!(b.waiting() + offered, known.len(), "every known order waits or is offered, once");
        }
    }
}
