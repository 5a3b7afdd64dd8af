//! Positions: WGS84 [`LatLng`] from the apps, planar [`Point`] in metres for the
//! index and the MDRP instances, and the [`LocalProjection`] between them.
//!
//! Both types can only be built through validating constructors, so every
//! `LatLng` and `Point` in the engine is finite and in range.

use crate::GeoError;

/// Mean Earth radius in metres (IUGG), used by the projection and by haversine.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Largest planar coordinate magnitude accepted: ten times the Earth's
/// circumference, far beyond any city, small enough that squared distances stay exact-ish.
pub const MAX_PLANAR_M: f64 = 4.0e8;

/// A WGS84 position in degrees, validated: latitude in [-90, 90], longitude in [-180, 180].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "RawLatLng", into = "RawLatLng")
)]
pub struct LatLng {
    lat: f64,
    lng: f64,
}

impl LatLng {
    /// Validates and builds a position.
    pub fn new(lat: f64, lng: f64) -> Result<Self, GeoError> {
        if !(-90.0..=90.0).contains(&lat) {
            return Err(GeoError::InvalidLatitude(lat));
        }
        if !(-180.0..=180.0).contains(&lng) {
            return Err(GeoError::InvalidLongitude(lng));
        }
        Ok(Self { lat, lng })
    }

    /// For coordinates that come from a source that guarantees the ranges (h3o cell centres).
    pub(crate) const fn new_unchecked(lat: f64, lng: f64) -> Self {
        Self { lat, lng }
    }

    /// Latitude in degrees.
    pub const fn lat(self) -> f64 {
        self.lat
    }

    /// Longitude in degrees.
    pub const fn lng(self) -> f64 {
        self.lng
    }

    /// Great-circle distance in metres (haversine formula, spherical Earth).
    pub fn haversine_m(self, other: Self) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lng - self.lng).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        // `a` can exceed 1 by a rounding error for antipodal points.
        2.0 * EARTH_RADIUS_M * a.clamp(0.0, 1.0).sqrt().asin()
    }
}

/// A planar position in metres (easting `x`, northing `y`), validated finite and in range.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "RawPoint", into = "RawPoint")
)]
pub struct Point {
    x: f64,
    y: f64,
}

impl Point {
    /// Validates and builds a planar position.
    pub fn new(x: f64, y: f64) -> Result<Self, GeoError> {
        let ok = |v: f64| v.is_finite() && v.abs() <= MAX_PLANAR_M;
        if ok(x) && ok(y) {
            Ok(Self { x, y })
        } else {
            Err(GeoError::InvalidPoint {
                x,
                y,
                limit: MAX_PLANAR_M,
            })
        }
    }

    /// Easting in metres.
    pub const fn x(self) -> f64 {
        self.x
    }

    /// Northing in metres.
    pub const fn y(self) -> f64 {
        self.y
    }

    /// Squared euclidean distance, computed exactly as the R-tree computes it.
    #[inline]
    pub fn distance_2(self, other: Self) -> f64 {
        let dx = self.x - other.x;
        let dy = self.y - other.y;
        dx * dx + dy * dy
    }

    /// Euclidean distance in metres.
    #[inline]
    pub fn distance(self, other: Self) -> f64 {
        self.distance_2(other).sqrt()
    }

    pub(crate) const fn to_array(self) -> [f64; 2] {
        [self.x, self.y]
    }

    /// Rebuilds a point that was validated before it went into a structure.
    pub(crate) const fn from_array_unchecked(a: [f64; 2]) -> Self {
        Self { x: a[0], y: a[1] }
    }
}

/// The wire form of a [`LatLng`]; deserialising validates it.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct RawLatLng {
    lat: f64,
    lng: f64,
}

#[cfg(feature = "serde")]
impl TryFrom<RawLatLng> for LatLng {
    type Error = GeoError;
    fn try_from(raw: RawLatLng) -> Result<Self, GeoError> {
        Self::new(raw.lat, raw.lng)
    }
}

#[cfg(feature = "serde")]
impl From<LatLng> for RawLatLng {
    fn from(p: LatLng) -> Self {
        Self {
            lat: p.lat,
            lng: p.lng,
        }
    }
}

/// The wire form of a [`Point`]; deserialising validates it.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct RawPoint {
    x: f64,
    y: f64,
}

#[cfg(feature = "serde")]
impl TryFrom<RawPoint> for Point {
    type Error = GeoError;
    fn try_from(raw: RawPoint) -> Result<Self, GeoError> {
        Self::new(raw.x, raw.y)
    }
}

#[cfg(feature = "serde")]
impl From<Point> for RawPoint {
    fn from(p: Point) -> Self {
        Self { x: p.x, y: p.y }
    }
}

/// An equirectangular projection centred on a city: WGS84 to local metres and back.
///
/// Within a city (tens of kilometres around the origin) planar distances match
/// great-circle distances to a fraction of a percent, which is what the R-tree
/// needs; exact travel times still come from the [`crate::TravelModel`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalProjection {
    origin: LatLng,
    metres_per_degree_lng: f64,
}

/// Metres per degree of latitude on the mean sphere.
const METRES_PER_DEGREE_LAT: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

impl LocalProjection {
    /// A projection centred on `origin`; refused within 5 degrees of a pole,
    /// where longitude degrees shrink to nothing.
    pub fn new(origin: LatLng) -> Result<Self, GeoError> {
        if origin.lat().abs() > 85.0 {
            return Err(GeoError::InvalidParameter {
                name: "projection origin",
                reason: "must lie between 85 degrees south and 85 degrees north",
            });
        }
        Ok(Self {
            origin,
            metres_per_degree_lng: METRES_PER_DEGREE_LAT * origin.lat().to_radians().cos(),
        })
    }

