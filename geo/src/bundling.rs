//! Bundling: orders of one restaurant with close ready times may share a
//! courier when that lowers the courier time spent per order, without
//! delaying any customer by more than a bound.
//!
//! For each restaurant, orders are taken by ready time and each joins the open
//! bundle where it saves the most courier time (one trip to the restaurant
//! fewer, against a longer drop-off route), or starts a bundle of its own. The
//! drop-off sequence of every bundle is the best of all permutations.
//!
//! Bundling happens in a round at some instant: food ready before it is
//! treated as ready at it, since no courier can pick it up any earlier. Two
//! orders ready 20 minutes apart but both waiting on the counter are as good
//! a pair as two ready together (at a busy hour, that is most of the orders).

use std::collections::{BTreeMap, HashSet};

use crate::cost::CostModel;
use crate::order::Order;
use crate::route::{self, DropOffSchedule, MAX_EXACT_SEQUENCE, ServiceTimes, Stop};
use crate::{GeoError, Point, RestaurantId, Seconds, TravelModel};

/// When orders may share a courier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BundlingParams {
    /// Most orders in one bundle (1 disables bundling; at most [`MAX_EXACT_SEQUENCE`]).
    pub max_size: usize,
    /// Largest spread of ready times within a bundle.
    pub max_ready_gap: Seconds,
    /// Most any order's drop-off may be delayed, against delivering it alone
    /// straight from its ready time.
    pub max_added_delay: Seconds,
    /// A typical courier trip to a restaurant: what each bundle saves in courier time.
    pub approach_estimate: Seconds,
}

impl Default for BundlingParams {
    fn default() -> Self {
        Self {
            max_size: 3,
            max_ready_gap: Seconds::from_minutes(20),
            max_added_delay: Seconds::from_minutes(20),
            approach_estimate: Seconds::from_minutes(8),
        }
    }
}

impl BundlingParams {
    /// Checks the parameters are usable.
    pub fn validate(&self) -> Result<(), GeoError> {
        if self.max_size == 0 || self.max_size > MAX_EXACT_SEQUENCE {
            return Err(GeoError::InvalidParameter {
                name: "max bundle size",
                reason: "must be between 1 and 6",
            });
        }
        if self.max_ready_gap < Seconds::ZERO
            || self.max_added_delay < Seconds::ZERO
            || self.approach_estimate < Seconds::ZERO
        {
            return Err(GeoError::InvalidParameter {
                name: "bundling times",
                reason: "must be zero or more",
            });
        }
        Ok(())
    }
}

/// The bundle size a round should allow under its load: one order per courier
/// when couriers are plenty, more as orders outnumber idle couriers.
pub fn adaptive_max_size(pending_orders: usize, available_couriers: usize, cap: usize) -> usize {
    let cap = cap.clamp(1, MAX_EXACT_SEQUENCE);
    pending_orders
        .div_ceil(available_couriers.max(1))
        .clamp(1, cap)
}

/// Orders of one restaurant that one courier picks up together.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// The restaurant.
    pub restaurant: RestaurantId,
    /// Where the pickup happens.
    pub pickup: Point,
    /// The orders, in drop-off sequence.
    pub orders: Vec<Order>,
    /// The latest ready time of the orders: the earliest possible pickup.
    pub ready_at: Seconds,
    /// Drop-off times relative to the pickup, in sequence.
    pub schedule: DropOffSchedule,
}

impl Bundle {
    /// A bundle of one order.
    pub fn single(order: Order, model: &impl TravelModel, service: ServiceTimes) -> Self {
        Self {
            restaurant: order.restaurant,
            pickup: order.pickup,
            orders: vec![order],
            ready_at: order.ready_at,
            schedule: route::schedule_drop_offs(model, service, order.pickup, &[order.drop_off]),
        }
    }

