//! What the apps read beyond the core protocol: the delivery PIN (its
//! customer's only), a courier's trip with pickup and drop-off, and the
//! operations view: the live map and each order's dispatch decision.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::admin::admin_token;
use crate::delivery::{FAST_DISPATCH, say, until_type};
use crate::harness::{
    Account, ChefKitchen, KITCHEN, TestApp, Ws, assert_error, next_json, spawn_app_with,
    status_json,
};

/// An order accepted by its kitchen and by a courier, who is on its way.
pub(crate) struct Assigned {
    pub(crate) app: TestApp,
    pub(crate) admin: String,
    pub(crate) kitchen: ChefKitchen,
    pub(crate) courier: Account,
    pub(crate) courier_ws: Ws,
    pub(crate) customer: Account,
    pub(crate) id: u64,
    pub(crate) pin: String,
    pub(crate) offer_id: Value,
}

impl Assigned {
    /// The chef marks the food ready; the courier arrives and picks it up.
    pub(crate) async fn pick_up(&mut self) {
        let id = self.id;
        let ready = self
            .app
            .post(
                &format!("/orders/{id}/ready"),
                &self.kitchen.chef.token,
                &json!({}),
            )
            .await;
        assert_eq!(ready.status(), StatusCode::OK);
        let ws = &mut self.courier_ws;
        say(ws, &json!({"v": 1, "type": "arrived"})).await;
        until_type(ws, "ack").await;
        say(ws, &json!({"v": 1, "type": "picked_up"})).await;
        let (ack, _) = until_type(ws, "ack").await;
        assert_eq!(ack["status"], "delivering", "{ack}");
    }
}

async fn assigned_order() -> Assigned {
    assigned_order_with(&[]).await
}

