//! The outbox relay. A store that keeps an outbox ([`OutboxStore`]) writes
//! one outbox row per order event in the append that records the event, so
//! an event for other parties exists exactly when its state change does.
//! The relay publishes the rows after the commit, in order, to the
//! tracking hub (customers' trackers, chefs' tablets) and, when one is
//! configured, to an [`EventSink`] (a webhook: [`sink`]), then deletes
//! them.
//!
//! A crash after the commit and before the publication leaves the rows;
//! the next engine's relay publishes them at start. A crash between the
//! publication and the deletion publishes them again: every outbox event
//! has an id (the order and its version, `41-3`), and consumers drop what
//! they already have (the tracking feeds send each version once).
//!
//! Two loops share the rows. The hub's reads the rows the hub does not
//! have yet, so live feeds never wait for a sink. Without a sink it
//! deletes what it published; with one, it marks the rows relayed, and the
//! sink's loop delivers the relayed rows, oldest first, deleting each once
//! the sink acknowledged it: a sink that is down holds its events in the
//! store, not in memory, for as long as it takes, and a restart sends the
//! hub only what it never had. (A flag in the row rather than a position
//! in memory: PostgreSQL may commit a row after one numbered after it,
//! which a position would skip.)
//!
//! The relay wakes when an order actor appended (a [`Notify`]) and also on
//! a period, so a wake-up lost to a race costs at most one period.

pub mod sink;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::store::{OutboxEntry, OutboxStore};
use crate::tracking::{Topic, TrackingHub, Update};

pub use sink::{EventSink, SinkError, SinkRetry};

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
    tasks: Vec<JoinHandle<()>>,
}

impl OutboxRelay {
    /// Starts relaying `store`'s outbox to `hub`.
    pub fn start(store: Arc<dyn OutboxStore>, hub: Arc<TrackingHub>) -> Self {
        Self::start_with_sink(store, hub, None)
    }

    /// Starts relaying `store`'s outbox to `hub` and, when given, to a
    /// sink, retrying it as its [`SinkRetry`] says.
    pub fn start_with_sink(
        store: Arc<dyn OutboxStore>,
        hub: Arc<TrackingHub>,
        sink: Option<(Arc<dyn EventSink>, SinkRetry)>,
    ) -> Self {
        let wake = Arc::new(Notify::new());
        let relayed = Arc::new(Notify::new());
        let mut tasks = vec![tokio::spawn(publish_to_hub(
            store.clone(),
            hub,
            wake.clone(),
            sink.is_some().then(|| relayed.clone()),
        ))];
        if let Some((sink, retry)) = sink {
            tasks.push(tokio::spawn(sink::deliver(store, sink, retry, relayed)));
        }
        Self { wake, tasks }
    }

    /// Tells the relay that new rows were committed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Stops relaying; rows not yet published stay for the next start.
    pub fn stop(&self) {
        for task in &self.tasks {
            task.abort();
        }
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

/// The hub's loop; with `sink` (rung when rows are relayed), a sink's
/// loop deletes the rows.
async fn publish_to_hub(
    store: Arc<dyn OutboxStore>,
    hub: Arc<TrackingHub>,
    wake: Arc<Notify>,
    sink: Option<Arc<Notify>>,
) {
    loop {
        match store.unrelayed(BATCH).await {
            Ok(batch) if !batch.is_empty() => {
                for entry in &batch {
                    publish(&hub, entry);
                }
                metrics::counter!("foodiefast_outbox_published_total")
                    .increment(batch.len() as u64);
                let done: Vec<_> = batch.iter().map(|e| (e.order, e.version)).collect();
                let cleared = match &sink {
                    Some(_) => store.mark_relayed(&done).await,
                    None => store.mark_published(&done).await,
                };
                if let Some(relayed) = &sink {
                    relayed.notify_one();
                }
                if let Err(err) = cleared {
                    // Published again next round: consumers drop repeats.
                    tracing::warn!(error = %err, "outbox rows published but not marked");
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
