//! Couriers of the crash test: apps on `/ws/courier` that take every offer
//! and deliver at once, until every order they are waiting for is done.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::api::{Account, sign_up};
use crate::server::{KITCHEN, Server};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Orders still to be delivered and their delivery PINs, shared by the couriers.
pub(crate) type Outstanding = Arc<Mutex<HashMap<u64, String>>>;

/// Signs up `n` couriers, puts them online next to the kitchen and lets
/// them work until `outstanding` is empty or `limit` passes.
pub(crate) async fn deliver_all(
    http: &Client,
    server: Server,
    n: usize,
    outstanding: Outstanding,
    limit: Duration,
) {
    let mut apps = Vec::new();
    for i in 0..n {
        let courier = sign_up(http, &server, "courier", i).await;
        let online = http
            .post(server.url("/couriers/me/online"))
            .bearer_auth(&courier.token)
            .json(&json!({"position": {"lat": KITCHEN.0 + 0.001, "lng": KITCHEN.1}}))
            .send()
            .await
            .unwrap();
        assert_eq!(online.status(), StatusCode::OK);
        apps.push(tokio::spawn(work(server, courier, outstanding.clone())));
    }
    let all = futures_util::future::join_all(apps);
    // Whatever is left when time is up, the caller reports.
    let _ = tokio::time::timeout(limit, all).await;
}

async fn send(ws: &mut Ws, message: Value) {
    ws.send(Message::text(message.to_string())).await.unwrap();
}

/// One courier's app: accept, arrive, pick up (again while the food is not
/// ready), deliver each order, until nothing is outstanding.
async fn work(server: Server, courier: Account, outstanding: Outstanding) {
    let mut request = format!("ws://{}/ws/courier", server.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Authorization",
        format!("Bearer {}", courier.token).parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let mut carrying: Vec<u64> = Vec::new();
    // The order whose delivery was sent and not yet acknowledged: it stays
    // outstanding, and is sent again if refused (say, rate limited), until
    // the server acknowledges it.
    let mut delivering: Option<u64> = None;
    loop {
        if delivering.is_none() && outstanding.lock().unwrap().is_empty() {
            return;
        }
        let next = tokio::time::timeout(Duration::from_millis(500), ws.next()).await;
        let text = match next {
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(None | Some(Err(_))) => return,
            _ => continue,
        };
        let message: Value = serde_json::from_str(&text).unwrap();
        match (message["type"].as_str(), message["action"].as_str()) {
            (Some("offer"), _) => {
                let offer = message["offer_id"].clone();
                send(
                    &mut ws,
                    json!({"v": 1, "type": "answer", "offer_id": offer, "answer": "accept"}),
                )
                .await;
            }
            (Some("ack"), Some("answer")) => {
                carrying = ids(&message);
                send(&mut ws, json!({"v": 1, "type": "arrived"})).await;
            }
            (Some("error"), _) if delivering.is_some() => {
                // Refused for now: the same delivery again, within the
                // per-connection message rate.
                tokio::time::sleep(Duration::from_millis(150)).await;
                deliver(&mut ws, &outstanding, delivering).await;
            }
            (Some("ack"), Some("arrived")) | (Some("error"), _) if !carrying.is_empty() => {
                // Not ready yet (or just arrived): ask again shortly.
                tokio::time::sleep(Duration::from_millis(150)).await;
                send(&mut ws, json!({"v": 1, "type": "picked_up"})).await;
            }
            (Some("ack"), Some(action @ ("picked_up" | "delivered"))) => {
                if action == "delivered"
                    && let Some(done) = delivering.take()
                {
                    outstanding.lock().unwrap().remove(&done);
                }
                delivering = carrying.pop();
                deliver(&mut ws, &outstanding, delivering).await;
            }
            _ => {}
        }
    }
}

/// Sends the delivery of `order`, with the PIN its customer gave.
async fn deliver(ws: &mut Ws, outstanding: &Outstanding, order: Option<u64>) {
    if let Some(order) = order {
        let pin = outstanding.lock().unwrap().get(&order).cloned();
        send(
            ws,
            json!({"v": 1, "type": "delivered", "order_id": order, "pin": pin}),
        )
        .await;
    }
}

fn ids(message: &Value) -> Vec<u64> {
    message["order_ids"]
        .as_array()
        .map(|ids| ids.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default()
}
