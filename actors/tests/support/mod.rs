//! What the actor tests share: asking an actor and waiting for its answer,
//! letting paused time run, and a small city's wiring (a zone dispatcher
//! and couriers online). Each test binary uses a part of it.

#![allow(dead_code, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use foodiefast_actors::Engine;
use foodiefast_actors::clock::Clock;
use foodiefast_actors::couriers::{CourierActor, CourierArgs, CourierMsg, CourierNotice};
use foodiefast_actors::dispatch::{
    CourierDirectory, DispatchBook, DispatchParams, DispatcherActor, DispatcherArgs, DispatcherMsg,
};
use foodiefast_actors::store::CourierStore;
use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{CourierId, Point, Seconds, StraightLine};
use ractor::rpc::CallResult;
use ractor::{Actor, ActorRef, Message, RpcReplyPort};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

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

/// The MDRP's service times: four minutes at the restaurant and at the door.
pub(crate) fn service() -> ServiceTimes {
    ServiceTimes::new(Seconds::from_minutes(4), Seconds::from_minutes(4)).expect("valid")
}

/// A zone dispatcher for `engine` (straight lines at 320 m/min, rounds every
/// 10 s), the directory it finds couriers in, and the channel couriers report on.
pub(crate) async fn start_dispatcher(
    engine: &Engine,
) -> (
    ActorRef<DispatcherMsg>,
    Arc<CourierDirectory>,
    UnboundedSender<CourierNotice>,
) {
    let couriers = Arc::new(CourierDirectory::default());
    let (tx, rx) = unbounded_channel();
    let book = DispatchBook::new(
        StraightLine::new(320.0).expect("valid"),
        DispatchParams::new(service()),
    )
    .expect("valid");
    let args = DispatcherArgs {
        book,
        router: engine.router().clone(),
        couriers: couriers.clone(),
        notices: rx,
        clock: engine.clock(),
        period: Duration::from_secs(10),
    };
    let (dispatcher, _) = Actor::spawn(None, DispatcherActor::<StraightLine>::new(), args)
        .await
        .expect("spawns");
    (dispatcher, couriers, tx)
}

/// Courier `id`, online `x` metres east of the origin, known to `directory`.
pub(crate) async fn start_courier(
    id: CourierId,
    x: f64,
    engine: &Engine,
    store: Arc<dyn CourierStore>,
    directory: &CourierDirectory,
    notices: UnboundedSender<CourierNotice>,
) -> ActorRef<CourierMsg> {
    let args = CourierArgs {
        id,
        store,
        hub: engine.hub().clone(),
        clock: engine.clock(),
        notices,
    };
    let (courier, _) = Actor::spawn(None, CourierActor, args)
        .await
        .expect("spawns");
    directory.insert(id, courier.clone());
    let online = ask(&courier, |reply| CourierMsg::GoOnline {
        at: pt(x),
        shift_end: Seconds(36_000),
        reply,
    })
    .await;
    assert_eq!(online, Ok(()));
    courier
}

/// An engine on `store`, starting at second 0.
pub(crate) async fn start_engine(store: Arc<dyn foodiefast_actors::store::OrderStore>) -> Engine {
    Engine::start(
        store,
        Clock::starting_at(Seconds(0)),
        foodiefast_actors::EngineConfig::default(),
    )
    .await
    .expect("starts")
}
