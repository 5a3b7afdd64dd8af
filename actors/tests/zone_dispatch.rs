//! Zone dispatchers run by the engine, on paused time: an accepted order is
//! offered to a courier when it is time to leave, an accepted offer becomes
//! the order's assignment, an offer nobody answers goes to another courier;
//! with several zones, each zone's dispatcher matches its own orders, and a
//! courier crossing into another zone is re-homed there.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::sync::Arc;

use foodiefast_actors::clock::Clock;
use foodiefast_actors::domain::courier::{CourierStatus, OfferAnswer};
use foodiefast_actors::domain::order::{OrderCommand, OrderStatus};
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_actors::tracking::{CourierUpdate, Update};
use foodiefast_actors::zoning::{Zone, Zoning};
use foodiefast_actors::{Engine, EngineConfig};
use foodiefast_geo::{CourierId, LatLng, LocalProjection, OrderId, Point, Seconds, ZoneGrid};
use support::{courier_online, order, pt, run_for, settle, start_engine};

/// An engine with couriers online at `positions` (courier ids from 1).
async fn zone(positions: &[f64]) -> Engine {
    let engine = start_engine(Arc::new(MemoryStore::default())).await;
    for (i, &x) in positions.iter().enumerate() {
        courier_online(&engine, i as u64 + 1, pt(x)).await;
    }
    engine
}

/// Places order `id` picked up at `pickup` and has the kitchen accept it,
/// ready at `ready`: the order then asks its zone's dispatcher for a courier.
async fn accepted_order(engine: &Engine, id: u64, pickup: Point, ready: Seconds) {
    let drop_off = Point::new(pickup.x() + 3_200.0, pickup.y()).unwrap();
    engine
        .place_order(order(id, id, pickup, drop_off))
        .await
        .expect("valid");
    for cmd in [
        OrderCommand::AuthorisePayment,
        OrderCommand::SendToChef,
        OrderCommand::Accept { ready_at: ready },
    ] {
        engine.command(OrderId(id), cmd).await.expect("legal");
    }
}

async fn status_of(engine: &Engine, courier: u64) -> CourierStatus {
    engine
        .courier_status(CourierId(courier))
        .await
        .expect("online")
}

async fn answer(engine: &Engine, courier: u64, offer: u64, answer: OfferAnswer) {
    let _ = engine.answer_offer(CourierId(courier), offer, answer).await;
}

#[tokio::test(start_paused = true)]
async fn an_accepted_offer_becomes_the_orders_assignment_when_it_is_time_to_leave() {
    // Courier 1 is 10 minutes from the restaurant; the food is ready at minute 20.
    let z = zone(&[3_200.0]).await;
    accepted_order(&z, 1, pt(0.0), Seconds::from_minutes(20)).await;
    run_for(60).await;
    assert_eq!(
        status_of(&z, 1).await,
        CourierStatus::Idle,
        "no offer while it need not leave"
    );
    // It must set off at minute 8 (pickup at 20, 2 minutes' half service, 10
    // minutes' ride); offers go out five minutes ahead: from minute 3, at the
    // first 10-second tick.
    let mut waited = 60;
    while status_of(&z, 1).await != CourierStatus::Offered {
        run_for(1).await;
        waited += 1;
        assert!(waited <= 300, "never offered");
    }
    assert!((180..=191).contains(&waited), "offered at second {waited}");
    answer(&z, 1, 1, OfferAnswer::Accepted).await;
    run_for(2).await;
    let view = z.view(OrderId(1)).await.expect("stored");
    assert_eq!(view.courier, Some(CourierId(1)));
    assert_eq!(view.status, OrderStatus::Accepted);
    assert_eq!(view.pickup_eta, Some(Seconds::from_minutes(20)));
    let why = z
        .explain(OrderId(1))
        .await
        .expect("readable")
        .expect("a decision");
    assert_eq!(why.chosen.courier, CourierId(1));
    assert!(why.why.contains("only candidate"), "{}", why.why);
}

#[tokio::test(start_paused = true)]
async fn an_offer_nobody_answers_goes_to_another_courier() {
    let z = zone(&[500.0, 3_000.0]).await;
    accepted_order(&z, 1, pt(0.0), Seconds::from_minutes(5)).await;
    run_for(2).await;
    assert_eq!(
        status_of(&z, 1).await,
        CourierStatus::Offered,
        "the nearer courier first"
    );
    // Courier 1 never answers; after 30 s its offer lapses and the next round offers courier 2.
    run_for(45).await;
    assert_eq!(status_of(&z, 1).await, CourierStatus::Idle);
    assert_eq!(status_of(&z, 2).await, CourierStatus::Offered);
    answer(&z, 2, 2, OfferAnswer::Accepted).await;
    run_for(2).await;
    assert_eq!(
        z.view(OrderId(1)).await.expect("stored").courier,
        Some(CourierId(2))
    );
}

#[tokio::test(start_paused = true)]
async fn orders_accepted_in_a_rush_share_one_early_round() {
    // Three couriers ten minutes from the restaurant, three orders ready in
    // five minutes, accepted one after another at the same instant: every
    // courier must set off at once, long before the first tick, and one
    // round plans all three orders rather than one round each.
    let z = zone(&[3_200.0, 3_300.0, 3_400.0]).await;
    for id in 1..=3 {
        accepted_order(&z, id, pt(0.0), Seconds::from_minutes(5)).await;
    }
    run_for(1).await;
    for courier in 1..=3 {
        assert_eq!(status_of(&z, courier).await, CourierStatus::Offered);
    }
    let loads = z.zone_loads().await;
    let rounds: u64 = loads.iter().map(|(_, load)| load.rounds_planned).sum();
    assert_eq!(rounds, 1, "one early round for the rush");
}

