//! The courier spatial index: an `rstar` R-tree of courier positions keyed by
//! [`CourierId`], with a side map from id to position so moves and removals
//! find their entry directly.
//!
//! Every query answers exactly what a brute-force scan would, in a
//! deterministic order: by distance (or travel time), ties broken by courier id.

use std::collections::HashMap;

use rstar::primitives::GeomWithData;
use rstar::{ParentNode, RStarInsertionStrategy, RTree, RTreeNode, RTreeParams};

use crate::{CourierId, GeoError, IdHash, Point, Seconds, TravelModel};

type Entry = GeomWithData<Xy, CourierId>;

/// A position as the tree stores it.
///
/// rstar's own `[f64; 2]` point builds every intermediate point (differences,
/// envelope corners) through `array::map`, whose closures LLVM sometimes leaves
/// out of line in the insert and removal paths: moves then run twice as slow,
/// depending only on how the crate happens to be split into codegen units.
/// Plain fields inline reliably. Coordinates and distances are computed
/// exactly as before (same operations, same order).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Xy {
    x: f64,
    y: f64,
}

impl rstar::Point for Xy {
    type Scalar = f64;
    const DIMENSIONS: usize = 2;

    #[inline]
    fn generate(mut value: impl FnMut(usize) -> f64) -> Self {
        let x = value(0);
        let y = value(1);
        Self { x, y }
    }

    #[inline]
    fn nth(&self, index: usize) -> f64 {
        if index == 0 { self.x } else { self.y }
    }

    #[inline]
    fn nth_mut(&mut self, index: usize) -> &mut f64 {
        if index == 0 { &mut self.x } else { &mut self.y }
    }
}

impl From<Point> for Xy {
    #[inline]
    fn from(p: Point) -> Self {
        let [x, y] = p.to_array();
        Self { x, y }
    }
}

/// The tree entry of `courier` at `at`.
#[inline]
fn entry(courier: CourierId, at: Point) -> Entry {
    Entry::new(at.into(), courier)
}

/// The position an entry holds (validated when it went in).
#[inline]
fn position_of(entry: &Entry) -> Point {
    let Xy { x, y } = *entry.geom();
    Point::from_array_unchecked([x, y])
}

/// Node sizes tuned on the `courier_index` benchmark (100k couriers over a
/// 30 km city, 2-core AMD EPYC): against rstar's defaults (3, 6, 2), wider
/// nodes cut a GPS-step move from ~1.3 µs to ~0.8 µs, a teleport from ~1.9 µs
/// to ~0.9 µs, and `nearest(p, 8)` on a tree churned by moves from ~2.1 µs to
/// ~1.3 µs, at no cost on a freshly bulk-loaded one (~1.0 µs).
#[derive(Debug, Clone, Copy)]
pub struct IndexParams;

