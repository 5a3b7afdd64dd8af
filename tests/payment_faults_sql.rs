//! The payment fault test of the engine (`actors/tests/payment_faults.rs`)
//! over the real stores, with the outbox on: 300 seeded random orders
//! with provider failures and lost answers, declined cards, appends failing
//! or their acknowledgements lost, and the engine restarted on the same
//! database, while an event consumer behind the outbox relay fails and
//! loses acknowledgements too. Then every ledger and hold is checked as
//! there, the outbox is empty, and every event of every order's log
//! reached the consumer at least once, each order's first in its order.
//! On SQLite and on PostgreSQL, in real time (a database answering from
//! its own threads would let paused time jump), so deadlines are seconds.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../actors/tests/support/fake_provider.rs"]
mod fake_provider;
#[path = "../actors/tests/support/fault_script.rs"]
mod fault_script;
#[allow(dead_code)]
#[path = "store/harness.rs"]
mod harness;
#[path = "../actors/tests/support/mod.rs"]
mod support;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use fake_provider::{Chaos, FakeProvider, Rng};
use fault_script::{Fate, KITCHENS, check_every_order_and_hold, fate, kitchen_of, step};
use foodiefast::store::Store;
use foodiefast_actors::clock::Clock;
use foodiefast_actors::dispatch::Decision;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::OrderEvent;
use foodiefast_actors::outbox::{EventSink, SinkError, SinkRetry};
use foodiefast_actors::payments::SagaConfig;
use foodiefast_actors::store::{
    CourierStore, CourierView, DecisionStore, OrderStore, OrderView, OutboxEntry, OutboxStore,
    StoreError,
};
use foodiefast_actors::{Engine, EngineConfig};
use foodiefast_geo::{CourierId, OrderId, Seconds};
use harness::{Backend, TestDb};
use support::{open_kitchen, order, pt};

const ORDERS: u64 = 300;
const SEED: u64 = 0x0005_01F4_FA17;
/// Orders arriving per round.
const WAVE: u64 = 30;
const ROUNDS: u64 = 30;
const ROUND: Duration = Duration::from_millis(300);
/// How long the orders get to settle after the last round.
const SETTLE: Duration = Duration::from_mins(2);

/// The SQL store, with failures on demand.
struct FaultySql {
    inner: Store,
    /// Appends to fail before writing.
    fail_appends: AtomicUsize,
    /// Appends to fail after committing (the acknowledgement is lost).
    lose_acks: AtomicUsize,
}

fn take(counter: &AtomicUsize) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

fn injected() -> StoreError {
    StoreError::Backend("injected failure".into())
}

#[async_trait]
impl OrderStore for FaultySql {
    async fn append(
        &self,
        order: OrderId,
        expected: u64,
        events: &[OrderEvent],
        view: &OrderView,
    ) -> Result<u64, StoreError> {
        if take(&self.fail_appends) {
            return Err(injected());
        }
        let version = self.inner.append(order, expected, events, view).await?;
        if take(&self.lose_acks) {
            return Err(injected());
        }
        Ok(version)
    }
    async fn load(&self, order: OrderId) -> Result<Vec<OrderEvent>, StoreError> {
        self.inner.load(order).await
    }
    async fn active_orders(&self) -> Result<Vec<OrderId>, StoreError> {
        self.inner.active_orders().await
    }
    async fn order_view(&self, order: OrderId) -> Result<Option<OrderView>, StoreError> {
        self.inner.order_view(order).await
    }
    async fn orders_of_customer(
        &self,
        c: CustomerId,
        limit: u32,
    ) -> Result<Vec<OrderView>, StoreError> {
        self.inner.orders_of_customer(c, limit).await
    }
    async fn next_order_id(&self) -> Result<OrderId, StoreError> {
        self.inner.next_order_id().await
    }
}

#[async_trait]
impl CourierStore for FaultySql {
    async fn put_courier(&self, view: &CourierView) -> Result<(), StoreError> {
        self.inner.put_courier(view).await
    }
    async fn courier_view(&self, courier: CourierId) -> Result<Option<CourierView>, StoreError> {
        self.inner.courier_view(courier).await
    }
}

