//! One order through the whole engine on paused time, driven only through
//! the engine's API, every actor real: placed, paid, sent to the chef, the
//! chef accepts, the dispatcher offers it to a courier when it is time to
//! leave (the offer reaches the courier's app), the courier accepts, the
//! food is ready, the courier arrives, picks up and delivers. Then
//! restarts: an order waiting for its chef is put back in front of the
//! kitchen by itself, and a courier on a trip is back on it, before and
//! after pickup, without its app having to say anything.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use foodiefast_actors::domain::payment::PaymentState;
use foodiefast_actors::store::OrderStore;
mod support;

use std::sync::Arc;

use foodiefast_actors::Engine;
use foodiefast_actors::domain::courier::{CourierStatus, OfferAnswer};
use foodiefast_actors::domain::order::{OrderCommand, OrderStatus};
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_actors::tracking::{CourierUpdate, Subscription, Update};
use foodiefast_geo::{CourierId, OrderId, RestaurantId, Seconds};
use support::{courier_online, open_kitchen, order, pt, run_for as settle, start_engine};

const KITCHEN: RestaurantId = RestaurantId(1);
const COURIER: CourierId = CourierId(1);

/// An engine on `store` with one kitchen (at the origin, open) and one courier
/// (online 3.2 km away: a 10-minute ride).
async fn city(store: Arc<MemoryStore>) -> Engine {
    let engine = start_engine(store).await;
    open_kitchen(&engine, 1, pt(0.0), Seconds(180)).await;
    courier_online(&engine, 1, pt(3_200.0)).await;
    engine
}

/// Places the order, has its payment authorised and sends it to the chef.
async fn place_and_send_to_chef(engine: &Engine) {
    engine
        .place_order(order(1, 1, pt(0.0), pt(-3_200.0)))
        .await
        .expect("valid");
    for cmd in [OrderCommand::AuthorisePayment, OrderCommand::SendToChef] {
        engine.command(OrderId(1), cmd).await.expect("legal");
    }
}

