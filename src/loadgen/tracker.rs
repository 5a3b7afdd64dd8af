//! One customer tracking its order on `/ws/orders/{id}/track`: every
//! `courier` update is matched to the frame that sent its position
//! ([`super::probe`]) and its latency recorded.

use std::sync::Arc;

use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use super::probe::{LatLngDegrees, decode};
use super::socket::{Phase, Shared, Socket};

/// One tracker's part in the run.
#[derive(Debug, Clone, Copy)]
pub struct TrackerPlan {
    /// Its index (which latency shard it writes).
    pub index: usize,
    /// The row in this process's send times of the courier assigned to its
    /// order, and that courier's probe origin, if any.
    pub courier: Option<(usize, LatLngDegrees)>,
}

#[derive(Debug, Deserialize)]
struct Point {
    lat: f64,
    lng: f64,
}

/// The parts of a tracking message the run reads.
#[derive(Debug, Deserialize)]
struct Incoming {
    #[serde(rename = "type")]
    kind: String,
    position: Option<Point>,
}

/// Runs the tracker's connection until the run stops or the socket ends.
pub async fn run(
    mut ws: Socket,
    plan: TrackerPlan,
    shared: Arc<Shared>,
    mut phase: watch::Receiver<Phase>,
) {
    let tally = &shared.tally;
    loop {
        tokio::select! {
            changed = phase.changed() => {
                if changed.is_err() || *phase.borrow_and_update() == Phase::Stopping {
                    break;
                }
            }
            incoming = ws.next() => {
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(frame))) => {
                        if !tally.stopping() {
                            tally.error(|| format!("tracker {}: closed by the server: {frame:?}", plan.index));
                        }
                        return;
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(err)) => {
                        if !tally.stopping() {
                            tally.error(|| format!("tracker {}: {err}", plan.index));
                        }
                        return;
                    }
                    None => {
                        if !tally.stopping() {
                            tally.error(|| format!("tracker {}: connection ended", plan.index));
                        }
                        return;
                    }
                };
                match serde_json::from_str::<Incoming>(text.as_str()) {
                    Ok(Incoming { kind, position: Some(at) }) if kind == "courier" => {
                        let latency = plan.courier.and_then(|(courier, origin)| {
                            let slot = decode(origin, LatLngDegrees { lat: at.lat, lng: at.lng })?;
                            shared.times.since_sent(courier, slot)
                        });
                        tally.delivered(plan.index, latency);
                    }
                    Ok(Incoming { kind, .. }) if kind == "error" => {
                        tally.error(|| format!("tracker {}: {}", plan.index, text.as_str()));
                    }
                    Ok(_) => {}
                    Err(_) => tally.error(|| format!("tracker {}: unreadable message {}", plan.index, text.as_str())),
                }
            }
        }
    }
    let _ = ws.close(None).await;
}
