//! The cost of a plan as customers and couriers feel it, in integer points
//! (one point is one second of click-to-door at weight 1).
//!
//! Integers keep the optimiser exact: equal plans cost exactly the same and
//! the solver's optimum can be checked against brute force.

use crate::{GeoError, Seconds};

/// Weights of what a dispatch decision costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostModel {
    /// The click-to-door the platform promises (the MDRP's 40 minutes).
    pub target_click_to_door: Seconds,
    /// Points per second of click-to-door.
    pub click_to_door_weight: f64,
    /// Extra points per second past the target: lateness hurts more than time.
    pub lateness_weight: f64,
    /// Points per second a courier waits at a restaurant for food that is not ready.
    pub courier_wait_weight: f64,
}

impl Default for CostModel {
    fn default() -> Self {
        Self {
            target_click_to_door: Seconds::from_minutes(40),
            click_to_door_weight: 1.0,
            lateness_weight: 2.0,
            courier_wait_weight: 0.25,
        }
    }
}

/// Largest cost of one edge; keeps every sum of a round far from `i64` overflow.
pub const MAX_COST: i64 = 1 << 40;

impl CostModel {
    /// Checks every weight is finite and non-negative.
    pub fn validate(&self) -> Result<(), GeoError> {
        let weights = [
            self.click_to_door_weight,
            self.lateness_weight,
            self.courier_wait_weight,
        ];
        if weights.iter().all(|w| w.is_finite() && *w >= 0.0) {
            Ok(())
        } else {
            Err(GeoError::InvalidParameter {
                name: "cost weights",
                reason: "must be finite and zero or more",
            })
        }
    }

    /// The cost of delivering an order `click_to_door` after it was placed.
    #[inline]
    pub fn order_points(&self, click_to_door: Seconds) -> f64 {
        let c2d = click_to_door.0.max(0) as f64;
        let late = click_to_door
            .saturating_excess_over(self.target_click_to_door)
            .0 as f64;
        self.click_to_door_weight * c2d + self.lateness_weight * late
    }

    /// The cost of a courier waiting `wait` at a restaurant.
    #[inline]
    pub fn wait_points(&self, wait: Seconds) -> f64 {
        self.courier_wait_weight * wait.0.max(0) as f64
    }

    /// Rounds a sum of points to the solver's integer cost, clamped to [0, `MAX_COST`].
    #[inline]
    pub fn to_cost(points: f64) -> i64 {
        if points.is_nan() {
            return MAX_COST;
        }
        points.round().clamp(0.0, MAX_COST as f64) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lateness_costs_more_than_time_within_the_target() {
        let m = CostModel::default();
        let on_time =
            m.order_points(Seconds::from_minutes(40)) - m.order_points(Seconds::from_minutes(39));
        let late =
            m.order_points(Seconds::from_minutes(41)) - m.order_points(Seconds::from_minutes(40));
        assert!((on_time - 60.0).abs() < 1e-9);
        assert!((late - 180.0).abs() < 1e-9);
    }

    #[test]
    fn invalid_weights_are_refused() {
        let m = CostModel {
            lateness_weight: f64::NAN,
            ..CostModel::default()
        };
        assert!(m.validate().is_err());
        let m = CostModel {
            courier_wait_weight: -1.0,
            ..CostModel::default()
        };
        assert!(m.validate().is_err());
        assert!(CostModel::default().validate().is_ok());
    }

    #[test]
    fn costs_are_clamped_to_the_solver_range() {
        assert_eq!(CostModel::to_cost(-5.0), 0);
        assert_eq!(CostModel::to_cost(f64::INFINITY), MAX_COST);
        assert_eq!(CostModel::to_cost(f64::NAN), MAX_COST);
        assert_eq!(CostModel::to_cost(12.5), 13);
    }
}
