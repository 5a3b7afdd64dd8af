//! The couriers and trackers of the failover test, as their apps behave
//! when the node they talk to dies: reconnect to another node (a load
//! balancer's next pod) and carry on from what the server says.
//!
//! - A courier's app streams its position every second, takes every offer
//!   and delivers with the PIN its customer gives. Told it is offline (its
//!   zone's engine restarted on another node and kept no idle shift), it
//!   goes online again; reconnected, or refused with nothing in hand, or
//!   refused at every step, it resumes the orders the server says it holds.
//! - A tracker follows one order and, reconnected, asks for what it missed
//!   with `last_event_id`, until the order is delivered.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::api::Account;
use crate::nodes::Nodes;
use crate::server::Server;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Orders ready for couriers, with their delivery PINs; a delivered order
/// leaves the map.
pub(crate) type Outstanding = Arc<Mutex<HashMap<u64, String>>>;

/// Each courier app's last frames, sent and received, by courier number:
/// what a failure shows of the couriers holding an undelivered order.
pub(crate) type Journal = Arc<Mutex<HashMap<usize, VecDeque<String>>>>;

/// Frames kept per courier in the [`Journal`].
const JOURNAL_FRAMES: usize = 40;

/// What the people share: where to connect, what is left, when to stop,
/// how often they had to reconnect, and what the couriers last said.
#[derive(Clone)]
pub(crate) struct Crowd {
    pub(crate) http: Client,
    pub(crate) nodes: Nodes,
    pub(crate) outstanding: Outstanding,
    pub(crate) stop: Arc<AtomicBool>,
    pub(crate) reconnects: Arc<AtomicUsize>,
    pub(crate) journal: Journal,
}

impl Crowd {
    /// A crowd talking to `nodes` with `http`, with nothing outstanding.
    pub(crate) fn new(http: Client, nodes: Nodes) -> Self {
        Self {
            http,
            nodes,
            outstanding: Arc::default(),
            stop: Arc::default(),
            reconnects: Arc::default(),
            journal: Arc::default(),
        }
    }

    /// Notes `line` in courier `number`'s journal.
    fn note(&self, number: usize, line: String) {
        let mut journal = self.journal.lock().unwrap();
        let frames = journal.entry(number).or_default();
        if frames.len() == JOURNAL_FRAMES {
            frames.pop_front();
        }
        frames.push_back(line);
    }

    /// The journals of the couriers whose frames mention order `id`.
    pub(crate) fn journals_of(&self, id: u64) -> Vec<String> {
        let needle = id.to_string();
        let journal = self.journal.lock().unwrap();
        journal
            .iter()
            .filter(|(_, frames)| frames.iter().any(|f| f.contains(&needle)))
            .map(|(n, frames)| {
                let frames: Vec<&str> = frames.iter().map(String::as_str).collect();
                format!("courier {n}:\n  {}", frames.join("\n  "))
            })
            .collect()
    }
}

