//! Scaling out: engine processes joined in a cluster. Each node is a
//! `ractor_cluster` node (authenticated by a shared cookie, and by mutual
//! TLS where configured); nodes find each
//! other through the membership table, an explicit peer list or a headless
//! Service's DNS; each dispatch zone is run by exactly one node at a time,
//! the holder of its lease in PostgreSQL.
//!
//! - [`config`]: the cluster settings from the environment;
//! - [`placement`]: which node should own which zone (rendezvous hashing);
//! - [`keeper`]: takes, renews and hands over this node's zone leases;
//! - [`membership`]: the cluster listener and the connections to peers;
//! - [`tls`]: mutual TLS between nodes, when configured;
//! - [`door`]: the actor other nodes talk to (tracking updates, calls);
//! - [`calls`]: the commands a zone's owner answers for other nodes, applied once per id;
//! - [`zone_host`]: one engine per zone owned here, started and stopped as leases move;
//! - [`router`]: the caller's side: a zone call run here or sent to the zone's owner, retried;
//! - [`node`]: all of the above assembled into one running member, as `serve` starts it.

pub mod calls;
pub mod config;
pub mod door;
pub mod keeper;
pub mod membership;
pub mod node;
pub mod placement;
pub mod router;
pub mod tls;
pub mod zone_host;
