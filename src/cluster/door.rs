//! A node's door: the one actor other nodes talk to. Every node's door is
//! a member of the process group [`DOORS`], which `ractor_cluster` keeps in
//! sync across the mesh, so a node finds every other node's door there.
//!
//! Two kinds of message cross it, both as JSON bytes so that the wire
//! format is ours and versioned with the code, not tied to the transport:
//!
//! - tracking updates ([`DoorMsg::Tracking`]): the node's hub forwards
//!   every update it publishes to the other nodes' doors, which deliver it
//!   to their own subscribers without forwarding it again. A customer
//!   tracking an order, or a courier's app, may be connected to any node;
//! - calls ([`DoorMsg::Call`]): a request answered by a [`CallHandler`],
//!   for commands that must reach the node owning a zone.
//!
//! The transport may lose a message when a session reconnects. Tracking
//! updates are live views that clients resume from the log (event ids), so
//! a lost one costs a refresh, not data; calls carry ids and are retried
//! by their callers.

use std::sync::Arc;

use async_trait::async_trait;
use foodiefast_actors::tracking::{Forwarder, Topic, TrackingHub, Update};
use ractor::{Actor, ActorCell, ActorProcessingErr, ActorRef, RpcReplyPort};
use ractor_cluster::RactorClusterMessage;

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

/// A forwarder for this node's hub: every update published here goes to
/// every other node's door (fire and forget).
pub fn tracking_relay() -> Forwarder {
    Arc::new(|topic: Topic, update: &Update| {
        let doors = remote_doors();
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
