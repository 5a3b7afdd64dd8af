//! The store's contract, written once and run on both backends (see
//! `main.rs`). Every case gets a fresh database.

use std::collections::HashSet;
use std::process::Command;
use std::sync::Arc;

use foodiefast::store::Store;
use foodiefast_actors::dispatch::Decision;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::courier::CourierStatus;
use foodiefast_actors::domain::order::{
    CancelReason, Order, OrderCommand, OrderEvent, OrderStatus,
};
use foodiefast_actors::store::{
    CourierStore, CourierView, DecisionStore, OrderStore, OrderView, StoreError,
};
use foodiefast_geo::assignment::Candidate;
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds};
use tokio::sync::Barrier;

use crate::fixtures::{ALL_STATUSES, Tracked, details, path_to};
use crate::harness::{Backend, TestDb};

pub(crate) use crate::earnings::{
    deliveries_are_recorded_with_their_append, shift_sessions_open_and_close_with_the_courier_view,
    the_migration_records_deliveries_already_logged,
};
pub(crate) use crate::gateway_tables::{
    accounts_are_unique_by_email_and_renamed, busy_mode_is_stored_beside_the_kitchen,
    idempotency_keys_are_claimed_once, kitchens_and_menus_round_trip,
};
pub(crate) use crate::kitchen_feed::{
    concurrent_appends_to_one_kitchen_get_distinct_numbers, kitchen_feeds_number_events_in_order,
};

/// What `load` and `order_view` return is exactly what was appended.
async fn assert_stored(store: &Store, tracked: &Tracked) {
    let id = tracked.order.id();
    let loaded = store.load(id).await.unwrap();
    assert_eq!(loaded, tracked.events, "events of {id}");
    assert_eq!(Order::from_events(&loaded).unwrap(), tracked.order);
    assert_eq!(store.order_view(id).await.unwrap(), Some(tracked.view()));
}

pub(crate) async fn append_then_load_round_trips(db: TestDb) {
    let store = db.open().await;
    assert_eq!(
        store.load(OrderId(1)).await.unwrap(),
        Vec::<OrderEvent>::new()
    );
    assert_eq!(store.order_view(OrderId(1)).await.unwrap(), None);

    let mut order = Tracked::place(&store, details(1, 7, 1_000)).await;
    assert_stored(&store, &order).await;
    // Two commands, two events, one append: the version moves by two.
    order
        .run(
            &store,
            1_010,
            &[OrderCommand::AuthorisePayment, OrderCommand::SendToChef],
        )
        .await;
    assert_eq!(order.order.version(), 3);
    for (i, command) in (1..).zip(path_to(OrderStatus::Delivered).into_iter().skip(2)) {
        order.run(&store, 1_100 + i * 97, &[command]).await;
        assert_stored(&store, &order).await;
    }
    assert_eq!(order.order.status(), OrderStatus::Delivered);

    // Reasons with free text survive too.
    let rejected = Tracked::placed_in(&store, details(2, 7, 1_200), OrderStatus::Rejected).await;
    let cancelled = Tracked::placed_in(&store, details(3, 8, 1_300), OrderStatus::Cancelled).await;
    for tracked in [&order, &rejected, &cancelled] {
        assert_stored(&store, tracked).await;
    }
}

pub(crate) async fn a_stale_append_conflicts_and_writes_nothing(db: TestDb) {
    let store = db.open().await;
    let mut order = Tracked::place(&store, details(5, 1, 1_000)).await;
    let stale = order.clone();
    order
        .run(&store, 1_060, &[OrderCommand::AuthorisePayment])
        .await;

    let cancel = OrderCommand::Cancel {
        reason: CancelReason::Customer,
    };
    let (events, next) = stale.decide(1_070, &[cancel]);
    for expected in [1, 3] {
        let err = store
            .append(OrderId(5), expected, &events, &OrderView::of(&next))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict { order: OrderId(5), expected: e, actual: 2 } if e == expected),
            "{err:?}"
        );
    }
    assert_stored(&store, &order).await;

    // A stream that does not exist is at version 0.
    let fresh = Tracked::place(&store, details(6, 1, 1_000)).await;
    let err = store
        .append(OrderId(99), 1, &fresh.events, &fresh.view())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { actual: 0, .. }),
        "{err:?}"
    );
    assert_eq!(
        store.load(OrderId(99)).await.unwrap(),
        Vec::<OrderEvent>::new()
    );
    assert_eq!(store.order_view(OrderId(99)).await.unwrap(), None);
}

