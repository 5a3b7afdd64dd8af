//! Order actors under supervision: commands acknowledged only once durable,
//! failures rebuilt from the log, poison orders quarantined, and every
//! unfinished order recovered when the engine restarts on the same store.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use foodiefast_actors::clock::Clock;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::{
    CancelReason, OrderCommand, OrderDetails, OrderError, OrderEvent, OrderLine, OrderStatus,
};
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_actors::store::{CourierStore, DecisionStore, OrderStore};
use foodiefast_actors::supervision::RestartPolicy;
use foodiefast_actors::tracking::{Topic, Update};
use foodiefast_actors::{Engine, EngineConfig, EngineError, RecoveryFilter};
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds};
use support::faulty_store::FaultyStore;

fn details(id: u64) -> OrderDetails {
    OrderDetails {
        id: OrderId(id),
        customer: CustomerId(id % 7),
        kitchen: RestaurantId(id % 3),
        pickup: Point::new(0.0, 0.0).expect("valid"),
        drop_off: Point::new(1_000.0, 500.0).expect("valid"),
        lines: vec![OrderLine {
            item: "bowl".into(),
            quantity: 1,
            unit_price_cents: 1_100,
        }],
        total_cents: 1_100,
        placed_at: Seconds(0),
    }
}

/// The path from placement to a courier's hands.
fn to_delivery(courier: CourierId) -> Vec<OrderCommand> {
    vec![
        OrderCommand::AuthorisePayment,
        OrderCommand::SendToChef,
        OrderCommand::Accept {
            ready_at: Seconds(600),
        },
        OrderCommand::MarkReady,
        OrderCommand::AssignCourier {
            courier,
            pickup_eta: Seconds(600),
        },
        OrderCommand::PickUp { courier },
        OrderCommand::Deliver { courier },
    ]
}

/// A store wrapper that fails on demand, to exercise supervision: it can
/// refuse the next appends, lose the acknowledgement of an append that did
/// land, or refuse to load one order's history forever.
async fn engine_on<S: OrderStore + CourierStore + DecisionStore>(store: Arc<S>) -> Engine {
    Engine::start(
        store,
        Clock::starting_at(Seconds(0)),
        EngineConfig::default(),
    )
    .await
    .expect("engine starts")
}

