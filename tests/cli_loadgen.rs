//! Runs the real `foodiefast loadgen` binary at a tiny scale: it starts its
//! own server, provisions couriers, orders and trackers, spreads the
//! clients over two worker processes, streams, and reports non-zero
//! throughput and latencies added up from both; bad flags are refused
//! before anything starts.

// Test code, where panicking is the point.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use serde_json::Value;

fn loadgen(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_foodiefast"))
        .arg("loadgen")
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

#[test]
fn a_tiny_run_streams_and_reports_throughput_latency_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let run = loadgen(&[
        "--couriers",
        "20",
        "--trackers",
        "20",
        "--rate-hz",
        "5",
        "--duration",
        "2",
        "--warmup",
        "1",
        "--workers",
        "2",
        "--json",
        json.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    for line in [
        "positions ingested",
        "updates delivered",
        "p99",
        "memory per idle connection",
    ] {
        assert!(stdout.contains(line), "{line} missing from\n{stdout}");
    }

    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["couriers"], 20, "{report}");
    assert_eq!(report["trackers"], 20, "{report}");
    assert_eq!(report["workers"], 2, "{report}");
    assert_eq!(report["orders_assigned"], 20, "{report}");
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(report["unmatched"], 0, "{report}");
    assert!(report["sent"].as_u64().unwrap() > 0, "{report}");
    // Every assigned courier's positions reach its tracker, whichever
    // worker holds them.
    assert!(report["delivered"].as_u64().unwrap() > 0, "{report}");
    let latency = &report["latency"];
    assert!(latency["samples"].as_u64().unwrap() > 0, "{report}");
    assert!(latency["p50_ms"].as_f64().unwrap() > 0.0, "{report}");
    assert!(latency["p99_ms"].as_f64().unwrap() >= latency["p50_ms"].as_f64().unwrap());
    let memory = &report["idle_memory"];
    assert_eq!(memory["connections"], 40, "{report}");
}

#[test]
fn bad_flags_are_refused_with_a_clear_error() {
    for (args, needle) in [
        (vec!["--couriers", "0"], "--couriers"),
        (vec!["--trackers", "many"], "--trackers"),
        (vec!["--rate-hz", "0"], "--rate-hz"),
        (vec!["--duration", "-5"], "--duration"),
        (vec!["--url", "https://example.com"], "--url"),
        (vec!["--couriers-count", "5"], "--couriers-count"),
        (vec!["--workers", "0"], "--workers"),
    ] {
        let run = loadgen(&args);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(run.stdout.is_empty(), "{args:?}");
    }
}
