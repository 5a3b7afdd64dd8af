//! A zone owner answering other nodes' requests: applied once per request
//! id, refused for zones it does not run, clear errors for bad requests.

use std::sync::Arc;
use std::time::Duration;

use foodiefast::cluster::calls::{Answer, Call, Request, ZoneDoorHandler};
use foodiefast::cluster::door::CallHandler;
use foodiefast::cluster::keeper::Owned;
use foodiefast::cluster::zone_host::ZoneHost;
use foodiefast_actors::domain::order::{CancelReason, OrderCommand};
use foodiefast_geo::{OrderId, Point};
use tokio::sync::watch;

use crate::fixtures::{details, memory_engines};

async fn owner_of_zone_a() -> (ZoneHost, watch::Sender<Owned>) {
    let factory = memory_engines();
    let (owned_tx, owned) = watch::channel(Owned::from([("zone/a".to_owned(), 1)]));
    let host = ZoneHost::start(owned, factory);
    let mut running = host.running();
    tokio::time::timeout(
        Duration::from_secs(10),
        running.wait_for(|r| r.contains("zone/a")),
    )
    .await
    .unwrap()
    .unwrap();
    (host, owned_tx)
}

fn request(id: &str, zone: &str, call: Call) -> Request {
    Request {
        id: id.to_owned(),
        zone: zone.to_owned(),
        call,
    }
}

#[tokio::test]
async fn a_repeated_request_is_answered_again_not_applied_again() {
    let (host, _owned) = owner_of_zone_a().await;
    let handler = ZoneDoorHandler::new(Arc::new(host));
    let place = Call::PlaceOrder {
        details: details(7),
        payment_method: None,
    };
    let first = handler.answer(request("r1", "zone/a", place.clone())).await;
    let Answer::Order(view) = &first else {
        panic!("placed: {first:?}");
    };
    assert_eq!(view.id, OrderId(7));
    assert_eq!(
        handler.answer(request("r1", "zone/a", place.clone())).await,
        first,
        "the same id: the same answer"
    );
    // A retry under another id (as after a failover, with no memory of the
    // first answer): the log holds the placement, so the order is answered
    // as it stands and not placed twice.
    let again = handler.answer(request("r2", "zone/a", place)).await;
    assert!(
        matches!(&again, Answer::Order(v) if v.id == OrderId(7) && v.version == view.version),
        "{again:?}"
    );
    let mut other = details(7);
    other.drop_off = Point::new(50.0, 50.0).unwrap();
    let clash = Call::PlaceOrder {
        details: other,
        payment_method: None,
    };
    let refused = handler.answer(request("r2b", "zone/a", clash)).await;
    assert!(
        matches!(&refused, Answer::Failed { status: 409, code, .. } if code == "order_exists"),
        "{refused:?}"
    );

    let cancel = Call::Command {
        order: OrderId(7),
        command: OrderCommand::Cancel {
            reason: CancelReason::Customer,
        },
    };
    let cancelled = handler
        .answer(request("r3", "zone/a", cancel.clone()))
        .await;
    assert!(matches!(cancelled, Answer::Order(_)), "{cancelled:?}");
    assert_eq!(
        handler.answer(request("r3", "zone/a", cancel)).await,
        cancelled
    );
}

#[tokio::test]
async fn requests_for_other_zones_unknown_orders_and_garbage_get_clear_answers() {
    let (host, _owned) = owner_of_zone_a().await;
    let handler = ZoneDoorHandler::new(Arc::new(host));
    let place = Call::PlaceOrder {
        details: details(8),
        payment_method: None,
    };
    assert_eq!(
        handler.answer(request("x1", "zone/b", place)).await,
        Answer::NotOwner
    );
    let unknown = Call::Command {
        order: OrderId(999),
        command: OrderCommand::MarkReady,
    };
    let answer = handler.answer(request("x2", "zone/a", unknown)).await;
    assert!(
        matches!(answer, Answer::Failed { status: 404, .. }),
        "{answer:?}"
    );

    let bytes = handler.handle(b"{\"not\": \"a request\"}".to_vec()).await;
    let answer: Answer = serde_json::from_slice(&bytes).unwrap();
    assert!(
        matches!(answer, Answer::Failed { status: 400, ref code, .. } if code == "malformed_request"),
        "{answer:?}"
    );
}
