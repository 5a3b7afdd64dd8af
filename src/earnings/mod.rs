//! Pay statements, in integer cents: what a courier earned in a period
//! ([`courier`]: a fee per delivered order, topped up to an hourly
//! guarantee over the hours online, the MDRP's pay rule in `mdrp::metrics`)
//! and what a chef's kitchen is owed ([`chef`]: captured payments less
//! refunds and the platform's commission). Everything is derived from
//! durable facts: the orders' logs, the deliveries and the couriers'
//! shift sessions the store records; never from figures a client sends.
//!
//! - [`period`]: the period asked for (RFC 3339 bounds, default today);
//! - [`courier`], [`chef`]: the arithmetic, pure and tested on its own.

pub mod chef;
pub mod courier;
pub mod period;

pub use period::Period;

/// The production figures of pay, from the environment
/// (`COURIER_PAY_PER_ORDER_CENTS`, `COURIER_GUARANTEE_PER_HOUR_CENTS`,
/// `PLATFORM_COMMISSION_BPS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayRates {
    /// A courier's fee per delivered order, cents.
    pub per_order_cents: i64,
    /// A courier's guaranteed pay per hour online, cents.
    pub guarantee_per_hour_cents: i64,
    /// The platform's share of what a kitchen's customers paid, basis
    /// points (1500: 15 %).
    pub commission_bps: i64,
}

impl Default for PayRates {
    /// The MDRP's figures (10 per order, 15 per hour guaranteed) in cents,
    /// and a 15 % commission.
    fn default() -> Self {
        Self {
            per_order_cents: 1_000,
            guarantee_per_hour_cents: 1_500,
            commission_bps: 1_500,
        }
    }
}

/// `numerator / denominator` rounded to the nearest integer, halves away
/// from zero (so a sum and its negation round to opposite amounts);
/// `denominator` must be positive.
pub(crate) fn div_round(numerator: i128, denominator: i128) -> i64 {
    let half = denominator / 2;
    let rounded = if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        (numerator - half) / denominator
    };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

#[cfg(test)]
mod tests {
    use super::div_round;

    #[test]
    fn rounding_is_to_the_nearest_cent_halves_away_from_zero() {
        assert_eq!(div_round(14_999, 10_000), 1);
        assert_eq!(div_round(15_000, 10_000), 2);
        assert_eq!(div_round(-15_000, 10_000), -2);
        assert_eq!(div_round(-14_999, 10_000), -1);
        assert_eq!(div_round(1_799, 3_600), 0);
        assert_eq!(div_round(1_800, 3_600), 1);
        assert_eq!(div_round(0, 7), 0);
    }
}
