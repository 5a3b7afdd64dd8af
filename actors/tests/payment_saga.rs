//! The payment saga through the engine, one story at a time, on paused
//! time with the provider double: authorise before the chef hears of the
//! order, a decline rejects it, a rejection or cancellation voids the hold,
//! no courier in time cancels and voids, delivery captures, an admin's
//! refund gives back, and an answer lost in a crash is not a second charge.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/fake_provider.rs"]
mod fake_provider;
mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use fake_provider::FakeProvider;
use foodiefast_actors::clock::Clock;
use foodiefast_actors::domain::order::{CancelReason, OrderCommand, OrderStatus};
use foodiefast_actors::domain::payment::{PaymentState, PaymentStep};
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_actors::payments::SagaConfig;
use foodiefast_actors::store::{OrderStore, OrderView};
use foodiefast_actors::{Engine, EngineConfig, EngineError};
use foodiefast_geo::{CourierId, OrderId, RestaurantId, Seconds};
use support::{open_kitchen, order, pt, run_for, settle};

const KITCHEN: u64 = 1;

fn saga() -> SagaConfig {
    SagaConfig {
        currency: "eur".into(),
        courier_timeout: Some(Duration::from_mins(10)),
        retry_first: Duration::from_secs(1),
        retry_max: Duration::from_secs(8),
        placement_wait: Duration::from_secs(2),
    }
}

async fn engine(store: &Arc<MemoryStore>, provider: &Arc<FakeProvider>) -> Engine {
    let engine = Engine::builder(store.clone(), Clock::starting_at(Seconds(0)))
        .config(EngineConfig::default())
        .payments(provider.clone(), saga())
        .start()
        .await
        .expect("starts");
    open_kitchen(&engine, KITCHEN, pt(0.0), Seconds(120)).await;
    engine
}

struct Rig {
    store: Arc<MemoryStore>,
    provider: Arc<FakeProvider>,
    engine: Engine,
}

async fn rig() -> Rig {
    let store = Arc::new(MemoryStore::default());
    let provider = Arc::new(FakeProvider::default());
    let engine = engine(&store, &provider).await;
    Rig {
        store,
        provider,
        engine,
    }
}

async fn place(r: &Rig, id: u64, method: &str) -> OrderView {
    r.engine
        .place_paid_order(order(id, KITCHEN, pt(0.0), pt(900.0)), method.into())
        .await
        .expect("placed")
}

async fn command(r: &Rig, id: u64, command: OrderCommand) -> OrderView {
    r.engine.command(OrderId(id), command).await.expect("done")
}

/// Accepted by the chef, carried by courier 7, delivered.
async fn deliver(r: &Rig, id: u64) -> OrderView {
    r.engine
        .accept_order(RestaurantId(KITCHEN), OrderId(id), Seconds(600))
        .await
        .expect("accepted");
    command(
        r,
        id,
        OrderCommand::AssignCourier {
            courier: CourierId(7),
            pickup_eta: Seconds(600),
        },
    )
    .await;
    command(r, id, OrderCommand::MarkReady).await;
    let courier = CourierId(7);
    command(r, id, OrderCommand::PickUp { courier }).await;
    command(r, id, OrderCommand::Deliver { courier }).await
}

async fn view(r: &Rig, id: u64) -> OrderView {
    r.store.order_view(OrderId(id)).await.unwrap().unwrap()
}

async fn ledger_of(r: &Rig, id: u64) -> foodiefast_actors::domain::payment::Ledger {
    let order = r.engine.order_from_log(OrderId(id)).await.unwrap();
    order.check_ledger().expect("balanced");
    *order.payment().ledger()
}