#[tokio::test(start_paused = true)]
async fn an_order_goes_from_click_to_door_through_the_engine_alone() {
    let engine = city(Arc::new(MemoryStore::default())).await;
    let app = engine.courier_feed(COURIER);
    place_and_send_to_chef(&engine).await;
    settle(1).await;
    // The chef's tablet shows the order; the chef accepts: ready in 20 minutes.
    let queue = engine.kitchen_queue(KITCHEN).await.expect("open");
    assert_eq!(queue.awaiting.len(), 1);
    let accepted = engine
        .accept_order(KITCHEN, OrderId(1), Seconds::from_minutes(20))
        .await;
    assert_eq!(accepted.expect("awaiting").status, OrderStatus::Preparing);
    // The courier must set off at minute 8; it is offered the order five minutes ahead.
    let mut offered_at = None;
    for second in 0..600 {
        if engine.courier_status(COURIER).await.expect("online") == CourierStatus::Offered {
            offered_at = Some(second);
            break;
        }
        settle(1).await;
    }
    let offered_at = offered_at.expect("offered");
    assert!(
        (170..=200).contains(&offered_at),
        "offered at second {offered_at}"
    );
    // The offer reached the courier's app, with what it needs to decide.
    let Ok(Update::Courier(CourierUpdate::Offered(offer))) = app.recv().await else {
        panic!("the app hears of the offer first");
    };
    assert_eq!(offer.orders, vec![OrderId(1)]);
    assert_eq!(offer.pickup, pt(0.0));
    assert!(offer.deadline > engine.clock().now());
    engine
        .answer_offer(COURIER, offer.id, OfferAnswer::Accepted)
        .await
        .expect("held");
    settle(1).await;
    let view = engine.view(OrderId(1)).await.expect("stored");
    assert_eq!(view.courier, Some(COURIER));
    assert_eq!(view.pickup_eta, Some(Seconds::from_minutes(20)));
    assert_eq!(
        app.try_recv(),
        Some(Ok(Update::Courier(CourierUpdate::OfferEnded {
            offer: offer.id,
            answer: OfferAnswer::Accepted
        })))
    );
    assert_eq!(
        app.try_recv(),
        Some(Ok(Update::Courier(CourierUpdate::Assigned {
            order: OrderId(1),
            pickup_eta: Seconds::from_minutes(20)
        }))),
        "the assignment is confirmed once the order records it"
    );
    let why = engine.explain(OrderId(1)).await.expect("readable");
    assert_eq!(why.expect("a decision").chosen.courier, COURIER);
    // Food ready at minute 20; the courier arrives, picks up and delivers.
    settle(20 * 60 - offered_at - 2).await;
    let early = engine.courier_picked_up(COURIER).await;
    assert!(early.is_err(), "no pickup before the food is ready");
    let ready = engine.mark_ready(KITCHEN, OrderId(1)).await;
    assert_eq!(ready.expect("cooking").status, OrderStatus::Ready);
    engine
        .courier_arrived(COURIER)
        .await
        .expect("heading there");
    let picked = engine.courier_picked_up(COURIER).await.expect("ready");
    assert_eq!(picked[0].status, OrderStatus::PickedUp);
    settle(12 * 60).await;
    let done = engine
        .courier_delivered(COURIER, OrderId(1))
        .await
        .expect("carried");
    assert_eq!(done.status, OrderStatus::Delivered);
    assert_eq!(
        engine.courier_status(COURIER).await.expect("online"),
        CourierStatus::Idle
    );
    engine.courier_offline(COURIER).await.expect("idle");
    assert_eq!(engine.couriers_online(), 0);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn after_a_restart_an_order_waiting_for_its_chef_is_shown_to_the_kitchen_again() {
    let store = Arc::new(MemoryStore::default());
    {
        let engine = city(store.clone()).await;
        place_and_send_to_chef(&engine).await;
        engine.shutdown().await;
    }
    // A new process: the kitchen opens with an empty queue, yet the rebuilt
    // order reaches it, so the chef can answer.
    let engine = city(store.clone()).await;
    settle(1).await;
    let accepted = engine
        .accept_order(KITCHEN, OrderId(1), Seconds::from_minutes(30))
        .await;
    assert_eq!(
        accepted.expect("shown to the kitchen again").status,
        OrderStatus::Preparing
    );
    engine.shutdown().await;
}

/// Waits for the courier's offer on its `app` feed and accepts it.
async fn courier_takes_the_offer(engine: &Engine, app: &Subscription) {
    for _ in 0..600 {
        if let Some(Ok(Update::Courier(CourierUpdate::Offered(offer)))) = app.try_recv() {
            engine
                .answer_offer(COURIER, offer.id, OfferAnswer::Accepted)
                .await
                .expect("held");
            settle(1).await;
            return;
        }
        settle(1).await;
    }
    panic!("no offer within ten minutes");
}

#[tokio::test(start_paused = true)]
async fn after_a_restart_a_courier_on_a_trip_is_back_on_it() {
    let store = Arc::new(MemoryStore::default());
    {
        let engine = city(store.clone()).await;
        let app = engine.courier_feed(COURIER);
        place_and_send_to_chef(&engine).await;
        settle(1).await;
        engine
            .accept_order(KITCHEN, OrderId(1), Seconds::from_minutes(10))
            .await
            .expect("awaiting");
        courier_takes_the_offer(&engine, &app).await;
        let view = engine.view(OrderId(1)).await.expect("stored");
        assert_eq!(view.courier, Some(COURIER));
        engine.shutdown().await;
    }
    // A new process: the order's log names its courier, who is back on the
    // trip before its app reconnects; the dispatcher that chose it is new,
    // yet the decision can still be explained.
    let engine = start_engine(store.clone()).await;
    let why = engine.explain(OrderId(1)).await.expect("readable");
    assert_eq!(why.expect("a stored decision").chosen.courier, COURIER);
    open_kitchen(&engine, 1, pt(0.0), Seconds(180)).await;
    assert_eq!(
        engine.courier_status(COURIER).await.expect("restored"),
        CourierStatus::HeadingToPickup
    );
    // The app reconnecting says it is online: the trip goes on.
    courier_online(&engine, 1, pt(1_000.0)).await;
    settle(10 * 60).await;
    engine
        .mark_ready(KITCHEN, OrderId(1))
        .await
        .expect("cooking");
    engine
        .courier_arrived(COURIER)
        .await
        .expect("heading there");
    engine.courier_picked_up(COURIER).await.expect("ready");
    engine.shutdown().await;
    // Another restart with the food on board.
    let engine = start_engine(store.clone()).await;
    assert_eq!(
        engine.courier_status(COURIER).await.expect("restored"),
        CourierStatus::Delivering
    );
    // A first attempt that stopped once the order took it: the courier
    // still holds it, and the repeat lets it go.
    engine
        .command(OrderId(1), OrderCommand::Deliver { courier: COURIER })
        .await
        .expect("on board");
    assert_eq!(engine.courier_orders(COURIER).await.unwrap(), [OrderId(1)]);
    let done = engine
        .courier_delivered(COURIER, OrderId(1))
        .await
        .expect("carried");
    assert_eq!(done.status, OrderStatus::Delivered);
    assert_eq!(
        engine.courier_status(COURIER).await.expect("online"),
        CourierStatus::Idle
    );
    engine.shutdown().await;
    // The delivery repeated on an engine started since (its answer was
    // lost): the courier holds nothing there, and the order is delivered.
    // Its payment not captured yet (the provider was down), the order is
    // still active and recovered, though no courier holds it any more.
    let mut view = store.order_view(OrderId(1)).await.unwrap().unwrap();
    view.payment = PaymentState::Authorised;
    let version = store.load(OrderId(1)).await.unwrap().len() as u64;
    store.append(OrderId(1), version, &[], &view).await.unwrap();
    assert!(view.is_active());
    let engine = start_engine(store.clone()).await;
    let held = engine.courier_orders(COURIER).await.unwrap_or_default();
    assert!(
        held.is_empty(),
        "a delivered order came back in its courier's hands: {held:?}"
    );
    let again = engine
        .courier_delivered(COURIER, OrderId(1))
        .await
        .expect("already done");
    assert_eq!(again.status, OrderStatus::Delivered);
    assert!(
        engine
            .courier_delivered(CourierId(COURIER.0 + 1), OrderId(1))
            .await
            .is_err(),
        "another courier cannot claim it"
    );
    engine.shutdown().await;
}
