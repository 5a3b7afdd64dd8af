//! Runs the real `foodiefast replay` binary on a Grubhub MDRP day: the
//! solution files and summary are written, read back, feasible, account for
//! every order exactly once, and two runs write the same bytes.

// Helpers outside `#[test]` functions: test code, where panicking is the point.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};

use foodiefast::mdrp::solution::{ASSIGNMENTS_FILE, COURIERS_SOLUTION_FILE, ORDERS_SOLUTION_FILE};
use foodiefast::mdrp::{Instance, Place, Solution, feasibility};

const INSTANCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/mdrp/instances/0o50t75s1p100"
);

const FILES: [&str; 4] = [
    ASSIGNMENTS_FILE,
    ORDERS_SOLUTION_FILE,
    COURIERS_SOLUTION_FILE,
    "summary.json",
];

fn foodiefast(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_foodiefast"))
        .args(args)
        .output()
        .unwrap()
}

fn replay_into(out: &Path) -> Output {
    foodiefast(&[
        "replay",
        "--instance",
        INSTANCE,
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn a_replayed_day_is_written_feasible_and_accounts_for_every_order_once() {
    let dir = tempfile::tempdir().unwrap();
    let output = replay_into(dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.starts_with("metrics of 0o50t75s1p100"), "{stdout}");
    for file in FILES {
        assert!(dir.path().join(file).is_file(), "{file} missing");
    }

    let instance = Instance::load(Path::new(INSTANCE)).unwrap();
    let solution = Solution::read(dir.path()).unwrap();
    assert_eq!(feasibility::check(&instance, &solution).unwrap(), vec![]);

    // One record per order of the instance, and each delivered order in
    // exactly one assignment, by the courier that delivered it.
    let mut records = HashMap::new();
    for record in &solution.orders {
        assert!(
            records.insert(record.order, record).is_none(),
            "{}",
            record.order
        );
    }
    assert_eq!(records.len(), instance.orders().len());
    let mut assigned = HashMap::new();
    for assignment in &solution.assignments {
        for order in &assignment.orders {
            assert!(
                assigned.insert(*order, assignment.courier).is_none(),
                "{order}"
            );
        }
    }
    for record in records.values() {
        match record.delivery {
            Some(delivery) => assert_eq!(assigned.get(&record.order), Some(&delivery.courier)),
            None => assert!(!assigned.contains_key(&record.order), "{}", record.order),
        }
    }
    let delivered = records.values().filter(|r| r.delivery.is_some()).count();
    assert!(
        delivered * 100 >= instance.orders().len() * 95,
        "{delivered}"
    );

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["orders"], instance.orders().len());
    assert_eq!(summary["delivered"], delivered);
    assert!(summary.get("variant").is_none(), "no variant by default");
}

#[test]
fn a_prepositioning_replay_is_feasible_moves_couriers_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let output = foodiefast(&[
        "replay",
        "--instance",
        INSTANCE,
        "--out",
        dir.path().to_str().unwrap(),
        "--preposition",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.starts_with("variant: prepositioning"), "{stdout}");

    let instance = Instance::load(Path::new(INSTANCE)).unwrap();
    let solution = Solution::read(dir.path()).unwrap();
    assert_eq!(feasibility::check(&instance, &solution).unwrap(), vec![]);
    // Moves to a restaurant beyond one per pickup: couriers sent ahead.
    let to_restaurants = solution
        .routes
        .values()
        .flatten()
        .filter(|m| matches!(m.destination, Place::Restaurant(_)))
        .count();
    assert!(
        to_restaurants > solution.assignments.len(),
        "{to_restaurants} moves to restaurants, {} pickups",
        solution.assignments.len()
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["variant"], "prepositioning");
    assert_eq!(
        summary["couriers"]["prepositioning_moves"],
        to_restaurants - solution.assignments.len()
    );
}

#[test]
fn two_replays_of_a_day_write_the_same_files() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    assert!(replay_into(first.path()).status.success());
    assert!(replay_into(second.path()).status.success());
    for file in FILES {
        let read = |dir: &Path| std::fs::read(dir.join(file)).unwrap();
        assert!(read(first.path()) == read(second.path()), "{file} differs");
    }
}

#[test]
fn a_missing_instance_fails_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = foodiefast(&[
        "replay",
        "--instance",
        dir.path().join("nowhere").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot load the MDRP instance"));
    assert!(!out.exists());
}

#[test]
fn replay_needs_an_output_directory_or_all() {
    let output = foodiefast(&["replay", "--instance", INSTANCE]);
    assert!(!output.status.success());
    let output = foodiefast(&["replay"]);
    assert!(!output.status.success());
}

const SMALL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/mdrp/small/instance"
);

/// A directory of the small fixture instance under each of `names`.
fn instance_set(names: &[&str]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    for name in names {
        let dir = root.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        for entry in std::fs::read_dir(SMALL).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    root
}

#[test]
fn only_replays_the_instances_whose_name_begins_with_a_prefix() {
    let root = instance_set(&["0o50t75s1p100", "2o50t75s1p100", "3o50t75s1p100"]);
    let all = root.path().to_str().unwrap();
    let output = foodiefast(&["replay", "--all", all, "--only", "0,3"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("0o50t75s1p100"), "{stdout}");
    assert!(stdout.contains("3o50t75s1p100"), "{stdout}");
    assert!(!stdout.contains("2o50t75s1p100"), "{stdout}");
    let all_row = stdout
        .lines()
        .find(|l| l.starts_with("all "))
        .unwrap_or_default();
    assert!(all_row.split_whitespace().nth(1) == Some("2"), "{stdout}");
}

#[test]
fn only_refuses_a_prefix_matching_nothing_or_shaped_like_a_path() {
    let root = instance_set(&["0o50t75s1p100"]);
    let all = root.path().to_str().unwrap();
    let output = foodiefast(&["replay", "--all", all, "--only", "4"]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no MDRP instance named 4*"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = foodiefast(&["replay", "--all", all, "--only", "../0"]);
    assert!(!output.status.success());
    let output = foodiefast(&["replay", "--instance", SMALL, "--out", all, "--only", "0"]);
    assert!(!output.status.success());
}

#[test]
fn a_synthetic_day_is_written_and_replays_feasible() {
    let dir = tempfile::tempdir().unwrap();
    let day = dir.path().join("day");
    let out = dir.path().join("out");
    let output = foodiefast(&[
        "synthesize",
        "--orders",
        "300",
        "--couriers",
        "40",
        "--out",
        day.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    let instance = Instance::load(&day).unwrap();
    assert_eq!(
        (instance.orders().len(), instance.shifts().len()),
        (300, 40)
    );
    let output = foodiefast(&[
        "replay",
        "--instance",
        day.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let solution = Solution::read(&out).unwrap();
    assert_eq!(feasibility::check(&instance, &solution).unwrap(), vec![]);
}

#[test]
fn synthesize_refuses_an_empty_day() {
    let dir = tempfile::tempdir().unwrap();
    let day = dir.path().join("day");
    for (orders, couriers) in [("0", "5"), ("5", "0"), ("many", "5")] {
        let output = foodiefast(&[
            "synthesize",
            "--orders",
            orders,
            "--couriers",
            couriers,
            "--out",
            day.to_str().unwrap(),
        ]);
        assert!(!output.status.success());
        assert!(!day.exists());
    }
}
