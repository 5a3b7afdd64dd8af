//! One order from sign-up to the door over the real app: a customer
//! orders, the chef accepts and marks it ready over REST, a courier on
//! `/ws/courier` is offered it by the dispatcher, accepts, streams its
//! position, picks up and delivers, while the customer tracks it on
//! `/ws/orders/{id}/track`. The dispatcher runs every second and offers as
//! soon as an order needs a courier (a wide commit horizon), so the whole
//! trip takes seconds of real time.

use futures_util::SinkExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::harness::{KITCHEN, Seen, TestApp, Ws, next, next_json, spawn_app_with, status_json};

/// Test apps dispatch every second and offer at once.
pub(crate) const FAST_DISPATCH: [(&str, &str); 2] = [
    ("DISPATCH_PERIOD_SECONDS", "1"),
    ("DISPATCH_COMMIT_HORIZON_SECONDS", "86400"),
];

/// Sends one courier message.
pub(crate) async fn say(ws: &mut Ws, msg: &Value) {
    ws.send(Message::text(msg.to_string())).await.unwrap();
}

/// A position message.
pub(crate) fn position(lat: f64, lng: f64) -> Value {
    json!({"v": 1, "type": "position", "position": {"lat": lat, "lng": lng}})
}

/// Reads until a message of `kind` arrives; returns it and what came before.
pub(crate) async fn until_type(ws: &mut Ws, kind: &str) -> (Value, Vec<Value>) {
    let mut before = Vec::new();
    loop {
        let msg = next_json(ws).await;
        if msg["type"] == kind {
            return (msg, before);
        }
        before.push(msg);
    }
}

/// Reads the tracker until the status event `event`; returns the courier
/// messages seen on the way.
pub(crate) async fn until_event(ws: &mut Ws, event: &str) -> Vec<Value> {
    let mut couriers = Vec::new();
    loop {
        let msg = next_json(ws).await;
        match msg["type"].as_str() {
            Some("status") if msg["event"] == event => return couriers,
            Some("status" | "snapshot") => {}
            Some("courier") => couriers.push(msg),
            _ => panic!("unexpected tracking message {msg}"),
        }
    }
}

/// The courier's app receives the offer of order `id` at the kitchen,
/// accepts it, hears it is assigned, and answers again: the same answer
/// has no second effect, a different one is refused.
async fn take_the_offer(app_ws: &mut Ws, id: u64) {
    let (offer, _) = until_type(app_ws, "offer").await;
    assert_eq!(offer["order_ids"], json!([id]), "{offer}");
    assert!(offer["deadline"].as_i64().unwrap() > 0, "{offer}");
    let pickup = &offer["pickup"];
    assert!(
        (pickup["lat"].as_f64().unwrap() - KITCHEN.0).abs() < 1e-6,
        "{offer}"
    );
    assert!(
        (pickup["lng"].as_f64().unwrap() - KITCHEN.1).abs() < 1e-6,
        "{offer}"
    );
    let offer_id = offer["offer_id"].as_u64().unwrap();

    let accept = json!({"v": 1, "type": "answer", "offer_id": offer_id, "answer": "accept"});
    say(app_ws, &accept).await;
    let (ack, _) = until_type(app_ws, "ack").await;
    assert_eq!(
        ack,
        json!({"v": 1, "type": "ack", "action": "answer",
               "status": "heading_to_pickup", "order_ids": [id]})
    );
    let (assigned, seen) = until_type(app_ws, "assigned").await;
    assert_eq!(assigned["order_id"], id);
    assert!(
        seen.iter()
            .all(|m| m["type"] == "offer_ended" && m["answer"] == "accepted"),
        "{seen:?}"
    );

    // The same answer again has no second effect; a different one is refused.
    say(app_ws, &accept).await;
    let (again, _) = until_type(app_ws, "ack").await;
    assert_eq!(again["status"], "heading_to_pickup");
    assert_eq!(again["order_ids"], json!([id]));
    say(
        app_ws,
        &json!({"v": 1, "type": "answer", "offer_id": offer_id, "answer": "decline"}),
    )
    .await;
    assert_eq!(next_json(app_ws).await["code"], "already_answered");
}

/// Proof of delivery: without the customer's PIN, or with a wrong one, the
/// delivery of order `id` is refused with a clear error and nothing changes.
async fn refuse_a_delivery_without_the_pin(
    app: &TestApp,
    app_ws: &mut Ws,
    customer_token: &str,
    id: u64,
    pin: &str,
) {
    say(
        app_ws,
        &json!({"v": 1, "type": "delivered", "order_id": id}),
    )
    .await;
    assert_eq!(next_json(app_ws).await["code"], "pin_required");
    let wrong = if pin == "0000" { "1111" } else { "0000" };
    say(
        app_ws,
        &json!({"v": 1, "type": "delivered", "order_id": id, "pin": wrong}),
    )
    .await;
    let refused = next_json(app_ws).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["code"], "wrong_pin", "{refused}");
    let (_, view) = status_json(
        app.get(&format!("/orders/{id}"), Some(customer_token))
            .await,
    )
    .await;
    assert_eq!(view["status"], "picked_up", "{view}");
}

