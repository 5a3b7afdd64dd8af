//! What a run and its worker processes ([`super::worker`]) tell each other:
//! one JSON object a line, commands on the worker's standard input, events
//! on its standard output.
//!
//! A worker holds a slice of the couriers and the trackers of the orders
//! those couriers were assigned, so a tracker and the courier it follows
//! share one process and one clock: a latency is read on the clock that
//! timed the send, never across processes.

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use super::error::LoadgenError;
use super::tally::Counts;

/// One courier of a worker's slice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourierSeat {
    /// Its index in the run (origin, probe grid, offset).
    pub index: usize,
    /// Its bearer token.
    pub token: String,
}

/// One tracker a worker connects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackerSeat {
    /// Its index in the run (which latency shard it writes).
    pub index: usize,
    /// The order it tracks.
    pub order: u64,
    /// The customer's bearer token.
    pub token: String,
    /// The run index of the courier assigned to the order, if any (always
    /// one of this worker's couriers).
    pub courier: Option<usize>,
}

/// What the run tells a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Command {
    /// Connect these couriers' apps (the first command); answered with
    /// [`Event::CouriersReady`].
    Couriers {
        /// The server's base URL.
        url: String,
        /// Positions per second per courier.
        rate_hz: f64,
        /// Couriers in the whole run (to spread first positions).
        fleet: usize,
        /// This worker's couriers.
        seats: Vec<CourierSeat>,
    },
    /// Connect these trackers; answered with [`Event::TrackersReady`].
    Trackers {
        /// The trackers.
        seats: Vec<TrackerSeat>,
    },
    /// Couriers start sending positions.
    Stream,
    /// Open or close the measured window.
    Measure {
        /// Whether the window is open.
        on: bool,
    },
    /// Close everything; answered with [`Event::Done`].
    Stop,
}

/// What a worker tells the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Every courier of the slice is connected.
    CouriersReady,
    /// The server assigned `order` to the courier of run index `courier`.
    Assigned {
        /// The order.
        order: u64,
        /// The courier's run index.
        courier: usize,
    },
    /// Every tracker is connected.
    TrackersReady,
    /// The worker's counts and latencies, after closing.
    Done(WorkerTally),
    /// The worker cannot go on.
    Failed {
        /// Why.
        reason: String,
    },
}

/// A worker's share of the results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerTally {
    /// Sent, refused, delivered, unmatched, errors.
    pub counts: WireCounts,
    /// Latencies as `(microseconds, count)` pairs of the worker's
    /// histogram's recorded buckets: the run adds them into its own.
    pub latencies: Vec<(u64, u64)>,
    /// The worker's first few errors.
    pub error_samples: Vec<String>,
}

/// [`Counts`] on the wire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireCounts {
    /// Positions sent in the window.
    pub sent: u64,
    /// Positions refused in the window.
    pub refused: u64,
    /// Courier updates received in the window.
    pub delivered: u64,
    /// Of which matched no position sent.
    pub unmatched: u64,
    /// Errors, at any time.
    pub errors: u64,
}

impl From<Counts> for WireCounts {
    fn from(c: Counts) -> Self {
        Self {
            sent: c.sent,
            refused: c.refused,
            delivered: c.delivered,
            unmatched: c.unmatched,
            errors: c.errors,
        }
    }
}

/// `message` as one line.
fn encode<T: Serialize>(message: &T) -> Result<Vec<u8>, LoadgenError> {
    let mut line = serde_json::to_vec(message)
        .map_err(|e| LoadgenError::Worker(format!("cannot write: {e}")))?;
    line.push(b'\n');
    Ok(line)
}

/// The message of one line.
fn decode<T: for<'de> Deserialize<'de>>(line: &str) -> Result<T, LoadgenError> {
    serde_json::from_str(line)
        .map_err(|e| LoadgenError::Worker(format!("unreadable line `{}`: {e}", line.trim_end())))
}

fn io_failed(e: &std::io::Error) -> LoadgenError {
    LoadgenError::Worker(format!("pipe: {e}"))
}

