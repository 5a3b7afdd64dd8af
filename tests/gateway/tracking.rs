//! The WebSocket feeds: a customer tracking an order from placement to
//! delivery, resuming, and every rule of the connection. The courier's
//! side is driven through the engine (order commands and the tracking
//! hub), as the courier actors will.

use std::time::Duration;

use foodiefast_actors::domain::order::OrderCommand;
use foodiefast_actors::tracking::{Topic, Update};
use foodiefast_geo::{CourierId, LatLng, OrderId, Seconds};
use futures_util::SinkExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::harness::{
    ALLOWED_ORIGIN, KITCHEN, Seen, TestApp, assert_quiet, next, next_json, spawn_app,
    spawn_app_with,
};

const COURIER: CourierId = CourierId(77);

fn publish_courier_at(app: &TestApp, order: u64, lat: f64, lng: f64) {
    publish_position(app, order, lat, lng, Some(Seconds(1_900_000_000)));
}

/// Publishes the courier at `lat, lng`, as the courier actor does, with
/// the `eta` it knows (courier actors know none).
fn publish_position(app: &TestApp, order: u64, lat: f64, lng: f64, eta: Option<Seconds>) {
    let at = app
        .state
        .projection
        .to_point(LatLng::new(lat, lng).unwrap());
    app.state.engines.hub().publish(
        Topic::Order(OrderId(order)),
        &Update::Position {
            courier: COURIER,
            at,
            eta,
        },
    );
}

async fn command(app: &TestApp, order: u64, command: OrderCommand) {
    app.state
        .engines
        .command("city", OrderId(order), command)
        .await
        .unwrap();
}

fn assert_status(msg: &Value, event: &str, event_id: u64) {
    assert_eq!(msg["v"], 1, "{msg}");
    assert_eq!(msg["type"], "status", "{msg}");
    assert_eq!(msg["event"], event, "{msg}");
    assert_eq!(msg["event_id"], event_id, "{msg}");
}

#[tokio::test]
async fn a_customer_watches_an_order_from_placement_to_delivery() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let order = app.order(&customer, &kitchen).await;
    let id = order["id"].as_u64().unwrap();
    let path = format!("/ws/orders/{id}/track");
    let mut ws = app.ws(&path, &customer.token).await.unwrap();

    let snapshot = next_json(&mut ws).await;
    assert_eq!(
        snapshot,
        json!({"v": 1, "type": "snapshot", "order_id": id,
        "status": "sent_to_chef", "event_id": 4, "courier_assigned": false})
    );

    // No courier yet: a position published now must not reach the customer.
    publish_courier_at(&app, id, KITCHEN.0 + 0.003, KITCHEN.1);
    assert_quiet(&mut ws, Duration::from_millis(300)).await;

    let accept = app
        .post(
            &format!("/orders/{id}/accept"),
            &kitchen.chef.token,
            &json!({"prep_minutes": 10}),
        )
        .await;
    assert_eq!(accept.status(), StatusCode::OK);
    let accepted = next_json(&mut ws).await;
    assert_status(&accepted, "accepted", 5);
    assert_eq!(accepted["status"], "accepted");
    assert!(accepted["ready_at"].is_i64());
    // The kitchen starts cooking what its chef accepts.
    let cooking = next_json(&mut ws).await;
    assert_status(&cooking, "preparation_started", 6);
    assert_eq!(cooking["status"], "preparing");

    let eta = app.state.engines.clock().now() + Seconds(300);
    command(
        &app,
        id,
        OrderCommand::AssignCourier {
            courier: COURIER,
            pickup_eta: eta,
        },
    )
    .await;
    let assigned = next_json(&mut ws).await;
    assert_status(&assigned, "courier_assigned", 7);
    assert_eq!(assigned["pickup_eta"], eta.0);
    assert!(assigned.get("courier").is_none());

    publish_courier_at(&app, id, KITCHEN.0 + 0.002, KITCHEN.1 + 0.001);
    let seen = next_json(&mut ws).await;
    assert_eq!(seen["type"], "courier", "{seen}");
    assert!(
        (seen["position"]["lat"].as_f64().unwrap() - (KITCHEN.0 + 0.002)).abs() < 1e-6,
        "{seen}"
    );
    assert!(
        (seen["position"]["lng"].as_f64().unwrap() - (KITCHEN.1 + 0.001)).abs() < 1e-6,
        "{seen}"
    );
    assert_eq!(seen["eta"], 1_900_000_000);

    // Without an estimate from the courier, the engine's: by the restaurant
    // (about 250 m away: one minute at 320 m a minute, two minutes' service
    // there, food ready in ten minutes), then to the door about 1.3 km away
    // (five minutes).
    let before = app.state.engines.clock().now().0;
    publish_position(&app, id, KITCHEN.0 + 0.002, KITCHEN.1 + 0.001, None);
    let seen = next_json(&mut ws).await;
    let ready_at = accepted["ready_at"].as_i64().unwrap();
    let fetched = (before + 60 + 120).max(ready_at);
    let eta = seen["eta"].as_i64().unwrap();
    assert!(
        (fetched + 120 + 300..=fetched + 120 + 300 + 2).contains(&eta),
        "{seen}, ready at {ready_at}"
    );

    let ready = app
        .post(
            &format!("/orders/{id}/ready"),
            &kitchen.chef.token,
            &json!({}),
        )
        .await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_status(&next_json(&mut ws).await, "ready", 8);
    command(&app, id, OrderCommand::PickUp { courier: COURIER }).await;
    assert_status(&next_json(&mut ws).await, "picked_up", 9);
    // Food on board: straight to the door (at the door itself: now).
    let before = app.state.engines.clock().now().0;
    publish_position(&app, id, KITCHEN.0 + 0.01, KITCHEN.1 + 0.01, None);
    let seen = next_json(&mut ws).await;
    assert_eq!(seen["type"], "courier");
    assert!(
        (before..=before + 2).contains(&seen["eta"].as_i64().unwrap()),
        "{seen}"
    );
    command(&app, id, OrderCommand::Deliver { courier: COURIER }).await;
    let delivered = next_json(&mut ws).await;
    assert_status(&delivered, "delivered", 10);
    assert_eq!(delivered["status"], "delivered");
    assert!(matches!(next(&mut ws).await, Seen::Closed(Some(1000))));

    // After delivery: the snapshot says so and the feed ends; no courier.
    let mut late = app.ws(&path, &customer.token).await.unwrap();
    let snapshot = next_json(&mut late).await;
    assert_eq!(
        (
            snapshot["status"].as_str(),
            snapshot["courier_assigned"].as_bool()
        ),
        (Some("delivered"), Some(false))
    );
    assert!(matches!(next(&mut late).await, Seen::Closed(Some(1000))));
}

