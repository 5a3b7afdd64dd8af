//! The order actor: owns one order's state, decides each command against
//! the lifecycle, makes the resulting events durable, then applies them,
//! publishes them and answers. A failure (the store erring mid-append)
//! crashes the actor on purpose: its supervisor rebuilds it from the log,
//! which is the only truth about what was recorded.
//!
//! An order actor idle for a while goes to sleep (passivation): it leaves a
//! small record in the [`OrderRegistry`](super::OrderRegistry) and stops;
//! the next command wakes it, rebuilt from the log. Order actors arm no
//! timers (deadlines belong to the kitchens and couriers that wait on the
//! order, and an order waiting for a courier is held by its dispatcher), so
//! any idle order may sleep without a timer going unheard. Payment steps
//! and the courier search deadline run in the payment saga's tasks, which
//! reach the order through the router (waking it if it sleeps); the order
//! asks the saga again after every event and whenever it is rebuilt.
//!
//! A terminal order's actor stops once no payment step is left to take.

use std::sync::Arc;

use foodiefast_geo::OrderId;
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use tokio::time::Instant;

use super::registry::Dormant;
use crate::context::EngineContext;
use crate::domain::order::{Order, OrderCommand, OrderDetails, OrderEvent};
use crate::domain::payment::PaymentTerms;
use crate::error::EngineError;
use crate::reactions::Resume;
use crate::store::OrderView;
use crate::tracking::{Topic, Update};

/// How an order actor comes to life.
#[derive(Debug)]
pub enum OrderStart {
    /// A new order: validate and record its placement, with the payment
    /// to authorise when the engine takes payments for it.
    Place(OrderDetails, Option<PaymentTerms>),
    /// An existing order: rebuild it from its history, and tell whoever it
    /// waits on (after a restart).
    Rehydrate(OrderId),
    /// A sleeping order: rebuild it from its history (whoever it waits on
    /// still knows).
    Wake(OrderId),
    /// An order the engine rebuilt from its history at start-up: tell whoever
    /// it waits on.
    Recovered(Box<Order>),
}

/// The actor's start-up arguments.
#[derive(Debug)]
pub struct OrderArgs {
    /// Shared services.
    pub ctx: Arc<EngineContext>,
    /// New or rebuilt.
    pub start: OrderStart,
}

/// What an order actor is asked.
#[derive(Debug)]
pub enum OrderMsg {
    /// Apply a lifecycle command; answered once the events are durable.
    Command {
        /// The command.
        command: OrderCommand,
        /// Where the answer goes.
        reply: RpcReplyPort<Result<OrderView, EngineError>>,
    },
    /// Report the order's current view.
    View(RpcReplyPort<OrderView>),
    /// Ask again for whatever the order waits on (after a restart of the
    /// order, or of a kitchen or dispatcher that lost its state).
    Resume(Resume),
    /// Go to sleep if idle since before this instant.
    Passivate(Instant),
}

// Local only: never sent to another node of a cluster.
impl ractor::Message for OrderMsg {}

/// The order actor (stateless handler; the state lives in [`OrderState`]).
#[derive(Debug, Clone, Copy)]
pub struct OrderActor;

/// A running order actor's state.
#[derive(Debug)]
pub struct OrderState {
    order: Order,
    ctx: Arc<EngineContext>,
    /// When the order last heard from anyone.
    last_active: Instant,
}

