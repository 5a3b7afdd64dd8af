//! Bad input over REST: a 4xx with a `{"code","message"}` body, never a
//! 5xx, and nothing changed.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{assert_error, order_body, spawn_app, status_json};

#[tokio::test]
async fn malformed_and_mistyped_bodies_are_4xx_json_and_change_nothing() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let send_raw = |body: &'static str, content_type: &'static str| {
        app.http
            .post(app.url("/orders"))
            .bearer_auth(&customer.token)
            .header("Idempotency-Key", "raw")
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    assert_error(
        send_raw("{\"kitchen_id\": 1,", "application/json")
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        "malformed_json",
    )
    .await;
    assert_error(
        send_raw("not json at all", "application/json")
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        "malformed_json",
    )
    .await;
    assert_error(
        send_raw("{}", "text/plain").await.unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let mut wrong_type = order_body(&kitchen, 1);
    wrong_type["kitchen_id"] = json!("one");
    assert_error(
        app.place(&customer.token, "t1", &wrong_type).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    let mut extra = order_body(&kitchen, 1);
    extra["discount"] = json!(100);
    assert_error(
        app.place(&customer.token, "t2", &extra).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    let (_, listed) = status_json(app.get("/orders", Some(&customer.token)).await).await;
    assert_eq!(listed, json!([]), "nothing was placed");
}

#[tokio::test]
async fn unknown_routes_ids_and_methods_are_json_errors() {
    let app = spawn_app().await;
    let customer = app.sign_up("customer").await;
    assert_error(
        app.get("/nowhere", None).await,
        StatusCode::NOT_FOUND,
        "no_route",
    )
    .await;
    assert_error(
        app.get("/orders/not-a-number", Some(&customer.token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.get("/orders/18446744073709551616", Some(&customer.token))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let delete = app
        .http
        .delete(app.url("/orders"))
        .bearer_auth(&customer.token)
        .send()
        .await
        .unwrap();
    assert_error(delete, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let plain = app.get("/ws/chef", None).await;
    assert_eq!(
        plain.status(),
        StatusCode::UNAUTHORIZED,
        "auth is checked before the upgrade"
    );
}
