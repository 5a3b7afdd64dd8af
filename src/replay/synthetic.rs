//! Synthetic MDRP days for load tests: any number of orders and couriers on
//! one city's day, written as an instance directory that `replay` reads like
//! the Grubhub ones. Deterministic: a seed gives the same files every time.
//!
//! The city is 20 km square with one restaurant per 20 orders. Orders come
//! over 15 hours with a lunch and a dinner peak, are ready 10 to 30 minutes
//! after they are placed, and go to a customer within 4 km of the
//! restaurant. Couriers work shifts of 2 to 6 hours spread over the day,
//! more of them at the peaks. Speed, service times and pay are the Grubhub
//! instances' parameters.

use std::fmt::Write as _;
use std::path::Path;

use crate::mdrp::{COURIERS_FILE, ORDERS_FILE, PARAMETERS_FILE, RESTAURANTS_FILE};

/// The side of the synthetic city, in metres.
const CITY_M: f64 = 20_000.0;
/// The length of the synthetic day, in minutes.
const DAY_MIN: f64 = 900.0;
/// Orders per restaurant.
const ORDERS_PER_RESTAURANT: usize = 20;
/// Farthest a customer lives from its restaurant, in metres.
const MAX_DELIVERY_M: f64 = 4_000.0;

/// The Grubhub instances' parameters.
const PARAMETERS: &str = "meters_per_minute\tpickup service minutes\t\
dropoff service minutes\ttarget click-to-door\tmaximum click-to-door\tpay per order\t\
guaranteed pay per hour\n320\t4\t4\t40\t90\t10\t15\n";

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntheticDay {
    /// Orders of the day (at least one).
    pub orders: usize,
    /// Couriers of the day (at least one).
    pub couriers: usize,
    /// The random seed.
    pub seed: u64,
}

/// `SplitMix64`: small, fast and good enough to scatter points and times
/// (the demo city uses it too).
#[derive(Debug, Clone)]
pub struct Random(pub u64);

impl Random {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [low, high).
    pub fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    /// A minute of the day, two thirds of them around the lunch (minute
    /// 240) and dinner (minute 600) peaks.
    fn busy_minute(&mut self) -> f64 {
        let minute = match self.next_u64() % 3 {
            0 => self.between(0.0, DAY_MIN),
            1 => 240.0 + 60.0 * (self.unit() + self.unit() + self.unit() - 1.5),
            _ => 600.0 + 80.0 * (self.unit() + self.unit() + self.unit() - 1.5),
        };
        minute.clamp(0.0, DAY_MIN - 1.0)
    }
}

impl SyntheticDay {
    /// The four files of the instance: restaurants, orders, couriers and
    /// parameters, named as [`crate::mdrp::Instance::load`] reads them.
    pub fn files(&self) -> [(&'static str, String); 4] {
        let mut random = Random(self.seed);
        let restaurants = self.orders.div_ceil(ORDERS_PER_RESTAURANT).max(1);
        let mut restaurant_file = String::from("restaurant\tx\ty\n");
        let spots: Vec<(f64, f64)> = (0..restaurants)
            .map(|_| (random.between(0.0, CITY_M), random.between(0.0, CITY_M)))
            .collect();
        for (i, (x, y)) in spots.iter().enumerate() {
            let _ = writeln!(restaurant_file, "r{}\t{x:.0}\t{y:.0}", i + 1);
        }
        let mut order_file = String::from("order\tx\ty\tplacement_time\trestaurant\tready_time\n");
        for i in 0..self.orders {
            let r = usize::try_from(random.next_u64() % restaurants as u64).unwrap_or(0);
            let (rx, ry) = spots.get(r).copied().unwrap_or_default();
            let angle = random.between(0.0, std::f64::consts::TAU);
            let reach = MAX_DELIVERY_M * random.unit().sqrt();
            let x = (rx + reach * angle.cos()).clamp(0.0, CITY_M);
            let y = (ry + reach * angle.sin()).clamp(0.0, CITY_M);
            let placed = random.busy_minute().floor();
            let ready = placed + random.between(10.0, 31.0).floor();
            let _ = writeln!(
                order_file,
                "o{}\t{x:.0}\t{y:.0}\t{placed:.0}\tr{}\t{ready:.0}",
                i + 1,
                r + 1
            );
        }
        let mut courier_file = String::from("courier\tx\ty\ton_time\toff_time\n");
        for i in 0..self.couriers {
            let x = random.between(0.0, CITY_M);
            let y = random.between(0.0, CITY_M);
            let hours = random.between(2.0, 6.0);
            let middle = random.busy_minute();
            let on = (middle - 30.0 * hours).clamp(0.0, DAY_MIN - 60.0).floor();
            let off = (on + 60.0 * hours).min(DAY_MIN + 60.0).floor();
            let _ = writeln!(
                courier_file,
                "c{}\t{x:.0}\t{y:.0}\t{on:.0}\t{off:.0}",
                i + 1
            );
        }
        [
            (RESTAURANTS_FILE, restaurant_file),
            (ORDERS_FILE, order_file),
            (COURIERS_FILE, courier_file),
            (PARAMETERS_FILE, PARAMETERS.to_owned()),
        ]
    }

    /// Writes the instance into `dir` (created if missing).
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (name, content) in self.files() {
            std::fs::write(dir.join(name), content)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mdrp::Instance;

    #[test]
    fn a_synthetic_day_loads_with_the_orders_and_couriers_asked_for() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let day = SyntheticDay {
            orders: 500,
            couriers: 60,
            seed: 7,
        };
        day.write(dir.path()).expect("written");
        let instance = Instance::load(dir.path()).expect("a valid instance");
        assert_eq!(instance.orders().len(), 500);
        assert_eq!(instance.shifts().len(), 60);
        assert_eq!(instance.restaurants().len(), 25);
        assert!(instance.orders().iter().all(|o| o.ready_at > o.placed_at));
        assert!(instance.shifts().iter().all(|s| s.off_time > s.on_time));
    }

    #[test]
    fn a_seed_gives_the_same_day_and_another_seed_another() {
        let day = SyntheticDay {
            orders: 200,
            couriers: 20,
            seed: 1,
        };
        assert_eq!(day.files(), day.files());
        assert_ne!(day.files(), SyntheticDay { seed: 2, ..day }.files());
    }

    #[test]
    fn orders_crowd_the_lunch_and_dinner_peaks() {
        let day = SyntheticDay {
            orders: 3_000,
            couriers: 1,
            seed: 3,
        };
        let [_, (_, orders), _, _] = day.files();
        let minutes: Vec<f64> = orders
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').nth(3)?.parse().ok())
            .collect();
        let share_within_an_hour_of = |centre: f64| {
            let near = minutes.iter().filter(|&&m| (m - centre).abs() <= 60.0);
            near.count() as f64 / minutes.len() as f64
        };
        // A flat day would put 120/900 of the orders in each two-hour window.
        let flat = 120.0 / DAY_MIN;
        assert!(share_within_an_hour_of(240.0) > 2.0 * flat, "lunch");
        assert!(share_within_an_hour_of(600.0) > 2.0 * flat, "dinner");
        assert!(share_within_an_hour_of(60.0) < flat, "morning");
    }
}
