//! Commands for a zone's engine, as they cross between nodes: what a
//! gateway on any node asks of the node that owns the zone. A [`Request`]
//! carries an id chosen by its caller; the same id retried (the answer was
//! lost, the caller timed out) is answered from the owner's memory of
//! recent answers ([`ZoneDoorHandler`]) instead of being applied twice.
//! After a failover the new owner has no such memory; commands are then
//! applied against the event log, whose rules refuse what already happened
//! (a placement under an existing order id, a transition already made).
//!
//! Errors cross as the gateway's status, code and message, so that a
//! client sees the same answer whichever node it reached.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::http::StatusCode;
use foodiefast_actors::domain::courier::{CourierStatus, OfferAnswer};
use foodiefast_actors::domain::order::{OrderCommand, OrderDetails};
use foodiefast_actors::kitchens::{KitchenDoor, KitchenQueue};
use foodiefast_actors::store::OrderView;
use foodiefast_actors::{Engine, EngineError};
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds};
use serde::{Deserialize, Serialize};

use super::door::CallHandler;
use super::zone_host::ZoneHost;
use crate::gateway::error::ApiError;
use crate::gateway::kitchen_doors::{self, WantedDoor};
use crate::gateway::placement::hand_to_kitchen;
use crate::gateway::routes::kitchen_orders::{ChefAction, carry_out};

/// How many recent answers an owner remembers for repeated requests.
pub const REMEMBERED_ANSWERS: usize = 4096;

/// One command for one zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Chosen by the caller, unique; kept across its retries.
    pub id: String,
    /// The zone's lease key.
    pub zone: String,
    /// What to do.
    pub call: Call,
}

/// What a zone's engine is asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Call {
    /// Place an order (paid with a provider's token, or free).
    PlaceOrder {
        /// The order.
        details: OrderDetails,
        /// The provider's payment-method token (`None`: nothing to pay).
        payment_method: Option<String>,
    },
    /// Take an order placed without a payment request on to its kitchen.
    HandOn {
        /// The order.
        order: OrderId,
    },
    /// A command for an order.
    Command {
        /// The order.
        order: OrderId,
        /// The command.
        command: OrderCommand,
    },
    /// Bring a kitchen's door in line with the store.
    SyncKitchen {
        /// The kitchen.
        kitchen: RestaurantId,
        /// How the store says its door should stand.
        wanted: WantedDoor,
    },
    /// What a kitchen's tablet shows.
    KitchenQueue {
        /// The kitchen.
        kitchen: RestaurantId,
    },
    /// A chef answers an order of their kitchen.
    Chef {
        /// The kitchen.
        kitchen: RestaurantId,
        /// The order.
        order: OrderId,
        /// The answer.
        action: ChefAction,
    },
    /// A courier starts a shift here.
    CourierOnline {
        /// Who.
        courier: CourierId,
        /// Where.
        at: Point,
        /// When the shift ends.
        shift_end: Seconds,
    },
    /// A courier ends its shift.
    CourierOffline {
        /// Who.
        courier: CourierId,
    },
    /// A courier's position.
    CourierPosition {
        /// Who.
        courier: CourierId,
        /// Where.
        at: Point,
    },
    /// A courier answers an offer.
    AnswerOffer {
        /// Who.
        courier: CourierId,
        /// Which offer.
        offer: u64,
        /// The answer.
        answer: OfferAnswer,
    },
    /// A courier is at the restaurant.
    CourierArrived {
        /// Who.
        courier: CourierId,
    },
    /// A courier has the food of every order it carries.
    CourierPickedUp {
        /// Who.
        courier: CourierId,
    },
    /// A courier handed an order over.
    CourierDelivered {
        /// Who.
        courier: CourierId,
        /// Which order.
        order: OrderId,
    },
    /// What a courier is doing.
    CourierStatus {
        /// Who.
        courier: CourierId,
    },
    /// The orders a courier holds.
    CourierOrders {
        /// Who.
        courier: CourierId,
    },
}

/// A zone's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    /// Done, nothing to show.
    Done,
    /// The order as it now stands.
    Order(OrderView),
    /// Several orders as they now stand.
    Orders(Vec<OrderView>),
    /// A courier's status.
    Courier(CourierStatus),
    /// Order ids.
    OrderIds(Vec<OrderId>),
    /// A kitchen's door.
    Door(KitchenDoor),
    /// A kitchen's queue.
    Queue(KitchenQueue),
    /// Refused or failed, as the gateway would answer it.
    Failed {
        /// HTTP status.
        status: u16,
        /// Stable error code.
        code: String,
        /// For people.
        message: String,
    },
    /// This node does not run the zone (any more): ask its owner.
    NotOwner,
}

