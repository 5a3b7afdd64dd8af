//! Placing an order for a customer: the order is placed (durable), then
//! handed to its kitchen. Payment authorisation is recorded at once until
//! the payment saga takes that step over.
//!
//! A crash can stop this between any two steps: after the idempotency key
//! was claimed but before the order was placed, or after the placement but
//! before the kitchen heard of it. Neither may strand the order: a repeated
//! request finishes the first one's work under the same order id (so the
//! order exists exactly once), and at start-up every order still short of
//! its kitchen is handed on.

use foodiefast_actors::Engine;
use foodiefast_actors::domain::order::{OrderCommand, OrderDetails, OrderStatus};
use foodiefast_actors::store::OrderView;

use crate::gateway::error::ApiError;
use crate::gateway::state::AppState;

/// Places the order the key was claimed for, then hands it to the kitchen.
/// The answer is the order as it stands; once the placement is durable a
/// failed hand-off is logged, not returned (start-up or a repeated request
/// finishes it).
pub async fn place(state: &AppState, details: OrderDetails) -> Result<OrderView, ApiError> {
    let placed = state.engine.place_order(details).await?;
    Ok(hand_to_kitchen(&state.engine, placed).await)
}

/// Takes the order standing at `view` through the steps between placement
/// and its kitchen that it has not taken yet; the order as it stands after
/// them (a step that fails is logged, and the order stays where it was for
/// start-up or a repeated request to finish).
pub async fn hand_to_kitchen(engine: &Engine, mut view: OrderView) -> OrderView {
    let id = view.id;
    loop {
        let command = match view.status {
            OrderStatus::Placed => OrderCommand::AuthorisePayment,
            OrderStatus::PaymentAuthorised => OrderCommand::SendToChef,
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
/// returns how many there were.
pub async fn resume_unfinished(engine: &Engine) -> usize {
    let mut stranded = engine.orders_with_status(OrderStatus::Placed);
    stranded.extend(engine.orders_with_status(OrderStatus::PaymentAuthorised));
    for &id in &stranded {
        if let Ok(view) = engine.view(id).await {
            hand_to_kitchen(engine, view).await;
        }
    }
    stranded.len()
}
