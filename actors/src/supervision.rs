//! Restart intensity, as in OTP: a supervisor restarts a failed child unless
//! that child failed more than `max_restarts` times within `window`; then the
//! child is given up on (quarantined for an operator) instead of looping on a
//! poison message or a history it cannot rebuild. Across all its children, a
//! supervisor that sees more than `max_restarts_total` in `window` escalates:
//! it fails itself, and its own supervisor decides.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::time::Duration;

use tokio::time::Instant;

/// Restart limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartPolicy {
    /// Restarts of one child allowed within `window`.
    pub max_restarts: usize,
    /// Restarts of all children allowed within `window` before escalating.
    pub max_restarts_total: usize,
    /// The sliding window.
    pub window: Duration,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        Self {
            max_restarts: 3,
            max_restarts_total: 1_000,
            window: Duration::from_secs(10),
        }
    }
}

/// What a supervisor should do about a failed child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Restart it.
    Restart,
    /// Stop restarting it: it failed too often.
    GiveUp,
    /// Too many failures overall: the supervisor itself must fail.
    Escalate,
}

/// Recent restarts, per child and overall.
#[derive(Debug)]
pub struct RestartLog<K> {
    policy: RestartPolicy,
    per_child: HashMap<K, VecDeque<Instant>>,
    all: VecDeque<Instant>,
}

impl<K: Eq + Hash + Clone> RestartLog<K> {
    /// An empty log under `policy`.
    pub fn new(policy: RestartPolicy) -> Self {
        Self {
            policy,
            per_child: HashMap::new(),
            all: VecDeque::new(),
        }
    }

    /// Records a failure of `child` now and says what to do.
    pub fn on_failure(&mut self, child: &K) -> Verdict {
        let now = Instant::now();
        let window = self.policy.window;
        let fresh = |q: &mut VecDeque<Instant>| {
            while q
                .front()
                .is_some_and(|&t| now.saturating_duration_since(t) > window)
            {
                q.pop_front();
            }
        };
        fresh(&mut self.all);
        if self.all.len() >= self.policy.max_restarts_total {
            return Verdict::Escalate;
        }
        let log = self.per_child.entry(child.clone()).or_default();
        fresh(log);
        if log.len() >= self.policy.max_restarts {
            self.per_child.remove(child);
            return Verdict::GiveUp;
        }
        log.push_back(now);
        self.all.push_back(now);
        Verdict::Restart
    }

    /// Forgets `child` (it stopped normally).
    pub fn forget(&mut self, child: &K) {
        self.per_child.remove(child);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_child_failing_too_often_is_given_up_on() {
        let mut log = RestartLog::new(RestartPolicy {
            max_restarts: 2,
            max_restarts_total: 100,
            window: Duration::from_secs(10),
        });
        assert_eq!(log.on_failure(&1), Verdict::Restart);
        assert_eq!(log.on_failure(&1), Verdict::Restart);
        assert_eq!(log.on_failure(&1), Verdict::GiveUp);
        assert_eq!(
            log.on_failure(&2),
            Verdict::Restart,
            "other children are unaffected"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn failures_outside_the_window_are_forgotten() {
        let mut log = RestartLog::new(RestartPolicy {
            max_restarts: 1,
            max_restarts_total: 100,
            window: Duration::from_secs(10),
        });
        assert_eq!(log.on_failure(&1), Verdict::Restart);
        tokio::time::advance(Duration::from_secs(11)).await;
        assert_eq!(log.on_failure(&1), Verdict::Restart);
    }

    #[tokio::test(start_paused = true)]
    async fn too_many_failures_overall_escalate() {
        let mut log = RestartLog::new(RestartPolicy {
            max_restarts: 5,
            max_restarts_total: 3,
            window: Duration::from_secs(10),
        });
        for child in 0..3 {
            assert_eq!(log.on_failure(&child), Verdict::Restart);
        }
        assert_eq!(log.on_failure(&9), Verdict::Escalate);
    }
}
