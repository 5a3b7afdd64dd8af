//! The courier spatial index: an `rstar` R-tree of courier positions keyed by
//! [`CourierId`], with a side map from id to position so moves and removals
//! find their entry directly.
//!
//! Every query answers exactly what a brute-force scan would, in a
//! deterministic order: by distance (or travel time), ties broken by courier id.

use std::collections::HashMap;

use rstar::primitives::GeomWithData;
use rstar::{RStarInsertionStrategy, RTree, RTreeParams};

use crate::{CourierId, GeoError, Point, Seconds, TravelModel};

type Entry = GeomWithData<[f64; 2], CourierId>;

/// Node sizes tuned on the `courier_index` benchmark (see BENCHMARKS.md).
#[derive(Debug, Clone, Copy)]
pub struct IndexParams;

impl RTreeParams for IndexParams {
    const MIN_SIZE: usize = 3;
    const MAX_SIZE: usize = 6;
    const REINSERTION_COUNT: usize = 2;
    type DefaultInsertionStrategy = RStarInsertionStrategy;
}

/// A courier found by a distance query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    /// The courier.
    pub courier: CourierId,
    /// Its indexed position.
    pub position: Point,
    /// Euclidean distance from the query point, metres.
    pub distance_m: f64,
}

/// A courier found by a travel-time query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reachable {
    /// The courier.
    pub courier: CourierId,
    /// Its indexed position.
    pub position: Point,
    /// Travel time from the courier to the query point.
    pub travel: Seconds,
}

/// Where every indexed courier is, searchable by proximity.
#[derive(Debug, Clone)]
pub struct CourierIndex {
    tree: RTree<Entry, IndexParams>,
    positions: HashMap<CourierId, Point>,
}

