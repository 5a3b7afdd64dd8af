//! The HTTP side of the engine's people, as a client app speaks it:
//! signing up, a chef's kitchen, placing an order with an idempotency key,
//! a chef's answers, an order as its customer sees it.

use std::collections::{BTreeSet, HashMap};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::server::Server;

/// A signed-up account.
#[derive(Clone)]
pub(crate) struct Account {
    /// Its bearer token.
    pub(crate) token: String,
}

pub(crate) async fn sign_up(http: &Client, server: &Server, role: &str, n: usize) -> Account {
    let response = http
        .post(server.url("/auth/signup"))
        .json(&json!({
            "email": format!("{role}{n}@example.com"),
            "password": "correct horse battery",
            "name": format!("{role} {n}"),
            "role": role,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    Account {
        token: body["token"].as_str().unwrap().to_owned(),
    }
}

/// An always-open kitchen at `at` (lat, lng) with one dish; returns
/// (kitchen id, item id).
pub(crate) async fn open_kitchen(
    http: &Client,
    server: &Server,
    chef: &Account,
    at: (f64, f64),
) -> (u64, u64) {
    let hours: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"day": d, "opens": "00:00", "closes": "24:00"}))
        .collect();
    let kitchen: Value = http
        .put(server.url("/kitchens/mine"))
        .bearer_auth(&chef.token)
        .json(&json!({
            "name": "Rush Kitchen",
            "position": {"lat": at.0, "lng": at.1},
            "prep_minutes": 15,
            "accepting": true,
            "hours": hours,
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let item: Value = http
        .post(server.url("/kitchens/mine/menu"))
        .bearer_auth(&chef.token)
        .json(&json!({
            "name": "Dumplings",
            "price_minor": 1250,
            "currency": "EUR",
            "available": true,
            "prep_minutes": 10,
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        kitchen["id"].as_u64().unwrap(),
        item["id"].as_u64().unwrap(),
    )
}

/// Places `body` with `key`; the order id if acknowledged (201).
pub(crate) async fn place(
    http: &Client,
    server: &Server,
    customer: &Account,
    key: &str,
    body: &Value,
) -> Option<u64> {
    let response = http
        .post(server.url("/orders"))
        .bearer_auth(&customer.token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .ok()?;
    if response.status() != StatusCode::CREATED {
        return None;
    }
    let order: Value = response.json().await.ok()?;
    order["id"].as_u64()
}

/// A chef's command on an order; the order's status afterwards.
pub(crate) async fn chef_says(
    http: &Client,
    server: &Server,
    chef: &Account,
    order: u64,
    what: &str,
    body: &Value,
) -> Result<String, StatusCode> {
    let response = http
        .post(server.url(&format!("/orders/{order}/{what}")))
        .bearer_auth(&chef.token)
        .json(body)
        .send()
        .await
        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    if response.status() != StatusCode::OK {
        return Err(response.status());
    }
    let order: Value = response.json().await.unwrap();
    Ok(order["status"].as_str().unwrap().to_owned())
}

pub(crate) async fn status_of(
    http: &Client,
    server: &Server,
    customer: &Account,
    order: u64,
) -> String {
    order_of(http, server, customer, order).await["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Order `order` as its customer sees it (with its delivery PIN).
pub(crate) async fn order_of(
    http: &Client,
    server: &Server,
    customer: &Account,
    order: u64,
) -> Value {
    let response = http
        .get(server.url(&format!("/orders/{order}")))
        .bearer_auth(&customer.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "order {order}");
    response.json().await.unwrap()
}

/// Asserts each customer's list (read from `server_for` the customer's
/// index) holds exactly its keys' orders, once: customer `c` placed the
/// placements `n` of `0..placements` with `n % customers.len() == c`,
/// under the key `rush-{n}`.
pub(crate) async fn assert_one_order_per_key(
    http: &Client,
    server_for: impl Fn(usize) -> Server,
    customers: &[Account],
    placements: usize,
    orders: &HashMap<String, u64>,
) {
    for (c, customer) in customers.iter().enumerate() {
        let listed: Vec<Value> = http
            .get(server_for(c).url("/orders"))
            .bearer_auth(&customer.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let listed: Vec<u64> = listed.iter().map(|o| o["id"].as_u64().unwrap()).collect();
        let distinct: BTreeSet<u64> = listed.iter().copied().collect();
        assert_eq!(
            distinct.len(),
            listed.len(),
            "customer {c} sees an order twice"
        );
        let expected: BTreeSet<u64> = (0..placements)
            .filter(|n| n % customers.len() == c)
            .map(|n| orders[&format!("rush-{n}")])
            .collect();
        assert_eq!(distinct, expected, "customer {c}'s orders");
    }
}