/// A city cut into h3 cells of resolution 7 (about 5 km² each).
fn grid() -> (Zoning, LocalProjection) {
    let centre = LatLng::new(41.88, -87.63).unwrap();
    let projection = LocalProjection::new(centre).unwrap();
    let zoning = Zoning::Grid {
        grid: ZoneGrid::new(7).unwrap(),
        projection,
    };
    (zoning, projection)
}

/// The centre of the zone holding `near`, in the city's planar frame, and the zone.
fn zone_centre(zoning: &Zoning, projection: &LocalProjection, near: Point) -> (Point, Zone) {
    let Zone::Cell(cell) = zoning.zone_of(near) else {
        panic!("a grid gives cells");
    };
    (projection.to_point(cell.centre()), Zone::Cell(cell))
}

fn east(p: Point, metres: f64) -> Point {
    Point::new(p.x() + metres, p.y()).unwrap()
}

#[tokio::test(start_paused = true)]
async fn an_order_waits_for_a_scheduled_courier_starting_next_door() {
    // Courier 1 is 37 minutes away; courier 2 starts at minute 10 next to
    // the restaurant, whose food is ready at minute 15.
    let z = zone(&[11_700.0]).await;
    z.courier_scheduled(
        CourierId(2),
        pt(100.0),
        Seconds::from_minutes(10),
        Seconds::from_minutes(300),
    )
    .expect("a valid shift");
    accepted_order(&z, 1, pt(0.0), Seconds::from_minutes(15)).await;
    run_for(9 * 60).await;
    assert_eq!(
        status_of(&z, 1).await,
        CourierStatus::Idle,
        "the far courier is not sent"
    );
    courier_online(&z, 2, pt(100.0)).await;
    run_for(20).await;
    assert_eq!(status_of(&z, 2).await, CourierStatus::Offered);
    assert!(
        z.courier_scheduled(CourierId(3), pt(0.0), Seconds(600), Seconds(600))
            .is_err(),
        "a shift must end after it starts"
    );
}

async fn city_of_zones() -> (Engine, [(Point, Zone); 2]) {
    let (zoning, projection) = grid();
    let a = zone_centre(&zoning, &projection, pt(0.0));
    let b = zone_centre(&zoning, &projection, pt(20_000.0));
    assert_ne!(a.1, b.1);
    let store = Arc::new(MemoryStore::default());
    let engine = Engine::builder(store, Clock::starting_at(Seconds(0)))
        .config(EngineConfig::default())
        .zoning(zoning)
        .zones([a.1])
        .start()
        .await
        .expect("starts");
    (engine, [a, b])
}

#[tokio::test(start_paused = true)]
async fn each_zone_matches_its_own_orders_with_its_own_couriers() {
    let (engine, [(a, zone_a), (b, zone_b)]) = city_of_zones().await;
    assert_eq!(
        engine.zone_loads().await.len(),
        1,
        "zone a started with the engine"
    );
    courier_online(&engine, 1, east(a, 100.0)).await;
    courier_online(&engine, 2, east(b, 100.0)).await;
    let feed_a = engine.courier_feed(CourierId(1));
    let feed_b = engine.courier_feed(CourierId(2));
    accepted_order(&engine, 1, a, Seconds::from_minutes(3)).await;
    accepted_order(&engine, 2, b, Seconds::from_minutes(3)).await;
    run_for(2).await;
    let offered = |feed: &foodiefast_actors::tracking::Subscription| match feed.try_recv() {
        Some(Ok(Update::Courier(CourierUpdate::Offered(offer)))) => offer.orders,
        other => panic!("expected an offer, got {other:?}"),
    };
    assert_eq!(
        offered(&feed_a),
        vec![OrderId(1)],
        "zone a's order to zone a's courier"
    );
    assert_eq!(
        offered(&feed_b),
        vec![OrderId(2)],
        "zone b's order to zone b's courier"
    );
    let loads = engine.zone_loads().await;
    let zones: Vec<Zone> = loads.iter().map(|(z, _)| *z).collect();
    let mut expected = vec![zone_a, zone_b];
    expected.sort();
    assert_eq!(zones, expected, "zone b's dispatcher started on demand");
    assert!(
        loads
            .iter()
            .all(|(_, l)| l.open_offers == 1 && l.waiting == 0)
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_idle_courier_crossing_into_another_zone_is_rehomed_there() {
    let (engine, [(a, zone_a), (b, zone_b)]) = city_of_zones().await;
    courier_online(&engine, 1, east(a, 100.0)).await;
    settle().await;
    let available = |loads: &[(Zone, foodiefast_actors::dispatch::ZoneLoad)], zone| {
        loads
            .iter()
            .find(|(z, _)| *z == zone)
            .map_or(0, |(_, l)| l.available)
    };
    let loads = engine.zone_loads().await;
    assert_eq!(available(&loads, zone_a), 1);
    // The courier rides across town into zone b.
    engine
        .courier_position(CourierId(1), east(b, 50.0))
        .expect("online");
    settle().await;
    let loads = engine.zone_loads().await;
    assert_eq!(available(&loads, zone_a), 0, "zone a forgot it");
    assert_eq!(available(&loads, zone_b), 1, "zone b knows it");
    // An order in zone b now goes to it.
    accepted_order(&engine, 1, b, Seconds::from_minutes(3)).await;
    run_for(2).await;
    assert_eq!(
        engine.courier_status(CourierId(1)).await.unwrap(),
        CourierStatus::Offered
    );
    engine.shutdown().await;
}
