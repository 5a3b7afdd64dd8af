//! `CourierIndex` against a brute-force oracle.
//!
//! Every query of the index must answer exactly what a full scan of a plain
//! `HashMap<CourierId, Point>` answers: the same couriers, in the same order
//! (by squared distance or travel time, ties by courier id), with the same
//! distances and travel times. The properties drive the index through random
//! sequences of inserts, moves, upserts and removals (refused ones included),
//! and through `bulk_load`; coordinates on coarse integer grids make exact
//! distance ties common so the tie-breaking is exercised, not just the geometry.

use std::cell::Cell;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use foodiefast_geo::index::{Neighbour, Reachable};
use foodiefast_geo::{
    CourierId, CourierIndex, GeoError, Haversine, LatLng, LocalProjection, Point, Seconds,
    StraightLine, TravelModel,
};
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};

// ---------------------------------------------------------------------------
// The oracle.

/// The reference: a plain map, scanned in full for every query.
#[derive(Debug, Default)]
struct Model {
    couriers: HashMap<CourierId, Point>,
}

/// Squared distance, written out independently of the crate under test.
fn squared_distance(a: Point, b: Point) -> f64 {
    let dx = a.x() - b.x();
    let dy = a.y() - b.y();
    dx * dx + dy * dy
}

/// Sorts `(squared distance, courier, position)` hits nearest first, ties by id.
fn nearest_first(mut hits: Vec<(f64, CourierId, Point)>) -> Vec<Neighbour> {
    hits.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    hits.into_iter()
        .map(|(d2, courier, position)| Neighbour {
            courier,
            position,
            distance_m: d2.sqrt(),
        })
        .collect()
}

impl Model {
    fn nearest_where(
        &self,
        to: Point,
        k: usize,
        max_distance_m: f64,
        accept: impl Fn(CourierId, Point) -> bool,
    ) -> Vec<Neighbour> {
        let hits = self
            .couriers
            .iter()
            .map(|(&id, &p)| (squared_distance(p, to), id, p))
            .filter(|&(d2, id, p)| {
                max_distance_m >= 0.0 && d2 <= max_distance_m * max_distance_m && accept(id, p)
            })
            .collect();
        let mut found = nearest_first(hits);
        found.truncate(k);
        found
    }

    fn within_radius(&self, of: Point, radius_m: f64) -> Vec<Neighbour> {
        nearest_first(
            self.couriers
                .iter()
                .map(|(&id, &p)| (squared_distance(p, of), id, p))
                .filter(|&(d2, _, _)| radius_m >= 0.0 && d2 <= radius_m * radius_m)
                .collect(),
        )
    }

    fn reachable_within(
        &self,
        destination: Point,
        budget: Seconds,
        travel: &impl TravelModel,
    ) -> Vec<Reachable> {
        let mut found: Vec<Reachable> = self
            .couriers
            .iter()
            .map(|(&courier, &position)| Reachable {
                courier,
                position,
                travel: travel.travel_time(position, destination),
            })
            .filter(|r| r.travel <= budget)
            .collect();
        found.sort_by_key(|r| (r.travel, r.courier));
        found
    }
}

// ---------------------------------------------------------------------------
// Operations and queries.

/// A deterministic courier filter for `nearest_where`: rejects ids congruent
/// to `rejected` modulo `modulus` (`modulus == 1, rejected == 0` rejects all).
#[derive(Debug, Clone, Copy)]
struct IdFilter {
    modulus: u64,
    rejected: u64,
}

impl IdFilter {
    fn accepts(self, id: CourierId) -> bool {
        id.0 % self.modulus != self.rejected
    }
}

#[derive(Debug, Clone)]
struct Query {
    at: Point,
    k: usize,
    max_distance_m: f64,
    radius_m: f64,
    filter: IdFilter,
    budget: Seconds,
}

#[derive(Debug, Clone)]
enum Op {
    Insert(CourierId, Point),
    MoveTo(CourierId, Point),
    Upsert(CourierId, Point),
    Remove(CourierId),
    Query(Query),
}

