//! The order supervisor: parent of every order actor. A failed order actor
//! is rebuilt from its event log; one that keeps failing is given up on
//! (quarantined) so that a poison message or an unreadable history cannot
//! loop forever; too many failures overall make the supervisor fail itself,
//! escalating to its own supervisor (see [`crate::supervision`]).

use std::sync::Arc;

use foodiefast_geo::OrderId;
use ractor::{Actor, ActorProcessingErr, ActorRef, SupervisionEvent};

use super::actor::{OrderActor, OrderArgs, OrderStart};
use super::registry::OrderRegistry;
use crate::context::EngineContext;
use crate::supervision::{RestartLog, RestartPolicy, Verdict};

/// The supervisor's start-up arguments.
#[derive(Debug)]
pub struct OrderSupervisorArgs {
    /// Shared services, passed on to restarted children.
    pub ctx: Arc<EngineContext>,
    /// The registry children are recorded in.
    pub registry: Arc<OrderRegistry>,
    /// Restart limits.
    pub policy: RestartPolicy,
}

/// The supervisor of all order actors.
#[derive(Debug, Clone, Copy)]
pub struct OrderSupervisor;

/// The supervisor's state.
#[derive(Debug)]
pub struct OrderSupervisorState {
    ctx: Arc<EngineContext>,
    registry: Arc<OrderRegistry>,
    restarts: RestartLog<OrderId>,
}

impl Actor for OrderSupervisor {
    /// The supervisor takes no messages of its own: it only supervises.
    type Msg = ();
    type State = OrderSupervisorState;
    type Arguments = OrderSupervisorArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(OrderSupervisorState {
            ctx: args.ctx,
            registry: args.registry,
            restarts: RestartLog::new(args.policy),
        })
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<Self::Msg>,
        event: SupervisionEvent,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match event {
            SupervisionEvent::ActorTerminated(cell, _, _) => {
                if let Some(order) = state.registry.remove_actor(cell.get_id()) {
                    state.restarts.forget(&order);
                    state.ctx.census.leave(order);
                }
            }
            SupervisionEvent::ActorFailed(cell, _reason) => {
                let Some(order) = state.registry.remove_actor(cell.get_id()) else {
                    return Ok(());
                };
                state.ctx.census.leave(order);
                metrics::counter!("foodiefast_actor_restarts_total", "kind" => "order")
                    .increment(1);
                restart(&myself, state, order).await?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// Rebuilds `order` from its log, as long as the restart policy allows.
async fn restart(
    myself: &ActorRef<()>,
    state: &mut OrderSupervisorState,
    order: OrderId,
) -> Result<(), ActorProcessingErr> {
    loop {
        match state.restarts.on_failure(&order) {
            Verdict::Restart => {}
            Verdict::GiveUp => {
                metrics::counter!("foodiefast_orders_quarantined_total").increment(1);
                state.registry.quarantine(order);
                return Ok(());
            }
            Verdict::Escalate => {
                return Err(
                    format!("too many order actor failures; last was order {order}").into(),
                );
            }
        }
        let args = OrderArgs {
            ctx: state.ctx.clone(),
            start: OrderStart::Rehydrate(order),
        };
        // A rebuild that fails (unreadable history, store down) counts as
        // another failure of the same order.
        if let Ok((actor, _)) = Actor::spawn_linked(None, OrderActor, args, myself.get_cell()).await
        {
            state.registry.insert(order, actor);
            return Ok(());
        }
    }
}