    /// A bundle of `orders` (one restaurant, at most [`MAX_EXACT_SEQUENCE`])
    /// in the drop-off sequence that costs customers least.
    pub fn sequenced(
        orders: &[Order],
        model: &impl TravelModel,
        service: ServiceTimes,
        cost: &CostModel,
    ) -> Result<Self, GeoError> {
        let first = orders.first().ok_or(GeoError::MalformedBundle)?;
        if orders
            .iter()
            .any(|o| o.restaurant != first.restaurant || o.pickup != first.pickup)
        {
            return Err(GeoError::MalformedBundle);
        }
        let ready_at = orders
            .iter()
            .map(|o| o.ready_at)
            .max()
            .unwrap_or(first.ready_at);
        let stops: Vec<Stop> = orders
            .iter()
            .map(|o| Stop {
                at: o.drop_off,
                placed_at: o.placed_at,
            })
            .collect();
        let (sequence, schedule) =
            route::best_sequence(model, service, cost, first.pickup, ready_at, &stops)?;
        Ok(Self {
            restaurant: first.restaurant,
            pickup: first.pickup,
            orders: sequence
                .iter()
                .filter_map(|&i| orders.get(i).copied())
                .collect(),
            ready_at,
            schedule,
        })
    }

    /// Number of orders.
    pub fn len(&self) -> usize {
        self.orders.len()
    }

    /// Whether the bundle holds no order (never true for bundles the core builds).
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    /// Courier time from arriving at the restaurant (food ready) to leaving the last customer.
    pub fn route_time(&self, service: ServiceTimes) -> Seconds {
        service.pickup().half() + self.schedule.finish
    }

    /// Earliest ready time in the bundle.
    pub fn earliest_ready(&self) -> Seconds {
        self.orders
            .iter()
            .map(|o| o.ready_at)
            .min()
            .unwrap_or(self.ready_at)
    }
}

/// Groups `orders` into bundles (see the module docs), ignoring when the
/// bundling happens. Every order ends up in exactly one bundle; the result
/// does not depend on the input order.
pub fn bundle_orders(
    orders: &[Order],
    model: &impl TravelModel,
    service: ServiceTimes,
    cost: &CostModel,
    params: &BundlingParams,
) -> Result<Vec<Bundle>, GeoError> {
    bundle_orders_at(Seconds(i64::MIN), orders, model, service, cost, params)
}

/// [`bundle_orders`] in a round at `now`: food ready earlier counts as ready
/// at `now` for the ready-time spread and the added delay.
pub fn bundle_orders_at(
    now: Seconds,
    orders: &[Order],
    model: &impl TravelModel,
    service: ServiceTimes,
    cost: &CostModel,
    params: &BundlingParams,
) -> Result<Vec<Bundle>, GeoError> {
    params.validate()?;
    cost.validate()?;
    let mut seen = HashSet::with_capacity(orders.len());
    let mut by_restaurant: BTreeMap<RestaurantId, Vec<Order>> = BTreeMap::new();
    for o in orders {
        if !seen.insert(o.id) {
            return Err(GeoError::DuplicateOrder(o.id));
        }
        by_restaurant.entry(o.restaurant).or_default().push(*o);
    }
    let mut bundles = Vec::with_capacity(orders.len());
    for mut group in by_restaurant.into_values() {
        group.sort_by_key(|o| (o.ready_at, o.id));
        bundles.extend(bundle_restaurant(
            now, &group, model, service, cost, params,
        )?);
    }
    Ok(bundles)
}

