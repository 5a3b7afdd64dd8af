//! Dispatch zones: every position belongs to one h3 cell at a configured
//! resolution, and each zone's dispatcher owns the couriers and orders in it.
//!
//! Orders near a border may be better served by a courier across it, so the
//! grid also answers which neighbouring zones lie within a spill-over distance.

use std::fmt;

use h3o::{CellIndex, Resolution};

use crate::{GeoError, LatLng, LocalProjection, Point};

/// A dispatch zone: one h3 cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ZoneId(CellIndex);

impl ZoneId {
    /// The zone's 64-bit h3 index, e.g. for storage or as a cluster group name.
    pub fn as_u64(self) -> u64 {
        u64::from(self.0)
    }

    /// The zone's centre.
    pub fn centre(self) -> LatLng {
        let c = h3o::LatLng::from(self.0);
        // h3o's cell centres are always valid WGS84 degrees.
        LatLng::new_unchecked(c.lat(), c.lng())
    }
}

impl TryFrom<u64> for ZoneId {
    type Error = GeoError;

    fn try_from(raw: u64) -> Result<Self, GeoError> {
        CellIndex::try_from(raw)
            .map(Self)
            .map_err(|_| GeoError::InvalidZone(raw))
    }
}

impl fmt::Display for ZoneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Largest spill-over ring searched, so a careless radius cannot ask for a continent.
const MAX_RING: u32 = 32;

/// The zone layout: h3 cells at one resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneGrid {
    resolution: Resolution,
}

impl ZoneGrid {
    /// A grid at h3 `resolution` (0 to 15; 7 gives ~5 km² zones, 8 ~0.7 km²).
    pub fn new(resolution: u8) -> Result<Self, GeoError> {
        Resolution::try_from(resolution)
            .map(|resolution| Self { resolution })
            .map_err(|_| GeoError::InvalidResolution(resolution))
    }

    /// The grid's h3 resolution.
    pub fn resolution(&self) -> u8 {
        u8::from(self.resolution)
    }

    /// The zone a position belongs to.
    pub fn zone_of(&self, at: LatLng) -> Result<ZoneId, GeoError> {
        Ok(ZoneId(to_h3(at)?.to_cell(self.resolution)))
    }

    /// The zones sharing an edge with `zone` (six, or five around a pentagon).
    pub fn neighbours(&self, zone: ZoneId) -> Vec<ZoneId> {
        zone.0
            .grid_disk_safe(1)
            .filter(|&c| c != zone.0)
            .map(ZoneId)
            .collect()
    }

    /// The zone of `at` first, then every other zone whose area comes within
    /// `radius_m` of it, nearest first: the zones whose couriers may serve a
    /// pickup at `at` when spill-over across borders is allowed.
    pub fn zones_near(&self, at: LatLng, radius_m: f64) -> Result<Vec<ZoneId>, GeoError> {
        if !(radius_m.is_finite() && radius_m >= 0.0) {
            return Err(GeoError::InvalidParameter {
                name: "spill-over radius",
                reason: "must be a finite number of metres, zero or more",
            });
        }
        // h3 cells vary in size; 0.6 of the mean edge is a safe lower bound on
        // how far each ring pushes the border outwards.
        let rings = (radius_m / (self.resolution.edge_length_m() * 0.6)).ceil() as u32 + 1;
        if rings > MAX_RING {
            return Err(GeoError::InvalidParameter {
                name: "spill-over radius",
                reason: "spans too many zones at this resolution",
            });
        }
        let home = self.zone_of(at)?;
        // Zones near the poles are measured from the nearest latitude a projection supports.
        let centre = LatLng::new(at.lat().clamp(-85.0, 85.0), at.lng())?;
        let projection = LocalProjection::new(centre)?;
        // A cell's boundary lies within two mean edges of its centre (h3 cells
        // vary in size): cells whose centre is farther cannot come within reach.
        let reach = radius_m + 2.0 * self.resolution.edge_length_m();
        let mut near: Vec<(f64, ZoneId)> = home
            .0
            .grid_disk_safe(rings)
            .filter(|&c| c != home.0)
            .filter(|&c| {
                let centre = h3o::LatLng::from(c);
                to_h3(at).is_ok_and(|a| a.distance_m(centre) <= reach)
            })
            .map(|c| (distance_to_cell(&projection, at, c), ZoneId(c)))
            .filter(|(d, _)| *d <= radius_m)
            .collect();
        near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        Ok(std::iter::once(home)
            .chain(near.into_iter().map(|(_, z)| z))
            .collect())
    }
}

fn to_h3(at: LatLng) -> Result<h3o::LatLng, GeoError> {
    // h3o refuses only non-finite numbers, which a `LatLng` never holds.
    h3o::LatLng::new(at.lat(), at.lng()).map_err(|_| GeoError::InvalidLatitude(at.lat()))
}

/// Distance in metres from `at` to the nearest point of `cell`'s boundary.
fn distance_to_cell(projection: &LocalProjection, at: LatLng, cell: CellIndex) -> f64 {
    let vertices: Vec<Point> = cell
        .boundary()
        .iter()
        .filter_map(|v| LatLng::new(v.lat(), v.lng()).ok())
        .map(|v| projection.to_point(v))
        .collect();
    let origin = projection.to_point(at);
    vertices
        .iter()
        .zip(vertices.iter().cycle().skip(1))
        .map(|(&a, &b)| distance_to_segment(origin, a, b))
        .fold(f64::INFINITY, f64::min)
}

