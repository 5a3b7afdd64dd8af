//! `/ws/courier`: a courier's app. In: positions, answers to offers and
//! the trip's steps (arrived, picked up, delivered). Out: offers, their
//! end, confirmed assignments, cancellations and released orders.
//!
//! The courier is the token's subject: an app acts only for itself. The
//! feed starts with a `courier_state` snapshot (status and orders held):
//! the courier topic carries no event ids, so a reconnecting app starts
//! again from that snapshot rather than from a `last_event_id`. The
//! subscription starts before the snapshot is read, so nothing falls
//! between. A refused command gets an `error` frame and changes nothing.

use std::sync::Arc;

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use foodiefast_actors::domain::courier::OfferAnswer;
use foodiefast_actors::tracking::{CourierUpdate, Topic, Update};
use foodiefast_geo::{CourierId, LocalProjection, OrderId};

use super::messages::{ClientMsg, OfferChoice, ServerMsg};
use super::session::{self, Commands, Feed, Step};
use super::upgrade::{WsParams, check_origin, configure, principal};
use crate::gateway::auth::{Authed, Courier};
use crate::gateway::delivery_pin::PinRefusal;
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::Query;
use crate::gateway::position::Position;
use crate::gateway::routes::couriers::courier_out;
use crate::gateway::state::AppState;

/// A courier's app connection.
#[utoipa::path(get, path = "/ws/courier", tag = "live", params(WsParams),
    responses(
        (status = 101, description = "WebSocket: see docs/protocol.md"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not a courier, or origin not allowed", body = ErrorBody),
        (status = 426, description = "Not a WebSocket upgrade", body = ErrorBody),
    ))]
pub(crate) async fn courier_feed(
    State(state): State<AppState>,
    Query(params): Query<WsParams>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    check_origin(&state, &headers)?;
    let courier = Authed::<Courier>::admit(principal(&state, &headers, &params)?)?;
    let upgrade = configure(upgrade, &state.ws)?;
    let id = CourierId(courier.id);
    let subscription = state.engines.hub().subscribe(Topic::Courier(id));
    let now = courier_out(&state, id).await?;
    let projection = state.projection;
    let feed = Feed {
        backlog: vec![ServerMsg::CourierState {
            status: now.status,
            order_ids: now.order_ids,
        }],
        finished: false,
        subscription,
        translate: Box::new(move |update| match update {
            Update::Courier(update) => app_message(update, &projection),
            // Order and kitchen updates never reach a courier topic.
            Update::Status { .. } | Update::Position { .. } | Update::PickupEta { .. } => {
                Step::Skip
            }
        }),
    };
    let limits = state.ws;
    let commands = CourierCommands {
        state,
        courier: id,
        zone: None,
    };
    Ok(upgrade.on_upgrade(move |socket| session::run(socket, limits, feed, commands)))
}

/// What the app is told of `update`.
fn app_message(update: CourierUpdate, projection: &LocalProjection) -> Step {
    let msg = match update {
        CourierUpdate::Offered(offer) => ServerMsg::Offer {
            offer_id: offer.id,
            order_ids: offer.orders.iter().map(|o| o.0).collect(),
            pickup: Position::of_point(offer.pickup, projection),
            deadline: offer.deadline.0,
        },
        CourierUpdate::OfferEnded { offer, answer } => ServerMsg::OfferEnded {
            offer_id: offer,
            answer: answer_name(answer).to_owned(),
        },
        CourierUpdate::Assigned { order, pickup_eta } => ServerMsg::Assigned {
            order_id: order.0,
            pickup_eta: pickup_eta.0,
        },
        CourierUpdate::OrderCancelled(order) => ServerMsg::OrderCancelled { order_id: order.0 },
        CourierUpdate::Released(orders) => ServerMsg::Released {
            order_ids: orders.iter().map(|o| o.0).collect(),
        },
        CourierUpdate::Reposition(to) => ServerMsg::Reposition {
            kitchen_id: to.restaurant.0,
            to: Position::of_point(to.to, projection),
            arrive_by: to.arrive_by.0,
        },
    };
    Step::Send(msg)
}

const fn answer_name(answer: OfferAnswer) -> &'static str {
    match answer {
        OfferAnswer::Accepted => "accepted",
        OfferAnswer::Declined => "declined",
        OfferAnswer::TimedOut => "timed_out",
    }
}

/// Carries out one courier's commands through the engine of its shift's
/// zone (looked up once, and again after a refusal: a new shift may run
/// in another zone).
struct CourierCommands {
    state: AppState,
    courier: CourierId,
    zone: Option<Arc<str>>,
}

