//! A payment provider server for the adapter's tests. It follows Stripe's
//! documented API for what the adapter uses (payment intents with manual
//! capture, cancel, refunds; form-encoded requests; bearer API keys; the
//! error envelope with `type`, `code`, `decline_code`, `message` and the
//! intent; the documented test payment methods) and its documented
//! idempotency: the first result for a key is saved once the endpoint
//! starts executing and replayed for the same parameters; other parameters
//! get `400 idempotency_error`; a key whose first request still runs gets
//! `409`. It can be told to fail the way real providers do: a `500` before
//! executing (with `Stripe-Should-Retry: true`), an answer lost after the
//! work was committed, or work that commits only after the client gave up.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use serde_json::{Value, json};

/// The API key the server accepts.
pub(crate) const API_KEY: &str = "sk_test_provider_double";

/// How the server fails the next request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fault {
    /// `500` before the endpoint executes (nothing saved or done).
    ServerError,
    /// The work is done and saved, but the answer comes too late to be seen.
    LoseAnswer(Duration),
    /// The work starts only after this delay, whether the client still waits or not.
    Slow(Duration),
}

#[derive(Debug, Clone)]
struct Intent {
    id: String,
    amount: i64,
    currency: String,
    status: &'static str,
    captured: i64,
    refunded: i64,
}

impl Intent {
    fn json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "payment_intent",
            "amount": self.amount,
            "amount_received": self.captured,
            "currency": self.currency,
            "status": self.status,
            "capture_method": "manual",
        })
    }
}

/// A saved result, or a request still running.
#[derive(Debug, Clone)]
enum Saved {
    Running(String),
    Done(String, u16, Value),
}

#[derive(Debug, Default)]
struct Books {
    intents: HashMap<String, Intent>,
    keys: HashMap<String, Saved>,
    faults: VecDeque<Fault>,
    /// Requests received, every one.
    requests: usize,
    /// Intents created, captures and refunds done: what money moved.
    created: usize,
    captures: usize,
    refunds: usize,
}

/// The running server and what it saw.
#[derive(Debug, Clone)]
pub(crate) struct Provider {
    pub(crate) addr: SocketAddr,
    books: Arc<Mutex<Books>>,
}

impl Provider {
    /// Starts the server on a free local port.
    pub(crate) async fn start() -> Self {
        let books = Arc::new(Mutex::new(Books::default()));
        let app = Router::new()
            .route("/v1/payment_intents", post(create_intent))
            .route("/v1/payment_intents/{id}/{action}", post(intent_action))
            .route("/v1/refunds", post(create_refund))
            .with_state(books.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, books }
    }

    /// The base URL to configure the adapter with.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Fails the next requests with `faults`, one each, in order.
    pub(crate) fn fail_next(&self, faults: &[Fault]) {
        self.books.lock().unwrap().faults.extend(faults);
    }

    /// (requests received, intents created, captures, refunds).
    pub(crate) fn counts(&self) -> (usize, usize, usize, usize) {
        let b = self.books.lock().unwrap();
        (b.requests, b.created, b.captures, b.refunds)
    }

    /// Intent `id`'s status.
    pub(crate) fn status(&self, id: &str) -> Option<&'static str> {
        self.books.lock().unwrap().intents.get(id).map(|i| i.status)
    }
}

type SharedBooks = Arc<Mutex<Books>>;
type Params = HashMap<String, String>;

fn error(status: u16, kind: &str, code: Option<&str>, message: &str) -> (u16, Value) {
    (
        status,
        json!({"error": {"type": kind, "code": code, "message": message}}),
    )
}

