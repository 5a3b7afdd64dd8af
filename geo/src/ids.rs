//! Typed identifiers, so a courier id can never be passed where an order id is due.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(transparent))]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id_type!(
    /// A courier, unique across the whole engine.
    CourierId,
    "c"
);
id_type!(
    /// An order, unique across the whole engine.
    OrderId,
    "o"
);
id_type!(
    /// A restaurant (a chef's kitchen), unique across the whole engine.
    RestaurantId,
    "r"
);
