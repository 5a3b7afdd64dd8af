//! `foodiefast evaluate`: checks a solution of an MDRP instance against every
//! feasibility rule and measures it.
//!
//! Prints the verdict (each violation, with its rule) and the metrics; fails
//! when the solution is infeasible, after printing both, and when a file is
//! bad, naming its line, before printing anything.

use std::io::Write;
use std::path::Path;

use crate::Error;
use crate::cli::EvaluateArgs;
use crate::mdrp::feasibility::{self, Violation};
use crate::mdrp::metrics::{self, Metrics};
use crate::mdrp::report::write_metrics;
use crate::mdrp::{Instance, Solution};

/// The verdict and the metrics of one solution.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Every rule the solution breaks; empty when it is feasible.
    pub violations: Vec<Violation>,
    /// Its metrics.
    pub metrics: Metrics,
}

impl Evaluation {
    /// Checks and measures `solution` on `instance`.
    pub fn of(instance: &Instance, solution: &Solution) -> Result<Self, Error> {
        Ok(Self {
            violations: feasibility::check(instance, solution)?,
            metrics: metrics::measure(instance, solution)?,
        })
    }

    /// The error of an infeasible solution, if it is one.
    pub fn infeasibility(&self, instance: &str) -> Result<(), Error> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(Error::Infeasible {
                instance: instance.to_owned(),
                violations: self.violations.len(),
            })
        }
    }
}

/// Runs `foodiefast evaluate`.
pub fn run(args: &EvaluateArgs, out: &mut impl Write) -> Result<(), Error> {
    let instance = Instance::load(&args.instance)?;
    let solution = Solution::read(&args.solution).map_err(Error::Solution)?;
    let evaluation = Evaluation::of(&instance, &solution)?;
    write_verdict(out, &evaluation.violations)?;
    write_metrics(out, &evaluation.metrics)?;
    out.flush()?;
    if let Some(path) = &args.summary {
        write_summary(path, &evaluation.metrics)?;
    }
    evaluation.infeasibility(instance.name())
}

/// Writes `metrics` as pretty JSON to `path`.
pub fn write_summary(path: &Path, metrics: &Metrics) -> Result<(), Error> {
    let json = serde_json::to_string_pretty(metrics).map_err(std::io::Error::other)?;
    std::fs::write(path, json + "\n")?;
    Ok(())
}

/// `feasible`, or `infeasible` and one line per violation.
pub fn write_verdict(out: &mut impl Write, violations: &[Violation]) -> std::io::Result<()> {
    if violations.is_empty() {
        return writeln!(out, "feasible: every rule holds");
    }
    let plural = if violations.len() == 1 { "" } else { "s" };
    writeln!(out, "infeasible: {} violation{plural}", violations.len())?;
    for v in violations {
        writeln!(out, "  [{}] {v}", v.rule())?;
    }
    Ok(())
}