#[async_trait]
impl DecisionStore for FaultySql {
    async fn put_decisions(&self, decisions: &[Decision]) -> Result<(), StoreError> {
        self.inner.put_decisions(decisions).await
    }
    async fn decision_of(&self, order: OrderId) -> Result<Option<Decision>, StoreError> {
        self.inner.decision_of(order).await
    }
}

/// A consumer of the outbox's events that fails now and then: before
/// taking an event, or after taking it with the acknowledgement lost.
struct Consumer {
    seen: Mutex<Vec<String>>,
    rng: Mutex<Rng>,
    failures: AtomicUsize,
}

#[async_trait]
impl EventSink for Consumer {
    async fn deliver(&self, entry: &OutboxEntry) -> Result<(), SinkError> {
        let roll = self.rng.lock().unwrap().below(100);
        if roll < 10 {
            self.failures.fetch_add(1, Ordering::SeqCst);
            return Err(SinkError::Retry("unreachable".into()));
        }
        self.seen.lock().unwrap().push(entry.id());
        if roll < 15 {
            self.failures.fetch_add(1, Ordering::SeqCst);
            return Err(SinkError::Retry("answer lost".into()));
        }
        Ok(())
    }
}

fn unix_now() -> Seconds {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    Seconds(i64::try_from(now.as_secs()).unwrap())
}

async fn start(
    store: &Arc<FaultySql>,
    provider: &Arc<FakeProvider>,
    consumer: &Arc<Consumer>,
) -> Engine {
    let engine = Engine::builder(store.clone(), Clock::starting_at(unix_now()))
        .config(EngineConfig::default())
        .payments(
            provider.clone(),
            SagaConfig {
                currency: "eur".into(),
                courier_timeout: Some(Duration::from_secs(4)),
                retry_first: Duration::from_millis(50),
                retry_max: Duration::from_millis(400),
                placement_wait: Duration::from_millis(100),
            },
        )
        .outbox(Arc::new(store.inner.clone()))
        .event_sink(
            consumer.clone(),
            SinkRetry {
                first: Duration::from_millis(10),
                max: Duration::from_millis(100),
            },
        )
        .start()
        .await
        .expect("starts");
    for kitchen in 1..=KITCHENS {
        open_kitchen(&engine, kitchen, pt(0.0), Seconds(5)).await;
    }
    engine
}

/// Places the orders due by `arrivals` not placed yet; stops at the first
/// placement a store fault stopped (placed again next round).
async fn place_arrivals(
    engine: &Engine,
    store: &FaultySql,
    fates: &[Fate],
    placed: &mut u64,
    arrivals: u64,
) {
    while *placed < arrivals.min(ORDERS) {
        let id = *placed + 1;
        let method = if fates[(id - 1) as usize] == Fate::Declined {
            "pm_card_chargeDeclined"
        } else {
            "pm_card_visa"
        };
        let mut details = order(id, kitchen_of(id), pt(0.0), pt(800.0));
        details.placed_at = engine.clock().now();
        let outcome = engine.place_paid_order(details, method.into()).await;
        let recorded = store.order_view(OrderId(id)).await.unwrap().is_some();
        if outcome.is_err() && !recorded {
            break;
        }
        *placed += 1;
    }
}

