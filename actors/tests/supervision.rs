//! Courier, kitchen and dispatcher actors under their supervisors, on paused
//! time: each kind made to fail (a store failure, a poison message) restarts
//! and rebuilds what it lost from the read model and from the orders; a
//! poison message repeated past the restart intensity gives that actor up
//! instead of looping, and too many failures overall escalate.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use foodiefast_actors::clock::Clock;
use foodiefast_actors::couriers::CourierMsg;
use foodiefast_actors::dispatch::DispatcherMsg;
use foodiefast_actors::domain::courier::{CourierStatus, OfferAnswer};
use foodiefast_actors::domain::order::{OrderCommand, OrderStatus};
use foodiefast_actors::kitchens::KitchenMsg;
use foodiefast_actors::supervision::RestartPolicy;
use foodiefast_actors::tracking::{CourierUpdate, Update};
use foodiefast_actors::zoning::Zone;
use foodiefast_actors::{Engine, EngineConfig, EngineError};
use foodiefast_geo::{CourierId, OrderId, RestaurantId, Seconds};
use support::faulty_store::FaultyStore;
use support::{courier_online, open_kitchen, order, pt, run_for, settle};

async fn engine_with(store: Arc<FaultyStore>, policy: RestartPolicy) -> Engine {
    let config = EngineConfig {
        restart_policy: policy,
        ..EngineConfig::default()
    };
    Engine::start(store, Clock::starting_at(Seconds(0)), config)
        .await
        .expect("starts")
}

fn lenient() -> RestartPolicy {
    RestartPolicy::default()
}

/// At most `per_child` restarts of one actor and `overall` of all within 10 s.
fn strict(per_child: usize, overall: usize) -> RestartPolicy {
    RestartPolicy {
        max_restarts: per_child,
        max_restarts_total: overall,
        window: Duration::from_secs(10),
    }
}

/// Places order `id` (kitchen 1 at the origin) and sends it to the chef.
async fn send_to_chef(engine: &Engine, id: u64) {
    engine
        .place_order(order(id, 1, pt(0.0), pt(3_200.0)))
        .await
        .expect("valid");
    for cmd in [OrderCommand::AuthorisePayment, OrderCommand::SendToChef] {
        engine.command(OrderId(id), cmd).await.expect("legal");
    }
}

