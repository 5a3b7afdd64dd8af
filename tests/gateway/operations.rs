//! Probes, metrics, the OpenAPI document and graceful shutdown.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::{Seen, next, next_json, spawn_app, status_json};

#[tokio::test]
async fn probes_answer_and_metrics_render_engine_and_http_counters() {
    let app = spawn_app().await;
    let (status, body) = status_json(app.get("/startupz", None).await).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("started"))
    );
    let (status, body) = status_json(app.get("/healthz", None).await).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (status, body) = status_json(app.get("/readyz", None).await).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );

    let kitchen = app.chef_with_kitchen().await;
    let customer = app.sign_up("customer").await;
    app.order(&customer, &kitchen).await;
    let metrics = app.get("/metrics", None).await;
    assert_eq!(metrics.status(), StatusCode::OK);
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = metrics.text().await.unwrap();
    for needle in [
        "foodiefast_orders_placed_total",
        "foodiefast_http_requests_total{method=\"POST\",route=\"/orders\",status=\"201\"}",
        "foodiefast_live_orders",
        "foodiefast_dispatch_waiting_orders",
        "foodiefast_http_request_seconds_bucket{",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_no_other_method_is() {
    let app = spawn_app().await;
    let (status, doc) = status_json(app.get("/openapi.json", None).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let documented: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "put", "patch", "delete"].contains(&k.as_str()))
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    assert!(documented.len() >= 20, "{documented:?}");
    for expected in [
        "/orders",
        "/orders/{order_id}",
        "/ws/orders/{order_id}/track",
        "/ws/chef",
        "/ws/courier",
        "/couriers/me",
        "/couriers/me/online",
        "/couriers/me/offline",
        "/metrics",
    ] {
        assert!(paths.contains_key(expected), "{expected} undocumented");
    }
    for (path, item) in paths {
        let concrete = path
            .replace("{order_id}", "1")
            .replace("{kitchen_id}", "1")
            .replace("{item_id}", "1");
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let response = app
                .http
                .request(method.parse().unwrap(), app.url(&concrete))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let is_documented = item.get(method.to_lowercase()).is_some();
            assert_ne!(body["code"], "no_route", "{method} {path} is not routed");
            if is_documented {
                assert_ne!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} documented but refused"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} routed but undocumented"
                );
            }
        }
    }
    let _ = documented;
}

#[tokio::test]
async fn shutdown_turns_readiness_off_and_tells_live_clients_to_reconnect() {
    let app = spawn_app().await;
    let kitchen = app.chef_with_kitchen().await;
    let (mut feed, _) = app.chef_feed(&kitchen.chef).await;
    let customer = app.sign_up("customer").await;
    app.order(&customer, &kitchen).await;
    assert_eq!(next_json(&mut feed).await["event"], "placed");
    let state = app.state.clone();
    let addr = app.addr;
    app.stop().await;
    assert!(!state.is_ready());
    let mut closed_with = None;
    for _ in 0..5 {
        if let Seen::Closed(code) = next(&mut feed).await {
            closed_with = code;
            break;
        }
    }
    assert_eq!(closed_with, Some(1012));
    assert!(
        reqwest::get(format!("http://{addr}/healthz"))
            .await
            .is_err(),
        "no longer listening"
    );
}
