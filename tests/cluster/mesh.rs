//! Two nodes over `ractor_cluster` on loopback: this test process and a
//! child process running the same test in the child role. A tracking update
//! published on one node reaches a subscriber on the other, a zone call is
//! routed to the node that runs the zone and applied there once, and a node
//! with the wrong cookie never joins. One test only: `ractor`'s process
//! groups are per process, so a second test here would see the first one's
//! peer.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use foodiefast::cluster::calls::{Answer, Call, ZoneDoorHandler};
use foodiefast::cluster::config::ClusterConfig;
use foodiefast::cluster::door::{self, CallHandler, DoorArgs};
use foodiefast::cluster::keeper::Owned;
use foodiefast::cluster::membership::Membership;
use foodiefast::cluster::router::ZoneRouter;
use foodiefast::cluster::zone_host::{ZoneHost, zone_group};
use foodiefast_actors::tracking::{Topic, TrackingHub, Update};
use foodiefast_geo::{CourierId, OrderId, Point, Seconds};
use ractor::{Actor, ActorRef};
use ractor_cluster::{NodeServer, NodeServerMessage};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::watch;

use crate::fixtures::{details, memory_engines};
use crate::harness::Backend;

const ROLE: &str = "FOODIEFAST_MESH_CHILD";
const COOKIE: &str = "mesh-test-cookie-0123456789";
const TEST: &str = "mesh::updates_and_zone_calls_cross_to_another_node";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn node_server(name: &str, port: u16, cookie: &str) -> ActorRef<NodeServerMessage> {
    let server = NodeServer::new(
        port,
        cookie.to_owned(),
        name.to_owned(),
        "127.0.0.1".to_owned(),
        None,
        None,
    )
    .with_listen_addr([127, 0, 0, 1].into());
    Actor::spawn(None, server, ()).await.unwrap().0
}

/// A node's zones: an engine on an in-memory store per zone in `zones`.
async fn zones(zones: &[&str]) -> (Arc<ZoneHost>, watch::Sender<Owned>) {
    let factory = memory_engines();
    let owned: Owned = zones.iter().map(|z| ((*z).to_owned(), 1)).collect();
    let (owned_tx, owned_rx) = watch::channel(owned);
    let host = Arc::new(ZoneHost::start(owned_rx, factory));
    let want = zones.len();
    let mut running = host.running();
    tokio::time::timeout(
        Duration::from_secs(10),
        running.wait_for(|r| r.len() == want),
    )
    .await
    .unwrap()
    .unwrap();
    (host, owned_tx)
}

/// Opens a node's door on `hub`, answering calls for `host`'s zones and
/// watching the topics `hub` has subscribers for.
async fn open_door(hub: Arc<TrackingHub>, host: &Arc<ZoneHost>) -> Arc<door::Watches> {
    hub.forward_to(door::tracking_relay());
    let calls: Arc<dyn CallHandler> = Arc::new(ZoneDoorHandler::new(host.clone()));
    let door = door::open(DoorArgs {
        hub: hub.clone(),
        calls,
    })
    .await
    .unwrap();
    host.announce_through(door.get_cell());
    let (watches, _task) = door::keep_watches(door.get_cell(), &hub, Duration::from_millis(200));
    watches
}

fn update() -> Update {
    Update::Position {
        courier: CourierId(5),
        at: Point::new(120.0, -40.0).unwrap(),
        eta: Some(Seconds(300)),
    }
}