impl Actor for OrderActor {
    type Msg = OrderMsg;
    type State = OrderState;
    type Arguments = OrderArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let OrderArgs { ctx, start } = args;
        let order = match start {
            OrderStart::Place(details, terms) => {
                let placed = Order::place(details)?;
                let mut order = Order::from_events([&placed])?;
                let mut events = vec![placed];
                if let Some(terms) = terms {
                    let requested = OrderEvent::PaymentRequested {
                        at: order.details().placed_at,
                        terms,
                    };
                    order.apply(&requested)?;
                    events.push(requested);
                }
                ctx.store
                    .append(order.id(), 0, &events, &OrderView::of(&order))
                    .await?;
                for (version, event) in (1..).zip(&events) {
                    publish(&ctx, &order, version, event);
                }
                ctx.drive_payments(&order);
                order
            }
            OrderStart::Rehydrate(id) => {
                let order = Order::from_events(&ctx.store.load(id).await?)?;
                if let Some(reactions) = ctx.reactions.get() {
                    reactions.resumed(&order, Resume::Everything);
                }
                ctx.drive_payments(&order);
                order
            }
            OrderStart::Wake(id) => {
                let order = Order::from_events(&ctx.store.load(id).await?)?;
                ctx.drive_payments(&order);
                order
            }
            OrderStart::Recovered(order) => {
                if let Some(reactions) = ctx.reactions.get() {
                    reactions.resumed(&order, Resume::Everything);
                }
                ctx.drive_payments(&order);
                *order
            }
        };
        ctx.census.set(order.id(), order.status());
        Ok(OrderState {
            order,
            ctx,
            last_active: Instant::now(),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        if !matches!(message, OrderMsg::Passivate(_)) {
            state.last_active = Instant::now();
        }
        match message {
            OrderMsg::Passivate(idle_since) => {
                if state.last_active <= idle_since
                    && state.ctx.registry.put_to_sleep(
                        state.order.id(),
                        myself.get_id(),
                        Dormant::of(&state.order),
                    )
                {
                    myself.stop(Some("passivated".into()));
                }
                return Ok(());
            }
            OrderMsg::Resume(scope) => {
                if let Some(reactions) = state.ctx.reactions.get() {
                    reactions.resumed(&state.order, scope);
                }
                if scope == Resume::Everything {
                    state.ctx.drive_payments(&state.order);
                }
            }
            OrderMsg::View(reply) => {
                // The caller may have given up waiting; nothing to do then.
                let _ = reply.send(OrderView::of(&state.order));
            }
            OrderMsg::Command { command, reply } => {
                let now = state.ctx.clock.now();
                let events = match state.order.decide(now, &command) {
                    Ok(events) => events,
                    Err(refused) => {
                        let _ = reply.send(Err(refused.into()));
                        return Ok(());
                    }
                };
                if events.is_empty() {
                    let _ = reply.send(Ok(OrderView::of(&state.order)));
                    return Ok(());
                }
                let mut next = state.order.clone();
                for event in &events {
                    next.apply(event)?;
                }
                let view = OrderView::of(&next);
                let appended = state
                    .ctx
                    .store
                    .append(next.id(), state.order.version(), &events, &view)
                    .await;
                if let Err(failed) = appended {
                    let _ = reply.send(Err(failed.into()));
                    // Whether the append landed is unknown: rebuild from the log.
                    return Err("the store failed during an append; rebuilding from the log".into());
                }
                let courier_before = state.order.courier();
                let first_version = state.order.version() + 1;
                state.order = next;
                state.ctx.census.set(state.order.id(), state.order.status());
                for (version, event) in (first_version..).zip(&events) {
                    if let (OrderEvent::PickedUp { at, .. }, Some(ready)) =
                        (event, state.order.ready_since())
                    {
                        metrics::histogram!("foodiefast_ready_to_pickup_seconds")
                            .record((*at - ready).0 as f64);
                    }
                    publish(&state.ctx, &state.order, version, event);
                    if let Some(reactions) = state.ctx.reactions.get() {
                        reactions.recorded(&state.order, courier_before, event);
                    }
                }
                state.ctx.drive_payments(&state.order);
                let _ = reply.send(Ok(view));
                if state.order.is_finished() {
                    myself.stop(Some("order finished".into()));
                }
            }
        }
        Ok(())
    }
}

/// Tells the order's and the kitchen's watchers what happened: through the
/// outbox when the store keeps one (the relay publishes what the append
/// wrote), else at once. `version` is the event's own version.
fn publish(ctx: &EngineContext, order: &Order, version: u64, event: &OrderEvent) {
    if let Some(relay) = ctx.outbox.get() {
        relay.wake();
        return;
    }
    let update = Update::Status {
        order: order.id(),
        version,
        event: event.clone(),
    };
    ctx.hub.publish(Topic::Order(order.id()), &update);
    ctx.hub
        .publish(Topic::Kitchen(order.details().kitchen), &update);
}
