//! What every client connection adds to while a run goes on: counts inside
//! the measured window, latencies, and errors, shared by thousands of tasks
//! at little cost (atomics, and latency histograms in a few shards).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use hdrhistogram::Histogram;

use super::report::latency_histogram;

/// Latency histograms kept: connection `i` records into shard `i % SHARDS`.
const SHARDS: usize = 16;
/// Errors kept verbatim for the report.
const ERROR_SAMPLES: usize = 5;

/// The run's shared counters.
#[derive(Debug)]
pub struct Tally {
    measuring: AtomicBool,
    stopping: AtomicBool,
    sent: AtomicU64,
    refused: AtomicU64,
    delivered: AtomicU64,
    unmatched: AtomicU64,
    errors: AtomicU64,
    error_samples: Mutex<Vec<String>>,
    latencies: Vec<Mutex<Histogram<u64>>>,
}

impl Tally {
    /// An empty tally, not measuring.
    pub fn new() -> Result<Self, hdrhistogram::CreationError> {
        Ok(Self {
            measuring: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            sent: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
            unmatched: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            error_samples: Mutex::new(Vec::new()),
            latencies: (0..SHARDS)
                .map(|_| latency_histogram().map(Mutex::new))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Opens or closes the measured window.
    pub fn set_measuring(&self, on: bool) {
        self.measuring.store(on, Ordering::Release);
    }

    /// Whether the window is open.
    pub fn measuring(&self) -> bool {
        self.measuring.load(Ordering::Acquire)
    }

    /// The run is ending: connections closing now are no errors.
    pub fn set_stopping(&self) {
        self.stopping.store(true, Ordering::Release);
    }

    /// Whether the run is ending.
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// A position was sent.
    pub fn sent(&self) {
        if self.measuring() {
            self.sent.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The server refused a position (an error frame on a courier feed).
    pub fn refused(&self) {
        if self.measuring() {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Connection `connection` received a courier update `micros` after it
    /// was sent (`None`: its position matched no position sent).
    pub fn delivered(&self, connection: usize, micros: Option<u64>) {
        if !self.measuring() {
            return;
        }
        self.delivered.fetch_add(1, Ordering::Relaxed);
        let Some(micros) = micros else {
            self.unmatched.fetch_add(1, Ordering::Relaxed);
            return;
        };
        if let Some(shard) = self.latencies.get(connection % SHARDS) {
            let mut histogram = shard
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Saturating: a latency past the histogram's range counts as its top.
            histogram.saturating_record(micros.max(1));
        }
    }

    /// Something went wrong on a connection (always counted).
    pub fn error(&self, what: impl FnOnce() -> String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut samples = self
            .error_samples
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if samples.len() < ERROR_SAMPLES {
            samples.push(what());
        }
    }

    /// The counts: sent, refused, delivered, unmatched, errors.
    pub fn counts(&self) -> Counts {
        Counts {
            sent: self.sent.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            delivered: self.delivered.load(Ordering::Relaxed),
            unmatched: self.unmatched.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
        }
    }

    /// The errors kept verbatim.
    pub fn error_samples(&self) -> Vec<String> {
        self.error_samples
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Every shard's latencies in one histogram.
    pub fn latencies(&self) -> Result<Histogram<u64>, hdrhistogram::CreationError> {
        let mut all = latency_histogram()?;
        for shard in &self.latencies {
            let shard = shard
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Same bounds on both sides: adding cannot fail.
            let _ = all.add(&*shard);
        }
        Ok(all)
    }

    /// Every shard's latencies as `(microseconds, count)` pairs, one per
    /// recorded bucket: what a worker sends the run ([`add_buckets`]).
    pub fn latency_buckets(&self) -> Result<Vec<(u64, u64)>, hdrhistogram::CreationError> {
        let all = self.latencies()?;
        Ok(all
            .iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect())
    }
}

/// Adds a worker's latency buckets to `histogram`.
pub fn add_buckets(histogram: &mut Histogram<u64>, buckets: &[(u64, u64)]) {
    for &(micros, count) in buckets {
        histogram.saturating_record_n(micros, count);
    }
}

/// The tally's counts at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_window_is_counted_but_errors_always_are() {
        let tally = Tally::new().unwrap();
        tally.sent();
        tally.delivered(0, Some(5));
        tally.error(|| "before".into());
        tally.set_measuring(true);
        tally.sent();
        tally.sent();
        tally.refused();
        tally.delivered(3, Some(1_500));
        tally.delivered(20, Some(2_500));
        tally.delivered(4, None);
        tally.set_measuring(false);
        tally.sent();
        let counts = tally.counts();
        assert_eq!(
            counts,
            Counts {
                sent: 2,
                refused: 1,
                delivered: 3,
                unmatched: 1,
                errors: 1
            }
        );
        let latencies = tally.latencies().unwrap();
        assert_eq!(latencies.len(), 2);
        assert_eq!(latencies.min(), 1_500);
        assert_eq!(tally.error_samples(), vec!["before".to_owned()]);

        // A worker's buckets added into the run's histogram keep the percentiles.
        let mut run = latency_histogram().unwrap();
        add_buckets(&mut run, &tally.latency_buckets().unwrap());
        add_buckets(&mut run, &[(2_500, 2)]);
        assert_eq!(run.len(), 4);
        assert_eq!(run.min(), latencies.min());
        assert_eq!(run.value_at_quantile(0.99), latencies.max());
    }
}
