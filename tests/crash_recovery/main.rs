//! The real `foodiefast serve` process killed with SIGKILL in the middle of
//! a rush of orders, then restarted on the same store (an SQLite file, and a
//! PostgreSQL database): every order
//! whose placement was acknowledged is there exactly once, with the same
//! id; every placement retried with its idempotency key (acknowledged or
//! cut off by the kill) yields exactly one order; no order is stranded
//! between placement and its kitchen; and every order runs on to its end:
//! rejected by the chef, or cooked and delivered by couriers on `/ws/courier`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod api;
mod couriers;
// Shared with the cluster's failover test, which uses more of it.
#[allow(dead_code)]
mod server;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use api::{
    Account, assert_one_order_per_key, chef_says, open_kitchen, order_of, place, sign_up, status_of,
};
use server::{KITCHEN, Process, Server, TestStore};

/// Customers placing the rush (each lists its own orders, at most 50).
const CUSTOMERS: usize = 16;
/// Placements attempted before the kill.
const PLACEMENTS: usize = 640;
/// Acknowledged placements after which the process is killed.
const KILL_AFTER: usize = 520;

/// Placement `n`: its customer, its key and its body.
fn placement(n: usize, kitchen: (u64, u64)) -> (usize, String, Value) {
    let body = json!({
        "kitchen_id": kitchen.0,
        "items": [{"item_id": kitchen.1, "quantity": 1 + n % 3}],
        "drop_off": {"lat": KITCHEN.0 + 0.001 * (n % 10) as f64, "lng": KITCHEN.1 + 0.01},
        "payment_method": "pm_card_visa",
    });
    (n % CUSTOMERS, format!("rush-{n}"), body)
}

/// The people of the rush: a chef with an open kitchen and the customers.
struct Rush {
    http: Client,
    chef: Account,
    kitchen: (u64, u64),
    customers: Vec<Account>,
}

impl Rush {
    async fn set_up(server: Server) -> Self {
        let http = Client::builder()
            .timeout(Duration::from_mins(2))
            .build()
            .unwrap();
        let chef = sign_up(&http, &server, "chef", 0).await;
        let kitchen = open_kitchen(&http, &server, &chef, KITCHEN).await;
        let mut customers = Vec::new();
        for n in 0..CUSTOMERS {
            customers.push(sign_up(&http, &server, "customer", n).await);
        }
        Self {
            http,
            chef,
            kitchen,
            customers,
        }
    }

    /// Placement `n` on `server`: the order id if acknowledged.
    async fn place(&self, server: Server, n: usize) -> (String, Option<u64>) {
        let (customer, key, body) = placement(n, self.kitchen);
        let id = place(&self.http, &server, &self.customers[customer], &key, &body).await;
        (key, id)
    }

