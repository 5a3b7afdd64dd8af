//! The REST calls a run makes while provisioning, over one pooled HTTP
//! client, and a helper running many of them a few at a time.

use std::future::Future;

use futures_util::{StreamExt, stream};
use serde_json::Value;

use super::error::LoadgenError;

/// Requests in flight at once while provisioning.
pub const CONCURRENCY: usize = 32;

/// The server's REST API.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    /// The API at `base` (`http://host:port`).
    pub fn new(base: &str) -> Result<Self, LoadgenError> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(CONCURRENCY)
            .build()
            .map_err(|e| LoadgenError::Provision(format!("cannot build an HTTP client: {e}")))?;
        Ok(Self {
            http,
            base: base.to_owned(),
        })
    }

    /// The base URL (`http://host:port`).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The WebSocket URL of `path`.
    pub fn ws_url(&self, path: &str) -> String {
        format!("ws{}{path}", self.base.trim_start_matches("http"))
    }

    /// `method path` with `body` as `token`, and the JSON answer; any
    /// status but 2xx is an error naming the call and the server's answer.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
        idempotency_key: Option<&str>,
    ) -> Result<Value, LoadgenError> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        let failed = |why: String| LoadgenError::Provision(format!("{method} {path}: {why}"));
        let response = request.send().await.map_err(|e| failed(e.to_string()))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| failed(e.to_string()))?;
        if !status.is_success() {
            return Err(failed(format!("{status}: {text}")));
        }
        serde_json::from_str(&text).map_err(|e| failed(format!("not JSON: {e}")))
    }

    /// POST `body` to `path` as `token`.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Result<Value, LoadgenError> {
        self.call(reqwest::Method::POST, path, Some(token), body, None)
            .await
    }
}

/// Runs `work` for every item, [`CONCURRENCY`] at a time; the results in
/// the items' order, or the first error.
pub async fn in_parallel<I, T, F, Fut>(items: I, work: F) -> Result<Vec<T>, LoadgenError>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = Result<T, LoadgenError>>,
{
    stream::iter(items)
        .map(work)
        .buffered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

/// A JSON field that must be an unsigned integer.
pub fn u64_field(value: &Value, pointer: &str) -> Result<u64, LoadgenError> {
    value
        .pointer(pointer)
        .and_then(Value::as_u64)
        .ok_or_else(|| LoadgenError::Provision(format!("no {pointer} in {value}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn urls_and_fields() {
        let api = Api::new("http://127.0.0.1:9").unwrap();
        assert_eq!(api.ws_url("/ws/courier"), "ws://127.0.0.1:9/ws/courier");
        let body = json!({"account": {"id": 7}});
        assert_eq!(u64_field(&body, "/account/id").unwrap(), 7);
        assert!(u64_field(&body, "/id").is_err());
    }
}
