//! The metrics of `shared/mdrp/FORMAT.md` for a solution: what customers
//! felt (click-to-door and its parts, against the per-order lower bound),
//! what the fleet did (orders and bundles per courier-hour, utilisation) and
//! what it cost (courier pay). All times are in minutes; [`Metrics`]
//! serialises to the `summary.json` of a run.
//!
//! Conventions, those of the format's reference evaluator: the standard
//! deviation is the sample one (n - 1); percentiles interpolate linearly
//! between the two nearest ranks; a courier is paid the guarantee when its
//! pay per order falls short of it.

use std::collections::{BTreeMap, HashMap};

use foodiefast_geo::order::Order;
use foodiefast_geo::{CourierId, GeoError, Seconds, TravelModel};
use serde::Serialize;

use super::solution::{Delivery, Place, Solution};
use super::{Instance, click_to_door_lower_bound};

/// Everything measured on one solution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// The instance's name.
    pub instance: String,
    /// Orders in the instance.
    pub orders: usize,
    /// Orders delivered.
    pub delivered: usize,
    /// Orders not delivered, in percent of all.
    pub undelivered_percent: f64,
    /// Drop-off minus placement, over delivered orders.
    pub click_to_door: Option<Distribution>,
    /// Drop-off minus ready time.
    pub ready_to_door: Option<Distribution>,
    /// Pickup minus ready time (food waiting for its courier).
    pub ready_to_pickup: Option<Distribution>,
    /// Click-to-door beyond the target (zero for orders within it).
    pub click_to_door_overage: Option<Distribution>,
    /// The target click-to-door of the instance.
    pub target_click_to_door: f64,
    /// The per-order lower bound, and how far above it the solution is.
    pub lower_bound: LowerBound,
    /// The fleet: productivity, utilisation, pay.
    pub couriers: CourierMetrics,
    /// Bundle sizes.
    pub bundles: BundleMetrics,
}

/// Summary statistics of one per-order measure, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Distribution {
    /// Values measured.
    pub count: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (0 for a single value).
    pub std: f64,
    /// Smallest.
    pub min: f64,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub median: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Largest.
    pub max: f64,
}

/// The MDRP lower bound on click-to-door
/// ([`click_to_door_lower_bound`](super::click_to_door_lower_bound)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LowerBound {
    /// Mean bound over all orders of the instance.
    pub mean_all_orders: Option<f64>,
    /// Mean bound over the delivered orders.
    pub mean_delivered: Option<f64>,
    /// Mean click-to-door over the mean bound, both over the delivered
    /// orders (so leaving hard orders undelivered does not flatter it).
    pub click_to_door_ratio: Option<f64>,
}

/// What the fleet did and cost.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CourierMetrics {
    /// Couriers in the instance.
    pub couriers: usize,
    /// Their shifts, in hours.
    pub shift_hours: f64,
    /// Orders delivered per hour of shift, over the whole fleet.
    pub orders_per_courier_hour: f64,
    /// Assignments per hour of shift, over the whole fleet.
    pub bundles_per_courier_hour: f64,
    /// Driving plus service time over shift time, over the whole fleet.
    pub utilisation: f64,
    /// Total courier pay: per courier, the larger of pay per order and the guarantee.
    pub total_pay: f64,
    /// Total pay per delivered order.
    pub pay_per_order: Option<f64>,
    /// Share of couriers (0 to 1) paid the guaranteed minimum.
    pub guaranteed_share: f64,
    /// Moves to a restaurant that no pickup explains: idle couriers sent
    /// ahead of demand (prepositioning), a variant the format allows but
    /// asks to be reported.
    pub prepositioning_moves: usize,
}

/// How many orders the assignments carried.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleMetrics {
    /// Assignments made.
    pub bundles: usize,
    /// Mean orders per assignment.
    pub mean_size: Option<f64>,
    /// Assignments by number of orders.
    pub sizes: BTreeMap<usize, usize>,
}

