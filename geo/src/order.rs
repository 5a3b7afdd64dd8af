//! What the core knows of an order waiting for a courier, and of a courier
//! who could take one.

use crate::{CourierId, OrderId, Point, RestaurantId, Seconds};

/// An order waiting to be picked up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Order {
    /// The order.
    pub id: OrderId,
    /// The kitchen preparing it.
    pub restaurant: RestaurantId,
    /// Where the kitchen is.
    pub pickup: Point,
    /// Where the customer is.
    pub drop_off: Point,
    /// When the customer placed it (the "click" of click-to-door).
    pub placed_at: Seconds,
    /// When the kitchen expects it ready.
    pub ready_at: Seconds,
}

/// A courier as the matching round sees it: where and when it will next be free.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Courier {
    /// The courier.
    pub id: CourierId,
    /// Where it is, or where it will be when its current task ends.
    pub position: Point,
    /// When it can start a new task (at or before the round's time if idle).
    pub free_at: Seconds,
    /// The end of its shift: no pickup may be planned after it.
    pub shift_end: Seconds,
}
