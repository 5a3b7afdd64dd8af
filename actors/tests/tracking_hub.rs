//! The tracking hub: publishers never wait, status changes are never lost
//! (a hopelessly slow subscriber is cut off as lagged instead), and only the
//! latest courier position is worth keeping.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use foodiefast_actors::domain::order::OrderEvent;
use foodiefast_actors::tracking::{Closed, Subscription, Topic, TrackingHub, Update};
use foodiefast_geo::{CourierId, OrderId, Point, Seconds};
use proptest::prelude::*;

const ORDER: Topic = Topic::Order(OrderId(1));

fn status(version: u64) -> Update {
    Update::Status {
        order: OrderId(1),
        version,
        event: OrderEvent::Ready {
            at: Seconds(version as i64),
        },
    }
}

fn position(courier: u64, x: f64) -> Update {
    Update::Position {
        courier: CourierId(courier),
        at: Point::new(x, 0.0).expect("valid"),
        eta: None,
    }
}

fn drain(sub: &Subscription) -> (Vec<Update>, Option<Closed>) {
    let mut got = Vec::new();
    while let Some(next) = sub.try_recv() {
        match next {
            Ok(u) => got.push(u),
            Err(why) => return (got, Some(why)),
        }
    }
    (got, None)
}

#[tokio::test]
async fn every_subscriber_gets_every_status_in_order() {
    let hub = TrackingHub::new(16);
    let a = hub.subscribe(ORDER);
    let b = hub.subscribe(ORDER);
    let other = hub.subscribe(Topic::Order(OrderId(2)));
    for v in 1..=5 {
        hub.publish(ORDER, &status(v));
    }
    for sub in [&a, &b] {
        for v in 1..=5 {
            assert_eq!(sub.recv().await, Ok(status(v)));
        }
    }
    assert_eq!(drain(&other), (vec![], None));
}

#[tokio::test]
async fn only_the_latest_position_of_a_courier_is_kept() {
    let hub = TrackingHub::new(16);
    let sub = hub.subscribe(ORDER);
    for i in 0..100 {
        hub.publish(ORDER, &position(7, f64::from(i)));
    }
    assert_eq!(drain(&sub), (vec![position(7, 99.0)], None));
}

#[test]
fn a_full_queue_drops_positions_never_statuses() {
    let hub = TrackingHub::new(4);
    let sub = hub.subscribe(ORDER);
    hub.publish(ORDER, &position(1, 0.0));
    hub.publish(ORDER, &status(1));
    hub.publish(ORDER, &position(2, 0.0));
    hub.publish(ORDER, &status(2));
    hub.publish(ORDER, &status(3)); // full: the oldest position goes
    hub.publish(ORDER, &status(4)); // full: the other position goes
    let (got, closed) = drain(&sub);
    assert_eq!(got, vec![status(1), status(2), status(3), status(4)]);
    assert_eq!(closed, None);
}

#[tokio::test]
async fn a_subscriber_too_far_behind_on_statuses_is_cut_off_as_lagged() {
    let hub = TrackingHub::new(2);
    let sub = hub.subscribe(ORDER);
    for v in 1..=3 {
        hub.publish(ORDER, &status(v));
    }
    assert_eq!(sub.recv().await, Err(Closed::Lagged));
    hub.publish(ORDER, &status(4));
    assert_eq!(
        sub.try_recv(),
        Some(Err(Closed::Lagged)),
        "a lagged subscription stays closed"
    );
}

#[test]
fn publishing_to_a_subscriber_that_never_reads_does_not_grow_without_bound() {
    let hub = TrackingHub::new(8);
    let sub = hub.subscribe(ORDER);
    for i in 0..200_000 {
        hub.publish(ORDER, &position(i % 5, f64::from(i as u32)));
    }
    let (got, closed) = drain(&sub);
    assert!(
        got.len() <= 5,
        "one position per courier at most, got {}",
        got.len()
    );
    assert_eq!(closed, None);
}

#[tokio::test]
async fn a_waiting_subscriber_wakes_on_publish() {
    let hub = std::sync::Arc::new(TrackingHub::new(4));
    let sub = hub.subscribe(ORDER);
    let publisher = {
        let hub = hub.clone();
        tokio::spawn(async move {
            tokio::task::yield_now().await;
            hub.publish(ORDER, &status(1));
        })
    };
    assert_eq!(sub.recv().await, Ok(status(1)));
    publisher.await.expect("publisher finished");
}

#[tokio::test]
async fn dropped_subscriptions_are_forgotten_and_shutdown_ends_the_rest() {
    let hub = TrackingHub::new(4);
    let gone = hub.subscribe(ORDER);
    let stays = hub.subscribe(ORDER);
    assert_eq!(hub.subscribers(ORDER), 2);
    drop(gone);
    hub.publish(ORDER, &status(1));
    assert_eq!(hub.subscribers(ORDER), 1);
    hub.shutdown();
    assert_eq!(
        stays.recv().await,
        Ok(status(1)),
        "queued updates are still delivered"
    );
    assert_eq!(stays.recv().await, Err(Closed::Shutdown));
}

proptest! {
    #[test]
    fn statuses_arrive_complete_and_in_order_or_the_subscriber_is_told_it_lagged(
        ops in proptest::collection::vec((any::<bool>(), 0u64..3, any::<bool>()), 0..200),
        capacity in 1usize..12,
    ) {
        let hub = TrackingHub::new(capacity);
        let sub = hub.subscribe(ORDER);
        let mut published = Vec::new();
        let mut received = Vec::new();
        let mut lagged = false;
        for (is_status, courier, read) in ops {
            if is_status {
                let u = status(published.len() as u64 + 1);
                published.push(u.clone());
                hub.publish(ORDER, &u);
            } else {
                hub.publish(ORDER, &position(courier, published.len() as f64));
            }
            if read {
                match sub.try_recv() {
                    Some(Ok(u)) => received.push(u),
                    Some(Err(Closed::Lagged)) => { lagged = true; break; }
                    Some(Err(Closed::Shutdown)) => prop_assert!(false, "not shut down"),
                    None => {}
                }
            }
        }
        if !lagged {
            let (rest, closed) = drain(&sub);
            received.extend(rest);
            lagged = closed == Some(Closed::Lagged);
        }
        let statuses: Vec<Update> = received.into_iter().filter(|u| matches!(u, Update::Status { .. })).collect();
        if lagged {
            prop_assert_eq!(&published[..statuses.len()], &statuses[..], "a prefix, in order");
        } else {
            prop_assert_eq!(published, statuses);
        }
    }
}
