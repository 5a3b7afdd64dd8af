//! `foodiefast loadgen`: couriers streaming positions and customers
//! tracking their orders over the real gateway, with throughput,
//! position-to-tracker latency and the server's memory per idle
//! connection measured.
//!
//! A run:
//! 1. starts `foodiefast serve` on a fresh store ([`server`]) unless given
//!    `--url`, and makes its accounts ([`accounts`]);
//! 2. puts the couriers online and starts worker processes ([`workers`],
//!    [`worker`]) that connect their apps ([`courier`]), reading the
//!    server's memory before and after;
//! 3. opens kitchens and places one order per customer, accepted at once
//!    ([`world`]); the dispatcher offers them and the apps accept;
//! 4. has each worker connect the trackers of its couriers' orders
//!    ([`tracker`]), memory read again;
//! 5. streams for the warm-up, then for the measured window, each worker
//!    counting what is sent, refused and delivered ([`tally`]) and matching
//!    each position delivered to its send time ([`probe`]);
//! 6. closes everything, adds the workers' counts and latency histograms
//!    up and reports ([`report`]).
//!
//! The client sockets live in the workers, never in the run's own process,
//! so no process holds more of them than its open-file limit allows.

pub mod accounts;
pub mod api;
pub mod courier;
pub mod error;
pub mod options;
pub mod probe;
pub mod report;
pub mod server;
pub mod socket;
pub mod tally;
pub mod tracker;
pub mod wire;
pub mod worker;
pub mod workers;
pub mod world;

use std::io::Write;
use std::time::{Duration, Instant};

use self::accounts::{Accounts, Headcount};
use self::api::Api;
use self::error::LoadgenError;
use self::options::LoadOptions;
use self::probe::LatLngDegrees;
use self::report::{IdleMemory, Latency, LoadReport};
use self::server::{ChildServer, ChildSettings, fresh_store};
use self::wire::{Command, TrackerSeat, WireCounts, WorkerTally};
use self::workers::Workers;

/// The city the run plays in (the service's default centre).
pub(crate) const CENTRE: LatLngDegrees = LatLngDegrees {
    lat: 52.52,
    lng: 13.405,
};
/// How long connections sit idle before the memory is read.
const SETTLE: Duration = Duration::from_secs(2);
/// How long clients may take to close at the end.
pub(crate) const CLOSE_TIMEOUT: Duration = Duration::from_secs(30);
/// Files a started server holds besides its connections (store, listener,
/// runtime, log pipe), with room to spare.
const SERVER_SPARE_FDS: u64 = 100;
/// Errors kept verbatim for the report, over every worker.
const ERROR_SAMPLES: usize = 5;
/// How long the run waits for the dispatcher to assign every order.
fn assignment_timeout(orders: usize) -> Duration {
    Duration::from_mins(1) + Duration::from_millis(20 * orders as u64)
}

/// Carries out `options`, writing progress to `progress`.
pub async fn run(
    options: &LoadOptions,
    progress: &mut impl Write,
) -> Result<LoadReport, LoadgenError> {
    let sockets = u64::from(options.couriers) + u64::from(options.trackers);
    let limit = raise_fd_limit()?;
    if options.urls.is_empty() {
        check_server_fds(sockets, limit)?;
    }
    let run_tag = format!(
        "{}-{}",
        std::process::id(),
        crate::gateway::auth::tokens::unix_now()
    );
    let headcount = Headcount {
        chefs: world::kitchens_for(options.trackers as usize),
        couriers: options.couriers as usize,
        customers: options.trackers as usize,
    };
    let mut say = |line: String| {
        let _ = writeln!(progress, "{line}");
    };
    let (server, api, accounts, provisioning) = if let Some(url) = options.urls.first() {
        say(format!("signing up {} accounts at {url}", total(headcount)));
        let api = Api::new(url)?;
        let accounts = accounts::signed_up(&api, &run_tag, headcount).await?;
        (None, api, accounts, "sign-up over the API")
    } else {
        let (dir, db) = fresh_store()?;
        let secret = random_secret();
        say(format!(
            "writing {} accounts to a fresh store",
            total(headcount)
        ));
        let accounts = accounts::in_store(&db, secret.as_bytes(), &run_tag, headcount).await?;
        let settings = ChildSettings {
            city_centre: format!("{},{}", CENTRE.lat, CENTRE.lng),
            messages_per_second: options.messages_per_second_limit(),
        };
        let server = ChildServer::start(dir, &db, &secret, &settings).await?;
        say(format!("started a server at {}", server.url));
        let api = Api::new(&server.url)?;
        (Some(server), api, accounts, "written to the store")
    };
    let result = drive(
        options,
        server.as_ref(),
        &api,
        &accounts,
        &run_tag,
        &mut say,
    )
    .await;
    let server_errors = server.as_ref().map_or(0, ChildServer::error_lines);
    if let Some(server) = server {
        server.stop().await;
    }
    let mut report = result?;
    provisioning.clone_into(&mut report.provisioning);
    if server_errors > 0 {
        report.errors += server_errors;
        report
            .error_samples
            .push(format!("the server logged {server_errors} error line(s)"));
    }
    Ok(report)
}

fn total(headcount: Headcount) -> usize {
    headcount.chefs + headcount.couriers + headcount.customers
}

