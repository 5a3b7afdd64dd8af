//! What a planned round shows: one line per assignment, the bundles left
//! unassigned, and a summary against the MDRP lower bound; and
//! [`write_report`], which prints it as a table to any writer.

use std::io::{self, Write};

use foodiefast_geo::assignment::RoundPlan;
use foodiefast_geo::bundling::Bundle;
use foodiefast_geo::order::Order;
use foodiefast_geo::{CourierId, OrderId, RestaurantId, Seconds};

use super::PlanOptions;

/// One order of an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The order.
    pub order: OrderId,
    /// Predicted click-to-door under the plan.
    pub click_to_door: Seconds,
    /// The MDRP lower bound on its click-to-door.
    pub lower_bound: Seconds,
}

/// One courier's assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignedLine {
    /// The courier.
    pub courier: CourierId,
    /// The planned pickup.
    pub pickup_at: Seconds,
    /// The latest the courier may set off and still make the pickup.
    pub latest_departure: Seconds,
    /// The orders, in drop-off sequence.
    pub deliveries: Vec<Delivery>,
}

/// A bundle no courier took this round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnassignedLine {
    /// Its restaurant.
    pub restaurant: RestaurantId,
    /// When all its orders are ready.
    pub ready_at: Seconds,
    /// Its orders, in drop-off sequence.
    pub orders: Vec<OrderId>,
}

/// A planned round, as reported.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundReport {
    /// The instance's name.
    pub instance: String,
    /// The round's options.
    pub options: PlanOptions,
    /// Orders pending in the round.
    pub pending_orders: usize,
    /// Couriers on shift (all idle) at the round's time.
    pub couriers_on_shift: usize,
    /// Bundles formed from the pending orders.
    pub bundles: usize,
    /// Assignments, by pickup time then courier.
    pub assigned: Vec<AssignedLine>,
    /// Bundles left unassigned, by ready time then restaurant.
    pub unassigned: Vec<UnassignedLine>,
}

impl RoundReport {
    /// The report of `plan` over `bundles`; `lower_bound` gives each order's MDRP bound.
    pub fn new(
        instance: String,
        options: PlanOptions,
        pending_orders: usize,
        couriers_on_shift: usize,
        bundles: &[Bundle],
        plan: &RoundPlan,
        lower_bound: impl Fn(&Order) -> Seconds,
    ) -> Self {
        let mut assigned: Vec<AssignedLine> = plan
            .assignments
            .iter()
            .filter_map(|a| {
                let bundle = bundles.get(a.bundle)?;
                let deliveries = bundle
                    .orders
                    .iter()
                    .zip(&a.drop_offs)
                    .map(|(o, &drop_off)| Delivery {
                        order: o.id,
                        click_to_door: drop_off - o.placed_at,
                        lower_bound: lower_bound(o),
                    })
                    .collect();
                Some(AssignedLine {
                    courier: a.chosen.courier,
                    pickup_at: a.chosen.pickup_at,
                    latest_departure: a.chosen.latest_departure,
                    deliveries,
                })
            })
            .collect();
        assigned.sort_by_key(|line| (line.pickup_at, line.courier));
        let mut unassigned: Vec<UnassignedLine> = plan
            .unassigned
            .iter()
            .filter_map(|&b| bundles.get(b))
            .map(|b| UnassignedLine {
                restaurant: b.restaurant,
                ready_at: b.ready_at,
                orders: b.orders.iter().map(|o| o.id).collect(),
            })
            .collect();
        unassigned.sort_by_key(|line| (line.ready_at, line.restaurant));
        Self {
            instance,
            options,
            pending_orders,
            couriers_on_shift,
            bundles: bundles.len(),
            assigned,
            unassigned,
        }
    }

    /// Every assigned order.
    pub fn deliveries(&self) -> impl Iterator<Item = &Delivery> {
        self.assigned.iter().flat_map(|line| &line.deliveries)
    }

    /// Number of assigned orders.
    pub fn assigned_orders(&self) -> usize {
        self.deliveries().count()
    }

    /// Mean predicted click-to-door of the assigned orders, in minutes.
    pub fn mean_click_to_door(&self) -> Option<f64> {
        mean_minutes(self.deliveries().map(|d| d.click_to_door))
    }

    /// Mean lower bound on click-to-door of the assigned orders, in minutes.
    pub fn mean_lower_bound(&self) -> Option<f64> {
        mean_minutes(self.deliveries().map(|d| d.lower_bound))
    }
}

fn mean_minutes(values: impl Iterator<Item = Seconds>) -> Option<f64> {
    let (count, total) = values.fold((0_u32, 0.0), |(n, sum), s| (n + 1, sum + s.as_minutes()));
    (count > 0).then(|| total / f64::from(count))
}

/// Minutes as printed: whole minutes plainly, others with one decimal.
fn minutes(t: Seconds) -> String {
    if t.0 % 60 == 0 {
        (t.0 / 60).to_string()
    } else {
        format!("{:.1}", t.as_minutes())
    }
}

fn mean(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_owned(), |m| format!("{m:.1} min"))
}

/// Writes `report` as a readable table: a title, one line per assignment,
/// the unassigned bundles, and a summary line.
pub fn write_report(out: &mut impl Write, report: &RoundReport) -> io::Result<()> {
    let o = &report.options;
    writeln!(
        out,
        "round at minute {} on {}: orders placed in ({}, {}], couriers on shift at minute {}",
        o.at_minute,
        report.instance,
        o.at_minute.saturating_sub(o.window_minutes),
        o.at_minute,
        o.at_minute,
    )?;
    writeln!(
        out,
        "courier  pickup  depart by  orders in drop-off sequence (predicted click-to-door, min)"
    )?;
    for line in &report.assigned {
        let orders: Vec<String> = line
            .deliveries
            .iter()
            .map(|d| format!("{} ({})", d.order, minutes(d.click_to_door)))
            .collect();
        writeln!(
            out,
            "{:<7}  {:>6}  {:>9}  {}",
            line.courier.to_string(),
            minutes(line.pickup_at),
            minutes(line.latest_departure),
            orders.join("  "),
        )?;
    }
    writeln!(out, "unassigned bundles: {}", report.unassigned.len())?;
    for line in &report.unassigned {
        let orders: Vec<String> = line.orders.iter().map(ToString::to_string).collect();
        writeln!(
            out,
            "{:<7}  ready {:>6}  {}",
            line.restaurant.to_string(),
            minutes(line.ready_at),
            orders.join("  "),
        )?;
    }
    writeln!(
        out,
        "summary: pending orders {}, bundles {}, couriers on shift {}, assigned orders {}, \
         mean click-to-door {}, lower-bound mean {}",
        report.pending_orders,
        report.bundles,
        report.couriers_on_shift,
        report.assigned_orders(),
        mean(report.mean_click_to_door()),
        mean(report.mean_lower_bound()),
    )
}
