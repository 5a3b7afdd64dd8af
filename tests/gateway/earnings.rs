//! Pay statements over the real app: a courier's fees topped up to the
//! hourly guarantee, from shift sessions and deliveries the store
//! recorded (seeded at chosen past instants through the store's own
//! writes), each courier seeing only its own; a kitchen's captured
//! payments less refunds and commission, after a real order, delivery,
//! capture and refund; roles and bad periods refused.

use std::time::Duration;

use foodiefast::earnings::period::{format_rfc3339, parse_rfc3339};
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::courier::CourierStatus;
use foodiefast_actors::domain::order::{Order, OrderCommand, OrderDetails, OrderLine};
use foodiefast_actors::store::{CourierStore, CourierView, OrderStore, OrderView};
use foodiefast_geo::{CourierId, Point, RestaurantId, Seconds};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::delivery::{say, until_type};
use crate::dispatch_views::assigned_order_with;
use crate::harness::{TestApp, assert_error, spawn_app, spawn_app_with, status_json};
use crate::payments::payment_becomes;

const HOUR: i64 = 3_600;

/// Courier `courier` online from `start` to `end` (its app's shift:
/// online, working, offline), written as the courier actor writes it.
async fn shift(app: &TestApp, courier: u64, start: i64, end: i64) {
    let at = Point::new(0.0, 0.0).unwrap();
    for (status, when) in [
        (CourierStatus::Idle, start),
        (CourierStatus::HeadingToPickup, start + 60),
        (CourierStatus::Idle, start + 120),
        (CourierStatus::Offline, end),
    ] {
        let online = status != CourierStatus::Offline;
        let view = CourierView {
            id: CourierId(courier),
            status,
            position: online.then_some(at),
            shift_end: online.then_some(Seconds(end + HOUR)),
            updated_at: Seconds(when),
        };
        app.state.store.put_courier(&view).await.unwrap();
    }
}

/// An order delivered by `courier` at `at`, appended as an order actor
/// appends it; its id.
async fn delivered_by(app: &TestApp, courier: u64, at: i64) -> u64 {
    let store = &app.state.store;
    let id = store.next_order_id().await.unwrap();
    let details = OrderDetails {
        id,
        customer: CustomerId(1),
        kitchen: RestaurantId(9_999),
        pickup: Point::new(0.0, 0.0).unwrap(),
        drop_off: Point::new(800.0, 0.0).unwrap(),
        lines: vec![OrderLine {
            item: "1".into(),
            quantity: 1,
            unit_price_cents: 1_000,
        }],
        total_cents: 1_000,
        placed_at: Seconds(at - 1_800),
    };
    let courier = CourierId(courier);
    let placed = Order::place(details).unwrap();
    let mut order = Order::from_events([&placed]).unwrap();
    let mut events = vec![placed];
    for (when, command) in [
        (at - 1_790, OrderCommand::AuthorisePayment),
        (at - 1_780, OrderCommand::SendToChef),
        (
            at - 1_770,
            OrderCommand::Accept {
                ready_at: Seconds(at - 900),
            },
        ),
        (
            at - 1_760,
            OrderCommand::AssignCourier {
                courier,
                pickup_eta: Seconds(at - 600),
            },
        ),
        (at - 700, OrderCommand::MarkReady),
        (at - 650, OrderCommand::PickUp { courier }),
        (at, OrderCommand::Deliver { courier }),
    ] {
        for event in order.decide(Seconds(when), &command).unwrap() {
            order.apply(&event).unwrap();
            events.push(event);
        }
    }
    store
        .append(id, 0, &events, &OrderView::of(&order))
        .await
        .unwrap();
    id.0
}

