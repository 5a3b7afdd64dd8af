//! Graceful shutdown and failover over one store: instance A, with a
//! courier's app and a customer's tracker connected and a request in
//! flight, is shut down the way SIGTERM does it; instance B then starts on
//! the same SQLite file. Readiness is off before clients are told to
//! reconnect (1012), the request in flight is answered, everything A
//! acknowledged is on B, and the clients resume on B: the tracker replays
//! what it missed after its last event id, the courier goes online again
//! and takes the waiting order.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::delivery::{FAST_DISPATCH, say, until_event, until_type};
use crate::harness::{
    Account, KITCHEN, Seen, TestApp, next, next_json, order_body, spawn_app_on, status_json,
};

/// A placement whose body is sent in two halves over a raw connection, so
/// that it is in flight for as long as the test holds the second half.
struct SlowPlacement {
    stream: TcpStream,
    rest: Vec<u8>,
}

impl SlowPlacement {
    async fn start(app: &TestApp, customer: &Account, body: &Value) -> Self {
        let body = body.to_string().into_bytes();
        let (first, rest) = body.split_at(body.len() / 2);
        let head = format!(
            "POST /orders HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
             Idempotency-Key: in-flight-1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            app.addr,
            customer.token,
            body.len()
        );
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(first).await.unwrap();
        Self {
            stream,
            rest: rest.to_vec(),
        }
    }

    /// Sends the rest of the body; the status and JSON body of the answer.
    async fn finish(mut self) -> (u16, Value) {
        self.stream.write_all(&self.rest).await.unwrap();
        let mut answer = Vec::new();
        self.stream.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8(answer).unwrap();
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        let body = answer
            .split_once("\r\n\r\n")
            .and_then(|(_, body)| serde_json::from_str(body).ok())
            .unwrap_or(Value::Null);
        (status, body)
    }
}

async fn go_online(app: &TestApp, courier: &Account) {
    let (status, body) = status_json(
        app.post(
            "/couriers/me/online",
            &courier.token,
            &json!({"position": {"lat": KITCHEN.0 + 0.002, "lng": KITCHEN.1}}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The close code the server sent, within five seconds.
async fn closed_with(ws: &mut crate::harness::Ws) -> Option<u16> {
    match next(ws).await {
        Seen::Closed(code) => code,
        Seen::Json(msg) => panic!("expected a close, got {msg}"),
    }
}

#[tokio::test]
async fn a_drained_instance_hands_its_clients_to_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    let mut a = spawn_app_on(&db, &FAST_DISPATCH).await;

    let kitchen = a.chef_with_kitchen().await;
    let customer = a.sign_up("customer").await;
    let courier = a.sign_up("courier").await;
    let id = a.order(&customer, &kitchen).await["id"].as_u64().unwrap();
    let mut tracker = a
        .ws(&format!("/ws/orders/{id}/track"), &customer.token)
        .await
        .unwrap();
    assert_eq!(next_json(&mut tracker).await["event_id"], 4);
    let accepted = a
        .post(
            &format!("/orders/{id}/accept"),
            &kitchen.chef.token,
            &json!({"prep_minutes": 1}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    assert_eq!(next_json(&mut tracker).await["event"], "accepted");
    let seen = next_json(&mut tracker).await;
    assert_eq!(seen["event"], "preparation_started");
    let last_event_id = seen["event_id"].as_u64().unwrap();

    // The courier's app is connected, the courier not yet online: the
    // accepted order waits for one.
    let mut app_ws = a.ws("/ws/courier", &courier.token).await.unwrap();
    assert_eq!(next_json(&mut app_ws).await["status"], "offline");

    let in_flight = SlowPlacement::start(&a, &customer, &order_body(&kitchen, 1)).await;
    // Let A's handler take the request and wait for the rest of its body.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let a_state = a.state.clone();
    a.begin_stop();
    let code = closed_with(&mut tracker).await;
    assert!(
        matches!(code, Some(1012 | 1001)),
        "tracker closed with {code:?}"
    );
    assert!(
        !a_state.is_ready(),
        "readiness was off before clients were told"
    );
    let code = closed_with(&mut app_ws).await;
    assert!(
        matches!(code, Some(1012 | 1001)),
        "courier closed with {code:?}"
    );

    let (status, second) = in_flight.finish().await;
    assert_eq!(status, 201, "the request in flight was answered: {second}");
    let second_id = second["id"].as_u64().unwrap();
    // New connections are refused once shutdown began.
    assert!(a.http.get(a.url("/healthz")).send().await.is_err());
    a.stop().await;
    drop(a_state);

    let b = spawn_app_on(&db, &FAST_DISPATCH).await;
    // Everything A acknowledged is on B.
    let (status, first) =
        status_json(b.get(&format!("/orders/{id}"), Some(&customer.token)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["status"], "preparing", "{first}");
    let (status, second) = status_json(
        b.get(&format!("/orders/{second_id}"), Some(&customer.token))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second["status"], "sent_to_chef", "{second}");

    // The courier resumes on B and takes the order that waited.
    let mut app_ws = b.ws("/ws/courier", &courier.token).await.unwrap();
    assert_eq!(next_json(&mut app_ws).await["status"], "offline");
    go_online(&b, &courier).await;
    let (offer, _) = until_type(&mut app_ws, "offer").await;
    assert_eq!(offer["order_ids"], json!([id]), "{offer}");
    let offer_id = offer["offer_id"].as_u64().unwrap();
    say(
        &mut app_ws,
        &json!({"v": 1, "type": "answer", "offer_id": offer_id, "answer": "accept"}),
    )
    .await;
    until_type(&mut app_ws, "assigned").await;

    // The tracker resumes after its last event: the assignment it missed
    // is replayed, then it is live again.
    let mut tracker = b
        .ws(
            &format!("/ws/orders/{id}/track?last_event_id={last_event_id}"),
            &customer.token,
        )
        .await
        .unwrap();
    let missed = next_json(&mut tracker).await;
    assert_eq!(missed["type"], "status", "no snapshot on resume: {missed}");
    assert_eq!(missed["event"], "courier_assigned", "{missed}");
    assert_eq!(missed["event_id"], last_event_id + 1);
    let ready = b
        .post(
            &format!("/orders/{id}/ready"),
            &kitchen.chef.token,
            &json!({}),
        )
        .await;
    assert_eq!(ready.status(), StatusCode::OK);
    until_event(&mut tracker, "ready").await;
    b.stop().await;
}