/// Runs every query kind at `q` on both the index and the oracle.
fn check_query(
    index: &CourierIndex,
    model: &Model,
    q: &Query,
    travel: &impl TravelModel,
) -> Result<(), TestCaseError> {
    let everyone = |_, _| true;
    prop_assert_eq!(
        index.nearest(q.at, q.k),
        model.nearest_where(q.at, q.k, f64::INFINITY, everyone),
        "nearest({:?}, {})",
        q.at,
        q.k
    );

    // The predicate must be shown each courier at its indexed position.
    let shown_a_wrong_position = Cell::new(false);
    let found = index.nearest_where(q.at, q.k, q.max_distance_m, |id, p| {
        if model.couriers.get(&id) != Some(&p) {
            shown_a_wrong_position.set(true);
        }
        q.filter.accepts(id)
    });
    prop_assert!(
        !shown_a_wrong_position.get(),
        "nearest_where's predicate saw a courier away from its indexed position"
    );
    prop_assert_eq!(
        found,
        model.nearest_where(q.at, q.k, q.max_distance_m, |id, _| q.filter.accepts(id)),
        "nearest_where({:?}, {}, {}, {:?})",
        q.at,
        q.k,
        q.max_distance_m,
        q.filter
    );

    prop_assert_eq!(
        index.within_radius(q.at, q.radius_m),
        model.within_radius(q.at, q.radius_m),
        "within_radius({:?}, {})",
        q.at,
        q.radius_m
    );
    prop_assert_eq!(
        index.reachable_within(q.at, q.budget, travel),
        model.reachable_within(q.at, q.budget, travel),
        "reachable_within({:?}, {})",
        q.at,
        q.budget
    );
    Ok(())
}

/// The index holds exactly the oracle's couriers, and says so itself.
fn check_contents(index: &CourierIndex, model: &Model) -> Result<(), TestCaseError> {
    prop_assert!(index.is_consistent());
    prop_assert_eq!(index.len(), model.couriers.len());
    prop_assert_eq!(index.is_empty(), model.couriers.is_empty());
    let listed: HashMap<CourierId, Point> = index.iter().collect();
    prop_assert_eq!(listed.len(), index.len(), "iter() lists a courier twice");
    prop_assert_eq!(&listed, &model.couriers);
    Ok(())
}

