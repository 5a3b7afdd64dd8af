//! Three `foodiefast serve` processes joined in one cluster on loopback
//! (over mutual TLS), sharing one PostgreSQL database: kitchens in six zones, a rush of
//! orders placed and cooked through all three gateways, couriers and
//! trackers connected to all three, and in the middle of it the node that
//! owns the most zones is killed with SIGKILL.
//!
//! Its zones (and the outbox duty) must be owned again within 5 s. No
//! acknowledged order is lost or duplicated: every placement retried with
//! its idempotency key, through the survivors, answers the order it was
//! acknowledged with, and each customer's orders are exactly their keys'
//! orders, once. Couriers and trackers reconnect to the survivors and carry
//! on, and every order is delivered.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// Shared with the crash test; not every helper is used here.
#[path = "../crash_recovery/api.rs"]
#[allow(dead_code)]
mod api;
mod nodes;
mod people;
// Shared with the TLS test; not every helper is used here.
#[path = "../cluster_tls/pki.rs"]
#[allow(dead_code)]
mod pki;
#[path = "../crash_recovery/server.rs"]
#[allow(dead_code)]
mod server;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use api::{Account, assert_one_order_per_key, chef_says, open_kitchen, place, sign_up};
use nodes::{Cluster, Nodes};
use people::Crowd;
use server::TestStore;

/// Nodes in the cluster.
const NODES: usize = 3;
/// The kitchens: a few kilometres apart, each in a zone of its own at
/// resolution 7 (cells of about 5 km²).
const KITCHENS: [(f64, f64); 6] = [
    (52.47, 13.365),
    (52.47, 13.445),
    (52.52, 13.365),
    (52.52, 13.445),
    (52.57, 13.365),
    (52.57, 13.445),
];
const RESOLUTION: u8 = 7;
/// Customers placing the rush.
const CUSTOMERS: usize = 12;
/// Couriers per kitchen.
const COURIERS_PER_KITCHEN: usize = 2;
/// Placements before the kill, and in all.
const BEFORE_KILL: usize = 90;
const PLACEMENTS: usize = 180;
/// Orders followed by a tracker each.
const TRACKED: usize = 12;

/// The people of the rush and where they are.
struct Rush {
    http: Client,
    nodes: Nodes,
    chefs: Vec<Account>,
    kitchens: Vec<(u64, u64)>,
    customers: Vec<Account>,
}

/// Placement `n`: its customer, its key and its body.
fn placement(n: usize, kitchens: &[(u64, u64)]) -> (usize, String, Value) {
    let k = n % KITCHENS.len();
    let (lat, lng) = KITCHENS[k];
    let body = json!({
        "kitchen_id": kitchens[k].0,
        "items": [{"item_id": kitchens[k].1, "quantity": 1 + n % 3}],
        "drop_off": {"lat": lat + 0.004, "lng": lng + 0.004},
        "payment_method": "pm_card_visa",
    });
    (n % CUSTOMERS, format!("rush-{n}"), body)
}

impl Rush {
    async fn set_up(http: Client, nodes: Nodes) -> Self {
        let mut chefs = Vec::new();
        let mut kitchens = Vec::new();
        for (k, at) in KITCHENS.iter().enumerate() {
            let server = nodes.pick(k);
            let chef = sign_up(&http, &server, "chef", k).await;
            kitchens.push(open_kitchen(&http, &server, &chef, *at).await);
            chefs.push(chef);
        }
        let mut customers = Vec::new();
        for n in 0..CUSTOMERS {
            customers.push(sign_up(&http, &nodes.pick(n), "customer", n).await);
        }
        Self {
            http,
            nodes,
            chefs,
            kitchens,
            customers,
        }
    }

    /// Placement `n` through a live node: the order id if acknowledged.
    async fn place(&self, n: usize) -> (String, Option<u64>) {
        let (customer, key, body) = placement(n, &self.kitchens);
        let server = self.nodes.pick(n);
        let id = place(&self.http, &server, &self.customers[customer], &key, &body).await;
        (key, id)
    }