async fn connect(server: Server, path: &str, token: &str) -> Option<Ws> {
    let mut request = format!("ws://{}{path}", server.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    tokio_tungstenite::connect_async(request)
        .await
        .ok()
        .map(|(ws, _)| ws)
}

async fn send(ws: &mut Ws, message: Value) -> bool {
    ws.send(Message::text(message.to_string())).await.is_ok()
}

/// Sends `message` for courier `number`, noting it in the journal.
async fn send_noted(crowd: &Crowd, number: usize, ws: &mut Ws, message: Value) -> bool {
    crowd.note(number, format!("-> {message}"));
    send(ws, message).await
}

fn ids(message: &Value) -> Vec<u64> {
    message["order_ids"]
        .as_array()
        .map(|ids| ids.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default()
}

/// Puts the courier online at `home` through `server`; the server's view
/// of the courier (with the orders it holds: a shift restored on another
/// node keeps its trip), if it answered.
async fn go_online(
    http: &Client,
    server: Server,
    courier: &Account,
    home: (f64, f64),
) -> Option<Value> {
    let request = http
        .post(server.url("/couriers/me/online"))
        .json(&json!({"position": {"lat": home.0, "lng": home.1}}));
    courier_view(request, courier).await
}

/// The server's view of the courier (status, orders held), if it answered.
async fn me(http: &Client, server: Server, courier: &Account) -> Option<Value> {
    courier_view(http.get(server.url("/couriers/me")), courier).await
}

/// `request` sent as `courier`: the courier's view it answers, if it did.
async fn courier_view(request: reqwest::RequestBuilder, courier: &Account) -> Option<Value> {
    let response = request.bearer_auth(&courier.token).send().await.ok()?;
    if response.status() != StatusCode::OK {
        return None;
    }
    response.json().await.ok()
}

/// One courier's app, starting on node `first`, until the crowd stops.
pub(crate) async fn courier(crowd: Crowd, courier: Account, home: (f64, f64), first: usize) {
    let mut attempt = first;
    while !crowd.stop.load(Ordering::SeqCst) {
        let server = crowd.nodes.pick(attempt);
        if let Some(ws) = connect(server, "/ws/courier", &courier.token).await {
            crowd.note(first, format!("connected to {}", server.addr));
            work(&crowd, first, server, &courier, home, ws).await;
        }
        if crowd.stop.load(Ordering::SeqCst) {
            return;
        }
        // The node went away (or refused): the next one.
        crowd.reconnects.fetch_add(1, Ordering::SeqCst);
        attempt += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A courier's trip as the app sees it.
#[derive(Default)]
struct Trip {
    /// Orders held and not being delivered.
    carrying: Vec<u64>,
    /// The order whose delivery was sent and not yet acknowledged.
    delivering: Option<u64>,
    /// Refusals so far, to cycle through the steps after one.
    refusals: usize,
}

const ARRIVED: &str = r#"{"v":1,"type":"arrived"}"#;
const PICKED_UP: &str = r#"{"v":1,"type":"picked_up"}"#;

impl Trip {
    /// Takes the orders the server says the courier holds.
    fn holds(&mut self, message: &Value) {
        self.carrying = ids(message)
            .into_iter()
            .filter(|id| Some(*id) != self.delivering)
            .collect();
    }

    /// Whether the app knows of no order it holds.
    const fn is_empty(&self) -> bool {
        self.carrying.is_empty() && self.delivering.is_none()
    }

    /// Takes the server's word on the orders held, if it answered: a
    /// delivery under way of an order no longer held is over.
    fn refresh(&mut self, courier: Option<&Value>) {
        let Some(courier) = courier else { return };
        let held = ids(courier);
        self.delivering = self.delivering.filter(|order| held.contains(order));
        self.holds(courier);
    }

    /// Takes up the trip the server says the courier is on (after a
    /// reconnect, or going online again): to the restaurant first.
    fn resume(&mut self, courier: Option<&Value>) -> Option<Value> {
        self.holds(courier?);
        (!self.carrying.is_empty()).then(|| serde_json::from_str(ARRIVED).unwrap())
    }

    /// The delivery to send next, if any.
    fn next_step(&mut self, outstanding: &Outstanding) -> Option<Value> {
        if self.delivering.is_none() {
            self.delivering = self.carrying.pop();
        }
        let order = self.delivering?;
        let pin = outstanding.lock().unwrap().get(&order).cloned();
        Some(json!({"v": 1, "type": "delivered", "order_id": order, "pin": pin}))
    }

    /// After a refusal (food not ready, PIN not known yet, a step already
    /// taken before a reconnect): the steps in turn until one is taken.
    fn after_refusal(&mut self, outstanding: &Outstanding) -> Option<Value> {
        if self.is_empty() {
            return None;
        }
        self.refusals += 1;
        match self.refusals % 3 {
            0 => serde_json::from_str(ARRIVED).ok(),
            1 => serde_json::from_str(PICKED_UP).ok(),
            _ => self.next_step(outstanding),
        }
    }
}

/// Works on one connection until it closes or the crowd stops.
async fn work(
    crowd: &Crowd,
    number: usize,
    server: Server,
    courier: &Account,
    home: (f64, f64),
    mut ws: Ws,
) {
    let position = json!({"v": 1, "type": "position", "position": {"lat": home.0, "lng": home.1}});
    let mut trip = Trip::default();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    // When the server last moved the trip on (refusals do not count).
    let mut heard = tokio::time::Instant::now();
    loop {
        if crowd.stop.load(Ordering::SeqCst) {
            return;
        }
        let text = tokio::select! {
            _ = tick.tick() => {
                if !send(&mut ws, position.clone()).await {
                    return;
                }
                // No progress for a while (an answer lost with a node):
                // read the courier's state again, as the app does.
                if heard.elapsed() > Duration::from_secs(5) {
                    heard = tokio::time::Instant::now();
                    let now = me(&crowd.http, server, courier).await;
                    crowd.note(number, format!("silence; me: {now:?}"));
                    let step = match trip.resume(now.as_ref()) {
                        Some(step) => Some(step),
                        None => trip.next_step(&crowd.outstanding),
                    };
                    if let Some(step) = step
                        && !send_noted(crowd, number, &mut ws, step).await
                    {
                        return;
                    }
                }
                continue;
            }
            next = ws.next() => match next {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(_)) => continue,
                None | Some(Err(_)) => return,
            },
        };
        crowd.note(number, format!("<- {text}"));
        let message: Value = serde_json::from_str(&text).unwrap();
        if message["type"] != "error" {
            heard = tokio::time::Instant::now();
        }
        if message["type"] == "ack" {
            trip.holds(&message);
        }
        let reply = match (message["type"].as_str(), message["action"].as_str()) {
            (Some("courier_state"), _) => {
                let now = if message["status"] == "offline" {
                    let now = go_online(&crowd.http, server, courier, home).await;
                    crowd.note(number, format!("online again: {now:?}"));
                    now
                } else {
                    Some(message)
                };
                trip.resume(now.as_ref())
            }
            (Some("offer"), _) => Some(json!({
                "v": 1, "type": "answer", "offer_id": message["offer_id"], "answer": "accept"
            })),
            (Some("ack"), Some("answer")) => serde_json::from_str(ARRIVED).ok(),
            (Some("ack"), Some("arrived")) => serde_json::from_str(PICKED_UP).ok(),
            (Some("ack"), Some("picked_up")) => trip.next_step(&crowd.outstanding),
            (Some("ack"), Some("delivered")) => {
                if let Some(done) = trip.delivering.take() {
                    crowd.outstanding.lock().unwrap().remove(&done);
                }
                trip.next_step(&crowd.outstanding)
            }
            (Some("error"), _) if message["code"] == "not_online" => {
                // The zone's engine restarted elsewhere without this shift.
                trip = Trip::default();
                let now = go_online(&crowd.http, server, courier, home).await;
                crowd.note(number, format!("online again: {now:?}"));
                trip.resume(now.as_ref())
            }
            (Some("error"), _) => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                // Holding nothing as far as the app knows, or refused round
                // the steps already: what does the server say?
                if trip.is_empty() || trip.refusals % 3 == 2 {
                    let now = me(&crowd.http, server, courier).await;
                    crowd.note(number, format!("refused; me: {now:?}"));
                    trip.refresh(now.as_ref());
                }
                trip.after_refusal(&crowd.outstanding)
            }
            _ => None,
        };
        if let Some(reply) = reply
            && !send_noted(crowd, number, &mut ws, reply).await
        {
            return;
        }
    }
}

/// One tracker of order `order`, starting on node `first`: the statuses it
/// saw, in order, once the order is delivered or the crowd stops.
pub(crate) async fn tracker(
    crowd: Crowd,
    customer: Account,
    order: u64,
    first: usize,
) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut last_event: Option<u64> = None;
    let mut attempt = first;
    while !crowd.stop.load(Ordering::SeqCst) {
        let server = if attempt == first {
            crowd.nodes.node(first)
        } else {
            crowd.nodes.pick(attempt)
        };
        let path = match last_event {
            None => format!("/ws/orders/{order}/track"),
            Some(id) => format!("/ws/orders/{order}/track?last_event_id={id}"),
        };
        if let Some(mut ws) = connect(server, &path, &customer.token).await {
            loop {
                let text = match tokio::time::timeout(Duration::from_secs(1), ws.next()).await {
                    Ok(Some(Ok(Message::Text(text)))) => text,
                    Err(_) if crowd.stop.load(Ordering::SeqCst) => return seen,
                    Err(_) | Ok(Some(Ok(_))) => continue,
                    Ok(None | Some(Err(_))) => break,
                };
                let message: Value = serde_json::from_str(&text).unwrap();
                if let Some(id) = message["event_id"].as_u64() {
                    last_event = Some(last_event.map_or(id, |l| l.max(id)));
                }
                if let Some(status) = message["status"].as_str()
                    && seen.last().map(String::as_str) != Some(status)
                {
                    seen.push(status.to_owned());
                }
                if seen.last().is_some_and(|s| s == "delivered") {
                    return seen;
                }
            }
        }
        crowd.reconnects.fetch_add(1, Ordering::SeqCst);
        attempt += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    seen
}
