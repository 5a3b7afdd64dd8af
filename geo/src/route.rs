//! Timing one courier's trip: to the restaurant, the pickup, then each
//! drop-off in sequence, under the MDRP's service-time rules.
//!
//! A pickup happens at or after the food is ready and at or after the courier
//! arrives plus half the pickup service time; the courier leaves the other half
//! later. A drop-off happens on arrival plus half the drop-off service time and
//! the courier leaves the other half later.

use crate::cost::CostModel;
use crate::{GeoError, Point, Seconds, TravelModel};

/// Service times spent at the restaurant and at each customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceTimes {
    pickup: Seconds,
    drop_off: Seconds,
}

impl ServiceTimes {
    /// Validated service times (zero or more).
    pub fn new(pickup: Seconds, drop_off: Seconds) -> Result<Self, GeoError> {
        if pickup < Seconds::ZERO || drop_off < Seconds::ZERO {
            return Err(GeoError::InvalidParameter {
                name: "service times",
                reason: "must be zero or more",
            });
        }
        Ok(Self { pickup, drop_off })
    }

    /// Time spent at the restaurant for a pickup.
    #[inline]
    pub const fn pickup(&self) -> Seconds {
        self.pickup
    }

    /// Time spent at a customer for a drop-off.
    pub const fn drop_off(&self) -> Seconds {
        self.drop_off
    }

    /// The earliest pickup for a courier arriving at `arrival` for food ready at `ready_at`.
    #[inline]
    pub fn pickup_at(&self, arrival: Seconds, ready_at: Seconds) -> Seconds {
        (arrival + self.pickup.half()).max(ready_at)
    }

    /// When the courier leaves the restaurant after a pickup at `pickup_at`.
    #[inline]
    pub fn leave_restaurant(&self, pickup_at: Seconds) -> Seconds {
        pickup_at + (self.pickup - self.pickup.half())
    }
}

/// The drop-offs of a bundle, timed relative to its pickup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropOffSchedule {
    /// Delay from the pickup to each drop-off, in sequence.
    pub offsets: Vec<Seconds>,
    /// Delay from the pickup to leaving the last customer.
    pub finish: Seconds,
}

/// Times the drop-offs at `stops` (in that order) after a pickup at `restaurant`.
pub fn schedule_drop_offs(
    model: &impl TravelModel,
    service: ServiceTimes,
    restaurant: Point,
    stops: &[Point],
) -> DropOffSchedule {
    let mut offsets = Vec::with_capacity(stops.len());
    let mut at = restaurant;
    let mut t = service.leave_restaurant(Seconds::ZERO);
    for &stop in stops {
        let drop = t + model.travel_time(at, stop) + service.drop_off.half();
        offsets.push(drop);
        t = drop + (service.drop_off - service.drop_off.half());
        at = stop;
    }
    DropOffSchedule { offsets, finish: t }
}

/// Largest bundle whose drop-off order is found by trying every sequence.
pub const MAX_EXACT_SEQUENCE: usize = 6;

/// A customer of a bundle, as sequencing sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stop {
    /// Where the customer is.
    pub at: Point,
    /// When the customer ordered.
    pub placed_at: Seconds,
}

/// The drop-off sequence that costs customers least for a pickup at
/// `pickup_at`, found by trying every permutation; ties keep the earliest
/// permutation in lexicographic order, so the result is deterministic.
/// Returns the order of `stops` indices and its schedule.
pub fn best_sequence(
    model: &impl TravelModel,
    service: ServiceTimes,
    cost: &CostModel,
    restaurant: Point,
    pickup_at: Seconds,
    stops: &[Stop],
) -> Result<(Vec<usize>, DropOffSchedule), GeoError> {
    if stops.len() > MAX_EXACT_SEQUENCE {
        return Err(GeoError::BundleTooLarge {
            size: stops.len(),
            max: MAX_EXACT_SEQUENCE,
        });
    }
    let mut perm: Vec<usize> = (0..stops.len()).collect();
    let mut best: Option<(f64, Vec<usize>, DropOffSchedule)> = None;
    let mut points = Vec::with_capacity(stops.len());
    loop {
        points.clear();
        points.extend(perm.iter().filter_map(|&i| stops.get(i).map(|s| s.at)));
        let schedule = schedule_drop_offs(model, service, restaurant, &points);
        let total: f64 = perm
            .iter()
            .zip(&schedule.offsets)
            .filter_map(|(&i, &offset)| stops.get(i).map(|s| (s, offset)))
            .map(|(s, offset)| cost.order_points(pickup_at + offset - s.placed_at))
            .sum();
        if best.as_ref().is_none_or(|(b, _, _)| total < *b) {
            best = Some((total, perm.clone(), schedule));
        }
        if !next_permutation(&mut perm) {
            break;
        }
    }
    best.map(|(_, p, s)| (p, s))
        .ok_or(GeoError::MalformedBundle)
}

