//! What a load run measured, and the arithmetic that turns counts,
//! latencies and memory readings into rates, percentiles and bytes per
//! connection.

use std::fmt;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Latencies are recorded in microseconds, up to a minute.
pub const LATENCY_MAX_MICROS: u64 = 60_000_000;

/// A histogram of latencies in microseconds (three significant digits).
pub fn latency_histogram() -> Result<Histogram<u64>, hdrhistogram::CreationError> {
    Histogram::new_with_max(LATENCY_MAX_MICROS, 3)
}

/// Position-to-subscriber latency percentiles, milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    /// Updates measured.
    pub samples: u64,
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Largest.
    pub max_ms: f64,
}

impl Latency {
    /// The percentiles of `histogram` (microseconds); zeros when empty.
    pub fn of(histogram: &Histogram<u64>) -> Self {
        let ms = |micros: u64| micros as f64 / 1_000.0;
        if histogram.is_empty() {
            return Self {
                samples: 0,
                p50_ms: 0.0,
                p99_ms: 0.0,
                max_ms: 0.0,
            };
        }
        Self {
            samples: histogram.len(),
            p50_ms: ms(histogram.value_at_quantile(0.50)),
            p99_ms: ms(histogram.value_at_quantile(0.99)),
            max_ms: ms(histogram.max()),
        }
    }
}

/// The server's resident memory before and after idle connections opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IdleMemory {
    /// Connections opened and left idle between the readings.
    pub connections: u64,
    /// Resident set growth over them, bytes (0 if it shrank).
    pub growth_bytes: u64,
}

impl IdleMemory {
    /// Adds the growth from `before` to `after` (bytes) over `connections`.
    pub fn add(&mut self, before: u64, after: u64, connections: u64) {
        self.growth_bytes += after.saturating_sub(before);
        self.connections += connections;
    }

    /// Bytes per idle connection; `None` with no connections.
    pub fn per_connection(&self) -> Option<u64> {
        (self.connections > 0).then(|| self.growth_bytes / self.connections)
    }
}

/// Everything a run measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadReport {
    /// Couriers streaming.
    pub couriers: u32,
    /// Customers tracking.
    pub trackers: u32,
    /// Positions per second per courier.
    pub rate_hz: f64,
    /// Client processes the connections were spread over.
    pub workers: usize,
    /// Length of the measured window, seconds (as it really lasted).
    pub window_seconds: f64,
    /// How accounts were made (`store` or `sign-up`).
    pub provisioning: String,
    /// Orders assigned to a courier before streaming began.
    pub orders_assigned: u64,
    /// Positions sent in the window.
    pub sent: u64,
    /// Positions the server refused in the window (error frames).
    pub refused: u64,
    /// Courier updates trackers received in the window.
    pub delivered: u64,
    /// Courier updates whose position matched no position sent.
    pub unmatched: u64,
    /// Position-to-tracker latency.
    pub latency: Latency,
    /// Server memory over idle connections; `None` for a server not
    /// started by the run (its memory cannot be read).
    pub idle_memory: Option<IdleMemory>,
    /// Connections that failed or closed unexpectedly, and other errors.
    pub errors: u64,
    /// The first few errors, as they were reported.
    pub error_samples: Vec<String>,
}

impl LoadReport {
    /// Positions the server accepted (sent and not refused).
    pub fn ingested(&self) -> u64 {
        self.sent.saturating_sub(self.refused)
    }

    /// `count` per second of the window.
    pub fn per_second(&self, count: u64) -> f64 {
        rate(count, Duration::from_secs_f64(self.window_seconds))
    }
}