/// Measures `solution` on `instance`. Orders count as delivered when their
/// line has a drop-off; ids the instance lacks are left out (the feasibility
/// check reports them).
pub fn measure(instance: &Instance, solution: &Solution) -> Result<Metrics, GeoError> {
    let parameters = instance.parameters();
    let model = parameters.travel_model()?;
    let service = parameters.service_times()?;
    let orders: HashMap<_, _> = instance.orders().iter().map(|o| (o.id, o)).collect();
    let target = parameters.target_click_to_door;

    let delivered: Vec<_> = solution
        .orders
        .iter()
        .filter_map(|r| Some((*orders.get(&r.order)?, r.delivery?)))
        .collect();
    let per_order = |f: fn(&Order, &Delivery) -> Seconds| {
        Distribution::of(delivered.iter().map(|(o, d)| f(o, d)).collect())
    };
    let bound = |o: &&Order| click_to_door_lower_bound(o, &model, service).as_minutes();
    let mean_delivered = mean(delivered.iter().map(|(o, _)| bound(o)));
    let click_to_door = per_order(|o, d| d.drop_off_at - o.placed_at);
    let lower_bound = LowerBound {
        mean_all_orders: mean(instance.orders().iter().map(|o| bound(&o))),
        mean_delivered,
        click_to_door_ratio: click_to_door.zip(mean_delivered).map(|(c, b)| c.mean / b),
    };

    let all = instance.orders().len();
    Ok(Metrics {
        instance: instance.name().to_owned(),
        orders: all,
        delivered: delivered.len(),
        undelivered_percent: percent(all - delivered.len().min(all), all),
        click_to_door,
        ready_to_door: per_order(|o, d| d.drop_off_at - o.ready_at),
        ready_to_pickup: per_order(|o, d| d.pickup_at - o.ready_at),
        click_to_door_overage: Distribution::of(
            delivered
                .iter()
                .map(|(o, d)| (d.drop_off_at - o.placed_at).saturating_excess_over(target))
                .collect(),
        ),
        target_click_to_door: target.as_minutes(),
        lower_bound,
        couriers: courier_metrics(instance, solution, &model, delivered.len())?,
        bundles: bundle_metrics(solution),
    })
}