/// Appends `events` and `view` for `order` at `expected` from a task of its
/// own, starting when every racer is ready.
fn racer(
    store: &Store,
    gate: &Arc<Barrier>,
    order: OrderId,
    expected: u64,
    (events, view): (Vec<OrderEvent>, OrderView),
) -> tokio::task::JoinHandle<(Result<u64, StoreError>, Vec<OrderEvent>, OrderView)> {
    let (store, gate) = (store.clone(), Arc::clone(gate));
    tokio::spawn(async move {
        gate.wait().await;
        let result = store.append(order, expected, &events, &view).await;
        (result, events, view)
    })
}

pub(crate) async fn of_two_concurrent_appends_exactly_one_wins(db: TestDb) {
    let store = db.open().await;
    for round in 0..64_u64 {
        let id = 100 + round;
        // Two placements of the same new order, then two commands on it.
        let placings = [details(id, 1, 1_000), details(id, 2, 1_001)].map(|d| {
            let event = Order::place(d).unwrap();
            let order = Order::from_events([&event]).unwrap();
            (vec![event], OrderView::of(&order))
        });
        let winner = race(&store, OrderId(id), 0, placings).await;
        let mut tracked = Tracked {
            order: Order::from_events(&winner.0).unwrap(),
            events: winner.0,
        };
        assert_stored(&store, &tracked).await;

        let commands = [
            OrderCommand::AuthorisePayment,
            OrderCommand::Cancel {
                reason: CancelReason::Customer,
            },
        ];
        let decided = commands.map(|c| {
            let (events, next) = tracked.decide(1_100, &[c]);
            (events, OrderView::of(&next))
        });
        let winner = race(&store, OrderId(id), 1, decided).await;
        tracked.events.extend(winner.0);
        tracked.order = Order::from_events(&tracked.events).unwrap();
        assert_eq!(OrderView::of(&tracked.order), winner.1);
        assert_stored(&store, &tracked).await;
    }
}

/// Races two appends at `expected`; checks exactly one wins and the other
/// gets a conflict; returns the winner's events and view.
async fn race(
    store: &Store,
    order: OrderId,
    expected: u64,
    contenders: [(Vec<OrderEvent>, OrderView); 2],
) -> (Vec<OrderEvent>, OrderView) {
    let gate = Arc::new(Barrier::new(2));
    let [a, b] = contenders.map(|c| racer(store, &gate, order, expected, c));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let (won, lost) = match (&a.0, &b.0) {
        (Ok(_), Err(_)) => (a, b),
        (Err(_), Ok(_)) => (b, a),
        _ => panic!("expected exactly one winner: {:?} / {:?}", a.0, b.0),
    };
    assert_eq!(won.0.unwrap(), expected + 1);
    let err = lost.0.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { actual, .. } if actual == expected + 1),
        "{err:?}"
    );
    (won.1, won.2)
}

pub(crate) async fn active_orders_are_the_non_terminal_ones(db: TestDb) {
    let store = db.open().await;
    assert_eq!(store.active_orders().await.unwrap(), Vec::<OrderId>::new());
    let mut active = Vec::new();
    for (id, status) in (1_u64..).zip(ALL_STATUSES) {
        let tracked = Tracked::placed_in(&store, details(id, 1, 1_000), status).await;
        assert_eq!(
            store.order_view(OrderId(id)).await.unwrap().unwrap().status,
            status
        );
        assert_eq!(tracked.view().status, status);
        if !status.is_terminal() {
            active.push(OrderId(id));
        }
    }
    assert_eq!(active.len(), 7);
    assert_eq!(store.active_orders().await.unwrap(), active);
    let with_kitchens: Vec<(OrderId, RestaurantId)> = active
        .iter()
        .map(|id| (*id, RestaurantId(40 + id.0 % 3)))
        .collect();
    assert_eq!(
        store.active_orders_by_kitchen().await.unwrap(),
        with_kitchens
    );
}

