//! What several cases share: an order's details, zone engines on
//! in-memory stores.

use std::sync::Arc;

use foodiefast::cluster::zone_host::EngineFactory;
use foodiefast_actors::Engine;
use foodiefast_actors::clock::Clock;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::{OrderDetails, OrderLine};
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_geo::{OrderId, Point, RestaurantId, Seconds};

/// A valid order `id` of two items at kitchen 1.
pub(crate) fn details(id: u64) -> OrderDetails {
    OrderDetails {
        id: OrderId(id),
        customer: CustomerId(3),
        kitchen: RestaurantId(1),
        pickup: Point::new(0.0, 0.0).unwrap(),
        drop_off: Point::new(900.0, 400.0).unwrap(),
        lines: vec![OrderLine {
            item: "dal".into(),
            quantity: 2,
            unit_price_cents: 700,
        }],
        total_cents: 1_400,
        placed_at: Seconds(0),
    }
}

/// Starts each zone's engine on a fresh in-memory store.
pub(crate) fn memory_engines() -> EngineFactory {
    Arc::new(|_zone| {
        Box::pin(async {
            Engine::builder(
                Arc::new(MemoryStore::new(100)),
                Clock::starting_at(Seconds(0)),
            )
            .start()
            .await
        })
    })
}
