//! The batch matching round: from pending bundles and available couriers,
//! build a sparse candidate graph from the courier index, then assign
//! optimally on it.
//!
//! Leaving a bundle unassigned costs its cheapest plan plus a penalty per
//! order that grows with how long the order has waited: when couriers are
//! short, a round places the orders waiting longest rather than the freshest
//! ones (which would otherwise always be the cheapest to deliver, leaving
//! old orders behind until no shift is left to take them).
//!
//! Each bundle gets the nearest couriers that can pick it up before their
//! shift ends (a handful, not the whole fleet). The solver then finds the
//! assignment of least total cost on that graph, where a bundle may also stay
//! unassigned at a high cost. Bundles left without a courier because their
//! candidates went elsewhere get further candidates among the couriers still
//! free, and the graph is solved again, a bounded number of times.

pub mod candidates;
pub mod solver;

use std::collections::{HashMap, HashSet};

use crate::bundling::Bundle;
use crate::cost::{self, CostModel};
use crate::fleet::Fleet;
use crate::route::ServiceTimes;
use crate::{CourierId, GeoError, IdHash, Point, Seconds, TravelModel};

pub use candidates::Candidate;
use solver::SparseProblem;

/// How a round searches and weighs candidates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AssignmentParams {
    /// Service times at restaurants and customers.
    pub service: ServiceTimes,
    /// What a plan costs.
    pub cost: CostModel,
    /// Candidate couriers sought per bundle.
    pub candidates_per_bundle: usize,
    /// Couriers farther than this from the restaurant are not considered.
    pub max_approach: Seconds,
    /// Extra searches for bundles whose candidates all went elsewhere.
    pub widening_passes: usize,
    /// Cost points of leaving one order unassigned this round, on top of
    /// its bundle's cheapest plan: what a round gives up to place an order
    /// at all.
    pub unassigned_points_per_order: f64,
    /// Further cost points of leaving an order unassigned, per second since
    /// it was placed: when couriers are short, the orders that have waited
    /// longest go first instead of the freshest (which are the cheapest to
    /// deliver), so no order is left behind until every shift has ended.
    pub waiting_points_per_second: f64,
}

impl AssignmentParams {
    /// Defaults for the given service times: 32 candidates within 45
    /// minutes (with busy couriers planned with too, the nearest few are
    /// often all busy), two widening passes, and leaving an order unassigned costing
    /// its cheapest plan plus an hour of click-to-door plus one point per
    /// second it has waited.
    pub fn new(service: ServiceTimes) -> Self {
        let cost = CostModel::default();
        Self {
            service,
            cost,
            candidates_per_bundle: 32,
            max_approach: Seconds::from_minutes(45),
            widening_passes: 2,
            unassigned_points_per_order: cost.order_points(Seconds::from_minutes(60)),
            waiting_points_per_second: 1.0,
        }
    }

    /// The cost of leaving `bundle` unassigned in a round at `now` when its
    /// cheapest candidate costs `cheapest` (`None`: it has no candidate).
    /// Against it, the solver weighs each candidate: it gives up a courier's
    /// cheaper plan elsewhere only for orders that waited longer or for
    /// more orders.
    pub fn unassigned_cost(&self, now: Seconds, bundle: &Bundle, cheapest: Option<i64>) -> i64 {
        let waited: f64 = bundle
            .orders
            .iter()
            .map(|o| (now - o.placed_at).0.max(0) as f64)
            .sum();
        let points = self.unassigned_points_per_order * bundle.len() as f64
            + self.waiting_points_per_second * waited;
        CostModel::to_cost(points)
            .saturating_add(cheapest.unwrap_or(0))
            .min(cost::MAX_COST)
    }

    fn validate(&self) -> Result<(), GeoError> {
        self.cost.validate()?;
        if self.candidates_per_bundle == 0 {
            return Err(GeoError::InvalidParameter {
                name: "candidates per bundle",
                reason: "must be at least one",
            });
        }
        let weights = [
            self.unassigned_points_per_order,
            self.waiting_points_per_second,
        ];
        if !weights.iter().all(|w| w.is_finite() && *w >= 0.0) {
            return Err(GeoError::InvalidParameter {
                name: "unassigned cost",
                reason: "must be finite and zero or more",
            });
        }
        Ok(())
    }
}

