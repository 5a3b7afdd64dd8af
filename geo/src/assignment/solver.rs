//! Optimal assignment on a sparse bipartite graph: each row (bundle) takes at
//! most one column (courier) among its candidate edges, or stays unassigned at
//! a cost of its own; each column serves at most one row; the total cost is
//! the least possible.
//!
//! This is the shortest-augmenting-path method (Jonker–Volgenant style) with
//! Dijkstra over reduced costs and dual potentials, run on the sparse edge
//! lists directly. Every row has a private "unassigned" column, so an
//! augmenting path always exists and rows never compete for it. Dense
//! Kuhn–Munkres (as in `pathfinding`) needs the full rows × columns matrix and
//! O(n²·m) time: 20 million cells and far beyond the round's budget at 2,000
//! bundles × 10,000 couriers, where the candidate graph has ~16,000 edges.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::GeoError;
use crate::cost::MAX_COST;

/// An assignment problem on a sparse candidate graph.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SparseProblem {
    /// Number of columns (couriers).
    pub columns: usize,
    /// For each row, its candidate columns and their costs.
    pub edges: Vec<Vec<(usize, i64)>>,
    /// For each row, the cost of leaving it unassigned.
    pub unassigned_cost: Vec<i64>,
}

/// An optimal assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SparseSolution {
    /// For each row, the column it takes, or `None` if unassigned.
    pub assignment: Vec<Option<usize>>,
    /// The total cost, unassigned rows included.
    pub total_cost: i64,
}

const NONE: usize = usize::MAX;
const INFINITY: i64 = i64::MAX / 4;

/// Solves `problem` optimally. Costs must lie in [0, `MAX_COST`].
pub fn solve(problem: &SparseProblem) -> Result<SparseSolution, GeoError> {
    validate(problem)?;
    let mut solver = Solver::new(problem);
    solver.match_cheapest_first();
    for start in 0..problem.edges.len() {
        if solver.column_of.get(start) == Some(&NONE) {
            solver.augment_from(start)?;
        }
    }
    Ok(solver.into_solution())
}

/// The duals, the matching and the scratch space of the shortest-path search.
struct Solver<'p> {
    problem: &'p SparseProblem,
    /// Row duals.
    u: Vec<i64>,
    /// Column duals; column `columns + r` is row r's private "unassigned" column.
    v: Vec<i64>,
    row_of: Vec<usize>,
    column_of: Vec<usize>,
    dist: Vec<i64>,
    prev_row: Vec<usize>,
    finalised: Vec<bool>,
    touched: Vec<usize>,
    settled: Vec<usize>,
    /// The shortest distance to a free column found so far in this search:
    /// nothing farther can be settled before the sink, so it is not queued.
    sink_bound: i64,
    heap: BinaryHeap<Reverse<(i64, usize)>>,
}

impl<'p> Solver<'p> {
    fn new(problem: &'p SparseProblem) -> Self {
        let rows = problem.edges.len();
        let all_columns = problem.columns + rows;
        Self {
            problem,
            u: vec![0; rows],
            v: vec![0; all_columns],
            row_of: vec![NONE; all_columns],
            column_of: vec![NONE; rows],
            dist: vec![INFINITY; all_columns],
            prev_row: vec![NONE; all_columns],
            finalised: vec![false; all_columns],
            touched: Vec::new(),
            settled: Vec::new(),
            sink_bound: INFINITY,
            heap: BinaryHeap::new(),
        }
    }

    /// Starts from feasible duals (each row's potential is its cheapest
    /// edge, its own column included) and matches every row whose cheapest
    /// column is still free: such an edge is tight, so the partial matching
    /// is optimal for its rows and only rows that found their column taken
    /// need a shortest-path search. In a round where most bundles have a
    /// courier of their own nearby, that is most of the work saved.
    fn match_cheapest_first(&mut self) {
        let problem = self.problem;
        for (row, edges) in problem.edges.iter().enumerate() {
            let own = own_column(problem, row);
            let Some(&(col, cost)) = edges
                .iter()
                .chain(std::iter::once(&own))
                .min_by_key(|&&(col, cost)| (cost, col))
            else {
                continue;
            };
            if let Some(u) = self.u.get_mut(row) {
                *u = cost;
            }
            if let Some(owner) = self.row_of.get_mut(col)
                && *owner == NONE
            {
                *owner = row;
                if let Some(c) = self.column_of.get_mut(row) {
                    *c = col;
                }
            }
        }
    }

