//! The order supervisor: parent of every order actor. A failed order actor
//! is rebuilt from its event log; one that keeps failing is given up on
//! (quarantined) so that a poison message or an unreadable history cannot
//! loop forever; too many failures overall make the supervisor fail itself,
//! escalating to its own supervisor (see [`crate::supervision`]).
//!
//! It also sweeps for idle orders: on a period, every live order actor is
//! asked to go to sleep if it has been idle for the passivation time.

use std::sync::Arc;
use std::time::Duration;

use foodiefast_geo::OrderId;
use ractor::{Actor, ActorProcessingErr, ActorRef, SupervisionEvent};
use tokio::time::Instant;

use super::actor::{OrderActor, OrderArgs, OrderMsg, OrderStart};
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
    /// How long an order actor stays idle before it sleeps (`None`: never).
    pub passivate_after: Option<Duration>,
}

/// What the order supervisor does on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderSupervisorMsg {
    /// Ask idle order actors to sleep.
    Sweep,
}

// Local only: never sent to another node of a cluster.
impl ractor::Message for OrderSupervisorMsg {}

/// The supervisor of all order actors.
#[derive(Debug, Clone, Copy)]
pub struct OrderSupervisor;

/// The supervisor's state.
#[derive(Debug)]
pub struct OrderSupervisorState {
    ctx: Arc<EngineContext>,
    registry: Arc<OrderRegistry>,
    restarts: RestartLog<OrderId>,
    passivate_after: Option<Duration>,
}

impl Actor for OrderSupervisor {
    type Msg = OrderSupervisorMsg;
    type State = OrderSupervisorState;
    type Arguments = OrderSupervisorArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        if let Some(idle) = args.passivate_after {
            // Sweeping at half the idle time lets an order sleep between
            // one and one and a half idle times after its last message.
            let period = (idle / 2).max(Duration::from_millis(100));
            myself.send_interval(period, || OrderSupervisorMsg::Sweep);
        }
        Ok(OrderSupervisorState {
            ctx: args.ctx,
            registry: args.registry,
            restarts: RestartLog::new(args.policy),
            passivate_after: args.passivate_after,
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            OrderSupervisorMsg::Sweep => {
                let Some(idle_since) = state
                    .passivate_after
                    .and_then(|idle| Instant::now().checked_sub(idle))
                else {
                    return Ok(());
                };
                for actor in state.registry.actors() {
                    // An actor that just stopped has nothing left to do.
                    let _ = actor.cast(OrderMsg::Passivate(idle_since));
                }
            }
        }
        Ok(())
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
    myself: &ActorRef<OrderSupervisorMsg>,
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
