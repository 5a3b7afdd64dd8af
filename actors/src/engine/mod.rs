//! The engine's front door. [`Engine::builder`] (or [`Engine::start`] for
//! the defaults) starts every supervisor, wires the actors together and
//! rehydrates every unfinished order from the store. Gateways and replays
//! then talk to the engine, never to actors: orders ([`orders`]), chef
//! kitchens ([`kitchens`]) and couriers ([`couriers`]). Every request that
//! writes is answered once what it wrote is durable. With a payment
//! provider ([`EngineBuilder::payments`]) the engine also runs the payment
//! saga ([`crate::payments::saga`]) and takes every order's payment steps.
//!
//! ```text
//! Engine
//!  ├─ order supervisor ──── order actors (one per unfinished order)
//!  ├─ kitchen supervisor ── kitchen actors (one per opened kitchen)
//!  ├─ courier supervisor ── courier actors (one per online courier)
//!  └─ dispatcher supervisor ─ zone dispatchers (one per zone, on demand)
//! ```

pub mod couriers;
pub mod kitchens;
pub mod orders;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{CourierId, RestaurantId, Seconds, StraightLine, TravelModel};
use ractor::rpc::CallResult;
use ractor::{Actor, ActorRef, Message, RpcReplyPort};

use crate::clock::Clock;
use crate::context::EngineContext;
use crate::couriers::{CourierKind, CourierMsg, Trip, TripLedger};
use crate::directory::Directory;
use crate::dispatch::{
    CourierDirectory, DecisionJournal, DispatchParams, DispatcherKind, DispatcherMsg, RoundTiming,
    Travel, ZoneDispatchers,
};
use crate::domain::order::{Order, OrderStatus};
use crate::error::EngineError;
use crate::eta::EtaModel;
use crate::kitchens::{KitchenKind, KitchenMsg};
use crate::orders::{
    OrderActor, OrderArgs, OrderCensus, OrderRegistry, OrderRouter, OrderStart, OrderSupervisor,
    OrderSupervisorArgs, OrderSupervisorMsg,
};
use crate::outbox::{EventSink, OutboxRelay, SinkRetry};
use crate::payments::{PaymentProvider, PaymentSaga, SagaConfig};
use crate::pickup_watch::PickupWatches;
use crate::reactions::ActorWiring;
use crate::store::{CourierStore, DecisionStore, OrderStore, OutboxStore};
use crate::supervision::RestartPolicy;
use crate::supervisor::{ChildKind, KeyedSupervisor, SupervisorArgs, SupervisorMsg};
use crate::tracking::TrackingHub;
use crate::zoning::{Zone, Zoning};

/// Engine settings.
#[derive(Debug, Clone, Copy)]
pub struct EngineConfig {
    /// Restart limits of the supervisors.
    pub restart_policy: RestartPolicy,
    /// How long a caller waits for an actor's answer.
    pub call_timeout: Duration,
    /// Updates queued per tracking subscriber.
    pub subscriber_capacity: usize,
    /// Period of each zone's matching round.
    pub dispatch_period: Duration,
    /// How long after an order asks for an early round the round runs:
    /// orders arriving within it (a rush) share that round.
    pub early_round_delay: Duration,
    /// How long an order actor stays idle before it sleeps, to be woken
    /// from its log by its next command (`None`: orders never sleep).
    pub passivate_after: Option<Duration>,
}

impl EngineConfig {
    /// When each zone's matching rounds run.
    fn round_timing(&self) -> RoundTiming {
        RoundTiming {
            period: self.dispatch_period,
            early_delay: self.early_round_delay,
        }
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            restart_policy: RestartPolicy::default(),
            call_timeout: Duration::from_secs(5),
            subscriber_capacity: 64,
            dispatch_period: Duration::from_secs(10),
            early_round_delay: Duration::from_millis(50),
            passivate_after: Some(Duration::from_mins(10)),
        }
    }
}