/// One bundle given to one courier.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Index of the bundle in the round's input.
    pub bundle: usize,
    /// The chosen candidate (courier, timing, cost).
    pub chosen: Candidate,
    /// Planned drop-off times, in the bundle's sequence.
    pub drop_offs: Vec<Seconds>,
    /// When the courier leaves the last customer, free again.
    pub finish_at: Seconds,
    /// Where it is then: the last customer's door.
    pub finish_position: Point,
}

/// The outcome of a round, with everything needed to explain it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundPlan {
    /// The assignments, by bundle index.
    pub assignments: Vec<Assignment>,
    /// Bundles left for a later round.
    pub unassigned: Vec<usize>,
    /// Every bundle's candidates as found (sorted only when asked for: a
    /// round explains the few assignments it offers, not all of them).
    candidates: Vec<Vec<Candidate>>,
    /// Total cost of the plan, unassigned bundles included.
    pub total_cost: i64,
}

impl RoundPlan {
    /// Bundle `bundle`'s candidates, cheapest first (ties by courier): why
    /// the chosen courier won.
    pub fn candidates(&self, bundle: usize) -> Vec<Candidate> {
        let mut list = self.candidates.get(bundle).cloned().unwrap_or_default();
        // A courier is a candidate of a bundle once, so the order is total.
        list.sort_unstable_by_key(|c| (c.cost, c.courier));
        list
    }

    /// Number of candidate edges the round weighed, over every bundle.
    pub fn candidate_edges(&self) -> usize {
        self.candidates.iter().map(Vec::len).sum()
    }
}

/// Runs one matching round at `now` (see the module docs).
pub fn plan_round(
    now: Seconds,
    bundles: &[Bundle],
    fleet: &Fleet,
    model: &impl TravelModel,
    params: &AssignmentParams,
) -> Result<RoundPlan, GeoError> {
    plan_round_excluding(now, bundles, fleet, model, params, |_, _| false)
}

/// [`plan_round`], where `excluded(bundle, courier)` rules pairs out (a
/// courier who already declined one of the bundle's orders, say).
pub fn plan_round_excluding(
    now: Seconds,
    bundles: &[Bundle],
    fleet: &Fleet,
    model: &impl TravelModel,
    params: &AssignmentParams,
    excluded: impl Fn(usize, CourierId) -> bool,
) -> Result<RoundPlan, GeoError> {
    params.validate()?;
    if bundles
        .iter()
        .any(|b| b.is_empty() || b.orders.len() != b.schedule.offsets.len())
    {
        return Err(GeoError::MalformedBundle);
    }
    let mut seen = HashSet::new();
    if let Some(dup) = bundles
        .iter()
        .flat_map(|b| &b.orders)
        .find(|o| !seen.insert(o.id))
    {
        return Err(GeoError::DuplicateOrder(dup.id));
    }

    fleet.start_round();
    let radius = model.reach_radius(params.max_approach);
    let k = params.candidates_per_bundle;
    let mut graph = CandidateGraph::default();
    for (b, bundle) in bundles.iter().enumerate() {
        let found = search(now, bundle, fleet, model, params, k, radius, |id| {
            !excluded(b, id)
        });
        graph.add(b, found);
    }
    let mut solution = solver::solve(&graph.problem(now, bundles, params))?;
    for _ in 0..params.widening_passes {
        let taken: HashSet<CourierId, IdHash> = solution
            .assignment
            .iter()
            .flatten()
            .filter_map(|&col| graph.courier_of.get(col).copied())
            .collect();
        let mut widened = false;
        for (b, bundle) in bundles.iter().enumerate() {
            if solution.assignment.get(b).is_some_and(Option::is_some) {
                continue;
            }
            let known: HashSet<CourierId, IdHash> = graph.of_bundle(b).map(|c| c.courier).collect();
            let found = search(now, bundle, fleet, model, params, k, radius, |id| {
                !taken.contains(&id) && !known.contains(&id) && !excluded(b, id)
            });
            widened |= !found.is_empty();
            graph.add(b, found);
        }
        if !widened {
            break;
        }
        solution = solver::solve(&graph.problem(now, bundles, params))?;
    }
    Ok(graph.into_plan(bundles, &solution))
}

