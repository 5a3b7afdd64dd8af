//! Prepositioning: sending idle couriers towards restaurants where orders
//! are expected and few couriers are near, before those orders arrive.
//!
//! The rule, run by a zone's dispatcher at most once a minute:
//!
//! 1. **Expected demand** around a restaurant is the recent order rate
//!    (orders placed in the last `demand_window`, counted from what the
//!    dispatcher has been told: never an order not yet placed) of every
//!    restaurant within `near` travel time of it, itself included, times the
//!    `horizon` looked ahead: 6 orders in the last hour around it expect 2
//!    in the next 20 minutes. A courier waiting there serves them all.
//! 2. **Supply** around a restaurant is the couriers within `near` of it who
//!    are free, or will be within the horizon (busy couriers count at their
//!    planned finish, moving ones at their destination).
//! 3. A restaurant is **short** when expected demand exceeds supply by at
//!    least `min_shortfall`. The shortest is served first: the nearest idle
//!    courier within `max_travel` is sent there, provided that leaving does
//!    not make any restaurant it now covers short (a courier already at a
//!    good spot stays), and that it arrives `near` before its shift ends.
//!    Supplies are updated (the courier now counts around its destination,
//!    no longer around where it was) and the next shortest restaurant is
//!    served.
//! 4. At most `max_share` of the idle couriers move in one go, and a courier
//!    moved is not moved again for `rest` (hysteresis: it is not bounced
//!    between two restaurants whose counts flicker). Both are the caller's to
//!    apply to the couriers it offers as idle, except the share, applied here.
//!
//! A move is an instruction, not a plan: the dispatcher treats the courier as
//! busy until it arrives and plans with it at the restaurant from its arrival
//! (no diversion mid-move). Everything here is deterministic: ties go to the
//! lower restaurant id, then the lower courier id.

use std::collections::BTreeMap;

use crate::fleet::Fleet;
use crate::order::Courier;
use crate::{CourierId, GeoError, Point, RestaurantId, Seconds, TravelModel};

/// How prepositioning decides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrepositionParams {
    /// Orders placed this long before now make a restaurant's rate.
    pub demand_window: Seconds,
    /// Demand and supply are compared over this much of the future.
    pub horizon: Seconds,
    /// A courier this close (travel time) covers a restaurant.
    pub near: Seconds,
    /// A courier is never sent farther than this.
    pub max_travel: Seconds,
    /// Expected orders beyond supply that make a restaurant short.
    pub min_shortfall: f64,
    /// At most this share of the idle couriers move in one go.
    pub max_share: f64,
    /// A courier moved is not moved again for this long (the caller applies it).
    pub rest: Seconds,
}

impl Default for PrepositionParams {
    /// An hour of orders predicts the next 20 minutes; 5 minutes away
    /// covers a restaurant; moves of at most 10 minutes, a third of the
    /// idle couriers at once, 30 minutes' rest between moves.
    fn default() -> Self {
        Self {
            demand_window: Seconds::from_minutes(60),
            horizon: Seconds::from_minutes(20),
            near: Seconds::from_minutes(5),
            max_travel: Seconds::from_minutes(10),
            min_shortfall: 1.0,
            max_share: 1.0 / 3.0,
            rest: Seconds::from_minutes(30),
        }
    }
}

impl PrepositionParams {
    /// Checks that durations are positive and the shares make sense.
    pub fn validate(&self) -> Result<(), GeoError> {
        let positive = [self.demand_window, self.horizon, self.near, self.max_travel]
            .iter()
            .all(|d| *d > Seconds::ZERO);
        if !positive || self.rest < Seconds::ZERO {
            return Err(GeoError::InvalidParameter {
                name: "preposition durations",
                reason: "window, horizon, near and max travel must be positive, rest not negative",
            });
        }
        if !(self.min_shortfall.is_finite() && self.min_shortfall > 0.0) {
            return Err(GeoError::InvalidParameter {
                name: "preposition min_shortfall",
                reason: "must be a finite number greater than zero",
            });
        }
        if !(self.max_share.is_finite() && (0.0..=1.0).contains(&self.max_share)) {
            return Err(GeoError::InvalidParameter {
                name: "preposition max_share",
                reason: "must lie in [0, 1]",
            });
        }
        Ok(())
    }
}