pub(crate) async fn a_customers_orders_come_newest_first(db: TestDb) {
    let store = db.open().await;
    // Placed at 300, 100, 300 (a tie, broken by id, higher first), 200.
    for (id, placed_at) in [(1, 300), (2, 100), (3, 300), (4, 200)] {
        Tracked::placed_in(&store, details(id, 42, placed_at), OrderStatus::Accepted).await;
    }
    Tracked::place(&store, details(5, 43, 500)).await;
    let ids = |views: Vec<OrderView>| views.into_iter().map(|v| v.id.0).collect::<Vec<_>>();
    let all = store.orders_of_customer(CustomerId(42), 10).await.unwrap();
    assert!(
        all.iter()
            .all(|v| v.customer == CustomerId(42) && v.status == OrderStatus::Accepted)
    );
    assert_eq!(ids(all), [3, 1, 4, 2]);
    assert_eq!(
        ids(store.orders_of_customer(CustomerId(42), 2).await.unwrap()),
        [3, 1]
    );
    assert_eq!(
        ids(store.orders_of_customer(CustomerId(42), 0).await.unwrap()),
        Vec::<u64>::new()
    );
    assert_eq!(
        ids(store.orders_of_customer(CustomerId(43), 10).await.unwrap()),
        [5]
    );
    assert_eq!(
        ids(store.orders_of_customer(CustomerId(44), 10).await.unwrap()),
        Vec::<u64>::new()
    );
}

pub(crate) async fn order_ids_never_repeat(db: TestDb) {
    let store = db.open().await;
    let mut seen = HashSet::new();
    for _ in 0..20 {
        assert!(seen.insert(store.next_order_id().await.unwrap()));
    }
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.next_order_id().await.unwrap() })
        })
        .collect();
    for task in tasks {
        let id = task.await.unwrap();
        assert!(seen.insert(id), "{id} handed out twice");
    }
    store.close().await;
    let reopened = db.open().await;
    for _ in 0..20 {
        let id = reopened.next_order_id().await.unwrap();
        assert!(seen.insert(id), "{id} handed out again after reopening");
    }
}

fn courier(id: u64, status: CourierStatus, position: Option<(f64, f64)>, at: i64) -> CourierView {
    CourierView {
        id: CourierId(id),
        status,
        position: position.map(|(x, y)| Point::new(x, y).unwrap()),
        shift_end: id.is_multiple_of(2).then_some(Seconds(86_000)),
        updated_at: Seconds(at),
    }
}

pub(crate) async fn courier_views_are_put_and_got(db: TestDb) {
    let store = db.open().await;
    assert_eq!(store.courier_view(CourierId(1)).await.unwrap(), None);
    let first = courier(1, CourierStatus::Idle, Some((12.5, -7.75)), 100);
    let second = courier(2, CourierStatus::Offline, None, 100);
    store.put_courier(&first).await.unwrap();
    store.put_courier(&second).await.unwrap();
    assert_eq!(store.courier_view(CourierId(1)).await.unwrap(), Some(first));
    assert_eq!(
        store.courier_view(CourierId(2)).await.unwrap(),
        Some(second.clone())
    );
    let moved = courier(1, CourierStatus::HeadingToPickup, None, 160);
    store.put_courier(&moved).await.unwrap();
    assert_eq!(store.courier_view(CourierId(1)).await.unwrap(), Some(moved));
    assert_eq!(
        store.courier_view(CourierId(2)).await.unwrap(),
        Some(second)
    );
}

fn candidate(courier: u64, cost: i64) -> Candidate {
    Candidate {
        courier: CourierId(courier),
        cost,
        approach: Seconds(300 + cost),
        arrive_at: Seconds(1_300),
        pickup_at: Seconds(1_500),
        latest_departure: Seconds(1_200),
        wait: Seconds(200),
        total_click_to_door: Seconds(2_400),
    }
}

fn decision(offer: u64, orders: &[u64], chosen: u64) -> Decision {
    let candidates = vec![candidate(chosen, 10), candidate(chosen + 1, 25)];
    Decision {
        at: Seconds(1_000 + offer as i64),
        offer,
        orders: orders.iter().copied().map(OrderId).collect(),
        chosen: candidates[0],
        why: format!("courier {chosen} had the lowest cost"),
        candidates,
    }
}