/// Applies `ops` to both, checking every result; then runs `queries`.
fn run(
    mut index: CourierIndex,
    mut model: Model,
    ops: &[Op],
    queries: &[Query],
    travel: &impl TravelModel,
) -> Result<(), TestCaseError> {
    check_contents(&index, &model)?;
    for op in ops {
        match *op {
            Op::Insert(id, at) => {
                let expected = match model.couriers.entry(id) {
                    Entry::Occupied(_) => Err(GeoError::DuplicateCourier(id)),
                    Entry::Vacant(slot) => {
                        slot.insert(at);
                        Ok(())
                    }
                };
                prop_assert_eq!(index.insert(id, at), expected);
            }
            Op::MoveTo(id, to) => {
                let expected = match model.couriers.get_mut(&id) {
                    Some(slot) => Ok(std::mem::replace(slot, to)),
                    None => Err(GeoError::UnknownCourier(id)),
                };
                prop_assert_eq!(index.move_to(id, to), expected);
            }
            Op::Upsert(id, at) => {
                model.couriers.insert(id, at);
                index.upsert(id, at);
            }
            Op::Remove(id) => {
                prop_assert_eq!(index.remove(id), model.couriers.remove(&id));
            }
            Op::Query(ref q) => check_query(&index, &model, q, travel)?,
        }
        // Refused operations must leave everything as it was.
        check_contents(&index, &model)?;
        if let Op::Insert(id, _) | Op::MoveTo(id, _) | Op::Upsert(id, _) | Op::Remove(id) = *op {
            prop_assert_eq!(index.contains(id), model.couriers.contains_key(&id));
            prop_assert_eq!(index.position(id), model.couriers.get(&id).copied());
        }
    }
    for q in queries {
        check_query(&index, &model, q, travel)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Strategies.

/// Where couriers and queries live, and the scale of radii and budgets there.
#[derive(Clone)]
struct Space {
    point: BoxedStrategy<Point>,
    distance: BoxedStrategy<f64>,
    budget: BoxedStrategy<Seconds>,
}

fn point_from(xy: (f64, f64)) -> Option<Point> {
    Point::new(xy.0, xy.1).ok()
}

/// Integer coordinates `0..side`: many couriers at exactly equal distances.
fn grid(side: u32) -> Space {
    let reach = 2 * side;
    Space {
        point: (0..side, 0..side)
            .prop_filter_map("valid point", |(x, y)| {
                point_from((f64::from(x), f64::from(y)))
            })
            .boxed(),
        distance: prop_oneof![
            4 => (0..reach).prop_map(f64::from),
            2 => 0.0..f64::from(reach),
            1 => Just(f64::INFINITY),
            1 => -10.0..0.0f64,
            1 => Just(f64::NAN),
        ]
        .boxed(),
        budget: (-60i64..1200).prop_map(Seconds).boxed(),
    }
}

/// Continuous coordinates over a 30 km x 30 km city centred on the origin.
fn city() -> Space {
    Space {
        point: (-15_000.0..15_000.0f64, -15_000.0..15_000.0f64)
            .prop_filter_map("valid point", point_from)
            .boxed(),
        distance: prop_oneof![
            4 => 0.0..12_000.0f64,
            1 => Just(0.0),
            1 => Just(f64::INFINITY),
            1 => -100.0..0.0f64,
        ]
        .boxed(),
        budget: (-60i64..2400).prop_map(Seconds).boxed(),
    }
}

/// WGS84 positions within ±0.2 degrees of `projection`'s origin, projected.
fn projected_city(projection: LocalProjection) -> Space {
    let origin = projection.origin();
    Space {
        point: (-0.2..0.2f64, -0.2..0.2f64)
            .prop_filter_map("on the globe", move |(dlat, dlng)| {
                let mut lng = origin.lng() + dlng;
                if lng > 180.0 {
                    lng -= 360.0;
                } else if lng < -180.0 {
                    lng += 360.0;
                }
                LatLng::new(origin.lat() + dlat, lng)
                    .ok()
                    .map(|p| projection.to_point(p))
            })
            .boxed(),
        distance: prop_oneof![4 => 0.0..30_000.0f64, 1 => Just(f64::INFINITY)].boxed(),
        budget: (-10i64..3600).prop_map(Seconds).boxed(),
    }
}

fn query(space: &Space) -> impl Strategy<Value = Query> + use<> {
    (
        space.point.clone(),
        0usize..12,
        space.distance.clone(),
        space.distance.clone(),
        (1u64..4, 0u64..4),
        space.budget.clone(),
    )
        .prop_map(
            |(at, k, max_distance_m, radius_m, (modulus, rejected), budget)| Query {
                at,
                k,
                max_distance_m,
                radius_m,
                filter: IdFilter { modulus, rejected },
                budget,
            },
        )
}

/// Courier ids from a small range, so inserts collide and moves miss often.
fn courier() -> impl Strategy<Value = CourierId> {
    (0u64..40).prop_map(CourierId)
}

fn op(space: &Space) -> impl Strategy<Value = Op> + use<> {
    prop_oneof![
        4 => (courier(), space.point.clone()).prop_map(|(id, p)| Op::Insert(id, p)),
        4 => (courier(), space.point.clone()).prop_map(|(id, p)| Op::MoveTo(id, p)),
        2 => (courier(), space.point.clone()).prop_map(|(id, p)| Op::Upsert(id, p)),
        2 => courier().prop_map(Op::Remove),
        1 => query(space).prop_map(Op::Query),
    ]
}

fn ops_and_queries(space: &Space) -> impl Strategy<Value = (Vec<Op>, Vec<Query>)> + use<> {
    (
        prop::collection::vec(op(space), 0..160),
        prop::collection::vec(query(space), 1..12),
    )
}

fn straight_line() -> impl Strategy<Value = StraightLine> {
    prop_oneof![(1u32..20).prop_map(f64::from), 0.5..20.0f64]
        .prop_filter_map("valid speed", |v| StraightLine::new(v).ok())
}

fn city_straight_line() -> impl Strategy<Value = StraightLine> {
    (50.0..600.0f64).prop_filter_map("valid speed", |v| StraightLine::new(v).ok())
}

/// Couriers with distinct ids (from a sparse range), for `bulk_load`.
fn distinct_couriers(space: &Space) -> impl Strategy<Value = Vec<(CourierId, Point)>> + use<> {
    prop::collection::hash_map(0u64..40, space.point.clone(), 0..40)
        .prop_map(|m| m.into_iter().map(|(id, p)| (CourierId(id), p)).collect())
}

fn model_of(couriers: &[(CourierId, Point)]) -> Model {
    Model {
        couriers: couriers.iter().copied().collect(),
    }
}

// ---------------------------------------------------------------------------
// Properties.

/// Integration tests have no lib.rs above them: keep failing cases next to this file.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn queries_match_brute_force_after_random_operations_on_a_coarse_grid(
        (ops, queries) in ops_and_queries(&grid(50)),
        travel in straight_line(),
    ) {
        run(CourierIndex::new(), Model::default(), &ops, &queries, &travel)?;
    }

    #[test]
    fn queries_match_brute_force_when_couriers_share_positions_on_a_tiny_grid(
        (ops, queries) in ops_and_queries(&grid(5)),
        travel in straight_line(),
    ) {
        run(CourierIndex::new(), Model::default(), &ops, &queries, &travel)?;
    }

    #[test]
    fn queries_match_brute_force_after_random_operations_in_a_continuous_city(
        (ops, queries) in ops_and_queries(&city()),
        travel in city_straight_line(),
    ) {
        run(CourierIndex::new(), Model::default(), &ops, &queries, &travel)?;
    }

    #[test]
    fn haversine_queries_match_brute_force_in_a_projected_city(
        (projection, travel, (ops, queries)) in (-60.0..60.0f64, -180.0..180.0f64)
            .prop_filter_map("valid origin", |(lat, lng)| {
                LatLng::new(lat, lng).ok().and_then(|o| LocalProjection::new(o).ok())
            })
            .prop_flat_map(|projection| {
                let space = projected_city(projection);
                (
                    Just(projection),
                    (1.0..15.0f64)
                        .prop_filter_map("valid speed", move |v| Haversine::new(projection, v).ok()),
                    ops_and_queries(&space),
                )
            }),
    ) {
        prop_assert_eq!(travel.projection(), &projection);
        run(CourierIndex::new(), Model::default(), &ops, &queries, &travel)?;
    }

    #[test]
    fn bulk_loaded_index_matches_brute_force_then_under_random_operations_on_a_grid(
        couriers in distinct_couriers(&grid(50)),
        (ops, queries) in ops_and_queries(&grid(50)),
        travel in straight_line(),
    ) {
        let index = CourierIndex::bulk_load(couriers.iter().copied())?;
        run(index, model_of(&couriers), &ops, &queries, &travel)?;
    }

    #[test]
    fn bulk_loaded_index_matches_brute_force_then_under_random_operations_in_a_city(
        couriers in distinct_couriers(&city()),
        (ops, queries) in ops_and_queries(&city()),
        travel in city_straight_line(),
    ) {
        let index = CourierIndex::bulk_load(couriers.iter().copied())?;
        run(index, model_of(&couriers), &ops, &queries, &travel)?;
    }

    #[test]
    fn bulk_load_refuses_a_courier_listed_twice(
        (couriers, copied, at, moved_to) in distinct_couriers(&grid(50))
            .prop_filter("needs a courier to repeat", |c| !c.is_empty())
            .prop_flat_map(|c| {
                let n = c.len();
                (Just(c), 0..n, 0..=n, grid(50).point)
            }),
    ) {
        let mut listed = couriers.clone();
        let (id, _) = *listed.get(copied).ok_or_else(|| TestCaseError::fail("index in range"))?;
        listed.insert(at, (id, moved_to));
        // Whatever else, the list is refused with a courier that is listed twice.
        let mut seen = HashSet::new();
        let repeated: HashSet<CourierId> =
            listed.iter().filter(|(id, _)| !seen.insert(*id)).map(|(id, _)| *id).collect();
        prop_assert_eq!(repeated.len(), 1);
        match CourierIndex::bulk_load(listed) {
            Err(GeoError::DuplicateCourier(refused)) => prop_assert!(repeated.contains(&refused)),
            other => prop_assert!(false, "expected DuplicateCourier({:?}), got {:?}", id, other),
        }
    }

    #[test]
    fn bulk_load_accepts_exactly_the_lists_without_repeated_ids(
        listed in prop::collection::vec((courier(), grid(50).point), 0..40),
    ) {
        let ids: HashSet<CourierId> = listed.iter().map(|(id, _)| *id).collect();
        match CourierIndex::bulk_load(listed.iter().copied()) {
            Ok(index) => {
                prop_assert_eq!(ids.len(), listed.len(), "accepted a repeated id");
                check_contents(&index, &model_of(&listed))?;
            }
            Err(GeoError::DuplicateCourier(id)) => {
                prop_assert!(ids.len() < listed.len(), "refused a list without repeats");
                prop_assert!(listed.iter().filter(|(c, _)| *c == id).count() >= 2);
            }
            Err(other) => prop_assert!(false, "unexpected error {:?}", other),
        }
    }
}

