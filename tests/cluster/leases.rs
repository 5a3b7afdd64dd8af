//! The lease table's rules, on a fresh PostgreSQL database per case.

use std::time::Duration;

use foodiefast::store::leases::LeaseTable;

use crate::harness::{Backend, run};

async fn table(db: &crate::harness::TestDb) -> LeaseTable {
    db.open()
        .await
        .lease_table()
        .expect("PostgreSQL has a lease table")
}

const LONG: Duration = Duration::from_secs(30);
const SHORT: Duration = Duration::from_millis(300);

#[tokio::test]
async fn one_owner_at_a_time_and_a_new_owner_gets_a_new_epoch() {
    run(Backend::Postgres, |db| async move {
        let leases = table(&db).await;
        assert_eq!(leases.acquire("zone/a", "n1", LONG).await.unwrap(), Some(1));
        assert_eq!(
            leases.acquire("zone/a", "n2", LONG).await.unwrap(),
            None,
            "held by n1"
        );
        assert_eq!(
            leases.acquire("zone/a", "n1", LONG).await.unwrap(),
            Some(1),
            "its owner taking it again keeps the epoch"
        );
        assert!(leases.renew("zone/a", "n1", 1, LONG).await.unwrap());
        assert!(
            !leases.renew("zone/a", "n2", 1, LONG).await.unwrap(),
            "not n2's to renew"
        );
        leases.release("zone/a", "n1", 1).await.unwrap();
        assert!(
            !leases.renew("zone/a", "n1", 1, LONG).await.unwrap(),
            "released"
        );
        assert_eq!(leases.acquire("zone/a", "n2", LONG).await.unwrap(), Some(2));
        let rows = leases.leases().await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].owner.as_str(), rows[0].epoch, rows[0].live),
            ("n2", 2, true)
        );
    })
    .await;
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_and_its_former_owner_cannot_renew_it() {
    run(Backend::Postgres, |db| async move {
        let leases = table(&db).await;
        assert_eq!(
            leases.acquire("zone/b", "n1", SHORT).await.unwrap(),
            Some(1)
        );
        tokio::time::sleep(SHORT * 2).await;
        assert_eq!(leases.acquire("zone/b", "n2", LONG).await.unwrap(), Some(2));
        assert!(!leases.renew("zone/b", "n1", 1, LONG).await.unwrap());
        assert_eq!(
            leases.acquire("zone/b", "n1", LONG).await.unwrap(),
            None,
            "n2 holds it now"
        );
    })
    .await;
}

#[tokio::test]
async fn membership_follows_announcements_and_a_departure_frees_its_leases() {
    run(Backend::Postgres, |db| async move {
        let leases = table(&db).await;
        leases.announce("n1", "10.0.0.1:4700").await.unwrap();
        leases.announce("n2", "10.0.0.2:4700").await.unwrap();
        let names = |nodes: Vec<foodiefast::store::leases::LiveNode>| {
            nodes.into_iter().map(|n| n.node).collect::<Vec<_>>()
        };
        assert_eq!(names(leases.live_nodes(LONG).await.unwrap()), ["n1", "n2"]);
        tokio::time::sleep(SHORT * 2).await;
        leases.announce("n2", "10.0.0.2:4700").await.unwrap();
        assert_eq!(
            names(leases.live_nodes(SHORT).await.unwrap()),
            ["n2"],
            "n1 fell silent"
        );
        assert_eq!(leases.acquire("zone/c", "n2", LONG).await.unwrap(), Some(1));
        leases.depart("n2").await.unwrap();
        assert!(
            leases
                .live_nodes(LONG)
                .await
                .unwrap()
                .iter()
                .all(|n| n.node != "n2")
        );
        assert_eq!(
            leases.acquire("zone/c", "n1", LONG).await.unwrap(),
            Some(2),
            "a departed node's lease is free at once"
        );
    })
    .await;
}
