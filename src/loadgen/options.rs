//! What a load run does: how many couriers stream at what rate, how many
//! customers track, for how long, against which server. Checked once here,
//! for the command line and library callers alike.

use std::time::Duration;

/// The most couriers (or trackers) one run drives: each is a socket, and
/// a run keeps both ends of every socket on one machine.
pub const MAX_CLIENTS: u32 = 50_000;
/// The highest position rate a courier app would send.
pub const MAX_RATE_HZ: f64 = 50.0;
/// The longest measured window, seconds.
pub const MAX_DURATION_SECONDS: u64 = 3_600;
/// The longest warm-up, seconds.
pub const MAX_WARMUP_SECONDS: u64 = 600;
/// The most client processes a run starts.
pub const MAX_WORKERS: u32 = 64;

/// A checked load run.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadOptions {
    /// Couriers online, each streaming its position.
    pub couriers: u32,
    /// Customers tracking their order, one order each.
    pub trackers: u32,
    /// Positions per second per courier.
    pub rate_hz: f64,
    /// The measured window.
    pub duration: Duration,
    /// Streaming before the window opens (not measured).
    pub warmup: Duration,
    /// The servers to drive (`http://host:port`: the gateways of one
    /// cluster, the workers' connections spread over them); none: start one.
    pub urls: Vec<String>,
    /// Client processes to spread the connections over; `None`: enough
    /// that none holds more than
    /// [`CONNECTIONS_PER_WORKER`](super::workers::CONNECTIONS_PER_WORKER).
    pub workers: Option<u32>,
}

impl LoadOptions {
    /// The run, if every value is in range.
    pub fn new(
        couriers: u32,
        trackers: u32,
        rate_hz: f64,
        duration_seconds: u64,
        warmup_seconds: u64,
        urls: &[String],
        workers: Option<u32>,
    ) -> Result<Self, String> {
        check_clients("couriers", couriers)?;
        check_clients("trackers", trackers)?;
        check_rate(rate_hz)?;
        check_duration(duration_seconds)?;
        check_warmup(warmup_seconds)?;
        let urls = urls
            .iter()
            .map(|url| check_url(url))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(n) = workers {
            check_workers(n)?;
        }
        Ok(Self {
            couriers,
            trackers,
            rate_hz,
            duration: Duration::from_secs(duration_seconds),
            warmup: Duration::from_secs(warmup_seconds),
            urls,
            workers,
        })
    }

    /// The interval between one courier's positions.
    pub fn send_interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.rate_hz)
    }

    /// The server's per-connection message limit a started server gets:
    /// twice the courier's rate, and never below the service's default
    /// (the limit is there to stop abuse, not a fast courier app).
    pub fn messages_per_second_limit(&self) -> u32 {
        (self.rate_hz * 2.0).ceil().max(10.0) as u32
    }
}

/// A client count from 1 to [`MAX_CLIENTS`].
pub fn check_clients(name: &str, n: u32) -> Result<(), String> {
    if (1..=MAX_CLIENTS).contains(&n) {
        Ok(())
    } else {
        Err(format!("{name} must be from 1 to {MAX_CLIENTS}"))
    }
}

/// A rate above 0 and at most [`MAX_RATE_HZ`].
pub fn check_rate(rate_hz: f64) -> Result<(), String> {
    if rate_hz.is_finite() && rate_hz > 0.0 && rate_hz <= MAX_RATE_HZ {
        Ok(())
    } else {
        Err(format!(
            "the rate must be above 0 and at most {MAX_RATE_HZ} Hz"
        ))
    }
}

/// A measured window from 1 s to [`MAX_DURATION_SECONDS`].
pub fn check_duration(seconds: u64) -> Result<(), String> {
    if (1..=MAX_DURATION_SECONDS).contains(&seconds) {
        Ok(())
    } else {
        Err(format!(
            "the duration must be from 1 to {MAX_DURATION_SECONDS} seconds"
        ))
    }
}

/// A warm-up from 0 to [`MAX_WARMUP_SECONDS`].
pub fn check_warmup(seconds: u64) -> Result<(), String> {
    if seconds <= MAX_WARMUP_SECONDS {
        Ok(())
    } else {
        Err(format!(
            "the warm-up must be at most {MAX_WARMUP_SECONDS} seconds"
        ))
    }
}

/// A worker count from 1 to [`MAX_WORKERS`].
pub fn check_workers(n: u32) -> Result<(), String> {
    if (1..=MAX_WORKERS).contains(&n) {
        Ok(())
    } else {
        Err(format!("workers must be from 1 to {MAX_WORKERS}"))
    }
}

/// A plain `http://host:port` base, without a trailing slash (the
/// WebSocket client here speaks no TLS).
pub fn check_url(url: &str) -> Result<String, String> {
    let trimmed = url.trim().trim_end_matches('/');
    let Some(authority) = trimmed.strip_prefix("http://") else {
        return Err(format!(
            "`{url}` is not an http:// URL (like http://127.0.0.1:8080)"
        ));
    };
    if authority.is_empty() || authority.contains(['/', '?', '#', ' ']) {
        return Err(format!(
            "`{url}` must name only a host and port, like http://127.0.0.1:8080"
        ));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_range_make_a_run() {
        let run = LoadOptions::new(
            20,
            30,
            5.0,
            2,
            1,
            &["http://127.0.0.1:8080/".to_owned()],
            None,
        )
        .unwrap();
        assert_eq!(run.urls, ["http://127.0.0.1:8080"]);
        assert_eq!(run.send_interval(), Duration::from_millis(200));
        assert_eq!(run.messages_per_second_limit(), 10);
        let fast = LoadOptions::new(1, 1, 20.0, 1, 0, &[], None).unwrap();
        assert_eq!(fast.messages_per_second_limit(), 40);
    }

    #[test]
    fn values_out_of_range_are_refused() {
        assert!(LoadOptions::new(0, 1, 5.0, 1, 0, &[], None).is_err());
        assert!(LoadOptions::new(1, MAX_CLIENTS + 1, 5.0, 1, 0, &[], None).is_err());
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY, MAX_RATE_HZ + 1.0] {
            assert!(
                LoadOptions::new(1, 1, rate, 1, 0, &[], None).is_err(),
                "{rate}"
            );
        }
        assert!(LoadOptions::new(1, 1, 5.0, 0, 0, &[], None).is_err());
        assert!(LoadOptions::new(1, 1, 5.0, 1, MAX_WARMUP_SECONDS + 1, &[], None).is_err());
        assert!(LoadOptions::new(1, 1, 5.0, 1, 0, &[], Some(0)).is_err());
        assert!(LoadOptions::new(1, 1, 5.0, 1, 0, &[], Some(MAX_WORKERS + 1)).is_err());
        assert_eq!(
            LoadOptions::new(1, 1, 5.0, 1, 0, &[], Some(3))
                .unwrap()
                .workers,
            Some(3)
        );
        for url in ["ws://h:1", "https://h:1", "http://", "http://h:1/x", "h:1"] {
            assert!(
                LoadOptions::new(1, 1, 5.0, 1, 0, &[url.to_owned()], None).is_err(),
                "{url}"
            );
        }
    }
}