impl RTreeParams for IndexParams {
    const MIN_SIZE: usize = 8;
    const MAX_SIZE: usize = 24;
    const REINSERTION_COUNT: usize = 6;
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
    positions: HashMap<CourierId, Point, IdHash>,
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
            positions: HashMap::default(),
        }
    }

    /// Builds an index from many couriers at once (packed, faster than inserting
    /// one by one, and a better-balanced tree). Refuses a courier listed twice.
    pub fn bulk_load(
        couriers: impl IntoIterator<Item = (CourierId, Point)>,
    ) -> Result<Self, GeoError> {
        let couriers = couriers.into_iter();
        let mut positions =
            HashMap::with_capacity_and_hasher(couriers.size_hint().0, IdHash::default());
        let mut entries = Vec::with_capacity(couriers.size_hint().0);
        for (id, p) in couriers {
            if positions.insert(id, p).is_some() {
                return Err(GeoError::DuplicateCourier(id));
            }
            entries.push(entry(id, p));
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
        self.tree.insert(entry(courier, at));
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
        self.tree.remove(&entry(courier, from));
        self.tree.insert(entry(courier, to));
        Ok(from)
    }

    /// Inserts or moves a courier.
    pub fn upsert(&mut self, courier: CourierId, at: Point) {
        if self.move_to(courier, at).is_err() {
            self.positions.insert(courier, at);
            self.tree.insert(entry(courier, at));
        }
    }

    /// Removes a courier; returns where it was, or `None` if it was not indexed.
    pub fn remove(&mut self, courier: CourierId) -> Option<Point> {
        let at = self.positions.remove(&courier)?;
        self.tree.remove(&entry(courier, at));
        Some(at)
    }

    /// The `k` couriers nearest to `to`.
    pub fn nearest(&self, to: Point, k: usize) -> Vec<Neighbour> {
        // Without a predicate, the order couriers are examined in does not
        // matter: a depth-first branch-and-bound search keeps the k best by
        // (distance, id) and skips every subtree farther than the k-th, with
        // no priority queue. Same answer as `nearest_where` with no limits.
        if k == 0 {
            return Vec::new();
        }
        let mut best = Vec::with_capacity(k + 1);
        k_nearest(self.tree.root(), to, k, &mut best);
        best.into_iter()
            .map(|(d2, entry)| Neighbour {
                courier: entry.data,
                position: position_of(entry),
                distance_m: d2.sqrt(),
            })
            .collect()
    }

    /// The `k` couriers nearest to `to` as [`Self::nearest`] finds them,
    /// with their squared distances (what neighbour lists keep).
    pub(crate) fn nearest_squared(&self, to: Point, k: usize) -> Vec<(f64, CourierId)> {
        if k == 0 {
            return Vec::new();
        }
        let mut best = Vec::with_capacity(k + 1);
        k_nearest(self.tree.root(), to, k, &mut best);
        best.into_iter()
            .map(|(d2, entry)| (d2, entry.data))
            .collect()
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
        // Nothing lies within a negative or NaN distance (as in `within_radius`);
        // squaring it below would otherwise turn -5 m into 5 m and NaN into no limit.
        if k == 0 || max_distance_m.is_nan() || max_distance_m < 0.0 {
            return Vec::new();
        }
        let mut found: Vec<(f64, Neighbour)> = Vec::with_capacity(k);
        let max_d2 = max_distance_m * max_distance_m;
        for (entry, d2) in self.tree.nearest_neighbor_iter_with_distance_2(to.into()) {
            if d2 > max_d2 {
                break;
            }
            // Once k are found, only couriers tied with the k-th may still enter.
            if found.len() >= k && found.last().is_some_and(|(last, _)| d2 > *last) {
                break;
            }
            let position = position_of(entry);
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
            .locate_within_distance(of.into(), radius_m * radius_m)
            .map(|entry| {
                let position = position_of(entry);
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
            .locate_within_distance(destination.into(), radius * radius)
            .filter_map(|entry| {
                let position = position_of(entry);
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
                    .is_some_and(|p| *p == position_of(entry))
            })
    }
}

/// Children of one node that `k_nearest` sorts on the stack: nodes hold at
/// most `MAX_SIZE` (any beyond would still be searched, just unsorted).
const SORTED_CHILDREN: usize = <IndexParams as RTreeParams>::MAX_SIZE;

/// Adds to `best` (the `k` best so far, ascending by squared distance then
/// courier id) the entries of `node` that belong there.
fn k_nearest<'a>(
    node: &'a ParentNode<Entry>,
    to: Point,
    k: usize,
    best: &mut Vec<(f64, &'a Entry)>,
) {
    let q = Xy::from(to);
    let mut subtrees: [(f64, Option<&'a ParentNode<Entry>>); SORTED_CHILDREN] =
        [(0.0, None); SORTED_CHILDREN];
    let mut n = 0;
    for child in node.children() {
        match child {
            RTreeNode::Leaf(entry) => {
                let d2 = position_of(entry).distance_2(to);
                offer(best, k, d2, entry);
            }
            RTreeNode::Parent(parent) => {
                let d2 = parent.envelope().distance_2(&q);
                if let Some(slot) = subtrees.get_mut(n) {
                    *slot = (d2, Some(parent));
                    n += 1;
                } else if d2 <= bound(best, k) {
                    k_nearest(parent, to, k, best);
                }
            }
        }
    }
    let subtrees = subtrees.get_mut(..n).unwrap_or_default();
    subtrees.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    for &(d2, parent) in &*subtrees {
        // An envelope's distance never exceeds that of anything inside it; a
        // subtree at exactly the bound may still hold a tie with a smaller id.
        if d2 > bound(best, k) {
            break;
        }
        if let Some(parent) = parent {
            k_nearest(parent, to, k, best);
        }
    }
}

/// The squared distance a courier must not exceed to enter the `k` best.
fn bound(best: &[(f64, &Entry)], k: usize) -> f64 {
    match best.last() {
        Some(&(d2, _)) if best.len() >= k => d2,
        _ => f64::INFINITY,
    }
}

/// Puts `entry` among the `k` best if it belongs there.
fn offer<'a>(best: &mut Vec<(f64, &'a Entry)>, k: usize, d2: f64, entry: &'a Entry) {
    let before = |&(d, e): &(f64, &Entry)| d.total_cmp(&d2).then(e.data.cmp(&entry.data)).is_lt();
    if best.len() >= k && best.last().is_some_and(before) {
        return;
    }
    let at = best.partition_point(before);
    best.insert(at, (d2, entry));
    best.truncate(k);
}
