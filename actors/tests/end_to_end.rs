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

mod support;

use std::sync::Arc;

use foodiefast_actors::Engine;
use foodiefast_actors::couriers::CourierMsg;
use foodiefast_actors::directory::Directory;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::courier::{CourierStatus, OfferAnswer};
use foodiefast_actors::domain::order::{OrderCommand, OrderDetails, OrderLine, OrderStatus};
use foodiefast_actors::kitchens::{KitchenActor, KitchenArgs, KitchenMsg};
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_actors::reactions::ActorWiring;
use foodiefast_geo::{CourierId, OrderId, RestaurantId, Seconds};
use ractor::{Actor, ActorRef};
use support::{ask, pt, run_for as settle, start_courier, start_dispatcher, start_engine};

struct City {
    engine: Engine,
    kitchen: ActorRef<KitchenMsg>,
    courier: ActorRef<CourierMsg>,
}

/// An engine on `store` with one kitchen (at the origin, open) and one courier
/// (online 3.2 km away: a 10-minute ride), wired together.
async fn city(store: Arc<MemoryStore>) -> City {
    let engine = start_engine(store.clone()).await;
    let (dispatcher, couriers, notices) = start_dispatcher(&engine).await;
    let kitchens = Arc::new(Directory::default());
    let kitchen_args = KitchenArgs {
        id: RestaurantId(1),
        router: engine.router().clone(),
        clock: engine.clock(),
        answer_within: Seconds(180),
    };
    let (kitchen, _) = Actor::spawn(None, KitchenActor, kitchen_args)
        .await
        .expect("spawns");
    ask(&kitchen, KitchenMsg::Open).await;
    kitchens.insert(RestaurantId(1), kitchen.clone());
    let courier = start_courier(CourierId(1), 3_200.0, &engine, store, &couriers, notices).await;
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

/// Places the order, has its payment authorised and sends it to the chef.
async fn place_and_send_to_chef(engine: &Engine) {
    engine.place_order(order()).await.expect("valid");
    for cmd in [OrderCommand::AuthorisePayment, OrderCommand::SendToChef] {
        engine.command(OrderId(1), cmd).await.expect("legal");
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

#[tokio::test(start_paused = true)]
async fn an_order_goes_from_click_to_door_through_every_actor() {
    let c = city(Arc::new(MemoryStore::default())).await;
    place_and_send_to_chef(&c.engine).await;
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
        place_and_send_to_chef(&c.engine).await;
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
