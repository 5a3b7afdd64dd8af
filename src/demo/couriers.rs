//! Simulated couriers: online at their base, they accept most offers
//! after a few seconds (declining some, as people do), ride in straight
//! lines at a bike's pace to the kitchen and on to each customer, sending
//! their position every two seconds, wait for the food, and hand each
//! order over with the PIN its customer gave. Between trips they cruise
//! around their base, so the operations map is never still.

use std::time::Duration;

use foodiefast_geo::LatLng;
use reqwest::Method;
use serde_json::{Value, json};

use super::Pins;
use super::city::{DemoCourier, metres_between, position, scatter};
use super::client::{Client, DemoError, Sender, field};
use crate::replay::synthetic::Random;

/// A bike's pace, metres a second (about 18 km/h).
const RIDE_SPEED: f64 = 5.0;
/// Cruising between trips is slower.
const CRUISE_SPEED: f64 = 2.0;
/// How often a position is sent.
const STEP: Duration = Duration::from_secs(2);
/// How far from its base a courier cruises, metres.
const CRUISE_RADIUS_M: f64 = 1_200.0;
/// Share of offers declined.
const DECLINE_ONE_IN: u64 = 10;

/// What the courier does next, from its status and trip.
#[derive(Debug, Clone, PartialEq)]
enum Errand {
    /// Cruise to a point near the base.
    Cruise(LatLng),
    /// Ride to the kitchen.
    ToKitchen(LatLng),
    /// At the kitchen: pick up once the food is ready.
    Wait,
    /// Ride to the customer of `order`.
    ToCustomer { order: u64, at: LatLng },
}

