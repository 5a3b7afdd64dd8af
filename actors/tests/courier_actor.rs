//! The courier actor on paused time: offers time out by themselves, answers
//! count once, the dispatcher hears what changed, statuses reach the read
//! model and positions reach the customers whose food the courier carries.

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
use foodiefast_actors::couriers::{
    CourierActor, CourierArgs, CourierMsg, CourierNotice, TripLedger,
};
use foodiefast_actors::domain::courier::{
    CourierError, CourierStatus, Offer, OfferAnswer, Reposition,
};
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_actors::store::CourierStore;
use foodiefast_actors::tracking::{CourierUpdate, Topic, TrackingHub, Update};
use foodiefast_geo::{CourierId, OrderId, RestaurantId, Seconds};
use ractor::{Actor, ActorRef};
use support::{ask, pt};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

struct Rig {
    courier: ActorRef<CourierMsg>,
    notices: UnboundedReceiver<CourierNotice>,
    store: Arc<MemoryStore>,
    hub: Arc<TrackingHub>,
    clock: Clock,
}

async fn rig() -> Rig {
    let store = Arc::new(MemoryStore::default());
    let hub = Arc::new(TrackingHub::new(16));
    let clock = Clock::starting_at(Seconds(0));
    let (tx, notices) = unbounded_channel();
    let args = CourierArgs {
        id: CourierId(1),
        store: store.clone(),
        hub: hub.clone(),
        clock,
        board: Arc::new(tx),
        trips: Arc::new(TripLedger::default()),
        resume: None,
    };
    let (courier, _) = Actor::spawn(None, CourierActor, args)
        .await
        .expect("spawns");
    Rig {
        courier,
        notices,
        store,
        hub,
        clock,
    }
}

async fn online(r: &mut Rig) {
    let ok = ask(&r.courier, |reply| CourierMsg::GoOnline {
        at: pt(0.0),
        shift_end: Seconds(3_600),
        reply,
    })
    .await;
    assert_eq!(ok, Ok(()));
    assert!(
        matches!(r.notices.recv().await, Some(CourierNotice::Available(c)) if c.id == CourierId(1))
    );
}

fn offer(id: u64, deadline: i64) -> Offer {
    Offer {
        id,
        orders: vec![OrderId(10)],
        pickup: pt(0.0),
        deadline: Seconds(deadline),
    }
}

/// Offers `id` (deadline 30 s) and has the courier accept it.
async fn offer_and_accept(r: &Rig, id: u64) -> Result<(), CourierError> {
    r.courier
        .cast(CourierMsg::Offer(offer(id, 30)))
        .expect("delivered");
    ask(&r.courier, |reply| CourierMsg::Answer {
        offer: id,
        answer: OfferAnswer::Accepted,
        reply,
    })
    .await
}

