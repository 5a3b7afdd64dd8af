//! The lease keeper: one task per node that, every beat, announces the node,
//! reads who is alive, and takes, renews or hands over the leases of the
//! zones [`placement`](super::placement) gives it. What it holds is
//! published as the set of zones this node must run ([`LeaseKeeper::owned`]);
//! the zone host starts and stops engines to match, and reports back what
//! runs ([`LeaseKeeper::new`]'s `running`) so that a lease is released only
//! once its zone has stopped here: the next owner never overlaps this one.
//!
//! Safety when the database is out of reach: a lease counts as held only
//! until its last successful renewal plus the lease's length, less one beat
//! of margin; past that the zone is dropped from the owned set even though
//! the database cannot be told, because another node may take it then.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use foodiefast_actors::store::StoreError;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::placement::owner_of;
use crate::store::leases::LeaseTable;

/// Zones (and duties) this node must run, each with the epoch of its lease.
pub type Owned = BTreeMap<String, i64>;

/// How leases are kept.
#[derive(Debug, Clone)]
pub struct KeeperConfig {
    /// This node's name, unique in the cluster.
    pub node: String,
    /// Where its cluster listener is reached (`host:port`).
    pub address: String,
    /// A lease's length, and how long a silent node still counts as alive.
    pub ttl: Duration,
    /// How often leases are renewed and membership read (a third of `ttl`
    /// or less, so that two beats can fail before a lease lapses).
    pub beat: Duration,
}

/// A lease this node holds.
#[derive(Debug, Clone, Copy)]
struct Held {
    epoch: i64,
    /// When the last successful renewal (or the acquisition) was sent.
    renewed: Instant,
}

/// The keeper's state between beats.
struct Keeper {
    table: LeaseTable,
    config: KeeperConfig,
    /// Every zone that exists (the zone host keeps it current).
    keys: watch::Receiver<BTreeSet<String>>,
    /// Zones whose engines run here.
    running: watch::Receiver<BTreeSet<String>>,
    held: BTreeMap<String, Held>,
    owned: watch::Sender<Owned>,
}

impl Keeper {
    /// One beat; an error leaves the leases to the safety deadline.
    async fn beat(&mut self) -> Result<(), StoreError> {
        let started = Instant::now();
        let node = self.config.node.clone();
        self.table.announce(&node, &self.config.address).await?;
        let nodes: Vec<String> = self
            .table
            .live_nodes(self.config.ttl)
            .await?
            .into_iter()
            .map(|n| n.node)
            .collect();
        let keys = self.keys.borrow().clone();
        let running = self.running.borrow().clone();
        let mine = |key: &str| keys.contains(key) && owner_of(key, &nodes) == Some(node.as_str());
        for (key, held) in self.held.clone() {
            // A zone handing over is kept while its engine stops here.
            if mine(&key) || running.contains(&key) {
                if self
                    .table
                    .renew(&key, &node, held.epoch, self.config.ttl)
                    .await?
                {
                    self.held.insert(
                        key,
                        Held {
                            renewed: started,
                            ..held
                        },
                    );
                } else {
                    tracing::warn!(zone = %key, epoch = held.epoch, "zone lease lost");
                    self.held.remove(&key);
                }
            } else {
                self.table.release(&key, &node, held.epoch).await?;
                tracing::info!(zone = %key, "zone handed over");
                self.held.remove(&key);
            }
        }
        for key in &keys {
            if self.held.contains_key(key) || !mine(key) {
                continue;
            }
            if let Some(epoch) = self.table.acquire(key, &node, self.config.ttl).await? {
                tracing::info!(zone = %key, epoch, "zone lease taken");
                self.held.insert(
                    key.clone(),
                    Held {
                        epoch,
                        renewed: started,
                    },
                );
            }
        }
        self.publish(&mine);
        Ok(())
    }

    /// Drops leases whose renewal is overdue (the database unreachable).
    fn lapse(&mut self) {
        let limit = self.config.ttl.saturating_sub(self.config.beat);
        let now = Instant::now();
        self.held.retain(|key, held| {
            let alive = now.duration_since(held.renewed) < limit;
            if !alive {
                tracing::warn!(zone = %key, "zone lease lapsed: the database did not answer");
            }
            alive
        });
        let held = self.held.clone();
        self.owned.send_if_modified(|owned| {
            let before = owned.len();
            owned.retain(|key, _| held.contains_key(key));
            owned.len() != before
        });
    }

    /// Publishes the zones to run: held, and still this node's to run.
    fn publish(&self, mine: &dyn Fn(&str) -> bool) {
        let owned: Owned = self
            .held
            .iter()
            .filter(|(key, _)| mine(key))
            .map(|(key, held)| (key.clone(), held.epoch))
            .collect();
        self.owned.send_if_modified(|current| {
            if *current == owned {
                false
            } else {
                *current = owned;
                true
            }
        });
    }
}

/// The running keeper; dropping it stops the beats (leases then lapse).
#[derive(Debug)]
pub struct LeaseKeeper {
    owned: watch::Receiver<Owned>,
    task: Option<JoinHandle<()>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    table: LeaseTable,
    node: String,
}

impl LeaseKeeper {
    /// Starts beating. `keys` lists every zone there is; `running`, the
    /// zones whose engines run on this node.
    pub fn new(
        table: LeaseTable,
        config: KeeperConfig,
        keys: watch::Receiver<BTreeSet<String>>,
        running: watch::Receiver<BTreeSet<String>>,
    ) -> Self {
        let (owned_tx, owned) = watch::channel(Owned::new());
        let node = config.node.clone();
        let beat = config.beat;
        let mut keeper = Keeper {
            table: table.clone(),
            config,
            keys,
            running,
            held: BTreeMap::new(),
            owned: owned_tx,
        };
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(beat);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                // A beat runs to its end: a departure never cuts one in half.
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = &mut stopped => return,
                }
                if let Err(err) = keeper.beat().await {
                    tracing::warn!(error = %err, "cluster beat failed");
                }
                keeper.lapse();
            }
        });
        Self {
            owned,
            task: Some(task),
            stop: Some(stop),
            table,
            node,
        }
    }

    /// The zones this node must run, as they change.
    pub fn owned(&self) -> watch::Receiver<Owned> {
        self.owned.clone()
    }

    /// Leaves the cluster cleanly: no more beats, and every lease of this
    /// node freed at once for the others to take (call once its zones'
    /// engines have stopped).
    pub async fn depart(mut self) -> Result<(), StoreError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.table.depart(&self.node).await
    }
}

impl Drop for LeaseKeeper {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}
