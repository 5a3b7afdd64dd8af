//! The webhook: every order event, posted as JSON to `WEBHOOK_URL` by the
//! outbox relay (`foodiefast_actors::outbox`), at least once and in each
//! order's order, signed like Stripe's webhooks ([`signature`]).
//!
//! ```text
//! POST WEBHOOK_URL
//! content-type: application/json
//! foodiefast-event-id: 41-3
//! foodiefast-signature: t=1796072881,v1=5f0c...   (HMAC-SHA256 of "1796072881." + body)
//!
//! {"id":"41-3","order_id":41,"version":3,"kitchen_id":2,"event":{"type":"accepted",...}}
//! ```
//!
//! The id (order and version) is the same on every delivery of an event,
//! so a receiver drops repeats by it; the event is the order log's own
//! JSON. A 2xx answer acknowledges the event; a network error, a timeout,
//! 408, 429 or a 5xx is retried with backoff, the event staying in the
//! outbox meanwhile; any other answer (a 4xx: the receiver refuses the
//! request itself) is logged, counted and not retried. Redirects are not
//! followed. The secret is used to sign and never printed.
//!
//! - [`config`]: the variables;
//! - [`signature`]: signing, and checking as a receiver does.

pub mod config;
pub mod signature;

use std::time::Duration;

use async_trait::async_trait;
use foodiefast_actors::domain::order::OrderEvent;
use foodiefast_actors::outbox::{EventSink, SinkError};
use foodiefast_actors::store::OutboxEntry;
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

pub use config::WebhookConfig;
use signature::SIGNATURE_HEADER;

use crate::config::Secret;

/// The header carrying the event id.
pub const EVENT_ID_HEADER: &str = "foodiefast-event-id";
/// How long one delivery may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The JSON body of one delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent {
    /// The event's id, `order-version`: the same on every delivery.
    pub id: String,
    /// The order.
    pub order_id: u64,
    /// The event's version in the order's log (1, 2, ...).
    pub version: u64,
    /// The order's kitchen.
    pub kitchen_id: u64,
    /// What happened, as in the order's log.
    pub event: OrderEvent,
}

impl From<&OutboxEntry> for WebhookEvent {
    fn from(entry: &OutboxEntry) -> Self {
        Self {
            id: entry.id(),
            order_id: entry.order.0,
            version: entry.version,
            kitchen_id: entry.kitchen.0,
            event: entry.event.clone(),
        }
    }
}

/// The webhook as an outbox sink.
#[derive(Debug)]
pub struct WebhookSink {
    client: reqwest::Client,
    url: String,
    secret: Secret,
}

impl WebhookSink {
    /// A sink posting to `config`'s URL.
    pub fn new(config: &WebhookConfig) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            client,
            url: config.url.clone(),
            secret: config.secret.clone(),
        })
    }
}

/// What an answer's status means for the event.
fn outcome(status: StatusCode) -> Result<(), SinkError> {
    if status.is_success() {
        Ok(())
    } else if status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        Err(SinkError::Retry(format!("the receiver answered {status}")))
    } else {
        Err(SinkError::Permanent(format!(
            "the receiver answered {status}"
        )))
    }
}

#[async_trait]
impl EventSink for WebhookSink {
    async fn deliver(&self, entry: &OutboxEntry) -> Result<(), SinkError> {
        let body = serde_json::to_vec(&WebhookEvent::from(entry))
            .map_err(|e| SinkError::Permanent(format!("the event does not encode: {e}")))?;
        let now = i64::try_from(crate::gateway::auth::tokens::unix_now()).unwrap_or(i64::MAX);
        let signed = signature::sign(self.secret.expose(), now, &body)
            .ok_or_else(|| SinkError::Permanent("the secret cannot sign".to_owned()))?;
        let response = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(EVENT_ID_HEADER, entry.id())
            .header(SIGNATURE_HEADER, signed)
            .body(body)
            .send()
            .await
            .map_err(|e| SinkError::Retry(format!("cannot reach the receiver: {e}")))?;
        outcome(response.status())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sink_never_shows_its_secret() {
        let config = WebhookConfig {
            url: "https://hooks.example/in".into(),
            secret: Secret::new(b"whsec_never_in_a_log_line".to_vec()),
            retry: foodiefast_actors::outbox::SinkRetry::default(),
        };
        let sink = WebhookSink::new(&config).unwrap();
        let shown = format!("{sink:?} {config:?}");
        assert!(shown.contains("hooks.example"), "{shown}");
        assert!(!shown.contains("whsec_never_in_a_log_line"), "{shown}");
    }

    #[test]
    fn successes_acknowledge_overload_and_failures_retry_refusals_are_final() {
        for ok in [200, 201, 202, 204] {
            assert_eq!(outcome(StatusCode::from_u16(ok).unwrap()), Ok(()));
        }
        for retry in [408, 429, 500, 502, 503, 504] {
            let status = StatusCode::from_u16(retry).unwrap();
            assert!(
                matches!(outcome(status), Err(SinkError::Retry(_))),
                "{retry}"
            );
        }
        for refused in [301, 400, 401, 403, 404, 410, 413, 422] {
            let status = StatusCode::from_u16(refused).unwrap();
            assert!(
                matches!(outcome(status), Err(SinkError::Permanent(_))),
                "{refused}"
            );
        }
    }
}