/// How an engine is put together; [`EngineBuilder::start`] starts it.
pub struct EngineBuilder {
    orders: Arc<dyn OrderStore>,
    couriers: Arc<dyn CourierStore>,
    decisions: Arc<dyn DecisionStore>,
    clock: Clock,
    config: EngineConfig,
    zoning: Zoning,
    zones: Vec<Zone>,
    travel: Option<Travel>,
    dispatch: Option<DispatchParams>,
    payments: Option<(Arc<dyn PaymentProvider>, SagaConfig)>,
    outbox: Option<Arc<dyn OutboxStore>>,
    hub: Option<Arc<TrackingHub>>,
    recover_only: Option<RecoveryFilter>,
    sink: Option<(Arc<dyn EventSink>, SinkRetry)>,
}

/// Which unfinished orders an engine rehydrates, by their kitchen (see
/// [`EngineBuilder::recover_only`]).
#[derive(Clone)]
pub struct RecoveryFilter(pub Arc<dyn Fn(RestaurantId) -> bool + Send + Sync>);

impl std::fmt::Debug for RecoveryFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryFilter")
    }
}

impl std::fmt::Debug for EngineBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineBuilder")
            .field("config", &self.config)
            .field("zoning", &self.zoning)
            .field("zones", &self.zones)
            .finish_non_exhaustive()
    }
}

impl EngineBuilder {
    /// Engine settings (default: [`EngineConfig::default`]).
    #[must_use]
    pub fn config(mut self, config: EngineConfig) -> Self {
        self.config = config;
        self
    }

    /// How positions map to dispatch zones (default: the whole city is one zone).
    #[must_use]
    pub fn zoning(mut self, zoning: Zoning) -> Self {
        self.zoning = zoning;
        self
    }

    /// Zones whose dispatchers start with the engine; any other zone's
    /// starts when it first hears of an order or a courier.
    #[must_use]
    pub fn zones(mut self, zones: impl IntoIterator<Item = Zone>) -> Self {
        self.zones = zones.into_iter().collect();
        self
    }

    /// Travel times for dispatching (default: straight lines at 320 m/min,
    /// the MDRP's rule).
    #[must_use]
    pub fn travel(mut self, model: impl TravelModel + Send + Sync + 'static) -> Self {
        self.travel = Some(Travel(Arc::new(model)));
        self
    }

    /// How every zone dispatches (default: [`DispatchParams::new`] with four
    /// minutes' service at the restaurant and at the door).
    #[must_use]
    pub fn dispatch(mut self, params: DispatchParams) -> Self {
        self.dispatch = Some(params);
        self
    }

    /// Takes payments through `provider`: orders placed with
    /// [`Engine::place_paid_order`] are authorised before their kitchen
    /// hears of them, voided when rejected or cancelled, captured when
    /// delivered (default: no payments, as in replays).
    #[must_use]
    pub fn payments(mut self, provider: Arc<dyn PaymentProvider>, config: SagaConfig) -> Self {
        self.payments = Some((provider, config));
        self
    }

    /// Publishes order events through `store`'s outbox (written with the
    /// events, published after the commit by a relay; see
    /// [`crate::outbox`]) instead of from the order actors (default).
    #[must_use]
    pub fn outbox(mut self, store: Arc<dyn OutboxStore>) -> Self {
        self.outbox = Some(store);
        self
    }

    /// Publishes live updates on `hub`, shared with others (several engines
    /// of one process, each running a zone of a cluster), instead of a hub
    /// of its own. A shared hub outlives the engine: shutting the engine
    /// down leaves it open.
    #[must_use]
    pub fn hub(mut self, hub: Arc<TrackingHub>) -> Self {
        self.hub = Some(hub);
        self
    }

    /// Rehydrates only the unfinished orders of the kitchens `filter` keeps
    /// (default: all): an engine running one zone of a cluster takes that
    /// zone's orders, and reads no other order's log.
    #[must_use]
    pub fn recover_only(mut self, filter: RecoveryFilter) -> Self {
        self.recover_only = Some(filter);
        self
    }

