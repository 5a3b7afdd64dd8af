//! The kitchen actor on paused time, run by the engine: unanswered
//! orders are rejected exactly at their deadline, the chef's answers reach
//! the orders, busy and closed kitchens refuse at once, and refused answers
//! (twice, unknown, too late, ready in the past) change nothing.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use foodiefast_actors::Engine;
use foodiefast_actors::clock::Clock;
use foodiefast_actors::domain::kitchen::KitchenError;
use foodiefast_actors::domain::order::{
    CancelReason, OrderCommand, OrderEvent, OrderStatus, RejectReason,
};
use foodiefast_actors::kitchens::{KitchenActorError, KitchenQueue};
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_actors::store::{OrderStore, OrderView};
use foodiefast_geo::{OrderId, Point, RestaurantId, Seconds};
use support::{open_kitchen, order, settle, start_engine};

const ANSWER_WITHIN: Seconds = Seconds(120);
const KITCHEN: RestaurantId = RestaurantId(1);

struct Rig {
    engine: Engine,
    store: Arc<MemoryStore>,
    clock: Clock,
}

async fn rig() -> Rig {
    let store = Arc::new(MemoryStore::default());
    let engine = start_engine(store.clone()).await;
    let clock = engine.clock();
    Rig {
        engine,
        store,
        clock,
    }
}

fn at(x: f64, y: f64) -> Point {
    Point::new(x, y).expect("valid")
}

/// Places order `id` for `kitchen` and sends it to the chef; returns its view.
async fn send_to(r: &Rig, id: u64, kitchen: u64) -> OrderView {
    let details = order(id, kitchen, at(0.0, 0.0), at(800.0, 300.0));
    r.engine.place_order(details).await.expect("valid");
    r.engine
        .command(OrderId(id), OrderCommand::AuthorisePayment)
        .await
        .expect("legal");
    // The view as the order was sent: a busy or closed kitchen may refuse it at once.
    let view = r
        .engine
        .command(OrderId(id), OrderCommand::SendToChef)
        .await
        .expect("legal");
    assert_eq!(view.status, OrderStatus::SentToChef);
    view
}

/// Places order `id` and hands it to the kitchen; returns its view.
async fn send_to_chef(r: &Rig, id: u64) -> OrderView {
    send_to(r, id, 1).await
}

async fn open(r: &Rig) {
    open_kitchen(&r.engine, 1, at(0.0, 0.0), ANSWER_WITHIN).await;
}

/// Waits (without moving time) until order `id` reaches `status`.
async fn wait_for(r: &Rig, id: u64, status: OrderStatus) -> OrderView {
    for _ in 0..500 {
        let view = r.engine.view(OrderId(id)).await.expect("stored");
        if view.status == status {
            return view;
        }
        tokio::task::yield_now().await;
    }
    panic!("order {id} never reached {status:?}");
}

async fn rejection(r: &Rig, id: u64) -> (Seconds, RejectReason) {
    let history = r.store.load(OrderId(id)).await.unwrap();
    history
        .into_iter()
        .find_map(|e| match e {
            OrderEvent::Rejected { at, reason } => Some((at, reason)),
            _ => None,
        })
        .expect("a rejection was recorded")
}

async fn accept(r: &Rig, id: u64, ready_at: i64) -> Result<OrderView, KitchenActorError> {
    r.engine
        .accept_order(KITCHEN, OrderId(id), Seconds(ready_at))
        .await
}

