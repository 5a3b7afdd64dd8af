//! A node's door: the one actor other nodes talk to. Every node's door is
//! a member of the process group [`DOORS`], which `ractor_cluster` keeps in
//! sync across the mesh, so a node finds every other node's door there.
//!
//! Two kinds of message cross it, both as JSON bytes so that the wire
//! format is ours and versioned with the code, not tied to the transport:
//!
//! - tracking updates ([`DoorMsg::Tracking`]): the node's hub forwards
//!   the updates it publishes to the other nodes' doors, which deliver them
//!   to their own subscribers without forwarding them again. A customer
//!   tracking an order, or a courier's app, may be connected to any node.
//!   Positions and arrival estimates, nearly all of the traffic, go only to
//!   the nodes watching their topic: a node's door is in the process group
//!   [`watch_group`] of each order or kitchen it has subscribers for
//!   ([`Watches`]). Status changes and courier updates, rare and never to
//!   be missed, go to every node: a node starting to watch a topic may not
//!   be known as a watcher for a few milliseconds, and what it misses then
//!   must be a position the next one replaces;
//! - calls ([`DoorMsg::Call`]): a request answered by a [`CallHandler`],
//!   for commands that must reach the node owning a zone.
//!
//! The transport may lose a message when a session reconnects. Tracking
//! updates are live views that clients resume from the log (event ids), so
//! a lost one costs a refresh, not data; calls carry ids and are retried
//! by their callers.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use foodiefast_actors::tracking::{Forwarder, Topic, TrackingHub, Update};
use ractor::{Actor, ActorCell, ActorProcessingErr, ActorRef, RpcReplyPort};
use ractor_cluster::RactorClusterMessage;
use tokio::task::JoinHandle;

/// The process group of every node's door.
pub const DOORS: &str = "foodiefast.doors";

/// What crosses between nodes.
#[derive(RactorClusterMessage)]
pub enum DoorMsg {
    /// A tracking update published on another node: JSON `[topic, update]`.
    Tracking(Vec<u8>),
    /// A request for this node (JSON), answered with JSON.
    #[rpc]
    Call(Vec<u8>, RpcReplyPort<Vec<u8>>),
}

/// Answers the calls other nodes make.
#[async_trait]
pub trait CallHandler: Send + Sync + 'static {
    /// The answer to `request` (both JSON); never fails: errors are answers.
    async fn handle(&self, request: Vec<u8>) -> Vec<u8>;
}

/// The door actor.
pub struct Door;

/// What the door serves.
pub struct DoorArgs {
    /// Where tracking updates from other nodes are delivered.
    pub hub: Arc<TrackingHub>,
    /// Who answers calls.
    pub calls: Arc<dyn CallHandler>,
}

impl Actor for Door {
    type Msg = DoorMsg;
    type State = DoorArgs;
    type Arguments = DoorArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<DoorMsg>,
        args: DoorArgs,
    ) -> Result<DoorArgs, ActorProcessingErr> {
        ractor::pg::join(DOORS.to_owned(), vec![myself.get_cell()]);
        Ok(args)
    }

    async fn handle(
        &self,
        _myself: ActorRef<DoorMsg>,
        message: DoorMsg,
        state: &mut DoorArgs,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            DoorMsg::Tracking(bytes) => match serde_json::from_slice::<(Topic, Update)>(&bytes) {
                Ok((topic, update)) => state.hub.deliver(topic, &update),
                Err(err) => tracing::warn!(error = %err, "unreadable tracking update from a peer"),
            },
            DoorMsg::Call(request, reply) => {
                // Answered off the door, so that a slow call holds up nothing else.
                let calls = state.calls.clone();
                tokio::spawn(async move {
                    let answer = calls.handle(request).await;
                    let _ = reply.send(answer);
                });
            }
        }
        Ok(())
    }
}

/// The doors of the other nodes, as the process group knows them now.
pub fn remote_doors() -> Vec<ActorCell> {
    ractor::pg::get_members(&DOORS.to_owned())
        .into_iter()
        .filter(|cell| !cell.get_id().is_local())
        .collect()
}

/// The process group of the doors whose node has subscribers to `topic`;
/// none for a courier's topic, which carries no positions.
pub fn watch_group(topic: Topic) -> Option<String> {
    match topic {
        Topic::Order(order) => Some(format!("foodiefast.watch.order.{}", order.0)),
        Topic::Kitchen(kitchen) => Some(format!("foodiefast.watch.kitchen.{}", kitchen.0)),
        Topic::Courier(_) => None,
    }
}

/// The doors of the other nodes watching `topic`.
pub fn remote_watchers(topic: Topic) -> Vec<ActorCell> {
    let Some(group) = watch_group(topic) else {
        return Vec::new();
    };
    ractor::pg::get_members(&group)
        .into_iter()
        .filter(|cell| !cell.get_id().is_local())
        .collect()
}

/// Whether `update` is superseded by the next of its kind (a position, an
/// estimate), so it may go to watchers only.
const fn superseded(update: &Update) -> bool {
    matches!(update, Update::Position { .. } | Update::PickupEta { .. })
}

