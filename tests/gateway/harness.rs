//! `spawn_app()`: the gateway on 127.0.0.1:0 with a fresh SQLite store in a
//! temporary directory, and helpers speaking its protocol.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use foodiefast::config::ServeConfig;
use foodiefast::gateway::App;
use foodiefast::gateway::state::AppState;
use futures_util::StreamExt;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The signing secret of every test app.
pub(crate) const SECRET: &str = "a-test-secret-of-at-least-thirty-two-bytes";
/// The one origin test apps allow.
pub(crate) const ALLOWED_ORIGIN: &str = "http://tablet.example";
/// Where test kitchens are (the test city's centre).
pub(crate) const KITCHEN: (f64, f64) = (52.52, 13.405);

/// A WebSocket client.
pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A running test app.
pub(crate) struct TestApp {
    pub(crate) addr: SocketAddr,
    pub(crate) state: AppState,
    pub(crate) http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
}

/// A signed-up account.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) id: u64,
    pub(crate) token: String,
}

/// A chef with an open kitchen and one dish on its menu.
#[derive(Debug, Clone)]
pub(crate) struct ChefKitchen {
    pub(crate) chef: Account,
    pub(crate) kitchen_id: u64,
    pub(crate) item_id: u64,
}

/// Starts an app with the test defaults.
pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts an app with the test defaults overridden by `vars`.
pub(crate) async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gateway.db");
    start(&db, vars, Some(dir)).await
}

/// Starts an app on the SQLite file `db` (another app may have used it).
pub(crate) async fn spawn_app_on(db: &std::path::Path, vars: &[(&str, &str)]) -> TestApp {
    start(db, vars, None).await
}

