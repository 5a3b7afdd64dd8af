//! Typed identifiers, so a courier id can never be passed where an order id is due.

use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

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

/// Hashes the engine's own integer ids (and points' coordinate bits) in a
/// multiply and a rotate: the matching round looks couriers up tens of
/// thousands of times, where `SipHash`'s resistance to chosen keys buys
/// nothing (ids are issued by the engine, not chosen by clients).
#[derive(Debug, Clone, Copy, Default)]
pub struct IdHasher(u64);

/// Builds [`IdHasher`]s for `HashMap`s and `HashSet`s keyed by ids.
pub type IdHash = BuildHasherDefault<IdHasher>;

/// The multiplier of rustc's `FxHasher`: odd, with well-mixed bits.
const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        // The table picks buckets with the low bits: bring the product's
        // better-mixed high bits down.
        self.0.rotate_left(26)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(SEED);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}
