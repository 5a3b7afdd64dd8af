//! The outbox relay. A store that keeps an outbox ([`OutboxStore`]) writes
//! one outbox row per order event in the append that records the event, so
//! an event for other parties exists exactly when its state change does.
//! The relay publishes the rows after the commit, in order, to the
//! tracking hub (customers' trackers, chefs' tablets; webhooks would be
//! one more sink here), then deletes them.
//!
//! A crash after the commit and before the publication leaves the rows;
//! the next engine's relay publishes them at start. A crash between the
//! publication and the deletion publishes them again: every outbox event
//! has an id (the order and its version, `41-3`), and consumers drop what
//! they already have (the tracking feeds send each version once).
//!
//! The relay wakes when an order actor appended (a [`Notify`]) and also on
//! a period, so a wake-up lost to a race costs at most one period.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::store::{OutboxEntry, OutboxStore};
use crate::tracking::{Topic, TrackingHub, Update};

/// Rows published per round trip to the store.
const BATCH: u32 = 256;
/// How often the relay looks without being woken.
const PERIOD: Duration = Duration::from_secs(1);
/// The pause after the store failed.
const BACKOFF: Duration = Duration::from_secs(1);

/// The running relay.
#[derive(Debug)]
pub struct OutboxRelay {
    wake: Arc<Notify>,
    task: JoinHandle<()>,
}

impl OutboxRelay {
    /// Starts relaying `store`'s outbox to `hub`.
    pub fn start(store: Arc<dyn OutboxStore>, hub: Arc<TrackingHub>) -> Self {
        let wake = Arc::new(Notify::new());
        let task = tokio::spawn(relay(store, hub, wake.clone()));
        Self { wake, task }
    }

    /// Tells the relay that new rows were committed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Stops relaying; rows not yet published stay for the next start.
    pub fn stop(&self) {
        self.task.abort();
    }
}

/// Publishes one outbox event where its parties listen.
pub fn publish(hub: &TrackingHub, entry: &OutboxEntry) {
    let update = Update::Status {
        order: entry.order,
        version: entry.version,
        event: entry.event.clone(),
    };
    hub.publish(Topic::Order(entry.order), &update);
    hub.publish(Topic::Kitchen(entry.kitchen), &update);
}

async fn relay(store: Arc<dyn OutboxStore>, hub: Arc<TrackingHub>, wake: Arc<Notify>) {
    loop {
        match store.unpublished(BATCH).await {
            Ok(batch) if !batch.is_empty() => {
                for entry in &batch {
                    publish(&hub, entry);
                }
                metrics::counter!("foodiefast_outbox_published_total")
                    .increment(batch.len() as u64);
                let done: Vec<_> = batch.iter().map(|e| (e.order, e.version)).collect();
                if let Err(err) = store.mark_published(&done).await {
                    // Published again next round: consumers drop repeats.
                    tracing::warn!(error = %err, "outbox rows published but not cleared");
                    tokio::time::sleep(BACKOFF).await;
                }
            }
            Ok(_) => {
                let _ = tokio::time::timeout(PERIOD, wake.notified()).await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the outbox; retrying");
                tokio::time::sleep(BACKOFF).await;
            }
        }
    }
}