    /// Relaxes every edge of `row`, reached at distance `d_row`. A column
    /// farther than a free column already reached is left alone: the search
    /// ends at a free column no farther, so it could only be popped after
    /// the sink. Columns at exactly that distance are queued, so ties pop
    /// in the same order as without the bound.
    fn relax(&mut self, row: usize, d_row: i64) {
        let problem = self.problem;
        let own = own_column(problem, row);
        let edges = problem.edges.get(row).map_or(&[][..], Vec::as_slice);
        let ur = self.u.get(row).copied().unwrap_or(0);
        for &(col, cost) in edges.iter().chain(std::iter::once(&own)) {
            let (Some(&vc), Some(dc)) = (self.v.get(col), self.dist.get_mut(col)) else {
                continue;
            };
            let nd = d_row + cost - ur - vc;
            if nd < *dc && nd <= self.sink_bound {
                if self.row_of.get(col) == Some(&NONE) {
                    self.sink_bound = nd;
                }
                if *dc == INFINITY {
                    self.touched.push(col);
                }
                *dc = nd;
                if let Some(p) = self.prev_row.get_mut(col) {
                    *p = row;
                }
                self.heap.push(Reverse((nd, col)));
            }
        }
    }

    /// Dijkstra from the free row `start` to the nearest free column, then
    /// dual update and augmentation.
    fn augment_from(&mut self, start: usize) -> Result<(), GeoError> {
        self.relax(start, 0);
        let mut sink = None;
        while let Some(Reverse((d, col))) = self.heap.pop() {
            let Some(done) = self.finalised.get_mut(col) else {
                continue;
            };
            if *done || self.dist.get(col).is_none_or(|&best| d > best) {
                continue;
            }
            *done = true;
            self.settled.push(col);
            match self.row_of.get(col).copied() {
                Some(NONE) | None => {
                    sink = Some((col, d));
                    break;
                }
                Some(row) => self.relax(row, d),
            }
        }
        // Every row can fall back on its own column, so a sink is always found.
        let (sink, sink_dist) = sink.ok_or(GeoError::InvalidParameter {
            name: "assignment problem",
            reason: "a row has no feasible column",
        })?;
        self.update_duals(start, sink_dist);
        self.flip_path(start, sink);
        self.reset_scratch();
        Ok(())
    }

    /// Keeps every reduced cost non-negative and makes the augmenting path tight.
    fn update_duals(&mut self, start: usize, sink_dist: i64) {
        if let Some(us) = self.u.get_mut(start) {
            *us += sink_dist;
        }
        for &col in &self.settled {
            let dc = self.dist.get(col).copied().unwrap_or(sink_dist);
            if let Some(vc) = self.v.get_mut(col) {
                *vc += dc - sink_dist;
            }
            if let Some(&row) = self.row_of.get(col)
                && let Some(ur) = self.u.get_mut(row)
            {
                *ur += sink_dist - dc;
            }
        }
    }

    /// Swaps matched and unmatched edges along the path from `sink` back to `start`.
    fn flip_path(&mut self, start: usize, sink: usize) {
        let mut col = sink;
        while let Some(&row) = self.prev_row.get(col) {
            let Some(slot) = self.column_of.get_mut(row) else {
                break;
            };
            let previous = std::mem::replace(slot, col);
            if let Some(r) = self.row_of.get_mut(col) {
                *r = row;
            }
            if row == start {
                break;
            }
            col = previous;
        }
    }

    fn reset_scratch(&mut self) {
        for &col in &self.touched {
            if let (Some(d), Some(p), Some(f)) = (
                self.dist.get_mut(col),
                self.prev_row.get_mut(col),
                self.finalised.get_mut(col),
            ) {
                *d = INFINITY;
                *p = NONE;
                *f = false;
            }
        }
        self.touched.clear();
        self.settled.clear();
        self.sink_bound = INFINITY;
        self.heap.clear();
    }