proptest! {
    #![proptest_config(config(24))]

    // Thousands of couriers on 2,500 grid cells: a tree several levels deep,
    // with couriers stacked on the same cell and exact ties across subtrees.
    #[test]
    fn queries_match_brute_force_with_thousands_of_couriers_on_a_grid(
        couriers in prop::collection::hash_map(0u64..4_000, grid(50).point, 1_000..3_000)
            .prop_map(|m| m.into_iter().map(|(id, p)| (CourierId(id), p)).collect::<Vec<_>>()),
        (ops, queries) in ops_and_queries(&grid(50)),
        travel in straight_line(),
    ) {
        let index = CourierIndex::bulk_load(couriers.iter().copied())?;
        run(index, model_of(&couriers), &ops, &queries, &travel)?;
    }
}

// ---------------------------------------------------------------------------
// Worked examples.

#[test]
fn nearest_breaks_exact_distance_ties_by_courier_id() {
    let pt = |x, y| Point::new(x, y).expect("valid point");
    let mut index = CourierIndex::new();
    // Four couriers 5 m from the origin (a 3-4-5 triangle each), inserted in reverse id order.
    for (id, x, y) in [
        (9, 3.0, 4.0),
        (7, -4.0, 3.0),
        (5, -3.0, -4.0),
        (3, 4.0, -3.0),
    ] {
        index
            .insert(CourierId(id), pt(x, y))
            .expect("fresh courier");
    }
    index
        .insert(CourierId(1), pt(6.0, 0.0))
        .expect("fresh courier");
    let ids = |found: Vec<Neighbour>| found.into_iter().map(|n| n.courier.0).collect::<Vec<_>>();
    assert_eq!(ids(index.nearest(pt(0.0, 0.0), 2)), [3, 5]);
    assert_eq!(ids(index.nearest(pt(0.0, 0.0), 5)), [3, 5, 7, 9, 1]);
    // The radius is inclusive: exactly 5 m is within 5 m.
    assert_eq!(ids(index.within_radius(pt(0.0, 0.0), 5.0)), [3, 5, 7, 9]);
    assert_eq!(
        ids(index.nearest_where(pt(0.0, 0.0), 3, 5.0, |id, _| id.0 != 5)),
        [3, 7, 9]
    );
}

