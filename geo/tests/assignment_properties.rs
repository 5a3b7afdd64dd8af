//! Properties of the batch assignment: the solver is optimal (equal to brute
//! force on small cases) and every round plan is feasible: no courier twice,
//! no order twice, no pickup after a shift end or before the food is ready.

#![allow(clippy::indexing_slicing, clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashSet;

use foodiefast_geo::assignment::solver::{SparseProblem, solve};
use foodiefast_geo::assignment::{AssignmentParams, RoundPlan, plan_round};
use foodiefast_geo::bundling::{Bundle, BundlingParams, bundle_orders};
use foodiefast_geo::cost::CostModel;
use foodiefast_geo::fleet::Fleet;
use foodiefast_geo::order::{Courier, Order};
use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds, StraightLine};
use proptest::prelude::*;

/// Least total cost over every assignment of rows to distinct columns or to nothing.
fn brute_force(rows: &[Vec<(usize, i64)>], unassigned: &[i64], used: &mut Vec<bool>) -> i64 {
    let Some((first, rest)) = rows.split_first() else {
        return 0;
    };
    let mut best = unassigned[0] + brute_force(rest, &unassigned[1..], used);
    for &(col, cost) in first {
        if !used[col] {
            used[col] = true;
            best = best.min(cost + brute_force(rest, &unassigned[1..], used));
            used[col] = false;
        }
    }
    best
}

