//! Simulated customers: every few seconds one of them orders one to three
//! dishes from a kitchen near home (as delivery apps list them), delivered
//! home; the PIN the order shows is what
//! they will tell the courier at the door. Orders in flight are capped so
//! the city stays busy without swamping its couriers.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use super::city::{City, DemoCustomer, DemoKitchen, metres_between, position};
use super::client::{Client, DemoError, field};
use super::{DemoOrder, Pins};
use crate::replay::synthetic::Random;

/// Mean time between two orders of the whole city.
const ORDER_EVERY: Duration = Duration::from_secs(8);
/// An order not finished after this is forgotten (its kitchen or courier
/// may have been stopped with the previous run).
const GIVE_UP_AFTER: Duration = Duration::from_mins(45);
/// Customers order from kitchens this close to home (else the nearest).
const DELIVERY_RADIUS_M: f64 = 2_500.0;
/// Orders in flight at most, per courier.
const IN_FLIGHT_PER_COURIER: usize = 1;

/// Places orders until the process ends.
pub async fn run(client: Client, city: City, pins: Pins, seed: u64) {
    let mut rng = Random(seed);
    let cap = city.couriers.len().max(1) * IN_FLIGHT_PER_COURIER;
    let mut placed = 0_u64;
    loop {
        let wait = ORDER_EVERY.mul_f64(rng.between(0.5, 1.5));
        tokio::time::sleep(wait).await;
        let in_flight = pins.lock().map_or(usize::MAX, |p| p.len());
        if in_flight >= cap {
            forget_finished(&client, &pins).await;
            continue;
        }
        placed += 1;
        if let Err(err) = order(&client, &city, &pins, &mut rng, placed, seed).await {
            tracing::debug!(error = %err, "demo order refused");
        }
    }
}

async fn order(
    client: &Client,
    city: &City,
    pins: &Pins,
    rng: &mut Random,
    n: u64,
    seed: u64,
) -> Result<(), DemoError> {
    let pick = |rng: &mut Random, len: usize| (rng.next_u64() % len.max(1) as u64) as usize;
    let Some(customer) = city.customers.get(pick(rng, city.customers.len())) else {
        return Ok(());
    };
    let Some(kitchen) = kitchen_near(city, customer, rng) else {
        return Ok(());
    };
    // One to three dishes, one or two of each (a dish drawn twice is one line).
    let mut lines: Vec<(u64, u64)> = Vec::new();
    for _ in 0..=rng.next_u64() % 3 {
        let Some(&item) = kitchen.items.get(pick(rng, kitchen.items.len())) else {
            continue;
        };
        let quantity = 1 + rng.next_u64() % 2;
        match lines.iter_mut().find(|(id, _)| *id == item) {
            Some((_, q)) => *q += quantity,
            None => lines.push((item, quantity)),
        }
    }
    let merged: Vec<serde_json::Value> = lines
        .iter()
        .map(|(id, q)| json!({"item_id": id, "quantity": q}))
        .collect();
    // The sandbox provider's test card: the demo moves no money.
    let body = json!({"kitchen_id": kitchen.id, "items": merged,
        "drop_off": position(customer.home), "payment_method": "pm_card_visa"});
    // A key unique to this run's order: a retried request is the same order.
    let key = format!("demo-{seed}-{}-{n}", std::process::id());
    let placed = client
        .call(
            Method::POST,
            "/orders",
            Some(&customer.token),
            Some(&body),
            Some(&key),
        )
        .await?;
    if let (Some(id), Some(pin)) = (
        field(&placed, "/id").as_u64(),
        field(&placed, "/delivery_pin").as_str(),
    ) && let Ok(mut pins) = pins.lock()
    {
        pins.insert(
            id,
            DemoOrder {
                pin: pin.to_owned(),
                customer_token: customer.token.clone(),
                placed: Instant::now(),
            },
        );
    }
    Ok(())
}

/// A kitchen within delivery distance of `customer`'s home, drawn at
/// random; the nearest one if none is that close.
fn kitchen_near<'a>(
    city: &'a City,
    customer: &DemoCustomer,
    rng: &mut Random,
) -> Option<&'a DemoKitchen> {
    let near: Vec<&DemoKitchen> = city
        .kitchens
        .iter()
        .filter(|k| metres_between(k.at, customer.home) <= DELIVERY_RADIUS_M)
        .collect();
    if near.is_empty() {
        return city.kitchens.iter().min_by(|a, b| {
            metres_between(a.at, customer.home).total_cmp(&metres_between(b.at, customer.home))
        });
    }
    near.get((rng.next_u64() % near.len() as u64) as usize)
        .copied()
}

/// Forgets the orders that are finished, freeing room for new ones.
async fn forget_finished(client: &Client, pins: &Pins) {
    let open: Vec<(u64, String, Instant)> = pins
        .lock()
        .map(|p| {
            p.iter()
                .map(|(id, o)| (*id, o.customer_token.clone(), o.placed))
                .collect()
        })
        .unwrap_or_default();
    for (id, token, placed) in open {
        let status = client
            .call(
                Method::GET,
                &format!("/orders/{id}"),
                Some(&token),
                None,
                None,
            )
            .await
            .ok()
            .and_then(|o| field(&o, "/status").as_str().map(str::to_owned));
        let finished = matches!(
            status.as_deref(),
            Some("delivered" | "rejected" | "cancelled") | None
        ) || placed.elapsed() > GIVE_UP_AFTER;
        if finished && let Ok(mut pins) = pins.lock() {
            pins.remove(&id);
        }
    }
}