    /// The rush: placements 24 at a time; a third of the acknowledged ones
    /// are accepted by the chef at once. `process` is killed as soon as
    /// [`KILL_AFTER`] placements were acknowledged, requests still in
    /// flight. Returns the acknowledged placements: key to order id.
    async fn until_killed(&self, server: Server, mut process: Process) -> HashMap<String, u64> {
        let acknowledged = Mutex::new(HashMap::new());
        let count = Arc::new(AtomicUsize::new(0));
        let killer = {
            let count = count.clone();
            tokio::spawn(async move {
                while count.load(Ordering::SeqCst) < KILL_AFTER {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                process.kill();
                process
            })
        };
        stream::iter(0..PLACEMENTS)
            .for_each_concurrent(24, |n| {
                let (acknowledged, count) = (&acknowledged, count.clone());
                async move {
                    let (key, Some(id)) = self.place(server, n).await else {
                        return;
                    };
                    acknowledged.lock().unwrap().insert(key, id);
                    count.fetch_add(1, Ordering::SeqCst);
                    if n.is_multiple_of(3) {
                        let accept = json!({"prep_minutes": 20});
                        let _ = self.chef_says(server, id, "accept", &accept).await;
                    }
                }
            })
            .await;
        let _killed = killer.await.unwrap();
        acknowledged.into_inner().unwrap()
    }

    /// A chef's command on an order; the order's status afterwards.
    async fn chef_says(
        &self,
        server: Server,
        order: u64,
        what: &str,
        body: &Value,
    ) -> Result<String, StatusCode> {
        chef_says(&self.http, &server, &self.chef, order, what, body).await
    }

    /// Order `id` of placement `n`'s customer, as it stands.
    async fn status(&self, server: Server, n: usize, id: u64) -> String {
        status_of(&self.http, &server, &self.customers[n % CUSTOMERS], id).await
    }

    /// The delivery PIN of order `id` of placement `n`, as its customer sees it.
    async fn pin(&self, server: Server, n: usize, id: u64) -> String {
        let order = order_of(&self.http, &server, &self.customers[n % CUSTOMERS], id).await;
        order["delivery_pin"].as_str().unwrap().to_owned()
    }

    /// Every placement retried with its key, all acknowledged: key to order id.
    async fn retry_all(&self, server: Server) -> HashMap<String, u64> {
        stream::iter(0..PLACEMENTS)
            .map(|n| async move {
                let (key, id) = self.place(server, n).await;
                let id = id.unwrap_or_else(|| panic!("retry of {key} refused"));
                (key, id)
            })
            .buffer_unordered(24)
            .collect()
            .await
    }

    /// Asserts each customer's list holds exactly its keys' orders, once.
    async fn assert_one_order_per_key(&self, server: Server, orders: &HashMap<String, u64>) {
        assert_one_order_per_key(&self.http, |_| server, &self.customers, PLACEMENTS, orders).await;
    }

    /// Runs placement `n`'s order `id` to its end in the kitchen: it must
    /// have reached the kitchen; the chef rejects every fifth and cooks the
    /// rest. Returns where it ends.
    async fn through_the_kitchen(&self, server: Server, n: usize, id: u64) -> String {
        let status = self.status(server, n, id).await;
        assert!(
            ["sent_to_chef", "accepted", "preparing"].contains(&status.as_str()),
            "order {id} stands at {status} after the restart"
        );
        if status == "sent_to_chef" {
            let (what, body) = if n.is_multiple_of(5) {
                ("reject", json!({"note": "out of dumplings"}))
            } else {
                ("accept", json!({"prep_minutes": 20}))
            };
            self.chef_says(server, id, what, &body).await.unwrap();
        }
        if ["accepted", "preparing"].contains(&self.status(server, n, id).await.as_str()) {
            self.chef_says(server, id, "ready", &json!({}))
                .await
                .unwrap();
        }
        self.status(server, n, id).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite_sigkill_mid_rush_loses_and_duplicates_no_acknowledged_order() {
    sigkill_mid_rush(TestStore::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_sigkill_mid_rush_loses_and_duplicates_no_acknowledged_order() {
    sigkill_mid_rush(TestStore::postgres().await).await;
}

async fn sigkill_mid_rush(store: TestStore) {
    let (process, first) = Server::start(&store);
    let rush = Rush::set_up(first).await;
    let acknowledged = rush.until_killed(first, process).await;
    assert!(
        acknowledged.len() >= 500,
        "only {} placements acknowledged before the kill",
        acknowledged.len()
    );
    assert!(
        acknowledged.len() < PLACEMENTS,
        "the kill came after the rush"
    );

    // The same file, a new process.
    let (second_process, second) = Server::start(&store);
    // An acknowledged placement answers its order; one cut off by the kill
    // is finished (or placed) now, exactly once.
    let orders = rush.retry_all(second).await;
    for (key, id) in &acknowledged {
        assert_eq!(orders[key], *id, "{key} answered another order");
    }
    rush.assert_one_order_per_key(second, &orders).await;

    // Nothing stranded before its kitchen, and every order runs to its end.
    let (rush, orders) = (&rush, &orders);
    let ends: Vec<(u64, String)> = stream::iter(0..PLACEMENTS)
        .map(|n| async move {
            let id = orders[&format!("rush-{n}")];
            (id, rush.through_the_kitchen(second, n, id).await)
        })
        .buffer_unordered(24)
        .collect()
        .await;
    for (_, status) in &ends {
        assert!(
            status == "ready" || status == "rejected",
            "an order left the kitchen at {status}"
        );
    }
    // Couriers take every ready order to its customer, with the PIN the
    // customer tells them.
    let ready: HashSet<u64> = ends
        .iter()
        .filter(|(_, status)| status == "ready")
        .map(|(id, _)| *id)
        .collect();
    let mut ready_pins = HashMap::new();
    for n in 0..PLACEMENTS {
        let id = orders[&format!("rush-{n}")];
        if ready.contains(&id) {
            ready_pins.insert(id, rush.pin(second, n, id).await);
        }
    }
    let ready = ready_pins;
    let outstanding = Arc::new(Mutex::new(ready));
    couriers::deliver_all(
        &rush.http,
        second,
        24,
        outstanding.clone(),
        Duration::from_mins(2),
    )
    .await;
    let left: Vec<u64> = outstanding.lock().unwrap().keys().copied().collect();
    let mut stuck = Vec::new();
    for &id in left.iter().take(5) {
        let n = (0..PLACEMENTS)
            .find(|n| orders[&format!("rush-{n}")] == id)
            .unwrap();
        stuck.push((id, rush.status(second, n, id).await));
    }
    assert!(
        left.is_empty(),
        "{} orders undelivered, e.g. {stuck:?}",
        left.len()
    );
    for n in 0..PLACEMENTS {
        let id = orders[&format!("rush-{n}")];
        let status = rush.status(second, n, id).await;
        assert!(
            status == "delivered" || status == "rejected",
            "order {id} ended the run at {status}"
        );
    }
    drop(second_process);
    store.remove().await;
}
