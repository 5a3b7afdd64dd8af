//! `foodiefast plan`: a snapshot of one matching round on a real order day.
//!
//! At minute `at`, the orders placed in `(at - window, at]` are pending and
//! every courier whose shift covers `at` is idle at its start position. The
//! pending orders are bundled and matched with the geo core, exactly as a
//! live round would, and the plan is reported with the MDRP's lower bound on
//! click-to-door for comparison.

mod report;

use std::io::Write;

use foodiefast_geo::assignment::{self, AssignmentParams};
use foodiefast_geo::bundling::{self, BundlingParams};
use foodiefast_geo::cost::CostModel;
use foodiefast_geo::fleet::Fleet;
use foodiefast_geo::order::{Courier, Order};
use foodiefast_geo::route::MAX_EXACT_SEQUENCE;
use foodiefast_geo::{GeoError, Seconds};

use crate::Error;
use crate::cli::PlanArgs;
use crate::mdrp::{self, Instance};

pub use report::{AssignedLine, Delivery, RoundReport, UnassignedLine, write_report};

/// The largest `--max-bundle` accepted: the geo core sequences bundles exactly up to this size.
pub const MAX_BUNDLE_LIMIT: usize = MAX_EXACT_SEQUENCE;

/// The validated options of a `plan` round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanOptions {
    /// The round's time, in minutes from the start of the day.
    pub at_minute: i64,
    /// Orders placed in the last `window_minutes` are pending.
    pub window_minutes: i64,
    /// Largest bundle allowed.
    pub max_bundle: usize,
}

impl PlanOptions {
    /// Options checked against their ranges (see the `check_*` functions).
    pub fn new(at_minute: i64, window_minutes: i64, max_bundle: usize) -> Result<Self, Error> {
        let invalid = |name, reason| Error::InvalidArgument { name, reason };
        Self::check_minute(at_minute).map_err(|r| invalid("--at", r))?;
        Self::check_window(window_minutes).map_err(|r| invalid("--window", r))?;
        Self::check_max_bundle(max_bundle).map_err(|r| invalid("--max-bundle", r))?;
        Ok(Self {
            at_minute,
            window_minutes,
            max_bundle,
        })
    }

    /// The round's minute must be 0 or more.
    pub fn check_minute(minute: i64) -> Result<(), String> {
        if minute < 0 {
            return Err(format!(
                "minute {minute} is before the start of the day (must be 0 or more)"
            ));
        }
        Ok(())
    }

    /// The window must be at least one minute.
    pub fn check_window(minutes: i64) -> Result<(), String> {
        if minutes < 1 {
            return Err(format!("window of {minutes} minutes must be 1 or more"));
        }
        Ok(())
    }

    /// The bundle size cap must be from 1 to [`MAX_BUNDLE_LIMIT`].
    pub fn check_max_bundle(n: usize) -> Result<(), String> {
        if !(1..=MAX_BUNDLE_LIMIT).contains(&n) {
            return Err(format!(
                "bundle size {n} must be from 1 to {MAX_BUNDLE_LIMIT}"
            ));
        }
        Ok(())
    }

    /// The round's time.
    pub fn at(&self) -> Seconds {
        Seconds::from_minutes(self.at_minute)
    }

    /// Whether an order placed at `placed_at` is pending in this round.
    pub fn is_pending(&self, placed_at: Seconds) -> bool {
        let window_start =
            Seconds::from_minutes(self.at_minute.saturating_sub(self.window_minutes));
        window_start < placed_at && placed_at <= self.at()
    }
}

/// Runs `foodiefast plan`: loads the instance, plans the round, writes the report.
/// Nothing is written unless the round was planned.
pub fn run(args: &PlanArgs, out: &mut impl Write) -> Result<(), Error> {
    let options = PlanOptions::new(args.at, args.window, args.max_bundle)?;
    let instance = Instance::load(&args.instance)?;
    let report = plan(&instance, options)?;
    write_report(out, &report)?;
    out.flush()?;
    Ok(())
}

/// Plans the round of `options` on `instance` (see the module docs).
pub fn plan(instance: &Instance, options: PlanOptions) -> Result<RoundReport, GeoError> {
    let parameters = instance.parameters();
    let model = parameters.travel_model()?;
    let service = parameters.service_times()?;
    let cost = CostModel {
        target_click_to_door: parameters.target_click_to_door,
        ..CostModel::default()
    };
    let now = options.at();

    let pending: Vec<Order> = instance
        .orders()
        .iter()
        .filter(|o| options.is_pending(o.placed_at))
        .copied()
        .collect();
    let couriers: Vec<Courier> = instance
        .shifts()
        .iter()
        .filter(|s| s.covers(now))
        .map(|s| Courier {
            id: s.courier,
            position: s.start,
            free_at: now,
            shift_end: s.off_time,
        })
        .collect();

    let bundling = BundlingParams {
        max_size: bundling::adaptive_max_size(pending.len(), couriers.len(), options.max_bundle),
        ..BundlingParams::default()
    };
    let bundles = bundling::bundle_orders(&pending, &model, service, &cost, &bundling)?;
    let couriers_on_shift = couriers.len();
    let fleet = Fleet::from_couriers(couriers)?;
    let params = AssignmentParams {
        cost,
        ..AssignmentParams::new(service)
    };
    let round = assignment::plan_round(now, &bundles, &fleet, &model, &params)?;

    let lower_bound = |o: &Order| mdrp::click_to_door_lower_bound(o, &model, service);
    Ok(RoundReport::new(
        instance.name().to_owned(),
        options,
        pending.len(),
        couriers_on_shift,
        &bundles,
        &round,
        lower_bound,
    ))
}

#[cfg(test)]
mod tests;
