//! Travel times behind one trait, [`TravelModel`].
//!
//! Two models ship: [`StraightLine`], the MDRP's rule (euclidean metres at a
//! fixed speed, rounded up to whole minutes), and [`Haversine`], great-circle
//! distance at a configured speed for live traffic. A road-network router fits
//! the same trait: it answers point-to-point times and bounds how far anything
//! can get in a given time, which is all the index needs to prefilter.

use crate::position::EARTH_RADIUS_M;
use crate::{GeoError, LocalProjection, Point, Seconds};

/// How long a courier takes between two points.
pub trait TravelModel {
    /// Travel time from `from` to `to`. [`Seconds::MAX`] means unreachable.
    fn travel_time(&self, from: Point, to: Point) -> Seconds;

    /// A planar radius (metres) that contains every point reachable within
    /// `budget`: it may overestimate, never underestimate. The courier index
    /// searches this radius, then keeps only what [`Self::travel_time`] allows.
    fn reach_radius(&self, budget: Seconds) -> f64;
}

/// The MDRP rule: `ceil(euclidean metres / metres per minute)` whole minutes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StraightLine {
    metres_per_minute: f64,
}

impl StraightLine {
    /// A straight-line model at `metres_per_minute` (finite, > 0).
    pub fn new(metres_per_minute: f64) -> Result<Self, GeoError> {
        if metres_per_minute.is_finite() && metres_per_minute > 0.0 {
            Ok(Self { metres_per_minute })
        } else {
            Err(GeoError::InvalidSpeed(metres_per_minute))
        }
    }

    /// The model's speed.
    pub const fn metres_per_minute(&self) -> f64 {
        self.metres_per_minute
    }
}

/// Relative slack on prefilter radii, covering floating-point rounding.
const RADIUS_SLACK: f64 = 1e-9;

impl TravelModel for StraightLine {
    #[inline]
    fn travel_time(&self, from: Point, to: Point) -> Seconds {
        let minutes = (from.distance(to) / self.metres_per_minute).ceil();
        // Bounded by MAX_PLANAR_M / speed; saturate for absurdly slow speeds.
        Seconds::from_minutes(minutes.min(i64::MAX as f64) as i64)
    }

    fn reach_radius(&self, budget: Seconds) -> f64 {
        // ceil(d / v) <= m  <=>  d <= m * v, for whole minutes m.
        let whole_minutes = budget.0.max(0) / 60;
        whole_minutes as f64 * self.metres_per_minute * (1.0 + RADIUS_SLACK) + 1e-6
    }
}

/// Great-circle distance at a fixed speed, rounded up to whole seconds.
///
/// Works on planar points of a [`LocalProjection`]: each point is mapped back
/// to WGS84 for an exact great-circle distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Haversine {
    projection: LocalProjection,
    metres_per_second: f64,
}

/// How much larger a planar distance can be than the great-circle one within a
/// projection's working area (a few hundred km around its origin, below 60
/// degrees of latitude): the east-west scale of the projection is fixed at the
/// origin's latitude.
const PROJECTION_DISTORTION: f64 = 1.25;

impl Haversine {
    /// A haversine model at `metres_per_second` (finite, > 0) over `projection`'s points.
    pub fn new(projection: LocalProjection, metres_per_second: f64) -> Result<Self, GeoError> {
        if metres_per_second.is_finite() && metres_per_second > 0.0 {
            Ok(Self {
                projection,
                metres_per_second,
            })
        } else {
            Err(GeoError::InvalidSpeed(metres_per_second))
        }
    }

    /// The projection the model's points belong to.
    pub const fn projection(&self) -> &LocalProjection {
        &self.projection
    }
}

impl TravelModel for Haversine {
    fn travel_time(&self, from: Point, to: Point) -> Seconds {
        let (Ok(a), Ok(b)) = (
            self.projection.to_lat_lng(from),
            self.projection.to_lat_lng(to),
        ) else {
            return Seconds::MAX;
        };
        let secs = (a.haversine_m(b) / self.metres_per_second).ceil();
        Seconds(secs.min(i64::MAX as f64) as i64)
    }