/// Writes `message` as one line and flushes it.
pub async fn write_line<T: Serialize>(
    out: &mut (impl AsyncWrite + Unpin),
    message: &T,
) -> Result<(), LoadgenError> {
    out.write_all(&encode(message)?)
        .await
        .map_err(|e| io_failed(&e))?;
    out.flush().await.map_err(|e| io_failed(&e))
}

/// Reads the next message; `None` at the end of the stream.
pub async fn read_line<T: for<'de> Deserialize<'de>>(
    input: &mut (impl AsyncBufRead + Unpin),
) -> Result<Option<T>, LoadgenError> {
    let mut line = String::new();
    let read = input
        .read_line(&mut line)
        .await
        .map_err(|e| io_failed(&e))?;
    if read == 0 {
        return Ok(None);
    }
    decode(&line).map(Some)
}

/// [`write_line`] on a blocking stream (a worker's standard output).
pub fn write_line_blocking<T: Serialize>(
    out: &mut impl std::io::Write,
    message: &T,
) -> Result<(), LoadgenError> {
    out.write_all(&encode(message)?)
        .map_err(|e| io_failed(&e))?;
    out.flush().map_err(|e| io_failed(&e))
}

/// [`read_line`] on a blocking stream (a worker's standard input).
pub fn read_line_blocking<T: for<'de> Deserialize<'de>>(
    input: &mut impl std::io::BufRead,
) -> Result<Option<T>, LoadgenError> {
    let mut line = String::new();
    if input.read_line(&mut line).map_err(|e| io_failed(&e))? == 0 {
        return Ok(None);
    }
    decode(&line).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn commands_and_events_survive_the_pipe() {
        let messages = vec![
            Command::Couriers {
                url: "http://127.0.0.1:9".into(),
                rate_hz: 5.0,
                fleet: 3,
                seats: vec![CourierSeat {
                    index: 2,
                    token: "t".into(),
                }],
            },
            Command::Trackers {
                seats: vec![TrackerSeat {
                    index: 0,
                    order: 7,
                    token: "c".into(),
                    courier: Some(2),
                }],
            },
            Command::Stream,
            Command::Measure { on: true },
            Command::Stop,
        ];
        let mut pipe = Vec::new();
        for m in &messages {
            write_line(&mut pipe, m).await.unwrap();
        }
        let mut reader = tokio::io::BufReader::new(pipe.as_slice());
        for m in &messages {
            assert_eq!(
                read_line::<Command>(&mut reader).await.unwrap().as_ref(),
                Some(m)
            );
        }
        assert_eq!(read_line::<Command>(&mut reader).await.unwrap(), None);

        let done = Event::Done(WorkerTally {
            counts: WireCounts {
                sent: 1,
                refused: 2,
                delivered: 3,
                unmatched: 4,
                errors: 5,
            },
            latencies: vec![(150, 2), (9_000, 1)],
            error_samples: vec!["x".into()],
        });
        let mut pipe = Vec::new();
        write_line(&mut pipe, &done).await.unwrap();
        let mut reader = tokio::io::BufReader::new(pipe.as_slice());
        assert_eq!(read_line::<Event>(&mut reader).await.unwrap(), Some(done));
        let mut junk = tokio::io::BufReader::new(&b"{\"event\":\"nope\"}\n"[..]);
        assert!(read_line::<Event>(&mut junk).await.is_err());

        // The worker's blocking ends read and write the same lines.
        let mut pipe = Vec::new();
        write_line_blocking(&mut pipe, &Command::Measure { on: false }).unwrap();
        write_line(&mut pipe, &Event::TrackersReady).await.unwrap();
        let mut reader = std::io::BufReader::new(pipe.as_slice());
        assert_eq!(
            read_line_blocking::<Command>(&mut reader).unwrap(),
            Some(Command::Measure { on: false })
        );
        assert_eq!(
            read_line_blocking::<Event>(&mut reader).unwrap(),
            Some(Event::TrackersReady)
        );
        assert_eq!(read_line_blocking::<Event>(&mut reader).unwrap(), None);
    }
}
