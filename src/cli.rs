//! The `foodiefast` command line: clap definitions only, no behaviour.
//!
//! Value parsers check ranges here so clap reports a bad argument with the
//! usage; the commands check the same ranges again for library callers.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands::plan::{MAX_BUNDLE_LIMIT, PlanOptions};
use crate::loadgen::options;

/// FoodieFast: real-time dispatch for meal delivery.
#[derive(Debug, Parser)]
#[command(name = "foodiefast", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plan one matching round on an MDRP instance: the orders placed in the
    /// last WINDOW minutes before MINUTE against the couriers on shift then.
    Plan(PlanArgs),
    /// Apply the database migrations the store lacks.
    #[command(long_about = "Apply the database migrations the store lacks.\n\n\
        The database comes from DATABASE_URL (sqlite:PATH or postgres://...); \
        unset, it is the SQLite file FOODIEFAST_DB_PATH, by default foodiefast.db \
        in the working directory.")]
    Migrate,
    /// Check a solution of an MDRP instance against every feasibility rule
    /// and print its metrics; fails when it is infeasible.
    Evaluate(EvaluateArgs),
    /// Dispatch MDRP instances with the naive reference policy (each order,
    /// when placed, to the courier who can pick it up first) and evaluate it.
    #[command(hide = true)]
    Naive(NaiveArgs),
    /// Run the engine behind its HTTP and WebSocket gateway until SIGTERM or
    /// ctrl-c.
    #[command(
        long_about = "Run the engine behind its HTTP and WebSocket gateway until \
        SIGTERM or ctrl-c.\n\n\
        Configured from the environment: PORT (8080), DATABASE_URL (unset: the SQLite \
        file foodiefast.db), JWT_SECRET or JWT_SECRET_FILE, ALLOWED_ORIGINS, LOG_FORMAT \
        (json|text), RUST_LOG; the README lists the rest.\n\n\
        With --demo it also seeds a small city (kitchens, menus, couriers, customers) \
        and simulates its people through the API, so the live map moves at once."
    )]
    Serve(ServeArgs),
    /// Manage operator (admin) accounts, which sign-up never creates.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Drive the real engine through an MDRP instance's day on paused time
    /// and write and evaluate the solution (or replay every instance below
    /// a directory with --all).
    Replay(ReplayArgs),
    /// Write a synthetic MDRP day (any number of orders and couriers) as an
    /// instance directory, for replay load tests.
    #[command(hide = true)]
    Synthesize(SynthesizeArgs),
    /// Load-test the gateway: couriers stream positions while customers
    /// track their orders; reports throughput, position-to-tracker latency
    /// and the server's memory per idle connection.
    #[command(
        long_about = "Load-test the gateway: couriers stream positions while customers \
        track their orders; reports throughput, position-to-tracker latency and the \
        server's memory per idle connection.\n\n\
        Without --url it starts `foodiefast serve` itself on a fresh temporary store \
        (accounts written to the store, not signed up one argon2 hash at a time) and \
        reads its memory; with --url it drives a running server, signing accounts up \
        over the API."
    )]
    Loadgen(LoadgenArgs),
    /// One of `loadgen`'s client processes, driven over its standard input
    /// and output by the run that started it.
    #[command(name = "loadgen-worker", hide = true)]
    LoadgenWorker,
}

