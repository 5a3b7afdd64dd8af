//! The zones this node runs: one engine per owned zone, started when the
//! keeper hands the zone to this node (rehydrating the zone's unfinished
//! orders from the event log) and shut down when the zone moves away. An
//! engine being started already counts as running, so the keeper never
//! releases a zone whose engine might still come up.
//!
//! An engine that fails to start is retried every [`RETRY`] while the zone
//! stays owned here.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use foodiefast_actors::{Engine, EngineError};
use ractor::ActorCell;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::keeper::Owned;

/// How soon a zone whose engine failed to start is tried again.
pub const RETRY: Duration = Duration::from_secs(1);

/// Starts the engine of one zone (named by its lease key).
pub type EngineFactory = Arc<
    dyn Fn(String) -> Pin<Box<dyn Future<Output = Result<Engine, EngineError>> + Send>>
        + Send
        + Sync,
>;

type Engines = Arc<RwLock<HashMap<String, Arc<Engine>>>>;

/// The process group of the door of the node running `zone`: how other
/// nodes find a zone's owner.
pub fn zone_group(zone: &str) -> String {
    format!("foodiefast.zone.{zone}")
}

/// This node's door, joined to the group of every zone running here.
type DoorCell = Arc<OnceLock<ActorCell>>;

/// The engines of the zones owned here.
pub struct ZoneHost {
    engines: Engines,
    door: DoorCell,
    running: watch::Receiver<BTreeSet<String>>,
    task: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for ZoneHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZoneHost")
            .field("running", &*self.running.borrow())
            .finish_non_exhaustive()
    }
}

impl ZoneHost {
    /// Follows `owned`, starting engines with `factory`.
    pub fn start(owned: watch::Receiver<Owned>, factory: EngineFactory) -> Self {
        let engines: Engines = Arc::default();
        let door: DoorCell = Arc::default();
        let (running_tx, running) = watch::channel(BTreeSet::new());
        let task = tokio::spawn(reconcile_forever(
            owned,
            factory,
            Zones {
                engines: engines.clone(),
                door: door.clone(),
                running: running_tx,
            },
        ));
        Self {
            engines,
            door,
            running,
            task: std::sync::Mutex::new(Some(task)),
        }
    }

    /// Announces `door` as the way to the zones running here (now and
    /// later) in each zone's process group. Set once; false if already set.
    pub fn announce_through(&self, door: ActorCell) -> bool {
        if self.door.set(door).is_err() {
            return false;
        }
        let Some(door) = self.door.get() else {
            return false;
        };
        // Read after the door is set: a zone starting meanwhile joins
        // itself, or is joined here (joining twice is harmless).
        let zones: Vec<String> = read(&self.engines).keys().cloned().collect();
        for zone in zones {
            ractor::pg::join(zone_group(&zone), vec![door.clone()]);
        }
        true
    }

    /// The engine of `zone`, when it runs here.
    pub fn engine(&self, zone: &str) -> Option<Arc<Engine>> {
        read(&self.engines).get(zone).cloned()
    }

    /// Every engine running here, by zone.
    pub fn engines(&self) -> Vec<(String, Arc<Engine>)> {
        let mut all: Vec<_> = read(&self.engines)
            .iter()
            .map(|(zone, engine)| (zone.clone(), engine.clone()))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// The zones running (or starting) here, as they change: what the
    /// keeper waits on before it hands a zone over.
    pub fn running(&self) -> watch::Receiver<BTreeSet<String>> {
        self.running.clone()
    }

    /// Stops following the keeper and shuts every engine down.
    pub async fn stop(self) {
        self.stop_all().await;
    }

    /// Stops following the keeper and shuts every engine down (the host
    /// shared, as a cluster node shares it with its door).
    pub async fn stop_all(&self) {
        let task = self
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
        let engines: Vec<_> = write(&self.engines).drain().collect();
        for (zone, engine) in engines {
            engine.shutdown().await;
            tracing::info!(zone = %zone, "zone stopped");
        }
    }
}

impl Drop for ZoneHost {
    fn drop(&mut self) {
        let task = self
            .task
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(task) = task {
            task.abort();
        }
    }
}

fn read(engines: &Engines) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<Engine>>> {
    // Every mutation is one insert or remove: a poisoned map is still whole.
    engines
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write(engines: &Engines) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Arc<Engine>>> {
    engines
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What the reconciler keeps in step with the owned zones.
struct Zones {
    engines: Engines,
    door: DoorCell,
    running: watch::Sender<BTreeSet<String>>,
}

async fn reconcile_forever(
    mut owned: watch::Receiver<Owned>,
    factory: EngineFactory,
    zones: Zones,
) {
    loop {
        let wanted: BTreeSet<String> = owned.borrow_and_update().keys().cloned().collect();
        let all_started = reconcile(&wanted, &factory, &zones).await;
        let changed = owned.changed();
        if all_started {
            if changed.await.is_err() {
                return;
            }
        } else if let Ok(Err(_)) = tokio::time::timeout(RETRY, changed).await {
            return;
        }
    }
}

/// Stops the engines of zones no longer wanted, then starts the missing
/// ones; whether every wanted zone runs.
async fn reconcile(wanted: &BTreeSet<String>, factory: &EngineFactory, zones: &Zones) -> bool {
    let Zones {
        engines,
        door,
        running,
    } = zones;
    let unwanted: Vec<(String, Arc<Engine>)> = {
        let mut map = write(engines);
        let gone: Vec<String> = map
            .keys()
            .filter(|z| !wanted.contains(*z))
            .cloned()
            .collect();
        gone.into_iter()
            .filter_map(|zone| map.remove(&zone).map(|engine| (zone, engine)))
            .collect()
    };
    for (zone, engine) in unwanted {
        // Unannounced first: callers stop coming before the engine goes.
        if let Some(door) = door.get() {
            ractor::pg::leave(zone_group(&zone), vec![door.clone()]);
        }
        engine.shutdown().await;
        tracing::info!(zone = %zone, "zone stopped: it moved to another node");
        running.send_modify(|r| {
            r.remove(&zone);
        });
    }
    let mut all_started = true;
    for zone in wanted {
        if read(engines).contains_key(zone) {
            continue;
        }
        running.send_modify(|r| {
            r.insert(zone.clone());
        });
        match factory(zone.clone()).await {
            Ok(engine) => {
                tracing::info!(zone = %zone, recovered = engine.recovered(), "zone started");
                write(engines).insert(zone.clone(), Arc::new(engine));
                if let Some(door) = door.get() {
                    ractor::pg::join(zone_group(zone), vec![door.clone()]);
                }
            }
            Err(err) => {
                tracing::error!(zone = %zone, error = %err, "zone did not start; retrying");
                running.send_modify(|r| {
                    r.remove(zone);
                });
                all_started = false;
            }
        }
    }
    all_started
}
