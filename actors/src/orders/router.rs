//! Routing commands to order actors, for the engine's callers and for other
//! actors (kitchens, dispatchers): to the live actor, through its restarts,
//! waking it if it sleeps, or, for a finished order, straight against its
//! history.

use std::sync::Arc;
use std::time::Duration;

use foodiefast_geo::OrderId;
use ractor::rpc::CallResult;
use ractor::{Actor, ActorCell};

use super::actor::{OrderActor, OrderArgs, OrderMsg, OrderStart};
use super::registry::{Dormant, OrderRegistry, Slot};
use crate::context::EngineContext;
use crate::domain::order::{Order, OrderCommand, OrderError};
use crate::error::EngineError;
use crate::reactions::{Resume, waits_on_kitchen};
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
    /// The order supervisor, parent of woken actors.
    supervisor: ActorCell,
    call_timeout: Duration,
}

impl OrderRouter {
    /// A router over `registry`'s actors, waking sleeping orders as children
    /// of `supervisor`.
    pub fn new(
        ctx: Arc<EngineContext>,
        registry: Arc<OrderRegistry>,
        supervisor: ActorCell,
        call_timeout: Duration,
    ) -> Self {
        Self {
            ctx,
            registry,
            supervisor,
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
            match self.registry.slot(id) {
                Some(Slot::Live(actor)) => {
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
                        // The actor stopped before answering: finished,
                        // restarting, or gone to sleep.
                        Ok(CallResult::SenderError) | Err(_) => {}
                    }
                }
                Some(Slot::Asleep(_)) => {
                    self.wake(id).await?;
                    continue;
                }
                // Someone else is waking it.
                Some(Slot::Waking(_)) => {}
                None if self.registry.is_quarantined(id) => {
                    return Err(EngineError::Unavailable(id));
                }
                None => {
                    if let Some(answer) = self.command_finished(id, &command).await? {
                        return answer;
                    }
                }
            }
            tokio::time::sleep(ROUTE_PAUSE).await;
        }
        Err(EngineError::Unavailable(id))
    }

    /// Starts a sleeping order's actor again, rebuilt from its log.
    async fn wake(&self, id: OrderId) -> Result<(), EngineError> {
        if !self.registry.begin_wake(id) {
            return Ok(());
        }
        let args = OrderArgs {
            ctx: self.ctx.clone(),
            start: OrderStart::Wake(id),
        };
        if let Ok((actor, _)) =
            Actor::spawn_linked(None, OrderActor, args, self.supervisor.clone()).await
        {
            metrics::counter!("foodiefast_orders_woken_total").increment(1);
            self.registry.insert(id, actor);
            Ok(())
        } else {
            self.registry.back_to_sleep(id);
            Err(EngineError::Unavailable(id))
        }
    }

    /// Starts a finished order's actor again, for a payment step after its
    /// end (a refund).
    async fn revive(&self, id: OrderId) -> Result<(), EngineError> {
        let args = OrderArgs {
            ctx: self.ctx.clone(),
            start: OrderStart::Wake(id),
        };
        let (actor, _) = Actor::spawn_linked(None, OrderActor, args, self.supervisor.clone())
            .await
            .map_err(|_| EngineError::Unavailable(id))?;
        self.registry.insert(id, actor);
        Ok(())
    }

    /// Has every live order, and every sleeping one that waits on `scope`,
    /// tell `scope` again what it waits on. Sleeping orders are read from
    /// their logs, not woken.
    pub fn resume(&self, scope: Resume) {
        for actor in self.registry.actors() {
            // An actor that just stopped has nothing to resume.
            let _ = actor.cast(OrderMsg::Resume(scope));
        }
        let concerned = |d: &Dormant| match scope {
            Resume::Everything => waits_on_kitchen(d.status) || d.needs_courier,
            Resume::Kitchen(kitchen) => d.kitchen == kitchen && waits_on_kitchen(d.status),
            Resume::Zone(_) => d.needs_courier,
        };
        let sleeping = self.registry.asleep_where(concerned);
        if sleeping.is_empty() {
            return;
        }
        let ctx = self.ctx.clone();
        tokio::spawn(async move {
            for id in sleeping {
                // An order that cannot be read now is read when it wakes.
                let Ok(history) = ctx.store.load(id).await else {
                    continue;
                };
                if let (Ok(order), Some(reactions)) =
                    (Order::from_events(&history), ctx.reactions.get())
                {
                    reactions.resumed(&order, scope);
                }
            }
        });
    }

    /// A command to an order without a live actor: finished (a repeat of
    /// its last steps is a no-op; a payment command with something to
    /// record, such as a refund, brings its actor back) or unknown. `None`
    /// when the order is unfinished (its actor is being restarted) or was
    /// just brought back: route again.
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
        if !order.is_finished() {
            return Ok(None);
        }
        let reopens = matches!(
            command,
            OrderCommand::RequestRefund { .. } | OrderCommand::RecordPayment(_)
        );
        Ok(Some(match order.decide(self.ctx.clock.now(), command) {
            Ok(events) if events.is_empty() => Ok(OrderView::of(&order)),
            Ok(_) if reopens => {
                self.revive(id).await?;
                return Ok(None);
            }
            Ok(_) => Err(EngineError::Rejected(OrderError::IllegalTransition {
                command: command.name(),
                status: order.status().as_str(),
            })),
            Err(refused) => Err(refused.into()),
        }))
    }
}
