//! Messages through one order actor, on a multi-threaded tokio runtime with
//! the in-memory store (so the actor, not a database, is measured):
//!
//! - `order_actor/no_op_command`: a command whose effect already holds
//!   (mark ready on a ready order): routing, decide, reply;
//! - `order_actor/command_with_append`: a command that records an event
//!   (assign, then unassign, a courier, alternately): decide, append,
//!   apply, publish to the tracking hub, reply.
//!
//! Messages per second are the reciprocal of the times.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use foodiefast_actors::clock::Clock;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::{OrderCommand, OrderDetails, OrderLine, UnassignReason};
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_actors::{Engine, EngineConfig};
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds};

fn details(id: u64) -> OrderDetails {
    let point = |x| Point::new(x, 0.0).unwrap_or_else(|_| unreachable!("in range"));
    OrderDetails {
        id: OrderId(id),
        customer: CustomerId(1),
        kitchen: RestaurantId(1),
        pickup: point(0.0),
        drop_off: point(1_000.0),
        lines: vec![OrderLine {
            item: "soup".into(),
            quantity: 1,
            unit_price_cents: 900,
        }],
        total_cents: 900,
        placed_at: Seconds(0),
    }
}

/// An engine with one accepted, ready order.
async fn ready_order() -> Engine {
    let engine = Engine::start(
        Arc::new(MemoryStore::default()),
        Clock::starting_at(Seconds(0)),
        EngineConfig::default(),
    )
    .await
    .unwrap_or_else(|e| unreachable!("engine starts: {e}"));
    let id = OrderId(1);
    let _ = engine.place_order(details(1)).await;
    for cmd in [
        OrderCommand::AuthorisePayment,
        OrderCommand::SendToChef,
        OrderCommand::Accept {
            ready_at: Seconds(60),
        },
        OrderCommand::MarkReady,
    ] {
        let _ = engine.command(id, cmd).await;
    }
    engine
}

fn order_actor(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| unreachable!("runtime builds: {e}"));
    let engine = rt.block_on(ready_order());
    let id = OrderId(1);
    let mut group = c.benchmark_group("order_actor");
    group.bench_function("no_op_command", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let _ = engine.command(id, OrderCommand::MarkReady).await;
                }
                start.elapsed()
            })
        });
    });
    group.bench_function("command_with_append", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let assign = OrderCommand::AssignCourier {
                    courier: CourierId(7),
                    pickup_eta: Seconds(60),
                };
                let unassign = OrderCommand::UnassignCourier {
                    reason: UnassignReason::Replanned,
                };
                let mut elapsed = Duration::ZERO;
                for i in 0..iters {
                    let cmd = if i % 2 == 0 {
                        assign.clone()
                    } else {
                        unassign.clone()
                    };
                    let start = Instant::now();
                    let _ = engine.command(id, cmd).await;
                    elapsed += start.elapsed();
                }
                // Leave the order unassigned for the next batch.
                let _ = engine.command(id, unassign).await;
                elapsed
            })
        });
    });
    group.finish();
}

criterion_group!(benches, order_actor);
criterion_main!(benches);
