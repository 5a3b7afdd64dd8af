//! One order through the whole engine on paused time, every actor real:
//! the kitchen hears of it, the chef accepts, the dispatcher offers it to a
//! courier when it is time to leave, the courier accepts, picks up and
//! delivers. Then a restart: an order waiting for its chef is put back in
//! front of the kitchen by itself.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::time::Duration;

use foodiefast_actors::clock::Clock;
use foodiefast_actors::couriers::{CourierActor, CourierArgs, CourierMsg};
use foodiefast_actors::directory::Directory;
use foodiefast_actors::dispatch::{DispatchBook, DispatchParams, DispatcherActor, DispatcherArgs};
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::courier::{CourierStatus, OfferAnswer};
use foodiefast_actors::domain::order::{OrderCommand, OrderDetails, OrderLine, OrderStatus};
use foodiefast_actors::kitchens::{KitchenActor, KitchenArgs, KitchenMsg};
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_actors::reactions::ActorWiring;
use foodiefast_actors::{Engine, EngineConfig};
use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds, StraightLine};
use ractor::rpc::CallResult;
use ractor::{Actor, ActorRef, RpcReplyPort};
use tokio::sync::mpsc::unbounded_channel;

fn pt(x: f64) -> Point {
    Point::new(x, 0.0).expect("valid")
}

struct City {
    engine: Engine,
    kitchen: ActorRef<KitchenMsg>,
    courier: ActorRef<CourierMsg>,
}

async fn ask<M: ractor::Message, T: Send + 'static>(
    actor: &ActorRef<M>,
    msg: impl FnOnce(RpcReplyPort<T>) -> M,
) -> T {
    match actor.call(msg, None).await.expect("delivered") {
        CallResult::Success(v) => v,
        CallResult::Timeout | CallResult::SenderError => panic!("no answer"),
    }
}

/// An engine on `store` with one kitchen (at the origin, open) and one courier
/// (online 3.2 km away: a 10-minute ride), wired together.
async fn city(store: Arc<MemoryStore>) -> City {
    let clock = Clock::starting_at(Seconds(0));
    let engine = Engine::start(store.clone(), clock, EngineConfig::default())
        .await
        .expect("starts");
    let kitchens = Arc::new(Directory::default());
    let couriers = Arc::new(Directory::default());
    let (tx, rx) = unbounded_channel();
    let service =
        ServiceTimes::new(Seconds::from_minutes(4), Seconds::from_minutes(4)).expect("valid");
    let book = DispatchBook::new(
        StraightLine::new(320.0).expect("valid"),
        DispatchParams::new(service),
    )
    .expect("valid");
    let (dispatcher, _) = Actor::spawn(
        None,
        DispatcherActor::<StraightLine>::new(),
        DispatcherArgs {
            book,
            router: engine.router().clone(),
            couriers: couriers.clone(),
            notices: rx,
            clock,
            period: Duration::from_secs(10),
        },
    )
    .await
    .expect("spawns");
    let kitchen_args = KitchenArgs {
        id: RestaurantId(1),
        router: engine.router().clone(),
        clock,
        answer_within: Seconds(180),
    };
    let (kitchen, _) = Actor::spawn(None, KitchenActor, kitchen_args)
        .await
        .expect("spawns");
    ask(&kitchen, KitchenMsg::Open).await;
    kitchens.insert(RestaurantId(1), kitchen.clone());
    let courier_args = CourierArgs {
        id: CourierId(1),
        store: store.clone(),
        hub: engine.hub().clone(),
        clock,
        notices: tx,
    };
    let (courier, _) = Actor::spawn(None, CourierActor, courier_args)
        .await
        .expect("spawns");
    couriers.insert(CourierId(1), courier.clone());
    let online = ask(&courier, |reply| CourierMsg::GoOnline {
        at: pt(3_200.0),
        shift_end: Seconds(36_000),
        reply,
    })
    .await;
    assert_eq!(online, Ok(()));
    assert!(engine.connect(Arc::new(ActorWiring {
        kitchens,
        couriers,
        dispatcher
    })));
    City {
        engine,
        kitchen,
        courier,
    }
}

