//! The WebSocket messages, version 1: JSON objects `{"v": 1, "type": ...}`
//! (documented with examples in `docs/protocol.md`).

use foodiefast_actors::domain::order::{OrderEvent, RejectReason};
use foodiefast_geo::OrderId;
use serde::{Deserialize, Serialize};

use crate::gateway::position::Position;
use crate::gateway::routes::kitchen_queue::{AwaitingOut, CookingOut};

/// The protocol version every message carries.
pub const VERSION: u8 = 1;

/// What the server sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// Where an order stands when tracking starts without `last_event_id`.
    Snapshot {
        /// The order.
        order_id: u64,
        /// Its status.
        status: String,
        /// Its latest event id: resume after it.
        event_id: u64,
        /// Whether a courier is on the way or carrying it.
        courier_assigned: bool,
    },
    /// Chef feed only, first message when no `last_event_id` was given:
    /// the kitchen's latest event id and its queue.
    KitchenSnapshot {
        /// The kitchen.
        kitchen_id: u64,
        /// The kitchen feed's latest event id: resume after it.
        event_id: u64,
        /// Whether it takes new orders.
        open: bool,
        /// Busy mode's end, Unix seconds, while it holds.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        busy_until: Option<i64>,
        /// Orders waiting for the chef's answer, with their deadlines.
        awaiting: Vec<AwaitingOut>,
        /// Orders cooking, with their ready estimates.
        cooking: Vec<CookingOut>,
    },
    /// One event of an order's lifecycle, in order, never dropped.
    Status(StatusMsg),
    /// The assigned courier's position (tracking only, between assignment
    /// and delivery).
    Courier {
        /// The order.
        order_id: u64,
        /// Where the courier is.
        position: Position,
        /// Expected arrival, Unix seconds, when known.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        eta: Option<i64>,
    },
    /// Chef feed: when the courier assigned to an order is expected at the
    /// kitchen (sent when the estimate moves, until pickup).
    CourierEta {
        /// The order.
        order_id: u64,
        /// Expected arrival at the kitchen, Unix seconds.
        eta: i64,
    },
    /// Courier feed only, first message: what the courier is doing and the
    /// orders it holds (the courier feed has no event ids: this snapshot is
    /// where a reconnecting app starts again).
    CourierState {
        /// The courier's status (`offline` when not online).
        status: String,
        /// Orders held, in drop-off order.
        order_ids: Vec<u64>,
    },
    /// Courier feed: an offer to answer before its deadline.
    Offer {
        /// Answer with this id.
        offer_id: u64,
        /// The bundle's orders, in drop-off order.
        order_ids: Vec<u64>,
        /// Where the food is picked up.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        pickup: Option<Position>,
        /// When the offer lapses, Unix seconds.
        deadline: i64,
    },
    /// Courier feed: an offer ended (`accepted`, `declined`, `timed_out`).
    OfferEnded {
        /// The offer.
        offer_id: u64,
        /// How it ended.
        answer: String,
    },
    /// Courier feed: the order's log names the courier; the trip is on.
    Assigned {
        /// The order.
        order_id: u64,
        /// The planned pickup, Unix seconds.
        pickup_eta: i64,
    },
    /// Courier feed: an order the courier was to fetch was cancelled.
    OrderCancelled {
        /// The order.
        order_id: u64,
    },
    /// Courier feed: orders taken back from the courier.
    Released {
        /// The orders.
        order_ids: Vec<u64>,
    },
    /// Courier feed: prepositioning, go and wait at this kitchen, where
    /// orders are expected; offers follow once there.
    Reposition {
        /// The kitchen.
        kitchen_id: u64,
        /// Where it is.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        to: Option<Position>,
        /// When the dispatcher expects the courier there, Unix seconds.
        arrive_by: i64,
    },
    /// Courier feed: a command was carried out.
    Ack {
        /// The command's `type` (`answer`, `arrived`, `picked_up`, `delivered`).
        action: String,
        /// The courier's status after it.
        status: String,
        /// Orders held after it.
        order_ids: Vec<u64>,
    },
    /// The answer to a client's `ping`.
    Pong,
    /// A frame the server could not take; the connection stays open.
    Error {
        /// Stable code (`bad_frame`, `unsupported_version`, `rate_limited`).
        code: String,
        /// Explanation.
        message: String,
    },
}