    /// Order `id` of placement `n`, as its customer sees it, from a live
    /// node (the next one when a node dies under the request).
    async fn order(&self, n: usize, id: u64) -> Value {
        let customer = &self.customers[n % CUSTOMERS];
        for attempt in 0..50 {
            let server = self.nodes.pick(n + attempt);
            let response = self
                .http
                .get(server.url(&format!("/orders/{id}")))
                .bearer_auth(&customer.token)
                .send()
                .await;
            match response {
                Ok(response) if response.status() == StatusCode::OK => {
                    return response.json().await.unwrap();
                }
                Ok(response) => panic!("order {id}: {}", response.status()),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        panic!("order {id}: no node answers")
    }

    /// Takes order `id` of placement `n` through its kitchen: accepted and
    /// ready (each step skipped if taken already); where it then stands.
    async fn cook(&self, n: usize, id: u64) -> String {
        let chef = &self.chefs[n % KITCHENS.len()];
        for (what, body) in [("accept", json!({"prep_minutes": 5})), ("ready", json!({}))] {
            let status = self.order(n, id).await["status"]
                .as_str()
                .unwrap()
                .to_owned();
            let due = match what {
                "accept" => status == "sent_to_chef",
                _ => ["accepted", "preparing"].contains(&status.as_str()),
            };
            if due {
                let server = self.nodes.pick(n + 1);
                let answer = chef_says(&self.http, &server, chef, id, what, &body).await;
                assert!(
                    answer.is_ok() || answer == Err(StatusCode::SERVICE_UNAVAILABLE),
                    "{what} of order {id} (at {status}): {answer:?}"
                );
            }
        }
        self.order(n, id).await["status"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Places and lists for delivery placements `range`, 12 at a time,
    /// cooking them if `cook`: key to placement and order id of every
    /// acknowledged one.
    async fn rush(
        &self,
        range: std::ops::Range<usize>,
        crowd: &Crowd,
        cook: bool,
    ) -> HashMap<String, (usize, u64)> {
        stream::iter(range)
            .map(|n| async move {
                let (key, id) = self.place(n).await;
                let id = id?;
                let pin = self.order(n, id).await["delivery_pin"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                crowd.outstanding.lock().unwrap().insert(id, pin);
                if cook {
                    self.cook(n, id).await;
                }
                Some((key, (n, id)))
            })
            .buffer_unordered(12)
            .filter_map(|placed| async move { placed })
            .collect()
            .await
    }

    /// Couriers' apps, two per kitchen living next to it, each starting on
    /// a node of its own.
    async fn couriers(&self, crowd: &Crowd) -> Vec<tokio::task::JoinHandle<()>> {
        let mut apps = Vec::new();
        for (k, (lat, lng)) in KITCHENS.iter().enumerate() {
            for j in 0..COURIERS_PER_KITCHEN {
                let i = k * COURIERS_PER_KITCHEN + j;
                let courier = sign_up(&self.http, &self.nodes.pick(i), "courier", i).await;
                let home = (lat + 0.001, *lng);
                apps.push(tokio::spawn(people::courier(
                    crowd.clone(),
                    courier,
                    home,
                    i,
                )));
            }
        }
        apps
    }

    /// Every placement retried with its key through a live node, all
    /// acknowledged: key to order id.
    async fn retry_all(&self) -> HashMap<String, u64> {
        stream::iter(0..PLACEMENTS)
            .map(|n| async move {
                let (key, id) = self.place(n).await;
                let id = id.unwrap_or_else(|| panic!("retry of {key} refused"));
                (key, id)
            })
            .buffer_unordered(12)
            .collect()
            .await
    }

    /// Cooks every order of `all` (placement, id) and waits until the
    /// couriers delivered each; asserts none is left.
    async fn deliver_all(&self, crowd: &Crowd, all: &[(usize, u64)]) {
        stream::iter(all.iter().copied())
            .for_each_concurrent(12, |(n, id)| async move {
                let status = self.cook(n, id).await;
                assert_ne!(status, "sent_to_chef", "order {id} never reached its chef");
            })
            .await;
        // Delivered is what the store says: a courier whose node died with
        // the acknowledgement of its last delivery never heard of it.
        let deadline = tokio::time::Instant::now() + Duration::from_mins(3);
        while !crowd.outstanding.lock().unwrap().is_empty()
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let waiting: Vec<u64> = crowd.outstanding.lock().unwrap().keys().copied().collect();
            for &(n, id) in all.iter().filter(|(_, id)| waiting.contains(id)) {
                if self.order(n, id).await["status"] == "delivered" {
                    crowd.outstanding.lock().unwrap().remove(&id);
                }
            }
        }
        let left: Vec<u64> = crowd.outstanding.lock().unwrap().keys().copied().collect();
        let mut stuck = Vec::new();
        for &(n, id) in all.iter().filter(|(_, id)| left.contains(id)).take(5) {
            stuck.push((id, self.order(n, id).await["status"].clone()));
        }
        let journals: Vec<String> = stuck
            .iter()
            .flat_map(|(id, _)| crowd.journals_of(*id))
            .collect();
        assert!(
            left.is_empty(),
            "{} orders undelivered, e.g. {stuck:?}; their couriers' last frames:\n{}",
            left.len(),
            journals.join("\n")
        );
    }

    /// Asserts each customer's list holds exactly its keys' orders, once.
    async fn assert_one_order_per_key(&self, orders: &HashMap<String, u64>) {
        assert_one_order_per_key(
            &self.http,
            |c| self.nodes.pick(c),
            &self.customers,
            PLACEMENTS,
            orders,
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::print_stdout)] // the failover's figures, beside its assertions
async fn a_node_killed_mid_rush_hands_its_zones_over_and_loses_no_acknowledged_order() {
    let store = TestStore::postgres().await;
    let mut cluster = Cluster::start(&store, NODES, RESOLUTION);
    let nodes = cluster.nodes();
    let http = Client::builder()
        .timeout(Duration::from_mins(1))
        .build()
        .unwrap();
    let rush = Arc::new(Rush::set_up(http.clone(), nodes.clone()).await);
    let (leases, _) = cluster
        .owned(KITCHENS.len(), None, Duration::from_secs(30))
        .await;
    let owned_by = |i: usize| {
        leases
            .iter()
            .filter(|(zone, owner)| !zone.starts_with("duty.") && **owner == format!("node-{i}"))
            .count()
    };
    let victim = (0..NODES).max_by_key(|i| owned_by(*i)).unwrap();
    assert!(owned_by(victim) >= 2, "zones spread as {leases:?}");

    let crowd = Crowd::new(http.clone(), nodes.clone());
    let apps = rush.couriers(&crowd).await;

    // Orders left with their chefs until after the kill, each followed by
    // a tracker on a node of its own (every node has some).
    let mut acknowledged = rush.rush(0..TRACKED, &crowd, false).await;
    let mut trackers = Vec::new();
    for (n, id) in acknowledged.values() {
        let customer = rush.customers[n % CUSTOMERS].clone();
        trackers.push(tokio::spawn(people::tracker(
            crowd.clone(),
            customer,
            *id,
            n % NODES,
        )));
    }
    // The rush, part one, with every node up.
    acknowledged.extend(rush.rush(TRACKED..BEFORE_KILL, &crowd, true).await);

    // Part two, with the victim killed while it is under way.
    let second = {
        let (rush, crowd) = (rush.clone(), crowd.clone());
        tokio::spawn(async move { rush.rush(BEFORE_KILL..PLACEMENTS, &crowd, true).await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    cluster.kill(victim);
    let (after, failover) = cluster
        .owned(KITCHENS.len(), Some(victim), Duration::from_secs(20))
        .await;
    assert!(
        failover < Duration::from_secs(5),
        "zones owned again only after {failover:?}: {after:?}"
    );
    println!(
        "node-{victim} killed with {} of {} zones; owned again after {failover:?}",
        owned_by(victim),
        KITCHENS.len()
    );
    acknowledged.extend(second.await.unwrap());

    // Every placement, retried with its key through the survivors, answers
    // the order it was acknowledged with; nothing is there twice.
    let orders = rush.retry_all().await;
    for (key, (_, id)) in &acknowledged {
        assert_eq!(orders[key], *id, "{key} answered another order");
    }
    rush.assert_one_order_per_key(&orders).await;

    // Every order through its kitchen and to its customer.
    let all: Vec<(usize, u64)> = (0..PLACEMENTS)
        .map(|n| (n, orders[&format!("rush-{n}")]))
        .collect();
    for &(n, id) in &all {
        if !acknowledged.contains_key(&format!("rush-{n}")) {
            let pin = rush.order(n, id).await["delivery_pin"]
                .as_str()
                .unwrap()
                .to_owned();
            crowd.outstanding.lock().unwrap().insert(id, pin);
        }
    }
    rush.deliver_all(&crowd, &all).await;

    crowd.stop.store(true, Ordering::SeqCst);
    for tracker in trackers {
        let seen = tracker.await.unwrap();
        assert_eq!(
            seen.last().map(String::as_str),
            Some("delivered"),
            "a tracker saw {seen:?}"
        );
    }
    for app in apps {
        app.await.unwrap();
    }
    let reconnects = crowd.reconnects.load(Ordering::SeqCst);
    assert!(reconnects > 0, "no client had to move to another node");
    println!(
        "{} placements, {} acknowledged before the retries; {reconnects} reconnections",
        PLACEMENTS,
        acknowledged.len()
    );
    for &(n, id) in &all {
        assert_eq!(rush.order(n, id).await["status"], "delivered", "order {id}");
    }
    drop(cluster);
    store.remove().await;
}
