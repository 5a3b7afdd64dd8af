//! Couriers through the engine: online (starting the courier's actor under
//! its supervisor), offline (stopping it), positions (fire and forget: the
//! hot path), answers to offers, and the trip's steps. Steps that move
//! orders (pickup, delivery) are recorded on the orders first, their logs
//! being the truth, then on the courier.
//!
//! A courier's app receives its offers and assignment changes by
//! subscribing to [`Engine::courier_feed`] (the tracking hub's
//! [`Topic::Courier`]), whose updates are never dropped.

use foodiefast_geo::order::Courier;
use foodiefast_geo::{CourierId, OrderId, Point, Seconds};
use ractor::{ActorRef, RpcReplyPort};

use super::{Engine, ask, start_child};
use crate::couriers::CourierMsg;
use crate::dispatch::DispatcherMsg;
use crate::domain::courier::{CourierError, CourierStatus, OfferAnswer};
use crate::domain::order::{OrderCommand, OrderStatus};
use crate::error::EngineError;
use crate::store::OrderView;
use crate::supervisor::SupervisorMsg;
use crate::tracking::{Subscription, Topic};

impl Engine {
    /// Courier `id` starts a shift at `at`, ending at `shift_end`; its zone's
    /// dispatcher hears it is free.
    pub async fn courier_online(
        &self,
        id: CourierId,
        at: Point,
        shift_end: Seconds,
    ) -> Result<(), EngineError> {
        let courier = start_child(
            &self.courier_supervisor,
            id,
            self.config.call_timeout,
            "courier",
        )
        .await?;
        self.courier_step(&courier, |reply| CourierMsg::GoOnline {
            at,
            shift_end,
            reply,
        })
        .await
    }

    /// Courier `id`'s shift is scheduled to start at `starts_at`, at `at`,
    /// and end at `shift_end` (fire and forget). Its zone's dispatcher may
    /// then keep an order for it when it is about to start nearby; it is
    /// offered nothing before [`Engine::courier_online`]. A shift that
    /// ends before it starts is refused.
    pub fn courier_scheduled(
        &self,
        id: CourierId,
        at: Point,
        starts_at: Seconds,
        shift_end: Seconds,
    ) -> Result<(), EngineError> {
        if shift_end <= starts_at {
            return Err(EngineError::InvalidShift(id));
        }
        let courier = Courier {
            id,
            position: at,
            free_at: starts_at,
            shift_end,
        };
        self.zones.send(
            self.zones.zone_of(at),
            DispatcherMsg::CourierScheduled(courier),
        );
        Ok(())
    }

    /// Courier `id` ends its shift: orders it holds but has not picked up go
    /// back to matching, and its actor stops. Refused while food is on board.
    pub async fn courier_offline(&self, id: CourierId) -> Result<(), EngineError> {
        let Some(courier) = self.couriers.get(&id) else {
            return Ok(());
        };
        self.courier_step(&courier, CourierMsg::GoOffline).await?;
        ask(
            &self.courier_supervisor,
            |reply| SupervisorMsg::Stop(id, reply),
            self.config.call_timeout,
            "courier supervisor",
        )
        .await?;
        Ok(())
    }

    /// A position from courier `id`'s app (fire and forget).
    pub fn courier_position(&self, id: CourierId, at: Point) -> Result<(), EngineError> {
        self.couriers
            .get(&id)
            .and_then(|courier| courier.cast(CourierMsg::Position(at)).ok())
            .ok_or(EngineError::CourierNotOnline(id))
    }

    /// Courier `id` answers offer `offer`. Accepting makes the offer's orders
    /// the courier's once the dispatcher has recorded the assignment on them
    /// (the app hears [`CourierUpdate::Assigned`](crate::tracking::CourierUpdate::Assigned)).
    pub async fn answer_offer(
        &self,
        id: CourierId,
        offer: u64,
        answer: OfferAnswer,
    ) -> Result<(), EngineError> {
        let courier = self.courier(id)?;
        self.courier_step(&courier, |reply| CourierMsg::Answer {
            offer,
            answer,
            reply,
        })
        .await
    }

