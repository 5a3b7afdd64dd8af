//! One courier's app on `/ws/courier`: accepts whatever it is offered,
//! reports the orders assigned to it, and once the run streams, sends its
//! position at the run's rate, each frame a point of its probe grid
//! ([`super::probe`]) with the send time recorded.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, Interval, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;

use super::probe::{LatLngDegrees, SLOTS, encode};
use super::socket::{Phase, Shared, Socket};
use super::tally::Tally;

/// One courier's part in the run.
#[derive(Debug, Clone)]
pub struct CourierPlan {
    /// Its index in the run.
    pub index: usize,
    /// Its row in this process's send times.
    pub row: usize,
    /// Its probe grid's origin.
    pub origin: LatLngDegrees,
    /// Time between positions.
    pub interval: Duration,
    /// Offset of its first position, spreading couriers over the interval.
    pub offset: Duration,
}

/// The parts of a server message a courier app reads.
#[derive(Debug, Deserialize)]
struct Incoming {
    #[serde(rename = "type")]
    kind: String,
    offer_id: Option<u64>,
    order_id: Option<u64>,
    code: Option<String>,
    message: Option<String>,
}

/// Runs the courier's connection until the run stops or the socket ends.
/// Assigned orders go to `assigned` as `(order, courier index)`.
pub async fn run(
    mut ws: Socket,
    plan: CourierPlan,
    shared: Arc<Shared>,
    mut phase: watch::Receiver<Phase>,
    assigned: mpsc::UnboundedSender<(u64, usize)>,
) {
    let mut ticker: Option<Interval> = None;
    let mut seq: u64 = 0;
    let tally = &shared.tally;
    loop {
        tokio::select! {
            changed = phase.changed() => {
                if changed.is_err() {
                    break;
                }
                match *phase.borrow_and_update() {
                    Phase::Provisioning => {}
                    Phase::Streaming => ticker = Some(ticker_for(&plan)),
                    Phase::Stopping => break,
                }
            }
            () = tick(&mut ticker) => {
                let at = encode(plan.origin, seq);
                shared.times.sent(plan.row, (seq % SLOTS as u64) as usize);
                seq += 1;
                let frame = format!(
                    r#"{{"v":1,"type":"position","position":{{"lat":{},"lng":{}}}}}"#,
                    at.lat, at.lng
                );
                if let Err(err) = ws.send(Message::text(frame)).await {
                    tally.error(|| format!("courier {}: send failed: {err}", plan.index));
                    return;
                }
                tally.sent();
            }
            incoming = ws.next() => {
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(frame))) => {
                        if !tally.stopping() {
                            tally.error(|| format!("courier {}: closed by the server: {frame:?}", plan.index));
                        }
                        return;
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(err)) => {
                        if !tally.stopping() {
                            tally.error(|| format!("courier {}: {err}", plan.index));
                        }
                        return;
                    }
                    None => {
                        if !tally.stopping() {
                            tally.error(|| format!("courier {}: connection ended", plan.index));
                        }
                        return;
                    }
                };
                if let Some(reply) = answer(text.as_str(), &plan, tally, &assigned)
                    && let Err(err) = ws.send(Message::text(reply)).await
                {
                    tally.error(|| format!("courier {}: send failed: {err}", plan.index));
                    return;
                }
            }
        }
    }
    let _ = ws.close(None).await;
}

/// What the app does with one server message: the frame to answer with.
fn answer(
    text: &str,
    plan: &CourierPlan,
    tally: &Tally,
    assigned: &mpsc::UnboundedSender<(u64, usize)>,
) -> Option<String> {
    let Ok(msg) = serde_json::from_str::<Incoming>(text) else {
        tally.error(|| format!("courier {}: unreadable message {text}", plan.index));
        return None;
    };
    match (msg.kind.as_str(), msg.offer_id, msg.order_id) {
        ("offer", Some(offer), _) => Some(format!(
            r#"{{"v":1,"type":"answer","offer_id":{offer},"answer":"accept"}}"#
        )),
        ("assigned", _, Some(order)) => {
            let _ = assigned.send((order, plan.index));
            None
        }
        ("error", _, _) => {
            if tally.measuring() {
                tally.refused();
            } else {
                tally.error(|| {
                    format!(
                        "courier {}: refused: {} {}",
                        plan.index,
                        msg.code.unwrap_or_default(),
                        msg.message.unwrap_or_default()
                    )
                });
            }
            None
        }
        _ => None,
    }
}

fn ticker_for(plan: &CourierPlan) -> Interval {
    let mut ticker = tokio::time::interval_at(Instant::now() + plan.offset, plan.interval);
    // A load generator that falls behind sends less rather than in bursts:
    // the report shows the rate really sent.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    ticker
}

async fn tick(ticker: &mut Option<Interval>) {
    match ticker {
        Some(ticker) => {
            ticker.tick().await;
        }
        None => std::future::pending().await,
    }
}