/// One event of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusMsg {
    /// The order.
    pub order_id: u64,
    /// The event's id: on the tracking feed the order's version after it
    /// (1, 2, 3, ... per order); on the chef feed its number in the
    /// kitchen's feed (1, 2, 3, ... per kitchen).
    pub event_id: u64,
    /// What happened (`placed`, `accepted`, `courier_assigned`, ...).
    pub event: String,
    /// The order's status after it, when the event changed the status.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<String>,
    /// When, Unix seconds.
    pub at: i64,
    /// The kitchen's ready estimate (`accepted`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ready_at: Option<i64>,
    /// The courier's planned pickup (`courier_assigned`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pickup_eta: Option<i64>,
    /// Why (`rejected`, `cancelled`, `courier_unassigned`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// What was ordered (`placed`, kitchen feed only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lines: Option<Vec<LineMsg>>,
    /// Total, minor units (`placed`, kitchen feed only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub total_minor: Option<i64>,
}

/// One line of a new order, for the kitchen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineMsg {
    /// The menu item.
    pub item_id: String,
    /// How many.
    pub quantity: u32,
}

/// A server message with its version, as sent.
#[derive(Debug, Serialize)]
pub struct Versioned<'a> {
    /// Always [`VERSION`].
    pub v: u8,
    /// The message.
    #[serde(flatten)]
    pub msg: &'a ServerMsg,
}

/// What a client may send (every message carries `"v": 1`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMsg {
    /// Asks for a `pong` (an application-level liveness check).
    Ping {
        /// Must be 1.
        v: u8,
    },
    /// Courier: where the courier is now.
    Position {
        /// Must be 1.
        v: u8,
        /// The position.
        position: Position,
    },
    /// Courier: the answer to an offer.
    Answer {
        /// Must be 1.
        v: u8,
        /// The offer.
        offer_id: u64,
        /// Take it or not.
        answer: OfferChoice,
    },
    /// Courier: at the restaurant.
    Arrived {
        /// Must be 1.
        v: u8,
    },
    /// Courier: has the food of every order it holds.
    PickedUp {
        /// Must be 1.
        v: u8,
    },
    /// Courier: handed one order over, with the PIN its customer gave.
    Delivered {
        /// Must be 1.
        v: u8,
        /// The order.
        order_id: u64,
        /// The order's delivery PIN (proof of delivery); required for an
        /// order the courier holds.
        #[serde(default)]
        pin: Option<String>,
    },
}

impl ClientMsg {
    /// The protocol version the message carries.
    pub const fn version(&self) -> u8 {
        match self {
            Self::Ping { v }
            | Self::Position { v, .. }
            | Self::Answer { v, .. }
            | Self::Arrived { v }
            | Self::PickedUp { v }
            | Self::Delivered { v, .. } => *v,
        }
    }
}

/// A courier's answer to an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferChoice {
    /// Take the offer.
    Accept,
    /// Leave it to another courier.
    Decline,
}

impl ServerMsg {
    /// The JSON text sent for this message.
    pub fn to_text(&self) -> String {
        serde_json::to_string(&Versioned {
            v: VERSION,
            msg: self,
        })
        .unwrap_or_else(|_| {
            String::from(
                r#"{"v":1,"type":"error","code":"internal","message":"unencodable message"}"#,
            )
        })
    }

