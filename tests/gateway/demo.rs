//! `serve --demo`: the city is seeded once (a second seeding finds the same
//! kitchens and menus), and its simulated people bring it to life through
//! the API: orders are placed, accepted, offered, and couriers ride.

use std::time::{Duration, Instant};

use foodiefast::demo::city::{self, Size};
use foodiefast::demo::client::Client;
use foodiefast::demo::{self, DemoOptions};
use foodiefast_geo::LatLng;
use serde_json::Value;

use crate::admin::admin_token;
use crate::delivery::FAST_DISPATCH;
use crate::harness::{spawn_app_with, status_json};

#[tokio::test]
async fn the_demo_city_is_seeded_once_and_comes_alive() {
    let app = spawn_app_with(&FAST_DISPATCH).await;
    let centre = LatLng::new(52.52, 13.405).unwrap();
    let client = Client::new(format!("http://{}", app.addr));
    let size = Size {
        couriers: 3,
        customers: 5,
    };
    let first = city::seed(&client, &app.state.store, centre, 7, size)
        .await
        .unwrap();
    let again = city::seed(&client, &app.state.store, centre, 7, size)
        .await
        .unwrap();
    assert_eq!(first.kitchens.len(), 8);
    for (a, b) in first.kitchens.iter().zip(&again.kitchens) {
        assert_eq!(
            (a.id, a.at),
            (b.id, b.at),
            "the same seed, the same kitchens"
        );
        assert_eq!(a.items, b.items, "a second seeding adds no dish");
        assert_eq!(a.items.len(), 3);
    }
    assert_eq!(again.couriers.len(), 3);
    assert_eq!(again.customers.len(), 5);

    let options = DemoOptions {
        seed: 7,
        couriers: 3,
        customers: 5,
    };
    demo::start(app.addr, &app.state.store, centre, options)
        .await
        .unwrap();
    // Within a minute an order has a courier, and that courier moves.
    let admin = admin_token(&app).await;
    let live = || async {
        status_json(app.get("/admin/live", Some(&admin)).await)
            .await
            .1
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    let (courier, was) = loop {
        let map = live().await;
        let busy = map["couriers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == "heading_to_pickup")
            .cloned();
        if let Some(courier) = busy {
            break (courier["id"].clone(), courier["position"].clone());
        }
        assert!(Instant::now() < deadline, "no courier took an order: {map}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let moved = loop {
        let map = live().await;
        let now: Option<Value> = map["couriers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == courier)
            .map(|c| c["position"].clone());
        if now.as_ref().is_some_and(|p| *p != was) {
            break now;
        }
        assert!(
            Instant::now() < deadline,
            "courier {courier} did not move: {map}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(moved.is_some());
    let orders = live().await["orders"].as_array().unwrap().len();
    assert!(orders >= 1, "the customers ordered");
}