fn order() -> OrderDetails {
    OrderDetails {
        id: OrderId(1),
        customer: CustomerId(1),
        kitchen: RestaurantId(1),
        pickup: pt(0.0),
        drop_off: pt(-3_200.0),
        lines: vec![OrderLine {
            item: "biryani".into(),
            quantity: 1,
            unit_price_cents: 1_400,
        }],
        total_cents: 1_400,
        placed_at: Seconds(0),
    }
}

async fn settle(secs: u64) {
    for _ in 0..secs {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::test(start_paused = true)]
async fn an_order_goes_from_click_to_door_through_every_actor() {
    let c = city(Arc::new(MemoryStore::default())).await;
    c.engine.place_order(order()).await.expect("valid");
    c.engine
        .command(OrderId(1), OrderCommand::AuthorisePayment)
        .await
        .expect("legal");
    c.engine
        .command(OrderId(1), OrderCommand::SendToChef)
        .await
        .expect("legal");
    settle(1).await;
    // The chef's tablet shows the order; the chef accepts: ready in 20 minutes.
    let accepted = ask(&c.kitchen, |reply| KitchenMsg::Accept {
        order: OrderId(1),
        ready_at: Seconds::from_minutes(20),
        reply,
    })
    .await;
    assert_eq!(accepted.expect("awaiting").status, OrderStatus::Preparing);
    // The courier must set off at minute 8; it is offered the order five minutes ahead.
    let mut offered_at = None;
    for second in 0..600 {
        if ask(&c.courier, CourierMsg::Status).await == CourierStatus::Offered {
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
    let yes = ask(&c.courier, |reply| CourierMsg::Answer {
        offer: 1,
        answer: OfferAnswer::Accepted,
        reply,
    })
    .await;
    assert_eq!(yes, Ok(()));
    settle(1).await;
    let view = c.engine.view(OrderId(1)).await.expect("stored");
    assert_eq!(view.courier, Some(CourierId(1)));
    assert_eq!(view.pickup_eta, Some(Seconds::from_minutes(20)));
    // Food ready at minute 20; the courier picks it up and delivers.
    settle(20 * 60 - offered_at - 2).await;
    let ready = ask(&c.kitchen, |reply| KitchenMsg::MarkReady {
        order: OrderId(1),
        reply,
    })
    .await;
    assert_eq!(ready.expect("cooking").status, OrderStatus::Ready);
    assert_eq!(ask(&c.courier, CourierMsg::Arrived).await, Ok(()));
    assert_eq!(ask(&c.courier, CourierMsg::PickedUp).await, Ok(()));
    c.engine
        .command(
            OrderId(1),
            OrderCommand::PickUp {
                courier: CourierId(1),
            },
        )
        .await
        .expect("legal");
    settle(12 * 60).await;
    assert_eq!(
        ask(&c.courier, |reply| CourierMsg::Delivered {
            order: OrderId(1),
            reply
        })
        .await,
        Ok(())
    );
    let done = c
        .engine
        .command(
            OrderId(1),
            OrderCommand::Deliver {
                courier: CourierId(1),
            },
        )
        .await
        .expect("legal");
    assert_eq!(done.status, OrderStatus::Delivered);
    assert_eq!(
        ask(&c.courier, CourierMsg::Status).await,
        CourierStatus::Idle
    );
}

#[tokio::test(start_paused = true)]
async fn after_a_restart_an_order_waiting_for_its_chef_is_shown_to_the_kitchen_again() {
    let store = Arc::new(MemoryStore::default());
    {
        let c = city(store.clone()).await;
        c.engine.place_order(order()).await.expect("valid");
        c.engine
            .command(OrderId(1), OrderCommand::AuthorisePayment)
            .await
            .expect("legal");
        c.engine
            .command(OrderId(1), OrderCommand::SendToChef)
            .await
            .expect("legal");
        c.engine.shutdown().await;
    }
    // A new process: the kitchen starts with an empty queue, yet the rebuilt
    // order reaches it, so the chef can answer.
    let c = city(store.clone()).await;
    settle(1).await;
    let accepted = ask(&c.kitchen, |reply| KitchenMsg::Accept {
        order: OrderId(1),
        ready_at: Seconds::from_minutes(30),
        reply,
    })
    .await;
    assert_eq!(
        accepted.expect("shown to the kitchen again").status,
        OrderStatus::Preparing
    );
}