async fn faults_over_a_real_store(db: TestDb) {
    let store = Arc::new(FaultySql {
        inner: db.open().await,
        fail_appends: AtomicUsize::new(0),
        lose_acks: AtomicUsize::new(0),
    });
    let provider = Arc::new(FakeProvider::default());
    *provider.chaos.lock().unwrap() = Some(Chaos {
        rng: Rng(SEED),
        fail_per_mille: 150,
        lose_per_mille: 100,
    });
    let consumer = Arc::new(Consumer {
        seen: Mutex::default(),
        rng: Mutex::new(Rng(SEED.rotate_left(29))),
        failures: AtomicUsize::new(0),
    });
    let mut rng = Rng(SEED.rotate_left(17));
    let fates: Vec<Fate> = (1..=ORDERS).map(|_| fate(&mut rng)).collect();
    let mut engine = start(&store, &provider, &consumer).await;
    let (mut placed, mut restarts, mut store_faults) = (0_u64, 0, 0);
    for round in 0..ROUNDS {
        place_arrivals(&engine, &store, &fates, &mut placed, (round + 1) * WAVE).await;
        for id in 1..=placed {
            step(&engine, &*store, id, fates[(id - 1) as usize], &mut rng).await;
        }
        // Faults at fixed rounds: how often the script draws from `rng`
        // depends on timing, and every run must have its share.
        match round % 6 {
            5 => {
                engine.shutdown().await;
                engine = start(&store, &provider, &consumer).await;
                restarts += 1;
            }
            1 => {
                store.fail_appends.store(1, Ordering::SeqCst);
                store_faults += 1;
            }
            3 => {
                store.lose_acks.store(1, Ordering::SeqCst);
                store_faults += 1;
            }
            _ => {}
        }
        tokio::time::sleep(ROUND).await;
    }
    // The people go on until every order and its payment is settled and
    // every event left the outbox.
    let deadline = tokio::time::Instant::now() + SETTLE;
    loop {
        place_arrivals(&engine, &store, &fates, &mut placed, ORDERS).await;
        let active = store.inner.active_orders().await.unwrap();
        let outbox = store.inner.unpublished(1).await.unwrap();
        if placed == ORDERS && active.is_empty() && outbox.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not settled: {active:?} active, {} in the outbox",
            outbox.len()
        );
        for id in active {
            step(&engine, &*store, id.0, fates[(id.0 - 1) as usize], &mut rng).await;
        }
        tokio::time::sleep(ROUND).await;
    }
    assert!(
        restarts == 5 && store_faults == 10,
        "{restarts} restarts, {store_faults} store faults"
    );
    check_every_order_and_hold(&store.inner, &provider, &fates, false).await;
    let (logged, seen) = check_every_event_consumed(&store.inner, &consumer).await;
    eprintln!(
        "{ORDERS} orders, {restarts} restarts, {store_faults} store faults, \
         {logged} events logged, {seen} deliveries to the consumer"
    );
    engine.shutdown().await;
}

/// Every event of every order's log reached the consumer at least once,
/// each order's events first seen in their order.
async fn check_every_event_consumed(store: &Store, consumer: &Consumer) -> (usize, usize) {
    let seen = consumer.seen.lock().unwrap().clone();
    let mut first: HashMap<u64, Vec<u64>> = HashMap::new();
    let mut distinct = HashSet::new();
    for id in &seen {
        if distinct.insert(id.clone()) {
            let (order, version) = id.split_once('-').unwrap();
            first
                .entry(order.parse().unwrap())
                .or_default()
                .push(version.parse().unwrap());
        }
    }
    let mut logged = 0;
    for id in 1..=ORDERS {
        let log = store.load(OrderId(id)).await.unwrap();
        logged += log.len();
        let versions = first.remove(&id).unwrap_or_default();
        let expected: Vec<u64> = (1..=log.len() as u64).collect();
        assert_eq!(
            versions, expected,
            "order {id}: every event, first seen in order"
        );
    }
    assert!(first.is_empty(), "events of no order: {first:?}");
    assert!(
        seen.len() > logged && consumer.failures.load(Ordering::SeqCst) > 0,
        "the consumer's failures made the relay repeat events ({} seen, {logged} logged)",
        seen.len()
    );
    (logged, seen.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_random_orders_with_faults_settle_and_every_event_is_consumed() {
    harness::run(Backend::Sqlite, faults_over_a_real_store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_random_orders_with_faults_settle_and_every_event_is_consumed() {
    harness::run(Backend::Postgres, faults_over_a_real_store).await;
}