/// The courier's status in the read model.
async fn recorded_status(r: &Rig) -> CourierStatus {
    r.store
        .courier_view(CourierId(1))
        .await
        .expect("readable")
        .expect("recorded")
        .status
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_offer_times_out_by_itself_and_a_late_answer_changes_nothing() {
    let mut r = rig().await;
    online(&mut r).await;
    r.courier
        .cast(CourierMsg::Offer(offer(7, 30)))
        .expect("delivered");
    tokio::time::sleep(Duration::from_secs(31)).await;
    let ended = r.notices.recv().await.expect("a notice");
    assert!(
        matches!(
            ended,
            CourierNotice::OfferEnded {
                answer: OfferAnswer::TimedOut,
                ..
            }
        ),
        "{ended:?}"
    );
    assert!(
        matches!(r.notices.recv().await, Some(CourierNotice::Available(_))),
        "free again"
    );
    let late = ask(&r.courier, |reply| CourierMsg::Answer {
        offer: 7,
        answer: OfferAnswer::Accepted,
        reply,
    })
    .await;
    assert!(matches!(
        late,
        Err(CourierError::AlreadyAnswered {
            answer: OfferAnswer::TimedOut,
            ..
        })
    ));
    assert_eq!(
        ask(&r.courier, CourierMsg::Status).await,
        CourierStatus::Idle
    );
    assert_eq!(r.clock.now(), Seconds(31));
}

#[tokio::test(start_paused = true)]
async fn an_accepted_offer_is_not_undone_by_its_timer() {
    let mut r = rig().await;
    online(&mut r).await;
    let yes = offer_and_accept(&r, 8).await;
    assert_eq!(yes, Ok(()));
    assert!(matches!(
        r.notices.recv().await,
        Some(CourierNotice::OfferEnded {
            answer: OfferAnswer::Accepted,
            ..
        })
    ));
    assert_eq!(
        r.notices.recv().await,
        Some(CourierNotice::Gone(CourierId(1)))
    );
    tokio::time::sleep(Duration::from_mins(1)).await;
    assert_eq!(
        ask(&r.courier, CourierMsg::Status).await,
        CourierStatus::HeadingToPickup
    );
    assert!(
        r.notices.try_recv().is_err(),
        "the deadline passing said nothing"
    );
    assert_eq!(recorded_status(&r).await, CourierStatus::HeadingToPickup);
}

#[tokio::test(start_paused = true)]
async fn positions_reach_the_customers_whose_food_the_courier_carries() {
    let mut r = rig().await;
    online(&mut r).await;
    let tracker = r.hub.subscribe(Topic::Order(OrderId(10)));
    r.courier
        .cast(CourierMsg::Position(pt(5.0)))
        .expect("delivered");
    offer_and_accept(&r, 9).await.expect("held");
    r.courier
        .cast(CourierMsg::Position(pt(50.0)))
        .expect("delivered");
    assert_eq!(
        ask(&r.courier, CourierMsg::Status).await,
        CourierStatus::HeadingToPickup
    );
    let got = tracker.try_recv().expect("an update").expect("open");
    assert_eq!(
        got,
        Update::Position {
            courier: CourierId(1),
            at: pt(50.0),
            eta: None
        }
    );
    assert!(
        tracker.try_recv().is_none(),
        "nothing before the assignment"
    );
}

#[tokio::test(start_paused = true)]
async fn going_offline_before_pickup_releases_the_orders_to_the_dispatcher() {
    let mut r = rig().await;
    online(&mut r).await;
    offer_and_accept(&r, 3).await.expect("held");
    let _ = r.notices.recv().await; // offer ended
    let _ = r.notices.recv().await; // gone (busy)
    assert_eq!(ask(&r.courier, CourierMsg::GoOffline).await, Ok(()));
    assert_eq!(
        r.notices.recv().await,
        Some(CourierNotice::Released {
            courier: CourierId(1),
            orders: vec![OrderId(10)]
        })
    );
    assert_eq!(recorded_status(&r).await, CourierStatus::Offline);
}

#[tokio::test(start_paused = true)]
async fn an_offer_to_a_busy_courier_goes_straight_back() {
    let mut r = rig().await;
    // Offline: not idle.
    r.courier
        .cast(CourierMsg::Offer(offer(4, 30)))
        .expect("delivered");
    assert!(matches!(
        r.notices.recv().await,
        Some(CourierNotice::OfferEnded {
            answer: OfferAnswer::Declined,
            ..
        })
    ));
    let refused = ask(&r.courier, |reply| CourierMsg::Delivered {
        order: OrderId(1),
        reply,
    })
    .await;
    assert!(matches!(
        refused,
        Err(CourierError::IllegalTransition { .. })
    ));
}

fn reposition_to_kitchen_at_1_km() -> Reposition {
    Reposition {
        restaurant: RestaurantId(3),
        to: pt(1_000.0),
        arrive_by: Seconds(300),
    }
}

#[tokio::test(start_paused = true)]
async fn a_courier_sent_to_a_restaurant_is_told_and_free_again_only_once_there() {
    let mut r = rig().await;
    online(&mut r).await;
    let app = r.hub.subscribe(Topic::Courier(CourierId(1)));
    r.courier
        .cast(CourierMsg::Reposition(reposition_to_kitchen_at_1_km()))
        .expect("delivered");
    let told = app.recv().await.expect("open");
    assert_eq!(
        told,
        Update::Courier(CourierUpdate::Reposition(reposition_to_kitchen_at_1_km()))
    );
    // On the way: positions say nothing to the dispatcher.
    r.courier
        .cast(CourierMsg::Position(pt(500.0)))
        .expect("delivered");
    assert_eq!(
        ask(&r.courier, CourierMsg::Status).await,
        CourierStatus::Idle
    );
    assert!(r.notices.try_recv().is_err(), "nothing said mid-move");
    // Within 50 m of the kitchen: there, and free for offers.
    r.courier
        .cast(CourierMsg::Position(pt(970.0)))
        .expect("delivered");
    ask(&r.courier, CourierMsg::Status).await;
    let notice = r.notices.try_recv().expect("free at the kitchen");
    assert!(
        matches!(notice, CourierNotice::Available(c) if c.position == pt(970.0)),
        "{notice:?}"
    );
    // The move is over: the overdue timer, later, says nothing more.
    tokio::time::sleep(Duration::from_secs(1_000)).await;
    assert!(r.notices.try_recv().is_err(), "{:?}", r.notices.try_recv());
}

#[tokio::test(start_paused = true)]
async fn a_courier_that_never_arrives_is_free_again_where_it_is_after_the_grace() {
    let mut r = rig().await;
    online(&mut r).await;
    r.courier
        .cast(CourierMsg::Reposition(reposition_to_kitchen_at_1_km()))
        .expect("delivered");
    r.courier
        .cast(CourierMsg::Position(pt(200.0)))
        .expect("delivered");
    // Ten minutes past the expected arrival (minute 5): minute 15.
    tokio::time::sleep(Duration::from_secs(899)).await;
    assert!(r.notices.try_recv().is_err(), "still on its way");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let notice = r.notices.recv().await.expect("free again");
    assert!(
        matches!(notice, CourierNotice::Available(c) if c.position == pt(200.0)),
        "{notice:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_busy_courier_ignores_a_move() {
    let mut r = rig().await;
    online(&mut r).await;
    offer_and_accept(&r, 11).await.expect("held");
    let app = r.hub.subscribe(Topic::Courier(CourierId(1)));
    r.courier
        .cast(CourierMsg::Reposition(reposition_to_kitchen_at_1_km()))
        .expect("delivered");
    assert_eq!(
        ask(&r.courier, CourierMsg::Status).await,
        CourierStatus::HeadingToPickup
    );
    assert!(app.try_recv().is_none(), "the app is told nothing");
}