/// Arguments of `foodiefast loadgen`.
#[derive(Debug, Clone, Args)]
pub struct LoadgenArgs {
    /// Couriers online, each streaming its position.
    #[arg(long, value_name = "N", default_value_t = 10_000, allow_negative_numbers = true,
          value_parser = parse_clients)]
    pub couriers: u32,
    /// Customers tracking their order (one order each).
    #[arg(long, value_name = "M", default_value_t = 10_000, allow_negative_numbers = true,
          value_parser = parse_clients)]
    pub trackers: u32,
    /// Positions per second per courier.
    #[arg(long, value_name = "HZ", default_value_t = 5.0, allow_negative_numbers = true,
          value_parser = parse_rate)]
    pub rate_hz: f64,
    /// Seconds measured, after the warm-up.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, allow_negative_numbers = true,
          value_parser = parse_duration)]
    pub duration: u64,
    /// Seconds of streaming before the measurement starts.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, allow_negative_numbers = true,
          value_parser = parse_warmup)]
    pub warmup: u64,
    /// Drive the server at this base URL (http://host:port) instead of
    /// starting one; several, comma-separated, for the gateways of one
    /// cluster (worker processes connect to them in turn).
    #[arg(long, value_name = "URL[,URL...]", value_delimiter = ',', value_parser = parse_url)]
    pub url: Vec<String>,
    /// Also write the report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Client processes to spread the connections over (each holds a
    /// slice of the couriers and the trackers following them); by default
    /// enough that none holds more than 8,000.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = parse_workers)]
    pub workers: Option<u32>,
}

fn parse_clients(text: &str) -> Result<u32, String> {
    let n = parse_integer(text)?;
    let n = u32::try_from(n).map_err(|_| format!("must be from 1 to {}", options::MAX_CLIENTS))?;
    options::check_clients("the count", n)?;
    Ok(n)
}

fn parse_workers(text: &str) -> Result<u32, String> {
    let n = parse_integer(text)?;
    let n = u32::try_from(n).map_err(|_| format!("must be from 1 to {}", options::MAX_WORKERS))?;
    options::check_workers(n)?;
    Ok(n)
}

fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    options::check_rate(rate)?;
    Ok(rate)
}

fn parse_duration(text: &str) -> Result<u64, String> {
    let seconds = parse_seconds(text)?;
    options::check_duration(seconds)?;
    Ok(seconds)
}

fn parse_warmup(text: &str) -> Result<u64, String> {
    let seconds = parse_seconds(text)?;
    options::check_warmup(seconds)?;
    Ok(seconds)
}

fn parse_seconds(text: &str) -> Result<u64, String> {
    u64::try_from(parse_integer(text)?).map_err(|_| "must not be negative".to_owned())
}

fn parse_url(text: &str) -> Result<String, String> {
    options::check_url(text)
}

/// Arguments of `foodiefast synthesize`.
#[derive(Debug, Clone, Args)]
pub struct SynthesizeArgs {
    /// Orders of the day.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub orders: u32,
    /// Couriers of the day.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub couriers: u32,
    /// Random seed: the same seed writes the same day.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The instance directory to write (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Arguments of `foodiefast serve`.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Seed a demo city and simulate its customers, chefs and couriers (its
    /// accounts share a published password: never in production).
    #[arg(long)]
    pub demo: bool,
    /// The demo city's seed: the same seed, the same city.
    #[arg(long, default_value_t = 1, requires = "demo")]
    pub demo_seed: u64,
    /// Couriers in the demo city.
    #[arg(long, default_value_t = 12, requires = "demo",
        value_parser = clap::value_parser!(u16).range(1..=500))]
    pub demo_couriers: u16,
    /// Customers in the demo city.
    #[arg(long, default_value_t = 30, requires = "demo",
        value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub demo_customers: u16,
}

/// `foodiefast admin` subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin account in the configured store (`DATABASE_URL` or
    /// `FOODIEFAST_DB_PATH`, as for serve); the password is read from the
    /// first line of standard input, so it never appears in a process list.
    Create(AdminCreateArgs),
}

/// Arguments of `foodiefast admin create`.
#[derive(Debug, Clone, Args)]
pub struct AdminCreateArgs {
    /// The admin's log-in email.
    #[arg(long, value_name = "EMAIL")]
    pub email: String,
    /// The name shown for the admin.
    #[arg(long, value_name = "NAME", default_value = "Operator")]
    pub name: String,
}

/// Arguments of `foodiefast evaluate`.
#[derive(Debug, Clone, Args)]
pub struct EvaluateArgs {
    /// MDRP instance directory.
    #[arg(long, value_name = "DIR")]
    pub instance: PathBuf,
    /// Solution directory, holding the three `solution_info_*.txt` files.
    #[arg(long, value_name = "DIR")]
    pub solution: PathBuf,
    /// Also write the metrics as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
}

