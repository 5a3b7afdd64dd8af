//! Mutual TLS between cluster nodes (`CLUSTER_TLS_*`), through the same
//! settings and mesh `serve` uses: nodes whose certificates the cluster's CA
//! signed, for the cluster's name, join; a node with a certificate of
//! another CA, or for another name, or without TLS at all, does not, in
//! either direction. Bad TLS files stop a node at start with the file named.
//!
//! A binary of its own: nodes joined here share the process's actor groups.

// Test code, where panicking is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[allow(dead_code, unreachable_pub)]
#[path = "../store/harness.rs"]
mod harness;
mod pki;

use std::collections::BTreeSet;
use std::time::Duration;

use foodiefast::cluster::config::{ClusterConfig, DEFAULT_TLS_SERVER_NAME};
use foodiefast::cluster::membership::Membership;
use foodiefast::cluster::tls::{ClusterTls, TlsError};
use harness::{Backend, TestDb};
use pki::{Ca, NodeFiles};

const COOKIE: &str = "tls-test-cookie-0123456789";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A node's settings as `serve` reads them: `name` on `port`, dialling
/// `peer` if given, with `tls` files if given.
fn settings(name: &str, port: u16, peer: Option<u16>, tls: Option<&NodeFiles>) -> ClusterConfig {
    let mut vars = vec![
        ("CLUSTER_PORT".to_owned(), port.to_string()),
        ("CLUSTER_NODE".to_owned(), name.to_owned()),
        ("CLUSTER_ADVERTISE".to_owned(), format!("127.0.0.1:{port}")),
        ("CLUSTER_COOKIE".to_owned(), COOKIE.to_owned()),
        ("CLUSTER_LEASE_SECONDS".to_owned(), "1".to_owned()),
    ];
    if let Some(peer) = peer {
        vars.push(("CLUSTER_PEERS".to_owned(), format!("127.0.0.1:{peer}")));
    }
    if let Some(files) = tls {
        vars.extend(files.env());
    }
    ClusterConfig::from_lookup(&|name: &str| {
        vars.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    })
    .unwrap()
    .unwrap()
}

async fn node(db: &TestDb, config: &ClusterConfig) -> Membership {
    let table = db.open().await.lease_table().unwrap();
    Membership::start(config, table).await.unwrap()
}

/// Who `membership` has sessions with once it has `want` (or after `patience`).
async fn sessions(membership: &Membership, want: usize, patience: Duration) -> BTreeSet<String> {
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        let named = membership.connected().await;
        if named.len() >= want || tokio::time::Instant::now() >= deadline {
            return named;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A node `listener` with `listener_tls` and a node `dialler` with
/// `dialler_tls` dialling it: who each has a session with, after `wait`
/// at most.
async fn dial(
    db: &TestDb,
    listener_tls: Option<&NodeFiles>,
    dialler_tls: Option<&NodeFiles>,
    wait: Duration,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let port = free_port();
    let listener = node(db, &settings("listener", port, None, listener_tls)).await;
    let dialler = node(
        db,
        &settings("dialler", free_port(), Some(port), dialler_tls),
    )
    .await;
    let heard = sessions(&dialler, 1, wait).await;
    let heard_by_listener = sessions(&listener, 1, Duration::ZERO).await;
    dialler.stop();
    listener.stop();
    (heard_by_listener, heard)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_nodes_with_the_clusters_certificates_join() {
    harness::run(Backend::Postgres, |db| async move {
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::new("FoodieFast cluster");
        let a = ca.node_files(dir.path(), "a", DEFAULT_TLS_SERVER_NAME);
        let b = ca.node_files(dir.path(), "b", DEFAULT_TLS_SERVER_NAME);
        let stranger =
            Ca::new("someone else").node_files(dir.path(), "stranger", DEFAULT_TLS_SERVER_NAME);
        let misnamed = ca.node_files(dir.path(), "misnamed", "not-the-cluster");

        let joined = dial(&db, Some(&a), Some(&b), Duration::from_secs(10)).await;
        assert_eq!(
            joined,
            (
                ["dialler".to_owned()].into(),
                ["listener".to_owned()].into()
            ),
            "two nodes of the cluster's CA join"
        );

        let refused = Duration::from_secs(3);
        for (what, listener, dialler) in [
            (
                "a certificate of another CA, dialling",
                Some(&a),
                Some(&stranger),
            ),
            (
                "a certificate of another CA, dialled",
                Some(&stranger),
                Some(&a),
            ),
            (
                "a certificate for another name, dialled",
                Some(&misnamed),
                Some(&a),
            ),
            ("no TLS, dialling", Some(&a), None),
            ("no TLS, dialled", None, Some(&a)),
        ] {
            let (listener_saw, dialler_saw) = dial(&db, listener, dialler, refused).await;
            assert!(
                listener_saw.is_empty() && dialler_saw.is_empty(),
                "a node with {what} joined: {listener_saw:?} {dialler_saw:?}"
            );
        }
    })
    .await;
}

#[test]
fn unusable_tls_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("FoodieFast cluster");
    let files = ca.node_files(dir.path(), "a", DEFAULT_TLS_SERVER_NAME);
    assert!(ClusterTls::load(&files.tls()).is_ok());

    let mut missing = files.tls();
    missing.cert = dir.path().join("nowhere.pem");
    let err = ClusterTls::load(&missing).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::File {
                what: "CLUSTER_TLS_CERT",
                ..
            }
        ),
        "{err}"
    );

    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let mut not_pem = files.tls();
    not_pem.ca = garbage.clone();
    let err = ClusterTls::load(&not_pem).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::File {
                what: "CLUSTER_TLS_CA",
                ..
            }
        ),
        "{err}"
    );
    let mut no_key = files.tls();
    no_key.key = garbage;
    let err = ClusterTls::load(&no_key).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::File {
                what: "CLUSTER_TLS_KEY",
                ..
            }
        ),
        "{err}"
    );

    // Another node's key with this node's certificate.
    let other = ca.node_files(dir.path(), "b", DEFAULT_TLS_SERVER_NAME);
    let mut mismatched = files.tls();
    mismatched.key = other.tls().key;
    let err = ClusterTls::load(&mismatched).unwrap_err();
    assert!(matches!(err, TlsError::Setup(_)), "{err}");
}