#[tokio::test(start_paused = true)]
async fn an_authorised_order_goes_to_its_chef_and_is_captured_once_delivered() {
    let r = rig().await;
    let placed = place(&r, 1, "pm_card_visa").await;
    assert_eq!(placed.status, OrderStatus::SentToChef);
    assert_eq!(placed.payment, PaymentState::Authorised);
    let delivered = deliver(&r, 1).await;
    assert_eq!(delivered.status, OrderStatus::Delivered);
    run_for(2).await;
    let view = view(&r, 1).await;
    assert_eq!(view.payment, PaymentState::Captured);
    assert!(!view.is_active(), "a settled order is finished");
    let ledger = ledger_of(&r, 1).await;
    assert_eq!(
        (ledger.authorised_cents, ledger.captured_cents),
        (1_200, 1_200)
    );
    let holds = r.provider.holds();
    assert_eq!(holds.len(), 1);
    let hold = holds.values().next().unwrap();
    assert_eq!((hold.captures, hold.captured, hold.voids), (1, 1_200, 0));
}

#[tokio::test(start_paused = true)]
async fn a_declined_payment_rejects_the_order_before_the_chef_hears_of_it() {
    let r = rig().await;
    let placed = place(&r, 2, "pm_card_chargeDeclined").await;
    assert_eq!(placed.status, OrderStatus::Rejected);
    assert_eq!(placed.payment, PaymentState::Declined);
    assert_eq!(
        placed.reason.as_deref(),
        Some("payment_declined: Your card was declined.")
    );
    let queue = r.engine.kitchen_queue(RestaurantId(KITCHEN)).await.unwrap();
    assert!(
        queue.awaiting.is_empty(),
        "the chef never saw it: {queue:?}"
    );
    // While one paid for goes to the chef once authorised.
    place(&r, 22, "pm_card_visa").await;
    let queue = r.engine.kitchen_queue(RestaurantId(KITCHEN)).await.unwrap();
    assert_eq!(queue.awaiting.len(), 1, "{queue:?}");
    assert!(r.provider.holds().values().all(|h| h.order != 2));
    assert_eq!(ledger_of(&r, 2).await.authorised_cents, 0);
}

#[tokio::test(start_paused = true)]
async fn a_rejection_by_the_chef_or_the_kitchen_deadline_voids_the_hold() {
    let r = rig().await;
    place(&r, 3, "pm_card_visa").await;
    place(&r, 4, "pm_card_visa").await;
    r.engine
        .reject_order(
            RestaurantId(KITCHEN),
            OrderId(3),
            Some("out of rice".into()),
        )
        .await
        .expect("rejected");
    // Order 4 is never answered: the kitchen rejects it at its deadline.
    run_for(130).await;
    for id in [3, 4] {
        let view = view(&r, id).await;
        assert_eq!(view.status, OrderStatus::Rejected, "order {id}");
        assert_eq!(view.payment, PaymentState::Voided, "order {id}");
        let ledger = ledger_of(&r, id).await;
        assert_eq!((ledger.voided_cents, ledger.captured_cents), (1_200, 0));
    }
    assert!(
        r.provider
            .holds()
            .values()
            .all(|h| h.voids == 1 && h.captures == 0)
    );
}

#[tokio::test(start_paused = true)]
async fn a_cancellation_while_the_provider_is_down_voids_the_hold_once_it_answers() {
    let r = rig().await;
    r.provider.fail_next.store(4, Ordering::SeqCst);
    let placed = place(&r, 5, "pm_card_visa").await;
    assert_eq!(placed.status, OrderStatus::Placed);
    assert_eq!(placed.payment, PaymentState::Authorising);
    let cancelled = command(
        &r,
        5,
        OrderCommand::Cancel {
            reason: CancelReason::Customer,
        },
    )
    .await;
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert!(
        cancelled.is_active(),
        "the authorisation is still in flight"
    );
    // Retries after 1, 2, 4, 8 s of engine time; then the void.
    run_for(30).await;
    let view = view(&r, 5).await;
    assert_eq!(
        (view.status, view.payment),
        (OrderStatus::Cancelled, PaymentState::Voided)
    );
    assert_eq!(view.reason.as_deref(), Some("customer"));
    let holds = r.provider.holds();
    assert_eq!(holds.len(), 1, "one hold, however often it was asked for");
    assert!(holds.values().all(|h| h.voids == 1));
}