fn answer(status: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

/// Authentication, faults, idempotency; then `work` on the books, once per key.
async fn serve(
    books: SharedBooks,
    headers: &HeaderMap,
    route: String,
    params: &Params,
    work: impl FnOnce(&mut Books) -> (u16, Value) + Send + 'static,
) -> Response {
    let authorised = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {API_KEY}"));
    let fault = {
        let mut b = books.lock().unwrap();
        b.requests += 1;
        b.faults.pop_front()
    };
    if !authorised {
        let (s, body) = error(
            401,
            "invalid_request_error",
            None,
            "Invalid API Key provided",
        );
        return answer(s, body);
    }
    if let Some(Fault::ServerError) = fault {
        let body = json!({"error": {"type": "api_error", "message": "An unknown error occurred"}});
        let mut response = answer(500, body);
        response
            .headers_mut()
            .insert("Stripe-Should-Retry", "true".parse().unwrap());
        return response;
    }
    let Some(key) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) else {
        let (s, body) = error(
            400,
            "invalid_request_error",
            None,
            "an Idempotency-Key is required here",
        );
        return answer(s, body);
    };
    let key = key.to_owned();
    let fingerprint = format!("{route} {:?}", params.iter().collect::<BTreeMap<_, _>>());
    {
        let mut b = books.lock().unwrap();
        match b.keys.get(&key) {
            Some(Saved::Running(f) | Saved::Done(f, ..)) if *f != fingerprint => {
                let (s, body) = error(
                    400,
                    "idempotency_error",
                    None,
                    "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                );
                return answer(s, body);
            }
            Some(Saved::Running(_)) => {
                let (s, body) = error(
                    409,
                    "idempotency_error",
                    None,
                    "There is currently another in-progress request using this Idempotent Key.",
                );
                return answer(s, body);
            }
            Some(Saved::Done(_, s, body)) => return answer(*s, body.clone()),
            None => {
                b.keys
                    .insert(key.clone(), Saved::Running(fingerprint.clone()));
            }
        }
    }
    // The work runs to its end even if the client hangs up meanwhile.
    let running = {
        let books = books.clone();
        tokio::spawn(async move {
            if let Some(Fault::Slow(delay)) = fault {
                tokio::time::sleep(delay).await;
            }
            let mut b = books.lock().unwrap();
            let (s, body) = work(&mut b);
            b.keys
                .insert(key, Saved::Done(fingerprint, s, body.clone()));
            (s, body)
        })
    };
    let (s, body) = running.await.unwrap();
    if let Some(Fault::LoseAnswer(delay)) = fault {
        tokio::time::sleep(delay).await;
    }
    answer(s, body)
}

fn amount(params: &Params, name: &str) -> Option<i64> {
    params.get(name)?.parse().ok().filter(|a| *a > 0)
}

async fn create_intent(
    State(books): State<SharedBooks>,
    headers: HeaderMap,
    Form(params): Form<Params>,
) -> Response {
    let p = params.clone();
    serve(books, &headers, "create".into(), &params, move |b| {
        let (Some(amount), Some(currency), Some(method)) = (
            amount(&p, "amount"),
            p.get("currency"),
            p.get("payment_method"),
        ) else {
            return error(
                400,
                "invalid_request_error",
                Some("parameter_missing"),
                "amount, currency and payment_method are required",
            );
        };
        if p.get("capture_method").map(String::as_str) != Some("manual")
            || p.get("confirm").map(String::as_str) != Some("true")
        {
            return error(
                400,
                "invalid_request_error",
                Some("parameter_invalid"),
                "this double only holds (manual capture, confirmed)",
            );
        }
        let decline = match method.as_str() {
            "pm_card_visa" | "pm_card_mastercard" | "pm_card_authenticationRequired" => None,
            "pm_card_chargeDeclined" => Some(("generic_decline", "Your card was declined.")),
            "pm_card_chargeDeclinedInsufficientFunds" => {
                Some(("insufficient_funds", "Your card has insufficient funds."))
            }
            _ => {
                return error(
                    400,
                    "invalid_request_error",
                    Some("resource_missing"),
                    "No such PaymentMethod",
                );
            }
        };
        b.created += 1;
        let id = format!("pi_double{}", b.created);
        let status = match (decline, method.as_str()) {
            (Some(_), _) => "requires_payment_method",
            (None, "pm_card_authenticationRequired") => "requires_action",
            (None, _) => "requires_capture",
        };
        let intent = Intent {
            id: id.clone(),
            amount,
            currency: currency.clone(),
            status,
            captured: 0,
            refunded: 0,
        };
        let json = intent.json();
        b.intents.insert(id, intent);
        match decline {
            Some((decline_code, message)) => (
                402,
                json!({"error": {
                    "type": "card_error",
                    "code": "card_declined",
                    "decline_code": decline_code,
                    "message": message,
                    "payment_intent": json,
                }}),
            ),
            None => (200, json),
        }
    })
    .await
}

async fn intent_action(
    State(books): State<SharedBooks>,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    Form(params): Form<Params>,
) -> Response {
    let p = params.clone();
    let route = format!("{action} {id}");
    serve(books, &headers, route, &params, move |b| {
        let Some(intent) = b.intents.get_mut(&id) else {
            return error(
                404,
                "invalid_request_error",
                Some("resource_missing"),
                "No such payment_intent",
            );
        };
        if intent.status != "requires_capture" {
            let json = intent.json();
            return (
                400,
                json!({"error": {
                    "type": "invalid_request_error",
                    "code": "payment_intent_unexpected_state",
                    "message": format!("This PaymentIntent's status is {}", intent.status),
                    "payment_intent": json,
                }}),
            );
        }
        match action.as_str() {
            "capture" => {
                let take = amount(&p, "amount_to_capture").unwrap_or(intent.amount);
                if take > intent.amount {
                    return error(
                        400,
                        "invalid_request_error",
                        Some("amount_too_large"),
                        "more than was authorised",
                    );
                }
                intent.status = "succeeded";
                intent.captured = take;
                let json = intent.json();
                b.captures += 1;
                (200, json)
            }
            "cancel" => {
                intent.status = "canceled";
                (200, intent.json())
            }
            _ => error(
                404,
                "invalid_request_error",
                None,
                "Unrecognized request URL",
            ),
        }
    })
    .await
}

async fn create_refund(
    State(books): State<SharedBooks>,
    headers: HeaderMap,
    Form(params): Form<Params>,
) -> Response {
    let p = params.clone();
    serve(books, &headers, "refund".into(), &params, move |b| {
        let (Some(id), Some(minor)) = (p.get("payment_intent"), amount(&p, "amount")) else {
            return error(400, "invalid_request_error", Some("parameter_missing"), "payment_intent and amount are required");
        };
        let Some(intent) = b.intents.get_mut(id) else {
            return error(404, "invalid_request_error", Some("resource_missing"), "No such payment_intent");
        };
        if intent.status != "succeeded" {
            return error(400, "invalid_request_error", Some("charge_not_captured"), "nothing captured to refund");
        }
        if intent.refunded + minor > intent.captured {
            return error(400, "invalid_request_error", Some("charge_already_refunded"), "more than is left to refund");
        }
        intent.refunded += minor;
        b.refunds += 1;
        (200, json!({"id": format!("re_double{}", b.refunds), "object": "refund", "status": "succeeded"}))
    })
    .await
}
