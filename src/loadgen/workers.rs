//! The run's side of its worker processes ([`super::worker`]): starts
//! `foodiefast loadgen-worker` children (this very binary), hands each a
//! contiguous slice of the couriers, routes every tracker to the worker of
//! the courier it follows, relays the run's phases, and gathers what they
//! measured.
//!
//! A worker's events are read by a task of its own and arrive here on one
//! channel; orders assigned to a courier are collected whenever they come.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::BufReader;
use tokio::process::{Child, ChildStdin, Command as Process};
use tokio::sync::mpsc;

use super::accounts::Account;
use super::error::LoadgenError;
use super::wire::{Command, CourierSeat, Event, TrackerSeat, WorkerTally, read_line, write_line};

/// Connections one worker holds at most when the run picks the count:
/// well under the open-file limits containers commonly set (20,000 here).
pub const CONNECTIONS_PER_WORKER: u64 = 8_000;
/// How long a worker may take to connect its clients or to finish.
const STEP_TIMEOUT: Duration = Duration::from_mins(10);

/// Workers for `connections` client connections: `requested`, or enough
/// that none holds more than [`CONNECTIONS_PER_WORKER`].
pub fn count_for(requested: Option<u32>, connections: u64, couriers: u32) -> usize {
    let auto = connections.div_ceil(CONNECTIONS_PER_WORKER).max(1) as usize;
    // No worker without a courier: trackers follow their courier's worker.
    requested
        .map_or(auto, |n| n as usize)
        .min(couriers as usize)
        .max(1)
}

/// One running worker.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    /// The run indexes of its couriers, `first..end`.
    first: usize,
    end: usize,
}

/// The run's workers.
pub struct Workers {
    procs: Vec<Worker>,
    events: mpsc::UnboundedReceiver<(usize, Event)>,
    /// Orders assigned so far, and the run index of their courier.
    assigned: HashMap<u64, usize>,
}

