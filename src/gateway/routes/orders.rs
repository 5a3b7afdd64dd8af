//! Orders: customers place them (with an `Idempotency-Key`), read their
//! own, list them, cancel them while the lifecycle allows. Someone else's
//! order is answered exactly like a missing one: 404.

use std::collections::HashMap;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::{CancelReason, OrderCommand, OrderDetails, OrderLine};
use foodiefast_actors::store::{OrderStore, OrderView};
use foodiefast_geo::{OrderId, RestaurantId};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::gateway::auth::{Anyone, Authed, Customer, Principal};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::{Body, Path};
use crate::gateway::kitchen_doors;
use crate::gateway::position::Position;
use crate::gateway::state::AppState;
use crate::gateway::{delivery_pin, placement};
use crate::store::{KeyClaim, Role};

/// The header naming a placement's idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on the answer to a repeated placement.
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Longest idempotency key.
const MAX_KEY_CHARS: usize = 128;
/// Most lines in one order.
const MAX_LINES: usize = 50;
/// Most of one item in one order.
const MAX_QUANTITY: u32 = 99;
/// How many of one's orders a list shows.
const LIST_LIMIT: u32 = 50;
/// How long a repeated placement waits for the first one to finish.
const REPLAY_WAIT: Duration = Duration::from_secs(5);

/// The order routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(place_order, list_orders))
        .routes(routes!(get_order))
        .routes(routes!(cancel_order))
}

/// One line of a placement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    /// A menu item of the kitchen.
    pub item_id: u64,
    /// How many, 1 to 99.
    pub quantity: u32,
}

/// A placement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceOrder {
    /// The kitchen.
    pub kitchen_id: u64,
    /// What to cook.
    pub items: Vec<LineInput>,
    /// Where to deliver.
    pub drop_off: Position,
    /// The payment provider's token for the customer's payment method
    /// (`pm_...`, from the provider's client library; never card data).
    /// The sandbox provider takes its test tokens (`pm_card_visa`, ...).
    pub payment_method: String,
}

/// An order as its customer, its kitchen and admins see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderOut {
    /// The order.
    pub id: u64,
    /// The kitchen.
    pub kitchen_id: u64,
    /// Lifecycle status (`placed`, `sent_to_chef`, `accepted`, ... `delivered`).
    pub status: String,
    /// Total, minor units.
    pub total_minor: i64,
    /// When it was placed, Unix seconds.
    pub placed_at: i64,
    /// The kitchen's ready estimate, Unix seconds.
    pub ready_at: Option<i64>,
    /// The courier's planned pickup, Unix seconds.
    pub pickup_eta: Option<i64>,
    /// Whether a courier carries or is heading for it.
    pub courier_assigned: bool,
    /// Events so far: the `last_event_id` to resume tracking from.
    pub version: u64,
    /// The PIN to tell the courier at the door (proof of delivery): shown
    /// to the order's customer only.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub delivery_pin: Option<String>,
    /// Where the payment stands: `authorising`, `declined`, `authorised`
    /// (held), `captured`, `voided`, `refunding`, `refunded`, `failed`, or
    /// `none` (nothing to pay).
    pub payment: String,
    /// Why the order was rejected or cancelled (`payment_declined: ...`,
    /// `declined: ...`, `no_answer`, `busy`, `customer`, `no_courier`, ...).
    pub reason: Option<String>,
}

impl OrderOut {
    /// The order as its customer sees it: with its delivery PIN.
    fn for_customer(view: OrderView, state: &AppState) -> Self {
        let pin = delivery_pin::pin_of(&state.tokens, view.id);
        Self {
            delivery_pin: pin,
            ..view.into()
        }
    }
}