    /// The projection's centre.
    pub const fn origin(&self) -> LatLng {
        self.origin
    }

    /// Projects a position to local metres.
    pub fn to_point(&self, p: LatLng) -> Point {
        let mut dlng = p.lng() - self.origin.lng();
        // Take the short way round across the antimeridian.
        if dlng > 180.0 {
            dlng -= 360.0;
        } else if dlng < -180.0 {
            dlng += 360.0;
        }
        // Both terms are bounded by half the circumference: always a valid point.
        Point::from_array_unchecked([
            dlng * self.metres_per_degree_lng,
            (p.lat() - self.origin.lat()) * METRES_PER_DEGREE_LAT,
        ])
    }

    /// Maps local metres back to a position; fails when the point lies off the globe.
    pub fn to_lat_lng(&self, p: Point) -> Result<LatLng, GeoError> {
        let lat = self.origin.lat() + p.y() / METRES_PER_DEGREE_LAT;
        let mut lng = self.origin.lng() + p.x() / self.metres_per_degree_lng;
        if (180.0..540.0).contains(&lng) {
            lng -= 360.0;
        } else if (-540.0..-180.0).contains(&lng) {
            lng += 360.0;
        }
        LatLng::new(lat, lng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn out_of_range_coordinates_are_refused() {
        assert_eq!(LatLng::new(90.5, 0.0), Err(GeoError::InvalidLatitude(90.5)));
        assert_eq!(
            LatLng::new(0.0, -180.1),
            Err(GeoError::InvalidLongitude(-180.1))
        );
        assert!(LatLng::new(f64::NAN, 0.0).is_err());
        assert!(LatLng::new(0.0, f64::INFINITY).is_err());
        assert!(Point::new(f64::NAN, 0.0).is_err());
        assert!(Point::new(0.0, 1e300).is_err());
        assert!(Point::new(-MAX_PLANAR_M, MAX_PLANAR_M).is_ok());
    }

    #[test]
    fn haversine_matches_a_known_distance() {
        // Paris (Notre-Dame) to London (Trafalgar Square): about 343.5 km.
        let paris = LatLng::new(48.853, 2.3499).expect("valid");
        let london = LatLng::new(51.508, -0.1281).expect("valid");
        let d = paris.haversine_m(london);
        assert!((d - 343_500.0).abs() < 1_500.0, "{d}");
    }

    #[test]
    fn projection_near_a_pole_is_refused() {
        let north = LatLng::new(89.0, 0.0).expect("valid");
        assert!(LocalProjection::new(north).is_err());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn deserialising_validates_positions() {
        let ok: Point = serde_json::from_str(r#"{"x": 1.5, "y": -2.0}"#).expect("valid point");
        assert_eq!(ok, Point::new(1.5, -2.0).expect("valid"));
        assert_eq!(
            serde_json::to_string(&ok).expect("serialises"),
            r#"{"x":1.5,"y":-2.0}"#
        );
        assert!(serde_json::from_str::<Point>(r#"{"x": 1e300, "y": 0}"#).is_err());
        let err =
            serde_json::from_str::<LatLng>(r#"{"lat": 91, "lng": 0}"#).expect_err("out of range");
        assert!(err.to_string().contains("latitude 91"), "{err}");
        let p: LatLng = serde_json::from_str(r#"{"lat": 48.85, "lng": 2.35}"#).expect("valid");
        assert_eq!(p, LatLng::new(48.85, 2.35).expect("valid"));
    }

    proptest! {
        #[test]
        fn projection_round_trips(
            lat0 in -60.0f64..60.0, lng0 in -179.0f64..179.0,
            dlat in -0.3f64..0.3, dlng in -0.3f64..0.3,
        ) {
            let origin = LatLng::new(lat0, lng0).expect("valid");
            let proj = LocalProjection::new(origin).expect("valid");
            let mut lng = lng0 + dlng;
            if lng > 180.0 { lng -= 360.0 } else if lng < -180.0 { lng += 360.0 }
            let p = LatLng::new(lat0 + dlat, lng).expect("valid");
            let back = proj.to_lat_lng(proj.to_point(p)).expect("on the globe");
            prop_assert!((back.lat() - p.lat()).abs() < 1e-9);
            prop_assert!((back.lng() - p.lng()).abs() < 1e-9);
        }

        #[test]
        fn planar_distance_tracks_great_circle_within_a_city(
            lat0 in -60.0f64..60.0, lng0 in -170.0f64..170.0,
            a in (-0.2f64..0.2, -0.2f64..0.2), b in (-0.2f64..0.2, -0.2f64..0.2),
        ) {
            let proj = LocalProjection::new(LatLng::new(lat0, lng0).expect("valid")).expect("valid");
            let pa = LatLng::new(lat0 + a.0, lng0 + a.1).expect("valid");
            let pb = LatLng::new(lat0 + b.0, lng0 + b.1).expect("valid");
            let planar = proj.to_point(pa).distance(proj.to_point(pb));
            let sphere = pa.haversine_m(pb);
            // ±0.2 degrees is a ~45 km wide city; the error stays under 1 % plus a metre.
            prop_assert!((planar - sphere).abs() <= sphere * 0.01 + 1.0, "{planar} vs {sphere}");
        }
    }
}