/// The nearest `k` couriers accepted by `allow` that can take `bundle`.
#[allow(clippy::too_many_arguments)]
fn search(
    now: Seconds,
    bundle: &Bundle,
    fleet: &Fleet,
    model: &impl TravelModel,
    params: &AssignmentParams,
    k: usize,
    radius: f64,
    allow: impl Fn(CourierId) -> bool,
) -> Vec<Candidate> {
    fleet.nearest_taking(bundle.pickup, k, radius, |c| {
        if !allow(c.id) {
            return None;
        }
        candidates::evaluate(now, bundle, c, model, params.service, &params.cost)
            .filter(|cand| cand.approach <= params.max_approach)
    })
}

/// The sparse bipartite graph of a round: bundles to candidate couriers.
#[derive(Debug, Default)]
struct CandidateGraph {
    /// Candidates per bundle, in the order found.
    edges: Vec<Vec<Candidate>>,
    /// The solver's column of each of those candidates.
    columns: Vec<Vec<usize>>,
    column_of: HashMap<CourierId, usize, IdHash>,
    courier_of: Vec<CourierId>,
}

impl CandidateGraph {
    fn add(&mut self, bundle: usize, found: Vec<Candidate>) {
        if self.edges.len() <= bundle {
            self.edges.resize_with(bundle + 1, Vec::new);
            self.columns.resize_with(bundle + 1, Vec::new);
        }
        let (Some(list), Some(cols)) = (self.edges.get_mut(bundle), self.columns.get_mut(bundle))
        else {
            return;
        };
        cols.reserve(found.len());
        for cand in &found {
            let next = self.courier_of.len();
            let col = *self.column_of.entry(cand.courier).or_insert(next);
            if col == next {
                self.courier_of.push(cand.courier);
            }
            cols.push(col);
        }
        if list.is_empty() {
            *list = found;
        } else {
            list.extend(found);
        }
    }

    fn of_bundle(&self, bundle: usize) -> impl Iterator<Item = &Candidate> {
        self.edges.get(bundle).into_iter().flatten()
    }

    /// Bundle `bundle`'s edges, as (column, candidate).
    fn edges_of(&self, bundle: usize) -> impl Iterator<Item = (usize, &Candidate)> {
        let cols = self.columns.get(bundle).into_iter().flatten().copied();
        cols.zip(self.of_bundle(bundle))
    }

    fn problem(
        &self,
        now: Seconds,
        bundles: &[Bundle],
        params: &AssignmentParams,
    ) -> SparseProblem {
        let mut edges: Vec<Vec<(usize, i64)>> = (0..self.edges.len())
            .map(|b| self.edges_of(b).map(|(col, c)| (col, c.cost)).collect())
            .collect();
        edges.resize_with(bundles.len(), Vec::new);
        let unassigned_cost = bundles
            .iter()
            .zip(&edges)
            .map(|(bundle, list)| {
                let cheapest = list.iter().map(|&(_, cost)| cost).min();
                params.unassigned_cost(now, bundle, cheapest)
            })
            .collect();
        SparseProblem {
            columns: self.courier_of.len(),
            edges,
            unassigned_cost,
        }
    }

    fn into_plan(mut self, bundles: &[Bundle], solution: &solver::SparseSolution) -> RoundPlan {
        self.edges.resize_with(bundles.len(), Vec::new);
        let mut assignments = Vec::new();
        let mut unassigned = Vec::new();
        for (b, (bundle, choice)) in bundles.iter().zip(&solution.assignment).enumerate() {
            let chosen = choice.and_then(|col| {
                self.edges_of(b)
                    .filter(|&(c, _)| c == col)
                    .map(|(_, cand)| *cand)
                    .min_by_key(|cand| cand.cost)
            });
            match (chosen, bundle.orders.last()) {
                (Some(chosen), Some(last)) => {
                    let drop_offs: Vec<Seconds> = bundle
                        .schedule
                        .offsets
                        .iter()
                        .map(|&offset| chosen.pickup_at + offset)
                        .collect();
                    assignments.push(Assignment {
                        bundle: b,
                        finish_at: chosen.pickup_at + bundle.schedule.finish,
                        finish_position: last.drop_off,
                        chosen,
                        drop_offs,
                    });
                }
                _ => unassigned.push(b),
            }
        }
        let candidates = self.edges;
        RoundPlan {
            assignments,
            unassigned,
            candidates,
            total_cost: solution.total_cost,
        }
    }
}