#[test]
fn nothing_lies_within_a_negative_or_nan_distance() {
    let pt = |x, y| Point::new(x, y).expect("valid point");
    let index =
        CourierIndex::bulk_load([(CourierId(1), pt(0.0, 0.0)), (CourierId(2), pt(3.0, 4.0))])
            .expect("distinct ids");
    let everyone = |_, _| true;
    assert!(
        index
            .nearest_where(pt(0.0, 0.0), 2, -5.0, everyone)
            .is_empty()
    );
    assert!(
        index
            .nearest_where(pt(0.0, 0.0), 2, f64::NAN, everyone)
            .is_empty()
    );
    assert!(index.within_radius(pt(0.0, 0.0), -5.0).is_empty());
    assert!(index.within_radius(pt(0.0, 0.0), f64::NAN).is_empty());
    assert_eq!(index.nearest_where(pt(0.0, 0.0), 2, 0.0, everyone).len(), 1);
}

#[test]
fn refused_insert_and_move_leave_the_index_unchanged() {
    let pt = |x, y| Point::new(x, y).expect("valid point");
    let mut index = CourierIndex::new();
    index
        .insert(CourierId(1), pt(10.0, 10.0))
        .expect("fresh courier");
    assert_eq!(
        index.insert(CourierId(1), pt(20.0, 20.0)),
        Err(GeoError::DuplicateCourier(CourierId(1)))
    );
    assert_eq!(
        index.move_to(CourierId(2), pt(30.0, 30.0)),
        Err(GeoError::UnknownCourier(CourierId(2)))
    );
    assert_eq!(index.len(), 1);
    assert_eq!(index.position(CourierId(1)), Some(pt(10.0, 10.0)));
    assert!(!index.contains(CourierId(2)));
    assert!(index.within_radius(pt(20.0, 20.0), 1.0).is_empty());
    assert!(index.within_radius(pt(30.0, 30.0), 1.0).is_empty());
    assert!(index.is_consistent());
}