fn distance_to_segment(p: Point, a: Point, b: Point) -> f64 {
    let (abx, aby) = (b.x() - a.x(), b.y() - a.y());
    let len2 = abx * abx + aby * aby;
    let t = if len2 > 0.0 {
        (((p.x() - a.x()) * abx + (p.y() - a.y()) * aby) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (cx, cy) = (a.x() + t * abx, a.y() + t * aby);
    ((p.x() - cx).powi(2) + (p.y() - cy).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ll(lat: f64, lng: f64) -> LatLng {
        LatLng::new(lat, lng).expect("valid position")
    }

    proptest::proptest! {
        #[test]
        fn spill_over_covers_every_zone_within_the_radius(
            lat in -60.0f64..60.0, lng in -179.0f64..179.0, radius in 0.0f64..2_000.0,
            resolution in 7u8..=9,
        ) {
            let grid = ZoneGrid::new(resolution)?;
            let at = ll(lat, lng);
            let near = grid.zones_near(at, radius)?;
            let projection = LocalProjection::new(at)?;
            // Points on circles inside the radius all lie in zones the spill-over lists.
            for step in 0..48 {
                let angle = f64::from(step) * std::f64::consts::TAU / 48.0;
                for fraction in [0.5, 0.98] {
                    let r = radius * fraction;
                    let p = Point::new(r * angle.cos(), r * angle.sin())?;
                    let Ok(q) = projection.to_lat_lng(p) else { continue };
                    let zone = grid.zone_of(q)?;
                    proptest::prop_assert!(near.contains(&zone), "{zone} at {r:.0} m missing");
                }
            }
        }
    }

    #[test]
    fn resolutions_outside_h3_are_refused() {
        assert_eq!(ZoneGrid::new(16), Err(GeoError::InvalidResolution(16)));
        assert!(ZoneGrid::new(0).is_ok());
        assert!(ZoneGrid::new(15).is_ok());
    }

    #[test]
    fn a_position_maps_to_the_cell_containing_it() -> Result<(), GeoError> {
        let grid = ZoneGrid::new(8)?;
        let at = ll(41.8781, -87.6298);
        let zone = grid.zone_of(at)?;
        let expected = h3o::LatLng::new(41.8781, -87.6298)
            .expect("valid")
            .to_cell(Resolution::Eight);
        assert_eq!(zone.as_u64(), u64::from(expected));
        assert_eq!(ZoneId::try_from(zone.as_u64())?, zone);
        // The centre of a zone lies in that zone.
        assert_eq!(grid.zone_of(zone.centre())?, zone);
        Ok(())
    }

    #[test]
    fn invalid_zone_ids_are_refused() {
        assert_eq!(ZoneId::try_from(0), Err(GeoError::InvalidZone(0)));
        assert!(ZoneId::try_from(u64::MAX).is_err());
    }

    #[test]
    fn a_hexagon_has_six_neighbours_and_is_not_its_own() -> Result<(), GeoError> {
        let grid = ZoneGrid::new(7)?;
        let zone = grid.zone_of(ll(48.8566, 2.3522))?;
        let n = grid.neighbours(zone);
        assert_eq!(n.len(), 6);
        assert!(!n.contains(&zone));
        for z in &n {
            assert!(
                grid.neighbours(*z).contains(&zone),
                "adjacency is symmetric"
            );
        }
        Ok(())
    }

    #[test]
    fn spill_over_reaches_only_zones_within_the_radius() -> Result<(), GeoError> {
        let grid = ZoneGrid::new(8)?;
        let home_at = grid.zone_of(ll(40.7128, -74.0060))?.centre();
        // At the centre of a cell (edge ~530 m), no other zone is within 100 m...
        assert_eq!(
            grid.zones_near(home_at, 100.0)?,
            vec![grid.zone_of(home_at)?]
        );
        // ...all six neighbours are within 1.2 km, and the home zone stays first.
        let near = grid.zones_near(home_at, 1_200.0)?;
        assert_eq!(near.first(), Some(&grid.zone_of(home_at)?));
        for n in grid.neighbours(grid.zone_of(home_at)?) {
            assert!(near.contains(&n));
        }
        assert!(grid.zones_near(home_at, f64::NAN).is_err());
        assert!(grid.zones_near(home_at, 1.0e7).is_err());
        Ok(())
    }

    #[test]
    fn a_point_near_a_border_spills_into_the_zone_across_it() -> Result<(), GeoError> {
        let grid = ZoneGrid::new(8)?;
        let home = grid.zone_of(ll(51.5074, -0.1278))?;
        let neighbour = grid.neighbours(home)[0];
        // Walk from the home centre towards the neighbour until just before the border.
        let (a, b) = (home.centre(), neighbour.centre());
        let mut last_home = a;
        for i in 0..=100 {
            let t = f64::from(i) / 100.0;
            let p = ll(
                a.lat() + (b.lat() - a.lat()) * t,
                a.lng() + (b.lng() - a.lng()) * t,
            );
            if grid.zone_of(p)? != home {
                break;
            }
            last_home = p;
        }
        let near = grid.zones_near(last_home, 50.0)?;
        assert_eq!(near.first(), Some(&home));
        assert!(near.contains(&neighbour), "{near:?}");
        Ok(())
    }
}