impl From<OrderView> for OrderOut {
    fn from(v: OrderView) -> Self {
        Self {
            id: v.id.0,
            kitchen_id: v.kitchen.0,
            status: v.status.as_str().to_owned(),
            total_minor: v.total_cents,
            placed_at: v.placed_at.0,
            ready_at: v.ready_at.map(|s| s.0),
            pickup_eta: v.pickup_eta.map(|s| s.0),
            courier_assigned: v.courier.is_some() && !v.status.is_terminal(),
            version: v.version,
            delivery_pin: None,
            payment: v.payment.as_str().to_owned(),
            reason: v.reason,
        }
    }
}

/// The view of order `id` if `who` may see it; 404 otherwise, the same as
/// for an order that does not exist.
pub(crate) async fn visible_order(
    state: &AppState,
    who: Principal,
    id: u64,
) -> Result<OrderView, ApiError> {
    let view = state
        .store
        .order_view(OrderId(id))
        .await?
        .ok_or(ApiError::NotFound("order"))?;
    let visible = match who.role {
        Role::Admin => true,
        Role::Customer => view.customer == CustomerId(who.id),
        Role::Chef => state
            .store
            .kitchen_of_chef(who.id)
            .await?
            .is_some_and(|k| k.id == view.kitchen),
        Role::Courier => false,
    };
    if visible {
        Ok(view)
    } else {
        Err(ApiError::NotFound("order"))
    }
}

fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = headers
        .get(IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .ok_or(ApiError::IdempotencyKeyRequired)?;
    let valid =
        !key.is_empty() && key.len() <= MAX_KEY_CHARS && key.bytes().all(|b| b.is_ascii_graphic());
    if valid {
        Ok(key.to_owned())
    } else {
        Err(ApiError::IdempotencyKeyRequired)
    }
}

fn check_shape(request: &PlaceOrder) -> Result<(), ApiError> {
    if request.items.is_empty() || request.items.len() > MAX_LINES {
        return Err(ApiError::InvalidInput(format!(
            "an order has 1 to {MAX_LINES} lines"
        )));
    }
    if request
        .items
        .iter()
        .any(|l| l.quantity == 0 || l.quantity > MAX_QUANTITY)
    {
        return Err(ApiError::InvalidInput(format!(
            "quantities are 1 to {MAX_QUANTITY}"
        )));
    }
    request.drop_off.to_lat_lng()?;
    check_payment_method(&request.payment_method)
}

/// Longest payment-method token accepted.
const MAX_PAYMENT_METHOD_CHARS: usize = 255;

/// A provider's payment-method token: letters, digits and `_`, `-`. Card
/// numbers are refused (and never echoed): the engine must not see them.
fn check_payment_method(method: &str) -> Result<(), ApiError> {
    let digits = method.bytes().filter(u8::is_ascii_digit).count();
    if digits >= 12
        && method
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b' ' || b == b'-')
    {
        return Err(ApiError::InvalidInput(
            "payment_method must be a payment provider's token, never a card number".into(),
        ));
    }
    let valid = !method.is_empty()
        && method.len() <= MAX_PAYMENT_METHOD_CHARS
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(ApiError::InvalidInput(format!(
            "payment_method must be a payment provider's token: 1 to \
             {MAX_PAYMENT_METHOD_CHARS} letters, digits, '_' or '-'"
        )))
    }
}