    fn into_solution(self) -> SparseSolution {
        let problem = self.problem;
        let mut total_cost = 0_i64;
        let assignment = self
            .column_of
            .iter()
            .enumerate()
            .map(|(row, &col)| {
                if col < problem.columns {
                    total_cost += edge_cost(problem, row, col);
                    Some(col)
                } else {
                    total_cost += problem.unassigned_cost.get(row).copied().unwrap_or(0);
                    None
                }
            })
            .collect();
        SparseSolution {
            assignment,
            total_cost,
        }
    }
}

/// `row`'s private "unassigned" column and the cost of taking it.
fn own_column(problem: &SparseProblem, row: usize) -> (usize, i64) {
    let cost = problem
        .unassigned_cost
        .get(row)
        .copied()
        .unwrap_or(MAX_COST);
    (problem.columns + row, cost)
}

/// The cheapest edge between `row` and `col` (parallel edges are allowed).
fn edge_cost(problem: &SparseProblem, row: usize, col: usize) -> i64 {
    problem
        .edges
        .get(row)
        .into_iter()
        .flatten()
        .filter(|&&(c, _)| c == col)
        .map(|&(_, cost)| cost)
        .min()
        .unwrap_or(0)
}

fn validate(problem: &SparseProblem) -> Result<(), GeoError> {
    if problem.unassigned_cost.len() != problem.edges.len() {
        return Err(GeoError::InvalidParameter {
            name: "assignment problem",
            reason: "needs one unassigned cost per row",
        });
    }
    let in_range = |c: i64| (0..=MAX_COST).contains(&c);
    let edges_ok = problem
        .edges
        .iter()
        .flatten()
        .all(|&(col, cost)| col < problem.columns && in_range(cost));
    if !edges_ok || !problem.unassigned_cost.iter().all(|&c| in_range(c)) {
        return Err(GeoError::InvalidParameter {
            name: "assignment problem",
            reason: "edges must name existing columns and costs lie in [0, 2^40]",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contested_courier_goes_where_it_saves_most() {
        // Both bundles want column 0; row 1 has a poor fallback, row 0 a decent one.
        let p = SparseProblem {
            columns: 2,
            edges: vec![vec![(0, 10), (1, 12)], vec![(0, 10), (1, 50)]],
            unassigned_cost: vec![1_000, 1_000],
        };
        let s = solve(&p).expect("valid problem");
        assert_eq!(s.assignment, vec![Some(1), Some(0)]);
        assert_eq!(s.total_cost, 22);
    }

    #[test]
    fn a_row_stays_unassigned_when_that_is_cheaper() {
        let p = SparseProblem {
            columns: 1,
            edges: vec![vec![(0, 5)], vec![(0, 7)]],
            unassigned_cost: vec![100, 3],
        };
        let s = solve(&p).expect("valid problem");
        assert_eq!(s.assignment, vec![Some(0), None]);
        assert_eq!(s.total_cost, 8);
    }

    #[test]
    fn long_augmenting_paths_are_followed() {
        // Each row prefers the next column for free; the last row can only take
        // its own, which forces the whole chain back by one column at cost 1 each.
        let n = 50;
        let edges = (0..n)
            .map(|r| {
                if r + 1 < n {
                    vec![(r, 1), (r + 1, 0)]
                } else {
                    vec![(r, 0)]
                }
            })
            .collect::<Vec<_>>();
        let p = SparseProblem {
            columns: n,
            edges,
            unassigned_cost: vec![1_000; n],
        };
        let s = solve(&p).expect("valid problem");
        assert_eq!(s.assignment, (0..n).map(Some).collect::<Vec<_>>());
        assert_eq!(s.total_cost, n as i64 - 1);
    }

    #[test]
    fn malformed_problems_are_refused() {
        let bad_col = SparseProblem {
            columns: 1,
            edges: vec![vec![(3, 1)]],
            unassigned_cost: vec![1],
        };
        assert!(solve(&bad_col).is_err());
        let negative = SparseProblem {
            columns: 1,
            edges: vec![vec![(0, -1)]],
            unassigned_cost: vec![1],
        };
        assert!(solve(&negative).is_err());
        let missing = SparseProblem {
            columns: 1,
            edges: vec![vec![(0, 1)]],
            unassigned_cost: vec![],
        };
        assert!(solve(&missing).is_err());
        let empty = solve(&SparseProblem::default()).expect("empty is fine");
        assert_eq!(empty.total_cost, 0);
    }
}
