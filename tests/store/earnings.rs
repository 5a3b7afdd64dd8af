//! What pay statements read: shift sessions, opened and closed by the
//! courier views' writes, and deliveries, recorded by the appends of
//! `delivered` events; and, for a store migrated from before they were
//! recorded, the deliveries already in the log.

use foodiefast::store::{Delivery, Session};
use foodiefast_actors::domain::courier::CourierStatus;
use foodiefast_actors::domain::order::OrderStatus;
use foodiefast_actors::store::{CourierStore, CourierView, OrderStore};
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds};

use crate::fixtures::{COURIER, Tracked, details};
use crate::harness::TestDb;

fn view(id: u64, status: CourierStatus, at: i64, shift_end: Option<i64>) -> CourierView {
    CourierView {
        id: CourierId(id),
        status,
        position: (status != CourierStatus::Offline).then(|| Point::new(1.0, 2.0).unwrap()),
        shift_end: shift_end.map(Seconds),
        updated_at: Seconds(at),
    }
}

fn session(start: i64, end: Option<i64>, planned: Option<i64>) -> Session {
    Session {
        started_at: start,
        ended_at: end,
        shift_end: planned,
    }
}

pub(crate) async fn shift_sessions_open_and_close_with_the_courier_view(db: TestDb) {
    use CourierStatus as S;
    let store = db.open().await;
    let c = CourierId(5);
    assert_eq!(store.courier_sessions(c, (0, 10_000)).await.unwrap(), []);
    // Offline with no session open: nothing to close.
    store
        .put_courier(&view(5, S::Offline, 50, None))
        .await
        .unwrap();
    // Online at 100; working changes the status but not the session; the
    // app saying so again with a later end moves the planned end.
    for (status, at, end) in [
        (S::Idle, 100, 9_000),
        (S::Offered, 150, 9_000),
        (S::HeadingToPickup, 200, 9_500),
        (S::Delivering, 300, 9_500),
    ] {
        store
            .put_courier(&view(5, status, at, Some(end)))
            .await
            .unwrap();
    }
    assert_eq!(
        store.courier_sessions(c, (0, 10_000)).await.unwrap(),
        [session(100, None, Some(9_500))]
    );
    store
        .put_courier(&view(5, S::Offline, 1_000, None))
        .await
        .unwrap();
    store
        .put_courier(&view(5, S::Offline, 1_100, None))
        .await
        .unwrap();
    store
        .put_courier(&view(5, S::Idle, 2_000, Some(5_000)))
        .await
        .unwrap();
    // Another courier's shift is its own.
    store
        .put_courier(&view(6, S::Idle, 0, Some(5_000)))
        .await
        .unwrap();
    assert_eq!(
        store.courier_sessions(c, (0, 10_000)).await.unwrap(),
        [
            session(100, Some(1_000), Some(9_500)),
            session(2_000, None, Some(5_000))
        ]
    );
    // Only sessions overlapping the period: [1000, 2000) touches neither.
    assert_eq!(store.courier_sessions(c, (1_000, 2_000)).await.unwrap(), []);
    assert_eq!(
        store.courier_sessions(c, (999, 1_000)).await.unwrap(),
        [session(100, Some(1_000), Some(9_500))]
    );
    assert_eq!(
        store
            .courier_sessions(c, (2_500, 2_600))
            .await
            .unwrap()
            .len(),
        1
    );
    // A clock that went back never closes a session before it started.
    store
        .put_courier(&view(5, S::Offline, 1_500, None))
        .await
        .unwrap();
    assert_eq!(
        store.courier_sessions(c, (0, 10_000)).await.unwrap(),
        [
            session(100, Some(1_000), Some(9_500)),
            session(2_000, Some(2_000), Some(5_000))
        ]
    );
    // The view and the session survive a reopening.
    store.close().await;
    let again = db.open().await;
    assert_eq!(
        again.courier_sessions(c, (0, 10_000)).await.unwrap().len(),
        2
    );
}

pub(crate) async fn deliveries_are_recorded_with_their_append(db: TestDb) {
    let store = db.open().await;
    let delivered = Tracked::placed_in(&store, details(1, 1, 1_000), OrderStatus::Delivered).await;
    let delivered_at = delivered.order.updated_at().0;
    Tracked::placed_in(&store, details(2, 1, 1_000), OrderStatus::PickedUp).await;
    let later = Tracked::placed_in(&store, details(4, 1, 5_000), OrderStatus::Delivered).await;
    let all = store
        .courier_deliveries(COURIER, (0, 100_000))
        .await
        .unwrap();
    assert_eq!(
        all,
        [
            Delivery {
                order: OrderId(1),
                delivered_at
            },
            Delivery {
                order: OrderId(4),
                delivered_at: later.order.updated_at().0
            }
        ]
    );
    let first_only = store
        .courier_deliveries(COURIER, (0, delivered_at + 1))
        .await
        .unwrap();
    assert_eq!(first_only.len(), 1);
    assert_eq!(
        store
            .courier_deliveries(CourierId(8), (0, 100_000))
            .await
            .unwrap(),
        []
    );
    // Kitchen 41 (order 1 and 4: 40 + id % 3) has two delivered orders;
    // order 2 (kitchen 42) is not delivered.
    let kitchen = |k| RestaurantId(k);
    assert_eq!(
        store
            .kitchen_delivered_between(kitchen(41), (0, 100_000))
            .await
            .unwrap(),
        [OrderId(1), OrderId(4)]
    );
    assert_eq!(
        store
            .kitchen_delivered_between(kitchen(41), (0, 4_000))
            .await
            .unwrap(),
        [OrderId(1)],
        "order 4 was placed after the period"
    );
    assert_eq!(
        store
            .kitchen_delivered_between(kitchen(41), (delivered_at + 1, 100_000))
            .await
            .unwrap(),
        [OrderId(4)],
        "order 1 did not change in the period"
    );
    assert_eq!(
        store
            .kitchen_delivered_between(kitchen(42), (0, 100_000))
            .await
            .unwrap(),
        []
    );
    assert_eq!(store.load(OrderId(1)).await.unwrap(), delivered.events);
}

/// A store whose log holds deliveries from before they were recorded
/// apart: the migration that adds the table fills it from the log.
pub(crate) async fn the_migration_records_deliveries_already_logged(db: TestDb) {
    let store = db.open().await;
    Tracked::placed_in(&store, details(7, 1, 1_000), OrderStatus::Delivered).await;
    let expected = store
        .courier_deliveries(COURIER, (0, 100_000))
        .await
        .unwrap();
    assert_eq!(expected.len(), 1);
    store.close().await;
    // Back to before migration 0007, the log kept.
    db.execute(
        "DROP TABLE courier_deliveries; DROP TABLE courier_sessions; \
         DROP INDEX order_views_by_kitchen; DROP INDEX order_outbox_unrelayed; \
         ALTER TABLE order_outbox DROP COLUMN relayed; \
         DELETE FROM _sqlx_migrations WHERE version = 7;",
    )
    .await;
    let migrated = db.open().await;
    assert_eq!(
        migrated
            .courier_deliveries(COURIER, (0, 100_000))
            .await
            .unwrap(),
        expected
    );
}
