//! Chef kitchens through the engine: open (starting the kitchen's actor
//! under its supervisor), close, busy mode, the chef's answers, the queue.
//! The chef's tablet hears of new and cancelled orders on the tracking
//! hub's [`Topic::Kitchen`](crate::tracking::Topic::Kitchen).

use foodiefast_geo::{OrderId, RestaurantId, Seconds};
use ractor::{ActorRef, RpcReplyPort};

use super::{Engine, ask, start_child};
use crate::error::EngineError;
use crate::kitchens::{KitchenActorError, KitchenDoor, KitchenMsg, KitchenQueue, KitchenSettings};
use crate::reactions::Resume;
use crate::store::OrderView;

/// What the chef asks of one order.
type OrderAnswer = Result<OrderView, KitchenActorError>;

impl Engine {
    /// Opens kitchen `id` to new orders (starting its actor if needed) with
    /// `settings`; orders already sent to it, or cooking there, are shown to
    /// it again. Answers its queue.
    pub async fn open_kitchen(
        &self,
        id: RestaurantId,
        settings: KitchenSettings,
    ) -> Result<KitchenQueue, EngineError> {
        self.set_kitchen_door(id, settings, true).await
    }

    /// Runs kitchen `id` with `settings`, open to new orders or closed
    /// (starting its actor if needed: a closed kitchen still times out and
    /// serves the orders it holds); orders already sent to it, or cooking
    /// there, are shown to it again. Busy mode is kept. Answers its queue.
    pub async fn set_kitchen_door(
        &self,
        id: RestaurantId,
        settings: KitchenSettings,
        open: bool,
    ) -> Result<KitchenQueue, EngineError> {
        let busy_until = self.kitchen_kind.door(id).and_then(|d| d.busy_until);
        self.kitchen_kind.remember(
            id,
            KitchenDoor {
                settings,
                open,
                busy_until,
            },
        );
        let kitchen = start_child(
            &self.kitchen_supervisor,
            id,
            self.config.call_timeout,
            "kitchen",
        )
        .await?;
        if open {
            self.kitchen_call(&kitchen, KitchenMsg::Open).await?;
        } else {
            self.kitchen_call(&kitchen, KitchenMsg::Close).await?;
        }
        self.router.resume(Resume::Kitchen(id));
        self.kitchen_call(&kitchen, KitchenMsg::Queue).await
    }

    /// What the chef last set for kitchen `id` (open or closed, busy mode,
    /// settings); `None` if it never ran in this engine.
    pub fn kitchen_door(&self, id: RestaurantId) -> Option<KitchenDoor> {
        self.kitchen_kind
            .door(id)
            .filter(|_| self.kitchens.get(&id).is_some())
    }

    /// Closes kitchen `id` to new orders (orders in hand are still served).
    pub async fn close_kitchen(&self, id: RestaurantId) -> Result<KitchenQueue, EngineError> {
        let kitchen = self.kitchen(id)?;
        if let Some(door) = self.kitchen_kind.door(id) {
            self.kitchen_kind.remember(
                id,
                KitchenDoor {
                    open: false,
                    ..door
                },
            );
        }
        self.kitchen_call(&kitchen, KitchenMsg::Close).await?;
        self.kitchen_call(&kitchen, KitchenMsg::Queue).await
    }

    /// Busy mode for kitchen `id` until `until` (`None` ends it): new orders
    /// are refused at once meanwhile.
    pub async fn set_kitchen_busy(
        &self,
        id: RestaurantId,
        until: Option<Seconds>,
    ) -> Result<KitchenQueue, EngineError> {
        let kitchen = self.kitchen(id)?;
        if let Some(door) = self.kitchen_kind.door(id) {
            self.kitchen_kind.remember(
                id,
                KitchenDoor {
                    busy_until: until,
                    ..door
                },
            );
        }
        self.kitchen_call(&kitchen, |reply| KitchenMsg::SetBusy { until, reply })
            .await?;
        self.kitchen_call(&kitchen, KitchenMsg::Queue).await
    }

    /// What kitchen `id`'s tablet shows.
    pub async fn kitchen_queue(&self, id: RestaurantId) -> Result<KitchenQueue, EngineError> {
        let kitchen = self.kitchen(id)?;
        self.kitchen_call(&kitchen, KitchenMsg::Queue).await
    }

    /// The chef of `kitchen` accepts `order`, expecting it ready at
    /// `ready_at`: the order is accepted and its preparation started.
    pub async fn accept_order(
        &self,
        kitchen: RestaurantId,
        order: OrderId,
        ready_at: Seconds,
    ) -> OrderAnswer {
        self.chef_answer(kitchen, |reply| KitchenMsg::Accept {
            order,
            ready_at,
            reply,
        })
        .await
    }

    /// The chef of `kitchen` declines `order`, optionally saying why.
    pub async fn reject_order(
        &self,
        kitchen: RestaurantId,
        order: OrderId,
        note: Option<String>,
    ) -> OrderAnswer {
        self.chef_answer(kitchen, |reply| KitchenMsg::Reject { order, note, reply })
            .await
    }

    /// The chef of `kitchen` says `order` is ready.
    pub async fn mark_ready(&self, kitchen: RestaurantId, order: OrderId) -> OrderAnswer {
        self.chef_answer(kitchen, |reply| KitchenMsg::MarkReady { order, reply })
            .await
    }

    fn kitchen(&self, id: RestaurantId) -> Result<ActorRef<KitchenMsg>, EngineError> {
        self.kitchens
            .get(&id)
            .ok_or(EngineError::KitchenNotOpen(id))
    }

    async fn kitchen_call<T: Send + 'static>(
        &self,
        kitchen: &ActorRef<KitchenMsg>,
        request: impl FnOnce(RpcReplyPort<T>) -> KitchenMsg,
    ) -> Result<T, EngineError> {
        ask(kitchen, request, self.config.call_timeout, "kitchen").await
    }

    async fn chef_answer(
        &self,
        kitchen: RestaurantId,
        request: impl FnOnce(RpcReplyPort<OrderAnswer>) -> KitchenMsg,
    ) -> OrderAnswer {
        let actor = self.kitchen(kitchen)?;
        self.kitchen_call(&actor, request).await?
    }
}
