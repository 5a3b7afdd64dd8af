//! Orders over REST: idempotent placement, ownership, lifecycle.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{assert_error, order_body, spawn_app, status_json};

#[tokio::test]
async fn the_same_key_and_body_answer_the_same_order() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let body = order_body(&kitchen, 2);

    let first = app.place(&customer.token, "key-1", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(first.headers()["idempotent-replayed"], "false");
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["status"], "sent_to_chef");
    assert_eq!(first["total_minor"], 2500);

    let again = app.place(&customer.token, "key-1", &body).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);

    let other_body = app
        .place(&customer.token, "key-1", &order_body(&kitchen, 3))
        .await;
    assert_error(
        other_body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    )
    .await;

    // Keys belong to their customer: another customer's same key is another order.
    let neighbour = app.sign_up("customer").await;
    let theirs: Value = app
        .place(&neighbour.token, "key-1", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(theirs["id"], first["id"]);

    let (_, mine) = status_json(app.get("/orders", Some(&customer.token)).await).await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
}

#[tokio::test]
async fn concurrent_duplicates_place_one_order() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let body = order_body(&kitchen, 1);
    let attempts = (0..8).map(|_| app.place(&customer.token, "same-key", &body));
    let answers = futures_util::future::join_all(attempts).await;
    let mut ids = Vec::new();
    for answer in answers {
        let (status, order) = status_json(answer).await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        ids.push(order["id"].as_u64().unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let (_, mine) = status_json(app.get("/orders", Some(&customer.token)).await).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn placement_needs_a_key_and_an_open_kitchen_with_available_items() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let body = order_body(&kitchen, 1);
    let no_key = app.post("/orders", &customer.token, &body).await;
    assert_error(no_key, StatusCode::BAD_REQUEST, "idempotency_key_required").await;

    let mut unknown_kitchen = body.clone();
    unknown_kitchen["kitchen_id"] = json!(9999);
    assert_error(
        app.place(&customer.token, "k2", &unknown_kitchen).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let mut unknown_item = body.clone();
    unknown_item["items"][0]["item_id"] = json!(9999);
    assert_error(
        app.place(&customer.token, "k3", &unknown_item).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    let mut off_map = body.clone();
    off_map["drop_off"] = json!({"lat": -95.0, "lng": 0.0});
    assert_error(
        app.place(&customer.token, "k4", &off_map).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    let mut zero = body.clone();
    zero["items"][0]["quantity"] = json!(0);
    assert_error(
        app.place(&customer.token, "k5", &zero).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;

    let sold_out = json!({"name": "Dumplings", "price_minor": 1250, "currency": "EUR",
                          "available": false, "prep_minutes": 10});
    let path = format!("/kitchens/mine/menu/{}", kitchen.item_id);
    assert_eq!(
        app.send(Method::PUT, &path, &kitchen.chef.token, &sold_out)
            .await
            .status(),
        StatusCode::OK
    );
    assert_error(
        app.place(&customer.token, "k6", &body).await,
        StatusCode::CONFLICT,
        "item_unavailable",
    )
    .await;

    let closed = json!({"name": "Chez Test", "position": {"lat": 52.52, "lng": 13.405},
                        "prep_minutes": 15, "accepting": false, "hours": []});
    assert_eq!(
        app.send(Method::PUT, "/kitchens/mine", &kitchen.chef.token, &closed)
            .await
            .status(),
        StatusCode::OK
    );
    assert_error(
        app.place(&customer.token, "k7", &body).await,
        StatusCode::CONFLICT,
        "kitchen_closed",
    )
    .await;

    // Nothing was placed, and a refused key can be used again once fixed.
    let (_, mine) = status_json(app.get("/orders", Some(&customer.token)).await).await;
    assert_eq!(mine, json!([]));
}

#[tokio::test]
async fn another_customers_order_is_not_found() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let other_kitchen = app.chef_with_kitchen().await;
    let owner = app.sign_up("customer").await;
    let stranger = app.sign_up("customer").await;
    let order = app.order(&owner, &kitchen).await;
    let id = order["id"].as_u64().unwrap();
    let path = format!("/orders/{id}");

    let (status, seen) = status_json(app.get(&path, Some(&owner.token)).await).await;
    assert_eq!((status, seen["id"].as_u64()), (StatusCode::OK, Some(id)));
    let (status, seen) = status_json(app.get(&path, Some(&kitchen.chef.token)).await).await;
    assert_eq!(
        (status, seen["id"].as_u64()),
        (StatusCode::OK, Some(id)),
        "its kitchen sees it"
    );

    let theirs = app.get(&path, Some(&stranger.token)).await;
    let missing = app.get("/orders/987654", Some(&stranger.token)).await;
    let (theirs_status, theirs_body) = status_json(theirs).await;
    let (missing_status, missing_body) = status_json(missing).await;
    assert_eq!(theirs_status, StatusCode::NOT_FOUND);
    assert_eq!(
        (theirs_status, &theirs_body),
        (missing_status, &missing_body),
        "indistinguishable"
    );
    assert_error(
        app.get(&path, Some(&other_kitchen.chef.token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let cancel = app
        .post(&format!("{path}/cancel"), &stranger.token, &json!({}))
        .await;
    assert_error(cancel, StatusCode::NOT_FOUND, "not_found").await;
    let accept = app
        .post(
            &format!("{path}/accept"),
            &other_kitchen.chef.token,
            &json!({"prep_minutes": 5}),
        )
        .await;
    assert_error(accept, StatusCode::NOT_FOUND, "not_found").await;
    let (_, still) = status_json(app.get(&path, Some(&owner.token)).await).await;
    assert_eq!(still["status"], "sent_to_chef", "unchanged");
    let (_, listed) = status_json(app.get("/orders", Some(&stranger.token)).await).await;
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn chefs_move_orders_along_and_illegal_steps_change_nothing() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let order = app.order(&customer, &kitchen).await;
    let id = order["id"].as_u64().unwrap();
    let chef = &kitchen.chef.token;

    let early = app
        .post(&format!("/orders/{id}/ready"), chef, &json!({}))
        .await;
    assert_error(early, StatusCode::CONFLICT, "illegal_transition").await;
    let silly = app
        .post(
            &format!("/orders/{id}/accept"),
            chef,
            &json!({"prep_minutes": 0}),
        )
        .await;
    assert_error(silly, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    let (status, accepted) = status_json(
        app.post(
            &format!("/orders/{id}/accept"),
            chef,
            &json!({"prep_minutes": 20}),
        )
        .await,
    )
    .await;
    // Accepted, and the kitchen starts cooking at once.
    assert_eq!(
        (status, accepted["status"].as_str()),
        (StatusCode::OK, Some("preparing"))
    );
    let placed_at = accepted["placed_at"].as_i64().unwrap();
    let ready_at = accepted["ready_at"].as_i64().unwrap();
    assert!(
        (placed_at + 1_195..=placed_at + 1_260).contains(&ready_at),
        "{accepted}"
    );
    let reject = app
        .post(
            &format!("/orders/{id}/reject"),
            chef,
            &json!({"note": "too late"}),
        )
        .await;
    assert_error(reject, StatusCode::CONFLICT, "illegal_transition").await;
    let (status, ready) = status_json(
        app.post(&format!("/orders/{id}/ready"), chef, &json!({}))
            .await,
    )
    .await;
    assert_eq!(
        (status, ready["status"].as_str()),
        (StatusCode::OK, Some("ready"))
    );

    // The customer may still cancel before pickup; twice is the same as once.
    let (status, cancelled) = status_json(
        app.post(&format!("/orders/{id}/cancel"), &customer.token, &json!({}))
            .await,
    )
    .await;
    assert_eq!(
        (status, cancelled["status"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    let (status, again) = status_json(
        app.post(&format!("/orders/{id}/cancel"), &customer.token, &json!({}))
            .await,
    )
    .await;
    assert_eq!(
        (status, again["status"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    let after = app
        .post(&format!("/orders/{id}/ready"), chef, &json!({}))
        .await;
    assert_error(after, StatusCode::CONFLICT, "illegal_transition").await;

    let second = app.order(&customer, &kitchen).await;
    let second_id = second["id"].as_u64().unwrap();
    let (status, rejected) = status_json(
        app.post(
            &format!("/orders/{second_id}/reject"),
            chef,
            &json!({"note": "out of flour"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, rejected["status"].as_str()),
        (StatusCode::OK, Some("rejected"))
    );
}