    fn reach_radius(&self, budget: Seconds) -> f64 {
        let metres = budget.0.max(0) as f64 * self.metres_per_second;
        // Nothing on the globe is farther than half its circumference.
        metres.min(std::f64::consts::PI * EARTH_RADIUS_M) * PROJECTION_DISTORTION + 1e-6
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LatLng;
    use proptest::prelude::*;

    fn pt(x: f64, y: f64) -> Point {
        Point::new(x, y).expect("valid point")
    }

    #[test]
    fn straight_line_rounds_up_to_whole_minutes() {
        let m = StraightLine::new(320.0).expect("valid speed");
        assert_eq!(m.travel_time(pt(0.0, 0.0), pt(0.0, 0.0)), Seconds(0));
        assert_eq!(m.travel_time(pt(0.0, 0.0), pt(320.0, 0.0)), Seconds(60));
        assert_eq!(m.travel_time(pt(0.0, 0.0), pt(320.5, 0.0)), Seconds(120));
        assert_eq!(m.travel_time(pt(0.0, 0.0), pt(300.0, 400.0)), Seconds(120));
    }

    #[test]
    fn bad_speeds_are_refused() {
        assert!(StraightLine::new(0.0).is_err());
        assert!(StraightLine::new(-3.0).is_err());
        assert!(StraightLine::new(f64::NAN).is_err());
        let proj = LocalProjection::new(LatLng::new(41.9, -87.6).expect("valid")).expect("valid");
        assert!(Haversine::new(proj, f64::INFINITY).is_err());
    }

    #[test]
    fn haversine_times_follow_the_great_circle() {
        let proj = LocalProjection::new(LatLng::new(41.88, -87.63).expect("valid")).expect("valid");
        let model = Haversine::new(proj, 5.0).expect("valid speed");
        let a = proj.to_point(LatLng::new(41.88, -87.63).expect("valid"));
        let b = proj.to_point(LatLng::new(41.89, -87.63).expect("valid"));
        // 0.01 degree of latitude is about 1,112 m: 223 s at 5 m/s.
        assert_eq!(model.travel_time(a, b), Seconds(223));
    }

    #[test]
    fn points_off_the_globe_are_unreachable() {
        let proj = LocalProjection::new(LatLng::new(0.0, 0.0).expect("valid")).expect("valid");
        let model = Haversine::new(proj, 5.0).expect("valid speed");
        let far = pt(0.0, 2.0e7); // 180 degrees north of the equator
        assert_eq!(model.travel_time(pt(0.0, 0.0), far), Seconds::MAX);
    }

    proptest! {
        #[test]
        fn straight_line_reach_radius_never_underestimates(
            x in -5e4f64..5e4, y in -5e4f64..5e4, budget in 0i64..7200, speed in 50.0f64..1000.0,
        ) {
            let m = StraightLine::new(speed).expect("valid speed");
            let (a, b) = (pt(0.0, 0.0), pt(x, y));
            if m.travel_time(a, b) <= Seconds(budget) {
                prop_assert!(a.distance(b) <= m.reach_radius(Seconds(budget)));
            }
        }

        #[test]
        fn haversine_reach_radius_never_underestimates_in_a_city(
            lat0 in -60.0f64..60.0, dlat in -0.3f64..0.3, dlng in -0.3f64..0.3,
            budget in 0i64..7200, speed in 1.0f64..30.0,
        ) {
            let proj = LocalProjection::new(LatLng::new(lat0, 10.0).expect("valid")).expect("valid");
            let model = Haversine::new(proj, speed).expect("valid speed");
            let a = proj.to_point(LatLng::new(lat0, 10.0).expect("valid"));
            let b = proj.to_point(LatLng::new(lat0 + dlat, 10.0 + dlng).expect("valid"));
            if model.travel_time(a, b) <= Seconds(budget) {
                prop_assert!(a.distance(b) <= model.reach_radius(Seconds(budget)));
            }
        }
    }
}
