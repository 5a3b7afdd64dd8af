//! Kitchens as the engine runs them behind `serve`: an order left
//! unanswered is rejected at its deadline (the customer's tracker and the
//! chef's feed both see it), a closed or busy kitchen refuses placements
//! with a 409 and changes nothing, busy mode is the chef's to set, and the
//! chef's tablet resumes its feed with `last_event_id`.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{
    KITCHEN, Seen, TestApp, always_open, assert_error, assert_quiet, next, next_json, order_body,
    spawn_app, spawn_app_on, spawn_app_with, status_json,
};

fn assert_status(msg: &Value, event: &str, event_id: u64) {
    assert_eq!(msg["type"], "status", "{msg}");
    assert_eq!(msg["event"], event, "{msg}");
    assert_eq!(msg["event_id"], event_id, "{msg}");
}

/// The chef's kitchen as `PUT /kitchens/mine` takes it.
fn kitchen_with(accepting: bool, hours: &Value) -> Value {
    json!({"name": "Chez Test", "position": {"lat": KITCHEN.0, "lng": KITCHEN.1},
           "prep_minutes": 15, "accepting": accepting, "hours": hours})
}

async fn put_kitchen(app: &TestApp, token: &str, body: &Value) {
    let response = app.send(Method::PUT, "/kitchens/mine", token, body).await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn orders_of(app: &TestApp, token: &str) -> Value {
    status_json(app.get("/orders", Some(token)).await).await.1
}

#[tokio::test]
async fn an_unanswered_order_is_rejected_at_its_deadline_and_everyone_sees_it() {
    let app = spawn_app_with(&[("KITCHEN_ANSWER_SECONDS", "2")]).await;
    let kitchen = app.chef_with_kitchen().await;
    let (mut feed, _) = app.chef_feed(&kitchen.chef).await;
    let customer = app.sign_up("customer").await;
    let placed = app.order(&customer, &kitchen).await;
    let id = placed["id"].as_u64().unwrap();
    let mut tracker = app
        .ws(&format!("/ws/orders/{id}/track"), &customer.token)
        .await
        .unwrap();
    assert_eq!(next_json(&mut tracker).await["status"], "sent_to_chef");

    // Waiting for the chef, with its deadline on the tablet's queue.
    let (status, queue) = status_json(
        app.get("/kitchens/mine/queue", Some(&kitchen.chef.token))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let deadline = queue["awaiting"][0]["deadline"].as_i64().unwrap();
    assert_eq!(queue["awaiting"][0]["order_id"], id, "{queue}");
    assert!(
        (placed["placed_at"].as_i64().unwrap() + 2..=placed["placed_at"].as_i64().unwrap() + 3)
            .contains(&deadline),
        "{queue}"
    );

    for (event, event_id) in [
        ("placed", 1),
        ("payment_requested", 2),
        ("payment_authorised", 3),
        ("sent_to_chef", 4),
    ] {
        assert_status(&next_json(&mut feed).await, event, event_id);
    }
    // Nothing before the deadline...
    assert_quiet(&mut tracker, Duration::from_secs(1)).await;
    // ...then the rejection, on both feeds.
    let rejected = next_json(&mut tracker).await;
    assert_status(&rejected, "rejected", 5);
    assert_eq!(rejected["reason"], "no_answer", "{rejected}");
    assert!(matches!(next(&mut tracker).await, Seen::Closed(Some(1000))));
    let on_tablet = next_json(&mut feed).await;
    assert_status(&on_tablet, "rejected", 5);
    assert_eq!(on_tablet["order_id"], id);
    assert_eq!(on_tablet["reason"], "no_answer");

    // Too late to accept: refused, nothing changes.
    let late = app
        .post(
            &format!("/orders/{id}/accept"),
            &kitchen.chef.token,
            &json!({"prep_minutes": 10}),
        )
        .await;
    assert_error(late, StatusCode::CONFLICT, "illegal_transition").await;
    let (_, order) = status_json(
        app.get(&format!("/orders/{id}"), Some(&customer.token))
            .await,
    )
    .await;
    assert_eq!(order["status"], "rejected");
    let (_, queue) = status_json(
        app.get("/kitchens/mine/queue", Some(&kitchen.chef.token))
            .await,
    )
    .await;
    assert_eq!(queue["awaiting"], json!([]), "{queue}");
}

#[tokio::test]
async fn a_closed_kitchen_refuses_placements_with_a_409_and_serves_what_it_holds() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let held = app.order(&customer, &kitchen).await["id"].as_u64().unwrap();

    // The chef switches off: new orders are refused, nothing is placed.
    put_kitchen(
        &app,
        &kitchen.chef.token,
        &kitchen_with(false, &always_open()),
    )
    .await;
    let body = order_body(&kitchen, 1);
    assert_error(
        app.place(&customer.token, "closed-1", &body).await,
        StatusCode::CONFLICT,
        "kitchen_closed",
    )
    .await;
    // Outside its opening hours: the same (open only on a day that is not today).
    let today = {
        let (_, mine) =
            status_json(app.get("/kitchens/mine", Some(&kitchen.chef.token)).await).await;
        assert_eq!(mine["open_now"], false);
        let days = ["thu", "fri", "sat", "sun", "mon", "tue", "wed"];
        let day = app
            .state
            .engines
            .clock()
            .now()
            .0
            .div_euclid(86_400)
            .rem_euclid(7);
        days[usize::try_from(day).unwrap()]
    };
    let other_day = if today == "mon" { "tue" } else { "mon" };
    let elsewhen = json!([{"day": other_day, "opens": "00:00", "closes": "24:00"}]);
    put_kitchen(&app, &kitchen.chef.token, &kitchen_with(true, &elsewhen)).await;
    assert_error(
        app.place(&customer.token, "closed-2", &body).await,
        StatusCode::CONFLICT,
        "kitchen_closed",
    )
    .await;
    let (_, queue) = status_json(
        app.get("/kitchens/mine/queue", Some(&kitchen.chef.token))
            .await,
    )
    .await;
    assert_eq!(queue["open"], false, "{queue}");
    let listed = orders_of(&app, &customer.token).await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "only the first order: {listed}"
    );

    // The order taken before closing is still the chef's to answer.
    let accepted = app
        .post(
            &format!("/orders/{held}/accept"),
            &kitchen.chef.token,
            &json!({"prep_minutes": 10}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);

    // Open again: orders are taken.
    put_kitchen(
        &app,
        &kitchen.chef.token,
        &kitchen_with(true, &always_open()),
    )
    .await;
    let response = app.place(&customer.token, "open-again", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn busy_mode_pauses_new_orders_until_the_chef_ends_it_even_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("busy.db");
    let app = spawn_app_on(&db, &[]).await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let chef = &kitchen.chef.token;

    for bad in [
        json!({"minutes": 241}),
        json!({"minutes": -1}),
        json!({"minutes": "soon"}),
        json!({"minutes": 5, "why": "rush"}),
        json!({}),
    ] {
        let response = app
            .send(Method::PUT, "/kitchens/mine/busy", chef, &bad)
            .await;
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    }
    assert_error(
        app.send(
            Method::PUT,
            "/kitchens/mine/busy",
            &customer.token,
            &json!({"minutes": 5}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let (_, queue) = status_json(app.get("/kitchens/mine/queue", Some(chef)).await).await;
    assert_eq!(
        queue["busy_until"],
        Value::Null,
        "bad input changed nothing: {queue}"
    );

    let (status, queue) = status_json(
        app.send(
            Method::PUT,
            "/kitchens/mine/busy",
            chef,
            &json!({"minutes": 15}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let now = app.state.engines.clock().now().0;
    let until = queue["busy_until"].as_i64().unwrap();
    assert!((now + 899..=now + 900).contains(&until), "{queue}");
    assert_eq!(queue["open"], true);

    let body = order_body(&kitchen, 1);
    let refused = app.place(&customer.token, "busy-1", &body).await;
    let (status, error) = status_json(refused).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::CONFLICT, Some("kitchen_busy"))
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains(&until.to_string()),
        "{error}"
    );
    assert_eq!(orders_of(&app, &customer.token).await, json!([]));

    // Busy mode is stored: a restarted server keeps it.
    app.stop().await;
    let app = spawn_app_on(&db, &[]).await;
    assert_error(
        app.place(&customer.token, "busy-1b", &body).await,
        StatusCode::CONFLICT,
        "kitchen_busy",
    )
    .await;

    let (status, queue) = status_json(
        app.send(
            Method::PUT,
            "/kitchens/mine/busy",
            chef,
            &json!({"minutes": 0}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, &queue["busy_until"]),
        (StatusCode::OK, &Value::Null)
    );
    let placed = app.place(&customer.token, "busy-2", &body).await;
    assert_eq!(placed.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_chef_feed_resumes_with_exactly_the_missed_events() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    let chef = &kitchen.chef.token;

    let (mut feed, snapshot) = app.chef_feed(&kitchen.chef).await;
    assert_eq!(snapshot["event_id"], 0);
    let first = app.order(&customer, &kitchen).await["id"].as_u64().unwrap();
    for (event, event_id) in [
        ("placed", 1),
        ("payment_requested", 2),
        ("payment_authorised", 3),
        ("sent_to_chef", 4),
    ] {
        let msg = next_json(&mut feed).await;
        assert_status(&msg, event, event_id);
        assert_eq!(msg["order_id"], first);
    }
    drop(feed);

    // While the tablet is away: a second order, and the first is accepted.
    let second = app.order(&customer, &kitchen).await["id"].as_u64().unwrap();
    let accepted = app
        .post(
            &format!("/orders/{first}/accept"),
            chef,
            &json!({"prep_minutes": 10}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);

    let mut resumed = app.ws("/ws/chef?last_event_id=4", chef).await.unwrap();
    let mut seen = Vec::new();
    for event_id in 5..=10 {
        let msg = next_json(&mut resumed).await;
        assert_eq!(msg["type"], "status", "{msg}");
        assert_eq!(msg["event_id"], event_id, "{msg}");
        seen.push((
            msg["order_id"].as_u64().unwrap(),
            msg["event"].as_str().unwrap().to_owned(),
        ));
    }
    let of = |order: u64| -> Vec<&str> {
        seen.iter()
            .filter(|(o, _)| *o == order)
            .map(|(_, e)| e.as_str())
            .collect()
    };
    assert_eq!(
        of(second),
        [
            "placed",
            "payment_requested",
            "payment_authorised",
            "sent_to_chef"
        ]
    );
    assert_eq!(of(first), ["accepted", "preparation_started"]);
    // Nothing twice, nothing more: then live, numbered on.
    assert_quiet(&mut resumed, Duration::from_millis(300)).await;
    let ready = app
        .post(&format!("/orders/{first}/ready"), chef, &json!({}))
        .await;
    assert_eq!(ready.status(), StatusCode::OK);
    let live = next_json(&mut resumed).await;
    assert_status(&live, "ready", 11);
    assert_eq!(live["order_id"], first);

    // From the start: every event of the kitchen, in order; an id from the
    // future resumes from the latest.
    let mut all = app.ws("/ws/chef?last_event_id=0", chef).await.unwrap();
    for event_id in 1..=11 {
        assert_eq!(next_json(&mut all).await["event_id"], event_id);
    }
    assert_quiet(&mut all, Duration::from_millis(200)).await;
    let mut ahead = app.ws("/ws/chef?last_event_id=1000", chef).await.unwrap();
    assert_quiet(&mut ahead, Duration::from_millis(200)).await;
    let cancel = app
        .post(
            &format!("/orders/{second}/cancel"),
            &customer.token,
            &json!({}),
        )
        .await;
    assert_eq!(cancel.status(), StatusCode::OK);
    assert_status(&next_json(&mut ahead).await, "cancelled", 12);
    assert_status(&next_json(&mut all).await, "cancelled", 12);
    let bad = app.ws("/ws/chef?last_event_id=-1", chef).await;
    assert!(bad.is_err(), "a negative id is refused at the upgrade");
}
