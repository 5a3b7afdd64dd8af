//! This node's place in the cluster's mesh: a `ractor_cluster` node server
//! listening on `CLUSTER_PORT` (peers must prove the shared cookie), and a
//! dialler that, every beat, connects to the live nodes of the membership
//! table it is not yet connected to, and to the peers named by
//! `CLUSTER_PEERS` or found in `CLUSTER_DNS` (a headless Service lists every
//! ready pod). With `CLUSTER_TLS_*` set, both ways speak mutual TLS
//! ([`super::tls`]). A dial gives up after a beat (a dead pod's address
//! may swallow packets) and a dropped connection is dialled again at the
//! next beat; duplicate connections between two nodes are settled by the
//! node server's handshake.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use ractor::{Actor, ActorRef};
use ractor_cluster::node::NodeConnectionMode;
use ractor_cluster::{NodeServer, NodeServerMessage};
use tokio::task::JoinHandle;

use super::config::ClusterConfig;
use super::tls::ClusterTls;
use crate::store::leases::LeaseTable;

/// How long a peer named only by address (peer list, DNS) is left alone
/// after a dial, since it cannot be told apart from a connected node.
const ANONYMOUS_REDIAL: Duration = Duration::from_secs(10);

/// Why the cluster listener could not start.
#[derive(Debug, thiserror::Error)]
#[error("the cluster listener on port {port} did not start: {reason}")]
pub struct MembershipError {
    port: u16,
    reason: String,
}

/// The node server and its dialler; dropping it stops dialling.
#[derive(Debug)]
pub struct Membership {
    server: ActorRef<NodeServerMessage>,
    dialler: JoinHandle<()>,
}

impl Membership {
    /// Starts listening and dialling.
    pub async fn start(config: &ClusterConfig, table: LeaseTable) -> Result<Self, MembershipError> {
        let failed = |reason: String| MembershipError {
            port: config.port,
            reason,
        };
        let tls = match &config.tls {
            Some(files) => Some(ClusterTls::load(files).map_err(|e| failed(e.to_string()))?),
            None => None,
        };
        let server = NodeServer::new(
            config.port,
            config.cookie.expose().to_owned(),
            config.node.clone(),
            config
                .advertise
                .rsplit_once(':')
                .map_or_else(|| config.node.clone(), |(host, _)| host.to_owned()),
            tls.as_ref().map(ClusterTls::incoming),
            Some(NodeConnectionMode::Isolated),
        );
        let (server, _) = Actor::spawn(None, server, ())
            .await
            .map_err(|e| failed(e.to_string()))?;
        let dialler = Dialler {
            server: server.clone(),
            tls,
            patience: config.beat(),
        };
        let dialler = tokio::spawn(dial_forever(dialler, config.clone(), table));
        Ok(Self { server, dialler })
    }

    /// Names of the nodes this one has a session with.
    pub async fn connected(&self) -> BTreeSet<String> {
        connected_names(&self.server).await
    }

    /// Stops dialling and closes every session.
    pub fn stop(self) {
        self.dialler.abort();
        self.server.stop(Some("leaving the cluster".to_owned()));
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.dialler.abort();
    }
}

async fn connected_names(server: &ActorRef<NodeServerMessage>) -> BTreeSet<String> {
    match ractor::call_t!(server, NodeServerMessage::GetSessions, 2_000) {
        Ok(sessions) => sessions
            .into_values()
            // Sessions name their peer `node@host`.
            .filter_map(|s| {
                s.peer_name
                    .and_then(|n| n.name.split('@').next().map(str::to_owned))
            })
            .collect(),
        Err(_) => BTreeSet::new(),
    }
}

/// Every beat: dial the live nodes not connected, and the anonymous peers
/// not dialled lately.
async fn dial_forever(dialler: Dialler, config: ClusterConfig, table: LeaseTable) {
    let server = &dialler.server;
    let mut tick = tokio::time::interval(config.beat());
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut anonymous_dialled: HashMap<String, tokio::time::Instant> = HashMap::new();
    loop {
        tick.tick().await;
        let connected = connected_names(server).await;
        let live = table.live_nodes(config.lease).await.unwrap_or_default();
        let mut known_addresses = BTreeSet::new();
        for peer in live {
            known_addresses.insert(peer.address.clone());
            if peer.node == config.node || connected.contains(&peer.node) {
                continue;
            }
            dialler.dial(&peer.address).await;
        }
        let mut anonymous = config.peers.clone();
        if let Some(name) = &config.dns {
            anonymous.extend(resolve(name, config.port).await);
        }
        let now = tokio::time::Instant::now();
        for address in anonymous {
            if address == config.advertise || known_addresses.contains(&address) {
                continue;
            }
            let recent = anonymous_dialled
                .get(&address)
                .is_some_and(|at| now.duration_since(*at) < ANONYMOUS_REDIAL);
            if !recent {
                anonymous_dialled.insert(address.clone(), now);
                dialler.dial(&address).await;
            }
        }
    }
}

/// How this node dials its peers.
struct Dialler {
    server: ActorRef<NodeServerMessage>,
    tls: Option<ClusterTls>,
    /// How long one dial (connection and TLS handshake) may take.
    patience: Duration,
}

impl Dialler {
    async fn dial(&self, address: &str) {
        let dialled = async {
            match &self.tls {
                Some(tls) => tls.connect(&self.server, address).await,
                None => ractor_cluster::client_connect(&self.server, address).await,
            }
        };
        match tokio::time::timeout(self.patience, dialled).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                tracing::debug!(peer = %address, error = %err, "cluster peer not reached");
            }
            Err(_) => tracing::debug!(peer = %address, "cluster peer did not answer in time"),
        }
    }
}

/// The addresses a headless Service's name resolves to, with `port`.
async fn resolve(name: &str, port: u16) -> Vec<String> {
    match tokio::net::lookup_host((name, port)).await {
        Ok(addresses) => addresses.map(|a| a.to_string()).collect(),
        Err(err) => {
            tracing::debug!(dns = %name, error = %err, "cluster DNS not resolved");
            Vec::new()
        }
    }
}
