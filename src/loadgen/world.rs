//! The city a run sets up over the REST API, as its users would: kitchens
//! with one dish each, couriers online at their origins, and one order per
//! customer, accepted by its kitchen's chef so the dispatcher offers it.
//!
//! Each order has a kitchen of its own, at the origin of the courier of the
//! same index. The run's couriers never ride a trip to its end, so once the
//! couriers near a kitchen are busy its other orders wait for them for ever
//! (the dispatcher rightly prefers a courier soon free nearby to one far
//! away): with a hundred orders a kitchen, only about 35 of each were ever
//! assigned (the couriers the matching round considers for one pickup),
//! and even with four a kitchen among four couriers, an order now and then
//! took a neighbour's courier and left a few waiting at the end. A courier
//! standing in the kitchen is every order's unambiguous best choice.

use serde_json::{Value, json};

use super::accounts::Accounts;
use super::api::{Api, in_parallel, u64_field};
use super::error::LoadgenError;
use super::probe::{LatLngDegrees, origin};

/// Orders per kitchen: one, each with its courier at the door.
pub const ORDERS_PER_KITCHEN: usize = 1;
/// Attempts at accepting an order its kitchen has not received yet.
const ACCEPT_ATTEMPTS: u32 = 20;

/// Kitchens for `orders` orders.
pub fn kitchens_for(orders: usize) -> usize {
    orders.div_ceil(ORDERS_PER_KITCHEN).max(1)
}

/// A kitchen and its dish.
#[derive(Debug, Clone, Copy)]
pub struct Kitchen {
    /// The kitchen's id.
    pub id: u64,
    /// Its one dish.
    pub item: u64,
}

fn position(at: LatLngDegrees) -> Value {
    json!({"lat": at.lat, "lng": at.lng})
}

/// Kitchen `k`'s position: where courier `k` waits, online.
fn kitchen_at(centre: LatLngDegrees, k: usize) -> LatLngDegrees {
    origin(centre, k)
}

/// Opens every chef's kitchen (always open) with one dish on its menu.
pub async fn open_kitchens(
    api: &Api,
    accounts: &Accounts,
    centre: LatLngDegrees,
) -> Result<Vec<Kitchen>, LoadgenError> {
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"day": d, "opens": "00:00", "closes": "24:00"}))
        .collect();
    in_parallel(accounts.chefs.iter().enumerate(), |(k, chef)| {
        let days = days.clone();
        async move {
            let body = json!({
                "name": format!("Load kitchen {k}"),
                "position": position(kitchen_at(centre, k)),
                "prep_minutes": 15,
                "accepting": true,
                "hours": days,
            });
            let kitchen = api
                .call(
                    reqwest::Method::PUT,
                    "/kitchens/mine",
                    Some(&chef.token),
                    &body,
                    None,
                )
                .await?;
            let dish = json!({
                "name": "Dumplings",
                "price_minor": 1250,
                "currency": "EUR",
                "available": true,
                "prep_minutes": 10,
            });
            let item = api.post("/kitchens/mine/menu", &chef.token, &dish).await?;
            Ok(Kitchen {
                id: u64_field(&kitchen, "/id")?,
                item: u64_field(&item, "/id")?,
            })
        }
    })
    .await
}

/// Puts every courier online at its origin.
pub async fn couriers_online(
    api: &Api,
    accounts: &Accounts,
    centre: LatLngDegrees,
) -> Result<(), LoadgenError> {
    in_parallel(
        accounts.couriers.iter().enumerate(),
        |(i, courier)| async move {
            let body = json!({"position": position(origin(centre, i))});
            api.post("/couriers/me/online", &courier.token, &body)
                .await
                .map(drop)
        },
    )
    .await
    .map(drop)
}

/// Has customer `j` order from kitchen `j / ORDERS_PER_KITCHEN` of
/// `kitchens` and its chef accept at once; the order ids, by customer.
pub async fn place_orders(
    api: &Api,
    accounts: &Accounts,
    kitchens: &[Kitchen],
    centre: LatLngDegrees,
    run: &str,
) -> Result<Vec<u64>, LoadgenError> {
    let chefs = &accounts.chefs;
    in_parallel(accounts.customers.iter().enumerate(), |(j, customer)| {
        let k = (j / ORDERS_PER_KITCHEN).min(kitchens.len().saturating_sub(1));
        let (kitchen, chef) = (kitchens.get(k).copied(), chefs.get(k));
        async move {
            let (Some(kitchen), Some(chef)) = (kitchen, chef) else {
                return Err(LoadgenError::Provision("no kitchen to order from".into()));
            };
            // Each customer a short ride from the kitchen, no two alike.
            let at = origin(centre, j);
            let body = json!({
                "kitchen_id": kitchen.id,
                "items": [{"item_id": kitchen.item, "quantity": 1}],
                "drop_off": position(LatLngDegrees { lat: at.lat + 0.01, lng: at.lng + 0.01 }),
                // The sandbox provider's test card (a started server has no other).
                "payment_method": "pm_card_visa",
            });
            let key = format!("loadgen-{run}-{j}");
            let order = api
                .call(
                    reqwest::Method::POST,
                    "/orders",
                    Some(&customer.token),
                    &body,
                    Some(&key),
                )
                .await?;
            let id = u64_field(&order, "/id")?;
            accept(api, &chef.token, id).await?;
            Ok(id)
        }
    })
    .await
}

/// The chef accepts order `id`, retrying while the kitchen has yet to
/// receive it.
async fn accept(api: &Api, chef_token: &str, id: u64) -> Result<(), LoadgenError> {
    let path = format!("/orders/{id}/accept");
    let mut attempt = 1;
    loop {
        match api
            .post(&path, chef_token, &json!({"prep_minutes": 1}))
            .await
        {
            Ok(_) => return Ok(()),
            Err(err) if attempt >= ACCEPT_ATTEMPTS => return Err(err),
            Err(_) => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}