fn sparse_problem() -> impl Strategy<Value = SparseProblem> {
    (1usize..7, 1usize..7).prop_flat_map(|(rows, columns)| {
        (
            proptest::collection::vec(
                proptest::collection::vec((0..columns, 0i64..100), 0..=columns),
                rows,
            ),
            proptest::collection::vec(0i64..150, rows),
        )
            .prop_map(move |(edges, unassigned_cost)| SparseProblem {
                columns,
                edges,
                unassigned_cost,
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn solver_cost_equals_brute_force(problem in sparse_problem()) {
        let solution = solve(&problem).expect("valid problem");
        let mut used = vec![false; problem.columns];
        let optimum = brute_force(&problem.edges, &problem.unassigned_cost, &mut used);
        prop_assert_eq!(solution.total_cost, optimum);

        // The reported assignment is a matching on existing edges, and costs what it says.
        let mut taken = HashSet::new();
        let mut recomputed = 0;
        for (row, choice) in solution.assignment.iter().enumerate() {
            match choice {
                Some(col) => {
                    prop_assert!(taken.insert(*col), "column {} used twice", col);
                    let cost = problem.edges[row].iter().filter(|(c, _)| c == col).map(|(_, k)| *k).min();
                    prop_assert!(cost.is_some(), "row {} took a column it has no edge to", row);
                    recomputed += cost.unwrap_or_default();
                }
                None => recomputed += problem.unassigned_cost[row],
            }
        }
        prop_assert_eq!(recomputed, solution.total_cost);
    }
}

fn pt(x: f64, y: f64) -> Point {
    Point::new(x, y).expect("valid point")
}

fn service() -> ServiceTimes {
    ServiceTimes::new(Seconds::from_minutes(4), Seconds::from_minutes(4)).expect("valid")
}

#[derive(Debug, Clone)]
struct Round {
    now: Seconds,
    orders: Vec<Order>,
    couriers: Vec<Courier>,
}

fn round(max_orders: usize, max_couriers: usize) -> impl Strategy<Value = Round> {
    let restaurants = proptest::collection::vec((0.0f64..8_000.0, 0.0f64..8_000.0), 1..5);
    restaurants.prop_flat_map(move |restaurants| {
        let n = restaurants.len();
        let orders = proptest::collection::vec(
            (0..n, 0.0f64..8_000.0, 0.0f64..8_000.0, 0i64..40, 0i64..30),
            1..=max_orders,
        );
        let couriers = proptest::collection::vec(
            (0.0f64..8_000.0, 0.0f64..8_000.0, 0i64..40, 0i64..120),
            0..=max_couriers,
        );
        (Just(restaurants), orders, couriers).prop_map(|(restaurants, orders, couriers)| {
            let now = Seconds::from_minutes(60);
            let orders = orders
                .into_iter()
                .enumerate()
                .map(|(i, (r, x, y, age, prep))| {
                    let (rx, ry) = restaurants[r];
                    let placed = now - Seconds::from_minutes(age);
                    Order {
                        id: OrderId(i as u64),
                        restaurant: RestaurantId(r as u64),
                        pickup: pt(rx, ry),
                        drop_off: pt(x, y),
                        placed_at: placed,
                        ready_at: placed + Seconds::from_minutes(prep),
                    }
                })
                .collect();
            let couriers = couriers
                .into_iter()
                .enumerate()
                .map(|(i, (x, y, busy, shift_left))| Courier {
                    id: CourierId(i as u64),
                    position: pt(x, y),
                    free_at: now + Seconds::from_minutes(busy) - Seconds::from_minutes(20),
                    shift_end: now + Seconds::from_minutes(shift_left),
                })
                .collect();
            Round {
                now,
                orders,
                couriers,
            }
        })
    })
}

fn plan(r: &Round, params: &AssignmentParams) -> (Vec<Bundle>, RoundPlan) {
    let model = StraightLine::new(320.0).expect("valid speed");
    let bundles = bundle_orders(
        &r.orders,
        &model,
        service(),
        &CostModel::default(),
        &BundlingParams::default(),
    )
    .expect("valid orders");
    let fleet = Fleet::from_couriers(r.couriers.iter().copied()).expect("distinct couriers");
    let plan = plan_round(r.now, &bundles, &fleet, &model, params).expect("valid round");
    (bundles, plan)
}

fn check_feasible(r: &Round, bundles: &[Bundle], plan: &RoundPlan) -> Result<(), TestCaseError> {
    let mut couriers = HashSet::new();
    let mut orders = HashSet::new();
    for a in &plan.assignments {
        let bundle = &bundles[a.bundle];
        let courier = r
            .couriers
            .iter()
            .find(|c| c.id == a.chosen.courier)
            .expect("known courier");
        prop_assert!(
            couriers.insert(courier.id),
            "courier {} got two bundles",
            courier.id
        );
        for o in &bundle.orders {
            prop_assert!(orders.insert(o.id), "order {} assigned twice", o.id);
        }
        prop_assert!(
            a.chosen.pickup_at <= courier.shift_end,
            "pickup after shift end"
        );
        prop_assert!(
            a.chosen.pickup_at >= bundle.ready_at,
            "pickup before food is ready"
        );
        prop_assert!(
            a.chosen.arrive_at >= r.now.max(courier.free_at),
            "arrives before setting off"
        );
        prop_assert!(a.chosen.pickup_at >= a.chosen.arrive_at + service().pickup().half());
        prop_assert!(a.chosen.latest_departure >= r.now.max(courier.free_at));
        prop_assert!(
            a.drop_offs
                .windows(2)
                .all(|w| w[1] >= w[0] + service().drop_off())
        );
        prop_assert!(
            plan.candidates(a.bundle).contains(&a.chosen),
            "chosen courier was not a candidate"
        );
    }
    let assigned: HashSet<usize> = plan.assignments.iter().map(|a| a.bundle).collect();
    let left: HashSet<usize> = plan.unassigned.iter().copied().collect();
    prop_assert_eq!(assigned.len() + left.len(), bundles.len());
    prop_assert!(assigned.is_disjoint(&left));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_round_never_double_books_nor_plans_past_a_shift(r in round(40, 25)) {
        let (bundles, plan) = plan(&r, &AssignmentParams::new(service()));
        check_feasible(&r, &bundles, &plan)?;
    }

    #[test]
    fn a_round_is_optimal_on_its_candidate_graph(r in round(7, 6)) {
        let params = AssignmentParams::new(service());
        let (bundles, plan) = plan(&r, &params);
        check_feasible(&r, &bundles, &plan)?;
        let lists: Vec<_> = (0..bundles.len()).map(|b| plan.candidates(b)).collect();
        prop_assert_eq!(lists.iter().map(Vec::len).sum::<usize>(), plan.candidate_edges());
        for list in &lists {
            prop_assert!(list.windows(2).all(|w| (w[0].cost, w[0].courier) < (w[1].cost, w[1].courier)));
        }
        let mut columns: Vec<CourierId> = lists.iter().flatten().map(|c| c.courier).collect();
        columns.sort();
        columns.dedup();
        let rows: Vec<Vec<(usize, i64)>> = lists
            .iter()
            .map(|list| list.iter().map(|c| (columns.binary_search(&c.courier).unwrap_or(0), c.cost)).collect())
            .collect();
        let unassigned: Vec<i64> = bundles
            .iter()
            .zip(&rows)
            .map(|(b, row)| params.unassigned_cost(r.now, b, row.iter().map(|&(_, c)| c).min()))
            .collect();
        let mut used = vec![false; columns.len()];
        prop_assert_eq!(plan.total_cost, brute_force(&rows, &unassigned, &mut used));
    }

    #[test]
    fn a_round_is_deterministic(r in round(30, 20)) {
        let params = AssignmentParams::new(service());
        let first = plan(&r, &params);
        let mut shuffled = r.clone();
        shuffled.couriers.reverse();
        shuffled.orders.reverse();
        prop_assert_eq!(first, plan(&shuffled, &params));
    }
}

#[test]
fn the_courier_who_gets_there_in_time_wins_over_a_nearer_one_ending_its_shift() {
    let model = StraightLine::new(320.0).expect("valid speed");
    let order = Order {
        id: OrderId(1),
        restaurant: RestaurantId(1),
        pickup: pt(0.0, 0.0),
        drop_off: pt(3_200.0, 0.0),
        placed_at: Seconds::from_minutes(0),
        ready_at: Seconds::from_minutes(20),
    };
    let near_but_leaving = Courier {
        id: CourierId(1),
        position: pt(100.0, 0.0),
        free_at: Seconds::ZERO,
        shift_end: Seconds::from_minutes(15),
    };
    let farther = Courier {
        id: CourierId(2),
        position: pt(3_200.0, 0.0),
        free_at: Seconds::ZERO,
        shift_end: Seconds::from_minutes(120),
    };
    let bundles = vec![Bundle::single(order, &model, service())];
    let fleet = Fleet::from_couriers([near_but_leaving, farther]).expect("distinct");
    let plan = plan_round(
        Seconds::from_minutes(5),
        &bundles,
        &fleet,
        &model,
        &AssignmentParams::new(service()),
    )
    .expect("valid round");
    assert_eq!(plan.assignments.len(), 1);
    assert_eq!(plan.assignments[0].chosen.courier, CourierId(2));
    // The courier 10 minutes away is told to set off at minute 8, not at once.
    assert_eq!(
        plan.assignments[0].chosen.pickup_at,
        Seconds::from_minutes(20)
    );
    assert_eq!(
        plan.assignments[0].chosen.latest_departure,
        Seconds::from_minutes(8)
    );
    // Drop-off: leave at 22, ten minutes' ride, two minutes' service.
    assert_eq!(
        plan.assignments[0].drop_offs,
        vec![Seconds::from_minutes(34)]
    );
    assert_eq!(
        plan.candidates(0).len(),
        1,
        "the leaving courier is no candidate"
    );
}

#[test]
fn a_scarce_courier_goes_to_the_bundle_that_would_suffer_most_without_it() {
    let model = StraightLine::new(320.0).expect("valid speed");
    let mk = |id: u64, x: f64, placed: i64| Order {
        id: OrderId(id),
        restaurant: RestaurantId(id),
        pickup: pt(x, 0.0),
        drop_off: pt(x, 1_000.0),
        placed_at: Seconds::from_minutes(placed),
        ready_at: Seconds::from_minutes(30),
    };
    // Courier 1 sits between both restaurants; courier 2 is far from restaurant A only.
    let a = mk(1, 0.0, 0);
    let b = mk(2, 2_000.0, 0);
    let c1 = Courier {
        id: CourierId(1),
        position: pt(1_000.0, 0.0),
        free_at: Seconds::ZERO,
        shift_end: Seconds::from_minutes(200),
    };
    let c2 = Courier {
        id: CourierId(2),
        position: pt(12_000.0, 0.0),
        free_at: Seconds::ZERO,
        shift_end: Seconds::from_minutes(200),
    };
    let bundles = vec![
        Bundle::single(a, &model, service()),
        Bundle::single(b, &model, service()),
    ];
    let fleet = Fleet::from_couriers([c1, c2]).expect("distinct");
    let plan = plan_round(
        Seconds::from_minutes(25),
        &bundles,
        &fleet,
        &model,
        &AssignmentParams::new(service()),
    )
    .expect("valid round");
    let courier_of = |bundle: usize| {
        plan.assignments
            .iter()
            .find(|x| x.bundle == bundle)
            .map(|x| x.chosen.courier)
    };
    // Courier 2 is 10 minutes nearer to B than to A: giving it B costs least overall.
    assert_eq!(courier_of(0), Some(CourierId(1)));
    assert_eq!(courier_of(1), Some(CourierId(2)));
}

#[test]
fn a_lone_courier_goes_to_the_order_that_has_waited_longest_not_the_freshest() {
    let model = StraightLine::new(320.0).expect("valid speed");
    let mk = |id: u64, x: f64, placed: i64| Order {
        id: OrderId(id),
        restaurant: RestaurantId(id),
        pickup: pt(x, 0.0),
        drop_off: pt(x, 1_600.0),
        placed_at: Seconds::from_minutes(placed),
        ready_at: Seconds::from_minutes(60),
    };
    // Both restaurants 10 minutes from the courier; one order was placed
    // 55 minutes before the other, so delivering it costs far more.
    let old = mk(1, -3_200.0, 0);
    let fresh = mk(2, 3_200.0, 55);
    let courier = Courier {
        id: CourierId(1),
        position: pt(0.0, 0.0),
        free_at: Seconds::ZERO,
        shift_end: Seconds::from_minutes(300),
    };
    let bundles = vec![
        Bundle::single(fresh, &model, service()),
        Bundle::single(old, &model, service()),
    ];
    let fleet = Fleet::from_couriers([courier]).expect("distinct");
    let params = AssignmentParams::new(service());
    let plan = plan_round(Seconds::from_minutes(56), &bundles, &fleet, &model, &params)
        .expect("valid round");
    assert_eq!(plan.assignments.len(), 1);
    assert_eq!(plan.assignments[0].bundle, 1, "the old order goes first");
    assert_eq!(plan.unassigned, vec![0]);
    // Leaving the old order costs more than leaving the fresh one, by its
    // longer wait and its dearer plan.
    let cheapest = |b: usize| plan.candidates(b).first().map(|c| c.cost);
    let now = Seconds::from_minutes(56);
    assert!(
        params.unassigned_cost(now, &bundles[1], cheapest(1))
            > params.unassigned_cost(now, &bundles[0], cheapest(0)) + 55 * 60
    );
}

#[test]
fn bundles_left_without_candidates_are_widened_to_free_couriers() {
    let model = StraightLine::new(320.0).expect("valid speed");
    // Ten single orders at one spot, ten couriers in a line: with one candidate
    // per bundle, all bundles see the same nearest courier at first.
    let orders: Vec<Order> = (0..10)
        .map(|i| Order {
            id: OrderId(i),
            restaurant: RestaurantId(i),
            pickup: pt(0.0, 0.0),
            drop_off: pt(100.0 * i as f64, 5_000.0),
            placed_at: Seconds::ZERO,
            ready_at: Seconds::from_minutes(30),
        })
        .collect();
    let couriers: Vec<Courier> = (0..10)
        .map(|i| Courier {
            id: CourierId(i),
            position: pt(200.0 * (i + 1) as f64, 0.0),
            free_at: Seconds::ZERO,
            shift_end: Seconds::from_minutes(300),
        })
        .collect();
    let bundles: Vec<Bundle> = orders
        .iter()
        .map(|o| Bundle::single(*o, &model, service()))
        .collect();
    let fleet = Fleet::from_couriers(couriers).expect("distinct");
    let mut params = AssignmentParams::new(service());
    params.candidates_per_bundle = 1;
    params.widening_passes = 0;
    let narrow = plan_round(Seconds::ZERO, &bundles, &fleet, &model, &params).expect("valid");
    assert_eq!(narrow.assignments.len(), 1);
    params.widening_passes = 10;
    let wide = plan_round(Seconds::ZERO, &bundles, &fleet, &model, &params).expect("valid");
    assert_eq!(wide.assignments.len(), 10);
}

#[test]
fn malformed_rounds_are_refused() {
    let model = StraightLine::new(320.0).expect("valid speed");
    let order = Order {
        id: OrderId(1),
        restaurant: RestaurantId(1),
        pickup: pt(0.0, 0.0),
        drop_off: pt(1.0, 0.0),
        placed_at: Seconds::ZERO,
        ready_at: Seconds::ZERO,
    };
    let b = Bundle::single(order, &model, service());
    let fleet = Fleet::new();
    let params = AssignmentParams::new(service());
    assert!(
        plan_round(
            Seconds::ZERO,
            &[b.clone(), b.clone()],
            &fleet,
            &model,
            &params
        )
        .is_err()
    );
    let mut empty = b.clone();
    empty.orders.clear();
    assert!(plan_round(Seconds::ZERO, &[empty], &fleet, &model, &params).is_err());
    let mut zero = params;
    zero.candidates_per_bundle = 0;
    assert!(plan_round(Seconds::ZERO, &[b], &fleet, &model, &zero).is_err());
}
