//! A sink for the outbox's events beyond the tracking hub (a webhook), and
//! the loop that delivers to it: at least once, one event at a time in the
//! outbox's order (so each order's events arrive in their order), each
//! kept in the store until the sink acknowledged it.
//!
//! An event the sink cannot take now ([`SinkError::Retry`]: a network
//! error, a timeout, an overloaded or failing receiver) is tried again
//! with exponential backoff, for as long as it takes; the events after it
//! wait. One the sink refuses for good ([`SinkError::Permanent`]: the
//! receiver rejects the request itself) is logged, counted
//! (`foodiefast_outbox_sink_failed_total`) and dropped, so that one bad
//! event cannot stop every later one.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use foodiefast_geo::OrderId;

use tokio::sync::Notify;

use super::{BACKOFF, BATCH, PERIOD};
use crate::store::{OutboxEntry, OutboxStore};

/// Where events go besides the tracking hub.
#[async_trait]
pub trait EventSink: Send + Sync + 'static {
    /// Delivers one event; `Ok` only once the receiver acknowledged it.
    async fn deliver(&self, entry: &OutboxEntry) -> Result<(), SinkError>;
}

/// Why a sink did not take an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    /// Not now (unreachable, timed out, overloaded, failing): try again.
    #[error("delivery failed, will retry: {0}")]
    Retry(String),
    /// Never: the receiver refuses this request as it is.
    #[error("delivery refused for good: {0}")]
    Permanent(String),
}

/// How a sink is retried: the first pause, doubling up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SinkRetry {
    /// The pause after the first failure.
    pub first: Duration,
    /// The longest pause.
    pub max: Duration,
}

impl Default for SinkRetry {
    /// One second, doubling to five minutes.
    fn default() -> Self {
        Self {
            first: Duration::from_secs(1),
            max: Duration::from_mins(5),
        }
    }
}

/// The sink's loop: delivers what the hub's loop relayed (it rings
/// `relayed`), then deletes it; never passes a row the hub does not have,
/// so the hub never misses one.
pub(super) async fn deliver(
    store: Arc<dyn OutboxStore>,
    sink: Arc<dyn EventSink>,
    retry: SinkRetry,
    relayed: Arc<Notify>,
) {
    loop {
        let batch = match store.unpublished(BATCH).await {
            Ok(batch) => batch,
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the outbox for the sink; retrying");
                tokio::time::sleep(BACKOFF).await;
                continue;
            }
        };
        let due: Vec<OutboxEntry> = batch.into_iter().take_while(|e| e.relayed).collect();
        if due.is_empty() {
            let _ = tokio::time::timeout(PERIOD, relayed.notified()).await;
            continue;
        }
        let mut done = Vec::with_capacity(due.len());
        for entry in &due {
            if !sink_takes(sink.as_ref(), entry, retry, &store, &mut done).await {
                break;
            }
        }
        clear(store.as_ref(), &mut done).await;
    }
}

/// Delivers `entry`, retrying as `retry` says; `true` once it is settled
/// (acknowledged, or refused for good and dropped), and then in `done`.
/// Before a pause, what is already settled is cleared from the store, so
/// a crash during a long outage repeats as little as possible.
async fn sink_takes(
    sink: &dyn EventSink,
    entry: &OutboxEntry,
    retry: SinkRetry,
    store: &Arc<dyn OutboxStore>,
    done: &mut Vec<(OrderId, u64)>,
) -> bool {
    let mut pause = retry.first;
    loop {
        match sink.deliver(entry).await {
            Ok(()) => {
                metrics::counter!("foodiefast_outbox_sink_delivered_total").increment(1);
                done.push((entry.order, entry.version));
                return true;
            }
            Err(SinkError::Permanent(why)) => {
                metrics::counter!("foodiefast_outbox_sink_failed_total").increment(1);
                tracing::error!(event = %entry.id(), reason = %why, "the sink refused an event for good; dropped");
                done.push((entry.order, entry.version));
                return true;
            }
            Err(SinkError::Retry(why)) => {
                metrics::counter!("foodiefast_outbox_sink_retries_total").increment(1);
                tracing::warn!(event = %entry.id(), reason = %why, retry_in = ?pause, "the sink did not take an event");
                clear(store.as_ref(), done).await;
                if !done.is_empty() {
                    return false; // the store failed: start over from it
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(retry.max);
            }
        }
    }
}

/// Deletes the settled rows in `done`; on failure they stay in `done` and
/// in the store (delivered again later: consumers drop repeats).
async fn clear(store: &dyn OutboxStore, done: &mut Vec<(OrderId, u64)>) {
    if done.is_empty() {
        return;
    }
    match store.mark_published(done).await {
        Ok(()) => done.clear(),
        Err(err) => {
            tracing::warn!(error = %err, "events delivered to the sink but not cleared");
            tokio::time::sleep(BACKOFF).await;
        }
    }
}
