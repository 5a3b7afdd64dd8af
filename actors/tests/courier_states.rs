//! Courier states: offers answered once, timeouts that cannot undo an
//! answer, and orders released when a courier leaves before pickup.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use foodiefast_actors::domain::courier::{
    CourierError, CourierOutcome, CourierState, CourierStatus, Offer, OfferAnswer,
};
use foodiefast_geo::{OrderId, Point, Seconds};
use proptest::prelude::*;

fn at(x: f64) -> Point {
    Point::new(x, 0.0).expect("valid")
}

fn offer(id: u64, orders: &[u64]) -> Offer {
    Offer {
        id,
        orders: orders.iter().copied().map(OrderId).collect(),
        pickup: at(0.0),
        deadline: Seconds(30),
    }
}

fn online() -> CourierState {
    let mut c = CourierState::default();
    c.go_online(at(0.0), Seconds(3_600))
        .expect("offline couriers can go online");
    c
}

#[test]
fn an_accepted_offer_runs_to_delivery_and_back_to_idle() {
    let mut c = online();
    c.receive_offer(offer(1, &[10, 11])).expect("idle");
    assert_eq!(c.status(), CourierStatus::Offered);
    let outcome = c.answer(1, OfferAnswer::Accepted).expect("held");
    assert!(matches!(
        outcome,
        CourierOutcome::OfferEnded {
            answer: OfferAnswer::Accepted,
            ..
        }
    ));
    assert_eq!(c.status(), CourierStatus::HeadingToPickup);
    c.arrive_at_restaurant().expect("heading");
    assert_eq!(c.status(), CourierStatus::WaitingAtRestaurant);
    c.pick_up().expect("waiting");
    c.deliver(OrderId(11)).expect("on board");
    assert_eq!(c.status(), CourierStatus::Delivering);
    c.deliver(OrderId(10)).expect("on board");
    assert_eq!(c.status(), CourierStatus::Idle);
    assert!(c.carrying().is_empty());
}

#[test]
fn answering_twice_has_no_second_effect() {
    let mut c = online();
    c.receive_offer(offer(1, &[10])).expect("idle");
    c.answer(1, OfferAnswer::Declined).expect("held");
    assert_eq!(c.status(), CourierStatus::Idle);
    assert_eq!(
        c.answer(1, OfferAnswer::Declined),
        Ok(CourierOutcome::Unchanged)
    );
    assert_eq!(
        c.answer(1, OfferAnswer::TimedOut),
        Ok(CourierOutcome::Unchanged)
    );
    let late_accept = c.answer(1, OfferAnswer::Accepted);
    assert!(matches!(
        late_accept,
        Err(CourierError::AlreadyAnswered {
            answer: OfferAnswer::Declined,
            ..
        })
    ));
    assert_eq!(c.status(), CourierStatus::Idle);
    assert!(c.carrying().is_empty());
}

#[test]
fn a_timeout_after_acceptance_changes_nothing() {
    let mut c = online();
    c.receive_offer(offer(5, &[1])).expect("idle");
    c.answer(5, OfferAnswer::Accepted).expect("held");
    assert_eq!(
        c.answer(5, OfferAnswer::TimedOut),
        Ok(CourierOutcome::Unchanged)
    );
    assert_eq!(c.status(), CourierStatus::HeadingToPickup);
    assert_eq!(c.carrying(), &[OrderId(1)]);
}

#[test]
fn answers_to_unknown_offers_are_refused() {
    let mut c = online();
    assert_eq!(
        c.answer(9, OfferAnswer::Accepted),
        Err(CourierError::UnknownOffer(9))
    );
    c.receive_offer(offer(1, &[10])).expect("idle");
    assert_eq!(
        c.answer(2, OfferAnswer::Accepted),
        Err(CourierError::UnknownOffer(2))
    );
    assert!(
        c.receive_offer(offer(3, &[12])).is_err(),
        "one offer at a time"
    );
}

#[test]
fn going_offline_before_pickup_releases_the_orders() {
    let mut c = online();
    c.receive_offer(offer(1, &[10, 11])).expect("idle");
    c.answer(1, OfferAnswer::Accepted).expect("held");
    let outcome = c.go_offline().expect("not carrying food yet");
    assert_eq!(
        outcome,
        CourierOutcome::Released {
            orders: vec![OrderId(10), OrderId(11)]
        }
    );
    assert_eq!(c.status(), CourierStatus::Offline);

    // An unanswered offer is released too.
    let mut c = online();
    c.receive_offer(offer(2, &[20])).expect("idle");
    assert_eq!(
        c.go_offline(),
        Ok(CourierOutcome::Released {
            orders: vec![OrderId(20)]
        })
    );
}

