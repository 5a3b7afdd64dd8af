//! `/ws/orders/{order_id}/track`: a customer watches their own order.
//!
//! The customer receives every status change and, only while a courier is
//! assigned and the order not finished, the courier's position and its
//! ETA at the door (by the restaurant until it has the food), from the
//! engine's travel model (`foodiefast_actors::eta`).
//! Someone else's order answers the upgrade with 404, like a missing one.
//! Without `last_event_id` the feed starts with a snapshot; with it, every
//! status change after that id is replayed from the event log first. The
//! subscription starts before the log is read, so nothing falls between.

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use foodiefast_actors::clock::Clock;
use foodiefast_actors::domain::order::{Order, OrderEvent, OrderStatus};
use foodiefast_actors::eta::{EtaModel, Leg};
use foodiefast_actors::store::OrderStore;
use foodiefast_actors::tracking::{Topic, Update};
use foodiefast_geo::{LocalProjection, OrderId, Point, Seconds};

use super::messages::{Audience, ServerMsg, status_msg};
use super::session::{self, Feed, ListenOnly, Step};
use super::upgrade::{WsParams, check_origin, configure, principal};
use crate::gateway::auth::{Authed, Customer};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::{Path, Query};
use crate::gateway::position::Position;
use crate::gateway::routes::orders::visible_order;
use crate::gateway::state::AppState;

/// Tracks one's own order live.
#[utoipa::path(get, path = "/ws/orders/{order_id}/track", tag = "live",
    params(("order_id" = u64, Path, description = "The order"), WsParams),
    responses(
        (status = 101, description = "WebSocket: see docs/protocol.md"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not a customer, or origin not allowed", body = ErrorBody),
        (status = 404, description = "No such order, or not yours", body = ErrorBody),
        (status = 426, description = "Not a WebSocket upgrade", body = ErrorBody),
    ))]
pub(crate) async fn track(
    State(state): State<AppState>,
    Path(order_id): Path<u64>,
    Query(params): Query<WsParams>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    check_origin(&state, &headers)?;
    let customer = Authed::<Customer>::admit(principal(&state, &headers, &params)?)?;
    let view = visible_order(&state, customer.0, order_id).await?;
    let upgrade = configure(upgrade, &state.ws)?;
    let subscription = state.engines.hub().subscribe(Topic::Order(view.id));
    let history = state.store.load(view.id).await?;
    let order = Order::from_events(&history).map_err(ApiError::internal)?;
    let details = order.details();
    let mut tracker = Tracker {
        order: view.id,
        sent_up_to: order.version(),
        courier_visible: courier_visible(&order),
        projection: state.projection,
        pickup: details.pickup,
        drop_off: details.drop_off,
        ready_at: order.ready_since().or(order.ready_at()),
        on_board: order.status() == OrderStatus::PickedUp,
        eta: state.engines.eta().clone(),
        clock: state.engines.clock(),
    };
    let backlog = match params.last_event_id {
        None => vec![ServerMsg::Snapshot {
            order_id: view.id.0,
            status: order.status().as_str().to_owned(),
            event_id: order.version(),
            courier_assigned: tracker.courier_visible,
        }],
        Some(after) => (1..)
            .zip(&history)
            .filter(|(version, _)| *version > after)
            .map(|(version, event)| {
                ServerMsg::Status(status_msg(view.id, version, event, Audience::Customer))
            })
            .collect(),
    };
    let feed = Feed {
        backlog,
        finished: order.status().is_terminal(),
        subscription,
        translate: Box::new(move |update| tracker.step(update)),
    };
    let limits = state.ws;
    Ok(upgrade.on_upgrade(move |socket| session::run(socket, limits, feed, ListenOnly)))
}

/// Whether the customer may see the order's courier: assigned, not finished.
fn courier_visible(order: &Order) -> bool {
    order.courier().is_some() && !order.status().is_terminal()
}

/// What one tracking connection has sent and may send, and what its
/// courier's ETA depends on.
struct Tracker {
    order: OrderId,
    sent_up_to: u64,
    courier_visible: bool,
    projection: LocalProjection,
    pickup: Point,
    drop_off: Point,
    /// When the food is (expected) ready.
    ready_at: Option<Seconds>,
    /// Whether the courier has the food.
    on_board: bool,
    eta: EtaModel,
    clock: Clock,
}

impl Tracker {
    fn step(&mut self, update: Update) -> Step {
        match update {
            Update::Status { version, event, .. } => {
                if version <= self.sent_up_to {
                    return Step::Skip;
                }
                self.sent_up_to = version;
                match &event {
                    OrderEvent::CourierAssigned { .. } => self.courier_visible = true,
                    OrderEvent::CourierUnassigned { .. } => self.courier_visible = false,
                    OrderEvent::Accepted { ready_at, .. } => self.ready_at = Some(*ready_at),
                    OrderEvent::Ready { at } => self.ready_at = Some(*at),
                    OrderEvent::PickedUp { .. } => self.on_board = true,
                    _ => {}
                }
                let msg = status_msg(self.order, version, &event, Audience::Customer);
                let finished = msg
                    .status
                    .as_deref()
                    .and_then(OrderStatus::parse)
                    .is_some_and(OrderStatus::is_terminal);
                if finished {
                    self.courier_visible = false;
                    Step::Finish(ServerMsg::Status(msg))
                } else {
                    Step::Send(ServerMsg::Status(msg))
                }
            }
            Update::Position { at, eta, .. } if self.courier_visible => {
                match Position::of_point(at, &self.projection) {
                    Some(position) => Step::Send(ServerMsg::Courier {
                        order_id: self.order.0,
                        position,
                        eta: eta.or_else(|| self.eta_from(at)).map(|s| s.0),
                    }),
                    None => Step::Skip,
                }
            }
            // Hidden before assignment and after delivery; courier feeds are
            // the courier's own and never reach an order topic.
            Update::Position { .. } | Update::Courier(_) | Update::PickupEta { .. } => Step::Skip,
        }
    }

    /// When a courier at `at` now reaches the customer: by the restaurant
    /// first until it has the food.
    fn eta_from(&self, at: Point) -> Option<Seconds> {
        let leg = if self.on_board {
            Leg::Delivering {
                drop_off: self.drop_off,
            }
        } else {
            Leg::Fetching {
                pickup: self.pickup,
                drop_off: self.drop_off,
                ready_at: self.ready_at,
            }
        };
        self.eta.to_door(self.clock.now(), at, leg)
    }
}
