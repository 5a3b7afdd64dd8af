//! Orders through the engine: place, command, read, explain a dispatch
//! decision, and live counts per status and per zone for an admin view.

use foodiefast_geo::OrderId;
use ractor::rpc::CallResult;
use ractor::{Actor, ActorRef, SpawnErr};

use super::{Engine, ask};
use crate::dispatch::{Decision, DispatcherMsg, ZoneLoad};
use crate::domain::order::{
    Order, OrderCommand, OrderDetails, OrderError, OrderEvent, OrderStatus,
};
use crate::domain::payment::{PaymentState, PaymentTerms};
use crate::error::EngineError;
use crate::orders::{OrderActor, OrderArgs, OrderMsg, OrderStart};
use crate::store::{OrderView, StoreError};
use crate::tracking::{Topic, Update};
use crate::zoning::Zone;

impl Engine {
    /// Places a new order; answered once its placement is durable. Its
    /// payment is the caller's business: [`OrderCommand::AuthorisePayment`]
    /// records it as made outside the engine.
    pub async fn place_order(&self, details: OrderDetails) -> Result<OrderView, EngineError> {
        self.spawn_placed(details, None).await
    }

    /// Places a new order paid with `method` (a provider's payment-method
    /// token): the placement and the payment request are recorded at once,
    /// then the saga asks the provider to hold the total. Answered once the
    /// provider answered (the order went to its chef, or was rejected as
    /// declined) or after the saga's placement wait, with the order still
    /// authorising (the saga keeps trying; the order's feed tells the rest).
    pub async fn place_paid_order(
        &self,
        details: OrderDetails,
        method: String,
    ) -> Result<OrderView, EngineError> {
        let saga = self.ctx.payments.get().ok_or(EngineError::NoPayments)?;
        let terms = PaymentTerms {
            method,
            amount_cents: details.total_cents,
            currency: saga.config().currency.clone(),
        };
        let wait = saga.config().placement_wait;
        // Subscribed before placing, so the answer cannot slip past.
        let feed = self.ctx.hub.subscribe(Topic::Order(details.id));
        let placed = self.spawn_placed(details, Some(terms)).await?;
        if placed.payment != PaymentState::Authorising {
            return Ok(placed);
        }
        let answered = async {
            while let Ok(update) = feed.recv().await {
                if let Update::Status {
                    event: OrderEvent::PaymentAuthorised { .. } | OrderEvent::PaymentDeclined { .. },
                    ..
                } = update
                {
                    return;
                }
            }
        };
        let _ = tokio::time::timeout(wait, answered).await;
        self.view(placed.id).await
    }

    async fn spawn_placed(
        &self,
        details: OrderDetails,
        terms: Option<PaymentTerms>,
    ) -> Result<OrderView, EngineError> {
        let id = details.id;
        // Refuse bad input before spawning anything.
        Order::place(details.clone())?;
        let args = OrderArgs {
            ctx: self.ctx.clone(),
            start: OrderStart::Place(details, terms),
        };
        let actor =
            match Actor::spawn_linked(None, OrderActor, args, self.order_supervisor.get_cell())
                .await
            {
                Ok((actor, _)) => actor,
                Err(err) => match spawn_error(id, err) {
                    // The placement may have been recorded all the same (its
                    // acknowledgement lost): then the order must live on, or
                    // its payment would wait for the next start-up.
                    EngineError::Store(failed) => self.adopt(id).await.ok_or(failed)?,
                    other => return Err(other),
                },
            };
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

    /// Order `id` rebuilt from its whole log: its payment and ledger, its
    /// history (for receipts and audits).
    pub async fn order_from_log(&self, id: OrderId) -> Result<Order, EngineError> {
        let history = self.ctx.store.load(id).await?;
        if history.is_empty() {
            return Err(EngineError::NotFound(id));
        }
        Ok(Order::from_events(&history)?)
    }

    /// The current view of order `id`, from its read model.
    pub async fn view(&self, id: OrderId) -> Result<OrderView, EngineError> {
        self.ctx
            .store
            .order_view(id)
            .await?
            .ok_or(EngineError::NotFound(id))
    }

    /// Why order `id` was offered to its courier: the latest decision about
    /// it, from the dispatcher of its pickup's zone or, once that forgot it
    /// (or restarted), from the store (`None` if no offer was ever made).
    pub async fn explain(&self, id: OrderId) -> Result<Option<Decision>, EngineError> {
        let history = self.ctx.store.load(id).await?;
        if history.is_empty() {
            return Err(EngineError::NotFound(id));
        }
        let order = Order::from_events(&history)?;
        let zone = self.zones.zone_of(order.details().pickup);
        if let Some(dispatcher) = self.zones.get(zone) {
            let recent = ask(
                &dispatcher,
                |reply| DispatcherMsg::Explain(id, reply),
                self.config.call_timeout,
                "dispatcher",
            )
            .await?;
            if recent.is_some() {
                return Ok(recent);
            }
        }
        Ok(self.journal.recall(id).await?)
    }

    /// Each running zone's load (orders waiting, couriers free, offers out),
    /// in zone order; a dispatcher that does not answer is left out.
    pub async fn zone_loads(&self) -> Vec<(Zone, ZoneLoad)> {
        let mut loads = Vec::new();
        for zone in self.zones.zones() {
            let Some(dispatcher) = self.zones.get(zone) else {
                continue;
            };
            if let Ok(load) = ask(
                &dispatcher,
                DispatcherMsg::Load,
                self.config.call_timeout,
                "dispatcher",
            )
            .await
            {
                loads.push((zone, load));
            }
        }
        loads
    }

    /// Live orders in `status` (what the `foodiefast_orders` gauge exports).
    pub fn orders_in(&self, status: OrderStatus) -> usize {
        self.ctx.census.count(status)
    }

    /// Every unfinished order in `status`, awake or asleep.
    pub fn orders_with_status(&self, status: OrderStatus) -> Vec<OrderId> {
        let mut orders = self.ctx.census.in_status(status);
        orders.extend(self.registry.asleep_where(|d| d.status == status));
        orders.sort_unstable();
        orders.dedup();
        orders
    }

    /// Number of orders with a live actor.
    pub fn live_orders(&self) -> usize {
        self.registry.len()
    }

    /// Number of unfinished orders asleep (passivated): no actor, a small
    /// record, woken from the log by their next command.
    pub fn sleeping_orders(&self) -> usize {
        self.registry.asleep()
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
}

impl Engine {
    /// Starts the actor of order `id` if its log holds it (a placement
    /// whose acknowledgement was lost).
    async fn adopt(&self, id: OrderId) -> Option<ActorRef<OrderMsg>> {
        if self.ctx.store.load(id).await.ok()?.is_empty() {
            return None;
        }
        let args = OrderArgs {
            ctx: self.ctx.clone(),
            start: OrderStart::Rehydrate(id),
        };
        Actor::spawn_linked(None, OrderActor, args, self.order_supervisor.get_cell())
            .await
            .ok()
            .map(|(actor, _)| actor)
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