async fn statement(app: &TestApp, path: &str, token: &str) -> Value {
    let (status, body) = status_json(app.get(path, Some(token)).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn order_ids(statement: &Value) -> Vec<u64> {
    statement["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order_id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_courier_is_paid_per_order_topped_up_to_the_hourly_guarantee() {
    let app = spawn_app_with(&[
        ("COURIER_PAY_PER_ORDER_CENTS", "450"),
        ("COURIER_GUARANTEE_PER_HOUR_CENTS", "1800"),
        ("CITY_UTC_OFFSET_MINUTES", "60"),
    ])
    .await;
    let slow = app.sign_up("courier").await;
    let busy = app.sign_up("courier").await;
    let day = parse_rfc3339("2026-11-02T00:00:00+01:00").unwrap();
    // The slow courier: a shift across midnight (1 h 0 min 1 s of it in
    // the day), one of 3.5 h, three orders in the day, one the day before.
    shift(&app, slow.id, day - HOUR, day + HOUR + 1).await;
    shift(&app, slow.id, day + 8 * HOUR, day + 11 * HOUR + HOUR / 2).await;
    let yesterday = delivered_by(&app, slow.id, day - 1_800).await;
    let mut slow_orders = Vec::new();
    for h in [9, 10, 11] {
        slow_orders.push(delivered_by(&app, slow.id, day + h * HOUR).await);
    }
    // The busy courier: one hour, five orders.
    shift(&app, busy.id, day + 9 * HOUR, day + 10 * HOUR).await;
    let mut busy_orders = Vec::new();
    for m in 1..=5 {
        busy_orders.push(delivered_by(&app, busy.id, day + 9 * HOUR + m * 600).await);
    }

    let path =
        "/couriers/me/earnings?from=2026-11-02T00:00:00%2B01:00&to=2026-11-03T00:00:00%2B01:00";
    let s = statement(&app, path, &slow.token).await;
    assert_eq!(s["courier_id"], slow.id);
    assert_eq!(s["from"], "2026-11-02T00:00:00+01:00");
    assert_eq!(s["to"], "2026-11-03T00:00:00+01:00");
    assert_eq!(s["currency"], "eur");
    assert_eq!(
        order_ids(&s),
        slow_orders,
        "not {yesterday}, not the other courier's"
    );
    assert_eq!(s["orders"][0]["delivered_at"], "2026-11-02T09:00:00+01:00");
    assert_eq!(s["orders"][0]["fee_minor"], 450);
    // 4 h 30 min 1 s at 18.00/h: 8100.5 cents, rounded to 8101.
    assert_eq!(s["online_seconds"], 4 * HOUR + HOUR / 2 + 1);
    assert_eq!(s["hours_online"], 4.5);
    assert_eq!(
        (
            &s["orders_pay_minor"],
            &s["guarantee_minor"],
            &s["top_up_minor"],
            &s["total_minor"]
        ),
        (&json!(1_350), &json!(8_101), &json!(6_751), &json!(8_101))
    );

    let s = statement(&app, path, &busy.token).await;
    assert_eq!(order_ids(&s), busy_orders);
    assert_eq!(
        (
            &s["orders_pay_minor"],
            &s["guarantee_minor"],
            &s["top_up_minor"],
            &s["total_minor"]
        ),
        (&json!(2_250), &json!(1_800), &json!(0), &json!(2_250))
    );

    // The same day as a UTC window an hour later: the 09:00-local order
    // is still in, the shift across midnight is not.
    let utc = "/couriers/me/earnings?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z";
    let s = statement(&app, utc, &slow.token).await;
    assert_eq!(order_ids(&s), slow_orders);
    assert_eq!(s["online_seconds"], 1 + 3 * HOUR + HOUR / 2);
}

#[tokio::test]
async fn statements_are_for_their_own_role_and_bad_periods_are_refused() {
    let app = spawn_app().await;
    let courier = app.sign_up("courier").await;
    let customer = app.sign_up("customer").await;
    let kitchen = app.chef_with_kitchen().await;
    let kitchenless = app.sign_up("chef").await;
    for (path, allowed, refused) in [
        (
            "/couriers/me/earnings",
            &courier,
            [&customer, &kitchen.chef],
        ),
        (
            "/kitchens/mine/earnings",
            &kitchen.chef,
            [&customer, &courier],
        ),
    ] {
        for who in refused {
            assert_error(
                app.get(path, Some(&who.token)).await,
                StatusCode::FORBIDDEN,
                "forbidden",
            )
            .await;
        }
        assert_error(
            app.get(path, None).await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        )
        .await;
        // Today, at the city's offset (UTC here), by default.
        let s = statement(&app, path, &allowed.token).await;
        let from = parse_rfc3339(s["from"].as_str().unwrap()).unwrap();
        let to = parse_rfc3339(s["to"].as_str().unwrap()).unwrap();
        let now = app.state.engines.clock().now().0;
        assert_eq!((to - from, from % 86_400), (86_400, 0));
        assert!((from..to).contains(&now), "{s}");
        for bad in [
            "?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z",
            "?from=2026-11-02T00:00:00Z&to=2026-11-02T00:00:00Z",
            "?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:01Z",
            "?from=2026-11-02",
            "?from=yesterday",
            "?to=2026-11-31T00:00:00Z",
            "?from=2026-11-02T00:00:00Z&courier_id=1",
        ] {
            let response = app.get(&format!("{path}{bad}"), Some(&allowed.token)).await;
            assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
        }
    }
    let response = app
        .get("/kitchens/mine/earnings", Some(&kitchenless.token))
        .await;
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_kitchen_is_owed_its_captured_payments_less_refunds_and_commission() {
    let mut scene = assigned_order_with(&[("PLATFORM_COMMISSION_BPS", "1250")]).await;
    scene.pick_up().await;
    let (app, id) = (&scene.app, scene.id);
    let ws = &mut scene.courier_ws;
    say(
        ws,
        &json!({"v": 1, "type": "delivered", "order_id": id, "pin": scene.pin}),
    )
    .await;
    until_type(ws, "ack").await;
    payment_becomes(app, &scene.admin, id, "captured").await;
    let now = app.state.engines.clock().now().0;
    let period = format!(
        "?from={}&to={}",
        format_rfc3339(now - HOUR, 0),
        format_rfc3339(now + HOUR, 0)
    );

    let path = format!("/kitchens/mine/earnings{period}");
    let s = statement(app, &path, &scene.kitchen.chef.token).await;
    assert_eq!(s["kitchen_id"], scene.kitchen.kitchen_id);
    assert_eq!(s["commission_bps"], 1_250);
    assert_eq!(order_ids(&s), [id]);
    // Two dishes at 12.50; 12.5 % of 25.00 is 3.125, to the nearest cent 3.13.
    assert_eq!(
        (
            &s["gross_minor"],
            &s["refunded_minor"],
            &s["commission_minor"],
            &s["net_minor"]
        ),
        (&json!(2_500), &json!(0), &json!(313), &json!(2_187))
    );
    assert!(s["orders"][0]["captured_at"].is_string(), "{s}");

    let refund = json!({"refund_number": 1, "amount_minor": 300, "note": "cold soup"});
    let response = app
        .post(
            &format!("/admin/orders/{id}/refunds"),
            &scene.admin,
            &refund,
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    payment_becomes(app, &scene.admin, id, "refunded").await;
    let s = statement(app, &path, &scene.kitchen.chef.token).await;
    // 12.5 % of 22.00 is 2.75.
    assert_eq!(
        (
            &s["gross_minor"],
            &s["refunded_minor"],
            &s["commission_minor"],
            &s["net_minor"]
        ),
        (&json!(2_500), &json!(300), &json!(275), &json!(1_925))
    );
    assert_eq!(s["orders"][0]["net_minor"], 1_925);

    // The courier who delivered it sees its fee; going offline closes its
    // shift, which counts in the guarantee.
    let offline = app
        .post("/couriers/me/offline", &scene.courier.token, &json!({}))
        .await;
    assert_eq!(offline.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let path = format!("/couriers/me/earnings{period}");
    let s = statement(app, &path, &scene.courier.token).await;
    assert_eq!(order_ids(&s), [id]);
    assert_eq!(s["orders_pay_minor"], 1_000);
    let online = s["online_seconds"].as_i64().unwrap();
    assert!((0..600).contains(&online), "{s}");
    assert_eq!(
        s["total_minor"], 1_000,
        "a few seconds online guarantee less than one fee"
    );
    // Other accounts see none of it.
    let other = app.sign_up("courier").await;
    let s = statement(app, &path, &other.token).await;
    assert_eq!((order_ids(&s).len(), &s["total_minor"]), (0, &json!(0)));
    let chef = app.chef_with_kitchen().await;
    let s = statement(
        app,
        &format!("/kitchens/mine/earnings{period}"),
        &chef.chef.token,
    )
    .await;
    assert_eq!((order_ids(&s).len(), &s["net_minor"]), (0, &json!(0)));
}
