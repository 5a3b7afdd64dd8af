//! `foodiefast naive` (hidden): dispatches MDRP instances with the naive
//! reference policy ([`crate::mdrp::naive`]), writes each solution and its
//! `summary.json`, checks every solution is feasible and prints the metrics
//! per instance and, over a whole set, per instance class.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::evaluate::{Evaluation, write_summary};
use crate::Error;
use crate::cli::NaiveArgs;
use crate::mdrp::metrics::Metrics;
use crate::mdrp::report::{write_class_table, write_instance_table};
use crate::mdrp::{Instance, naive};

/// The metrics file written beside each solution.
pub const SUMMARY_FILE: &str = "summary.json";

/// Runs `foodiefast naive`: with `--instance`, the solution goes to OUT;
/// with `--all`, each instance's goes to OUT/<instance>.
pub fn run(args: &NaiveArgs, out: &mut impl Write) -> Result<(), Error> {
    let runs = match (&args.instance, &args.all) {
        (Some(dir), _) => vec![run_one(dir, &args.out)?],
        (None, Some(set)) => {
            let mut runs = Vec::new();
            for dir in instance_dirs(set)? {
                let name = dir.file_name().map(PathBuf::from).unwrap_or_default();
                runs.push(run_one(&dir, &args.out.join(name))?);
            }
            runs
        }
        (None, None) => {
            return Err(Error::InvalidArgument {
                name: "--instance",
                reason: "an instance directory (--instance) or a set of them (--all) is needed"
                    .to_owned(),
            });
        }
    };
    write_instance_table(out, &runs)?;
    if args.all.is_some() {
        writeln!(out)?;
        write_class_table(out, &runs)?;
    }
    out.flush()?;
    Ok(())
}

/// Dispatches one instance, writes its solution and summary into `out_dir`,
/// and fails if the solution is infeasible.
fn run_one(instance_dir: &Path, out_dir: &Path) -> Result<Metrics, Error> {
    let instance = Instance::load(instance_dir)?;
    let solution = naive::dispatch(&instance)?;
    std::fs::create_dir_all(out_dir)?;
    solution.write(out_dir)?;
    let evaluation = Evaluation::of(&instance, &solution)?;
    write_summary(&out_dir.join(SUMMARY_FILE), &evaluation.metrics)?;
    evaluation.infeasibility(instance.name())?;
    Ok(evaluation.metrics)
}

/// The instance directories of `set`, by name.
fn instance_dirs(set: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = std::fs::read_dir(set)
        .map_err(|_| Error::Instance(crate::mdrp::LoadError::NotADirectory(set.to_path_buf())))?;
    let mut dirs = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}