#[tokio::test]
async fn reconnecting_with_the_last_event_id_replays_what_was_missed() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let id = app.order(&customer, &kitchen).await["id"].as_u64().unwrap();
    let accept = app
        .post(
            &format!("/orders/{id}/accept"),
            &kitchen.chef.token,
            &json!({"prep_minutes": 10}),
        )
        .await;
    assert_eq!(accept.status(), StatusCode::OK);
    let ready = app
        .post(
            &format!("/orders/{id}/ready"),
            &kitchen.chef.token,
            &json!({}),
        )
        .await;
    assert_eq!(ready.status(), StatusCode::OK);

    let mut ws = app
        .ws(
            &format!("/ws/orders/{id}/track?last_event_id=3"),
            &customer.token,
        )
        .await
        .unwrap();
    for (event, event_id) in [
        ("sent_to_chef", 4),
        ("accepted", 5),
        ("preparation_started", 6),
        ("ready", 7),
    ] {
        assert_status(&next_json(&mut ws).await, event, event_id);
    }
    // Then live, without repeats.
    let cancel = app
        .post(&format!("/orders/{id}/cancel"), &customer.token, &json!({}))
        .await;
    assert_eq!(cancel.status(), StatusCode::OK);
    let cancelled = next_json(&mut ws).await;
    assert_status(&cancelled, "cancelled", 8);
    assert_eq!(cancelled["reason"], "customer");
    assert!(matches!(next(&mut ws).await, Seen::Closed(Some(1000))));
}

#[tokio::test]
async fn upgrades_check_ownership_role_origin_and_token() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let owner = app.sign_up("customer").await;
    let stranger = app.sign_up("customer").await;
    let id = app.order(&owner, &kitchen).await["id"].as_u64().unwrap();
    let path = format!("/ws/orders/{id}/track");
    let refused = |err: tokio_tungstenite::tungstenite::Error| match err {
        tokio_tungstenite::tungstenite::Error::Http(response) => response.status().as_u16(),
        other => panic!("not an HTTP refusal: {other}"),
    };
    assert_eq!(
        refused(app.ws(&path, &stranger.token).await.unwrap_err()),
        404
    );
    assert_eq!(
        refused(
            app.ws("/ws/orders/999999/track", &stranger.token)
                .await
                .unwrap_err()
        ),
        404
    );
    assert_eq!(
        refused(app.ws(&path, &kitchen.chef.token).await.unwrap_err()),
        403
    );
    assert_eq!(
        refused(app.ws(&path, "not-a-token").await.unwrap_err()),
        401
    );
    let chefless = app.sign_up("chef").await;
    assert_eq!(
        refused(app.ws("/ws/chef", &chefless.token).await.unwrap_err()),
        404
    );
    assert_eq!(
        refused(app.ws("/ws/chef", &owner.token).await.unwrap_err()),
        403
    );

    let with_origin = |origin: &str| {
        let mut request = app
            .ws_url(&format!("{path}?token={}", owner.token))
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(request)
    };
    assert_eq!(
        refused(with_origin("http://evil.example").await.unwrap_err()),
        403
    );
    let (mut ws, _) = with_origin(ALLOWED_ORIGIN).await.unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "snapshot");
}