async fn until(within: Duration, ready: impl Fn() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    while !ready() {
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

/// The child runs zone `zone/child`; it waits for the parent's update on
/// its hub and says so on stdout, which the parent reads.
#[allow(clippy::print_stdout)]
async fn child(port: u16, cookie: &str) {
    let hub = Arc::new(TrackingHub::new(16));
    let watcher = hub.subscribe(Topic::Order(OrderId(77)));
    let _server = node_server("child", port, cookie).await;
    let (host, _owned) = zones(&["zone/child"]).await;
    let _watches = open_door(hub, &host).await;
    println!("LISTENING");
    let got = tokio::time::timeout(Duration::from_secs(20), watcher.recv()).await;
    match got {
        Ok(Ok(received)) if received == update() => println!("RECEIVED"),
        other => println!("NOT RECEIVED {other:?}"),
    }
    // Stay up for the parent's calls.
    tokio::time::sleep(Duration::from_secs(5)).await;
}

async fn spawn_child(
    port: u16,
    cookie: &str,
) -> (
    tokio::process::Child,
    tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
) {
    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(ROLE, format!("{port}:{cookie}"))
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the child starts")
            .unwrap()
            .expect("the child says it listens");
        if line.contains("LISTENING") {
            return (child, lines);
        }
    }
}

/// This node's mesh from the settings `serve` reads: the child named as a
/// peer, which the dialler connects to.
async fn join(child_port: u16, db: &crate::harness::TestDb) -> Membership {
    let port = free_port().to_string();
    let peer = format!("127.0.0.1:{child_port}");
    let settings = [
        ("CLUSTER_PORT", port.as_str()),
        ("CLUSTER_NODE", "parent"),
        ("CLUSTER_PEERS", peer.as_str()),
        ("CLUSTER_COOKIE", COOKIE),
        ("CLUSTER_LEASE_SECONDS", "1"),
    ];
    let config = ClusterConfig::from_lookup(&|name: &str| {
        settings
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    })
    .unwrap()
    .unwrap();
    let table = db.open().await.lease_table().unwrap();
    Membership::start(&config, table).await.unwrap()
}

/// The nodes `membership` has sessions with, once it has one (or after 5 s).
async fn connected(membership: &Membership) -> std::collections::BTreeSet<String> {
    let mut named = membership.connected().await;
    for _ in 0..100 {
        if !named.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        named = membership.connected().await;
    }
    named
}

/// The child watches order 77 (it has a subscriber), not order 78: a
/// position published here for order 77 reaches it (the child says so).
async fn a_position_reaches_the_childs_subscriber(
    hub: &TrackingHub,
    lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
) {
    // The child watches order 77 (it has a subscriber), not order 78:
    // positions go to watchers only.
    assert!(
        until(Duration::from_secs(10), || {
            !door::remote_watchers(Topic::Order(OrderId(77))).is_empty()
        })
        .await,
        "the child's watch of order 77 never showed up"
    );
    assert!(door::remote_watchers(Topic::Order(OrderId(78))).is_empty());
    assert!(
        door::remote_watchers(Topic::Courier(CourierId(5))).is_empty(),
        "a courier's topic carries no positions"
    );
    hub.publish(Topic::Order(OrderId(77)), &update());
    let heard = tokio::time::timeout(Duration::from_secs(20), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("RECEIVED") {
                return line;
            }
        }
        String::new()
    })
    .await
    .unwrap();
    assert_eq!(
        heard.trim(),
        "RECEIVED",
        "the child's subscriber got the update"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_and_zone_calls_cross_to_another_node() {
    if let Ok(role) = std::env::var(ROLE) {
        let (port, cookie) = role.split_once(':').unwrap();
        child(port.parse().unwrap(), cookie).await;
        return;
    }
    let child_port = free_port();
    let (child, mut lines) = spawn_child(child_port, COOKIE).await;
    let remote_doors = || !door::remote_doors().is_empty();

    // First a node with another cookie: refused.
    let intruder = node_server("intruder", free_port(), "another-cookie-0123456789").await;
    let _ = ractor_cluster::client_connect(&intruder, format!("127.0.0.1:{child_port}")).await;
    assert!(
        !until(Duration::from_secs(3), remote_doors).await,
        "a node with the wrong cookie joined"
    );
    intruder.stop(None);

    crate::harness::run(Backend::Postgres, move |db| async move {
        let _child = child;
        // Then this node, with the cookie, running zone `zone/parent`.
        let hub = Arc::new(TrackingHub::new(16));
        let membership = join(child_port, &db).await;
        let (host, _owned) = zones(&["zone/parent"]).await;
        open_door(hub.clone(), &host).await;
        assert!(
            until(Duration::from_secs(10), remote_doors).await,
            "the child's door never showed up"
        );
        assert_eq!(
            connected(&membership).await,
            ["child".to_owned()].into(),
            "sessions by node name"
        );

        a_position_reaches_the_childs_subscriber(&hub, &mut lines).await;

        // A zone call for the child's zone runs on the child; one for this
        // node's zone runs here; one for a zone nobody runs gives up.
        assert!(
            until(Duration::from_secs(10), || {
                !ractor::pg::get_members(&zone_group("zone/child")).is_empty()
            })
            .await
        );
        let router = ZoneRouter::new(host.clone(), "parent", Duration::from_secs(2));
        let place = Call::PlaceOrder {
            details: details(41),
            payment_method: None,
        };
        let remote = router.call("zone/child", place.clone()).await.unwrap();
        assert!(
            matches!(&remote, Answer::Order(v) if v.id == OrderId(41)),
            "{remote:?}"
        );
        assert!(
            host.engine("zone/parent")
                .unwrap()
                .view(OrderId(41))
                .await
                .is_err(),
            "placed on the child, not here"
        );
        let local = router.call("zone/parent", place).await.unwrap();
        assert!(
            matches!(&local, Answer::Order(v) if v.id == OrderId(41)),
            "{local:?}"
        );
        assert!(
            host.engine("zone/parent")
                .unwrap()
                .view(OrderId(41))
                .await
                .is_ok()
        );
        assert!(
            router
                .call(
                    "zone/nobody",
                    Call::CourierStatus {
                        courier: CourierId(1)
                    }
                )
                .await
                .is_err()
        );
        membership.stop();
    })
    .await;
}
