//! `foodiefast loadgen`: couriers streaming positions and customers
//! tracking their orders over the real gateway, with throughput,
//! position-to-tracker latency and the server's memory per idle
//! connection measured.
//!
//! A run:
//! 1. starts `foodiefast serve` on a fresh store ([`server`]) unless given
//!    `--url`, and makes its accounts ([`accounts`]);
//! 2. puts the couriers online and connects their apps ([`courier`]),
//!    reading the server's memory before and after;
//! 3. opens kitchens and places one order per customer, accepted at once
//!    ([`world`]); the dispatcher offers them and the apps accept;
//! 4. connects the trackers ([`tracker`]), memory read again;
//! 5. streams for the warm-up, then for the measured window, counting
//!    what is sent, refused and delivered ([`tally`]) and matching each
//!    position delivered to its send time ([`probe`]);
//! 6. closes everything and reports ([`report`]).

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
pub mod world;

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use self::accounts::{Accounts, Headcount};
use self::api::{Api, in_parallel};
use self::courier::CourierPlan;
use self::error::LoadgenError;
use self::options::LoadOptions;
use self::probe::{LatLngDegrees, SendTimes, origin};
use self::report::{IdleMemory, Latency, LoadReport};
use self::server::{ChildServer, ChildSettings, fresh_store};
use self::socket::{Phase, Shared, connect};
use self::tally::Tally;
use self::tracker::TrackerPlan;

