//! Runs the real `foodiefast evaluate` binary on a feasible solution, an
//! infeasible one and a malformed one; and the naive reference dispatcher
//! on a real Grubhub instance, whose solution must evaluate as feasible.

// Helpers outside `#[test]` functions: test code, where panicking is the point.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

const SMALL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mdrp/small");
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

fn small(part: &str) -> String {
    format!("{SMALL}/{part}")
}

/// A copy of the small feasible solution with `line` (counted from 1) of
/// `file` replaced.
fn edited_solution(file: &str, line: usize, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(small("solution")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let path = dir.path().join(file);
    let content = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = content.lines().collect();
    lines[line - 1] = text;
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    dir
}

fn evaluate_small(solution: &Path) -> Output {
    foodiefast(&[
        "evaluate",
        "--instance",
        &small("instance"),
        "--solution",
        solution.to_str().unwrap(),
    ])
}

#[test]
fn a_feasible_solution_passes_and_is_measured() {
    let summary = tempfile::tempdir().unwrap();
    let summary = summary.path().join("summary.json");
    let output = foodiefast(&[
        "evaluate",
        "--instance",
        &small("instance"),
        "--solution",
        &small("solution"),
        "--summary",
        summary.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "feasible: every rule holds");
    assert_eq!(lines[1], "metrics of instance");
    assert!(lines[2].contains("3 of 6 (50.00% undelivered)"), "{stdout}");
    // Click-to-door 23, 25, 21 minutes.
    let click_to_door: Vec<&str> = lines
        .iter()
        .find(|l| l.trim_start().starts_with("click-to-door"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(
        &click_to_door[1..],
        ["23.00", "2.00", "21.0", "21.4", "23.0", "24.6", "25.0"]
    );
    assert!(
        stdout.contains("174.75 in total, 58.25 per order, 100.0% of couriers paid the guarantee"),
        "{stdout}"
    );
    assert!(
        stdout.contains("prepositioning            0 moves to a restaurant without a pickup"),
        "{stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(json["delivered"], 3);
    assert_eq!(json["bundles"]["sizes"]["2"], 1);
}

#[test]
fn an_infeasible_solution_lists_its_violations_and_fails() {
    // Pickup at 726: o2 is ready at 727.
    let solution = edited_solution("solution_info_assignments.txt", 2, "715 726 c1 o1 o2");
    let output = evaluate_small(solution.path());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!output.status.success());
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "infeasible: 3 violations");
    assert_eq!(
        lines[1..4],
        [
            "  [record-time-disagrees] order o1: pickup_time is minute 727 in the orders file but minute 726 in the assignment",
            "  [pickup-before-ready] c1 picks up o2 at minute 726, before it is ready at minute 727",
            "  [record-time-disagrees] order o2: pickup_time is minute 727 in the orders file but minute 726 in the assignment",
        ]
    );
    assert!(
        stdout.contains("metrics of instance"),
        "metrics still shown: {stdout}"
    );
    assert!(
        stderr.contains("the solution of instance is infeasible: 3 violation(s)"),
        "{stderr}"
    );
}

#[test]
fn a_malformed_solution_file_is_named_with_its_line() {
    let solution = edited_solution("solution_info_couriers.txt", 4, "c1 737 o1 somewhere");
    let output = evaluate_small(solution.path());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "nothing on stdout");
    assert!(stderr.contains("cannot read the MDRP solution"), "{stderr}");
    assert!(
        stderr.contains(
            "solution_info_couriers.txt:4: column `destination`: `somewhere` is not a place"
        ),
        "{stderr}"
    );
    let missing = evaluate_small(Path::new(&small("nope")));
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("does not exist or is not a directory")
    );
}

#[test]
fn the_naive_dispatcher_on_a_real_day_evaluates_as_feasible() {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_str().unwrap();
    let naive = foodiefast(&["naive", "--instance", INSTANCE, "--out", out_dir]);
    assert!(
        naive.status.success(),
        "{}",
        String::from_utf8_lossy(&naive.stderr)
    );
    let table = String::from_utf8(naive.stdout).unwrap();
    assert!(
        table
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("0o100t100s1p100 "),
        "{table}"
    );
    for file in [
        "solution_info_assignments.txt",
        "solution_info_orders.txt",
        "solution_info_couriers.txt",
        "summary.json",
    ] {
        assert!(Path::new(out_dir).join(file).is_file(), "{file}");
    }
    let evaluate = foodiefast(&["evaluate", "--instance", INSTANCE, "--solution", out_dir]);
    let stdout = String::from_utf8(evaluate.stdout).unwrap();
    assert!(evaluate.status.success(), "{stdout}");
    assert!(
        stdout.starts_with("feasible: every rule holds\n"),
        "{stdout}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(out_dir).join("summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["orders"], 505);
    let ratio = json["lower_bound"]["click_to_door_ratio"].as_f64().unwrap();
    assert!(ratio > 1.0, "no dispatcher beats the lower bound: {ratio}");
}