// ---------------------------------------------------------------------------
// Soak.

/// `SplitMix64`: a tiny seeded generator, so the soak is the same on every run.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + unit * (hi - lo)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

const CITY_HALF_WIDTH_M: f64 = 15_000.0;

fn random_point(rng: &mut SplitMix64) -> Result<Point, GeoError> {
    Point::new(
        rng.uniform(-CITY_HALF_WIDTH_M, CITY_HALF_WIDTH_M),
        rng.uniform(-CITY_HALF_WIDTH_M, CITY_HALF_WIDTH_M),
    )
}

#[test]
fn a_million_moves_among_ten_thousand_couriers_keep_the_index_exact() -> Result<(), GeoError> {
    const COURIERS: usize = 10_000;
    const MOVES: usize = 1_000_000;
    let mut rng = SplitMix64(0x00F0_0D1E_FA57);
    let mut at: Vec<Point> = (0..COURIERS)
        .map(|_| random_point(&mut rng))
        .collect::<Result<_, _>>()?;

    // Half bulk-loaded, half inserted one by one: both construction paths.
    let (loaded, inserted) = at.split_at(COURIERS / 2);
    let mut index = CourierIndex::bulk_load(
        loaded
            .iter()
            .enumerate()
            .map(|(i, &p)| (CourierId(i as u64), p)),
    )?;
    for (i, &p) in inserted.iter().enumerate() {
        index.insert(CourierId((COURIERS / 2 + i) as u64), p)?;
    }

    for _ in 0..MOVES {
        let i = rng.below(COURIERS);
        let from = at[i];
        let to = match rng.below(100) {
            // Mostly GPS updates: a step of up to 50 m each way, kept inside the city.
            0..94 => {
                let clamp = |v: f64| v.clamp(-CITY_HALF_WIDTH_M, CITY_HALF_WIDTH_M);
                Point::new(
                    clamp(from.x() + rng.uniform(-50.0, 50.0)),
                    clamp(from.y() + rng.uniform(-50.0, 50.0)),
                )?
            }
            // Some teleports (a courier logging in across town) and standing still.
            94..99 => random_point(&mut rng)?,
            _ => from,
        };
        assert_eq!(index.move_to(CourierId(i as u64), to), Ok(from));
        at[i] = to;
    }

    assert!(index.is_consistent());
    assert_eq!(index.len(), COURIERS);
    let model = Model {
        couriers: at
            .iter()
            .enumerate()
            .map(|(i, &p)| (CourierId(i as u64), p))
            .collect(),
    };
    for (i, &p) in at.iter().enumerate() {
        assert_eq!(index.position(CourierId(i as u64)), Some(p));
    }
    for _ in 0..300 {
        let q = random_point(&mut rng)?;
        let k = 1 + rng.below(16);
        assert_eq!(
            index.nearest(q, k),
            model.nearest_where(q, k, f64::INFINITY, |_, _| true),
            "nearest({q:?}, {k})"
        );
        let r = rng.uniform(0.0, 2_000.0);
        assert_eq!(
            index.within_radius(q, r),
            model.within_radius(q, r),
            "within_radius({q:?}, {r})"
        );
    }
    Ok(())
}
