//! The geo core's one error type: every way an input can be refused.

use crate::{CourierId, OrderId, RestaurantId};

/// Why the geo core refused an input. Nothing in the core panics instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeoError {
    /// A latitude outside [-90, 90] degrees, or not a finite number.
    #[error("latitude {0} is outside [-90, 90] degrees")]
    InvalidLatitude(f64),
    /// A longitude outside [-180, 180] degrees, or not a finite number.
    #[error("longitude {0} is outside [-180, 180] degrees")]
    InvalidLongitude(f64),
    /// A planar coordinate that is NaN, infinite or beyond the supported range.
    #[error("planar coordinate ({x}, {y}) is not a finite value within ±{limit} m")]
    InvalidPoint {
        /// Easting in metres.
        x: f64,
        /// Northing in metres.
        y: f64,
        /// The largest magnitude accepted.
        limit: f64,
    },
    /// A speed that is not a finite positive number.
    #[error("speed {0} must be a finite number greater than zero")]
    InvalidSpeed(f64),
    /// A zone resolution that h3 does not define.
    #[error("zone resolution {0} is not an h3 resolution (0 to 15)")]
    InvalidResolution(u8),
    /// A zone id that is not a valid h3 cell.
    #[error("zone id {0:#x} is not a valid h3 cell")]
    InvalidZone(u64),
    /// A courier added to an index that already holds it.
    #[error("courier {0} is already in the index")]
    DuplicateCourier(CourierId),
    /// A courier that the index does not hold.
    #[error("courier {0} is not in the index")]
    UnknownCourier(CourierId),
    /// An order that appears twice in one dispatch round.
    #[error("order {0} appears more than once in the round")]
    DuplicateOrder(OrderId),
    /// A restaurant referenced by an order but not given to the round.
    #[error("restaurant {0} is not known to the round")]
    UnknownRestaurant(RestaurantId),
    /// A bundle with no orders, or orders of more than one restaurant.
    #[error("a bundle must hold one or more orders of a single restaurant")]
    MalformedBundle,
    /// A bundle larger than the core sequences exactly.
    #[error("a bundle of {size} orders exceeds the maximum of {max}")]
    BundleTooLarge {
        /// Orders in the bundle.
        size: usize,
        /// Largest bundle supported.
        max: usize,
    },
    /// A parameter outside its meaningful range.
    #[error("parameter {name} is invalid: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}
