//! Several nodes' lease keepers on one database: every zone run by exactly
//! one node, zones spread, a crashed node's zones taken over after its
//! leases lapse, a joining node given its share without overlap.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use foodiefast::cluster::keeper::{KeeperConfig, LeaseKeeper, Owned};
use foodiefast::store::leases::LeaseTable;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::harness::{Backend, run};

const TTL: Duration = Duration::from_millis(900);
const BEAT: Duration = Duration::from_millis(300);

/// A node: its keeper, and a zone host that runs what it owns after a
/// short start-up (as an engine's recovery would take).
struct Node {
    keeper: LeaseKeeper,
    host: tokio::task::JoinHandle<()>,
    running: watch::Receiver<BTreeSet<String>>,
}

fn start(table: &LeaseTable, name: &str, keys: &watch::Receiver<BTreeSet<String>>) -> Node {
    let (running_tx, running) = watch::channel(BTreeSet::new());
    let keeper = LeaseKeeper::new(
        table.clone(),
        KeeperConfig {
            node: name.to_owned(),
            address: format!("{name}:4700"),
            ttl: TTL,
            beat: BEAT,
        },
        keys.clone(),
        running.clone(),
    );
    let mut owned = keeper.owned();
    let host = tokio::spawn(async move {
        loop {
            let wanted: BTreeSet<String> = owned.borrow_and_update().keys().cloned().collect();
            // Zones being started count as running, as the real host does.
            let starting: BTreeSet<String> = running_tx.borrow().union(&wanted).cloned().collect();
            running_tx.send_replace(starting);
            tokio::time::sleep(Duration::from_millis(50)).await;
            running_tx.send_replace(wanted);
            if owned.changed().await.is_err() {
                return;
            }
        }
    });
    Node {
        keeper,
        host,
        running,
    }
}

fn owned(node: &Node) -> Owned {
    node.keeper.owned().borrow().clone()
}

/// Waits until the running nodes between them run every zone exactly
/// once, checking on the way that no zone ever runs on two nodes.
async fn settle(nodes: &BTreeMap<&str, Node>, zones: &BTreeSet<String>, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let mut runs: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for (name, node) in nodes {
            for zone in node.running.borrow().iter() {
                runs.entry(zone.clone()).or_default().push(name);
            }
        }
        for (zone, on) in &runs {
            assert!(on.len() <= 1, "{zone} runs on {on:?} at once");
        }
        let owned_once = zones.iter().all(|z| {
            nodes.values().filter(|n| owned(n).contains_key(z)).count() == 1
                && runs.get(z).is_some_and(|on| on.len() == 1)
        });
        if owned_once {
            return;
        }
        assert!(Instant::now() < deadline, "not settled: {runs:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn zones_spread_fail_over_and_rebalance_without_running_twice() {
    run(Backend::Postgres, |db| async move {
        let table = db.open().await.lease_table().unwrap();
        let zones: BTreeSet<String> = (0..12).map(|i| format!("zone/{i:02}")).collect();
        let (_keys_tx, keys) = watch::channel(zones.clone());
        let mut nodes: BTreeMap<&str, Node> = ["a", "b", "c"]
            .into_iter()
            .map(|name| (name, start(&table, name, &keys)))
            .collect();
        settle(&nodes, &zones, Duration::from_secs(10)).await;
        for (name, node) in &nodes {
            assert!(!owned(node).is_empty(), "{name} owns nothing of 12 zones");
        }

        // c dies without a word: its leases lapse, a and b take its zones.
        let c = nodes.remove("c").unwrap();
        let orphans: Vec<String> = owned(&c).into_keys().collect();
        let killed = Instant::now();
        c.host.abort();
        drop(c.keeper);
        settle(&nodes, &zones, Duration::from_secs(10)).await;
        let took = killed.elapsed();
        assert!(
            took < TTL * 2 + BEAT * 3,
            "c's zones moved after {took:?} (lease {TTL:?})"
        );
        let leases = table.leases().await.unwrap();
        for zone in &orphans {
            let lease = leases.iter().find(|l| &l.zone == zone).unwrap();
            assert_ne!(lease.owner, "c");
            assert!(lease.epoch >= 2, "{zone}: a new owner, a new epoch");
        }

        // d joins: it gets a share, handed over cleanly (released only once
        // stopped on its former node: `settle` checks no zone ran twice).
        nodes.insert("d", start(&table, "d", &keys));
        settle(&nodes, &zones, Duration::from_secs(10)).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while owned(&nodes["d"]).is_empty() {
            assert!(Instant::now() < deadline, "d was given no zone");
            tokio::time::sleep(Duration::from_millis(50)).await;
            settle(&nodes, &zones, Duration::from_secs(10)).await;
        }

        // a leaves cleanly: its zones are free at once, no lapse to wait for.
        let a = nodes.remove("a").unwrap();
        let left = Instant::now();
        a.keeper.depart().await.unwrap();
        a.host.abort();
        settle(&nodes, &zones, Duration::from_secs(10)).await;
        assert!(
            left.elapsed() < TTL + BEAT * 3,
            "a clean departure waited {:?}",
            left.elapsed()
        );
        for node in nodes.into_values() {
            node.keeper.depart().await.unwrap();
            node.host.abort();
        }
    })
    .await;
}
