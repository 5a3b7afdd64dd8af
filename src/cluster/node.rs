//! [`ClusterNode`]: one engine process as a member of a cluster, assembled
//! from the parts of this module. It
//!
//! - joins the mesh ([`super::membership`]) and opens its door
//!   ([`super::door`]): other nodes' calls and tracking updates come in
//!   there, and every update published here goes out to them;
//! - keeps the list of zones (the h3 cells, at `ZONE_H3_RESOLUTION`, that
//!   hold a kitchen), re-read from the store every lease;
//! - leases its share of the zones ([`super::keeper`]) and runs an engine
//!   for each ([`super::zone_host`]);
//! - leases the cluster's duties: the outbox relay runs on one node only
//!   (the webhook's deliveries, and the deletion of relayed rows);
//! - routes the gateway's commands to the zone's engine, here or on its
//!   owner ([`super::router`]).
//!
//! A courier's shift runs in one zone: the cell it went online in when that
//! cell has a kitchen, else the nearest cell that has one. Orders run in
//! their kitchen's zone.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use foodiefast_actors::Engine;
use foodiefast_actors::clock::Clock;
use foodiefast_actors::eta::EtaModel;
use foodiefast_actors::outbox::{EventSink, OutboxRelay, SinkRetry};
use foodiefast_actors::store::{OutboxStore, StoreError};
use foodiefast_actors::tracking::TrackingHub;
use foodiefast_geo::{CourierId, GeoError, LatLng, ZoneGrid};
use ractor::ActorRef;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::calls::{Answer, Call, ZoneDoorHandler};
use super::config::ClusterConfig;
use super::door::{self, CallHandler, DoorArgs, DoorMsg};
use super::keeper::{KeeperConfig, LeaseKeeper};
use super::membership::{Membership, MembershipError};
use super::router::ZoneRouter;
use super::zone_host::{EngineFactory, ZoneHost};
use crate::gateway::error::ApiError;
use crate::store::Store;
use crate::store::leases::LeaseTable;

/// The lease key of the outbox relay's duty.
pub const OUTBOX_DUTY: &str = "duty.outbox";

/// How long a zone call waits for an owner: longer than a lease and a
/// census, so that a failover or a new zone is waited out.
fn call_deadline(config: &ClusterConfig) -> Duration {
    config.lease * 3 + Duration::from_secs(2)
}

