//! `foodiefast replay`: an MDRP instance's day through the real engine.
//!
//! `--instance DIR --out DIR` replays one instance, writes the three
//! solution files and `summary.json` (the metrics) to the output directory,
//! checks the solution against every rule of the format and prints its
//! metrics; an infeasible solution is written but fails the command.
//! `--all DIR` replays every instance below DIR on two threads and prints
//! one row per instance, one per class, and the totals beside the naive
//! reference and the published anchor; `--only PREFIXES` keeps the
//! instances whose name begins with one of the prefixes (a split by base
//! instance, say: `--only 0,1,2` and `--only 3,4`). `--preposition` turns on
//! the prepositioning variant; the output's first line and each
//! `summary.json` (`"variant": "prepositioning"`) then say so.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Error;
use crate::cli::ReplayArgs;
use crate::mdrp::metrics::{self, Metrics};
use crate::mdrp::{Instance, ORDERS_FILE, Solution, feasibility, naive, report};
use crate::replay::{self, ReplaySettings};
use foodiefast_geo::preposition::PrepositionParams;

/// The metrics file written beside the solution files.
pub const SUMMARY_FILE: &str = "summary.json";

/// Replays run side by side in `--all`.
const THREADS: usize = 2;

/// Reyes et al. (2018)'s results on the instance set, for comparison:
/// undelivered percent, mean click-to-door, pay per order.
const PUBLISHED: Totals = Totals {
    undelivered_percent: 0.25,
    click_to_door: 32.74,
    pay_per_order: 11.42,
};

/// The name a run with prepositioning reports.
pub const PREPOSITION_VARIANT: &str = "prepositioning";

/// Runs `foodiefast replay`.
pub fn run(args: &ReplayArgs, out: &mut impl Write) -> Result<(), Error> {
    let settings = ReplaySettings {
        preposition: args.preposition.then(PrepositionParams::default),
        ..ReplaySettings::default()
    };
    if args.preposition {
        writeln!(
            out,
            "variant: {PREPOSITION_VARIANT} (idle couriers sent towards restaurants short of couriers)"
        )?;
    }
    match (&args.instance, &args.out, &args.all) {
        (Some(_), _, None) if !args.only.is_empty() => Err(Error::InvalidArgument {
            name: "--only",
            reason: "only chooses among the instances of --all".into(),
        }),
        (Some(instance), Some(dir), None) => replay_one(instance, dir, &settings, out),
        (None, _, Some(root)) => replay_all(root, &args.only, args.out.as_deref(), &settings, out),
        _ => Err(Error::InvalidArgument {
            name: "--instance",
            reason: "give either --instance DIR --out DIR, or --all DIR".into(),
        }),
    }
}

/// One replay: solution, feasibility, metrics.
struct Outcome {
    solution: Solution,
    violations: Vec<feasibility::Violation>,
    metrics: Metrics,
}

/// Replays `instance` on a thread of its own: the replay's paused-time
/// runtime cannot live inside the command's runtime.
fn replay_instance(instance: &Instance, settings: &ReplaySettings) -> Result<Outcome, Error> {
    let solution = std::thread::scope(|scope| {
        scope
            .spawn(|| replay::replay(instance, settings))
            .join()
            .map_err(|_| Error::ReplayAborted(instance.name().to_owned()))
    })??;
    let violations = feasibility::check(instance, &solution)?;
    let metrics = metrics::measure(instance, &solution)?;
    Ok(Outcome {
        solution,
        violations,
        metrics,
    })
}

fn replay_one(
    dir: &Path,
    out_dir: &Path,
    settings: &ReplaySettings,
    out: &mut impl Write,
) -> Result<(), Error> {
    let instance = Instance::load(dir)?;
    let outcome = replay_instance(&instance, settings)?;
    write_outcome(&outcome, out_dir, settings)?;
    report::write_metrics(out, &outcome.metrics)?;
    out.flush()?;
    check_feasible(instance.name(), &outcome.violations)
}

/// The solution files and `summary.json`; a variant's summary names it.
fn write_outcome(
    outcome: &Outcome,
    out_dir: &Path,
    settings: &ReplaySettings,
) -> Result<(), Error> {
    std::fs::create_dir_all(out_dir)?;
    outcome.solution.write(out_dir)?;
    let summary = if settings.preposition.is_some() {
        // The variant first, then the metrics as they always are.
        #[derive(serde::Serialize)]
        struct Variant<'a> {
            variant: &'static str,
            #[serde(flatten)]
            metrics: &'a Metrics,
        }
        serde_json::to_string_pretty(&Variant {
            variant: PREPOSITION_VARIANT,
            metrics: &outcome.metrics,
        })
    } else {
        serde_json::to_string_pretty(&outcome.metrics)
    }
    .map_err(std::io::Error::other)?;
    std::fs::write(out_dir.join(SUMMARY_FILE), summary + "\n")?;
    Ok(())
}