    /// Courier `id` is at the restaurant.
    pub async fn courier_arrived(&self, id: CourierId) -> Result<(), EngineError> {
        let courier = self.courier(id)?;
        self.courier_step(&courier, CourierMsg::Arrived).await
    }

    /// Courier `id` has the food of every order it carries: each order
    /// records the pickup (refused unless ready), then the courier.
    pub async fn courier_picked_up(&self, id: CourierId) -> Result<Vec<OrderView>, EngineError> {
        let courier = self.courier(id)?;
        let carrying = self.courier_call(&courier, CourierMsg::Carrying).await?;
        if carrying.is_empty() {
            return Err(CourierError::IllegalTransition {
                command: "pick up",
                status: "carrying nothing",
            }
            .into());
        }
        let mut views = Vec::with_capacity(carrying.len());
        for order in carrying {
            views.push(
                self.command(order, OrderCommand::PickUp { courier: id })
                    .await?,
            );
        }
        self.courier_step(&courier, CourierMsg::PickedUp).await?;
        Ok(views)
    }

    /// Courier `id` handed `order` over: the order records the delivery,
    /// then the courier (free again after its last order). A delivery
    /// repeated once it took effect (its answer was lost, or a retry reached
    /// an engine started since, whose courier holds nothing) is answered
    /// with the delivered order.
    pub async fn courier_delivered(
        &self,
        id: CourierId,
        order: OrderId,
    ) -> Result<OrderView, EngineError> {
        if let Some(view) = self.view(order).await.ok()
            && view.status == OrderStatus::Delivered
            && self.order_from_log(order).await?.courier() == Some(id)
        {
            // The first attempt may have stopped between the order and the
            // courier: the courier lets go of it now (refused if it had).
            if let Ok(courier) = self.courier(id) {
                let _ = self
                    .courier_step(&courier, |reply| CourierMsg::Delivered { order, reply })
                    .await;
            }
            return Ok(view);
        }
        let courier = self.courier(id)?;
        let view = self
            .command(order, OrderCommand::Deliver { courier: id })
            .await?;
        self.courier_step(&courier, |reply| CourierMsg::Delivered { order, reply })
            .await?;
        Ok(view)
    }

    /// What courier `id` is doing.
    pub async fn courier_status(&self, id: CourierId) -> Result<CourierStatus, EngineError> {
        let courier = self.courier(id)?;
        self.courier_call(&courier, CourierMsg::Status).await
    }

    /// The orders courier `id` holds (accepted, not yet delivered), in
    /// drop-off order: what an app that reconnects must show.
    pub async fn courier_orders(&self, id: CourierId) -> Result<Vec<OrderId>, EngineError> {
        let courier = self.courier(id)?;
        self.courier_call(&courier, CourierMsg::Carrying).await
    }

    /// Courier `id`'s app feed: offers, their end, confirmed assignments,
    /// cancellations, orders released (see [`crate::tracking::CourierUpdate`]).
    pub fn courier_feed(&self, id: CourierId) -> Subscription {
        self.hub().subscribe(Topic::Courier(id))
    }

    /// Couriers online in this engine.
    pub fn couriers_online(&self) -> usize {
        self.couriers.len()
    }

    fn courier(&self, id: CourierId) -> Result<ActorRef<CourierMsg>, EngineError> {
        self.couriers
            .get(&id)
            .ok_or(EngineError::CourierNotOnline(id))
    }

    async fn courier_call<T: Send + 'static>(
        &self,
        courier: &ActorRef<CourierMsg>,
        request: impl FnOnce(RpcReplyPort<T>) -> CourierMsg,
    ) -> Result<T, EngineError> {
        ask(courier, request, self.config.call_timeout, "courier").await
    }

    async fn courier_step(
        &self,
        courier: &ActorRef<CourierMsg>,
        request: impl FnOnce(RpcReplyPort<Result<(), CourierError>>) -> CourierMsg,
    ) -> Result<(), EngineError> {
        Ok(self.courier_call(courier, request).await??)
    }
}
