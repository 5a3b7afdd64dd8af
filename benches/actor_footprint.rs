//! Spawn time and memory of idle orders: an engine starts on a store
//! holding N placed orders and rehydrates one actor per order (the recovery
//! path after a restart). Reports the wall time, the heap each live order
//! holds, and the heap each holds once idle long enough to sleep
//! (passivated: its actor stopped, a registry record left), counted exactly
//! by an instrumented allocator (live bytes after minus before, divided by
//! N). Targets: 100,000 actors in 1 s or less, 4 KiB or less per idle order.
//! For comparison it also spawns N bare ractor actors (no state, no
//! messages). With `CI` set, N is 10,000.
//!
//! `cargo bench --bench actor_footprint`

use std::alloc::System;
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use foodiefast_actors::clock::Clock;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::{Order, OrderDetails, OrderLine};
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_actors::store::{OrderStore, OrderView};
use foodiefast_actors::{Engine, EngineConfig};
use foodiefast_geo::{OrderId, Point, RestaurantId, Seconds};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static HEAP: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes currently allocated on the heap.
fn live_heap() -> i64 {
    let s = HEAP.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64 + s.bytes_reallocated as i64
}

fn details(id: u64) -> OrderDetails {
    let point = |x| Point::new(x, 0.0).unwrap_or_else(|_| unreachable!("in range"));
    OrderDetails {
        id: OrderId(id),
        customer: CustomerId(id % 1_000),
        kitchen: RestaurantId(id % 300),
        pickup: point(0.0),
        drop_off: point(1_000.0),
        lines: vec![OrderLine {
            item: "dumplings".into(),
            quantity: 2,
            unit_price_cents: 650,
        }],
        total_cents: 1_300,
        placed_at: Seconds(0),
    }
}

/// Idle time after which the benchmark's orders sleep.
const PASSIVATE_AFTER: std::time::Duration = std::time::Duration::from_secs(15);

/// One round: spawn time, heap per live order, heap per sleeping order.
struct Round {
    spawned: std::time::Duration,
    live: i64,
    asleep: i64,
}

async fn run(n: u64) -> Result<Round, Box<dyn std::error::Error>> {
    let store = Arc::new(MemoryStore::default());
    for id in 1..=n {
        let placed = Order::place(details(id))?;
        let order = Order::from_events([&placed])?;
        store
            .append(OrderId(id), 0, &[placed], &OrderView::of(&order))
            .await?;
    }
    let before = live_heap();
    let start = Instant::now();
    let config = EngineConfig {
        passivate_after: Some(PASSIVATE_AFTER),
        ..EngineConfig::default()
    };
    let engine = Engine::start(store, Clock::starting_at(Seconds(0)), config).await?;
    let spawned = start.elapsed();
    let live = (live_heap() - before) / n as i64;
    assert_eq!(engine.live_orders() as u64, n, "every order has its actor");
    // Idle orders go to sleep one to one and a half idle times later.
    for _ in 0..100 {
        if engine.sleeping_orders() as u64 == n {
            break;
        }
        tokio::time::sleep(PASSIVATE_AFTER / 4).await;
    }
    assert_eq!(engine.sleeping_orders() as u64, n, "every order sleeps");
    // Let the stopped actors finish dropping before counting.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let asleep = (live_heap() - before) / n as i64;
    engine.shutdown().await;
    // Let this round's frees land before the next round counts.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    Ok(Round {
        spawned,
        live,
        asleep,
    })
}

/// An actor with no state and nothing to do: ractor's own cost per actor.
struct Bare;

impl ractor::Actor for Bare {
    type Msg = ();
    type State = ();
    type Arguments = ();

    async fn pre_start(
        &self,
        _myself: ractor::ActorRef<()>,
        _args: (),
    ) -> Result<(), ractor::ActorProcessingErr> {
        Ok(())
    }
}

/// Heap bytes per bare ractor actor, for comparison.
async fn bare(n: u64) -> Result<i64, Box<dyn std::error::Error>> {
    let before = live_heap();
    let mut actors = Vec::with_capacity(n as usize);
    for _ in 0..n {
        actors.push(ractor::Actor::spawn(None, Bare, ()).await?.0);
    }
    let per_actor = (live_heap() - before) / n as i64;
    for a in actors {
        a.stop(None);
    }
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    Ok(per_actor)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = if std::env::var_os("CI").is_some() {
        10_000
    } else {
        100_000
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut out = std::io::stdout().lock();
    for round in 1..=3 {
        let r = rt.block_on(run(n))?;
        writeln!(
            out,
            "actor_footprint round {round}: {n} order actors rehydrated in {:.3} s ({:.2} µs each); heap per order: {} bytes live, {} bytes asleep",
            r.spawned.as_secs_f64(),
            r.spawned.as_secs_f64() * 1e6 / n as f64,
            r.live,
            r.asleep,
        )?;
    }
    let baseline = rt.block_on(bare(n))?;
    writeln!(
        out,
        "actor_footprint baseline: a bare ractor actor holds {baseline} heap bytes"
    )?;
    Ok(())
}
