//! Payments for operators: an order's payment and ledger, read from its
//! log, and refunds (a delivery that failed after capture). A refund is
//! numbered (`refund_number`, 1 for an order's first): the same request
//! repeated changes nothing, so a retried or double-clicked refund cannot
//! pay out twice. The refund itself is taken to the provider by the
//! payment saga; the answer is `202` with the payment `refunding`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use foodiefast_actors::EngineError;
use foodiefast_actors::domain::order::{Order, OrderCommand};
use foodiefast_actors::store::OrderStore;
use foodiefast_geo::OrderId;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::gateway::auth::{Admin, Authed};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::{Body, Path};
use crate::gateway::state::AppState;

/// Longest refund note.
const MAX_NOTE_CHARS: usize = 500;

/// The payment routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(payment_of_order))
        .routes(routes!(refund_order))
}

/// An order's payment and ledger. While nothing is in flight,
/// `authorised_minor = captured_minor + voided_minor + refunded_minor`;
/// `held_minor` is what is authorised and not yet settled either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PaymentOut {
    /// The order.
    pub order_id: u64,
    /// `none`, `authorising`, `declined`, `authorised`, `captured`,
    /// `voided`, `refunding`, `refunded` or `failed`.
    pub state: String,
    /// ISO 4217 code, when the engine takes the payment.
    pub currency: Option<String>,
    /// The provider's id for the hold.
    pub intent: Option<String>,
    /// Held at authorisation, minor units.
    pub authorised_minor: i64,
    /// Taken and kept (captured less refunds).
    pub captured_minor: i64,
    /// Released without being taken.
    pub voided_minor: i64,
    /// Given back.
    pub refunded_minor: i64,
    /// Authorised and not yet settled.
    pub held_minor: i64,
    /// Refunds asked for so far.
    pub refunds: u32,
    /// The provider's decline or refusal, if any.
    pub problem: Option<String>,
    /// Whether the ledger holds its invariants for the order as it stands.
    pub balanced: bool,
}

impl From<&Order> for PaymentOut {
    fn from(order: &Order) -> Self {
        let payment = order.payment();
        let ledger = payment.ledger();
        Self {
            order_id: order.id().0,
            state: payment.state().as_str().to_owned(),
            currency: payment.terms().map(|t| t.currency.clone()),
            intent: payment.hold().map(|h| h.intent.clone()),
            authorised_minor: ledger.authorised_cents,
            captured_minor: ledger.captured_cents,
            voided_minor: ledger.voided_cents,
            refunded_minor: ledger.refunded_cents,
            held_minor: ledger.held_cents(),
            refunds: payment.refunds(),
            problem: payment.problem().map(str::to_owned),
            balanced: order.check_ledger().is_ok(),
        }
    }
}

/// A refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundIn {
    /// Which refund of the order this is: 1 for the first. A repeated
    /// request with a number already used changes nothing.
    pub refund_number: u32,
    /// How much, minor units: 1 up to what is captured.
    pub amount_minor: i64,
    /// Why, for the records (1 to 500 characters).
    pub note: String,
}

/// Order `id` rebuilt from its whole log (payment, ledger, history), read
/// from the store: the same on every node.
pub(crate) async fn order_from_log(state: &AppState, id: OrderId) -> Result<Order, ApiError> {
    let history = state.store.load(id).await?;
    if history.is_empty() {
        return Err(ApiError::NotFound("order"));
    }
    Order::from_events(&history).map_err(|err| EngineError::from(err).into())
}

/// An order's payment and ledger.
#[utoipa::path(get, path = "/admin/orders/{order_id}/payment", tag = "admin",
    security(("bearer" = [])),
    params(("order_id" = u64, Path, description = "The order")),
    responses(
        (status = 200, description = "The payment", body = PaymentOut),
        (status = 404, description = "No such order", body = ErrorBody),
    ))]
async fn payment_of_order(
    State(state): State<AppState>,
    _admin: Authed<Admin>,
    Path(order_id): Path<u64>,
) -> Result<Json<PaymentOut>, ApiError> {
    let order = order_from_log(&state, OrderId(order_id)).await?;
    Ok(Json(PaymentOut::from(&order)))
}

/// Refunds part or all of a delivered order's captured payment.
#[utoipa::path(post, path = "/admin/orders/{order_id}/refunds", tag = "admin",
    security(("bearer" = [])),
    params(("order_id" = u64, Path, description = "The order")),
    request_body = RefundIn,
    responses(
        (status = 202, description = "Recorded; the saga takes it to the provider", body = PaymentOut),
        (status = 404, description = "No such order", body = ErrorBody),
        (status = 409, description = "Nothing captured to refund, a refund in progress, another refund number expected", body = ErrorBody),
        (status = 422, description = "Invalid amount or note", body = ErrorBody),
    ))]
async fn refund_order(
    State(state): State<AppState>,
    _admin: Authed<Admin>,
    Path(order_id): Path<u64>,
    Body(request): Body<RefundIn>,
) -> Result<(StatusCode, Json<PaymentOut>), ApiError> {
    let note = request.note.trim();
    if note.is_empty() || note.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::InvalidInput(format!(
            "note must be 1 to {MAX_NOTE_CHARS} characters"
        )));
    }
    if request.amount_minor <= 0 {
        return Err(ApiError::InvalidInput(
            "amount_minor must be 1 or more".into(),
        ));
    }
    let id = OrderId(order_id);
    let zone = state.engines.zone_of_order(&state.store, id).await?;
    state
        .engines
        .command(
            &zone,
            id,
            OrderCommand::RequestRefund {
                seq: request.refund_number,
                amount_cents: request.amount_minor,
                note: note.to_owned(),
            },
        )
        .await?;
    let order = order_from_log(&state, id).await?;
    Ok((StatusCode::ACCEPTED, Json(PaymentOut::from(&order))))
}
