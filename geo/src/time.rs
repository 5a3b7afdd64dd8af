//! [`Seconds`]: the core's single time unit, for instants and durations alike.
//!
//! Whole seconds in an `i64` keep every computation exact: the MDRP's whole
//! minutes and half service times are integers here, and two runs of the same
//! inputs give bit-identical plans.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A number of seconds: an instant (since the start of the engine's day) or a duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
pub struct Seconds(pub i64);

impl Seconds {
    /// Zero seconds.
    pub const ZERO: Self = Self(0);
    /// The latest representable instant; used as "never".
    pub const MAX: Self = Self(i64::MAX);

    /// Whole minutes to seconds, saturating.
    pub const fn from_minutes(minutes: i64) -> Self {
        Self(minutes.saturating_mul(60))
    }

    /// The value as fractional minutes.
    pub fn as_minutes(self) -> f64 {
        self.0 as f64 / 60.0
    }

    /// Half of this duration, rounded down (service times are split around pickups and drop-offs).
    #[must_use]
    #[inline]
    pub const fn half(self) -> Self {
        Self(self.0 / 2)
    }

    /// `self - other` when positive, else zero.
    #[must_use]
    #[inline]
    pub const fn saturating_excess_over(self, other: Self) -> Self {
        let d = self.0.saturating_sub(other.0);
        Self(if d > 0 { d } else { 0 })
    }
}

impl Add for Seconds {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        Self(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Seconds {
    #[inline]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl Sub for Seconds {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        Self(self.0.saturating_sub(rhs.0))
    }
}

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_instead_of_overflowing() {
        assert_eq!(Seconds::MAX + Seconds(1), Seconds::MAX);
        assert_eq!(Seconds(i64::MIN) - Seconds(1), Seconds(i64::MIN));
        assert_eq!(Seconds::from_minutes(i64::MAX), Seconds::MAX);
    }

    #[test]
    fn excess_is_never_negative() {
        assert_eq!(Seconds(10).saturating_excess_over(Seconds(4)), Seconds(6));
        assert_eq!(
            Seconds(4).saturating_excess_over(Seconds(10)),
            Seconds::ZERO
        );
    }

    #[test]
    fn half_of_odd_minutes_keeps_the_thirty_seconds() {
        assert_eq!(Seconds::from_minutes(3).half(), Seconds(90));
    }
}