/// Arguments of `foodiefast naive`.
#[derive(Debug, Clone, Args)]
pub struct NaiveArgs {
    /// One MDRP instance directory.
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with = "all",
        required_unless_present = "all"
    )]
    pub instance: Option<PathBuf>,
    /// A directory of MDRP instance directories, all dispatched.
    #[arg(long, value_name = "DIR")]
    pub all: Option<PathBuf>,
    /// Where the solution files and summary.json go (one subdirectory per
    /// instance with --all).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Arguments of `foodiefast replay`.
#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// MDRP instance directory to replay.
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "all",
        requires = "out"
    )]
    pub instance: Option<PathBuf>,
    /// Where the solution files and summary.json go (with --all: one
    /// directory per instance below it).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replay every instance below DIR and print per-instance and per-class tables.
    #[arg(long, value_name = "DIR", conflicts_with = "instance")]
    pub all: Option<PathBuf>,
    /// With --all: only the instances whose name begins with one of these
    /// prefixes (comma-separated; `0,1,2` keeps base instances 0 to 2).
    #[arg(
        long,
        value_name = "PREFIXES",
        requires = "all",
        value_delimiter = ',',
        num_args = 1..,
        value_parser = parse_prefix
    )]
    pub only: Vec<String>,
    /// Turn on prepositioning, the MDRP variant: the dispatcher sends idle
    /// couriers towards restaurants whose recent orders outrun the couriers
    /// near them (reported as the variant in the output and summary.json).
    #[arg(long)]
    pub preposition: bool,
}

/// Arguments of `foodiefast plan`.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// MDRP instance directory, holding its restaurants, orders, couriers and
    /// parameters files.
    #[arg(long, value_name = "DIR")]
    pub instance: PathBuf,
    /// The round's time, in minutes from the start of the instance's day.
    #[arg(long, value_name = "MINUTE", allow_negative_numbers = true,
          value_parser = parse_minute)]
    pub at: i64,
    /// Orders placed in (MINUTE - WINDOW, MINUTE] are pending.
    #[arg(long, value_name = "MINUTES", default_value_t = 10, allow_negative_numbers = true,
          value_parser = parse_window)]
    pub window: i64,
    /// Largest bundle allowed (the round may allow fewer when couriers are plenty).
    #[arg(long, value_name = "N", default_value_t = 3, allow_negative_numbers = true,
          value_parser = parse_max_bundle)]
    pub max_bundle: usize,
}

fn parse_minute(text: &str) -> Result<i64, String> {
    let minute = parse_integer(text)?;
    PlanOptions::check_minute(minute)?;
    Ok(minute)
}

fn parse_window(text: &str) -> Result<i64, String> {
    let window = parse_integer(text)?;
    PlanOptions::check_window(window)?;
    Ok(window)
}

fn parse_max_bundle(text: &str) -> Result<usize, String> {
    let err = || format!("must be a whole number from 1 to {MAX_BUNDLE_LIMIT}");
    let n = parse_integer(text).map_err(|_| err())?;
    let n = usize::try_from(n).map_err(|_| err())?;
    PlanOptions::check_max_bundle(n)?;
    Ok(n)
}

/// An instance-name prefix: letters and digits only, so it can never be
/// read as a path.
fn parse_prefix(text: &str) -> Result<String, String> {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(text.to_owned())
    } else {
        Err("must be letters and digits, like 0 or 3o100".to_owned())
    }
}

