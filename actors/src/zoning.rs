//! Which dispatch zone a position belongs to. A city run as one zone (the
//! MDRP replay, a small town) needs nothing more than [`Zoning::Single`]; a
//! larger one is cut into h3 cells ([`ZoneGrid`]), and the planar positions
//! the actors work in are mapped back to WGS84 through the city's
//! [`LocalProjection`] to find their cell.

use std::fmt;

use foodiefast_geo::{LocalProjection, Point, ZoneGrid, ZoneId};

/// A dispatch zone: the whole city, or one h3 cell of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Zone {
    /// The whole city, when it runs as a single zone.
    City,
    /// One cell of the zone grid.
    Cell(ZoneId),
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::City => f.write_str("city"),
            Self::Cell(cell) => write!(f, "{cell}"),
        }
    }
}

/// How positions map to zones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zoning {
    /// One zone for everything.
    Single,
    /// h3 cells of `grid`, positions unprojected with `projection`.
    Grid {
        /// The cells.
        grid: ZoneGrid,
        /// The city's planar frame.
        projection: LocalProjection,
    },
}

impl Zoning {
    /// The zone `at` lies in. A point the projection cannot place on the
    /// globe (far outside any city) falls in [`Zone::City`], a zone of its
    /// own, rather than being refused: positions come from devices.
    pub fn zone_of(&self, at: Point) -> Zone {
        match self {
            Self::Single => Zone::City,
            Self::Grid { grid, projection } => projection
                .to_lat_lng(at)
                .and_then(|ll| grid.zone_of(ll))
                .map_or(Zone::City, Zone::Cell),
        }
    }
}

#[cfg(test)]
mod tests {
    use foodiefast_geo::LatLng;

    use super::*;

    #[test]
    fn a_single_zone_holds_everything_and_a_grid_splits_the_city() {
        let p = |x: f64| Point::new(x, 0.0).unwrap_or_else(|_| unreachable!());
        assert_eq!(Zoning::Single.zone_of(p(50_000.0)), Zone::City);
        let centre = LatLng::new(41.88, -87.63).unwrap_or_else(|_| unreachable!());
        let grid = Zoning::Grid {
            grid: ZoneGrid::new(7).unwrap_or_else(|_| unreachable!()),
            projection: LocalProjection::new(centre).unwrap_or_else(|_| unreachable!()),
        };
        let here = grid.zone_of(p(0.0));
        assert!(matches!(here, Zone::Cell(_)));
        assert_eq!(grid.zone_of(p(10.0)), here, "a few metres away: same cell");
        assert_ne!(grid.zone_of(p(20_000.0)), here, "20 km away: another cell");
    }
}
