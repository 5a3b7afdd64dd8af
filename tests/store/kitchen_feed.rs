//! Each kitchen's feed, on both backends: every appended event gets the
//! kitchen's next number, in order, without gaps or repeats, also when
//! orders of one kitchen are appended concurrently; a refused append
//! numbers nothing.

use std::collections::HashMap;
use std::sync::Arc;

use foodiefast::store::Store;
use foodiefast_actors::domain::order::{CancelReason, Order, OrderCommand, OrderStatus};
use foodiefast_actors::store::{OrderStore, OrderView, StoreError};
use foodiefast_geo::{OrderId, RestaurantId};
use tokio::sync::Barrier;

use crate::fixtures::{Tracked, details};
use crate::harness::TestDb;

/// Orders placed at once on one kitchen.
const ORDERS: u64 = 12;

/// Every event of `kitchen`'s feed as `(number, order, version)`.
async fn feed(store: &Store, kitchen: RestaurantId) -> Vec<(u64, u64, u64)> {
    store
        .kitchen_feed_after(kitchen, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.seq, e.order.0, e.version))
        .collect()
}

pub(crate) async fn kitchen_feeds_number_events_in_order(db: TestDb) {
    let store = db.open().await;
    // details(id, ..) cooks at kitchen 40 + id % 3: orders 3 and 6 at 40, 4 at 41.
    let (k40, k41) = (RestaurantId(40), RestaurantId(41));
    assert_eq!(store.kitchen_feed_head(k40).await.unwrap(), 0);
    let three = Tracked::placed_in(&store, details(3, 1, 1_000), OrderStatus::SentToChef).await;
    Tracked::placed_in(&store, details(4, 1, 1_000), OrderStatus::Accepted).await;
    let mut six = Tracked::place(&store, details(6, 2, 1_100)).await;
    // Several events in one append take consecutive numbers.
    six.run(
        &store,
        1_200,
        &[OrderCommand::AuthorisePayment, OrderCommand::SendToChef],
    )
    .await;

    assert_eq!(
        feed(&store, k40).await,
        vec![
            (1, 3, 1),
            (2, 3, 2),
            (3, 3, 3),
            (4, 6, 1),
            (5, 6, 2),
            (6, 6, 3)
        ]
    );
    assert_eq!(
        feed(&store, k41).await,
        vec![(1, 4, 1), (2, 4, 2), (3, 4, 3), (4, 4, 4)]
    );
    assert_eq!(store.kitchen_feed_head(k40).await.unwrap(), 6);
    // The events themselves, and paging after a number.
    let page = store.kitchen_feed_after(k40, 3, 2).await.unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!((page[0].seq, page[0].order), (4, OrderId(6)));
    assert_eq!(page[0].event, six.events[0]);
    assert_eq!(page[1].event, six.events[1]);
    assert_eq!(
        store.kitchen_feed_after(k40, 6, 10).await.unwrap(),
        Vec::new()
    );

    // A stale append is refused and numbers nothing.
    let (events, next) = three.decide(
        1_300,
        &[OrderCommand::Cancel {
            reason: CancelReason::Customer,
        }],
    );
    let stale = store
        .append(three.order.id(), 1, &events, &OrderView::of(&next))
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { .. })),
        "{stale:?}"
    );
    assert_eq!(store.kitchen_feed_head(k40).await.unwrap(), 6);
}

pub(crate) async fn concurrent_appends_to_one_kitchen_get_distinct_numbers(db: TestDb) {
    let store = Arc::new(db.open().await);
    // Orders 3, 6, 9, ...: all of kitchen 40.
    let ids: Vec<u64> = (1..=ORDERS).map(|n| n * 3).collect();
    let barrier = Arc::new(Barrier::new(ids.len()));
    let tasks: Vec<_> = ids
        .iter()
        .map(|&id| {
            let (store, barrier) = (store.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                Tracked::placed_in(&store, details(id, 1, 1_000), OrderStatus::SentToChef).await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let numbered = feed(&store, RestaurantId(40)).await;
    let numbers: Vec<u64> = numbered.iter().map(|&(seq, _, _)| seq).collect();
    assert_eq!(
        numbers,
        (1..=ORDERS * 3).collect::<Vec<_>>(),
        "gap-free, once each"
    );
    // Within each order, versions follow the numbering.
    let mut last_version: HashMap<u64, u64> = HashMap::new();
    for (_, order, version) in numbered {
        let previous = last_version.insert(order, version).unwrap_or(0);
        assert_eq!(version, previous + 1, "order {order}");
    }
    assert_eq!(last_version.len(), ids.len());
    let order = Order::from_events(&store.load(OrderId(3)).await.unwrap()).unwrap();
    assert_eq!(order.status(), OrderStatus::SentToChef);
}
