//! A thousand random orders through the engine and its payment saga, with
//! faults: the provider unavailable or losing its answers after acting,
//! declined cards, appends failing or their acknowledgements lost, and the
//! engine killed between steps and started again on the same store. Then
//! every order and every hold at the provider is checked: no double
//! capture or authorisation, no hold left hanging once its order's
//! deadlines have passed, every ledger balanced. Seeded, on paused time.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/fault_script.rs"]
mod fault_script;
mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use fake_provider::{Chaos, FakeProvider, Rng};
use fault_script::{Fate, KITCHENS, check_every_order_and_hold, fate, place_arrivals, step};
use foodiefast_actors::clock::Clock;
use foodiefast_actors::payments::SagaConfig;
use foodiefast_actors::{Engine, EngineConfig};
use foodiefast_geo::Seconds;
use support::faulty_store::FaultyStore;
use support::{open_kitchen, pt, run_for};

const ORDERS: u64 = 1_000;
const SEED: u64 = 0x005E_ED0F_FA17;
/// Orders arriving per round; a round is ten seconds.
const WAVE: u64 = 50;
const ROUNDS: u64 = 70;

async fn start(store: &Arc<FaultyStore>, provider: &Arc<FakeProvider>) -> Engine {
    let engine = Engine::builder(store.clone(), Clock::starting_at(Seconds(0)))
        .config(EngineConfig::default())
        .payments(
            provider.clone(),
            SagaConfig {
                currency: "eur".into(),
                courier_timeout: Some(Duration::from_mins(5)),
                retry_first: Duration::from_secs(1),
                retry_max: Duration::from_secs(16),
                placement_wait: Duration::from_millis(100),
            },
        )
        .start()
        .await
        .expect("starts");
    for kitchen in 1..=KITCHENS {
        open_kitchen(&engine, kitchen, pt(0.0), Seconds(120)).await;
    }
    engine
}

#[tokio::test(start_paused = true)]
async fn a_thousand_random_orders_with_faults_settle_every_payment_exactly_once() {
    let store = Arc::new(FaultyStore::default());
    let provider = Arc::new(FakeProvider::default());
    *provider.chaos.lock().unwrap() = Some(Chaos {
        rng: Rng(SEED),
        fail_per_mille: 150,
        lose_per_mille: 100,
    });
    let mut rng = Rng(SEED.rotate_left(17));
    let fates: Vec<Fate> = (1..=ORDERS).map(|_| fate(&mut rng)).collect();
    let mut engine = start(&store, &provider).await;
    let mut placed = 0_u64;
    let mut restarts = 0;
    let mut store_faults = 0;
    for round in 0..ROUNDS {
        // This round's arrivals (and any placement a fault stopped).
        place_arrivals(&engine, &*store, &fates, &mut placed, (round + 1) * WAVE).await;
        for id in 1..=placed {
            step(&engine, &*store, id, fates[(id - 1) as usize], &mut rng).await;
        }
        match rng.below(12) {
            0 | 1 => {
                // Killed between steps: payment calls in flight are lost
                // with the process; the store keeps what was acknowledged.
                engine.shutdown().await;
                engine = start(&store, &provider).await;
                restarts += 1;
            }
            2 => {
                store.fail_appends.store(1, Ordering::SeqCst);
                store_faults += 1;
            }
            3 => {
                store.lose_acks.store(1, Ordering::SeqCst);
                store_faults += 1;
            }
            _ => {}
        }
        run_for(10).await;
    }
    // Every deadline (kitchen answers, courier search) and retry runs out.
    run_for(15 * 60).await;
    assert_eq!(placed, ORDERS);
    assert!(
        restarts >= 5 && store_faults >= 5,
        "{restarts} restarts, {store_faults} store faults"
    );
    check_every_order_and_hold(&store.inner, &provider, &fates, true).await;
    engine.shutdown().await;
}