async fn queue(r: &Rig) -> KitchenQueue {
    settle().await;
    r.engine.kitchen_queue(KITCHEN).await.expect("open")
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_order_is_rejected_for_no_answer_exactly_at_its_deadline() {
    let r = rig().await;
    open(&r).await;
    send_to_chef(&r, 1).await;
    assert_eq!(queue(&r).await.awaiting, vec![(OrderId(1), ANSWER_WITHIN)]);
    tokio::time::sleep(Duration::from_secs(119)).await;
    settle().await;
    let before = r.engine.view(OrderId(1)).await.unwrap();
    assert_eq!(before.status, OrderStatus::SentToChef, "not a second early");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = wait_for(&r, 1, OrderStatus::Rejected).await;
    assert_eq!(r.clock.now(), ANSWER_WITHIN, "rejected at the deadline");
    assert_eq!(after.version, before.version + 1);
    assert_eq!(
        rejection(&r, 1).await,
        (ANSWER_WITHIN, RejectReason::NoAnswer)
    );
    assert!(queue(&r).await.awaiting.is_empty());
    r.engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_accepted_order_is_prepared_then_marked_ready() {
    let r = rig().await;
    open(&r).await;
    send_to_chef(&r, 1).await;
    tokio::time::sleep(Duration::from_secs(30)).await;
    let accepted = accept(&r, 1, 900).await.expect("awaiting");
    assert_eq!(accepted.status, OrderStatus::Preparing);
    assert_eq!(accepted.ready_at, Some(Seconds(900)));
    let q = queue(&r).await;
    assert!(q.awaiting.is_empty());
    assert_eq!(q.cooking, vec![(OrderId(1), Seconds(900))]);
    let ready = r
        .engine
        .mark_ready(KITCHEN, OrderId(1))
        .await
        .expect("cooking");
    assert_eq!(ready.status, OrderStatus::Ready);
    assert!(queue(&r).await.cooking.is_empty());
    let again = r.engine.mark_ready(KITCHEN, OrderId(1)).await;
    assert!(matches!(
        again,
        Err(KitchenActorError::Kitchen(KitchenError::NotCooking(
            OrderId(1)
        )))
    ));
    r.engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_chef_declines_with_a_note() {
    let r = rig().await;
    open(&r).await;
    send_to_chef(&r, 1).await;
    let note = Some("out of noodles".to_owned());
    let declined = r
        .engine
        .reject_order(KITCHEN, OrderId(1), note.clone())
        .await
        .expect("awaiting");
    assert_eq!(declined.status, OrderStatus::Rejected);
    assert_eq!(rejection(&r, 1).await.1, RejectReason::Declined { note });
    assert!(queue(&r).await.awaiting.is_empty());
    r.engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_busy_kitchen_rejects_at_once_and_a_closed_one_declines() {
    let r = rig().await;
    open(&r).await;
    r.engine
        .set_kitchen_busy(KITCHEN, Some(Seconds(600)))
        .await
        .expect("open");
    assert!(queue(&r).await.busy);
    send_to_chef(&r, 1).await;
    wait_for(&r, 1, OrderStatus::Rejected).await;
    assert_eq!(rejection(&r, 1).await, (Seconds(0), RejectReason::Busy));
    r.engine.close_kitchen(KITCHEN).await.expect("open");
    send_to_chef(&r, 2).await;
    wait_for(&r, 2, OrderStatus::Rejected).await;
    assert!(matches!(
        rejection(&r, 2).await,
        (Seconds(0), RejectReason::Declined { note: Some(_) })
    ));
    let q = queue(&r).await;
    assert!(!q.open);
    assert!(q.awaiting.is_empty() && q.cooking.is_empty());
    r.engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn accepting_twice_or_an_unknown_order_is_refused_and_changes_nothing() {
    let r = rig().await;
    open(&r).await;
    send_to_chef(&r, 1).await;
    let first = accept(&r, 1, 600).await.expect("awaiting");
    let twice = accept(&r, 1, 700).await;
    assert!(matches!(
        twice,
        Err(KitchenActorError::Kitchen(KitchenError::NotAwaiting(
            OrderId(1)
        )))
    ));
    assert_eq!(r.engine.view(OrderId(1)).await.unwrap(), first);
    // Order 2 is with its chef as far as the order knows, but that is
    // another kitchen's: its answer is not this kitchen's to give.
    send_to(&r, 2, 2).await;
    let stranger = accept(&r, 2, 600).await;
    assert!(matches!(
        stranger,
        Err(KitchenActorError::Kitchen(KitchenError::NotAwaiting(
            OrderId(2)
        )))
    ));
    assert_eq!(
        r.engine.view(OrderId(2)).await.unwrap().status,
        OrderStatus::SentToChef
    );
    assert_eq!(queue(&r).await.cooking, vec![(OrderId(1), Seconds(600))]);
    r.engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_ready_estimate_in_the_past_is_refused() {
    let r = rig().await;
    open(&r).await;
    tokio::time::sleep(Duration::from_secs(100)).await;
    let sent = send_to_chef(&r, 1).await;
    let past = accept(&r, 1, 50).await;
    assert!(matches!(
        past,
        Err(KitchenActorError::Kitchen(KitchenError::ReadyInThePast))
    ));
    assert_eq!(r.engine.view(OrderId(1)).await.unwrap(), sent);
    assert_eq!(
        queue(&r).await.awaiting,
        vec![(OrderId(1), Seconds(100) + ANSWER_WITHIN)]
    );
    // The chef can still answer properly.
    let accepted = accept(&r, 1, 700).await.expect("still awaiting");
    assert_eq!(accepted.ready_at, Some(Seconds(700)));
    r.engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_answer_after_the_deadline_is_refused() {
    let r = rig().await;
    open(&r).await;
    send_to_chef(&r, 1).await;
    tokio::time::sleep(Duration::from_secs(121)).await;
    let rejected = wait_for(&r, 1, OrderStatus::Rejected).await;
    let late = accept(&r, 1, 900).await;
    assert!(matches!(
        late,
        Err(KitchenActorError::Kitchen(KitchenError::NotAwaiting(
            OrderId(1)
        )))
    ));
    let late_decline = r.engine.reject_order(KITCHEN, OrderId(1), None).await;
    assert!(matches!(
        late_decline,
        Err(KitchenActorError::Kitchen(KitchenError::NotAwaiting(_)))
    ));
    assert_eq!(r.engine.view(OrderId(1)).await.unwrap(), rejected);
    assert_eq!(rejection(&r, 1).await.1, RejectReason::NoAnswer);
    r.engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_deadline_passing_after_an_accept_changes_nothing() {
    let r = rig().await;
    open(&r).await;
    send_to_chef(&r, 1).await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let accepted = accept(&r, 1, 900).await.expect("awaiting");
    tokio::time::sleep(Duration::from_mins(5)).await;
    settle().await;
    assert_eq!(r.engine.view(OrderId(1)).await.unwrap(), accepted);
    assert_eq!(queue(&r).await.cooking, vec![(OrderId(1), Seconds(900))]);
    r.engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_order_leaves_the_queue_and_its_timer_does_nothing() {
    let r = rig().await;
    open(&r).await;
    send_to_chef(&r, 1).await;
    let cancel = OrderCommand::Cancel {
        reason: CancelReason::Customer,
    };
    let cancelled = r.engine.command(OrderId(1), cancel).await.expect("legal");
    assert!(queue(&r).await.awaiting.is_empty());
    tokio::time::sleep(Duration::from_mins(3)).await;
    settle().await;
    assert_eq!(r.engine.view(OrderId(1)).await.unwrap(), cancelled);
    r.engine.shutdown().await;
}