fn parse_integer(text: &str) -> Result<i64, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn plan_takes_defaults_and_refuses_out_of_range_values() {
        let cli =
            Cli::try_parse_from(["foodiefast", "plan", "--instance", "d", "--at", "720"]).unwrap();
        let Command::Plan(plan) = cli.command else {
            panic!("not a plan: {:?}", cli.command);
        };
        assert_eq!((plan.at, plan.window, plan.max_bundle), (720, 10, 3));
        for (at, option, value) in [
            ("-1", "--window", "10"),
            ("x", "--window", "10"),
            ("720", "--window", "0"),
            ("720", "--max-bundle", "0"),
            ("720", "--max-bundle", "7"),
            ("720", "--max-bundle", "-2"),
        ] {
            let parsed = Cli::try_parse_from([
                "foodiefast",
                "plan",
                "--instance",
                "d",
                "--at",
                at,
                option,
                value,
            ]);
            let err = parsed.unwrap_err();
            assert_eq!(
                err.kind(),
                clap::error::ErrorKind::ValueValidation,
                "{at} {option} {value}"
            );
        }
    }

    #[test]
    fn loadgen_drives_the_gateways_of_a_cluster() {
        let cli = Cli::try_parse_from([
            "foodiefast",
            "loadgen",
            "--url",
            "http://127.0.0.1:8080,http://127.0.0.1:8081/",
        ])
        .unwrap();
        let Command::Loadgen(args) = cli.command else {
            panic!("not a loadgen: {:?}", cli.command);
        };
        assert_eq!(args.url, ["http://127.0.0.1:8080", "http://127.0.0.1:8081"]);
    }

    #[test]
    fn loadgen_defaults_to_the_targets_and_refuses_bad_values() {
        let cli = Cli::try_parse_from(["foodiefast", "loadgen"]).unwrap();
        let Command::Loadgen(args) = cli.command else {
            panic!("not a loadgen: {:?}", cli.command);
        };
        assert_eq!(
            (args.couriers, args.trackers, args.duration, args.warmup),
            (10_000, 10_000, 30, 10)
        );
        assert!((args.rate_hz - 5.0).abs() < f64::EPSILON);
        assert!(args.url.is_empty());
        assert!(args.workers.is_none());
        for (option, value) in [
            ("--couriers", "0"),
            ("--couriers", "-3"),
            ("--trackers", "lots"),
            ("--rate-hz", "0"),
            ("--rate-hz", "-1"),
            ("--rate-hz", "NaN"),
            ("--duration", "0"),
            ("--warmup", "-1"),
            ("--url", "ftp://example.com"),
            ("--url", "http://127.0.0.1:1,ftp://example.com"),
            ("--workers", "0"),
            ("--workers", "65"),
        ] {
            let err = Cli::try_parse_from(["foodiefast", "loadgen", option, value]).unwrap_err();
            assert_eq!(
                err.kind(),
                clap::error::ErrorKind::ValueValidation,
                "{option} {value}"
            );
        }
    }

    #[test]
    fn migrate_takes_no_arguments() {
        let cli = Cli::try_parse_from(["foodiefast", "migrate"]).unwrap();
        assert!(matches!(cli.command, Command::Migrate));
        assert!(Cli::try_parse_from(["foodiefast", "migrate", "now"]).is_err());
    }

    #[test]
    fn evaluate_needs_an_instance_and_a_solution() {
        let cli = Cli::try_parse_from([
            "foodiefast",
            "evaluate",
            "--instance",
            "i",
            "--solution",
            "s",
        ])
        .unwrap();
        assert!(matches!(cli.command, Command::Evaluate(ref a) if a.summary.is_none()));
        assert!(Cli::try_parse_from(["foodiefast", "evaluate", "--instance", "i"]).is_err());
    }

    #[test]
    fn naive_takes_one_instance_or_a_set() {
        let one = ["foodiefast", "naive", "--instance", "i", "--out", "o"];
        assert!(Cli::try_parse_from(one).is_ok());
        let set = ["foodiefast", "naive", "--all", "d", "--out", "o"];
        assert!(Cli::try_parse_from(set).is_ok());
        let both = [
            "foodiefast",
            "naive",
            "--instance",
            "i",
            "--all",
            "d",
            "--out",
            "o",
        ];
        assert!(Cli::try_parse_from(both).is_err());
        assert!(Cli::try_parse_from(["foodiefast", "naive", "--out", "o"]).is_err());
    }
}