/// Why a node could not join its cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The store is not PostgreSQL.
    #[error("a cluster needs the PostgreSQL store (DATABASE_URL=postgres://…)")]
    NeedsPostgres,
    /// The zone grid's resolution is unusable.
    #[error("ZONE_H3_RESOLUTION is unusable: {0}")]
    Grid(#[source] GeoError),
    /// The mesh could not start.
    #[error(transparent)]
    Membership(#[from] MembershipError),
    /// The door could not start.
    #[error("the cluster door did not start: {0}")]
    Door(String),
    /// The store failed.
    #[error("the store failed")]
    Store(#[from] StoreError),
}

/// What a node is made of that the gateway decides.
pub struct NodeSetup {
    /// The cluster settings.
    pub config: ClusterConfig,
    /// The store (PostgreSQL).
    pub store: Store,
    /// The process's tracking hub, shared by its zones' engines.
    pub hub: Arc<TrackingHub>,
    /// The engines' clock.
    pub clock: Clock,
    /// The engines' arrival estimates.
    pub eta: EtaModel,
    /// Starts a zone's engine, its kitchens open and its orders resumed.
    pub factory: EngineFactory,
    /// Where the outbox relay also delivers events (the webhook).
    pub sink: Option<(Arc<dyn EventSink>, SinkRetry)>,
}

/// A running cluster member.
pub struct ClusterNode {
    config: ClusterConfig,
    grid: ZoneGrid,
    table: LeaseTable,
    hub: Arc<TrackingHub>,
    clock: Clock,
    eta: EtaModel,
    host: Arc<ZoneHost>,
    router: ZoneRouter,
    zones: watch::Receiver<BTreeSet<String>>,
    zones_tx: Arc<watch::Sender<BTreeSet<String>>>,
    store: Store,
    parts: Mutex<Option<Parts>>,
}

/// What stops when the node leaves.
struct Parts {
    membership: Membership,
    door: ActorRef<DoorMsg>,
    zone_keeper: LeaseKeeper,
    duty_keeper: LeaseKeeper,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for ClusterNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterNode")
            .field("node", &self.config.node)
            .field("zones", &*self.zones.borrow())
            .finish_non_exhaustive()
    }
}

impl ClusterNode {
    /// Joins the cluster: mesh, door, zone census, leases, zone engines.
    pub async fn start(setup: NodeSetup) -> Result<Self, ClusterError> {
        let NodeSetup {
            config,
            store,
            hub,
            clock,
            eta,
            factory,
            sink,
        } = setup;
        let table = store.lease_table().ok_or(ClusterError::NeedsPostgres)?;
        let census_store = store.clone();
        let grid = ZoneGrid::new(config.zone_resolution).map_err(ClusterError::Grid)?;
        let membership = Membership::start(&config, table.clone()).await?;

        let (zones_tx, zones) = watch::channel(kitchen_zones(&store, &grid).await?);
        let zones_tx = Arc::new(zones_tx);
        let mut tasks = vec![tokio::spawn(census(
            store.clone(),
            grid,
            zones_tx.clone(),
            config.lease,
        ))];

        let keeper_config = KeeperConfig {
            node: config.node.clone(),
            address: config.advertise.clone(),
            ttl: config.lease,
            beat: config.beat(),
        };
        // The keeper hands zones to the host and waits on the host's
        // running zones before it lets one go: each needs the other.
        let (running_tx, running_rx) = watch::channel(BTreeSet::new());
        let zone_keeper = LeaseKeeper::new(
            table.clone(),
            keeper_config.clone(),
            zones.clone(),
            running_rx,
        );
        let host = Arc::new(ZoneHost::start(zone_keeper.owned(), factory));
        tasks.push(tokio::spawn(pipe(host.running(), running_tx)));

        hub.forward_to(door::tracking_relay());
        let calls: Arc<dyn CallHandler> = Arc::new(ZoneDoorHandler::new(host.clone()));
        let door = door::open(DoorArgs {
            hub: hub.clone(),
            calls,
        })
        .await
        .map_err(|err| ClusterError::Door(err.to_string()))?;
        host.announce_through(door.get_cell());
        let (_watches, watching) = door::keep_watches(door.get_cell(), &hub, config.beat());
        tasks.push(watching);

        let (_duties_tx, duties) = watch::channel(BTreeSet::from([OUTBOX_DUTY.to_owned()]));
        let (duty_running_tx, duty_running) = watch::channel(BTreeSet::new());
        let duty_keeper = LeaseKeeper::new(table.clone(), keeper_config, duties, duty_running);
        tasks.push(tokio::spawn(outbox_duty(
            duty_keeper.owned(),
            duty_running_tx,
            Arc::new(store),
            sink,
        )));

        let router = ZoneRouter::new(host.clone(), config.node.clone(), call_deadline(&config));
        tracing::info!(node = %config.node, address = %config.advertise, "joined the cluster");
        Ok(Self {
            config,
            grid,
            table,
            hub,
            clock,
            eta,
            host,
            router,
            zones,
            zones_tx,
            store: census_store,
            parts: Mutex::new(Some(Parts {
                membership,
                door,
                zone_keeper,
                duty_keeper,
                tasks,
            })),
        })
    }

    /// This node's name.
    pub fn name(&self) -> &str {
        &self.config.node
    }

    /// The engines' clock.
    pub const fn clock(&self) -> Clock {
        self.clock
    }

    /// The process's tracking hub.
    pub const fn hub(&self) -> &Arc<TrackingHub> {
        &self.hub
    }

    /// The arrival estimates.
    pub const fn eta(&self) -> &EtaModel {
        &self.eta
    }

    /// The engines of the zones running here, by zone.
    pub fn engines(&self) -> Vec<(String, Arc<Engine>)> {
        self.host.engines()
    }

    /// The engine of `zone`, if it runs here.
    pub fn engine(&self, zone: &str) -> Option<Arc<Engine>> {
        self.host.engine(zone)
    }

    /// The lease and membership tables.
    pub const fn table(&self) -> &LeaseTable {
        &self.table
    }

    /// Every zone of the cluster (cells with a kitchen), as last counted.
    pub fn zones(&self) -> BTreeSet<String> {
        self.zones.borrow().clone()
    }

    /// The zone (cell) of a position.
    pub fn zone_of(&self, at: LatLng) -> String {
        self.grid
            .zone_of(at)
            .map_or_else(|_| "unzoned".to_owned(), |zone| zone.to_string())
    }

    /// The zone a courier's shift starting at `at` runs in (its cell, or
    /// the nearest cell with a kitchen), recorded for every node's gateway.
    pub async fn start_shift_zone(
        &self,
        courier: CourierId,
        at: LatLng,
    ) -> Result<String, ApiError> {
        let own = self.zone_of(at);
        if !self.zones.borrow().contains(&own) {
            // A kitchen opened since the last count may make it a zone.
            recount(&self.store, &self.grid, &self.zones_tx).await?;
        }
        let zone = if self.zones.borrow().contains(&own) {
            own
        } else {
            self.nearest_zone(at).ok_or(ApiError::Unavailable)?
        };
        self.table.set_courier_zone(courier.0, &zone).await?;
        Ok(zone)
    }

    /// The known zone whose centre is nearest `at`.
    fn nearest_zone(&self, at: LatLng) -> Option<String> {
        let zones = self.zones.borrow();
        zones
            .iter()
            .filter_map(|key| {
                let cell = u64::from_str_radix(key, 16).ok()?;
                let centre = foodiefast_geo::ZoneId::try_from(cell).ok()?.centre();
                let (dlat, dlng) = (centre.lat() - at.lat(), centre.lng() - at.lng());
                Some((dlat.mul_add(dlat, dlng * dlng), key))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, key)| key.clone())
    }

    /// The zone `courier`'s shift runs in, if it ever went online here.
    pub async fn courier_zone(&self, courier: CourierId) -> Result<Option<String>, StoreError> {
        self.table.courier_zone(courier.0).await
    }

    /// Runs `call` on the engine of `zone`, here or on its owner.
    pub async fn call(&self, zone: &str, call: Call) -> Result<Answer, ApiError> {
        self.router.call(zone, call).await.map_err(|err| {
            tracing::warn!(error = %err, "zone call unanswered");
            ApiError::Unavailable
        })
    }

    /// Leaves the cluster: the zones' engines stop, every lease is freed
    /// for the other nodes at once, the mesh closes.
    pub async fn leave(&self) {
        let parts = self
            .parts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let Some(parts) = parts else {
            return;
        };
        for task in &parts.tasks {
            task.abort();
        }
        self.host.stop_all().await;
        for keeper in [parts.zone_keeper, parts.duty_keeper] {
            if let Err(err) = keeper.depart().await {
                tracing::warn!(error = %err, "leases not freed; they lapse on their own");
            }
        }
        parts.door.stop(None);
        parts.membership.stop();
        tracing::info!(node = %self.config.node, "left the cluster");
    }
}

/// The zones that hold a kitchen.
async fn kitchen_zones(store: &Store, grid: &ZoneGrid) -> Result<BTreeSet<String>, StoreError> {
    Ok(store
        .kitchens()
        .await?
        .iter()
        .filter_map(|kitchen| grid.zone_of(kitchen.details.position).ok())
        .map(|zone| zone.to_string())
        .collect())
}

/// Counts the zones again, telling the keeper if they changed.
async fn recount(
    store: &Store,
    grid: &ZoneGrid,
    zones: &watch::Sender<BTreeSet<String>>,
) -> Result<(), StoreError> {
    let now = kitchen_zones(store, grid).await?;
    zones.send_if_modified(|known| {
        let changed = *known != now;
        *known = now;
        changed
    });
    Ok(())
}

/// Re-counts the zones every `period` (a new kitchen's zone appears).
async fn census(
    store: Store,
    grid: ZoneGrid,
    zones: Arc<watch::Sender<BTreeSet<String>>>,
    period: Duration,
) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(err) = recount(&store, &grid, &zones).await {
            tracing::warn!(error = %err, "zones not counted");
        }
    }
}