impl Commands for CourierCommands {
    async fn handle(&mut self, command: ClientMsg) -> Option<ServerMsg> {
        if let ClientMsg::Ping { .. } = command {
            return Some(ServerMsg::Pong);
        }
        let zone = match self.zone().await {
            Ok(zone) => zone,
            Err(err) => return Some(refusal(&err)),
        };
        let engines = &self.state.engines;
        let id = self.courier;
        let (action, done): (&str, Result<(), ApiError>) = match command {
            ClientMsg::Ping { .. } => return Some(ServerMsg::Pong),
            // The hot path: no reply unless refused.
            ClientMsg::Position { position, .. } => {
                let refused = match position.to_point(&self.state.projection) {
                    Ok(at) => {
                        let refused = engines.courier_position(&zone, id, at).await.err();
                        if refused.is_none() {
                            self.state.live().board.moved(id, at);
                        }
                        refused
                    }
                    Err(err) => Some(err),
                };
                return refused.map(|err| self.refused(&err));
            }
            ClientMsg::Answer {
                offer_id, answer, ..
            } => {
                let answer = match answer {
                    OfferChoice::Accept => OfferAnswer::Accepted,
                    OfferChoice::Decline => OfferAnswer::Declined,
                };
                (
                    "answer",
                    engines.answer_offer(&zone, id, offer_id, answer).await,
                )
            }
            ClientMsg::Arrived { .. } => ("arrived", engines.courier_arrived(&zone, id).await),
            ClientMsg::PickedUp { .. } => (
                "picked_up",
                engines.courier_picked_up(&zone, id).await.map(|_views| ()),
            ),
            ClientMsg::Delivered { order_id, pin, .. } => {
                if let Some(refused) = self
                    .pin_refusal(&zone, OrderId(order_id), pin.as_deref())
                    .await
                {
                    return Some(refused);
                }
                (
                    "delivered",
                    engines
                        .courier_delivered(&zone, id, OrderId(order_id))
                        .await
                        .map(|_view| ()),
                )
            }
        };
        if let Err(err) = done {
            return Some(self.refused(&err));
        }
        Some(match courier_out(&self.state, id).await {
            Ok(now) => ServerMsg::Ack {
                action: action.to_owned(),
                status: now.status,
                order_ids: now.order_ids,
            },
            Err(err) => refusal(&err),
        })
    }
}

impl CourierCommands {
    /// The zone of the courier's shift (a courier that never went online
    /// is refused as not online).
    async fn zone(&mut self) -> Result<Arc<str>, ApiError> {
        if let Some(zone) = &self.zone {
            return Ok(zone.clone());
        }
        let zone: Arc<str> = self
            .state
            .engines
            .courier_zone(self.courier)
            .await?
            .ok_or(ApiError::NotOnline)?
            .into();
        self.zone = Some(zone.clone());
        Ok(zone)
    }

    /// The error frame for a refused command; the zone is looked up again
    /// for the next one, in case the courier's shift moved.
    fn refused(&mut self, err: &ApiError) -> ServerMsg {
        self.zone = None;
        refusal(err)
    }

    /// The error frame refusing a delivery of `order` with `pin`, if the
    /// courier holds the order and the PIN is not its own (an order the
    /// courier does not hold is left to the engine, which refuses it).
    async fn pin_refusal(
        &self,
        zone: &str,
        order: OrderId,
        pin: Option<&str>,
    ) -> Option<ServerMsg> {
        let held = self
            .state
            .engines
            .courier_orders(zone, self.courier)
            .await
            .ok()?;
        if !held.contains(&order) {
            return None;
        }
        let (code, message) =
            match self
                .state
                .live()
                .pin_attempts
                .check(&self.state.tokens, order, pin)
            {
                Ok(()) => return None,
                Err(PinRefusal::Missing) => (
                    "pin_required",
                    "a delivery needs the PIN the customer shows in their order",
                ),
                Err(PinRefusal::Wrong) => (
                    "wrong_pin",
                    "that is not this order's delivery PIN; ask the customer again",
                ),
                Err(PinRefusal::Locked) => (
                    "too_many_attempts",
                    "too many wrong PINs for this order: wait ten minutes or contact support",
                ),
            };
        Some(ServerMsg::Error {
            code: code.to_owned(),
            message: message.to_owned(),
        })
    }
}

/// The error frame for a refused command (its REST error's code and message).
fn refusal(err: &ApiError) -> ServerMsg {
    if let ApiError::Internal(cause) = err {
        tracing::error!(cause = %cause, "courier command failed");
    }
    let body = err.body();
    ServerMsg::Error {
        code: body.code,
        message: body.message,
    }
}

#[cfg(test)]
mod tests {
    use foodiefast_actors::domain::courier::Reposition;
    use foodiefast_geo::{LatLng, Point, RestaurantId, Seconds};

    use super::*;

    #[test]
    fn a_move_reaches_the_app_as_a_reposition_message() {
        let projection = LocalProjection::new(LatLng::new(52.52, 13.405).unwrap()).unwrap();
        let update = CourierUpdate::Reposition(Reposition {
            restaurant: RestaurantId(3),
            to: Point::new(0.0, 0.0).unwrap(),
            arrive_by: Seconds(1_700_000_000),
        });
        let Step::Send(msg) = app_message(update, &projection) else {
            panic!("a move is always sent");
        };
        let value: serde_json::Value = serde_json::from_str(&msg.to_text()).unwrap();
        assert_eq!(value["v"], 1);
        assert_eq!(value["type"], "reposition");
        assert_eq!(value["kitchen_id"], 3);
        assert_eq!(value["arrive_by"], 1_700_000_000);
        assert!((value["to"]["lat"].as_f64().unwrap() - 52.52).abs() < 1e-9);
        assert!((value["to"]["lng"].as_f64().unwrap() - 13.405).abs() < 1e-9);
    }
}
