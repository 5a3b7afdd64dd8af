//! Receipts: what a customer ordered and what was taken for it, from the
//! order's event log (lines, total, the payment's state and ledger). The
//! order history is `GET /orders`; a receipt is one order's detail.

use axum::Json;
use axum::extract::State;
use foodiefast_geo::OrderId;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::gateway::auth::{Authed, Customer};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::Path;
use crate::gateway::routes::orders::visible_order;
use crate::gateway::state::AppState;

/// The receipt routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(receipt))
}

/// One line of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReceiptLine {
    /// The menu item.
    pub item_id: String,
    /// How many.
    pub quantity: u32,
    /// Price of one, minor units.
    pub unit_price_minor: i64,
    /// `quantity * unit_price_minor`.
    pub line_total_minor: i64,
}

/// A customer's receipt for one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Receipt {
    /// The order.
    pub order_id: u64,
    /// The kitchen.
    pub kitchen_id: u64,
    /// Lifecycle status.
    pub status: String,
    /// Why it was rejected or cancelled.
    pub reason: Option<String>,
    /// When it was placed, Unix seconds.
    pub placed_at: i64,
    /// When it last changed, Unix seconds.
    pub updated_at: i64,
    /// What was ordered.
    pub lines: Vec<ReceiptLine>,
    /// The order's total, minor units.
    pub total_minor: i64,
    /// ISO 4217 code, lower case (absent when nothing was to pay).
    pub currency: Option<String>,
    /// Where the payment stands (as on the order).
    pub payment: String,
    /// Held on the payment method and not yet taken or released.
    pub held_minor: i64,
    /// Taken and kept.
    pub charged_minor: i64,
    /// Given back.
    pub refunded_minor: i64,
}

/// One's own order's receipt.
#[utoipa::path(get, path = "/orders/{order_id}/receipt", tag = "orders", security(("bearer" = [])),
    params(("order_id" = u64, Path, description = "The order")),
    responses(
        (status = 200, description = "The receipt", body = Receipt),
        (status = 404, description = "No such order, or not yours", body = ErrorBody),
    ))]
async fn receipt(
    State(state): State<AppState>,
    customer: Authed<Customer>,
    Path(order_id): Path<u64>,
) -> Result<Json<Receipt>, ApiError> {
    visible_order(&state, customer.0, order_id).await?;
    let order = super::payments::order_from_log(&state, OrderId(order_id)).await?;
    let details = order.details();
    let payment = order.payment();
    let ledger = payment.ledger();
    Ok(Json(Receipt {
        order_id,
        kitchen_id: details.kitchen.0,
        status: order.status().as_str().to_owned(),
        reason: order.reason().map(str::to_owned),
        placed_at: details.placed_at.0,
        updated_at: order.updated_at().0,
        lines: details
            .lines
            .iter()
            .map(|l| ReceiptLine {
                item_id: l.item.clone(),
                quantity: l.quantity,
                unit_price_minor: l.unit_price_cents,
                line_total_minor: l.unit_price_cents.saturating_mul(i64::from(l.quantity)),
            })
            .collect(),
        total_minor: details.total_cents,
        currency: payment.terms().map(|t| t.currency.clone()),
        payment: payment.state().as_str().to_owned(),
        held_minor: ledger.held_cents(),
        charged_minor: ledger.captured_cents,
        refunded_minor: ledger.refunded_cents,
    }))
}
