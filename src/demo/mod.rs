//! `foodiefast serve --demo`: a small city that lives on its own, so that
//! the live map moves as soon as the engine starts. It seeds kitchens with
//! menus, couriers and customers around `CITY_CENTRE` from a seed
//! ([`city`]), then simulates them through the gateway's own REST and
//! WebSocket API, exactly as the apps would: customers order
//! ([`customers`]), chefs accept and cook ([`chefs`]), couriers take offers
//! and ride in straight lines at a bike's pace ([`couriers`]). The engine
//! dispatches them as it would anyone.
//!
//! The demo accounts share one published password: `--demo` is for trying
//! FoodieFast, never for a deployment.

pub mod chefs;
pub mod city;
pub mod client;
pub mod couriers;
pub mod customers;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use foodiefast_geo::LatLng;

use crate::store::Store;
use city::Size;
use client::{Client, DemoError};

/// An order a simulated customer placed and is waiting for.
#[derive(Debug, Clone)]
pub struct DemoOrder {
    /// Its delivery PIN, which the customer tells the courier.
    pub pin: String,
    /// The customer's token.
    pub customer_token: String,
    /// When it was placed.
    pub placed: Instant,
}

/// The simulated customers' open orders, by id: how their couriers learn
/// the PINs at the door.
pub type Pins = Arc<Mutex<HashMap<u64, DemoOrder>>>;

/// The demo's settings.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    /// The seed the city is drawn from.
    pub seed: u64,
    /// Couriers in the city.
    pub couriers: usize,
    /// Customers in the city.
    pub customers: usize,
}

/// Seeds the city behind the gateway listening on `addr` and starts its
/// people; they run until the process ends.
pub async fn start(
    addr: SocketAddr,
    store: &Store,
    centre: LatLng,
    options: DemoOptions,
) -> Result<(), DemoError> {
    let host = if addr.ip().is_unspecified() {
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    };
    let client = Client::new(format!("http://{host}"));
    let city = city::seed(
        &client,
        store,
        centre,
        options.seed,
        Size {
            couriers: options.couriers,
            customers: options.customers,
        },
    )
    .await?;
    tracing::info!(
        kitchens = city.kitchens.len(),
        couriers = city.couriers.len(),
        customers = city.customers.len(),
        ops = city::OPS_EMAIL,
        password = city::DEMO_PASSWORD,
        "demo city seeded; its people are starting"
    );
    let pins = Pins::default();
    let mut seed = options.seed;
    let mut next_seed = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        seed
    };
    for kitchen in &city.kitchens {
        tokio::spawn(chefs::run(client.clone(), kitchen.clone(), next_seed()));
    }
    for courier in &city.couriers {
        tokio::spawn(couriers::run(
            client.clone(),
            courier.clone(),
            pins.clone(),
            next_seed(),
        ));
    }
    tokio::spawn(customers::run(client, city, pins, next_seed()));
    Ok(())
}
