//! Placing an order for a customer: the order and its payment request are
//! recorded together (durable), the payment saga asks the provider to hold
//! the total, and the provider's answer sends the order to its kitchen or
//! rejects it as declined (see `foodiefast_actors::payments::saga`). The
//! placement waits a bounded time for that answer; an order still
//! authorising then is answered as it stands, and the saga finishes it.
//!
//! A crash can stop this between any two steps: after the idempotency key
//! was claimed but before the order was placed, or after the placement but
//! before the provider answered. Neither may strand the order: a repeated
//! request finishes the first one's work under the same order id (so the
//! order exists exactly once), and at start-up the engine's recovery sends
//! every unanswered payment step again, under the same idempotency key.
//!
//! Orders recorded before payments went through the engine (no payment
//! request in their log) are still handed on the old way: the payment
//! recorded as made outside the engine, then the kitchen told.

use foodiefast_actors::Engine;
use foodiefast_actors::domain::order::{OrderCommand, OrderDetails, OrderStatus};
use foodiefast_actors::domain::payment::PaymentState;
use foodiefast_actors::store::OrderView;

use crate::gateway::error::ApiError;
use crate::gateway::state::AppState;

/// Places the order the key was claimed for, paid with `payment_method`
/// (a provider's token), in the engine of its kitchen's zone. The answer
/// is the order as it stands once the provider answered the authorisation
/// (or the saga's wait ran out); free orders go straight to their kitchen.
pub async fn place(
    state: &AppState,
    details: OrderDetails,
    payment_method: &str,
) -> Result<OrderView, ApiError> {
    let zone = state
        .engines
        .order_zone(&state.store, details.kitchen)
        .await?;
    let method = (details.total_cents != 0).then(|| payment_method.to_owned());
    state.engines.place(&zone, details, method).await
}

/// [`hand_to_kitchen`] in the engine of the order's zone, wherever it runs;
/// the order as it stands (as it was, if its zone could not be reached).
pub async fn hand_on(state: &AppState, view: OrderView) -> OrderView {
    let zone = match state.engines.order_zone(&state.store, view.kitchen).await {
        Ok(zone) => zone,
        Err(err) => {
            tracing::error!(order = %view.id, error = %err, "placed order not handed to the kitchen");
            return view;
        }
    };
    match state.engines.hand_on(&zone, view.clone()).await {
        Ok(now) => now,
        Err(err) => {
            tracing::error!(order = %view.id, error = %err, "placed order not handed to the kitchen");
            view
        }
    }
}

/// Takes an order placed without a payment request (a free order, or one
/// recorded before payments) through the steps between placement and its
/// kitchen that it has not taken yet; the order as it stands after them (a
/// step that fails is logged, and the order stays where it was for
/// start-up or a repeated request to finish). An order the saga pays for
/// is left to the saga.
pub async fn hand_to_kitchen(engine: &Engine, mut view: OrderView) -> OrderView {
    let id = view.id;
    loop {
        let command = match (view.status, view.payment) {
            (OrderStatus::Placed, PaymentState::None) => OrderCommand::AuthorisePayment,
            (OrderStatus::PaymentAuthorised, _) => OrderCommand::SendToChef,
            _ => return view,
        };
        match engine.command(id, command).await {
            Ok(next) => view = next,
            Err(err) => {
                tracing::error!(order = %id, error = %err, "placed order not handed to the kitchen");
                return view;
            }
        }
    }
}

/// Hands on every unfinished order that a crash left short of its kitchen;
/// returns how many there were (orders the saga pays for are resumed by the
/// engine's recovery, not here).
pub async fn resume_unfinished(engine: &Engine) -> usize {
    let mut stranded = engine.orders_with_status(OrderStatus::Placed);
    stranded.extend(engine.orders_with_status(OrderStatus::PaymentAuthorised));
    let mut handed_on = 0;
    for &id in &stranded {
        if let Ok(view) = engine.view(id).await
            && (view.payment == PaymentState::None || view.status == OrderStatus::PaymentAuthorised)
        {
            hand_to_kitchen(engine, view).await;
            handed_on += 1;
        }
    }
    handed_on
}
