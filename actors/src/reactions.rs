//! What the rest of the engine must hear when an order's lifecycle moves:
//! the kitchen gets new orders and cancellations, the dispatcher of the
//! order's pickup zone gets orders that need a courier and forgets finished
//! ones, the courier's app hears of confirmed assignments and cancellations,
//! and the kitchen hears when an assigned courier is expected.
//! Order actors call these hooks after each recorded event, and when asked
//! to resume (rebuilt after a restart, or something they wait on was
//! rebuilt), so that whatever an order waits on is asked again.

use std::sync::Arc;

use foodiefast_geo::order::Order as GeoOrder;
use foodiefast_geo::{CourierId, RestaurantId};

use crate::couriers::CourierMsg;
use crate::directory::Directory;
use crate::dispatch::{DispatcherMsg, ZoneDispatchers};
use crate::domain::order::{Order, OrderEvent, OrderStatus};
use crate::kitchens::KitchenMsg;
use crate::pickup_watch::{Pickup, PickupWatches};
use crate::tracking::{CourierUpdate, Topic, TrackingHub, Update};
use crate::zoning::Zone;

/// Who an order resumes for: everyone (it was rebuilt), or one kitchen or
/// one zone's dispatcher (that actor was rebuilt and lost its state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// Whatever the order waits on.
    Everything,
    /// Only this kitchen.
    Kitchen(RestaurantId),
    /// Only this zone's dispatcher.
    Zone(Zone),
}

/// Hooks an order actor calls; they must not block (they send messages).
pub trait OrderReactions: Send + Sync + 'static {
    /// `event` was recorded for `order` (already applied); `courier_before`
    /// held the order before it.
    fn recorded(&self, order: &Order, courier_before: Option<CourierId>, event: &OrderEvent);

    /// Tell `scope` again what `order` waits on.
    fn resumed(&self, order: &Order, scope: Resume);
}

/// Whether `order` waits on its kitchen's queue (for its answer, or cooking).
pub const fn waits_on_kitchen(status: OrderStatus) -> bool {
    matches!(
        status,
        OrderStatus::SentToChef | OrderStatus::Accepted | OrderStatus::Preparing
    )
}

/// The live wiring between order, kitchen, courier and dispatcher actors.
#[derive(Debug)]
pub struct ActorWiring {
    /// Kitchen actors by restaurant.
    pub kitchens: Arc<Directory<RestaurantId, KitchenMsg>>,
    /// Courier actors by courier.
    pub couriers: Arc<Directory<CourierId, CourierMsg>>,
    /// Every zone's dispatcher.
    pub zones: Arc<ZoneDispatchers>,
    /// Where couriers' apps listen.
    pub hub: Arc<TrackingHub>,
    /// Couriers' ETAs to pickup, for kitchens.
    pub pickups: Arc<PickupWatches>,
}

impl ActorWiring {
    fn kitchen(&self, order: &Order, message: KitchenMsg) {
        if let Some(kitchen) = self.kitchens.get(&order.details().kitchen) {
            // A kitchen actor that just stopped is restarted by its supervisor
            // and rebuilt; a message lost here is re-sent when the order resumes.
            let _ = kitchen.cast(message);
        }
    }

    fn zone(&self, order: &Order) -> Zone {
        self.zones.zone_of(order.details().pickup)
    }

    fn dispatcher(&self, order: &Order, message: DispatcherMsg) {
        self.zones.send(self.zone(order), message);
    }

    fn tell_courier(&self, courier: CourierId, update: CourierUpdate) {
        self.hub
            .publish(Topic::Courier(courier), &Update::Courier(update));
    }

    /// Tells `order`'s kitchen when `courier` is expected for it.
    fn watch_pickup(&self, order: &Order, courier: CourierId) {
        let d = order.details();
        self.pickups.start(Pickup {
            order: d.id,
            kitchen: d.kitchen,
            at: d.pickup,
            courier,
        });
    }

    /// Puts `order` back in front of its zone's dispatcher.
    fn needs_courier(&self, order: &Order) {
        if let Some(o) = Self::for_matching(order) {
            self.dispatcher(order, DispatcherMsg::OrderNeedsCourier(o));
        }
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
            // Accepted, or taken back from its courier before pickup: it
            // needs a courier.
            OrderEvent::Accepted { .. } => self.needs_courier(order),
            OrderEvent::CourierUnassigned { .. } => {
                self.pickups.stop(id);
                self.needs_courier(order);
            }
            OrderEvent::CourierAssigned {
                courier,
                pickup_eta,
                ..
            } => {
                self.watch_pickup(order, *courier);
                self.tell_courier(
                    *courier,
                    CourierUpdate::Assigned {
                        order: id,
                        pickup_eta: *pickup_eta,
                    },
                );
            }
            OrderEvent::Cancelled { .. } => {
                self.pickups.stop(id);
                self.kitchen(order, KitchenMsg::OrderCancelled(id));
                self.dispatcher(order, DispatcherMsg::OrderDone(id));
                if let Some(courier) = courier_before {
                    if let Some(actor) = self.couriers.get(&courier) {
                        let _ = actor.cast(CourierMsg::OrderCancelled(id));
                    }
                    self.tell_courier(courier, CourierUpdate::OrderCancelled(id));
                }
            }
            OrderEvent::Rejected { .. }
            | OrderEvent::PickedUp { .. }
            | OrderEvent::Delivered { .. } => {
                self.pickups.stop(id);
                self.dispatcher(order, DispatcherMsg::OrderDone(id));
            }
            _ => {}
        }
    }

    fn resumed(&self, order: &Order, scope: Resume) {
        let kitchen = order.details().kitchen;
        if scope == Resume::Everything
            && let Some(courier) = order.courier()
            && order.status() != OrderStatus::PickedUp
            && !order.status().is_terminal()
        {
            self.watch_pickup(order, courier);
        }
        let for_kitchen = match scope {
            Resume::Everything => true,
            Resume::Kitchen(k) => k == kitchen,
            Resume::Zone(_) => false,
        };
        if for_kitchen {
            match (order.status(), order.ready_at()) {
                (OrderStatus::SentToChef, _) => {
                    self.kitchen(order, KitchenMsg::Awaiting(order.id()));
                }
                (OrderStatus::Accepted | OrderStatus::Preparing, Some(ready_at)) => {
                    self.kitchen(
                        order,
                        KitchenMsg::Cooking {
                            order: order.id(),
                            ready_at,
                        },
                    );
                }
                _ => {}
            }
        }
        let for_zone = match scope {
            Resume::Everything => true,
            Resume::Kitchen(_) => false,
            Resume::Zone(zone) => zone == self.zone(order),
        };
        if for_zone && order.needs_courier() {
            self.needs_courier(order);
        }
    }
}