/// Runs `courier` until the process ends (reconnecting on failure).
pub async fn run(client: Client, courier: DemoCourier, pins: Pins, seed: u64) {
    let mut rng = Random(seed);
    let mut at = courier.base;
    loop {
        if let Err(err) = shift(&client, &courier, &pins, &mut rng, &mut at).await {
            tracing::debug!(error = %err, "demo courier reconnects");
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

async fn shift(
    client: &Client,
    courier: &DemoCourier,
    pins: &Pins,
    rng: &mut Random,
    at: &mut LatLng,
) -> Result<(), DemoError> {
    let token = courier.token.as_str();
    let online = json!({"position": position(*at)});
    match client
        .call(
            Method::POST,
            "/couriers/me/online",
            Some(token),
            Some(&online),
            None,
        )
        .await
    {
        // Still on a trip from before a restart: carry on with it.
        Err(err) if err.code().as_deref() == Some("illegal_transition") => {}
        other => {
            other?;
        }
    }
    let (mut sender, mut feed) = client.feed("/ws/courier", token).await?;
    let mut errand = next_errand(client, token, courier.base, rng).await?;
    let mut tick = tokio::time::interval(STEP);
    loop {
        tokio::select! {
            message = feed.next() => {
                let Some(message) = message else { return Ok(()) };
                match field(&message, "/type").as_str() {
                    Some("offer") => answer(&mut sender, &message, rng).await?,
                    Some("assigned" | "ack" | "released" | "order_cancelled" | "courier_state") => {
                        errand = next_errand(client, token, courier.base, rng).await?;
                    }
                    _ => {}
                }
            }
            _ = tick.tick() => {
                errand = step(&mut sender, pins, rng, at, errand, courier.base).await?;
            }
        }
    }
}

/// Accepts the offer after a few seconds, or declines one in ten.
async fn answer(sender: &mut Sender, offer: &Value, rng: &mut Random) -> Result<(), DemoError> {
    let Some(id) = field(offer, "/offer_id").as_u64() else {
        return Ok(());
    };
    tokio::time::sleep(Duration::from_secs(1 + rng.next_u64() % 4)).await;
    let choice = if rng.next_u64().is_multiple_of(DECLINE_ONE_IN) {
        "decline"
    } else {
        "accept"
    };
    sender
        .send(json!({"type": "answer", "offer_id": id, "answer": choice}))
        .await
}

/// One two-second step of `errand`: move, and act on arrival.
async fn step(
    sender: &mut Sender,
    pins: &Pins,
    rng: &mut Random,
    at: &mut LatLng,
    errand: Errand,
    base: LatLng,
) -> Result<Errand, DemoError> {
    let (goal, speed) = match &errand {
        Errand::Cruise(goal) => (*goal, CRUISE_SPEED),
        Errand::ToKitchen(goal) | Errand::ToCustomer { at: goal, .. } => (*goal, RIDE_SPEED),
        Errand::Wait => {
            // Refused until the food is ready: asked again next step.
            sender.send(json!({"type": "picked_up"})).await?;
            return Ok(errand);
        }
    };
    let arrived = ride(at, goal, speed * STEP.as_secs_f64());
    sender
        .send(json!({"type": "position", "position": position(*at)}))
        .await?;
    if !arrived {
        return Ok(errand);
    }
    Ok(match errand {
        Errand::Cruise(_) => Errand::Cruise(scatter(rng, base, CRUISE_RADIUS_M)),
        Errand::ToKitchen(_) => {
            sender.send(json!({"type": "arrived"})).await?;
            Errand::Wait
        }
        Errand::ToCustomer { order, .. } => {
            let pin = pins
                .lock()
                .ok()
                .and_then(|p| p.get(&order).map(|o| o.pin.clone()));
            sender
                .send(json!({"type": "delivered", "order_id": order, "pin": pin}))
                .await?;
            // The ack brings the next errand; until then, stay put.
            Errand::Wait
        }
        Errand::Wait => Errand::Wait,
    })
}

/// Moves `at` up to `metres` towards `goal`; whether it got there.
fn ride(at: &mut LatLng, goal: LatLng, metres: f64) -> bool {
    let distance = metres_between(*at, goal);
    if distance <= metres {
        *at = goal;
        return true;
    }
    let f = metres / distance;
    let lat = at.lat() + (goal.lat() - at.lat()) * f;
    let lng = at.lng() + (goal.lng() - at.lng()) * f;
    if let Ok(next) = LatLng::new(lat, lng) {
        *at = next;
    }
    false
}

/// What to do now, from the courier's trip.
async fn next_errand(
    client: &Client,
    token: &str,
    base: LatLng,
    rng: &mut Random,
) -> Result<Errand, DemoError> {
    let trip = client
        .call(Method::GET, "/couriers/me/trip", Some(token), None, None)
        .await?;
    let first = field(&trip, "/stops/0");
    let place = |key: &str| {
        LatLng::new(
            field(first, &format!("/{key}/lat")).as_f64()?,
            field(first, &format!("/{key}/lng")).as_f64()?,
        )
        .ok()
    };
    Ok(
        match (
            field(&trip, "/status").as_str(),
            field(first, "/order_id").as_u64(),
        ) {
            (Some("heading_to_pickup"), Some(_)) => {
                place("pickup").map_or(Errand::Wait, Errand::ToKitchen)
            }
            (Some("waiting_at_restaurant"), Some(_)) => Errand::Wait,
            (Some("delivering"), Some(order)) => {
                place("drop_off").map_or(Errand::Wait, |at| Errand::ToCustomer { order, at })
            }
            _ => Errand::Cruise(scatter(rng, base, CRUISE_RADIUS_M)),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ride_moves_its_speed_and_stops_at_the_goal() {
        let mut at = LatLng::new(52.52, 13.40).unwrap();
        let goal = super::super::city::offset(at, 0.0, 25.0);
        assert!(!ride(&mut at, goal, 10.0));
        assert!((metres_between(at, goal) - 15.0).abs() < 0.1);
        assert!(!ride(&mut at, goal, 10.0));
        assert!(ride(&mut at, goal, 10.0));
        assert_eq!(at, goal);
    }
}