/// The engine's details of a placement the key was just claimed for:
/// checks the kitchen takes orders now (open, not busy) and every item is
/// on its menu and available.
async fn order_details(
    state: &AppState,
    id: OrderId,
    customer: CustomerId,
    request: &PlaceOrder,
) -> Result<OrderDetails, ApiError> {
    let kitchen_id = RestaurantId(request.kitchen_id);
    let kitchen = state
        .store
        .kitchen(kitchen_id)
        .await?
        .ok_or(ApiError::NotFound("kitchen"))?;
    kitchen_doors::admit(state, &kitchen).await?;
    let now = state.engines.clock().now();
    let menu: HashMap<u64, _> = state
        .store
        .menu(kitchen_id)
        .await?
        .into_iter()
        .map(|item| (item.id, item))
        .collect();
    let mut lines = Vec::with_capacity(request.items.len());
    let mut total: i64 = 0;
    for line in &request.items {
        let item = menu.get(&line.item_id).ok_or_else(|| {
            ApiError::InvalidInput(format!("item {} is not on this menu", line.item_id))
        })?;
        if !item.details.available {
            return Err(ApiError::ItemUnavailable(format!(
                "{} is not available now",
                item.details.name
            )));
        }
        let cost = item
            .details
            .price_minor
            .checked_mul(i64::from(line.quantity))
            .and_then(|c| total.checked_add(c))
            .ok_or_else(|| ApiError::InvalidInput("the total is too large".into()))?;
        total = cost;
        lines.push(OrderLine {
            item: line.item_id.to_string(),
            quantity: line.quantity,
            unit_price_cents: item.details.price_minor,
        });
    }
    Ok(OrderDetails {
        id,
        customer,
        kitchen: kitchen_id,
        pickup: state.projection.to_point(kitchen.details.position),
        drop_off: request.drop_off.to_point(&state.projection)?,
        lines,
        total_cents: total,
        placed_at: now,
    })
}

/// The order a repeated placement refers to. The first request normally
/// finishes within [`REPLAY_WAIT`]; if its order still does not exist then,
/// that request died between claiming the key and placing (a crash), and
/// this one places the order under the id the key holds (or, if it is no
/// longer valid, frees the key as the first request would have). A
/// placement found short of its kitchen is handed on.
async fn replayed(
    state: &AppState,
    id: OrderId,
    (customer, key): (CustomerId, &str),
    request: &PlaceOrder,
) -> Result<OrderView, ApiError> {
    let deadline = tokio::time::Instant::now() + REPLAY_WAIT;
    loop {
        if let Some(view) = state.store.order_view(id).await? {
            return Ok(placement::hand_on(state, view).await);
        }
        if tokio::time::Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let details = match order_details(state, id, customer, request).await {
        Ok(details) => details,
        Err(err) => {
            state.store.release_idempotency_key(customer, key).await?;
            return Err(err);
        }
    };
    match placement::place(state, details, &request.payment_method).await {
        Ok(view) => Ok(view),
        // Another repeat won the race to place it (the log admits one placement).
        Err(err) => match state.store.order_view(id).await? {
            Some(view) => Ok(view),
            None => Err(err),
        },
    }
}

/// The answer to a placement: status, the replay flag, the order.
type Placed = (StatusCode, [(HeaderName, HeaderValue); 1], Json<OrderOut>);

/// Places an order. The `Idempotency-Key` header is required: the same key
/// with the same body answers the same order (also `201`, with
/// `Idempotent-Replayed: true`); with another body, `422`.
#[utoipa::path(post, path = "/orders", tag = "orders", security(("bearer" = [])),
    request_body = PlaceOrder,
    params(("Idempotency-Key" = String, Header, description = "1 to 128 visible ASCII characters, unique per placement")),
    responses(
        (status = 201, description = "Placed (or the same placement repeated)", body = OrderOut),
        (status = 400, description = "No idempotency key, or malformed JSON", body = ErrorBody),
        (status = 404, description = "No such kitchen", body = ErrorBody),
        (status = 409, description = "Kitchen closed or busy, or item unavailable", body = ErrorBody),
        (status = 422, description = "Invalid body, or the key was used with another body", body = ErrorBody),
    ))]