    /// Also delivers every outbox event to `sink` (a webhook), at least
    /// once and in order, retrying as `retry` says; only with
    /// [`Self::outbox`].
    #[must_use]
    pub fn event_sink(mut self, sink: Arc<dyn EventSink>, retry: SinkRetry) -> Self {
        self.sink = Some((sink, retry));
        self
    }

    /// The arrival estimates the engine will make (for a process that
    /// serves several engines' feeds with one model).
    pub fn eta_model(&self) -> Result<EtaModel, EngineError> {
        let (travel, params) = self.dispatching()?;
        Ok(EtaModel::new(travel, params.assignment.service))
    }

    /// Starts every supervisor, wires the actors, starts the configured
    /// zones' dispatchers, and rehydrates every unfinished order (one whose
    /// history cannot be rebuilt is quarantined, not fatal).
    pub async fn start(self) -> Result<Engine, EngineError> {
        let (travel, params) = self.dispatching()?;
        let eta = EtaModel::new(travel.clone(), params.assignment.service);
        let config = self.config;
        let (hub, shared_hub) = match self.hub {
            Some(hub) => (hub, true),
            None => (
                Arc::new(TrackingHub::new(config.subscriber_capacity)),
                false,
            ),
        };
        let registry = Arc::new(OrderRegistry::default());
        let ctx = Arc::new(EngineContext {
            store: self.orders,
            hub: hub.clone(),
            clock: self.clock,
            census: OrderCensus::default(),
            registry: registry.clone(),
            reactions: OnceLock::new(),
            payments: OnceLock::new(),
            outbox: OnceLock::new(),
        });
        let (order_supervisor, router) = start_orders(&ctx, &registry, config).await?;
        attach_payments_and_outbox(&ctx, &router, self.payments, self.outbox, self.sink);
        let couriers = Arc::new(Directory::default());
        let journal = DecisionJournal::start(self.decisions.clone());
        let dispatchers = Arc::new(Directory::default());
        let dispatcher_supervisor = supervise(
            DispatcherKind {
                travel,
                params,
                router: router.clone(),
                couriers: couriers.clone(),
                clock: self.clock,
                timing: config.round_timing(),
                offer_ids: Arc::default(),
                journal: journal.clone(),
            },
            dispatchers.clone(),
            config.restart_policy,
        )
        .await?;
        let zones = Arc::new(ZoneDispatchers::new(
            self.zoning,
            dispatchers,
            dispatcher_supervisor.clone(),
        ));
        let trips = Arc::new(TripLedger::default());
        let courier_supervisor = supervise(
            CourierKind {
                store: self.couriers,
                hub: hub.clone(),
                clock: self.clock,
                board: zones.clone(),
                trips: trips.clone(),
            },
            couriers.clone(),
            config.restart_policy,
        )
        .await?;
        let kitchen_kind = Arc::new(KitchenKind::new(router.clone(), self.clock));
        let kitchens = Arc::new(Directory::default());
        let kitchen_supervisor = supervise_shared(
            kitchen_kind.clone(),
            kitchens.clone(),
            config.restart_policy,
        )
        .await?;
        let wiring = ActorWiring {
            kitchens: kitchens.clone(),
            couriers: couriers.clone(),
            zones: zones.clone(),
            pickups: Arc::new(PickupWatches::new(hub.clone(), eta.clone(), self.clock)),
            hub,
        };
        // Set before recovery, so that every rebuilt order resumes at once.
        let _ = ctx.reactions.set(Arc::new(wiring));
        start_zones(&dispatcher_supervisor, &self.zones, config.call_timeout).await?;
        let mut engine = Engine {
            ctx,
            registry,
            router,
            order_supervisor,
            kitchen_kind,
            kitchens,
            kitchen_supervisor,
            couriers,
            courier_supervisor,
            trips,
            journal,
            zones,
            dispatcher_supervisor,
            config,
            eta,
            recovered: 0,
            shared_hub,
            recover_only: self.recover_only,
        };
        engine.recover().await?;
        Ok(engine)
    }
}

