//! `/ws/chef`: a chef's tablet receives every event of its kitchen's
//! orders: new orders (with their lines), answers, cancellations, the
//! courier's planned pickup once one is assigned, and then, live, when the
//! courier is expected (`courier_eta`, until pickup; not replayed).
//!
//! Event ids are the kitchen's feed numbers (`store::kitchen_feed`): 1, 2,
//! 3, ... per kitchen, given in the transaction that records each event,
//! so they are stable and totally ordered. Without `last_event_id` the feed
//! starts with a `kitchen_snapshot` (the latest id and the queue); with it,
//! every event numbered after it is replayed from the store first. Live
//! updates only wake the feed: what it sends is read from the store after
//! the last id sent, so events reach the tablet in their numbered order,
//! none twice, none skipped, whatever order the hub delivered them in.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use foodiefast_actors::tracking::{Topic, Update};
use foodiefast_geo::RestaurantId;

use super::messages::{Audience, ServerMsg, status_msg};
use super::session::{self, Feed, ListenOnly, Step};
use super::upgrade::{WsParams, check_origin, configure, principal};
use crate::gateway::auth::{Authed, Chef};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::Query;
use crate::gateway::kitchen_doors;
use crate::gateway::routes::kitchen_queue::queue_out;
use crate::gateway::routes::kitchens::kitchen_of;
use crate::gateway::state::AppState;
use crate::store::Store;

/// Events read from the store at a time.
const PAGE: u32 = 500;

/// The chef's live feed of their kitchen's orders.
#[utoipa::path(get, path = "/ws/chef", tag = "live", params(WsParams),
    responses(
        (status = 101, description = "WebSocket: see docs/protocol.md"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not a chef, or origin not allowed", body = ErrorBody),
        (status = 404, description = "The chef has no kitchen yet", body = ErrorBody),
        (status = 426, description = "Not a WebSocket upgrade", body = ErrorBody),
    ))]
pub(crate) async fn chef_feed(
    State(state): State<AppState>,
    Query(params): Query<WsParams>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    check_origin(&state, &headers)?;
    let chef = Authed::<Chef>::admit(principal(&state, &headers, &params)?)?;
    let kitchen = kitchen_of(&state, chef.id).await?;
    let upgrade = configure(upgrade, &state.ws)?;
    // Subscribed before the store is read: nothing falls between.
    let subscription = state.engines.hub().subscribe(Topic::Kitchen(kitchen.id));
    let head = state.store.kitchen_feed_head(kitchen.id).await?;
    let (backlog, sent_up_to) = match params.last_event_id {
        None => {
            let (door, queue) = kitchen_doors::door_and_queue(&state, &kitchen).await?;
            let queue = queue_out(&kitchen, queue, door.busy_until);
            let snapshot = ServerMsg::KitchenSnapshot {
                kitchen_id: kitchen.id.0,
                event_id: head,
                open: queue.open,
                busy_until: queue.busy_until,
                awaiting: queue.awaiting,
                cooking: queue.cooking,
            };
            (vec![snapshot], head)
        }
        // An id beyond the latest (another server's, say) resumes from the latest.
        Some(after) => {
            let after = after.min(head);
            let missed = missed(&state.store, kitchen.id, after).await?;
            let sent_up_to = last_id(&missed).unwrap_or(after);
            (missed, sent_up_to)
        }
    };
    let cursor = Arc::new(AtomicU64::new(sent_up_to));
    let store = state.store.clone();
    let kitchen_id = kitchen.id;
    let feed = Feed {
        backlog,
        finished: false,
        subscription,
        translate: Box::new(move |update| match update {
            // Read what follows the last id sent, rather than send this one:
            // the store's numbering, not the hub's delivery, orders the feed.
            Update::Status { .. } => {
                let store = store.clone();
                let cursor = cursor.clone();
                Step::Fetch(Box::pin(async move {
                    let after = cursor.load(Ordering::Acquire);
                    match missed(&store, kitchen_id, after).await {
                        Ok(msgs) => {
                            if let Some(last) = last_id(&msgs) {
                                cursor.store(last, Ordering::Release);
                            }
                            Some(msgs)
                        }
                        Err(err) => {
                            tracing::warn!(kitchen = %kitchen_id, error = %err, "chef feed not read");
                            None
                        }
                    }
                }))
            }
            Update::PickupEta { order, eta, .. } => Step::Send(ServerMsg::CourierEta {
                order_id: order.0,
                eta: eta.0,
            }),
            // Couriers' own feeds never reach a kitchen topic.
            Update::Position { .. } | Update::Courier(_) => Step::Skip,
        }),
    };
    let limits = state.ws;
    Ok(upgrade.on_upgrade(move |socket| session::run(socket, limits, feed, ListenOnly)))
}

/// Every event of `kitchen`'s feed after `after`, as the chef's messages.
async fn missed(
    store: &Store,
    kitchen: RestaurantId,
    after: u64,
) -> Result<Vec<ServerMsg>, ApiError> {
    let mut msgs = Vec::new();
    let mut after = after;
    loop {
        let page = store.kitchen_feed_after(kitchen, after, PAGE).await?;
        let full = page.len() >= PAGE as usize;
        for event in page {
            after = event.seq;
            msgs.push(ServerMsg::Status(status_msg(
                event.order,
                event.seq,
                &event.event,
                Audience::Kitchen,
            )));
        }
        if !full {
            return Ok(msgs);
        }
    }
}

/// The event id of the last status message in `msgs`.
fn last_id(msgs: &[ServerMsg]) -> Option<u64> {
    msgs.iter().rev().find_map(|msg| match msg {
        ServerMsg::Status(status) => Some(status.event_id),
        _ => None,
    })
}