#[tokio::test]
async fn an_order_travels_from_sign_up_to_the_door() {
    let app = spawn_app_with(&FAST_DISPATCH).await;
    let kitchen = app.chef_with_kitchen().await;
    let courier = app.sign_up("courier").await;
    let (status, _) = status_json(
        app.post(
            "/couriers/me/online",
            &courier.token,
            &json!({"position": {"lat": KITCHEN.0 + 0.002, "lng": KITCHEN.1}}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut app_ws = app.ws("/ws/courier", &courier.token).await.unwrap();
    assert_eq!(
        next_json(&mut app_ws).await,
        json!({"v": 1, "type": "courier_state", "status": "idle", "order_ids": []})
    );

    let (mut tablet, _) = app.chef_feed(&kitchen.chef).await;
    let customer = app.sign_up("customer").await;
    let order = app.order(&customer, &kitchen).await;
    let id = order["id"].as_u64().unwrap();
    let mut tracker = app
        .ws(&format!("/ws/orders/{id}/track"), &customer.token)
        .await
        .unwrap();
    assert_eq!(next_json(&mut tracker).await["type"], "snapshot");

    // Not assigned yet: the courier's position is not the customer's business.
    say(&mut app_ws, &position(KITCHEN.0 + 0.001, KITCHEN.1)).await;

    let accepted = app
        .post(
            &format!("/orders/{id}/accept"),
            &kitchen.chef.token,
            &json!({"prep_minutes": 1}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);

    take_the_offer(&mut app_ws, id).await;

    // Until now the customer saw statuses only.
    let before_assignment = until_event(&mut tracker, "courier_assigned").await;
    assert!(before_assignment.is_empty(), "{before_assignment:?}");

    // Assigned: the customer sees the courier move.
    say(&mut app_ws, &position(KITCHEN.0 + 0.0005, KITCHEN.1)).await;
    let (moved, _) = until_type(&mut tracker, "courier").await;
    assert_eq!(moved["order_id"], id);
    assert!((moved["position"]["lat"].as_f64().unwrap() - (KITCHEN.0 + 0.0005)).abs() < 1e-6);
    // When it is expected: at the door for the customer, at the kitchen
    // for the chef (55 m away: within a minute).
    let now = app.state.engines.clock().now().0;
    assert!(moved["eta"].as_i64().unwrap() > now, "{moved}");
    let (expected, _) = until_type(&mut tablet, "courier_eta").await;
    assert_eq!(expected["order_id"], id);
    assert!(
        (now..=now + 61).contains(&expected["eta"].as_i64().unwrap()),
        "{expected}"
    );

    say(&mut app_ws, &json!({"v": 1, "type": "arrived"})).await;
    let (ack, _) = until_type(&mut app_ws, "ack").await;
    assert_eq!(ack["status"], "waiting_at_restaurant");

    // The food is not ready: the pickup is refused and nothing changes.
    say(&mut app_ws, &json!({"v": 1, "type": "picked_up"})).await;
    let refused = next_json(&mut app_ws).await;
    assert_eq!(refused["code"], "illegal_transition", "{refused}");

    let ready = app
        .post(
            &format!("/orders/{id}/ready"),
            &kitchen.chef.token,
            &json!({}),
        )
        .await;
    assert_eq!(ready.status(), StatusCode::OK);
    until_event(&mut tracker, "ready").await;

    say(&mut app_ws, &json!({"v": 1, "type": "picked_up"})).await;
    let (ack, _) = until_type(&mut app_ws, "ack").await;
    assert_eq!(ack["status"], "delivering");
    until_event(&mut tracker, "picked_up").await;

    say(&mut app_ws, &position(KITCHEN.0 + 0.005, KITCHEN.1 + 0.005)).await;
    let (moved, _) = until_type(&mut tracker, "courier").await;
    assert!((moved["position"]["lng"].as_f64().unwrap() - (KITCHEN.1 + 0.005)).abs() < 1e-6);

    let pin = order["delivery_pin"].as_str().unwrap();
    refuse_a_delivery_without_the_pin(&app, &mut app_ws, &customer.token, id, pin).await;
    say(
        &mut app_ws,
        &json!({"v": 1, "type": "delivered", "order_id": id, "pin": pin}),
    )
    .await;
    let (ack, _) = until_type(&mut app_ws, "ack").await;
    assert_eq!(
        ack,
        json!({"v": 1, "type": "ack", "action": "delivered",
                           "status": "idle", "order_ids": []})
    );
    until_event(&mut tracker, "delivered").await;
    // Delivered: the feed is over, and no position follows it.
    say(&mut app_ws, &position(KITCHEN.0 + 0.01, KITCHEN.1 + 0.01)).await;
    assert!(matches!(next(&mut tracker).await, Seen::Closed(Some(1000))));

    let (_, view) = status_json(
        app.get(&format!("/orders/{id}"), Some(&customer.token))
            .await,
    )
    .await;
    assert_eq!(view["status"], "delivered", "{view}");
}