pub(crate) async fn dispatch_decisions_keep_the_latest_per_order(db: TestDb) {
    let store = db.open().await;
    assert_eq!(store.decision_of(OrderId(1)).await.unwrap(), None);
    // A bundle's decision answers for each of its orders.
    let bundle = decision(7, &[1, 2], 30);
    store
        .put_decisions(std::slice::from_ref(&bundle))
        .await
        .unwrap();
    assert_eq!(
        store.decision_of(OrderId(1)).await.unwrap(),
        Some(bundle.clone())
    );
    assert_eq!(
        store.decision_of(OrderId(2)).await.unwrap(),
        Some(bundle.clone())
    );
    // Order 1 declined and offered again: the newer decision replaces it.
    let again = decision(9, &[1], 40);
    let other = decision(10, &[3], 50);
    store
        .put_decisions(&[again.clone(), other.clone()])
        .await
        .unwrap();
    assert_eq!(store.decision_of(OrderId(1)).await.unwrap(), Some(again));
    assert_eq!(store.decision_of(OrderId(2)).await.unwrap(), Some(bundle));
    assert_eq!(store.decision_of(OrderId(3)).await.unwrap(), Some(other));
    // Nothing is kept for orders never offered.
    assert_eq!(store.decision_of(OrderId(4)).await.unwrap(), None);
}

