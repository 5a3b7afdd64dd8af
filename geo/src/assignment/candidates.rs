//! What it would mean for one courier to take one bundle: the timing of the
//! trip and its cost, or nothing when the courier cannot pick up before its
//! shift ends.

use crate::bundling::Bundle;
use crate::cost::CostModel;
use crate::order::Courier;
use crate::route::ServiceTimes;
use crate::{CourierId, Seconds, TravelModel};

/// A courier that could take a bundle, with the plan and its cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Candidate {
    /// The courier.
    pub courier: CourierId,
    /// The solver's cost of this pairing (lower is better).
    pub cost: i64,
    /// Travel time from the courier to the restaurant.
    pub approach: Seconds,
    /// When the courier arrives if it sets off as soon as it is free.
    pub arrive_at: Seconds,
    /// The planned pickup.
    pub pickup_at: Seconds,
    /// The latest the courier may set off and still make the pickup: a
    /// dispatcher sends it then, so it does not wait long at the restaurant.
    pub latest_departure: Seconds,
    /// How long the courier would wait at the restaurant if it set off at once.
    pub wait: Seconds,
    /// Sum of the bundle's click-to-door times under this plan.
    pub total_click_to_door: Seconds,
}

/// Evaluates `courier` for `bundle` in a round at `now`; `None` when the
/// pickup would fall after the courier's shift end.
pub fn evaluate(
    now: Seconds,
    bundle: &Bundle,
    courier: &Courier,
    model: &impl TravelModel,
    service: ServiceTimes,
    cost: &CostModel,
) -> Option<Candidate> {
    let depart = now.max(courier.free_at);
    let approach = model.travel_time(courier.position, bundle.pickup);
    if approach == Seconds::MAX {
        return None;
    }
    let arrive_at = depart + approach;
    let pickup_at = service.pickup_at(arrive_at, bundle.ready_at);
    if pickup_at > courier.shift_end {
        return None;
    }
    let wait = pickup_at - (arrive_at + service.pickup().half());
    let mut points = cost.wait_points(wait);
    let mut total_click_to_door = Seconds::ZERO;
    for (order, &offset) in bundle.orders.iter().zip(&bundle.schedule.offsets) {
        let click_to_door = pickup_at + offset - order.placed_at;
        total_click_to_door += click_to_door;
        points += cost.order_points(click_to_door);
    }
    Some(Candidate {
        courier: courier.id,
        cost: CostModel::to_cost(points),
        approach,
        arrive_at,
        pickup_at,
        latest_departure: pickup_at - service.pickup().half() - approach,
        wait,
        total_click_to_door,
    })
}