#[tokio::test(start_paused = true)]
async fn no_courier_in_time_cancels_the_order_and_voids_its_hold() {
    let r = rig().await;
    place(&r, 6, "pm_card_visa").await;
    r.engine
        .accept_order(RestaurantId(KITCHEN), OrderId(6), Seconds(300))
        .await
        .expect("accepted");
    run_for(9 * 60).await;
    assert_eq!(view(&r, 6).await.status, OrderStatus::Preparing);
    run_for(90).await;
    let view = view(&r, 6).await;
    assert_eq!(
        (view.status, view.payment),
        (OrderStatus::Cancelled, PaymentState::Voided)
    );
    assert_eq!(view.reason.as_deref(), Some("no_courier"));
}

#[tokio::test(start_paused = true)]
async fn a_refund_gives_back_what_was_taken_and_a_repeated_request_changes_nothing() {
    let r = rig().await;
    place(&r, 8, "pm_card_visa").await;
    deliver(&r, 8).await;
    run_for(2).await;
    let refund = |seq, amount_cents| OrderCommand::RequestRefund {
        seq,
        amount_cents,
        note: "the bag arrived torn".into(),
    };
    // The order's actor stopped once captured: the refund brings it back.
    command(&r, 8, refund(1, 500)).await;
    command(&r, 8, refund(1, 500)).await;
    run_for(2).await;
    let too_much = r.engine.command(OrderId(8), refund(2, 701)).await;
    assert!(
        matches!(too_much, Err(EngineError::Rejected(_))),
        "{too_much:?}"
    );
    command(&r, 8, refund(2, 700)).await;
    run_for(2).await;
    let ledger = ledger_of(&r, 8).await;
    assert_eq!(
        (
            ledger.authorised_cents,
            ledger.captured_cents,
            ledger.refunded_cents
        ),
        (1_200, 0, 1_200)
    );
    let hold = r.provider.holds().into_values().next().unwrap();
    assert_eq!((hold.refunds, hold.refunded), (2, 1_200));
    assert_eq!(view(&r, 8).await.payment, PaymentState::Refunded);
}

#[tokio::test(start_paused = true)]
async fn a_crash_after_the_provider_captured_resumes_without_a_second_charge() {
    let Rig {
        store,
        provider,
        engine,
    } = rig().await;
    let r = Rig {
        store: store.clone(),
        provider: provider.clone(),
        engine,
    };
    place(&r, 9, "pm_card_visa").await;
    // The capture is carried out but its answer is lost, and the engine
    // dies before the retry.
    provider.lose_next.store(1, Ordering::SeqCst);
    deliver(&r, 9).await;
    settle().await;
    assert_eq!(view(&r, 9).await.payment, PaymentState::Authorised);
    r.engine.shutdown().await;
    let r = Rig {
        engine: engine_again(&store, &provider).await,
        store,
        provider,
    };
    run_for(2).await;
    assert_eq!(view(&r, 9).await.payment, PaymentState::Captured);
    let hold = r.provider.holds().into_values().next().unwrap();
    assert_eq!((hold.captures, hold.captured), (1, 1_200));
    let order = r.engine.order_from_log(OrderId(9)).await.unwrap();
    assert!(order.payment_due().is_none());
    assert_eq!(
        PaymentStep::Capture(order.payment().hold().unwrap().clone()).key(OrderId(9)),
        "foodiefast-order-9-capture"
    );
}

async fn engine_again(store: &Arc<MemoryStore>, provider: &Arc<FakeProvider>) -> Engine {
    engine(store, provider).await
}

#[tokio::test(start_paused = true)]
async fn an_order_paid_through_the_engine_cannot_be_marked_paid_by_hand() {
    let r = rig().await;
    r.provider.fail_next.store(100, Ordering::SeqCst);
    place(&r, 10, "pm_card_visa").await;
    let by_hand = r
        .engine
        .command(OrderId(10), OrderCommand::AuthorisePayment)
        .await;
    assert!(
        matches!(by_hand, Err(EngineError::Rejected(_))),
        "{by_hand:?}"
    );
    let sent = r
        .engine
        .command(OrderId(10), OrderCommand::SendToChef)
        .await;
    assert!(matches!(sent, Err(EngineError::Rejected(_))), "{sent:?}");
}
