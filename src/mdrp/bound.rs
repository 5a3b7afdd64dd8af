//! The MDRP's per-order lower bound on click-to-door: what no dispatcher can beat.

use foodiefast_geo::order::Order;
use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{Seconds, TravelModel};

/// The earliest an order can reach its customer, measured from its placement:
/// `ready - placement + pickup_service/2 + travel(restaurant, customer) + dropoff_service/2`.
pub fn click_to_door_lower_bound(
    order: &Order,
    model: &impl TravelModel,
    service: ServiceTimes,
) -> Seconds {
    (order.ready_at - order.placed_at)
        + service.pickup().half()
        + model.travel_time(order.pickup, order.drop_off)
        + service.drop_off().half()
}

#[cfg(test)]
mod tests {
    use super::*;
    use foodiefast_geo::{OrderId, Point, RestaurantId, StraightLine};

    #[test]
    fn bound_adds_preparation_half_services_and_direct_travel() {
        let order = Order {
            id: OrderId(1),
            restaurant: RestaurantId(1),
            pickup: Point::new(0.0, 0.0).unwrap(),
            drop_off: Point::new(3_000.0, 4_000.0).unwrap(),
            placed_at: Seconds::from_minutes(600),
            ready_at: Seconds::from_minutes(610),
        };
        let model = StraightLine::new(320.0).unwrap();
        let service =
            ServiceTimes::new(Seconds::from_minutes(4), Seconds::from_minutes(4)).unwrap();
        // 10 minutes of preparation, 2 + ceil(5000 / 320) = 16 + 2 minutes.
        assert_eq!(
            click_to_door_lower_bound(&order, &model, service),
            Seconds::from_minutes(30)
        );
    }
}
