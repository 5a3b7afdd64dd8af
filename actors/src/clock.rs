//! The engine's clock: tokio's, so that tests and replays can pause and
//! advance time and run a whole day in seconds, deterministically.

use foodiefast_geo::Seconds;
use tokio::time::Instant;

/// Engine time in [`Seconds`] since a chosen epoch, driven by tokio's clock.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    origin: Instant,
    epoch_offset: Seconds,
}

impl Clock {
    /// A clock reading `now` at this instant (e.g. Unix seconds for live
    /// service, the start of an order day for a replay).
    pub fn starting_at(now: Seconds) -> Self {
        Self {
            origin: Instant::now(),
            epoch_offset: now,
        }
    }

    /// The current time, whole seconds.
    pub fn now(&self) -> Seconds {
        let elapsed = Instant::now()
            .saturating_duration_since(self.origin)
            .as_secs();
        self.epoch_offset + Seconds(i64::try_from(elapsed).unwrap_or(i64::MAX))
    }

    /// The tokio instant at which the clock reads `at` (now, if `at` is past).
    pub fn instant_at(&self, at: Seconds) -> Instant {
        let ahead = (at - self.now()).0.max(0);
        Instant::now() + std::time::Duration::from_secs(ahead.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_clock_follows_paused_tokio_time() {
        let clock = Clock::starting_at(Seconds(1_000));
        assert_eq!(clock.now(), Seconds(1_000));
        tokio::time::advance(std::time::Duration::from_secs(90)).await;
        assert_eq!(clock.now(), Seconds(1_090));
        tokio::time::sleep_until(clock.instant_at(Seconds(1_200))).await;
        assert_eq!(clock.now(), Seconds(1_200));
        assert!(clock.instant_at(Seconds(0)) <= Instant::now());
    }
}