pub(crate) async fn reopening_keeps_everything(db: TestDb) {
    let store = db.open().await;
    let mut orders = Vec::new();
    for (id, status) in (1_u64..).zip([
        OrderStatus::Ready,
        OrderStatus::Delivered,
        OrderStatus::Placed,
    ]) {
        orders.push(Tracked::placed_in(&store, details(id, 3, 1_000), status).await);
    }
    let couriers = [
        courier(9, CourierStatus::WaitingAtRestaurant, Some((1.0, 2.0)), 900),
        courier(10, CourierStatus::Idle, None, 901),
    ];
    for c in &couriers {
        store.put_courier(c).await.unwrap();
    }
    let active = store.active_orders().await.unwrap();
    store.close().await;
    drop(store);

    let store = db.open().await;
    for tracked in &orders {
        assert_stored(&store, tracked).await;
    }
    for c in &couriers {
        assert_eq!(store.courier_view(c.id).await.unwrap().as_ref(), Some(c));
    }
    assert_eq!(store.active_orders().await.unwrap(), active);
    // The streams go on from where they were, and stale writers still conflict.
    let stale = orders[0].clone();
    orders[0]
        .run(
            &store,
            2_000,
            &[OrderCommand::PickUp {
                courier: crate::fixtures::COURIER,
            }],
        )
        .await;
    let (events, next) = stale.decide(
        2_001,
        &[OrderCommand::Cancel {
            reason: CancelReason::Customer,
        }],
    );
    let err = store
        .append(
            next.id(),
            stale.order.version(),
            &events,
            &OrderView::of(&next),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_stored(&store, &orders[0]).await;
}

pub(crate) async fn unreadable_rows_are_corrupt_not_a_panic(db: TestDb) {
    let store = db.open().await;
    // Valid JSON, but no OrderEvent; and a stream with a gap.
    db.execute(r#"INSERT INTO order_events (order_id, version, event) VALUES (900, 1, '{"type":"teleported","at":5}')"#).await;
    db.execute(r#"INSERT INTO order_events (order_id, version, event) VALUES (901, 1, '{"type":"ready","at":5}'), (901, 3, '{"type":"ready","at":6}')"#).await;
    let mut broken = vec![900, 901];
    if db.backend() == Backend::Sqlite {
        // PostgreSQL's jsonb refuses such a row in the first place.
        db.execute(
            "INSERT INTO order_events (order_id, version, event) VALUES (902, 1, 'not json {')",
        )
        .await;
        broken.push(902);
    }
    for id in broken {
        let err = store.load(OrderId(id)).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{id}: {err:?}");
    }
    // A view or a courier with a status this build does not know.
    Tracked::place(&store, details(903, 77, 1_000)).await;
    db.execute("UPDATE order_views SET status = 'lost_in_space' WHERE id = 903")
        .await;
    assert!(matches!(
        store.order_view(OrderId(903)).await,
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        store.orders_of_customer(CustomerId(77), 5).await,
        Err(StoreError::Corrupt(_))
    ));
    db.execute("INSERT INTO courier_views (id, status, updated_at) VALUES (5, 'asleep', 0)")
        .await;
    assert!(matches!(
        store.courier_view(CourierId(5)).await,
        Err(StoreError::Corrupt(_))
    ));
}

pub(crate) async fn migrations_are_idempotent(db: TestDb) {
    let store = db.open().await;
    let report = store.migrate().await.unwrap();
    assert_eq!(
        (report.applied_now, report.applied_total, report.known),
        (0, 9, 9)
    );
    store.close().await;
    let again = db.open().await;
    Tracked::place(&again, details(1, 1, 1)).await;
}

pub(crate) async fn the_migrate_command_reports_backend_and_count(db: TestDb) {
    let (name, value) = db.env();
    let run = move || {
        let output = Command::new(env!("CARGO_BIN_EXE_foodiefast"))
            .arg("migrate")
            .env_remove("DATABASE_URL")
            .env_remove("FOODIEFAST_DB_PATH")
            .env(name, &value)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let (first, second) = tokio::task::spawn_blocking(move || (run(), run()))
        .await
        .unwrap();
    let backend = match db.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let location = db.env().1;
    assert_eq!(
        first,
        format!(
            "backend: {backend} ({location})\nmigrations: applied 9 migrations now; 9 of 9 in place\n"
        )
    );
    assert_eq!(
        second,
        format!(
            "backend: {backend} ({location})\nmigrations: applied 0 migrations now; 9 of 9 in place\n"
        )
    );
    let store = db.open().await;
    assert_eq!(store.migrate().await.unwrap().applied_now, 0);
}

/// An order paid through the engine: its payment state and reason are kept
/// in its view, and it stays active (recovery resumes it) while a payment
/// step is open, whatever its status.
pub(crate) async fn orders_with_an_open_payment_stay_active(db: TestDb) {
    use foodiefast_actors::domain::payment::{Hold, PaymentOutcome, PaymentState, PaymentTerms};
    let store = db.open().await;
    let placed = Order::place(details(1, 1, 1_000)).unwrap();
    let mut order = Order::from_events([&placed]).unwrap();
    let requested = OrderEvent::PaymentRequested {
        at: Seconds(1_000),
        terms: PaymentTerms {
            method: "pm_card_visa".into(),
            amount_cents: order.details().total_cents,
            currency: "eur".into(),
        },
    };
    order.apply(&requested).unwrap();
    let events = vec![placed, requested];
    store
        .append(order.id(), 0, &events, &OrderView::of(&order))
        .await
        .unwrap();
    let mut tracked = Tracked { order, events };
    let view = store.order_view(OrderId(1)).await.unwrap().unwrap();
    assert_eq!(view.payment, PaymentState::Authorising);
    assert_eq!(store.active_orders().await.unwrap(), [OrderId(1)]);
    // Cancelled while the authorisation is in flight: still active.
    let cancel = OrderCommand::Cancel {
        reason: CancelReason::Customer,
    };
    tracked.run(&store, 1_010, &[cancel]).await;
    let view = store.order_view(OrderId(1)).await.unwrap().unwrap();
    assert_eq!(view.status, OrderStatus::Cancelled);
    assert_eq!(view.reason.as_deref(), Some("customer"));
    assert_eq!(store.active_orders().await.unwrap(), [OrderId(1)]);
    let hold = Hold {
        intent: "pi_1".into(),
        amount_cents: tracked.order.details().total_cents,
    };
    let authorised = OrderCommand::RecordPayment(PaymentOutcome::Authorised(hold));
    tracked.run(&store, 1_020, &[authorised]).await;
    assert_eq!(store.active_orders().await.unwrap(), [OrderId(1)]);
    let voided = OrderCommand::RecordPayment(PaymentOutcome::Voided);
    tracked.run(&store, 1_030, &[voided]).await;
    let view = store.order_view(OrderId(1)).await.unwrap().unwrap();
    assert_eq!(view.payment, PaymentState::Voided);
    assert_eq!(store.active_orders().await.unwrap(), Vec::<OrderId>::new());
    assert_stored(&store, &tracked).await;
    tracked.order.check_ledger().unwrap();
}

/// Every append writes its events to the outbox in its own transaction (a
/// refused append writes none); the relay publishes what is there, in
/// order, as after a crash between commit and publication, then clears it.
pub(crate) async fn appends_fill_the_outbox_and_the_relay_empties_it(db: TestDb) {
    use foodiefast_actors::outbox::OutboxRelay;
    use foodiefast_actors::store::{OutboxEntry, OutboxStore};
    use foodiefast_actors::tracking::{Topic, TrackingHub, Update};
    let store = db.open().await;
    let mut tracked =
        Tracked::placed_in(&store, details(1, 1, 1_000), OrderStatus::SentToChef).await;
    let pending = store.unpublished(100).await.unwrap();
    let ids: Vec<String> = pending.iter().map(OutboxEntry::id).collect();
    assert_eq!(ids, ["1-1", "1-2", "1-3"]);
    let events: Vec<OrderEvent> = pending.iter().map(|e| e.event.clone()).collect();
    assert_eq!(events, tracked.events);
    assert!(
        pending
            .iter()
            .all(|e| e.kitchen == tracked.order.details().kitchen)
    );
    let stale = store
        .append(OrderId(1), 1, &tracked.events[1..2], &tracked.view())
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { .. })),
        "{stale:?}"
    );
    assert_eq!(store.unpublished(100).await.unwrap().len(), 3);

    let hub = Arc::new(TrackingHub::new(64));
    let feed = hub.subscribe(Topic::Order(OrderId(1)));
    let relay = OutboxRelay::start(Arc::new(store.clone()), hub.clone());
    let next_version = || async {
        match tokio::time::timeout(std::time::Duration::from_secs(5), feed.recv()).await {
            Ok(Ok(Update::Status { version, .. })) => version,
            other => panic!("no outbox event published: {other:?}"),
        }
    };
    for version in 1..=3 {
        assert_eq!(next_version().await, version);
    }
    let cancel = OrderCommand::Cancel {
        reason: CancelReason::Customer,
    };
    tracked.run(&store, 2_000, &[cancel]).await;
    relay.wake();
    assert_eq!(next_version().await, 4);
    for _ in 0..250 {
        if store.unpublished(10).await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        store.unpublished(10).await.unwrap().is_empty(),
        "published rows are cleared"
    );
    relay.stop();
}

/// With an event sink, the hub's rows are marked relayed and stay, in
/// order, until the sink's loop deletes them; the hub is never offered a
/// relayed row again.
pub(crate) async fn relayed_outbox_rows_wait_for_the_sink(db: TestDb) {
    use foodiefast_actors::store::{OutboxEntry, OutboxStore};
    let store = db.open().await;
    Tracked::placed_in(&store, details(1, 1, 1_000), OrderStatus::SentToChef).await;
    let ids = |rows: Vec<OutboxEntry>| rows.iter().map(OutboxEntry::id).collect::<Vec<_>>();
    assert_eq!(ids(store.unrelayed(2).await.unwrap()), ["1-1", "1-2"]);
    store
        .mark_relayed(&[(OrderId(1), 1), (OrderId(1), 2)])
        .await
        .unwrap();
    assert_eq!(ids(store.unrelayed(10).await.unwrap()), ["1-3"]);
    let all = store.unpublished(10).await.unwrap();
    assert_eq!(
        all.iter().map(|e| (e.id(), e.relayed)).collect::<Vec<_>>(),
        [
            ("1-1".to_owned(), true),
            ("1-2".to_owned(), true),
            ("1-3".to_owned(), false)
        ]
    );
    store.mark_published(&[(OrderId(1), 1)]).await.unwrap();
    assert_eq!(ids(store.unpublished(10).await.unwrap()), ["1-2", "1-3"]);
    assert_eq!(ids(store.unrelayed(10).await.unwrap()), ["1-3"]);
}