/// Copies one watch into another.
async fn pipe<T: Clone + Send + Sync>(mut from: watch::Receiver<T>, to: watch::Sender<T>) {
    loop {
        let now = from.borrow_and_update().clone();
        to.send_replace(now);
        if from.changed().await.is_err() {
            return;
        }
    }
}

/// Runs the outbox relay while this node holds its duty. Its hub has no
/// subscribers: the zones' engines publish to the trackers themselves; the
/// relay delivers to the webhook and clears the outbox.
async fn outbox_duty(
    mut owned: watch::Receiver<super::keeper::Owned>,
    running: watch::Sender<BTreeSet<String>>,
    store: Arc<dyn OutboxStore>,
    sink: Option<(Arc<dyn EventSink>, SinkRetry)>,
) {
    let mut relay: Option<OutboxRelay> = None;
    loop {
        let held = owned.borrow_and_update().contains_key(OUTBOX_DUTY);
        match (held, relay.take()) {
            (true, None) => {
                tracing::info!("outbox relay duty taken");
                relay = Some(OutboxRelay::start_with_sink(
                    store.clone(),
                    Arc::new(TrackingHub::new(1)),
                    sink.clone(),
                ));
                running.send_replace(BTreeSet::from([OUTBOX_DUTY.to_owned()]));
            }
            (false, Some(old)) => {
                old.stop();
                running.send_replace(BTreeSet::new());
                tracing::info!("outbox relay duty handed over");
            }
            (_, kept) => relay = kept,
        }
        if owned.changed().await.is_err() {
            if let Some(relay) = relay {
                relay.stop();
            }
            return;
        }
    }
}