impl Workers {
    /// Starts `count` workers and has them connect `couriers` (slices in
    /// order) to the servers at `urls`, worker by worker in turn (the
    /// gateways of one cluster); returns once every app is connected.
    pub async fn start(
        count: usize,
        urls: &[String],
        rate_hz: f64,
        couriers: &[Account],
    ) -> Result<Self, LoadgenError> {
        let exe = std::env::current_exe()
            .map_err(|e| LoadgenError::Worker(format!("cannot find this program: {e}")))?;
        let (tx, events) = mpsc::unbounded_channel();
        let per_worker = couriers.len().div_ceil(count.max(1)).max(1);
        let mut workers = Vec::new();
        for (w, slice) in couriers.chunks(per_worker).enumerate() {
            let mut child = Process::new(&exe)
                .arg("loadgen-worker")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| LoadgenError::Worker(format!("cannot start a worker: {e}")))?;
            let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
                return Err(LoadgenError::Worker("no pipes to a worker".into()));
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stdout);
                loop {
                    let event = match read_line::<Event>(&mut lines).await {
                        Ok(Some(event)) => event,
                        Ok(None) => Event::Failed {
                            reason: "exited".into(),
                        },
                        Err(err) => Event::Failed {
                            reason: err.to_string(),
                        },
                    };
                    let last = matches!(event, Event::Failed { .. } | Event::Done(_));
                    if tx.send((w, event)).is_err() || last {
                        return;
                    }
                }
            });
            let first = w * per_worker;
            workers.push(Worker {
                child,
                stdin,
                first,
                end: first + slice.len(),
            });
        }
        let mut this = Self {
            procs: workers,
            events,
            assigned: HashMap::new(),
        };
        for (w, worker) in this.procs.iter_mut().enumerate() {
            let Some(url) = urls.get(w % urls.len().max(1)) else {
                return Err(LoadgenError::Worker("no server to connect to".into()));
            };
            let seats = couriers
                .get(worker.first..worker.end)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(i, a)| CourierSeat {
                    index: worker.first + i,
                    token: a.token.clone(),
                })
                .collect();
            let command = Command::Couriers {
                url: url.clone(),
                rate_hz,
                fleet: couriers.len(),
                seats,
            };
            write_line(&mut worker.stdin, &command).await?;
        }
        this.gather(|e| matches!(e, Event::CouriersReady)).await?;
        Ok(this)
    }

    /// How many workers run.
    pub fn len(&self) -> usize {
        self.procs.len()
    }

    /// Whether none runs (never, once started).
    pub fn is_empty(&self) -> bool {
        self.procs.is_empty()
    }

    /// Waits until `orders` orders are assigned or `deadline` passes; the
    /// orders assigned, and the run index of their courier.
    pub async fn assigned(
        &mut self,
        orders: usize,
        deadline: tokio::time::Instant,
    ) -> Result<&HashMap<u64, usize>, LoadgenError> {
        while self.assigned.len() < orders {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some((w, event))) => self.note(w, event)?,
                Ok(None) | Err(_) => break,
            }
        }
        Ok(&self.assigned)
    }

    /// Connects `trackers`, each at the worker of the courier it follows
    /// (round the workers for an order without one).
    pub async fn connect_trackers(
        &mut self,
        trackers: Vec<TrackerSeat>,
    ) -> Result<(), LoadgenError> {
        let mut by_worker: Vec<Vec<TrackerSeat>> = vec![Vec::new(); self.procs.len()];
        for (i, seat) in trackers.into_iter().enumerate() {
            let w = seat
                .courier
                .and_then(|c| {
                    self.procs
                        .iter()
                        .position(|w| (w.first..w.end).contains(&c))
                })
                .unwrap_or(i % self.procs.len().max(1));
            if let Some(list) = by_worker.get_mut(w) {
                list.push(seat);
            }
        }
        for (worker, seats) in self.procs.iter_mut().zip(by_worker) {
            write_line(&mut worker.stdin, &Command::Trackers { seats }).await?;
        }
        self.gather(|e| matches!(e, Event::TrackersReady)).await
    }

    /// Tells every worker `command`.
    pub async fn tell(&mut self, command: &Command) -> Result<(), LoadgenError> {
        for worker in &mut self.procs {
            write_line(&mut worker.stdin, command).await?;
        }
        Ok(())
    }

    /// Stops every worker; what each measured.
    pub async fn finish(mut self) -> Result<Vec<WorkerTally>, LoadgenError> {
        self.tell(&Command::Stop).await?;
        let mut tallies = Vec::new();
        let mut pending = self.procs.len();
        while pending > 0 {
            match self.next().await? {
                (_, Event::Done(tally)) => {
                    tallies.push(tally);
                    pending -= 1;
                }
                (w, event) => self.note(w, event)?,
            }
        }
        for worker in &mut self.procs {
            let _ = tokio::time::timeout(STEP_TIMEOUT, worker.child.wait()).await;
        }
        Ok(tallies)
    }

    /// Waits for every worker's `want` event, noting the others.
    async fn gather(&mut self, want: impl Fn(&Event) -> bool) -> Result<(), LoadgenError> {
        let mut pending = self.procs.len();
        while pending > 0 {
            let (w, event) = self.next().await?;
            if want(&event) {
                pending -= 1;
            } else {
                self.note(w, event)?;
            }
        }
        Ok(())
    }

    async fn next(&mut self) -> Result<(usize, Event), LoadgenError> {
        tokio::time::timeout(STEP_TIMEOUT, self.events.recv())
            .await
            .map_err(|_| LoadgenError::Worker(format!("no answer within {STEP_TIMEOUT:?}")))?
            .ok_or_else(|| LoadgenError::Worker("every worker is gone".into()))
    }

    /// Keeps an assignment; a failure ends the run.
    fn note(&mut self, w: usize, event: Event) -> Result<(), LoadgenError> {
        match event {
            Event::Assigned { order, courier } => {
                self.assigned.insert(order, courier);
                Ok(())
            }
            Event::Failed { reason } => Err(LoadgenError::Worker(format!("worker {w}: {reason}"))),
            other => Err(LoadgenError::Worker(format!(
                "worker {w}: unexpected {other:?}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worker_count_is_asked_for_or_fits_the_connections() {
        assert_eq!(count_for(None, 40, 20), 1);
        assert_eq!(count_for(None, 20_000, 10_000), 3);
        assert_eq!(count_for(None, CONNECTIONS_PER_WORKER, 10_000), 1);
        assert_eq!(count_for(Some(2), 40, 20), 2);
        assert_eq!(count_for(Some(8), 4, 2), 2, "no worker without a courier");
        assert_eq!(count_for(Some(0), 4, 2), 1);
    }
}