/// `count` per second over `window`; 0 for an empty window.
pub fn rate(count: u64, window: Duration) -> f64 {
    let seconds = window.as_secs_f64();
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "load: {} couriers at {} Hz, {} trackers, over {} client process(es); {:.1} s measured",
            self.couriers, self.rate_hz, self.trackers, self.workers, self.window_seconds
        )?;
        writeln!(
            f,
            "accounts: {}; orders assigned to couriers: {} of {}",
            self.provisioning, self.orders_assigned, self.trackers
        )?;
        let line = |f: &mut fmt::Formatter<'_>, what: &str, n: u64| {
            writeln!(f, "{what:<28}{n:>12} ({:.0}/s)", self.per_second(n))
        };
        line(f, "positions sent", self.sent)?;
        line(f, "positions ingested", self.ingested())?;
        line(f, "positions refused", self.refused)?;
        line(f, "updates delivered", self.delivered)?;
        writeln!(
            f,
            "{:<28}p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples, {} unmatched)",
            "position-to-tracker latency",
            self.latency.p50_ms,
            self.latency.p99_ms,
            self.latency.max_ms,
            self.latency.samples,
            self.unmatched
        )?;
        match self
            .idle_memory
            .and_then(|m| m.per_connection().map(|b| (m, b)))
        {
            Some((memory, bytes)) => writeln!(
                f,
                "{:<28}{:.1} KiB (resident set +{:.1} MiB over {} connections)",
                "memory per idle connection",
                bytes as f64 / 1024.0,
                memory.growth_bytes as f64 / (1024.0 * 1024.0),
                memory.connections
            )?,
            None => writeln!(
                f,
                "{:<28}not measured (server not started by the run)",
                "memory per idle connection"
            )?,
        }
        writeln!(f, "{:<28}{}", "errors", self.errors)?;
        for sample in &self.error_samples {
            writeln!(f, "  {sample}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> LoadReport {
        LoadReport {
            couriers: 2,
            trackers: 2,
            rate_hz: 5.0,
            workers: 1,
            window_seconds: 4.0,
            provisioning: "store".into(),
            orders_assigned: 2,
            sent: 40,
            refused: 4,
            delivered: 30,
            unmatched: 0,
            latency: Latency::of(&latency_histogram().unwrap()),
            idle_memory: None,
            errors: 0,
            error_samples: Vec::new(),
        }
    }

    #[test]
    fn rates_divide_counts_by_the_window() {
        let report = report();
        assert_eq!(report.ingested(), 36);
        assert!((report.per_second(report.ingested()) - 9.0).abs() < 1e-9);
        assert!((rate(10, Duration::from_millis(500)) - 20.0).abs() < 1e-9);
        assert!(rate(10, Duration::ZERO).abs() < f64::EPSILON);
        let refused_all = LoadReport {
            refused: 50,
            ..report
        };
        assert_eq!(refused_all.ingested(), 0);
    }

    #[test]
    fn percentiles_come_from_the_histogram_in_milliseconds() {
        let mut histogram = latency_histogram().unwrap();
        for micros in 1..=1_000 {
            histogram.record(micros * 100).unwrap();
        }
        let latency = Latency::of(&histogram);
        assert_eq!(latency.samples, 1_000);
        assert!((latency.p50_ms - 50.0).abs() < 0.1, "{latency:?}");
        assert!((latency.p99_ms - 99.0).abs() < 0.1, "{latency:?}");
        assert!((latency.max_ms - 100.0).abs() < 0.1, "{latency:?}");
        assert_eq!(Latency::of(&latency_histogram().unwrap()).samples, 0);
    }

    #[test]
    fn idle_memory_is_growth_over_connections() {
        let mut memory = IdleMemory {
            connections: 0,
            growth_bytes: 0,
        };
        assert_eq!(memory.per_connection(), None);
        memory.add(100_000, 180_000, 10);
        memory.add(200_000, 150_000, 10); // shrank: counts as no growth
        assert_eq!(memory.growth_bytes, 80_000);
        assert_eq!(memory.per_connection(), Some(4_000));
    }

    #[test]
    fn the_text_report_names_every_figure() {
        let text = report().to_string();
        for needle in [
            "positions ingested",
            "36 (9/s)",
            "updates delivered",
            "p99",
            "not measured",
        ] {
            assert!(text.contains(needle), "{needle} missing from\n{text}");
        }
    }
}
