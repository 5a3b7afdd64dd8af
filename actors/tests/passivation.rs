//! Idle order actors go to sleep and wake transparently, on paused time:
//! a sleeping order answers its next command as if it had never slept,
//! deadlines kept by others still reach it, a dispatcher still assigns it,
//! and a rebuilt kitchen still hears of it.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use foodiefast_actors::clock::Clock;
use foodiefast_actors::domain::courier::OfferAnswer;
use foodiefast_actors::domain::order::{OrderCommand, OrderStatus};
use foodiefast_actors::kitchens::KitchenMsg;
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_actors::tracking::{CourierUpdate, Update};
use foodiefast_actors::{Engine, EngineConfig};
use foodiefast_geo::{CourierId, OrderId, RestaurantId, Seconds};
use support::{courier_online, open_kitchen, order, pt, run_for, settle};

/// An engine whose orders sleep after a minute idle.
async fn engine() -> Engine {
    let config = EngineConfig {
        passivate_after: Some(Duration::from_mins(1)),
        ..EngineConfig::default()
    };
    Engine::start(
        Arc::new(MemoryStore::default()),
        Clock::starting_at(Seconds(0)),
        config,
    )
    .await
    .expect("starts")
}

async fn place(engine: &Engine, id: u64) {
    engine
        .place_order(order(id, 1, pt(0.0), pt(3_200.0)))
        .await
        .expect("valid");
}

#[tokio::test(start_paused = true)]
async fn an_idle_order_sleeps_and_its_next_command_wakes_it() {
    let engine = engine().await;
    place(&engine, 1).await;
    let authorised = engine
        .command(OrderId(1), OrderCommand::AuthorisePayment)
        .await
        .expect("legal");
    run_for(30).await;
    assert_eq!(
        (engine.live_orders(), engine.sleeping_orders()),
        (1, 0),
        "not yet"
    );
    run_for(70).await;
    assert_eq!(
        (engine.live_orders(), engine.sleeping_orders()),
        (0, 1),
        "asleep"
    );
    assert_eq!(
        engine.orders_in(OrderStatus::PaymentAuthorised),
        1,
        "still counted as a live order"
    );
    // A repeat is refused exactly as the awake order refused it...
    let repeat = engine
        .command(OrderId(1), OrderCommand::AuthorisePayment)
        .await;
    assert!(repeat.is_err(), "{repeat:?}");
    // ... and the next step applies on top of the whole history.
    let sent = engine
        .command(OrderId(1), OrderCommand::SendToChef)
        .await
        .expect("woken");
    assert_eq!(sent.version, authorised.version + 1);
    assert_eq!(sent.status, OrderStatus::SentToChef);
    assert_eq!(
        (engine.live_orders(), engine.sleeping_orders()),
        (1, 0),
        "awake"
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_chefs_deadline_reaches_a_sleeping_order() {
    let engine = engine().await;
    open_kitchen(&engine, 1, pt(0.0), Seconds::from_minutes(20)).await;
    place(&engine, 1).await;
    for cmd in [OrderCommand::AuthorisePayment, OrderCommand::SendToChef] {
        engine.command(OrderId(1), cmd).await.expect("legal");
    }
    run_for(5 * 60).await;
    assert_eq!(engine.sleeping_orders(), 1, "asleep while the chef thinks");
    run_for(15 * 60).await;
    settle().await;
    let view = engine.view(OrderId(1)).await.expect("stored");
    assert_eq!(view.status, OrderStatus::Rejected, "rejected for no answer");
    assert_eq!(view.updated_at, Seconds::from_minutes(20));
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_sleeping_order_waiting_for_a_courier_is_still_assigned() {
    let engine = engine().await;
    open_kitchen(&engine, 1, pt(0.0), Seconds(180)).await;
    courier_online(&engine, 1, pt(3_200.0)).await;
    let app = engine.courier_feed(CourierId(1));
    place(&engine, 1).await;
    for cmd in [OrderCommand::AuthorisePayment, OrderCommand::SendToChef] {
        engine.command(OrderId(1), cmd).await.expect("legal");
    }
    settle().await;
    // Ready in 30 minutes: the courier is sent for it only around minute 13.
    engine
        .accept_order(RestaurantId(1), OrderId(1), Seconds::from_minutes(30))
        .await
        .expect("awaiting");
    run_for(5 * 60).await;
    assert_eq!(
        engine.sleeping_orders(),
        1,
        "asleep in the dispatcher's book"
    );
    let offer = loop {
        if let Some(Ok(Update::Courier(CourierUpdate::Offered(offer)))) = app.try_recv() {
            break offer;
        }
        run_for(10).await;
        assert!(
            engine.clock().now() < Seconds::from_minutes(30),
            "never offered"
        );
    };
    engine
        .answer_offer(CourierId(1), offer.id, OfferAnswer::Accepted)
        .await
        .expect("held");
    run_for(1).await;
    assert_eq!(
        engine.view(OrderId(1)).await.unwrap().courier,
        Some(CourierId(1)),
        "the assignment woke the order"
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_rebuilt_kitchen_hears_again_of_sleeping_orders() {
    let engine = engine().await;
    open_kitchen(&engine, 1, pt(0.0), Seconds::from_minutes(30)).await;
    for id in [1, 2] {
        place(&engine, id).await;
        for cmd in [OrderCommand::AuthorisePayment, OrderCommand::SendToChef] {
            engine.command(OrderId(id), cmd).await.expect("legal");
        }
    }
    settle().await;
    engine
        .accept_order(RestaurantId(1), OrderId(2), Seconds::from_minutes(40))
        .await
        .expect("awaiting");
    run_for(5 * 60).await;
    assert_eq!(engine.sleeping_orders(), 2);
    let kitchen = engine.kitchen_actor(RestaurantId(1)).unwrap();
    kitchen.cast(KitchenMsg::Crash).unwrap();
    for _ in 0..100 {
        settle().await;
    }
    let queue = engine
        .kitchen_queue(RestaurantId(1))
        .await
        .expect("rebuilt");
    assert_eq!(queue.awaiting.len(), 1);
    assert_eq!(queue.awaiting[0].0, OrderId(1));
    assert_eq!(queue.cooking, vec![(OrderId(2), Seconds::from_minutes(40))]);
    assert_eq!(engine.sleeping_orders(), 2, "told without being woken");
    let rejected = engine
        .reject_order(RestaurantId(1), OrderId(1), None)
        .await
        .expect("awaiting");
    assert_eq!(rejected.status, OrderStatus::Rejected);
    engine.shutdown().await;
}