fn courier_metrics(
    instance: &Instance,
    solution: &Solution,
    model: &impl TravelModel,
    delivered: usize,
) -> Result<CourierMetrics, GeoError> {
    let parameters = instance.parameters();
    let service = parameters.service_times()?;
    let shifts: HashMap<CourierId, _> = instance.shifts().iter().map(|s| (s.courier, s)).collect();
    let customers: HashMap<_, _> = instance
        .orders()
        .iter()
        .map(|o| (o.id, o.drop_off))
        .collect();
    let shift_minutes: f64 = instance
        .shifts()
        .iter()
        .map(|s| (s.off_time - s.on_time).as_minutes())
        .sum();
    let shift_hours = shift_minutes / 60.0;

    let mut delivered_by: HashMap<CourierId, usize> = HashMap::new();
    for d in solution.orders.iter().filter_map(|r| r.delivery) {
        *delivered_by.entry(d.courier).or_default() += 1;
    }
    let assignments = solution
        .assignments
        .iter()
        .filter(|a| shifts.contains_key(&a.courier))
        .count();
    let orders_served: usize = delivered_by
        .iter()
        .filter(|(c, _)| shifts.contains_key(c))
        .map(|(_, n)| n)
        .sum();

    let position = |courier: CourierId, place: Place| match place {
        Place::Start => shifts.get(&courier).map(|s| s.start),
        Place::Restaurant(r) => instance.restaurants().get(&r).copied(),
        Place::Customer(o) => customers.get(&o).copied(),
    };
    let driving: Seconds = solution
        .routes
        .iter()
        .filter(|(c, _)| shifts.contains_key(c))
        .flat_map(|(&c, moves)| moves.iter().map(move |m| (c, m)))
        .filter_map(|(c, m)| {
            Some(model.travel_time(position(c, m.origin)?, position(c, m.destination)?))
        })
        .fold(Seconds::ZERO, |total, t| total + t);
    let busy = driving.as_minutes()
        + assignments as f64 * service.pickup().as_minutes()
        + orders_served as f64 * service.drop_off().as_minutes();

    let mut total_pay = 0.0;
    let mut guaranteed = 0_usize;
    for shift in instance.shifts() {
        let hours = (shift.off_time - shift.on_time).as_minutes() / 60.0;
        let guarantee = hours * parameters.guaranteed_pay_per_hour;
        let per_order = delivered_by
            .get(&shift.courier)
            .copied()
            .unwrap_or_default() as f64
            * parameters.pay_per_order;
        if per_order < guarantee {
            guaranteed += 1;
        }
        total_pay += per_order.max(guarantee);
    }
    let couriers = instance.shifts().len();
    let prepositioning_moves = solution
        .routes
        .iter()
        .filter(|(c, _)| shifts.contains_key(c))
        .map(|(c, moves)| {
            let to_restaurants = moves
                .iter()
                .filter(|m| matches!(m.destination, Place::Restaurant(_)))
                .count();
            let pickups = solution
                .assignments
                .iter()
                .filter(|a| a.courier == *c)
                .count();
            to_restaurants.saturating_sub(pickups)
        })
        .sum();
    Ok(CourierMetrics {
        couriers,
        shift_hours,
        orders_per_courier_hour: ratio(orders_served as f64, shift_hours),
        bundles_per_courier_hour: ratio(assignments as f64, shift_hours),
        utilisation: ratio(busy, shift_minutes),
        total_pay,
        pay_per_order: (delivered > 0).then(|| total_pay / delivered as f64),
        guaranteed_share: ratio(guaranteed as f64, couriers as f64),
        prepositioning_moves,
    })
}

fn bundle_metrics(solution: &Solution) -> BundleMetrics {
    let mut sizes = BTreeMap::new();
    for a in &solution.assignments {
        *sizes.entry(a.orders.len()).or_default() += 1;
    }
    BundleMetrics {
        bundles: solution.assignments.len(),
        mean_size: mean(solution.assignments.iter().map(|a| a.orders.len() as f64)),
        sizes,
    }
}

impl Distribution {
    /// The statistics of `values` (durations), `None` when there are none.
    pub fn of(values: Vec<Seconds>) -> Option<Self> {
        let mut minutes: Vec<f64> = values.into_iter().map(Seconds::as_minutes).collect();
        minutes.sort_by(f64::total_cmp);
        let count = minutes.len();
        let mean = mean(minutes.iter().copied())?;
        let squares: f64 = minutes.iter().map(|v| (v - mean).powi(2)).sum();
        let std = if count > 1 {
            (squares / (count - 1) as f64).sqrt()
        } else {
            0.0
        };
        Some(Self {
            count,
            mean,
            std,
            min: percentile(&minutes, 0.0)?,
            p10: percentile(&minutes, 0.1)?,
            median: percentile(&minutes, 0.5)?,
            p90: percentile(&minutes, 0.9)?,
            max: percentile(&minutes, 1.0)?,
        })
    }
}

/// The `p` quantile of sorted values, interpolating linearly between ranks.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let rank = p * (sorted.len().checked_sub(1)? as f64);
    let below = sorted.get(rank.floor() as usize)?;
    let above = sorted.get(rank.ceil() as usize)?;
    Some(below + (above - below) * (rank - rank.floor()))
}

/// The mean of `values`, `None` when there are none.
pub(crate) fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (count, sum) = values.fold((0_usize, 0.0), |(n, s), v| (n + 1, s + v));
    (count > 0).then(|| sum / count as f64)
}

fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        0.0
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    100.0 * ratio(part as f64, whole as f64)
}

#[cfg(test)]
mod tests;
