//! `foodiefast loadgen-worker` (hidden): one of a run's client processes.
//! It connects the couriers and trackers the run hands it over standard
//! input ([`super::wire`]), follows the run's phases, forwards the orders
//! the server assigns to its couriers, and at the end sends back its counts
//! and latencies.
//!
//! Workers exist because one process may hold only so many sockets (the
//! open-file limit): a run spreads its clients over several.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use super::api::{Api, in_parallel};
use super::courier::{self, CourierPlan};
use super::error::LoadgenError;
use super::probe::{SendTimes, origin};
use super::socket::{Phase, Shared, connect};
use super::tally::Tally;
use super::tracker::{self, TrackerPlan};
use super::wire::{
    Command, CourierSeat, Event, TrackerSeat, WorkerTally, read_line_blocking, write_line_blocking,
};
use super::{CENTRE, CLOSE_TIMEOUT};

/// Runs a worker on this process's standard input and output.
pub async fn run() -> Result<(), LoadgenError> {
    let (out, writer) = write_events();
    let result = serve(&out).await;
    if let Err(err) = &result {
        let _ = out.send(Event::Failed {
            reason: err.to_string(),
        });
    }
    drop(out);
    // Every event is written before the worker ends; the run may be gone
    // already, and the exit status says it too.
    let _ = tokio::task::spawn_blocking(move || writer.join()).await;
    result
}

/// Where the worker's events go: a thread writing them to standard output
/// (blocking, as the worker's runtime has no standard-stream support), in
/// the order sent, until every sender is dropped.
fn write_events() -> (mpsc::UnboundedSender<Event>, std::thread::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let writer = std::thread::spawn(move || {
        let mut out = std::io::stdout();
        while let Some(event) = rx.blocking_recv() {
            if write_line_blocking(&mut out, &event).is_err() {
                return;
            }
        }
    });
    (tx, writer)
}

/// The worker's clients and what they share.
struct Clients {
    shared: Arc<Shared>,
    phase: watch::Sender<Phase>,
    tasks: JoinSet<()>,
    /// The run index of the first courier of the slice: rows in the send
    /// times count from it.
    first: usize,
}

async fn serve(out: &mpsc::UnboundedSender<Event>) -> Result<(), LoadgenError> {
    let emit = |event: Event| {
        out.send(event)
            .map_err(|_| LoadgenError::Worker("standard output is closed".into()))
    };
    let mut commands = read_commands();
    let Some(Command::Couriers {
        url,
        rate_hz,
        fleet,
        seats,
    }) = commands.recv().await.transpose()?
    else {
        return Err(LoadgenError::Worker(
            "the first command must name the couriers".into(),
        ));
    };
    super::raise_fd_limit()?;
    let api = Api::new(&url)?;
    let first = seats.iter().map(|s| s.index).min().unwrap_or(0);
    let rows = seats.iter().map(|s| s.index - first + 1).max().unwrap_or(0);
    let mut clients = Clients {
        shared: Arc::new(Shared {
            tally: Tally::new().map_err(|e| LoadgenError::Worker(e.to_string()))?,
            times: SendTimes::new(rows),
        }),
        phase: watch::channel(Phase::Provisioning).0,
        tasks: JoinSet::new(),
        first,
    };
    let interval = Duration::from_secs_f64(1.0 / rate_hz);
    let mut assigned = connect_couriers(&api, &seats, interval, fleet, &mut clients).await?;
    emit(Event::CouriersReady)?;
    loop {
        tokio::select! {
            Some((order, courier)) = assigned.recv() => {
                emit(Event::Assigned { order, courier })?;
            }
            command = commands.recv() => match command.transpose()? {
                Some(Command::Trackers { seats }) => {
                    connect_trackers(&api, &seats, &mut clients).await?;
                    emit(Event::TrackersReady)?;
                }
                Some(Command::Stream) => {
                    let _ = clients.phase.send(Phase::Streaming);
                }
                Some(Command::Measure { on }) => clients.shared.tally.set_measuring(on),
                Some(Command::Stop) | None => break,
                Some(Command::Couriers { .. }) => {
                    return Err(LoadgenError::Worker("couriers named twice".into()));
                }
            },
        }
    }
    let tally = finish(clients).await?;
    emit(Event::Done(tally))
}

/// Standard input's commands, read by a thread of their own (a line read
/// is not safe to abandon halfway, as a `select!` would).
fn read_commands() -> mpsc::UnboundedReceiver<Result<Command, LoadgenError>> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        let mut input = std::io::stdin().lock();
        loop {
            match read_line_blocking::<Command>(&mut input) {
                Ok(Some(command)) => {
                    if tx.send(Ok(command)).is_err() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(err) => {
                    let _ = tx.send(Err(err));
                    return;
                }
            }
        }
    });
    rx
}

/// Connects the slice's couriers and starts their tasks; the receiver of
/// the orders assigned to them, as `(order, courier run index)`.
async fn connect_couriers(
    api: &Api,
    seats: &[CourierSeat],
    interval: Duration,
    fleet: usize,
    clients: &mut Clients,
) -> Result<mpsc::UnboundedReceiver<(u64, usize)>, LoadgenError> {
    let url = api.ws_url("/ws/courier");
    let apps = in_parallel(seats, |s| connect(&url, &s.token)).await?;
    let (assigned_tx, assigned_rx) = mpsc::unbounded_channel();
    let fleet = fleet.max(1);
    for (ws, seat) in apps.into_iter().zip(seats) {
        let plan = CourierPlan {
            index: seat.index,
            row: seat.index - clients.first,
            origin: origin(CENTRE, seat.index),
            interval,
            offset: interval.mul_f64((seat.index % fleet) as f64 / fleet as f64),
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

/// Connects the trackers and starts their tasks.
async fn connect_trackers(
    api: &Api,
    seats: &[TrackerSeat],
    clients: &mut Clients,
) -> Result<(), LoadgenError> {
    let urls: Vec<String> = seats
        .iter()
        .map(|s| api.ws_url(&format!("/ws/orders/{}/track", s.order)))
        .collect();
    let sockets = in_parallel(urls.iter().zip(seats), |(url, s)| connect(url, &s.token)).await?;
    for (ws, seat) in sockets.into_iter().zip(seats) {
        let courier = match seat.courier {
            Some(c) if c >= clients.first => Some((c - clients.first, origin(CENTRE, c))),
            Some(c) => {
                return Err(LoadgenError::Worker(format!(
                    "tracker {} follows courier {c}, not one of this worker's",
                    seat.index
                )));
            }
            None => None,
        };
        let plan = TrackerPlan {
            index: seat.index,
            courier,
        };
        clients.tasks.spawn(tracker::run(
            ws,
            plan,
            Arc::clone(&clients.shared),
            clients.phase.subscribe(),
        ));
    }
    Ok(())
}

/// Stops every client and sums up.
async fn finish(mut clients: Clients) -> Result<WorkerTally, LoadgenError> {
    let tally = &clients.shared.tally;
    tally.set_measuring(false);
    tally.set_stopping();
    let _ = clients.phase.send(Phase::Stopping);
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, async {
        while clients.tasks.join_next().await.is_some() {}
    })
    .await;
    Ok(WorkerTally {
        counts: tally.counts().into(),
        latencies: tally
            .latency_buckets()
            .map_err(|e| LoadgenError::Worker(e.to_string()))?,
        error_samples: tally.error_samples(),
    })
}