/// An order already placed, as demand at its restaurant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedOrder {
    /// Its restaurant.
    pub restaurant: RestaurantId,
    /// Where the restaurant is.
    pub at: Point,
    /// When it was placed.
    pub placed_at: Seconds,
}

/// An idle courier sent towards a restaurant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Move {
    /// Who.
    pub courier: CourierId,
    /// Where to.
    pub restaurant: RestaurantId,
    /// The restaurant's position.
    pub to: Point,
    /// When the courier will be there, setting off now.
    pub arrive_at: Seconds,
}

/// A restaurant with recent demand.
#[derive(Debug, Clone, Copy)]
struct Spot {
    at: Point,
    expected: f64,
    supply: f64,
}

impl Spot {
    fn shortfall(&self) -> f64 {
        self.expected - self.supply
    }
}

/// The moves at `now`: `recent` are orders the dispatcher was told of (any
/// placed after `now` or before the window are ignored), `fleet` every
/// courier planned with (free, busy at its planned finish, moving at its
/// destination), `idle` the couriers free to move now (the caller leaves out
/// those with a plan and those still resting).
pub fn plan_moves<M: TravelModel>(
    now: Seconds,
    recent: &[PlacedOrder],
    fleet: &Fleet,
    idle: &[Courier],
    model: &M,
    params: &PrepositionParams,
) -> Vec<Move> {
    let mut spots = expected_demand(now, recent, model, params);
    if spots.is_empty() || idle.is_empty() {
        return Vec::new();
    }
    for spot in spots.values_mut() {
        spot.supply = fleet
            .index()
            .reachable_within(spot.at, params.near, model)
            .iter()
            .filter(|r| {
                fleet
                    .get(r.courier)
                    .is_some_and(|c| c.free_at <= now + params.horizon)
            })
            .count() as f64;
    }
    // Floor: a share of one idle courier moves nobody.
    let budget = (idle.len() as f64 * params.max_share).floor() as usize;
    let mut candidates: Vec<Courier> = idle.to_vec();
    candidates.sort_by_key(|c| c.id);
    let mut moves = Vec::new();
    let mut served: Vec<RestaurantId> = Vec::new();
    while moves.len() < budget {
        let Some((&target, &spot)) = spots
            .iter()
            .filter(|(r, s)| s.shortfall() >= params.min_shortfall && !served.contains(r))
            .max_by(|a, b| {
                a.1.shortfall()
                    .total_cmp(&b.1.shortfall())
                    .then(b.0.cmp(a.0))
            })
        else {
            break;
        };
        let chosen = candidates
            .iter()
            .enumerate()
            .filter_map(|(k, c)| {
                let travel = model.travel_time(c.position, spot.at);
                let fits = travel <= params.max_travel
                    && now + travel + params.near <= c.shift_end
                    && may_leave(c, &spots, model, params);
                fits.then_some((travel, c.id, k))
            })
            .min();
        let Some((travel, courier, k)) = chosen else {
            served.push(target);
            continue;
        };
        let left = candidates.remove(k);
        for other in spots.values_mut() {
            if model.travel_time(left.position, other.at) <= params.near {
                other.supply -= 1.0;
            }
            if model.travel_time(spot.at, other.at) <= params.near {
                other.supply += 1.0;
            }
        }
        moves.push(Move {
            courier,
            restaurant: target,
            to: spot.at,
            arrive_at: now + travel,
        });
    }
    moves
}

/// Expected orders within the horizon around each restaurant with orders
/// placed in the window ending at `now`.
fn expected_demand<M: TravelModel>(
    now: Seconds,
    recent: &[PlacedOrder],
    model: &M,
    params: &PrepositionParams,
) -> BTreeMap<RestaurantId, Spot> {
    let per_order = params.horizon.0 as f64 / params.demand_window.0 as f64;
    let mut spots: BTreeMap<RestaurantId, Spot> = BTreeMap::new();
    for order in recent {
        let revealed = order.placed_at <= now;
        if !revealed || order.placed_at <= now - params.demand_window {
            continue;
        }
        spots
            .entry(order.restaurant)
            .or_insert(Spot {
                at: order.at,
                expected: 0.0,
                supply: 0.0,
            })
            .expected += per_order;
    }
    let own: Vec<(Point, f64)> = spots.values().map(|s| (s.at, s.expected)).collect();
    for spot in spots.values_mut() {
        spot.expected = own
            .iter()
            .filter(|(at, _)| model.travel_time(spot.at, *at) <= params.near)
            .map(|(_, expected)| expected)
            .sum();
    }
    spots
}

