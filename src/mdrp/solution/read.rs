//! Reading a solution directory back into a [`Solution`]. Every value is
//! checked for its syntax (times, ids, places) and the moves for being
//! grouped by courier; whether the solution fits its instance is the
//! feasibility check's business, not the reader's.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use foodiefast_geo::{CourierId, OrderId, RestaurantId};

use super::write::{ASSIGNMENTS_HEADER, COURIERS_HEADER, NOT_DELIVERED, ORDERS_HEADER};
use super::{
    ASSIGNMENTS_FILE, Assignment, COURIERS_SOLUTION_FILE, Delivery, Move, ORDERS_SOLUTION_FILE,
    OrderRecord, Place, Solution,
};
use crate::mdrp::error::LoadError;
use crate::mdrp::table::{self, Cell, Line};

impl Solution {
    /// Reads the three solution files in `dir`, refusing the first bad line.
    pub fn read(dir: &Path) -> Result<Self, LoadError> {
        if !dir.is_dir() {
            return Err(LoadError::NotADirectory(dir.to_path_buf()));
        }
        Ok(Self {
            assignments: read_assignments(dir)?,
            orders: read_orders(dir)?,
            routes: read_routes(dir)?,
        })
    }
}

fn read_assignments(dir: &Path) -> Result<Vec<Assignment>, LoadError> {
    table::read_whitespace(dir, ASSIGNMENTS_FILE, &ASSIGNMENTS_HEADER)?
        .into_iter()
        .map(|Line { cells, .. }| {
            let [assigned, pickup, courier, orders @ ..] = cells.as_slice() else {
                // The reader guarantees the header's four columns.
                return Ok(None);
            };
            Ok(Some(Assignment {
                assigned_at: assigned.decimal_minutes()?,
                pickup_at: pickup.decimal_minutes()?,
                courier: CourierId(courier.id('c')?),
                orders: orders
                    .iter()
                    .map(|o| o.id('o').map(OrderId))
                    .collect::<Result<_, _>>()?,
            }))
        })
        .filter_map(Result::transpose)
        .collect()
}

fn read_orders(dir: &Path) -> Result<Vec<OrderRecord>, LoadError> {
    let mut seen: HashMap<OrderId, usize> = HashMap::new();
    let mut records = Vec::new();
    for line in table::read_whitespace(dir, ORDERS_SOLUTION_FILE, &ORDERS_HEADER)? {
        let at = line.at.clone();
        let [order, placed, ready, pickup, drop_off, courier] = line.exactly()?;
        let order = OrderId(order.id('o')?);
        if let Some(&first_line) = seen.get(&order) {
            return Err(LoadError::DuplicateId {
                at,
                id: order.to_string(),
                first_line,
            });
        }
        seen.insert(order, at.line);
        records.push(OrderRecord {
            order,
            placed_at: placed.decimal_minutes()?,
            ready_at: ready.decimal_minutes()?,
            delivery: delivery(&pickup, &drop_off, &courier)?,
        });
    }
    Ok(records)
}

/// The delivery of an order line: all three values, or `NA` for all three.
fn delivery(pickup: &Cell, drop_off: &Cell, courier: &Cell) -> Result<Option<Delivery>, LoadError> {
    if pickup.text() == NOT_DELIVERED {
        return match [drop_off, courier]
            .into_iter()
            .find(|c| c.text() != NOT_DELIVERED)
        {
            Some(cell) => Err(LoadError::InvalidNumber {
                at: cell.at().clone(),
                column: cell.column(),
                text: cell.text().to_owned(),
                expected: "NA, as the order's pickup_time is NA (not delivered)",
            }),
            None => Ok(None),
        };
    }
    Ok(Some(Delivery {
        pickup_at: pickup.decimal_minutes()?,
        drop_off_at: drop_off.decimal_minutes()?,
        courier: CourierId(courier.id('c')?),
    }))
}

fn read_routes(dir: &Path) -> Result<BTreeMap<CourierId, Vec<Move>>, LoadError> {
    let mut routes: BTreeMap<CourierId, Vec<Move>> = BTreeMap::new();
    // Each courier's last line so far, to refuse a courier whose moves resume later.
    let mut group_end: HashMap<CourierId, usize> = HashMap::new();
    let mut previous: Option<CourierId> = None;
    for line in table::read_whitespace(dir, COURIERS_SOLUTION_FILE, &COURIERS_HEADER)? {
        let at = line.at.clone();
        let [courier, departure, origin, destination] = line.exactly()?;
        let courier = CourierId(courier.id('c')?);
        if previous != Some(courier)
            && let Some(&end) = group_end.get(&courier)
        {
            return Err(LoadError::CourierMovesSplit {
                at,
                courier,
                group_end: end,
            });
        }
        previous = Some(courier);
        group_end.insert(courier, at.line);
        routes.entry(courier).or_default().push(Move {
            departure: departure.decimal_minutes()?,
            origin: place(&origin, true)?,
            destination: place(&destination, false)?,
        });
    }
    Ok(routes)
}

/// A place: `0` (the start, only as an origin), a restaurant or an order id.
fn place(cell: &Cell, may_be_start: bool) -> Result<Place, LoadError> {
    let text = cell.text();
    let malformed = || LoadError::MalformedPlace {
        at: cell.at().clone(),
        column: cell.column(),
        text: text.to_owned(),
        expected: if may_be_start {
            "0 (the courier's start), r<number> or o<number>"
        } else {
            "r<number> or o<number>"
        },
    };
    if text == "0" && may_be_start {
        return Ok(Place::Start);
    }
    if text.starts_with('r') {
        return cell
            .id('r')
            .map(|id| Place::Restaurant(RestaurantId(id)))
            .map_err(|_| malformed());
    }
    if text.starts_with('o') {
        return cell
            .id('o')
            .map(|id| Place::Customer(OrderId(id)))
            .map_err(|_| malformed());
    }
    Err(malformed())
}