/// Starts the outbox relay (before recovery, so that events a crash left
/// unpublished go out first) and the payment saga, when configured.
fn attach_payments_and_outbox(
    ctx: &Arc<EngineContext>,
    router: &Arc<OrderRouter>,
    payments: Option<(Arc<dyn PaymentProvider>, SagaConfig)>,
    outbox: Option<Arc<dyn OutboxStore>>,
    sink: Option<(Arc<dyn EventSink>, SinkRetry)>,
) {
    if let Some(store) = outbox {
        let relay = OutboxRelay::start_with_sink(store, ctx.hub.clone(), sink);
        let _ = ctx.outbox.set(relay);
    }
    if let Some((provider, config)) = payments {
        let saga = PaymentSaga::new(provider, Arc::downgrade(router), ctx.clock, config);
        let _ = ctx.payments.set(Arc::new(saga));
    }
}

/// The order supervisor (restarts, sweeps for idle orders) and the router.
async fn start_orders(
    ctx: &Arc<EngineContext>,
    registry: &Arc<OrderRegistry>,
    config: EngineConfig,
) -> Result<(ActorRef<OrderSupervisorMsg>, Arc<OrderRouter>), EngineError> {
    let (supervisor, _) = Actor::spawn(
        None,
        OrderSupervisor,
        OrderSupervisorArgs {
            ctx: ctx.clone(),
            registry: registry.clone(),
            policy: config.restart_policy,
            passivate_after: config.passivate_after,
        },
    )
    .await
    .map_err(|_| EngineError::Startup("order supervisor"))?;
    let router = Arc::new(OrderRouter::new(
        ctx.clone(),
        registry.clone(),
        supervisor.get_cell(),
        config.call_timeout,
    ));
    Ok((supervisor, router))
}

impl EngineBuilder {
    /// Travel model and dispatch parameters, defaults filled in.
    fn dispatching(&self) -> Result<(Travel, DispatchParams), EngineError> {
        let travel = match &self.travel {
            Some(travel) => travel.clone(),
            None => Travel(Arc::new(StraightLine::new(320.0)?)),
        };
        let params = match self.dispatch {
            Some(params) => params,
            None => DispatchParams::new(ServiceTimes::new(
                Seconds::from_minutes(4),
                Seconds::from_minutes(4),
            )?),
        };
        Ok((travel, params))
    }
}

async fn supervise<C: ChildKind>(
    kind: C,
    directory: Arc<Directory<C::Key, C::Msg>>,
    policy: RestartPolicy,
) -> Result<ActorRef<SupervisorMsg<C>>, EngineError> {
    supervise_shared(Arc::new(kind), directory, policy).await
}

async fn supervise_shared<C: ChildKind>(
    kind: Arc<C>,
    directory: Arc<Directory<C::Key, C::Msg>>,
    policy: RestartPolicy,
) -> Result<ActorRef<SupervisorMsg<C>>, EngineError> {
    let args = SupervisorArgs {
        kind,
        directory,
        policy,
    };
    let (supervisor, _) = Actor::spawn(None, KeyedSupervisor::<C>::new(), args)
        .await
        .map_err(|_| EngineError::Startup(C::KIND))?;
    Ok(supervisor)
}

/// Starts the dispatchers of `zones`.
async fn start_zones(
    supervisor: &ActorRef<SupervisorMsg<DispatcherKind>>,
    zones: &[Zone],
    timeout: Duration,
) -> Result<(), EngineError> {
    for &zone in zones {
        start_child(supervisor, zone, timeout, "dispatcher").await?;
    }
    Ok(())
}

