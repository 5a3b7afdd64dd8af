//! The couriers a matching round may use: their spatial index and what the
//! round needs besides position (when each is free, when its shift ends).
//!
//! Rounds search from the same restaurants over and over while few couriers
//! change in between, so the fleet keeps a neighbour list per restaurant
//! searched from (see `neighbours`), updated on every change: a search walks
//! a short sorted list instead of the tree, and finds exactly what the tree
//! would.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::neighbours::{List, NeighbourLists};
use crate::order::Courier;
use crate::{CourierId, CourierIndex, GeoError, IdHash, Point};

/// Couriers available for matching, indexed by where they will next be free.
#[derive(Debug, Clone, Default)]
pub struct Fleet {
    index: CourierIndex,
    couriers: HashMap<CourierId, Courier, IdHash>,
    /// A cache behind `&self`: searches fill it, changes keep it exact, and
    /// no answer depends on what it holds.
    neighbours: RefCell<NeighbourLists>,
}

impl Fleet {
    /// An empty fleet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A fleet of `couriers`, bulk-loaded; refuses a courier listed twice.
    pub fn from_couriers(couriers: impl IntoIterator<Item = Courier>) -> Result<Self, GeoError> {
        let couriers: HashMap<CourierId, Courier, IdHash> = {
            let mut map = HashMap::default();
            for c in couriers {
                if map.insert(c.id, c).is_some() {
                    return Err(GeoError::DuplicateCourier(c.id));
                }
            }
            map
        };
        let index = CourierIndex::bulk_load(couriers.values().map(|c| (c.id, c.position)))?;
        Ok(Self {
            index,
            couriers,
            neighbours: RefCell::default(),
        })
    }

    /// Adds a courier or replaces what the fleet knew of it.
    pub fn upsert(&mut self, courier: Courier) {
        let from = self.index.position(courier.id);
        self.index.upsert(courier.id, courier.position);
        self.couriers.insert(courier.id, courier);
        self.neighbours
            .get_mut()
            .moved(courier.id, from, Some(courier.position));
    }

    /// Takes a courier out of the fleet (assigned, off shift, offline).
    pub fn remove(&mut self, id: CourierId) -> Option<Courier> {
        let from = self.index.remove(id);
        self.neighbours.get_mut().moved(id, from, None);
        self.couriers.remove(&id)
    }

    /// What the fleet knows of a courier.
    pub fn get(&self, id: CourierId) -> Option<&Courier> {
        self.couriers.get(&id)
    }

    /// The spatial index of the fleet.
    pub fn index(&self) -> &CourierIndex {
        &self.index
    }

    /// Number of couriers.
    pub fn len(&self) -> usize {
        self.couriers.len()
    }

    /// Whether the fleet is empty.
    pub fn is_empty(&self) -> bool {
        self.couriers.is_empty()
    }

    /// Every courier, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Courier> {
        self.couriers.values()
    }

    /// Marks the start of a matching round: neighbour lists no round has
    /// searched from lately are forgotten, so changes update few lists.
    pub fn start_round(&self) {
        if let Ok(mut lists) = self.neighbours.try_borrow_mut() {
            lists.start_round();
        }
    }

    /// Takes couriers nearest to `to` first (by distance, ties by id)
    /// within `max_distance_m`, keeping what `take` makes of them, until
    /// `k` are kept. The same couriers, in the same order, as
    /// [`CourierIndex::nearest_where`] accepting those `take` keeps.
    pub fn nearest_taking<T>(
        &self,
        to: Point,
        k: usize,
        max_distance_m: f64,
        mut take: impl FnMut(&Courier) -> Option<T>,
    ) -> Vec<T> {
        // Nothing lies within a negative or NaN distance (as in the index).
        if k == 0 || max_distance_m.is_nan() || max_distance_m < 0.0 {
            return Vec::new();
        }
        let max_d2 = max_distance_m * max_distance_m;
        let mut kept = Vec::with_capacity(k);
        // Busy only if `take` searches this fleet itself: a list of its own.
        let Ok(mut lists) = self.neighbours.try_borrow_mut() else {
            let mut own = List::build(&self.index, to, k);
            self.walk(&mut own, k, max_d2, &mut take, &mut kept);
            return kept;
        };
        let list = lists.around(&self.index, to, k);
        self.walk(list, k, max_d2, &mut take, &mut kept);
        kept
    }

    /// Walks `list` (deepening it as needed) until `k` are kept.
    fn walk<T>(
        &self,
        list: &mut List,
        k: usize,
        max_d2: f64,
        take: &mut impl FnMut(&Courier) -> Option<T>,
        kept: &mut Vec<T>,
    ) {
        let mut next = 0;
        loop {
            for &(d2, id) in list.entries().get(next..).unwrap_or_default() {
                if d2 > max_d2 || kept.len() >= k {
                    return;
                }
                next += 1;
                if let Some(found) = self.couriers.get(&id).and_then(&mut *take) {
                    kept.push(found);
                }
            }
            // Past the end: done if nobody unlisted can be within reach.
            if kept.len() >= k || list.covers(max_d2) || !list.deepen(&self.index) {
                return;
            }
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Point, Seconds};

    fn courier(id: u64, x: f64) -> Courier {
        Courier {
            id: CourierId(id),
            position: Point::new(x, 0.0).expect("valid"),
            free_at: Seconds(0),
            shift_end: Seconds(3_600),
        }
    }

    #[test]
    fn index_and_attributes_stay_in_step() {
        let mut fleet =
            Fleet::from_couriers([courier(1, 0.0), courier(2, 10.0)]).expect("distinct ids");
        fleet.upsert(courier(1, 50.0));
        fleet.upsert(courier(3, 20.0));
        assert_eq!(fleet.len(), 3);
        assert_eq!(
            fleet.index().position(CourierId(1)),
            Some(courier(1, 50.0).position)
        );
        assert_eq!(fleet.remove(CourierId(2)), Some(courier(2, 10.0)));
        assert!(!fleet.index().contains(CourierId(2)));
        assert_eq!(fleet.index().len(), fleet.len());
        assert_eq!(fleet.remove(CourierId(2)), None);
    }

    #[test]
    fn duplicate_couriers_are_refused() {
        let r = Fleet::from_couriers([courier(1, 0.0), courier(1, 10.0)]);
        assert!(matches!(r, Err(GeoError::DuplicateCourier(CourierId(1)))));
    }
}
