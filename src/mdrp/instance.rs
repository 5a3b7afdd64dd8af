//! An MDRP instance directory loaded into typed data: restaurants, orders
//! (as the geo core's [`Order`]), courier shifts and the instance parameters.
//!
//! Loading checks everything the format promises (headers, column counts,
//! numbers, ids, references, times, coordinates) and refuses the first
//! violation with a [`LoadError`] naming its file and line.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use foodiefast_geo::order::Order;
use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{CourierId, GeoError, OrderId, Point, RestaurantId, Seconds, StraightLine};

use super::error::{LoadError, Location};
use super::table::{self, Cell, Row};

/// The restaurants file of an instance directory.
pub const RESTAURANTS_FILE: &str = "restaurants.txt";
/// The orders file of an instance directory.
pub const ORDERS_FILE: &str = "orders.txt";
/// The couriers file of an instance directory.
pub const COURIERS_FILE: &str = "couriers.txt";
/// The parameters file of an instance directory.
pub const PARAMETERS_FILE: &str = "instance_parameters.txt";

const PARAMETER_COLUMNS: [&str; 7] = [
    "meters_per_minute",
    "pickup service minutes",
    "dropoff service minutes",
    "target click-to-door",
    "maximum click-to-door",
    "pay per order",
    "guaranteed pay per hour",
];

/// A courier's shift: where it starts and when it is on duty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shift {
    /// The courier.
    pub courier: CourierId,
    /// Where the courier is when the shift starts.
    pub start: Point,
    /// When the shift starts.
    pub on_time: Seconds,
    /// When the shift ends: no pickup after it.
    pub off_time: Seconds,
}

impl Shift {
    /// Whether the courier is on duty at `t` (`on_time <= t < off_time`).
    pub fn covers(&self, t: Seconds) -> bool {
        self.on_time <= t && t < self.off_time
    }
}

/// The instance parameters (`instance_parameters.txt`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parameters {
    /// Courier speed for the straight-line travel model (finite, > 0).
    pub meters_per_minute: f64,
    /// Time spent at a restaurant for a pickup.
    pub pickup_service: Seconds,
    /// Time spent at a customer for a drop-off.
    pub drop_off_service: Seconds,
    /// The click-to-door the platform promises.
    pub target_click_to_door: Seconds,
    /// The longest acceptable click-to-door.
    pub max_click_to_door: Seconds,
    /// Courier pay per order delivered.
    pub pay_per_order: f64,
    /// Courier minimum pay per shift hour.
    pub guaranteed_pay_per_hour: f64,
}

impl Parameters {
    /// The MDRP travel model at the instance's speed.
    pub fn travel_model(&self) -> Result<StraightLine, GeoError> {
        StraightLine::new(self.meters_per_minute)
    }

    /// The instance's service times.
    pub fn service_times(&self) -> Result<ServiceTimes, GeoError> {
        ServiceTimes::new(self.pickup_service, self.drop_off_service)
    }
}

/// A loaded MDRP instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    name: String,
    restaurants: BTreeMap<RestaurantId, Point>,
    orders: Vec<Order>,
    shifts: Vec<Shift>,
    parameters: Parameters,
}

impl Instance {
    /// Loads the instance in directory `dir` (see the module docs).
    pub fn load(dir: &Path) -> Result<Self, LoadError> {
        if !dir.is_dir() {
            return Err(LoadError::NotADirectory(dir.to_path_buf()));
        }
        let restaurants = load_restaurants(dir)?;
        let orders = load_orders(dir, &restaurants)?;
        let shifts = load_shifts(dir)?;
        let parameters = load_parameters(dir)?;
        let name = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Ok(Self {
            name,
            restaurants,
            orders,
            shifts,
            parameters,
        })
    }

    /// The instance's name (its directory's name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Restaurant positions by id.
    pub fn restaurants(&self) -> &BTreeMap<RestaurantId, Point> {
        &self.restaurants
    }

    /// The orders of the day, in file order.
    pub fn orders(&self) -> &[Order] {
        &self.orders
    }

    /// The courier shifts, in file order.
    pub fn shifts(&self) -> &[Shift] {
        &self.shifts
    }

    /// The instance parameters.
    pub fn parameters(&self) -> &Parameters {
        &self.parameters
    }
}

/// Remembers the line of each id, refusing one seen before.
fn first_definition(
    seen: &mut HashMap<u64, usize>,
    id: u64,
    at: &Location,
    shown: impl FnOnce() -> String,
) -> Result<(), LoadError> {
    if let Some(&first_line) = seen.get(&id) {
        return Err(LoadError::DuplicateId {
            at: at.clone(),
            id: shown(),
            first_line,
        });
    }
    seen.insert(id, at.line);
    Ok(())
}

