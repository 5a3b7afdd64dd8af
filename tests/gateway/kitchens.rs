//! Kitchens and menus: chefs publish, customers find open kitchens nearby.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{KITCHEN, always_open, assert_error, spawn_app, status_json};

#[tokio::test]
async fn customers_find_open_kitchens_near_them_and_read_menus() {
    let app = spawn_app().await;
    let open = app.chef_with_kitchen().await;
    // A second kitchen, about 30 km away.
    let far = app.sign_up("chef").await;
    let response = app
        .send(
            Method::PUT,
            "/kitchens/mine",
            &far.token,
            &json!({
                "name": "Far Away", "position": {"lat": KITCHEN.0 + 0.27, "lng": KITCHEN.1},
                "prep_minutes": 20, "accepting": true, "hours": always_open(),
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // A third, near but switched off.
    let closed = app.sign_up("chef").await;
    let response = app
        .send(
            Method::PUT,
            "/kitchens/mine",
            &closed.token,
            &json!({
                "name": "Closed", "position": {"lat": KITCHEN.0, "lng": KITCHEN.1 + 0.001},
                "prep_minutes": 20, "accepting": false, "hours": always_open(),
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // A fourth, near and accepting, but with no opening hours.
    let no_hours = app.sign_up("chef").await;
    let response = app
        .send(
            Method::PUT,
            "/kitchens/mine",
            &no_hours.token,
            &json!({
                "name": "Never Open", "position": {"lat": KITCHEN.0, "lng": KITCHEN.1 + 0.002},
                "prep_minutes": 20, "accepting": true, "hours": [],
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let customer = app.sign_up("customer").await;
    let near = format!(
        "/kitchens?lat={}&lng={}&radius_m=3000",
        KITCHEN.0 + 0.001,
        KITCHEN.1
    );
    let (status, found) = status_json(app.get(&near, Some(&customer.token)).await).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let ids: Vec<u64> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![open.kitchen_id]);
    assert_eq!(found[0]["open_now"], true);
    let distance = found[0]["distance_m"].as_f64().unwrap();
    assert!((100.0..130.0).contains(&distance), "{distance}");

    let wide = format!(
        "/kitchens?lat={}&lng={}&radius_m=40000",
        KITCHEN.0, KITCHEN.1
    );
    let (_, found) = status_json(app.get(&wide, Some(&customer.token)).await).await;
    assert_eq!(found.as_array().unwrap().len(), 2, "nearest first: {found}");
    assert_eq!(found[0]["id"], open.kitchen_id);

    let menu_path = format!("/kitchens/{}/menu", open.kitchen_id);
    let (status, menu) = status_json(app.get(&menu_path, Some(&customer.token)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(menu[0]["name"], "Dumplings");
    assert_eq!(menu[0]["price_minor"], 1250);
    assert_eq!(menu[0]["currency"], "EUR");
    assert_error(
        app.get("/kitchens/999/menu", Some(&customer.token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn chefs_update_their_menu_and_only_theirs() {
    let app = spawn_app().await;
    let mine = app.chef_with_kitchen().await;
    let other = app.chef_with_kitchen().await;
    let change = json!({"name": "Dumplings", "price_minor": 1400, "currency": "EUR",
                        "available": false, "prep_minutes": 12});
    let path = format!("/kitchens/mine/menu/{}", mine.item_id);
    let (status, item) = status_json(
        app.send(Method::PUT, &path, &mine.chef.token, &change)
            .await,
    )
    .await;
    assert_eq!(
        (
            status,
            item["price_minor"].as_i64(),
            item["available"].as_bool()
        ),
        (StatusCode::OK, Some(1400), Some(false))
    );
    let theirs = format!("/kitchens/mine/menu/{}", other.item_id);
    assert_error(
        app.send(Method::PUT, &theirs, &mine.chef.token, &change)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let (_, menu) = status_json(
        app.get(
            &format!("/kitchens/{}/menu", other.kitchen_id),
            Some(&other.chef.token),
        )
        .await,
    )
    .await;
    assert_eq!(
        menu[0]["price_minor"], 1250,
        "the other kitchen's item is unchanged"
    );
}

#[tokio::test]
async fn bad_kitchens_and_items_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let chef = app.sign_up("chef").await;
    assert_error(
        app.get("/kitchens/mine", Some(&chef.token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let base = json!({"name": "K", "position": {"lat": 52.5, "lng": 13.4},
                      "prep_minutes": 10, "accepting": true, "hours": always_open()});
    let mut cases: Vec<Value> = Vec::new();
    for (field, value) in [
        ("position", json!({"lat": 91.0, "lng": 13.4})),
        ("position", json!({"lat": 52.5, "lng": -181.0})),
        (
            "hours",
            json!([{"day": "mon", "opens": "18:00", "closes": "09:00"}]),
        ),
        (
            "hours",
            json!([{"day": "someday", "opens": "09:00", "closes": "18:00"}]),
        ),
        (
            "hours",
            json!([{"day": "mon", "opens": "9am", "closes": "18:00"}]),
        ),
        ("name", json!("")),
        ("prep_minutes", json!(-5)),
        ("accepting", json!("yes")),
    ] {
        let mut body = base.clone();
        body[field] = value;
        cases.push(body);
    }
    for body in cases {
        let response = app
            .send(Method::PUT, "/kitchens/mine", &chef.token, &body)
            .await;
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    }
    assert_error(
        app.get("/kitchens/mine", Some(&chef.token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let item = json!({"name": "X", "price_minor": 100, "currency": "EUR", "available": true, "prep_minutes": 1});
    assert_error(
        app.post("/kitchens/mine/menu", &chef.token, &item).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let customer = app.sign_up("customer").await;
    for query in [
        "lat=95&lng=13",
        "lat=52&lng=13&radius_m=0",
        "lat=52&lng=13&radius_m=90000",
        "lat=abc&lng=13",
        "lng=13",
    ] {
        let response = app
            .get(&format!("/kitchens?{query}"), Some(&customer.token))
            .await;
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    }
}
