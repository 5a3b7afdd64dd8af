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
use fault_script::{Fate, KITCHENS, check_every_order_and_hold, fate, place_arrivals, step};
use foodiefast::store::Store;
use foodiefast_actors::clock::Clock;
use foodiefast_actors::outbox::{EventSink, SinkError, SinkRetry};
use foodiefast_actors::payments::SagaConfig;
use foodiefast_actors::store::{OrderStore, OutboxEntry, OutboxStore};
use foodiefast_actors::{Engine, EngineConfig};
use foodiefast_geo::{OrderId, Seconds};
use harness::{Backend, TestDb};
use support::faulty_store::FaultyStore;
use support::{open_kitchen, pt};

const ORDERS: u64 = 300;
const SEED: u64 = 0x0005_01F4_FA17;
/// Orders arriving per round.
const WAVE: u64 = 30;
const ROUNDS: u64 = 30;
const ROUND: Duration = Duration::from_millis(300);
/// How long the orders get to settle after the last round.
const SETTLE: Duration = Duration::from_mins(2);

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
    store: &Arc<FaultyStore<Store>>,
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

async fn faults_over_a_real_store(db: TestDb) {
    let store = Arc::new(FaultyStore::over(db.open().await));
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
        place_arrivals(&engine, &*store, &fates, &mut placed, (round + 1) * WAVE).await;
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
        place_arrivals(&engine, &*store, &fates, &mut placed, ORDERS).await;
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