fn load_restaurants(dir: &Path) -> Result<BTreeMap<RestaurantId, Point>, LoadError> {
    let mut seen = HashMap::new();
    let mut restaurants = BTreeMap::new();
    for Row { at, cells } in table::read(dir, RESTAURANTS_FILE, ["restaurant", "x", "y"])? {
        let [id, x, y] = cells;
        let id = id.id('r')?;
        first_definition(&mut seen, id, &at, || RestaurantId(id).to_string())?;
        restaurants.insert(RestaurantId(id), table::point(&x, &y)?);
    }
    Ok(restaurants)
}

fn load_orders(
    dir: &Path,
    restaurants: &BTreeMap<RestaurantId, Point>,
) -> Result<Vec<Order>, LoadError> {
    let header = [
        "order",
        "x",
        "y",
        "placement_time",
        "restaurant",
        "ready_time",
    ];
    let mut seen = HashMap::new();
    let mut orders = Vec::new();
    for Row { at, cells } in table::read(dir, ORDERS_FILE, header)? {
        let [id, x, y, placed, restaurant, ready] = cells;
        let id = OrderId(id.id('o')?);
        first_definition(&mut seen, id.0, &at, || id.to_string())?;
        let drop_off = table::point(&x, &y)?;
        let (placed, ready) = (placed.minutes()?, ready.minutes()?);
        let restaurant = RestaurantId(restaurant.id('r')?);
        let Some(&pickup) = restaurants.get(&restaurant) else {
            return Err(LoadError::UnknownRestaurant {
                at,
                order: id,
                restaurant,
            });
        };
        if ready < placed {
            return Err(LoadError::ReadyBeforePlacement {
                at,
                order: id,
                placed,
                ready,
            });
        }
        orders.push(Order {
            id,
            restaurant,
            pickup,
            drop_off,
            placed_at: Seconds::from_minutes(placed),
            ready_at: Seconds::from_minutes(ready),
        });
    }
    Ok(orders)
}

fn load_shifts(dir: &Path) -> Result<Vec<Shift>, LoadError> {
    let header = ["courier", "x", "y", "on_time", "off_time"];
    let mut seen = HashMap::new();
    let mut shifts = Vec::new();
    for Row { at, cells } in table::read(dir, COURIERS_FILE, header)? {
        let [id, x, y, on, off] = cells;
        let courier = CourierId(id.id('c')?);
        first_definition(&mut seen, courier.0, &at, || courier.to_string())?;
        let start = table::point(&x, &y)?;
        let (on, off) = (on.minutes()?, off.minutes()?);
        if off <= on {
            return Err(LoadError::ShiftEndsBeforeStart {
                at,
                courier,
                on,
                off,
            });
        }
        shifts.push(Shift {
            courier,
            start,
            on_time: Seconds::from_minutes(on),
            off_time: Seconds::from_minutes(off),
        });
    }
    Ok(shifts)
}

fn load_parameters(dir: &Path) -> Result<Parameters, LoadError> {
    let rows = table::read(dir, PARAMETERS_FILE, PARAMETER_COLUMNS)?;
    let [Row { cells, .. }] =
        <[Row<7>; 1]>::try_from(rows).map_err(|rows| LoadError::ParameterRows {
            path: dir.join(PARAMETERS_FILE),
            found: rows.len(),
        })?;
    let [speed, pickup, drop_off, target, max, pay, guaranteed] = cells;
    let meters_per_minute = speed.number()?;
    if !(meters_per_minute.is_finite() && meters_per_minute > 0.0) {
        return Err(speed.invalid("must be a finite number greater than zero"));
    }
    let pickup_service = pickup.minutes()?;
    let drop_off_service = drop_off.minutes()?;
    let target_click_to_door = target.minutes()?;
    if target_click_to_door == 0 {
        return Err(target.invalid("must be greater than zero"));
    }
    let max_click_to_door = max.minutes()?;
    if max_click_to_door < target_click_to_door {
        return Err(max.invalid("must be at least the target click-to-door"));
    }
    Ok(Parameters {
        meters_per_minute,
        pickup_service: Seconds::from_minutes(pickup_service),
        drop_off_service: Seconds::from_minutes(drop_off_service),
        target_click_to_door: Seconds::from_minutes(target_click_to_door),
        max_click_to_door: Seconds::from_minutes(max_click_to_door),
        pay_per_order: money(&pay)?,
        guaranteed_pay_per_hour: money(&guaranteed)?,
    })
}

/// An amount of money: finite, zero or more.
fn money(cell: &Cell) -> Result<f64, LoadError> {
    let value = cell.number()?;
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(cell.invalid("must be a finite amount, zero or more"))
    }
}

#[cfg(test)]
mod tests;