/// Bundles the orders of one restaurant, sorted by ready time.
fn bundle_restaurant(
    now: Seconds,
    group: &[Order],
    model: &impl TravelModel,
    service: ServiceTimes,
    cost: &CostModel,
    params: &BundlingParams,
) -> Result<Vec<Bundle>, GeoError> {
    let mut open: Vec<Bundle> = Vec::new();
    for &order in group {
        let alone = Bundle::single(order, model, service);
        if alone.pickup != group.first().map_or(order.pickup, |o| o.pickup) {
            return Err(GeoError::MalformedBundle);
        }
        let mut best: Option<(Seconds, usize, Bundle)> = None;
        for (i, bundle) in open.iter().enumerate() {
            if bundle.len() >= params.max_size
                || order.ready_at.max(now) - bundle.earliest_ready().max(now) > params.max_ready_gap
            {
                continue;
            }
            let mut members = bundle.orders.clone();
            members.push(order);
            let merged = Bundle::sequenced(&members, model, service, cost)?;
            let separate =
                bundle.route_time(service) + alone.route_time(service) + params.approach_estimate;
            let saving = separate - merged.route_time(service);
            if saving > Seconds::ZERO
                && delays_within_bound_at(now, &merged, model, service, params.max_added_delay)
                && best.as_ref().is_none_or(|(s, _, _)| saving > *s)
            {
                best = Some((saving, i, merged));
            }
        }
        match best {
            Some((_, i, merged)) => {
                if let Some(slot) = open.get_mut(i) {
                    *slot = merged;
                }
            }
            None => open.push(alone),
        }
    }
    Ok(open)
}

/// Whether every order of `bundle` reaches its customer at most `bound` later
/// than if it were delivered alone, straight from its own ready time.
pub fn delays_within_bound(
    bundle: &Bundle,
    model: &impl TravelModel,
    service: ServiceTimes,
    bound: Seconds,
) -> bool {
    delays_within_bound_at(Seconds(i64::MIN), bundle, model, service, bound)
}