/// Steps 2 to 6 against a provisioned server.
async fn drive(
    options: &LoadOptions,
    server: Option<&ChildServer>,
    api: &Api,
    accounts: &Accounts,
    run_tag: &str,
    say: &mut impl FnMut(String),
) -> Result<LoadReport, LoadgenError> {
    let mut memory = IdleMemory {
        connections: 0,
        growth_bytes: 0,
    };
    let rss = || server.map(ChildServer::rss_bytes).transpose();

    // Kitchens first: in a cluster a courier's shift runs in a zone that
    // has one.
    say(format!("opening {} kitchens", accounts.chefs.len()));
    let kitchens = world::open_kitchens(api, accounts, CENTRE).await?;
    say(format!("{} couriers going online", accounts.couriers.len()));
    world::couriers_online(api, accounts, CENTRE).await?;
    let before = rss()?;
    let count = workers::count_for(
        options.workers,
        u64::from(options.couriers) + u64::from(options.trackers),
        options.couriers,
    );
    say(format!(
        "{count} worker process(es) connecting the couriers' apps"
    ));
    let gateways = if options.urls.is_empty() {
        vec![api.base().to_owned()]
    } else {
        options.urls.clone()
    };
    let mut workers = Workers::start(count, &gateways, options.rate_hz, &accounts.couriers).await?;
    tokio::time::sleep(SETTLE).await;
    if let (Some(before), Some(after)) = (before, rss()?) {
        memory.add(before, after, accounts.couriers.len() as u64);
    }

    say(format!("placing {} orders", accounts.customers.len()));
    let orders = world::place_orders(api, accounts, &kitchens, CENTRE, run_tag).await?;
    say("waiting for the dispatcher to assign them".to_owned());
    let asked = tokio::time::Instant::now();
    let deadline = asked + assignment_timeout(orders.len());
    let courier_of = workers.assigned(orders.len(), deadline).await?.clone();
    say(format!(
        "{} of {} orders assigned in {:.1} s",
        courier_of.len(),
        orders.len(),
        asked.elapsed().as_secs_f64()
    ));

    let before = rss()?;
    let trackers = orders
        .iter()
        .zip(&accounts.customers)
        .enumerate()
        .map(|(index, (&order, customer))| TrackerSeat {
            index,
            order,
            token: customer.token.clone(),
            courier: courier_of.get(&order).copied(),
        })
        .collect();
    workers.connect_trackers(trackers).await?;
    tokio::time::sleep(SETTLE).await;
    if let (Some(before), Some(after)) = (before, rss()?) {
        memory.add(before, after, orders.len() as u64);
    }

    say(format!(
        "streaming: {:?} warm-up, then {:?} measured",
        options.warmup, options.duration
    ));
    let worker_count = workers.len();
    workers.tell(&Command::Stream).await?;
    tokio::time::sleep(options.warmup).await;
    workers.tell(&Command::Measure { on: true }).await?;
    let opened = Instant::now();
    tokio::time::sleep(options.duration).await;
    workers.tell(&Command::Measure { on: false }).await?;
    let window = opened.elapsed();
    let tallies = workers.finish().await?;

    let (counts, latencies, error_samples) = sum_up(tallies)?;
    Ok(LoadReport {
        couriers: options.couriers,
        trackers: options.trackers,
        rate_hz: options.rate_hz,
        workers: worker_count,
        window_seconds: window.as_secs_f64(),
        provisioning: String::new(),
        orders_assigned: courier_of.len() as u64,
        sent: counts.sent,
        refused: counts.refused,
        delivered: counts.delivered,
        unmatched: counts.unmatched,
        latency: Latency::of(&latencies),
        idle_memory: server.map(|_| memory),
        errors: counts.errors,
        error_samples,
    })
}

/// The workers' counts, latencies and first errors, added up.
fn sum_up(
    tallies: Vec<WorkerTally>,
) -> Result<(WireCounts, hdrhistogram::Histogram<u64>, Vec<String>), LoadgenError> {
    let mut latencies =
        report::latency_histogram().map_err(|e| LoadgenError::Worker(e.to_string()))?;
    let mut counts = WireCounts::default();
    let mut error_samples = Vec::new();
    for tally in tallies {
        let c = tally.counts;
        counts.sent += c.sent;
        counts.refused += c.refused;
        counts.delivered += c.delivered;
        counts.unmatched += c.unmatched;
        counts.errors += c.errors;
        tally::add_buckets(&mut latencies, &tally.latencies);
        error_samples.extend(tally.error_samples);
    }
    error_samples.truncate(ERROR_SAMPLES);
    Ok((counts, latencies, error_samples))
}

/// Raises this process's open-file limit as far as it goes (a started
/// server or worker inherits it); the limit now.
fn raise_fd_limit() -> Result<u64, LoadgenError> {
    rlimit::increase_nofile_limit(u64::MAX)
        .map_err(|e| LoadgenError::Server(format!("cannot raise the open-file limit: {e}")))
}

/// Checks that a started server can hold `sockets` connections under the
/// open-file `limit` it inherits, besides its store, listener and the rest.
fn check_server_fds(sockets: u64, limit: u64) -> Result<(), LoadgenError> {
    let needed = sockets + SERVER_SPARE_FDS;
    if needed > limit {
        return Err(LoadgenError::Server(format!(
            "the open-file limit is {limit}: a server holding {sockets} connections needs \
             {needed} (at most {} connections fit; raise the hard limit, ulimit -Hn, or run fewer)",
            limit.saturating_sub(SERVER_SPARE_FDS)
        )));
    }
    Ok(())
}

/// A fresh signing secret for a started server (hex of 32 random bytes).
fn random_secret() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    use std::fmt::Write;
    let mut bytes = [0_u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_must_hold_its_connections_and_its_own_files_under_the_limit() {
        assert!(check_server_fds(19_900, 20_000).is_ok());
        let err = check_server_fds(20_000, 20_000).unwrap_err().to_string();
        assert!(err.contains("at most 19900 connections fit"), "{err}");
        assert!(check_server_fds(10, 50).is_err());
    }
}
