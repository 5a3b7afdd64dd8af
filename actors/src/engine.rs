//! The engine's front door: start (recovering every unfinished order from
//! the store), place orders, send them commands, read them, shut down.
//! Gateways and replays talk to this, never to actors directly.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use foodiefast_geo::OrderId;
use ractor::rpc::CallResult;
use ractor::{Actor, ActorRef, SpawnErr};

use crate::clock::Clock;
use crate::context::EngineContext;
use crate::domain::order::{Order, OrderCommand, OrderDetails, OrderError};
use crate::error::EngineError;
use crate::orders::{
    OrderActor, OrderArgs, OrderCensus, OrderMsg, OrderRegistry, OrderRouter, OrderStart,
    OrderSupervisor, OrderSupervisorArgs,
};
use crate::reactions::OrderReactions;
use crate::store::{OrderStore, OrderView, StoreError};
use crate::supervision::RestartPolicy;
use crate::tracking::TrackingHub;

/// Engine settings.
#[derive(Debug, Clone, Copy)]
pub struct EngineConfig {
    /// Restart limits of the supervisors.
    pub restart_policy: RestartPolicy,
    /// How long a caller waits for an actor's answer.
    pub call_timeout: Duration,
    /// Updates queued per tracking subscriber.
    pub subscriber_capacity: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            restart_policy: RestartPolicy::default(),
            call_timeout: Duration::from_secs(5),
            subscriber_capacity: 64,
        }
    }
}

/// A running engine.
#[derive(Debug)]
pub struct Engine {
    ctx: Arc<EngineContext>,
    registry: Arc<OrderRegistry>,
    router: Arc<OrderRouter>,
    supervisor: ActorRef<()>,
    config: EngineConfig,
    recovered: usize,
}

impl Engine {
    /// Starts the engine on `store` and rehydrates every unfinished order;
    /// an order whose history cannot be rebuilt is quarantined, not fatal.
    pub async fn start(
        store: Arc<dyn OrderStore>,
        clock: Clock,
        config: EngineConfig,
    ) -> Result<Self, EngineError> {
        let ctx = Arc::new(EngineContext {
            store,
            hub: Arc::new(TrackingHub::new(config.subscriber_capacity)),
            clock,
            census: OrderCensus::default(),
            reactions: OnceLock::new(),
        });
        let registry = Arc::new(OrderRegistry::default());
        let (supervisor, _) = Actor::spawn(
            None,
            OrderSupervisor,
            OrderSupervisorArgs {
                ctx: ctx.clone(),
                registry: registry.clone(),
                policy: config.restart_policy,
            },
        )
        .await
        .map_err(|e| EngineError::Store(StoreError::Backend(Box::new(e))))?;
        let router = Arc::new(OrderRouter::new(
            ctx.clone(),
            registry.clone(),
            config.call_timeout,
        ));
        let mut engine = Self {
            ctx,
            registry,
            router,
            supervisor,
            config,
            recovered: 0,
        };
        engine.recover().await?;
        Ok(engine)
    }

    async fn recover(&mut self) -> Result<(), EngineError> {
        for id in self.ctx.store.active_orders().await? {
            let args = OrderArgs {
                ctx: self.ctx.clone(),
                start: OrderStart::Rehydrate(id),
            };
            match Actor::spawn_linked(None, OrderActor, args, self.supervisor.get_cell()).await {
                Ok((actor, _)) => {
                    self.registry.insert(id, actor);
                    self.recovered += 1;
                }
                Err(_) => self.registry.quarantine(id),
            }
        }
        Ok(())
    }

    /// Orders rehydrated at start-up.
    pub const fn recovered(&self) -> usize {
        self.recovered
    }

    /// Live updates.
    pub fn hub(&self) -> &Arc<TrackingHub> {
        &self.ctx.hub
    }

    /// Engine time.
    pub fn clock(&self) -> Clock {
        self.ctx.clock
    }

    /// Live orders in `status` (what the `foodiefast_orders` gauge exports).
    pub fn orders_in(&self, status: crate::domain::order::OrderStatus) -> usize {
        self.ctx.census.count(status)
    }

    /// Number of orders with a live actor.
    pub fn live_orders(&self) -> usize {
        self.registry.len()
    }

    /// Places a new order; answered once its placement is durable.
    pub async fn place_order(&self, details: OrderDetails) -> Result<OrderView, EngineError> {
        let id = details.id;
        // Refuse bad input before spawning anything.
        Order::place(details.clone())?;
        let args = OrderArgs {
            ctx: self.ctx.clone(),
            start: OrderStart::Place(details),
        };
        let (actor, _) = Actor::spawn_linked(None, OrderActor, args, self.supervisor.get_cell())
            .await
            .map_err(|e| spawn_error(id, e))?;
        self.registry.insert(id, actor.clone());
        metrics::counter!("foodiefast_orders_placed_total").increment(1);
        self.call_view(id, &actor).await
    }

    /// Sends `command` to order `id`; answered once its events are durable
    /// (or at once when it changes nothing or is refused).
    pub async fn command(
        &self,
        id: OrderId,
        command: OrderCommand,
    ) -> Result<OrderView, EngineError> {
        self.router.command(id, command).await
    }

    /// Connects the order actors to the kitchens, couriers and dispatchers
    /// (once; false if already connected), then has every live order resume
    /// what it waits on, since orders rebuilt at start-up could not yet.
    pub fn connect(&self, reactions: Arc<dyn OrderReactions>) -> bool {
        if self.ctx.reactions.set(reactions).is_err() {
            return false;
        }
        for actor in self.registry.actors() {
            // An actor that just stopped has nothing to resume.
            let _ = actor.cast(OrderMsg::Resume);
        }
        true
    }

    /// The handle other actors use to send orders commands.
    pub fn router(&self) -> &Arc<OrderRouter> {
        &self.router
    }

    /// The current view of order `id`, from its read model.
    pub async fn view(&self, id: OrderId) -> Result<OrderView, EngineError> {
        self.ctx
            .store
            .order_view(id)
            .await?
            .ok_or(EngineError::NotFound(id))
    }

    async fn call_view(
        &self,
        id: OrderId,
        actor: &ActorRef<OrderMsg>,
    ) -> Result<OrderView, EngineError> {
        match actor
            .call(OrderMsg::View, Some(self.config.call_timeout))
            .await
        {
            Ok(CallResult::Success(view)) => Ok(view),
            _ => self.view(id).await,
        }
    }

    /// Stops every actor; the store keeps everything acknowledged.
    pub async fn shutdown(self) {
        self.ctx.hub.shutdown();
        // Errors here mean the supervisor is already gone, which is the goal.
        let _ = self
            .supervisor
            .stop_and_wait(Some("engine shutdown".into()), None)
            .await;
    }
}

/// Maps a failed order spawn to what the caller did wrong, if anything.
fn spawn_error(id: OrderId, err: SpawnErr) -> EngineError {
    if let SpawnErr::StartupFailed(inner) = &err {
        if let Some(StoreError::Conflict { .. }) = inner.downcast_ref::<StoreError>() {
            return EngineError::Duplicate(id);
        }
        if let Some(refused) = inner.downcast_ref::<OrderError>() {
            return EngineError::Rejected(refused.clone());
        }
    }
    EngineError::Store(StoreError::Backend(Box::new(err)))
}
