//! The cluster under test: `foodiefast serve` processes on loopback, one
//! PostgreSQL database, each node listing the others as its peers and
//! speaking mutual TLS with a certificate of the cluster's own CA; which
//! nodes are alive, for clients picking one; the lease table, read as the
//! operator would.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::{Connection, PgConnection, Row};

use crate::pki::Ca;
use crate::server::{Process, Server, TestStore};

const COOKIE: &str = "a-cluster-cookie-for-the-failover-test";

/// The nodes, and which of them still live.
pub(crate) struct Cluster {
    processes: Vec<Option<Process>>,
    servers: Vec<Server>,
    alive: Arc<Mutex<BTreeSet<usize>>>,
    database: String,
    /// The nodes' TLS files.
    _certificates: tempfile::TempDir,
}

/// The clients' view of the cluster: a live node to talk to.
#[derive(Clone)]
pub(crate) struct Nodes {
    servers: Vec<Server>,
    alive: Arc<Mutex<BTreeSet<usize>>>,
}

/// A free TCP port on loopback (free when asked; taken by the node soon after).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl Cluster {
    /// Starts `n` nodes named `node-0`… on `store` (PostgreSQL), each with
    /// `resolution`-sized zones, waiting until each listens.
    pub(crate) fn start(store: &TestStore, n: usize, resolution: u8) -> Self {
        let database = store.postgres_url().expect("a cluster shares PostgreSQL");
        let ports: Vec<u16> = (0..n).map(|_| free_port()).collect();
        let certificates = tempfile::tempdir().unwrap();
        let ca = Ca::new("failover test cluster");
        let mut processes = Vec::new();
        let mut servers = Vec::new();
        for (i, port) in ports.iter().enumerate() {
            let peers: Vec<String> = ports
                .iter()
                .filter(|p| *p != port)
                .map(|p| format!("127.0.0.1:{p}"))
                .collect();
            let env = [
                ("CLUSTER_PORT", port.to_string()),
                ("CLUSTER_NODE", format!("node-{i}")),
                ("CLUSTER_ADVERTISE", format!("127.0.0.1:{port}")),
                ("CLUSTER_PEERS", peers.join(",")),
                ("CLUSTER_COOKIE", COOKIE.to_owned()),
                ("CLUSTER_LEASE_SECONDS", "3".to_owned()),
                ("ZONE_H3_RESOLUTION", resolution.to_string()),
            ]
            .map(|(k, v)| (k.to_owned(), v));
            let tls = ca.node_files(
                certificates.path(),
                &format!("node-{i}"),
                foodiefast::cluster::config::DEFAULT_TLS_SERVER_NAME,
            );
            let env = [&env[..], &tls.env()].concat();
            let (process, server) = Server::start_with(store, &env);
            processes.push(Some(process));
            servers.push(server);
        }
        Self {
            processes,
            servers,
            alive: Arc::new(Mutex::new((0..n).collect())),
            database,
            _certificates: certificates,
        }
    }

    /// The clients' view.
    pub(crate) fn nodes(&self) -> Nodes {
        Nodes {
            servers: self.servers.clone(),
            alive: self.alive.clone(),
        }
    }

    /// SIGKILLs node `i`; clients stop choosing it.
    pub(crate) fn kill(&mut self, i: usize) {
        self.alive.lock().unwrap().remove(&i);
        if let Some(mut process) = self.processes[i].take() {
            process.kill();
        }
    }

    /// Every live lease: zone (or duty) to owner.
    pub(crate) async fn leases(&self) -> BTreeMap<String, String> {
        let mut conn = PgConnection::connect(&self.database).await.unwrap();
        let rows = sqlx::query("SELECT zone, owner FROM zone_leases WHERE expires_at > now()")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        rows.iter()
            .map(|row| (row.get::<String, _>(0), row.get::<String, _>(1)))
            .collect()
    }

    /// Waits until `count` zones and the outbox duty are leased by nodes
    /// other than `not` (none: any node); the leases then, and how long the
    /// wait took. Panics after `limit`.
    pub(crate) async fn owned(
        &self,
        count: usize,
        not: Option<usize>,
        limit: Duration,
    ) -> (BTreeMap<String, String>, Duration) {
        let started = tokio::time::Instant::now();
        let dead = not.map(|i| format!("node-{i}"));
        loop {
            let leases = self.leases().await;
            let zones = leases.keys().filter(|z| !z.starts_with("duty.")).count();
            let held_by_living = leases.values().all(|owner| Some(owner) != dead.as_ref());
            if zones == count && leases.contains_key("duty.outbox") && held_by_living {
                return (leases, started.elapsed());
            }
            assert!(
                started.elapsed() < limit,
                "leases after {limit:?}: {leases:?} (want {count} zones, none of {dead:?})"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Nodes {
    /// The `i`-th live node (round robin over the living).
    pub(crate) fn pick(&self, i: usize) -> Server {
        let alive = self.alive.lock().unwrap();
        let living: Vec<usize> = alive.iter().copied().collect();
        assert!(!living.is_empty(), "no node left");
        self.servers[living[i % living.len()]]
    }

    /// Node `i` itself, dead or alive.
    pub(crate) fn node(&self, i: usize) -> Server {
        self.servers[i]
    }
}
