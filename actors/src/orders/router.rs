//! Routing commands to order actors, for the engine's callers and for other
//! actors (kitchens, dispatchers): to the live actor, through its restarts,
//! or, for a finished order, straight against its history.

use std::sync::Arc;
use std::time::Duration;

use foodiefast_geo::OrderId;
use ractor::rpc::CallResult;

use super::actor::OrderMsg;
use super::registry::OrderRegistry;
use crate::context::EngineContext;
use crate::domain::order::{Order, OrderCommand, OrderError};
use crate::error::EngineError;
use crate::store::OrderView;

/// How many times a command is re-routed while its order's actor restarts.
const ROUTE_ATTEMPTS: usize = 20;
/// Pause between routing attempts.
const ROUTE_PAUSE: Duration = Duration::from_millis(5);

/// Sends commands to orders wherever they are.
#[derive(Debug)]
pub struct OrderRouter {
    ctx: Arc<EngineContext>,
    registry: Arc<OrderRegistry>,
    call_timeout: Duration,
}

impl OrderRouter {
    /// A router over `registry`'s actors.
    pub fn new(
        ctx: Arc<EngineContext>,
        registry: Arc<OrderRegistry>,
        call_timeout: Duration,
    ) -> Self {
        Self {
            ctx,
            registry,
            call_timeout,
        }
    }

    /// Sends `command` to order `id`; answered once its events are durable
    /// (or at once when it changes nothing or is refused).
    pub async fn command(
        &self,
        id: OrderId,
        command: OrderCommand,
    ) -> Result<OrderView, EngineError> {
        for _ in 0..ROUTE_ATTEMPTS {
            if let Some(actor) = self.registry.get(id) {
                let sent = actor
                    .call(
                        |reply| OrderMsg::Command {
                            command: command.clone(),
                            reply,
                        },
                        Some(self.call_timeout),
                    )
                    .await;
                match sent {
                    Ok(CallResult::Success(answer)) => return answer,
                    Ok(CallResult::Timeout) => return Err(EngineError::Unavailable(id)),
                    // The actor stopped before answering: finished or restarting.
                    Ok(CallResult::SenderError) | Err(_) => {}
                }
            } else if self.registry.is_quarantined(id) {
                return Err(EngineError::Unavailable(id));
            } else if let Some(answer) = self.command_finished(id, &command).await? {
                return answer;
            }
            tokio::time::sleep(ROUTE_PAUSE).await;
        }
        Err(EngineError::Unavailable(id))
    }

    /// A command to an order without a live actor: finished (only repeats
    /// of its last steps are accepted, as no-ops) or unknown. `None` when
    /// the order is unfinished: its actor is being restarted.
    async fn command_finished(
        &self,
        id: OrderId,
        command: &OrderCommand,
    ) -> Result<Option<Result<OrderView, EngineError>>, EngineError> {
        let history = self.ctx.store.load(id).await?;
        if history.is_empty() {
            return Ok(Some(Err(EngineError::NotFound(id))));
        }
        let order = Order::from_events(&history)?;
        if !order.status().is_terminal() {
            return Ok(None);
        }
        Ok(Some(match order.decide(self.ctx.clock.now(), command) {
            Ok(events) if events.is_empty() => Ok(OrderView::of(&order)),
            Ok(_) => Err(EngineError::Rejected(OrderError::IllegalTransition {
                command: command.name(),
                status: order.status().as_str(),
            })),
            Err(refused) => Err(refused.into()),
        }))
    }
}