/// Has `supervisor` start `key`'s actor (or find it running).
async fn start_child<C: ChildKind>(
    supervisor: &ActorRef<SupervisorMsg<C>>,
    key: C::Key,
    timeout: Duration,
    what: &'static str,
) -> Result<ActorRef<C::Msg>, EngineError> {
    ask(
        supervisor,
        |reply| SupervisorMsg::Start(key, reply),
        timeout,
        what,
    )
    .await?
    .map_err(|_| EngineError::Startup(what))
}

/// Sends `actor` a request and waits at most `timeout` for its answer.
async fn ask<M: Message, T: Send + 'static>(
    actor: &ActorRef<M>,
    request: impl FnOnce(RpcReplyPort<T>) -> M,
    timeout: Duration,
    what: &'static str,
) -> Result<T, EngineError> {
    match actor.call(request, Some(timeout)).await {
        Ok(CallResult::Success(answer)) => Ok(answer),
        _ => Err(EngineError::NoAnswer(what)),
    }
}

/// A running engine.
#[derive(Debug)]
pub struct Engine {
    ctx: Arc<EngineContext>,
    registry: Arc<OrderRegistry>,
    router: Arc<OrderRouter>,
    order_supervisor: ActorRef<OrderSupervisorMsg>,
    kitchen_kind: Arc<KitchenKind>,
    kitchens: Arc<Directory<RestaurantId, KitchenMsg>>,
    kitchen_supervisor: ActorRef<SupervisorMsg<KitchenKind>>,
    couriers: Arc<CourierDirectory>,
    courier_supervisor: ActorRef<SupervisorMsg<CourierKind>>,
    trips: Arc<TripLedger>,
    journal: DecisionJournal,
    zones: Arc<ZoneDispatchers>,
    dispatcher_supervisor: ActorRef<SupervisorMsg<DispatcherKind>>,
    config: EngineConfig,
    eta: EtaModel,
    recovered: usize,
    /// Whether the hub belongs to others too (then shutdown leaves it open).
    shared_hub: bool,
    recover_only: Option<RecoveryFilter>,
}

impl Engine {
    /// How an engine on `store` is put together, on `clock`.
    pub fn builder<S: OrderStore + CourierStore + DecisionStore>(
        store: Arc<S>,
        clock: Clock,
    ) -> EngineBuilder {
        EngineBuilder {
            orders: store.clone(),
            couriers: store.clone(),
            decisions: store,
            clock,
            config: EngineConfig::default(),
            zoning: Zoning::Single,
            zones: Vec::new(),
            travel: None,
            dispatch: None,
            payments: None,
            outbox: None,
            hub: None,
            recover_only: None,
            sink: None,
        }
    }

    /// Starts an engine on `store` with `config` and the defaults for the
    /// rest: one zone, straight-line travel at 320 m/min.
    pub async fn start<S: OrderStore + CourierStore + DecisionStore>(
        store: Arc<S>,
        clock: Clock,
        config: EngineConfig,
    ) -> Result<Self, EngineError> {
        Self::builder(store, clock).config(config).start().await
    }

