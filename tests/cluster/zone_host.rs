//! The zone host runs one engine per owned zone: started as the keeper
//! hands zones over, counted as running while starting, shut down when the
//! zone moves away, retried when its start fails.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use foodiefast::cluster::keeper::Owned;
use foodiefast::cluster::zone_host::{EngineFactory, ZoneHost};
use foodiefast_actors::clock::Clock;
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_actors::{Engine, EngineError};
use foodiefast_geo::Seconds;
use tokio::sync::watch;

/// Engines on an in-memory store; the first start of `flaky` fails.
fn factory(starts: Arc<AtomicUsize>) -> EngineFactory {
    Arc::new(move |zone: String| {
        let starts = starts.clone();
        Box::pin(async move {
            if zone == "zone/flaky" && starts.fetch_add(1, Ordering::SeqCst) == 0 {
                return Err(EngineError::Startup("the first start of a flaky zone"));
            }
            Engine::builder(
                Arc::new(MemoryStore::new(0)),
                Clock::starting_at(Seconds(0)),
            )
            .start()
            .await
        })
    })
}

async fn until(running: &mut watch::Receiver<BTreeSet<String>>, want: &[&str]) {
    let want: BTreeSet<String> = want.iter().map(|z| (*z).to_owned()).collect();
    let waited = tokio::time::timeout(Duration::from_secs(10), running.wait_for(|r| *r == want))
        .await
        .map(|seen| seen.map(drop));
    assert!(
        matches!(waited, Ok(Ok(()))),
        "running never became {want:?}: {:?}",
        *running.borrow()
    );
}

#[tokio::test]
async fn engines_follow_the_zones_owned_and_a_failed_start_is_retried() {
    let (owned_tx, owned) = watch::channel(Owned::new());
    let starts = Arc::new(AtomicUsize::new(0));
    let host = ZoneHost::start(owned, factory(starts.clone()));
    let mut running = host.running();

    owned_tx.send_replace(Owned::from([
        ("zone/a".to_owned(), 1),
        ("zone/b".to_owned(), 1),
    ]));
    until(&mut running, &["zone/a", "zone/b"]).await;
    let a = host.engine("zone/a").expect("zone/a runs");
    assert!(a.is_healthy());
    assert!(host.engine("zone/c").is_none());

    owned_tx.send_replace(Owned::from([
        ("zone/b".to_owned(), 1),
        ("zone/flaky".to_owned(), 3),
    ]));
    until(&mut running, &["zone/b", "zone/flaky"]).await;
    assert!(host.engine("zone/a").is_none(), "zone/a moved away");
    assert!(!a.is_healthy(), "zone/a's engine was shut down");
    assert_eq!(
        starts.load(Ordering::SeqCst),
        2,
        "zone/flaky failed once, then started"
    );
    assert_eq!(
        host.engines()
            .into_iter()
            .map(|(z, _)| z)
            .collect::<Vec<_>>(),
        ["zone/b", "zone/flaky"]
    );

    let b = host.engine("zone/b").unwrap();
    host.stop().await;
    assert!(!b.is_healthy(), "stopping the host stops its engines");
}
