//! The courier's side: shifts over REST and the `/ws/courier` app feed,
//! with its roles, its checks and its refusals.

use futures_util::SinkExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::harness::{
    ALLOWED_ORIGIN, Account, KITCHEN, TestApp, assert_error, next_json, spawn_app, status_json,
};

async fn online(app: &TestApp, courier: &Account, body: &Value) -> (StatusCode, Value) {
    status_json(app.post("/couriers/me/online", &courier.token, body).await).await
}

async fn status_of(app: &TestApp, courier: &Account) -> Value {
    let (status, body) = status_json(app.get("/couriers/me", Some(&courier.token)).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn a_courier_goes_online_and_offline_as_itself() {
    let app = spawn_app().await;
    let courier = app.sign_up("courier").await;
    assert_eq!(
        status_of(&app, &courier).await,
        json!({"id": courier.id, "status": "offline", "order_ids": []})
    );

    let (status, body) = online(
        &app,
        &courier,
        &json!({"position": {"lat": KITCHEN.0, "lng": KITCHEN.1}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"id": courier.id, "status": "idle", "order_ids": []})
    );
    assert_eq!(status_of(&app, &courier).await["status"], "idle");
    assert_eq!(app.state.engines.couriers_online(), 1);

    // Another courier's token acts for that courier only.
    let other = app.sign_up("courier").await;
    assert_eq!(status_of(&app, &other).await["status"], "offline");

    let (status, body) = status_json(
        app.post("/couriers/me/offline", &courier.token, &json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "offline");
    assert_eq!(app.state.engines.couriers_online(), 0);
}

#[tokio::test]
async fn only_couriers_may_work_shifts_and_bad_shifts_change_nothing() {
    let app = spawn_app().await;
    let customer = app.sign_up("customer").await;
    let here = json!({"position": {"lat": KITCHEN.0, "lng": KITCHEN.1}});
    assert_error(
        app.post("/couriers/me/online", &customer.token, &here)
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        app.get("/couriers/me", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;

    let courier = app.sign_up("courier").await;
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    for body in [
        json!({"position": {"lat": 91.0, "lng": 0.0}}),
        json!({"position": {"lat": 0.0, "lng": 181.0}}),
        json!({"position": {"lat": KITCHEN.0, "lng": KITCHEN.1}, "shift_end": now - 10}),
        json!({"position": {"lat": KITCHEN.0, "lng": KITCHEN.1}, "shift_end": now + 2 * 86_400}),
        json!({"position": {"lat": KITCHEN.0, "lng": KITCHEN.1}, "vehicle": "bike"}),
        json!({}),
    ] {
        let (status, error) = online(&app, &courier, &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} -> {error}"
        );
        assert_eq!(error["code"], "invalid_input", "{error}");
    }
    assert_eq!(status_of(&app, &courier).await["status"], "offline");
    assert_eq!(app.state.engines.couriers_online(), 0);
}

#[tokio::test]
async fn the_courier_socket_checks_role_and_origin_and_refuses_bad_frames() {
    let app = spawn_app().await;
    let customer = app.sign_up("customer").await;
    let refused = app.ws("/ws/courier", &customer.token).await.unwrap_err();
    assert!(refused.to_string().contains("403"), "{refused}");

    let courier = app.sign_up("courier").await;
    let mut foreign = app.ws_url("/ws/courier").into_client_request().unwrap();
    foreign.headers_mut().insert(
        "Authorization",
        format!("Bearer {}", courier.token).parse().unwrap(),
    );
    foreign
        .headers_mut()
        .insert("Origin", "http://evil.example".parse().unwrap());
    let refused = tokio_tungstenite::connect_async(foreign).await.unwrap_err();
    assert!(refused.to_string().contains("403"), "{refused}");

    let mut allowed = app
        .ws_url(&format!("/ws/courier?token={}", courier.token))
        .into_client_request()
        .unwrap();
    allowed
        .headers_mut()
        .insert("Origin", ALLOWED_ORIGIN.parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(allowed).await.unwrap();
    assert_eq!(
        next_json(&mut ws).await,
        json!({"v": 1, "type": "courier_state", "status": "offline", "order_ids": []})
    );

    // Offline: a position has nowhere to go.
    let position =
        json!({"v": 1, "type": "position", "position": {"lat": KITCHEN.0, "lng": KITCHEN.1}});
    ws.send(Message::text(position.to_string())).await.unwrap();
    assert_eq!(next_json(&mut ws).await["code"], "not_online");

    let (status, _) = online(
        &app,
        &courier,
        &json!({"position": {"lat": KITCHEN.0, "lng": KITCHEN.1}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for (frame, code) in [
        ("not json", "bad_frame"),
        (r#"{"v":2,"type":"arrived"}"#, "unsupported_version"),
        (r#"{"v":1,"type":"fly"}"#, "bad_frame"),
        (
            r#"{"v":1,"type":"position","position":{"lat":95,"lng":13.4}}"#,
            "invalid_input",
        ),
        (
            r#"{"v":1,"type":"position","position":{"lat":"north","lng":13.4}}"#,
            "bad_frame",
        ),
        (
            r#"{"v":1,"type":"answer","offer_id":999,"answer":"accept"}"#,
            "not_found",
        ),
        (r#"{"v":1,"type":"arrived"}"#, "illegal_transition"),
        (r#"{"v":1,"type":"picked_up"}"#, "illegal_transition"),
        (
            r#"{"v":1,"type":"delivered","order_id":12345}"#,
            "not_found",
        ),
    ] {
        ws.send(Message::text(frame)).await.unwrap();
        let error = next_json(&mut ws).await;
        assert_eq!(
            (error["type"].as_str(), error["code"].as_str()),
            (Some("error"), Some(code)),
            "{frame} -> {error}"
        );
    }
    // A good position gets no reply; the connection is still open and the
    // courier still idle.
    ws.send(Message::text(position.to_string())).await.unwrap();
    ws.send(Message::text(r#"{"v":1,"type":"ping"}"#))
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await, json!({"v": 1, "type": "pong"}));
    assert_eq!(status_of(&app, &courier).await["status"], "idle");
}