/// [`delays_within_bound`] for a bundle formed at `now`: food ready earlier
/// counts as ready at `now`.
pub fn delays_within_bound_at(
    now: Seconds,
    bundle: &Bundle,
    model: &impl TravelModel,
    service: ServiceTimes,
    bound: Seconds,
) -> bool {
    bundle
        .orders
        .iter()
        .zip(&bundle.schedule.offsets)
        .all(|(o, &offset)| {
            let alone = Bundle::single(*o, model, service);
            let solo_drop =
                o.ready_at.max(now) + alone.schedule.offsets.first().copied().unwrap_or_default();
            (bundle.ready_at.max(now) + offset) - solo_drop <= bound
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{OrderId, StraightLine};

    fn pt(x: f64, y: f64) -> Point {
        Point::new(x, y).expect("valid point")
    }

    fn order(id: u64, restaurant: u64, at: (f64, f64), ready_min: i64) -> Order {
        Order {
            id: OrderId(id),
            restaurant: RestaurantId(restaurant),
            pickup: pt(restaurant as f64 * 10_000.0, 0.0),
            drop_off: pt(restaurant as f64 * 10_000.0 + at.0, at.1),
            placed_at: Seconds::from_minutes(ready_min - 15),
            ready_at: Seconds::from_minutes(ready_min),
        }
    }

    fn setup() -> (StraightLine, ServiceTimes, CostModel) {
        (
            StraightLine::new(320.0).expect("valid"),
            ServiceTimes::new(Seconds::from_minutes(4), Seconds::from_minutes(4)).expect("valid"),
            CostModel::default(),
        )
    }

    #[test]
    fn neighbours_of_one_restaurant_ready_together_share_a_courier() {
        let (model, service, cost) = setup();
        let orders = [
            order(1, 1, (1_500.0, 0.0), 30),
            order(2, 1, (1_600.0, 100.0), 32),
        ];
        let bundles = bundle_orders(&orders, &model, service, &cost, &BundlingParams::default())
            .expect("valid input");
        assert_eq!(bundles.len(), 1);
        assert_eq!(bundles[0].len(), 2);
        assert_eq!(bundles[0].ready_at, Seconds::from_minutes(32));
    }

    #[test]
    fn customers_in_opposite_directions_are_not_bundled() {
        let (model, service, cost) = setup();
        let orders = [
            order(1, 1, (4_000.0, 0.0), 30),
            order(2, 1, (-4_000.0, 0.0), 30),
        ];
        let bundles = bundle_orders(&orders, &model, service, &cost, &BundlingParams::default())
            .expect("valid input");
        assert_eq!(bundles.len(), 2);
    }

    #[test]
    fn ready_times_far_apart_are_not_bundled() {
        let (model, service, cost) = setup();
        let orders = [
            order(1, 1, (1_500.0, 0.0), 30),
            order(2, 1, (1_500.0, 10.0), 55),
        ];
        let bundles = bundle_orders(&orders, &model, service, &cost, &BundlingParams::default())
            .expect("valid input");
        assert_eq!(bundles.len(), 2);
    }

    #[test]
    fn orders_already_waiting_on_the_counter_are_bundled_whatever_their_ready_times() {
        let (model, service, cost) = setup();
        let orders = [
            order(1, 1, (1_500.0, 0.0), 30),
            order(2, 1, (1_500.0, 10.0), 55),
        ];
        let params = BundlingParams::default();
        let at = |minute: i64| {
            bundle_orders_at(
                Seconds::from_minutes(minute),
                &orders,
                &model,
                service,
                &cost,
                &params,
            )
            .expect("valid input")
        };
        // Before both are ready, 25 minutes apart is too far.
        assert_eq!(at(20).len(), 2);
        // Once both are ready, they wait together.
        let both_ready = at(60);
        assert_eq!(both_ready.len(), 1);
        assert_eq!(both_ready[0].len(), 2);
    }

    #[test]
    fn different_restaurants_never_share_a_bundle() {
        let (model, service, cost) = setup();
        let orders = [
            order(1, 1, (1_500.0, 0.0), 30),
            order(2, 2, (1_500.0, 0.0), 30),
        ];
        let bundles = bundle_orders(&orders, &model, service, &cost, &BundlingParams::default())
            .expect("valid input");
        assert_eq!(bundles.len(), 2);
    }

    #[test]
    fn bundle_size_is_capped() {
        let (model, service, cost) = setup();
        let orders: Vec<Order> = (0..7)
            .map(|i| order(i, 1, (1_500.0, i as f64), 30))
            .collect();
        let params = BundlingParams {
            max_size: 2,
            ..BundlingParams::default()
        };
        let bundles = bundle_orders(&orders, &model, service, &cost, &params).expect("valid input");
        assert!(bundles.iter().all(|b| b.len() <= 2));
        assert_eq!(bundles.iter().map(Bundle::len).sum::<usize>(), 7);
    }

    #[test]
    fn bad_input_is_refused() {
        let (model, service, cost) = setup();
        let o = order(1, 1, (1_500.0, 0.0), 30);
        let dup = bundle_orders(&[o, o], &model, service, &cost, &BundlingParams::default());
        assert_eq!(dup, Err(GeoError::DuplicateOrder(OrderId(1))));
        let params = BundlingParams {
            max_size: 0,
            ..BundlingParams::default()
        };
        assert!(bundle_orders(&[o], &model, service, &cost, &params).is_err());
        let mut moved = order(2, 1, (1_500.0, 0.0), 30);
        moved.pickup = pt(1.0, 1.0);
        assert_eq!(
            bundle_orders(
                &[o, moved],
                &model,
                service,
                &cost,
                &BundlingParams::default()
            ),
            Err(GeoError::MalformedBundle)
        );
        assert_eq!(
            Bundle::sequenced(&[], &model, service, &cost),
            Err(GeoError::MalformedBundle)
        );
    }

    #[test]
    fn adaptive_size_grows_with_load() {
        assert_eq!(adaptive_max_size(10, 20, 4), 1);
        assert_eq!(adaptive_max_size(30, 20, 4), 2);
        assert_eq!(adaptive_max_size(300, 20, 4), 4);
        assert_eq!(adaptive_max_size(5, 0, 4), 4);
        assert_eq!(adaptive_max_size(0, 0, 0), 1);
    }
}
