//! A zone dispatcher with real order and courier actors, on paused time:
//! an accepted order is offered to a courier when it is time to leave, an
//! accepted offer becomes the order's assignment, and an offer nobody
//! answers goes to another courier.

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
use foodiefast_actors::dispatch::DispatcherMsg;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::courier::{CourierStatus, OfferAnswer};
use foodiefast_actors::domain::order::{OrderCommand, OrderDetails, OrderLine, OrderStatus};
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_geo::order::Order;
use foodiefast_geo::{CourierId, OrderId, RestaurantId, Seconds};
use ractor::ActorRef;
use support::{ask, pt, run_for, start_courier, start_dispatcher, start_engine};

struct Zone {
    engine: Engine,
    dispatcher: ActorRef<DispatcherMsg>,
    couriers: Vec<ActorRef<CourierMsg>>,
}

/// An engine, a dispatcher ticking every 10 s, and couriers online at `positions`.
async fn zone(positions: &[f64]) -> Zone {
    let store = Arc::new(MemoryStore::default());
    let engine = start_engine(store.clone()).await;
    let (dispatcher, directory, notices) = start_dispatcher(&engine).await;
    let mut couriers = Vec::new();
    for (i, &x) in positions.iter().enumerate() {
        let id = CourierId(i as u64 + 1);
        couriers
            .push(start_courier(id, x, &engine, store.clone(), &directory, notices.clone()).await);
    }
    Zone {
        engine,
        dispatcher,
        couriers,
    }
}

/// Places order 1 at a restaurant at the origin and has the kitchen accept it, ready at `ready`.
async fn accepted_order(z: &Zone, ready: Seconds) -> Order {
    let details = OrderDetails {
        id: OrderId(1),
        customer: CustomerId(1),
        kitchen: RestaurantId(1),
        pickup: pt(0.0),
        drop_off: pt(3_200.0),
        lines: vec![OrderLine {
            item: "pho".into(),
            quantity: 1,
            unit_price_cents: 1_200,
        }],
        total_cents: 1_200,
        placed_at: Seconds(0),
    };
    z.engine.place_order(details).await.expect("valid");
    for cmd in [
        OrderCommand::AuthorisePayment,
        OrderCommand::SendToChef,
        OrderCommand::Accept { ready_at: ready },
    ] {
        z.engine.command(OrderId(1), cmd).await.expect("legal");
    }
    Order {
        id: OrderId(1),
        restaurant: RestaurantId(1),
        pickup: pt(0.0),
        drop_off: pt(3_200.0),
        placed_at: Seconds(0),
        ready_at: ready,
    }
}

async fn status_of(courier: &ActorRef<CourierMsg>) -> CourierStatus {
    ask(courier, CourierMsg::Status).await
}

async fn answer(courier: &ActorRef<CourierMsg>, offer: u64, answer: OfferAnswer) {
    let _ = courier
        .call(
            |reply| CourierMsg::Answer {
                offer,
                answer,
                reply,
            },
            None,
        )
        .await;
}

#[tokio::test(start_paused = true)]
async fn an_accepted_offer_becomes_the_orders_assignment_when_it_is_time_to_leave() {
    // Courier 1 is 10 minutes from the restaurant; the food is ready at minute 20.
    let z = zone(&[3_200.0]).await;
    let order = accepted_order(&z, Seconds::from_minutes(20)).await;
    z.dispatcher
        .cast(DispatcherMsg::OrderNeedsCourier(order))
        .expect("delivered");
    run_for(60).await;
    assert_eq!(
        status_of(&z.couriers[0]).await,
        CourierStatus::Idle,
        "no offer while it need not leave"
    );
    // It must set off at minute 8 (pickup at 20, 2 minutes' half service, 10
    // minutes' ride); offers go out five minutes ahead: from minute 3, at the
    // first 10-second tick.
    let mut waited = 60;
    while status_of(&z.couriers[0]).await != CourierStatus::Offered {
        run_for(1).await;
        waited += 1;
        assert!(waited <= 300, "never offered");
    }
    assert!((180..=191).contains(&waited), "offered at second {waited}");
    answer(&z.couriers[0], 1, OfferAnswer::Accepted).await;
    run_for(2).await;
    let view = z.engine.view(OrderId(1)).await.expect("stored");
    assert_eq!(view.courier, Some(CourierId(1)));
    assert_eq!(view.status, OrderStatus::Accepted);
    assert_eq!(view.pickup_eta, Some(Seconds::from_minutes(20)));
    let why = ask(&z.dispatcher, |r| DispatcherMsg::Explain(OrderId(1), r))
        .await
        .expect("a decision");
    assert_eq!(why.chosen.courier, CourierId(1));
    assert!(why.why.contains("only candidate"), "{}", why.why);
}

#[tokio::test(start_paused = true)]
async fn an_offer_nobody_answers_goes_to_another_courier() {
    let z = zone(&[500.0, 3_000.0]).await;
    let order = accepted_order(&z, Seconds::from_minutes(5)).await;
    z.dispatcher
        .cast(DispatcherMsg::OrderNeedsCourier(order))
        .expect("delivered");
    run_for(2).await;
    assert_eq!(
        status_of(&z.couriers[0]).await,
        CourierStatus::Offered,
        "the nearer courier first"
    );
    // Courier 1 never answers; after 30 s its offer lapses and the next round offers courier 2.
    run_for(45).await;
    assert_eq!(status_of(&z.couriers[0]).await, CourierStatus::Idle);
    assert_eq!(status_of(&z.couriers[1]).await, CourierStatus::Offered);
    answer(&z.couriers[1], 2, OfferAnswer::Accepted).await;
    run_for(2).await;
    assert_eq!(
        z.engine.view(OrderId(1)).await.expect("stored").courier,
        Some(CourierId(2))
    );
}
