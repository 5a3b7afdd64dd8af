//! Runs the real `foodiefast plan` binary on a Grubhub MDRP instance and
//! checks the plan it prints, and how it fails on bad input.

// Helpers outside `#[test]` functions: test code, where panicking is the point.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output};

use foodiefast::mdrp::Instance;

const INSTANCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/mdrp/instances/0o100t100s1p100"
);

fn foodiefast(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_foodiefast"))
        .args(args)
        .output()
        .unwrap()
}

/// One order of an assigned line: id and predicted click-to-door in minutes.
type Delivery = (String, f64);

/// A printed report, parsed.
struct Report {
    /// Courier and deliveries of each assigned line.
    assigned: Vec<(String, Vec<Delivery>)>,
    /// Orders of each unassigned bundle.
    unassigned: Vec<Vec<String>>,
    /// The summary line.
    summary: String,
}

fn parse_report(stdout: &str) -> Report {
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("round at minute"), "{stdout}");
    assert!(
        lines[1].starts_with("courier  pickup  depart by"),
        "{stdout}"
    );
    let split = lines
        .iter()
        .position(|l| l.starts_with("unassigned bundles:"))
        .unwrap();
    let assigned = lines[2..split]
        .iter()
        .map(|line| {
            let tokens: Vec<&str> = line.split_whitespace().collect();
            let deliveries = tokens[3..]
                .chunks(2)
                .map(|pair| {
                    let minutes = pair[1].trim_matches(|c| c == '(' || c == ')');
                    (pair[0].to_owned(), minutes.parse().unwrap())
                })
                .collect();
            (tokens[0].to_owned(), deliveries)
        })
        .collect();
    let summary = *lines.last().unwrap();
    let unassigned = lines[split + 1..lines.len() - 1]
        .iter()
        .map(|line| {
            let tokens: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(tokens[1], "ready", "{line}");
            tokens[3..].iter().map(|t| (*t).to_owned()).collect()
        })
        .collect();
    Report {
        assigned,
        unassigned,
        summary: summary.to_owned(),
    }
}

fn check_round(at: i64, window: i64) {
    let output = foodiefast(&[
        "plan",
        "--instance",
        INSTANCE,
        "--at",
        &at.to_string(),
        "--window",
        &window.to_string(),
    ]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let Report {
        assigned,
        unassigned,
        summary,
    } = parse_report(&stdout);

    let instance = Instance::load(Path::new(INSTANCE)).unwrap();
    let params = instance.parameters();
    let pending: Vec<_> = instance
        .orders()
        .iter()
        .filter(|o| (at - window) * 60 < o.placed_at.0 && o.placed_at.0 <= at * 60)
        .collect();
    assert!(pending.len() >= 5, "a lunch-time round has work");

    let mut printed: Vec<String> = assigned
        .iter()
        .flat_map(|(_, d)| d.iter().map(|(o, _)| o.clone()))
        .chain(unassigned.iter().flatten().cloned())
        .collect();
    printed.sort();
    let mut expected: Vec<String> = pending.iter().map(|o| o.id.to_string()).collect();
    expected.sort();
    assert_eq!(printed, expected, "every pending order exactly once");

    let couriers: HashSet<&String> = assigned.iter().map(|(c, _)| c).collect();
    assert_eq!(couriers.len(), assigned.len(), "no courier twice");

    for (order, click_to_door) in assigned.iter().flat_map(|(_, d)| d) {
        let o = pending.iter().find(|o| o.id.to_string() == *order).unwrap();
        let travel = (o.pickup.distance(o.drop_off) / params.meters_per_minute).ceil();
        let bound = (o.ready_at - o.placed_at).as_minutes()
            + params.pickup_service.as_minutes() / 2.0
            + travel
            + params.drop_off_service.as_minutes() / 2.0;
        assert!(
            *click_to_door >= bound - 1e-9,
            "{order}: {click_to_door} < {bound}"
        );
    }
    assert!(
        summary.starts_with(&format!("summary: pending orders {},", pending.len())),
        "{summary}"
    );
}

#[test]
fn plan_at_lunch_time_assigns_each_pending_order_at_most_once() {
    check_round(720, 10);
}

#[test]
fn plan_over_a_longer_lunch_window_still_accounts_for_every_order() {
    check_round(750, 30);
}

fn assert_fails_cleanly(args: &[&str], message: &str) {
    let output = foodiefast(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{args:?} should fail");
    assert!(output.stdout.is_empty(), "nothing on stdout: {args:?}");
    assert!(stderr.contains(message), "{args:?}: stderr was {stderr}");
}

#[test]
fn a_missing_instance_directory_fails_with_a_clear_message() {
    let missing = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/mdrp/instances/nope");
    assert_fails_cleanly(
        &["plan", "--instance", missing, "--at", "720"],
        "does not exist or is not a directory",
    );
}

#[test]
fn bad_arguments_fail_with_a_clear_message() {
    let base = ["plan", "--instance", INSTANCE];
    for (extra, message) in [
        (&["--at", "-5"][..], "must be 0 or more"),
        (&["--at", "noon"][..], "is not a whole number"),
        (&["--at", "720", "--window", "0"][..], "must be 1 or more"),
        (
            &["--at", "720", "--max-bundle", "7"][..],
            "must be from 1 to 6",
        ),
        (&[][..], "--at <MINUTE>"),
    ] {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        assert_fails_cleanly(&args, message);
    }
}

#[test]
fn a_broken_instance_file_is_reported_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["restaurants.txt", "couriers.txt", "instance_parameters.txt"] {
        std::fs::copy(Path::new(INSTANCE).join(file), dir.path().join(file)).unwrap();
    }
    let orders = std::fs::read_to_string(Path::new(INSTANCE).join("orders.txt")).unwrap();
    let mut lines: Vec<&str> = orders.lines().collect();
    lines[2] = "o2\t9024\t6677\t541\tr99999\t557";
    std::fs::write(dir.path().join("orders.txt"), lines.join("\n")).unwrap();
    let instance = dir.path().to_str().unwrap();
    assert_fails_cleanly(
        &["plan", "--instance", instance, "--at", "720"],
        "orders.txt:3: order o2 refers to unknown restaurant r99999",
    );
}