impl From<ApiError> for Answer {
    fn from(err: ApiError) -> Self {
        if let ApiError::Internal(cause) = &err {
            tracing::error!(cause = %cause, "zone call failed");
        }
        let (status, code) = err.status_and_code();
        Self::Failed {
            status: status.as_u16(),
            code: code.to_owned(),
            message: err.to_string(),
        }
    }
}

impl From<EngineError> for Answer {
    fn from(err: EngineError) -> Self {
        ApiError::from(err).into()
    }
}

fn answer<T, E: Into<Answer>>(result: Result<T, E>, ok: impl FnOnce(T) -> Answer) -> Answer {
    result.map_or_else(Into::into, ok)
}

impl Answer {
    /// The error a failed answer stands for; `Ok` with any other answer.
    fn failure(self) -> Result<Self, ApiError> {
        match self {
            Self::Failed {
                status,
                code,
                message,
            } => Err(ApiError::Relayed {
                status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                code,
                message,
            }),
            Self::NotOwner => Err(ApiError::Unavailable),
            other => Ok(other),
        }
    }

    /// Done, or why not.
    pub fn into_done(self) -> Result<(), ApiError> {
        match self.failure()? {
            Self::Done => Ok(()),
            other => Err(unexpected(&other)),
        }
    }

    /// The order, or why not.
    pub fn into_order(self) -> Result<OrderView, ApiError> {
        match self.failure()? {
            Self::Order(view) => Ok(view),
            other => Err(unexpected(&other)),
        }
    }

    /// The orders, or why not.
    pub fn into_orders(self) -> Result<Vec<OrderView>, ApiError> {
        match self.failure()? {
            Self::Orders(views) => Ok(views),
            other => Err(unexpected(&other)),
        }
    }

    /// The courier's status, or why not.
    pub fn into_courier(self) -> Result<CourierStatus, ApiError> {
        match self.failure()? {
            Self::Courier(status) => Ok(status),
            other => Err(unexpected(&other)),
        }
    }

    /// The order ids, or why not.
    pub fn into_order_ids(self) -> Result<Vec<OrderId>, ApiError> {
        match self.failure()? {
            Self::OrderIds(ids) => Ok(ids),
            other => Err(unexpected(&other)),
        }
    }

    /// The kitchen's door, or why not.
    pub fn into_door(self) -> Result<KitchenDoor, ApiError> {
        match self.failure()? {
            Self::Door(door) => Ok(door),
            other => Err(unexpected(&other)),
        }
    }

    /// The kitchen's queue, or why not.
    pub fn into_queue(self) -> Result<KitchenQueue, ApiError> {
        match self.failure()? {
            Self::Queue(queue) => Ok(queue),
            other => Err(unexpected(&other)),
        }
    }
}

/// An answer of the wrong kind: nodes of different versions disagree.
fn unexpected(answer: &Answer) -> ApiError {
    ApiError::internal(std::io::Error::other(format!(
        "the zone's owner answered {answer:?}"
    )))
}

