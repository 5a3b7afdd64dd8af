//! The demo's simulated people speak to the gateway as the apps do: REST
//! with a bearer token and the WebSocket feeds, over the loopback address.

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The value at `pointer` (`/stops/0/order_id`) in `value`, or null: the
/// gateway's answers are read leniently, a missing field being no answer.
pub fn field<'a>(value: &'a Value, pointer: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    value.pointer(pointer).unwrap_or(&NULL)
}

/// A WebSocket to the gateway.
type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Why a simulated step failed (the agent logs it and tries again later).
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// HTTP failed (connection, or a body that is not JSON).
    #[error("HTTP: {0}")]
    Http(#[from] reqwest::Error),
    /// The gateway refused a request.
    #[error("{method} {path} answered {status}: {body}")]
    Refused {
        /// The method.
        method: Method,
        /// The path.
        path: String,
        /// The status.
        status: StatusCode,
        /// The error body.
        body: String,
    },
    /// A WebSocket failed.
    #[error("WebSocket: {0}")]
    Ws(#[from] Box<tokio_tungstenite::tungstenite::Error>),
    /// Something the gateway sent was not what the protocol says.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
}

impl DemoError {
    /// The refusal's stable error code, if the gateway refused.
    pub fn code(&self) -> Option<String> {
        match self {
            Self::Refused { body, .. } => serde_json::from_str::<Value>(body)
                .ok()
                .and_then(|b| field(&b, "/code").as_str().map(str::to_owned)),
            _ => None,
        }
    }
}

/// The gateway's address and an HTTP client.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    /// A client of the gateway at `base` (`http://127.0.0.1:8080`).
    pub fn new(base: String) -> Self {
        Self {
            http: reqwest::Client::new(),
            base,
        }
    }

    /// Calls `method path` with `token` and `body`; the answer's JSON.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<Value, DemoError> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status();
        if !status.is_success() {
            return Err(DemoError::Refused {
                method,
                path: path.to_owned(),
                status,
                body: response.text().await.unwrap_or_default(),
            });
        }
        Ok(response.json().await?)
    }

    /// Signs `email` up with `role`, or logs in if the account exists (a
    /// second start of the demo); the token.
    pub async fn account(
        &self,
        email: &str,
        password: &str,
        name: &str,
        role: &str,
    ) -> Result<String, DemoError> {
        let signup = json!({"email": email, "password": password, "name": name, "role": role});
        let auth = match self
            .call(Method::POST, "/auth/signup", None, Some(&signup), None)
            .await
        {
            Err(err) if err.code().as_deref() == Some("email_taken") => {
                let login = json!({"email": email, "password": password});
                self.call(Method::POST, "/auth/login", None, Some(&login), None)
                    .await?
            }
            other => other?,
        };
        field(&auth, "/token")
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| DemoError::Unexpected(format!("no token in {auth}")))
    }

    /// Opens the feed at `path` as `token`; its sending and receiving halves.
    pub async fn feed(&self, path: &str, token: &str) -> Result<(Sender, Receiver), DemoError> {
        let url = format!("{}{path}", self.base.replacen("http", "ws", 1));
        let mut request = url
            .into_client_request()
            .map_err(|e| DemoError::Ws(Box::new(e)))?;
        let bearer = format!("Bearer {token}")
            .parse()
            .map_err(|_| DemoError::Unexpected("a token that is not a header value".into()))?;
        request.headers_mut().insert("Authorization", bearer);
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(Box::new)?;
        let (sink, stream) = socket.split();
        Ok((Sender(sink), Receiver(stream)))
    }
}

/// Sends protocol messages.
pub struct Sender(SplitSink<Socket, Message>);

impl Sender {
    /// Sends `message` with the protocol version added.
    pub async fn send(&mut self, mut message: Value) -> Result<(), DemoError> {
        if let Some(fields) = message.as_object_mut() {
            fields.insert("v".to_owned(), json!(1));
        }
        self.0
            .send(Message::text(message.to_string()))
            .await
            .map_err(|e| DemoError::Ws(Box::new(e)))
    }
}

/// Receives protocol messages.
pub struct Receiver(SplitStream<Socket>);

impl Receiver {
    /// The next JSON message; `None` once the feed closed.
    pub async fn next(&mut self) -> Option<Value> {
        while let Some(frame) = self.0.next().await {
            match frame {
                Ok(Message::Text(text)) => {
                    if let Ok(value) = serde_json::from_str(&text) {
                        return Some(value);
                    }
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
        None
    }
}