#[test]
fn food_on_board_must_be_delivered_before_going_offline() {
    let mut c = online();
    c.receive_offer(offer(1, &[10])).expect("idle");
    c.answer(1, OfferAnswer::Accepted).expect("held");
    c.pick_up().expect("heading");
    assert!(c.go_offline().is_err());
    assert_eq!(c.status(), CourierStatus::Delivering);
    assert!(
        c.drop_order(OrderId(10)).is_err(),
        "food on board cannot be dropped"
    );
}

#[test]
fn offline_couriers_neither_move_nor_take_offers() {
    let mut c = CourierState::default();
    assert!(c.move_to(at(1.0)).is_err());
    assert!(c.receive_offer(offer(1, &[1])).is_err());
    assert!(c.deliver(OrderId(1)).is_err());
    assert_eq!(c, CourierState::default());
}

#[test]
fn a_cancelled_order_is_dropped_before_pickup() {
    let mut c = online();
    c.receive_offer(offer(1, &[10, 11])).expect("idle");
    c.answer(1, OfferAnswer::Accepted).expect("held");
    c.drop_order(OrderId(10)).expect("not on board");
    assert_eq!(c.status(), CourierStatus::HeadingToPickup);
    c.drop_order(OrderId(11)).expect("not on board");
    assert_eq!(c.status(), CourierStatus::Idle);
    assert_eq!(c.drop_order(OrderId(11)), Ok(CourierOutcome::Unchanged));
}

#[test]
fn statuses_round_trip_through_their_names() {
    for s in [
        CourierStatus::Offline,
        CourierStatus::Idle,
        CourierStatus::Offered,
        CourierStatus::HeadingToPickup,
        CourierStatus::WaitingAtRestaurant,
        CourierStatus::Delivering,
    ] {
        assert_eq!(CourierStatus::parse(s.as_str()), Some(s));
    }
    assert_eq!(CourierStatus::parse("asleep"), None);
}

#[derive(Debug, Clone)]
enum Cmd {
    Online,
    Offline,
    Move,
    Offer(u64),
    Answer(u64, OfferAnswer),
    Arrive,
    PickUp,
    Deliver(u64),
    Drop(u64),
}

fn cmd() -> impl Strategy<Value = Cmd> {
    let answer = prop_oneof![
        Just(OfferAnswer::Accepted),
        Just(OfferAnswer::Declined),
        Just(OfferAnswer::TimedOut)
    ];
    prop_oneof![
        Just(Cmd::Online),
        Just(Cmd::Offline),
        Just(Cmd::Move),
        (0u64..4).prop_map(Cmd::Offer),
        ((0u64..4), answer).prop_map(|(i, a)| Cmd::Answer(i, a)),
        Just(Cmd::Arrive),
        Just(Cmd::PickUp),
        (0u64..8).prop_map(Cmd::Deliver),
        (0u64..8).prop_map(Cmd::Drop),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn refused_commands_change_nothing_and_orders_are_never_duplicated(cmds in proptest::collection::vec(cmd(), 0..60)) {
        let mut c = CourierState::default();
        for cmd in cmds {
            let before = c.clone();
            let result = match cmd {
                Cmd::Online => c.go_online(at(1.0), Seconds(100)),
                Cmd::Offline => c.go_offline(),
                Cmd::Move => c.move_to(at(2.0)),
                // Each offer id carries two orders of its own.
                Cmd::Offer(i) => c.receive_offer(offer(i, &[2 * i, 2 * i + 1])),
                Cmd::Answer(i, a) => c.answer(i, a),
                Cmd::Arrive => c.arrive_at_restaurant(),
                Cmd::PickUp => c.pick_up(),
                Cmd::Deliver(o) => c.deliver(OrderId(o)),
                Cmd::Drop(o) => c.drop_order(OrderId(o)),
            };
            if result.is_err() || result == Ok(CourierOutcome::Unchanged) {
                prop_assert_eq!(&c, &before);
            }
            let mut carried: Vec<OrderId> = c.carrying().to_vec();
            carried.sort();
            carried.dedup();
            prop_assert_eq!(carried.len(), c.carrying().len(), "an order carried twice");
            prop_assert_eq!(c.pending_offer().is_some(), c.status() == CourierStatus::Offered);
            if matches!(c.status(), CourierStatus::Offline | CourierStatus::Idle | CourierStatus::Offered) {
                prop_assert!(c.carrying().is_empty(), "{:?} while carrying", c.status());
            }
        }
    }
}
