//! [`Violation`]: one broken rule of the MDRP, naming the rule, the order or
//! courier, and the times involved.

use foodiefast_geo::{CourierId, OrderId, RestaurantId};

use crate::mdrp::solution::{Minutes, Place};

/// A rule of `shared/mdrp/FORMAT.md` that a solution breaks, with what
/// breaks it. Times are minutes of the instance's day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    /// An order the instance does not define.
    #[error("{file} names order {order}, which the instance does not define")]
    UnknownOrder {
        /// The order.
        order: OrderId,
        /// The solution file naming it.
        file: &'static str,
    },
    /// A courier the instance does not define.
    #[error("{file} names courier {courier}, which the instance does not define")]
    UnknownCourier {
        /// The courier.
        courier: CourierId,
        /// The solution file naming it.
        file: &'static str,
    },
    /// A move to or from a restaurant the instance does not define.
    #[error(
        "a move of {courier} names restaurant {restaurant}, which the instance does not define"
    )]
    UnknownRestaurant {
        /// The courier.
        courier: CourierId,
        /// The restaurant.
        restaurant: RestaurantId,
    },
    /// An order of the instance without a line in the orders file.
    #[error("order {order} has no line in the orders file")]
    MissingOrderRecord {
        /// The order.
        order: OrderId,
    },
    /// An order's line disagrees with the instance (placement, ready time)
    /// or with its assignment (pickup time).
    #[error(
        "order {order}: {field} is minute {recorded} in the orders file but minute {expected} in the {source_of_truth}"
    )]
    RecordTimeDisagrees {
        /// The order.
        order: OrderId,
        /// The column.
        field: &'static str,
        /// The time the orders file gives.
        recorded: Minutes,
        /// The time it should give.
        expected: Minutes,
        /// Where the expected time comes from: the instance or the assignment.
        source_of_truth: &'static str,
    },
    /// An order's line names another courier than its assignment.
    #[error(
        "order {order} is delivered by {recorded} in the orders file but assigned to {assigned}"
    )]
    RecordCourierDisagrees {
        /// The order.
        order: OrderId,
        /// The courier of the orders file.
        recorded: CourierId,
        /// The courier of the assignment.
        assigned: CourierId,
    },
    /// An order with a drop-off but in no assignment.
    #[error("order {order} is delivered but in no assignment")]
    DeliveredWithoutAssignment {
        /// The order.
        order: OrderId,
    },
    /// An assigned order without a pickup and drop-off.
    #[error("order {order} is assigned to {courier} but has no pickup and drop-off")]
    AssignedButNotDelivered {
        /// The order.
        order: OrderId,
        /// The courier.
        courier: CourierId,
    },
    /// Each order is in at most one assignment.
    #[error("order {order} is in {count} assignments")]
    OrderInSeveralAssignments {
        /// The order.
        order: OrderId,
        /// How many assignments hold it.
        count: usize,
    },
    /// Only orders of one restaurant may be bundled.
    #[error(
        "the bundle of {courier} mixes {order} of {restaurant} with orders of {first_restaurant}"
    )]
    BundleMixesRestaurants {
        /// The courier.
        courier: CourierId,
        /// The order from another restaurant.
        order: OrderId,
        /// Its restaurant.
        restaurant: RestaurantId,
        /// The restaurant of the bundle's first order.
        first_restaurant: RestaurantId,
    },
    /// No assignment precedes its orders' placement.
    #[error(
        "order {order} is assigned to {courier} at minute {assigned_at}, before it is placed at minute {placed_at}"
    )]
    AssignedBeforePlacement {
        /// The order.
        order: OrderId,
        /// The courier.
        courier: CourierId,
        /// The assignment time.
        assigned_at: Minutes,
        /// The placement time.
        placed_at: Minutes,
    },
    /// A bundle is picked up only once it has been assigned.
    #[error(
        "{courier} picks up {order} at minute {pickup_at}, before it is assigned at minute {assigned_at}"
    )]
    PickupBeforeAssignment {
        /// The courier.
        courier: CourierId,
        /// The bundle's first order.
        order: OrderId,
        /// The assignment time.
        assigned_at: Minutes,
        /// The pickup time.
        pickup_at: Minutes,
    },
    /// Every pickup is at or before the courier's off time.
    #[error(
        "{courier} picks up {order} at minute {pickup_at}, after its shift ends at minute {off_time}"
    )]
    PickupAfterOffTime {
        /// The courier.
        courier: CourierId,
        /// The bundle's first order.
        order: OrderId,
        /// The pickup time.
        pickup_at: Minutes,
        /// The end of the courier's shift.
        off_time: Minutes,
    },
    /// Every pickup is at or after the ready times of its bundle.
    #[error(
        "{courier} picks up {order} at minute {pickup_at}, before it is ready at minute {ready_at}"
    )]
    PickupBeforeReady {
        /// The courier.
        courier: CourierId,
        /// The order not yet ready.
        order: OrderId,
        /// The pickup time.
        pickup_at: Minutes,
        /// The order's ready time.
        ready_at: Minutes,
    },
    /// An order is dropped off after it is picked up.
    #[error(
        "{courier} drops {order} off at minute {drop_off_at}, before picking it up at minute {pickup_at}"
    )]
    DropOffBeforePickup {
        /// The courier.
        courier: CourierId,
        /// The order.
        order: OrderId,
        /// The pickup time.
        pickup_at: Minutes,
        /// The drop-off time.
        drop_off_at: Minutes,
    },
    /// Drop-offs follow the assigned sequence, at least one drop-off service time apart.
    #[error(
        "{courier} drops {order} off at minute {drop_off_at}, less than {service} minutes after the previous order of its sequence, {previous}, at minute {previous_drop_off_at}"
    )]
    DropOffsOutOfSequence {
        /// The courier.
        courier: CourierId,
        /// The order dropped off too early.
        order: OrderId,
        /// Its drop-off time.
        drop_off_at: Minutes,
        /// The order before it in the bundle's sequence.
        previous: OrderId,
        /// That order's drop-off time.
        previous_drop_off_at: Minutes,
        /// The drop-off service time.
        service: Minutes,
    },
    /// Each move's origin is the previous move's destination (the start for the first move).
    #[error(
        "move {move_number} of {courier} sets off from {origin}, but the courier is at {expected}"
    )]
    MoveDiscontinuous {
        /// The courier.
        courier: CourierId,
        /// The move, counted from 1 among the courier's moves.
        move_number: usize,
        /// The origin the move gives.
        origin: Place,
        /// Where the courier is.
        expected: Place,
    },
    /// Departures never precede arrivals (nor the start of the shift).
    #[error(
        "{courier} leaves {place} at minute {departure}, before it is there at minute {arrival}"
    )]
    DepartureBeforeArrival {
        /// The courier.
        courier: CourierId,
        /// The place it leaves.
        place: Place,
        /// When it arrived there (its shift start, for its start location).
        arrival: Minutes,
        /// When it leaves.
        departure: Minutes,
    },
    /// At each pickup time the courier is at the restaurant.
    #[error("{courier} is not at {restaurant} at minute {pickup_at} to pick up {order}")]
    NotAtRestaurant {
        /// The courier.
        courier: CourierId,
        /// The restaurant.
        restaurant: RestaurantId,
        /// The bundle's first order.
        order: OrderId,
        /// The pickup time.
        pickup_at: Minutes,
    },
    /// At each drop-off time the courier is at the order's location.
    #[error("{courier} is not at the customer of {order} at minute {drop_off_at}")]
    NotAtCustomer {
        /// The courier.
        courier: CourierId,
        /// The order.
        order: OrderId,
        /// The drop-off time.
        drop_off_at: Minutes,
    },
    /// A pickup or drop-off happens half a service time after arrival, and the
    /// courier leaves half a service time after it.
    #[error("{courier} serves {place} at minute {at}, but arrives at minute {arrival} and leaves at minute {}: half of the {service}-minute service must fit on each side", .departure.map_or_else(|| "never".to_owned(), |d| d.to_string()))]
    ServiceCutShort {
        /// The courier.
        courier: CourierId,
        /// The restaurant or customer.
        place: Place,
        /// The pickup or drop-off time.
        at: Minutes,
        /// When the courier arrives there.
        arrival: Minutes,
        /// When it leaves (`None`: it stays).
        departure: Option<Minutes>,
        /// The service time.
        service: Minutes,
    },
    /// A courier is not diverted while executing an assignment: from the
    /// pickup it goes straight through the bundle's customers in sequence.
    #[error("{courier} goes to {via} while carrying {order}, before dropping it off")]
    Diverted {
        /// The courier.
        courier: CourierId,
        /// The order whose drop-off is not the courier's next stop.
        order: OrderId,
        /// Where the courier goes instead.
        via: Place,
    },
}