    /// An error frame.
    pub fn error(code: &str, message: impl Into<String>) -> Self {
        Self::Error {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// Who reads a status message: the kitchen also sees what was ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The customer tracking the order.
    Customer,
    /// The kitchen preparing it.
    Kitchen,
}

/// The message for `event`, the `event_id`-th of order `order`.
pub fn status_msg(
    order: OrderId,
    event_id: u64,
    event: &OrderEvent,
    audience: Audience,
) -> StatusMsg {
    use OrderEvent as E;
    let mut msg = StatusMsg {
        order_id: order.0,
        event_id,
        event: String::new(),
        status: None,
        at: 0,
        ready_at: None,
        pickup_eta: None,
        reason: None,
        lines: None,
        total_minor: None,
    };
    let (name, status, at) = match event {
        E::Placed { details } => {
            if audience == Audience::Kitchen {
                msg.lines = Some(
                    details
                        .lines
                        .iter()
                        .map(|l| LineMsg {
                            item_id: l.item.clone(),
                            quantity: l.quantity,
                        })
                        .collect(),
                );
                msg.total_minor = Some(details.total_cents);
            }
            ("placed", Some("placed"), details.placed_at)
        }
        // A provider's hold is recorded with the hand-off to the chef, whose
        // message carries the status; one recorded outside the engine is
        // the status change itself.
        E::PaymentAuthorised { at, hold: None } => {
            ("payment_authorised", Some("payment_authorised"), *at)
        }
        E::PaymentAuthorised { at, hold: Some(_) } => ("payment_authorised", None, *at),
        E::PaymentRequested { at, .. } => ("payment_requested", None, *at),
        E::PaymentDeclined { at, message, .. } => {
            msg.reason = Some(format!("payment_declined: {message}"));
            ("payment_declined", Some("rejected"), *at)
        }
        E::PaymentCaptured { at, .. } => ("payment_captured", None, *at),
        E::PaymentVoided { at, .. } => ("payment_voided", None, *at),
        E::RefundRequested { at, .. } => ("refund_requested", None, *at),
        E::PaymentRefunded { at, .. } => ("payment_refunded", None, *at),
        E::PaymentFailed { at, .. } => ("payment_failed", None, *at),
        E::SentToChef { at } => ("sent_to_chef", Some("sent_to_chef"), *at),
        E::Accepted { at, ready_at } => {
            msg.ready_at = Some(ready_at.0);
            ("accepted", Some("accepted"), *at)
        }
        E::Rejected { at, reason } => {
            msg.reason = Some(match reason {
                RejectReason::Declined { note: Some(note) } => format!("declined: {note}"),
                RejectReason::Declined { note: None } => "declined".to_owned(),
                RejectReason::NoAnswer => "no_answer".to_owned(),
                RejectReason::Busy => "busy".to_owned(),
            });
            ("rejected", Some("rejected"), *at)
        }
        E::PreparationStarted { at } => ("preparation_started", Some("preparing"), *at),
        E::Ready { at } => ("ready", Some("ready"), *at),
        E::CourierAssigned { at, pickup_eta, .. } => {
            msg.pickup_eta = Some(pickup_eta.0);
            ("courier_assigned", None, *at)
        }
        E::CourierUnassigned { at, .. } => ("courier_unassigned", None, *at),
        E::PickedUp { at, .. } => ("picked_up", Some("picked_up"), *at),
        E::Delivered { at, .. } => ("delivered", Some("delivered"), *at),
        E::Cancelled { at, reason } => {
            msg.reason = serde_json::to_value(reason)
                .ok()
                .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned));
            ("cancelled", Some("cancelled"), *at)
        }
    };
    name.clone_into(&mut msg.event);
    msg.status = status.map(str::to_owned);
    msg.at = at.0;
    msg
}

#[cfg(test)]
mod tests {
    use foodiefast_geo::Seconds;

    use super::*;

    #[test]
    fn messages_carry_the_version_and_their_type() {
        let text = ServerMsg::Pong.to_text();
        assert_eq!(text, r#"{"v":1,"type":"pong"}"#);
        let status = ServerMsg::Status(status_msg(
            OrderId(7),
            4,
            &OrderEvent::Accepted {
                at: Seconds(100),
                ready_at: Seconds(700),
            },
            Audience::Customer,
        ));
        let value: serde_json::Value = serde_json::from_str(&status.to_text()).unwrap();
        assert_eq!(value["v"], 1);
        assert_eq!(value["type"], "status");
        assert_eq!(value["event"], "accepted");
        assert_eq!(value["status"], "accepted");
        assert_eq!(value["ready_at"], 700);
        assert!(value.get("lines").is_none());
    }

    #[test]
    fn client_messages_are_strict() {
        let ping: ClientMsg = serde_json::from_str(r#"{"v":1,"type":"ping"}"#).unwrap();
        assert_eq!(ping, ClientMsg::Ping { v: 1 });
        let answer: ClientMsg =
            serde_json::from_str(r#"{"v":1,"type":"answer","offer_id":7,"answer":"decline"}"#)
                .unwrap();
        assert_eq!(
            answer,
            ClientMsg::Answer {
                v: 1,
                offer_id: 7,
                answer: OfferChoice::Decline
            }
        );
        for bad in [
            r#"{"v":1,"type":"launch"}"#,
            r#"{"type":"ping"}"#,
            r#"{"v":1,"type":"answer","offer_id":7,"answer":"maybe"}"#,
            r#"{"v":1,"type":"answer","offer_id":-7,"answer":"accept"}"#,
            r#"{"v":1,"type":"position","position":{"lat":1e400,"lng":0}}"#,
            r#"{"v":1,"type":"position","position":{"lat":1,"lng":2,"alt":3}}"#,
            r#"{"v":1,"type":"delivered"}"#,
        ] {
            assert!(serde_json::from_str::<ClientMsg>(bad).is_err(), "{bad}");
        }
    }
}
