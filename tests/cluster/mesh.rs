//! Two nodes over `ractor_cluster` on loopback: this test process and a
//! child process running the same test in the child role. A tracking update
//! published on one node reaches a subscriber on the other, a call is
//! answered by the other node's handler, and a node with the wrong cookie
//! never joins. One test only: `ractor`'s process groups are per process,
//! so a second test here would see the first one's peer.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use foodiefast::cluster::door::{self, CallHandler, DoorArgs, DoorMsg};
use foodiefast_actors::tracking::{Topic, TrackingHub, Update};
use foodiefast_geo::{CourierId, OrderId, Point, Seconds};
use ractor::{Actor, ActorRef};
use ractor_cluster::NodeServer;
use tokio::io::{AsyncBufReadExt, BufReader};

const ROLE: &str = "FOODIEFAST_MESH_CHILD";
const COOKIE: &str = "mesh-test-cookie-0123456789";
const TEST: &str = "mesh::an_update_and_a_call_cross_to_another_node";

/// Answers a call with its request reversed.
struct Reverse;

#[async_trait]
impl CallHandler for Reverse {
    async fn handle(&self, request: Vec<u8>) -> Vec<u8> {
        request.into_iter().rev().collect()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn node(
    name: &str,
    port: u16,
    cookie: &str,
    hub: Arc<TrackingHub>,
) -> ActorRef<ractor_cluster::NodeServerMessage> {
    let server = NodeServer::new(
        port,
        cookie.to_owned(),
        name.to_owned(),
        "127.0.0.1".to_owned(),
        None,
        None,
    )
    .with_listen_addr([127, 0, 0, 1].into());
    let (server, _) = Actor::spawn(None, server, ()).await.unwrap();
    hub.forward_to(door::tracking_relay());
    door::open(DoorArgs {
        hub,
        calls: Arc::new(Reverse),
    })
    .await
    .unwrap();
    server
}

fn update() -> Update {
    Update::Position {
        courier: CourierId(5),
        at: Point::new(120.0, -40.0).unwrap(),
        eta: Some(Seconds(300)),
    }
}

async fn until_peer_door(within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    while door::remote_doors().is_empty() {
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

/// The child: listens, waits for the parent's update on its hub, says so
/// on stdout, which the parent reads.
#[allow(clippy::print_stdout)]
async fn child(port: u16, cookie: &str) {
    let hub = Arc::new(TrackingHub::new(16));
    let watcher = hub.subscribe(Topic::Order(OrderId(77)));
    let _server = node("child", port, cookie, hub).await;
    println!("LISTENING");
    let got = tokio::time::timeout(Duration::from_secs(20), watcher.recv()).await;
    match got {
        Ok(Ok(received)) if received == update() => println!("RECEIVED"),
        other => println!("NOT RECEIVED {other:?}"),
    }
    // Stay up for the parent's call.
    tokio::time::sleep(Duration::from_secs(3)).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_and_a_call_cross_to_another_node() {
    if let Ok(role) = std::env::var(ROLE) {
        let (port, cookie) = role.split_once(':').unwrap();
        child(port.parse().unwrap(), cookie).await;
        return;
    }
    let child_port = free_port();
    let (_child, mut lines) = spawn_child(child_port, COOKIE).await;
    // The process group is per process, so both nodes of this process are
    // checked in one test: first a node with another cookie, refused.
    let intruder = NodeServer::new(
        free_port(),
        "another-cookie-0123456789".to_owned(),
        "intruder".to_owned(),
        "127.0.0.1".to_owned(),
        None,
        None,
    )
    .with_listen_addr([127, 0, 0, 1].into());
    let (intruder, _) = Actor::spawn(None, intruder, ()).await.unwrap();
    let _ = ractor_cluster::client_connect(&intruder, format!("127.0.0.1:{child_port}")).await;
    assert!(
        !until_peer_door(Duration::from_secs(3)).await,
        "a node with the wrong cookie joined"
    );
    intruder.stop(None);

    let hub = Arc::new(TrackingHub::new(16));
    let server = node("parent", free_port(), COOKIE, hub.clone()).await;
    ractor_cluster::client_connect(&server, format!("127.0.0.1:{child_port}"))
        .await
        .unwrap();
    assert!(
        until_peer_door(Duration::from_secs(10)).await,
        "the child's door never showed up"
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

    let door: ActorRef<DoorMsg> = door::remote_doors().remove(0).into();
    let answer = door
        .call(
            |reply| DoorMsg::Call(b"abc".to_vec(), reply),
            Some(Duration::from_secs(5)),
        )
        .await
        .unwrap();
    assert!(
        matches!(answer, ractor::rpc::CallResult::Success(ref a) if a == b"cba"),
        "{answer:?}"
    );
}
