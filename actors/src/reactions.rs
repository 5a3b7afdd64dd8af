//! What the rest of the engine must hear when an order's lifecycle moves:
//! the kitchen gets new orders and cancellations, the zone dispatcher gets
//! orders that need a courier and forgets finished ones, a courier drops an
//! order cancelled before pickup. Order actors call these hooks after each
//! recorded event, and once when an order is rebuilt after a restart, so
//! that whatever it was waiting on is asked again.

use foodiefast_geo::CourierId;
use foodiefast_geo::order::Order as GeoOrder;
use ractor::ActorRef;
use std::sync::Arc;

use crate::couriers::CourierMsg;
use crate::directory::Directory;
use crate::dispatch::DispatcherMsg;
use crate::domain::order::{Order, OrderEvent, OrderStatus};
use crate::kitchens::KitchenMsg;
use foodiefast_geo::RestaurantId;

/// Hooks an order actor calls; they must not block (they send messages).
pub trait OrderReactions: Send + Sync + 'static {
    /// `event` was recorded for `order` (already applied); `courier_before`
    /// held the order before it.
    fn recorded(&self, order: &Order, courier_before: Option<CourierId>, event: &OrderEvent);

    /// `order` was rebuilt from its log: resume what it waits on.
    fn resumed(&self, order: &Order);
}

/// The live wiring between order, kitchen, courier and dispatcher actors.
#[derive(Debug)]
pub struct ActorWiring {
    /// Kitchen actors by restaurant.
    pub kitchens: Arc<Directory<RestaurantId, KitchenMsg>>,
    /// Courier actors by courier.
    pub couriers: Arc<Directory<CourierId, CourierMsg>>,
    /// The zone dispatcher (one zone until zones are sharded across nodes).
    pub dispatcher: ActorRef<DispatcherMsg>,
}

impl ActorWiring {
    fn kitchen(&self, order: &Order, message: KitchenMsg) {
        if let Some(kitchen) = self.kitchens.get(&order.details().kitchen) {
            // A kitchen actor that just stopped is restarted by its supervisor
            // and rebuilt; a message lost here is re-sent when the order resumes.
            let _ = kitchen.cast(message);
        }
    }

    fn dispatcher(&self, message: DispatcherMsg) {
        let _ = self.dispatcher.cast(message);
    }

    /// The order as the matching round sees it.
    fn for_matching(order: &Order) -> Option<GeoOrder> {
        let d = order.details();
        Some(GeoOrder {
            id: d.id,
            restaurant: d.kitchen,
            pickup: d.pickup,
            drop_off: d.drop_off,
            placed_at: d.placed_at,
            ready_at: order.ready_at()?,
        })
    }
}

impl OrderReactions for ActorWiring {
    fn recorded(&self, order: &Order, courier_before: Option<CourierId>, event: &OrderEvent) {
        let id = order.id();
        match event {
            OrderEvent::SentToChef { .. } => self.kitchen(order, KitchenMsg::Incoming(id)),
            OrderEvent::Accepted { .. } => {
                if let Some(o) = Self::for_matching(order) {
                    self.dispatcher(DispatcherMsg::OrderNeedsCourier(o));
                }
            }
            OrderEvent::Cancelled { .. } => {
                self.kitchen(order, KitchenMsg::OrderCancelled(id));
                self.dispatcher(DispatcherMsg::OrderDone(id));
                if let Some(actor) = courier_before.and_then(|c| self.couriers.get(&c)) {
                    let _ = actor.cast(CourierMsg::OrderCancelled(id));
                }
            }
            OrderEvent::Rejected { .. }
            | OrderEvent::PickedUp { .. }
            | OrderEvent::Delivered { .. } => {
                self.dispatcher(DispatcherMsg::OrderDone(id));
            }
            _ => {}
        }
    }

    fn resumed(&self, order: &Order) {
        match order.status() {
            OrderStatus::SentToChef => self.kitchen(order, KitchenMsg::Incoming(order.id())),
            _ if order.needs_courier() => {
                if let Some(o) = Self::for_matching(order) {
                    self.dispatcher(DispatcherMsg::OrderNeedsCourier(o));
                }
            }
            _ => {}
        }
    }
}