/// Whether `courier` leaving keeps every restaurant it covers from falling
/// short: a courier already where it is needed stays.
fn may_leave<M: TravelModel>(
    courier: &Courier,
    spots: &BTreeMap<RestaurantId, Spot>,
    model: &M,
    params: &PrepositionParams,
) -> bool {
    spots.values().all(|s| {
        model.travel_time(courier.position, s.at) > params.near
            || s.shortfall() + 1.0 < params.min_shortfall
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StraightLine;

    const SPEED: f64 = 100.0; // metres per minute

    fn m(minutes: i64) -> Seconds {
        Seconds::from_minutes(minutes)
    }

    fn pt(x: f64) -> Point {
        Point::new(x, 0.0).unwrap()
    }

    fn courier(id: u64, x: f64, free_at: Seconds) -> Courier {
        Courier {
            id: CourierId(id),
            position: pt(x),
            free_at,
            shift_end: m(600),
        }
    }

    /// `n` orders of restaurant `r` at `x`, placed at `placed_at`.
    fn orders(n: usize, r: u64, x: f64, placed_at: Seconds) -> Vec<PlacedOrder> {
        vec![
            PlacedOrder {
                restaurant: RestaurantId(r),
                at: pt(x),
                placed_at,
            };
            n
        ]
    }

    fn plan(now: Seconds, recent: &[PlacedOrder], couriers: &[Courier]) -> Vec<Move> {
        plan_with(now, recent, couriers, &PrepositionParams::default())
    }

    fn plan_with(
        now: Seconds,
        recent: &[PlacedOrder],
        couriers: &[Courier],
        params: &PrepositionParams,
    ) -> Vec<Move> {
        let fleet = Fleet::from_couriers(couriers.iter().copied()).unwrap();
        let idle: Vec<Courier> = couriers
            .iter()
            .copied()
            .filter(|c| c.free_at <= now)
            .collect();
        let model = StraightLine::new(SPEED).unwrap();
        plan_moves(now, recent, &fleet, &idle, &model, params)
    }

    #[test]
    fn an_idle_courier_goes_to_a_busy_restaurant_with_nobody_near() {
        // Six orders in the last hour at r1 (x = 800): two expected in 20
        // minutes, nobody within 5 minutes (500 m).
        let recent = orders(6, 1, 800.0, m(100));
        let couriers = [
            courier(1, 0.0, m(0)),
            courier(2, 5_000.0, m(0)),
            courier(3, 9_000.0, m(0)),
        ];
        let moves = plan(m(120), &recent, &couriers);
        assert_eq!(
            moves,
            vec![Move {
                courier: CourierId(1),
                restaurant: RestaurantId(1),
                to: pt(800.0),
                arrive_at: m(128),
            }]
        );
    }

    #[test]
    fn the_shortest_restaurant_is_served_first_and_couriers_beyond_max_travel_stay() {
        // r1 expects 1 (3 orders), r2 expects 3 (9 orders); 3 idle couriers
        // allow one move. Courier 1 could reach r1, but r2 is shorter.
        let mut recent = orders(3, 1, 0.0, m(100));
        recent.extend(orders(9, 2, 3_000.0, m(100)));
        let couriers = [
            courier(1, 900.0, m(0)),
            courier(2, 2_000.0, m(0)),
            courier(7, 20_000.0, m(0)),
        ];
        let moves = plan(m(120), &recent, &couriers);
        assert_eq!(moves.len(), 1);
        assert_eq!(
            (moves[0].courier, moves[0].restaurant),
            (CourierId(2), RestaurantId(2))
        );
        // Too far (more than 10 minutes) for anyone: nobody moves.
        let far = orders(9, 3, 50_000.0, m(100));
        assert!(plan(m(120), &far, &couriers).is_empty());
    }

    #[test]
    fn nobody_moves_where_supply_covers_demand_or_without_demand() {
        let recent = orders(6, 1, 500.0, m(100));
        // Two couriers within 5 minutes of r1 (and one soon free there).
        let covered = [
            courier(1, 400.0, m(0)),
            courier(2, 600.0, m(0)),
            courier(3, 4_000.0, m(0)),
        ];
        assert!(plan(m(120), &recent, &covered).is_empty());
        let busy_soon = [
            courier(1, 400.0, m(130)),
            courier(2, 600.0, m(135)),
            courier(3, 4_000.0, m(0)),
            courier(4, 4_100.0, m(0)),
        ];
        assert!(plan(m(120), &recent, &busy_soon).is_empty());
        assert!(plan(m(120), &[], &covered).is_empty());
    }

    #[test]
    fn orders_not_yet_placed_or_older_than_the_window_count_for_nothing() {
        let couriers = [
            courier(1, 0.0, m(0)),
            courier(2, 5_000.0, m(0)),
            courier(3, 9_000.0, m(0)),
        ];
        // Placed after now: unknown to any real dispatcher.
        assert!(plan(m(120), &orders(30, 1, 800.0, m(121)), &couriers).is_empty());
        // Placed more than an hour ago.
        assert!(plan(m(120), &orders(30, 1, 800.0, m(60)), &couriers).is_empty());
        assert_eq!(
            plan(m(120), &orders(30, 1, 800.0, m(61)), &couriers).len(),
            1
        );
    }

    #[test]
    fn a_courier_needed_where_it_is_stays() {
        // r1 at 0 expects 2 and has only courier 1 near it; r2 at 900 expects 3
        // with nobody near. Courier 1 (at 100) is the nearest to r2, but
        // leaving would make r1 short: courier 2 goes instead.
        let mut recent = orders(6, 1, 0.0, m(100));
        recent.extend(orders(9, 2, 900.0, m(100)));
        let couriers = [
            courier(1, 100.0, m(0)),
            courier(2, 1_800.0, m(0)),
            courier(3, 9_000.0, m(0)),
        ];
        let moves = plan(m(120), &recent, &couriers);
        assert_eq!(moves.len(), 1);
        assert_eq!(moves[0].courier, CourierId(2));
    }

    #[test]
    fn at_most_the_share_of_idle_couriers_moves_and_none_with_its_shift_ending() {
        let mut recent = orders(30, 1, 0.0, m(100));
        recent.extend(orders(30, 2, 2_000.0, m(100)));
        let couriers: Vec<Courier> = (1..=6)
            .map(|k| courier(k, 1_000.0 - k as f64, m(0)))
            .collect();
        // 6 idle, a third: two moves.
        assert_eq!(plan(m(120), &recent, &couriers).len(), 2);
        let none = PrepositionParams {
            max_share: 0.0,
            ..PrepositionParams::default()
        };
        assert!(plan_with(m(120), &recent, &couriers, &none).is_empty());
        let ending: Vec<Courier> = couriers
            .iter()
            .map(|c| Courier {
                shift_end: m(130),
                ..*c
            })
            .collect();
        assert!(plan(m(120), &recent, &ending).is_empty());
    }

    #[test]
    fn neighbouring_restaurants_pool_their_demand() {
        // Two orders each at r1 and r2, 200 m apart: neither expects one
        // alone, together they do (and nobody is within 5 minutes).
        let mut recent = orders(2, 1, 800.0, m(100));
        recent.extend(orders(2, 2, 1_000.0, m(100)));
        let couriers = [
            courier(1, 0.0, m(0)),
            courier(2, 5_000.0, m(0)),
            courier(3, 9_000.0, m(0)),
        ];
        let moves = plan(m(120), &recent, &couriers);
        assert_eq!(moves.len(), 1);
        assert_eq!(moves[0].courier, CourierId(1));
        let apart = [orders(2, 1, 800.0, m(100)), orders(2, 2, 4_000.0, m(100))].concat();
        assert!(plan(m(120), &apart, &couriers).is_empty());
    }

    #[test]
    fn bad_parameters_are_refused() {
        let mut p = PrepositionParams::default();
        assert!(p.validate().is_ok());
        p.max_share = 1.5;
        assert!(p.validate().is_err());
        p = PrepositionParams {
            near: Seconds::ZERO,
            ..PrepositionParams::default()
        };
        assert!(p.validate().is_err());
        p = PrepositionParams {
            min_shortfall: f64::NAN,
            ..PrepositionParams::default()
        };
        assert!(p.validate().is_err());
    }
}
