//! Benchmarks of the courier spatial index, [`CourierIndex`].
//!
//! Couriers are spread uniformly over a 30 km x 30 km city (planar metres
//! around the origin), bulk-loaded, at 10k, 100k and 1M couriers; only 10k
//! when the `CI` environment variable is set. Every input comes from a seeded
//! generator, so each run measures the same work.
//!
//! - `move_to/short_step/N`: a GPS update. A random courier moves by up to
//!   35 m along each axis (at most ~50 m), kept inside the city.
//! - `move_to/teleport/N`: a random courier jumps to a random point anywhere
//!   in the city (a courier logging back in across town): the worst case,
//!   where its entry almost always leaves its tree node.
//! - `nearest_k8/bulk_loaded/N`: `nearest(p, 8)` from a random point of the
//!   city, on the freshly bulk-loaded (packed) index.
//! - `nearest_k8/churned/N`: the same query after `N` teleports: the tree a
//!   live index converges to, built by insertions rather than packed.
//!
//! Each iteration draws its inputs from a seeded `SplitMix64` (a few
//! nanoseconds, included in the times) rather than cycling through a fixed
//! list: a replayed move would find its courier already there and return
//! early, and replayed queries would run on a warmer cache than live ones.
//! The moves keep changing the index for as long as criterion runs them,
//! as live GPS traffic would.
//!
//! Targets (medians): `nearest_k8/*/100000` <= 2 µs and
//! `move_to/short_step/100000` <= 1 µs.
//!
//! `cargo bench --bench courier_index -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use foodiefast_geo::{CourierId, CourierIndex, Point};

/// Half the city's width, metres.
const HALF_CITY_M: f64 = 15_000.0;
/// Largest step of a GPS update along each axis, metres.
const MAX_STEP_M: f64 = 35.0;
/// `k` of the nearest-couriers query (the dispatcher's candidate count).
const K: usize = 8;

#[path = "support/rng.rs"]
mod rng;
use rng::SplitMix64;

/// A GPS step from `from`: up to `MAX_STEP_M` along each axis, kept in the city.
fn step_from(rng: &mut SplitMix64, from: Point) -> Option<Point> {
    let x = (from.x() + rng.uniform(-MAX_STEP_M, MAX_STEP_M)).clamp(-HALF_CITY_M, HALF_CITY_M);
    let y = (from.y() + rng.uniform(-MAX_STEP_M, MAX_STEP_M)).clamp(-HALF_CITY_M, HALF_CITY_M);
    Point::new(x, y).ok()
}

/// A uniformly random point of the city (always `Some`: the city is in range).
fn random_point(rng: &mut SplitMix64) -> Option<Point> {
    let x = rng.uniform(-HALF_CITY_M, HALF_CITY_M);
    let y = rng.uniform(-HALF_CITY_M, HALF_CITY_M);
    Point::new(x, y).ok()
}

fn sizes() -> &'static [usize] {
    if std::env::var_os("CI").is_some() {
        &[10_000]
    } else {
        &[10_000, 100_000, 1_000_000]
    }
}

/// `n` couriers (ids `0..n`) uniformly over the city, and their positions by id.
fn city(n: usize) -> (CourierIndex, Vec<Point>) {
    let mut rng = SplitMix64(0xC0FF_EE00 ^ n as u64);
    let positions: Vec<Point> = (0..n).filter_map(|_| random_point(&mut rng)).collect();
    let index = CourierIndex::bulk_load(
        positions
            .iter()
            .enumerate()
            .map(|(i, &p)| (CourierId(i as u64), p)),
    );
    match index {
        Ok(index) => (index, positions),
        Err(e) => unreachable!("distinct ids: {e}"),
    }
}

/// `index` after each of its `n` couriers, on average, teleported once: the
/// tree a live index converges to, rebuilt by insertions rather than packed.
fn churned(index: &CourierIndex, n: usize) -> CourierIndex {
    let mut churned = index.clone();
    let mut rng = SplitMix64(4);
    for _ in 0..n {
        let courier = rng.below(n);
        if let Some(to) = random_point(&mut rng) {
            churned.move_to(CourierId(courier as u64), to).ok();
        }
    }
    churned
}

fn courier_index(criterion: &mut Criterion) {
    for &n in sizes() {
        let (index, positions) = city(n);
        let n = positions.len();

        let mut group = criterion.benchmark_group("move_to");
        group.bench_function(BenchmarkId::new("short_step", n), |b| {
            let mut index = index.clone();
            let mut at = positions.clone();
            let mut rng = SplitMix64(1);
            b.iter(|| {
                let courier = rng.below(n);
                if let Some(slot) = at.get_mut(courier)
                    && let Some(to) = step_from(&mut rng, *slot)
                {
                    *slot = to;
                    black_box(index.move_to(CourierId(courier as u64), to)).ok();
                }
            });
        });
        group.bench_function(BenchmarkId::new("teleport", n), |b| {
            let mut index = index.clone();
            let mut rng = SplitMix64(2);
            b.iter(|| {
                let courier = rng.below(n);
                if let Some(to) = random_point(&mut rng) {
                    black_box(index.move_to(CourierId(courier as u64), to)).ok();
                }
            });
        });
        group.finish();

        let mut group = criterion.benchmark_group("nearest_k8");
        group.bench_function(BenchmarkId::new("bulk_loaded", n), |b| {
            let mut rng = SplitMix64(3);
            b.iter(|| random_point(&mut rng).map(|p| black_box(index.nearest(p, K))));
        });
        let churned = churned(&index, n);
        group.bench_function(BenchmarkId::new("churned", n), |b| {
            let mut rng = SplitMix64(3);
            b.iter(|| random_point(&mut rng).map(|p| black_box(churned.nearest(p, K))));
        });
        group.finish();
    }
}

criterion_group!(benches, courier_index);
criterion_main!(benches);