/// Runs `call` on `engine`, the engine of the zone it is for.
pub async fn execute(engine: &Engine, call: Call) -> Answer {
    match call {
        Call::PlaceOrder {
            details,
            payment_method,
        } => place(engine, details, payment_method).await,
        Call::HandOn { order } => match engine.view(order).await {
            Ok(view) => Answer::Order(hand_to_kitchen(engine, view).await),
            Err(err) => err.into(),
        },
        Call::SyncKitchen { kitchen, wanted } => answer(
            kitchen_doors::apply(engine, kitchen, wanted).await,
            Answer::Door,
        ),
        Call::KitchenQueue { kitchen } => {
            answer(engine.kitchen_queue(kitchen).await, Answer::Queue)
        }
        Call::Chef {
            kitchen,
            order,
            action,
        } => answer(
            carry_out(engine, kitchen, order, action).await,
            Answer::Order,
        ),
        Call::Command { order, command } => {
            answer(engine.command(order, command).await, Answer::Order)
        }
        Call::CourierOnline {
            courier,
            at,
            shift_end,
        } => answer(engine.courier_online(courier, at, shift_end).await, |()| {
            Answer::Done
        }),
        Call::CourierOffline { courier } => {
            answer(engine.courier_offline(courier).await, |()| Answer::Done)
        }
        Call::CourierPosition { courier, at } => {
            answer(engine.courier_position(courier, at), |()| Answer::Done)
        }
        Call::AnswerOffer {
            courier,
            offer,
            answer: reply,
        } => answer(engine.answer_offer(courier, offer, reply).await, |()| {
            Answer::Done
        }),
        Call::CourierArrived { courier } => {
            answer(engine.courier_arrived(courier).await, |()| Answer::Done)
        }
        Call::CourierPickedUp { courier } => {
            answer(engine.courier_picked_up(courier).await, Answer::Orders)
        }
        Call::CourierDelivered { courier, order } => answer(
            engine.courier_delivered(courier, order).await,
            Answer::Order,
        ),
        Call::CourierStatus { courier } => {
            answer(engine.courier_status(courier).await, Answer::Courier)
        }
        Call::CourierOrders { courier } => {
            answer(engine.courier_orders(courier).await, Answer::OrderIds)
        }
    }
}

/// Places an order, idempotently: a placement the log already holds with
/// the same details (a retry reaching a new owner after a failover) is
/// answered with the order as it stands; other details under its id are
/// refused (409 `order_exists`).
async fn place(engine: &Engine, details: OrderDetails, payment_method: Option<String>) -> Answer {
    let id = details.id;
    let placed = match payment_method {
        Some(method) => engine.place_paid_order(details.clone(), method).await,
        None => match engine.place_order(details.clone()).await {
            Ok(placed) => Ok(hand_to_kitchen(engine, placed).await),
            Err(err) => Err(err),
        },
    };
    match placed {
        Ok(view) => Answer::Order(view),
        Err(EngineError::Duplicate(_)) => match engine.order_from_log(id).await {
            Ok(existing) if *existing.details() == details => {
                answer(engine.view(id).await, Answer::Order)
            }
            Ok(_) => Answer::Failed {
                status: 409,
                code: "order_exists".to_owned(),
                message: format!("order {id} exists with other details"),
            },
            Err(err) => err.into(),
        },
        Err(err) => err.into(),
    }
}

/// Recent answers by request id, oldest forgotten first.
#[derive(Debug, Default)]
struct Recent {
    answers: HashMap<String, Vec<u8>>,
    order: VecDeque<String>,
}

impl Recent {
    fn remember(&mut self, id: String, answer: Vec<u8>) {
        if self.answers.insert(id.clone(), answer).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > REMEMBERED_ANSWERS {
            if let Some(old) = self.order.pop_front() {
                self.answers.remove(&old);
            }
        }
    }
}

/// Answers other nodes' requests with the engines of the zones owned here.
#[derive(Debug)]
pub struct ZoneDoorHandler {
    host: Arc<ZoneHost>,
    recent: Mutex<Recent>,
}

impl ZoneDoorHandler {
    /// A handler for the zones `host` runs.
    pub fn new(host: Arc<ZoneHost>) -> Self {
        Self {
            host,
            recent: Mutex::default(),
        }
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, Recent> {
        // Each change is one insert or remove: a poisoned map is still whole.
        self.recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The answer to `request`, applied at most once per id while remembered.
    pub async fn answer(&self, request: Request) -> Answer {
        if let Some(known) = self.recent().answers.get(&request.id)
            && let Ok(answer) = serde_json::from_slice(known)
        {
            return answer;
        }
        let Some(engine) = self.host.engine(&request.zone) else {
            return Answer::NotOwner;
        };
        let answer = execute(&engine, request.call).await;
        if let Ok(bytes) = serde_json::to_vec(&answer) {
            self.recent().remember(request.id, bytes);
        }
        answer
    }
}

#[async_trait]
impl CallHandler for ZoneDoorHandler {
    async fn handle(&self, request: Vec<u8>) -> Vec<u8> {
        let answer = match serde_json::from_slice::<Request>(&request) {
            Ok(request) => self.answer(request).await,
            Err(err) => Answer::Failed {
                status: 400,
                code: "malformed_request".to_owned(),
                message: format!("not a zone request: {err}"),
            },
        };
        serde_json::to_vec(&answer).unwrap_or_default()
    }
}
