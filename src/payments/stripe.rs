//! A Stripe-compatible payment adapter: payment intents with manual capture.
//!
//! - authorise: `POST /v1/payment_intents` with `capture_method=manual` and
//!   `confirm=true`; an intent in `requires_capture` is a hold;
//! - capture: `POST /v1/payment_intents/{id}/capture` (`amount_to_capture`);
//! - void: `POST /v1/payment_intents/{id}/cancel`;
//! - refund: `POST /v1/refunds` (`payment_intent`, `amount`).
//!
//! Requests are form-encoded with the API key as a bearer token and an
//! `Idempotency-Key` header. Network errors, timeouts, `409` (another
//! request with the key is still running), `429` and `5xx` are retried with
//! exponential backoff under the same key, unless the provider says not to
//! (`Stripe-Should-Retry: false`); a `402` is a decline; any other `4xx` is
//! final. A capture or void repeated after its effect (the intent is already
//! `succeeded` or `canceled`) counts as done.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::StatusCode;
use serde::Deserialize;

use super::{
    Authorisation, AuthoriseRequest, IntentId, Money, PaymentError, PaymentProvider, RefundId,
};

/// A provider API key; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps `key`.
    pub const fn new(key: String) -> Self {
        Self(key)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(redacted)")
    }
}

/// How failed calls are repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// Wait before the second attempt; doubled each time after.
    pub first_backoff: Duration,
    /// Longest wait between attempts.
    pub max_backoff: Duration,
    /// Longest wait for one answer.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts over about three seconds, ten seconds per answer.
    fn default() -> Self {
        Self {
            attempts: 4,
            first_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(2),
            timeout: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    fn backoff(&self, retry: u32) -> Duration {
        self.first_backoff
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_backoff)
    }
}

/// The adapter.
#[derive(Debug, Clone)]
pub struct StripePayments {
    http: reqwest::Client,
    base: String,
    key: ApiKey,
    retry: RetryPolicy,
}

/// A payment intent as the provider returns it (the fields used).
#[derive(Debug, Deserialize)]
struct Intent {
    id: String,
    status: String,
    amount: i64,
    currency: String,
}

/// A refund as the provider returns it (the fields used).
#[derive(Debug, Deserialize)]
struct Refund {
    id: String,
    status: String,
}

/// The provider's error envelope.
#[derive(Debug, Deserialize)]
struct ErrorEnvelope {
    error: ProviderError,
}

#[derive(Debug, Default, Deserialize)]
struct ProviderError {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
    decline_code: Option<String>,
    message: Option<String>,
    payment_intent: Option<Intent>,
}

impl ProviderError {
    fn code(&self) -> String {
        self.decline_code
            .clone()
            .or_else(|| self.code.clone())
            .or_else(|| self.kind.clone())
            .unwrap_or_else(|| "unknown".to_owned())
    }

    fn message(&self) -> String {
        self.message.clone().unwrap_or_default()
    }
}

/// A final answer that was not a success.
enum Failure {
    /// `402`.
    Declined(ProviderError),
    /// Another `4xx`.
    Refused(ProviderError),
}