/// Rearranges `v` into its next lexicographic permutation; false after the last.
fn next_permutation(v: &mut [usize]) -> bool {
    let Some(i) = v.windows(2).rposition(|w| w.first() < w.get(1)) else {
        return false;
    };
    let Some(&pivot) = v.get(i) else {
        return false;
    };
    // `v[i + 1]` is larger than the pivot, so this always finds one.
    let Some(j) = v.iter().rposition(|&x| x > pivot) else {
        return false;
    };
    v.swap(i, j);
    if let Some(tail) = v.get_mut(i + 1..) {
        tail.reverse();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StraightLine;

    fn pt(x: f64, y: f64) -> Point {
        Point::new(x, y).expect("valid point")
    }

    fn mdrp_service() -> ServiceTimes {
        ServiceTimes::new(Seconds::from_minutes(4), Seconds::from_minutes(4)).expect("valid")
    }

    #[test]
    fn pickup_waits_for_food_and_for_half_the_service() {
        let s = mdrp_service();
        // Courier early: pickup when ready.
        assert_eq!(s.pickup_at(Seconds(0), Seconds(600)), Seconds(600));
        // Food early: pickup at arrival plus two minutes.
        assert_eq!(s.pickup_at(Seconds(600), Seconds(0)), Seconds(720));
        assert_eq!(s.leave_restaurant(Seconds(720)), Seconds(840));
        assert!(ServiceTimes::new(Seconds(-1), Seconds(0)).is_err());
    }

    #[test]
    fn drop_offs_follow_the_mdrp_timing() {
        let model = StraightLine::new(320.0).expect("valid");
        let schedule = schedule_drop_offs(
            &model,
            mdrp_service(),
            pt(0.0, 0.0),
            &[pt(640.0, 0.0), pt(640.0, 320.0)],
        );
        // Leave at +2, arrive +4, drop +6, leave +8, arrive +9, drop +11, leave +13 (minutes).
        assert_eq!(schedule.offsets, vec![Seconds(360), Seconds(660)]);
        assert_eq!(schedule.finish, Seconds(780));
    }

    #[test]
    fn the_best_sequence_serves_the_near_customer_first_on_a_line() {
        let model = StraightLine::new(320.0).expect("valid");
        let far = Stop {
            at: pt(3_200.0, 0.0),
            placed_at: Seconds(0),
        };
        let near = Stop {
            at: pt(1_600.0, 0.0),
            placed_at: Seconds(0),
        };
        let (seq, schedule) = best_sequence(
            &model,
            mdrp_service(),
            &CostModel::default(),
            pt(0.0, 0.0),
            Seconds(600),
            &[far, near],
        )
        .expect("small bundle");
        assert_eq!(seq, vec![1, 0]);
        assert_eq!(schedule.offsets.len(), 2);
    }

    #[test]
    fn an_order_placed_long_ago_goes_first_when_lateness_dominates() {
        let model = StraightLine::new(320.0).expect("valid");
        // Both customers the same distance away in opposite directions; one already late.
        let old = Stop {
            at: pt(-3_200.0, 0.0),
            placed_at: Seconds(0),
        };
        let fresh = Stop {
            at: pt(3_200.0, 0.0),
            placed_at: Seconds::from_minutes(30),
        };
        let (seq, _) = best_sequence(
            &model,
            mdrp_service(),
            &CostModel::default(),
            pt(0.0, 0.0),
            Seconds::from_minutes(40),
            &[fresh, old],
        )
        .expect("small bundle");
        assert_eq!(seq, vec![1, 0]);
    }

    #[test]
    fn oversized_bundles_are_refused() {
        let model = StraightLine::new(320.0).expect("valid");
        let stops = vec![
            Stop {
                at: pt(0.0, 0.0),
                placed_at: Seconds(0)
            };
            MAX_EXACT_SEQUENCE + 1
        ];
        let r = best_sequence(
            &model,
            mdrp_service(),
            &CostModel::default(),
            pt(0.0, 0.0),
            Seconds(0),
            &stops,
        );
        assert!(matches!(r, Err(GeoError::BundleTooLarge { .. })));
    }

    #[test]
    fn permutations_are_enumerated_in_order_and_completely() {
        let mut v = vec![0, 1, 2, 3];
        let mut count = 1;
        let mut prev = v.clone();
        while next_permutation(&mut v) {
            assert!(v > prev);
            prev = v.clone();
            count += 1;
        }
        assert_eq!(count, 24);
        assert!(!next_permutation(&mut []));
    }
}
