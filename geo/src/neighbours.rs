//! Neighbour lists: for each point a round searched from (a restaurant),
//! the fleet's couriers in order of distance, kept exact as couriers join,
//! move and leave.
//!
//! Between two matching rounds a handful of couriers change among
//! hundreds, while every waiting bundle searches from its restaurant again.
//! A list holds exactly the couriers strictly closer than its bound, sorted
//! by (squared distance, id): the order the index answers in, so walking a
//! list finds the same couriers as searching the tree. A courier's change
//! touches a list only when its old or new position lies within the bound. A
//! search deepens a list from the index only when it walks past its end.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::ids::IdHash;
use crate::index::CourierIndex;
use crate::{CourierId, Point};

/// Rounds a list is kept without being searched from: a restaurant with
/// orders waits a few rounds between them, one without is forgotten, so
/// the lists updated on every courier change stay few.
const KEPT_ROUNDS: u64 = 32;

/// Couriers fetched into a new list, per courier sought.
const DEPTH_PER_SOUGHT: usize = 2;

/// A list entry: squared distance and courier.
type Near = (f64, CourierId);

fn by_distance_then_id(a: &Near, b: &Near) -> Ordering {
    a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
}

/// The couriers nearest to one point.
#[derive(Debug, Clone)]
pub(crate) struct List {
    at: Point,
    /// Every courier with a squared distance below `bound`, ascending by
    /// (squared distance, id).
    near: Vec<Near>,
    /// Squared distance; infinite once the list holds the whole fleet.
    bound: f64,
    /// The round that last searched from here.
    used: u64,
}

impl List {
    /// A list around `at` of at least `depth` couriers, or of all of them.
    pub(crate) fn build(index: &CourierIndex, at: Point, depth: usize) -> Self {
        let mut list = Self {
            at,
            near: Vec::new(),
            bound: 0.0,
            used: 0,
        };
        list.fetch(index, depth.max(1));
        list
    }

    /// Refetches the `depth` nearest couriers. The last distance fetched
    /// becomes the bound and couriers at it are left out: another courier
    /// at that distance with a larger id may not have been fetched.
    fn fetch(&mut self, index: &CourierIndex, depth: usize) {
        self.near = index.nearest_squared(self.at, depth);
        if self.near.len() < depth {
            self.bound = f64::INFINITY;
            return;
        }
        let Some(&(last, _)) = self.near.last() else {
            self.bound = f64::INFINITY;
            return;
        };
        let kept = self.near.partition_point(|&(d2, _)| d2 < last);
        self.near.truncate(kept);
        self.bound = last;
    }

    /// Makes the list reach farther than it does; false when it already
    /// holds the whole fleet.
    pub(crate) fn deepen(&mut self, index: &CourierIndex) -> bool {
        if self.bound == f64::INFINITY {
            return false;
        }
        let before = self.bound;
        let mut depth = (self.near.len() + 1) * 2;
        loop {
            self.fetch(index, depth);
            // Many couriers at exactly the old bound: fetch more until past it.
            if self.bound > before {
                return true;
            }
            depth = depth.saturating_mul(2);
        }
    }

    /// The couriers of the list, nearest first, with squared distances.
    pub(crate) fn entries(&self) -> &[Near] {
        &self.near
    }

    /// Whether every courier within squared distance `max_d2` is listed.
    pub(crate) fn covers(&self, max_d2: f64) -> bool {
        self.bound > max_d2
    }

    fn leave(&mut self, id: CourierId, from: Point) {
        let key = (from.distance_2(self.at), id);
        if key.0 < self.bound
            && let Ok(i) = self
                .near
                .binary_search_by(|probe| by_distance_then_id(probe, &key))
        {
            self.near.remove(i);
        }
    }

    fn enter(&mut self, id: CourierId, to: Point) {
        let key = (to.distance_2(self.at), id);
        if key.0 < self.bound {
            let i = self
                .near
                .partition_point(|probe| by_distance_then_id(probe, &key).is_lt());
            self.near.insert(i, key);
        }
    }
}

/// The lists of one fleet.
#[derive(Debug, Clone, Default)]
pub(crate) struct NeighbourLists {
    lists: HashMap<(u64, u64), List, IdHash>,
    round: u64,
}

impl NeighbourLists {
    /// A round begins: lists no round searched from lately are dropped.
    pub(crate) fn start_round(&mut self) {
        self.round += 1;
        let round = self.round;
        self.lists
            .retain(|_, list| list.used + KEPT_ROUNDS >= round);
    }

    /// The list around `at`, built for `sought` couriers if there is none.
    pub(crate) fn around(&mut self, index: &CourierIndex, at: Point, sought: usize) -> &mut List {
        let [x, y] = at.to_array();
        let round = self.round;
        let list = self
            .lists
            .entry((x.to_bits(), y.to_bits()))
            .or_insert_with(|| List::build(index, at, sought.saturating_mul(DEPTH_PER_SOUGHT)));
        list.used = round;
        list
    }

    /// A courier moved from `from` to `to` (`None`: was not, or is no
    /// longer, in the fleet).
    pub(crate) fn moved(&mut self, id: CourierId, from: Option<Point>, to: Option<Point>) {
        if from == to {
            return;
        }
        for list in self.lists.values_mut() {
            if let Some(from) = from {
                list.leave(id, from);
            }
            if let Some(to) = to {
                list.enter(id, to);
            }
        }
    }

    /// Number of lists kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lists.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(x: f64) -> Point {
        Point::new(x, 0.0).expect("valid")
    }

    #[test]
    fn lists_nobody_searches_from_are_forgotten() {
        let index =
            CourierIndex::bulk_load((0..10).map(|i| (CourierId(i), pt(i as f64)))).expect("ok");
        let mut lists = NeighbourLists::default();
        lists.start_round();
        lists.around(&index, pt(0.0), 2);
        lists.around(&index, pt(5.0), 2);
        for _ in 0..KEPT_ROUNDS {
            lists.start_round();
            lists.around(&index, pt(5.0), 2);
        }
        assert_eq!(lists.len(), 2);
        lists.start_round();
        assert_eq!(
            lists.len(),
            1,
            "the list at 0 was not searched from for too long"
        );
    }

    #[test]
    fn a_list_holds_exactly_the_couriers_within_its_bound() {
        let index =
            CourierIndex::bulk_load((0..10).map(|i| (CourierId(i), pt(i as f64)))).expect("ok");
        let mut lists = NeighbourLists::default();
        let ids = |l: &List| l.entries().iter().map(|&(_, c)| c.0).collect::<Vec<_>>();
        // Four fetched; the fourth sets the bound and is left out.
        let list = lists.around(&index, pt(0.0), 2);
        assert_eq!(ids(list), vec![0, 1, 2]);
        lists.moved(CourierId(9), Some(pt(9.0)), Some(pt(1.0)));
        lists.moved(CourierId(1), Some(pt(1.0)), None);
        lists.moved(CourierId(7), Some(pt(7.0)), Some(pt(8.0)));
        let list = lists.around(&index, pt(0.0), 2);
        assert_eq!(ids(list), vec![0, 9, 2]);
    }
}
