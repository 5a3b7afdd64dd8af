//! Operators: an admin account made outside sign-up logs in and sees live
//! counts and each dispatch zone's load; no other role does.

use std::time::Duration;

use foodiefast::commands::admin::create_admin;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{KITCHEN, TestApp, assert_error, spawn_app, status_json};

pub(crate) async fn admin_token(app: &TestApp) -> String {
    create_admin(
        &app.state.store,
        "ops@example.com",
        "Ops",
        "a long operator password".into(),
    )
    .await
    .unwrap();
    let (status, session) = status_json(
        app.http
            .post(app.url("/auth/login"))
            .json(&json!({"email": "ops@example.com", "password": "a long operator password"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["account"]["role"], "admin");
    session["token"].as_str().unwrap().to_owned()
}

/// Polls `/admin/zones` until it shows `expected`, within five seconds.
async fn zones_become(app: &TestApp, token: &str, expected: &Value) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (status, zones) = status_json(app.get("/admin/zones", Some(token)).await).await;
        assert_eq!(status, StatusCode::OK, "{zones}");
        if &zones == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "zones {zones}, expected {expected}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn admins_see_zone_loads_and_live_counts() {
    let app = spawn_app().await;
    let admin = admin_token(&app).await;
    zones_become(&app, &admin, &json!([])).await;

    let courier = app.sign_up("courier").await;
    let online = app
        .post(
            "/couriers/me/online",
            &courier.token,
            &json!({"position": {"lat": KITCHEN.0, "lng": KITCHEN.1}}),
        )
        .await;
    assert_eq!(online.status(), StatusCode::OK);
    zones_become(
        &app,
        &admin,
        &json!([{"zone": "city", "pending_orders": 0, "available_couriers": 1, "open_offers": 0}]),
    )
    .await;

    // Ready in an hour: too early to offer (the commit horizon is 5 minutes),
    // so the order waits in its zone.
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let id = app.order(&customer, &kitchen).await["id"].as_u64().unwrap();
    let accepted = app
        .post(
            &format!("/orders/{id}/accept"),
            &kitchen.chef.token,
            &json!({"prep_minutes": 60}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    zones_become(
        &app,
        &admin,
        &json!([{"zone": "city", "pending_orders": 1, "available_couriers": 1, "open_offers": 0}]),
    )
    .await;

    let (status, counts) = status_json(app.get("/admin/stats", Some(&admin)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(counts["couriers_online"], 1, "{counts}");
    assert_eq!(counts["orders_by_status"]["accepted"], 1, "{counts}");

    for token in [&customer.token, &courier.token, &kitchen.chef.token] {
        assert_error(
            app.get("/admin/zones", Some(token)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
}
