//! The order lifecycle: legal paths, refused transitions that change nothing,
//! safe retries, and histories that rebuild the same state.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::{
    CancelReason, Order, OrderCommand, OrderDetails, OrderError, OrderEvent, OrderLine,
    OrderStatus, RejectReason, UnassignReason,
};
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds};
use proptest::prelude::*;

fn details() -> OrderDetails {
    OrderDetails {
        id: OrderId(7),
        customer: CustomerId(3),
        kitchen: RestaurantId(2),
        pickup: Point::new(100.0, 200.0).expect("valid"),
        drop_off: Point::new(1_500.0, -300.0).expect("valid"),
        lines: vec![
            OrderLine {
                item: "tagine".into(),
                quantity: 2,
                unit_price_cents: 1_250,
            },
            OrderLine {
                item: "mint tea".into(),
                quantity: 1,
                unit_price_cents: 300,
            },
        ],
        total_cents: 2_800,
        placed_at: Seconds(1_000),
    }
}

/// Decides `command` at `at`, appends and applies its events.
fn run(
    order: &mut Order,
    history: &mut Vec<OrderEvent>,
    at: i64,
    command: &OrderCommand,
) -> Result<usize, OrderError> {
    let events = order.decide(Seconds(at), command)?;
    for e in &events {
        order.apply(e).expect("decided events always apply");
        history.push(e.clone());
    }
    Ok(events.len())
}

fn placed() -> (Order, Vec<OrderEvent>) {
    let event = Order::place(details()).expect("valid details");
    let order = Order::from_events([&event]).expect("placed");
    (order, vec![event])
}

/// A placed order taken through `commands` at time 0.
fn advanced(commands: &[OrderCommand]) -> (Order, Vec<OrderEvent>) {
    let (mut order, mut history) = placed();
    for cmd in commands {
        run(&mut order, &mut history, 0, cmd).expect("legal");
    }
    (order, history)
}

#[test]
fn an_order_runs_from_placement_to_delivery() {
    let (mut order, mut history) = placed();
    let c = CourierId(9);
    let steps = [
        (
            OrderCommand::AuthorisePayment,
            OrderStatus::PaymentAuthorised,
        ),
        (OrderCommand::SendToChef, OrderStatus::SentToChef),
        (
            OrderCommand::Accept {
                ready_at: Seconds(2_000),
            },
            OrderStatus::Accepted,
        ),
        (OrderCommand::StartPreparing, OrderStatus::Preparing),
        (
            OrderCommand::AssignCourier {
                courier: c,
                pickup_eta: Seconds(2_000),
            },
            OrderStatus::Preparing,
        ),
        (OrderCommand::MarkReady, OrderStatus::Ready),
        (OrderCommand::PickUp { courier: c }, OrderStatus::PickedUp),
        (OrderCommand::Deliver { courier: c }, OrderStatus::Delivered),
    ];
    for (i, (command, status)) in steps.iter().enumerate() {
        assert_eq!(
            run(&mut order, &mut history, 1_000 + i as i64 * 60, command),
            Ok(1)
        );
        assert_eq!(order.status(), *status, "after {}", command.name());
    }
    assert!(order.status().is_terminal());
    assert_eq!(order.courier(), Some(c));
    assert_eq!(
        order.ready_since(),
        Some(Seconds(1_300)),
        "marked ready at the sixth step"
    );
    assert_eq!(order.version(), 9);
    assert_eq!(order.updated_at(), Seconds(1_420));
    assert_eq!(Order::from_events(&history), Ok(order));
}

#[test]
fn illegal_transitions_are_refused_with_a_clear_error() {
    let (order, _) = placed();
    let err = order
        .decide(Seconds(1), &OrderCommand::MarkReady)
        .expect_err("not accepted yet");
    assert_eq!(err.to_string(), "cannot mark ready an order that is placed");
    let err = order
        .decide(
            Seconds(1),
            &OrderCommand::PickUp {
                courier: CourierId(1),
            },
        )
        .expect_err("not ready");
    assert!(matches!(err, OrderError::IllegalTransition { .. }));
}