/// Waits (without moving time) until `actor` is a new one.
async fn replaced<M>(old: &ractor::ActorRef<M>, now: impl Fn() -> Option<ractor::ActorRef<M>>) {
    for _ in 0..500 {
        if now().is_some_and(|a| a.get_id() != old.get_id()) {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("never restarted");
}

#[tokio::test(start_paused = true)]
async fn a_courier_failing_mid_trip_is_rebuilt_from_its_read_model_and_keeps_its_orders() {
    let store = Arc::new(FaultyStore::default());
    let engine = engine_with(store.clone(), lenient()).await;
    open_kitchen(&engine, 1, pt(0.0), Seconds(180)).await;
    courier_online(&engine, 1, pt(300.0)).await;
    send_to_chef(&engine, 1).await;
    settle().await;
    engine
        .accept_order(RestaurantId(1), OrderId(1), Seconds::from_minutes(3))
        .await
        .expect("awaiting");
    run_for(2).await;
    let feed = engine.courier_feed(CourierId(1));
    assert_eq!(
        engine.courier_status(CourierId(1)).await.unwrap(),
        CourierStatus::Offered
    );
    engine
        .answer_offer(CourierId(1), 1, OfferAnswer::Accepted)
        .await
        .expect("held");
    run_for(1).await;
    assert_eq!(
        engine.view(OrderId(1)).await.unwrap().courier,
        Some(CourierId(1))
    );
    // Recording the arrival fails: the courier actor fails and is rebuilt
    // from what was recorded (heading to pickup) and the trip it carries.
    let before = engine.courier_actor(CourierId(1)).expect("online");
    store.fail_courier_puts.store(1, Ordering::SeqCst);
    let failed = engine.courier_arrived(CourierId(1)).await;
    assert!(failed.is_err(), "{failed:?}");
    replaced(&before, || engine.courier_actor(CourierId(1))).await;
    assert_eq!(
        engine.courier_status(CourierId(1)).await.unwrap(),
        CourierStatus::HeadingToPickup
    );
    // The trip goes on: the retry succeeds, and so does the pickup.
    engine.courier_arrived(CourierId(1)).await.expect("retry");
    engine
        .mark_ready(RestaurantId(1), OrderId(1))
        .await
        .expect("cooking");
    let picked = engine
        .courier_picked_up(CourierId(1))
        .await
        .expect("carried");
    assert_eq!(picked[0].status, OrderStatus::PickedUp);
    drop(feed);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_idle_courier_rebuilt_after_a_failure_is_heard_again_by_its_dispatcher() {
    let store = Arc::new(FaultyStore::default());
    let engine = engine_with(store, lenient()).await;
    courier_online(&engine, 1, pt(300.0)).await;
    let before = engine.courier_actor(CourierId(1)).unwrap();
    before.cast(CourierMsg::Crash).unwrap();
    replaced(&before, || engine.courier_actor(CourierId(1))).await;
    settle().await;
    assert_eq!(
        engine.courier_status(CourierId(1)).await.unwrap(),
        CourierStatus::Idle
    );
    // Its dispatcher offers it the next order.
    open_kitchen(&engine, 1, pt(0.0), Seconds(180)).await;
    send_to_chef(&engine, 1).await;
    settle().await;
    engine
        .accept_order(RestaurantId(1), OrderId(1), Seconds::from_minutes(3))
        .await
        .expect("awaiting");
    run_for(2).await;
    assert_eq!(
        engine.courier_status(CourierId(1)).await.unwrap(),
        CourierStatus::Offered
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_kitchen_rebuilt_after_a_failure_has_its_door_and_queue_back() {
    let store = Arc::new(FaultyStore::default());
    let engine = engine_with(store, lenient()).await;
    open_kitchen(&engine, 1, pt(0.0), Seconds(180)).await;
    send_to_chef(&engine, 1).await;
    send_to_chef(&engine, 2).await;
    settle().await;
    engine
        .accept_order(RestaurantId(1), OrderId(2), Seconds(900))
        .await
        .expect("awaiting");
    engine
        .set_kitchen_busy(RestaurantId(1), Some(Seconds(600)))
        .await
        .unwrap();
    let before = engine.kitchen_actor(RestaurantId(1)).unwrap();
    before.cast(KitchenMsg::Crash).unwrap();
    replaced(&before, || engine.kitchen_actor(RestaurantId(1))).await;
    settle().await;
    let queue = engine.kitchen_queue(RestaurantId(1)).await.unwrap();
    assert!(queue.open && queue.busy, "as the chef left it");
    assert_eq!(queue.awaiting.len(), 1, "order 1 still waits for the chef");
    assert_eq!(queue.awaiting[0].0, OrderId(1));
    assert_eq!(queue.cooking, vec![(OrderId(2), Seconds(900))]);
    // The chef carries on where it was.
    let ready = engine.mark_ready(RestaurantId(1), OrderId(2)).await;
    assert_eq!(ready.expect("cooking").status, OrderStatus::Ready);
    let accepted = engine
        .accept_order(RestaurantId(1), OrderId(1), Seconds(1_200))
        .await;
    assert_eq!(accepted.expect("awaiting").status, OrderStatus::Preparing);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_dispatcher_rebuilt_after_a_failure_gets_its_orders_and_couriers_back() {
    let store = Arc::new(FaultyStore::default());
    let engine = engine_with(store, lenient()).await;
    open_kitchen(&engine, 1, pt(0.0), Seconds(180)).await;
    courier_online(&engine, 1, pt(300.0)).await;
    let feed = engine.courier_feed(CourierId(1));
    send_to_chef(&engine, 1).await;
    settle().await;
    engine
        .accept_order(RestaurantId(1), OrderId(1), Seconds::from_minutes(3))
        .await
        .expect("awaiting");
    run_for(2).await;
    let Some(Ok(Update::Courier(CourierUpdate::Offered(first)))) = feed.try_recv() else {
        panic!("offered");
    };
    // The dispatcher fails while its offer is out: the new one never made
    // it, so the courier drops it, and both come back to the new book.
    let before = engine.dispatcher_actor(Zone::City).unwrap();
    before.cast(DispatcherMsg::Crash).unwrap();
    replaced(&before, || engine.dispatcher_actor(Zone::City)).await;
    settle().await;
    assert_eq!(
        feed.try_recv(),
        Some(Ok(Update::Courier(CourierUpdate::OfferEnded {
            offer: first.id,
            answer: OfferAnswer::TimedOut
        })))
    );
    run_for(11).await;
    let Some(Ok(Update::Courier(CourierUpdate::Offered(again)))) = feed.try_recv() else {
        panic!("offered again by the rebuilt dispatcher");
    };
    assert_eq!(again.orders, vec![OrderId(1)]);
    engine
        .answer_offer(CourierId(1), again.id, OfferAnswer::Accepted)
        .await
        .expect("held");
    run_for(1).await;
    assert_eq!(
        engine.view(OrderId(1)).await.unwrap().courier,
        Some(CourierId(1))
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_poison_message_repeated_past_the_intensity_gives_the_actor_up() {
    let store = Arc::new(FaultyStore::default());
    let engine = engine_with(store, strict(2, 100)).await;
    open_kitchen(&engine, 1, pt(0.0), Seconds(180)).await;
    open_kitchen(&engine, 2, pt(0.0), Seconds(180)).await;
    for _ in 0..2 {
        let before = engine.kitchen_actor(RestaurantId(1)).unwrap();
        before.cast(KitchenMsg::Crash).unwrap();
        replaced(&before, || engine.kitchen_actor(RestaurantId(1))).await;
    }
    // The third failure within the window: no more restarts.
    engine
        .kitchen_actor(RestaurantId(1))
        .unwrap()
        .cast(KitchenMsg::Crash)
        .unwrap();
    settle().await;
    assert!(
        engine.kitchen_actor(RestaurantId(1)).is_none(),
        "given up on"
    );
    assert!(matches!(
        engine.kitchen_queue(RestaurantId(1)).await,
        Err(EngineError::KitchenNotOpen(RestaurantId(1)))
    ));
    assert!(engine.is_healthy(), "the others carry on");
    assert!(engine.kitchen_queue(RestaurantId(2)).await.unwrap().open);
    // Opening it again on purpose starts it afresh.
    open_kitchen(&engine, 1, pt(0.0), Seconds(180)).await;
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn too_many_failures_overall_escalate() {
    let store = Arc::new(FaultyStore::default());
    let engine = engine_with(store, strict(5, 2)).await;
    for id in 1..=3 {
        courier_online(&engine, id, pt(100.0)).await;
    }
    for id in 1..=3 {
        engine
            .courier_actor(CourierId(id))
            .unwrap()
            .cast(CourierMsg::Crash)
            .unwrap();
        settle().await;
    }
    assert!(!engine.is_healthy(), "the courier supervisor escalated");
}