impl Violation {
    /// The rule broken, as a short name for grouping and reports.
    pub fn rule(&self) -> &'static str {
        match self {
            Self::UnknownOrder { .. } => "unknown-order",
            Self::UnknownCourier { .. } => "unknown-courier",
            Self::UnknownRestaurant { .. } => "unknown-restaurant",
            Self::MissingOrderRecord { .. } => "missing-order-record",
            Self::RecordTimeDisagrees { .. } => "record-time-disagrees",
            Self::RecordCourierDisagrees { .. } => "record-courier-disagrees",
            Self::DeliveredWithoutAssignment { .. } => "delivered-without-assignment",
            Self::AssignedButNotDelivered { .. } => "assigned-but-not-delivered",
            Self::OrderInSeveralAssignments { .. } => "order-in-several-assignments",
            Self::BundleMixesRestaurants { .. } => "bundle-mixes-restaurants",
            Self::AssignedBeforePlacement { .. } => "assigned-before-placement",
            Self::PickupBeforeAssignment { .. } => "pickup-before-assignment",
            Self::PickupAfterOffTime { .. } => "pickup-after-off-time",
            Self::PickupBeforeReady { .. } => "pickup-before-ready",
            Self::DropOffBeforePickup { .. } => "drop-off-before-pickup",
            Self::DropOffsOutOfSequence { .. } => "drop-offs-out-of-sequence",
            Self::MoveDiscontinuous { .. } => "move-discontinuous",
            Self::DepartureBeforeArrival { .. } => "departure-before-arrival",
            Self::NotAtRestaurant { .. } => "not-at-restaurant",
            Self::NotAtCustomer { .. } => "not-at-customer",
            Self::ServiceCutShort { .. } => "service-cut-short",
            Self::Diverted { .. } => "diverted",
        }
    }
}
