//! The decision journal: every dispatch decision is written to the
//! [`DecisionStore`] so that an operator can still ask why an order went to
//! its courier after the dispatcher that decided forgot (it keeps a bounded
//! number) or restarted.
//!
//! Writing is off the matching path: a round hands its decisions to a
//! bounded queue and a writer task stores them in batches. Explanations are
//! advisory, not acknowledged data, so when the store falls behind the queue
//! sheds decisions (counted in `foodiefast_decisions_dropped_total`) rather
//! than slow dispatching.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::decision::Decision;
use foodiefast_geo::OrderId;

use crate::store::{DecisionStore, StoreError};

/// Decisions queued for the writer before new ones are shed.
const QUEUE: usize = 4_096;
/// Most decisions written in one call to the store.
const BATCH: usize = 256;

/// Where dispatchers hand their decisions, and where the engine looks for
/// those they forgot; cheap to clone.
#[derive(Clone)]
pub struct DecisionJournal {
    queue: mpsc::Sender<Decision>,
    store: Arc<dyn DecisionStore>,
}

impl std::fmt::Debug for DecisionJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecisionJournal")
            .field("queued", &(QUEUE - self.queue.capacity()))
            .finish_non_exhaustive()
    }
}

impl DecisionJournal {
    /// Starts the writer task on `store`. It ends once every journal handle
    /// is dropped and the queue is written.
    pub fn start(store: Arc<dyn DecisionStore>) -> Self {
        let (queue, decisions) = mpsc::channel(QUEUE);
        tokio::spawn(write_all(store.clone(), decisions));
        Self { queue, store }
    }

    /// The latest stored decision about `order` (one still queued is not
    /// seen: its dispatcher still knows it).
    pub async fn recall(&self, order: OrderId) -> Result<Option<Decision>, StoreError> {
        self.store.decision_of(order).await
    }

    /// Queues `decision` for the store; shed if the queue is full.
    pub fn record(&self, decision: Decision) {
        if self.queue.try_send(decision).is_err() {
            metrics::counter!("foodiefast_decisions_dropped_total").increment(1);
        }
    }
}

async fn write_all(store: Arc<dyn DecisionStore>, mut decisions: mpsc::Receiver<Decision>) {
    let mut batch = Vec::with_capacity(BATCH);
    while decisions.recv_many(&mut batch, BATCH).await > 0 {
        if let Err(err) = store.put_decisions(&batch).await {
            tracing::warn!(error = %err, lost = batch.len(), "dispatch decisions not stored");
            metrics::counter!("foodiefast_decisions_dropped_total").increment(batch.len() as u64);
        }
        batch.clear();
    }
}