#[tokio::test]
async fn bad_frames_get_error_frames_and_big_ones_end_the_connection() {
    let app = spawn_app_with(&[("WS_MAX_MESSAGE_BYTES", "1024")]).await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let id = app.order(&customer, &kitchen).await["id"].as_u64().unwrap();
    let mut ws = app
        .ws(&format!("/ws/orders/{id}/track"), &customer.token)
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "snapshot");

    for (frame, code) in [
        (Message::text("not json"), "bad_frame"),
        (Message::text(r#"{"v":1,"type":"launch"}"#), "bad_frame"),
        (
            Message::text(r#"{"v":9,"type":"ping"}"#),
            "unsupported_version",
        ),
        (Message::binary(vec![1, 2, 3]), "bad_frame"),
    ] {
        ws.send(frame).await.unwrap();
        let error = next_json(&mut ws).await;
        assert_eq!(
            (error["type"].as_str(), error["code"].as_str()),
            (Some("error"), Some(code)),
            "{error}"
        );
    }
    ws.send(Message::text(r#"{"v":1,"type":"ping"}"#))
        .await
        .unwrap();
    assert_eq!(
        next_json(&mut ws).await,
        json!({"v": 1, "type": "pong"}),
        "still open"
    );

    ws.send(Message::text("x".repeat(4_096))).await.unwrap();
    // The message is read whole and refused: the close frame always arrives.
    let seen = next(&mut ws).await;
    assert!(matches!(seen, Seen::Closed(Some(1009))), "{seen:?}");
    let (_, order) = crate::harness::status_json(
        app.get(&format!("/orders/{id}"), Some(&customer.token))
            .await,
    )
    .await;
    assert_eq!(order["status"], "sent_to_chef", "nothing changed");
}

#[tokio::test]
async fn clients_over_the_rate_limit_are_told_and_not_cut_off() {
    let app = spawn_app_with(&[("WS_MESSAGES_PER_SECOND", "1")]).await;
    let kitchen = app.chef_with_kitchen().await;
    let (mut ws, _) = app.chef_feed(&kitchen.chef).await;
    for _ in 0..6 {
        ws.send(Message::text(r#"{"v":1,"type":"ping"}"#))
            .await
            .unwrap();
    }
    let mut answers = Vec::new();
    for _ in 0..6 {
        answers.push(
            next_json(&mut ws).await["type"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert!(
        answers.iter().filter(|t| *t == "pong").count() >= 2,
        "{answers:?}"
    );
    assert!(answers.iter().any(|t| t == "error"), "{answers:?}");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    ws.send(Message::text(r#"{"v":1,"type":"ping"}"#))
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "pong");
}

#[tokio::test]
async fn silent_peers_are_dropped_after_two_heartbeats() {
    let app = spawn_app_with(&[("WS_HEARTBEAT_SECONDS", "1")]).await;
    let kitchen = app.chef_with_kitchen().await;
    let (mut ws, _) = app.chef_feed(&kitchen.chef).await;
    // Not reading means not answering pings.
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    let mut pings = 0;
    loop {
        match tokio::time::timeout(
            Duration::from_secs(5),
            futures_util::StreamExt::next(&mut ws),
        )
        .await
        .unwrap()
        {
            Some(Ok(Message::Ping(_))) => pings += 1,
            Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            Some(Ok(other)) => panic!("unexpected {other:?}"),
        }
    }
    assert!(pings >= 1, "the server pinged before giving up");
}

#[tokio::test]
async fn the_chef_feed_shows_new_orders_cancellations_and_courier_eta() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let other = app.chef_with_kitchen().await;
    let (mut ws, snapshot) = app.chef_feed(&kitchen.chef).await;
    assert_eq!(
        snapshot,
        json!({"v": 1, "type": "kitchen_snapshot", "kitchen_id": kitchen.kitchen_id,
               "event_id": 0, "open": true, "awaiting": [], "cooking": []})
    );
    let (mut theirs, _) = app.chef_feed(&other.chef).await;
    let customer = app.sign_up("customer").await;
    let id = app.order(&customer, &kitchen).await["id"].as_u64().unwrap();

    let placed = next_json(&mut ws).await;
    assert_status(&placed, "placed", 1);
    assert_eq!(placed["total_minor"], 2500);
    assert_eq!(
        placed["lines"],
        json!([{"item_id": kitchen.item_id.to_string(), "quantity": 2}])
    );
    assert_status(&next_json(&mut ws).await, "payment_requested", 2);
    assert_status(&next_json(&mut ws).await, "payment_authorised", 3);
    assert_status(&next_json(&mut ws).await, "sent_to_chef", 4);

    let accept = app
        .post(
            &format!("/orders/{id}/accept"),
            &kitchen.chef.token,
            &json!({"prep_minutes": 10}),
        )
        .await;
    assert_eq!(accept.status(), StatusCode::OK);
    assert_status(&next_json(&mut ws).await, "accepted", 5);
    assert_status(&next_json(&mut ws).await, "preparation_started", 6);
    let eta = app.state.engines.clock().now() + Seconds(420);
    command(
        &app,
        id,
        OrderCommand::AssignCourier {
            courier: COURIER,
            pickup_eta: eta,
        },
    )
    .await;
    let assigned = next_json(&mut ws).await;
    assert_status(&assigned, "courier_assigned", 7);
    assert_eq!(assigned["pickup_eta"], eta.0);

    // The courier moves: the kitchen hears when it is expected (220 m
    // away at 320 m a minute: one minute), and again only once the
    // estimate moves by half a minute or more.
    let before = app.state.engines.clock().now().0;
    publish_courier_at(&app, id, KITCHEN.0 + 0.002, KITCHEN.1);
    let expected = next_json(&mut ws).await;
    let after = app.state.engines.clock().now().0;
    assert_eq!(expected["type"], "courier_eta", "{expected}");
    assert_eq!(expected["order_id"], id);
    let at = expected["eta"].as_i64().unwrap();
    assert!((before + 60..=after + 60).contains(&at), "{expected}");
    publish_courier_at(&app, id, KITCHEN.0 + 0.0019, KITCHEN.1);
    assert_quiet(&mut ws, Duration::from_millis(300)).await;
    publish_courier_at(&app, id, KITCHEN.0 + 0.02, KITCHEN.1);
    let farther = next_json(&mut ws).await;
    assert_eq!(farther["type"], "courier_eta", "{farther}");
    assert!(farther["eta"].as_i64().unwrap() >= at + 6 * 60, "{farther}");

    let cancel = app
        .post(&format!("/orders/{id}/cancel"), &customer.token, &json!({}))
        .await;
    assert_eq!(cancel.status(), StatusCode::OK);
    assert_status(&next_json(&mut ws).await, "cancelled", 8);
    // The hold is released: the tablet sees the void too.
    assert_status(&next_json(&mut ws).await, "payment_voided", 9);
    // Cancelled: no more ETAs.
    publish_courier_at(&app, id, KITCHEN.0 + 0.04, KITCHEN.1);
    assert_quiet(&mut ws, Duration::from_millis(300)).await;

    assert_quiet(&mut theirs, Duration::from_millis(200)).await;
}

#[tokio::test]
async fn every_too_big_message_closes_with_1009() {
    let app = spawn_app_with(&[("WS_MAX_MESSAGE_BYTES", "1024")]).await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let id = app.order(&customer, &kitchen).await["id"].as_u64().unwrap();
    // One byte over, and up to the read cap (16 times the limit), as text
    // and binary, on many connections: a reset instead of the close frame
    // would show as `Closed(None)`.
    for round in 0..24_usize {
        let mut ws = app
            .ws(&format!("/ws/orders/{id}/track"), &customer.token)
            .await
            .unwrap();
        assert_eq!(next_json(&mut ws).await["type"], "snapshot");
        let size = [1_025, 4_096, 16_384][round % 3];
        let message = if round % 2 == 0 {
            Message::text("x".repeat(size))
        } else {
            Message::binary(vec![7_u8; size])
        };
        ws.send(message).await.unwrap();
        let seen = next(&mut ws).await;
        assert!(
            matches!(seen, Seen::Closed(Some(1009))),
            "round {round}, {size} bytes: {seen:?}"
        );
    }
}
