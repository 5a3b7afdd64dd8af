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
        let busy_until = self.kitchen_kind.door(id).and_then(|d| d.busy_until);
        self.kitchen_kind.remember(
            id,
            KitchenDoor {
                settings,
                open: true,
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
        self.kitchen_call(&kitchen, KitchenMsg::Open).await?;
        self.router.resume(Resume::Kitchen(id));
        self.kitchen_call(&kitchen, KitchenMsg::Queue).await
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