/// The topics this node's door is in the watch group of, kept in step with
/// the hub's subscribers: joined as soon as a topic gains its first
/// subscriber, left at the next [`Watches::reconcile`] after it lost its last.
#[derive(Debug)]
pub struct Watches {
    door: ActorCell,
    joined: Mutex<HashSet<Topic>>,
}

impl Watches {
    /// The watches of `door`, none yet.
    pub fn new(door: ActorCell) -> Self {
        Self {
            door,
            joined: Mutex::default(),
        }
    }

    fn joined(&self) -> std::sync::MutexGuard<'_, HashSet<Topic>> {
        self.joined
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Joins `topic`'s watch group, if it has one and is not joined yet.
    pub fn watch(&self, topic: Topic) {
        if let Some(group) = watch_group(topic)
            && self.joined().insert(topic)
        {
            ractor::pg::join(group, vec![self.door.clone()]);
        }
    }

    /// Joins the groups of the topics `hub` has subscribers for, and leaves
    /// those of the topics it has none for any more.
    pub fn reconcile(&self, hub: &TrackingHub) {
        let watched: HashSet<Topic> = hub.watched().into_iter().collect();
        let gone: Vec<Topic> = {
            let mut joined = self.joined();
            let gone: Vec<Topic> = joined.difference(&watched).copied().collect();
            for topic in &gone {
                joined.remove(topic);
            }
            gone
        };
        for topic in gone {
            if let Some(group) = watch_group(topic) {
                ractor::pg::leave(group, vec![self.door.clone()]);
            }
        }
        for topic in watched {
            self.watch(topic);
        }
    }

    /// The topics joined now.
    pub fn topics(&self) -> HashSet<Topic> {
        self.joined().clone()
    }
}

/// Keeps `door`'s watches in step with `hub`: a topic is watched from its
/// first subscriber on, and left within `every` of its last one going.
/// The task runs until aborted.
pub fn keep_watches(
    door: ActorCell,
    hub: &Arc<TrackingHub>,
    every: Duration,
) -> (Arc<Watches>, JoinHandle<()>) {
    let watches = Arc::new(Watches::new(door));
    let hook = watches.clone();
    hub.on_first_subscriber(Arc::new(move |topic| hook.watch(topic)));
    // Topics subscribed to before the hook was set.
    watches.reconcile(hub);
    let task = {
        let (watches, hub) = (watches.clone(), hub.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                watches.reconcile(&hub);
            }
        })
    };
    (watches, task)
}

/// A forwarder for this node's hub: positions and estimates go to the
/// nodes watching their topic, every other update to every node (fire and
/// forget).
pub fn tracking_relay() -> Forwarder {
    Arc::new(|topic: Topic, update: &Update| {
        let doors = if superseded(update) {
            remote_watchers(topic)
        } else {
            remote_doors()
        };
        if doors.is_empty() {
            return;
        }
        let Ok(bytes) = serde_json::to_vec(&(topic, update)) else {
            return;
        };
        for door in doors {
            let door: ActorRef<DoorMsg> = door.into();
            if door.cast(DoorMsg::Tracking(bytes.clone())).is_err() {
                metrics::counter!("foodiefast_cluster_updates_unsent_total").increment(1);
            }
        }
    })
}

/// Starts this node's door.
pub async fn open(args: DoorArgs) -> Result<ActorRef<DoorMsg>, ractor::SpawnErr> {
    let (door, _) = Actor::spawn(None, Door, args).await?;
    Ok(door)
}

#[cfg(test)]
mod tests {
    use foodiefast_actors::tracking::TrackingHub;
    use foodiefast_geo::{CourierId, OrderId};

    use super::*;

    /// An actor standing in for a door: only its cell is used.
    struct Stand;

    impl Actor for Stand {
        type Msg = ();
        type State = ();
        type Arguments = ();

        async fn pre_start(
            &self,
            _myself: ActorRef<()>,
            _args: (),
        ) -> Result<(), ActorProcessingErr> {
            Ok(())
        }
    }

    fn members(topic: Topic) -> usize {
        watch_group(topic).map_or(0, |group| ractor::pg::get_members(&group).len())
    }

    #[tokio::test]
    async fn a_door_watches_the_topics_its_hub_has_subscribers_for() {
        let (door, _) = Actor::spawn(None, Stand, ()).await.unwrap();
        let hub = Arc::new(TrackingHub::new(4));
        let early = Topic::Order(OrderId(9_001));
        let _before = hub.subscribe(early);
        let (watches, task) = keep_watches(door.get_cell(), &hub, Duration::from_hours(1));
        assert_eq!(members(early), 1, "subscribed before the door watched");

        let order = Topic::Order(OrderId(9_002));
        let courier = Topic::Courier(CourierId(9_003));
        let tracker = hub.subscribe(order);
        let _app = hub.subscribe(courier);
        assert_eq!(members(order), 1, "joined at the first subscriber");
        assert_eq!(watches.topics(), HashSet::from([early, order]));

        drop(tracker);
        watches.reconcile(&hub);
        assert_eq!(members(order), 0, "left once nobody here watches it");
        assert_eq!(members(early), 1);
        task.abort();
        door.stop(None);
    }
}