#[tracing::instrument(skip_all, fields(customer = customer.id))]
async fn place_order(
    State(state): State<AppState>,
    customer: Authed<Customer>,
    headers: HeaderMap,
    Body(request): Body<PlaceOrder>,
) -> Result<Placed, ApiError> {
    let key = idempotency_key(&headers)?;
    check_shape(&request)?;
    let canonical = serde_json::to_string(&request).map_err(ApiError::internal)?;
    let customer_id = CustomerId(customer.id);
    let id = state.store.next_order_id().await?;
    let now = state.engines.clock().now().0;
    let claim = state
        .store
        .claim_idempotency_key(customer_id, &key, &canonical, id, now)
        .await?;
    let (view, replay) = match claim {
        KeyClaim::Held { request, .. } if request != canonical => {
            return Err(ApiError::IdempotencyKeyReused);
        }
        KeyClaim::Held { order, .. } => (
            replayed(&state, order, (customer_id, &key), &request).await?,
            true,
        ),
        KeyClaim::Claimed => {
            let placed = match order_details(&state, id, customer_id, &request).await {
                Ok(details) => placement::place(&state, details, &request.payment_method).await,
                Err(err) => Err(err),
            };
            match placed {
                Ok(view) => (view, false),
                Err(err) => {
                    // A repeat of this request may have taken over while it was slow.
                    let Some(view) = state.store.order_view(id).await? else {
                        // Nothing was placed: free the key for a corrected retry.
                        state
                            .store
                            .release_idempotency_key(customer_id, &key)
                            .await?;
                        return Err(err);
                    };
                    (view, false)
                }
            }
        }
    };
    let flag = HeaderValue::from_static(if replay { "true" } else { "false" });
    Ok((
        StatusCode::CREATED,
        [(IDEMPOTENT_REPLAYED, flag)],
        Json(OrderOut::for_customer(view, &state)),
    ))
}

/// One's own orders, newest first (at most 50).
#[utoipa::path(get, path = "/orders", tag = "orders", security(("bearer" = [])),
    responses((status = 200, description = "Newest first", body = [OrderOut])))]
async fn list_orders(
    State(state): State<AppState>,
    customer: Authed<Customer>,
) -> Result<Json<Vec<OrderOut>>, ApiError> {
    let views = state
        .store
        .orders_of_customer(CustomerId(customer.id), LIST_LIMIT)
        .await?;
    Ok(Json(
        views
            .into_iter()
            .map(|v| OrderOut::for_customer(v, &state))
            .collect(),
    ))
}

/// An order: its customer's, its kitchen's, or any for an admin.
#[utoipa::path(get, path = "/orders/{order_id}", tag = "orders", security(("bearer" = [])),
    params(("order_id" = u64, Path, description = "The order")),
    responses(
        (status = 200, description = "The order", body = OrderOut),
        (status = 404, description = "No such order, or not yours", body = ErrorBody),
    ))]
async fn get_order(
    State(state): State<AppState>,
    who: Authed<Anyone>,
    Path(order_id): Path<u64>,
) -> Result<Json<OrderOut>, ApiError> {
    let view = visible_order(&state, who.0, order_id).await?;
    Ok(Json(if who.role == Role::Customer {
        OrderOut::for_customer(view, &state)
    } else {
        view.into()
    }))
}

/// Cancels one's own order, any time before pickup.
#[utoipa::path(post, path = "/orders/{order_id}/cancel", tag = "orders",
    security(("bearer" = [])),
    params(("order_id" = u64, Path, description = "The order")),
    responses(
        (status = 200, description = "Cancelled", body = OrderOut),
        (status = 404, description = "No such order, or not yours", body = ErrorBody),
        (status = 409, description = "Too late to cancel", body = ErrorBody),
    ))]
async fn cancel_order(
    State(state): State<AppState>,
    customer: Authed<Customer>,
    Path(order_id): Path<u64>,
) -> Result<Json<OrderOut>, ApiError> {
    let view = visible_order(&state, customer.0, order_id).await?;
    let zone = state.engines.order_zone(&state.store, view.kitchen).await?;
    let view = state
        .engines
        .command(
            &zone,
            view.id,
            OrderCommand::Cancel {
                reason: CancelReason::Customer,
            },
        )
        .await?;
    Ok(Json(view.into()))
}