/// [`assigned_order`] on an app with `vars` besides fast dispatch.
pub(crate) async fn assigned_order_with(vars: &[(&str, &str)]) -> Assigned {
    let mut env = FAST_DISPATCH.to_vec();
    env.extend_from_slice(vars);
    let app = spawn_app_with(&env).await;
    let admin = admin_token(&app).await;
    let kitchen = app.chef_with_kitchen().await;
    let courier = app.sign_up("courier").await;
    let start = json!({"lat": KITCHEN.0 + 0.002, "lng": KITCHEN.1});
    let online = app
        .post(
            "/couriers/me/online",
            &courier.token,
            &json!({"position": start}),
        )
        .await;
    assert_eq!(online.status(), StatusCode::OK);
    let mut courier_ws = app.ws("/ws/courier", &courier.token).await.unwrap();
    assert_eq!(next_json(&mut courier_ws).await["type"], "courier_state");
    let customer = app.sign_up("customer").await;
    let order = app.order(&customer, &kitchen).await;
    let id = order["id"].as_u64().unwrap();
    let pin = order["delivery_pin"].as_str().unwrap().to_owned();
    let accepted = app
        .post(
            &format!("/orders/{id}/accept"),
            &kitchen.chef.token,
            &json!({"prep_minutes": 1}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let (offer, _) = until_type(&mut courier_ws, "offer").await;
    let offer_id = offer["offer_id"].clone();
    say(
        &mut courier_ws,
        &json!({"v": 1, "type": "answer", "offer_id": offer_id, "answer": "accept"}),
    )
    .await;
    until_type(&mut courier_ws, "assigned").await;
    Assigned {
        app,
        admin,
        kitchen,
        courier,
        courier_ws,
        customer,
        id,
        pin,
        offer_id,
    }
}

#[tokio::test]
async fn the_delivery_pin_is_shown_to_the_customer_only() {
    let app = spawn_app_with(&FAST_DISPATCH).await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let order = app.order(&customer, &kitchen).await;
    let id = order["id"].as_u64().unwrap();
    let pin = order["delivery_pin"].as_str().unwrap();
    assert!(
        pin.len() == 4 && pin.bytes().all(|c| c.is_ascii_digit()),
        "{pin}"
    );
    let path = format!("/orders/{id}");
    let (_, seen) = status_json(app.get(&path, Some(&customer.token)).await).await;
    assert_eq!(seen["delivery_pin"], pin);
    let (_, listed) = status_json(app.get("/orders", Some(&customer.token)).await).await;
    assert_eq!(listed[0]["delivery_pin"], pin);
    let (_, chef_view) = status_json(app.get(&path, Some(&kitchen.chef.token)).await).await;
    assert_eq!(chef_view["id"], id);
    assert!(chef_view.get("delivery_pin").is_none(), "{chef_view}");
    // Another order has another PIN (PINs are per order, not per customer).
    let pins: std::collections::HashSet<String> =
        futures_util::future::join_all((0..8).map(|_| app.order(&customer, &kitchen)))
            .await
            .iter()
            .map(|o| o["delivery_pin"].as_str().unwrap().to_owned())
            .collect();
    assert!(pins.len() > 1, "{pins:?}");
}

#[tokio::test]
async fn the_courier_reads_its_trip_with_pickup_and_drop_off() {
    let scene = assigned_order().await;
    let (status, trip) = status_json(
        scene
            .app
            .get("/couriers/me/trip", Some(&scene.courier.token))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{trip}");
    assert_eq!(trip["status"], "heading_to_pickup");
    let stop = &trip["stops"][0];
    assert_eq!(stop["order_id"], scene.id);
    assert_eq!(stop["kitchen_name"], "Chez Test");
    assert!(
        (stop["pickup"]["lat"].as_f64().unwrap() - KITCHEN.0).abs() < 1e-6,
        "{trip}"
    );
    assert!(stop["drop_off"]["lat"].is_f64(), "{trip}");
    assert!(stop.get("delivery_pin").is_none(), "{trip}");
    assert_error(
        scene
            .app
            .get("/couriers/me/trip", Some(&scene.customer.token))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn operations_see_the_live_map_and_why_the_courier_got_the_order() {
    let mut scene = assigned_order().await;
    let (app, admin) = (&scene.app, scene.admin.as_str());
    let moved = json!({"lat": KITCHEN.0 + 0.001, "lng": KITCHEN.1});
    say(
        &mut scene.courier_ws,
        &json!({"v": 1, "type": "position", "position": moved}),
    )
    .await;
    // Positions are fire and forget: poll until the map has it.
    let mut live = Value::Null;
    for _ in 0..50 {
        live = status_json(app.get("/admin/live", Some(admin)).await)
            .await
            .1;
        if live["couriers"][0]["position"] == moved {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mapped = &live["couriers"][0];
    assert_eq!(mapped["position"], moved, "{live}");
    assert_eq!(mapped["id"], scene.courier.id, "{live}");
    assert_eq!(mapped["status"], "heading_to_pickup", "{live}");
    assert_eq!(mapped["order_ids"], json!([scene.id]), "{live}");
    let order = live["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == scene.id)
        .unwrap();
    assert_eq!(order["courier_id"], scene.courier.id);
    assert!(order["drop_off"]["lng"].is_f64(), "{live}");
    assert!(!live["zones"].as_array().unwrap().is_empty(), "{live}");

    let path = format!("/admin/orders/{}/dispatch", scene.id);
    let (status, decision) = status_json(app.get(&path, Some(admin)).await).await;
    assert_eq!(status, StatusCode::OK, "{decision}");
    assert_eq!(decision["chosen"]["courier_id"], scene.courier.id);
    assert_eq!(decision["order_ids"], json!([scene.id]));
    assert_eq!(decision["offer_id"], scene.offer_id);
    assert_eq!(decision["candidates"][0]["courier_id"], scene.courier.id);
    assert!(
        decision["why"].as_str().unwrap().contains("only candidate"),
        "{decision}"
    );

    // Offline couriers leave the map.
    let offline = app
        .post("/couriers/me/offline", &scene.courier.token, &json!({}))
        .await;
    assert_eq!(offline.status(), StatusCode::OK);
    let (_, live) = status_json(app.get("/admin/live", Some(admin)).await).await;
    assert_eq!(live["couriers"], json!([]), "{live}");
}

#[tokio::test]
async fn operations_views_are_for_admins_and_explain_only_offered_orders() {
    let app = spawn_app_with(&FAST_DISPATCH).await;
    let admin = admin_token(&app).await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let courier = app.sign_up("courier").await;
    let order = app.order(&customer, &kitchen).await;
    let path = format!("/admin/orders/{}/dispatch", order["id"]);
    // No offer yet (no courier): nothing to explain; no such order: 404.
    assert_error(
        app.get(&path, Some(&admin)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.get("/admin/orders/999999/dispatch", Some(&admin)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    for token in [&customer.token, &kitchen.chef.token, &courier.token] {
        assert_error(
            app.get(&path, Some(token)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        assert_error(
            app.get("/admin/live", Some(token)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    assert_error(
        app.get("/admin/live", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn too_many_wrong_pins_lock_the_delivery_and_change_nothing() {
    let mut scene = assigned_order().await;
    scene.pick_up().await;
    let (app, id, ws) = (&scene.app, scene.id, &mut scene.courier_ws);

    let wrong = if scene.pin == "0000" { "1111" } else { "0000" };
    for _ in 0..5 {
        say(
            ws,
            &json!({"v": 1, "type": "delivered", "order_id": id, "pin": wrong}),
        )
        .await;
        assert_eq!(next_json(ws).await["code"], "wrong_pin");
    }
    // Locked: even the right PIN waits now, and the order stays on board.
    say(
        ws,
        &json!({"v": 1, "type": "delivered", "order_id": id, "pin": scene.pin}),
    )
    .await;
    assert_eq!(next_json(ws).await["code"], "too_many_attempts");
    let (_, view) = status_json(
        app.get(&format!("/orders/{id}"), Some(&scene.customer.token))
            .await,
    )
    .await;
    assert_eq!(view["status"], "picked_up", "{view}");
}