#[tokio::test]
async fn an_order_runs_to_delivery_and_its_actor_retires() {
    let store = Arc::new(MemoryStore::default());
    let engine = engine_on(store.clone()).await;
    let tracker = engine.hub().subscribe(Topic::Order(OrderId(1)));
    let placed = engine.place_order(details(1)).await.expect("valid order");
    assert_eq!(placed.status, OrderStatus::Placed);
    assert_eq!(engine.orders_in(OrderStatus::Placed), 1);
    let mut last = placed;
    for command in to_delivery(CourierId(4)) {
        last = engine
            .command(OrderId(1), command)
            .await
            .expect("legal step");
    }
    assert_eq!(last.status, OrderStatus::Delivered);
    assert_eq!(last.version, 8);
    assert_eq!(
        store.order_view(OrderId(1)).await.unwrap(),
        Some(last.clone()),
        "the read model matches"
    );
    // Every status change reached the tracker, in order, with its version.
    let mut versions = Vec::new();
    while let Some(Ok(Update::Status { version, .. })) = tracker.try_recv() {
        versions.push(version);
    }
    assert_eq!(versions, (1..=8).collect::<Vec<_>>());
    // The finished order's actor stops; repeating the last step is still a harmless no-op.
    for _ in 0..100 {
        if engine.live_orders() == 0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(engine.live_orders(), 0);
    assert_eq!(
        engine.orders_in(OrderStatus::Delivered),
        0,
        "finished orders leave the census"
    );
    let again = engine
        .command(
            OrderId(1),
            OrderCommand::Deliver {
                courier: CourierId(4),
            },
        )
        .await;
    assert_eq!(again.expect("no-op").version, 8);
    let late_cancel = engine
        .command(
            OrderId(1),
            OrderCommand::Cancel {
                reason: CancelReason::Customer,
            },
        )
        .await;
    assert!(matches!(
        late_cancel,
        Err(EngineError::Rejected(OrderError::IllegalTransition { .. }))
    ));
    engine.shutdown().await;
}

#[tokio::test]
async fn bad_requests_are_refused_and_change_nothing() {
    let store = Arc::new(MemoryStore::default());
    let engine = engine_on(store.clone()).await;
    let mut bad = details(1);
    bad.total_cents = 1;
    assert!(matches!(
        engine.place_order(bad).await,
        Err(EngineError::Rejected(OrderError::InvalidDetails(_)))
    ));
    assert!(store.load(OrderId(1)).await.unwrap().is_empty());
    engine.place_order(details(2)).await.expect("valid");
    assert!(matches!(
        engine.place_order(details(2)).await,
        Err(EngineError::Duplicate(OrderId(2)))
    ));
    let illegal = engine.command(OrderId(2), OrderCommand::MarkReady).await;
    assert!(matches!(illegal, Err(EngineError::Rejected(_))));
    assert_eq!(store.load(OrderId(2)).await.unwrap().len(), 1);
    assert!(matches!(
        engine.command(OrderId(99), OrderCommand::MarkReady).await,
        Err(EngineError::NotFound(_))
    ));
    engine.shutdown().await;
}

#[tokio::test]
async fn a_store_failure_is_not_acknowledged_and_the_actor_is_rebuilt_from_the_log() {
    let store = Arc::new(FaultyStore::default());
    let engine = engine_on(store.clone()).await;
    engine.place_order(details(1)).await.expect("valid");
    store.fail_appends.store(1, Ordering::SeqCst);
    let failed = engine
        .command(OrderId(1), OrderCommand::AuthorisePayment)
        .await;
    assert!(matches!(failed, Err(EngineError::Store(_))));
    assert_eq!(
        store.inner.load(OrderId(1)).await.unwrap().len(),
        1,
        "nothing recorded"
    );
    // The retry reaches the rebuilt actor and succeeds.
    let view = engine
        .command(OrderId(1), OrderCommand::AuthorisePayment)
        .await
        .expect("rebuilt");
    assert_eq!(view.status, OrderStatus::PaymentAuthorised);
    assert_eq!(view.version, 2);
    engine.shutdown().await;
}

#[tokio::test]
async fn an_append_whose_acknowledgement_was_lost_is_not_applied_twice() {
    let store = Arc::new(FaultyStore::default());
    let engine = engine_on(store.clone()).await;
    engine.place_order(details(1)).await.expect("valid");
    store.lose_acks.store(1, Ordering::SeqCst);
    let lost = engine
        .command(OrderId(1), OrderCommand::AuthorisePayment)
        .await;
    assert!(matches!(lost, Err(EngineError::Store(_))));
    // The event did land; the rebuilt actor knows it, so the retry is refused
    // as a repeat of a past step instead of recording a second authorisation.
    let retry = engine
        .command(OrderId(1), OrderCommand::AuthorisePayment)
        .await;
    assert!(matches!(retry, Err(EngineError::Rejected(_))));
    let next = engine
        .command(OrderId(1), OrderCommand::SendToChef)
        .await
        .expect("continues");
    assert_eq!(next.version, 3);
    engine.shutdown().await;
}

#[tokio::test]
async fn an_order_that_cannot_be_rebuilt_is_quarantined_without_harming_others() {
    let store = Arc::new(FaultyStore::default());
    let config = EngineConfig {
        restart_policy: RestartPolicy {
            max_restarts: 3,
            ..RestartPolicy::default()
        },
        ..EngineConfig::default()
    };
    let engine = Engine::start(store.clone(), Clock::starting_at(Seconds(0)), config)
        .await
        .expect("starts");
    engine.place_order(details(1)).await.expect("valid");
    engine.place_order(details(2)).await.expect("valid");
    // Order 1's history becomes unreadable, then its actor fails.
    store.unreadable.lock().unwrap().insert(OrderId(1));
    store.fail_appends.store(1, Ordering::SeqCst);
    assert!(
        engine
            .command(OrderId(1), OrderCommand::AuthorisePayment)
            .await
            .is_err()
    );
    let unavailable = engine
        .command(OrderId(1), OrderCommand::AuthorisePayment)
        .await;
    assert!(
        matches!(unavailable, Err(EngineError::Unavailable(OrderId(1)))),
        "{unavailable:?}"
    );
    // Everyone else carries on.
    let other = engine
        .command(OrderId(2), OrderCommand::AuthorisePayment)
        .await
        .expect("unaffected");
    assert_eq!(other.status, OrderStatus::PaymentAuthorised);
    engine.shutdown().await;
}

#[tokio::test]
async fn an_engine_for_some_kitchens_recovers_their_orders_and_reads_no_other_log() {
    let store = Arc::new(FaultyStore::default());
    let engine = engine_on(store.clone()).await;
    for id in 1..=9 {
        engine.place_order(details(id)).await.expect("valid");
    }
    engine.shutdown().await;
    // Kitchen 2's logs cannot be read: an engine that read one at start
    // would have quarantined the order (`Unavailable` ever after).
    for id in (1..=9).filter(|id| id % 3 == 2) {
        store.unreadable.lock().unwrap().insert(OrderId(id));
    }
    let engine = Engine::builder(store.clone(), Clock::starting_at(Seconds(0)))
        .recover_only(RecoveryFilter(Arc::new(|kitchen| {
            kitchen == RestaurantId(1)
        })))
        .start()
        .await
        .expect("starts");
    assert_eq!(engine.recovered(), 3, "orders 1, 4 and 7");
    for id in (1..=9).filter(|id| id % 3 != 0) {
        let answer = engine
            .command(OrderId(id), OrderCommand::AuthorisePayment)
            .await;
        if id % 3 == 1 {
            assert!(answer.is_ok(), "order {id}: {answer:?}");
        } else {
            // Read only now, when asked for.
            assert!(
                matches!(answer, Err(EngineError::Store(_))),
                "order {id} of another kitchen: {answer:?}"
            );
        }
    }
    engine.shutdown().await;
}

#[tokio::test]
async fn concurrent_commands_to_one_order_are_serialised() {
    let store = Arc::new(MemoryStore::default());
    let engine = Arc::new(engine_on(store.clone()).await);
    engine.place_order(details(1)).await.expect("valid");
    for cmd in [
        OrderCommand::AuthorisePayment,
        OrderCommand::SendToChef,
        OrderCommand::Accept {
            ready_at: Seconds(60),
        },
    ] {
        engine.command(OrderId(1), cmd).await.expect("legal");
    }
    // Fifty couriers race for the order: exactly one gets it.
    let mut tasks = Vec::new();
    for c in 0..50 {
        let engine = engine.clone();
        tasks.push(tokio::spawn(async move {
            engine
                .command(
                    OrderId(1),
                    OrderCommand::AssignCourier {
                        courier: CourierId(c),
                        pickup_eta: Seconds(60),
                    },
                )
                .await
                .is_ok()
        }));
    }
    let mut winners = 0;
    for t in tasks {
        winners += usize::from(t.await.expect("task ran"));
    }
    assert_eq!(winners, 1);
    let history = store.load(OrderId(1)).await.unwrap();
    assert_eq!(
        history
            .iter()
            .filter(|e| matches!(e, OrderEvent::CourierAssigned { .. }))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_restarted_engine_recovers_every_unfinished_order_exactly_once() {
    let store = Arc::new(MemoryStore::default());
    let engine = engine_on(store.clone()).await;
    for id in 1..=600 {
        engine.place_order(details(id)).await.expect("valid");
        // A spread of states: some finished, some mid-way.
        let steps = to_delivery(CourierId(id));
        let upto = (id % 9) as usize;
        for cmd in steps.into_iter().take(upto) {
            engine.command(OrderId(id), cmd).await.expect("legal");
        }
    }
    let unfinished = store.active_orders().await.unwrap();
    assert_eq!(
        unfinished.len(),
        600 - (1..=600).filter(|id| id % 9 >= 7).count()
    );
    // The process goes away (actors stop, nothing flushed beyond what was acknowledged)...
    engine.shutdown().await;
    // ...and a new one on the same store picks every unfinished order up again.
    let engine = engine_on(store.clone()).await;
    assert_eq!(engine.recovered(), unfinished.len());
    let by_status = |s: OrderStatus| {
        (1..=600u64)
            .filter(|id| {
                let steps = (id % 9) as usize;
                steps < 7
                    && [
                        OrderStatus::Placed,
                        OrderStatus::PaymentAuthorised,
                        OrderStatus::SentToChef,
                        OrderStatus::Accepted,
                        OrderStatus::Ready,
                        OrderStatus::Ready,
                        OrderStatus::PickedUp,
                    ][steps]
                        == s
            })
            .count()
    };
    for s in [
        OrderStatus::Placed,
        OrderStatus::SentToChef,
        OrderStatus::Ready,
        OrderStatus::PickedUp,
    ] {
        assert_eq!(engine.orders_in(s), by_status(s), "{s:?} after recovery");
    }
    assert_eq!(engine.live_orders(), unfinished.len());
    for id in unfinished {
        let view = store.order_view(id).await.unwrap().expect("stored");
        let steps = to_delivery(CourierId(id.0));
        let done = (view.version - 1) as usize;
        let mut last = view;
        for cmd in steps.into_iter().skip(done) {
            last = engine
                .command(id, cmd)
                .await
                .expect("resumes where it stopped");
        }
        assert_eq!(last.status, OrderStatus::Delivered);
    }
    assert!(store.active_orders().await.unwrap().is_empty());
    engine.shutdown().await;
}