async fn start(
    db: &std::path::Path,
    vars: &[(&str, &str)],
    dir: Option<tempfile::TempDir>,
) -> TestApp {
    let mut env: HashMap<String, String> = [
        ("PORT", "0"),
        ("BIND_ADDR", "127.0.0.1"),
        ("JWT_SECRET", SECRET),
        ("ALLOWED_ORIGINS", ALLOWED_ORIGIN),
        ("CITY_CENTRE", "52.52,13.405"),
        ("SHUTDOWN_GRACE_SECONDS", "5"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    env.insert("FOODIEFAST_DB_PATH".into(), db.display().to_string());
    for (k, v) in vars {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    let config = ServeConfig::from_lookup(|k| env.get(k).cloned()).unwrap();
    let app = App::build(&config).await.unwrap();
    let addr = app.local_addr().unwrap();
    let state = app.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        app.run_until_stopped(async move {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    TestApp {
        addr,
        state,
        http: reqwest::Client::new(),
        stop: Some(stop),
        server: Some(server),
        _dir: dir,
    }
}

fn unique_email() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "user{}-{}@example.com",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Open every day, all day.
pub(crate) fn always_open() -> Value {
    json!(
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .map(|d| json!({"day": d, "opens": "00:00", "closes": "24:00"}))
            .collect::<Vec<_>>()
    )
}

impl TestApp {
    /// `http://127.0.0.1:PORT` + `path`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `ws://127.0.0.1:PORT` + `path`.
    pub(crate) fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    /// GET with an optional token.
    pub(crate) async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = self.http.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    /// A JSON request with a token.
    pub(crate) async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: &Value,
    ) -> Response {
        self.http
            .request(method, self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// POST JSON with a token.
    pub(crate) async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.send(reqwest::Method::POST, path, token, body).await
    }

    /// Signs up an account of `role` and returns it.
    pub(crate) async fn sign_up(&self, role: &str) -> Account {
        let response = self
            .http
            .post(self.url("/auth/signup"))
            .json(&json!({
                "email": unique_email(),
                "password": "correct horse battery",
                "name": format!("A {role}"),
                "role": role,
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        Account {
            id: body["account"]["id"].as_u64().unwrap(),
            token: body["token"].as_str().unwrap().to_owned(),
        }
    }

    /// A chef with an always-open kitchen at [`KITCHEN`] and one dish at 12.50.
    pub(crate) async fn chef_with_kitchen(&self) -> ChefKitchen {
        let chef = self.sign_up("chef").await;
        let kitchen = self
            .send(
                reqwest::Method::PUT,
                "/kitchens/mine",
                &chef.token,
                &json!({
                    "name": "Chez Test",
                    "position": {"lat": KITCHEN.0, "lng": KITCHEN.1},
                    "prep_minutes": 15,
                    "accepting": true,
                    "hours": always_open(),
                }),
            )
            .await;
        assert_eq!(kitchen.status(), StatusCode::OK);
        let kitchen: Value = kitchen.json().await.unwrap();
        let item = self
            .post(
                "/kitchens/mine/menu",
                &chef.token,
                &json!({
                    "name": "Dumplings",
                    "price_minor": 1250,
                    "currency": "EUR",
                    "available": true,
                    "prep_minutes": 10,
                }),
            )
            .await;
        assert_eq!(item.status(), StatusCode::CREATED);
        let item: Value = item.json().await.unwrap();
        ChefKitchen {
            chef,
            kitchen_id: kitchen["id"].as_u64().unwrap(),
            item_id: item["id"].as_u64().unwrap(),
        }
    }

    /// Places an order with `key`; returns the response.
    pub(crate) async fn place(&self, token: &str, key: &str, body: &Value) -> Response {
        self.http
            .post(self.url("/orders"))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Places two of the kitchen's dish for `customer`; returns the order.
    pub(crate) async fn order(&self, customer: &Account, kitchen: &ChefKitchen) -> Value {
        let key = unique_email();
        let response = self
            .place(&customer.token, &key, &order_body(kitchen, 2))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.unwrap()
    }

    /// Opens a WebSocket at `path` with `token` as a bearer header.
    pub(crate) async fn ws(
        &self,
        path: &str,
        token: &str,
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        let mut request = self.ws_url(path).into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
        tokio_tungstenite::connect_async(request)
            .await
            .map(|(ws, _)| ws)
    }

    /// Opens `/ws/chef` for `chef` and reads its first message, the
    /// kitchen snapshot, which it returns beside the feed.
    pub(crate) async fn chef_feed(&self, chef: &Account) -> (Ws, Value) {
        let mut ws = self.ws("/ws/chef", &chef.token).await.unwrap();
        let snapshot = next_json(&mut ws).await;
        assert_eq!(snapshot["type"], "kitchen_snapshot", "{snapshot}");
        (ws, snapshot)
    }

    /// Begins a graceful shutdown, as SIGTERM does, without waiting for it.
    pub(crate) fn begin_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Stops the app gracefully and waits for it.
    pub(crate) async fn stop(mut self) {
        self.begin_stop();
        if let Some(server) = self.server.take() {
            tokio::time::timeout(Duration::from_secs(10), server)
                .await
                .expect("the app stops within its grace period")
                .unwrap();
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A placement of `quantity` of the kitchen's dish, delivered near it.
pub(crate) fn order_body(kitchen: &ChefKitchen, quantity: u32) -> Value {
    json!({
        "kitchen_id": kitchen.kitchen_id,
        "items": [{"item_id": kitchen.item_id, "quantity": quantity}],
        "drop_off": {"lat": KITCHEN.0 + 0.01, "lng": KITCHEN.1 + 0.01},
        "payment_method": "pm_card_visa",
    })
}

/// The status and JSON body of `response`.
pub(crate) async fn status_json(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// Asserts `response` is a `{"code","message"}` error with `status` and `code`.
pub(crate) async fn assert_error(response: Response, status: StatusCode, code: &str) {
    let (got, body) = status_json(response).await;
    assert_eq!(got, status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].is_string(), "{body}");
}

/// What a WebSocket client saw next (pings skipped).
#[derive(Debug)]
pub(crate) enum Seen {
    Json(Value),
    Closed(Option<u16>),
}

/// The next message, within five seconds.
pub(crate) async fn next(ws: &mut Ws) -> Seen {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a message within 5 s");
        match message {
            Some(Ok(Message::Text(text))) => {
                return Seen::Json(serde_json::from_str(&text).unwrap());
            }
            Some(Ok(Message::Close(frame))) => {
                return Seen::Closed(frame.map(|f| u16::from(f.code)));
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            Some(Ok(other)) => panic!("unexpected frame {other:?}"),
            None | Some(Err(_)) => return Seen::Closed(None),
        }
    }
}

/// The next message, which must be JSON.
pub(crate) async fn next_json(ws: &mut Ws) -> Value {
    match next(ws).await {
        Seen::Json(v) => v,
        Seen::Closed(code) => panic!("closed ({code:?}) where a message was expected"),
    }
}

/// Nothing arrives within `wait`.
pub(crate) async fn assert_quiet(ws: &mut Ws, wait: Duration) {
    if let Ok(Some(Ok(message))) = tokio::time::timeout(wait, ws.next()).await {
        assert!(
            matches!(message, Message::Ping(_) | Message::Pong(_)),
            "expected nothing, got {message:?}"
        );
    }
}