/// The city the run plays in (the service's default centre).
const CENTRE: LatLngDegrees = LatLngDegrees {
    lat: 52.52,
    lng: 13.405,
};
/// How long connections sit idle before the memory is read.
const SETTLE: Duration = Duration::from_secs(2);
/// How long clients may take to close at the end.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(30);
/// File descriptors kept spare beyond one per socket.
const SPARE_FDS: u64 = 1_024;
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
    raise_fd_limit(sockets)?;
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
    let (server, api, accounts, provisioning) = if let Some(url) = &options.url {
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

/// The run's client tasks and the phase they follow.
struct Clients {
    shared: Arc<Shared>,
    phase: watch::Sender<Phase>,
    tasks: JoinSet<()>,
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
    let mut clients = Clients {
        shared: Arc::new(Shared {
            tally: Tally::new().map_err(|e| LoadgenError::Server(e.to_string()))?,
            times: SendTimes::new(accounts.couriers.len()),
        }),
        phase: watch::channel(Phase::Provisioning).0,
        tasks: JoinSet::new(),
    };
    let mut memory = IdleMemory {
        connections: 0,
        growth_bytes: 0,
    };
    let rss = || server.map(ChildServer::rss_bytes).transpose();

    say(format!("{} couriers going online", accounts.couriers.len()));
    world::couriers_online(api, accounts, CENTRE).await?;
    let before = rss()?;
    let mut assigned = connect_couriers(options, api, accounts, &mut clients).await?;
    tokio::time::sleep(SETTLE).await;
    if let (Some(before), Some(after)) = (before, rss()?) {
        memory.add(before, after, accounts.couriers.len() as u64);
    }

    say(format!("placing {} orders", accounts.customers.len()));
    let orders = world::place_orders(api, accounts, CENTRE, run_tag).await?;
    say("waiting for the dispatcher to assign them".to_owned());
    let mut courier_of: HashMap<u64, usize> = HashMap::new();
    let deadline = tokio::time::Instant::now() + assignment_timeout(orders.len());
    while courier_of.len() < orders.len() {
        match tokio::time::timeout_at(deadline, assigned.recv()).await {
            Ok(Some((order, courier))) => {
                courier_of.insert(order, courier);
            }
            Ok(None) | Err(_) => break,
        }
    }
    say(format!(
        "{} of {} orders assigned",
        courier_of.len(),
        orders.len()
    ));

    let before = rss()?;
    connect_trackers(api, accounts, &orders, &courier_of, &mut clients).await?;
    tokio::time::sleep(SETTLE).await;
    if let (Some(before), Some(after)) = (before, rss()?) {
        memory.add(before, after, orders.len() as u64);
    }

    say(format!(
        "streaming: {:?} warm-up, then {:?} measured",
        options.warmup, options.duration
    ));
    let window = stream(options, clients).await;
    let shared_tally = &window.1.tally;
    let counts = shared_tally.counts();
    let latencies = shared_tally
        .latencies()
        .map_err(|e| LoadgenError::Server(e.to_string()))?;
    Ok(LoadReport {
        couriers: options.couriers,
        trackers: options.trackers,
        rate_hz: options.rate_hz,
        window_seconds: window.0.as_secs_f64(),
        provisioning: String::new(),
        orders_assigned: courier_of.len() as u64,
        sent: counts.sent,
        refused: counts.refused,
        delivered: counts.delivered,
        unmatched: counts.unmatched,
        latency: Latency::of(&latencies),
        idle_memory: server.map(|_| memory),
        errors: counts.errors,
        error_samples: shared_tally.error_samples(),
    })
}

/// Connects every courier's app and starts its task; the receiver of the
/// orders assigned to them, as `(order, courier index)`.
async fn connect_couriers(
    options: &LoadOptions,
    api: &Api,
    accounts: &Accounts,
    clients: &mut Clients,
) -> Result<mpsc::UnboundedReceiver<(u64, usize)>, LoadgenError> {
    let url = api.ws_url("/ws/courier");
    let apps = in_parallel(&accounts.couriers, |c| connect(&url, &c.token)).await?;
    let (assigned_tx, assigned_rx) = mpsc::unbounded_channel();
    let interval = options.send_interval();
    let count = apps.len().max(1);
    for (index, ws) in apps.into_iter().enumerate() {
        let plan = CourierPlan {
            index,
            origin: origin(CENTRE, index),
            interval,
            offset: interval.mul_f64(index as f64 / count as f64),
        };
        clients.tasks.spawn(courier::run(
            ws,
            plan,
            Arc::clone(&clients.shared),
            clients.phase.subscribe(),
            assigned_tx.clone(),
        ));
    }
    Ok(assigned_rx)
}

/// Connects customer `j`'s tracker to `orders[j]` and starts its task.
async fn connect_trackers(
    api: &Api,
    accounts: &Accounts,
    orders: &[u64],
    courier_of: &HashMap<u64, usize>,
    clients: &mut Clients,
) -> Result<(), LoadgenError> {
    let targets: Vec<(String, &str)> = orders
        .iter()
        .zip(&accounts.customers)
        .map(|(order, customer)| {
            (
                api.ws_url(&format!("/ws/orders/{order}/track")),
                customer.token.as_str(),
            )
        })
        .collect();
    let trackers = in_parallel(&targets, |(url, token)| connect(url, token)).await?;
    for (index, (ws, order)) in trackers.into_iter().zip(orders).enumerate() {
        let courier = courier_of
            .get(order)
            .map(|&courier| (courier, origin(CENTRE, courier)));
        let plan = TrackerPlan { index, courier };
        clients.tasks.spawn(tracker::run(
            ws,
            plan,
            Arc::clone(&clients.shared),
            clients.phase.subscribe(),
        ));
    }
    Ok(())
}

/// Streams for the warm-up and the window, then stops every client; the
/// window's real length and the shared tally.
async fn stream(options: &LoadOptions, mut clients: Clients) -> (Duration, Arc<Shared>) {
    let tally = &clients.shared.tally;
    let _ = clients.phase.send(Phase::Streaming);
    tokio::time::sleep(options.warmup).await;
    tally.set_measuring(true);
    let opened = Instant::now();
    tokio::time::sleep(options.duration).await;
    tally.set_measuring(false);
    let window = opened.elapsed();
    tally.set_stopping();
    let _ = clients.phase.send(Phase::Stopping);
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, async {
        while clients.tasks.join_next().await.is_some() {}
    })
    .await;
    (window, clients.shared)
}

/// Raises this process's open-file limit (a started server inherits it)
/// to what `sockets` connections need, or says why it cannot.
fn raise_fd_limit(sockets: u64) -> Result<(), LoadgenError> {
    let needed = sockets + SPARE_FDS;
    let got = rlimit::increase_nofile_limit(needed.max(65_536))
        .map_err(|e| LoadgenError::Server(format!("cannot raise the open-file limit: {e}")))?;
    if got < needed {
        return Err(LoadgenError::Server(format!(
            "the open-file limit is {got}, and {sockets} connections need {needed}: \
             raise the hard limit (ulimit -Hn)"
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
