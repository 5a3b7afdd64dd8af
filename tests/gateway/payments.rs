//! Payments through the gateway, with the embedded sandbox provider: a
//! declined card rejects the order with its reason, card numbers are
//! refused, a cancellation voids the hold, and operators read the ledger
//! and may refund only what was captured.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::admin::admin_token;
use crate::harness::{TestApp, assert_error, order_body, spawn_app, status_json};

/// Polls order `id`'s payment (as an admin) until it is `state`, within five seconds.
pub(crate) async fn payment_becomes(app: &TestApp, admin: &str, id: u64, state: &str) -> Value {
    let path = format!("/admin/orders/{id}/payment");
    for _ in 0..250 {
        let (status, payment) = status_json(app.get(&path, Some(admin)).await).await;
        assert_eq!(status, StatusCode::OK, "{payment}");
        if payment["state"] == state {
            return payment;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("order {id}'s payment never became {state}");
}

#[tokio::test]
async fn a_declined_card_rejects_the_order_with_the_reason_and_holds_nothing() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let mut body = order_body(&kitchen, 1);
    body["payment_method"] = json!("pm_card_chargeDeclinedInsufficientFunds");
    let (status, order) = status_json(app.place(&customer.token, "declined-1", &body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["status"], "rejected");
    assert_eq!(order["payment"], "declined");
    let reason = order["reason"].as_str().unwrap();
    assert!(reason.starts_with("payment_declined: "), "{reason}");
    let id = order["id"].as_u64().unwrap();
    let (_, again) = status_json(
        app.get(&format!("/orders/{id}"), Some(&customer.token))
            .await,
    )
    .await;
    assert_eq!(again["reason"], order["reason"]);
    let (status, receipt) = status_json(
        app.get(&format!("/orders/{id}/receipt"), Some(&customer.token))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!(
        (
            &receipt["payment"],
            &receipt["charged_minor"],
            &receipt["held_minor"]
        ),
        (&json!("declined"), &json!(0), &json!(0))
    );
    assert_eq!(receipt["lines"][0]["line_total_minor"], 1_250);
    let stranger = app.sign_up("customer").await;
    let response = app
        .get(&format!("/orders/{id}/receipt"), Some(&stranger.token))
        .await;
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    let admin = admin_token(&app).await;
    let payment = payment_becomes(&app, &admin, id, "declined").await;
    assert_eq!(payment["authorised_minor"], 0);
    assert_eq!(payment["balanced"], true);
}

#[tokio::test]
async fn card_numbers_and_malformed_tokens_are_refused_without_an_echo() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    for (n, method) in [
        json!("4242424242424242"),
        json!("4242 4242 4242 4242"),
        json!(""),
        json!("pm card"),
        json!(42),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = order_body(&kitchen, 1);
        body["payment_method"] = method.clone();
        let response = app
            .place(&customer.token, &format!("bad-method-{n}"), &body)
            .await;
        let (status, error) = status_json(response).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method}: {error}"
        );
        assert_eq!(error["code"], "invalid_input");
        assert!(!error.to_string().contains("4242"), "{error}");
    }
    let mut missing = order_body(&kitchen, 1);
    missing.as_object_mut().unwrap().remove("payment_method");
    let response = app.place(&customer.token, "no-method", &missing).await;
    assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    let (_, orders) = status_json(app.get("/orders", Some(&customer.token)).await).await;
    assert_eq!(orders, json!([]), "nothing was placed");
}

#[tokio::test]
async fn a_cancelled_order_is_voided_and_only_captured_payments_can_be_refunded() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let order = app.order(&customer, &kitchen).await;
    assert_eq!(order["status"], "sent_to_chef");
    assert_eq!(order["payment"], "authorised");
    let id = order["id"].as_u64().unwrap();
    let admin = admin_token(&app).await;
    let held = payment_becomes(&app, &admin, id, "authorised").await;
    assert_eq!(held["held_minor"], 2_500);
    assert!(held["intent"].as_str().unwrap().starts_with("pi_"));

    let cancelled = app
        .post(&format!("/orders/{id}/cancel"), &customer.token, &json!({}))
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let voided = payment_becomes(&app, &admin, id, "voided").await;
    assert_eq!(
        (
            &voided["voided_minor"],
            &voided["held_minor"],
            &voided["balanced"]
        ),
        (&json!(2_500), &json!(0), &json!(true))
    );

    let refunds = format!("/admin/orders/{id}/refunds");
    let refund = json!({"refund_number": 1, "amount_minor": 100, "note": "late"});
    let response = app.post(&refunds, &admin, &refund).await;
    assert_error(response, StatusCode::CONFLICT, "illegal_transition").await;
    let response = app.post(&refunds, &customer.token, &refund).await;
    assert_error(response, StatusCode::FORBIDDEN, "forbidden").await;
    for bad in [
        json!({"refund_number": 1, "amount_minor": 0, "note": "late"}),
        json!({"refund_number": 1, "amount_minor": 100, "note": " "}),
        json!({"refund_number": 1, "amount_minor": 100}),
    ] {
        let response = app.post(&refunds, &admin, &bad).await;
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    }
    let response = app.get("/admin/orders/999999/payment", Some(&admin)).await;
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}
