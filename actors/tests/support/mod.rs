//! What the actor tests share: asking an actor and waiting for its answer,
//! letting paused time run, and a small city run by one engine (kitchens
//! opened, couriers online, all through the engine's API). Each test binary
//! uses a part of it.

#![allow(dead_code, clippy::expect_used, clippy::panic, clippy::unwrap_used)]

pub(crate) mod faulty_store;

use std::sync::Arc;
use std::time::Duration;

use foodiefast_actors::clock::Clock;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::{OrderDetails, OrderLine};
use foodiefast_actors::kitchens::KitchenSettings;
use foodiefast_actors::store::{CourierStore, DecisionStore, OrderStore};
use foodiefast_actors::{Engine, EngineConfig};
use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds};
use ractor::rpc::CallResult;
use ractor::{ActorRef, Message, RpcReplyPort};

/// A point `x` metres east of the origin.
pub(crate) fn pt(x: f64) -> Point {
    Point::new(x, 0.0).expect("valid")
}

/// Sends `actor` a request and waits for its answer.
pub(crate) async fn ask<M: Message, T: Send + 'static>(
    actor: &ActorRef<M>,
    msg: impl FnOnce(RpcReplyPort<T>) -> M,
) -> T {
    match actor.call(msg, None).await.expect("delivered") {
        CallResult::Success(v) => v,
        CallResult::Timeout | CallResult::SenderError => panic!("no answer"),
    }
}

/// Lets the actors run for `secs` seconds of (paused) engine time.
pub(crate) async fn run_for(secs: u64) {
    for _ in 0..secs {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Lets the actors run without moving time.
pub(crate) async fn settle() {
    for _ in 0..500 {
        tokio::task::yield_now().await;
    }
}

/// The MDRP's service times: four minutes at the restaurant and at the door.
pub(crate) fn service() -> ServiceTimes {
    ServiceTimes::new(Seconds::from_minutes(4), Seconds::from_minutes(4)).expect("valid")
}

/// An engine on `store`, starting at second 0, one zone, rounds every 10 s
/// on straight lines at 320 m/min.
pub(crate) async fn start_engine<S: OrderStore + CourierStore + DecisionStore>(
    store: Arc<S>,
) -> Engine {
    Engine::start(
        store,
        Clock::starting_at(Seconds(0)),
        EngineConfig::default(),
    )
    .await
    .expect("starts")
}

/// Opens kitchen `id` at `at`; the chef has `answer_within` to answer.
pub(crate) async fn open_kitchen(engine: &Engine, id: u64, at: Point, answer_within: Seconds) {
    let queue = engine
        .open_kitchen(
            RestaurantId(id),
            KitchenSettings {
                position: at,
                answer_within,
            },
        )
        .await
        .expect("opens");
    assert!(queue.open);
}

/// Courier `id` online at `at` until hour 10.
pub(crate) async fn courier_online(engine: &Engine, id: u64, at: Point) {
    engine
        .courier_online(CourierId(id), at, Seconds(36_000))
        .await
        .expect("goes online");
}

/// Order `id` from kitchen `kitchen` picked up at `pickup`, dropped off at `drop_off`.
pub(crate) fn order(id: u64, kitchen: u64, pickup: Point, drop_off: Point) -> OrderDetails {
    OrderDetails {
        id: OrderId(id),
        customer: CustomerId(id),
        kitchen: RestaurantId(kitchen),
        pickup,
        drop_off,
        lines: vec![OrderLine {
            item: "pho".into(),
            quantity: 1,
            unit_price_cents: 1_200,
        }],
        total_cents: 1_200,
        placed_at: Seconds(0),
    }
}