fn check_feasible(name: &str, violations: &[feasibility::Violation]) -> Result<(), Error> {
    match violations.first() {
        None => Ok(()),
        Some(first) => Err(Error::ReplayInfeasible {
            instance: name.to_owned(),
            violations: violations.len(),
            first: first.to_string(),
        }),
    }
}

/// The instance directories below `root` (those holding an orders file)
/// whose name begins with one of `only` (any name when `only` is empty), by
/// name.
fn instance_dirs(root: &Path, only: &[String]) -> Result<Vec<PathBuf>, Error> {
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(root)? {
        let path = entry?.path();
        let wanted = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|name| only.is_empty() || only.iter().any(|p| name.starts_with(p)));
        if wanted && path.join(ORDERS_FILE).is_file() {
            dirs.push(path);
        }
    }
    dirs.sort();
    if dirs.is_empty() {
        let which = if only.is_empty() {
            String::new()
        } else {
            format!(" named {}*", only.join("*, "))
        };
        return Err(Error::InvalidArgument {
            name: "--all",
            reason: format!("no MDRP instance{which} below {}", root.display()),
        });
    }
    Ok(dirs)
}

fn replay_all(
    root: &Path,
    only: &[String],
    out_dir: Option<&Path>,
    settings: &ReplaySettings,
    out: &mut impl Write,
) -> Result<(), Error> {
    let dirs = instance_dirs(root, only)?;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Compared)>> = Mutex::default();
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(dir) = dirs.get(index) else { break };
                    let result = replay_and_compare(dir, out_dir, settings);
                    if let Ok(mut results) = results.lock() {
                        results.push((index, result));
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(index, _)| *index);
    let mut replays = Vec::new();
    let mut naives = Vec::new();
    for (_, result) in results {
        let (replayed, naive) = result?;
        replays.push(replayed);
        naives.push(naive);
    }
    replays.sort_by(|a, b| a.instance.cmp(&b.instance));
    report::write_instance_table(out, &replays)?;
    writeln!(out)?;
    report::write_class_table(out, &replays)?;
    writeln!(out)?;
    write_totals(out, &replays, &naives)?;
    out.flush()?;
    Ok(())
}

/// Replays the instance in `dir` (feasible, or an error) and dispatches it
/// naively for comparison.
fn replay_and_compare(dir: &Path, out_dir: Option<&Path>, settings: &ReplaySettings) -> Compared {
    let instance = Instance::load(dir)?;
    let outcome = replay_instance(&instance, settings)?;
    if let Some(out_dir) = out_dir {
        write_outcome(&outcome, &out_dir.join(instance.name()), settings)?;
    }
    check_feasible(instance.name(), &outcome.violations)?;
    let naive = metrics::measure(&instance, &naive::dispatch(&instance)?)?;
    Ok((outcome.metrics, naive))
}

/// An instance's replay metrics and naive reference metrics, or why it failed.
type Compared = Result<(Metrics, Metrics), Error>;

/// Undelivered share, mean click-to-door and pay per order, averaged over instances.
#[derive(Debug, Clone, Copy)]
struct Totals {
    undelivered_percent: f64,
    click_to_door: f64,
    pay_per_order: f64,
}

impl Totals {
    fn of(runs: &[Metrics]) -> Option<Self> {
        Some(Self {
            undelivered_percent: metrics::mean(runs.iter().map(|m| m.undelivered_percent))?,
            click_to_door: metrics::mean(
                runs.iter().filter_map(|m| m.click_to_door.map(|d| d.mean)),
            )?,
            pay_per_order: metrics::mean(runs.iter().filter_map(|m| m.couriers.pay_per_order))?,
        })
    }
}

fn write_totals(
    out: &mut impl Write,
    replays: &[Metrics],
    naives: &[Metrics],
) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<10}  {:>12}  {:>13}  {:>13}",
        "totals", "undelivered%", "click-to-door", "pay per order"
    )?;
    for (label, totals) in [
        ("replay", Totals::of(replays)),
        ("naive", Totals::of(naives)),
        ("published", Some(PUBLISHED)),
    ] {
        if let Some(t) = totals {
            writeln!(
                out,
                "{label:<10}  {:>12.2}  {:>13.2}  {:>13.2}",
                t.undelivered_percent, t.click_to_door, t.pay_per_order
            )?;
        }
    }
    Ok(())
}