#[test]
fn only_the_assigned_courier_can_pick_up_and_deliver() {
    let (mut order, mut h) = advanced(&[
        OrderCommand::AuthorisePayment,
        OrderCommand::SendToChef,
        OrderCommand::Accept {
            ready_at: Seconds(0),
        },
        OrderCommand::MarkReady,
        OrderCommand::AssignCourier {
            courier: CourierId(1),
            pickup_eta: Seconds(0),
        },
    ]);
    let other = OrderCommand::AssignCourier {
        courier: CourierId(2),
        pickup_eta: Seconds(0),
    };
    assert!(matches!(
        order.decide(Seconds(0), &other),
        Err(OrderError::WrongCourier { .. })
    ));
    let theft = OrderCommand::PickUp {
        courier: CourierId(2),
    };
    assert!(matches!(
        order.decide(Seconds(0), &theft),
        Err(OrderError::WrongCourier { .. })
    ));
    run(
        &mut order,
        &mut h,
        0,
        &OrderCommand::PickUp {
            courier: CourierId(1),
        },
    )
    .expect("legal");
    assert!(
        order
            .decide(
                Seconds(0),
                &OrderCommand::Deliver {
                    courier: CourierId(2)
                }
            )
            .is_err()
    );
}

#[test]
fn repeating_a_command_whose_effect_holds_changes_nothing() {
    let (mut order, mut h) = advanced(&[
        OrderCommand::AuthorisePayment,
        OrderCommand::SendToChef,
        OrderCommand::Accept {
            ready_at: Seconds(0),
        },
        OrderCommand::MarkReady,
    ]);
    let assign = OrderCommand::AssignCourier {
        courier: CourierId(1),
        pickup_eta: Seconds(5),
    };
    assert_eq!(run(&mut order, &mut h, 0, &assign), Ok(1));
    assert_eq!(run(&mut order, &mut h, 0, &assign), Ok(0));
    assert_eq!(run(&mut order, &mut h, 0, &OrderCommand::MarkReady), Ok(0));
    let cancel = OrderCommand::Cancel {
        reason: CancelReason::Customer,
    };
    assert_eq!(run(&mut order, &mut h, 0, &cancel), Ok(1));
    assert_eq!(run(&mut order, &mut h, 0, &cancel), Ok(0));
    assert_eq!(order.courier(), None, "a cancelled order frees its courier");
}

#[test]
fn nothing_can_be_cancelled_after_pickup() {
    let c = CourierId(4);
    let (order, _) = advanced(&[
        OrderCommand::AuthorisePayment,
        OrderCommand::SendToChef,
        OrderCommand::Accept {
            ready_at: Seconds(0),
        },
        OrderCommand::MarkReady,
        OrderCommand::AssignCourier {
            courier: c,
            pickup_eta: Seconds(0),
        },
        OrderCommand::PickUp { courier: c },
    ]);
    let cancel = OrderCommand::Cancel {
        reason: CancelReason::Customer,
    };
    assert!(order.decide(Seconds(0), &cancel).is_err());
    let unassign = OrderCommand::UnassignCourier {
        reason: UnassignReason::CourierOffline,
    };
    assert!(order.decide(Seconds(0), &unassign).is_err());
}

#[test]
fn inconsistent_new_orders_are_refused() {
    let mut d = details();
    d.total_cents += 1;
    assert!(matches!(
        Order::place(d),
        Err(OrderError::InvalidDetails(_))
    ));
    let mut d = details();
    d.lines.clear();
    assert!(Order::place(d).is_err());
    let mut d = details();
    d.lines[0].quantity = 0;
    assert!(Order::place(d).is_err());
    let mut d = details();
    d.lines[0].unit_price_cents = i64::MAX;
    assert!(
        Order::place(d).is_err(),
        "an overflowing total is refused, not wrapped"
    );
}

#[test]
fn corrupt_histories_are_refused() {
    let placed = Order::place(details()).expect("valid");
    assert!(Order::from_events([&OrderEvent::Ready { at: Seconds(0) }]).is_err());
    let out_of_order = [
        placed.clone(),
        OrderEvent::Delivered {
            at: Seconds(0),
            courier: CourierId(1),
        },
    ];
    assert!(matches!(
        Order::from_events(&out_of_order),
        Err(OrderError::CorruptHistory { .. })
    ));
    assert!(Order::from_events([&placed, &placed]).is_err());
}

