//! The webhook against a real receiver: an axum server on port 0 in the
//! test, which checks every signature, records every delivery, and can
//! be told to answer 500 (after keeping the event, as a receiver whose
//! answer was lost), to refuse an event with a 400, or not to run at all.
//! Every event of every order's log must arrive at least once, each
//! order's in its order, repeats with the same id; a receiver that is
//! down while the engine restarts loses nothing.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use foodiefast::gateway::auth::tokens::unix_now;
use foodiefast::store::{Store, StoreConfig};
use foodiefast::webhooks::signature::{SIGNATURE_HEADER, verify};
use foodiefast::webhooks::{EVENT_ID_HEADER, WebhookEvent};
use foodiefast_actors::store::{OrderStore, OutboxStore};
use foodiefast_geo::OrderId;
use serde_json::json;

use crate::delivery::until_event;
use crate::harness::{ChefKitchen, TestApp, next_json, spawn_app_on, spawn_app_with};

const SECRET: &str = "whsec_a_receiver_shared_secret";

/// One request the receiver took.
#[derive(Debug, Clone)]
struct Received {
    event: WebhookEvent,
    /// The signature's timestamp.
    signed_at: i64,
    /// The answer given.
    answer: StatusCode,
}

/// What the receiver saw, and how it answers.
#[derive(Debug, Default)]
struct Books {
    received: Mutex<Vec<Received>>,
    /// Deliveries to keep and then answer 500.
    fail_next: AtomicUsize,
    /// Event ids answered 400.
    refuse: Mutex<HashSet<String>>,
    /// Requests whose signature or id header did not check.
    forged: AtomicUsize,
}

async fn receive(State(books): State<Arc<Books>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let now = i64::try_from(unix_now()).unwrap();
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let signed = header(SIGNATURE_HEADER)
        .ok_or(())
        .and_then(|h| verify(SECRET.as_bytes(), h, &body, now, 300).map_err(drop));
    let event = serde_json::from_slice::<WebhookEvent>(&body);
    let (Ok(signed_at), Ok(event)) = (signed, event) else {
        books.forged.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED;
    };
    if header(EVENT_ID_HEADER) != Some(event.id.as_str())
        || headers
            .get("content-type")
            .map(axum::http::HeaderValue::as_bytes)
            != Some(b"application/json")
    {
        books.forged.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED;
    }
    let answer = if books.refuse.lock().unwrap().contains(&event.id) {
        StatusCode::BAD_REQUEST
    } else if books
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    books.received.lock().unwrap().push(Received {
        event,
        signed_at,
        answer,
    });
    answer
}

/// Starts a receiver on `addr` (port 0: any).
async fn receiver(addr: SocketAddr) -> (SocketAddr, Arc<Books>) {
    let books = Arc::new(Books::default());
    let app = Router::new()
        .route("/hooks/orders", post(receive))
        .with_state(books.clone());
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let bound = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (bound, books)
}

fn webhook_env(addr: SocketAddr) -> Vec<(&'static str, String)> {
    vec![
        ("WEBHOOK_URL", format!("http://{addr}/hooks/orders")),
        ("WEBHOOK_SECRET", SECRET.to_owned()),
        ("WEBHOOK_RETRY_MAX_SECONDS", "1".to_owned()),
    ]
}

fn vars<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Three orders with their events: one accepted, one cancelled (its hold
/// voided), one rejected by the chef.
async fn three_orders(app: &TestApp, kitchen: &ChefKitchen) -> Vec<u64> {
    let customer = app.sign_up("customer").await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(app.order(&customer, kitchen).await["id"].as_u64().unwrap());
    }
    let chef = &kitchen.chef.token;
    let accept = app
        .post(
            &format!("/orders/{}/accept", ids[0]),
            chef,
            &json!({"prep_minutes": 5}),
        )
        .await;
    assert_eq!(accept.status(), reqwest::StatusCode::OK);
    let cancel = app
        .post(
            &format!("/orders/{}/cancel", ids[1]),
            &customer.token,
            &json!({}),
        )
        .await;
    assert_eq!(cancel.status(), reqwest::StatusCode::OK);
    let reject = app
        .post(&format!("/orders/{}/reject", ids[2]), chef, &json!({}))
        .await;
    assert_eq!(reject.status(), reqwest::StatusCode::OK);
    ids
}

/// Every event id of `orders`' logs, as `order-version`, with the event.
async fn logged(store: &Store, orders: &[u64]) -> HashMap<String, serde_json::Value> {
    let mut all = HashMap::new();
    for &id in orders {
        for (v, event) in (1..).zip(store.load(OrderId(id)).await.unwrap()) {
            all.insert(format!("{id}-{v}"), serde_json::to_value(event).unwrap());
        }
    }
    all
}

/// Waits until the receiver acknowledged every id of `expected`.
async fn all_acknowledged(books: &Books, expected: &HashMap<String, serde_json::Value>) {
    for _ in 0..600 {
        let acked: HashSet<String> = books
            .received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.answer.is_success())
            .map(|r| r.event.id.clone())
            .collect();
        if expected.keys().all(|id| acked.contains(id)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "not every event was acknowledged: {:?}",
        books.received.lock().unwrap()
    );
}