impl Default for CourierIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl CourierIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self {
            tree: RTree::new_with_params(),
            positions: HashMap::new(),
        }
    }

    /// Builds an index from many couriers at once (packed, faster than inserting
    /// one by one, and a better-balanced tree). Refuses a courier listed twice.
    pub fn bulk_load(
        couriers: impl IntoIterator<Item = (CourierId, Point)>,
    ) -> Result<Self, GeoError> {
        let couriers = couriers.into_iter();
        let mut positions = HashMap::with_capacity(couriers.size_hint().0);
        let mut entries = Vec::with_capacity(couriers.size_hint().0);
        for (id, p) in couriers {
            if positions.insert(id, p).is_some() {
                return Err(GeoError::DuplicateCourier(id));
            }
            entries.push(Entry::new(p.to_array(), id));
        }
        Ok(Self {
            tree: RTree::bulk_load_with_params(entries),
            positions,
        })
    }

    /// Number of indexed couriers.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Whether no courier is indexed.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Whether `courier` is indexed.
    pub fn contains(&self, courier: CourierId) -> bool {
        self.positions.contains_key(&courier)
    }

    /// The indexed position of `courier`.
    pub fn position(&self, courier: CourierId) -> Option<Point> {
        self.positions.get(&courier).copied()
    }

    /// Every indexed courier and its position, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (CourierId, Point)> + '_ {
        self.positions.iter().map(|(&id, &p)| (id, p))
    }

    /// Adds a courier; refuses one already indexed (use [`Self::upsert`] to not care).
    pub fn insert(&mut self, courier: CourierId, at: Point) -> Result<(), GeoError> {
        if self.positions.contains_key(&courier) {
            return Err(GeoError::DuplicateCourier(courier));
        }
        self.positions.insert(courier, at);
        self.tree.insert(Entry::new(at.to_array(), courier));
        Ok(())
    }

    /// Moves an indexed courier; returns its previous position.
    pub fn move_to(&mut self, courier: CourierId, to: Point) -> Result<Point, GeoError> {
        let slot = self
            .positions
            .get_mut(&courier)
            .ok_or(GeoError::UnknownCourier(courier))?;
        let from = *slot;
        if from == to {
            return Ok(from);
        }
        *slot = to;
        // The side map and the tree hold the same positions, so the removal always finds its entry.
        self.tree.remove(&Entry::new(from.to_array(), courier));
        self.tree.insert(Entry::new(to.to_array(), courier));
        Ok(from)
    }

    /// Inserts or moves a courier.
    pub fn upsert(&mut self, courier: CourierId, at: Point) {
        if self.move_to(courier, at).is_err() {
            self.positions.insert(courier, at);
            self.tree.insert(Entry::new(at.to_array(), courier));
        }
    }

    /// Removes a courier; returns where it was, or `None` if it was not indexed.
    pub fn remove(&mut self, courier: CourierId) -> Option<Point> {
        let at = self.positions.remove(&courier)?;
        self.tree.remove(&Entry::new(at.to_array(), courier));
        Some(at)
    }

    /// The `k` couriers nearest to `to`.
    pub fn nearest(&self, to: Point, k: usize) -> Vec<Neighbour> {
        self.nearest_where(to, k, f64::INFINITY, |_, _| true)
    }

    /// The `k` couriers nearest to `to` that are within `max_distance_m` and
    /// satisfy `accept`. Couriers are examined nearest first, so `accept` runs
    /// on few of them when most are acceptable.
    pub fn nearest_where(
        &self,
        to: Point,
        k: usize,
        max_distance_m: f64,
        mut accept: impl FnMut(CourierId, Point) -> bool,
    ) -> Vec<Neighbour> {
        let mut found: Vec<(f64, Neighbour)> = Vec::with_capacity(k);
        if k == 0 {
            return Vec::new();
        }
        let max_d2 = max_distance_m * max_distance_m;
        for (entry, d2) in self
            .tree
            .nearest_neighbor_iter_with_distance_2(to.to_array())
        {
            if d2 > max_d2 {
                break;
            }
            // Once k are found, only couriers tied with the k-th may still enter.
            if found.len() >= k && found.last().is_some_and(|(last, _)| d2 > *last) {
                break;
            }
            let position = Point::from_array_unchecked(*entry.geom());
            if accept(entry.data, position) {
                found.push((
                    d2,
                    Neighbour {
                        courier: entry.data,
                        position,
                        distance_m: d2.sqrt(),
                    },
                ));
            }
        }
        found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.courier.cmp(&b.1.courier)));
        found.truncate(k);
        found.into_iter().map(|(_, n)| n).collect()
    }

    /// Every courier within `radius_m` of `of` (inclusive), nearest first.
    pub fn within_radius(&self, of: Point, radius_m: f64) -> Vec<Neighbour> {
        if radius_m.is_nan() || radius_m < 0.0 {
            return Vec::new();
        }
        let mut found: Vec<(f64, Neighbour)> = self
            .tree
            .locate_within_distance(of.to_array(), radius_m * radius_m)
            .map(|entry| {
                let position = Point::from_array_unchecked(*entry.geom());
                let d2 = position.distance_2(of);
                (
                    d2,
                    Neighbour {
                        courier: entry.data,
                        position,
                        distance_m: d2.sqrt(),
                    },
                )
            })
            .collect();
        found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.courier.cmp(&b.1.courier)));
        found.into_iter().map(|(_, n)| n).collect()
    }

    /// Every courier that can reach `destination` within `budget` under
    /// `model`, quickest first (ties by id).
    pub fn reachable_within(
        &self,
        destination: Point,
        budget: Seconds,
        model: &impl TravelModel,
    ) -> Vec<Reachable> {
        if budget < Seconds::ZERO {
            return Vec::new();
        }
        let radius = model.reach_radius(budget);
        let mut found: Vec<Reachable> = self
            .tree
            .locate_within_distance(destination.to_array(), radius * radius)
            .filter_map(|entry| {
                let position = Point::from_array_unchecked(*entry.geom());
                let travel = model.travel_time(position, destination);
                (travel <= budget).then_some(Reachable {
                    courier: entry.data,
                    position,
                    travel,
                })
            })
            .collect();
        found.sort_by_key(|r| (r.travel, r.courier));
        found
    }

    /// Checks that the tree and the side map agree entry for entry (for tests and soak runs).
    pub fn is_consistent(&self) -> bool {
        self.tree.size() == self.positions.len()
            && self.tree.iter().all(|entry| {
                self.positions
                    .get(&entry.data)
                    .is_some_and(|p| *p == Point::from_array_unchecked(*entry.geom()))
            })
    }
}
