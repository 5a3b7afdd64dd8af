//! The script of the payment fault tests: what each order's people do
//! (its fate, one step a round) and the final checks of every order's
//! ledger and every hold at the provider. Shared by the engine's test on
//! the in-memory store and the service's on its SQL stores.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use foodiefast_actors::Engine;
use foodiefast_actors::domain::order::{CancelReason, Order, OrderCommand, OrderStatus};
use foodiefast_actors::domain::payment::PaymentState;
use foodiefast_actors::store::OrderStore;
use foodiefast_geo::{CourierId, OrderId, RestaurantId, Seconds};

use crate::fake_provider::{FakeProvider, Rng};
use crate::support::{order, pt};

/// Kitchens the orders are spread over.
pub(crate) const KITCHENS: u64 = 4;

/// What each order's customer, chef and courier do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    Declined,
    CancelledEarly,
    ChefRejects,
    NoAnswer,
    NoCourier,
    Delivered,
    Refunded,
}

pub(crate) fn fate(rng: &mut Rng) -> Fate {
    match rng.below(20) {
        0 | 1 => Fate::Declined,
        2 | 3 => Fate::CancelledEarly,
        4 | 5 => Fate::ChefRejects,
        6 => Fate::NoAnswer,
        7 | 8 => Fate::NoCourier,
        9..=11 => Fate::Refunded,
        _ => Fate::Delivered,
    }
}

pub(crate) fn kitchen_of(id: u64) -> u64 {
    1 + id % KITCHENS
}

/// Places orders `placed + 1 ..= arrivals` (fates say which card),
/// counting them in `placed`; stops at the first placement a store fault
/// stopped (placed again next round).
pub(crate) async fn place_arrivals(
    engine: &Engine,
    store: &dyn OrderStore,
    fates: &[Fate],
    placed: &mut u64,
    arrivals: u64,
) {
    while *placed < arrivals.min(fates.len() as u64) {
        let id = *placed + 1;
        let method = if fates[(id - 1) as usize] == Fate::Declined {
            "pm_card_chargeDeclined"
        } else {
            "pm_card_visa"
        };
        let mut details = order(id, kitchen_of(id), pt(0.0), pt(800.0));
        details.placed_at = engine.clock().now();
        let outcome = engine.place_paid_order(details, method.into()).await;
        let recorded = store.order_view(OrderId(id)).await.unwrap().is_some();
        if outcome.is_err() && !recorded {
            break;
        }
        *placed += 1;
    }
}

/// The next thing order `id`'s people do, given where it stands.
pub(crate) async fn step(
    engine: &Engine,
    store: &dyn OrderStore,
    id: u64,
    fate: Fate,
    rng: &mut Rng,
) {
    let order_id = OrderId(id);
    let Ok(Some(view)) = store.order_view(order_id).await else {
        return;
    };
    let kitchen = RestaurantId(kitchen_of(id));
    let now = engine.clock().now();
    let cancel = OrderCommand::Cancel {
        reason: CancelReason::Customer,
    };
    let delivering = matches!(fate, Fate::Delivered | Fate::Refunded);
    // Refusals and failures are part of the game: the order stays where it
    // was and the next round tries again.
    match view.status {
        OrderStatus::Placed | OrderStatus::SentToChef if fate == Fate::CancelledEarly => {
            let _ = engine.command(order_id, cancel).await;
        }
        OrderStatus::SentToChef if fate == Fate::ChefRejects => {
            let _ = engine.reject_order(kitchen, order_id, None).await;
        }
        OrderStatus::SentToChef if delivering || fate == Fate::NoCourier => {
            let ready_at = now + Seconds(rng.below(120) as i64);
            let _ = engine.accept_order(kitchen, order_id, ready_at).await;
        }
        OrderStatus::Accepted | OrderStatus::Preparing | OrderStatus::Ready
            if delivering && view.courier.is_none() =>
        {
            let assign = OrderCommand::AssignCourier {
                courier: CourierId(id),
                pickup_eta: now + Seconds(60),
            };
            let _ = engine.command(order_id, assign).await;
        }
        OrderStatus::Accepted | OrderStatus::Preparing if delivering => {
            let _ = engine.command(order_id, OrderCommand::MarkReady).await;
        }
        OrderStatus::Ready if delivering => {
            let courier = CourierId(id);
            let _ = engine
                .command(order_id, OrderCommand::PickUp { courier })
                .await;
        }
        OrderStatus::PickedUp => {
            let courier = CourierId(id);
            let _ = engine
                .command(order_id, OrderCommand::Deliver { courier })
                .await;
        }
        OrderStatus::Delivered
            if fate == Fate::Refunded && view.payment == PaymentState::Captured =>
        {
            let refund = OrderCommand::RequestRefund {
                seq: 1,
                amount_cents: 1 + rng.below(view.total_cents as u64) as i64,
                note: "the delivery failed".into(),
            };
            let _ = engine.command(order_id, refund).await;
        }
        _ => {}
    }
}