/// Checks what arrived: signed, each event as logged, each order's
/// events first seen in version order, repeats identical.
fn check_arrivals(books: &Books, expected: &HashMap<String, serde_json::Value>) {
    assert_eq!(
        books.forged.load(Ordering::SeqCst),
        0,
        "every signature checks"
    );
    let received = books.received.lock().unwrap();
    let mut first: HashMap<u64, Vec<u64>> = HashMap::new();
    let mut seen: HashMap<String, &WebhookEvent> = HashMap::new();
    for r in received.iter() {
        let e = &r.event;
        assert_eq!(e.id, format!("{}-{}", e.order_id, e.version));
        if let Some(logged) = expected.get(&e.id) {
            assert_eq!(&serde_json::to_value(&e.event).unwrap(), logged, "{}", e.id);
        }
        if let Some(before) = seen.get(&e.id) {
            assert_eq!(*before, e, "a repeat is the same event");
        } else {
            seen.insert(e.id.clone(), e);
            first.entry(e.order_id).or_default().push(e.version);
        }
        assert!(r.signed_at > 0);
    }
    for (order, versions) in first {
        let n = versions.len() as u64;
        assert_eq!(
            versions,
            (1..=n).collect::<Vec<_>>(),
            "order {order}'s events in order"
        );
    }
}

#[tokio::test]
async fn every_event_arrives_signed_in_order_and_retries_repeat_the_same_id() {
    let (addr, books) = receiver("127.0.0.1:0".parse().unwrap()).await;
    // The first deliveries are kept but answered 500: each comes again.
    books.fail_next.store(3, Ordering::SeqCst);
    let env = webhook_env(addr);
    let app = spawn_app_with(&vars(&env)).await;
    let kitchen = app.chef_with_kitchen().await;
    let orders = three_orders(&app, &kitchen).await;
    let expected = logged(&app.state.store, &orders).await;
    assert!(expected.len() >= 15, "{expected:?}");
    all_acknowledged(&books, &expected).await;
    check_arrivals(&books, &expected);
    let received = books.received.lock().unwrap().clone();
    let failed: Vec<&Received> = received
        .iter()
        .filter(|r| r.answer == StatusCode::INTERNAL_SERVER_ERROR)
        .collect();
    assert_eq!(failed.len(), 3);
    for f in failed {
        let again = received
            .iter()
            .filter(|r| r.event.id == f.event.id && r.answer.is_success())
            .count();
        assert_eq!(
            again, 1,
            "{} was delivered again and acknowledged",
            f.event.id
        );
    }
    // Acknowledged events leave the outbox.
    for _ in 0..100 {
        if app.state.store.unpublished(10).await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.state.store.unpublished(10).await.unwrap(), []);
    app.stop().await;
}

#[tokio::test]
async fn an_event_the_receiver_refuses_is_dropped_counted_and_the_rest_go_on() {
    let (addr, books) = receiver("127.0.0.1:0".parse().unwrap()).await;
    let env = webhook_env(addr);
    let app = spawn_app_with(&vars(&env)).await;
    let kitchen = app.chef_with_kitchen().await;
    // The next order id's first event will be refused.
    let next = app.state.store.next_order_id().await.unwrap().0 + 1;
    books.refuse.lock().unwrap().insert(format!("{next}-1"));
    let orders = three_orders(&app, &kitchen).await;
    assert_eq!(orders[0], next);
    let mut expected = logged(&app.state.store, &orders).await;
    expected.remove(&format!("{next}-1"));
    all_acknowledged(&books, &expected).await;
    let received = books.received.lock().unwrap().clone();
    let refused = received
        .iter()
        .filter(|r| r.event.id == format!("{next}-1"))
        .count();
    assert_eq!(refused, 1, "a 400 is not retried");
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        metrics.contains("foodiefast_outbox_sink_failed_total"),
        "{metrics}"
    );
    app.stop().await;
}

#[tokio::test]
async fn nothing_is_lost_when_the_engine_restarts_while_the_receiver_is_down() {
    // A port with nothing behind it yet.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let env = webhook_env(addr);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("webhooks.db");
    let first = spawn_app_on(&db, &vars(&env)).await;
    let kitchen = first.chef_with_kitchen().await;
    let orders = three_orders(&first, &kitchen).await;
    let expected = logged(&first.state.store, &orders).await;
    // Live feeds do not wait for the webhook: a tracker still hears news.
    let customer = first.sign_up("customer").await;
    let id = first.order(&customer, &kitchen).await["id"]
        .as_u64()
        .unwrap();
    let mut tracker = first
        .ws(&format!("/ws/orders/{id}/track"), &customer.token)
        .await
        .unwrap();
    assert_eq!(next_json(&mut tracker).await["type"], "snapshot");
    let cancel = first
        .post(&format!("/orders/{id}/cancel"), &customer.token, &json!({}))
        .await;
    assert_eq!(cancel.status(), reqwest::StatusCode::OK);
    until_event(&mut tracker, "cancelled").await;
    drop(tracker);
    let mut expected = expected;
    expected.extend(logged(&first.state.store, &[id]).await);
    first.stop().await;

    // Every event waits in the outbox.
    let store = Store::open(&StoreConfig::Sqlite { path: db.clone() })
        .await
        .unwrap();
    let waiting: HashSet<String> = store
        .unpublished(10_000)
        .await
        .unwrap()
        .iter()
        .map(foodiefast_actors::store::OutboxEntry::id)
        .collect();
    assert!(
        expected.keys().all(|id| waiting.contains(id)),
        "{waiting:?} lacks some of {:?}",
        expected.keys()
    );
    store.close().await;

    let (_, books) = receiver(addr).await;
    let second = spawn_app_on(&db, &vars(&env)).await;
    all_acknowledged(&books, &expected).await;
    check_arrivals(&books, &expected);
    second.stop().await;
}
