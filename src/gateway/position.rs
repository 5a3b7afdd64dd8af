//! Positions at the edge: clients speak WGS84 (`{"lat": .., "lng": ..}`),
//! the engine planar metres around the city's centre. Out-of-range
//! coordinates are refused with `invalid_input` before anything changes.

use foodiefast_geo::{LatLng, LocalProjection, Point};
use serde::{Deserialize, Serialize};

use super::error::ApiError;

/// A WGS84 position as clients send and receive it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// Latitude, degrees, -90 to 90.
    #[schema(example = 52.52)]
    pub lat: f64,
    /// Longitude, degrees, -180 to 180.
    #[schema(example = 13.405)]
    pub lng: f64,
}

impl Position {
    /// The checked position.
    pub fn to_lat_lng(self) -> Result<LatLng, ApiError> {
        LatLng::new(self.lat, self.lng)
            .map_err(|e| ApiError::InvalidInput(format!("position: {e}")))
    }

    /// The engine's planar point for this position.
    pub fn to_point(self, projection: &LocalProjection) -> Result<Point, ApiError> {
        Ok(projection.to_point(self.to_lat_lng()?))
    }

    /// The position of a planar point, if it maps to valid coordinates.
    pub fn of_point(point: Point, projection: &LocalProjection) -> Option<Self> {
        projection.to_lat_lng(point).ok().map(Self::from)
    }
}

impl From<LatLng> for Position {
    fn from(p: LatLng) -> Self {
        Self {
            lat: p.lat(),
            lng: p.lng(),
        }
    }
}