/// Every order finished with its ledger balanced and, when `exact`, its
/// payment where its fate leads (on real time a deadline may overtake a
/// step, and the order settles another way); every hold at the provider belongs to one order's log, was
/// settled exactly once, and took what the ledger says.
pub(crate) async fn check_every_order_and_hold(
    store: &dyn OrderStore,
    provider: &FakeProvider,
    fates: &[Fate],
    exact: bool,
) {
    let mut intents: HashMap<String, u64> = HashMap::new();
    for id in 1..=fates.len() as u64 {
        let history = store.load(OrderId(id)).await.unwrap();
        let order = Order::from_events(&history).unwrap();
        let fate = fates[(id - 1) as usize];
        let payment = order.payment();
        order
            .check_ledger()
            .unwrap_or_else(|e| panic!("order {id} ({fate:?}): {e}"));
        assert!(
            order.is_finished(),
            "order {id} ({fate:?}) is left {} with its payment {}",
            order.status().as_str(),
            payment.state().as_str()
        );
        let expected = match fate {
            Fate::Declined => PaymentState::Declined,
            Fate::Delivered => PaymentState::Captured,
            Fate::Refunded => PaymentState::Refunded,
            _ => PaymentState::Voided,
        };
        if exact {
            assert_eq!(payment.state(), expected, "order {id} ({fate:?})");
        }
        if let Some(hold) = payment.hold() {
            intents.insert(hold.intent.clone(), id);
        }
        let view = store.order_view(OrderId(id)).await.unwrap().unwrap();
        assert_eq!(view.payment, payment.state(), "order {id}'s view");
    }
    let holds = provider.holds();
    assert_eq!(
        holds.len(),
        intents.len(),
        "one hold per authorised order, however often the authorisation was sent"
    );
    for (intent, hold) in holds {
        let id = intents
            .get(&intent)
            .unwrap_or_else(|| panic!("hold {intent} belongs to no order's log"));
        assert_eq!(hold.order, *id);
        assert!(
            !hold.hanging(),
            "hold {intent} of order {id} is left hanging"
        );
        assert!(hold.captures + hold.voids == 1, "hold {intent}: {hold:?}");
        assert!(hold.refunds <= 1, "hold {intent}: {hold:?}");
        let order = Order::from_events(&store.load(OrderId(*id)).await.unwrap()).unwrap();
        let ledger = order.payment().ledger();
        assert_eq!(
            hold.captured,
            ledger.captured_cents + ledger.refunded_cents,
            "order {id}: the provider took what the ledger says"
        );
        assert_eq!(hold.refunded, ledger.refunded_cents, "order {id}");
    }
    let calls = provider.calls.load(Ordering::SeqCst);
    assert!(
        calls > intents.len() * 2,
        "faults made the saga repeat calls ({calls})"
    );
}