impl StripePayments {
    /// The adapter for the API at `base` (`https://api.stripe.com` or a
    /// compatible server) with `key`.
    pub fn new(base: &str, key: ApiKey, retry: RetryPolicy) -> Result<Self, PaymentError> {
        let http = reqwest::Client::builder()
            .timeout(retry.timeout)
            .build()
            .map_err(|e| PaymentError::Unavailable(format!("no HTTP client: {e}")))?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            key,
            retry,
        })
    }

    /// POSTs `form` to `path` under `key` until a final answer or the last
    /// attempt; the JSON body of a success.
    async fn post<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        form: &[(&str, String)],
        key: &str,
    ) -> Result<Result<T, Failure>, PaymentError> {
        let url = format!("{}{path}", self.base);
        let mut last = String::new();
        for attempt in 0..self.retry.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(self.retry.backoff(attempt - 1)).await;
            }
            let sent = self
                .http
                .post(&url)
                .bearer_auth(&self.key.0)
                .header("Idempotency-Key", key)
                .form(form)
                .send()
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(err) => {
                    last = format!("no answer from {path}: {err}");
                    continue;
                }
            };
            let status = response.status();
            let should_retry = response
                .headers()
                .get("Stripe-Should-Retry")
                .and_then(|v| v.to_str().ok())
                .map(|v| v == "true");
            let body = match response.text().await {
                Ok(body) => body,
                Err(err) => {
                    last = format!("answer from {path} cut short: {err}");
                    continue;
                }
            };
            if status.is_success() {
                return serde_json::from_str(&body).map(Ok).map_err(|e| {
                    PaymentError::Unavailable(format!("unreadable answer from {path}: {e}"))
                });
            }
            let error = serde_json::from_str::<ErrorEnvelope>(&body)
                .map(|e| e.error)
                .unwrap_or_default();
            let transient = status == StatusCode::CONFLICT
                || status == StatusCode::TOO_MANY_REQUESTS
                || status.is_server_error();
            match (should_retry, transient) {
                (Some(true), _) | (None, true) => {
                    last = format!("{path} answered {status}: {}", error.message());
                }
                _ if status == StatusCode::PAYMENT_REQUIRED => {
                    return Ok(Err(Failure::Declined(error)));
                }
                _ => return Ok(Err(Failure::Refused(error))),
            }
        }
        Err(PaymentError::Unavailable(last))
    }

    /// The path of intent `id`'s `action`, refusing ids that are not plain
    /// provider ids (they go into the URL).
    fn intent_path(intent: &IntentId, action: &str) -> Result<String, PaymentError> {
        let plain = !intent.0.is_empty()
            && intent.0.len() <= 255
            && intent
                .0
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !plain {
            return Err(PaymentError::Refused {
                code: "invalid_intent_id".to_owned(),
                message: format!("{intent:?} is not a payment intent id"),
            });
        }
        Ok(format!("/v1/payment_intents/{}/{action}", intent.0))
    }

    /// A capture or void: done when the intent reaches `done`, including when
    /// an earlier call already took it there.
    async fn settle(
        &self,
        path: String,
        form: &[(&str, String)],
        key: &str,
        done: &str,
    ) -> Result<(), PaymentError> {
        match self.post::<Intent>(&path, form, key).await? {
            Ok(intent) if intent.status == done => Ok(()),
            Ok(intent) => Err(PaymentError::Refused {
                code: "unexpected_status".to_owned(),
                message: format!("intent {} is {}, not {done}", intent.id, intent.status),
            }),
            Err(Failure::Refused(error) | Failure::Declined(error))
                if error
                    .payment_intent
                    .as_ref()
                    .is_some_and(|i| i.status == done) =>
            {
                Ok(())
            }
            Err(Failure::Refused(error) | Failure::Declined(error)) => Err(PaymentError::Refused {
                code: error.code(),
                message: error.message(),
            }),
        }
    }
}

#[async_trait]
impl PaymentProvider for StripePayments {
    async fn authorise(
        &self,
        request: &AuthoriseRequest,
        key: &str,
    ) -> Result<Authorisation, PaymentError> {
        let form = [
            ("amount", request.amount.minor.to_string()),
            ("currency", request.amount.currency.clone()),
            ("payment_method", request.method.0.clone()),
            ("payment_method_types[]", "card".to_owned()),
            ("capture_method", "manual".to_owned()),
            ("confirm", "true".to_owned()),
            ("metadata[order_id]", request.order.to_string()),
        ];
        match self
            .post::<Intent>("/v1/payment_intents", &form, key)
            .await?
        {
            Ok(intent) if intent.status == "requires_capture" => Ok(Authorisation {
                intent: IntentId(intent.id),
                amount: Money {
                    minor: intent.amount,
                    currency: intent.currency,
                },
            }),
            // Needs the customer (3-D Secure) or a new method: not a hold.
            Ok(intent) => Err(PaymentError::Declined {
                code: intent.status,
                message: "the payment method needs the customer's action".to_owned(),
            }),
            Err(Failure::Declined(error)) => Err(PaymentError::Declined {
                code: error.code(),
                message: error.message(),
            }),
            Err(Failure::Refused(error)) => Err(PaymentError::Refused {
                code: error.code(),
                message: error.message(),
            }),
        }
    }

    async fn capture(&self, intent: &IntentId, minor: i64, key: &str) -> Result<(), PaymentError> {
        let path = Self::intent_path(intent, "capture")?;
        let form = [("amount_to_capture", minor.to_string())];
        self.settle(path, &form, key, "succeeded").await
    }

    async fn void(&self, intent: &IntentId, key: &str) -> Result<(), PaymentError> {
        let path = Self::intent_path(intent, "cancel")?;
        self.settle(path, &[], key, "canceled").await
    }

    async fn refund(
        &self,
        intent: &IntentId,
        minor: i64,
        key: &str,
    ) -> Result<RefundId, PaymentError> {
        Self::intent_path(intent, "refund")?;
        let form = [
            ("payment_intent", intent.0.clone()),
            ("amount", minor.to_string()),
        ];
        match self.post::<Refund>("/v1/refunds", &form, key).await? {
            Ok(refund) if refund.status == "failed" || refund.status == "canceled" => {
                Err(PaymentError::Refused {
                    code: format!("refund_{}", refund.status),
                    message: format!("refund {} {}", refund.id, refund.status),
                })
            }
            Ok(refund) => Ok(RefundId(refund.id)),
            Err(Failure::Refused(error) | Failure::Declined(error)) => Err(PaymentError::Refused {
                code: error.code(),
                message: error.message(),
            }),
        }
    }
}