#[test]
fn events_have_a_stable_json_form() {
    let e = OrderEvent::CourierUnassigned {
        at: Seconds(60),
        courier: CourierId(5),
        reason: UnassignReason::OfferTimedOut,
    };
    let json = serde_json::to_string(&e).expect("serialises");
    assert_eq!(
        json,
        r#"{"type":"courier_unassigned","at":60,"courier":5,"reason":"offer_timed_out"}"#
    );
    let r = OrderEvent::Rejected {
        at: Seconds(1),
        reason: RejectReason::Declined {
            note: Some("out of lamb".into()),
        },
    };
    let back: OrderEvent =
        serde_json::from_str(&serde_json::to_string(&r).expect("ser")).expect("de");
    assert_eq!(back, r);
    let placed = Order::place(details()).expect("valid");
    let back: OrderEvent =
        serde_json::from_str(&serde_json::to_string(&placed).expect("ser")).expect("de");
    assert_eq!(back, placed);
    // A stored event with an invalid position is refused on the way back in.
    let bad = serde_json::to_string(&placed)
        .expect("ser")
        .replace("1500.0", "1e300");
    assert!(serde_json::from_str::<OrderEvent>(&bad).is_err());
}

fn command() -> impl Strategy<Value = OrderCommand> {
    let courier = (0u64..3).prop_map(CourierId);
    prop_oneof![
        Just(OrderCommand::AuthorisePayment),
        Just(OrderCommand::SendToChef),
        (0i64..5_000).prop_map(|t| OrderCommand::Accept {
            ready_at: Seconds(t)
        }),
        Just(OrderCommand::Reject {
            reason: RejectReason::NoAnswer
        }),
        Just(OrderCommand::StartPreparing),
        Just(OrderCommand::MarkReady),
        courier
            .clone()
            .prop_map(|courier| OrderCommand::AssignCourier {
                courier,
                pickup_eta: Seconds(9)
            }),
        Just(OrderCommand::UnassignCourier {
            reason: UnassignReason::Declined
        }),
        courier
            .clone()
            .prop_map(|courier| OrderCommand::PickUp { courier }),
        courier.prop_map(|courier| OrderCommand::Deliver { courier }),
        Just(OrderCommand::Cancel {
            reason: CancelReason::NoCourier
        }),
    ]
}

/// The lifecycle graph: which status may follow which.
fn allowed(from: OrderStatus, to: OrderStatus) -> bool {
    use OrderStatus as S;
    from == to
        || matches!(
            (from, to),
            (S::Placed, S::PaymentAuthorised)
                | (S::PaymentAuthorised, S::SentToChef)
                | (S::SentToChef, S::Accepted | S::Rejected)
                | (S::Accepted, S::Preparing | S::Ready)
                | (S::Preparing, S::Ready)
                | (S::Ready, S::PickedUp)
                | (S::PickedUp, S::Delivered)
                | (
                    S::Placed
                        | S::PaymentAuthorised
                        | S::SentToChef
                        | S::Accepted
                        | S::Preparing
                        | S::Ready,
                    S::Cancelled
                )
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn any_command_sequence_keeps_the_lifecycle_and_replays_identically(commands in proptest::collection::vec(command(), 0..40)) {
        let (mut order, mut history) = placed();
        for (i, cmd) in commands.iter().enumerate() {
            let before = order.clone();
            match run(&mut order, &mut history, i as i64, cmd) {
                Ok(0) => prop_assert_eq!(&order, &before, "a no-op changed the order"),
                Ok(_) => prop_assert!(allowed(before.status(), order.status()),
                    "{:?} -> {:?} via {}", before.status(), order.status(), cmd.name()),
                Err(_) => prop_assert_eq!(&order, &before),
            }
            if before.status().is_terminal() {
                prop_assert_eq!(order.status(), before.status(), "a terminal order moved");
            }
            // The live list (admin counts, the live map) holds every status
            // an unfinished order reaches, and no terminal one.
            prop_assert_eq!(
                OrderStatus::LIVE.contains(&order.status()),
                !order.status().is_terminal(),
                "{:?}", order.status()
            );
            match order.status() {
                OrderStatus::PickedUp | OrderStatus::Delivered => prop_assert!(order.courier().is_some()),
                OrderStatus::Placed | OrderStatus::PaymentAuthorised | OrderStatus::SentToChef
                | OrderStatus::Rejected | OrderStatus::Cancelled => prop_assert!(order.courier().is_none()),
                _ => {}
            }
        }
        prop_assert_eq!(order.version(), history.len() as u64);
        prop_assert_eq!(Order::from_events(&history), Ok(order));
    }
}