    /// Rebuilds every unfinished order from its log and resumes it; then
    /// the couriers who were carrying orders come back on their trips (the
    /// orders' logs name them), so their apps find them where they were.
    async fn recover(&mut self) -> Result<(), EngineError> {
        let mut trips: HashMap<CourierId, Trip> = HashMap::new();
        let unfinished = match &self.recover_only {
            None => self.ctx.store.active_orders().await?,
            Some(RecoveryFilter(keep)) => (self.ctx.store.active_orders_by_kitchen().await?)
                .into_iter()
                .filter_map(|(id, kitchen)| keep(kitchen).then_some(id))
                .collect(),
        };
        for id in unfinished {
            let rebuilt = match self.ctx.store.load(id).await {
                Ok(events) => Order::from_events(&events).ok(),
                Err(_) => None,
            };
            let Some(order) = rebuilt else {
                self.registry.quarantine(id);
                continue;
            };
            // A delivered order is active until its payment is captured,
            // but no longer in its courier's hands.
            if let Some(courier) = order.courier()
                && !order.status().is_terminal()
            {
                let trip = trips.entry(courier).or_default();
                trip.orders.push(id);
                trip.on_board |= order.status() == OrderStatus::PickedUp;
            }
            let args = OrderArgs {
                ctx: self.ctx.clone(),
                start: OrderStart::Recovered(Box::new(order)),
            };
            match Actor::spawn_linked(None, OrderActor, args, self.order_supervisor.get_cell())
                .await
            {
                Ok((actor, _)) => {
                    self.registry.insert(id, actor);
                    self.recovered += 1;
                }
                Err(_) => self.registry.quarantine(id),
            }
        }
        for (courier, trip) in trips {
            self.trips.record(courier, trip);
            start_child(
                &self.courier_supervisor,
                courier,
                self.config.call_timeout,
                "courier",
            )
            .await?;
        }
        Ok(())
    }

    /// Orders rehydrated at start-up.
    pub const fn recovered(&self) -> usize {
        self.recovered
    }

    /// Live updates: orders, kitchens, couriers' apps.
    pub fn hub(&self) -> &Arc<TrackingHub> {
        &self.ctx.hub
    }

    /// Engine time.
    pub fn clock(&self) -> Clock {
        self.ctx.clock
    }

    /// Arrival estimates, on the travel model and service times the
    /// dispatcher plans with.
    pub const fn eta(&self) -> &EtaModel {
        &self.eta
    }

    /// The handle other actors use to send orders commands.
    pub fn router(&self) -> &Arc<OrderRouter> {
        &self.router
    }

    /// Courier `id`'s actor, for fault drills (the API above is for everything else).
    pub fn courier_actor(&self, id: CourierId) -> Option<ActorRef<CourierMsg>> {
        self.couriers.get(&id)
    }

    /// Kitchen `id`'s actor, for fault drills.
    pub fn kitchen_actor(&self, id: RestaurantId) -> Option<ActorRef<KitchenMsg>> {
        self.kitchens.get(&id)
    }

    /// `zone`'s dispatcher, for fault drills.
    pub fn dispatcher_actor(&self, zone: Zone) -> Option<ActorRef<DispatcherMsg>> {
        self.zones.get(zone)
    }

    /// Whether every supervisor still runs (one that escalated has stopped).
    pub fn is_healthy(&self) -> bool {
        use ractor::ActorStatus::Running;
        self.order_supervisor.get_status() == Running
            && self.kitchen_supervisor.get_status() == Running
            && self.courier_supervisor.get_status() == Running
            && self.dispatcher_supervisor.get_status() == Running
    }

    /// The payment saga, when the engine takes payments.
    pub fn payments(&self) -> Option<&Arc<PaymentSaga>> {
        self.ctx.payments.get()
    }

    /// Stops every actor; the store keeps everything acknowledged. Payment
    /// steps in flight are abandoned: the next engine's recovery sends them
    /// again under the same keys.
    pub async fn shutdown(&self) {
        if let Some(saga) = self.ctx.payments.get() {
            saga.shutdown();
        }
        if let Some(relay) = self.ctx.outbox.get() {
            relay.stop();
        }
        if !self.shared_hub {
            self.ctx.hub.shutdown();
        }
        let timeout = Some(self.config.call_timeout);
        let reason = || Some("engine shutdown".to_owned());
        // Errors here mean an actor is already gone, which is the goal.
        let cells = [
            self.courier_supervisor.get_cell(),
            self.kitchen_supervisor.get_cell(),
            self.dispatcher_supervisor.get_cell(),
            self.order_supervisor.get_cell(),
        ];
        for cell in cells {
            cell.stop_children_and_wait(reason(), timeout).await;
            let _ = cell.stop_and_wait(reason(), timeout).await;
        }
    }
}
